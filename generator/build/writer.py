"""Rendering pages into a folder: each page's key recorded, unchanged pages taken from the
previous build, large sites on one forked worker per core."""
from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.manifest import Previous
from generator.build.pagekeys import Keys
from generator.console import Progress
from generator.content.config import SiteConfig
from generator.files import atomic_write_many, atomic_write_text, is_inside, link_or_copy, raise_for_disk, write_new_text
from generator.render.renderer import Renderer
from generator.site import urls
from generator.site.pages import Page
from generator.workers import ForkedJobs, fork_workers

PARALLEL_FROM = 2000  # pages; below this, starting worker processes costs more than it saves
CHUNK = 250


@dataclass
class RenderJob:
    """Pages to write into `folder`. With `previous`, a page whose key is unchanged is linked
    from the previous build instead of rendered; `atomic` for a live site being served."""
    renderer: Renderer
    pages: list[Page]
    folder: Path
    keys: Keys
    previous: Previous | None = None
    atomic: bool = False


@dataclass
class Written:
    keys: dict[str, str] = field(default_factory=dict)  # path -> page key, for every page
    rendered: int = 0  # pages rendered; the others were unchanged since the previous build

    def absorb(self, other: Written) -> None:
        self.keys.update(other.keys)
        self.rendered += other.rendered


def write_pages(job: RenderJob, parallel: bool = True) -> Written:
    """Render and write the job's pages. Large sites render in one forked process per core:
    the site model is shared copy-on-write, so nothing is pickled but page ranges (and, back,
    page keys). (`serve` renders in-process: it has threads.)"""
    prepare_folders(job.folder, job.pages)
    progress = Progress("rendering", len(job.pages))
    workers = fork_workers(parallel, len(job.pages), PARALLEL_FROM)
    written = Written()
    bounds = [(i, min(i + CHUNK, len(job.pages))) for i in range(0, len(job.pages), CHUNK)]
    if workers:
        with ForkedJobs(write_range, job, bounds, workers) as jobs:
            for part in jobs.results():
                written.absorb(part)
                progress.advance(len(part.keys))
    else:
        for part in map(lambda b: write_range(job, b), bounds):
            written.absorb(part)
            progress.advance(len(part.keys))
    progress.close()
    return written


def prepare_folders(folder: Path, pages: list[Page]) -> None:
    for parent in {(folder / page.path).parent for page in pages}:
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise_for_disk(exc, parent)
            raise


def write_range(job: RenderJob, bounds: tuple[int, int], folders_made: bool = True) -> Written:
    """Write pages[a:b] (their folders made already, unless `folders_made` is false)."""
    pages = job.pages[bounds[0]:bounds[1]]
    if not folders_made:
        prepare_folders(job.folder, pages)
    written = Written()
    staged: list[tuple[Path, bytes]] | None = [] if job.atomic else None
    for page in pages:
        write_page(job, page, written, staged)
    if staged:
        atomic_write_many(staged)  # one sync for the range, not one fsync a page (3 ms each)
    return written


def write_page(job: RenderJob, page: Page, written: Written, staged: list[tuple[Path, bytes]] | None = None) -> None:
    """Render one page (or link it from the previous build); an atomic job's page is added to
    `staged`, for the caller to write with the rest of its range."""
    key = written.keys[page.path] = job.keys.key(page)
    if job.previous is not None and job.previous.reusable(page.path, key) \
            and _reuse(job.previous.folder / page.path, job.folder / page.path):
        return
    written.rendered += 1
    html = job.renderer.render(page)
    if job.atomic:
        if staged is None:
            atomic_write_text(job.folder / page.path, html)
        else:
            staged.append((job.folder / page.path, html.encode("utf-8")))
    else:
        write_new_text(job.folder / page.path, html)


def _reuse(previous: Path, target: Path) -> bool:
    try:
        link_or_copy(previous, target)
        return True
    except FileNotFoundError:  # removed by hand since the last build: render it again
        return False


def copy_static(config: SiteConfig, folder: Path) -> None:
    """static/ -> <site>/static/, never following a symlink out of the project."""
    target = folder / urls.STATIC
    for path in sorted(config.static_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and is_inside(path, config.static_dir):
            destination = target / path.relative_to(config.static_dir)
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, destination)
            except OSError as exc:
                raise_for_disk(exc, destination, path.stat().st_size)
                raise
