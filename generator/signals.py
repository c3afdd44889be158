"""SIGTERM and SIGHUP stop litsite the way Ctrl-C does, so every cleanup path runs for them too.

CI runners and `timeout` send SIGTERM, a closed terminal SIGHUP. Without a handler Python dies
at once and a build's staging folder and its Pagefind child are left behind.
"""
from __future__ import annotations

import signal
import sys
from types import FrameType


class Stopped(KeyboardInterrupt):
    """Raised in the main thread by a stopping signal; `signum` says which."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def stop_on_signals() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop)
    sys.unraisablehook = _deliver_again_if_swallowed


_received: list[int] = []  # the stopping signal, once one came


def _stop(signum: int, frame: FrameType | None) -> None:
    # Only the first signal interrupts: a second one must not break the cleanup the first started.
    for other in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(other, signal.SIG_IGN)
    _received.append(signum)
    raise Stopped(signum)


def received() -> int | None:
    """The stopping signal that came, if one did. C code may turn the `Stopped` raised inside it
    into another error (numpy's import: 'ImportError: initialization failed'): what ended the
    run is still the signal."""
    return _received[0] if _received else None


def stopped_code(stop: KeyboardInterrupt) -> int:
    """The exit status of a process stopped by a signal: 128 + its number, as shells report it."""
    return 128 + getattr(stop, "signum", signal.SIGINT)


_report_unraisable = sys.unraisablehook


def _deliver_again_if_swallowed(unraisable: sys.UnraisableHookArgs) -> None:
    """Python cannot raise out of some places (a weakref callback, `__del__`, an at-fork hook):
    a `Stopped` raised there is printed as 'Exception ignored' and the stop is lost. Seen on CI:
    a SIGTERM landing in importlib's module-lock callback. Raise it again a moment later, from
    a timer signal, in whatever ordinary code runs by then (again, if that too swallows it)."""
    stop = unraisable.exc_value
    if not isinstance(stop, Stopped):
        _report_unraisable(unraisable)
        return

    def again(_signum: int, _frame: FrameType | None) -> None:
        raise Stopped(stop.signum)

    signal.signal(signal.SIGALRM, again)
    signal.setitimer(signal.ITIMER_REAL, 0.001)
