"""When each paper file last changed: from git when the project is a repository, else the file.

A fresh clone gives every file the clone's time as its mtime, so the feed and the sitemap
would claim every paper changed today; git's last commit of each file is the real date. Files
with uncommitted edits, and projects without git, fall back to the file's mtime. Both are
clamped to SOURCE_DATE_EPOCH when that is set (reproducible builds).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path


def last_changes(folder: Path, paths: list[Path]) -> dict[Path, dt.datetime]:
    committed = _git_dates(folder)
    edited = _git_edited(folder) if committed else set()
    clamp = os.environ.get("SOURCE_DATE_EPOCH", "")
    out = {}
    for path in paths:
        stamp = committed.get(path.name) if path.name not in edited else None
        if stamp is None:
            try:
                stamp = path.stat().st_mtime
            except OSError:
                stamp = 0.0
        if clamp.isdigit():
            stamp = min(stamp, float(clamp))
        out[path] = dt.datetime.fromtimestamp(int(stamp), dt.UTC)
    return out


def _git(folder: Path, *args: str) -> str:
    if not shutil.which("git"):
        return ""
    try:
        result = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout if result.returncode == 0 else ""


def _git_dates(folder: Path) -> dict[str, float]:
    """File name (in `folder`) -> time of the last commit that touched it, in one git call."""
    dates: dict[str, float] = {}
    when = 0.0
    for line in _git(folder, "log", "--format=%x00%ct", "--name-only", "--relative", "--", ".").splitlines():
        if line.startswith("\0"):
            when = float(line[1:])
        elif line and "/" not in line:
            dates.setdefault(line, when)  # newest first: the first time a file shows is its last change
    return dates


def _git_edited(folder: Path) -> set[str]:
    changed = _git(folder, "status", "--porcelain", "--untracked-files=all", "--", ".")
    return {Path(line[3:].strip().strip('"')).name for line in changed.splitlines() if len(line) > 3}
