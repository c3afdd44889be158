"""Topics and tags: assignment from the curated vocabulary, with the reasons kept for `explain`.

Topics come from `site.yaml` (phrases with weights), tags from the tag vocabulary (phrases
and acronyms). A paper's title counts more than its abstract. When the vocabulary gives a
paper fewer than two tags, phrases that at least two papers share are proposed as tags,
filtered so that each is something a person would write. A paper no topic term matches
goes to the topic whose papers its text is closest to, and `explain` says so.
"""
from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import yaml

from generator.analysis.related import RelatedIndex
from generator.analysis.text import fit_tfidf
from generator.content.config import SiteConfig, TagDef
from generator.content.paper import Paper
from generator.content.slugs import slugify
from generator.workers import ForkedAnswer, ForkedJobs, fork_workers

MOST_TAGS_ASSIGNED, FEWEST_TAGS_ASSIGNED = 8, 2  # per paper (a file may hold more: content/paper.py)
MOST_TOPICS_ASSIGNED = 3
TOPIC_MIN_SCORE = 4.0
TOPIC_RELATIVE = 0.5  # a second topic needs half the score of the best one
# Without a topic term, a paper joins the topic whose papers read most like it only above this
# cosine similarity. Measured: the seed's 6 such papers score 0.125-0.208; a solid-state physics
# library in a machine-learning taxonomy scores 0.003-0.1 for ~85% of its papers. Below it the
# paper gets no topic ("no topic fits" is an answer) and is listed on the needs-attention page.
NEAREST_TOPIC_MIN_SIMILARITY = 0.12
TITLE_WEIGHT = 3
NEIGHBOUR_VOTES = 3  # a borrowed tag must be on 3 of the 5 most similar papers
ABSTRACT_CAP = 3  # repeating a phrase ten times is not ten times the evidence

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:'[a-z]+)?")

# Words no tag may start or end with, and words too vague to be part of a proposed tag.
PHRASE_STOPWORDS = frozenset("""a an the of for and or in on to with by from as at via into over under about
is are was were be been being this that these those it its we our they their such than then which
who whom whose what when where while how can could may might will would should do does did not no
nor also both each either more most less other some any all many much very via vs using based new
one two three first second per between across within without toward towards up down out only
there here has have had having become becomes became great remarkable future times faster slower
upper lower further across among still often yet just even i.e e.g et al able need needs towards
few past ones years year last like whether
""".split())
GENERIC = frozenset("""deep network networks neural model models method methods approach approaches
propose proposed proposes paper work works result results performance state art task tasks data
dataset datasets learning learn learned training train trained framework frameworks problem problems
experiment experiments experimental novel significant significantly existing recent recently large
different various several number show shows shown demonstrate demonstrates effective effectively
efficient efficiently important key use used uses make makes making provide provides study studies
analysis high low better best improve improved improves improvement achieve achieves achieved
architecture architectures layer layers function functions system systems information set sets
standard simple general common well also even however order terms way ways extensive code available
github https com http www org io benchmark benchmarks input output real world wide range time
""".split())


@lru_cache(maxsize=1 << 18)
def _fold(token: str) -> str:
    """Case-fold and drop a plural 's' so 'networks' meets 'network'."""
    token = token.lower()
    if len(token) <= 3 or not token.endswith("s") or token.endswith(("ss", "us", "is", "as")):
        return token
    if token.endswith("ies"):
        return token[:-3] + "y"
    if token.endswith(("sses", "ches", "shes", "xes")):
        return token[:-2]
    return token[:-1]


@lru_cache(maxsize=1 << 18)
def _fold_acronym(token: str) -> str:
    return token[:-1] if len(token) > 2 and token.endswith("s") and token[:-1].isupper() else token


@lru_cache(maxsize=64)
def _tokens(text: str) -> tuple[str, ...]:
    # A paper's title and abstract go through ~20 matchers (every topic's, the tags'): split once.
    return tuple(_TOKEN.findall(text))


@lru_cache(maxsize=64)
def _prepared(raw: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The tokens folded both ways: for word phrases, and for acronyms (which keep their capitals).
    Each distinct word is folded once per process; a dict lookup per token is what is left."""
    for word in set(raw).difference(_FOLDED):
        _FOLDED[word] = _fold(word)
        _FOLDED_ACRONYM[word] = _fold_acronym(word)
    return tuple(map(_FOLDED.__getitem__, raw)), tuple(map(_FOLDED_ACRONYM.__getitem__, raw))


_FOLDED: dict[str, str] = {}
_FOLDED_ACRONYM: dict[str, str] = {}


class PhraseMatcher:
    """Finds vocabulary phrases in text. Capitalised phrases (acronyms) must match their capitals."""

    def __init__(self, phrases: dict[str, Any] | list[tuple[str, Any]]):
        """`phrases`: phrase -> label, or (phrase, label) pairs when one phrase has several labels."""
        # Phrases by their whole key, one table for word phrases (folded tokens) and one for
        # acronyms (capitals kept); a text position looks its few possible lengths up instead
        # of trying every phrase that starts with its word (dozens start with 'graph').
        self._plain: dict[tuple[str, ...], list[tuple[int, Any, str]]] = {}
        self._exact: dict[tuple[str, ...], list[tuple[int, Any, str]]] = {}
        lengths: dict[str, set[int]] = {}
        for order, (phrase, label) in enumerate(phrases.items() if isinstance(phrases, dict) else phrases):
            tokens = _TOKEN.findall(phrase)
            if not tokens:
                continue
            exact = any(c.isupper() for c in phrase)
            key = tuple(_fold_acronym(t) for t in tokens) if exact else tuple(_fold(t) for t in tokens)
            (self._exact if exact else self._plain).setdefault(key, []).append((order, label, phrase))
            lengths.setdefault(key[0], set()).add(len(key))
        self._lengths = {first: tuple(sorted(found, reverse=True)) for first, found in lengths.items()}

    def find(self, text: str) -> dict[Any, Counter]:
        """label -> Counter of the phrases that matched, with their counts.

        Each stretch of text counts once per label: the longest phrase starting there wins,
        so 'GNNs' is not counted again as 'gnn', nor 'semantic segmentation' as 'segmentation'.
        """
        found: dict[Any, Counter] = {}
        for label, phrase, _, _ in self._matches(_tokens(text)):
            if label not in found:
                found[label] = Counter()
            found[label][phrase] += 1
        return found

    def mask(self, text: str) -> str:
        """The text with every matched phrase replaced by '.', leaving only what the vocabulary lacks."""
        tokens = _TOKEN.findall(text)
        hidden: set[int] = set()
        for _, _, start, end in self._matches(tokens):
            hidden.update(range(start, end))
        return " ".join("." if i in hidden else t for i, t in enumerate(tokens))

    def _matches(self, raw: list[str] | tuple[str, ...]):
        folded, exact = _prepared(tuple(raw))
        lengths_of, plain, acronyms = self._lengths, self._plain, self._exact
        covered: dict[Any, int] = {}
        starts = [i for i, (word, acronym) in enumerate(zip(folded, exact, strict=True))
                  if word in lengths_of or acronym in lengths_of]
        for i in starts:
            word, acronym = folded[i], exact[i]
            lengths = lengths_of.get(word, ())
            if acronym != word and acronym in lengths_of:
                lengths = tuple(sorted(set(lengths) | set(lengths_of[acronym]), reverse=True))
            for length in lengths:
                found = plain.get(folded[i:i + length], []) + acronyms.get(exact[i:i + length], [])
                if acronym == word and len(found) > 1:
                    found.sort()  # one list of phrases in vocabulary order, as they were written
                for _, label, phrase in found:
                    if covered.get(label, 0) > i:
                        continue
                    covered[label] = i + length
                    yield label, phrase, i, i + length


@dataclass
class Reason:
    """Why one label was given: the score and the evidence behind it."""

    label: str
    score: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class Assignment:
    topics: list[Reason]
    tags: list[Reason]


class Tagger:
    """Assigns topics and tags for one collection; build once, then call `assign` per paper."""

    def __init__(self, config: SiteConfig, corpus: list[Paper]):
        self.topics = config.topics
        self.topic_by_slug = {t.slug: t for t in config.topics}
        self.tag_matcher = PhraseMatcher(_tag_phrases(config.tags))
        self._config = config
        self._found: dict[tuple[str, str], tuple[dict, dict]] = {}
        self._centroids: tuple[Any, list[str], Any] | None = None
        self._members: dict[str, list[int]] | None = None  # topic -> corpus rows confidently in it
        self._corpus = corpus

    @cached_property
    def proposed(self) -> dict[str, str]:
        return propose_tags(self._corpus, self._config.tags) if self._config.propose_tags else {}

    @cached_property
    def _matcher(self) -> PhraseMatcher:
        """One matcher for every vocabulary (tags, proposed tags, each topic's terms), its labels
        (vocabulary, label): a paper's text is then read once, not once per topic."""
        return PhraseMatcher(
            [(phrase, (TAGS, slug)) for phrase, slug in _tag_phrases(self._config.tags).items()]
            + [(phrase, (PROPOSED, slug)) for slug, phrase in self.proposed.items()]
            + [(term, (topic.slug, topic.slug)) for topic in self.topics for term in topic.terms])

    def assign(self, paper: Paper) -> Assignment:
        return Assignment(self._topics_for(paper), self._tags_for(paper))

    def assign_all(self, papers: list[Paper], parallel: bool = False) -> dict[str, Assignment]:
        """Assign every paper; a paper still short of tags borrows those its nearest papers share.
        With `parallel`, a large collection is matched by forked workers and its reasons carry
        no evidence (import and retag need the labels only; `explain` keeps the evidence)."""
        corpus = self._corpus or papers
        if not fork_workers(parallel, len(corpus), PARALLEL_FROM):
            result = self._assign_each(papers, parallel=False)
            short = [p for p in papers if len(result[p.slug].tags) < FEWEST_TAGS_ASSIGNED]
            neighbours = RelatedIndex(corpus).neighbours_among([p.slug for p in short]) if short else {}
            return self._borrow_tags(result, short, neighbours)
        # The TF-IDF fit for papers short of tags (a second or two at 10,000 papers) runs on the
        # core that is idle while the proposed tags are found, before anyone knows who is short.
        with ForkedAnswer(RelatedIndex, RelatedIndex.neighbours_among, corpus) as related:
            result = self._assign_each(papers, parallel=True)
            short = [p for p in papers if len(result[p.slug].tags) < FEWEST_TAGS_ASSIGNED]
            neighbours = related.ask([p.slug for p in short]) if short else {}
        return self._borrow_tags(result, short, neighbours)

    def _borrow_tags(self, result: dict[str, Assignment], short: list[Paper],
                     neighbours: dict[str, list[str]]) -> dict[str, Assignment]:
        if not short:
            return result
        tags_of = {p.slug: p.tags for p in self._corpus}
        tags_of.update({slug: [r.label for r in a.tags] for slug, a in result.items()})
        for paper in short:
            chosen = result[paper.slug].tags
            votes = Counter(tag for other in neighbours.get(paper.slug, []) for tag in tags_of.get(other, []))
            for tag, n in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])):
                if len(chosen) >= FEWEST_TAGS_ASSIGNED or n < NEIGHBOUR_VOTES:
                    break
                if tag not in {c.label for c in chosen}:
                    chosen.append(Reason(tag, float(n), [f"used by {n} of its {len(neighbours[paper.slug])} "
                                                         f"most similar papers"]))
        return result

    def _assign_each(self, papers: list[Paper], parallel: bool) -> dict[str, Assignment]:
        workers = fork_workers(parallel, len(papers), PARALLEL_FROM)
        if not workers:
            return {p.slug: self.assign(p) for p in papers}
        assert self._matcher is not None  # built here, once, for the workers to inherit
        step = -(-len(papers) // (workers * 4))
        chunks = [papers[i:i + step] for i in range(0, len(papers), step)]
        with ForkedJobs(_match_chunk, (self, chunks), list(range(len(chunks))), workers) as jobs:
            found = dict(jobs.results())
        matched = [row for i in range(len(chunks)) for row in found[i]]
        if [p.slug for p in papers] == [p.slug for p in self._corpus]:  # the nearest topic needs no rematch
            self._members = _members([topics for topics, _ in matched])
        return {paper.slug: Assignment(self._choose_topics(paper, [Reason(*t) for t in topics]),
                                       [Reason(*t) for t in tags])
                for paper, (topics, tags) in zip(papers, matched, strict=True)}

    def _matched(self, paper: Paper, vocabulary: str) -> tuple[dict[str, Counter], dict[str, Counter]]:
        """What `vocabulary` matched in the paper's title and in its abstract: label -> phrases."""
        key = (paper.title, paper.abstract)
        if key not in self._found:
            self._found[key] = (_by_vocabulary(self._matcher.find(paper.title)),
                                _by_vocabulary(self._matcher.find(paper.abstract)))
        in_title, in_abstract = self._found[key]
        return in_title.get(vocabulary, {}), in_abstract.get(vocabulary, {})

    # -- tags -------------------------------------------------------------
    def _tags_for(self, paper: Paper) -> list[Reason]:
        reasons = _score(*self._matched(paper, TAGS))
        strong = [r for r in reasons if r.score >= 2]
        chosen = strong[:MOST_TAGS_ASSIGNED]
        if len(chosen) < FEWEST_TAGS_ASSIGNED:
            chosen += [r for r in reasons if r not in chosen][: FEWEST_TAGS_ASSIGNED - len(chosen)]
        if len(chosen) < FEWEST_TAGS_ASSIGNED:
            proposed = _score(*self._matched(paper, PROPOSED))
            for reason in proposed:
                if len(chosen) >= FEWEST_TAGS_ASSIGNED:
                    break
                if reason.label not in {c.label for c in chosen}:
                    reason.evidence.append("proposed from the collection: shared by 2+ papers")
                    chosen.append(reason)
        return chosen

    # -- topics -----------------------------------------------------------
    def topic_scores(self, paper: Paper) -> list[Reason]:
        """Every topic with a matching term, best first."""
        reasons: list[Reason] = []
        for topic in self.topics:
            found = _score(*self._matched(paper, topic.slug), topic.terms)
            if found:
                reasons.append(found[0])
        reasons.sort(key=lambda r: (-r.score, r.label))
        return reasons

    def _topics_for(self, paper: Paper) -> list[Reason]:
        return self._choose_topics(paper, self.topic_scores(paper))

    def _choose_topics(self, paper: Paper, reasons: list[Reason]) -> list[Reason]:
        scored = {r.label for r in reasons if r.score >= TOPIC_MIN_SCORE}
        chosen = [r for r in reasons if r.score >= TOPIC_MIN_SCORE and (
            r.score >= TOPIC_RELATIVE * reasons[0].score or self._parent(r.label) in scored)][:MOST_TOPICS_ASSIGNED]
        if not chosen:
            nearest = self._nearest_topic(paper)
            chosen = [nearest] if nearest is not None and nearest.score >= NEAREST_TOPIC_MIN_SIMILARITY else []
        return self._with_parents(chosen)

    def _parent(self, slug: str) -> str | None:
        topic = self.topic_by_slug.get(slug)
        return topic.parent if topic else None

    def _with_parents(self, chosen: list[Reason]) -> list[Reason]:
        out = list(chosen)
        for reason in chosen:
            parent = self._parent(reason.label)
            if parent and parent not in {r.label for r in out}:
                out.append(Reason(parent, reason.score, [f"parent of {reason.label}"]))
        return out

    def _nearest_topic(self, paper: Paper) -> Reason | None:
        """The topic whose confidently assigned papers read most like this one (TF-IDF centroid)."""
        if self._centroids is None:
            if self._members is None:
                self._members = _members([[(r.label, r.score) for r in self.topic_scores(p)] for p in self._corpus])
            self._centroids = _topic_centroids(self._corpus, self._members)
        vectorizer, slugs, matrix = self._centroids
        if not slugs:
            return None
        vector = vectorizer.transform([paper.title + ". " + paper.abstract])
        similarity = (matrix @ vector.T).toarray().ravel()
        best = int(similarity.argmax())
        if similarity[best] <= 0:
            return None
        return Reason(slugs[best], round(float(similarity[best]), 3),
                      [f"no topic term matched strongly; closest topic by text similarity "
                       f"({similarity[best]:.2f})"])


def _tag_phrases(tags: list[TagDef]) -> dict[str, str]:
    phrases = {}
    for tag in tags:
        phrases[tag.slug.replace("-", " ")] = tag.slug
        for alias in tag.aliases:
            phrases[alias] = tag.slug
    return phrases


# The Tagger's vocabularies besides the topics (named by their slugs, which hold no colon).
TAGS, PROPOSED = ":tags", ":proposed"


def _by_vocabulary(found: dict[tuple[str, str], Counter]) -> dict[str, dict[str, Counter]]:
    split: dict[str, dict[str, Counter]] = {}
    for (vocabulary, label), phrases in found.items():
        split.setdefault(vocabulary, {})[label] = phrases
    return split


def _score(in_title: dict[str, Counter], in_abstract: dict[str, Counter],
           weights: dict | None = None) -> list[Reason]:
    """Score labels: a title match counts TITLE_WEIGHT, abstract matches up to ABSTRACT_CAP."""
    if not in_title and not in_abstract:
        return []  # most topics, for most papers
    reasons = []
    for label in set(in_title) | set(in_abstract):
        score, evidence = 0.0, []
        phrases = set(in_title.get(label, {})) | set(in_abstract.get(label, {}))
        for phrase in sorted(phrases):
            weight = weights.get(phrase.lower(), weights.get(phrase, 1.0)) if weights else 1.0
            t = in_title.get(label, Counter())[phrase]
            a = min(in_abstract.get(label, Counter())[phrase], ABSTRACT_CAP)
            part = weight * (TITLE_WEIGHT * min(t, 1) + a)
            score += part
            where = ", ".join(x for x in (f"title x{t}" if t else "", f"abstract x{a}" if a else "") if x)
            evidence.append(f"'{phrase}' ({where}; weight {weight:g}) = {part:g}")
        reasons.append(Reason(label, round(score, 3), evidence))
    reasons.sort(key=lambda r: (-r.score, r.label))
    return reasons


PARALLEL_FROM = 2000  # papers to match; below this, forking workers costs more than it saves


def _match_chunk(shared: tuple[Tagger, list[list[Paper]]], index: int) -> tuple[int, list[tuple[list, list]]]:
    """One chunk's topic scores and tags as (label, score) pairs: evidence strings made the
    results cost as much to unpickle as to compute."""
    tagger, chunks = shared
    return index, [([(r.label, r.score) for r in tagger.topic_scores(p)],
                    [(r.label, r.score) for r in tagger._tags_for(p)]) for p in chunks[index]]


def _members(scores: list[list[tuple[str, float]]]) -> dict[str, list[int]]:
    """topic -> the rows whose score for it is confident (each row's scores best first)."""
    members: dict[str, list[int]] = {}
    for i, row in enumerate(scores):
        for label, score in row:
            if score < TOPIC_MIN_SCORE:
                break
            members.setdefault(label, []).append(i)
    return members


def _topic_centroids(corpus: list[Paper], members: dict[str, list[int]]) -> tuple[Any, list[str], Any]:
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    texts = [p.title + ". " + p.abstract for p in corpus]
    vectorizer: Any
    matrix: Any
    vectorizer, matrix = fit_tfidf(texts, stop_words="english", sublinear_tf=True, min_df=1) if texts else (None, None)
    if vectorizer is None:
        return None, [], None
    slugs = sorted(members)
    if not slugs:
        return vectorizer, [], None
    rows = [np.asarray(matrix[members[s]].mean(axis=0)) for s in slugs]
    return vectorizer, slugs, normalize(sp.csr_matrix(np.vstack(rows)))


# -- proposed tags --------------------------------------------------------------

def propose_tags(papers: list[Paper], vocabulary: list[TagDef], min_papers: int = 2,
                 max_share: float = 0.2) -> dict[str, str]:
    """Key phrases not in the vocabulary that a person would write: slug -> phrase.

    A candidate is a 2-3 word run, free of stopwords and vague words, that occurs in some
    paper's *title* (titles are where authors name their subject) and in `min_papers` or
    more papers in all, but not in so many that it says nothing.
    """
    known = PhraseMatcher(_tag_phrases(vocabulary))
    in_titles: dict[tuple, Counter] = {}
    for paper in papers:
        # Fragments of vocabulary phrases ('linear mode' of 'linear mode connectivity') are not tags.
        for gram, text in _phrases(known.mask(paper.title)):
            in_titles.setdefault(gram, Counter())[text] += 1
    first_words = {gram[0] for gram in in_titles}
    counts: Counter = Counter()
    for paper in papers:
        counts.update(set(_phrase_keys(paper.title + ". " + paper.abstract, first_words)) & in_titles.keys())
    limit = max(min_papers, int(max_share * len(papers)))
    proposed: dict[str, str] = {}
    taken: list[set] = []
    for gram, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        phrase = in_titles[gram].most_common(1)[0][0]
        if not min_papers <= n <= limit or known.find(phrase):
            continue
        if any(set(gram) <= other or other <= set(gram) for other in taken):
            continue  # a near-duplicate of a phrase already proposed ("gnn" beside "gnns")
        taken.append(set(gram))
        proposed[slugify(phrase)] = phrase
    return proposed


_PHRASE_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|[.,;:()!?]")


@lru_cache(maxsize=1 << 18)
def _phrase_word(word: str) -> str | None:
    """A word's folded form if it may be part of a proposed tag; None if it ends a run."""
    lower = word.lower()
    if not word[0].isalpha() or lower in PHRASE_STOPWORDS or lower in GENERIC or len(word) < 3 \
            or lower.endswith(("ly", "ing", "ed")) and lower not in ("embedding", "pooling", "learning"):
        return None
    return _fold(word)


def _runs(text: str):
    """The runs of words free of stopwords and vague words, as (words, folded words)."""
    words: list[str] = []
    folded: list[str] = []
    for word in _PHRASE_WORD.findall(text) + ["."]:
        key = _phrase_word(word)
        if key is not None:
            words.append(word)
            folded.append(key)
        elif words:
            yield words, folded
            words, folded = [], []


def _phrases(text: str):
    """(folded key, surface text) of every 2- and 3-word run free of stopwords and vague words."""
    for words, folded in _runs(text):
        for n in (2, 3):
            for i in range(len(words) - n + 1):
                key = tuple(folded[i:i + n])
                if not any("-" in w for w in key):
                    yield key, " ".join(w if w.isupper() else w.lower() for w in words[i:i + n])


def _phrase_keys(text: str, first_words: set[str]):
    """The folded keys of `_phrases(text)` that start with one of `first_words` (the others
    cannot be counted: counting every phrase of every abstract was most of the time)."""
    for _, folded in _runs(text):
        for n in (2, 3):
            for i in range(len(folded) - n + 1):
                if folded[i] in first_words:
                    key = tuple(folded[i:i + n])
                    if not any("-" in w for w in key):
                        yield key


# -- applying assignments ----------------------------------------------------------

def apply(paper: Paper, assignment: Assignment) -> bool:
    """Write the machine's topics and tags where a person has not set them. True if changed."""
    changed = paper.set_generated("topics", [r.label for r in assignment.topics])
    changed = paper.set_generated("tags", [r.label for r in assignment.tags]) or changed
    return changed


def assign_for_import(config: SiteConfig, papers: list[Paper], corpus: list[Paper],
                      keywords: dict[str, list[str]] | None = None) -> None:
    """Topics and tags for imported papers; a bibliography's keywords that name a vocabulary
    tag come first (they are the authors' or curator's own words)."""
    if not papers:
        return
    tagger = Tagger(config, corpus)
    assignments = tagger.assign_all(corpus, parallel=True)
    for paper in papers:
        assignment = assignments[paper.slug]
        given = keyword_tags((keywords or {}).get(paper.slug, []), tagger.tag_matcher)
        if given:
            chosen = [Reason(t, 10.0, ["keyword in the bibliography entry"]) for t in given]
            assignment.tags = (chosen + [r for r in assignment.tags if r.label not in given])[:MOST_TAGS_ASSIGNED]
        apply(paper, assignment)


def keyword_tags(keywords: list[str], matcher: PhraseMatcher) -> list[str]:
    """Vocabulary tags named by free-text keywords ('Graph Neural Networks' -> gnn); others are dropped."""
    tags: list[str] = []
    for keyword in keywords:
        for tag in matcher.find(keyword):
            if tag not in tags:
                tags.append(tag)
    return tags


# -- reports -------------------------------------------------------------------------

def explain(paper: Paper, assignment: Assignment) -> list[str]:
    """Lines saying why the paper has each of its topics and tags."""
    lines = [f"{paper.slug}: {paper.title}"]
    for name, current, reasons in (("topics", paper.topics, assignment.topics), ("tags", paper.tags, assignment.tags)):
        by_label = {r.label: r for r in reasons}
        owner = "litsite" if paper.owned_by_machine(name) else "a person (litsite will not change them)"
        lines.append(f"{name} (set by {owner}):")
        for label in current:
            reason = by_label.get(label)
            if reason is None:
                lines.append(f"  {label}: not suggested by the vocabulary; kept as set")
                continue
            lines.append(f"  {label}: score {reason.score:g}")
            lines += [f"    {e}" for e in reason.evidence]
        extra = [r for r in reasons if r.label not in current]
        if extra:
            lines.append("  suggested but not set: " + ", ".join(f"{r.label} ({r.score:g})" for r in extra))
    return lines


def stats(papers: list[Paper], config: SiteConfig) -> list[str]:
    per_paper = [len(p.tags) for p in papers] or [0]
    tag_counts = Counter(t for p in papers for t in p.tags)
    topic_counts = Counter(t for p in papers for t in p.topics)
    singletons = sorted(t for t, n in tag_counts.items() if n == 1)
    vocabulary = {t.slug for t in config.tags}
    outside = sorted(t for t in tag_counts if t not in vocabulary)
    lines = [
        f"papers: {len(papers)}",
        f"tags per paper: min {min(per_paper)}, median {statistics.median(per_paper):g}, max {max(per_paper)}",
        f"tags in use: {len(tag_counts)} (vocabulary {len(vocabulary)}; outside it: {', '.join(outside) or 'none'})",
    ]
    counts = sorted(tag_counts.values()) or [0]
    lines.append(f"papers per tag: min {counts[0]}, median {statistics.median(counts):g}, max {counts[-1]}")
    lines.append(f"singleton tags ({len(singletons)}): {', '.join(singletons) or 'none'}")
    lines.append("papers per topic:")
    for topic in config.topics:
        n = topic_counts.get(topic.slug, 0)
        share = 100 * n / max(len(papers), 1)
        lines.append(f"  {topic.slug:<40} {n:>5}  {share:5.1f}%")
    untopiced = sum(1 for p in papers if not p.topics)
    lines.append(f"papers without a topic: {untopiced}")
    return lines


def suggest_topics(papers: list[Paper], n_topics: int | None = None, seed: int = 0) -> str:
    """Candidate topics for a collection without a taxonomy, as YAML for site.yaml."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    if len(papers) < 4:
        return "# too few papers to suggest topics\n"
    k = n_topics or int(min(16, max(2, round((len(papers) / 2) ** 0.5))))
    k = min(k, len(papers))
    vectorizer, matrix = fit_tfidf([p.title + ". " + p.abstract for p in papers],
                                   stop_words=sorted(PHRASE_STOPWORDS | GENERIC | ENGLISH_STOP_WORDS), sublinear_tf=True,
                                   ngram_range=(1, 2), min_df=2 if len(papers) > 20 else 1, max_df=0.3)
    if vectorizer is None:
        return "# the papers have too few distinct words to suggest topics\n"
    model = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(matrix)
    terms = vectorizer.get_feature_names_out()
    topics = []
    for c in range(k):
        members = [i for i, label in enumerate(model.labels_) if label == c]
        top = [terms[i] for i in np.argsort(-model.cluster_centers_[c])[:8]]
        title = top[0].capitalize()
        topics.append({
            "slug": slugify(top[0]) or f"topic-{c + 1}",
            "title": title,
            "description": f"Papers about {', '.join(top[:3])} ({len(members)} papers). Edit me.",
            "terms": {t: 1 for t in top},
            "examples": [papers[i].title for i in members[:3]],
        })
    topics.sort(key=lambda t: -len(t["examples"]))
    header = ("# Candidate topics from clustering the collection (TF-IDF + k-means).\n"
              "# Review, rename and merge them, delete 'examples', then paste under 'topics:' in site.yaml.\n")
    return header + yaml.safe_dump({"topics": topics}, sort_keys=False, allow_unicode=True, width=100)

