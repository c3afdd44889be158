"""Search speed and size in Chromium at 10,000 papers: both engines, meaning search on and off.

    python bench/search_speed.py            # 10,000 synthetic papers, writes bench/SEARCH_SPEED.md
    python bench/search_speed.py --papers 50000

Builds the synthetic collection with both search indexes, then, in Debian's Chromium:
- offline (file://): each query typed into an open search page, twice over, the second time
  warm; the time is the one the page reports (`#search-status[data-ms]`: the engines' work,
  vectors and fusion included, no rendering);
- online (http, Pagefind): a new browser context per query (nothing cached), from navigation
  to the moment the first results are in the page, meaning on (the offline index and the
  vectors load too, since meaning-only results are shown from them) and off.
Also: the vectors' size, and the time the build spends learning them (median of 3).
Targets (issue 18): offline <= 50 ms per query (median), online first results <= 300 ms cold,
meaning search adds <= 20 ms per query, vectors <= 2 MB at 10,000 papers.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote_plus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # synth.py, shared with the tests

from playwright.sync_api import sync_playwright  # noqa: E402

from generator.build.pipeline import build  # noqa: E402
from generator.content.config import load_config  # noqa: E402
from generator.search.meaning import meaning_index  # noqa: E402
from generator.search.offline import index_order  # noqa: E402
from generator.serve.server import DevServer, make_handler  # noqa: E402
from generator.site.model import Site  # noqa: E402

from synth import make_project  # noqa: E402

QUERIES = ["network pruning", "depth", "graph neural networks message passing", "quant", "learning rate",
           "vision transformers", "policy", "scene flow", "low rank adaptation", "making models smaller"]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def typed_query_ms(page, query: str) -> float:
    """Types `query` into the open search page and returns the engine time it reports."""
    page.evaluate("""q => { delete document.getElementById('search-status').dataset.total;
                           const box = document.getElementById('search-query'); box.value = q;
                           box.dispatchEvent(new Event('input')); }""", query)
    page.wait_for_function("""q => { const s = document.getElementById('search-status');
                                     return s.dataset.total !== undefined && s.textContent.includes(q.trim()); }""",
                           arg=query, timeout=120_000)
    return float(page.get_attribute("#search-status", "data-ms") or "nan")


def offline_times(browser, site: Path, meaning: bool) -> tuple[list[float], list[float]]:
    """(first time each query runs, the same query again) in one page opened from file://."""
    page = browser.new_page()
    page.goto(site.resolve().as_uri() + "/search.html" + ("" if meaning else "?meaning=off"))
    page.wait_for_selector("body[data-search-ready]", timeout=120_000)
    print(f"offline, meaning {'on' if meaning else 'off'}", file=sys.stderr, flush=True)
    first = [typed_query_ms(page, q) for q in QUERIES]
    again = [typed_query_ms(page, q) for q in QUERIES]  # each input event searches, the same words too
    page.close()
    return first, again


def online_cold_ms(browser, base: str, meaning: bool) -> list[float]:
    times = []
    print(f"online, meaning {'on' if meaning else 'off'}", file=sys.stderr, flush=True)
    for query in QUERIES:
        context = browser.new_context()
        page = context.new_page()
        started = time.perf_counter()
        page.goto(f"{base}search.html?q={quote_plus(query)}" + ("" if meaning else "&meaning=off"))
        page.wait_for_selector("#search-status[data-total]", timeout=120_000)
        times.append((time.perf_counter() - started) * 1000)
        assert page.get_attribute("#search-status", "data-backend") == "pagefind"
        context.close()
    return times


STAGES = """async q => { const t0 = performance.now(); const pf = await import('/pagefind/pagefind.js');
  await pf.options({ excerptLength: 30 }); await pf.init(); const t1 = performance.now();
  await pf.filters(); const t2 = performance.now();
  const s = await pf.search(q); const t3 = performance.now();
  await Promise.all(s.results.slice(0, 50).map(r => r.data())); const t4 = performance.now();
  return [t1 - t0, t2 - t1, t3 - t2, t4 - t3]; }"""


def pagefind_stages(browser, base: str) -> list[list[float]]:
    """Where a cold online search spends its time, Pagefind's own calls timed in the page:
    [init, filter index, search, the first 50 results' data] per query."""
    out = []
    for query in QUERIES:
        context = browser.new_context()
        page = context.new_page()
        page.goto(base + "404.html")  # a page of the site without the search script
        out.append(page.evaluate(STAGES, query))
        context.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = make_project(args.papers, Path(scratch) / "synth")
        config = load_config(project)
        build(config)
        site = project / "_site"
        from generator.content.load import load_valid_papers
        papers = index_order(Site(config, load_valid_papers(config.papers_dir)))
        learn = []
        for _ in range(3):
            started = time.perf_counter()
            meaning_index(papers)
            learn.append(time.perf_counter() - started)
        sizes = {name: (site / name).stat().st_size for name in ("search-vectors.js", "search-index.js")}
        server = DevServer(("127.0.0.1", 0), make_handler(site, None))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                offline = {m: offline_times(browser, site, m) for m in (True, False)}
                online = {m: online_cold_ms(browser, base, m) for m in (True, False)}
                stages = pagefind_stages(browser, base)
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    report(args.papers, learn, sizes, offline, online, stages)


def report(papers: int, learn, sizes, offline, online, stages) -> None:
    med = statistics.median
    lines = [f"# Search speed at {papers:,} papers", "",
             f"`python bench/search_speed.py --papers {papers}` (synthetic collection of tests/synth.py; "
             f"{len(QUERIES)} queries; Debian's Chromium, headless; 2 cores). Medians, slowest in brackets.", "",
             "| | meaning on | meaning off | meaning adds | target |", "| --- | ---: | ---: | ---: | ---: |"]

    def row(name, on, off, target):
        lines.append(f"| {name} | {med(on):.1f} ms ({max(on):.0f}) | {med(off):.1f} ms ({max(off):.0f}) | "
                     f"{med(on) - med(off):+.1f} ms | {target} |")

    row("offline query, first time (vectors load on the first one)", offline[True][0], offline[False][0], "")
    row("offline query, warm", offline[True][1], offline[False][1], "<= 50 ms; meaning <= +20 ms")
    row("online (Pagefind) first results, cold, from navigation", online[True], online[False], "<= 300 ms")
    lines += ["", f"- search-vectors.js: {sizes['search-vectors.js'] / 1e6:.2f} MB (target <= 2 MB); "
              f"search-index.js: {sizes['search-index.js'] / 1e6:.2f} MB.",
              f"- learning the vectors at build time (TF-IDF + truncated SVD): median {med(learn):.2f} s of 3 runs.",
              "- where a cold online search goes, Pagefind's own calls timed in the page (medians): "
              + ", ".join(f"{name} {med(s[i] for s in stages):.0f} ms" for i, name in
                          enumerate(("init", "filter index", "search", "data of the first 50 results")))
              + ". With meaning on, the offline index and the vectors load beside them (meaning-only results are "
              "shown from the offline index)."]
    (REPO / "bench" / f"SEARCH_SPEED{'' if papers == 10_000 else f'_{papers}'}.md").write_text(
        "\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
