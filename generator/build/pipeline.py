"""`litsite build`: content -> site model -> rendered pages -> search indexes -> _site/.

Everything is rendered into a fresh folder beside `_site/`; only a complete build replaces
the previous one, so a failing or interrupted build leaves the last good site as it was.
Over an existing `_site/`, pages whose key is unchanged are linked from it (build/pagekeys.py).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from generator.analysis.related import RelatedIndex
from generator.analysis.text import Remembered, paper_terms, reading_terms, reading_text, terms
from generator.build.caches import cache_path, read_cache, signing_key, write_cache
from generator.build.inputs import input_digest
from generator.build.lock import output_lock
from generator.build.manifest import Previous, cache_dir, link_tree, load_previous, record, write_token
from generator.build.pagekeys import Keys, build_key, digest
from generator.build.writer import RenderJob, Written, copy_static, write_pages, write_range
from generator.console import say
from generator.content.config import SiteConfig
from generator.content.load import Parsed, load_valid_papers
from generator.content.readinglist import checked_against, read_reading_lists
from generator.files import FOLDER_MODE, atomic_write_text, publish_modes, raise_for_disk, swap_directory
from generator.render.exports import atom_feed, papers_bib, papers_csl, papers_json, papers_ris, robots, sitemap
from generator.render.formatted import FormattedCitations
from generator.render.renderer import Renderer
from generator.search.meaning import counted_words, write_meaning_index
from generator.search.offline import tokens, write_fallback_index
from generator.search.pagefind import PagefindRun, search_summary, start_pagefind
from generator.site import urls
from generator.site.docs import find_docs, read_intro
from generator.site.model import Site
from generator.site.pages import Page
from generator.site.plan import home_page, in_site_order, overview_page, paper_page, plan_collection_pages
from generator.workers import ForkedJobs, fork_workers, process_running

PARALLEL_FROM = 2000  # papers; below this the other pages render in this process, after the papers'


@dataclass
class Built:
    """What a build made: its summary, and the model `serve` keeps working with."""
    pages: list[Page]
    seconds: float
    output: Path
    site: Site
    renderer: Renderer
    related: RelatedIndex | None  # None when the neighbours came from the cache (build/caches.py)
    neighbours: dict[str, list[str]]
    rendered: int  # pages rendered; the others were unchanged since the last build
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        extra = "; ".join(self.notes)
        total = len(self.pages)
        fresh = f", {self.rendered} rendered, {total - self.rendered} unchanged" if self.rendered < total else ""
        return (f"built {total} pages into {self.output.name}/{fresh} in {self.seconds:.2f}s"
                + (f" ({extra})" if extra else ""))


def load_site(config: SiteConfig, parallel: bool = False, parsed: Parsed | None = None) -> Site:
    papers = load_valid_papers(config.papers_dir, parallel, config.read_rules, parsed)
    lists = checked_against(read_reading_lists(config), {p.slug for p in papers})
    return Site(config, papers, find_docs(config), read_intro(config), lists)


def build(config: SiteConfig, output: Path | None = None, search: bool = True, parallel: bool = True,
          wait: bool = False) -> Built:
    """Build into `output` (default `_site/`), holding its lock (build/lock.py) throughout."""
    output = output or config.output_dir
    with output_lock(output, wait, say):
        return _build(config, output, search, parallel, time.perf_counter(), input_digest(config, search))


def build_if_changed(config: SiteConfig, output: Path | None = None, search: bool = True,
                     wait: bool = False) -> str:
    """What `litsite build` does: a build, unless nothing it reads changed since the last build
    into `output` and that build's files are still there untouched (build/inputs.py). Returns
    the summary line."""
    output = output or config.output_dir
    with output_lock(output, wait, say):
        started = time.perf_counter()
        if output.parent.is_dir():
            _remove_stale_builds(output)  # a killed build's leftovers go even when nothing is built
        inputs = input_digest(config, search)
        previous = load_previous(output, None) if output.is_dir() else None
        if previous is not None and previous.inputs == inputs and previous.all_untouched():
            return (f"nothing changed since the last build: {len(previous.pages)} pages in {output.name}/ kept "
                    f"as they are (checked in {time.perf_counter() - started:.2f}s)")
        return _build(config, output, search, True, started, inputs).summary()


def _build(config: SiteConfig, output: Path, search: bool, parallel: bool, started: float, inputs: str) -> Built:
    """`inputs` is taken before anything is read: a file edited while this build runs makes the
    next build's digest differ from the recorded one, never the other way round."""
    timings: dict[str, float] = {}
    parsed: Parsed = read_cache(output, "papers") or {}
    splits = Splits.remembered(read_cache(output, "words"))
    with _stage(timings, "load"):
        site = load_site(config, parallel, parsed)
    citations = FormattedCitations(config.citation_style, cache_dir())
    with _stage(timings, "formatted citations"):
        citations.warm(site, parallel)
    renderer = Renderer(config.templates_dir, site.chrome(), citations)
    key = build_key(config.templates_dir, site.chrome())
    keys = Keys(key)
    previous = load_previous(output, key) if output.is_dir() else None
    others = [home_page(site)] + plan_collection_pages(site)
    pagefind: PagefindRun | None = None
    background: ForkedJobs | None = None
    staging: Path | None = None
    try:
        staging = _staging(output)
        # No page but a paper's shows related papers: the others (and the overview's map) render
        # in a second process while this one ranks them (TF-IDF runs on one core).
        if fork_workers(parallel, len(site.papers), PARALLEL_FROM):
            job = RenderJob(renderer, others, staging, keys, previous)
            background = ForkedJobs(_render_others, (job, site, splits), [0], 1)
        with _stage(timings, "related papers"):
            related, neighbours = _related(site, output, parallel, splits)
        with _stage(timings, "render paper pages"):
            paper_pages = [paper_page(site, p, neighbours) for p in site.papers]
            written = write_pages(RenderJob(renderer, paper_pages, staging, keys, previous), parallel)
        with _stage(timings, "render other pages"):
            if background is not None:
                part, overview = next(background.results())
            else:
                part, overview = _render_others((RenderJob(renderer, others, staging, keys, previous), site, splits), 0)
            written.absorb(part)
        pages = in_site_order(others, paper_pages, overview)
        search_key = _search_key(pages, written) if search else ""
        reuse = search and previous is not None and _search_reusable(previous, search_key)
        if search and not reuse:
            pagefind = start_pagefind(site, staging, cache_path(output, "search"), signing_key(),  # indexes while
                                      page_keys=written.keys, known=_known_documents(output))  # exports are written
        with _stage(timings, "exports"):
            write_exports(site, pages, staging)
            if config.static_dir.is_dir():
                copy_static(config, staging)
        notes: list[str] = []
        if search:
            with _stage(timings, "search index"):
                notes += _search_indexes(site, staging, pagefind, previous, reuse, splits)
        token = write_token(staging, key, written.keys, search_key)
        publish_modes(staging)
        swap_directory(staging, output)
    except BaseException:
        if pagefind is not None:
            pagefind.cancel()
        if background is not None:
            background.close()  # before the staging folder goes: it may still be writing there
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if background is not None:
            background.close()
    record(output, key, written.keys, search_key, token, inputs)
    write_cache(output, "papers", parsed)
    write_cache(output, "words", splits.kept())
    if pagefind is not None:
        write_cache(output, "documents", pagefind.known)
    citations.save()
    return Built(pages, time.perf_counter() - started, output, site, renderer, related, neighbours,
                 written.rendered, timings, notes)


@dataclass(frozen=True)
class Splits:
    """The tokenisers a build runs over every paper, remembering their splits from the last build
    (analysis/text.py): TF-IDF's terms (related papers, the map), the offline index's words, and
    the words the meaning vectors count."""
    terms: Remembered
    words: Remembered
    meaning: Remembered

    @classmethod
    def remembered(cls, cached: object) -> Splits:
        known = cached if isinstance(cached, dict) else {}
        return cls(Remembered(terms, known.get("terms")), Remembered(tokens, known.get("words")),
                   Remembered(counted_words, known.get("meaning")))

    def kept(self) -> dict[str, dict[bytes, str]]:
        return {"terms": self.terms.kept(), "words": self.words.kept(), "meaning": self.meaning.kept()}


def _related(site: Site, output: Path, parallel: bool,
             splits: Splits) -> tuple[RelatedIndex | None, dict[str, list[str]]]:
    """Every paper's related papers; taken from the last build when every reading text, and
    their order, is the same (a function of those texts alone: tests/test_rebuild.py)."""
    texts = digest(tuple((p.slug, reading_text(p)) for p in site.papers))
    cached = read_cache(output, "related")
    if isinstance(cached, tuple) and cached[0] == texts:
        return None, cached[1]
    related = RelatedIndex(site.papers, document=partial(reading_terms, split=splits.terms))
    neighbours = related.all_neighbours(parallel)
    write_cache(output, "related", (texts, neighbours))
    return related, neighbours


def _known_documents(output: Path) -> dict[str, tuple[str, str]]:
    """Each searchable page's key and search document digest in the last build (a page whose key
    is the same has the same document: search/pagefind.py writes only the others)."""
    known = read_cache(output, "documents")
    return known if isinstance(known, dict) else {}


def _render_others(shared: tuple[RenderJob, Site, Splits], _task: int) -> tuple[Written, Page]:
    """Every page but the papers', then the overview (its map is the costly part)."""
    job, site, splits = shared
    written = write_range(job, (0, len(job.pages)), folders_made=False)
    overview = overview_page(site, partial(paper_terms, split=splits.terms))
    written.absorb(write_range(RenderJob(job.renderer, [overview], job.folder, job.keys, job.previous), (0, 1)))
    return written, overview


@contextlib.contextmanager
def _stage(timings: dict[str, float], name: str) -> Iterator[None]:
    clock = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - clock


def _staging(output: Path) -> Path:
    """A fresh folder beside `output`, named with this process's pid (see _remove_stale_builds)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_builds(output)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.build-{os.getpid()}-", dir=output.parent))
    except OSError as exc:
        raise_for_disk(exc, output.parent)
        raise
    staging.chmod(FOLDER_MODE)  # mkdtemp makes it private; a published site must be readable
    return staging


def _remove_stale_builds(output: Path) -> None:
    """Leftovers of builds that were killed half-way. Called under the output's lock, so no
    other litsite is building here; the pid in the name is checked all the same, and a folder
    whose owner still runs is left alone."""
    for stale in output.parent.glob(f".{output.name}.build-*"):
        owner = stale.name.removeprefix(f".{output.name}.build-").split("-")[0]
        if owner.isdigit() and int(owner) != os.getpid() and process_running(int(owner)):
            continue
        shutil.rmtree(stale, ignore_errors=True)


def write_exports(site: Site, pages: list[Page], folder: Path) -> None:
    if site.config.base_url:  # the sitemap protocol takes absolute URLs only
        atomic_write_text(folder / urls.SITEMAP, sitemap(site, pages))
    else:
        (folder / urls.SITEMAP).unlink(missing_ok=True)  # serve writes in place: drop an old one
    for name, text in ((".nojekyll", ""), (urls.FEED, atom_feed(site)),
                       (urls.ROBOTS, robots(site)), (urls.PAPERS_JSON, papers_json(site)),
                       (urls.PAPERS_BIB, papers_bib(site)), (urls.PAPERS_CSL, papers_csl(site)),
                       (urls.PAPERS_RIS, papers_ris(site))):
        atomic_write_text(folder / name, text)


def _search_key(pages: list[Page], written: Written) -> str:
    """Pagefind reads exactly the searchable pages: equal keys, equal index."""
    return digest(sorted((p.path, written.keys[p.path]) for p in pages if p.searchable))


def _search_reusable(previous: Previous, search_key: str) -> bool:
    return (previous.search == search_key and previous.untouched(f"{urls.PAGEFIND}/pagefind-entry.json")
            and previous.untouched_under(f"{urls.PAGEFIND}/"))


def _search_indexes(site: Site, staging: Path, pagefind: PagefindRun | None, previous: Previous | None,
                    reuse: bool, splits: Splits) -> list[str]:
    """Wait for Pagefind (or, when no searchable page changed, link its index from the previous
    build) and write the offline indexes: the keyword index afresh (~1 s at 10,000 papers), the
    meaning vectors linked from the previous build when made from the same texts."""
    fallback = write_fallback_index(site, staging, splits.words)
    kept = previous.folder if previous is not None and previous.untouched(urls.MEANING_INDEX) else None
    meaning = write_meaning_index(site, staging, kept, splits.meaning)
    if reuse:
        assert previous is not None
        link_tree(previous.folder / urls.PAGEFIND, staging / urls.PAGEFIND)
        return ["search indexes unchanged"]
    assert pagefind is not None
    return search_summary(site, pagefind.finish(), fallback, meaning)
