"""The GitHub workflows: valid YAML, official Pages actions, and commands that exist here."""
from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import yaml

from generator.build.caches import cache_path
from generator.cli import build_parser

from conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def run_steps(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def make_targets() -> set[str]:
    out = subprocess.run(["make", "-pRrq", "-f", str(REPO / "Makefile")], capture_output=True, text=True, cwd=REPO)
    return set(re.findall(r"^([\w./-]+):", out.stdout, re.MULTILINE))


def litsite_commands() -> set[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return set(sub.choices)


def check_command(line: str) -> None:
    words = shlex.split(line)
    if words[0] == "sudo":
        words = words[1:]
    if words[0] == "make":
        assert set(words[1:]) <= make_targets(), line
    elif words[0].endswith("litsite"):
        assert words[1] in litsite_commands(), line
        build_parser().parse_args(words[1:])  # the options exist too
    else:
        raise AssertionError(f"unexpected command in a workflow: {line}")


def test_pages_workflow_builds_on_push_to_main_and_deploys_with_the_official_actions():
    workflow = load("pages.yml")
    assert workflow[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the key 'on' as True
    uses = [s.get("uses", "") for job in workflow["jobs"].values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert workflow["permissions"]["pages"] == "write" and workflow["permissions"]["id-token"] == "write"
    for line in run_steps(workflow):
        check_command(line)
    assert "make build" in run_steps(workflow)
    # papers are dated by git (content/history.py): a shallow clone would date all by its one commit
    checkout = next(s for job in workflow["jobs"].values() for s in job["steps"]
                    if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
    cache = next(s for job in workflow["jobs"].values() for s in job["steps"]
                 if s.get("uses", "").startswith("actions/cache@"))
    paths = cache["with"]["path"].split()
    assert "~/.cache/litsite" in paths  # manifest.cache_dir without XDG_CACHE_HOME
    for name in ("search", "words", "documents"):  # the search shards, made incremental; splits; digests
        assert str(cache_path(Path("_site"), name)) in paths


def test_check_workflow_runs_check_with_github_annotations_and_a_build():
    workflow = load("check.yml")
    assert "pull_request" in workflow[True]
    steps = run_steps(workflow)
    assert ".venv/bin/litsite check --format github" in steps
    assert any("litsite build" in s for s in steps)
    assert "make lint" in steps and "make test" in steps  # litsite's own suite runs on every PR too
    for line in steps:
        check_command(line)
