"""`litsite new`: a valid paper file for a paper a person adds by hand."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.config import SiteConfig
from generator.content import Paper, check_paper_file, load_papers, render_paper_file
from generator.errors import InputError
from generator.fsutil import atomic_write_text
from generator.merge import abstract_key
from generator.slugs import unique_slug


def new_paper(config: SiteConfig, title: str, abstract: str, tags: list[str] | None, topics: list[str] | None,
              links: dict[str, str], doi: str, arxiv: str, today: dt.date) -> Path:
    if not title.strip():
        raise InputError("the title is empty", hint='give the title in quotes: litsite new "A Title"')
    existing, _ = load_papers(config.papers_dir)
    taken = {p.slug for p in existing} | {p.stem for p in config.papers_dir.glob("*.md")}
    paper = Paper(slug=unique_slug(title, taken, abstract_key(abstract) or title), title=" ".join(title.split()),
                  abstract=" ".join(abstract.split()), title_source="person", tags=tags or [], topics=topics or [],
                  links=links, doi=doi, arxiv=arxiv, added=today)
    if (tags is None or topics is None) and abstract:
        from generator.taxonomy import Tagger, apply

        apply(paper, Tagger(config, existing + [paper]).assign(paper))
    path = config.papers_dir / f"{paper.slug}.md"
    text = render_paper_file(paper)
    _, problems = check_paper_file(path, text)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    atomic_write_text(path, text)
    return path
