"""The site model patched for an edit (`Site.edited`, what `serve` makes per save) equals the
model made from nothing out of the same papers, on the seed collection and random edits."""
from __future__ import annotations

import dataclasses
import random

import pytest

from generator.build.pipeline import load_site
from generator.content.config import load_config
from generator.content.paper import Paper
from generator.site.model import Site

from conftest import REPO

# What a person changes in a paper file, each as a function of (paper, the site, a random source).
EDITS = {
    "title": lambda p, site, rnd: dataclasses.replace(p, title=rnd.choice(site.papers).title + " again"),
    "title to the front": lambda p, site, rnd: dataclasses.replace(p, title="AAA first of all"),
    "TeX title": lambda p, site, rnd: dataclasses.replace(p, title=r"$\Sigma\Delta$ modulators for \LaTeX"),
    "same title as another": lambda p, site, rnd: dataclasses.replace(p, title=rnd.choice(site.papers).title),
    "tag added": lambda p, site, rnd: dataclasses.replace(p, tags=[*p.tags, rnd.choice(sorted(site.tag_counts))]),
    "new tag": lambda p, site, rnd: dataclasses.replace(p, tags=[*p.tags, "never-seen-before"]),
    "tags cleared": lambda p, site, rnd: dataclasses.replace(p, tags=[]),
    "topics changed": lambda p, site, rnd: dataclasses.replace(p, topics=[rnd.choice(site.config.topics).slug]),
    "topics cleared": lambda p, site, rnd: dataclasses.replace(p, topics=[]),
    "year changed": lambda p, site, rnd: dataclasses.replace(p, year=1901),
    "year cleared": lambda p, site, rnd: dataclasses.replace(p, year=None),
    "author spelled with accents": lambda p, site, rnd: dataclasses.replace(p, authors=["José García", *p.authors]),
    "author spelled without": lambda p, site, rnd: dataclasses.replace(p, authors=["Jose Garcia", *p.authors]),
    "author twice": lambda p, site, rnd: dataclasses.replace(p, authors=[*p.authors[:1], *p.authors]),
    "first author of another": lambda p, site, rnd: dataclasses.replace(
        p, authors=rnd.choice(site.papers).authors[:1] + p.authors[1:], year=rnd.choice(site.papers).year),
}


@pytest.fixture(scope="module")
def seed() -> Site:
    return load_site(load_config(REPO))


def from_nothing(site: Site, changes: dict[str, Paper | None]) -> Site:
    papers = {p.slug: p for p in site.papers}
    for slug, paper in changes.items():
        if paper is None:
            papers.pop(slug, None)
        else:
            papers[slug] = paper
    in_file_order = sorted(papers.values(), key=lambda p: f"{p.slug}.md")  # as load_papers reads them
    return Site(site.config, in_file_order, site.docs, site.intro, site.lists)


def assert_same_model(patched: Site, made: Site) -> None:
    assert patched.__dict__.keys() - {"_changes"} == made.__dict__.keys() - {"_changes"}
    for name, value in made.__dict__.items():
        if name != "_changes":
            assert _comparable(getattr(patched, name)) == _comparable(value), name


def _comparable(value):
    """Papers by identity, in order; dicts by content (no page reads their order: each sorts)."""
    if isinstance(value, Paper):
        return ("paper", id(value))
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value


def _snapshot(site: Site) -> dict:
    return {name: _comparable(value) for name, value in site.__dict__.items() if name != "_changes"}


def _unlisted(site: Site, rnd: random.Random) -> Paper:
    return rnd.choice([p for p in site.papers if p.slug not in site.lists_of])


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_each_kind_of_edit_patches_the_model_into_the_one_made_from_nothing(seed, edit):
    rnd = random.Random(edit)
    for _ in range(5):
        paper = rnd.choice(seed.papers)
        changes: dict[str, Paper | None] = {paper.slug: EDITS[edit](paper, seed, rnd)}
        before = _snapshot(seed)
        assert_same_model(seed.edited(changes, seed.lists), from_nothing(seed, changes))
        assert _snapshot(seed) == before, "the site an edit starts from must not change"


def test_papers_added_removed_and_renamed_patch_the_model_too(seed):
    rnd = random.Random(7)
    gone, renamed, model = _unlisted(seed, rnd), _unlisted(seed, rnd), rnd.choice(seed.papers)
    # 'x.md' and 'x-2.md': a slug and its suffixed twin sort differently as slugs and as file names
    changes: dict[str, Paper | None] = {
        gone.slug: None,
        renamed.slug: None,
        renamed.slug + "-moved": dataclasses.replace(renamed, slug=renamed.slug + "-moved"),
        model.slug + "-2": dataclasses.replace(model, slug=model.slug + "-2"),
        "zzz-new": dataclasses.replace(model, slug="zzz-new", title="A new paper", tags=["brand-new"]),
    }
    assert_same_model(seed.edited(changes, seed.lists), from_nothing(seed, changes))


def test_a_chain_of_random_edits_stays_equal_to_a_model_made_from_nothing(seed):
    """serve patches the model it patched last time: errors would pile up."""
    rnd, site = random.Random(19), seed
    for _ in range(40):
        changes: dict[str, Paper | None] = {}
        for paper in rnd.sample(site.papers, rnd.randint(1, 3)):
            changes[paper.slug] = EDITS[rnd.choice(sorted(EDITS))](paper, site, rnd)
        if rnd.random() < 0.3:
            changes[_unlisted(site, rnd).slug] = None
        made = from_nothing(site, changes)
        site = site.edited(changes, site.lists)
        assert_same_model(site, made)
