"""`litsite import FILE...`: bibliographies and raw dumps -> content/papers/*.md."""
from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

from generator.analysis.taxonomy import assign_for_import
from generator.commands.options import date, today
from generator.console import say
from generator.content.config import load_config
from generator.errors import Problem
from generator.sources.importer import run_import
from generator.sources.readers import FORMATS


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("import", help="turn bibliographies and dumps into paper files in content/papers/",
                            description="Read BibTeX/biblatex, CSL-JSON, RIS (and Web of Science exports), "
                                        "another site generator's Markdown collection (a folder of .md files "
                                        "with front matter, e.g. Jekyll's _publications/) or raw listing dumps, "
                                        "and write one Markdown file per paper. A record joins an existing paper by DOI, arXiv id, title "
                                        "(and year) or near-identical abstract and fills its missing fields; "
                                        "values a person edited are never overwritten (conflicts are listed); "
                                        "running it twice changes nothing. Exit code 1 if some bibliography "
                                        "entries had to be skipped (the others are imported), 2 if an input "
                                        "cannot be read at all (nothing is written).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="files: .bib, .json (CSL-JSON), .ris, .md, raw dumps (.txt); or folders of .md files")
    p.add_argument("--from", dest="fmt", choices=sorted(FORMATS), metavar="FORMAT",
                   help="read every FILE as this format, whatever its name says: "
                        + ", ".join(sorted(FORMATS)) + " (default: by suffix and content)")
    p.add_argument("--dry-run", action="store_true", help="print what would be added and changed, write nothing")
    p.add_argument("--verbose", action="store_true",
                   help="list every problem (by default a kind seen more than 3 times in a file shows 3 and a count)")
    p.add_argument("--added", type=date, default=today(), metavar="DATE",
                   help="the 'added' date of new papers (default: today, or SOURCE_DATE_EPOCH)")
    p.set_defaults(func=run)


SHOWN_PER_KIND = 3


def grouped_problems(problems: list[Problem], verbose: bool) -> list[str]:
    """Problems as lines, each kind of warning (the message without its quoted names) of each
    file shown SHOWN_PER_KIND times and then counted: 7,000 entries without an abstract are one
    line, not 7,000. Errors (entries skipped: something is lost) are each shown."""
    if verbose:
        return [str(p) for p in problems]
    kinds: dict[tuple, list[Problem]] = {}
    for problem in problems:
        if problem.severity == "error":
            kinds[(id(problem),)] = [problem]
            continue
        kinds.setdefault((problem.path, _QUOTED.sub("…", problem.message)), []).append(problem)
    lines = []
    for members in kinds.values():
        lines += [str(p) for p in members[:SHOWN_PER_KIND]]
        if len(members) > SHOWN_PER_KIND:
            first = members[0]
            lines.append(f"{first.path}: {first.severity}: {len(members) - SHOWN_PER_KIND} more like the above: "
                         f"{_QUOTED.sub('…', first.message)} (--verbose lists them all)")
    return lines


_QUOTED = re.compile(r"'[^']*'")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.root)
    result = run_import(config, args.files, args.added, dry_run=args.dry_run, fmt=args.fmt,
                        assign=lambda changed, everyone, keywords: assign_for_import(config, changed, everyone,
                                                                                     keywords))
    for name, shape, count in result.shapes:
        outcomes = result.plan.by_file.get(name, Counter())
        split = ", ".join(f"{outcomes[k]} {k}" for k in ("new", "merged", "unchanged") if outcomes.get(k))
        print(f"{name}: {count} records ({shape}){': ' + split if split else ''}")
    for line in grouped_problems(result.problems, args.verbose):
        say(line)
    plan = result.plan
    if args.dry_run:
        for paper in plan.added:
            print(f"would add: content/papers/{paper.slug}.md: {paper.title}")
    for merge in plan.merges:  # every merge, with its evidence: a wrong one is then easy to spot
        print(f"{'would merge' if args.dry_run else 'merged'}: {merge}")
    verb = "would write" if args.dry_run else "wrote"
    updated = len(plan.updated) if args.dry_run else len(result.written) - len(plan.added)
    print(f"{len(plan.added)} new, {max(updated, 0)} changed, "
          f"{len(plan.updated) - max(updated, 0) + plan.unchanged} unchanged, {len(plan.conflicts)} conflicts "
          f"({verb} {len(result.written)} files)", flush=True)
    for conflict in plan.conflicts:
        say(f"conflict: {conflict}")
    if plan.possible_duplicates:
        print(f"{len(plan.possible_duplicates)} possible duplicates, not merged (merge by hand if they are one paper):")
        for lookalike in plan.possible_duplicates:
            print(f"  {lookalike}")
    unsorted = [p for p in plan.added if not any(config.topic(t) for t in p.topics)]
    if unsorted:
        print(f"{len(unsorted)} new papers fit no topic of site.yaml: listed on the needs-attention page "
              f"('litsite suggest-topics --unsorted' proposes topics for them)")
    derived = plan.derived_titles()
    if derived:
        say(f"{len(derived)} papers have a title derived from the abstract (fix them by hand):")
        for paper in derived:
            say(f"  content/papers/{paper.slug}.md: {paper.title}")
    # Entries that had to be skipped are errors even though the rest was imported.
    return 1 if any(p.severity == "error" for p in result.problems) else 0
