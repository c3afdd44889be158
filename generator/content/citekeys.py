"""Citation keys in the form people type: first author's family name + year + first title word.

`touvron2023resmlp`, ASCII-folded (`jégou` -> `jegou`), unique in the collection: papers that
would share a key get `a`, `b`, … in slug order, so keys are stable while the collection is.
Name parts follow the content's convention: "Given Family", lower-case particles belong to the
family name ("Laurens van der Maaten" -> family "van der Maaten").
"""
from __future__ import annotations

import bisect
import re
import string
from collections import defaultdict

from generator.content.paper import Paper, PerObject
from generator.content.slugs import slugify

PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "le", "la", "dos", "das", "ter", "ten"}
# Words that make an author string an organisation, not a person: it is then kept whole.
ORGANISATION_WORDS = {"team", "group", "consortium", "collaboration", "committee", "institute", "university",
                      "laboratory", "lab", "labs", "inc", "inc.", "ltd", "corporation", "project", "foundation",
                      "association", "society", "council", "network", "initiative", "alliance", "research", "brain",
                      "deepmind", "openai", "google", "microsoft", "meta", "nvidia", "anthropic"}
_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "for", "to", "and", "with", "from", "towards", "toward", "is", "are"}


def is_organisation(name: str) -> bool:
    words = name.replace(",", " ").split()
    return len(words) == 1 or any(w.lower() in ORGANISATION_WORDS for w in words) or len(words) > 5


def name_parts(name: str) -> tuple[str, str]:
    """(family, given) of a person's name as the content writes it; ("", name) for an organisation."""
    if is_organisation(name):
        return "", name.strip()
    if "," in name:  # "Family, Given" as some sources keep it
        family, _, given = name.partition(",")
        return family.strip(), given.strip()
    words = name.split()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[start:]), " ".join(words[:start])


def _key_base(paper: Paper) -> str:
    first = paper.authors[0] if paper.authors else ""
    family = name_parts(first)[0]
    word = family.split()[-1] if family else (first.split() or [""])[0]  # an organisation: its first word
    who = slugify(word).replace("-", "")
    words = [w for w in slugify(paper.title_text).split("-") if w and w not in _SKIP_WORDS and not w.isdigit()]
    if paper.title_is_derived:
        words = ["untitled"]
    what = "".join(words[:1] if who else words[:2])  # no author: the title's first two words name it
    return f"{who}{paper.year or ''}{what}"[:60] or "untitled"


_KEY_BASES = PerObject(_key_base)  # `serve` asks again for every paper on each edit


def citation_keys(papers: list[Paper]) -> dict[str, str]:
    """Slug -> a key unique in `papers`."""
    return keys_of(key_groups(papers))


def key_groups(papers: list[Paper]) -> dict[str, list[str]]:
    """Key base -> the slugs of the papers that have it, sorted."""
    groups: dict[str, list[str]] = defaultdict(list)
    for paper in sorted(papers, key=lambda p: p.slug):
        groups[_KEY_BASES(paper)].append(paper.slug)
    return dict(groups)


def keys_of(groups: dict[str, list[str]], bases: set[str] | None = None) -> dict[str, str]:
    """Slug -> key for the papers of `groups` (only those of `bases`, when given)."""
    keys = {}
    for base in groups if bases is None else bases & groups.keys():
        slugs = groups[base]
        if len(slugs) == 1:
            keys[slugs[0]] = base
        else:
            for n, slug in enumerate(slugs):
                keys[slug] = base + _suffix(n)
    return keys


def regroup(groups: dict[str, list[str]], removed: list[Paper],
            added: list[Paper]) -> tuple[dict[str, list[str]], set[str]]:
    """`groups` without `removed` and with `added` (a new dict; `groups` is not changed), and the
    bases whose keys may have changed."""
    groups, touched = dict(groups), set()
    for paper in removed:
        base = _KEY_BASES(paper)
        groups[base] = [s for s in groups[base] if s != paper.slug]
        touched.add(base)
        if not groups[base]:
            del groups[base]
    for paper in added:
        base = _KEY_BASES(paper)
        slugs = groups[base] = list(groups.get(base, ()))
        bisect.insort(slugs, paper.slug)
        touched.add(base)
    return groups, touched


def _suffix(n: int) -> str:
    letters = string.ascii_lowercase
    return letters[n] if n < 26 else _suffix(n // 26 - 1) + letters[n % 26]


VALID_KEY = re.compile(r"^[a-z0-9]+$")
