"""The paper model: what one paper is, and who owns each of its values.

Who owns a value: litsite records a fingerprint of every value it writes under `generated`.
When the value in the file no longer matches its fingerprint, a person edited it, and no
import or retag will touch it again. `locked` pins a value explicitly.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from generator.content.tex import plain_text

Kept = TypeVar("Kept")
Value = TypeVar("Value")

MAX_TAGS = 50  # tags one paper file may hold (validation; assignment gives far fewer)
MAX_TOPICS = 10  # topics one paper file may hold (validation; assignment gives far fewer)
TITLE_SOURCES = ("dump", "derived", "bibtex", "csl", "ris", "markdown", "person")
LINK_KINDS = ("code", "project", "pdf", "arxiv", "doi", "video", "data", "slides", "other")
FIELD_ORDER = (
    "title", "title_source", "abstract", "authors", "year", "venue", "doi", "arxiv",
    "tags", "topics", "links", "sources", "added", "locked", "generated",
)
REQUIRED = ("title",)


@dataclass
class Source:
    """Where a record came from: a dump file and line, or a bibliography entry key."""

    file: str
    line: int | None = None
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            out["line"] = self.line
        if self.key is not None:
            out["key"] = self.key
        return out


@dataclass
class Paper:
    slug: str
    title: str
    abstract: str = ""
    title_source: str = "person"
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    doi: str = ""
    arxiv: str = ""
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    links: dict[str, str | list[str]] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    added: dt.date | None = None
    locked: list[str] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    path: Path | None = None

    @property
    def title_is_derived(self) -> bool:
        return self.title_source == "derived"

    @property
    def title_text(self) -> str:
        """The title without its TeX ('ΣΔ modulators'), for every place that takes plain text;
        the file keeps the TeX and pages show its maths (render/tex.py)."""
        return plain_text(self.title)

    def link_urls(self) -> list[tuple[str, str]]:
        """(kind, url) pairs, lists flattened, in the canonical kind order."""
        pairs = []
        for kind in sorted(self.links, key=link_order):
            value = self.links[kind]
            for url in [value] if isinstance(value, str) else value:
                pairs.append((kind, url))
        return pairs

    # -- who owns a value -------------------------------------------------
    def owned_by_machine(self, name: str) -> bool:
        """True when litsite may (re)write this field: it wrote it, or it is empty and unclaimed."""
        if name in self.locked:
            return False
        current = getattr(self, name)
        if name in self.generated:
            return self.generated[name] == fingerprint(current)
        return current in ("", None, [], {})

    def set_generated(self, name: str, value: Any) -> bool:
        """Set a machine value if the field is the machine's; True when something changed."""
        if not self.owned_by_machine(name):
            return False
        changed = getattr(self, name) != value
        setattr(self, name, value)
        self.generated[name] = fingerprint(value)
        return changed


def link_order(kind: str) -> int:
    return LINK_KINDS.index(kind) if kind in LINK_KINDS else len(LINK_KINDS)


def fingerprint(value: Any) -> str:
    # A string (most fields) by json.dumps' own escaping function, called directly: json.dumps
    # with options makes an encoder per call, 60% of the time at 90,000 calls an import.
    canonical = _json_string(value) if type(value) is str else \
        json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]


_json_string = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) returns


class PerObject(Generic[Kept, Value]):
    """`compute(item)`, once per object: a site model is made again on every edit in `serve`,
    and all but the edited papers (and their cards) are the same objects; papers and cards are
    not changed once made (an edit makes a new one). The object is kept with its value, so a
    reused id is never mistaken for it; the store is emptied when it outgrows `limit`."""

    def __init__(self, compute: Callable[[Kept], Value], limit: int = 200_000):
        self._compute, self._limit = compute, limit
        self._kept: dict[int, tuple[Kept, Value]] = {}

    def __call__(self, item: Kept) -> Value:
        kept = self._kept.get(id(item))
        if kept is None or kept[0] is not item:
            if len(self._kept) >= self._limit:
                self._kept.clear()
            kept = self._kept[id(item)] = (item, self._compute(item))
        return kept[1]
