"""A build over an existing output renders only the pages whose inputs changed, and its result
is the same, byte for byte, as a build from nothing."""
from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace

import pytest

from generator.build.manifest import manifest_path
from generator.build.pipeline import build
from generator.content.config import load_config
from generator.search import pagefind
from generator.search.shards import shard_of

from conftest import snapshot


def pages_of(folder):
    """Every file, the Pagefind bundle too: it is merged from shards in an order of litsite's
    (search/bundles.py), not in the order Pagefind happened to walk the pages."""
    return snapshot(folder)


def same_as_a_build_from_nothing(project, search=False):
    for left in project.parent.glob(".cold.*"):  # no manifest, no cache: truly from nothing
        if left.is_dir():
            shutil.rmtree(left)  # the search shards
        else:
            left.unlink()
    config = load_config(project)
    cold = build(config, project.parent / "cold", search=search)
    assert cold.rendered == len(cold.pages)  # no manifest for that folder: everything rendered
    assert pages_of(project / "_site") == pages_of(project.parent / "cold")
    shutil.rmtree(project.parent / "cold")


def set_field(project, slug, field, value):
    path = project / "content" / "papers" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(rf"^{field}: .*$", f"{field}: {value}", text, count=1, flags=re.M), encoding="utf-8")


def test_an_unchanged_site_renders_nothing_and_keeps_its_search_indexes(seed_copy):
    config = load_config(seed_copy)
    first = build(config)
    pagefind_entry = (seed_copy / "_site" / "pagefind" / "pagefind-entry.json").stat().st_ino
    before = snapshot(seed_copy / "_site")
    second = build(config)
    assert second.rendered == 0  # the overview too: its map is part of its key
    assert first.rendered == len(first.pages)
    assert "search indexes unchanged" in second.summary()
    assert snapshot(seed_copy / "_site") == before
    # the bundle is the previous build's files, linked, not Pagefind run again
    assert (seed_copy / "_site" / "pagefind" / "pagefind-entry.json").stat().st_ino == pagefind_entry


def test_a_notes_edit_renders_that_paper_only_and_equals_a_full_build(seed_copy):
    config = load_config(seed_copy)
    build(config, search=False)
    path = seed_copy / "content" / "papers" / "non-deep-networks.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nA note added later.\n", encoding="utf-8")
    result = build(config, search=False)
    assert result.rendered == 1  # the paper alone (the overview is keyed by its map, which notes do not move)
    assert "A note added later." in (seed_copy / "_site" / "papers" / "non-deep-networks.html").read_text()
    same_as_a_build_from_nothing(seed_copy)


def test_a_title_edit_renders_the_lists_that_show_it_and_equals_a_full_build(seed_copy):
    config = load_config(seed_copy)
    build(config, search=False)
    set_field(seed_copy, "non-deep-networks", "title", "0000 A title that sorts first")
    result = build(config, search=False)
    assert 2 < result.rendered < len(result.pages) / 4
    same_as_a_build_from_nothing(seed_copy)


def test_a_searchable_change_runs_pagefind_again_on_its_shard_only(seed_copy, monkeypatch):
    monkeypatch.setattr(pagefind, "SHARD_PAGES", 40)  # 8 shards of the seed's 274 pages
    written = []
    real = pagefind.write_search_documents
    monkeypatch.setattr(pagefind, "write_search_documents", lambda site, paths, *a, **k: written.append(paths) or
                        real(site, paths, *a, **k))
    config = load_config(seed_copy)
    build(config)
    shards = seed_copy / "._site.search.cache"
    made = {p.name: p.stat().st_ino for p in shards.iterdir()}
    searchable = {path for call in written for path in call}
    written.clear()
    set_field(seed_copy, "non-deep-networks", "title", "Entirely Renamed Networks")
    result = build(config)
    assert "search indexes unchanged" not in result.summary()
    index = (seed_copy / "_site" / "search-index.js").read_text(encoding="utf-8")
    assert "Entirely Renamed Networks" in index
    shard = shard_of("papers/non-deep-networks.html", 8)
    changed = {p.name for p in shards.iterdir() if p.stat().st_ino != made.get(p.name)}
    assert len(made) == 8 and changed == {f"8-{shard}"}
    # Documents written: the pages rendered again (the paper's and those listing it as related:
    # their documents are the same, which their digests show), then the rest of its shard.
    rendered, rest = written
    in_shard = {path for path in searchable if shard_of(path, 8) == shard}
    assert "papers/non-deep-networks.html" in rendered and len(rendered) < 20 and len(searchable) > 250
    assert set(rest) == in_shard - set(rendered)
    same_as_a_build_from_nothing(seed_copy, search=True)


def test_a_shard_made_again_without_its_documents_has_them_all_written(seed_copy, monkeypatch):
    """Should the build and the indexer disagree on what can be reused (or shards refuse to
    merge), the indexer asks for every document and is run again: slower, never wrong."""
    monkeypatch.setattr(pagefind, "SHARD_PAGES", 40)
    config = load_config(seed_copy)
    build(config)
    real = pagefind.plan_shards
    monkeypatch.setattr(pagefind, "plan_shards", lambda *a, **k: [replace(s, reusable=True) for s in real(*a, **k)])
    written = []
    write = pagefind.write_search_documents
    monkeypatch.setattr(pagefind, "write_search_documents", lambda site, paths, *a, **k: written.append(len(paths)) or
                        write(site, paths, *a, **k))
    set_field(seed_copy, "non-deep-networks", "title", "Entirely Renamed Networks")
    build(config)
    assert len(written) == 4 and written[1] == 0 and written[2] > 250  # asked for them all, and run again
    from generator.build.caches import read_cache
    assert len(read_cache(seed_copy / "_site", "documents")) > 250  # and the next build can reuse them
    assert "Entirely Renamed Networks" in (seed_copy / "_site" / "search-index.js").read_text(encoding="utf-8")
    same_as_a_build_from_nothing(seed_copy, search=True)


def test_a_deleted_paper_and_a_template_change(seed_copy):
    config = load_config(seed_copy)
    build(config, search=False)
    (seed_copy / "content" / "papers" / "non-deep-networks.md").unlink()
    result = build(config, search=False)
    assert not (seed_copy / "_site" / "papers" / "non-deep-networks.html").exists()
    assert result.rendered > 2  # its neighbours, its lists, and the sidebar counts everywhere
    same_as_a_build_from_nothing(seed_copy)
    base = seed_copy / "templates" / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<!-- changed --></footer>", 1))
    result = build(config, search=False)
    assert result.rendered == len(result.pages)
    assert "<!-- changed -->" in (seed_copy / "_site" / "index.html").read_text()


def test_an_output_folder_that_is_not_the_one_recorded_is_never_trusted(seed_copy):
    config = load_config(seed_copy)
    build(config, search=False)
    site = seed_copy / "_site"
    page = site / "papers" / "non-deep-networks.html"
    # replaced by hand (same names, different folder): everything is rendered again
    shutil.copytree(site, seed_copy / "copy")
    shutil.rmtree(site)
    os.rename(seed_copy / "copy", site)
    page.write_text("tampered", encoding="utf-8")
    result = build(config, search=False)
    assert result.rendered == len(result.pages)
    assert "tampered" not in page.read_text(encoding="utf-8")
    # a page removed by hand from the recorded folder is rendered again
    page.unlink()
    result = build(config, search=False)
    assert result.rendered == 1 and page.is_file()


def test_serve_edits_in_place_so_the_next_build_renders_everything(seed_copy):
    from generator.serve.live import LiveSite

    config = load_config(seed_copy)
    live = LiveSite(config, seed_copy / "_site", search=False)
    assert manifest_path(seed_copy / "_site").is_file()
    set_field(seed_copy, "non-deep-networks", "title", "Renamed While Serving")
    live.update_papers([seed_copy / "content" / "papers" / "non-deep-networks.md"])
    assert not manifest_path(seed_copy / "_site").exists()
    result = build(config, search=False)
    assert result.rendered == len(result.pages)


def test_the_parallel_build_writes_what_the_sequential_one_does(seed_copy, monkeypatch):
    """Large sites render paper pages on a pool of forked workers and the other pages in a forked
    process of their own while related papers are ranked; the seeds take that path when the
    threshold is lowered."""
    import generator.build.pipeline as pipeline
    import generator.build.writer as writer

    config = load_config(seed_copy)
    sequential = build(config, seed_copy.parent / "sequential", search=False, parallel=False)
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 50)
    monkeypatch.setattr(writer, "PARALLEL_FROM", 50)
    monkeypatch.setattr(writer, "CHUNK", 40)
    parallel = build(config, search=False)
    assert parallel.rendered == len(parallel.pages) == len(sequential.pages)
    assert pages_of(seed_copy / "_site") == pages_of(seed_copy.parent / "sequential")
    # page keys came back from every worker: an edit renders only what it touches
    set_field(seed_copy, "non-deep-networks", "title", "0000 A title that sorts first")
    again = build(config, search=False)
    assert 2 < again.rendered < len(again.pages) / 4
    same_as_a_build_from_nothing(seed_copy)


def test_a_folder_put_back_from_an_earlier_build_is_not_trusted_even_with_a_reused_inode(seed_copy):
    """Inode numbers are reused after a folder is deleted: the build token inside the folder
    tells an earlier build put back by hand from the one the manifest describes."""
    import json

    config = load_config(seed_copy)
    build(config, search=False)
    earlier = snapshot(seed_copy / "_site")
    set_field(seed_copy, "non-deep-networks", "title", "A Later Title")
    build(config, search=False)
    shutil.rmtree(seed_copy / "_site")
    for key, data in earlier.items():  # the earlier build, restored file by file
        (seed_copy / "_site" / key).parent.mkdir(parents=True, exist_ok=True)
        (seed_copy / "_site" / key).write_bytes(data)
    manifest = manifest_path(seed_copy / "_site")
    data = json.loads(manifest.read_text())
    data["inode"] = os.stat(seed_copy / "_site").st_ino  # as if the kernel had reused the number
    manifest.write_text(json.dumps(data))
    result = build(config, search=False)
    assert result.rendered == len(result.pages)
    assert "A Later Title" in (seed_copy / "_site" / "papers" / "non-deep-networks.html").read_text()


# -- `litsite build` when nothing it reads changed (build/inputs.py) -------------------------

def test_a_build_with_nothing_changed_keeps_the_folder_as_it_is_and_equals_a_build_from_nothing(small_seed_copy):
    from generator.build.pipeline import build_if_changed

    config = load_config(small_seed_copy)
    assert build_if_changed(config).startswith("built ")
    site = small_seed_copy / "_site"
    inode, before = os.stat(site).st_ino, snapshot(site)
    summary = build_if_changed(config)
    assert summary.startswith("nothing changed since the last build")
    assert os.stat(site).st_ino == inode and snapshot(site) == before  # not even swapped
    config = load_config(small_seed_copy)
    cold = build(config, small_seed_copy.parent / "cold")
    assert pages_of(site) == pages_of(small_seed_copy.parent / "cold")
    assert cold.rendered == len(cold.pages)


def first_paper(project):
    return sorted((project / "content" / "papers").glob("*.md"))[0]


def _same_size_edit(project):
    """A one-letter change, with the file's size and mtime put back: only its bytes differ."""
    path = first_paper(project)
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    title = re.search(r"^title: (.)", text, re.M)
    swapped = "X" if title.group(1) != "X" else "Y"
    path.write_text(text[:title.start(1)] + swapped + text[title.end(1):], encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size


def _touch_paper(project):
    """Same bytes, a later mtime: outside git the feed and the sitemap date papers by it."""
    path = first_paper(project)
    os.utime(path, (path.stat().st_atime + 86_400 * 400, path.stat().st_mtime + 86_400 * 400))


def _edit(relative, old, new):
    def edit(project):
        path = project / relative
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    return edit


def _new_doc(project):
    (project / "content" / "docs").mkdir(exist_ok=True)
    (project / "content" / "docs" / "added-later.md").write_text("# Added later\n\nA new page.\n", encoding="utf-8")


GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z",
           "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}


def _commit(project):
    """Committing changes no byte and no mtime, but papers are then dated by git (content/history.py)."""
    import subprocess

    subprocess.run(["git", "-C", str(project), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(project), "commit", "-q", "-m", "papers"], check=True,
                   env={**os.environ, **GIT_ENV})


@pytest.mark.parametrize("change", [
    _same_size_edit, _touch_paper, _new_doc, _commit,
    _edit("templates/base.html", "</footer>", "<!-- changed --></footer>"),
    _edit("static/style.css", "}", "} /* changed */"),
    _edit("site.yaml", "title: Neural Network Literature", "title: Neural Network Readings"),
], ids=["same-size-paper-edit", "touched-paper", "new-doc", "git-commit", "template", "static", "site-yaml"])
def test_any_change_to_what_a_build_reads_builds_again_and_equals_a_build_from_nothing(small_seed_copy, change):
    import subprocess

    from generator.build.pipeline import build_if_changed

    if change is _commit:  # a repository with nothing committed yet: papers dated by their mtimes
        subprocess.run(["git", "init", "-q", str(small_seed_copy)], check=True)
        (small_seed_copy / ".gitignore").write_text("_site/\n._site*\n", encoding="utf-8")
    build_if_changed(load_config(small_seed_copy), search=False)
    feed = (small_seed_copy / "_site" / "feed.xml").read_bytes()
    change(small_seed_copy)
    summary = build_if_changed(load_config(small_seed_copy), search=False)
    assert summary.startswith("built "), summary
    if change in (_touch_paper, _commit):  # same bytes everywhere: the dates are what moved
        assert (small_seed_copy / "_site" / "feed.xml").read_bytes() != feed
    same_as_a_build_from_nothing(small_seed_copy)


def test_a_search_index_asked_for_after_a_build_without_one_is_made(small_seed_copy):
    from generator.build.pipeline import build_if_changed

    config = load_config(small_seed_copy)
    build_if_changed(config, search=False)
    assert not (small_seed_copy / "_site" / "pagefind").exists()
    assert build_if_changed(config).startswith("built ")
    assert (small_seed_copy / "_site" / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.parametrize("tamper", ["delete", "edit", "add"])
def test_an_output_touched_by_hand_is_built_again(small_seed_copy, tamper):
    from generator.build.pipeline import build_if_changed

    config = load_config(small_seed_copy)
    build_if_changed(config, search=False)
    page = small_seed_copy / "_site" / "papers" / f"{first_paper(small_seed_copy).stem}.html"
    original = page.read_bytes()
    if tamper == "delete":
        page.unlink()
    elif tamper == "edit":
        page.write_bytes(original.replace(b"<h1", b"<h1 title=x", 1))
    else:
        (small_seed_copy / "_site" / "papers" / "stray.html").write_text("stray", encoding="utf-8")
    assert build_if_changed(config, search=False).startswith("built ")
    assert page.read_bytes() == original
    assert not (small_seed_copy / "_site" / "papers" / "stray.html").exists()
    same_as_a_build_from_nothing(small_seed_copy)


def test_after_serve_edited_the_output_in_place_the_next_build_is_not_skipped(small_seed_copy):
    from generator.build.pipeline import build_if_changed
    from generator.serve.live import LiveSite

    config = load_config(small_seed_copy)
    build_if_changed(config, search=False)
    live = LiveSite(config, small_seed_copy / "_site", search=False)
    paper = first_paper(small_seed_copy)
    original = paper.read_bytes()
    set_field(small_seed_copy, paper.stem, "title", "Renamed While Serving")
    live.update_papers([paper])
    paper.write_bytes(original)  # the content is back as the recorded build read it; the output is not
    assert build_if_changed(config, search=False).startswith("built ")
    same_as_a_build_from_nothing(small_seed_copy)


# -- caches beside the output (build/caches.py) ----------------------------------------------

def _count_parses(monkeypatch):
    import generator.content.load as load

    seen = []
    real = load.check_paper_file

    def counting(path, *args, **kwargs):
        seen.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(load, "check_paper_file", counting)
    return seen


def test_a_paper_file_whose_bytes_are_unchanged_is_not_parsed_again(small_seed_copy, monkeypatch):
    config = load_config(small_seed_copy)
    build(config, search=False, parallel=False)
    parses = _count_parses(monkeypatch)
    edited = first_paper(small_seed_copy)
    set_field(small_seed_copy, edited.stem, "title", "0000 A title that sorts first")
    build(config, search=False, parallel=False)
    assert parses == [edited.name]
    same_as_a_build_from_nothing(small_seed_copy)


def test_the_parsed_papers_cache_is_keyed_by_bytes_not_mtime(small_seed_copy, monkeypatch):
    config = load_config(small_seed_copy)
    build(config, search=False, parallel=False)
    _same_size_edit(small_seed_copy)  # same size and mtime, one letter of the title changed
    parses = _count_parses(monkeypatch)
    build(config, search=False, parallel=False)
    assert parses == [first_paper(small_seed_copy).name]
    same_as_a_build_from_nothing(small_seed_copy)


def test_a_cache_of_another_litsite_version_is_not_used(small_seed_copy, monkeypatch):
    import generator.build.caches as caches

    config = load_config(small_seed_copy)
    build(config, search=False, parallel=False)
    monkeypatch.setattr(caches, "code_version", lambda: "another version")
    parses = _count_parses(monkeypatch)
    build(config, search=False, parallel=False)
    assert len(parses) == len(list((small_seed_copy / "content" / "papers").glob("*.md")))


class _Planted:
    """What a hostile cache file would hold: unpickling it runs code."""
    def __reduce__(self):
        return (os.mkdir, (os.environ["PLANTED_MARKER"],))


def test_a_cache_reads_back_what_was_written_and_a_damaged_one_reads_as_nothing(tmp_path, monkeypatch):
    """Caches are pickled straight to the file and signed as they go (build/caches.py)."""
    from generator.build.caches import cache_path, read_cache, write_cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user"))
    site = tmp_path / "_site"
    value = {"terms": {bytes([n]) * 16: f"word{n} " * 5000 for n in range(40)}}  # ~1.5 MB: many pickle frames
    write_cache(site, "words", value)
    assert read_cache(site, "words") == value
    blob = cache_path(site, "words").read_bytes()
    for damaged in (blob[:-1], blob[:40], blob[:900_000] + bytes([blob[900_000] ^ 1]) + blob[900_001:],
                    bytes([blob[0] ^ 1]) + blob[1:]):
        cache_path(site, "words").write_bytes(damaged)
        assert read_cache(site, "words") is None


def test_a_cache_file_not_signed_by_this_user_is_never_unpickled(small_seed_copy, monkeypatch):
    import pickle

    from generator.build.caches import cache_path

    marker = small_seed_copy.parent / "code-ran"
    monkeypatch.setenv("PLANTED_MARKER", str(marker))
    site = small_seed_copy / "_site"
    for name in ("papers", "related", "words", "documents"):  # as if committed to the project by someone else
        cache_path(site, name).write_bytes(b"\0" * 32 + pickle.dumps(("v", _Planted())))
    build(load_config(small_seed_copy), search=False)
    assert not marker.exists()
    same_as_a_build_from_nothing(small_seed_copy)


def test_related_papers_are_ranked_again_only_when_a_reading_text_changed(small_seed_copy, monkeypatch):
    from generator.analysis.related import RelatedIndex

    config = load_config(small_seed_copy)
    build(config, search=False)
    ranked = []
    real = RelatedIndex.all_neighbours
    monkeypatch.setattr(RelatedIndex, "all_neighbours", lambda self, *a: ranked.append(1) or real(self, *a))
    paper = first_paper(small_seed_copy)
    paper.write_text(paper.read_text(encoding="utf-8") + "\nA note added later.\n", encoding="utf-8")
    build(config, search=False)
    assert ranked == []  # notes are not part of the reading text: the last build's neighbours
    same_as_a_build_from_nothing(small_seed_copy)  # (that one ranks: a folder of its own, no cache)
    ranked.clear()
    set_field(small_seed_copy, paper.stem, "title", "Sparse Attention for Very Long Documents")
    build(config, search=False)
    assert ranked == [1]
    same_as_a_build_from_nothing(small_seed_copy)


def test_the_meaning_vectors_are_kept_while_their_texts_are_the_same(small_seed_copy):
    """search-vectors.js is a function of the papers' meaning texts (title, abstract, tags) in
    order: an edit elsewhere keeps the last build's file; an abstract edit makes it again. Both
    equal a build from nothing."""
    config = load_config(small_seed_copy)
    build(config)
    vectors = small_seed_copy / "_site" / "search-vectors.js"
    made = vectors.stat().st_ino
    paper = first_paper(small_seed_copy)
    paper.write_text(paper.read_text(encoding="utf-8").replace("\ntags:", "\nvenue: A Venue Added Later\ntags:", 1),
                     encoding="utf-8")
    build(config)
    assert "A Venue Added Later" in (small_seed_copy / "_site" / "papers" / f"{paper.stem}.html").read_text(encoding="utf-8")
    assert vectors.stat().st_ino == made  # linked from the last build: no SVD
    same_as_a_build_from_nothing(small_seed_copy, search=True)
    text = paper.read_text(encoding="utf-8")
    assert "\nabstract: >-\n  " in text
    paper.write_text(text.replace("\nabstract: >-\n  ", "\nabstract: >-\n  Sparse attention first. ", 1), encoding="utf-8")
    build(config)  # the papers' order is the same (the key the head names), one text is not
    assert vectors.stat().st_ino != made
    same_as_a_build_from_nothing(small_seed_copy, search=True)
