from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = sorted((REPO / "sources" / "seeds").glob("*.txt"))


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


def run_litsite(root: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a user would."""
    result = subprocess.run([sys.executable, "-m", "generator", "--root", str(root), *args],
                            capture_output=True, text=True, cwd=root, env=_env())
    if check and result.returncode != 0:
        raise AssertionError(f"litsite {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
    return result


def _env() -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO)
    env["SOURCE_DATE_EPOCH"] = "1700000000"
    return env


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
