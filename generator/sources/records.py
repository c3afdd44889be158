"""`Record`: what one source says about one paper, the common output of every reader."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import InputError
from generator.files import read_plain_file


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

    def __post_init__(self) -> None:
        # NFC after every reader's own decoding (LaTeX accents may decode to combining marks):
        # keys, slugs and matching then see one form of each text.
        nfc = unicodedata.normalize
        self.abstract = nfc("NFC", self.abstract)
        self.title = nfc("NFC", self.title) if self.title is not None else None
        self.authors = [nfc("NFC", a) for a in self.authors]
        self.venue = nfc("NFC", self.venue)
        self.keywords = [nfc("NFC", k) for k in self.keywords]


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


MAX_SOURCE_BYTES = 1024 * 1024 * 1024  # an export of a whole field is a few hundred MB


def read_input_bytes(path: Path) -> bytes:
    """A source file named on the command line: anywhere on disk, but a plain file (a FIFO or
    /dev/zero would hang the import or fill memory)."""
    if path.is_dir():
        raise InputError("is a folder, not a file", path, hint="pass the dump files themselves")
    return read_plain_file(path, None, MAX_SOURCE_BYTES)
