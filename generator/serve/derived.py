"""What `serve` refreshes once edits settle, made in a child process: related papers for every
paper, the overview, the exports and the search indexes.

In a thread of the serving process this work shared two cores and Python's lock with the next
edit, and scipy's products hold that lock for a whole chunk of rows: an edit waited for them
(10,000 papers: 609 ms to the page served with a thread, against ~30 ms of its own work). The
child reads the collection from disk, which is what `serve` holds in memory while no change is
pending (a change counted meanwhile kills the child: its result would be stale), runs at a lower
CPU priority, and sends back the fitted related-papers model and every paper's neighbours.

    python -m generator.serve.derived ROOT OUTPUT SEARCH RESULT
"""
from __future__ import annotations

import os
import pickle
import sys
from pathlib import Path

from generator.analysis.related import RelatedIndex
from generator.analysis.text import reading_terms
from generator.build.caches import cache_path, signing_key
from generator.build.pagekeys import Keys, build_key
from generator.build.pipeline import load_site, write_exports
from generator.build.writer import RenderJob, write_pages
from generator.content.config import load_config
from generator.errors import InputError
from generator.files import atomic_write_bytes
from generator.render.renderer import Renderer
from generator.search.meaning import write_meaning_index
from generator.search.offline import write_fallback_index
from generator.search.pagefind import search_summary, start_pagefind
from generator.site.plan import overview_page, plan_site


def refresh(root: Path, output: Path, search: bool) -> tuple[RelatedIndex, dict[str, list[str]], list[str]]:
    """Write the derived pages of the project at `root` into `output`; return the related-papers
    model, every paper's neighbours and the search summary."""
    config = load_config(root)
    site = load_site(config)
    related = RelatedIndex(site.papers, document=reading_terms)
    neighbours = related.all_neighbours(parallel=False)
    keys = Keys(build_key(config.templates_dir, site.chrome()))
    renderer = Renderer(config.templates_dir, site.chrome())
    write_pages(RenderJob(renderer, [overview_page(site)], output, keys, atomic=True), parallel=False)
    write_exports(site, plan_site(site, neighbours), output)
    if not search:
        return related, neighbours, []
    pagefind = start_pagefind(site, output, cache_path(output, "search"), signing_key())
    try:
        fallback = write_fallback_index(site, output)
        meaning = write_meaning_index(site, output, output)  # kept when its texts are the same
        return related, neighbours, search_summary(site, pagefind.finish(), fallback, meaning)
    except BaseException:
        pagefind.cancel()
        raise


def main(argv: list[str]) -> int:
    root, output, search, result = Path(argv[0]), Path(argv[1]), argv[2] == "search", Path(argv[3])
    os.nice(10)  # an edit made meanwhile comes first
    try:
        made = refresh(root, output, search)
    except InputError as exc:  # told to the person running serve, in one line per problem
        print(exc, file=sys.stderr)
        return 1
    atomic_write_bytes(result, pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
