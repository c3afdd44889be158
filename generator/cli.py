"""Command line: the parser, each command's arguments (from commands/), errors without tracebacks."""
from __future__ import annotations

import argparse
import errno
import gc
import signal
import sys
import traceback
from pathlib import Path

from generator import __version__
from generator.commands import build, bundle, check, explain, importing, new, retag, serve, stats, suggest_topics
from generator.console import say
from generator.errors import InputError
from generator.signals import Stopped, received, stop_on_signals, stopped_code

EXIT_BAD_INPUT = 2
COMMANDS = (importing, build, serve, bundle, check, new, retag, explain, stats, suggest_topics)

DESCRIPTION = """\
litsite turns raw paper listings into a static, searchable literature site.

Typical use:
  litsite import sources/seeds/*.txt   raw dumps -> content/papers/*.md
  litsite build                        content/ -> _site/ (with search index)
  litsite serve                        build, serve on 127.0.0.1:8000, live reload
  litsite check                        report every problem in content/

Run 'litsite COMMAND --help' for the options of one command."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="litsite", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"litsite {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="project folder holding site.yaml and content/ (default: current folder)")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(commands)
    return parser


# The cycle collector's default (a collection every 700 new objects) scans a heap that holds
# 10,000 papers and their indexes again and again: a fifth of an import's time. litsite makes
# few cycles; collecting every 50,000 objects keeps memory flat and costs almost nothing.
GC_THRESHOLDS = (50_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    stop_on_signals()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
    except KeyboardInterrupt as stop:
        return stopped_code(stop)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.func(args))
    except Exception as exc:
        signum = received()
        # A signal raised inside C code can come back as another error: it still ended the run.
        return _failed(exc, args.debug) if signum is None else _stopped(Stopped(signum))
    except KeyboardInterrupt as stop:
        return _stopped(stop)


def _failed(exc: Exception, debug: bool) -> int:
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, InputError):
        for problem in exc.problems:
            say(str(problem))
        return exc.exit_code
    if isinstance(exc, OSError):
        return _environment_error(exc)
    if not debug:  # a bug in litsite, not the user's input
        say(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
    return 1


def _stopped(stop: KeyboardInterrupt) -> int:
    code = stopped_code(stop)
    say("interrupted" if code == 128 + signal.SIGINT else f"stopped by {signal.Signals(code - 128).name}")
    return code


def _environment_error(exc: OSError) -> int:
    """An OSError nobody turned into a message: still the machine's refusal, not a bug of ours."""
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        say(f"error: no space left on the device{where}; free some space and run again")
    else:
        say(f"error: {exc.strerror or exc}{where}")
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
