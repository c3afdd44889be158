"""`litsite serve` under load: 50 clients x 40 requests, and 500 live-reload tabs opening at once.

    python bench/serve_load.py              # the seed site
    python bench/serve_load.py --runs 5

Starts the real `litsite serve --no-search` on a copy of the seed site, then from this process
(threads, one connection per request, as browsers of HTTP/1.0 do) measures each request's
latency, counts dropped connections, and times how long 500 event streams take to open.
Prints medians over the runs. Latency is a benchmark, never a test (tests/test_reliability.py
asserts that nothing is dropped).
"""
from __future__ import annotations

import argparse
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from projects import copy_seed, free_port  # noqa: E402

CLIENTS, REQUESTS, TABS = 50, 40, 500


def request(port: int, path: str) -> int:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        head = sock.recv(64)
        while sock.recv(65536):
            pass
    return int(head.split()[1])


def load(port: int, paths: list[str]) -> tuple[list[float], int]:
    latencies: list[float] = []
    dropped = 0
    lock = threading.Lock()

    def client(n: int) -> None:
        nonlocal dropped
        for i in range(REQUESTS):
            started = time.perf_counter()
            try:
                ok = request(port, paths[(n + i) % len(paths)]) == 200
            except OSError:
                ok = False
            with lock:
                latencies.append(time.perf_counter() - started)
                dropped += not ok

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, dropped


def open_tabs(port: int) -> float:
    started = time.perf_counter()
    tabs = []
    for _ in range(TABS):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(f"GET /__litsite/events HTTP/1.0\r\nHost: localhost:{port}\r\n\r\n".encode())
        tabs.append(sock)
    for sock in tabs:
        data = b""
        while b": connected" not in data:
            data += sock.recv(4096)
    seconds = time.perf_counter() - started
    for sock in tabs:
        sock.close()
    return seconds


def run_once() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch:
        project = copy_seed(Path(scratch) / "site")
        port = free_port()
        serve = subprocess.Popen([sys.executable, "-m", "generator", "--root", str(project), "serve", "--no-search",
                                  "--port", str(port)], cwd=REPO, stderr=subprocess.PIPE, text=True)
        assert serve.stderr is not None
        while "serving" not in (line := serve.stderr.readline()):
            assert line, "serve ended before serving"
        paths = ["/index.html", "/search.html", "/static/style.css", "/papers.json"] + \
            [f"/papers/{p.stem}.html" for p in sorted((project / "content" / "papers").glob("*.md"))[:36]]
        try:
            latencies, dropped = load(port, paths)
            tabs = open_tabs(port)
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=60)
    latencies.sort()
    return {"p50_ms": latencies[len(latencies) // 2] * 1000, "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
            "max_ms": latencies[-1] * 1000, "dropped": dropped, "tabs_s": tabs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = [run_once() for _ in range(args.runs)]
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    print(f"serve, {CLIENTS} clients x {REQUESTS} requests, median of {args.runs} runs: "
          f"p50 {median['p50_ms']:.1f} ms, p99 {median['p99_ms']:.1f} ms, max {median['max_ms']:.1f} ms, "
          f"{median['dropped']:.0f} dropped; {TABS} live-reload tabs open in {median['tabs_s']:.2f} s")


if __name__ == "__main__":
    main()
