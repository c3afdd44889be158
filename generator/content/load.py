"""Loading a whole collection of paper files, in parallel when it is large."""
from __future__ import annotations

from pathlib import Path

from generator.content.paper import Paper
from generator.content.validate import check_paper_file
from generator.errors import InputError, Problem
from generator.files import ReadRules
from generator.workers import ForkedJobs, fork_workers

PARALLEL_FROM = 2000  # files; below this, forking workers costs more than it saves


def load_papers(folder: Path, parallel: bool = False,
                rules: ReadRules | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every paper under `folder`, sorted by slug, and all problems found on the way.

    With `parallel`, large collections are parsed by one forked process per core: building
    Python objects from YAML is most of the time, and only the results are sent back."""
    rules = rules or ReadRules(folder)
    paths = sorted(folder.glob("*.md"))
    workers = fork_workers(parallel, len(paths), PARALLEL_FROM)
    if workers:
        step = -(-len(paths) // (workers * 4))
        chunks = [paths[i:i + step] for i in range(0, len(paths), step)]
        with ForkedJobs(_check_chunk, (chunks, rules), list(range(len(chunks))), workers) as jobs:
            found = dict(jobs.results())
        parts = [found[i] for i in range(len(chunks))]  # slug order, whatever order they came in
    else:
        parts = [_check_files(paths, rules)]
    return [p for papers, _ in parts for p in papers], [p for _, problems in parts for p in problems]


def _check_chunk(shared: tuple[list[list[Path]], ReadRules],
                 index: int) -> tuple[int, tuple[list[Paper], list[Problem]]]:
    chunks, rules = shared
    return index, _check_files(chunks[index], rules)


def _check_files(paths: list[Path], rules: ReadRules) -> tuple[list[Paper], list[Problem]]:
    papers, problems = [], []
    for path in paths:
        paper, found = check_paper_file(path, rules=rules)
        problems += found
        if paper is not None:
            papers.append(paper)
    return papers, problems


def load_valid_papers(folder: Path, parallel: bool = False, rules: ReadRules | None = None) -> list[Paper]:
    """Every paper under `folder`; any invalid file stops the command with all the problems."""
    papers, problems = load_papers(folder, parallel, rules)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    return papers
