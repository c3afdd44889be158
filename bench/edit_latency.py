"""Time from saving a paper file to `litsite serve` serving the changed page.

    python bench/edit_latency.py                 # the seed site (a copy; the repo is not touched)
    python bench/edit_latency.py --papers 10000  # a synthetic collection

Starts a real `litsite serve` process, waits for the first build, then edits one paper's
title ten times (atomic save: temp file + rename, as editors do) and polls the served page
every 2 ms until the new title appears. Also reports when every affected page (the lists that
show the title) was written: the moment `serve` logs the finished update. Prints the medians.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the scratch projects the tests use too
from projects import copy_seed, fetch, free_port  # noqa: E402


def measure(project: Path, edits: int, slug: str | None = None, timeout: float = 600) -> tuple[list[float], list[float]]:
    """(save -> edited page served, save -> every affected page written), per edit."""
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    server = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(project), "serve", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        base = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + timeout
        while "serving" not in (line := server.stderr.readline()):
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError(f"serve did not start: {line}")
        finished: list[float] = []  # when serve logged a finished update

        def read_log():
            for line in server.stderr:
                if "re-rendered" in line:
                    finished.append(time.perf_counter())

        threading.Thread(target=read_log, daemon=True).start()
        path = sorted((project / "content" / "papers").glob("*.md"))[0] if slug is None else \
            project / "content" / "papers" / f"{slug}.md"
        url = f"{base}papers/{path.stem}.html"
        original = path.read_text(encoding="utf-8")
        latencies, complete = [], []
        for n in range(edits):
            time.sleep(2.5)  # let the previous round's background search refresh finish
            marker = f"Edited {n} {time.time_ns()}"
            text = re.sub(r"^title: .*$", f"title: {marker}", original, count=1, flags=re.MULTILINE)
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            started = time.perf_counter()
            os.replace(tmp, path)
            while marker not in fetch(url):
                if time.perf_counter() - started > 30:
                    raise RuntimeError("the edit never showed up")
                time.sleep(0.002)
            latencies.append(time.perf_counter() - started)
            while not any(t > started for t in finished):
                if time.perf_counter() - started > 30:
                    raise RuntimeError("serve never logged the update")
                time.sleep(0.002)
            complete.append(min(t for t in finished if t > started) - started)
        path.write_text(original, encoding="utf-8")
        return latencies, complete
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=0, help="synthetic collection size (default: the seed site)")
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="litsite-edit-", ignore_cleanup_errors=True) as scratch:
        if args.papers:
            from synth import make_project

            project = make_project(args.papers, Path(scratch) / "site")
        else:
            project = copy_seed(Path(scratch) / "site")
        latencies, complete = measure(project, args.edits)
    label = f"{args.papers} synthetic papers" if args.papers else "the seed site (273 papers)"
    for what, values in (("edit -> edited page served", latencies), ("edit -> every affected page written", complete)):
        shown = ", ".join(f"{t * 1000:.0f}" for t in values)
        print(f"{what}, {label}: median {statistics.median(values) * 1000:.0f} ms (runs: {shown} ms)")


if __name__ == "__main__":
    main()
