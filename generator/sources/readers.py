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
    """The files named, a folder standing for the Markdown files in it (a Jekyll or Hugo
    collection: `litsite import _publications/`)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in (".md", ".markdown") and p.is_file())
        else:
            files.append(path)
    return files


def read_records(path: Path, source_name: str) -> tuple[list[Record], str, list[Problem]]:
    """Records of one input file, the shape it was read as, and what it had to skip or leave
    out; every value normalised to one a paper file may hold (records.normalise)."""
    records, shape, problems = _read(path, source_name)
    year = dt.date.today().year
    for record in records:
        problems += normalise(record, year)
    return records, shape, problems


def _read(path: Path, source_name: str) -> tuple[list[Record], str, list[Problem]]:
    data = read_input_bytes(path)
    suffix = path.suffix.lower()
    if suffix == ".bib":
        records, problems = bibtex.parse_bibtex(dumps.decode(data, source_name), source_name)
        return records, "BibTeX", problems
    if suffix == ".json":
        records, problems = csl.parse_csl_json(dumps.decode(data, source_name), source_name)
        return records, "CSL-JSON", problems
    text = dumps.decode(data, source_name) if suffix in (".ris", ".md", ".markdown", ".txt") else ""
    if suffix == ".ris" or _RIS_START.match(text):
        records, problems = ris.parse_ris(text, source_name)
        return records, "RIS", problems
    if suffix in (".md", ".markdown"):
        records, problems = collections.parse_collection_file(text, source_name)
        return records, "Markdown collection", problems
    records, shape = dumps.parse_dump(data, source_name)
    return records, shape, []
