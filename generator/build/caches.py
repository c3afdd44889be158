"""Caches that make a build over an existing output cheaper, kept beside it (`._site.*.cache`).

Parsed paper files: a build reads and hashes every paper file anyway (build/inputs.py); a file
whose bytes and path are those of the last build is not parsed again (PyYAML and validation
are ~1.4 s of a 10,000-paper build, the cache ~0.3 s). Related papers: the neighbours of a
collection whose reading texts are those of the last build, in the same order.

Both are pickles, so each is signed with a key only this user can read (in the user's cache
folder): a cache file committed to the project by someone else is never unpickled. A cache
made by another version of litsite, Python or any package is ignored (build/inputs.py's
code_version), and a cache that cannot be read, signed or written only makes a build slower.
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import pickle
import secrets
from pathlib import Path
from typing import Any, BinaryIO

from generator.build.inputs import code_version
from generator.build.manifest import cache_dir
from generator.errors import InputError
from generator.files import atomic_write_stream

_SIGNATURE = 32


def cache_path(output: Path, name: str) -> Path:
    return output.with_name(f".{output.name}.{name}.cache")


def read_cache(output: Path, name: str) -> Any | None:
    key = _key()
    try:
        blob = cache_path(output, name).read_bytes()
    except OSError:
        return None
    body = memoryview(blob)[_SIGNATURE:]  # a view: a cache of tens of MB is not copied
    if key is None or len(blob) < _SIGNATURE or not hmac.compare_digest(blob[:_SIGNATURE], _sign(key, body)):
        return None
    try:
        version, value = pickle.loads(body)
    except Exception:  # signed by us but unreadable now (a renamed class, say): no cache
        return None
    return value if version == code_version() else None


def write_cache(output: Path, name: str, value: Any) -> None:
    key = _key()
    if key is None:
        return
    def write(handle: BinaryIO) -> None:
        # Pickled straight to the file, signed as it goes: the pickle is never in memory whole.
        handle.write(bytes(_SIGNATURE))
        signing = _Signing(handle, hmac.new(key, digestmod=hashlib.blake2b))
        pickle.dump((code_version(), value), signing, protocol=pickle.HIGHEST_PROTOCOL)
        handle.seek(0)
        handle.write(signing.mac.digest()[:_SIGNATURE])

    with contextlib.suppress(OSError, InputError):  # no room for it: the next build is slower, not wrong
        atomic_write_stream(cache_path(output, name), write)


class _Signing:
    """A file to write that signs what goes through it."""

    def __init__(self, handle: BinaryIO, mac: hmac.HMAC):
        self.handle, self.mac = handle, mac

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.handle.write(data)


def signing_key() -> bytes | None:
    """The same key, for a cache kept by a later stage (the search shards sign their digests)."""
    return _key()


def _whole(key: bytes) -> bytes | None:
    return key if len(key) == 32 else None  # still being written by another build: no cache this time


def _sign(key: bytes, body: bytes | memoryview) -> bytes:
    return hmac.new(key, body, hashlib.blake2b).digest()[:_SIGNATURE]


def _key() -> bytes | None:
    """This user's signing key, made on first use (readable by this user only)."""
    folder = cache_dir()
    if folder is None:
        return None
    path = folder / "cache-signing-key"
    try:
        return _whole(path.read_bytes())
    except FileNotFoundError:
        pass
    except OSError:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _whole(path.read_bytes())  # another build made it meanwhile
    except OSError:
        return None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key
