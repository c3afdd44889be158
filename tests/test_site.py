"""The built seed site on disk: every page well-formed, every link resolvable, outputs escaped."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import html5lib

from conftest import REPO, run_litsite, snapshot
from sitecheck import html_pages, internal_targets, parse


def test_expected_pages_exist(seed_site):
    for name in ("index.html", "topics.html", "tags.html", "list/title.html", "list/added.html",
                 "attention.html", "search.html", "404.html", "about.html", "sitemap.xml", "feed.xml",
                 "robots.txt", ".nojekyll", "papers.json", "papers.bib", "search-index.js", "pagefind/pagefind.js",
                 "topics/graph-learning.html", "tags/gnn.html", "papers/non-deep-networks.html"):
        assert (seed_site / name).is_file(), name
    assert len(list((seed_site / "papers").glob("*.html"))) == 273


def test_every_internal_link_and_asset_resolves_to_a_file(seed_site):
    """What a reader gets from file://: each href/src names a file in the site; fragments exist."""
    broken, checked, ids = [], 0, {}
    for page in html_pages(seed_site):
        parsed = parse(page)
        for link, target, fragment in internal_targets(seed_site, page, parsed):
            checked += 1
            if not target.is_file() or not target.is_relative_to(seed_site.resolve()):
                broken.append(f"{page.relative_to(seed_site)} -> {link}")
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids if target != page else parsed.ids
                if fragment not in ids[target]:
                    broken.append(f"{page.relative_to(seed_site)} -> {link} (no #{fragment})")
    assert checked > 20_000
    assert not broken, broken[:20]


def test_links_are_relative_so_the_site_works_under_any_sub_path(seed_site):
    for page in html_pages(seed_site):
        for link in parse(page).links:
            assert not link.startswith("/"), (page, link)


def test_every_page_has_lang_one_h1_title_and_description(seed_site):
    for page in html_pages(seed_site):
        parsed = parse(page)
        assert parsed.lang == "en", page
        assert parsed.h1 == 1, (page, parsed.h1)
        assert parsed.title.strip(), page
        assert parsed.description and parsed.description.strip(), page


def test_every_page_parses_as_html5_without_errors(seed_site):
    pages = html_pages(seed_site)
    for page in pages:
        parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
        parser.parse(page.read_bytes(), transport_encoding="utf-8")
        assert not parser.errors, (page, parser.errors[:3])


def test_paper_page_has_citation_meta_bibtex_and_edit_link(seed_site):
    html = (seed_site / "papers" / "non-deep-networks.html").read_text(encoding="utf-8")
    assert '<meta name="citation_title" content="Non-deep Networks">' in html
    assert 'name="citation_abstract"' in html
    assert "@misc{" in html and "title = {{Non-deep Networks}}" in html
    assert "https://github.com/example/litsite/edit/main/content/papers/non-deep-networks.md" in html
    assert 'href="https://github.com/imankgoyal/NonDeepNetworks"' in html
    assert html.count('class="paper-item"') >= 5  # related papers


def _sidebar(html: str) -> str:
    return html.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]


def test_a_paper_page_carries_its_abstract_twice_not_three_times(seed_site):
    """Page weight (#19): the article and citation_abstract (reference managers' scrapers read it);
    not again in the JSON-LD, which was 8% of a page."""
    papers = json.loads((seed_site / "papers.json").read_text())["papers"]
    checked = 0
    for paper in papers:
        if paper["title_derived"] or len(paper["abstract"]) < 200 or any(c in paper["abstract"] for c in "&<>\"'$\\{"):
            continue  # a derived title repeats the abstract's start; escaping changes the text
        html = (seed_site / paper["url"]).read_text(encoding="utf-8")
        assert html.count(paper["abstract"]) == 2, paper["slug"]
        (ld,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert "abstract" not in json.loads(ld)
        checked += 1
    assert checked > 100


def test_related_papers_are_cards_without_chips_and_listings_keep_them(seed_site):
    html = (seed_site / "papers" / "non-deep-networks.html").read_text(encoding="utf-8")
    related = html.split('id="related"', 1)[1].split("</section>", 1)[0]
    assert related.count('class="paper-item"') == 5 and related.count('class="snippet"') >= 1
    assert 'class="chips"' not in related and "data-added" not in related and "data-year" not in related
    listing = (seed_site / "topics" / "architectures.html").read_text(encoding="utf-8")
    cards = listing.split('<li class="paper-item"')[1:]
    assert cards and all('class="chips"' in card and "data-added" in card for card in cards)


def test_the_sidebar_lists_subtopics_under_the_current_topic_only(seed_site):
    """Material for MkDocs' navigation.prune: every page carries the tree, so the branches a
    reader is not in are left out; the parent topic's page, home and topics.html list them all."""
    subtopics = {"link-prediction", "network-embedding", "depth-estimation", "neural-architecture-search"}
    def linked(html: str) -> set[str]:
        return set(re.findall(r'href="\.\./topics/([\w-]+)\.html"', _sidebar(html)))
    inside = linked((seed_site / "topics" / "link-prediction.html").read_text(encoding="utf-8"))
    assert {"link-prediction", "network-embedding"} <= inside and not inside & {"depth-estimation", "neural-architecture-search"}
    assert linked((seed_site / "topics" / "graph-learning.html").read_text(encoding="utf-8")) & subtopics == \
        {"link-prediction", "network-embedding"}
    assert not linked((seed_site / "topics" / "network-science.html").read_text(encoding="utf-8")) & subtopics
    tree = (seed_site / "topics.html").read_text(encoding="utf-8").split("</nav>", 2)[-1]
    assert all(f"topics/{slug}.html" in tree for slug in subtopics)
    home = (seed_site / "index.html").read_text(encoding="utf-8").split("<main", 1)[1]
    assert all(f"topics/{slug}.html" in home for slug in subtopics)


def test_the_json_exports_hold_one_paper_per_line(seed_site):
    """A diff of two builds shows the papers that changed; an indented file was 13% larger."""
    for name, papers in (("papers.json", lambda d: d["papers"]), ("papers.csl.json", lambda d: d)):
        text = (seed_site / name).read_text(encoding="utf-8")
        lines = text.splitlines()
        assert len(lines) == len(papers(json.loads(text))) + 2 == 275, name
        assert all(json.loads(line.rstrip(",")) for line in lines[1:-1]), name


def test_derived_title_is_marked_on_the_page_and_in_papers_bib(seed_site):
    derived = json.loads((seed_site / "papers.json").read_text())["papers"]
    derived = [p for p in derived if p["title_derived"]]
    assert len(derived) == 30
    html = (seed_site / derived[0]["url"]).read_text(encoding="utf-8")
    # Presented as what it is: untitled, then the abstract's first words; in <h1> and <title>.
    assert '<h1 data-pagefind-weight="10"><span class="untitled">Untitled</span> — ' in html
    assert f"<title>Untitled — {derived[0]['title']}" in html
    listing = (seed_site / "list" / "title.html").read_text(encoding="utf-8")
    assert listing.count('<span class="untitled">Untitled</span> — ') >= 1
    atom = "{http://www.w3.org/2005/Atom}"
    entries = ET.parse(seed_site / "feed.xml").getroot().iter(f"{atom}entry")
    titles = {e.find(f"{atom}link").get("href").rsplit("/", 1)[1]: e.find(f"{atom}title").text for e in entries}
    derived_pages = {p["url"].rsplit("/", 1)[1] for p in derived}
    assert any(page in derived_pages for page in titles)  # the feed has some: the test is not empty
    assert all(title.startswith("Untitled — ") == (page in derived_pages) for page, title in titles.items())
    bib = (seed_site / "papers.bib").read_text(encoding="utf-8")
    assert bib.count("note = {Title derived from the abstract") == 30
    assert bib.count("\n@") + 1 == 273


def test_paper_pages_stay_under_40_kb(seed_site):
    sizes = [p.stat().st_size for p in (seed_site / "papers").glob("*.html")]
    assert max(sizes) < 40 * 1024, max(sizes)


def test_listings_paginate_at_100(seed_site):
    first = (seed_site / "list" / "title.html").read_text(encoding="utf-8")
    assert first.count('class="paper-item"') == 100
    assert (seed_site / "list" / "title" / "page-3.html").is_file()
    last = (seed_site / "list" / "title" / "page-3.html").read_text(encoding="utf-8")
    assert last.count('class="paper-item"') == 73
    assert 'rel="prev" href="page-2.html"' in last


def test_tags_are_named_in_words_and_their_pages_say_what_they_cover(seed_site):
    """'gnn' is a slug: readers see 'graph neural network (GNN)' on its page and 'GNN' on chips;
    the page says which phrases of tags.yaml it gathers."""
    page = (seed_site / "tags" / "gnn.html").read_text(encoding="utf-8")
    assert "<h1>Tag: graph neural network (GNN)" in page
    assert '<p class="lead">Papers whose title or abstract speaks of graph neural network, graph neural net, GNN, GNNs.' in page
    assert '<a href="../tags/gnn.html">GNN</a>' in page and ">gnn</a>" not in page
    tags = (seed_site / "tags.html").read_text(encoding="utf-8")
    assert '<a href="tags/link-prediction.html">link prediction</a>' in tags
    assert '<a href="tags/relu-network.html">ReLU network</a>' in tags  # the vocabulary's own spelling


def test_listed_papers_show_the_first_sentence_of_their_abstract(seed_site):
    page = (seed_site / "tags" / "gnn.html").read_text(encoding="utf-8")
    items = page.split('<li class="paper-item"')[1:]
    assert items and all('<p class="snippet">' in item for item in items if "untitled" not in item)
    survey = next(i for i in items if "A Comprehensive Survey on Graph Neural Networks" in i)
    snippet = survey.split('<p class="snippet">', 1)[1].split("</p>", 1)[0]
    assert snippet.startswith("Deep learning has revolutionized many machine learning tasks") and len(snippet) <= 161


def test_tags_index_lists_every_tag_a_to_z_and_by_count(seed_site):
    data = json.loads((seed_site / "papers.json").read_text())
    tags = {t for p in data["papers"] for t in p["tags"]}
    html = (seed_site / "tags.html").read_text(encoding="utf-8")
    for tag in tags:
        assert html.count(f'href="tags/{tag}.html"') == 2, tag  # once A-Z, once by count


def test_sitemap_feed_and_json_are_well_formed_with_absolute_urls(seed_site):
    sitemap = ET.parse(seed_site / "sitemap.xml").getroot()
    locs = [e.text for e in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert all(u.startswith("https://example.github.io/litsite/") for u in locs) and len(locs) > 400
    feed = ET.parse(seed_site / "feed.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 50
    assert (seed_site / "robots.txt").read_text().endswith("Sitemap: https://example.github.io/litsite/sitemap.xml\n")


def test_the_reload_script_is_never_in_built_output(seed_site):
    for page in html_pages(seed_site):
        assert "EventSource" not in page.read_text(encoding="utf-8"), page


HOSTILE_ABSTRACT = "We show <script>window.__pwned=1</script> that *stars* and $x$ and a_b stay as written & fine."


def test_abstract_is_text_not_markdown_or_html(project):
    (project / "content" / "papers" / "hostile.md").write_text(
        "---\ntitle: 'A </title><script>window.__pwned=1</script> title {{ 7*7 }}'\nabstract: '"
        + HOSTILE_ABSTRACT + "'\n---\nNotes with <b>raw html</b> and *emphasis*.\n", encoding="utf-8")
    run_litsite(project, "build", "--no-search", check=True)
    html = (project / "_site" / "papers" / "hostile.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html
    assert "We show &lt;script&gt;window.__pwned=1&lt;/script&gt; that *stars* and $x$ and a_b stay" in html
    assert "<em>stars</em>" not in html
    assert "{{ 7*7 }}" in html and "49" not in html.split("<main")[1].split("</main>")[0]
    assert "&lt;b&gt;raw html&lt;/b&gt;" in html and "<em>emphasis</em>" in html  # notes are Markdown


def test_raw_html_in_notes_only_when_site_yaml_allows_it(project):
    (project / "content" / "papers" / "p.md").write_text(
        "---\ntitle: P\nabstract: A.\n---\nSee <b>this</b>.\n", encoding="utf-8")
    config = project / "site.yaml"
    config.write_text(config.read_text().replace("allow_html: false", "allow_html: true"))
    run_litsite(project, "build", "--no-search", check=True)
    assert "See <b>this</b>." in (project / "_site" / "papers" / "p.html").read_text(encoding="utf-8")


def test_a_failing_build_names_file_and_line_and_keeps_the_previous_site(project):
    (project / "content" / "papers" / "good.md").write_text("---\ntitle: Good\nabstract: Fine.\n---\n")
    run_litsite(project, "build", "--no-search", check=True)
    before = snapshot(project / "_site")
    (project / "content" / "papers" / "bad.md").write_text("---\ntitle: Bad\nyear: [1\n---\n")
    result = run_litsite(project, "build", "--no-search")
    assert result.returncode == 2
    assert re.search(r"content/papers/bad\.md:\d+:\d+: error: YAML syntax error", result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(project / "_site") == before
    (project / "content" / "papers" / "bad.md").unlink()
    template = project / "templates" / "paper.html"
    template.write_text(template.read_text().replace("{% endblock %}", "{% endblok %}", 1))
    result = run_litsite(project, "build", "--no-search")
    assert result.returncode == 2 and re.search(r"paper\.html:\d+: error: template error", result.stderr)
    assert snapshot(project / "_site") == before
    assert not list(project.glob("._site.build-*"))  # no staging folder left behind


def test_without_base_url_the_build_warns_once_and_writes_no_sitemap(project):
    config = project / "site.yaml"
    config.write_text("\n".join(line for line in config.read_text().splitlines() if not line.startswith("base_url")))
    (project / "content" / "papers" / "p.md").write_text("---\ntitle: P\nabstract: An abstract.\n---\n")
    result = run_litsite(project, "build", "--no-search", check=True)
    assert result.stderr.count("warning: site.yaml has no base_url") == 1, result.stderr
    assert not (project / "_site" / "sitemap.xml").exists()
    feed = (project / "_site" / "feed.xml").read_text()
    assert "<id>urn:uuid:" in feed


def test_build_prints_one_summary_line_with_pages_seconds_and_index_sizes(project):
    (project / "content" / "papers" / "p.md").write_text("---\ntitle: P\nabstract: An abstract.\n---\n")
    result = run_litsite(project, "build", check=True)
    assert result.stderr == ""  # nothing went wrong: nothing on stderr
    lines = result.stdout.strip().splitlines()  # the result, on stdout
    assert len(lines) == 1
    assert re.match(r"built \d+ pages into _site/ in \d+\.\d\ds \(search: pagefind \d+ KiB, offline index \d+ KiB",
                    lines[0]), lines[0]


def test_every_paper_page_leads_to_the_paper(seed_site):
    """A known link (DOI, arXiv, PDF, project) where there is one; else labelled look-ups by title."""
    from urllib.parse import parse_qs, urlsplit

    from generator.content.load import load_valid_papers

    papers = {p.slug: p for p in load_valid_papers(REPO / "content" / "papers")}
    looked_up = 0
    for slug, paper in papers.items():
        html = (seed_site / "papers" / f"{slug}.html").read_text(encoding="utf-8")
        section = html.split('<section id="links"', 1)[1].split("</section>", 1)[0]
        targets = re.findall(r'<a href="([^"]+)"', section)
        assert targets and all(t.startswith("https://") for t in targets), slug
        if "Search arXiv" in section:
            looked_up += 1
            assert not (paper.doi or paper.arxiv or paper.link_urls()), slug
            query = parse_qs(urlsplit(targets[0].replace("&amp;", "&")).query)["query"][0]
            assert query.strip('"') == paper.title.rstrip("…").strip(), (slug, query)
            assert [re.sub(r"^Search ", "", t) for t in re.findall(r">(Search [^<]+)<", section)] == \
                ["arXiv", "Semantic Scholar", "Google Scholar", "DBLP"]
    assert 0 < looked_up < len(papers)


def test_recently_added_and_the_added_chart_only_when_the_dates_say_something(seed_site, seed_copy):
    # The seed collection was imported in one go: one date for all, so neither is shown.
    assert "Recently added" not in (seed_site / "index.html").read_text()
    assert 'id="added"' not in (seed_site / "overview.html").read_text()
    newer = seed_copy / "content" / "papers" / "non-deep-networks.md"
    text = newer.read_text()
    added = re.search(r"^added: (\S+)$", text, re.M)
    assert added
    newer.write_text(text.replace(added.group(0), "added: 2027-01-15"))
    run_litsite(seed_copy, "build", "--no-search", check=True)
    home = (seed_copy / "_site" / "index.html").read_text()
    recent = home.split('id="recent"', 1)[1]
    assert "Non-deep Networks" in recent.split("</li>", 1)[0]  # the newest comes first
    assert 'id="added"' in (seed_copy / "_site" / "overview.html").read_text()


def test_a_derived_title_does_not_rank_its_papers_related_papers(project):
    """A derived title is the abstract's first words: ranking by it would count the opening
    sentence three times. Here the opening is about graphs and the rest about proteins."""
    papers = project / "content" / "papers"
    opening = "Graph neural networks pass messages between graph nodes."
    rest = " Protein folding predicts protein structure. Protein structure prediction from folding."
    (papers / "untitled.md").write_text(
        "---\ntitle: Graph neural networks pass messages between graph nodes…\ntitle_source: derived\n"
        f"abstract: {opening}{rest}\n---\n", encoding="utf-8")
    (papers / "graphs.md").write_text("---\ntitle: Graph neural networks\nabstract: Graph neural networks pass "
                                      "messages between the nodes of a graph.\n---\n", encoding="utf-8")
    (papers / "proteins.md").write_text("---\ntitle: Protein folding\nabstract: Predicting protein structure "
                                        "from folding.\n---\n", encoding="utf-8")
    (papers / "other.md").write_text("---\ntitle: Weather forecasts\nabstract: Rain tomorrow and sun later.\n---\n",
                                     encoding="utf-8")
    run_litsite(project, "build", "--no-search", check=True)
    page = (project / "_site" / "papers" / "untitled.html").read_text(encoding="utf-8")
    related = re.findall(r'href="\.\./papers/(\w+)\.html"', page.split('id="related"', 1)[1].split("</section>", 1)[0])
    assert related[0] == "proteins", related
    # the real titles still count: the graph paper's nearest is about graphs
    page = (project / "_site" / "papers" / "graphs.html").read_text(encoding="utf-8")
    assert re.findall(r'href="\.\./papers/(\w+)\.html"', page.split('id="related"', 1)[1])[0] == "untitled"
