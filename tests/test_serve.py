"""A real `litsite serve` process: incremental rebuilds, live reload, the error overlay, safety."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from projects import copy_seed, fetch, free_port

pytestmark = pytest.mark.browser
PAPER = "non-deep-networks"


class Serve:
    def __init__(self, project: Path, *extra: str):
        self.port = free_port()
        self.log: list[str] = []
        env = dict(os.environ, PYTHONPATH=str(REPO))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "--root", str(project), "serve", "--port", str(self.port), *extra],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        self.url = f"http://127.0.0.1:{self.port}/"
        import threading

        threading.Thread(target=self._read, daemon=True).start()
        self.wait_for_log("serving", 120)

    def _read(self):
        for line in self.process.stderr:
            self.log.append(line.rstrip())

    def wait_for_log(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log:
                if text in line:
                    return line
            time.sleep(0.02)
        raise AssertionError(f"'{text}' not logged; log: {self.log}")

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def served(tmp_path):
    project = copy_seed(tmp_path / "site")
    server = Serve(project)
    yield project, server
    server.close()


def paper_path(project: Path, slug: str = PAPER) -> Path:
    return project / "content" / "papers" / f"{slug}.md"


def atomic_save(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.swp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_until(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise AssertionError("condition never became true")


def test_edit_reloads_the_browser_and_a_broken_edit_shows_the_overlay(served, watch_page):
    project, server = served
    path = paper_path(project)
    original = path.read_text(encoding="utf-8")
    watch = watch_page()
    page = watch.page
    page.goto(server.url + f"papers/{PAPER}.html")
    page.evaluate("window.__notReloaded = true")
    atomic_save(path, original.replace("title: Non-deep Networks", "title: Non-deep Networks, Edited"))
    page.wait_for_function("!window.__notReloaded && (document.querySelector('h1')?.textContent || '').includes('Edited')",
                           timeout=60000)
    line = server.wait_for_log("pages re-rendered")
    assert re.search(r"content/papers/non-deep-networks\.md: \d+ pages re-rendered in \d+ ms", line)
    assert int(re.search(r"(\d+) pages", line).group(1)) < 40  # not the whole site
    # a broken edit: overlay in the browser, error in the terminal, last good page still served
    atomic_save(path, original.replace("title: Non-deep Networks", "title: [Broken"))
    page.wait_for_selector("#litsite-error-overlay", timeout=60000)
    assert "non-deep-networks.md:" in page.text_content("#litsite-error-overlay")
    server.wait_for_log("rebuild failed")
    assert "Non-deep Networks, Edited" in fetch(server.url + f"papers/{PAPER}.html")
    # fixing it clears the overlay
    atomic_save(path, original.replace("title: Non-deep Networks", "title: Non-deep Networks, Fixed"))
    page.wait_for_function("(document.querySelector('h1')?.textContent || '').includes('Fixed')", timeout=60000)
    page.wait_for_function("!document.querySelector('#litsite-error-overlay')", timeout=60000)
    # a reload aborts the open event stream; that is the only request allowed to "fail"
    assert [e for e in watch.errors if "/__litsite/events" not in e] == []


def test_deletions_and_renames_are_handled(served):
    project, server = served
    papers = project / "content" / "papers"
    # rename: the old page goes away, the new one appears
    os.replace(papers / f"{PAPER}.md", papers / "non-deep-networks-renamed.md")
    wait_until(lambda: "Non-deep Networks" in fetch(server.url + "papers/non-deep-networks-renamed.html"))
    wait_until(lambda: fetch(server.url + f"papers/{PAPER}.html") == "" or
               "Page not found" in fetch(server.url + f"papers/{PAPER}.html"))
    # deletion
    (papers / "non-deep-networks-renamed.md").unlink()
    wait_until(lambda: "Non-deep Networks" not in fetch(server.url + "list/title.html")
               and "Non-deep Networks" not in fetch(server.url + "list/title/page-2.html"))


def files_rebuilt(line: str) -> int:
    """How many files one update line of the server names ('a.md, b.md … (100 files): ...')."""
    names = line.split(": ", 1)[0]
    many = re.search(r"\((\d+) files\)$", names)
    return int(many.group(1)) if many else len(names.split(", "))


def test_a_burst_of_100_edits_is_debounced_into_few_rebuilds(served):
    project, server = served
    files = sorted((project / "content" / "papers").glob("*.md"))[:100]
    for n, path in enumerate(files):
        path.write_text(path.read_text(encoding="utf-8") + f"\nBurst {n} note.\n", encoding="utf-8")
    wait_until(lambda: all(f"Burst {n} " in fetch(server.url + f"papers/{p.stem}.html")
                           for n, p in [(0, files[0]), (50, files[50]), (99, files[99])]), timeout=120)
    # Pages are written before the update is logged: wait for the server's own account of all
    # 100 files (a file whose events straddle two batches is named twice, hence >=).
    updates = lambda: [line for line in server.log if "re-rendered" in line or "full rebuild" in line]
    wait_until(lambda: sum(files_rebuilt(line) for line in updates()) >= 100, timeout=120)
    assert 1 <= len(updates()) <= 10, updates()


def test_template_change_re_renders_everything(served):
    project, server = served
    template = project / "templates" / "base.html"
    template.write_text(template.read_text().replace("Built with litsite.", "Built with litsite, live."))
    wait_until(lambda: "Built with litsite, live." in fetch(server.url + "tags/gnn.html"))
    server.wait_for_log("full rebuild")


def test_search_index_is_refreshed_in_the_background(served):
    project, server = served
    path = paper_path(project)
    atomic_save(path, path.read_text().replace("title: Non-deep Networks", "title: Zyzzyvaquux Networks"))
    server.wait_for_log("search index refreshed", timeout=120)
    assert "zyzzyvaquux" in fetch(server.url + "search-index.js")


def raw_get(port: int, path: str, method: str = "GET") -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.putrequest(method, path, skip_host=False, skip_accept_encoding=True)
    conn.endheaders()
    status = conn.getresponse().status
    conn.close()
    return status


def test_the_dev_server_serves_only_the_site(served, tmp_path):
    project, server = served
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (project / "_site" / "escape").symlink_to(tmp_path)
    (project / "_site" / "escape.txt").symlink_to(secret)
    for path in ["/../site.yaml", "/%2e%2e/site.yaml", "/..%2fsite.yaml", "/%2e%2e%2f%2e%2e%2fetc/passwd",
                 "//etc/passwd", "/escape/secret.txt", "/escape.txt", "/papers/", "/static/",
                 "/..\\site.yaml", "/%00index.html"]:
        assert raw_get(server.port, path) == 404, path
    assert raw_get(server.port, "/index.html") == 200
    assert raw_get(server.port, "/") == 200  # the folder's index.html, never a listing
    assert raw_get(server.port, "/index.html", "HEAD") == 200
    for method in ("POST", "PUT", "DELETE", "OPTIONS"):
        assert raw_get(server.port, "/index.html", method) == 405
    listening = subprocess.run(["ss", "-ltnH", f"sport = :{server.port}"], capture_output=True, text=True).stdout \
        if shutil.which("ss") else f"127.0.0.1:{server.port}"
    assert f"127.0.0.1:{server.port}" in listening


def test_only_tabs_showing_a_changed_page_reload(served, watch_page):
    """A notes edit changes one page: the tab showing it reloads, a tab on another page stays as
    it is (its scroll position and reading are not interrupted)."""
    project, server = served
    path = paper_path(project)
    paper_tab, other_tab = watch_page().page, watch_page().page
    paper_tab.goto(server.url + f"papers/{PAPER}.html")
    other_tab.goto(server.url + "topics.html")
    for tab in (paper_tab, other_tab):
        tab.wait_for_selector("html[data-litsite-live=open]")  # its event stream is open
        tab.evaluate("window.__notReloaded = true")
    # The other tab records the reload event it decided to ignore: waited on, never slept on.
    other_tab.evaluate("""document.addEventListener("litsite-reload-skipped",
                                                    function (e) { window.__skipped = e.detail; })""")
    atomic_save(path, path.read_text(encoding="utf-8") + "\nA note for one tab only.\n")
    # (while the reloaded page is still being parsed there is no body yet: not an error, not yet)
    paper_tab.wait_for_function("!window.__notReloaded && document.body !== null"
                                " && document.body.textContent.includes('one tab only')", timeout=60000)
    server.wait_for_log("re-rendered")
    other_tab.wait_for_function("window.__skipped !== undefined", timeout=60000)  # the event was handled
    skipped = other_tab.evaluate("window.__skipped")
    assert f"papers/{PAPER}.html" in skipped
    assert other_tab.evaluate("window.__notReloaded") is True
