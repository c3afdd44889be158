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
from generator.files import discard_staged, publish_staged, stage_file
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
    written, refused, staged = [], [], []
    try:
        for paper, (path, tmp, errors) in zip(papers, _staged_texts(config.papers_dir, papers), strict=True):
            if errors:
                where = ", ".join(f"{s.file}:{s.line}" if s.line else s.file for s in paper.sources) or "its sources"
                refused += [Problem(f"not written: {e} (from {where})", str(path.relative_to(config.root)),
                                    hint="fix the source entry and import again") for e in errors]
            elif tmp is not None:
                staged.append((tmp, path))
                written.append(path)
    except BaseException:
        discard_staged(staged)
        raise
    publish_staged(staged)
    return written, refused


Staged = tuple[Path, "str | None", list[str]]  # the file, its staged new text (None: unchanged or refused), its errors


def _staged_texts(folder: Path, papers: list[Paper]) -> list[Staged]:
    """Each paper's file text, checked for what `build` would reject and staged beside its file
    (files.stage_file), in order; by forked workers for a large import: rendering and re-reading
    YAML is most of the writing time, and one worker's waits on the disk overlap the other's work."""
    workers = fork_workers(True, len(papers), PARALLEL_FROM)
    if not workers:
        return _stage_texts(folder, papers)
    step = -(-len(papers) // (workers * 4))
    chunks = [papers[i:i + step] for i in range(0, len(papers), step)]
    found: dict[int, list[Staged]] = {}
    try:
        with ForkedJobs(_stage_chunk, (folder, chunks), list(range(len(chunks))), workers) as jobs:
            found.update(jobs.results())
    except BaseException:  # what the finished chunks staged; an unfinished one's is stale now
        discard_staged([(tmp, path) for rows in found.values() for path, tmp, _ in rows if tmp])
        raise
    return [staged for i in range(len(chunks)) for staged in found[i]]


def _stage_chunk(shared: tuple[Path, list[list[Paper]]], index: int) -> tuple[int, list[Staged]]:
    folder, chunks = shared
    return index, _stage_texts(folder, chunks[index])


def _stage_texts(folder: Path, papers: list[Paper]) -> list[Staged]:
    out: list[Staged] = []
    try:
        for paper in papers:
            path = folder / f"{paper.slug}.md"
            text = render_paper_file(paper)
            if path.exists() and path.read_text(encoding="utf-8") == text:
                out.append((path, None, []))
                continue
            errors = [p.message for p in check_paper_file(path, text)[1] if p.severity == "error"]
            out.append((path, None if errors else stage_file(path, text.encode("utf-8")), errors))
    except BaseException:
        discard_staged([(tmp, path) for path, tmp, _ in out if tmp])
        raise
    return out
