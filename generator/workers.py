"""Forked worker processes: the one helper every parallel step uses.

A build shares large read-only state (the site model, a TF-IDF matrix) with its workers. With
the fork start method a worker inherits that state copy-on-write: it is handed to the worker
as an argument of the forked process, so it is never pickled and no module global holds it.
Only tasks (small) and results travel through pipes.

Workers die with their parent (Linux's parent-death signal): a build killed with SIGKILL
leaves no worker behind. They ignore SIGINT, so Ctrl-C reaches the parent alone, which
ends them without a traceback in each.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any, Generic, TypeVar

Shared = TypeVar("Shared")
Task = TypeVar("Task")
Result = TypeVar("Result")

_PR_SET_PDEATHSIG = 1


def fork_workers(wanted: bool, items: int, threshold: int, cap: int = 8) -> int:
    """How many forked workers to use, or 0 to stay in this process: below `threshold` items
    starting workers costs more than it saves, and `serve` (threads) must never fork."""
    workers = min(os.cpu_count() or 1, cap)
    if not wanted or workers < 2 or items < threshold or "fork" not in mp.get_all_start_methods():
        return 0
    return workers


def process_running(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


STOPPING = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGALRM}  # SIGALRM: see signals.py


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP back while forking: a handler raising inside Python's at-fork
    hooks (logging's lock release) has its exception 'ignored' and the stop is lost. Held signals
    are delivered, at a safe point, as soon as the fork is done."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def die_with_parent(parent: int) -> None:
    """Ask the kernel to kill this process when its parent dies (no-op off Linux), and let it
    receive the signals its parent held while forking it."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


class ForkedJobs(Generic[Shared, Task, Result]):
    """`work(shared, task)` for every task, on `workers` forked processes started at once.

    Use as a context manager; `results()` yields each task's result as it arrives (in no
    particular order). An exception in a worker is raised again here; leaving the block
    early ends every worker."""

    def __init__(self, work: Callable[[Shared, Task], Result], shared: Shared, tasks: Sequence[Task],
                 workers: int):
        context = mp.get_context("fork")
        self._pending = len(tasks)
        self._processes = []
        self._pipes: list[Connection] = []
        parent = os.getpid()
        for n in range(max(1, min(workers, len(tasks)))):
            receiver, sender = context.Pipe(duplex=False)
            share = tasks[n::max(1, min(workers, len(tasks)))]
            process = context.Process(target=_work, args=(work, shared, share, sender, parent), daemon=True)
            with signals_held():
                process.start()
            sender.close()
            self._processes.append(process)
            self._pipes.append(receiver)

    def __enter__(self) -> ForkedJobs[Shared, Task, Result]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def results(self) -> Iterator[Result]:
        open_pipes = list(self._pipes)
        while self._pending:
            if not open_pipes:
                raise RuntimeError("a worker process ended before finishing its tasks")
            for pipe in wait(open_pipes):
                assert isinstance(pipe, Connection)
                try:
                    kind, value = pipe.recv()
                except EOFError:  # the worker is gone: killed, or out of memory
                    open_pipes.remove(pipe)
                    continue
                if kind == "error":
                    raise value
                self._pending -= 1
                yield value

    def close(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.kill()
        for process in self._processes:
            process.join()
        for pipe in self._pipes:
            pipe.close()
        self._processes, self._pipes = [], []


class ForkedAnswer(Generic[Shared, Task, Result]):
    """`prepare(shared)` starts at once in one forked process; `ask(question)` later returns
    `answer(prepared, question)` from it. For work whose input is ready long before its question
    (fit a model on the idle core while the rest is still being matched). Use as a context
    manager: leaving the block (asked or not) ends the process."""

    def __init__(self, prepare: Callable[[Shared], Any], answer: Callable[[Any, Task], Result], shared: Shared):
        context = mp.get_context("fork")
        self._pipe, child = context.Pipe(duplex=True)
        self._process = context.Process(target=_prepare_then_answer, args=(prepare, answer, shared, child, os.getpid()),
                                        daemon=True)
        with signals_held():
            self._process.start()
        child.close()

    def __enter__(self) -> ForkedAnswer[Shared, Task, Result]:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._pipe.close()

    def ask(self, question: Task) -> Result:
        try:
            self._pipe.send(question)
            kind, value = self._pipe.recv()
        except (EOFError, BrokenPipeError):  # the process is gone: killed, or out of memory
            raise RuntimeError("a worker process ended before answering") from None
        if kind == "error":
            raise value
        return value


def _prepare_then_answer(prepare: Callable[[Any], Any], answer: Callable[[Any, Any], Any], shared: Any,
                         pipe: Connection, parent: int) -> None:
    _as_worker(parent)
    try:
        prepared = prepare(shared)
        result = ("ok", answer(prepared, pipe.recv()))
    except EOFError:  # never asked: the parent closed the pipe
        return
    except BaseException as exc:
        result = ("error", exc)
    _send_result(pipe, result)


def _as_worker(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler would raise in here
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    die_with_parent(parent)  # after the handlers are reset: it unblocks the held signals


def _send_result(pipe: Connection, result: tuple[str, Any]) -> None:
    try:
        pipe.send(result)
    except Exception:  # an exception that does not pickle
        kind, value = result
        pipe.send(("error", RuntimeError(f"{type(value).__name__}: {value}")))
    finally:
        pipe.close()


def _work(work: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any], pipe: Connection,
          parent: int) -> None:
    _as_worker(parent)
    try:
        for task in tasks:
            pipe.send(("ok", work(shared, task)))
    except BaseException as exc:  # handed to the parent, which raises it; nothing printed here
        try:
            pipe.send(("error", exc))
        except Exception:  # an exception that does not pickle
            pipe.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        pipe.close()
