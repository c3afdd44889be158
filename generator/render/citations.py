"""Citation export: BibTeX entries with every special character escaped."""
from __future__ import annotations

import re

from generator.content.paper import Paper

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
            "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))


def escape_bibtex(text: str) -> str:
    text = " ".join(text.split())  # no newlines or control characters inside a field
    text = "".join(c for c in text if c.isprintable())
    return _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)


def escape_url(url: str) -> str:
    """URLs are verbatim in BibTeX; only characters that would end or break the field are encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def citation_key(paper: Paper) -> str:
    first = paper.authors[0].split()[-1] if paper.authors else ""
    base = re.sub(r"[^A-Za-z0-9]", "", first.lower() or paper.slug.split("-")[0])
    return f"{base}{paper.year or ''}{re.sub(r'[^a-z0-9]', '', paper.slug)[:24]}"


def bibtex_entry(paper: Paper) -> str:
    """A BibTeX entry for readers: bibliographic fields only (no local files, no internal notes)."""
    kind = "article" if paper.venue and paper.venue.lower() != "arxiv" else "misc"
    fields: list[tuple[str, str]] = [("title", "{" + escape_bibtex(paper.title) + "}")]
    if paper.authors:
        fields.append(("author", " and ".join(escape_bibtex(a) for a in paper.authors)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.venue:
        fields.append(("journal" if kind == "article" else "howpublished", escape_bibtex(paper.venue)))
    if paper.doi:
        fields.append(("doi", escape_bibtex(paper.doi)))
    if paper.arxiv:
        fields += [("eprint", escape_bibtex(paper.arxiv)), ("archiveprefix", "arXiv")]
    url = next((u for k, u in paper.link_urls() if k in ("pdf", "arxiv", "project", "code")), None)
    if url:
        fields.append(("url", escape_url(url)))
    if paper.title_is_derived:
        fields.append(("note", "Title derived from the abstract; no source gave one"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{citation_key(paper)},\n{body}\n}}"
