"""`litsite explain SLUG`: the matched terms and scores behind a paper's topics and tags."""
from __future__ import annotations

import argparse

from generator.analysis.taxonomy import Tagger, explain
from generator.commands.options import load_collection
from generator.errors import InputError


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("explain", help="show why a paper has its topics and tags",
                            description="Print the matched terms and scores behind each topic and tag of a paper.")
    p.add_argument("slug", help="the paper's file name without .md")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, papers = load_collection(args)
    paper = next((p for p in papers if p.slug == args.slug), None)
    if paper is None:
        raise InputError(f"no paper with slug '{args.slug}'", config.papers_dir / f"{args.slug}.md",
                         hint="the slug is the file name without .md")
    assignment = Tagger(config, papers).assign_all(papers)[paper.slug]
    print("\n".join(explain(paper, assignment)))
    return 0
