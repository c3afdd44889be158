"""How many of the exact top-5 related papers the cluster search finds (generator/related.py).

    python bench/related_recall.py 50000            # a synthetic collection of that size
    python bench/related_recall.py --content DIR    # a real collection: DIR/*.md paper files

Ranks every paper with the cluster search, then 500 sampled papers exactly, and prints the
share of exact neighbours found and the cluster search's time.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests"))  # synth.py, shared with the tests


def main() -> None:
    import numpy as np

    from generator.analysis.related import RelatedIndex
    from generator.content.load import load_valid_papers

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("papers", type=int, nargs="?", default=50_000)
    parser.add_argument("--content", type=Path, help="a folder of paper files instead of a synthetic collection")
    args = parser.parse_args()
    if args.content:
        papers = load_valid_papers(args.content)
    else:
        from synth import make_papers

        papers = make_papers(args.papers)
    index = RelatedIndex(papers)
    started = time.perf_counter()
    clustered = index._rank_by_clusters()
    seconds = time.perf_counter() - started
    sample = sorted(np.random.default_rng(1).choice(len(papers), min(500, len(papers)), replace=False))
    exact = index._rank(index.matrix[sample], [index.slugs[i] for i in sample])
    found = sum(len(set(clustered[s]) & set(exact[s])) for s in exact) / max(1, sum(len(v) for v in exact.values()))
    print(f"{len(papers)} papers: cluster search {seconds:.1f} s; it finds {found:.1%} of the exact top 5 "
          f"of {len(sample)} sampled papers")


if __name__ == "__main__":
    main()
