"""Command line: argument parsing and one function per command. The work happens elsewhere."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
from pathlib import Path

from generator import __version__
from generator.console import say
from generator.errors import InputError

EXIT_BAD_INPUT = 2

DESCRIPTION = """\
litsite turns raw paper listings into a static, searchable literature site.

Typical use:
  litsite import sources/seeds/*.txt   raw dumps -> content/papers/*.md
  litsite build                        content/ -> _site/ (with search index)
  litsite serve                        build, serve on 127.0.0.1:8000, live reload
  litsite check                        report every problem in content/

Run 'litsite COMMAND --help' for the options of one command."""


def cmd_import(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.importing import run_import
    from generator.taxonomy import assign_for_import

    config = load_config(args.root)
    result = run_import(config, args.files, args.added, dry_run=args.dry_run,
                        assign=lambda changed, everyone, keywords: assign_for_import(config, changed, everyone,
                                                                                     keywords))
    for name, shape, count in result.shapes:
        say(f"{name}: {count} records ({shape})")
    for problem in result.problems:
        say(str(problem))
    plan = result.plan
    if args.dry_run:
        for paper in plan.added:
            say(f"would add: content/papers/{paper.slug}.md: {paper.title}")
        for merge in plan.merges:
            say(f"would merge: {merge}")
    verb = "would write" if args.dry_run else "wrote"
    updated = len(plan.updated) if args.dry_run else len(result.written) - len(plan.added)
    say(f"{len(plan.added)} new, {max(updated, 0)} changed, "
        f"{len(plan.updated) - max(updated, 0) + plan.unchanged} unchanged, {len(plan.conflicts)} conflicts "
        f"({verb} {len(result.written)} files)")
    for conflict in plan.conflicts:
        say(f"conflict: {conflict}")
    derived = plan.derived_titles()
    if derived:
        say(f"{len(derived)} papers have a title derived from the abstract (fix them by hand):")
        for paper in derived:
            say(f"  content/papers/{paper.slug}.md: {paper.title}")
    # Entries that had to be skipped are errors even though the rest was imported.
    return 1 if any(p.severity == "error" for p in result.problems) else 0


def _load(args: argparse.Namespace):
    """The site config and every paper; any invalid paper file stops the command."""
    from generator.config import load_config
    from generator.content import load_valid_papers

    config = load_config(args.root)
    return config, load_valid_papers(config.papers_dir)


def cmd_retag(args: argparse.Namespace) -> int:
    from generator.content import render_paper_file
    from generator.fsutil import atomic_write_text
    from generator.taxonomy import Tagger, apply

    config, papers = _load(args)
    assignments = Tagger(config, papers).assign_all(papers)
    changed = [p for p in papers if apply(p, assignments[p.slug])]
    if not args.dry_run:
        for paper in changed:
            atomic_write_text(paper.path, render_paper_file(paper))
    kept = sum(1 for p in papers if not p.owned_by_machine("tags") or not p.owned_by_machine("topics"))
    say(f"{len(changed)} papers {'would change' if args.dry_run else 'retagged'}, "
        f"{kept} with tags or topics set by a person left as they are")
    return 0


def cmd_explain(args: argparse.Namespace) -> int:
    from generator.taxonomy import Tagger, explain

    config, papers = _load(args)
    paper = next((p for p in papers if p.slug == args.slug), None)
    if paper is None:
        raise InputError(f"no paper with slug '{args.slug}'", config.papers_dir / f"{args.slug}.md",
                         hint="the slug is the file name without .md")
    assignment = Tagger(config, papers).assign_all(papers)[paper.slug]
    print("\n".join(explain(paper, assignment)))
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from generator.taxonomy import stats

    config, papers = _load(args)
    print("\n".join(stats(papers, config)))
    return 0


def cmd_suggest_topics(args: argparse.Namespace) -> int:
    from generator.taxonomy import suggest_topics

    _, papers = _load(args)
    print(suggest_topics(papers, args.count), end="")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from generator.build import build
    from generator.config import load_config

    result = build(load_config(args.root), search=not args.no_search)
    say(result.summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.serve import serve

    try:
        serve(load_config(args.root), args.host, args.port, search=not args.no_search)
    except KeyboardInterrupt:
        say("stopped")
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    from generator.bundle import make_bundle
    from generator.config import load_config

    path, result, files = make_bundle(load_config(args.root))
    say(result.summary())
    say(f"wrote {path} ({files} files, {path.stat().st_size / 1024 / 1024:.1f} MiB): unzip it anywhere and open index.html")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from generator.check import check, format_problem
    from generator.config import load_config

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


def cmd_new(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.new import new_paper

    config = load_config(args.root)
    links = {k: v for k, v in (("code", args.code), ("project", args.project), ("pdf", args.pdf)) if v}
    path = new_paper(config, args.title, args.abstract or "", args.tags, args.topics, links, args.doi or "",
                     args.arxiv or "", _today())
    print(path.relative_to(config.root) if path.is_relative_to(config.root) else path)
    return 0


def _csv(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2024-03-11") from None


def _today() -> dt.date:
    # SOURCE_DATE_EPOCH makes imports reproducible (the reproducible-builds convention).
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="litsite", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"litsite {__version__}")
    parser.add_argument("--root", type=Path, default=Path("."),
                        help="project folder holding site.yaml and content/ (default: current folder)")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("import", help="turn raw dumps into paper files in content/papers/",
                            description="Read raw listing dumps, BibTeX or CSL-JSON and write one Markdown file "
                                        "per paper. A record joins an existing paper by DOI, arXiv id, title "
                                        "(and year) or near-identical abstract and fills its missing fields; "
                                        "values a person edited are never overwritten (conflicts are listed); "
                                        "running it twice changes nothing. Exit code 1 if some bibliography "
                                        "entries had to be skipped (the others are imported), 2 if an input "
                                        "cannot be read at all (nothing is written).")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE",
                   help="raw listing dumps (.txt), BibTeX (.bib) or CSL-JSON (.json) files")
    p.add_argument("--dry-run", action="store_true", help="print what would be added and changed, write nothing")
    p.add_argument("--added", type=_date, default=_today(), metavar="DATE",
                   help="the 'added' date of new papers (default: today, or SOURCE_DATE_EPOCH)")
    p.set_defaults(func=cmd_import)

    p = commands.add_parser("build", help="build the site into _site/ (atomically: a failed build keeps the old one)",
                            description="Render content/ into _site/ with templates/ and static/, then index it "
                                        "for search. The previous _site/ is replaced only when the build succeeds. "
                                        "Over an existing _site/, only pages whose content changed are rendered "
                                        "(the others are taken from the previous build), and the search index is "
                                        "rebuilt only when a searchable page changed.")
    p.add_argument("--no-search", action="store_true", help="skip the search index (faster previews)")
    p.set_defaults(func=cmd_build)

    p = commands.add_parser("serve", help="build, serve on http://127.0.0.1:8000 and rebuild as you edit",
                            description="Build the site, serve _site/ and watch content/, templates/, static/ "
                                        "and site.yaml. An edited paper re-renders only the pages that show it; "
                                        "the browser reloads itself; a broken edit shows its error in the "
                                        "terminal and over the page while the last good version stays.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--no-search", action="store_true", help="skip the search index")
    p.set_defaults(func=cmd_serve)

    p = commands.add_parser("bundle", help="write dist/<site>-offline.zip: the site for reading from file://",
                            description="Build the site and zip it. Unzipped anywhere, index.html opens in a "
                                        "browser with no server and no network; search uses the offline index.")
    p.set_defaults(func=cmd_bundle)

    p = commands.add_parser("check", help="report every problem in the content, with file:line:col",
                            description="Validate paper files (and site.yaml): YAML syntax, unknown keys, types, "
                                        "required fields, duplicate slugs and papers, tags and topics outside the "
                                        "vocabulary, URLs, DOIs and arXiv ids. Exit code 1 when there are errors.")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders (default: content/papers)")
    p.add_argument("--format", choices=("text", "github"), default="text",
                   help="'github' prints workflow annotations that show on the pull request")
    p.set_defaults(func=cmd_check)

    p = commands.add_parser("new", help="create a paper file with a unique slug and print its path",
                            description="Write content/papers/<slug>.md for a new paper. Without --tags/--topics, "
                                        "they are assigned from the vocabulary (and stay yours once you edit them).")
    p.add_argument("title")
    p.add_argument("--abstract", help="the abstract, as plain text")
    p.add_argument("--tags", type=_csv, default=None, help="comma-separated tags, e.g. gnn,link-prediction")
    p.add_argument("--topics", type=_csv, default=None, help="comma-separated topic slugs from site.yaml")
    for kind in ("code", "project", "pdf"):
        p.add_argument(f"--{kind}", metavar="URL", help=f"{kind} link")
    p.add_argument("--doi", help="DOI, e.g. 10.1234/abc")
    p.add_argument("--arxiv", help="arXiv id, e.g. 2101.01234")
    p.set_defaults(func=cmd_new)

    p = commands.add_parser("retag", help="assign topics and tags to papers where a person has not set them",
                            description="Re-run topic and tag assignment over content/papers. Fields a person "
                                        "edited or locked are left alone.")
    p.add_argument("--dry-run", action="store_true", help="count what would change, write nothing")
    p.set_defaults(func=cmd_retag)

    p = commands.add_parser("explain", help="show why a paper has its topics and tags",
                            description="Print the matched terms and scores behind each topic and tag of a paper.")
    p.add_argument("slug", help="the paper's file name without .md")
    p.set_defaults(func=cmd_explain)

    p = commands.add_parser("stats", help="tags per paper, papers per tag and topic, singleton tags")
    p.set_defaults(func=cmd_stats)

    p = commands.add_parser("suggest-topics", help="propose topics for a collection without a taxonomy (YAML)",
                            description="Cluster the papers and print candidate topics with their top terms and "
                                        "example papers, as YAML to paste into site.yaml.")
    p.add_argument("--count", type=int, default=None, help="number of topics (default: from the collection size)")
    p.set_defaults(func=cmd_suggest_topics)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except InputError as exc:
        if args.debug:
            traceback.print_exc()
        for problem in exc.problems:
            say(str(problem))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    except Exception as exc:  # a bug in litsite, not the user's input
        if args.debug:
            traceback.print_exc()
        else:
            say(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
