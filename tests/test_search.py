"""Search in real Chromium: Pagefind over http, the fallback index from file://, the offline bundle."""
from __future__ import annotations

import json
import random
import re
import zipfile
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from conftest import run_litsite

pytestmark = pytest.mark.browser


def seed_titles(site: Path, n: int = 20, seed: int = 2026) -> list[dict]:
    papers = json.loads((site / "papers.json").read_text())["papers"]
    return random.Random(seed).sample(papers, n)


# Result links carry the query for the page they open (?highlight=): compared without it.
PAGE_URLS = "els => els.map(e => e.href.split('?')[0])"


def search(page, base: str, query: str, extra: str = "") -> list[str]:
    page.goto(f"{base}search.html?q={quote_plus(query)}{extra}")
    page.wait_for_selector("#search-status[data-total]")
    return page.eval_on_selector_all("#search-results a.paper-title", PAGE_URLS)


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_exact_title_puts_that_paper_first(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page()
    for paper in seed_titles(seed_site):
        found = search(watch.page, base, paper["title"])
        assert found and found[0] == base + paper["url"], (paper["title"], found[:3])
    backend = watch.page.get_attribute("#search-status", "data-backend")
    assert backend == ("pagefind" if scheme == "http" else "offline")
    assert watch.errors == []


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_ticking_a_topic_narrows_results_and_counts_match(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    papers = {p["url"]: p for p in json.loads((seed_site / "papers.json").read_text())["papers"]}
    watch = watch_page()
    page = watch.page
    search(page, base, "networks")
    total_before = int(page.get_attribute("#search-status", "data-total"))
    page.click("#search-filters > summary")  # the filters are folded above the results
    box = page.locator("#search-facets input[name=topic][value=depth-estimation]")
    shown_count = int(page.locator("#search-facets input[name=topic][value=depth-estimation] + span .count").get_attribute("data-count"))
    box.check()
    page.wait_for_function(f"document.getElementById('search-status').dataset.total != '{total_before}'")
    page.wait_for_selector("#search-status[data-total]")
    total_after = int(page.get_attribute("#search-status", "data-total"))
    after = page.eval_on_selector_all("#search-results a.paper-title", PAGE_URLS)
    assert 0 < total_after < total_before and total_after == shown_count == len(after)
    for url in after:
        assert "depth-estimation" in papers[url[len(base):]]["topics"], url
    assert "topic=depth-estimation" in page.url  # the search can be shared
    for label in page.locator("#search-facets input[name=tag]").all():
        count = int(page.locator(f"#search-facets input[name=tag][value='{label.get_attribute('value')}'] + span .count")
                    .get_attribute("data-count"))
        carrying = sum(label.get_attribute("value") in papers[u[len(base):]]["tags"] for u in after)
        assert count == carrying, label.get_attribute("value")
    assert watch.errors == []


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_a_shared_search_url_shows_results_without_typing(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page()
    found = search(watch.page, base, "link prediction")
    assert len(found) >= 5
    assert watch.page.input_value("#search-query") == "link prediction"
    titles = watch.page.eval_on_selector_all("#search-results a.paper-title", "els => els.map(e => e.textContent)")
    assert sum("Link Prediction" in t or "link prediction" in t for t in titles[:5]) >= 4


def test_typing_in_the_header_box_and_pressing_enter_searches(seed_server, watch_page):
    watch = watch_page()
    page = watch.page
    page.goto(seed_server.url + "index.html")
    page.fill("#site-search", "DeepWalk")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#search-status[data-total]")
    assert "DeepWalk" in page.text_content("#search-results li:first-child a.paper-title")


def test_offline_bundle_from_file_finds_deepwalk_with_no_outside_requests(seed_copy, tmp_path, watch_page):
    result = run_litsite(seed_copy, "bundle", check=True)  # a copy: the repo's dist/ is not touched
    path = Path(re.search(r"wrote (\S+\.zip)", result.stderr).group(1))
    path = path if path.is_absolute() else seed_copy / path
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert not any("/pagefind/" in n for n in names)
        archive.extractall(unpacked)
    (folder,) = [p for p in unpacked.iterdir() if p.is_dir()]
    base = folder.resolve().as_uri() + "/"
    watch = watch_page(allowed_prefix=base)
    page = watch.page
    page.goto(base + "index.html")
    page.fill("#site-search", "DeepWalk")
    page.press("#site-search", "Enter")
    page.wait_for_selector("#search-status[data-total]")
    assert page.get_attribute("#search-status", "data-backend") == "offline"
    page.click("#search-results li:first-child a.paper-title")
    assert page.url == base + "papers/deepwalk-online-learning-of-social-representations.html?highlight=DeepWalk"
    assert page.text_content("h1") == "DeepWalk: Online Learning of Social Representations"
    page.goto(base + "search.html?q=graph&topic=link-prediction")
    page.wait_for_selector("#search-status[data-total]")
    assert int(page.get_attribute("#search-status", "data-total")) > 0
    assert watch.errors == [] and watch.outside == []
    for name in names:  # no asset is fetched from outside the bundle
        if name.endswith(".html"):
            text = (unpacked / name).read_text(encoding="utf-8")
            assets = re.findall(r'<(?:script|img|iframe|link(?![^>]*rel="(?:canonical|alternate)"))[^>]+'
                                r'(?:src|href)="((?:https?:)?//[^"]*)"', text)
            assert not assets, (name, assets)


def test_fallback_index_is_smaller_than_the_text_it_covers(seed_site):
    papers = json.loads((seed_site / "papers.json").read_text())["papers"]
    raw = sum(len(p["title"].encode()) + len(p["abstract"].encode()) for p in papers)
    size = (seed_site / "search-index.js").stat().st_size
    assert size <= raw, (size, raw)
    summary = (seed_site / ".build-summary").read_text()
    assert re.search(r"pagefind \d+(\.\d)? [KM]iB, offline index \d+ KiB", summary), summary


@pytest.mark.parametrize("width,scheme", [(390, "http"), (1280, "file")])
def test_the_search_page_puts_results_first_and_its_filters_keep_focus(seed_site, seed_server, watch_page, width,
                                                                       scheme):
    """One search box; the first result within 3 Tab presses of it, and on a phone's first
    screen; a filter ticked with Space keeps the focus, is counted on the panel's button, named
    in the status line, and 'Clear filters' undoes it."""
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page(viewport={"width": width, "height": 844})
    page = watch.page
    search(page, base, "networks")
    assert page.locator("input[type=search]").count() == 1
    first = page.eval_on_selector("#search-results a.paper-title", "e => e.href")  # with its ?highlight=
    page.focus("#search-query")
    presses = 0
    while page.evaluate("document.activeElement.href || ''") != first and presses < 5:
        page.keyboard.press("Tab")
        presses += 1
    assert presses <= 3, presses
    assert page.locator("#search-results a.paper-title").first.bounding_box()["y"] + 24 <= 844
    page.click("#search-filters > summary")
    total = page.get_attribute("#search-status", "data-total")
    page.focus("#search-facets input[name=topic][value=depth-estimation]")
    page.keyboard.press("Space")
    page.wait_for_function(f"document.getElementById('search-status').dataset.total != '{total}'")
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value, document.activeElement.checked]")
    assert focused == ["topic", "depth-estimation", True]
    assert page.text_content("#search-filters > summary") == "Filters (1)"
    assert "filtered by topic Depth estimation" in page.text_content("#search-status")
    page.click("#clear-filters")
    page.wait_for_function(f"document.getElementById('search-status').dataset.total == '{total}'")
    assert page.text_content("#search-filters > summary") == "Filters" and "topic=" not in page.url
    assert watch.errors == []


@pytest.mark.parametrize("width,scheme", [(390, "http"), (1280, "file")])
def test_the_header_box_shows_results_as_you_type_and_is_driven_by_keyboard(seed_site, seed_server, watch_page,
                                                                           width, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page(viewport={"width": width, "height": 844})
    page = watch.page
    page.goto(base + "topics/depth-estimation.html")  # a page one folder down: links must still resolve
    page.focus("#site-search")
    page.keyboard.type("monocular depth")
    # Results come as the words are typed: wait for those of the whole query, not of "monoc".
    page.wait_for_selector("#site-search-results[data-total] #instant-all a[href*='q=monocular+depth']")
    assert page.get_attribute("#site-search", "aria-expanded") == "true"
    titles = page.eval_on_selector_all("#site-search-results [role=option] a", "els => els.map(e => e.textContent)")
    assert 2 <= len(titles) <= 9 and all("epth" in t for t in titles[:3]), titles
    see_all = page.eval_on_selector("#instant-all a", "e => e.href")
    assert see_all.startswith(base + "search.html?q=monocular")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#site-search", "aria-activedescendant") == "instant-1"
    assert page.get_attribute("#instant-1", "aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    chosen = page.eval_on_selector("#instant-0 a", "e => e.href")
    assert chosen.startswith(base + "papers/")
    page.keyboard.press("Escape")
    assert page.get_attribute("#site-search", "aria-expanded") == "false" and not page.is_visible("#site-search-results")
    page.keyboard.press("ArrowDown")  # closed: the arrows do nothing, typing opens it again
    page.keyboard.type(" ")
    page.wait_for_function("!document.getElementById('site-search-results').hidden")
    page.keyboard.press("ArrowDown")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == chosen
    assert watch.errors == []


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_the_page_a_result_opens_marks_the_query_words(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page()
    page = watch.page
    search(page, base, "monocular depth")
    with page.expect_navigation():
        page.click("#search-results li:first-child a.paper-title")
    assert "?highlight=monocular%20depth" in page.url
    marked = page.eval_on_selector_all("article.paper mark.hit", "els => els.map(e => e.textContent.toLowerCase())")
    assert "monocular" in marked and "depth" in marked and set(marked) <= {"monocular", "depth"}
    heading = page.text_content("article.paper h1")
    page.goto(page.url.split("?")[0])  # the same page, not from a search: nothing marked
    assert page.eval_on_selector_all("article.paper mark.hit", "els => els.length") == 0
    assert page.text_content("article.paper h1") == heading  # marking changed no text
    assert watch.errors == []


def words_of(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def title_echo(excerpt: str, title: str) -> int:
    """How many words the excerpt opens with that repeat the title: a run of its last words (a
    window opening on it), or its first three (the abstract a derived title was cut from)."""
    words, heading = words_of(excerpt), words_of(title)
    tail = max((k for k in range(2, min(len(words), len(heading)) + 1) if words[:k] == heading[-k:]), default=0)
    return max(tail, 3 if len(heading) >= 3 and words[:3] == heading[:3] else 0)


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_excerpts_never_repeat_the_title_and_derived_titles_say_untitled(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    watch = watch_page()
    page = watch.page
    papers = json.loads((seed_site / "papers.json").read_text())["papers"]
    derived = [p for p in papers if p.get("title_derived")]
    assert derived  # the seed has papers whose title is the start of their abstract
    for paper in seed_titles(seed_site, 8) + derived[:3]:
        search(page, base, paper["title"].rstrip("…"))
        first = page.locator("#search-results li").first
        shown = first.locator("a.paper-title").text_content()
        excerpt = first.locator(".excerpt").text_content()
        if paper.get("title_derived"):
            assert shown.startswith("Untitled — "), shown
        assert title_echo(excerpt, shown.removeprefix("Untitled — ")) == 0, (shown, excerpt)
        assert excerpt.strip(), shown
    assert watch.errors == []


def test_online_search_corrects_a_typo_pagefind_finds_nothing_for(seed_server, watch_page):
    """Pagefind has no typo tolerance: when it finds nothing, the query is corrected with the
    offline index's words (as the offline engine forgives it) and searched again, and the page says so."""
    page = watch_page().page
    found = search(page, seed_server.url, "monocular dpeth")
    assert page.get_attribute("#search-status", "data-backend") == "pagefind"
    assert page.get_attribute("#search-status", "data-corrected") == "monocular depth"
    assert "nothing matched “monocular dpeth”" in page.text_content("#search-status")
    assert found and all("depth" in url for url in found[:3]), found[:3]
    search(page, seed_server.url, "monocular depth")
    assert page.get_attribute("#search-status", "data-corrected") is None  # nothing to correct
    search(page, seed_server.url, "zzzzzqx")
    assert page.get_attribute("#search-status", "data-total") == "0"  # no word near it: nothing
