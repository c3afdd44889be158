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
    assert '<a href="../tags/monocular-depth-estimation.html"><title>monocular-depth-estimation:' in html


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
    href = page.get_attribute(".map a >> nth=0", "href")
    page.click(".map a >> nth=0", force=True)
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
