"""Citations of a paper in the formats reference managers read: BibTeX, CSL-JSON and RIS.

One reading of the paper feeds all three (`Reference`): the entry type from the venue, names
split the way the content writes them, organisations kept whole. Keys come from
content/citekeys.py and are unique in the site.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from generator.content.citekeys import name_parts
from generator.content.paper import Paper
from generator.content.tex import plain_text

_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
            "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_SPECIAL_RE = re.compile("|".join(re.escape(c) for c in _SPECIAL))
_CONFERENCE = re.compile(r"\b(conference|proceedings|workshop|symposium|congress|meeting|"
                         r"neurips|nips|icml|iclr|cvpr|iccv|eccv|aaai|ijcai|acl|emnlp|naacl|coling|kdd|sigir|"
                         r"sigmod|vldb|www|siggraph|miccai|interspeech|icassp|uai|aistats|colt|corl|icra|iros|rss|"
                         r"wacv|bmvc|accv|3dv|isbi|ecir|wsdm|cikm|icde|ijcnn|icpr|icip|nips)\b", re.IGNORECASE)
_PREPRINT = re.compile(r"^(arxiv|biorxiv|medrxiv|chemrxiv|ssrn|preprint|corr)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Reference:
    """What a citation says of a paper, whatever the format."""
    key: str
    kind: str  # article, inproceedings, preprint, misc
    title: str
    derived: bool  # the title is the start of the abstract: no source gave one
    authors: tuple[tuple[str, str], ...]  # (family, given); family "" means an organisation in given
    year: int | None
    venue: str
    doi: str
    arxiv: str
    url: str
    abstract: str

    @classmethod
    def of(cls, paper: Paper, key: str) -> Reference:
        venue = paper.venue.strip()
        if venue and _PREPRINT.match(venue):
            kind, venue = "preprint", ""
        elif venue:
            kind = "inproceedings" if _CONFERENCE.search(venue) else "article"
        else:
            kind = "preprint" if paper.arxiv else "misc"
        url = next((u for k, u in paper.link_urls() if k in ("pdf", "arxiv", "project", "code")), "")
        # Braces in what came from a .bib file are BibTeX markup the import kept ('{ResMLP}');
        # anywhere else they are the text itself.
        markup = _unbraced if any(s.file.lower().endswith(".bib") for s in paper.sources) else _same
        return cls(key, kind, plain_text(markup(paper.title)), paper.title_is_derived,
                   tuple(name_parts(markup(a)) for a in paper.authors), paper.year, markup(venue), paper.doi,
                   paper.arxiv, url, paper.abstract)


def _same(text: str) -> str:
    return text


def _unbraced(text: str) -> str:
    """Source braces ('{ResMLP}') are BibTeX markup, not text."""
    return " ".join(text.replace("{", "").replace("}", "").split())


def escape_bibtex(text: str) -> str:
    text = " ".join(text.split())  # no newlines or control characters inside a field
    if not text.isprintable():  # rare: the test in C first, the loop over characters only then
        text = "".join(c for c in text if c.isprintable())
    text = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)
    return text.replace("--", "-{}-").replace("``", "`{}`").replace("''", "'{}'")  # TeX ligatures, not text


def escape_url(url: str) -> str:
    """URLs are verbatim in BibTeX; only characters that would end or break the field are encoded."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def _bibtex_name(family: str, given: str) -> str:
    if not family:  # an organisation: braces keep it one name ("Google Brain Team", not family "Team")
        return "{" + escape_bibtex(given) + "}"
    return f"{escape_bibtex(family)}, {escape_bibtex(given)}" if given else escape_bibtex(family)


def bibtex_entry(paper: Paper, key: str) -> str:
    """A BibTeX entry for readers: bibliographic fields only (no local files, no internal notes).
    @article + journal, @inproceedings + booktitle, @misc + eprint/archiveprefix for preprints."""
    ref = Reference.of(paper, key)
    kind = {"preprint": "misc"}.get(ref.kind, ref.kind)
    fields: list[tuple[str, str]] = []
    fields.append(("title", "{" + escape_bibtex(ref.title) + "}"))  # double braces: keep its capitals
    if ref.derived:
        fields.append(("note", "Title derived from the abstract; no source gave one"))
    if ref.authors:
        fields.append(("author", " and ".join(_bibtex_name(f, g) for f, g in ref.authors)))
    else:  # what BibTeX styles sort and label an entry by when it has no author
        fields.append(("key", escape_bibtex(ref.title or key)))
    if ref.year:
        fields.append(("year", str(ref.year)))
    if ref.venue:
        fields.append(({"article": "journal", "inproceedings": "booktitle"}.get(kind, "howpublished"),
                       escape_bibtex(ref.venue)))
    if ref.doi:
        fields.append(("doi", escape_bibtex(ref.doi)))
    if ref.arxiv:
        fields += [("eprint", escape_bibtex(ref.arxiv)), ("archiveprefix", "arXiv")]
    if ref.url:
        fields.append(("url", escape_url(ref.url)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{key},\n{body}\n}}"


_CSL_TYPES = {"article": "article-journal", "inproceedings": "paper-conference", "preprint": "article",
              "misc": "article"}


def csl_item(paper: Paper, key: str, abstract: bool = True) -> dict:
    """CSL-JSON, as citeproc processors, pandoc and Zotero read it."""
    ref = Reference.of(paper, key)
    item: dict = {"id": key, "type": _CSL_TYPES[ref.kind], "title": ref.title}
    if ref.derived:
        item["note"] = "Title derived from the abstract; no source gave one"
    if ref.authors:
        item["author"] = [{"family": f, "given": g} if f and g else {"family": f} if f else {"literal": g}
                          for f, g in ref.authors]
    if ref.year:
        item["issued"] = {"date-parts": [[ref.year]]}
    if ref.venue:
        item["container-title"] = ref.venue
    if ref.doi:
        item["DOI"] = ref.doi
    if ref.url:
        item["URL"] = ref.url
    if ref.arxiv:
        item["number"] = f"arXiv:{ref.arxiv}"
        item.setdefault("publisher", "arXiv")
    if ref.abstract and abstract:
        item["abstract"] = ref.abstract
    return item


_RIS_TYPES = {"article": "JOUR", "inproceedings": "CONF", "preprint": "UNPB", "misc": "GEN"}


def csl_json(paper: Paper, key: str) -> str:
    """One paper as a CSL-JSON file (an array of one item), for the paper page's download link.
    Without its abstract: the page shows it, papers.csl.json has it, and a page carries this
    file inside a link (at 50,000 papers two copies of every abstract cost 200 MB)."""
    return json.dumps([csl_item(paper, key, abstract=False)], ensure_ascii=False, separators=(",", ":")) + "\n"


def ris_record(paper: Paper, key: str, abstract: bool = True) -> str:
    """RIS, the tagged format every reference manager imports (EndNote, Zotero, Mendeley)."""
    ref = Reference.of(paper, key)
    lines = [("TY", _RIS_TYPES[ref.kind]), ("ID", key), ("TI", ref.title)]
    if ref.derived:
        lines.append(("N1", "Title derived from the abstract; no source gave one"))
    # "Family, Given"; an organisation is one name with a trailing comma, so readers don't split it.
    lines += [("AU", f"{f}, {g}" if f and g else f"{f or g},") for f, g in ref.authors]
    if ref.year:
        lines.append(("PY", str(ref.year)))
    if ref.venue:
        lines.append(("T2", ref.venue))
    if ref.doi:
        lines.append(("DO", ref.doi))
    if ref.url:
        lines.append(("UR", ref.url))
    if ref.arxiv and not ref.url:
        lines.append(("UR", f"https://arxiv.org/abs/{ref.arxiv}"))
    if ref.abstract and abstract:
        lines.append(("AB", ref.abstract))
    lines.append(("ER", ""))
    return "\n".join(f"{tag}  - {' '.join(value.split())}".rstrip() + ("" if tag != "ER" else " ") for tag, value in lines)

