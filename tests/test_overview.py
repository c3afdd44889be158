"""The overview page: HTML bar charts and the SVG map, in Chromium, deterministic, light at 10,000 papers."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import (
    REPO,
    SCREENSHOTS,
)
from sitecheck import internal_targets, parse


def test_overview_links_resolve_and_the_map_has_every_paper(seed_site):
    page = seed_site / "overview.html"
    html = page.read_text(encoding="utf-8")
    dots = re.findall(r'<a href="([^"]+)"(?: data-g="\d+")?><title>', html)
    bars = re.findall(r'<a class="bar-row" href="([^"]+)">', html)
    papers = len(list((seed_site / "papers").glob("*.html")))
    assert len(dots) == papers and all(link.startswith("papers/") for link in dots)  # one point per paper
    assert sum(link.startswith("topics/") for link in bars) == 15  # one bar per topic
    assert sum(link.startswith("tags/") for link in bars) == 20
    for link, target, _ in internal_targets(seed_site, page, parse(page)):
        assert target.is_file(), link
    # Two bar charts (their numbers are text); "added over time" is left out, as every seed
    # paper was added on one day (test_site checks it appears when dates differ).
    assert html.count('<ol class="bar-chart"') == 2
    assert html.count("<title id=") == 1  # the map's
    assert 'data-pagefind-body' not in html


def test_topic_pages_show_a_chart_of_their_tags(seed_site):
    html = (seed_site / "topics" / "depth-estimation.html").read_text(encoding="utf-8")
    assert '<ol class="bar-chart" id="tags-depth-estimation" aria-label="Most used tags in this topic">' in html
    assert ('<a class="bar-row" href="../tags/monocular-depth-estimation.html"><span class="bar-label">'
            'monocular depth estimation</span>') in html  # named


def test_the_map_is_the_same_svg_for_the_same_content(tmp_path):
    from generator.build.pipeline import build
    from generator.content.config import load_config

    config = load_config(REPO)
    first = build(config, output=tmp_path / "a", search=False)
    second = build(config, output=tmp_path / "b", search=False)
    a = (tmp_path / "a" / "overview.html").read_bytes()
    b = (tmp_path / "b" / "overview.html").read_bytes()
    assert a == b and b'<svg class="map"' in a
    assert first.pages == second.pages


@pytest.mark.browser
@pytest.mark.screenshots
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overview_in_the_browser(seed_server, watch_page, scheme):
    watch = watch_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = watch.page
    page.goto(seed_server.url + "overview.html")
    assert watch.errors == []
    results = Axe().run(page)
    serious = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
               if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"overview-full-1280-{scheme}.png"), full_page=True)
    # keyboard: focusing a dot shows its title
    page.focus(".map a >> nth=10")
    title = page.get_attribute(".map a >> nth=10", "aria-label")  # the <title>, moved there by site.js
    assert page.text_content("#map-caption") == title
    # a bar and a point are working links
    page.click(".bar-chart a[href='topics/depth-estimation.html']")
    assert page.url.endswith("topics/depth-estimation.html") and "Depth estimation" in page.text_content("h1")
    page.go_back()
    # Dots overlap: click the centre of one and expect the paper of the dot on top there.
    dot = page.locator(".map a >> nth=0")
    dot.scroll_into_view_if_needed()
    box = dot.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    href = page.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('a').getAttribute('href')", [x, y])
    page.mouse.click(x, y)
    page.wait_for_url("**/" + href)
    assert page.url.endswith(href)
    assert watch.errors == []


@pytest.mark.slow
def test_overview_at_10000_papers_is_light_and_shows_every_paper(tmp_path):
    from generator.build.pipeline import load_site
    from generator.content.config import load_config
    from generator.render.renderer import Renderer
    from generator.site.plan import overview_page

    from synth import make_project

    project = make_project(10_000, tmp_path / "synth")
    config = load_config(project)
    site = load_site(config)
    html = Renderer(config.templates_dir, site.chrome()).render(overview_page(site))
    size = len(html.encode("utf-8"))
    assert size < 2 * 1024 * 1024  # its time is measured by bench/, never asserted here
    assert html.count('<circle class="dot') == 10_000


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_map_palette_stands_out_from_the_map_in_both_themes(seed_server, watch_page, scheme):
    """Each topic colour at least 3:1 against the map's background (WCAG 1.4.11, non-text
    contrast), as Chromium computes both in the theme."""
    watch = watch_page(color_scheme=scheme)
    page = watch.page
    page.goto(seed_server.url + "overview.html")
    background = page.eval_on_selector(".map", "e => getComputedStyle(e).backgroundColor")
    colours = page.eval_on_selector_all(".legend .swatch", "els => els.map(e => getComputedStyle(e).borderTopColor)")
    drawn = page.eval_on_selector_all(".map .dot", "els => [...new Set(els.map(e => getComputedStyle(e).fill))]")
    assert set(drawn) <= set(colours)  # the dots are drawn in the legend's colours (every seed paper has a topic)
    assert len(colours) >= 10
    for colour in colours:
        assert contrast(colour, background) >= 3, (colour, background)


def test_the_map_is_visited_cluster_by_cluster_top_to_bottom():
    from generator.analysis.maplayout import MapPoint
    from generator.render.charts import map_svg

    points = [MapPoint("b", "B", 500, 100, 1), MapPoint("a", "A", 100, 700, 0), MapPoint("c", "C", 300, 100, 0),
              MapPoint("d", "D", 50, 50, -1)]
    svg = str(map_svg(points, lambda target: target))
    order = [svg.index(f"papers/{slug}.html") for slug in "cabd"]
    assert order == sorted(order)  # topic 0 top to bottom, then topic 1, then papers with no topic


def contrast(a: str, b: str) -> float:
    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# Every dot's centre on screen and the distance to its nearest neighbour, in CSS pixels.
DOTS_ON_SCREEN = """() => [...document.querySelectorAll('.map a')].map(a => {
  const r = a.querySelector('circle').getBoundingClientRect();
  return {href: a.getAttribute('href'), x: r.x + r.width / 2, y: r.y + r.height / 2, size: r.width, g: a.dataset.g};
})"""


def isolated_dot(page, room=30):
    dots = page.evaluate(DOTS_ON_SCREEN)
    for dot in dots:
        if all((o["x"] - dot["x"]) ** 2 + (o["y"] - dot["y"]) ** 2 >= room ** 2 for o in dots if o is not dot):
            return dot
    raise AssertionError("no dot with room around it")


@pytest.mark.browser
@pytest.mark.screenshots
@pytest.mark.parametrize("width", [1280, 390])
def test_a_map_dot_answers_within_12_px_and_its_caption_follows_pointer_and_focus(seed_server, watch_page, width):
    """However small a dot is drawn (2-4 px on a phone), pointing or tapping within 12 px of it
    finds it: a 24 px target (WCAG 2.2). The caption sits beside the dot."""
    scheme = "light" if width == 1280 else "dark"
    watch = watch_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = watch.page
    page.goto(seed_server.url + "overview.html")
    page.locator(".map").scroll_into_view_if_needed()
    dot = isolated_dot(page)
    assert dot["size"] < 24  # drawn smaller than the target it answers to
    title = page.get_attribute(f".map a[href='{dot['href']}']", "aria-label")
    for dx, dy in ((11, 0), (0, -11), (-8, 8)):
        page.mouse.move(dot["x"] + dx, dot["y"] + dy)
        page.wait_for_function("h => document.querySelector('.map-frame').dataset.tip === h", arg=dot["href"])
        tip = page.locator("#map-tip")
        assert tip.is_visible() and tip.text_content() == title
        box = tip.bounding_box()
        gap = max(box["x"] - dot["x"], dot["x"] - (box["x"] + box["width"]), box["y"] - dot["y"],
                  dot["y"] - (box["y"] + box["height"]), 0)
        assert gap <= 20, (box, dot)  # beside the dot, not somewhere else on the page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(".map-frame").screenshot(path=str(SCREENSHOTS / f"map-{width}-{scheme}.png"))
    page.mouse.move(dot["x"] + 40, dot["y"] + 40)  # away from it, onto empty map or another dot
    page.mouse.click(dot["x"] + 10, dot["y"] - 4)  # a miss by 10 px still opens it
    page.wait_for_url("**/" + dot["href"])
    page.go_back()
    # the keyboard: focus puts the caption beside the focused dot
    page.focus(f".map a[href='{dot['href']}']")
    page.wait_for_function("h => document.querySelector('.map-frame').dataset.tip === h", arg=dot["href"])
    assert page.locator("#map-tip").text_content() == title
    assert page.text_content("#map-caption") == title  # and a screen reader hears it
    assert watch.errors == []


@pytest.mark.browser
def test_the_topic_filter_shows_one_topics_papers_and_the_keyboard_visits_only_those(seed_server, watch_page):
    watch = watch_page(viewport={"width": 1280, "height": 900})
    page = watch.page
    page.goto(seed_server.url + "overview.html")
    total = page.locator(".map a").count()
    page.select_option("#map-topic", "1")
    chosen = page.locator(".map a[data-g='1']").count()
    assert 0 < chosen < total
    assert page.locator(".map a.dim").count() == total - chosen
    reachable = page.eval_on_selector_all(".map a:not([tabindex='-1'])", "els => els.map(e => e.dataset.g)")
    assert reachable == ["1"] * chosen
    assert page.text_content("#map-count") == f"{chosen} papers with this main topic"
    visible_labels = page.eval_on_selector_all(".cluster-label", "els => els.filter(e => e.checkVisibility())"
                                               ".map(e => e.dataset.g)")
    assert visible_labels == ["1"]
    page.select_option("#map-topic", "")
    assert page.locator(".map a.dim").count() == 0 and page.locator(".map a[tabindex='-1']").count() == 0
    order = page.eval_on_selector_all(".map a", "els => els.map(e => e.getAttribute('href'))")
    assert order == re.findall(r'<a href="(papers/[^"]+)"', page.content().split('<svg class="map"')[1])
    assert watch.errors == []


def overlapping(boxes):
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
            and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]]


LABEL_BOXES = """sel => [...document.querySelectorAll(sel)].filter(e => e.checkVisibility()).map(e => {
  const r = e.getBoundingClientRect();
  return {x: r.x, y: r.y, width: r.width, height: r.height, size: parseFloat(getComputedStyle(e).fontSize),
          text: e.textContent};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
def test_topic_labels_and_chart_labels_are_readable_and_never_overlap(seed_server, watch_page, width):
    watch = watch_page(viewport={"width": width, "height": 900})
    page = watch.page
    page.goto(seed_server.url + "overview.html")
    frame = page.locator(".map-frame").bounding_box()
    shown = ".cluster-label .name" if width == 1280 else ".cluster-label .n"
    labels = page.evaluate(LABEL_BOXES, shown)
    assert len(labels) >= 10  # the seed's topics with papers on the map
    if width == 390:
        assert page.evaluate(LABEL_BOXES, ".cluster-label .name") == []  # numbers only on a phone
    boxes = page.evaluate(LABEL_BOXES, ".cluster-label") if width == 1280 else labels
    assert not overlapping(boxes), overlapping(boxes)[:2]
    for label in labels:
        assert label["size"] >= 12, label
        assert frame["x"] <= label["x"] and label["x"] + label["width"] <= frame["x"] + frame["width"] + 1, label
    bars = page.evaluate(LABEL_BOXES, ".bar-label")
    assert len(bars) == 35 and min(bar["size"] for bar in bars) >= 12  # SVG labels were ~7 px on a phone
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert watch.errors == []


def test_cluster_labels_sit_among_their_papers_each_in_a_place_of_its_own():
    from generator.analysis.maplayout import (
        BADGE_UNITS,
        CHAR_UNITS,
        LINE_UNITS,
        MAP_SIZE,
        PHONE_BADGE_UNITS,
        MapPoint,
        cluster_labels,
    )

    points = tuple(MapPoint(f"p{g}-{i}", "T", 400 + (i % 3) * 4, 400 + g * 3 + i, g, g) for g in range(4) for i in range(5))
    points += (MapPoint("lonely", "T", 50, 50, 4, 4), MapPoint("second", "T", 60, 60, 4, 4))
    labels = cluster_labels(points, ["Alpha", "Beta", "Gamma", "A very long topic name indeed", "Few"])
    assert [label.number for label in labels] == [1, 2, 3, 4]  # topic 5 has too few papers for a label
    boxes = []
    for label in labels:
        assert 0 <= label.x <= MAP_SIZE and 0 <= label.y <= MAP_SIZE
        assert abs(label.y - 406) <= 2 * 30 + 10 or not label.named  # near its papers, or a number only
        boxes.append(label)
    named = [label for label in labels if label.named]
    assert named and named[0].number == 1  # the first (biggest, then first in the taxonomy) gets its place
    # No two overlap: names by their text's length on a wide screen, numbers on a phone.
    wide = [(label.x, label.y, BADGE_UNITS + (CHAR_UNITS * len(label.title) if label.named else 0), LINE_UNITS)
            for label in labels if label.wide]
    phone = [(label.phone_x, label.phone_y, PHONE_BADGE_UNITS, PHONE_BADGE_UNITS) for label in labels if label.phone]
    for placed in (wide, phone):
        assert len(placed) == 4
        for i, (x, y, w, h) in enumerate(placed):
            for ox, oy, ow, oh in placed[i + 1:]:
                assert abs(x - ox) >= (w + ow) / 2 - 0.1 or abs(y - oy) >= (h + oh) / 2 - 0.1
    assert cluster_labels(points, ["Alpha", "Beta", "Gamma", "A very long topic name indeed", "Few"]) == labels
