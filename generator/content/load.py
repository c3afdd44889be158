"""Loading a whole collection of paper files, in parallel when it is large."""
from __future__ import annotations

import hashlib
from pathlib import Path

from generator.content.paper import Paper
from generator.content.validate import check_paper_file
from generator.errors import InputError, Problem
from generator.files import ReadRules, decode_text
from generator.workers import ForkedJobs, fork_workers

PARALLEL_FROM = 2000  # files; below this, forking workers costs more than it saves


# (file path, digest of its bytes) -> what check_paper_file made of those bytes at that path.
Parsed = dict[tuple[str, bytes], tuple["Paper | None", list[Problem]]]


def load_papers(folder: Path, parallel: bool = False, rules: ReadRules | None = None,
                parsed: Parsed | None = None) -> tuple[list[Paper], list[Problem]]:
    """Every paper under `folder`, sorted by slug, and all problems found on the way.

    With `parallel`, large collections are parsed by one forked process per core: building
    Python objects from YAML is most of the time, and only the results are sent back.
    With `parsed` (a cache kept by the caller), a file whose bytes are a key there is not
    parsed again; `parsed` is left holding exactly the current files' entries."""
    rules = rules or ReadRules(folder)
    paths = sorted(folder.glob("*.md"))
    if parsed is not None:
        return _load_known(paths, rules, parallel, parsed)
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


def _load_known(paths: list[Path], rules: ReadRules, parallel: bool,
                parsed: Parsed) -> tuple[list[Paper], list[Problem]]:
    workers = fork_workers(parallel, len(paths), PARALLEL_FROM)
    if workers:  # reading and hashing on the workers too: the cache is theirs to read (forked)
        step = -(-len(paths) // (workers * 4))
        chunks = [paths[i:i + step] for i in range(0, len(paths), step)]
        with ForkedJobs(_known_chunk, (chunks, rules, parsed), list(range(len(chunks))), workers) as jobs:
            outcome = {path: found for _, part in jobs.results() for path, found in part.items()}
    else:
        outcome = _known_chunk(([paths], rules, parsed), 0)[1]
    results: dict[Path, tuple[Paper | None, list[Problem]]] = {}
    current: Parsed = {}
    for path in paths:
        key, result = outcome[path]
        results[path] = parsed[key] if result is None and key is not None else result or (None, [])
        if key is not None:
            current[key] = results[path]
    parsed.clear()
    parsed.update(current)
    papers = [paper for path in paths if (paper := results[path][0]) is not None]
    return papers, [problem for path in paths for problem in results[path][1]]


_Outcome = tuple["tuple[str, bytes] | None", "tuple[Paper | None, list[Problem]] | None"]


def _known_chunk(shared: tuple[list[list[Path]], ReadRules, Parsed], index: int) -> tuple[int, dict[Path, _Outcome]]:
    """Path -> (its cache key, what it parses to); None for a paper the cache already holds,
    so that cached papers are not sent back from a worker."""
    chunks, rules, parsed = shared
    out: dict[Path, _Outcome] = {}
    for path in chunks[index]:
        try:
            data = rules.read(path)
        except InputError as exc:
            out[path] = (None, (None, exc.problems))
            continue
        key = (str(path), hashlib.blake2b(data, digest_size=16).digest())
        # Parsed from the very bytes that were hashed: a file changing meanwhile cannot put one
        # version's paper under another version's key.
        out[path] = (key, None) if key in parsed else (key, _parse(path, data, rules))
    return index, out


def _parse(path: Path, data: bytes, rules: ReadRules) -> tuple[Paper | None, list[Problem]]:
    try:
        text = decode_text(data, path)
    except InputError as exc:
        return None, exc.problems
    return check_paper_file(path, text, rules)


def load_valid_papers(folder: Path, parallel: bool = False, rules: ReadRules | None = None,
                      parsed: Parsed | None = None) -> list[Paper]:
    """Every paper under `folder`; any invalid file stops the command with all the problems."""
    papers, problems = load_papers(folder, parallel, rules, parsed)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    return papers
