"""Machine-readable files beside the pages: sitemap, Atom feed, robots.txt, papers.json, papers.bib."""
from __future__ import annotations

import datetime as dt
import json
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from generator.render.citations import bibtex_entry
from generator.site import urls
from generator.site.model import Site, by_newest
from generator.site.pages import Page

FEED_ENTRIES = 50


def _absolute(site: Site, path: str) -> str:
    base = site.config.base_url or "/"
    return base + ("" if path == urls.HOME else path)


def _xml_text(text: str) -> str:
    # XML 1.0 forbids most control characters even when escaped.
    cleaned = "".join(c for c in text if c in "\t\n\r" or (ord(c) >= 0x20 and c not in "\ufffe\uffff"))
    return xml_escape(cleaned)


def sitemap(site: Site, pages: list[Page]) -> str:
    entries = "".join(f"  <url><loc>{_xml_text(_absolute(site, p.path))}</loc></url>\n" for p in pages if p.in_sitemap)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def atom_feed(site: Site) -> str:
    newest = sorted(site.papers, key=by_newest)[:FEED_ENTRIES]
    updated = max((p.added for p in newest if p.added), default=dt.date(1970, 1, 1))
    entries = []
    for paper in newest:
        url = _absolute(site, urls.paper(paper.slug))
        stamp = f"{(paper.added or updated).isoformat()}T00:00:00Z"
        entries.append(
            "  <entry>\n"
            f"    <title>{_xml_text(paper.title)}</title>\n"
            f"    <link href={quoteattr(url)}/>\n"
            f"    <id>{_xml_text(url)}</id>\n"
            f"    <updated>{stamp}</updated>\n"
            f"    <summary>{_xml_text(paper.abstract)}</summary>\n"
            + "".join(f"    <category term={quoteattr(_xml_text(t))}/>\n" for t in paper.tags)
            + "  </entry>\n")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>{_xml_text(site.config.title)}</title>\n"
            f"  <link href={quoteattr(_absolute(site, urls.FEED))} rel=\"self\"/>\n"
            f"  <link href={quoteattr(_absolute(site, urls.HOME))}/>\n"
            f"  <id>{_xml_text(_absolute(site, urls.HOME))}</id>\n"
            f"  <updated>{updated.isoformat()}T00:00:00Z</updated>\n"
            + "".join(entries) + "</feed>\n")


def robots(site: Site) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.config.base_url:
        lines.append(f"Sitemap: {site.config.base_url}{urls.SITEMAP}")
    return "\n".join(lines) + "\n"


def papers_json(site: Site) -> str:
    records = [{
        "slug": p.slug, "url": urls.paper(p.slug), "title": p.title, "title_derived": p.title_is_derived,
        "abstract": p.abstract, "authors": p.authors, "year": p.year, "venue": p.venue, "doi": p.doi,
        "arxiv": p.arxiv, "tags": p.tags, "topics": p.topics, "links": p.links,
        "added": p.added.isoformat() if p.added else None,
    } for p in site.papers]
    return json.dumps({"title": site.config.title, "papers": records}, ensure_ascii=False, indent=1) + "\n"


def papers_bib(site: Site) -> str:
    return "\n\n".join(bibtex_entry(p) for p in site.papers) + "\n"
