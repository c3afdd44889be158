"""Topics, tags, explanations and related papers, on the seed collection and on small cases."""
from __future__ import annotations

import re

import pytest
import yaml

from generator.analysis.related import related_papers
from generator.analysis.taxonomy import GENERIC, PHRASE_STOPWORDS, PhraseMatcher, Tagger, propose_tags
from generator.content.config import load_config
from generator.content.frontmatter import render_paper_file
from generator.content.load import load_papers
from generator.content.validate import read_paper

from conftest import REPO, run_litsite


@pytest.fixture(scope="module")
def seed():
    config = load_config(REPO)
    papers, problems = load_papers(config.papers_dir)
    assert not problems and len(papers) == 273
    return config, papers


@pytest.fixture(scope="module")
def assigned(seed):
    config, papers = seed
    return Tagger(config, papers).assign_all(papers)


def test_phrases_match_plurals_and_hyphens_but_acronyms_need_capitals():
    matcher = PhraseMatcher({"graph neural network": "gnn", "GNN": "gnn", "self-supervised": "ssl",
                             "monocular depth": "mde", "single-image depth": "mde", "RL": "rl"})
    assert set(matcher.find("Graph Neural Networks for molecules")) == {"gnn"}
    assert set(matcher.find("we train GNNs")) == {"gnn"}
    assert matcher.find("self supervised and Self-Supervised")["ssl"]["self-supervised"] == 2
    assert set(matcher.find("Single image depth from a monocular depth cue")) == {"mde"}
    assert matcher.find("the url of an html page") == {}  # 'rl' only as the acronym RL
    assert set(matcher.find("deep RL agents")) == {"rl"}


def test_overlapping_phrases_count_once_per_label():
    matcher = PhraseMatcher({"GNN": "gnn", "GNNs": "gnn", "gnn": "gnn"})
    assert sum(matcher.find("GNNs and GNN")["gnn"].values()) == 2


def test_seed_taxonomy_has_8_to_16_topics_and_no_catch_all(seed, assigned):
    config, papers = seed
    assert 8 <= len(config.topics) <= 16
    share = {t.slug: sum(t.slug in a and True for a in ([r.label for r in x.topics] for x in assigned.values()))
             / len(papers) for t in config.topics}
    for topic in config.topics:
        if re.search(r"other|misc|general", topic.slug):
            assert share[topic.slug] <= 0.05, topic.slug
    assert max(share.values()) < 0.35, share  # the largest topic: graph learning, under a third


def test_every_seed_paper_has_a_topic_and_2_to_8_tags(seed, assigned):
    config, papers = seed
    topic_slugs = {t.slug for t in config.topics}
    for paper in papers:  # what is committed in content/
        assert paper.topics and set(paper.topics) <= topic_slugs, paper.slug
        assert 2 <= len(paper.tags) <= 8, (paper.slug, paper.tags)
    for slug, assignment in assigned.items():  # what a fresh assignment gives
        assert assignment.topics and 2 <= len(assignment.tags) <= 8, slug


def test_committed_content_matches_a_fresh_retag(seed, assigned):
    _, papers = seed
    for paper in papers:
        assert paper.tags == [r.label for r in assigned[paper.slug].tags], paper.slug
        assert paper.topics == [r.label for r in assigned[paper.slug].topics], paper.slug


@pytest.mark.parametrize("title_words, tag", [
    (("monocular depth",), "monocular-depth-estimation"),
    (("link prediction",), "link-prediction"),
    (("pruning", "pruned"), "network-pruning"),
])
def test_papers_on_one_narrow_subject_share_a_tag(seed, assigned, title_words, tag):
    _, papers = seed
    group = [p for p in papers if any(w in p.title.lower() for w in title_words)]
    assert len(group) >= 3
    for paper in group:
        assert tag in [r.label for r in assigned[paper.slug].tags], paper.title


def test_vision_and_graph_papers_share_no_topic(seed, assigned):
    _, papers = seed
    depth = [p for p in papers if "depth estimation" in p.title.lower()]
    links = [p for p in papers if "link prediction" in p.title.lower()]
    depth_topics = {r.label for p in depth for r in assigned[p.slug].topics}
    link_topics = {r.label for p in links for r in assigned[p.slug].topics}
    assert "depth-estimation" in depth_topics and "link-prediction" in link_topics
    assert not depth_topics & link_topics


def test_proposed_tags_are_phrases_a_person_would_write(seed):
    config, papers = seed
    proposed = propose_tags(papers, config.tags)
    vocabulary = {t.slug for t in config.tags}
    keys = []
    for slug, phrase in proposed.items():
        words = phrase.lower().split()
        assert 2 <= len(words) <= 3
        assert not set(words) & (PHRASE_STOPWORDS | GENERIC), phrase
        assert slug not in vocabulary
        keys.append(frozenset(w.rstrip("s") for w in words))
    assert len(keys) == len(set(keys))  # no near-duplicates such as 'gnn' beside 'gnns'


def test_a_persons_tags_and_topics_survive_retag(project):
    (project / "content" / "papers" / "mine.md").write_text(
        "---\ntitle: Link Prediction with Graph Neural Networks\nabstract: We predict missing links "
        "with graph neural networks. Link prediction improves.\ntags: [my-tag, another-tag]\n"
        "topics: [computer-vision]\n---\nNotes.\n", encoding="utf-8")
    (project / "content" / "papers" / "auto.md").write_text(
        "---\ntitle: Link Prediction Again\nabstract: Link prediction with GNNs and message passing.\n---\n",
        encoding="utf-8")
    before = (project / "content" / "papers" / "mine.md").read_bytes()
    result = run_litsite(project, "retag", check=True)
    assert "1 with tags or topics set by a person" in result.stderr
    assert (project / "content" / "papers" / "mine.md").read_bytes() == before
    auto = read_paper(project / "content" / "papers" / "auto.md")
    assert "link-prediction" in auto.tags and "link-prediction" in auto.topics
    auto.tags = ["link-prediction", "gnn", "hand-picked"]
    auto.path.write_text(render_paper_file(auto), encoding="utf-8")
    run_litsite(project, "retag", check=True)
    assert read_paper(auto.path).tags == ["link-prediction", "gnn", "hand-picked"]
    assert read_paper(auto.path).topics == auto.topics  # untouched topics stay the machine's


def test_explain_names_the_real_matched_terms():
    result = run_litsite(REPO, "explain", "spidepth-strengthened-pose-information-for-self-supervised-monocular-depth",
                         check=True)
    out = result.stdout
    assert "depth-estimation: score" in out
    assert "'monocular depth' (title x1" in out
    assert "'self-supervised' (title x1" in out
    assert "parent of depth-estimation" in out


def test_explain_unknown_slug_is_a_clear_error():
    result = run_litsite(REPO, "explain", "no-such-paper")
    assert result.returncode == 2 and "no paper with slug 'no-such-paper'" in result.stderr


def test_related_papers_of_a_depth_paper_are_mostly_depth_papers(seed):
    _, papers = seed
    related = related_papers(papers)
    by_slug = {p.slug: p for p in papers}
    depth = [p for p in papers if "depth-estimation" in p.topics]
    assert len(depth) >= 8
    for paper in depth:
        assert len(related[paper.slug]) == 5
        assert paper.slug not in related[paper.slug]
    hits = [sum("depth-estimation" in by_slug[s].topics for s in related[p.slug]) for p in depth]
    assert sum(hits) / len(hits) >= 2.5, hits  # mostly: on average more than half of the five
    spidepth = next(p for p in depth if p.title.startswith("SPIdepth"))
    assert sum("depth-estimation" in by_slug[s].topics for s in related[spidepth.slug]) >= 3


def test_related_papers_are_deterministic(seed):
    _, papers = seed
    assert related_papers(papers) == related_papers(list(reversed(papers)))


def test_stats_prints_the_distribution():
    out = run_litsite(REPO, "stats", check=True).stdout
    assert "papers: 273" in out
    assert re.search(r"tags per paper: min 2, median \d+(\.\d+)?, max [2-8]", out)
    assert "papers per tag: min 1" in out and "singleton tags (" in out
    assert re.search(r"graph-learning\s+\d+\s+\d+\.\d%", out)


def test_suggest_topics_gives_yaml_a_curator_can_paste():
    out = run_litsite(REPO, "suggest-topics", "--count", "10", check=True).stdout
    data = yaml.safe_load(out)
    assert len(data["topics"]) == 10
    for topic in data["topics"]:
        assert topic["slug"] and topic["terms"] and 1 <= len(topic["examples"]) <= 3


def test_related_papers_ranked_by_forked_workers_are_the_same(monkeypatch):
    """Large collections share the all-pairs product out to one process per core; the seeds
    take that path with lowered thresholds and must get exactly the sequential answer."""
    import generator.analysis.related as related
    from generator.content.load import load_valid_papers

    papers = load_valid_papers(REPO / "content" / "papers")
    index = related.RelatedIndex(papers)
    sequential = index.all_neighbours(parallel=False)
    monkeypatch.setattr(related, "PARALLEL_FROM", 50)
    monkeypatch.setattr(related, "CHUNK", 40)
    parallel = index.all_neighbours(parallel=True)
    assert list(parallel) == list(sequential) and parallel == sequential
    assert sum(len(v) == related.DEFAULT_K for v in parallel.values()) > 0.9 * len(papers)


def test_neighbours_of_some_papers_are_their_neighbours_among_all(seed):
    """Import ranks neighbours only for the papers short of tags: the same answer, fewer products."""
    from generator.analysis.related import RelatedIndex

    _, papers = seed
    index = RelatedIndex(papers)
    everyone = index.all_neighbours()
    some = [p.slug for p in papers[::7]] + ["no-such-paper"]
    assert index.neighbours_among(some) == {slug: everyone[slug] for slug in some[:-1]}


def test_counting_phrases_by_first_word_counts_the_same_phrases(seed):
    """propose_tags counts only phrases whose first word starts a title phrase; that pruning
    must find exactly the phrases the full enumeration finds."""
    from generator.analysis.taxonomy import _phrase_keys, _phrases

    _, papers = seed
    first_words = {key[0] for p in papers for key, _ in _phrases(p.title)}
    for paper in papers:
        text = paper.title + ". " + paper.abstract
        assert set(_phrase_keys(text, first_words)) == {k for k, _ in _phrases(text) if k[0] in first_words}


def test_related_papers_of_large_collections_come_from_nearby_clusters_and_match_exact_ranking(monkeypatch):
    """From CLUSTERED_FROM papers on, each paper is compared only with the members of its
    nearest k-means clusters (sub-quadratic). On the seeds, forced onto that path, it must find
    nearly all of the exact neighbours, the same way every time."""
    import generator.analysis.related as related
    from generator.content.load import load_valid_papers

    papers = load_valid_papers(REPO / "content" / "papers")
    index = related.RelatedIndex(papers)
    exact = index.all_neighbours()
    monkeypatch.setattr(related, "CLUSTERED_FROM", 100)
    clustered = index.all_neighbours()
    assert clustered == index.all_neighbours()  # deterministic
    found = sum(len(set(clustered[s]) & set(exact[s])) for s in exact)
    assert found >= 0.9 * sum(len(v) for v in exact.values())
    assert all(s not in clustered[s] and len(clustered[s]) == len(set(clustered[s])) for s in clustered)


def test_assignments_matched_by_forked_workers_are_the_same(seed, monkeypatch):
    """`import` and `retag` match large collections on forked workers, and fit the neighbours'
    TF-IDF in another while the tags are proposed. The seeds take that path with a lowered
    threshold: every topic and tag, and its score, must be the one-process answer, including
    the papers whose topic is the nearest one by text and those that borrow their neighbours' tags."""
    import generator.analysis.taxonomy as taxonomy

    config, papers = seed
    sequential = Tagger(config, papers).assign_all(papers)
    monkeypatch.setattr(taxonomy, "PARALLEL_FROM", 50)
    parallel = Tagger(config, papers).assign_all(papers, parallel=True)

    def labels(assignments):
        return {slug: ([(r.label, r.score) for r in a.topics], [(r.label, r.score) for r in a.tags])
                for slug, a in assignments.items()}

    assert list(parallel) == list(sequential) and labels(parallel) == labels(sequential)
    evidence = [e for a in sequential.values() for r in a.topics + a.tags for e in r.evidence]
    assert sum("closest topic" in e for e in evidence) >= 3  # the nearest-topic path was taken
    assert sum("most similar papers" in e for e in evidence) >= 2  # and the borrowed tags'
