"""Real processes for the tests: litsite runs that they start, kill and race (test_kill,
test_interruptions, test_reliability), and Node running the search scripts (test_search_spec,
test_meaning)."""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO, snapshot


def spread_steps(count: int) -> tuple[list[int], str]:
    """Half of the steps 0..count-1, one of each pair (0 or 1, 2 or 3, ...): every stretch of a
    run is hit, and across runs every step. Returns the steps and a note naming the seed;
    LITSITE_TEST_SEED=<seed> repeats a run's choice."""
    seed = int(os.environ.get("LITSITE_TEST_SEED") or random.SystemRandom().randrange(1_000_000))
    rng = random.Random(seed)
    steps = [pair + rng.randint(0, 1) for pair in range(0, count - 1, 2)]
    print(f"steps {steps}: LITSITE_TEST_SEED={seed} repeats them")  # pytest shows it on failure
    return steps, f"LITSITE_TEST_SEED={seed}"


def start(root: Path, *args: str, **popen) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO), SOURCE_DATE_EPOCH="1700000000")
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    return subprocess.Popen([sys.executable, "-m", "generator", "--root", str(root), *args], cwd=root, env=env, **popen)


def run_to_end(root: Path, *args: str) -> None:
    process = start(root, *args)
    assert process.wait(timeout=300) == 0


def site_state(site: Path) -> dict[str, bytes]:
    # Pagefind's chunk names may differ between identical builds; its entry file is compared instead.
    return {k: v for k, v in snapshot(site).items() if not k.startswith("pagefind/") or k == "pagefind/pagefind.js"}


def processes_mentioning(text: str) -> list[str]:
    """Command lines of running processes that mention `text` (a project's path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (entry / "stat").read_text().split(") ", 1)[1][0]
            except OSError:
                continue
            if text in line and state != "Z":
                found.append(f"{entry.name}: {line}")
    return found


def children_of(pid: int) -> list[str]:
    try:
        return (Path("/proc") / str(pid) / "task" / str(pid) / "children").read_text().split()
    except OSError:
        return []


def wait_for(condition, seconds: float = 180) -> bool:
    """Poll `condition` until it holds (True) or `seconds` pass (False): a guard against hangs,
    never a measure of speed (generous: the suite runs two test processes on two cores)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def build_reaching(project: Path, moment: str, **popen) -> subprocess.Popen:
    """A `build` of `project`, returned once it runs forked workers (`moment` "workers") or
    Pagefind ("pagefind"): the moments a stopped build could leave a child behind."""
    build = start(project, "build", **popen)
    if moment == "workers":
        reached = lambda: len(children_of(build.pid)) >= 1
    else:
        reached = lambda: any("pagefind" in line for line in processes_mentioning(str(project)))
    seen = []

    def reached_or_ended() -> bool:  # a build that ended without reaching it is the failure
        if reached():
            seen.append(True)
            return True
        return build.poll() is not None

    wait_for(reached_or_ended)
    assert seen, f"the build never started its {moment} (exit code {build.poll()})"
    return build


def staging_folders(project: Path) -> list[Path]:
    """The staging folders builds of `project` have left (a clean stop leaves none)."""
    return list(project.glob("._site.build-*"))


def node_json(script: str, payload: object, *arguments: Path) -> object:
    """What `script` (run by Node, `payload` as JSON on stdin, `arguments` in process.argv)
    prints as JSON: the browser's search code, run on the same inputs as the Python tests."""
    binary = shutil.which("node")
    if binary is None:
        import pytest

        pytest.fail("node is needed for the search spec: apt-get install nodejs")
    done = subprocess.run([binary, "-e", script, *map(str, arguments)], input=json.dumps(payload),
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
