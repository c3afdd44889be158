"""Which reader reads an input file: BibTeX, CSL-JSON or a raw listing dump."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.errors import Problem
from generator.sources import bibtex, csl, dumps
from generator.sources.records import Record, normalise, read_input_bytes


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
    records, shape = dumps.parse_dump(data, source_name)
    return records, shape, []
