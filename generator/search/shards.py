"""The search index made in shards: pages split by a stable hash of their path, one Pagefind
run per shard, each shard's bundle kept beside the site, all merged into one (search/bundles.py).

Why: Pagefind holds everything it indexes in memory (11 GiB at 150,000 papers; a shard of
~1,250 pages needs ~130 MiB) and re-indexes every page on every run. A shard whose search
documents are the bytes it was made from is reused, so one edited paper re-indexes one shard.
A build from nothing and a rebuild merge the same shards' contents, in the same page order:
the same bundle, byte for byte (tests/test_search_shards.py).

A shard is named by its pages' paths and the digests of their documents. The build lists them
all in PAGES_FILE and writes only the documents it must: those of pages rendered again, whose
digest it cannot know otherwise, and those of the shards that cannot be reused. (A page whose
key is unchanged, build/pagekeys.py, has the bytes, so the document digest, of the last build's.)

Runs as the child process search/pagefind.py starts, so the build goes on meanwhile:

    python -m generator.search.shards DOCUMENTS CACHE OUTPUT PAGES_PER_SHARD
"""
from __future__ import annotations

import errno
import hashlib
import hmac
import importlib.metadata
import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator import __version__
from generator.search.bundles import SHARD_FILE, MergeRefused, Shard, bundle_fault, describe_shard, merge_bundles, sort_values
from generator.workers import die_with_parent, signals_held

SHARD_PAGES = 2000  # a title edit at 10,000 papers re-indexes ~1,250 pages; Pagefind ~130 MiB a shard
# Each shard costs a Pagefind start (~0.6 s) and its description (~0.7 s a 1,250-page shard): past
# 32,000 pages shards grow instead (150,000 papers: 16 of ~9,400 pages, Pagefind ~0.8 GiB).
MAX_SHARDS = 16
PAGES_FILE = ".pages.json"  # in DOCUMENTS: {path: its document's digest} of every page
NEEDS_EVERY_DOCUMENT = 3  # exit code: a shard to make lacks its documents; write them all and run again
KEY_VARIABLE = "LITSITE_SHARD_KEY"  # the key, hex, from the build to this process (never on its command line)
_FORMAT = f"litsite {__version__}, shards 3, pagefind {importlib.metadata.version('pagefind')}"


class IndexingFailed(Exception):
    """Pagefind failed on a shard: what it said."""


class DocumentsMissing(Exception):
    """A shard must be made (or the merge refused) but the build wrote only some documents."""


@dataclass(frozen=True)
class PlannedShard:
    name: str
    paths: list[str]
    digest: str
    reusable: bool


def document_digest(document: bytes) -> str:
    return hashlib.blake2b(document, digest_size=16).hexdigest()


def plan_shards(paths: list[str], cache: Path, key: bytes, per_shard: int,
                digests: dict[str, str]) -> list[PlannedShard]:
    """Every shard of `paths` (sorted), in order: its pages, its digest (from its documents'
    `digests`) and whether the one kept in `cache` was made from the same documents."""
    count = shard_count(len(paths), per_shard)
    groups: dict[int, list[str]] = {}
    for path in paths:
        groups.setdefault(shard_of(path, count), []).append(path)
    planned = []
    for number in sorted(groups):
        name, members = f"{count}-{number}", groups[number]
        digest = _digest(members, digests, key)
        planned.append(PlannedShard(name, members, digest, _made_from(cache / name, digest)))
    return planned


def _made_from(folder: Path, digest: str) -> bool:
    try:
        made = json.loads((folder / SHARD_FILE).read_text(encoding="utf-8")).get("digest", "")
    except (OSError, ValueError, AttributeError):
        return False
    return isinstance(made, str) and hmac.compare_digest(made, digest)


def shard_count(pages: int, per_shard: int = SHARD_PAGES) -> int:
    """A power of two, so the count (and every page's shard) changes only when a collection
    doubles or halves, not with each paper added; at most MAX_SHARDS."""
    count = 1
    while count * per_shard < pages and count < MAX_SHARDS:
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
    listed = _listed(documents)
    digests = listed if listed is not None else {p.relative_to(documents).as_posix(): document_digest(p.read_bytes())
                                                 for p in documents.rglob("*.html")}
    paths = sorted(digests)
    cache.mkdir(parents=True, exist_ok=True)
    planned = plan_shards(paths, cache, key, per_shard, digests)
    jobs = [_ShardJob(documents, shard.paths, cache / shard.name, shard.digest) for shard in planned]
    todo = [job for job, shard in zip(jobs, planned, strict=True) if not shard.reusable]
    if not all((documents / path).is_file() for job in todo for path in job.paths):
        raise DocumentsMissing
    _index(todo)
    names = {shard.name for shard in planned}
    for stale in cache.iterdir():
        if stale.name not in names:
            shutil.rmtree(stale, ignore_errors=True)  # shards of an earlier count, or a killed run's
    try:
        return merge_bundles([Shard.read(job.folder) for job in jobs], output)
    except MergeRefused:
        shutil.rmtree(output, ignore_errors=True)
        if not all((documents / path).is_file() for path in paths):
            raise DocumentsMissing from None
        _Pagefind(documents, output).finish()  # one run over every page: always right, only slower
        return len(paths)


def _listed(documents: Path) -> dict[str, str] | None:
    try:
        listed = json.loads((documents / PAGES_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if not (isinstance(listed, dict) and all(isinstance(v, str) for v in listed.values())):
        raise ValueError(f"{PAGES_FILE} is not a list of pages and digests")
    return listed


def _index(jobs: list[_ShardJob]) -> None:
    """One Pagefind at a time (memory stays one shard's), each shard described (one core) while
    Pagefind indexes the next (it keeps ~1.3 cores busy)."""
    done: _ShardJob | None = None
    try:
        for job in jobs:
            job.start()
            if done is not None:
                done.describe()
            job.wait()
            done = job
        if done is not None:
            done.describe()
    finally:
        for job in jobs:
            job.cancel()


class _ShardJob:
    """One shard: reused when its documents are those it was made from, else indexed again."""

    def __init__(self, documents: Path, paths: list[str], folder: Path, digest: str):
        self.documents, self.paths, self.folder, self.digest = documents, paths, folder, digest
        self.own = documents.with_name(f"{documents.name}.{folder.name}")
        self.fresh = folder.with_name(f".{folder.name}.{os.getpid()}")
        self.pagefind: _Pagefind | None = None

    def start(self) -> None:
        shutil.rmtree(self.fresh, ignore_errors=True)
        # Last first: a folder in memory lists the newest file first, and Pagefind numbers pages in
        # the order it lists them; in URL order, its postings need no renumbering (bundles._segment).
        for path in reversed(self.paths):
            (self.own / path).parent.mkdir(parents=True, exist_ok=True)
            os.link(self.documents / path, self.own / path)  # the same folder in memory: no copy
        self.pagefind = _Pagefind(self.own, self.fresh)

    def wait(self) -> None:
        assert self.pagefind is not None
        self.pagefind.finish()
        shutil.rmtree(self.own, ignore_errors=True)
        # On a full disk Pagefind has been seen to exit 0 after writing empty files.
        fault = bundle_fault(self.fresh, len(self.paths))
        if fault:
            raise IndexingFailed(f"Pagefind's index is incomplete ({fault})")

    def describe(self) -> None:
        sorts = {f"/{path}": sort_values((self.documents / path).read_text(encoding="utf-8")) for path in self.paths}
        describe_shard(self.fresh, sorts, self.digest)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.fresh.rename(self.folder)  # a shard is whole or absent: a killed run leaves none half made

    def cancel(self) -> None:
        if self.pagefind is not None:
            self.pagefind.cancel()
        shutil.rmtree(self.own, ignore_errors=True)
        shutil.rmtree(self.fresh, ignore_errors=True)


def _digest(paths: list[str], digests: dict[str, str], key: bytes) -> str:
    digest = hmac.new(key, _FORMAT.encode(), hashlib.sha256)
    for path in paths:
        digest.update(path.encode("utf-8") + b"\0" + digests[path].encode("ascii") + b"\0")
    return digest.hexdigest()


class _Pagefind:
    """Pagefind's binary over one folder, in a process that dies with this one."""

    def __init__(self, site: Path, output: Path):
        command = [sys.executable, "-m", "pagefind", "--site", str(site), "--output-path", str(output),
                   "--keep-index-url", "--silent"]
        parent = os.getpid()
        with signals_held():
            self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                            preexec_fn=lambda: die_with_parent(parent))

    def finish(self) -> None:
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            raise IndexingFailed((err or out).strip()[:500] or f"exit code {self.process.returncode}")

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


def main(argv: list[str]) -> int:
    documents, cache, output, per_shard = Path(argv[0]), Path(argv[1]), Path(argv[2]), int(argv[3])
    key = bytes.fromhex(os.environ.pop(KEY_VARIABLE, ""))
    try:
        index_in_shards(documents, cache, output, per_shard, key)
    except DocumentsMissing:
        return NEEDS_EVERY_DOCUMENT
    except IndexingFailed as exc:
        print(exc, file=sys.stderr)  # one line for the build's error, which names the site folder
        return 1
    except OSError as exc:
        full = exc.errno == errno.ENOSPC
        print(f"no space left on the device ({exc.filename})" if full else str(exc), file=sys.stderr)
        return 1
    except (ValueError, EOFError) as exc:  # a shard's files cut short (cbor2's and json's errors are ValueErrors)
        print(f"a search shard could not be read ({exc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
