"""Import at scale: 10,000 papers from one BibTeX file and from one raw dump, a re-import with
nothing new, and `check` beside `build` — with pandoc reading the same .bib (what a user would
run to convert it) and bibtexparser alone (the parsing floor) side by side, in one run.

    python bench/import_speed.py            # 10,000 papers, medians of 3 runs; writes bench/IMPORT.md
    python bench/import_speed.py --papers 2000 --runs 1

Targets (issue 15): dump import <= 15 s, BibTeX import <= 10 s, re-import <= 5 s, check < build;
(issue 19): retag of 10,000 papers <= 10 s.
"""
from __future__ import annotations

import argparse
import itertools
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
sys.path.insert(0, str(REPO / "tests"))

from synth import make_papers  # noqa: E402

LITSITE = [sys.executable, "-m", "generator"]


def bib_entry(n: int, paper) -> str:
    authors = f"Family{n % 997}, Given{n % 53} and Other{n % 389}, Person{n % 31}"  # 997 x 53 people
    return (f"@article{{synth{n},\n  title = {{{paper.title}}},\n  author = {{{authors}}},\n"
            f"  journal = {{Journal of Synthetic Results {n % 40}}},\n  year = {{{1990 + n % 35}}},\n"
            f"  doi = {{10.5555/synth.{n}}},\n  abstract = {{{paper.abstract}}}\n}}\n")


def write_inputs(folder: Path, count: int) -> tuple[Path, Path]:
    papers = make_papers(count)
    bib = folder / "library.bib"
    bib.write_text("\n".join(bib_entry(n, p) for n, p in enumerate(papers)), encoding="utf-8")
    dump = folder / "listing.txt"  # a listing page: each paper's title line, then its abstract
    dump.write_text("\n\n".join(f"{p.title}\n{p.abstract}" for p in papers) + "\n", encoding="utf-8")
    return bib, dump


def fresh_project(folder: Path) -> Path:
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "content" / "papers").mkdir(parents=True)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, folder / name)
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, folder / name)
    return folder


def run(command: list[str], cwd: Path) -> float:
    # Each step starts on a settled disk: deleting the previous run's 10,000 files (the
    # preparation) is written back for seconds, and that is not the step's time.
    os.sync()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.perf_counter() - started
    if done.returncode != 0:  # a step that failed (or skipped entries) would time nothing useful
        raise RuntimeError(f"{' '.join(map(str, command))} failed ({done.returncode}): {done.stderr[-1500:]}")
    return seconds


FLOOR = """import os, sys, tempfile
source, target = sys.argv[1], sys.argv[2]
for name in sorted(os.listdir(source)):
    data = open(os.path.join(source, name), "rb").read()
    fd, tmp = tempfile.mkstemp(dir=target, prefix="." + name + ".", suffix=".tmp"); os.write(fd, data); os.close(fd)
    os.replace(tmp, os.path.join(target, name))
"""


def file_floor(papers: Path, target: Path) -> float:
    """Seconds a plain loop takes to create the files an import wrote: this disk's share, which
    no change to litsite removes (0.03 ms a file when the disk is idle, 0.5 ms when it is busy)."""
    target.mkdir()  # a new one each time, deleted with the rest at the end (see main's empty())
    return run([sys.executable, "-c", FLOOR, str(papers), str(target)], target)


def measure(runs: int, prepare, command: list[str], cwd_of) -> list[float]:
    times = []
    for _ in range(runs):
        cwd = prepare()  # "{cwd}" in the command is the folder prepare() made
        times.append(run([str(cwd) if part == "{cwd}" else part for part in command], cwd_of(cwd)))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "IMPORT.md")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="litsite-import-bench-"))
    try:
        bib, dump = write_inputs(work, args.papers)
        fresh = itertools.count()
        rows = []

        def empty() -> Path:
            # A new folder each time, the old ones deleted only at the end: deleting 10,000
            # files just before a run (ext4 mounted with `discard` here: the TRIMs run while
            # the next files are created) cost that run 1-2 s of file creation, which is this
            # script's doing, not the import's.
            return fresh_project(work / f"site-{next(fresh)}")

        imports, floors = [], []
        for _ in range(args.runs):  # each import, then the disk's floor for its files, at once after
            project = empty()
            imports.append(run([*LITSITE, "--root", str(project), "import", str(bib)], project))
            floors.append(file_floor(project / "content" / "papers", work / f"floor-{next(fresh)}"))
        rows.append(("`litsite import library.bib` into an empty collection", imports))
        rows.append((f"the disk's floor: a {len(FLOOR.splitlines())}-line Python loop creating the same "
                     f"{args.papers:,} files (temp file + rename, as import does), right after each import",
                     floors))
        rows.append(("`litsite import library.bib` again, nothing new",
                     measure(args.runs, lambda: project, [*LITSITE, "--root", str(project), "import", str(bib)],
                             lambda p: p)))
        rows.append(("`litsite check`", measure(args.runs, lambda: project, [*LITSITE, "--root", str(project), "check"],
                                                lambda p: p)))
        rows.append(("`litsite retag` (issue 19: <= 10 s), every paper assigned again", measure(
            args.runs, lambda: project, [*LITSITE, "--root", str(project), "retag"], lambda p: p)))
        def unbuilt() -> Path:
            shutil.rmtree(project / "_site", ignore_errors=True)
            return project
        rows.append(("`litsite build` (with Pagefind), same collection",
                     measure(args.runs, unbuilt, [*LITSITE, "--root", str(project), "build"], lambda p: p)))
        rows.append(("`litsite import listing.txt` (raw dump) into an empty collection",
                     measure(args.runs, empty, [*LITSITE, "--root", "{cwd}", "import", str(dump)], lambda p: p)))
        rows += side_by_side(args.runs, bib, work)
        report(args, rows)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def side_by_side(runs: int, bib: Path, work: Path) -> list[tuple[str, list[float] | None]]:
    rows: list[tuple[str, list[float] | None]] = []
    try:
        import pypandoc

        pandoc = pypandoc.get_pandoc_path()
        rows.append(("pandoc -f bibtex -t csljson library.bib (the same file, converted)",
                     measure(runs, lambda: work, [pandoc, "-f", "bibtex", "-t", "csljson", "-o", "out.json", str(bib)],
                             lambda p: p)))
    except (ImportError, OSError):
        rows.append(("pandoc (pypandoc_binary not installed)", None))
    parse = ("import bibtexparser, sys; from bibtexparser import middlewares as m; "
             "bibtexparser.parse_file(sys.argv[1], append_middleware=[m.LatexDecodingMiddleware()])")
    rows.append(("bibtexparser 2 alone, decoding every field's LaTeX (how litsite read .bib before; it now decodes only values with TeX)",
                 measure(runs, lambda: work, [sys.executable, "-c", parse, str(bib)], lambda p: p)))
    return rows


def report(args: argparse.Namespace, rows: list[tuple[str, list[float] | None]]) -> None:
    cpus = os.cpu_count()
    lines = [f"# Import at {args.papers:,} papers", "",
             f"`python bench/import_speed.py --papers {args.papers} --runs {args.runs}` on {platform.machine()}, "
             f"{cpus} CPUs, Python {platform.python_version()}; medians of {args.runs} runs, one run of this script.",
             "", "| step | seconds (median) | each run |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {'—' if times is None else f'{statistics.median(times):.1f}'} | "
              f"{'' if times is None else ', '.join(f'{t:.2f}' for t in times)} |" for name, times in rows]
    notes = args.out.with_name("IMPORT-NOTES.md")  # the reading of the figures, by a person, kept across runs
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").rstrip()]
    text = "\n".join(lines) + "\n"
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    raise SystemExit(main())
