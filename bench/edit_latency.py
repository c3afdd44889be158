"""Time from saving a paper file to `litsite serve` serving the changed page.

    python bench/edit_latency.py                 # the seed site (a copy; the repo is not touched)
    python bench/edit_latency.py --papers 10000  # a synthetic collection

Starts a real `litsite serve` process, waits for the first build, then edits one paper's
title ten times (atomic save: temp file + rename, as editors do) and polls the served page
every 2 ms until the new title appears. Prints each latency and the median.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_seed(folder: Path) -> Path:
    for name in ("templates", "static", "content"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, folder / name)
    return folder


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def measure(project: Path, edits: int, slug: str | None = None, timeout: float = 600) -> list[float]:
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
        path = sorted((project / "content" / "papers").glob("*.md"))[0] if slug is None else \
            project / "content" / "papers" / f"{slug}.md"
        url = f"{base}papers/{path.stem}.html"
        original = path.read_text(encoding="utf-8")
        latencies = []
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
        path.write_text(original, encoding="utf-8")
        return latencies
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
        latencies = measure(project, args.edits)
    shown = ", ".join(f"{t * 1000:.0f}" for t in latencies)
    label = f"{args.papers} synthetic papers" if args.papers else "the seed site (273 papers)"
    print(f"edit -> served page, {label}: median {statistics.median(latencies) * 1000:.0f} ms "
          f"(runs: {shown} ms)")


if __name__ == "__main__":
    main()
