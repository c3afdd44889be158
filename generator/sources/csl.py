"""CSL-JSON (Zotero's "Export as CSL JSON", also citeproc and pandoc) -> Records."""
from __future__ import annotations

import json
import re

from generator.errors import InputError, Problem
from generator.sources.records import Record, identifiers_from, text_of_markup


def parse_csl_json(text: str, source_name: str) -> tuple[list[Record], list[Problem]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"is not valid JSON: {exc.msg}", source_name, exc.lineno, exc.colno) from None
    items = data.get("items") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise InputError("is not CSL-JSON: expected a list of items", source_name, 1, 1)
    lines = _item_lines(text)
    records, problems = [], []
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else None
        if not isinstance(item, dict):
            problems.append(Problem(f"item {index + 1} is not an object: skipped", source_name, line))
            continue
        record, problem = _record(item, index, source_name, line)
        if problem:
            problems.append(problem)
        if record:
            records.append(record)
    return records, problems


def _item_lines(text: str) -> list[int]:
    """The line on which each top-level item of the list starts (json gives no positions)."""
    lines, depth, line, in_string, escaped = [], 0, 1, False, False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            escaped = not escaped and char == "\\"
            if char == '"' and not escaped:
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if char == "{" and depth == 2:
                lines.append(line)
        elif char in "]}":
            depth -= 1
    return lines


def _text(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, (str, int, float)) else ""


def _record(item: dict, index: int, source_name: str, line: int | None) -> tuple[Record | None, Problem | None]:
    key = _text(item.get("id")) or f"item-{index + 1}"
    # CSL-JSON carries rich text (<i>, <sub>, and Crossref's JATS <jats:p>): readers get its text.
    title, abstract = text_of_markup(_text(item.get("title"))), text_of_markup(_text(item.get("abstract")))
    if not title and not abstract:
        return None, Problem(f"item '{key}' has neither title nor abstract: skipped", source_name, line)
    issued = item.get("issued") or {}
    parts = issued.get("date-parts") if isinstance(issued, dict) else None
    year = None
    if parts and isinstance(parts, list) and parts[0] and str(parts[0][0]).isdigit():
        year = int(parts[0][0])
    elif isinstance(issued, dict) and re.match(r"\d{4}", _text(issued.get("raw"))):
        year = int(_text(issued.get("raw"))[:4])
    venue = _text(item.get("container-title")) or _text(item.get("publisher"))
    url = _text(item.get("URL"))
    doi, arxiv = identifiers_from(doi=_text(item.get("DOI")), eprint=_text(item.get("number")) if
                                  "arxiv" in _text(item.get("publisher")).lower() else "",
                                  url=url, journal=venue or _text(item.get("archive")), archive=_text(item.get("archive")))
    record = Record(
        abstract=abstract, title=title or None, file=source_name, line=line, key=key,
        authors=[_name(a) for a in item.get("author") or [] if isinstance(a, dict) and _name(a)],
        year=year, venue="arXiv" if arxiv and (not venue or "arxiv" in venue.lower()) else venue,
        doi=doi, arxiv=arxiv,
        links={"project": url} if url and "arxiv.org" not in url and "doi.org" not in url else {},
        keywords=[k.strip() for k in re.split(r"[,;]", _text(item.get("keyword"))) if k.strip()],
    )
    problem = None if abstract else Problem(f"item '{key}' has no abstract: imported, listed on the 'needs "
                                            "attention' page", source_name, line, severity="warning")
    return record, problem


def _name(author: dict) -> str:
    if author.get("literal"):
        return _text(author["literal"])
    return " ".join(x for x in (_text(author.get("given")), _text(author.get("non-dropping-particle")),
                                _text(author.get("family"))) if x)
