"""BibTeX (Zotero, JabRef, Google Scholar exports) -> Records, with bibtexparser 2.x.

LaTeX becomes Unicode, month macros are understood, `file` fields (local paths) are dropped.
An entry that cannot be parsed is reported with its line and the rest still import; a
duplicate key is reported and its entry imported all the same (it is a record of its own).
"""
from __future__ import annotations

import re

from generator.errors import InputError, Problem
from generator.sources.records import Record, identifiers_from


def parse_bibtex(text: str, source_name: str) -> tuple[list[Record], list[Problem]]:
    import logging

    import bibtexparser
    from bibtexparser import middlewares as mw
    from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)  # we report failed blocks ourselves
    try:
        library = bibtexparser.parse_string(text, append_middleware=[mw.LatexDecodingMiddleware(keep_braced_groups=False),
                                                                     mw.MonthIntMiddleware(True)])
    except Exception as exc:  # bibtexparser raises assorted errors on pathological input
        raise InputError(f"cannot be read as BibTeX: {exc}", source_name) from None
    problems: list[Problem] = []
    records: list[Record] = []
    entries = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(Problem(f"duplicate key '{block.key}': imported as a record of its own, check it",
                                    source_name, line, severity="warning"))
            entry = getattr(block, "ignore_error_block", None)
            if entry is not None:
                entries.append(entry)
        elif isinstance(block, ParsingFailedBlock):
            key = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", block.raw or "")
            reason = (str(getattr(block, "error", "") or "").strip().splitlines() or ["a brace or quote is not closed"])[0]
            problems.append(Problem(f"malformed entry{f' {key.group(1)!r}' if key else ''} skipped: {reason}",
                                    source_name, line, hint="fix the entry and import the file again"))
    seen_keys: set[str] = set()
    for entry in sorted(entries, key=lambda e: e.start_line or 0):
        record, problem = _record(entry, source_name)
        if problem:
            problems.append(problem)
        if record:
            record.duplicate_key = entry.key in seen_keys
            records.append(record)
        seen_keys.add(entry.key)
    if not records and not problems:
        raise InputError("holds no BibTeX entries", source_name)
    return records, problems


def _field(entry, *names: str) -> str:
    for name in names:
        for key, field in entry.fields_dict.items():
            if key.lower() == name and field.value not in (None, ""):
                return _clean(str(field.value))
    return ""


def _clean(text: str) -> str:
    # LatexDecodingMiddleware already turned LaTeX into Unicode and dropped the braces that
    # only protect capitals; braces left are literal ones (from \{ and \}).
    return " ".join(text.split())


def _record(entry, source_name: str) -> tuple[Record | None, Problem | None]:
    line = entry.start_line + 1
    title = _field(entry, "title")
    abstract = _field(entry, "abstract")
    if not title and not abstract:
        return None, Problem(f"entry '{entry.key}' has neither title nor abstract: skipped", source_name, line,
                             hint="add a title")
    year_text = _field(entry, "year")
    year = int(m.group(0)) if (m := re.search(r"\b(1[5-9]|20)\d\d\b", year_text)) else None
    venue = _field(entry, "journal", "journaltitle", "booktitle", "publisher", "howpublished", "school",
                   "institution")
    url = _field(entry, "url")
    doi, arxiv = identifiers_from(doi=_field(entry, "doi"), eprint=_field(entry, "eprint"), url=url,
                                  journal=venue, archive=_field(entry, "archiveprefix", "eprinttype"))
    if venue.lower().startswith("arxiv") and arxiv:
        venue = "arXiv"
    record = Record(
        abstract=abstract, title=title or None, file=source_name, line=line, key=entry.key,
        authors=_authors(entry), year=year, venue=venue, doi=doi, arxiv=arxiv,
        links={"project": url} if url and "arxiv.org" not in url and "doi.org" not in url else {},
        keywords=[k.strip() for k in re.split(r"[,;]", _field(entry, "keywords")) if k.strip()],
    )
    problem = None
    if not abstract:
        problem = Problem(f"entry '{entry.key}' has no abstract: imported, listed on the 'needs attention' page",
                          source_name, line, severity="warning")
    return record, problem


def _authors(entry) -> list[str]:
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names

    raw = next((f.value for k, f in entry.fields_dict.items() if k.lower() == "author"), "")
    if not raw:
        return []
    names = []
    for person in split_multiple_persons_names(str(raw)):
        person = person.strip()
        if person.startswith("{") and person.endswith("}"):
            names.append(_clean(person))  # a corporate author, kept whole
            continue
        try:
            parts = parse_single_name_into_parts(person)
            name = " ".join(parts.first + parts.von + parts.last + ([", " + " ".join(parts.jr)] if parts.jr else []))
        except Exception:
            name = person
        names.append(_clean(name.replace(" , ", ", ")))
    return [n for n in names if n]
