from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "sources" / "seeds").glob("*.txt"))
# Screenshots go to an ignored folder, so a test run leaves git status clean; `make screenshots`
# points this at docs/screenshots (the README's pictures) on purpose.
SCREENSHOTS = Path(os.environ.get("LITSITE_SCREENSHOTS", REPO / "_screenshots")).resolve()
# What litsite caches for a user (formatted citations, build/manifest.py: cache_dir) is shared by
# the builds of one test run, as by one user's projects, and never touches the user's own cache.
SESSION_CACHE = tempfile.mkdtemp(prefix="litsite-test-cache-")
atexit.register(shutil.rmtree, SESSION_CACHE, True)
os.environ["XDG_CACHE_HOME"] = SESSION_CACHE  # every litsite this run starts, in-process or not
from projects import copy_seed, copy_small_seed  # noqa: E402  (the benchmark edits the same copy of the seed site)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A copy of the default site (content, templates, static, site.yaml, tags.yaml) to edit freely."""
    return copy_seed(tmp_path / "site")


@pytest.fixture
def small_seed_copy(tmp_path: Path) -> Path:
    """seed_copy with 40 of its papers (and the reading list's): a build takes a third of the time."""
    return copy_small_seed(tmp_path / "site")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """An empty litsite project: the repo's site.yaml, templates and static, no papers."""
    root = tmp_path / "site"
    root.mkdir()
    for name in ("site.yaml", "tags.yaml"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    for name in ("templates", "static", "sources"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name)
    (root / "content" / "papers").mkdir(parents=True)
    if (REPO / "content" / "index.md").exists():
        shutil.copy(REPO / "content" / "index.md", root / "content" / "index.md")
    return root


def run_litsite(root: Path, *args: str, check: bool = False, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would (`timeout`: a guard against hangs)."""
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(root), *args],
                            capture_output=True, text=True, cwd=root, env=_env(), timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"litsite {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def _env() -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    return env


def collection(root: Path) -> dict:
    """The papers of a project by slug; every file must be valid."""
    from generator.content.load import load_valid_papers

    return {p.slug: p for p in load_valid_papers(root / "content" / "papers")}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# -- built sites, a server and a browser, shared by the browser tests -------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def seed_site(tmp_path_factory) -> Path:
    """The default site (repo content) built once, with its search indexes."""
    from generator.build.pipeline import build
    from generator.content.config import load_config

    output = tmp_path_factory.mktemp("seed") / "_site"
    result = build(load_config(REPO), output=output)
    output.joinpath(".build-summary").write_text(result.summary(), encoding="utf-8")
    return output


class StaticServer:
    def __init__(self, folder: Path):
        import threading

        from generator.serve.server import DevServer, make_handler

        self.httpd = DevServer(("127.0.0.1", 0), make_handler(folder, None))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="session")
def seed_server(seed_site):
    server = StaticServer(seed_site)
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class PageWatch:
    """A browser page that records console errors, page errors and failed or outside requests."""

    def __init__(self, browser, allowed_prefix: str | None = None, **context_options):
        self.context = browser.new_context(**context_options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        # A request cancelled because the test moved on to the next page is not a broken link.
        self.page.on("requestfailed", lambda r: "ERR_ABORTED" not in (r.failure or "")
                     and self.errors.append(f"failed: {r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status}: {r.url}"))
        if allowed_prefix:
            self.page.on("request", lambda r: r.url.startswith(allowed_prefix) or r.url.startswith("data:")
                         or self.outside.append(r.url))

    def close(self):
        self.context.close()


@pytest.fixture
def watch_page(chromium):
    opened = []

    def make(allowed_prefix=None, **options):
        watch = PageWatch(chromium, allowed_prefix, **options)
        opened.append(watch)
        return watch

    yield make
    for watch in opened:
        watch.close()
