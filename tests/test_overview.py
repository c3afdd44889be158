"""The overview page: static SVG charts and the map, in Chromium, deterministic, light at 10,000 papers."""
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
    svg_links = re.findall(r'<a href="([^"]+)"><title>', html)
    papers = len(list((seed_site / "papers").glob("*.html")))
    assert sum(link.startswith("papers/") for link in svg_links) == papers  # one point per paper
    assert sum(link.startswith("topics/") for link in svg_links) == 15  # one bar per topic
    assert sum(link.startswith("tags/") for link in svg_links) == 20
    for link, target, _ in internal_targets(seed_site, page, parse(page)):
        assert target.is_file(), link
    # Every chart has its numbers: two charts and the map; "added over time" is left out, as
    # every seed paper was added on one day (test_site checks it appears when dates differ).
    assert html.count("<table class=\"chart-data\">") == 2
    assert html.count("<title id=") == 3
    assert 'data-pagefind-body' not in html


def test_topic_pages_show_a_chart_of_their_tags(seed_site):
    html = (seed_site / "topics" / "depth-estimation.html").read_text(encoding="utf-8")
    assert 'aria-labelledby="tags-depth-estimation-t"' in html
    assert '<a href="../tags/monocular-depth-estimation.html"><title>monocular depth estimation:' in html  # named


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
    page.screenshot(path=str(SCREENSHOTS / f"overview-1280-{scheme}.png"), full_page=True)
    # keyboard: focusing a dot shows its title
    page.focus(".map a >> nth=10")
    title = page.eval_on_selector(".map a >> nth=10", "a => a.querySelector('title').textContent")
    assert page.text_content("#map-caption") == title
    # a bar and a point are working links
    page.click(".chart a[href='topics/depth-estimation.html']")
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
    colours = page.eval_on_selector_all(".legend .swatch", "els => els.map(e => getComputedStyle(e).backgroundColor)")
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
