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
    p.add_argument("--unsorted", action="store_true",
                   help="only the papers no topic of site.yaml fits (those on the needs-attention page)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, papers = load_collection(args)
    if args.unsorted:
        papers = [p for p in papers if not any(config.topic(t) for t in p.topics)]
        if not papers:
            print("every paper has a topic of site.yaml: nothing to suggest for")
            return 0
    print(suggest_topics(papers, args.count), end="")
    return 0
