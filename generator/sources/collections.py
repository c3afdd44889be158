"""Another site generator's paper collection (Jekyll/academicpages/al-folio `_publications/*.md`,
Hugo `content/publication/*.md`) -> Records: one Markdown file with YAML front matter per paper.

Their front matter varies by theme: authors as a list or one comma-separated string, `year` or
`date`, the venue as `venue`, `conference`, `journal` or `booktitle`, free-text `tags`, the
abstract in a field or as the body. Each is taken from the first name present.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from generator.errors import Problem
from generator.sources.records import Record, identifiers_from, verbatim

_AUTHORS = ("authors", "author")
_VENUE = ("venue", "conference", "journal", "booktitle", "publication", "publisher")
_ABSTRACT = ("abstract", "summary", "excerpt")
_LINKS = {"pdf": ("paperurl", "pdf", "url_pdf", "paper_url"), "code": ("code", "url_code", "github"),
          "slides": ("slidesurl", "slides", "url_slides"), "project": ("url", "link", "website", "url_project")}
_FRONT = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*(?:\n|\Z)(.*)\Z", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_KRAMDOWN_ATTRS = re.compile(r"\{:[^}]*\}")
_LIST_MARK = re.compile(r"^\s*(?:[-+*]|\d+\.)\s+", re.MULTILINE)


def looks_like_collection_file(text: str) -> bool:
    match = _FRONT.match(text.lstrip("\ufeff"))
    return bool(match and re.search(r"^title\s*:", match.group(1), re.MULTILINE))


def parse_collection_file(text: str, source_name: str) -> tuple[list[Record], list[Problem]]:
    match = _FRONT.match(text.lstrip("\ufeff"))
    if not match:
        return [], [Problem("has no YAML front matter between '---' lines: skipped", source_name, 1)]
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [Problem(f"front matter is not valid YAML: skipped ({getattr(exc, 'problem', exc)})", source_name,
                            mark.line + 2 if mark else 1)]
    if not isinstance(data, dict):
        return [], [Problem("front matter is not a mapping: skipped", source_name, 1)]
    title = _plain(_text(data.get("title")))
    abstract = _plain(next((_text(data[k]) for k in _ABSTRACT if _text(data.get(k))), "") or match.group(2))
    if not title and not abstract:
        return [], [Problem("has neither a title nor an abstract: skipped", source_name, 1)]
    links = {kind: url for kind, names in _LINKS.items()
             if (url := verbatim(next((_text(data[n]) for n in names if _text(data.get(n))), "")))}
    doi, arxiv = identifiers_from(doi=verbatim(_text(data.get("doi"))), eprint=_text(data.get("arxiv")),
                                  url=" ".join(links.values()))
    record = Record(abstract=abstract, title=title or None, file=source_name, line=1, key=Path(source_name).stem,
                    authors=_authors(data), year=_year(data), venue=_plain(next((_text(data[k]) for k in _VENUE
                                                                                  if _text(data.get(k))), "")),
                    doi=doi, arxiv=arxiv, links=links, keywords=_list(data.get("tags")) + _list(data.get("keywords")))
    problems = [] if abstract else [Problem(f"'{record.key}' has no abstract: imported, listed on the 'needs "
                                            "attention' page", source_name, 1, severity="warning")]
    return [record], problems


def _text(value) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _plain(text: str) -> str:
    """Markdown or HTML as readers' text: tags, link syntax and list marks taken out."""
    text = _KRAMDOWN_ATTRS.sub("", _MD_LINK.sub(r"\1", _TAG.sub(" ", text)))
    text = _LIST_MARK.sub("", text).replace("&quot;", '"').replace("&amp;", "&")
    return " ".join(text.split()).strip("[] ")


def _list(value) -> list[str]:
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,;]", value) if v.strip()]
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []


def _authors(data: dict) -> list[str]:
    value = next((data[k] for k in _AUTHORS if data.get(k)), None)
    if isinstance(value, list):
        names = [str(v.get("name", "")) if isinstance(v, dict) else str(v) for v in value]
    elif isinstance(value, str):
        names = re.split(r",|;|\band\b", value)
    else:
        names = []
    return [" ".join(_plain(n).replace("*", "").split()) for n in names if _plain(n).strip("* ")]


def _year(data: dict) -> int | None:
    for key in ("year", "date"):
        value = data.get(key)
        if isinstance(value, (dt.date, dt.datetime)):
            return value.year
        match = re.search(r"\b(1[5-9]|20)\d\d\b", str(value or ""))
        if match:
            return int(match.group(0))
    return None
