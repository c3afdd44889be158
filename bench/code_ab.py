"""Two versions of litsite side by side on the same synthetic collection, in the order given
(A B B A evens out an hour's drift): a build from nothing, then one title edit built over it.

    git worktree add /tmp/old <commit>
    python bench/code_ab.py --old /tmp/old --papers 10000 old new new old

Each build starts without output or caches beside it; the user cache (formatted citations) is
shared and warmed by a first, unreported build, so the rows compare the rest of the build.
Prints one JSON row per build: wall seconds, peak RSS of the largest process, pages rendered.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import tempfile
from pathlib import Path

from run import PYTHON, REPO, timed  # run.py puts tests/ (synth.py) on the path

from synth import make_project


def build(tree: Path, project: Path, env: dict, *options: str) -> tuple[float, int, dict]:
    seconds, peak = timed([PYTHON, str(tree / "bench" / "stages.py"), str(project), *options], project, env)
    return seconds, peak // 1024, json.loads((project / ".bench-stages.json").read_text())


def clean(project: Path) -> None:
    shutil.rmtree(project / "_site", ignore_errors=True)
    for left in project.glob("._site.*"):
        shutil.rmtree(left) if left.is_dir() else left.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", type=Path, required=True, help="a worktree of the other version")
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("order", nargs="+", choices=["old", "new"])
    args = parser.parse_args()
    trees = {"old": args.old.resolve(), "new": REPO}
    with tempfile.TemporaryDirectory(prefix="litsite-ab-") as folder:
        side_by_side(args, trees, Path(folder))


def side_by_side(args: argparse.Namespace, trees: dict[str, Path], scratch: Path) -> None:
    project = make_project(args.papers, scratch / f"ab-{args.papers}")
    papers = sorted((project / "content" / "papers").glob("*.md"))
    user = scratch / "ab-user-cache"
    for n, name in enumerate(["new", *args.order]):
        env = {"PYTHONPATH": str(trees[name]), "XDG_CACHE_HOME": str(user)}
        clean(project)
        full, peak, stages = build(trees[name], project, env)
        path = papers[n * 97 % len(papers)]
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^title: .*$", f"title: Edited title {n}", text, count=1, flags=re.M), encoding="utf-8")
        edit, edit_peak, edited = build(trees[name], project, env, "--if-changed")
        if n:  # the first build only warms the user cache
            print(json.dumps({"code": name, "full": round(full, 1), "peak_mib": peak,
                              "search_wait": round(stages.get("search index", 0), 1), "edit": round(edit, 1),
                              "edit_rendered": edited["rendered"], "edit_peak_mib": edit_peak}), flush=True)


if __name__ == "__main__":
    main()
