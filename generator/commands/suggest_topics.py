"""`litsite suggest-topics`: candidate topics for a collection, as YAML for site.yaml."""
from __future__ import annotations

import argparse

from generator.analysis.taxonomy import suggest_topics
from generator.commands.options import load_collection


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("suggest-topics", help="propose topics for a collection without a taxonomy (YAML)",
                            description="Cluster the papers and print candidate topics with their top terms and "
                                        "example papers, as YAML to paste into site.yaml.")
    p.add_argument("--count", type=int, default=None, help="number of topics (default: from the collection size)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _, papers = load_collection(args)
    print(suggest_topics(papers, args.count), end="")
    return 0
