"""Everything a build reads, as one digest: when it equals the last build's, the build is skipped.

A build is a function of its inputs: the project's files (site.yaml as loaded, content/,
templates/, static/), git's dates for the paper files (the feed and the sitemap show them),
SOURCE_DATE_EPOCH, litsite's code, the Python and package versions, and whether a search index
is made. Paper and doc files are hashed whole, not trusted by their mtime (an edit in the same
clock tick keeps it); the mtimes are in the digest as well, because files outside git date
the feed by their mtime. Reading and hashing 10,000 paper files takes ~0.2 s, against ~8 s for
a build that renders nothing new.

The output must also be the one that build wrote: `file_stats` (every file's size, mtime and
inode) is recorded with the manifest (build/manifest.py) and compared before anything is
skipped or reused, so a page deleted, added or edited by hand in `_site/` is made again.
"""
from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from stat import S_ISREG

import generator
from generator.content.config import SiteConfig


def input_digest(config: SiteConfig, search: bool) -> str:
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"{code_version()}\0search={search}\0".encode())
    hasher.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
    hasher.update(repr(config).encode())  # site.yaml and the tag vocabulary, as read
    for folder in (config.templates_dir, config.static_dir, config.content_dir):
        _hash_files(hasher, folder)
    hasher.update(_git_head(config.papers_dir).encode())
    return hasher.hexdigest()


@functools.cache
def code_version() -> str:
    """litsite's code, Python's version and every installed package's: what a cache made by
    another version must not be trusted across."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(f"python={sys.version}\0".encode())
    for name, version in sorted((d.metadata["Name"] or "", d.version) for d in metadata.distributions()):
        hasher.update(f"{name}={version}\0".encode())
    _hash_files(hasher, Path(generator.__file__).parent)
    return hasher.hexdigest()


def file_stats(folder: Path) -> dict[str, str]:
    """Path -> size, mtime and inode of every file in an output folder: enough to see that
    nothing was touched (every writer replaces files, so a rewrite is a new inode or mtime)."""
    return {path: f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}" for path, stat in sorted(_walk(folder))}


def _hash_files(hasher: hashlib.blake2b, folder: Path) -> None:
    hasher.update(f"{folder.name}/\0".encode())
    for relative, stat in sorted(_walk(folder)):
        if relative.endswith(".pyc") or "/__pycache__/" in f"/{relative}":
            continue
        hasher.update(f"{relative}\0{stat.st_mode}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
        hasher.update(_content_digest(folder / relative))


def _content_digest(path: Path) -> bytes:
    """A regular file's bytes, a link's target and its bytes; nothing is read from a FIFO, a
    device or a link to one (the build refuses those with a message; reading one here would
    block or never end)."""
    try:
        link = os.readlink(path).encode() if path.is_symlink() else b""
        if not S_ISREG(os.stat(path).st_mode):  # a device is not even opened (some act on open)
            return link + f"not a file {os.stat(path).st_mode}".encode()
        # O_NONBLOCK: a FIFO (or one swapped in since) opens at once, and is then not read.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC), "rb") as handle:
            mode = os.fstat(handle.fileno()).st_mode
            if not S_ISREG(mode):
                return link + f"not a file {mode}".encode()
            return link + hashlib.blake2b(handle.read(), digest_size=16).digest()
    except OSError as exc:  # unreadable, or a link to nothing: never equal to a readable state
        return f"unreadable {exc.errno}".encode()


def _walk(folder: Path) -> list[tuple[str, os.stat_result]]:
    """(path relative to `folder`, lstat) of every file below it; links are files here (the
    build refuses them, and a changed target changes the link's own stat)."""
    found: list[tuple[str, os.stat_result]] = []
    pending = [("", str(folder))]
    while pending:
        prefix, path = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                pending.append((f"{prefix}{entry.name}/", entry.path))
            else:
                found.append((prefix + entry.name, entry.stat(follow_symlinks=False)))
    return found


def _git_head(folder: Path) -> str:
    """The commit git dates paper files from (content/history.py): committing an edited file
    changes its date, not its bytes or its mtime."""
    if not shutil.which("git"):
        return ""
    try:
        done = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True,
                              timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 else ""
