"""SIGKILL at random moments: content files are old or new, never torn; _site is one whole build."""
from __future__ import annotations

import random
import shutil
import signal
import subprocess
import time

import pytest
from processes import build_reaching, processes_mentioning, run_to_end, site_state, start, wait_for

from conftest import snapshot

pytestmark = pytest.mark.slow
TRIALS = 20


def kill_after(process: subprocess.Popen, delay: float) -> bool:
    """Kill the process after `delay` seconds; True if it was still running."""
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return True


def test_killed_imports_leave_every_file_old_or_new(project):
    seeds = sorted(p.relative_to(project).as_posix() for p in (project / "sources" / "seeds").glob("*.txt"))
    first, rest = seeds[:2], seeds[2:]
    run_to_end(project, "import", *first)
    old = snapshot(project / "content")
    reference = project.parent / "reference"
    shutil.copytree(project, reference)
    run_to_end(reference, "import", *first, *rest)
    new = snapshot(reference / "content")
    assert len(new) > len(old) and any(old[k] != new[k] for k in old)  # the import changes files
    started = time.monotonic()
    run_to_end(reference, "import", *first, *rest)
    duration = time.monotonic() - started
    rng = random.Random(20261123)
    killed = 0
    for _ in range(TRIALS):
        shutil.rmtree(project / "content")
        for key, data in old.items():  # restore the old state exactly
            (project / "content" / key).parent.mkdir(parents=True, exist_ok=True)
            (project / "content" / key).write_bytes(data)
        assert snapshot(project / "content") == old
        killed += kill_after(start(project, "import", *first, *rest), rng.uniform(0, duration * 1.5))
        now = snapshot(project / "content")
        for key, data in now.items():
            if key.endswith(".tmp"):
                continue  # an unfinished temp file: never read, removed by the next import
            assert data in (old.get(key), new.get(key)), key
    assert killed >= TRIALS // 2  # most kills landed while the import was running


def test_killed_builds_leave_the_previous_or_the_new_site(small_seed_copy):
    project = small_seed_copy  # 40 papers: each trial is a whole build, 20 of them
    run_to_end(project, "build")
    previous = site_state(project / "_site")
    paper = sorted((project / "content" / "papers").glob("*.md"))[0]
    text = paper.read_text(encoding="utf-8")
    assert "\ntitle: " in text
    paper.write_text(text.replace("\ntitle: ", "\ntitle: Again, ", 1), encoding="utf-8")
    started = time.monotonic()
    run_to_end(project, "build")
    duration = time.monotonic() - started
    new = site_state(project / "_site")
    assert new != previous
    rng = random.Random(7)
    killed = 0
    seen = {"previous": 0, "new": 0}
    for _ in range(TRIALS):
        shutil.rmtree(project / "_site")
        # restore the previous build exactly, then build the new content and kill it
        (project / "_site").mkdir()
        for key, data in previous.items():
            (project / "_site" / key).parent.mkdir(parents=True, exist_ok=True)
            (project / "_site" / key).write_bytes(data)
        killed += kill_after(start(project, "build"), rng.uniform(0, duration * 1.2))
        state = site_state(project / "_site")
        assert state in (previous, new), "the site is neither the previous nor the new build"
        seen["previous" if state == previous else "new"] += 1
    assert killed >= TRIALS // 2 and seen["previous"] > 0
    run_to_end(project, "build")  # a later build recovers and cleans up the killed build's staging
    assert site_state(project / "_site") == new
    assert not list(project.glob("._site.build-*"))


@pytest.mark.parametrize("moment", ["workers", "pagefind"])
def test_a_killed_build_leaves_no_child_process(tmp_path, moment):
    """Forked workers and Pagefind die with a build that is SIGKILLed (nothing can clean up
    after SIGKILL but the kernel: the parent-death signal)."""
    from synth import make_project

    project = make_project(2500, tmp_path / "synth")  # large enough for forked workers
    build = build_reaching(project, moment)
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert wait_for(lambda: not processes_mentioning(str(project)), 30), processes_mentioning(str(project))
    # An orphaned Pagefind would have run on to the end and written its entry file.
    assert not list(project.glob("._site.build-*/.pagefind-new/pagefind-entry.json"))
    # Pagefind's search documents (in memory, /dev/shm) cannot be removed by a SIGKILLed build:
    # the next one to index anything removes them.
    from generator.search.pagefind import documents_folder

    fresh = documents_folder()
    fresh.rmdir()
    assert not list(fresh.parent.glob(f"litsite-search-{build.pid}-*"))
