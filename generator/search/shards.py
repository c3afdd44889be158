"""The search index made in shards: pages split by a stable hash of their path, one Pagefind
run per shard, each shard's bundle kept beside the site, all merged into one (search/bundles.py).

Why: Pagefind holds everything it indexes in memory (11 GiB at 150,000 papers; a shard of
~2,000 pages needs ~160 MiB) and re-indexes every page on every run. A shard whose search
documents are the bytes it was made from is reused, so one edited paper re-indexes one shard.
A build from nothing and a rebuild merge the same shards' contents, in the same page order:
the same bundle, byte for byte (tests/test_search_shards.py).

Runs as the child process search/pagefind.py starts, so the build goes on meanwhile:

    python -m generator.search.shards DOCUMENTS CACHE OUTPUT PAGES_PER_SHARD
"""
from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

from generator import __version__
from generator.search.bundles import SHARD_FILE, MergeRefused, Shard, describe_shard, merge_bundles, sort_values
from generator.workers import die_with_parent, signals_held

SHARD_PAGES = 2000  # a title edit at 10,000 papers re-indexes ~1,250 pages; Pagefind ~160 MiB a shard
KEY_VARIABLE = "LITSITE_SHARD_KEY"  # the key, hex, from the build to this process (never on its command line)
_FORMAT = f"litsite {__version__}, shards 1, pagefind {importlib.metadata.version('pagefind')}"


class IndexingFailed(Exception):
    """Pagefind failed on a shard: what it said."""


def shard_count(pages: int, per_shard: int = SHARD_PAGES) -> int:
    """A power of two, so the count (and every page's shard) changes only when a collection
    doubles or halves, not with each paper added."""
    count = 1
    while count * per_shard < pages:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    return int.from_bytes(hashlib.sha1(path.encode("utf-8")).digest()[:4], "big") % count


def index_in_shards(documents: Path, cache: Path, output: Path, per_shard: int = SHARD_PAGES,
                    key: bytes = b"") -> int:
    """Index the search documents under `documents` into the bundle `output` (a new folder),
    reusing the shards in `cache` made from the same documents; returns the pages indexed.

    A shard's digest is signed with `key` (this user's cache key): shards someone else put
    beside the site (committed to a project, say) are never reused, their fragments never
    published. Without a key nothing is reused."""
    key = key or secrets.token_bytes(32)
    paths = sorted(p.relative_to(documents).as_posix() for p in documents.rglob("*.html"))
    count = shard_count(len(paths), per_shard)
    groups: dict[int, list[str]] = {}
    for path in paths:
        groups.setdefault(shard_of(path, count), []).append(path)
    cache.mkdir(parents=True, exist_ok=True)
    names = {number: f"{count}-{number}" for number in groups}
    shards = [_shard(documents, groups[number], cache / names[number], key) for number in sorted(groups)]
    for stale in cache.iterdir():
        if stale.name not in names.values():
            shutil.rmtree(stale, ignore_errors=True)  # shards of an earlier count, or a killed run's
    try:
        return merge_bundles(shards, output)
    except MergeRefused:
        shutil.rmtree(output, ignore_errors=True)
        _pagefind(documents, output)  # one run over every page: always right, only slower
        return len(paths)


def _shard(documents: Path, paths: list[str], folder: Path, key: bytes) -> Shard:
    digest = _digest(documents, paths, key)
    try:
        if hmac.compare_digest(json.loads((folder / SHARD_FILE).read_text(encoding="utf-8")).get("digest", ""), digest):
            return Shard.read(folder)
    except (OSError, ValueError):
        pass
    own = documents.with_name(f"{documents.name}.{folder.name}")
    fresh = folder.with_name(f".{folder.name}.{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        for path in paths:
            (own / path).parent.mkdir(parents=True, exist_ok=True)
            os.link(documents / path, own / path)  # the same folder in memory: no copy
        _pagefind(own, fresh)
        sorts = {f"/{path}": sort_values((documents / path).read_text(encoding="utf-8")) for path in paths}
        describe_shard(fresh, sorts, digest)
        shutil.rmtree(folder, ignore_errors=True)
        fresh.rename(folder)  # a shard is whole or absent: a killed run leaves none half made
    finally:
        shutil.rmtree(own, ignore_errors=True)
        shutil.rmtree(fresh, ignore_errors=True)
    return Shard.read(folder)


def _digest(documents: Path, paths: list[str], key: bytes) -> str:
    digest = hmac.new(key, _FORMAT.encode(), hashlib.sha256)
    for path in paths:
        digest.update(path.encode("utf-8") + b"\0" + (documents / path).read_bytes() + b"\0")
    return digest.hexdigest()


def _pagefind(site: Path, output: Path) -> None:
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(output),
               "--keep-index-url", "--silent"]
    parent = os.getpid()
    with signals_held():  # Pagefind dies with this process, which dies with the build
        done = subprocess.run(command, capture_output=True, text=True, preexec_fn=lambda: die_with_parent(parent))
    if done.returncode != 0:
        raise IndexingFailed((done.stderr or done.stdout).strip()[:500] or f"exit code {done.returncode}")


def main(argv: list[str]) -> int:
    documents, cache, output, per_shard = Path(argv[0]), Path(argv[1]), Path(argv[2]), int(argv[3])
    key = bytes.fromhex(os.environ.pop(KEY_VARIABLE, ""))
    try:
        index_in_shards(documents, cache, output, per_shard, key)
    except (IndexingFailed, OSError) as exc:
        print(exc, file=sys.stderr)  # one line for the build's error, which names the site folder
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
