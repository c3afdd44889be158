"""`Record`: what one source says about one paper, the common output of every reader."""
from __future__ import annotations

import re
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
    duplicate_key: bool = False  # its key was used by an earlier entry of the same file


_ARXIV_ID = re.compile(r"(?:arxiv[:/.\s]*|abs/|pdf/)?(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?",
                       re.IGNORECASE)


def identifiers_from(doi: str = "", eprint: str = "", url: str = "", journal: str = "",
                     archive: str = "") -> tuple[str, str]:
    """(DOI, arXiv id without version) from the places bibliographies put them."""
    doi = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*", "", doi.strip(), flags=re.IGNORECASE)
    arxiv = ""
    candidates = [eprint if (not archive or "arxiv" in archive.lower() or _ARXIV_ID.fullmatch(eprint)) else "",
                  url if "arxiv.org" in url.lower() else "", journal if "arxiv" in journal.lower() else "",
                  doi if doi.lower().startswith("10.48550/arxiv.") else ""]
    for text in candidates:
        match = _ARXIV_ID.search(text.replace("10.48550/arXiv.", "").replace("10.48550/ARXIV.", ""))
        if text and match:
            arxiv = match.group(1)
            break
    return doi, arxiv


def read_input_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path, hint="pass the dump files themselves") from None
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None
