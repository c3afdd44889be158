"""The seed site in real headless Chromium: served over http and opened from file://."""
from __future__ import annotations

import os
import urllib.request

import pytest
from axe_playwright_python.sync_playwright import Axe

from sitecheck import html_pages, internal_targets, parse

pytestmark = pytest.mark.browser

PAPER = "papers/spidepth-strengthened-pose-information-for-self-supervised-monocular-depth.html"
KEY_PAGES = {"home": "index.html", "paper": PAPER, "tag": "tags/monocular-depth-estimation.html",
             "topic": "topics/depth-estimation.html", "search": "search.html?q=depth"}
from conftest import SCREENSHOTS  # noqa: E402


def test_every_internal_link_is_served_over_http(seed_site, seed_server):
    urls = set()
    for page in html_pages(seed_site):
        for _, target, _ in internal_targets(seed_site, page, parse(page)):
            urls.add(target.relative_to(seed_site.resolve()).as_posix())
    assert len(urls) > 400  # every page and asset the site links to
    bad = []
    for rel in sorted(urls):
        with urllib.request.urlopen(seed_server.url + rel) as response:
            if response.status != 200:
                bad.append(rel)
    assert not bad


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_key_pages_load_with_no_errors_and_no_outside_requests(seed_site, seed_server, watch_page, scheme):
    base = seed_server.url if scheme == "http" else seed_site.resolve().as_uri() + "/"
    for name, path in KEY_PAGES.items():
        watch = watch_page(allowed_prefix=base)
        watch.page.goto(base + path)
        if name == "search":
            watch.page.wait_for_selector("#search-status[data-total]")
        assert watch.errors == [], (name, watch.errors)
        assert watch.outside == [], (name, watch.outside)
        links = watch.page.eval_on_selector_all("a[href]", "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)")
        internal = [u for u in links if u.startswith(base)]
        assert internal, name


# One page of every type the seed site has (it has no author or year pages: its papers have
# neither; test_exports covers the rich site's HTML with the Nu checker).
EVERY_PAGE_TYPE = {**KEY_PAGES, "topics": "topics.html", "tags": "tags.html", "overview": "overview.html",
                   "attention": "attention.html", "attention list": "attention/derived.html", "doc": "about.html",
                   "all papers": "list/title.html", "reading list": "lists/deep-graph-networks.html",
                   "reading lists": "lists.html", "not found": "404.html"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_accessibility_violations_on_any_page_type(seed_server, watch_page, scheme):
    """axe-core, every rule at every impact (WCAG 2.2 target size and unique landmarks included)."""
    axe = Axe()
    watch = watch_page(color_scheme=scheme)
    for name, path in EVERY_PAGE_TYPE.items():
        watch.page.goto(seed_server.url + path)
        if name == "search":
            watch.page.wait_for_selector("#search-status[data-total]")
        theme = watch.page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (theme == "rgb(21, 23, 26)") == (scheme == "dark"), theme
        # target-size (WCAG 2.2) is off in axe's defaults: turned on, with the best practices.
        results = axe.run(watch.page, options={"resultTypes": ["violations"],
                                               "rules": {"target-size": {"enabled": True}}})
        violations = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                      for v in results.response["violations"]]
        assert not violations, (name, scheme, violations)


# `make test` photographs (and checks for overflow) three page types, the ones that change most;
# `make screenshots` takes every page type, for docs/screenshots.
KEY_SHOTS = {name: KEY_PAGES[name] for name in ("home", "paper", "search")}


@pytest.mark.screenshots
def test_screenshots_at_1280_and_390_light_and_dark(seed_server, watch_page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        for scheme in ("light", "dark"):
            for name, path in (EVERY_PAGE_TYPE if os.environ.get("LITSITE_SCREENSHOTS") else KEY_SHOTS).items():
                watch = watch_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
                watch.page.goto(seed_server.url + path)
                if name == "search":
                    watch.page.wait_for_selector("#search-status[data-total]")
                overflow = watch.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (name, width, overflow)  # nothing wider than the screen
                out = SCREENSHOTS / f"{name.replace(' ', '-')}-{width}-{scheme}.png"
                watch.page.screenshot(path=str(out))
                assert out.stat().st_size > 10_000


def test_pages_read_and_navigate_without_javascript(seed_site, watch_page):
    watch = watch_page(java_script_enabled=False)
    page = watch.page
    page.goto(seed_site.resolve().as_uri() + "/index.html")
    page.click("main a:text-is('Depth estimation')")
    assert page.url.endswith("topics/depth-estimation.html")
    page.click("main a.paper-title >> nth=0")
    assert "/papers/" in page.url
    assert page.is_visible("#abstract")
    page.click("nav.breadcrumbs a >> text=Topics")
    assert page.url.endswith("topics.html")
    assert page.is_visible("nav.sidebar a[href$='list/title.html']")


def test_theme_toggle_persists_across_pages(seed_server, watch_page):
    watch = watch_page(color_scheme="light")
    page = watch.page
    page.goto(seed_server.url + "index.html")
    page.click(".theme-toggle")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    page.goto(seed_server.url + PAPER)
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(21, 23, 26)"


def test_slash_focuses_search_and_copy_buttons_copy_the_citation_and_bibtex(seed_server, watch_page):
    watch = watch_page(permissions=["clipboard-read", "clipboard-write"])
    page = watch.page
    page.goto(seed_server.url + PAPER)
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.click("text=Copy BibTeX")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("@misc{") and "SPIdepth" in copied
    page.click("text=Copy citation")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.inner_text(".formatted-citation") and "SPIdepth" in copied and "(n.d.)" in copied


def test_narrow_screen_keeps_the_menu_reachable(seed_server, watch_page):
    watch = watch_page(viewport={"width": 360, "height": 740})
    page = watch.page
    page.goto(seed_server.url + PAPER)
    assert page.is_visible("nav.sidebar summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


LAYOUT_SHIFT = ("window.__cls = 0; new PerformanceObserver(function (list) { list.getEntries().forEach(function (e) {"
                " if (!e.hadRecentInput) window.__cls += e.value; }); }).observe({type: 'layout-shift', buffered: true});")


@pytest.mark.parametrize("width", [390, 1280])
def test_no_page_type_shifts_its_layout(seed_server, watch_page, width):
    """Cumulative layout shift under 0.1 (Core Web Vitals' 'good'), measured by Chromium itself."""
    for name, path in EVERY_PAGE_TYPE.items():
        watch = watch_page(viewport={"width": width, "height": 900})
        watch.page.add_init_script(LAYOUT_SHIFT)
        watch.page.goto(seed_server.url + path, wait_until="load")
        if name == "search":
            watch.page.wait_for_selector("#search-status[data-total]")
        # Layout-shift entries are queued before the next frame: wait for two, then read.
        watch.page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shift = watch.page.evaluate("window.__cls")
        assert shift < 0.1, (name, width, shift)


@pytest.mark.parametrize("width", [390, 1280])
def test_the_copy_buttons_cover_no_text_of_their_entries(seed_server, watch_page, width):
    watch = watch_page(viewport={"width": width, "height": 900})
    watch.page.goto(seed_server.url + KEY_PAGES["paper"])
    blocks = watch.page.locator(".cite-block")
    assert blocks.count() == 2  # the formatted citation and BibTeX
    for n in range(2):
        button = blocks.nth(n).locator(".copy")
        button.wait_for(state="visible")  # shown by site.js where the clipboard works
        box = button.bounding_box()
        entry = blocks.nth(n).locator("pre, .formatted-citation").bounding_box()
        assert box and entry and box["y"] + box["height"] <= entry["y"] + 0.5, (box, entry)
        assert box["height"] >= 24 and box["width"] >= 24


def test_a_phone_gets_a_menu_button_on_its_first_screen_and_a_wide_screen_the_tree(seed_server, watch_page):
    phone = watch_page(viewport={"width": 390, "height": 844})
    wide = watch_page(viewport={"width": 1280, "height": 900})
    for name, path in EVERY_PAGE_TYPE.items():  # each a new document: the menu starts closed
        phone.page.goto(seed_server.url + path)
        menu = phone.page.locator(".sidebar-menu > summary")
        box = menu.bounding_box()
        assert box and box["y"] + box["height"] <= 844 and box["height"] >= 24, (name, box)
        topic = phone.page.locator(".topic-tree a").first
        assert not topic.is_visible(), name  # closed: the page's content comes first
        menu.press("Enter")  # by keyboard, as a button
        assert topic.is_visible(), name
        wide.page.goto(seed_server.url + path)
        assert wide.page.locator(".topic-tree a").first.is_visible(), name
        assert not wide.page.locator(".sidebar-menu > summary").is_visible(), name


@pytest.mark.parametrize("width", [390, 1280])
def test_a_listing_filters_and_sorts_its_papers_and_works_without_js(seed_server, watch_page, width):
    url = seed_server.url + "tags/gnn.html"
    watch = watch_page(viewport={"width": width, "height": 844})
    page = watch.page
    page.goto(url)
    total = page.eval_on_selector_all("li.paper-item", "els => els.length")
    page.get_by_label("Filter").fill("link prediction")
    shown = page.eval_on_selector_all("li.paper-item:not([hidden])", "els => els.map(e => e.textContent.toLowerCase())")
    assert 0 < len(shown) < total and all("link" in t and "prediction" in t for t in shown)
    assert page.text_content("#list-status") == f"{len(shown)} of {total} papers match"
    assert page.evaluate("document.activeElement.id") == "list-filter"
    page.get_by_label("Sort").select_option("title")
    titles = page.eval_on_selector_all("li.paper-item:not([hidden]) .paper-title", "els => els.map(e => e.textContent.trim())")
    assert titles == sorted(titles, key=lambda t: t.casefold()) and len(titles) == len(shown)
    page.get_by_label("Filter").fill("")
    assert page.eval_on_selector_all("li.paper-item:not([hidden])", "els => els.length") == total
    assert watch.errors == []
    plain = watch_page(viewport={"width": width, "height": 844}, java_script_enabled=False)
    plain.page.goto(url)
    assert not plain.page.is_visible(".list-tools")
    assert plain.page.eval_on_selector_all("li.paper-item:not([hidden])", "els => els.length") == total
