"""How well search answers the judged query set (tests/fixtures/search/judged.yaml), for both
engines in Chromium, on the seed site: precision@5, recall@10, nDCG@10 by kind of query, and
the agreement of the two engines' top 10 (Jaccard). Writes bench/SEARCH_QUALITY.md.

    python bench/search_quality.py

Targets (issue 18): precision@5 >= 0.8 and nDCG@10 >= 0.8 for both engines; top-10 Jaccard
between the engines >= 0.7 on average.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import threading
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from generator.build.pipeline import build  # noqa: E402
from generator.content.config import load_config  # noqa: E402
from generator.serve.server import DevServer, make_handler  # noqa: E402

from projects import imported_site  # noqa: E402
from searchjudge import (  # noqa: E402
    author_fixture,
    hit_at,
    jaccard,
    judged_author_queries,
    judged_queries,
    run_both,
    score,
)

CHROMIUM = "/usr/bin/chromium"


def main() -> int:
    queries = judged_queries(REPO / "content" / "papers")
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "_site"
        build(load_config(REPO), output=site)
        server = DevServer(("127.0.0.1", 0), make_handler(site, None))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM)
                url = f"http://127.0.0.1:{server.server_address[1]}/"
                results = run_both(browser, site, url, queries)
                words_only = run_both(browser, site, url, queries, meaning=False)
                authors_site = imported_site(Path(scratch) / "authors", author_fixture())
                authors = judged_author_queries(Path(scratch) / "authors" / "content" / "papers")
                author_server = DevServer(("127.0.0.1", 0), make_handler(authors_site, None))
                threading.Thread(target=author_server.serve_forever, daemon=True).start()
                by_author = run_both(browser, authors_site, f"http://127.0.0.1:{author_server.server_address[1]}/",
                                     authors)
                author_server.shutdown()
                author_server.server_close()
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    lines = ["# Search quality on the judged query set", "",
             f"`python bench/search_quality.py`: {len(queries)} queries judged by reading the seed papers "
             "(tests/fixtures/search/judged.yaml), each run in Debian's Chromium through the search page: "
             "Pagefind over http, the offline index from file://. P@5 and R@10 count at most 5 and 10 relevant "
             "papers (a title query's one paper found first is full marks).", "",
             "## As readers get it (search by meaning on, the default)", ""]
    lines += report(queries, results)
    lines += ["", "## Words only (`?meaning=off`, the search page's switch)", ""]
    lines += report(queries, words_only)
    lines += ["", "## Author queries on a real bibliography", "",
              f"The seed papers have no authors: {len(authors)} author queries "
              "(tests/fixtures/search/judged-authors.yaml) on biblatex's example database "
              "(tests/fixtures/real/biblatex-examples.bib), imported into an empty project; a query's relevant "
              "papers are those with that person among their authors.", ""]
    lines += report(authors, by_author)
    (REPO / "bench" / "SEARCH_QUALITY.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


def report(queries, results) -> list[str]:
    kinds = sorted({q.kind for q in queries})
    lines = ["| queries | n | Pagefind P@5 | R@10 | nDCG@10 | offline P@5 | R@10 | nDCG@10 | top-10 Jaccard |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for kind in kinds + ["all"]:
        chosen = [q for q in queries if kind in ("all", q.kind)]
        online, offline = score(results["pagefind"], chosen), score(results["offline"], chosen)
        agree = statistics.mean(jaccard(results["pagefind"][q.q], results["offline"][q.q]) for q in chosen)
        lines.append(f"| {'**all**' if kind == 'all' else kind} | {len(chosen)} | {online.precision:.2f} | "
                     f"{online.recall:.2f} | {online.ndcg:.2f} | {offline.precision:.2f} | {offline.recall:.2f} | "
                     f"{offline.ndcg:.2f} | {agree:.2f} |")
    meaning = [q for q in queries if q.kind == "meaning"]
    if not meaning:
        return lines
    hits = {engine: sum(hit_at(results[engine][q.q], q.relevant) for q in meaning) for engine in results}
    lines += ["", "Meaning queries (no or almost no word shared with their papers) with a relevant paper in the top 5: "
              + ", ".join(f"{engine} {n} of {len(meaning)} ({n / len(meaning):.0%})" for engine, n in hits.items()) + ".",
              "", "Targets of issue 18: P@5 >= 0.8 and nDCG@10 >= 0.8 for both engines, Jaccard >= 0.7, "
              "meaning queries with a hit in the top 5 >= 70%.", "",
              "Queries that find none of their papers in the top 10 (engine: query):", ""]
    for engine in ("pagefind", "offline"):
        missed = [q.q for q in queries if not set(results[engine][q.q]) & q.relevant]
        lines.append(f"- {engine}: " + (", ".join(f"`{q}`" for q in missed) if missed else "none"))
    return lines


if __name__ == "__main__":
    sys.exit(main())
