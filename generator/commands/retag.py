"""`litsite retag`: topics and tags again, where a person has not set them."""
from __future__ import annotations

import argparse

from generator.analysis.taxonomy import Tagger, apply
from generator.commands.options import load_collection
from generator.console import say
from generator.content.frontmatter import render_paper_file
from generator.files import atomic_write_many


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("retag", help="assign topics and tags to papers where a person has not set them",
                            description="Re-run topic and tag assignment over content/papers. Fields a person "
                                        "edited or locked are left alone.")
    p.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config, papers = load_collection(args)
    assignments = Tagger(config, papers).assign_all(papers, parallel=True)
    changed = [p for p in papers if apply(p, assignments[p.slug])]
    if not args.dry_run:
        atomic_write_many([(p.path, render_paper_file(p).encode("utf-8")) for p in changed if p.path is not None])
    kept = sum(1 for p in papers if not p.owned_by_machine("tags") or not p.owned_by_machine("topics"))
    say(f"{len(changed)} papers {'would change' if args.dry_run else 'retagged'}, "
        f"{kept} with tags or topics set by a person left as they are")
    return 0
