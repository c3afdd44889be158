"""`litsite new`: a valid paper file for a paper a person adds by hand, or a reading list."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from generator.analysis.taxonomy import Tagger, apply
from generator.commands.options import csv, today
from generator.content.config import SiteConfig, load_config
from generator.content.frontmatter import render_paper_file
from generator.content.identity import abstract_key
from generator.content.load import load_papers
from generator.content.paper import Paper
from generator.content.readinglist import check_reading_list, lists_folder, new_list_text, unknown_papers
from generator.content.slugs import unique_slug
from generator.content.validate import check_paper_file
from generator.errors import InputError
from generator.files import atomic_write_text


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("new", help="create a paper file (or, with --list, a reading list) and print its path",
                            description="Write content/papers/<slug>.md for a new paper. Without --tags/--topics, "
                                        "they are assigned from the vocabulary (and stay yours once you edit them). "
                                        "With --list, write content/lists/<slug>.md: a reading list, the papers "
                                        "in the order to read them, each with a note.")
    p.add_argument("title")
    p.add_argument("--list", action="store_true", help="create a reading list with this title instead of a paper")
    p.add_argument("--papers", type=csv, default=None, metavar="SLUGS",
                   help="with --list: comma-separated paper slugs, in reading order")
    p.add_argument("--abstract", help="the abstract, as plain text")
    p.add_argument("--tags", type=csv, default=None, help="comma-separated tags, e.g. gnn,link-prediction")
    p.add_argument("--topics", type=csv, default=None, help="comma-separated topic slugs from site.yaml")
    for kind in ("code", "project", "pdf"):
        p.add_argument(f"--{kind}", metavar="URL", help=f"{kind} link")
    p.add_argument("--doi", help="DOI, e.g. 10.1234/abc")
    p.add_argument("--arxiv", help="arXiv id, e.g. 2101.01234")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.root)
    if args.list:
        path = new_reading_list(config, args.title, args.papers or [])
        print(path.relative_to(config.root) if path.is_relative_to(config.root) else path)
        return 0
    if args.papers is not None:
        raise InputError("--papers belongs to --list", hint='litsite new --list "A Title" --papers slug-1,slug-2')
    links: dict[str, str | list[str]] = {k: v for k, v in (("code", args.code), ("project", args.project),
                                                            ("pdf", args.pdf)) if v}
    path = new_paper(config, args.title, args.abstract or "", args.tags, args.topics, links, args.doi or "",
                     args.arxiv or "", today())
    print(path.relative_to(config.root) if path.is_relative_to(config.root) else path)
    return 0


def new_paper(config: SiteConfig, title: str, abstract: str, tags: list[str] | None, topics: list[str] | None,
              links: dict[str, str | list[str]], doi: str, arxiv: str, today: dt.date) -> Path:
    if not title.strip():
        raise InputError("the title is empty", hint='give the title in quotes: litsite new "A Title"')
    existing, _ = load_papers(config.papers_dir, rules=config.read_rules)
    taken = {p.slug for p in existing} | {p.stem for p in config.papers_dir.glob("*.md")}
    paper = Paper(slug=unique_slug(title, taken, abstract_key(abstract) or title), title=" ".join(title.split()),
                  abstract=" ".join(abstract.split()), title_source="person", tags=tags or [], topics=topics or [],
                  links=links, doi=doi, arxiv=arxiv, added=today)
    if (tags is None or topics is None) and abstract:
        apply(paper, Tagger(config, existing + [paper]).assign(paper))
    path = config.papers_dir / f"{paper.slug}.md"
    text = render_paper_file(paper)
    _, problems = check_paper_file(path, text)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    atomic_write_text(path, text)
    return path


def new_reading_list(config: SiteConfig, title: str, slugs: list[str]) -> Path:
    """content/lists/<slug>.md, checked as build will read it (its papers must exist)."""
    if not title.strip():
        raise InputError("the title is empty", hint='give the title in quotes: litsite new --list "A Title"')
    folder = lists_folder(config)
    taken = {p.stem for p in folder.glob("*.md")} if folder.is_dir() else set()
    path = folder / f"{unique_slug(title, taken, title)}.md"
    text = new_list_text(title, slugs)
    reading_list, problems = check_reading_list(path, text=text)
    if reading_list is not None:
        problems = unknown_papers(reading_list, {p.stem for p in config.papers_dir.glob("*.md")})
    if problems:
        raise InputError.from_problems(problems)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, text)
    return path
