"""litsite against the tools users would pick, on the same synthetic collection.

    python bench/run.py                 # 1k and 10k papers, comparisons at 10k, writes bench/RESULTS.md
    python bench/run.py --with-50k      # also 50,000 papers (memory and page size; ~10 minutes more)
    python bench/run.py --with-150k     # also 150,000 papers (one build; ~15 minutes more)
    python bench/run.py --runs 3        # runs per measurement (medians are reported)

Needs Debian's `hugo` (apt-get install hugo) and Material for MkDocs in bench/.venv-mkdocs
(`make bench` sets both up). A tool that is missing is reported as such, never invented.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench"
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "tests"))  # synth.py, shared with the tests

from synth import make_papers, make_project  # noqa: E402

PYTHON = sys.executable
MKDOCS = BENCH / ".venv-mkdocs" / "bin" / "mkdocs"
PEAK = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
        "stderr=subprocess.PIPE, text=True); sys.stderr.write(r.stderr[-2000:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)")


def timed(command: list[str], cwd: Path, env: dict | None = None, timeout: float | None = None) -> tuple[float, int]:
    """Wall time and the peak RSS (KiB) of the largest process the command started."""
    started = time.perf_counter()
    done = subprocess.run([PYTHON, "-c", PEAK, *command], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=timeout)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stderr[-1500:]}")
    return seconds, int(done.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values)


# -- litsite ----------------------------------------------------------------------------------

def from_nothing(project: Path) -> dict:
    """No output, no manifest, no cache beside it, and an empty user cache (formatted citations
    live there): what a fresh clone on a CI machine builds from."""
    shutil.rmtree(project / "_site", ignore_errors=True)
    for left in project.glob("._site.*"):
        if left.is_dir():
            shutil.rmtree(left)  # the search shards
        else:
            left.unlink()
    user_cache = project / ".bench-user-cache"
    shutil.rmtree(user_cache, ignore_errors=True)
    return {"PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(user_cache)}


def litsite_build(project: Path, runs: int, *options: str) -> dict:
    """Builds from nothing (from_nothing)."""
    times, peaks, stages = [], [], []
    for _ in range(runs):
        seconds, peak = timed([PYTHON, str(BENCH / "stages.py"), str(project), *options], project,
                              from_nothing(project))
        times.append(seconds)
        peaks.append(peak)
        stages.append(json.loads((project / ".bench-stages.json").read_text()))
    site = project / "_site"
    papers = sorted(p.stat().st_size for p in (site / "papers").glob("*.html"))
    files = [p for p in site.rglob("*") if p.is_file()]
    return {
        "seconds": median(times), "runs": times, "peak_mib": max(peaks) / 1024,
        "stages": {k: median([s[k] for s in stages]) for k in stages[0]},
        "files": len(files), "bytes": sum(f.stat().st_size for f in files),
        "paper_page_median": statistics.median(papers), "paper_page_max": papers[-1],
    }


def litsite_rebuilds(project: Path, runs: int) -> dict:
    """`litsite build` over the previous output, as a user runs it (build_if_changed): nothing
    changed, then one paper's title edited per run."""
    import re

    env = from_nothing(project)

    def one() -> tuple[float, int]:
        seconds, _ = timed([PYTHON, str(BENCH / "stages.py"), str(project), "--if-changed"], project, env)
        return seconds, json.loads((project / ".bench-stages.json").read_text())["rendered"]

    one()  # the output (and the caches) every rebuild starts from
    unchanged = [one() for _ in range(runs)]
    edited = []
    papers = sorted((project / "content" / "papers").glob("*.md"))
    for n in range(runs):
        path = papers[n * 97 % len(papers)]
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^title: .*$", f"title: Edited title {n}", text, count=1, flags=re.M), encoding="utf-8")
        edited.append(one())
    return {"unchanged": median([s for s, _ in unchanged]), "unchanged_rendered": unchanged[0][1],
            "one_edit": median([s for s, _ in edited]), "one_edit_rendered": median([r for _, r in edited])}


def pagefind_alone(project: Path) -> dict:
    """Pagefind's own CLI over the paper pages litsite wrote: its time and peak memory."""
    site = project / "_site"
    shutil.rmtree(site / "pagefind-alone", ignore_errors=True)
    seconds, peak = timed([PYTHON, "-m", "pagefind", "--site", str(site), "--glob", "papers/*.html",
                           "--output-subdir", "pagefind-alone", "--silent"], project)
    shutil.rmtree(site / "pagefind-alone", ignore_errors=True)
    return {"seconds": seconds, "peak_mib": peak / 1024}


def edit_latency(project: Path) -> tuple[list[float], list[float]]:
    from edit_latency import measure

    return measure(project, edits=10)


# -- Hugo + Pagefind ------------------------------------------------------------------------

HUGO_CONFIG = """baseURL = "https://example.org/"
title = "Synthetic literature"
disableKinds = ["RSS"]
[taxonomies]
  tag = "tags"
  topic = "topics"
"""
RELATED_BLOCK = ('<ul>{{ range first 5 (.Site.RegularPages.Related .) }}<li><a href="{{ .RelPermalink }}">'
                 '{{ .Title }}</a></li>{{ end }}</ul>')
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
</head><body><nav><a href="{{ "/" | relURL }}">Home</a> {{ range .Site.Taxonomies.topics.ByCount }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }} ({{ .Count }})</a> {{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>""",
    "_default/single.html": """{{ define "main" }}<article data-pagefind-body><h1>{{ .Title }}</h1>{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p></article>
""" + RELATED_BLOCK + """{{ end }}""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ $p := .Paginate .Pages 100 }}
<ul>{{ range $p.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ template "_internal/pagination.html" . }}{{ end }}""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ .Count }}</li>{{ end }}</ul>{{ end }}""",
}


def make_hugo(papers, folder: Path, related: bool = True) -> Path:
    """A Hugo site of the same papers: paper pages, tag and topic pages, the topic list on every
    page; with `related`, each paper page also lists its 5 related papers (as litsite's do),
    without it, it is the plain Hugo site issue 19 compares with."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content" / "papers").mkdir(parents=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        if not related:
            assert RELATED_BLOCK in text or name != "_default/single.html"
            text = text.replace(RELATED_BLOCK, "")
        (folder / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / name).write_text(text)
    for paper in papers:
        front = {"title": paper.title, "date": paper.added.isoformat(), "tags": paper.tags, "topics": paper.topics}
        (folder / "content" / "papers" / f"{paper.slug}.md").write_text(
            "---\n" + json.dumps(front) + "\n---\n" + paper.abstract + "\n")
    return folder


def hugo_build(folder: Path, runs: int) -> dict:
    if not shutil.which("hugo"):
        return {"missing": "hugo is not installed (apt-get install hugo)"}
    hugo, pagefind, peaks = [], [], []
    for _ in range(runs):
        shutil.rmtree(folder / "public", ignore_errors=True)
        seconds, peak = timed(["hugo", "--quiet", "-d", "public"], folder)
        hugo.append(seconds)
        seconds, peak2 = timed([PYTHON, "-m", "pagefind", "--site", "public", "--silent"], folder)
        pagefind.append(seconds)
        peaks.append(max(peak, peak2))
    version = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    return {"hugo": median(hugo), "pagefind": median(pagefind), "seconds": median([a + b for a, b in zip(hugo, pagefind, strict=True)]),
            "peak_mib": max(peaks) / 1024, "version": version}


# -- Material for MkDocs ---------------------------------------------------------------------

def make_mkdocs(papers, folder: Path, short_nav: bool = True) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "docs" / "papers").mkdir(parents=True)
    (folder / "docs" / "index.md").write_text("# Synthetic literature\n")
    (folder / "docs" / "tags.md").write_text("# Tags\n\n<!-- material/tags -->\n")
    # An explicit short nav: with the default (every page in the navigation of every page),
    # one build of 10,000 pages ran for over 13 minutes here before it was stopped.
    nav = "nav:\n  - index.md\n  - tags.md\n" if short_nav else ""
    # Without a short nav, every paper is in the navigation: Material's advice for large sites
    # is then the navigation.prune feature, which is what this configuration uses.
    features = "" if short_nav else "  features:\n    - navigation.prune\n"
    (folder / "mkdocs.yml").write_text("site_name: Synthetic literature\ntheme:\n  name: material\n" + features +
                                       "plugins:\n  - search\n  - tags\n" + nav)
    for paper in papers:
        tags = "".join(f"  - {t}\n" for t in paper.tags)
        (folder / "docs" / "papers" / f"{paper.slug}.md").write_text(
            f"---\ntags:\n{tags}---\n# {paper.title}\n\n{paper.abstract}\n")
    return folder


def mkdocs_build(folder: Path, runs: int, limit: float | None = None) -> dict:
    if not MKDOCS.exists():
        return {"missing": "Material for MkDocs is not installed in bench/.venv-mkdocs (make bench)"}
    times, peaks = [], []
    for _ in range(runs):
        shutil.rmtree(folder / "site", ignore_errors=True)
        try:
            seconds, peak = timed([str(MKDOCS), "build", "-q"], folder, timeout=limit)
        except subprocess.TimeoutExpired:
            return {"stopped_after": limit}
        times.append(seconds)
        peaks.append(peak)
    version = subprocess.run([str(MKDOCS), "--version"], capture_output=True, text=True).stdout.split()[2]
    return {"seconds": median(times), "peak_mib": max(peaks) / 1024, "version": version}


# -- report -----------------------------------------------------------------------------------

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) / 1024 / 1024:.0f} GiB, {platform.system()} {platform.release()}"


def versions() -> str:
    import jinja2
    import markdown_it
    import sklearn

    pagefind = subprocess.run([PYTHON, "-m", "pagefind", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"Python {platform.python_version()}, Jinja2 {jinja2.__version__}, markdown-it-py {markdown_it.__version__}, "
            f"scikit-learn {sklearn.__version__}, {pagefind}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-50k", action="store_true")
    parser.add_argument("--with-150k", action="store_true", help="also one build of 150,000 papers (~15 minutes)")
    parser.add_argument("--only-tools", action="store_true", help="Hugo and MkDocs only, merged into --out")
    parser.add_argument("--mkdocs-full-nav", type=float, metavar="MINUTES", default=0,
                        help="also one MkDocs build with every paper in its nav (navigation.prune), "
                             "stopped after MINUTES")
    parser.add_argument("--out", type=Path, default=BENCH / "RESULTS.json")
    parser.add_argument("--only-sizes", type=int, nargs="+", metavar="N",
                        help="litsite at these sizes only (no other tools), merged into --out")
    args = parser.parse_args()
    results: dict = {"machine": machine(), "versions": versions(), "runs": args.runs}
    if (args.only_tools or args.only_sizes) and args.out.exists():
        results = json.loads(args.out.read_text())
    with tempfile.TemporaryDirectory(prefix="litsite-bench-") as scratch:
        scratch = Path(scratch)
        sizes = [] if args.only_tools else ([1000, 10_000] + ([50_000] if args.with_50k else [])
                                            + ([150_000] if args.with_150k else []))
        sizes = args.only_sizes or sizes
        for n in sizes:
            print(f"litsite, {n} papers ...", flush=True)
            project = make_project(n, scratch / f"litsite-{n}")
            runs = args.runs if n <= 10_000 else 1
            results[f"litsite_{n}"] = litsite_build(project, runs)
            if 10_000 <= n <= 50_000:
                results[f"pagefind_alone_{n}"] = pagefind_alone(project)
            if n == 10_000:
                print("render part alone, and rebuilds over an existing output ...", flush=True)
                results["litsite_10000_no_pagefind"] = litsite_build(project, runs, "--no-pagefind")
                results["litsite_10000_rebuilds"] = litsite_rebuilds(project, runs)
                print("edit latency at 10,000 papers ...", flush=True)
                results["edit_latency_10000"], results["edit_complete_10000"] = edit_latency(project)
            shutil.rmtree(project)
            args.out.write_text(json.dumps(results, indent=1))  # partial results survive an interruption
        if args.only_sizes:
            args.out.write_text(json.dumps(results, indent=1))
            return
        papers = make_papers(10_000)
        print("Hugo + Pagefind, 10,000 papers ...", flush=True)
        results["hugo_10000"] = hugo_build(make_hugo(papers, scratch / "hugo"), args.runs)
        print("plain Hugo (no related papers) + Pagefind, 10,000 papers ...", flush=True)
        results["hugo_plain_10000"] = hugo_build(make_hugo(papers, scratch / "hugo-plain", related=False), args.runs)
        args.out.write_text(json.dumps(results, indent=1))
        print("Material for MkDocs, 10,000 papers ...", flush=True)
        results["mkdocs_10000"] = mkdocs_build(make_mkdocs(papers, scratch / "mkdocs"), max(1, args.runs - 1))
        if args.mkdocs_full_nav:
            print("Material for MkDocs, every paper in the nav, 10,000 papers ...", flush=True)
            results["mkdocs_full_nav_10000"] = mkdocs_build(make_mkdocs(papers, scratch / "mkdocs-nav", short_nav=False),
                                                            1, args.mkdocs_full_nav * 60)
    args.out.write_text(json.dumps(results, indent=1))
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
