"""A build nobody can break, part two (docs/reliability.md lists each attack with its test):
Pagefind's output, full disks, hostile files, Unicode forms, and the dev server under load. All
on real processes and a real file system. Concurrent runs and stopping signals are part one,
tests/test_interruptions.py."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import unicodedata
from pathlib import Path

import pytest
from processes import run_to_end, site_state, staging_folders, start

from generator.search.bundles import bundle_fault

from conftest import REPO, run_litsite
from projects import free_port

pytestmark = pytest.mark.slow
FIXTURES = REPO / "tests" / "fixtures"
HANG_GUARD = 120  # seconds: only ever reached by a hang, which is then the failure



# -- 3. Pagefind's output is checked, not trusted ---------------------------------------------

def _corruptions():
    def truncate(name):
        return lambda bundle: (bundle / name).write_bytes(b"")

    def first(pattern):
        def apply(bundle):
            path = sorted(bundle.glob(pattern))[0]
            path.write_bytes(b"") if pattern.startswith("index") else path.unlink()
        return apply

    return {
        "empty pagefind.js": truncate("pagefind.js"),
        "empty entry file": truncate("pagefind-entry.json"),
        "no entry file": lambda bundle: (bundle / "pagefind-entry.json").unlink(),
        "a fragment missing": first("fragment/*.pf_fragment"),
        "an empty index chunk": first("index/*.pf_index"),
    }


CORRUPTIONS = _corruptions()


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_damaged_pagefind_bundle_is_refused(seed_site, tmp_path, name):
    bundle = tmp_path / "pagefind"
    shutil.copytree(seed_site / "pagefind", bundle)
    expected = json.loads((bundle / "pagefind-entry.json").read_text())["languages"]["en"]["page_count"]
    assert bundle_fault(bundle, expected) == ""  # the real output passes
    assert bundle_fault(bundle, expected + 1) != ""  # a page Pagefind left out is noticed
    CORRUPTIONS[name](bundle)
    assert bundle_fault(bundle, expected) != ""


# -- 4 and 7. full disks ----------------------------------------------------------------------

@contextlib.contextmanager
def small_disk(folder: Path, size: str = "64m"):
    """A tmpfs mounted at `folder` (root only; skipped otherwise)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs for the disk-full tests needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def used_kib(folder: Path) -> int:
    info = os.statvfs(folder)
    return (info.f_blocks - info.f_bfree) * info.f_frsize // 1024


def resize(folder: Path, kib: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={kib}k", str(folder)], check=True)


@pytest.mark.parametrize("share", [0.3, 0.8, 0.97])
def test_a_full_disk_fails_the_build_clearly_and_keeps_the_previous_site(tmp_path, share):
    """With room for `share` of a second build: pages, exports or Pagefind run out of space."""
    from projects import copy_seed

    with small_disk(tmp_path / "disk") as disk:
        project = copy_seed(disk / "site")
        run_to_end(project, "build")
        previous = site_state(project / "_site")
        site_kib = sum(f.stat().st_size for f in (project / "_site").rglob("*") if f.is_file()) // 1024
        base = project / "templates" / "base.html"
        base.write_text(base.read_text() + "<!-- every page changes -->\n")
        resize(disk, used_kib(disk) + int(site_kib * share))
        result = run_litsite(project, "build", timeout=HANG_GUARD)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        said = result.stderr.strip().splitlines()[-1]
        assert "no space left on the device" in said or "Pagefind's index is incomplete" in said, said
        assert str(project / "._site.build-") in said or "._site.build-" in said  # the path it could not write
        assert site_state(project / "_site") == previous
        assert not staging_folders(project)


def test_serve_keeps_the_previous_search_index_when_the_disk_fills(tmp_path):
    """Pagefind exits 0 on a full disk, leaving empty files: serve must not swap those in."""
    from projects import copy_seed

    with small_disk(tmp_path / "disk") as disk:
        project = copy_seed(disk / "site")
        port = free_port()
        serve = start(project, "serve", "--port", str(port), stderr=subprocess.PIPE, text=True)
        assert serve.stderr is not None
        try:
            _read_until(serve, "serving")
            index = (project / "_site" / "pagefind" / "pagefind.js").read_bytes()
            assert index
            # Room for the edit and for rewriting the largest export in place, not for a new index.
            largest = max(f.stat().st_size for f in (project / "_site").iterdir() if f.is_file()) // 1024
            resize(disk, used_kib(disk) + largest + 300)
            paper = project / "content" / "papers" / "non-deep-networks.md"
            paper.write_text(paper.read_text().replace("title: Non-deep Networks", "title: Non-deep Networks, edited"))
            line = _read_until(serve, "search index")
            # Pagefind's empty files, or (the refresh's child writes the offline indexes meanwhile) a full disk
            assert "search index not refreshed" in line and ("incomplete" in line or "no space left" in line), line
            assert (project / "_site" / "pagefind" / "pagefind.js").read_bytes() == index
            assert _get(port, "/pagefind/pagefind.js").encode() == index
        finally:
            serve.send_signal(signal.SIGTERM)
            serve.wait(timeout=HANG_GUARD)


def _read_until(process: subprocess.Popen, text: str) -> str:
    assert process.stderr is not None
    seen = []
    while True:
        line = process.stderr.readline()
        assert line, f"the process ended before saying '{text}': {seen}"
        assert "Traceback" not in line, seen
        seen.append(line)
        if text in line:
            return line


# -- 5. hostile files in content/papers ------------------------------------------------------

def _hostile(kind: str, papers: Path, outside: Path) -> tuple[Path, str]:
    """Put one hostile file among the papers; return it and the words its error must use."""
    valid = next(papers.glob("*.md"))
    target = papers / f"hostile-{kind}.md"
    if kind == "link-outside":
        outside.mkdir(parents=True, exist_ok=True)
        shutil.copy(valid, outside / "elsewhere.md")
        (outside / "elsewhere.md").write_text(valid.read_text().replace("title:", "title: Outside", 1))
        target.symlink_to(outside / "elsewhere.md")
        return target, "outside the project"
    if kind == "link-to-dev-zero":
        target.symlink_to("/dev/zero")
        return target, "outside the project"
    if kind == "device":  # /dev/zero's twin inside the project
        if os.geteuid() != 0:
            pytest.skip("making a device file needs root")
        os.mknod(target, stat.S_IFCHR | 0o644, os.makedev(1, 5))
        return target, "character device"
    if kind == "fifo":
        os.mkfifo(target)
        return target, "FIFO"
    if kind == "oversized":
        target.write_text(valid.read_text() + "x" * (6 * 1024 * 1024))
        return target, "over the limit"
    raise AssertionError(kind)


HOSTILE = ["link-outside", "link-to-dev-zero", "device", "fifo", "oversized"]


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_paper_files_are_refused_by_build_check_and_import(seed_copy, tmp_path, kind):
    run_to_end(seed_copy, "build")
    before = site_state(seed_copy / "_site")
    target, words = _hostile(kind, seed_copy / "content" / "papers", tmp_path / "outside")
    shutil.copy(FIXTURES / "bib" / "zotero.bib", seed_copy / "new.bib")
    for command in (["build"], ["check"], ["import", "new.bib"]):
        result = run_litsite(seed_copy, *command, timeout=HANG_GUARD)
        said = result.stdout + result.stderr  # check reports on stdout and exits 1 for errors found
        assert result.returncode == (1 if command == ["check"] else 2), (command, said)
        assert target.name in said and words in said, (command, said)
        assert "Traceback" not in said
    assert site_state(seed_copy / "_site") == before  # never published
    assert "Outside" not in (seed_copy / "_site" / "papers.json").read_text()


def test_a_link_to_a_file_inside_the_project_is_fine(seed_copy):
    papers = seed_copy / "content" / "papers"
    kept = seed_copy / "kept"
    kept.mkdir()
    paper = papers / "non-deep-networks.md"
    shutil.move(paper, kept / paper.name)
    paper.symlink_to(kept / paper.name)
    assert run_litsite(seed_copy, "build").returncode == 0
    assert (seed_copy / "_site" / "papers" / "non-deep-networks.html").is_file()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_serve_reports_a_hostile_file_and_keeps_rebuilding(seed_copy, tmp_path, kind):
    port = free_port()
    serve = start(seed_copy, "serve", "--no-search", "--port", str(port), stderr=subprocess.PIPE, text=True)
    try:
        _read_until(serve, "serving")
        target, words = _hostile(kind, seed_copy / "content" / "papers", tmp_path / "outside")
        line = _read_until(serve, "rebuild failed")
        rest = _read_until(serve, target.name)
        assert words in line + rest
        target.unlink()  # not blocked: the next edit is rebuilt
        paper = seed_copy / "content" / "papers" / "non-deep-networks.md"
        paper.write_text(paper.read_text().replace("title: Non-deep Networks", "title: Non-deep Networks, edited"))
        _read_until(serve, "re-rendered")
        assert "Non-deep Networks, edited" in _get(port, "/papers/non-deep-networks.html")
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=HANG_GUARD)


def test_a_fifo_named_as_a_source_is_refused_at_once(project):
    os.mkfifo(project / "pipe.bib")
    result = run_litsite(project, "import", "pipe.bib", timeout=HANG_GUARD)
    assert result.returncode == 2 and "pipe.bib" in result.stderr and "FIFO" in result.stderr, result.stderr


# -- 6. one identity per text -----------------------------------------------------------------

def test_an_export_saved_again_in_nfd_is_the_same_collection(project):
    """macOS tools write NFD: the same export in the other form changes no byte of content/."""
    from conftest import snapshot

    source = FIXTURES / "unicode" / "csl-test-suite.json"
    export = project / "items.json"
    shutil.copy(source, export)
    assert run_litsite(project, "import", "items.json").returncode == 0
    before = snapshot(project / "content")
    assert unicodedata.is_normalized("NFC", b"".join(before.values()).decode("utf-8"))
    export.write_text(unicodedata.normalize("NFD", source.read_text(encoding="utf-8")), encoding="utf-8")
    assert export.read_bytes() != source.read_bytes()  # the accents really are decomposed now
    again = run_litsite(project, "import", "items.json")
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed" in again.stdout + again.stderr
    assert snapshot(project / "content") == before


def test_nfc_and_nfd_paper_files_are_one_paper(seed_copy):
    papers = seed_copy / "content" / "papers"
    shutil.copy(FIXTURES / "unicode" / "csl-test-suite.json", seed_copy / "items.json")
    assert run_litsite(seed_copy, "import", "items.json").returncode == 0
    greek = next(p for p in papers.glob("*.md") if "Άγρας" in p.read_text(encoding="utf-8"))
    twin = papers / "twin.md"
    twin.write_text(unicodedata.normalize("NFD", greek.read_text(encoding="utf-8")), encoding="utf-8")
    result = run_litsite(seed_copy, "check")
    said = result.stdout + result.stderr
    assert "twin.md" in said and greek.name in said, said  # reported as the same paper twice
    twin.unlink()


def test_author_pages_for_every_script_keep_the_name_as_written(project):
    shutil.copy(FIXTURES / "unicode" / "csl-test-suite.json", project / "items.json")
    assert run_litsite(project, "import", "items.json").returncode == 0
    papers = sorted((project / "content" / "papers").glob("*.md"))
    # The same person again, with the accents an export stripped, in a file saved in NFD:
    extra = project / "content" / "papers" / "unaccented.md"
    greek = next(p for p in papers if "Τέλλος Άγρας" in p.read_text(encoding="utf-8"))
    text = greek.read_text(encoding="utf-8").replace("title: ", "title: Another ", 1)
    extra.write_text(unicodedata.normalize("NFD", text.replace("Τέλλος Άγρας", "Τελλος Αγρας")), encoding="utf-8")
    result = run_litsite(project, "build")
    assert result.returncode == 0, result.stderr
    pages = {p.name: p.read_text(encoding="utf-8") for p in (project / "_site" / "authors").glob("*.html")}
    assert "tellos-agras.html" in pages and "<h1>Τέλλος Άγρας" in pages["tellos-agras.html"]
    assert "Another" in pages["tellos-agras.html"]  # both papers on the one page
    cjk = [name for name, html in pages.items() if "<h1>栄 我妻" in html]
    assert cjk and cjk[0].isascii()


def test_docs_pages_that_differ_only_in_case_are_an_error(seed_copy):
    (seed_copy / "content" / "Guide.md").write_text("# Guide\n\nOne.\n")
    (seed_copy / "content" / "guide.md").write_text("# guide\n\nTwo.\n")
    result = run_litsite(seed_copy, "build")
    assert result.returncode == 2 and "where case does not count" in result.stderr, result.stderr
    assert "Guide.md" in result.stderr and "guide.md" in result.stderr


# -- 8. the dev server under load -------------------------------------------------------------

def _get(port: int, path: str, host: str | None = None) -> str:
    return _request(port, path, host)[1]


def _request(port: int, path: str, host: str | None = None) -> tuple[int, str]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: {host or f'127.0.0.1:{port}'}\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


@pytest.fixture
def served(seed_copy):
    port = free_port()
    serve = start(seed_copy, "serve", "--no-search", "--port", str(port), stderr=subprocess.PIPE, text=True)
    _read_until(serve, "serving")
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(serve.stderr.readline, "")), daemon=True)
    reader.start()
    yield port, seed_copy, lines
    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=HANG_GUARD) == 0
    reader.join(timeout=HANG_GUARD)
    assert not [line for line in lines if "Traceback" in line or "failed" in line], lines


def test_fifty_clients_of_forty_requests_are_all_answered(served):
    port, project, _ = served
    paths = ["/index.html", "/search.html", "/static/style.css", "/papers.json"] + \
        [f"/papers/{p.stem}.html" for p in sorted((project / "content" / "papers").glob("*.md"))[:36]]
    failures: list[str] = []

    def client(n: int) -> None:
        for i in range(40):
            try:
                status, _ = _request(port, paths[(n + i) % len(paths)])
                if status != 200:
                    failures.append(f"{status} for {paths[(n + i) % len(paths)]}")
            except OSError as exc:
                failures.append(f"{type(exc).__name__}: {exc}")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(50)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=HANG_GUARD)
    assert not failures, failures[:5]


def test_five_hundred_live_reload_tabs_hold_no_thread_and_all_hear_a_reload(served):
    port, project, _ = served
    tabs = []
    for _ in range(500):
        sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        sock.sendall(f"GET /__litsite/events HTTP/1.0\r\nHost: localhost:{port}\r\n\r\n".encode())
        tabs.append(sock)
    try:
        for sock in tabs:
            assert _read_socket_until(sock, b": connected")
        assert _request(port, "/index.html")[0] == 200  # pages are still served meanwhile
        paper = project / "content" / "papers" / "non-deep-networks.md"
        paper.write_text(paper.read_text().replace("title: Non-deep Networks", "title: Non-deep Networks, edited"))
        for sock in tabs:
            assert _read_socket_until(sock, b"event: reload")
    finally:
        for sock in tabs:
            sock.close()


def _read_socket_until(sock: socket.socket, marker: bytes) -> bool:
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            return False
        data += chunk
    return True


def test_bad_requests_get_a_status_and_no_traceback(served):
    port, _, _ = served
    assert _request(port, "/" + "a" * 300 + ".html")[0] == 414
    assert _request(port, "/index.html", host="rebinding.example:8000")[0] == 421
    assert _request(port, "/index.html", host="localhost:8000")[0] == 200
    assert _request(port, "/../../etc/passwd")[0] == 404
    for _ in range(20):  # clients that leave early: mid-request, and before reading the answer
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /papers.json HT")
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            sock.sendall(f"GET /papers.json HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    idle = socket.create_connection(("127.0.0.1", port), timeout=HANG_GUARD)
    assert idle.recv(1) == b""  # an idle client is closed by the server's timeout, not kept forever
    idle.close()
    assert _request(port, "/index.html")[0] == 200
