"""RIS (EndNote, Zotero, Mendeley, publishers' "download citation") and Web of Science's
tagged export -> Records, with rispy.

rispy names the tags (`T1`/`TI` -> `primary_title`/`title`, `AB`/`N2` -> `abstract`/
`notes_abstract`, ...); a reference manager uses one or the other, so each field is taken from
the first name that is present. Lines are counted here: rispy does not keep them.
"""
from __future__ import annotations

import re

from generator.errors import InputError, Problem
from generator.sources.records import Record, identifiers_from, text_of_markup, verbatim

_TITLE = ("primary_title", "title", "document_title", "translated_title")
_ABSTRACT = ("abstract", "notes_abstract")
_AUTHORS = ("author_full_name", "authors", "first_authors")
_VENUE = ("secondary_title", "journal_name", "alternate_title3", "publication_name", "alternate_title1",
          "tertiary_title", "publisher")
_YEAR = ("year", "publication_year", "date", "year_published")
_START = {"ris": re.compile(r"^\s*TY  - ", re.MULTILINE), "wok": re.compile(r"^PT ", re.MULTILINE)}


def parse_ris(text: str, source_name: str) -> tuple[list[Record], list[Problem]]:
    import rispy

    text = text.lstrip("\ufeff")
    kind = "wok" if text.startswith("FN ") else "ris"
    try:
        entries = rispy.loads(text, implementation=rispy.WokParser if kind == "wok" else rispy.RisParser)
    except Exception as exc:  # rispy raises on a file that is not RIS at all
        raise InputError(f"cannot be read as RIS: {exc}", source_name,
                         hint="RIS records start with 'TY  - ' and end with 'ER  - '") from None
    lines = [text.count("\n", 0, m.start()) + 1 for m in _START[kind].finditer(text)]
    if not entries:
        raise InputError("holds no RIS records", source_name, hint="RIS records start with 'TY  - '")
    records, problems = [], []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        line = lines[n] if n < len(lines) else None
        record = _record(entry, source_name, line)
        if record is not None and record.key:
            record.duplicate_key = record.key in seen  # exports reuse IDs: then the key names no one
            seen.add(record.key)
        if record is None:
            problems.append(Problem("record has neither title nor abstract: skipped", source_name, line,
                                    hint="add a TI or AB line"))
        else:
            records.append(record)
            if not record.abstract:
                problems.append(Problem(f"record {record.key or n + 1!r} has no abstract: imported, listed on the "
                                        "'needs attention' page", source_name, line, severity="warning"))
    return records, problems


def _first(entry: dict, names: tuple[str, ...]):
    return next((entry[name] for name in names if entry.get(name)), None)


def _text(value) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return " ".join(str(value or "").split())


def _record(entry: dict, source_name: str, line: int | None) -> Record | None:
    title, abstract = text_of_markup(_text(_first(entry, _TITLE))), text_of_markup(_text(_first(entry, _ABSTRACT)))
    if not title and not abstract:
        return None
    year = re.search(r"\b(1[5-9]|20)\d\d\b", _text(_first(entry, _YEAR)))
    urls = [verbatim(u) for u in entry.get("urls") or [] if u]
    doi, arxiv = identifiers_from(doi=verbatim(_text(entry.get("doi"))), url=" ".join(urls))
    keywords = entry.get("keywords") or []
    if isinstance(keywords, str):  # WoS: one line, ';'-separated
        keywords = keywords.split(";")
    link = next((u for u in urls if "doi.org" not in u and "arxiv.org" not in u), "")
    return Record(abstract=abstract, title=title or None, file=source_name, line=line, key=_text(entry.get("id")) or None,
                  authors=[_given_first(a) for a in _first(entry, _AUTHORS) or []], year=int(year.group(0)) if year else None,
                  venue=_text(_first(entry, _VENUE)), doi=doi, arxiv=arxiv, links={"project": link} if link else {},
                  keywords=[k.strip() for k in keywords if k.strip()])


def _given_first(name: str) -> str:
    """RIS writes 'Family, Given' (an organisation as 'Name,' or 'Name'); litsite 'Given Family'."""
    family, _, given = name.partition(",")
    return " ".join(f"{given.strip()} {family.strip()}".split()) if given.strip() else family.strip()
