"""What the previous build wrote, so that a build renders only the pages whose inputs changed.

A build still produces a complete new folder and swaps it in (see build.py); a page whose key
matches the previous build's is hard-linked from the previous folder instead of rendered, and
the Pagefind bundle is linked too when no searchable page changed. Safe because nothing ever
writes into an existing file: every writer replaces files (temp file + rename).

The manifest lives beside the output folder (`._site.manifest.json`). It is trusted only for the
folder it was written for: same inode, and the same build token in `_site/.litsite-build` (a
digest of the manifest, written inside the folder before it is swapped in). Inode numbers are
reused once a folder is deleted; a folder put back by hand from another build then still
carries that build's token, not this one.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.inputs import file_stats
from generator.files import atomic_write_text, link_or_copy

FORMAT = 3  # 2: keys made from whole pages (build/pagekeys.py); 3: the inputs and the output's files
TOKEN_FILE = ".litsite-build"


def manifest_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.manifest.json")


def cache_dir() -> Path | None:
    """The user's cache (XDG: $XDG_CACHE_HOME/litsite, else ~/.cache/litsite), for what depends on
    its input alone and so can serve every project: formatted citations (render/formatted.py)."""
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        return Path(base or Path.home() / ".cache") / "litsite"
    except RuntimeError:  # no home directory (a service account): no cache, only slower builds
        return None


@dataclass
class Previous:
    """The last build's page keys, when they can be trusted for the current output folder."""
    folder: Path
    pages: dict[str, str] = field(default_factory=dict)
    search: str = ""  # digest of the searchable pages' keys the search indexes were built from
    inputs: str = ""  # build/inputs.py: everything the build read
    files: dict[str, str] = field(default_factory=dict)  # path -> size, mtime and inode it left there
    current: dict[str, str] = field(default_factory=dict)  # the same, as the folder is now

    def reusable(self, path: str, key: str) -> bool:
        return self.pages.get(path) == key and self.untouched(path)

    def untouched(self, path: str) -> bool:
        """Still the file this build wrote: not deleted, replaced or edited in place since."""
        recorded = self.files.get(path)
        return recorded is not None and self.current.get(path) == recorded

    def untouched_under(self, prefix: str) -> bool:
        now = {p: s for p, s in self.current.items() if p.startswith(prefix)}
        return bool(now) and now == {p: s for p, s in self.files.items() if p.startswith(prefix)}

    def all_untouched(self) -> bool:
        return self.current == self.files


def load_previous(output: Path, key: str | None) -> Previous | None:
    """The last build's record, if it describes this very folder (and, given a build key, a
    build with that key: same code, templates and chrome)."""
    try:
        data = json.loads(manifest_path(output).read_text(encoding="utf-8"))
        same_folder = data["inode"] == os.stat(output).st_ino and \
            (output / TOKEN_FILE).read_text(encoding="utf-8") == data["token"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if data.get("format") != FORMAT or (key is not None and data.get("build") != key) or not same_folder:
        return None
    return Previous(output, data["pages"], data.get("search", ""), data.get("inputs", ""), data.get("files", {}),
                    file_stats(output))


def forget(output: Path) -> None:
    """The output is about to be changed in place (`serve`): the manifest no longer describes it."""
    manifest_path(output).unlink(missing_ok=True)


def write_token(folder: Path, key: str, pages: dict[str, str], search: str) -> str:
    """Into the finished staging folder, before it is swapped in: what `record` will name."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (key, search, *sorted(f"{path}\0{value}" for path, value in pages.items())):
        digest.update(part.encode("utf-8") + b"\0")
    token = digest.hexdigest()
    (folder / TOKEN_FILE).write_text(token, encoding="utf-8")
    return token


def record(output: Path, key: str, pages: dict[str, str], search: str, token: str, inputs: str = "") -> None:
    payload = {"format": FORMAT, "build": key, "inode": os.stat(output).st_ino, "pages": pages, "search": search,
               "token": token, "inputs": inputs, "files": file_stats(output)}
    atomic_write_text(manifest_path(output), json.dumps(payload, separators=(",", ":"), sort_keys=True))


def link_tree(source: Path, target: Path) -> None:
    for path in sorted(source.rglob("*")):
        destination = target / path.relative_to(source)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            link_or_copy(path, destination)
