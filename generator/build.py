"""`litsite build`: content -> site model -> rendered pages -> _site/, swapped in atomically.

Everything is rendered into a fresh folder beside `_site/`; only a complete build replaces
the previous one, so a failing or interrupted build leaves the last good site as it was.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing as mp
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import SiteConfig
from generator.console import Progress
from generator.content import load_valid_papers
from generator.errors import InputError
from generator.fsutil import atomic_write_text, is_inside, swap_directory
from generator.manifest import Previous, build_key, link_or_copy, link_tree, load_previous, record, write_token
from generator.outputs import atom_feed, papers_bib, papers_json, robots, sitemap
from generator.related import RelatedIndex
from generator.pagekeys import Digests, chrome_key, item_digest, paper_digest, stable_digest, stable_key
from generator.render import Renderer
from generator.site import DocSource, Page, Site, home_page, paper_page, plan_collection_pages
from generator.workers import fork_workers

# Paths the generator writes itself; a docs page may not take one of them.
RESERVED = {"index.html", "search.html", "tags.html", "topics.html", "attention.html", "404.html", "years.html",
            "overview.html",
            "sitemap.xml", "feed.xml", "robots.txt", "papers.json", "papers.bib"}
RESERVED_DIRS = {"papers", "tags", "topics", "list", "static", "pagefind", "years", "authors", "attention"}


@dataclass
class BuildResult:
    pages: int
    seconds: float
    output: Path
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    site: Site | None = None
    planned: list[Page] = field(default_factory=list)
    renderer: Renderer | None = None
    related_index: RelatedIndex | None = None

    rendered: int = 0  # pages rendered; the others were unchanged since the last build

    def summary(self) -> str:
        extra = "; ".join(self.notes)
        fresh = f", {self.rendered} rendered, {self.pages - self.rendered} unchanged" if self.rendered < self.pages else ""
        return (f"built {self.pages} pages into {self.output.name}/{fresh} in {self.seconds:.2f}s"
                + (f" ({extra})" if extra else ""))


def load_site(config: SiteConfig, parallel: bool = False) -> Site:
    """The site model without related papers (rank_related adds them: only paper pages show them)."""
    papers = load_valid_papers(config.papers_dir, parallel)
    intro_path = config.content_dir / "index.md"
    intro = intro_path.read_text(encoding="utf-8") if intro_path.exists() else ""
    return Site(config, papers, {}, docs=find_docs(config), intro=intro)


def rank_related(site: Site, parallel: bool = False) -> RelatedIndex:
    index = RelatedIndex(site.papers)
    site.related = index.all_neighbours(parallel)
    return index


def find_docs(config: SiteConfig) -> list[DocSource]:
    """Markdown under content/ other than papers and the home intro: each becomes a docs page."""
    docs = []
    content = config.content_dir
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content)
        if rel.parts[0] == "papers" or rel.as_posix() == "index.md":
            continue
        if not is_inside(path, content):
            raise InputError("links outside content/; docs pages must live inside it", path)
        output = rel.with_suffix(".html").as_posix()
        if output in RESERVED or rel.parts[0] in RESERVED_DIRS or not re.fullmatch(r"[A-Za-z0-9_./-]+", output):
            raise InputError(f"the docs page would be written to '{output}', which litsite uses itself or "
                             "which is not a safe file name", path, hint="rename the file")
        text = path.read_text(encoding="utf-8")
        title_match = re.match(r"\s*#\s+(.+)\n", text)
        title = title_match.group(1).strip() if title_match else path.stem.replace("-", " ").capitalize()
        body = text[title_match.end():] if title_match else text
        docs.append(DocSource(path, output, title, body))
    return docs


@dataclass
class Keyed:
    """Page keys for the build manifest, and the previous build to take unchanged pages from."""
    items: Digests
    full: Digests
    previous: Previous | None
    keys: dict[str, str] = field(default_factory=dict)
    rendered: int = 0

    def absorb(self, keys: dict[str, str], rendered: int) -> None:
        """What a forked worker learnt (its own copy of this object dies with it)."""
        self.keys.update(keys)
        self.rendered += rendered

    def search_key(self, pages: list[Page]) -> str:
        """The search indexes cover exactly the searchable pages: equal keys, equal indexes."""
        return stable_digest(sorted((p.path, self.keys[p.path]) for p in pages if p.searchable))


def build(config: SiteConfig, output: Path | None = None, live_reload: str | None = None,
          search: bool = True, parallel: bool = True) -> BuildResult:
    started = time.perf_counter()
    output = output or config.output_dir
    timings: dict[str, float] = {}
    with _stage(timings, "load"):
        site = load_site(config, parallel)
    renderer = Renderer(site, config.templates_dir, live_reload)
    others = [home_page(site)] + plan_collection_pages(site)
    key = build_key([repr(config), chrome_key(site), site.intro, str(dt.date.today().year), live_reload or ""],
                    config.templates_dir)
    keyed = Keyed(Digests(site, item_digest), Digests(site, paper_digest),
                  load_previous(output, key) if output.is_dir() else None)
    staging = _staging(output)
    notes: list[str] = []
    pagefind = background = None
    try:
        # No page but a paper's shows related papers: the others render in a second process
        # while this one ranks them (TF-IDF runs on one core).
        if fork_workers(parallel, len(site.papers), PARALLEL_FROM):
            background = BackgroundRender(renderer, others, staging, keyed)
        with _stage(timings, "related papers"):
            related = rank_related(site, parallel)
        with _stage(timings, "render paper pages"):
            paper_pages = [paper_page(site, p) for p in site.papers]
            write_pages(renderer, paper_pages, staging, parallel=parallel, keyed=keyed)
        with _stage(timings, "render other pages"):
            if background is not None:
                background.wait(keyed)
            else:
                write_pages(renderer, others, staging, parallel=parallel, keyed=keyed)
        pages = others[:1] + paper_pages + others[1:]  # plan_site's order
        search_key = keyed.search_key(pages)
        reuse_search = search and _search_unchanged(keyed.previous, search_key)
        if search and not reuse_search:
            from generator.search import start_pagefind

            pagefind = start_pagefind(site, staging)  # indexes while the exports are written
        with _stage(timings, "exports"):
            write_extras(site, pages, staging, config)
        if search:
            with _stage(timings, "search index"):
                notes += _search_indexes(site, staging, pagefind, keyed.previous if reuse_search else None)
        search_key = search_key if search else ""
        token = write_token(staging, key, keyed.keys, search_key)
        swap_directory(staging, output)
    except BaseException:
        for job in (pagefind, background):
            if job is not None:
                job.cancel()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    record(output, key, keyed.keys, search_key, token)
    return BuildResult(len(pages), time.perf_counter() - started, output, timings, notes, site, pages, renderer,
                       related, rendered=keyed.rendered)


@contextlib.contextmanager
def _stage(timings: dict[str, float], name: str):
    clock = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - clock


def _staging(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(output)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.build-", dir=output.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a published site must be readable
    return staging


def _search_indexes(site: Site, staging: Path, pagefind, previous: Previous | None) -> list[str]:
    """Wait for Pagefind and write the offline index; or, when no searchable page changed since
    the previous build, link both from it."""
    from generator.search import FALLBACK_FILE, search_summary, write_fallback_index

    if previous is not None:
        link_tree(previous.folder / "pagefind", staging / "pagefind")
        link_or_copy(previous.folder / FALLBACK_FILE, staging / FALLBACK_FILE)
        return ["search indexes unchanged"]
    fallback = write_fallback_index(site, staging)
    return search_summary(site, pagefind.finish(), fallback)


def _search_unchanged(previous: Previous | None, search_key: str) -> bool:
    from generator.search import FALLBACK_FILE

    return previous is not None and bool(search_key) and previous.search == search_key \
        and (previous.folder / "pagefind" / "pagefind-entry.json").is_file() \
        and (previous.folder / FALLBACK_FILE).is_file()


def _remove_stale_builds(output: Path) -> None:
    """Leftovers of builds that were killed half-way; never the live site."""
    for stale in output.parent.glob(f".{output.name}.build-*"):
        shutil.rmtree(stale, ignore_errors=True)


PARALLEL_FROM = 2000  # pages; below this, starting worker processes costs more than it saves
CHUNK = 250
_JOB: tuple | None = None  # (renderer, pages, folder, atomic, keyed), inherited by forked workers


def write_pages(renderer: Renderer, pages: list[Page], folder: Path, atomic: bool = False,
                parallel: bool = True, keyed: Keyed | None = None) -> None:
    """Render and write pages; `atomic` for writing into a live site that is being served.
    With `keyed`, record each page's key and take unchanged pages from the previous build.

    Large sites render in one forked process per core: the site model is shared copy-on-write,
    so nothing is pickled but page numbers (and, back, page keys). (`serve` renders in-process:
    it has threads.)
    """
    for parent in {(folder / page.path).parent for page in pages}:
        parent.mkdir(parents=True, exist_ok=True)
    progress = Progress("rendering", len(pages))
    workers = fork_workers(parallel, len(pages), PARALLEL_FROM)
    if workers:
        global _JOB
        _JOB = (renderer, pages, folder, atomic, keyed)
        try:
            chunks = [(i, min(i + CHUNK, len(pages))) for i in range(0, len(pages), CHUNK)]
            with mp.get_context("fork").Pool(workers) as pool:
                for done, problems, keys, rendered in pool.imap_unordered(_render_chunk, chunks):
                    if problems:
                        raise InputError.from_problems(problems)
                    if keyed is not None:
                        keyed.absorb(keys, rendered)
                    progress.advance(done)
        finally:
            _JOB = None
    else:
        for page in pages:
            _write_page(renderer, page, folder, atomic, keyed)
            progress.advance()
    progress.close()


class BackgroundRender:
    """Pages rendered in one forked process while this one does other work."""

    def __init__(self, renderer: Renderer, pages: list[Page], folder: Path, keyed: Keyed | None):
        global _JOB
        for parent in {(folder / page.path).parent for page in pages}:
            parent.mkdir(parents=True, exist_ok=True)
        _JOB = (renderer, pages, folder, False, keyed)
        try:
            self.pool = mp.get_context("fork").Pool(1)  # the worker is forked here, with _JOB
        finally:
            _JOB = None
        self.result = self.pool.apply_async(_render_chunk, ((0, len(pages)),))

    def wait(self, keyed: Keyed | None) -> None:
        done, problems, keys, rendered = self.result.get()
        self.pool.close()
        self.pool.join()
        if problems:
            raise InputError.from_problems(problems)
        if keyed is not None:
            keyed.absorb(keys, rendered)

    def cancel(self) -> None:
        self.pool.terminate()


def _render_chunk(bounds: tuple[int, int]) -> tuple[int, list | None, dict, int]:
    renderer, pages, folder, atomic, keyed = _JOB
    if keyed is not None:  # what this worker learns goes back to the parent, not into its copy
        keyed = Keyed(keyed.items, keyed.full, keyed.previous)
    try:
        for page in pages[bounds[0]:bounds[1]]:
            _write_page(renderer, page, folder, atomic, keyed)
    except InputError as exc:  # sent back as data: exceptions with extra fields don't pickle well
        return 0, exc.problems, {}, 0
    return bounds[1] - bounds[0], None, keyed.keys if keyed else {}, keyed.rendered if keyed else 0


def _write_page(renderer: Renderer, page: Page, folder: Path, atomic: bool, keyed: Keyed | None = None) -> None:
    if keyed is not None:
        key = keyed.keys[page.path] = stable_key(page, keyed.items, keyed.full)
        # A page with a `prepare` step (the overview) shows more than its key says: always render it.
        if page.prepare is None and keyed.previous is not None and keyed.previous.reusable(page.path, key) \
                and _reuse(keyed.previous.folder / page.path, folder / page.path):
            return
        keyed.rendered += 1
    html = renderer.render(page)
    if atomic:
        atomic_write_text(folder / page.path, html)
    else:
        (folder / page.path).write_text(html, encoding="utf-8")


def _reuse(previous: Path, target: Path) -> bool:
    try:
        link_or_copy(previous, target)
        return True
    except FileNotFoundError:  # removed by hand since the last build: render it again
        return False


def write_extras(site: Site, pages: list[Page], folder: Path, config: SiteConfig, static: bool = True) -> None:
    if static and config.static_dir.is_dir():
        copy_static(config, folder)
    for name, text in ((".nojekyll", ""), ("sitemap.xml", sitemap(site, pages)), ("feed.xml", atom_feed(site)),
                       ("robots.txt", robots(site)), ("papers.json", papers_json(site)),
                       ("papers.bib", papers_bib(site))):
        atomic_write_text(folder / name, text)


def copy_static(config: SiteConfig, folder: Path) -> None:
    """static/ -> <site>/static/, never following a symlink out of the project."""
    target = folder / "static"
    for path in sorted(config.static_dir.rglob("*")):
        if path.is_file() and not path.is_symlink() and is_inside(path, config.static_dir):
            destination = target / path.relative_to(config.static_dir)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
