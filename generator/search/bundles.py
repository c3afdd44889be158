"""Pagefind bundles read and merged into one, as if one run of Pagefind had indexed every page.

Pagefind keeps its whole index in memory while it runs (~80 KiB a page: 11 GiB at 150,000
papers) and cannot update an index: one title edit re-indexed every page. litsite indexes the
pages in shards (search/shards.py) and merges the shards' bundles here. A bundle is CBOR,
gzipped behind a `pagefind_dcd` marker:

- `pagefind.<hash>.pf_meta`: [version, pages [fragment hash, word count], index chunks
  [from, to, hash], filters [name, hash], sorts [name, page numbers], meta field names];
- `index/*.pf_index`: [[word, postings, variants]], a posting [page, locations, meta
  locations] with the page as the gap from the posting before it, a variant [word as written
  (café), postings];
- `filter/*.pf_filter`: [name, [[value, page numbers]]];
- `fragment/*.pf_fragment`: one page's JSON (its URL, text, filters, meta), no page number.

Page numbers are the only thing a shard's files know of the other pages, and the word
statistics Pagefind ranks by (page count, word counts, pages per word) are sums over pages: so
a merge renumbers the pages and concatenates, and ranks like one index. The merged bundle
numbers pages by URL (Pagefind numbers them in the order it walked the folder, which changes
from run to run), so it is the same bytes however the pages were split into shards.
tests/test_search_shards.py checks it against one Pagefind run over every page.
"""
from __future__ import annotations

import gzip
import hashlib
import heapq
import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cbor2

MARKER = b"pagefind_dcd"
CHUNK_LOCATIONS = 20000  # Pagefind's own size of an index chunk: locations (+1 a posting)
ENTRY = "pagefind-entry.json"
SHARD_FILE = "litsite-shard.json"  # what a shard's bundle does not say: each page's URL and sort values
_SORT = re.compile(r'data-pagefind-sort="([^"]+)"[^>]*>([^<]*)<')


class MergeRefused(Exception):
    """Shards that cannot be merged faithfully (different Pagefind versions or meta fields)."""


def read_packed(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MARKER):
        raise MergeRefused(f"{path.name} is not a Pagefind file")
    return cbor2.loads(raw[len(MARKER):])


def packed(value: Any) -> bytes:
    # mtime=0: the same index is the same bytes, so a rebuild can be compared with a build from nothing
    return gzip.compress(MARKER + cbor2.dumps(value), compresslevel=9, mtime=0)


def sort_values(document: str) -> dict[str, str]:
    """A search document's data-pagefind-sort values (templates write them as elements' text)."""
    return {name: html.unescape(value).strip() for name, value in _SORT.findall(document)}


@dataclass
class Shard:
    """One Pagefind bundle and, per language, the URL of each page number."""
    folder: Path
    entry: dict
    urls: dict[str, list[str]]
    sorts: dict[str, dict[str, str]] = field(default_factory=dict)  # url -> sort name -> value

    @classmethod
    def read(cls, folder: Path) -> Shard:
        described = json.loads((folder / SHARD_FILE).read_text(encoding="utf-8"))
        return cls(folder, json.loads((folder / ENTRY).read_text(encoding="utf-8")),
                   described["urls"], described["sorts"])

    def meta(self, language: str) -> list:
        return read_packed(self.folder / f"pagefind.{self.entry['languages'][language]['hash']}.pf_meta")


def describe_shard(folder: Path, sorts: dict[str, dict[str, str]], digest: str) -> None:
    """Write what a merge needs beside a bundle Pagefind just made: each page's URL, read once
    from its fragment (a shard reused by later builds is not read again)."""
    entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    urls = {}
    for language, about in entry["languages"].items():
        meta = read_packed(folder / f"pagefind.{about['hash']}.pf_meta")
        urls[language] = [_fragment(folder, page[0])["url"] for page in meta[1]]
    shown = {url for pages in urls.values() for url in pages}
    described = {"digest": digest, "urls": urls, "sorts": {url: values for url, values in sorts.items() if url in shown and values}}
    (folder / SHARD_FILE).write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")


def _fragment(folder: Path, name: str) -> dict:
    raw = gzip.decompress((folder / "fragment" / f"{name}.pf_fragment").read_bytes())
    return json.loads(raw[len(MARKER):])


def merge_bundles(shards: list[Shard], out: Path) -> int:
    """Write into `out` (a new folder) the bundle one Pagefind run over all shards' pages makes;
    returns the number of pages. Raises MergeRefused when the shards disagree on their format."""
    versions = {s.entry["version"] for s in shards}
    if len(versions) != 1:
        raise MergeRefused(f"shards made by Pagefind {', '.join(sorted(versions))}")
    out.mkdir(parents=True)
    for name in ("fragment", "index", "filter"):
        (out / name).mkdir()
    _link_common_files(shards, out)
    languages = sorted({language for s in shards for language in s.entry["languages"]})
    entry_languages = {language: _merge_language(language, [s for s in shards if language in s.entry["languages"]], out)
                       for language in languages}
    first = shards[0].entry
    entry = {"version": first["version"], "languages": entry_languages, "include_characters": first["include_characters"]}
    (out / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return sum(about["page_count"] for about in entry_languages.values())


def _link_common_files(shards: list[Shard], out: Path) -> None:
    """The scripts, styles and WASM files, the same in every shard's bundle."""
    for shard in shards:
        for path in shard.folder.iterdir():
            shared = path.is_file() and path.name not in (ENTRY, SHARD_FILE) and not path.name.endswith(".pf_meta")
            if shared and not (out / path.name).exists():
                _link(path, out / path.name)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # shards live beside the site: a link costs no copy
    except OSError:
        shutil.copyfile(source, target)


@dataclass
class _Part:
    """One shard's share of a language: its meta and old page number -> merged page number."""
    shard: Shard
    meta: list
    numbers: list[int]


def _merge_language(language: str, shards: list[Shard], out: Path) -> dict:
    metas = [s.meta(language) for s in shards]
    fields = {json.dumps(m[5:]) for m in metas}
    if len(fields) != 1:
        raise MergeRefused(f"shards index different meta fields for {language}: {sorted(fields)}")
    urls = sorted(url for s in shards for url in s.urls[language])
    number = {url: n for n, url in enumerate(urls)}
    if len(number) != len(urls):
        raise MergeRefused(f"a page is in two shards ({language})")
    parts = [_Part(s, m, [number[url] for url in s.urls[language]]) for s, m in zip(shards, metas, strict=True)]
    pages = _merge_fragments(parts, len(urls), language, out)
    chunks = _write_words(parts, language, out)
    filters = _write_filters(parts, language, out)
    sorts = _merge_sorts(parts, urls)
    meta = [metas[0][0], pages, chunks, filters, sorts, *metas[0][5:]]
    blob = packed(meta)
    name = f"{language}_{hashlib.sha1(blob).hexdigest()[:10]}"
    (out / f"pagefind.{name}.pf_meta").write_bytes(blob)
    about = shards[0].entry["languages"][language]
    return {"hash": name, "wasm": about.get("wasm"), "page_count": len(urls)}


def _merge_fragments(parts: list[_Part], count: int, language: str, out: Path) -> list:
    """Link each page's fragment under its shard's name; two shards may have given different
    pages the same short name, and the page later in URL order then gets a longer one."""
    pages: list[Any] = [None] * count
    placed: dict[int, tuple[_Part, list]] = {}
    for part in parts:
        for old, page in enumerate(part.meta[1]):
            placed[part.numbers[old]] = (part, page)
    taken: set[str] = set()
    for n in range(count):
        part, page = placed[n]
        source = part.shard.folder / "fragment" / f"{page[0]}.pf_fragment"
        name = page[0]
        if name in taken:
            digest = hashlib.sha1(source.read_bytes()).hexdigest()
            name = next(f"{language}_{digest[:k]}" for k in range(8, 41) if f"{language}_{digest[:k]}" not in taken)
        taken.add(name)
        _link(source, out / "fragment" / f"{name}.pf_fragment")
        pages[n] = [name, *page[1:]]
    return pages


def _words(part: _Part) -> Iterator[tuple[str, list, list]]:
    """A shard's words in order, their page numbers the merged ones; one chunk in memory at a time."""
    for chunk in part.meta[2]:
        for word, postings, variants in read_packed(part.shard.folder / "index" / f"{chunk[2]}.pf_index")[0]:
            yield (word, _renumbered(postings, part.numbers),
                   [[written, _renumbered(found, part.numbers)] for written, found in variants])


def _renumbered(postings: list, numbers: list[int]) -> list:
    """Postings with absolute merged page numbers: Pagefind stores each list's page numbers as
    the gaps between them, in ascending order."""
    page, out = 0, []
    for posting in postings:
        page += posting[0]
        out.append([numbers[page], *posting[1:]])
    return out


def _gaps(postings: list) -> list:
    postings.sort(key=lambda p: p[0])
    previous, out = 0, []
    for posting in postings:
        out.append([posting[0] - previous, *posting[1:]])
        previous = posting[0]
    return out


def _merged_words(parts: list[_Part]) -> Iterator[list]:
    """Each word once, with the postings of every shard, in page order."""
    streams = [_words(part) for part in parts]
    current: list | None = None
    variants: dict[str, list] = {}
    for word, postings, found in heapq.merge(*streams, key=lambda w: w[0]):
        if current is not None and current[0] != word:
            yield _finished(current, variants)
            current, variants = None, {}
        if current is None:
            current = [word, []]
        current[1].extend(postings)
        for written, more in found:
            variants.setdefault(written, []).extend(more)
    if current is not None:
        yield _finished(current, variants)


def _finished(word: list, variants: dict[str, list]) -> list:
    return [word[0], _gaps(word[1]), [[w, _gaps(variants[w])] for w in sorted(variants)]]


def _write_words(parts: list[_Part], language: str, out: Path) -> list:
    """Index chunks cut as Pagefind cuts them, each named by its content, and their bounds: the
    shortest prefixes that tell one chunk from the next (how the browser finds a word's chunk)."""
    chunks: list[list] = []
    words: list[list] = []
    size = 0
    for word in _merged_words(parts):
        words.append(word)
        size += sum(len(p[1]) + 1 for p in word[1]) + sum(len(p[1]) + 1 for _, found in word[2] for p in found)
        if size >= CHUNK_LOCATIONS:
            chunks.append(_write_chunk(words, language, out))
            words, size = [], 0
    if words:
        chunks.append(_write_chunk(words, language, out))
    for before, after in zip(chunks, chunks[1:], strict=False):
        before[1], after[0] = _prefixes(before[1], after[0])
    return chunks


def _write_chunk(words: list[list], language: str, out: Path) -> list:
    name = _write_named(out / "index", [words], language, ".pf_index")
    return [words[0][0], words[-1][0], name]


def _write_named(folder: Path, value: Any, language: str, suffix: str) -> str:
    blob = packed(value)
    digest = hashlib.sha1(blob).hexdigest()
    for k in range(7, 41):
        name = f"{language}_{digest[:k]}"
        target = folder / f"{name}{suffix}"
        if not target.exists():
            target.write_bytes(blob)
            return name
        if target.read_bytes() == blob:
            return name
    raise MergeRefused(f"two files of {folder.name} have the same SHA-1")


def _prefixes(a: str, b: str) -> tuple[str, str]:
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return a[:common + 1], b[:common + 1]


def _write_filters(parts: list[_Part], language: str, out: Path) -> list:
    values: dict[str, dict[str, list[int]]] = {}
    for part in parts:
        for filter_name, file_name in part.meta[3]:
            decoded = read_packed(part.shard.folder / "filter" / f"{file_name}.pf_filter")
            into = values.setdefault(filter_name, {})
            for value, pages in decoded[1]:
                into.setdefault(value, []).extend(part.numbers[p] for p in pages)
    written = []
    for filter_name in sorted(values):
        packed_values = [[value, sorted(pages)] for value, pages in sorted(values[filter_name].items())]
        written.append([filter_name, _write_named(out / "filter", [filter_name, packed_values], language, ".pf_filter")])
    return written


def _merge_sorts(parts: list[_Part], urls: list[str]) -> list:
    """Sort orders made again from the pages' values, typed as Pagefind types them: numbers when
    every value is a number, else text; pages with equal values in page order."""
    names = sorted({name for part in parts for name, _ in part.meta[4]})
    by_url: dict[str, dict[str, str]] = {}
    for part in parts:
        by_url.update(part.shard.sorts)
    sorts = []
    for name in names:
        valued = [(by_url[url][name], n) for n, url in enumerate(urls) if name in by_url.get(url, {})]
        if all(_number(v) is not None for v, _ in valued):
            valued.sort(key=lambda item: (_number(item[0]), item[1]))
        else:
            valued.sort()
        sorts.append([name, [n for _, n in valued]])
    return sorts


def _number(value: str) -> float | None:
    try:
        return float(value) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value) else None
    except ValueError:
        return None
