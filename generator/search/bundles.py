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
numbers pages shard by shard, each shard's in URL order (Pagefind numbers them in the order it
walked the folder, which may change from run to run), so the same shards make the same bytes.
Each shard's postings are renumbered and encoded once, when it is indexed (describe_shard): a
merge then copies bytes, and only the first posting of a shard in each word is encoded again.
tests/test_search_shards.py checks the merge against one Pagefind run over every page.
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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cbor2

MARKER = b"pagefind_dcd"
CHUNK_LOCATIONS = 20000  # Pagefind's own size of an index chunk: locations (+1 a posting)
ENTRY = "pagefind-entry.json"
SHARD_FILE = "litsite-shard.json"  # what a shard's bundle does not say: each page's URL and sort values
WORDS = "litsite-words.{language}.cbor"  # its words' postings, ready to be copied by a merge
_SORT = re.compile(r'data-pagefind-sort="([^"]+)"[^>]*>([^<]*)<')


class MergeRefused(Exception):
    """Shards that cannot be merged faithfully (different Pagefind versions or meta fields)."""


def read_packed(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(MARKER):
        raise MergeRefused(f"{path.name} is not a Pagefind file")
    return cbor2.loads(raw[len(MARKER):])


def packed(value: Any) -> bytes:
    return _gzipped(MARKER + cbor2.dumps(value))


def _gzipped(data: bytes) -> bytes:
    # mtime=0: the same index is the same bytes, so a rebuild can be compared with a build from
    # nothing. Level 6, not Pagefind's 9: a quarter of the time for files 3% larger.
    return gzip.compress(data, compresslevel=6, mtime=0)


def sort_values(document: str) -> dict[str, str]:
    """A search document's data-pagefind-sort values (templates write them as elements' text)."""
    return {name: html.unescape(value).strip() for name, value in _SORT.findall(document)}


@dataclass
class Shard:
    """One Pagefind bundle, and what describe_shard wrote beside it."""
    folder: Path
    entry: dict
    described: dict

    @classmethod
    def read(cls, folder: Path) -> Shard:
        return cls(folder, json.loads((folder / ENTRY).read_text(encoding="utf-8")),
                   json.loads((folder / SHARD_FILE).read_text(encoding="utf-8")))

    def language(self, language: str) -> dict:
        return self.described["languages"][language]

    def words(self, language: str) -> list:
        return cbor2.loads((self.folder / WORDS.format(language=language)).read_bytes())


def describe_shard(folder: Path, sorts: dict[str, dict[str, str]], digest: str) -> None:
    """Write beside a bundle Pagefind just made what a merge needs, once (a shard reused by later
    builds is not read again): its pages in URL order, and each word's postings in that order,
    already encoded (see _segment)."""
    entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    languages = {language: _describe_language(folder, language, about["hash"])
                 for language, about in entry["languages"].items()}
    shown = {url for about in languages.values() for url in about["urls"]}
    described = {"digest": digest, "languages": languages,
                 "sorts": {url: values for url, values in sorts.items() if url in shown and values}}
    (folder / SHARD_FILE).write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")


def _describe_language(folder: Path, language: str, meta_hash: str) -> dict:
    meta = read_packed(folder / f"pagefind.{meta_hash}.pf_meta")
    walked = [_fragment(folder, page[0])["url"] for page in meta[1]]  # in Pagefind's page order
    order = sorted(range(len(walked)), key=walked.__getitem__)
    rank = [0] * len(order)
    for position, page in enumerate(order):
        rank[page] = position
    filters = {}
    for name, file in meta[3]:
        values = read_packed(folder / "filter" / f"{file}.pf_filter")[1]
        filters[name] = {value: sorted(rank[p] for p in pages) for value, pages in values}
    renumber = None if order == list(range(len(order))) else rank
    words = [[word, _segment(postings, renumber), [[written, _segment(found, renumber)] for written, found in variants]]
             for chunk in meta[2] for word, postings, variants in read_packed(folder / "index" / f"{chunk[2]}.pf_index")[0]]
    (folder / WORDS.format(language=language)).write_bytes(cbor2.dumps(words))
    return {"version": meta[0], "urls": [walked[p] for p in order], "pages": [meta[1][p] for p in order],
            "filters": filters, "sorts": [name for name, _ in meta[4]], "fields": meta[5:]}


def _fragment(folder: Path, name: str) -> dict:
    raw = gzip.decompress((folder / "fragment" / f"{name}.pf_fragment").read_bytes())
    return json.loads(raw[len(MARKER):])


def _segment(postings: list, rank: list[int] | None) -> list | None:
    """A word's postings in one shard, pages numbered in URL order, as encoded CBOR that a merge
    copies: only the first posting's page (a gap from the shard before) is encoded again.
    [first page, last page, postings, locations (+1 a posting, for chunk sizes), fields of a
    posting, the postings' bytes, the first with its page counted from 0]."""
    if not postings:
        return None
    if rank is None:  # Pagefind numbered the pages in URL order: its postings are the ones to copy
        gapped = postings
        first, last = postings[0][0], sum(posting[0] for posting in postings)
    else:
        page, items = 0, []
        for posting in postings:
            page += posting[0]
            items.append([rank[page], *posting[1:]])
        items.sort(key=lambda item: item[0])
        gapped = [items[0]] + [[item[0] - before[0], *item[1:]] for before, item in zip(items, items[1:], strict=False)]
        first, last = items[0][0], items[-1][0]
    return [first, last, len(gapped), sum(len(posting[1]) + 1 for posting in gapped), len(gapped[0]),
            _items(cbor2.dumps(gapped), len(gapped))]


def _items(encoded: bytes, count: int) -> bytes:
    """An encoded array's items, without its header."""
    return encoded[len(_head(4, count)):]


def _head(major: int, n: int) -> bytes:
    """A CBOR head: major type (0 unsigned integer, 4 array) and its number, shortest form."""
    if n < 24:
        return bytes([major << 5 | n])
    for extra, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | extra]) + n.to_bytes(width, "big")
    raise ValueError(n)


def merge_bundles(shards: list[Shard], out: Path) -> int:
    """Write into `out` (a new folder) one bundle holding every shard's pages, as one Pagefind
    run would have indexed them; returns the number of pages. Shards are numbered in the order
    given, each shard's pages in URL order. Raises MergeRefused when shards disagree on format."""
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
            ours = path.name in (ENTRY, SHARD_FILE) or path.name.startswith("litsite-")
            shared = path.is_file() and not ours and not path.name.endswith(".pf_meta")
            if shared and not (out / path.name).exists():
                _link(path, out / path.name)


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # shards live beside the site: a link costs no copy
    except OSError:
        shutil.copyfile(source, target)


def _merge_language(language: str, shards: list[Shard], out: Path) -> dict:
    described = [s.language(language) for s in shards]
    formats = {json.dumps([d["version"], d["fields"]]) for d in described}
    if len(formats) != 1:
        raise MergeRefused(f"shards index different versions or meta fields for {language}: {sorted(formats)}")
    bases = [0]
    for about in described:
        bases.append(bases[-1] + len(about["urls"]))
    urls = [url for about in described for url in about["urls"]]
    if len(set(urls)) != len(urls):
        raise MergeRefused(f"a page is in two shards ({language})")
    pages = _merge_fragments(shards, described, language, out)
    chunks = _write_words(shards, bases, language, out)
    filters = _write_filters(described, bases, language, out)
    sorts = _merge_sorts(shards, described, urls)
    blob = packed([described[0]["version"], pages, chunks, filters, sorts, *described[0]["fields"]])
    name = f"{language}_{hashlib.sha1(blob).hexdigest()[:10]}"
    (out / f"pagefind.{name}.pf_meta").write_bytes(blob)
    return {"hash": name, "wasm": shards[0].entry["languages"][language].get("wasm"), "page_count": len(urls)}


def _merge_fragments(shards: list[Shard], described: list[dict], language: str, out: Path) -> list:
    """Link each page's fragment under its shard's name; two shards may have given different
    pages the same short name, and the later page then gets a longer one."""
    pages = []
    taken: set[str] = set()
    for shard, about in zip(shards, described, strict=True):
        for page in about["pages"]:
            source = shard.folder / "fragment" / f"{page[0]}.pf_fragment"
            name = page[0]
            if name in taken:
                digest = hashlib.sha1(source.read_bytes()).hexdigest()
                name = next(f"{language}_{digest[:k]}" for k in range(8, 41) if f"{language}_{digest[:k]}" not in taken)
            taken.add(name)
            _link(source, out / "fragment" / f"{name}.pf_fragment")
            pages.append([name, *page[1:]])
    return pages


def _merged_words(shards: list[Shard], bases: list[int], language: str) -> Iterator[tuple[str, bytes, int]]:
    """Each word once, in order, encoded with the postings of every shard; and its locations."""
    streams = [_stream(shard.words(language), base) for shard, base in zip(shards, bases, strict=False)]
    group: list[tuple[str, int, list | None, list]] = []
    for word in heapq.merge(*streams, key=lambda w: w[0]):  # stable: shards stay in page order
        if group and group[0][0] != word[0]:
            yield _word(group)
            group = []
        group.append(word)
    if group:
        yield _word(group)


def _stream(words: list, base: int) -> Iterator[tuple[str, int, list | None, list]]:
    for word, segment, variants in words:
        yield word, base, segment, variants


def _word(group: list[tuple[str, int, list | None, list]]) -> tuple[str, bytes, int]:
    main = [(base, segment) for _, base, segment, _ in group if segment]
    variants: dict[str, list] = {}
    for _, base, _, found in group:
        for written, segment in found:
            if segment:
                variants.setdefault(written, []).append((base, segment))
    encoded, size = _postings(main)
    parts = [_head(4, 3), cbor2.dumps(group[0][0]), encoded, _head(4, len(variants))]
    for written in sorted(variants):
        more, extra = _postings(variants[written])
        parts += [_head(4, 2), cbor2.dumps(written), more]
        size += extra
    return group[0][0], b"".join(parts), size


def _postings(segments: list[tuple[int, list]]) -> tuple[bytes, int]:
    parts: list[bytes | memoryview] = [_head(4, sum(segment[2] for _, segment in segments))]
    previous, size = 0, 0
    for base, (first, last, _, locations, fields, encoded) in segments:
        head = _head(4, fields)
        parts += [head, _head(0, base + first - previous), memoryview(encoded)[len(head) + len(_head(0, first)):]]
        previous = base + last
        size += locations
    return b"".join(parts), size


def _write_words(shards: list[Shard], bases: list[int], language: str, out: Path) -> list:
    """Index chunks cut as Pagefind cuts them, each named by its content, and their bounds: the
    shortest prefixes that tell one chunk from the next (how the browser finds a word's chunk).
    zlib lets go of Python's lock: chunks are compressed on a second thread while words merge."""
    made: list[tuple[str, str, Future[bytes]]] = []
    words: list[tuple[str, bytes]] = []
    size = 0
    with ThreadPoolExecutor(max_workers=2) as pool:
        for word, encoded, locations in _merged_words(shards, bases, language):
            words.append((word, encoded))
            size += locations
            if size >= CHUNK_LOCATIONS:
                made.append(_chunk(words, pool))
                words, size = [], 0
        if words:
            made.append(_chunk(words, pool))
        chunks = [[low, high, _write_named(out / "index", blob.result(), language, ".pf_index")]
                  for low, high, blob in made]
    for before, after in zip(chunks, chunks[1:], strict=False):
        before[1], after[0] = _prefixes(before[1], after[0])
    return chunks


def _chunk(words: list[tuple[str, bytes]], pool: ThreadPoolExecutor) -> tuple[str, str, Future[bytes]]:
    raw = b"".join([MARKER, _head(4, 1), _head(4, len(words)), *(encoded for _, encoded in words)])
    return words[0][0], words[-1][0], pool.submit(_gzipped, raw)


def _write_named(folder: Path, blob: bytes, language: str, suffix: str) -> str:
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


def _write_filters(described: list[dict], bases: list[int], language: str, out: Path) -> list:
    values: dict[str, dict[str, list[int]]] = {}
    for about, base in zip(described, bases, strict=False):
        for filter_name, found in about["filters"].items():
            into = values.setdefault(filter_name, {})
            for value, pages in found.items():
                into.setdefault(value, []).extend(base + p for p in pages)
    written = []
    for filter_name in sorted(values):
        packed_values = [[value, pages] for value, pages in sorted(values[filter_name].items())]
        blob = packed([filter_name, packed_values])
        written.append([filter_name, _write_named(out / "filter", blob, language, ".pf_filter")])
    return written


def _merge_sorts(shards: list[Shard], described: list[dict], urls: list[str]) -> list:
    """Sort orders made again from the pages' values, typed as Pagefind types them: numbers when
    every value is a number, else text; pages with equal values in page order."""
    names = sorted({name for about in described for name in about["sorts"]})
    by_url: dict[str, dict[str, str]] = {}
    for shard in shards:
        by_url.update(shard.described["sorts"])
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
    return float(value) if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", value) else None


def bundle_fault(bundle: Path, expected: int) -> str:
    """What is wrong with a Pagefind bundle, or '' when it is whole: its entry file and script
    present, no empty file, and one page and one fragment for every page meant to be indexed."""
    try:
        if (bundle / "pagefind.js").stat().st_size == 0:
            return "pagefind.js is empty"
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"no readable entry file: {exc}"
    empty = [f for f in bundle.rglob("*") if f.is_file() and f.stat().st_size == 0]
    if empty:
        return f"{len(empty)} empty files, e.g. {empty[0].relative_to(bundle)}"
    fragments = sum(1 for _ in (bundle / "fragment").glob("*.pf_fragment"))
    if pages != expected or fragments != expected:
        return f"{pages} pages and {fragments} fragments for {expected} pages to index"
    return ""
