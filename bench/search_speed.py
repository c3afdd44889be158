"""Offline search query time in Chromium at 10,000 papers (cold page per query).

    python bench/search_speed.py            # 10,000 synthetic papers
    python bench/search_speed.py --papers 50000

Builds the synthetic collection's search page and offline index, opens each query from
file:// in Debian's Chromium and reads the query time the page itself reports
(`#search-status[data-ms]`, the engine's work only). Prints the median and the slowest.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote_plus

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # synth.py, shared with the tests

from playwright.sync_api import sync_playwright  # noqa: E402

from generator.build.pipeline import build  # noqa: E402
from generator.content.config import load_config  # noqa: E402

from synth import make_project  # noqa: E402

QUERIES = ["network pruning", "depth", "graph neural networks message passing", "quant", "learning rate",
           "vision transformers", "policy", "scene flow", "low rank adaptation", "ti"]


def measure(papers: int) -> list[float]:
    with tempfile.TemporaryDirectory() as scratch:
        project = make_project(papers, Path(scratch) / "synth")
        build(load_config(project), search=False)  # the offline index is written either way
        page = (project / "_site" / "search.html").resolve().as_uri()
        times = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            for query in QUERIES:
                tab = browser.new_page()
                tab.goto(page + "?q=" + quote_plus(query))
                tab.wait_for_selector("#search-status[data-total]", timeout=60000)
                times.append(float(tab.get_attribute("#search-status", "data-ms") or "nan"))
                tab.close()
            browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    args = parser.parse_args()
    times = measure(args.papers)
    print(f"offline search at {args.papers} papers: median {statistics.median(times):.1f} ms, "
          f"slowest {max(times):.1f} ms over {len(times)} queries (cold page each)")


if __name__ == "__main__":
    main()
