"""What search engines and link previews read: Google Scholar's citation_* tags (per its
inclusion guidelines), Open Graph, and schema.org JSON-LD. Built from the same `Reference` as
the citations, so a derived title is never given out as the paper's title."""
from __future__ import annotations

from collections.abc import Callable

from generator.content.paper import Paper
from generator.content.tex import plain_text
from generator.render.citations import Reference
from generator.site import urls
from generator.site.model import Card


def scholar_tags(paper: Paper, key: str) -> list[tuple[str, str]]:
    """(name, content) of each citation_* meta tag; none at all without a real title (Scholar
    would index the made-up one)."""
    ref = Reference.of(paper, key)
    if ref.derived:
        return []
    tags = [("citation_title", ref.title)]
    tags += [("citation_author", f"{family}, {given}" if family and given else family or given)
             for family, given in ref.authors]
    if ref.year:
        tags.append(("citation_publication_date", str(ref.year)))
    if ref.kind == "article" and ref.venue:
        tags.append(("citation_journal_title", ref.venue))
    elif ref.kind == "inproceedings" and ref.venue:
        tags.append(("citation_conference_title", ref.venue))
    if ref.doi:
        tags.append(("citation_doi", ref.doi))
    if ref.arxiv:
        tags.append(("citation_arxiv_id", ref.arxiv))
    pdf = next((u for k, u in paper.link_urls() if k == "pdf"), "")
    if not pdf and ref.arxiv:
        pdf = f"https://arxiv.org/pdf/{ref.arxiv}"
    if pdf:
        tags.append(("citation_pdf_url", pdf))
    if ref.abstract:
        tags.append(("citation_abstract", ref.abstract))
    return tags


def scholarly_article(paper: Paper, key: str, url: str) -> dict:
    """schema.org ScholarlyArticle, for a paper page."""
    ref = Reference.of(paper, key)
    data: dict = {"@context": "https://schema.org", "@type": "ScholarlyArticle",
                  "name": f"Untitled ({ref.title})" if ref.derived else ref.title}
    if url:
        data["url"] = url
    if ref.authors:
        data["author"] = [{"@type": "Person", "familyName": f, "givenName": g, "name": f"{g} {f}".strip()}
                          if f else {"@type": "Organization", "name": g} for f, g in ref.authors]
    if ref.year:
        data["datePublished"] = str(ref.year)
    if ref.venue:
        data["isPartOf"] = {"@type": "Periodical" if ref.kind == "article" else "PublicationEvent", "name": ref.venue}
    if ref.doi:
        data["sameAs"] = f"https://doi.org/{ref.doi}"
    # No "abstract": the page shows it and citation_abstract carries it for scrapers; a third
    # copy here was 8% of a paper page (80 MB of a 50,000-paper site).
    if paper.tags:
        data["keywords"] = paper.tags
    return data


def collection_page(name: str, base_url: str, path: str, cards: tuple[Card, ...],
                    relative: Callable[[str], str]) -> dict:
    """schema.org CollectionPage with the listed papers as an ItemList (absolute URLs when the
    site's base_url is known, else relative to the page)."""
    def link(target: str) -> str:
        return base_url + target if base_url else relative(target)

    elements = [{"@type": "ListItem", "position": n, "url": link(urls.paper(card.slug)), "name": plain_text(card.title)}
                for n, card in enumerate(cards, start=1)]
    url = base_url + path if base_url else ""
    data: dict = {"@context": "https://schema.org", "@type": "CollectionPage", "name": name,
                  "mainEntity": {"@type": "ItemList", "numberOfItems": len(elements), "itemListElement": elements}}
    if url:
        data["url"] = url
    return data
