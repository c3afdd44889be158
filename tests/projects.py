"""Scratch projects and a client, shared by the tests and the benchmarks (bench/ imports them
from here; tests never import bench/)."""
from __future__ import annotations

import shutil
import socket
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def copy_seed(folder: Path) -> Path:
    """A copy of the seed site (content, templates, static, config): tests edit it, never the repo."""
    for name in ("templates", "static", "content"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, folder / name)
    return folder


def copy_small_seed(folder: Path, papers: int = 40) -> Path:
    """copy_seed with the first `papers` papers only (and those the reading lists name): for
    tests that build again and again and prove what any site shows (locks, signals)."""
    import re

    copy_seed(folder)
    named = {slug for path in (folder / "content" / "lists").glob("*.md")
             for slug in re.findall(r"^\s*-\s*(?:paper:\s*)?([a-z0-9-]+)\s*$", path.read_text(encoding="utf-8"), re.M)}
    for path in sorted((folder / "content" / "papers").glob("*.md"))[papers:]:
        if path.stem not in named:
            path.unlink()
    return folder


def imported_site(folder: Path, export: Path) -> Path:
    """A project holding only what `litsite import` makes of `export`, built with its search
    indexes; returns its _site (the real command line, as a user runs it)."""
    import subprocess
    import sys

    for name in ("templates", "static"):
        shutil.copytree(REPO / name, folder / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, folder / name)
    (folder / "content" / "papers").mkdir(parents=True)
    for command in (["import", str(export)], ["build"]):
        done = subprocess.run([sys.executable, "-m", "generator", "--root", str(folder), *command],
                              capture_output=True, text=True, cwd=folder)
        if done.returncode not in (0, 1):  # import: 1 is entries skipped, each named
            raise AssertionError(f"litsite {command[0]} failed ({done.returncode}):\n{done.stderr}")
    return folder / "_site"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    """The body of a URL, or '' when it cannot be had (a 404 included)."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""
