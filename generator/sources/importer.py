"""`litsite import`: read every input first, then write; a bad input writes nothing."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.content.config import SiteConfig
from generator.content.frontmatter import render_paper_file
from generator.content.load import load_valid_papers
from generator.content.paper import Paper
from generator.content.validate import check_paper_file
from generator.errors import Problem
from generator.files import atomic_write_many
from generator.sources.merge import ImportPlan, plan_import
from generator.sources.readers import input_files, read_records
from generator.sources.records import Record
from generator.workers import ForkedJobs, fork_workers


@dataclass
class ImportResult:
    plan: ImportPlan
    shapes: list[tuple[str, str, int]]  # (source name, shape, records)
    written: list[Path]
    problems: list[Problem]  # entries skipped or flagged; the rest was imported


def source_name(path: Path, root: Path) -> str:
    """How a source is recorded: relative to the project when inside it, so clones agree."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


def run_import(config: SiteConfig, files: list[Path], today: dt.date, dry_run: bool = False,
               assign=None, fmt: str | None = None) -> ImportResult:
    """Import `files` into content/papers. `assign(papers, all_papers)` fills tags and topics;
    `fmt` (readers.FORMATS) reads every file as that format."""
    records: list[Record] = []
    shapes = []
    skipped: list[Problem] = []
    for path in input_files(files):
        name = source_name(path, config.root)
        found, shape, problems = read_records(path, name, fmt)
        records += found
        skipped += problems
        shapes.append((name, shape, len(found)))
    existing = load_valid_papers(config.papers_dir, parallel=True, rules=config.read_rules)
    plan = plan_import(records, existing, today)
    if assign is not None:
        # Only new papers are tagged here: a merge fills missing fields and keeps everything
        # else as it was (`litsite retag` re-runs assignment deliberately).
        assign(plan.added, existing + plan.added, plan.keywords)
    written, refused = ([], []) if dry_run else _write(config, plan.changed)
    return ImportResult(plan, shapes, written, skipped + refused)


PARALLEL_FROM = 2000  # papers to write; below this, forking workers costs more than it saves


def _write(config: SiteConfig, papers: list[Paper]) -> tuple[list[Path], list[Problem]]:
    """Write the papers that changed. Each text is checked as `build` will check it first:
    one that would be rejected is not written (the readers' normalise() should make that
    impossible; this is the guarantee, and the error says what slipped through)."""
    for stale in config.papers_dir.glob(".*.tmp"):  # left by an import that was killed mid-write
        stale.unlink(missing_ok=True)
    written, refused, texts = [], [], []
    for paper, (path, text, errors) in zip(papers, _checked_texts(config.papers_dir, papers), strict=True):
        if text is None:
            continue
        if errors:
            where = ", ".join(f"{s.file}:{s.line}" if s.line else s.file for s in paper.sources) or "its sources"
            refused += [Problem(f"not written: {e} (from {where})", str(path.relative_to(config.root)),
                                hint="fix the source entry and import again") for e in errors]
            continue
        texts.append((path, text.encode("utf-8")))
        written.append(path)
    atomic_write_many(texts)
    return written, refused


Checked = tuple[Path, "str | None", list[str]]  # the file, its new text (None: unchanged), its errors


def _checked_texts(folder: Path, papers: list[Paper]) -> list[Checked]:
    """Each paper's file text and what `build` would reject in it, in order; by forked workers
    for a large import (rendering and re-reading YAML is most of the writing time)."""
    workers = fork_workers(True, len(papers), PARALLEL_FROM)
    if not workers:
        return _check_texts(folder, papers)
    step = -(-len(papers) // (workers * 4))
    chunks = [papers[i:i + step] for i in range(0, len(papers), step)]
    with ForkedJobs(_check_chunk, (folder, chunks), list(range(len(chunks))), workers) as jobs:
        found = dict(jobs.results())
    return [checked for i in range(len(chunks)) for checked in found[i]]


def _check_chunk(shared: tuple[Path, list[list[Paper]]], index: int) -> tuple[int, list[Checked]]:
    folder, chunks = shared
    return index, _check_texts(folder, chunks[index])


def _check_texts(folder: Path, papers: list[Paper]) -> list[Checked]:
    checked: list[Checked] = []
    for paper in papers:
        path = folder / f"{paper.slug}.md"
        text = render_paper_file(paper)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            checked.append((path, None, []))
            continue
        errors = [p.message for p in check_paper_file(path, text)[1] if p.severity == "error"]
        checked.append((path, text, errors))
    return checked
