"""`Record`: what one source says about one paper, the common output of every reader."""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.identity import PLACEHOLDER_ABSTRACTS, abstract_key
from generator.content.validate import ARXIV_PATTERN, DOI_PATTERN, URL_PATTERN
from generator.errors import InputError, Problem
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


# -- the import contract: what a reader hands on is what `build` and `check` accept --------------

_TEX_IN_URLS = {"\\_": "_", "\\%": "%", "\\&": "&", "\\#": "#", "\\~{}": "~", "\\textasciitilde{}": "~",
                "\\textasciitilde": "~", "{": "", "}": ""}
_DOI_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/|^doi:\s*|^https?://(?:www\.)?doi\.org/", re.IGNORECASE)
_EARLIEST_YEAR = 1450


def verbatim(text: str) -> str:
    """A URL or DOI as exports write it: TeX escapes and protecting braces taken out (never
    LaTeX-decoded: `~` and `&` are part of URLs)."""
    for escaped, plain in _TEX_IN_URLS.items():
        text = text.replace(escaped, plain)
    return text.strip()


# JATS (Crossref's abstracts: <jats:p>, <jats:italic>) and the HTML reference managers keep.
_MARKUP = re.compile(r"</?(?:(?:jats|mml):[\w.-]+|p|br|i|b|em|strong|sub|sup|span|div|a|sc|italic|bold|"
                     r"title|sec|list|list-item|inline-formula|tex-math|abstract)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:jats:)?(?:p|sec|title|div|list-item)>|<br\s*/?>", re.IGNORECASE)


def text_of_markup(text: str) -> str:
    """Readers' text of an abstract or title that carries JATS or HTML: tags out, entities
    decoded, paragraphs kept apart by a space. Text without such tags is returned as it is."""
    if not _MARKUP.search(text):
        return text
    text = _MARKUP.sub("", _BLOCK_END.sub(" ", text))
    return " ".join(html.unescape(text).split())


def normalise(record: Record, today_year: int) -> list[Problem]:
    """Make each value of `record` one that a paper file may hold, or leave it out with a
    warning naming the source's file, line and field: import never writes what build rejects."""
    problems = []

    def drop(field: str, value: object, why: str) -> None:
        problems.append(Problem(f"entry{f' {record.key!r}' if record.key else ''}: field '{field}' left out: "
                                f"{value!r} {why}", record.file, record.line, severity="warning"))

    doi = _DOI_PREFIX.sub("", verbatim(record.doi)).rstrip(".,;")
    if doi and not DOI_PATTERN.match(doi):
        drop("doi", record.doi, "is not a DOI (one looks like 10.1234/abc)")
        doi = ""
    record.doi = doi
    if record.arxiv and not ARXIV_PATTERN.match(record.arxiv):
        drop("eprint", record.arxiv, "is not an arXiv id")
        record.arxiv = ""
    links = {}
    for kind, url in record.links.items():
        url = verbatim(url)
        if url.lower().startswith("www."):
            url = "https://" + url
        if URL_PATTERN.match(url):
            links[kind] = url
        elif url:
            drop("url", url, "is not a full http(s) URL")
    record.links = links
    if record.year is not None and not _EARLIEST_YEAR <= record.year <= today_year + 5:
        drop("year", record.year, "is not a plausible year")
        record.year = None
    if record.abstract and abstract_key(record.abstract) in PLACEHOLDER_ABSTRACTS:
        # "Not Available" shown as an abstract helps no reader, and is no evidence for merging.
        drop("abstract", record.abstract, "is a placeholder, not an abstract")
        record.abstract = ""
    return problems


MAX_SOURCE_BYTES = 1024 * 1024 * 1024  # an export of a whole field is a few hundred MB


def read_input_bytes(path: Path) -> bytes:
    """A source file named on the command line: anywhere on disk, but a plain file (a FIFO or
    /dev/zero would hang the import or fill memory)."""
    if path.is_dir():
        raise InputError("is a folder, not a file", path, hint="pass the dump files themselves")
    return read_plain_file(path, None, MAX_SOURCE_BYTES)
