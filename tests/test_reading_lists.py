"""Reading lists (content/lists/*.md): read, checked, rendered, linked both ways, and read marks
kept in the browser over http and from file://."""
from __future__ import annotations

import html
import re

import pytest

from conftest import REPO, run_litsite, snapshot

LIST = "deep-graph-networks"
LIST_FILE = REPO / "content" / "lists" / f"{LIST}.md"


def list_slugs(path):
    """The papers of a list file, read here with a regex rather than litsite's reader."""
    return re.findall(r"^  - (?:paper: )?([a-z0-9-]+)\s*$", path.read_text(encoding="utf-8"), re.MULTILINE)


def write_list(root, name, text):
    folder = root / "content" / "lists"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_the_list_page_shows_its_papers_in_order_with_notes_and_each_paper_links_back(seed_site):
    slugs = list_slugs(LIST_FILE)
    assert len(slugs) == 6
    page = (seed_site / "lists" / f"{LIST}.html").read_text(encoding="utf-8")
    shown = re.findall(r'<li class="list-entry" data-paper="([^"]+)">', page)
    assert shown == slugs  # the order the person wrote
    for slug in slugs:
        assert f'href="../papers/{slug}.html"' in page
    assert "<em>over-smoothing</em>" in page  # a note is Markdown
    assert "We meet on Thursdays." in page  # the introduction below the front matter
    for n, slug in enumerate(slugs, 1):
        paper = (seed_site / "papers" / f"{slug}.html").read_text(encoding="utf-8")
        link = re.search(r'<p class="in-lists"[^>]*>(.*?)</p>', paper, re.S)
        assert link, slug
        assert f'href="../lists/{LIST}.html"' in link.group(1)
        assert f"({n} of 6)" in html.unescape(link.group(1))
    index = (seed_site / "lists.html").read_text(encoding="utf-8")
    assert f'href="lists/{LIST}.html"' in index and "6 papers" in index
    home = (seed_site / "index.html").read_text(encoding="utf-8")
    assert 'href="lists.html"' in home  # the navigation names the lists
    other = (seed_site / "papers" / "non-deep-networks.html").read_text(encoding="utf-8")
    assert 'class="in-lists"' not in other


def test_a_list_naming_an_unknown_paper_fails_the_build_at_its_line_and_keeps_the_site(seed_copy):
    run_litsite(seed_copy, "build", "--no-search", check=True)
    before = snapshot(seed_copy / "_site")
    write_list(seed_copy, "broken.md", "---\ntitle: Broken\npapers:\n  - graph-attention-networks\n"
                                       "  - paper: graph-atention-networks\n    note: typo\n---\n")
    result = run_litsite(seed_copy, "build", "--no-search")
    assert result.returncode == 2
    assert "content/lists/broken.md:5:5: error: no paper 'graph-atention-networks'" in result.stderr, result.stderr
    assert "did you mean 'graph-attention-networks'?" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(seed_copy / "_site") == before


def test_check_reports_every_problem_of_every_list_at_its_line_and_column(seed_copy):
    write_list(seed_copy, "many-problems.md", "\n".join([
        "---",
        "titel: Misspelt",            # 2: unknown key, and so no title
        "papers:",
        "  - no-such-paper",          # 4: unknown paper
        "  - paper: graph-attention-networks",  # 5: an unknown key in the entry (reported at the entry)
        "    notes: misspelt",
        "  - graph-attention-networks",
        "  - paper: graph-attention-networks",  # 8: twice
        "  - paper: non-deep-networks",         # 9: a note that is not text
        "    note: [a, list]",
        "---", ""]))
    write_list(seed_copy, "Bad Name.md", "---\ntitle: x\n---\n")
    result = run_litsite(seed_copy, "check")
    assert result.returncode == 1
    found = [tuple(line.split(": error: ", 1)) for line in result.stdout.splitlines() if ": error: " in line]
    path = "content/lists/many-problems.md"
    expected = [(f"{path}:2:1", "unknown key 'titel' (did you mean 'title'?)"),
                (f"{path}:4:5", "no paper 'no-such-paper' in content/papers/"),
                (f"{path}:5:5", "unknown key 'notes' in a list entry (did you mean 'note'?)"),
                (f"{path}:8:5", "'graph-attention-networks' is already entry 3 of this list"),
                (f"{path}:9:5", "a note must be text"),
                (f"{path}:2:1", "a reading list needs a 'title' (text)")]
    for where, message in expected:
        assert any(w == where and m.startswith(message) for w, m in found), (where, message, found)
    assert any(w.startswith("content/lists/Bad Name.md") and "not a valid slug" in m for w, m in found)
    only = run_litsite(seed_copy, "check", "content/lists/many-problems.md")
    assert only.returncode == 1 and "no-such-paper" in only.stdout and "Bad Name" not in only.stdout


def test_lists_are_not_docs_pages_and_their_folder_is_reserved(seed_copy):
    run_litsite(seed_copy, "build", "--no-search", check=True)
    site = seed_copy / "_site"
    about = (site / "about.html").read_text(encoding="utf-8")
    assert f"lists/{LIST}.html" not in about.split('<main', 1)[1]  # no docs page of the list file
    (seed_copy / "content" / "lists.md").write_text("# Lists\n\nA docs page taking the index's name.\n")
    result = run_litsite(seed_copy, "build", "--no-search")
    assert result.returncode == 2 and "lists.html" in result.stderr, result.stderr


def test_new_list_writes_a_file_that_builds_and_refuses_unknown_papers(seed_copy):
    result = run_litsite(seed_copy, "new", "--list", "Start: here", "--papers", "graph-attention-networks,nope",
                         )
    assert result.returncode == 2 and "no paper 'nope'" in result.stderr
    assert not (seed_copy / "content" / "lists" / "start-here.md").exists()  # nothing written
    made = run_litsite(seed_copy, "new", "--list", "Start: here", "--papers",
                       "graph-attention-networks,non-deep-networks", check=True)
    assert made.stdout.strip() == "content/lists/start-here.md"
    assert list_slugs(seed_copy / "content" / "lists" / "start-here.md") == ["graph-attention-networks",
                                                                           "non-deep-networks"]
    empty = run_litsite(seed_copy, "new", "--list", "Still to fill", check=True)
    assert empty.stdout.strip() == "content/lists/still-to-fill.md"
    assert run_litsite(seed_copy, "check").returncode == 0
    run_litsite(seed_copy, "build", "--no-search", check=True)
    page = (seed_copy / "_site" / "lists" / "start-here.html").read_text(encoding="utf-8")
    assert "<h1>Start: here</h1>" in page and page.count('class="list-entry"') == 2
    assert "No papers in this list yet." in (seed_copy / "_site" / "lists" / "still-to-fill.html").read_text()
    again = run_litsite(seed_copy, "new", "--list", "Start: here", check=True)
    assert again.stdout.strip() == "content/lists/start-here-2.md"  # never overwrites a person's list


def test_deleting_a_listed_paper_in_serve_says_so_and_keeps_the_site(seed_copy):
    from generator.content.config import load_config
    from generator.errors import InputError
    from generator.serve.live import LiveSite

    live = LiveSite(load_config(seed_copy), seed_copy / "_site", search=False)
    path = seed_copy / "content" / "papers" / "graph-attention-networks.md"
    path.unlink()
    with pytest.raises(InputError) as raised:
        live.update_papers([path])
    assert f"content/lists/{LIST}.md:" in str(raised.value) and "graph-attention-networks" in str(raised.value)
    assert (seed_copy / "_site" / "papers" / "graph-attention-networks.html").exists()


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_read_marks_are_kept_across_reloads(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page(viewport={"width": 390, "height": 900})
    page = watch.page
    page.goto(base + f"lists/{LIST}.html")
    page.wait_for_selector("ol.reading-list[data-ready]")
    assert page.text_content("#read-progress") == "0 of 6 read."
    boxes = page.locator("input.read-box")
    boxes.nth(1).check()  # by the label a reader taps
    page.get_by_label("Read: Decoupling the Depth and Scope of Graph Neural Networks").check()
    assert page.text_content("#read-progress") == "2 of 6 read."
    page.reload()
    page.wait_for_selector("ol.reading-list[data-ready]")
    checked = page.eval_on_selector_all("input.read-box", "boxes => boxes.map(b => b.checked)")
    assert checked == [False, True, False, False, True, False]
    assert page.text_content("#read-progress") == "2 of 6 read."
    boxes.nth(1).uncheck()
    page.reload()
    page.wait_for_selector("ol.reading-list[data-ready]")
    assert page.text_content("#read-progress") == "1 of 6 read."
    # the list leads to its papers, and a paper back to the list
    page.click("ol.reading-list li:nth-child(3) a.paper-title")
    page.wait_for_selector("article.paper")
    page.click(f".in-lists a[href$='lists/{LIST}.html']")
    page.wait_for_selector("ol.reading-list[data-ready]")
    assert watch.errors == []


@pytest.mark.browser
def test_a_list_without_javascript_shows_no_dead_checkboxes(seed_site, watch_page):
    watch = watch_page(java_script_enabled=False)
    watch.page.goto(seed_site.resolve().as_uri() + f"/lists/{LIST}.html")
    assert watch.page.locator("ol.reading-list > li").count() == 6
    assert not watch.page.locator("input.read-box").first.is_visible()


def test_a_hostile_list_is_escaped_everywhere_it_shows(seed_copy):
    hostile = "<script>alert(1)</script>\" onmouseover=\"alert(2)"
    write_list(seed_copy, "hostile.md", "---\n" + f"title: '{hostile}'\ndescription: '{hostile}'\n"
               "papers:\n  - paper: non-deep-networks\n    note: '<img src=x onerror=alert(3)> [x](javascript:alert(4))'\n"
               "---\n<iframe src=\"https://example.org\"></iframe>\n")
    run_litsite(seed_copy, "build", "--no-search", check=True)
    site = seed_copy / "_site"
    for page in (site / "lists" / "hostile.html", site / "lists.html", site / "papers" / "non-deep-networks.html"):
        text = page.read_text(encoding="utf-8")
        assert "<script>alert" not in text and "onmouseover=\"alert" not in text, page
        assert "<img src=x" not in text and "<iframe" not in text and 'href="javascript:' not in text, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (site / "lists" / "hostile.html").read_text(encoding="utf-8")
