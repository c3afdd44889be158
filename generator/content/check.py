"""`litsite check`: every problem in the content, each with file:line:col, not just the first."""
from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.content.config import SiteConfig
from generator.content.frontmatter import key_lines, split_front_matter
from generator.content.identity import abstract_key, evidence_key
from generator.content.paper import Paper
from generator.content.readinglist import check_reading_list, is_list_file, list_files, unknown_papers
from generator.content.slugs import slugify
from generator.content.validate import check_paper_file
from generator.errors import InputError, Problem


@dataclass
class CheckReport:
    problems: list[Problem]
    files: int

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        return f"{len(self.errors)} errors, {len(self.warnings)} warnings in {self.files} files"


def paper_files(config: SiteConfig, paths: list[Path]) -> list[Path]:
    if not paths:
        return sorted(config.papers_dir.glob("*.md"))
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.md"))
        elif path.exists():
            files.append(path)
        else:
            raise InputError("no such file or folder", path)
    return files


def check(config: SiteConfig, paths: list[Path]) -> CheckReport:
    files = paper_files(config, paths)
    # Reading lists: all of them by default, or those among the paths given.
    lists = [f for f in files if is_list_file(f, config)] if paths else list_files(config)
    files = [f for f in files if not is_list_file(f, config)]
    problems: list[Problem] = []
    papers: list[Paper] = []
    problems += [_relative(p, config.root) for p in _reading_lists(lists, config)]
    for path in files:
        paper, found = check_paper_file(path, rules=config.read_rules)
        problems += [_relative(p, config.root) for p in found]
        if paper is not None:
            papers.append(paper)
    problems += _duplicates(papers, config)
    problems += _vocabulary(papers, config)
    problems.sort(key=lambda p: (p.path or "", p.line or 0, p.column or 0))
    return CheckReport(problems, len(files) + len(lists))


def _reading_lists(files: list[Path], config: SiteConfig) -> list[Problem]:
    """Each list's own problems, and entries naming no paper (of all content/papers, checked or not)."""
    problems: list[Problem] = []
    slugs = {p.stem for p in config.papers_dir.glob("*.md")}
    for path in files:
        reading_list, found = check_reading_list(path, config.read_rules, partial=True)
        problems += found
        if reading_list is not None:
            problems += unknown_papers(reading_list, slugs)
    return problems


def _relative(problem: Problem, root: Path) -> Problem:
    if problem.path is None:
        return problem
    try:
        shown = Path(problem.path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return problem
    return Problem(problem.message, shown, problem.line, problem.column, problem.hint, problem.severity)


def _name(paper: Paper, config: SiteConfig) -> str:
    return _relative(Problem("", str(paper.path)), config.root).path or paper.slug


def _line_of(paper: Paper, key: str) -> tuple[int, int]:
    assert paper.path is not None  # checked papers are read from files
    yaml_text, _, first = split_front_matter(paper.path.read_text(encoding="utf-8"), str(paper.path))
    lines = key_lines(yaml_text, first)
    return lines.get(key) or lines.get(key.split("[")[0], (first, 1))


def _duplicates(papers: list[Paper], config: SiteConfig) -> list[Problem]:
    problems = []
    seen_slug: dict[str, Paper] = {}
    seen_abstract: dict[str, Paper] = {}
    seen_title: dict[str, Paper] = {}
    for paper in papers:
        name = _name(paper, config)
        folded = paper.slug.lower()
        if folded in seen_slug:
            other = _name(seen_slug[folded], config)
            problems.append(Problem(f"duplicate slug '{paper.slug}' (also {other})", name, 1, 1,
                                    "rename one of the files"))
        seen_slug.setdefault(folded, paper)
        key = evidence_key(paper.abstract, min_chars=1)  # a placeholder ("Not Available") is no one's abstract
        if key and key in seen_abstract:
            line, col = _line_of(paper, "abstract")
            first = seen_abstract[key]
            other = _name(first, config)
            if paper.doi and first.doi and paper.doi.lower() != first.doi.lower():
                # Two DOIs are two papers (import never merges them): a shared abstract is an
                # export's mistake (Mendeley's merged duplicates), worth a look, not an error.
                problems.append(Problem(f"same abstract as {other}, but another DOI", name, line, col,
                                        "one of the two abstracts is probably wrong", severity="warning"))
            else:
                problems.append(Problem(f"same abstract as {other}: the same paper twice?", name, line, col,
                                        "merge the two files, keeping both sources"))
        if key:
            seen_abstract.setdefault(key, paper)
        title = abstract_key(paper.title)
        if title and title in seen_title and not paper.title_is_derived:
            line, col = _line_of(paper, "title")
            other = _name(seen_title[title], config)
            problems.append(Problem(f"same title as {other}", name, line, col,
                                    "if they are different papers, ignore this", severity="warning"))
        if title:
            seen_title.setdefault(title, paper)
    return problems


def _vocabulary(papers: list[Paper], config: SiteConfig) -> list[Problem]:
    problems = []
    tags = {t.slug for t in config.tags}
    # Aliases help the did-you-mean: 'graph-neural-netwrok' is close to the alias of 'gnn'.
    aliases = {slugify(a): t.slug for t in config.tags for a in t.aliases if slugify(a)}
    topics = {t.slug for t in config.topics}
    proposed: Counter = Counter()  # unknown tags import chose and no person has touched since
    for paper in papers:
        name = _name(paper, config)
        if tags and config.unknown_tags != "ignore":
            by_import = paper.owned_by_machine("tags")
            for i, tag in enumerate(paper.tags):
                if tag not in tags and by_import:
                    proposed[tag] += 1
                elif tag not in tags:
                    line, col = _line_of(paper, f"tags[{i}]")
                    problems.append(Problem(f"tag '{tag}' is not in the tag vocabulary", name, line, col,
                                            _suggest(tag, tags, "add it to tags.yaml", aliases), config.unknown_tags))
        if config.unknown_topics != "ignore":
            for i, topic in enumerate(paper.topics):
                if topic not in topics:
                    line, col = _line_of(paper, f"topics[{i}]")
                    problems.append(Problem(f"topic '{topic}' is not defined in site.yaml", name, line, col,
                                            _suggest(topic, topics, "define it under topics: in site.yaml"),
                                            config.unknown_topics))
    if proposed:
        common = ", ".join(f"{tag} ({n})" for tag, n in sorted(proposed.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
        problems.append(Problem(f"{len(proposed)} tags outside the vocabulary were proposed by import "
                                f"({sum(proposed.values())} uses; most used: {common})", "tags.yaml", None, None,
                                "adopt the good ones in tags.yaml; `litsite retag` applies the vocabulary again",
                                config.unknown_tags))
    return problems


def _suggest(value: str, known: set[str], otherwise: str, aliases: dict[str, str] | None = None) -> str:
    candidates = {k: k for k in known} | (aliases or {})
    guess = difflib.get_close_matches(value, sorted(candidates), n=1)
    return f"did you mean '{candidates[guess[0]]}'?" if guess else otherwise


def format_problem(problem: Problem, style: str) -> str:
    if style == "github":
        # GitHub workflow commands: shown inline on the pull request's changed lines.
        level = "error" if problem.severity == "error" else "warning"
        path = (problem.path or "").replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
        where = f"file={path}"
        if problem.line:
            where += f",line={problem.line}"
            if problem.column:
                where += f",col={problem.column}"
        text = problem.message + (f" ({problem.hint})" if problem.hint else "")
        text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} {where},title=litsite check::{text}"
    return str(problem)
