"""`litsite check [PATH...]`: every content problem, with file:line:col."""
from __future__ import annotations

import argparse
from pathlib import Path

from generator.console import say
from generator.content.check import check, format_problem
from generator.content.config import load_config
from generator.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("check", help="report every problem in the content, with file:line:col",
                            description="Validate paper files, reading lists (content/lists) and site.yaml: YAML "
                                        "syntax, unknown keys, types, "
                                        "required fields, duplicate slugs and papers, tags and topics outside the "
                                        "vocabulary, URLs, DOIs and arXiv ids, list entries naming no paper. Exit code 1 when there "
                                        "are errors.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: content/papers and content/lists)")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="'github' prints workflow annotations that show on the pull request")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = load_config(args.root)
    except InputError as exc:  # site.yaml itself is content to check
        for problem in exc.problems:
            print(format_problem(problem, args.format))
        return 1
    report = check(config, args.paths)
    for problem in report.problems:
        print(format_problem(problem, args.format))
    say(report.summary())
    return 1 if report.errors else 0
