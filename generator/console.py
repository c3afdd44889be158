"""Terminal output: messages on stderr, a progress bar only where a person is watching."""
from __future__ import annotations

import sys
import time


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Progress:
    """A one-line bar on a terminal for long jobs; silent in pipes, CI logs and tests."""

    def __init__(self, label: str, total: int, min_total: int = 200):
        self.label, self.total = label, total
        self.enabled = total >= min_total and sys.stderr.isatty()
        self.done = 0
        self._last = 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done >= self.total):
            self._last = now
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            sys.stderr.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()
