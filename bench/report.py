"""bench/RESULTS.json -> bench/RESULTS.md: the figures, the targets, and whether each is met."""
from __future__ import annotations

import json
import statistics
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> None:
    r = json.loads((BENCH / "RESULTS.json").read_text())
    lines = ["# Benchmark results", "",
             "Reproduce with `make bench` (or `.venv/bin/python bench/run.py --with-50k --with-150k && "
             ".venv/bin/python bench/report.py`; `make bench` also runs `bench/import_speed.py`, whose "
             "figures are in [IMPORT.md](IMPORT.md) and under Import below).", "",
             f"- Machine: {r['machine']}", f"- Versions: {r['versions']}",
             f"- Medians of {r['runs']} runs at 1,000 and 10,000 papers (1 run at 50,000 and at 150,000; MkDocs: "
             f"{max(1, r['runs'] - 1)} runs). Same synthetic corpus for every tool (`bench/synth.py`: realistic "
             "titles, 150-250 word abstracts over a ~20,000-word vocabulary, 2-5 tags, 1-2 topics).", ""]
    lines += ["## litsite", "", "Builds from nothing: no previous output, no cache beside it, and an empty user cache (where "
              "formatted citations are kept across projects), as on a fresh CI machine. Stages: formatted "
              "citations = citeproc-py on one forked worker per core; load = read and check every paper "
              "file; related = TF-IDF and top-5 neighbours, while a second process renders every page but the "
              "paper pages; paper pages = rendered on one forked worker per core; then exports while Pagefind "
              "runs, and the wait for it.", "",
              "| papers | full build (s) | load | formatted citations | related (+ other pages) | paper pages | exports "
              "| search index wait | peak RSS (MiB) | files | MiB | paper page median (bytes) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for n in (1000, 10_000, 50_000, 150_000):
        s = r.get(f"litsite_{n}")
        if not s:
            continue
        st = s["stages"]
        other = st.get("related papers", 0) + st.get("render other pages", 0)
        lines.append(f"| {n:,} | {s['seconds']:.1f} | {st.get('load', 0):.1f} | "
                     f"{st.get('formatted citations', 0):.1f} | {other:.1f} | "
                     f"{st.get('render paper pages', 0):.1f} | {st.get('exports', 0):.1f} | "
                     f"{st.get('search index', 0):.1f} | {s['peak_mib']:.0f} | {s['files']:,} | "
                     f"{s['bytes'] / 1024 / 1024:.0f} | {s['paper_page_median']:,} |")
    lit, hugo, mk = r["litsite_10000"], r.get("hugo_10000", {}), r.get("mkdocs_10000", {})
    # everything but Pagefind: a build without it, plus the offline index, measured on its own
    render_10k = r["litsite_10000_no_pagefind"]["seconds"]
    no_pf = r["litsite_10000_no_pagefind"]
    lines += ["", "## The same 10,000 papers with the tools users would pick", "",
              "| tool | build (s) | peak RSS (MiB) |", "| --- | ---: | ---: |",
              f"| litsite (pages + Pagefind + offline index) | {lit['seconds']:.1f} | {lit['peak_mib']:.0f} |",
              f"| litsite without Pagefind (pages + offline index: the render part) | {no_pf['seconds']:.1f} | "
              f"{no_pf['peak_mib']:.0f} |"]
    if "missing" not in hugo:
        lines.append(f"| Hugo {hugo['version']} + Pagefind CLI | {hugo['seconds']:.1f} (Hugo {hugo['hugo']:.1f} + "
                     f"Pagefind {hugo['pagefind']:.1f}) | {hugo['peak_mib']:.0f} |")
    plain = r.get("hugo_plain_10000", {"missing": "not measured"})
    if "missing" not in plain:
        lines.append(f"| plain Hugo (the same site without related papers) + Pagefind CLI | {plain['seconds']:.1f} "
                     f"(Hugo {plain['hugo']:.1f} + Pagefind {plain['pagefind']:.1f}) | {plain['peak_mib']:.0f} |")
    if "missing" not in mk:
        lines.append(f"| Material for MkDocs {mk['version']} (search + tags), short explicit nav | {mk['seconds']:.1f} | "
                     f"{mk['peak_mib']:.0f} |")
    full_nav = r.get("mkdocs_full_nav_10000")
    if full_nav and "stopped_after" in full_nav:
        lines.append(f"| Material for MkDocs, every paper in the nav (navigation.prune) | stopped after "
                     f"{full_nav['stopped_after'] / 60:.0f} min | - |")
    elif full_nav and "seconds" in full_nav:
        lines.append(f"| Material for MkDocs, every paper in the nav (navigation.prune) | {full_nav['seconds']:.1f} | "
                     f"{full_nav['peak_mib']:.0f} |")
    pf10, pf50 = r.get("pagefind_alone_10000"), r.get("pagefind_alone_50000")
    if pf10:
        lines.append(f"| Pagefind CLI alone over litsite's 10,000 paper pages | {pf10['seconds']:.1f} | {pf10['peak_mib']:.0f} |")
    rebuilds = r.get("litsite_10000_rebuilds")
    if rebuilds:
        lines += ["", "## litsite over an existing output (10,000 papers)", "",
                  "`litsite build` as a user runs it. With nothing changed it hashes what a build reads "
                  "(build/inputs.py) and stops; otherwise it compares each page's key with the previous build's "
                  "manifest and hard-links unchanged pages; Pagefind runs only when a searchable page changed.", "",
                  "| rebuild | time (s) | pages rendered |", "| --- | ---: | ---: |",
                  f"| nothing changed | {rebuilds['unchanged']:.1f} | {rebuilds['unchanged_rendered']:,} |",
                  f"| one paper's title edited | {rebuilds['one_edit']:.1f} | {rebuilds['one_edit_rendered']:,.0f} |"]
    edits = r.get("edit_latency_10000") or []
    targets = ["", "## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]

    def row(name, measured, ok):
        targets.append(f"| {name} | {measured} | {'yes' if ok else '**no**'} |")

    if "missing" not in hugo:
        ratio = lit["seconds"] / hugo["seconds"]
        row("full 10k build incl. search <= 1.0x Hugo + Pagefind CLI", f"{ratio:.2f}x", ratio <= 1.0)
        ratio = render_10k / hugo["hugo"]
        row("render part alone <= 0.7x Hugo's build", f"{ratio:.2f}x ({render_10k:.1f} s vs {hugo['hugo']:.1f} s)",
            ratio <= 0.7)
    if "missing" not in plain:  # issue 19
        ratio = lit["seconds"] / plain["seconds"]
        row("full 10k build incl. search <= 1.0x plain Hugo + Pagefind CLI (issue 19)", f"{ratio:.2f}x", ratio <= 1.0)
    if "missing" not in hugo:
        ratio = lit["seconds"] / hugo["seconds"]
        row("full 10k build incl. search <= 0.5x Hugo with related papers + Pagefind CLI (issue 19)",
            f"{ratio:.2f}x", ratio <= 0.5)
    if "missing" not in mk:
        ratio = mk["seconds"] / lit["seconds"]
        row(">= 3x faster than Material for MkDocs", f"{ratio:.2f}x its speed (MkDocs {mk['seconds']:.1f} s, "
            f"litsite {lit['seconds']:.1f} s)", ratio >= 3)
    complete = r.get("edit_complete_10000") or []
    if edits:
        med = statistics.median(edits)
        extra = f" (every affected page written: {statistics.median(complete) * 1000:.0f} ms)" if complete else ""
        row("one-paper edit in serve at 10k, page updated < 0.3 s (median of 10)", f"{med * 1000:.0f} ms{extra}",
            med < 0.3)
    l50 = r.get("litsite_50000")
    if l50 and pf50:
        limit = pf50["peak_mib"] + 1024
        row("peak memory at 50k <= Pagefind's own peak + 1 GB",
            f"{l50['peak_mib']:.0f} MiB vs {pf50['peak_mib']:.0f} + 1024 MiB", l50["peak_mib"] <= limit)
        a, b = r["litsite_1000"]["paper_page_median"], l50["paper_page_median"]
        row("median paper page at 50k within 10% of 1k", f"{b:,} vs {a:,} bytes ({(b - a) / a:+.1%})",
            abs(b - a) / a <= 0.10)
    lines += targets + scale_targets(r, edits, complete)
    if edits:
        lines += ["", "Edit latencies at 10,000 papers, save -> edited page served (ms): "
                  + ", ".join(f"{e * 1000:.0f}" for e in edits)]
    if complete:
        lines += ["", "Save -> every affected page written (ms): " + ", ".join(f"{e * 1000:.0f}" for e in complete)]
    lines += import_section()
    notes = BENCH / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().rstrip()]
    (BENCH / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


def _retag_seconds() -> float | None:
    source = BENCH / "IMPORT.md"
    for line in source.read_text().splitlines() if source.exists() else []:
        if line.startswith("| `litsite retag`"):  # | step | median | each run |
            return float(line.strip().strip("|").split("|")[1])
    return None


def scale_targets(r: dict, edits: list[float], complete: list[float]) -> list[str]:
    """Issue 19's table, row by row: what was measured, the target, and by how much a miss misses."""
    out = ["", "### Issue 19: every step from 10,000 to 150,000 papers", "",
           "| | measured | target | met |", "| --- | ---: | ---: | --- |"]

    def row(name: str, value: float | None, target: float, unit: str) -> None:
        if value is None:
            out.append(f"| {name} | not measured | {target:g}{unit} | **no** |")
            return
        text = f"{value:.2f}{unit}" if unit == "x" else f"{value:,.1f}{unit}"
        verdict = "yes" if value <= target else f"**no**, {value / target:.2f}x the target"
        out.append(f"| {name} | {text} | {target:g}{unit} | {verdict} |")

    lit, plain, hugo = r.get("litsite_10000", {}), r.get("hugo_plain_10000", {}), r.get("hugo_10000", {})

    def ratio(other: dict) -> float | None:
        return lit["seconds"] / other["seconds"] if lit and "seconds" in other else None

    row("10k full build incl. Pagefind, vs plain Hugo + Pagefind", ratio(plain), 1.0, "x")
    row("10k full build, vs Hugo rendering related papers + Pagefind", ratio(hugo), 0.5, "x")
    rebuilds = r.get("litsite_10000_rebuilds", {})
    row("10k rebuild, nothing changed", rebuilds.get("unchanged"), 1.5, " s")
    row("10k rebuild after one title edit, search index included", rebuilds.get("one_edit"), 4, " s")
    row("10k `retag` (bench/IMPORT.md)", _retag_seconds(), 10, " s")
    l50 = r.get("litsite_50000")
    row("50k site size on disk", l50["bytes"] / 1024 / 1024 if l50 else None, 700, " MiB")
    l150 = r.get("litsite_150000")
    row("150k full build", l150["seconds"] / 60 if l150 else None, 10, " min")
    row("150k full build, peak RSS", l150["peak_mib"] / 1024 if l150 else None, 8, " GiB")
    row("edit in `serve` at 10k, page served", statistics.median(edits) * 1000 if edits else None, 100, " ms")
    row("edit in `serve` at 10k, every affected page written",
        statistics.median(complete) * 1000 if complete else None, 250, " ms")
    return out


def import_section() -> list[str]:
    """The import figures, copied from bench/IMPORT.md (what import_speed.py wrote), so they are
    never typed twice."""
    source = BENCH / "IMPORT.md"
    if not source.exists():
        return []
    text = source.read_text()
    table = [line for line in text.splitlines() if line.startswith("|")]
    command = next((line for line in text.splitlines() if line.startswith("`python bench/import_speed.py")), "")
    return ["", "## Import", "", f"From [IMPORT.md](IMPORT.md), which says where the time goes: {command}", "",
            *table]


if __name__ == "__main__":
    main()
