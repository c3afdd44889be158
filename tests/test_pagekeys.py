"""Page keys by construction: every input a page can show, edited in turn, gives the same
site from an incremental build (over an existing output, and in `serve`) as from nothing.

The lists of inputs are not kept by hand either: every field of `Paper`, every top-level key
site.yaml accepts and every template is edited, so a new field, key or template is covered
the day it is added (or the test says it has no edit yet).
"""
from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from generator.build.pipeline import build
from generator.content.config import _TOP_KEYS, load_config
from generator.content.frontmatter import render_paper_file
from generator.content.paper import Paper, fingerprint
from generator.content.validate import read_paper
from generator.serve.live import LiveSite

from conftest import REPO

PAPERS = 40  # a small site: each edit builds it three times
SUBJECT = "non-deep-networks"  # in a topic, with related papers and neighbours, on many listings


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The seed site cut down to PAPERS papers (SUBJECT among them)."""
    root = tmp_path_factory.mktemp("keys") / "site"
    for name in ("templates", "static"):
        shutil.copytree(REPO / name, root / name)
    for name in ("site.yaml", "tags.yaml"):
        shutil.copy(REPO / name, root / name)
    papers = root / "content" / "papers"
    papers.mkdir(parents=True)
    for name in ("index.md", "about.md"):
        shutil.copy(REPO / "content" / name, root / "content" / name)
    chosen = sorted((REPO / "content" / "papers").glob("*.md"))[: PAPERS - 1]
    for path in {*chosen, REPO / "content" / "papers" / f"{SUBJECT}.md"}:
        shutil.copy(path, papers / path.name)
    # Something for every edit to show: a year (the years pages), an author (the authors index),
    # raw HTML (markdown.allow_html).
    subject = read_paper(papers / f"{SUBJECT}.md")
    subject.year, subject.notes = 2021, "Notes with <kbd>raw HTML</kbd> in them."
    subject.authors = ["Emmy Noether"]
    (papers / f"{SUBJECT}.md").write_text(render_paper_file(subject), encoding="utf-8")
    # A reading list (its pages, and the "In the reading list" line on its papers' pages).
    lists = root / "content" / "lists"
    lists.mkdir()
    # (Not the subject: renaming it would leave the list naming no paper, which is an error.)
    (lists / "start.md").write_text(f"---\ntitle: Start here\npapers:\n  - paper: {chosen[1].stem}\n"
                                    f"    note: First.\n  - {chosen[0].stem}\n---\n", encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a built site but the build token (a digest of the build's own keys)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != ".litsite-build"}


def edit_paper(change: Callable[[Paper], None]) -> Callable[[Path], list[Path]]:
    def apply(root: Path) -> list[Path]:
        path = root / "content" / "papers" / f"{SUBJECT}.md"
        paper = read_paper(path)
        change(paper)
        path.write_text(render_paper_file(paper), encoding="utf-8")
        return [path]
    return apply


def rename_paper(root: Path) -> list[Path]:
    old = root / "content" / "papers" / f"{SUBJECT}.md"
    new = old.with_name("zz-renamed-paper.md")
    old.rename(new)
    return [old, new]


def other_topic(paper: Paper) -> None:
    paper.topics = ["architectures"] if paper.topics[:1] != ["architectures"] else ["depth-estimation"]


def set_attribute(name: str, value) -> Callable[[Paper], None]:
    return lambda paper: setattr(paper, name, value)


PAPER_EDITS: dict[str, Callable[[Path], list[Path]]] = {
    "slug": rename_paper,
    "path": rename_paper,  # a paper's path is its slug's file
    "title": edit_paper(set_attribute("title", "Aardvark Networks, Retitled")),  # sorts first: neighbours move
    "abstract": edit_paper(lambda p: setattr(p, "abstract", p.abstract + " One sentence more.")),
    "title_source": edit_paper(set_attribute("title_source", "derived")),
    "authors": edit_paper(set_attribute("authors", ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Kurt Gödel",
                                                    "Emmy Noether"])),
    "year": edit_paper(set_attribute("year", 1999)),
    "venue": edit_paper(set_attribute("venue", "Journal of Careful Tests")),
    "doi": edit_paper(set_attribute("doi", "10.1234/litsite.keys")),
    "arxiv": edit_paper(set_attribute("arxiv", "2101.01234")),
    "tags": edit_paper(lambda p: setattr(p, "tags", ["gnn"] + p.tags[:1])),
    "topics": edit_paper(other_topic),
    "links": edit_paper(set_attribute("links", {"code": "https://example.org/code", "pdf": "https://example.org/x.pdf"})),
    "sources": edit_paper(set_attribute("sources", [])),
    "added": edit_paper(set_attribute("added", dt.date(2031, 1, 1))),
    "locked": edit_paper(set_attribute("locked", ["tags"])),
    "generated": edit_paper(set_attribute("generated", {"title": "0123456789"})),
    "notes": edit_paper(set_attribute("notes", "Notes with **bold** words and a [link](https://example.org).")),
}


def edit_config(change: Callable[[dict], None]) -> Callable[[Path], list[Path]]:
    def apply(root: Path) -> list[Path]:
        path = root / "site.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
        return [path]
    return apply


def retitle_topic(data: dict) -> None:
    data["topics"][0]["title"] = "A Renamed Topic"
    data["topics"][1]["description"] = "A new description."


def add_tag_to_vocabulary(data: dict) -> None:
    data["tags"] = [{"slug": "brand-new-tag", "aliases": ["brand new phrase"]}]


CONFIG_EDITS: dict[str, Callable[[dict], None]] = {
    "title": lambda d: d.update(title="A Renamed Site"),
    "description": lambda d: d.update(description="Another description."),
    "base_url": lambda d: d.update(base_url="https://another.example/sub/"),
    "repo_url": lambda d: d.update(repo_url="https://example.org/another/repo"),
    "repo_branch": lambda d: d.update(repo_branch="trunk"),
    "language": lambda d: d.update(language="de"),
    "markdown": lambda d: d.update(markdown={"allow_html": True}),
    "per_page": lambda d: d.update(per_page=7),
    "nav": lambda d: d.update(nav=[]),
    "topics": retitle_topic,
    "tags": add_tag_to_vocabulary,
    "propose_tags": lambda d: d.update(propose_tags=not d.get("propose_tags", True)),
    "check": lambda d: d.update(check={"unknown_tags": "ignore"}),
    "max_file_bytes": lambda d: d.update(max_file_bytes=1024 * 1024),
    "citation_style": lambda d: d.update(citation_style="ieee"),
    "search": lambda d: d.update(search={"meaning": False}),  # the search page loses its switch
}
# Edits that change what tools do (check, import, retag), not what a page shows.
INVISIBLE = {"locked", "generated", "check", "propose_tags", "tags", "max_file_bytes"}


def edit_template(name: str) -> Callable[[Path], list[Path]]:
    def apply(root: Path) -> list[Path]:
        path = root / "templates" / name
        text = path.read_text(encoding="utf-8")
        marker = f"<span class=\"edited\">{name}</span>"
        if "<body>" in text:  # the layout: its blocks are filled by the pages
            text = text.replace("<body>", "<body>" + marker, 1)
        elif "{% block main %}" in text:
            text = text.replace("{% block main %}", "{% block main %}" + marker, 1)
        elif text.startswith("{% macro"):
            text = text.replace("%}\n", "%}\n" + marker, 1)  # inside the macro, which is what is shown
        else:
            # after the template's opening comment, which may span lines
            text = text.replace("#}\n", "#}\n" + marker, 1) if text.startswith("{#") else marker + text
        path.write_text(text, encoding="utf-8")
        return [path]
    return apply


def edit_content_page(name: str, text: str | None) -> Callable[[Path], list[Path]]:
    def apply(root: Path) -> list[Path]:
        path = root / "content" / name
        if text is None:
            path.unlink()
        else:
            path.write_text(text, encoding="utf-8")
        return [path]
    return apply


CONTENT_EDITS = {
    "index.md": edit_content_page("index.md", "A new *introduction* for the home page.\n"),
    "about.md": edit_content_page("about.md", "# About, rewritten\n\n## Part\n\nText.\n\n## Part two\n\n### More\n"),
    "about.md deleted": edit_content_page("about.md", None),
    "guide.md added": edit_content_page("guide.md", "# A guide\n\nNew docs page.\n"),
    "lists/start.md": edit_content_page("lists/start.md", f"---\ntitle: Start here, renamed\npapers:\n"
                                                          f"  - paper: {SUBJECT}\n    note: A *new* note.\n---\n"),

    "lists/start.md deleted": edit_content_page("lists/start.md", None),
    "lists/more.md added": edit_content_page("lists/more.md", f"---\ntitle: More\npapers:\n  - {SUBJECT}\n---\n"),
}


def all_edits() -> dict[str, Callable[[Path], list[Path]]]:
    missing = [f.name for f in fields(Paper) if f.name not in PAPER_EDITS]
    assert not missing, f"Paper fields with no edit in this test: {missing}"
    missing = [key for key in _TOP_KEYS if key not in CONFIG_EDITS]
    assert not missing, f"site.yaml keys with no edit in this test: {missing}"
    edits = {f"paper.{name}": edit for name, edit in PAPER_EDITS.items()}
    edits.update({f"site.yaml {key}": edit_config(change) for key, change in CONFIG_EDITS.items()})
    edits.update({f"content/{name}": edit for name, edit in CONTENT_EDITS.items()})
    edits.update({f"templates/{p.name}": edit_template(p.name) for p in sorted((REPO / "templates").glob("*.html"))})
    return edits


EDITS = all_edits()


@pytest.mark.slow
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_an_incremental_build_equals_a_build_from_nothing(base, tmp_path, edit):
    root = tmp_path / "site"
    shutil.copytree(base, root)
    build(load_config(root), search=False, parallel=False)
    live_output = tmp_path / "live"
    live = LiveSite(load_config(root), live_output, search=False)
    before = snapshot(root / "_site")

    changed = EDITS[edit](root)
    config = load_config(root)
    build(config, search=False, parallel=False)  # over the existing output: unchanged pages reused
    fresh = build(config, tmp_path / "fresh", search=False, parallel=False)
    assert fresh.rendered == len(fresh.pages)  # nothing to reuse there
    expected = snapshot(tmp_path / "fresh")
    assert snapshot(root / "_site") == expected, edit
    if edit.split()[0].split(".")[-1] not in INVISIBLE and edit.rsplit(" ", 1)[-1] not in INVISIBLE:
        assert expected != before, f"{edit} changes nothing a reader sees: the test proves nothing for it"

    # serve: papers are updated in place, anything else rebuilds; then the derived pages
    if all(p.parent == root / "content" / "papers" for p in changed):
        live.update_papers(changed)
    else:
        live.rebuild_all(config)
    live.refresh_derived()
    assert snapshot(live_output) == expected, edit


def test_fingerprints_do_not_depend_on_key_order():
    """Links read back from a file come in the file's order; the fingerprint litsite wrote must
    still match, or a later import takes a person's edit for its own (or drops a new link)."""
    links = {"code": "https://example.org/c", "pdf": "https://example.org/p"}
    assert fingerprint(links) == fingerprint(dict(reversed(list(links.items()))))
    assert fingerprint({"a": {"x": 1, "y": 2}}) == fingerprint({"a": {"y": 2, "x": 1}})
    assert fingerprint(links) != fingerprint({**links, "pdf": "https://example.org/other"})


def test_a_card_kept_by_its_keys_still_changes_the_key_when_the_card_does():
    """Keys keep each Card's frozen form by object: a new card (an edited title), even one
    equal in every other field, gives the list its new key; the same card, the same key."""
    from generator.build.pagekeys import Keys
    from generator.site.model import Card
    from generator.site.pages import HomeContext, Page

    def home(*cards: Card) -> Page:
        return Page("index.html", "index.html", "Home", "", HomeContext("", cards))

    keys = Keys("build")
    card = Card("a-paper", "A Paper", False, ("Ada Lovelace",), "Venue", 2024, ("gnn",), "It works.")
    edited = Card("a-paper", "A Paper, Edited", False, ("Ada Lovelace",), "Venue", 2024, ("gnn",), "It works.")
    first = keys.key(home(card))
    assert keys.key(home(card)) == first == Keys("build").key(home(card))  # kept or made afresh: one key
    assert keys.key(home(edited)) != first
    assert keys.key(home(card, edited)) != keys.key(home(edited, card))  # order is part of a list
