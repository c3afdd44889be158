"""Which reader reads an input file: BibTeX, CSL-JSON, RIS, another generator's Markdown
collection, or a raw listing dump. By suffix, and by content where suffixes lie (Web of
Science exports RIS-like `.txt`)."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from generator.errors import Problem
from generator.sources import bibtex, collections, csl, dumps, ris
from generator.sources.records import Record, normalise, read_input_bytes

_RIS_START = re.compile(r"\A\ufeff?\s*(?:TY  - |FN Clarivate|FN Thomson)")


def input_files(paths: list[Path]) -> list[Path]:
    """The files named, a folder standing for the Markdown files in it and its subfolders (a
    Jekyll collection `_publications/*.md`, a Hugo one `content/publication/*/index.md`; Hugo's
    section pages `_index.md` describe a folder, not a paper)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix.lower() in (".md", ".markdown")
                            and p.name != "_index.md" and p.is_file())
        else:
            files.append(path)
    return files


# What `import --from` accepts: the reader to use whatever the file's name says.
FORMATS = {"bibtex": "bibtex", "biblatex": "bibtex", "csl-json": "csl", "ris": "ris", "jekyll": "markdown",
           "hugo": "markdown", "markdown": "markdown", "dump": "dump"}


def read_records(path: Path, source_name: str, fmt: str | None = None) -> tuple[list[Record], str, list[Problem]]:
    """Records of one input file, the shape it was read as, and what it had to skip or leave
    out; every value normalised to one a paper file may hold (records.normalise). `fmt` (a key
    of FORMATS) overrides what the file's suffix and content say."""
    records, shape, problems = _read(path, source_name, FORMATS[fmt] if fmt else _detected(path))
    year = dt.date.today().year
    kept = []
    for record in records:
        problems += normalise(record, year)
        if record.title or record.abstract:
            kept.append(record)
        else:  # its only text was a placeholder ("Not Available")
            problems.append(Problem(f"entry{f' {record.key!r}' if record.key else ''} has neither title nor abstract: "
                                    "skipped", record.file, record.line, hint="add a title"))
    return kept, shape, problems


def _detected(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".bib", ".bibtex", ".biblatex"):
        return "bibtex"
    if suffix == ".json":
        return "csl"
    if suffix == ".ris":
        return "ris"
    if suffix in (".md", ".markdown"):
        return "markdown"
    return "ris-or-dump" if suffix == ".txt" else "dump"  # Web of Science saves RIS as .txt


def _read(path: Path, source_name: str, reader: str) -> tuple[list[Record], str, list[Problem]]:
    data = read_input_bytes(path)
    if reader == "bibtex":
        records, problems = bibtex.parse_bibtex(dumps.decode(data, source_name), source_name)
        return records, "BibTeX", problems
    if reader == "csl":
        records, problems = csl.parse_csl_json(dumps.decode(data, source_name), source_name)
        return records, "CSL-JSON", problems
    if reader == "ris" or reader == "ris-or-dump" and _RIS_START.match(dumps.decode(data, source_name)):
        records, problems = ris.parse_ris(dumps.decode(data, source_name), source_name)
        return records, "RIS", problems
    if reader == "markdown":
        records, problems = collections.parse_collection_file(dumps.decode(data, source_name), source_name)
        return records, "Markdown collection", problems
    records, shape = dumps.parse_dump(data, source_name)
    return records, shape, []
