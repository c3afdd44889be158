"""Incremental rebuilds re-render exactly the pages whose content changed, and agree with a full build."""
from __future__ import annotations

import re
import shutil

import pytest

from generator.build.pagekeys import Keys
from generator.build.writer import RenderJob, write_pages
from generator.content.config import load_config
from generator.render.formatted import FormattedCitations
from generator.render.renderer import Renderer
from generator.serve.live import LiveSite
from generator.site.plan import plan_site

from conftest import snapshot


@pytest.fixture
def live(seed_copy):
    return seed_copy, LiveSite(load_config(seed_copy), seed_copy / "_site", search=False)


def html_files(folder):
    return {k: v for k, v in snapshot(folder).items() if k.endswith(".html") and k != "overview.html"}


def edit(project, slug, old, new):
    path = project / "content" / "papers" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path




def check_exact(project, live, path, before):
    update = live.update_papers([path])
    after = html_files(project / "_site")
    changed = {k for k in after if before.get(k) != after[k]} | (set(before) - set(after))
    assert set(update.rendered) | set(update.removed) >= changed  # every changed page was re-rendered
    assert set(update.rendered) <= changed  # ... and nothing that stayed the same was
    # Rendering every page of the same site model gives the same files. (A full build would also
    # refit related papers for every paper; serve does that for the edited paper only.)
    reference = project.parent / "full"
    shutil.rmtree(reference, ignore_errors=True)  # a fresh render each time
    pages = [p for p in plan_site(live.site, live.neighbours) if p.template != "overview.html"]
    citations = FormattedCitations(live.config.citation_style, None)
    renderer = Renderer(live.config.templates_dir, live.site.chrome(), citations)
    write_pages(RenderJob(renderer, pages, reference, Keys("")), parallel=False)
    assert html_files(reference) == after
    return update


def test_a_notes_edit_re_renders_only_that_paper(live):
    project, site = live
    before = html_files(project / "_site")
    path = project / "content" / "papers" / "non-deep-networks.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA new note.\n", encoding="utf-8")
    update = check_exact(project, site, path, before)
    assert update.rendered == ["papers/non-deep-networks.html"]


def test_a_title_edit_re_renders_the_paper_and_the_lists_that_show_it(live):
    project, site = live
    before = html_files(project / "_site")
    path = edit(project, "non-deep-networks", "title: Non-deep Networks", "title: Non-deep Networks, Renamed")
    update = check_exact(project, site, path, before)
    assert "papers/non-deep-networks.html" in update.rendered
    assert "tags/network-depth.html" in update.rendered
    assert any(p.startswith("list/title") for p in update.rendered)
    assert len(update.rendered) < 60  # not the whole site (436 pages)


def test_a_tag_edit_updates_tag_pages_and_removes_an_emptied_one(live):
    project, site = live
    before = html_files(project / "_site")
    path = edit(project, "non-deep-networks", "tags: [", "tags: [a-brand-new-tag, ")
    update = check_exact(project, site, path, before)
    assert "tags/a-brand-new-tag.html" in update.rendered and "tags.html" in update.rendered


def test_a_topic_edit_re_renders_everything_because_the_sidebar_counts_change(live):
    project, site = live
    before = html_files(project / "_site")
    text = (project / "content" / "papers" / "non-deep-networks.md").read_text()
    topics = re.search(r"^topics: \[(.*)\]$", text, re.M).group(1)
    path = edit(project, "non-deep-networks", f"topics: [{topics}]", "topics: [reinforcement-learning]")
    update = check_exact(project, site, path, before)
    assert len(update.rendered) > 400


def test_a_deleted_paper_disappears_with_its_page(live):
    project, site = live
    before = html_files(project / "_site")
    path = project / "content" / "papers" / "non-deep-networks.md"
    path.unlink()
    update = check_exact(project, site, path, before)
    assert "papers/non-deep-networks.html" in update.removed


def test_titles_that_move_a_paper_in_all_its_topics_keep_every_previous_next_link_right(live):
    """A paper in several topics moves in each when its title changes; the neighbours it leaves and
    the ones it joins, in topics other than its own primary one too, must get their links fixed."""
    project, site = live
    paper = next(p for p in site.site.papers if len(p.topics) >= 2 and site.site.topic_members[p.topics[1]][0] is not p)
    path = project / "content" / "papers" / f"{paper.slug}.md"
    for title in ("0000 first of all", "Zzzz last of all", "Mmmm somewhere in the middle"):
        before = html_files(project / "_site")
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^title: .*$", f"title: {title}", text, count=1, flags=re.M), encoding="utf-8")
        update = check_exact(project, site, path, before)  # == a full render of the same model
        assert f"papers/{paper.slug}.html" in update.rendered
        second_topic = site.site.topic_members[paper.topics[1]]
        assert (second_topic[0].slug == paper.slug) == (title == "0000 first of all")


def test_editing_a_listed_paper_re_renders_its_reading_list(live):
    project, site = live
    before = html_files(project / "_site")
    path = edit(project, "graph-attention-networks", "title: Graph Attention Networks", "title: Graph Attention Nets")
    update = check_exact(project, site, path, before)
    assert "lists/deep-graph-networks.html" in update.rendered
    assert "Graph Attention Nets" in (project / "_site" / "lists" / "deep-graph-networks.html").read_text()


def test_a_chain_of_edits_keeps_every_page_equal_to_a_plan_from_nothing(live):
    """Each edit re-plans only the pages whose papers changed and reuses the rest from the one
    before (site/plan.PlanMemo): after each of these, the written site is a full render."""
    project, site = live
    papers = project / "content" / "papers"
    steps = [
        lambda: edit(project, "non-deep-networks", "title: Non-deep Networks", "title: Aaaa Non-deep Networks"),
        lambda: edit(project, "non-deep-networks", "tags: [", "tags: [a-brand-new-tag, "),
        lambda: edit(project, "non-deep-networks", "topics: [architectures]", "topics: [architectures]\nyear: 1999"),
        lambda: edit(project, "non-deep-networks", "title: Aaaa Non-deep Networks", "title: Zzzz Non-deep Networks"),
        lambda: edit(project, "non-deep-networks", "tags: [a-brand-new-tag, ", "tags: ["),
        lambda: edit(project, "graph-attention-networks", "title: Graph Attention Networks", "title: GAT"),
        lambda: _copied(papers / "non-deep-networks.md", papers / "non-deep-networks-2.md"),
        lambda: _deleted(papers / "non-deep-networks.md"),
    ]
    for step in steps:
        before = html_files(project / "_site")
        check_exact(project, site, step(), before)
    assert "papers/non-deep-networks-2.html" in html_files(project / "_site")


def _copied(source, target):
    target.write_text(source.read_text(encoding="utf-8").replace("title: Zzzz", "title: Copied"), encoding="utf-8")
    return target


def _deleted(path):
    path.unlink()
    return path


class RecordingBroadcaster:
    """What the browsers would be told, in order (a real Broadcaster with no listeners says nothing)."""

    def __init__(self):
        self.events = []

    def send(self, event, data=None):
        self.events.append((event, data))


def test_a_tab_is_told_to_reload_each_changed_page_once(live):
    """The edited paper's page is announced first (its tab reloads at once); the lists that show
    it follow, without naming it again (a second reload interrupted the reader, and the tests)."""
    from generator.serve.watcher import Rebuilder

    project, site = live
    told = RecordingBroadcaster()
    rebuilder = Rebuilder(site.config, site, told)
    path = edit(project, "non-deep-networks", "title: Non-deep Networks", "title: Non-deep Networks, Edited")
    rebuilder._rebuild({path})
    reloads = [data["paths"] for event, data in told.events if event == "reload"]
    assert reloads[0] == ["papers/non-deep-networks.html"]
    named = [path for paths in reloads for path in paths]
    assert len(named) == len(set(named)), named
    assert "tags/network-depth.html" in named  # the lists follow


def test_a_change_seen_during_a_refresh_stops_it_and_the_watcher_plans_it_again(live):
    """serve's refresh of related papers, exports and search gives way to an edit (on two cores
    it slowed each edit 2-3x); the watcher runs it again once edits settle."""
    from generator.serve.live import RefreshInterrupted
    from generator.serve.watcher import Rebuilder

    project, site = live
    exports = {k: v for k, v in snapshot(project / "_site").items() if k.startswith("papers.")}
    since = site.changes_seen
    site.changes_seen += 1  # what the watcher counts for a file event
    with pytest.raises(RefreshInterrupted):
        site.refresh_derived(since)
    assert site.child is None
    assert {k: v for k, v in snapshot(project / "_site").items() if k.startswith("papers.")} == exports
    rebuilder = Rebuilder(site.config, site, RecordingBroadcaster())
    rebuilder.search_due = None
    rebuilder._refresh_search(since)  # interrupted again: planned for later, nothing said
    assert rebuilder.search_due is not None and not rebuilder.refreshing.is_set()
    assert site.refresh_derived() == []  # uninterrupted (this live site has no search): it completes


def test_a_change_kills_a_running_refresh_at_once_and_the_refresh_says_it_was_interrupted(live):
    """The niced child of a refresh shared both cores with an edit's rebuild until its next
    check; the watcher now kills it on the event itself, and the refresh reports the kill as an
    interruption (planned again), not as a failed refresh."""
    import threading

    from processes import wait_for

    from generator.serve.live import RefreshInterrupted
    from generator.serve.watcher import Rebuilder

    project, site = live
    outcome: list[BaseException | None] = []

    def refresh():
        try:
            site.refresh_derived()
            outcome.append(None)
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=refresh)
    worker.start()
    assert wait_for(lambda: site.child is not None and site.child.poll() is None or bool(outcome))
    assert not outcome, "the refresh ended before a change could come in"
    child = site.child
    rebuilder = Rebuilder(site.config, site, RecordingBroadcaster())
    rebuilder.changed(project / "content" / "papers" / "non-deep-networks.md")
    worker.join()
    assert child.returncode == -9  # killed, not finished
    assert len(outcome) == 1 and isinstance(outcome[0], RefreshInterrupted), outcome


def test_a_change_signals_the_refresh_child_itself_not_only_at_its_next_check(live):
    import subprocess
    import sys

    from generator.serve.watcher import Rebuilder

    project, site = live
    # A stand-in child that would outlive the test: only the watcher's kill ends it.
    site.child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        Rebuilder(site.config, site, RecordingBroadcaster()).changed(project / "site.yaml")
        assert site.child.wait(timeout=120) == -9
    finally:
        site.child.kill()
        site.child.wait()


def test_an_atomic_save_is_reported_as_a_rename_and_rebuilds_without_the_debounce(tmp_path):
    """Editors save by writing a temp file and renaming it onto the paper: the renamed file is
    whole, so it needs no debounce; an in-place write may be half done and waits for quiet."""
    import os
    import threading

    from watchdog.observers import Observer

    from generator.serve.watcher import DEBOUNCE_SECONDS, FileEvents, settled

    class Recorder:
        def __init__(self):
            self.events, self.seen = [], threading.Event()

        def changed(self, path, renamed=False):
            self.events.append((path.name, renamed))
            if path.name == "done.md":
                self.seen.set()

    recorder = Recorder()
    observer = Observer()
    observer.schedule(FileEvents(recorder), str(tmp_path))
    observer.start()
    try:
        paper = tmp_path / "paper.md"
        temp = tmp_path / ".paper.md.tmp"
        temp.write_text("---\ntitle: T\n---\n", encoding="utf-8")
        os.replace(temp, paper)
        paper.write_text("---\ntitle: In place\n---\n", encoding="utf-8")
        (tmp_path / "done.md").write_text("", encoding="utf-8")  # the last event, to wait on
        assert recorder.seen.wait(timeout=120)
    finally:
        observer.stop()
        observer.join()
    on_paper = [renamed for name, renamed in recorder.events if name == "paper.md"]
    assert on_paper[0] is True  # the rename
    assert on_paper[-1] is False  # the in-place write that followed
    now, later = 0.0, DEBOUNCE_SECONDS
    assert settled({paper}, {paper}, now)
    assert not settled({paper}, set(), now) and settled({paper}, set(), later)
    assert not settled({paper, temp}, {paper}, now)  # one file still being written
    assert not settled(set(), set(), later)
