"""User-facing errors: what is wrong, where, and how to fix it.

Anything raised as `InputError` is the user's input being wrong (exit code 2,
no traceback); everything else is a bug in litsite and keeps its traceback.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    message: str
    path: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: str = "error"  # "error" or "warning"

    def location(self) -> str:
        parts = [self.path or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = f"{self.location()}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class InputError(Exception):
    """Bad input. Carries one or more problems; nothing was written."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None,
                 problems: list[Problem] | None = None):
        first = Problem(message, str(path) if path is not None else None, line, column, hint)
        self.problems = problems or [first]
        super().__init__(str(self.problems[0]))

    def __reduce__(self):
        # Pickled as its problems (a worker process hands its errors back this way).
        return (type(self).from_problems, (self.problems,))

    @classmethod
    def from_problems(cls, problems: list[Problem]) -> InputError:
        first = problems[0]
        return cls(first.message, first.path, first.line, first.column, first.hint, problems)


class SystemProblem(InputError):
    """The machine, not the input: a full disk, a read-only folder, another build holding the
    output. Shown like bad input (where, what, what to do), with exit code 1."""

    exit_code = 1
