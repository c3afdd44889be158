"""Files on disk: writes that an interrupted run never leaves half-done, published with modes any
web server can read, and reads that refuse what is not a plain file (a FIFO would hang us)."""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from generator.errors import InputError, SystemProblem

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
FILE_MODE = 0o644  # published files: readable by a web server running as another user, whatever the umask
FOLDER_MODE = 0o755


def link_or_copy(source: Path, target: Path) -> None:
    """The same file under a second name (a hard link: no bytes copied), or a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copyfile(source, target)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write via a temp file in the same folder + rename: readers see old or new, never a mix.
    A full disk is reported with the path and the size that was needed."""
    atomic_write_many([(path, data)])


def atomic_write_many(files: list[tuple[Path, bytes]]) -> None:
    """Write many files as atomic_write_bytes does, in three steps: every temporary file, then
    one sync of their file system (an fsync per file was most of the time an import of 10,000
    papers spent writing), then the renames. A crash leaves each file old or new: no rename
    happens before every new text is on disk."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            staged.append((_write_temp(path, data, sync=len(files) == 1), path))
    except BaseException:
        discard_staged(staged)
        raise
    publish_staged(staged, synced=len(files) == 1)


def stage_file(path: Path, data: bytes) -> str:
    """The first step of atomic_write_many for one file, to publish later with publish_staged
    (a forked worker can stage what it rendered: its disk waits overlap the other's work)."""
    return _write_temp(path, data, sync=False)


def publish_staged(staged: list[tuple[str, Path]], synced: bool = False) -> None:
    """Give staged files their names, after one sync of their file systems (unless `synced`).
    On failure the files not yet renamed are removed: each file is old or new."""
    pending = list(staged)
    try:
        if pending and not synced:
            _sync_file_systems({path.parent for _, path in pending})
        while pending:
            tmp, path = pending[0]
            os.replace(tmp, path)
            pending.pop(0)
    except OSError as exc:
        raise_for_disk(exc, pending[0][1] if pending else staged[0][1])
        raise
    finally:
        discard_staged(pending)


def discard_staged(staged: list[tuple[str, Path]]) -> None:
    for tmp, _ in staged:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def atomic_write_stream(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """atomic_write_bytes for what `write` writes to a file object, without fsync: for caches,
    whose large pickles are then never held in memory whole (one that a crash cuts short fails
    its signature and is ignored)."""
    publish_staged([(_write_temp(path, write, sync=False), path)], synced=True)


def _write_temp(path: Path, data: bytes | Callable[[BinaryIO], None], sync: bool) -> str:
    """A temporary file beside `path` holding `data`. mkstemp makes it 0600; it is opened up to
    0644 before it gets its name, so no reader ever sees it private."""
    size = len(data) if isinstance(data, bytes) else None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise_for_disk(exc, path, size)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            if isinstance(data, bytes):
                handle.write(data)
            else:
                data(handle)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise_for_disk(exc, path, size)
        raise
    return tmp


def _sync_file_systems(folders: set[Path]) -> None:
    """Make everything written under `folders` durable: syncfs(2) once per folder where Linux
    has it, a plain sync elsewhere."""
    try:
        syncfs = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        syncfs = None
    for folder in folders:
        fd = os.open(folder, os.O_RDONLY)
        try:
            if syncfs is None or syncfs(fd) != 0:
                os.sync()
        finally:
            os.close(fd)


def publish_modes(folder: Path) -> None:
    """Files 0644 and folders 0755 under `folder`, whatever the umask was: a web server running
    as another user (nginx, Apache, `http.server` as nobody) must be able to read everything."""
    os.chmod(folder, FOLDER_MODE)
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            os.chmod(os.path.join(root, name), FOLDER_MODE)
        for name in files:
            path = os.path.join(root, name)
            if stat.S_IMODE(os.lstat(path).st_mode) != FILE_MODE:
                os.chmod(path, FILE_MODE)


def write_new_text(path: Path, text: str) -> None:
    """Write a file nobody reads yet (one inside a staging folder): no temp file needed."""
    data = text.encode("utf-8")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise_for_disk(exc, path, len(data))
        raise


def raise_for_disk(exc: OSError, path: Path, needed: int | None = None) -> None:
    """Turn the environment's refusals (disk full, read-only, no permission) into a message
    that names the path; any other OSError is left to the caller."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        free = _free_bytes(path.parent)
        wanted = f"{_size(needed)} needed, " if needed is not None else ""
        raise SystemProblem(f"no space left on the device ({wanted}{_size(free)} free there)",
                            path, hint="free some space (or build elsewhere) and run again; "
                                       "the previous output is unchanged") from None
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        raise SystemProblem(f"cannot write here: {exc.strerror}", path,
                            hint="check the folder's permissions, or that its file system is writable") from None


def _free_bytes(folder: Path) -> int:
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        info = os.statvfs(folder)
    except OSError:
        return 0
    return info.f_bavail * info.f_frsize


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024  # a paper file is a few KiB; 5 MiB is generous


@dataclass(frozen=True)
class ReadRules:
    """What a project's own files (papers, docs, site.yaml) must be: plain files, inside the
    project (`inside`), at most `max_bytes` each (site.yaml's max_file_bytes)."""
    inside: Path | None = None
    max_bytes: int | None = DEFAULT_MAX_FILE_BYTES
    # Folders resolved once per set of rules (a command's, or one edit's in `serve`): resolving
    # the project and the papers folder again for each of 10,000 files was a third of loading.
    _folders: dict[Path, Path] = field(default_factory=dict, compare=False, repr=False)

    def read(self, path: Path) -> bytes:
        return read_plain_file(path, self.inside, self.max_bytes, self._folders)

    def read_text(self, path: Path) -> str:
        """UTF-8 text in NFC: the same text typed on macOS (NFD) and elsewhere is one text."""
        return decode_text(self.read(path), path)


def decode_text(data: bytes, path: Path) -> str:
    """A project file's bytes as UTF-8 text in NFC (see ReadRules.read_text)."""
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path, 1, 1, "save the file as UTF-8") from None


def read_plain_file(path: Path, inside: Path | None = None, max_bytes: int | None = None,
                    folders: dict[Path, Path] | None = None) -> bytes:
    """The bytes of `path`, which must be a regular file (after links are followed), inside the
    folder `inside` when given, and at most `max_bytes` long. Anything else is refused at once:
    a FIFO would block the reader forever, /dev/zero would fill memory, and a link out of the
    project would publish a file nobody meant to."""
    if inside is not None and not is_inside(path, inside, folders):
        raise InputError(f"is a link to {path.resolve()}, outside the project", path,
                         hint="copy the file into the project; links may only point inside it")
    try:
        info = os.stat(path)
        _check_kind(path, info.st_mode)
        # O_NONBLOCK: if the file was swapped for a FIFO since the stat, open returns at once.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError("no such file (or a link to nothing)", path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", path) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        _check_kind(path, info.st_mode)
        if max_bytes is not None and info.st_size > max_bytes:
            raise InputError(f"is {_size(info.st_size)}, over the limit of {_size(max_bytes)} for one file", path,
                             hint="set max_file_bytes in site.yaml if a file this large is meant")
        data = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:  # it grew while we read it
        raise InputError(f"is over the limit of {_size(max_bytes)} for one file", path,
                         hint="set max_file_bytes in site.yaml if a file this large is meant")
    return data


def _check_kind(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    kinds = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    raise InputError(f"is {kind}, not a regular file", path, hint="litsite reads plain files only; remove or replace it")


def swap_directory(new: Path, target: Path) -> None:
    """Put the finished folder `new` in place of `target` without a moment where neither exists.

    Linux's renameat2(RENAME_EXCHANGE) swaps both names in one step; where it is missing we
    fall back to two renames (a kill between them leaves the old build next to the target).
    """
    if target.exists() and _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # `new` now holds the previous build
        return
    old = target.with_name(f".{target.name}.old")
    if target.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def is_inside(path: Path, folder: Path, folders: dict[Path, Path] | None = None) -> bool:
    """True when `path` (resolved, symlinks followed) lies within `folder`. With `folders`, the
    folders met are resolved once and kept there; a file that is not a link then resolves to
    its resolved folder plus its name."""
    if folders is None:
        resolved, root = path.resolve(), folder.resolve()
    else:
        root = folders.get(folder) or folders.setdefault(folder, folder.resolve())
        if path.name in ("", ".", "..") or os.path.islink(path):
            resolved = path.resolve()
        else:
            parent = folders.get(path.parent) or folders.setdefault(path.parent, path.parent.resolve())
            resolved = parent / path.name
    try:
        resolved.relative_to(root)
        return True
    except ValueError:
        return False
