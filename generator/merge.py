"""Records from any source -> papers: one paper per paper, a person's edits always kept.

A record joins an existing paper when their abstracts match (modulo whitespace, case and
punctuation) or when the paper already lists the record's source. Only fields litsite
itself owns (see `Paper.owned_by_machine`) are ever filled or changed.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from generator.content import Paper, Source
from generator.importers import Record
from generator.slugs import unique_slug

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_URL = re.compile(r"(?:https?://|www\.|(?<![\w./])(?:github\.com|gitlab\.com|gitee\.com)/)[^\s<>\"']+",
                  re.IGNORECASE)
_TRAILING = ".,;:!?'\"”’"
_CODE_HOSTS = ("github.com", "gitlab.com", "gitee.com", "bitbucket.org", "huggingface.co", "codeberg.org")
DERIVED_TITLE_MAX = 80


def abstract_key(text: str) -> str:
    """What makes two abstracts the same abstract: letters and digits, case-folded."""
    return _NOT_WORD.sub("", text.casefold())


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


@dataclass
class ImportPlan:
    """What an import will do; nothing is written until the caller writes `changed`."""

    added: list[Paper] = field(default_factory=list)
    updated: list[Paper] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)

    @property
    def changed(self) -> list[Paper]:
        return self.added + self.updated

    def derived_titles(self) -> list[Paper]:
        return [p for p in self.added + self.updated if p.title_is_derived]


def plan_import(records: list[Record], existing: list[Paper], today: dt.date) -> ImportPlan:
    """Merge `records` into `existing` papers (which are modified in place when they change)."""
    by_key = {abstract_key(p.abstract): p for p in existing if p.abstract}
    by_source = {(s.file, s.line, s.key): p for p in existing for s in p.sources}
    taken = {p.slug for p in existing}
    plan = ImportPlan()
    touched: dict[int, Paper] = {}
    new_ids: set[int] = set()
    for group in _group(records):
        paper = _find(group, by_key, by_source)
        if paper is None:
            paper = _new_paper(group, taken, today)
            taken.add(paper.slug)
            new_ids.add(id(paper))
            plan.added.append(paper)
            by_key[abstract_key(paper.abstract)] = paper
        elif _merge(paper, group, plan.conflicts):
            touched[id(paper)] = paper
        for record in group:
            by_source[(record.file, record.line, record.key)] = paper
    plan.updated = [p for i, p in touched.items() if i not in new_ids]
    plan.unchanged = len(existing) - len(plan.updated)
    return plan


def _group(records: list[Record]) -> list[list[Record]]:
    groups: dict[str, list[Record]] = {}
    for record in records:
        groups.setdefault(abstract_key(record.abstract) or f"title:{record.title}", []).append(record)
    return list(groups.values())


def _find(group, by_key, by_source) -> Paper | None:
    for record in group:
        paper = by_key.get(abstract_key(record.abstract)) or by_source.get((record.file, record.line, record.key))
        if paper is not None:
            return paper
    return None


def _new_paper(group: list[Record], taken: set[str], today: dt.date) -> Paper:
    first = group[0]
    titled = next((r for r in group if r.title), None)
    title = titled.title if titled else derive_title(first.abstract)
    paper = Paper(
        slug=unique_slug(title, taken, fallback_seed=abstract_key(first.abstract) or title),
        title="",
        title_source="dump" if titled else "derived",
        sources=_sources(group),
        added=today,
    )
    paper.set_generated("title", title)
    paper.set_generated("abstract", first.abstract)
    paper.set_generated("links", extract_links(first.abstract))
    return paper


def _sources(group: list[Record]) -> list[Source]:
    out: list[Source] = []
    for record in group:
        source = Source(record.file, record.line, record.key)
        if source not in out:
            out.append(source)
    return out


def _merge(paper: Paper, group: list[Record], conflicts: list[str]) -> bool:
    changed = False
    for source in _sources(group):
        if source not in paper.sources:
            paper.sources.append(source)
            changed = True
    titled = next((r for r in group if r.title), None)
    if titled and paper.title_is_derived:
        if paper.owned_by_machine("title"):
            paper.set_generated("title", titled.title)
            paper.title_source = "dump"
            changed = True
        else:
            conflicts.append(f"{paper.slug}: kept the title a person set; {titled.file}:{titled.line} "
                             f"says '{titled.title}'")
    merged_links = _union_links(paper.links, extract_links(" ".join(r.abstract for r in group)))
    if merged_links != paper.links and paper.owned_by_machine("links"):
        changed = paper.set_generated("links", merged_links) or changed
    return changed


def _union_links(current: dict, extra: dict) -> dict:
    out = {k: list([v] if isinstance(v, str) else v) for k, v in current.items()}
    for kind, value in extra.items():
        for url in [value] if isinstance(value, str) else value:
            if url not in out.setdefault(kind, []):
                out[kind].append(url)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}
