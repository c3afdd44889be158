"""Records from any source -> papers: one paper per paper, a person's edits always kept.

A record joins an existing paper when their abstracts match (modulo whitespace, case and
punctuation) or when the paper already lists the record's source. Only fields litsite
itself owns (see `Paper.owned_by_machine`) are ever filled or changed.
"""
from __future__ import annotations

import datetime as dt
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import PurePath

from generator.content.identity import abstract_key, evidence_key, title_key
from generator.content.paper import Paper, Source
from generator.content.slugs import unique_slug
from generator.content.tex import plain_text
from generator.sources.records import Record
from generator.workers import ForkedJobs, fork_workers

_URL = re.compile(r"(?:https?://|www\.|(?<![\w./])(?:github\.com|gitlab\.com|gitee\.com)/)[^\s<>\"']+",
                  re.IGNORECASE)
_URL_STARTS = ("http", "www.", "github.com/", "gitlab.com/", "gitee.com/")  # what every _URL match holds
_TRAILING = ".,;:!?'\"”’"
_CODE_HOSTS = ("github.com", "gitlab.com", "gitee.com", "bitbucket.org", "huggingface.co", "codeberg.org")
DERIVED_TITLE_MAX = 80


def derive_title(abstract: str) -> str:
    """A provisional title: the abstract's first sentence, cut at a word boundary."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", abstract.strip(), maxsplit=1)[0].rstrip(" .")
    if len(sentence) <= DERIVED_TITLE_MAX:
        return sentence or "Untitled paper"
    cut = sentence[: DERIVED_TITLE_MAX + 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut[:DERIVED_TITLE_MAX]
    return cut.rstrip(" ,;:-—") + "…"


def extract_links(text: str) -> dict[str, str | list[str]]:
    """URLs mentioned in an abstract, by kind, trailing sentence punctuation removed."""
    found: dict[str, list[str]] = {}
    lower = text.lower()  # most abstracts hold no URL; these tests are 30 times faster than _URL's
    if not any(start in lower for start in _URL_STARTS):
        return {}
    for match in _URL.finditer(text):
        url = _clean_url(match.group(0))
        if not url:
            continue
        kind = _link_kind(url)
        if url not in found.setdefault(kind, []):
            found[kind].append(url)
    return {kind: urls[0] if len(urls) == 1 else urls for kind, urls in found.items()}


def _clean_url(url: str) -> str:
    while url and (url[-1] in _TRAILING or (url[-1] in ")]}" and _unbalanced(url))):
        url = url[:-1]
    if not url.lower().startswith(("http://", "https://")):
        url = "https://" + url
    host = url.split("/")[2] if url.count("/") >= 2 else ""
    return url if "." in host else ""


def _unbalanced(url: str) -> bool:
    closer = url[-1]
    opener = {")": "(", "]": "[", "}": "{"}[closer]
    return url.count(closer) > url.count(opener)


def _link_kind(url: str) -> str:
    host = url.split("/")[2].lower().removeprefix("www.")
    if host in _CODE_HOSTS:
        return "code"
    if host.endswith("arxiv.org"):
        return "arxiv"
    if host in ("doi.org", "dx.doi.org"):
        return "doi"
    if url.lower().endswith(".pdf"):
        return "pdf"
    return "project"


IDENTITY_FIELDS = ("authors", "year", "venue", "doi", "arxiv")
MIN_TITLE_KEY = 10  # '???' or an emoji title says nothing about which paper it is
NEAR_IDENTICAL = 0.93  # share of an abstract two records must have in common to be one paper


def source_kind(file: str) -> str:
    return {".bib": "bibtex", ".json": "csl", ".ris": "ris", ".md": "markdown",
            ".markdown": "markdown"}.get(PurePath(file).suffix.lower(), "dump")


@dataclass
class ImportPlan:
    """What an import will do; nothing is written until the caller writes `changed`."""

    added: list[Paper] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    merges: list[str] = field(default_factory=list)  # "slug: what was filled"
    possible_duplicates: list[str] = field(default_factory=list)  # lookalikes not merged, for a person
    keywords: dict[str, list[str]] = field(default_factory=dict)  # slug -> keywords its records gave
    # source file -> what became of its records: "new" (made a paper), "merged" (joined one made
    # by another record or filled a known paper), "unchanged" (a known paper, nothing new)
    by_file: dict[str, Counter] = field(default_factory=dict)

    def count(self, records: list[Record], outcome: str) -> None:
        for record in records:
            self.by_file.setdefault(record.file, Counter())[outcome] += 1

    @property
    def changed(self) -> list[Paper]:
        return self.added + self.updated

    def derived_titles(self) -> list[Paper]:
        return [p for p in self.added + self.updated if p.title_is_derived]


class _Catalogue:
    """Every way a record can name a paper already known: DOI, arXiv id, source, abstract, title."""

    def __init__(self, papers: list[Paper], shingles_ahead: dict[tuple[str, bool], frozenset[int]] | None = None):
        self._ahead = shingles_ahead or {}  # (abstract, asking) -> its shingles, from _shingles_ahead
        self.by_doi: dict[str, Paper] = {}
        self.by_arxiv: dict[str, Paper] = {}
        self.by_source: dict[tuple, Paper | None] = {}
        self.by_line: dict[tuple, Paper] = {}  # (file, line): how an entry with a reused key is known
        self.by_abstract: dict[str, Paper] = {}
        self.by_title: dict[str, list[Paper]] = {}
        # Built on the first record that needs it (a re-import, where DOIs match, never does);
        # until then the papers wait in _unshingled.
        self.by_shingle: dict[int, list[Paper]] | None = None
        self._unshingled: list[Paper] = []
        self._shingled: dict[int, str] = {}  # id(paper) -> the abstract its shingles are of
        self.lookalikes: list[tuple[Record, Paper]] = []  # near matches not taken as the same paper
        for paper in papers:
            self.add(paper)

    def add(self, paper: Paper) -> None:
        if paper.doi:
            self.by_doi.setdefault(paper.doi.lower(), paper)
        if paper.arxiv:
            self.by_arxiv.setdefault(paper.arxiv, paper)
        for source in paper.sources:
            source_id = _source_id(source.file, source.line, source.key)
            if self.by_source.setdefault(source_id, paper) is not paper:
                self.by_source[source_id] = None  # a key two papers claim (a duplicate key) names neither
            if source.line:
                self.by_line.setdefault((source.file, source.line), paper)
        key = evidence_key(paper.abstract)
        if key:
            self.by_abstract.setdefault(key, paper)
            if self.by_shingle is None:
                self._unshingled.append(paper)
            else:
                self._shingle(paper, key)
        if paper.title and not paper.title_is_derived and len(title_key(paper.title)) >= MIN_TITLE_KEY:
            self.by_title.setdefault(title_key(paper.title), []).append(paper)

    def find(self, record: Record) -> Paper | None:
        """The known paper `record` describes, by the strongest evidence first: DOI, arXiv id,
        source entry, abstract, title and year. A different DOI vetoes every weaker match."""
        if record.doi and record.doi.lower() in self.by_doi:
            return self.by_doi[record.doi.lower()]
        for candidate in self._weaker_matches(record):
            if candidate is not None and not _dois_differ(record.doi, candidate.doi):
                return candidate
        return None

    def _weaker_matches(self, record: Record) -> Iterator[Paper | None]:
        yield self.by_arxiv.get(record.arxiv) if record.arxiv else None
        # An entry whose key an earlier entry of its file already used is known by its line.
        yield self.by_line.get((record.file, record.line)) if record.duplicate_key \
            else self.by_source.get(_source_id(record.file, record.line, record.key))
        key = evidence_key(record.abstract)
        if key and key in self.by_abstract:
            yield self.by_abstract[key]
        for paper in self._near_abstracts(record, key) if key else ():
            if _agree(record, paper):
                yield paper
            elif (record, paper) not in self.lookalikes:
                # Near-identical abstracts, but another title or year: not certain enough to
                # merge (a template abstract, a paper and its erratum): the person decides.
                self.lookalikes.append((record, paper))
        if record.title:
            for paper in self.by_title.get(title_key(record.title), []):
                if record.year and paper.year and record.year != paper.year:
                    continue
                if record.abstract and paper.abstract and not _same_subject(record.abstract, paper.abstract):
                    continue  # two papers that share a generic title ("Continual Learning")
                yield paper


    def _shingle(self, paper: Paper, key: str) -> None:
        assert self.by_shingle is not None
        if self._shingled.get(id(paper)) == paper.abstract:
            return  # added again after a merge that left its abstract as it was
        self._shingled[id(paper)] = paper.abstract
        for shingle in self._shingles(paper.abstract, key):
            self.by_shingle.setdefault(shingle, []).append(paper)

    def _near_abstracts(self, record: Record, key: str) -> list[Paper]:
        """Known papers whose abstract is near-identical to the record's: candidates share a
        shingle (a posting list longer than MAX_SHINGLE_PAPERS is boilerplate and skipped), then
        each candidate is compared in full. No pair is compared unless it shares a shingle."""
        if self.by_shingle is None:
            self.by_shingle = {}
            for paper in self._unshingled:
                self._shingle(paper, evidence_key(paper.abstract))
            self._unshingled = []
        candidates: dict[int, Paper] = {}
        for shingle in self._shingles(record.abstract, key, asking=True):
            papers = self.by_shingle.get(shingle, [])
            if len(papers) <= MAX_SHINGLE_PAPERS:
                candidates.update((id(p), p) for p in papers)
        return [p for p in candidates.values() if _near(record.abstract, p.abstract)]

    def _shingles(self, abstract: str, key: str, asking: bool = False) -> frozenset[int]:
        found = self._ahead.get((abstract, asking))
        return found if found is not None else _shingles(abstract, key, asking)


PARALLEL_FROM = 2000  # new abstracts; below this, forking workers costs more than it saves


def _shingles_ahead(records: list[Record], existing: list[Paper]) -> dict[tuple[str, bool], frozenset[int]]:
    """The shingles of every abstract a large import will look up, made by forked workers
    first: the merge itself is serial (each record is matched against the papers made before
    it), and finding shingles was 0.75 of its 1.8 s at 10,000 new papers. Records whose DOI is
    known are skipped: they match by DOI and never ask (a re-import). A shingle is a Python hash,
    the same in a forked worker (which inherits this process's hash seed)."""
    known = {p.doi.lower() for p in existing if p.doi}
    texts = list(dict.fromkeys(r.abstract for r in records
                               if not (r.doi and r.doi.lower() in known) and evidence_key(r.abstract)))
    workers = fork_workers(True, len(texts), PARALLEL_FROM)
    if not workers:
        return {}
    step = -(-len(texts) // (workers * 2))
    chunks = [texts[i:i + step] for i in range(0, len(texts), step)]
    with ForkedJobs(_shingle_chunk, chunks, list(range(len(chunks))), workers) as jobs:
        found = dict(jobs.results())
    ahead: dict[tuple[str, bool], frozenset[int]] = {}
    for index, chunk in enumerate(chunks):
        for text, (asking, indexed) in zip(chunk, found[index], strict=True):
            ahead[(text, True)], ahead[(text, False)] = asking, indexed
    return ahead


def _shingle_chunk(chunks: list[list[str]], index: int) -> tuple[int, list[tuple[frozenset[int], frozenset[int]]]]:
    return index, [(_shingles(text, key, asking=True), _shingles(text, key))
                   for text in chunks[index] for key in (evidence_key(text),)]


def _agree(record: Record, paper: Paper) -> bool:
    same_title = not record.title or paper.title_is_derived or title_key(record.title) == title_key(paper.title)
    return same_title and not (record.year and paper.year and record.year != paper.year)


def _dois_differ(a: str, b: str) -> bool:
    return bool(a and b and a.lower() != b.lower())


def _source_id(file: str, line: int | None, key: str | None) -> tuple:
    # A bibliography entry is known by its key (lines move when the file is edited).
    return (file, "key", key) if key else (file, "line", line)


# Near-identical abstracts are found through shingles: runs of SHINGLE_WORDS words that start at
# an anchor, a word picked by its own hash (about one word in ANCHOR_EVERY). Anchors depend on
# the words only, not on their positions, so text added or cut at either end (an "Abstract:"
# label, a copyright line) leaves every other shingle as it was; an edit breaks only the
# shingles that cover it. tests/test_import.py checks this index finds every pair that comparing
# all pairs finds, on real abstracts edited at the start, the end, both and the middle.
SHINGLE_WORDS = 8
ANCHOR_EVERY = 6
SHORT_TEXT_WORDS, SHORT_RUN = 60, 3
MAX_SHINGLE_PAPERS = 20  # a shingle shared by more papers is boilerplate, not evidence
_WORD = re.compile(r"\w+")


def _shingles(abstract: str, key: str, asking: bool = False) -> frozenset[int]:
    """An abstract's shingles: anchored runs of SHINGLE_WORDS words; a short text (few anchors,
    and an edit in it may break them all) also gives every run of SHORT_RUN words, and so does
    a record `asking` for a text up to twice that length, so the two kinds meet at the border.
    A shingle is the hash of its words (a collision only adds a candidate, compared in full)."""
    words = _words(abstract)
    found = _anchored_runs(words)
    if len(words) < (2 if asking else 1) * SHORT_TEXT_WORDS:
        found |= frozenset(hash(words[i:i + SHORT_RUN]) for i in range(len(words) - SHORT_RUN + 1))
    return found or frozenset({hash(key)})  # a text shorter than one run is known by all of it


@lru_cache(maxsize=1 << 12)  # a record asks with its shingles, then the paper it makes is indexed by them
def _anchored_runs(words: tuple[str, ...]) -> frozenset[int]:
    anchors = _ANCHORS
    for word in set(words).difference(anchors):
        anchors[word] = zlib.crc32(word.encode("utf-8")) % ANCHOR_EVERY == 0
    return frozenset(hash(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)
                     if anchors[words[i]])


_ANCHORS: dict[str, bool] = {}  # word -> whether it starts a shingle (zlib.crc32: the same in every run)


def _same_subject(a: str, b: str) -> bool:
    """Two versions of one abstract share most words; two papers with one title do not."""
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    return len(words_a & words_b) / max(len(words_a | words_b), 1) >= 0.3


def _near(a: str, b: str) -> bool:
    """Two abstracts that are one text, a few words apart. Compared as sequences of words: as
    sequences of letters every two English texts have nearly the same letters (quick_ratio
    rules nothing out) and one comparison took ~30 ms; by words it is ~50 times faster."""
    matcher = SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    return matcher.real_quick_ratio() >= NEAR_IDENTICAL and matcher.quick_ratio() >= NEAR_IDENTICAL \
        and matcher.ratio() >= NEAR_IDENTICAL


@lru_cache(maxsize=1 << 12)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def plan_import(records: list[Record], existing: list[Paper], today: dt.date) -> ImportPlan:
    """Merge `records` into `existing` papers (which are modified in place when they change)."""
    catalogue = _Catalogue(existing, _shingles_ahead(records, existing))
    taken = {p.slug for p in existing}
    folded = {slug.lower() for slug in taken}
    plan = ImportPlan()
    touched: dict[int, Paper] = {}
    new_ids: set[int] = set()
    for group in _group(records):
        paper = next((p for p in map(catalogue.find, group) if p is not None), None)
        if paper is None:
            paper = _new_paper(group, taken, folded, today)
            taken.add(paper.slug)
            folded.add(paper.slug.lower())
            new_ids.add(id(paper))
            plan.added.append(paper)
            plan.count(group[:1], "new")
            plan.count(group[1:], "merged")
            if len(group) > 1:
                plan.merges.append(f"{paper.slug}: {len(group)} entries are one paper ({_evidence(group)}): "
                                   + ", ".join(f"{r.file}:{r.line}" for r in group))
        elif _merge(paper, group, plan):
            touched[id(paper)] = paper
            plan.count(group, "merged")
        elif id(paper) in new_ids:  # joined a paper this import made, adding nothing new: still say so
            plan.merges.append(f"{paper.slug}: joined by " + ", ".join(f"{r.file}:{r.line}" for r in group))
            plan.count(group, "merged")
        else:
            plan.count(group, "unchanged")
        catalogue.add(paper)
        keywords = [k for r in group for k in r.keywords]
        if keywords:
            plan.keywords[paper.slug] = keywords
    plan.possible_duplicates = [f"{r.file}:{r.line} ({r.title or 'untitled'}) looks like content/papers/{p.slug}.md "
                                f"(near-identical abstract, another title or year): imported as a paper of its own"
                                for r, p in catalogue.lookalikes]
    plan.updated = [p for i, p in touched.items() if i not in new_ids]
    plan.unchanged = len(existing) - len(plan.updated)
    return plan


def _group(records: list[Record]) -> list[list[Record]]:
    """Records of this import that are one paper: the same substantive abstract, or (without
    one) the same title and year; never two different DOIs or arXiv ids in one group."""
    groups: dict[str, list[list[Record]]] = {}
    for record in records:
        key = evidence_key(record.abstract) or f"title:{title_key(record.title or '')}:{record.year}:{record.abstract}"
        if key.startswith("title::"):  # neither title nor abstract to tell it by: a paper of its own
            key += f"{record.file}:{record.line}"
        candidates = groups.setdefault(key, [])
        home = next((g for g in candidates if not _conflicts(record, g)), None)
        if home is None:
            candidates.append([record])
        else:
            home.append(record)
    return [g for gs in groups.values() for g in gs]


def _conflicts(record: Record, group: list[Record]) -> bool:
    return any(_dois_differ(record.doi, r.doi) or (record.arxiv and r.arxiv and record.arxiv != r.arxiv)
               for r in group)


def _evidence(group: list[Record]) -> str:
    if len({r.doi.lower() for r in group if r.doi}) == 1 and all(r.doi for r in group):
        return "the same DOI"
    if evidence_key(group[0].abstract):
        return "the same abstract"
    return "the same title and year"


def _first(group: list[Record], name: str):
    return next((getattr(r, name) for r in group if getattr(r, name)), None)


def _new_paper(group: list[Record], taken: set[str], folded: set[str], today: dt.date) -> Paper:
    titled = next((r for r in group if r.title), None)
    abstract = _first(group, "abstract") or ""
    title = (titled.title if titled else None) or derive_title(abstract)
    paper = Paper(
        slug=unique_slug(plain_text(title), taken, fallback_seed=abstract_key(abstract) or title, folded=folded),
        title="",
        title_source=source_kind(titled.file) if titled else "derived",
        sources=_sources(group),
        added=today,
    )
    paper.set_generated("title", title)
    paper.set_generated("abstract", abstract)
    links = extract_links(abstract)
    for record in group:
        links = _union_links(links, record.links)
    paper.set_generated("links", links)
    for name in IDENTITY_FIELDS:
        value = _first(group, name)
        if value:
            paper.set_generated(name, value)
    return paper


def _sources(group: list[Record]) -> list[Source]:
    out: list[Source] = []
    for record in group:
        source = Source(record.file, record.line, record.key)
        if source not in out:
            out.append(source)
    return out


def _merge(paper: Paper, group: list[Record], plan: ImportPlan) -> bool:
    filled: list[str] = []
    for source in _sources(group):
        known = {_source_id(s.file, s.line, s.key) for s in paper.sources}
        if _source_id(source.file, source.line, source.key) not in known:
            paper.sources.append(source)
            filled.append(f"source {source.file}:{source.line}")
    titled = next((r for r in group if r.title), None)
    if titled:
        _merge_title(paper, titled, plan, filled)
    abstract = _first(group, "abstract")
    if abstract and not paper.abstract and paper.set_generated("abstract", abstract):
        filled.append("abstract")
    for name in IDENTITY_FIELDS:
        value = _first(group, name)
        current = getattr(paper, name)
        if not value or value == current:
            continue
        if current in ("", None, []):
            if paper.set_generated(name, value):
                filled.append(name)
        elif not paper.owned_by_machine(name):
            plan.conflicts.append(f"{paper.slug}: kept the {name} a person set ({current!r}); "
                                  f"{_where(group, name)} says {value!r}")
    extra = extract_links(" ".join(r.abstract for r in group))
    for record in group:
        extra = _union_links(extra, record.links)
    merged_links = _union_links(paper.links, extra)
    if merged_links != paper.links and paper.owned_by_machine("links") and paper.set_generated("links", merged_links):
        filled.append("links")
    if filled:
        plan.merges.append(f"{paper.slug}: joined an existing paper, filled " + ", ".join(filled))
    return bool(filled)


def _merge_title(paper: Paper, record: Record, plan: ImportPlan, filled: list[str]) -> None:
    if paper.title_is_derived and paper.owned_by_machine("title"):
        paper.set_generated("title", record.title)
        paper.title_source = source_kind(record.file)
        filled.append("title (was derived)")
    elif not paper.owned_by_machine("title") and title_key(record.title or "") != title_key(paper.title):
        plan.conflicts.append(f"{paper.slug}: kept the title a person set; {record.file}:{record.line} "
                              f"says '{record.title}'")


def _where(group: list[Record], name: str) -> str:
    record = next(r for r in group if getattr(r, name))
    return f"{record.file}:{record.line}"


def _union_links(current: dict, extra: dict) -> dict:
    out = {k: list([v] if isinstance(v, str) else v) for k, v in current.items()}
    for kind, value in extra.items():
        for url in [value] if isinstance(value, str) else value:
            if url not in out.setdefault(kind, []):
                out[kind].append(url)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}
