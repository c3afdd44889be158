"""Where a reader can find a paper that no source linked: searches by title at the services
researchers use. Shown only when no link, DOI or arXiv id is known."""
from __future__ import annotations

from urllib.parse import quote_plus

from generator.content.paper import Paper

SERVICES = (
    ("arXiv", "https://arxiv.org/search/?searchtype=title&query={}"),
    ("Semantic Scholar", "https://www.semanticscholar.org/search?q={}"),
    ("Google Scholar", "https://scholar.google.com/scholar?q={}"),
    ("DBLP", "https://dblp.org/search?q={}"),
)


def lookups(paper: Paper) -> list[tuple[str, str]]:
    """(service, search URL) for the paper's title; a derived title is searched as the phrase
    it is (the abstract's first words)."""
    if paper.link_urls() or paper.doi or paper.arxiv:
        return []
    text = paper.title_text.rstrip("…").strip()
    query = f'"{text}"' if paper.title_is_derived else text
    return [(name, pattern.format(quote_plus(query))) for name, pattern in SERVICES]
