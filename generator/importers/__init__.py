"""Readers for raw inputs. Each returns `Record`s: what one source says about one paper."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import InputError


@dataclass
class Record:
    """One paper as one source describes it. Fields a source lacks stay empty."""

    abstract: str
    title: str | None
    file: str
    line: int | None = None
    key: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    doi: str = ""
    arxiv: str = ""
    links: dict[str, str] = field(default_factory=dict)
    keywords: list[str] = field(default_factory=list)


def read_records(path: Path, source_name: str) -> tuple[list[Record], str]:
    """Records of one input file and the name of the shape it was read as."""
    from generator.importers import dumps

    suffix = path.suffix.lower()
    if suffix in (".bib", ".json"):
        raise InputError(f"{suffix} files are not supported yet", path,
                         hint="import raw listing dumps (.txt)")
    data = read_input_bytes(path)
    return dumps.parse_dump(data, source_name)


def read_input_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path, hint="pass the dump files themselves") from None
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None
