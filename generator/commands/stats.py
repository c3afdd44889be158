"""`litsite stats`: tags per paper, papers per tag and per topic."""
from __future__ import annotations

import argparse

from generator.analysis.taxonomy import stats
from generator.commands.options import load_collection


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("stats", help="tags per paper, papers per tag and topic, singleton tags")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, papers = load_collection(args)
    print("\n".join(stats(papers, config)))
    return 0
