"""One writer per output folder: a lock file beside it, held by `build`, `serve` and `bundle`.

Two builds of the same `_site/` at once would remove each other's staging folder or swap in
each other's half-made site. The lock is an `flock` on `._site.lock`: the kernel drops it when
its holder dies, however it dies, so a killed build never leaves the lock taken. The file
keeps the holder's pid and command, for the message the next run shows.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.errors import SystemProblem

_held: dict[Path, int] = {}  # lock files this process holds, and how many times (serve builds under its own lock)
_guard = threading.Lock()


def lock_path(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


@contextlib.contextmanager
def output_lock(output: Path, wait: bool = False, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the lock of `output` for the block. Held by another process: wait for it when
    `wait` (saying so once through `waiting`), else refuse with who holds it."""
    path = lock_path(output).absolute()
    with _guard:
        if path in _held:
            _held[path] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _guard:
                _held[path] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        _acquire(fd, output, wait, waiting)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {' '.join(sys.argv[1:])[:200]}\n".encode(), 0)
        with _guard:
            _held[path] = 1
        try:
            yield
        finally:
            with _guard:
                del _held[path]
    finally:
        os.close(fd)  # closing the last descriptor releases the flock


def _acquire(fd: int, output: Path, wait: bool, waiting: Callable[[str], None] | None) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return
    except BlockingIOError:
        holder = _holder(fd)
    if not wait:
        raise SystemProblem(f"another litsite is writing this folder ({holder})", output,
                            hint="wait for it to finish, or run again with --wait")
    if waiting is not None:
        waiting(f"waiting for the other litsite writing {output.name}/ ({holder}) to finish…")
    fcntl.flock(fd, fcntl.LOCK_EX)


def _holder(fd: int) -> str:
    text = os.pread(fd, 300, 0).decode("utf-8", "replace").strip()
    pid, _, command = text.partition(" ")
    return f"pid {pid}: litsite {command}" if pid.isdigit() else "a process that just started"


def holds(output: Path) -> bool:
    with _guard:
        return lock_path(output).absolute() in _held
