"""Machine-readable files beside the pages: sitemap, Atom feed, robots.txt, papers.json, papers.bib."""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from generator.content.paper import Paper
from generator.render.citations import bibtex_entry, csl_item, ris_record
from generator.site import urls
from generator.site.model import Site
from generator.site.pages import Page
from generator.site.plan import shown_title

FEED_ENTRIES = 50


def _absolute(site: Site, path: str) -> str:
    base = site.config.base_url or "/"
    return base + ("" if path == urls.HOME else path)


# XML 1.0 forbids most control characters even when escaped. (A pattern: a loop over every
# character of a 10,000-URL sitemap was 0.2 s.)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return xml_escape(_NOT_XML.sub("", text))


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def sitemap(site: Site, pages: list[Page]) -> str:
    """sitemaps.org 0.9: absolute URLs (needs base_url), a paper page's lastmod its file's."""
    dates = site.last_changes()
    changed = {urls.paper(p.slug): dates[p.slug] for p in site.papers}
    latest = max(changed.values(), default=_EPOCH)
    entries = "".join(f"  <url><loc>{_xml_text(_absolute(site, p.path))}</loc>"
                      f"<lastmod>{changed.get(p.path, latest).date().isoformat()}</lastmod></url>\n"
                      for p in pages if p.in_sitemap)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def atom_feed(site: Site) -> str:
    """RFC 4287: the newest papers, each with its authors (the site stands in for a paper
    without), published when added, updated when its file last changed; absolute links."""
    newest = site.newest[:FEED_ENTRIES]
    dates = site.last_changes()
    updated = max((dates[p.slug] for p in newest), default=_EPOCH)
    entries = [_feed_entry(site, paper, dates[paper.slug]) for paper in newest]
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang={quoteattr(site.config.language)}>\n'
            f"  <title>{_xml_text(site.config.title)}</title>\n"
            + (f"  <subtitle>{_xml_text(site.config.description)}</subtitle>\n" if site.config.description else "")
            + f"  <link href={quoteattr(_absolute(site, urls.FEED))} rel=\"self\" type=\"application/atom+xml\"/>\n"
            f"  <link href={quoteattr(_absolute(site, urls.HOME))} rel=\"alternate\" type=\"text/html\"/>\n"
            f"  <id>{_xml_text(_feed_id(site, urls.HOME))}</id>\n"
            f"  <updated>{_stamp(updated)}</updated>\n"
            f"  <author><name>{_xml_text(site.config.title)}</name></author>\n"
            f"  <generator>litsite</generator>\n"
            + "".join(entries) + "</feed>\n")


def _feed_entry(site: Site, paper: Paper, changed: dt.datetime) -> str:
    url = _absolute(site, urls.paper(paper.slug))
    published = dt.datetime.combine(paper.added, dt.time(), dt.UTC) if paper.added else changed
    authors = "".join(f"    <author><name>{_xml_text(name)}</name></author>\n" for name in paper.authors)
    return ("  <entry>\n"
            f"    <title>{_xml_text(shown_title(paper))}</title>\n"
            f"    <link href={quoteattr(url)} rel=\"alternate\" type=\"text/html\"/>\n"
            f"    <id>{_xml_text(_feed_id(site, urls.paper(paper.slug)))}</id>\n"
            f"    <published>{_stamp(published)}</published>\n"
            f"    <updated>{_stamp(changed)}</updated>\n"
            + authors
            + (f"    <summary>{_xml_text(paper.abstract)}</summary>\n" if paper.abstract else "")
            + "".join(f"    <category term={quoteattr(_xml_text(t))}/>\n" for t in paper.tags)
            + "  </entry>\n")


def _feed_id(site: Site, path: str) -> str:
    """An absolute IRI, as atom:id must be: the page's URL, or without base_url a stable URN."""
    if site.config.base_url:
        return _absolute(site, path)
    return uuid.uuid5(uuid.NAMESPACE_URL, f"litsite:{site.config.title}:{path}").urn


def robots(site: Site) -> str:
    lines = ["User-agent: *", "Allow: /"]
    if site.config.base_url:
        lines.append(f"Sitemap: {site.config.base_url}{urls.SITEMAP}")
    return "\n".join(lines) + "\n"


def papers_json(site: Site) -> str:
    records = [{
        "slug": p.slug, "url": urls.paper(p.slug), "title": p.title_text, "title_derived": p.title_is_derived,
        "abstract": p.abstract, "authors": p.authors, "year": p.year, "venue": p.venue, "doi": p.doi,
        "arxiv": p.arxiv, "tags": p.tags, "topics": p.topics, "links": p.links,
        "added": p.added.isoformat() if p.added else None,
    } for p in site.papers]
    title = json.dumps(site.config.title, ensure_ascii=False)
    return f'{{"title":{title},"papers":{_one_per_line(records)}}}\n'


def papers_bib(site: Site) -> str:
    return "\n\n".join(bibtex_entry(p, site.cite_keys[p.slug]) for p in site.papers) + "\n"


def papers_csl(site: Site) -> str:
    """CSL-JSON: an array of items, as pandoc --bibliography and citeproc processors take it."""
    return _one_per_line([csl_item(p, site.cite_keys[p.slug]) for p in site.papers]) + "\n"


def _one_per_line(items: list[dict]) -> str:
    """A JSON array with one paper per line: a diff or grep shows papers, and indenting every
    field made the file 13% larger."""
    return "[\n" + ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items) + "\n]"


def papers_ris(site: Site) -> str:
    return "\n".join(ris_record(p, site.cite_keys[p.slug]) for p in site.papers) + "\n"
