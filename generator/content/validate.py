"""Validation of a paper file: every problem, each at its key's line and column."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.content.frontmatter import key_lines, load_yaml, split_front_matter
from generator.content.paper import (
    FIELD_ORDER,
    LINK_KINDS,
    MAX_TAGS,
    MAX_TOPICS,
    REQUIRED,
    TITLE_SOURCES,
    Paper,
    Source,
)
from generator.content.slugs import is_safe_slug
from generator.errors import InputError, Problem
from generator.files import ReadRules


def read_paper(path: Path, text: str | None = None, rules: ReadRules = ReadRules()) -> Paper:
    """Read and validate one paper file; raise InputError listing every problem."""
    paper, problems = check_paper_file(path, text, rules)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    assert paper is not None
    return paper


def check_paper_file(path: Path, text: str | None = None,
                     rules: ReadRules = ReadRules()) -> tuple[Paper | None, list[Problem]]:
    """Parse and validate; return the paper (None when unusable) and all problems found.

    The file must be a plain one inside the project and within the size cap (`rules`); its
    text is taken in NFC, so the same title typed in NFC or NFD is one paper."""
    name = str(path)
    try:
        text = rules.read_text(path) if text is None else unicodedata.normalize("NFC", text)
    except InputError as exc:
        return None, exc.problems
    try:
        yaml_text, body, first_line = split_front_matter(text, name)
        data = load_yaml(yaml_text, name, first_line)
    except InputError as exc:
        return None, exc.problems
    if not isinstance(data, dict):
        return None, [Problem("the front matter must be a mapping of 'key: value' lines", name, first_line, 1)]
    slug = path.stem
    problems = validate_fields(data, slug, name)
    if problems:
        lines = key_lines(yaml_text, first_line)
        problems = [_place(p, lines, first_line) for p in problems]
    if any(p.severity == "error" for p in problems):
        return None, problems
    return paper_from_dict(data, slug, body, path), problems


def _place(problem: Problem, lines: dict[str, tuple[int, int]], first_line: int) -> Problem:
    where = lines.get(problem.line_key) if isinstance(problem, _KeyedProblem) else None
    if where is None and isinstance(problem, _KeyedProblem):
        where = lines.get(problem.line_key.split("[")[0].split(".")[0], (first_line, 1))
    if where is None:
        return problem
    return Problem(problem.message, problem.path, where[0], where[1], problem.hint, problem.severity)


@dataclass(frozen=True)
class _KeyedProblem(Problem):
    line_key: str = ""


def _problem(name: str, key: str, message: str, hint: str | None = None, severity: str = "error") -> Problem:
    return _KeyedProblem(message=message, path=name, hint=hint, severity=severity, line_key=key)


# -- validation --------------------------------------------------------------

_TAG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
URL_PATTERN = _URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$|^10/[A-Za-z0-9]+$")  # the second: a shortDOI (doi.org/10/abcd)
ARXIV_PATTERN = re.compile(r"^(\d{4}\.\d{4,5}|[a-z\-]+(\.[A-Z]{2})?/\d{7})(v\d+)?$")


def validate_fields(data: dict, slug: str, name: str) -> list[Problem]:
    problems: list[Problem] = []
    for key in data:
        if not isinstance(key, str) or key not in FIELD_ORDER:
            guess = difflib.get_close_matches(str(key), FIELD_ORDER, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"known keys: {', '.join(FIELD_ORDER)}"
            problems.append(_problem(name, str(key), f"unknown key '{key}'", hint))
    if not is_safe_slug(slug):
        problems.append(Problem(f"file name '{slug}.md' is not a valid slug", name, 1, 1,
                                "use lowercase ASCII letters, digits and single hyphens"))
    for key in REQUIRED:
        if key not in data or data[key] in (None, ""):
            problems.append(_problem(name, key, f"missing required field '{key}'", "every paper needs a title"))
    problems += _check_types(data, name)
    return problems


def _check_types(data: dict, name: str) -> list[Problem]:
    problems = []
    for key in ("title", "abstract", "venue", "doi", "arxiv", "title_source"):
        if key in data and data[key] is not None and not isinstance(data[key], str):
            problems.append(_problem(name, key, f"'{key}' must be text, not {_kind(data[key])}",
                                     "put the value in quotes"))
    if isinstance(data.get("title_source"), str) and data["title_source"] not in TITLE_SOURCES:
        problems.append(_problem(name, "title_source", f"title_source '{data['title_source']}' is not one of "
                                 f"{', '.join(TITLE_SOURCES)}"))
    if "year" in data and data["year"] is not None and (not isinstance(data["year"], int) or isinstance(data["year"], bool)
                                                      or not 1000 <= data["year"] <= 2999):
        problems.append(_problem(name, "year", f"'year' must be a four-digit year, not {data['year']!r}"))
    if "added" in data and data["added"] is not None and not isinstance(data["added"], dt.date):
        problems.append(_problem(name, "added", f"'added' must be a date like 2024-03-11, not {data['added']!r}"))
    problems += _check_string_list(data, "tags", name, MAX_TAGS, _TAG, "tags are lowercase words joined by hyphens")
    problems += _check_string_list(data, "topics", name, MAX_TOPICS, _TAG, "topics are slugs from site.yaml")
    problems += _check_string_list(data, "authors", name, 500, None, None)
    problems += _check_string_list(data, "locked", name, len(FIELD_ORDER), None, None)
    problems += _check_links(data.get("links"), name)
    problems += _check_sources(data.get("sources"), name)
    problems += _check_identifiers(data, name)
    if "generated" in data and not (data["generated"] is None or isinstance(data["generated"], dict)):
        problems.append(_problem(name, "generated", "'generated' must be a mapping (litsite maintains it)"))
    return problems


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", bool: "true/false", int: "a number", float: "a number",
            str: "text", dt.date: "a date"}.get(
        type(value), type(value).__name__)


def _check_string_list(data, key, name, limit, pattern, hint) -> list[Problem]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        return [_problem(name, key, f"'{key}' must be a list like [a, b], not {_kind(value)}")]
    if len(value) > limit:
        return [_problem(name, key, f"'{key}' has {len(value)} entries; at most {limit} are allowed")]
    problems = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            problems.append(_problem(name, f"{key}[{i}]", f"'{key}' entry {i + 1} must be non-empty text"))
        elif pattern is not None and not pattern.match(item):
            problems.append(_problem(name, f"{key}[{i}]", f"'{key}' entry '{item}' is not a valid slug", hint))
    return problems


def _check_links(links, name) -> list[Problem]:
    if links is None:
        return []
    if not isinstance(links, dict):
        return [_problem(name, "links", "'links' must be a mapping like 'code: https://...'")]
    problems = []
    for kind, value in links.items():
        if kind not in LINK_KINDS:
            guess = difflib.get_close_matches(str(kind), LINK_KINDS, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"known kinds: {', '.join(LINK_KINDS)}"
            problems.append(_problem(name, f"links.{kind}", f"unknown link kind '{kind}'", hint))
        for url in [value] if isinstance(value, str) else value if isinstance(value, list) else [value]:
            if not isinstance(url, str) or not _URL.match(url):
                problems.append(_problem(name, f"links.{kind}", f"link '{kind}' is not a valid http(s) URL: {url!r}",
                                         "write the full URL, starting with https://"))
    return problems


def _check_sources(sources, name) -> list[Problem]:
    if sources is None:
        return []
    if not isinstance(sources, list):
        return [_problem(name, "sources", "'sources' must be a list of {file, line} entries")]
    problems = []
    for i, item in enumerate(sources):
        if not isinstance(item, dict) or not isinstance(item.get("file"), str):
            problems.append(_problem(name, f"sources[{i}]", f"source {i + 1} needs a 'file'"))
        elif "line" in item and not isinstance(item["line"], int):
            problems.append(_problem(name, f"sources[{i}]", f"source {i + 1}: 'line' must be a number"))
    return problems


def _check_identifiers(data, name) -> list[Problem]:
    problems = []
    doi, arxiv = data.get("doi"), data.get("arxiv")
    if isinstance(doi, str) and doi and not DOI_PATTERN.match(doi):
        problems.append(_problem(name, "doi", f"'{doi}' is not a DOI", "a DOI looks like 10.1234/abc.567"))
    if isinstance(arxiv, str) and arxiv and not ARXIV_PATTERN.match(arxiv):
        problems.append(_problem(name, "arxiv", f"'{arxiv}' is not an arXiv id", "an arXiv id looks like 2101.01234"))
    return problems


def paper_from_dict(data: dict, slug: str, body: str, path: Path | None) -> Paper:
    return Paper(
        slug=slug,
        title=str(data["title"]),
        abstract=data.get("abstract") or "",
        title_source=data.get("title_source") or "person",
        authors=list(data.get("authors") or []),
        year=data.get("year"),
        venue=data.get("venue") or "",
        doi=data.get("doi") or "",
        arxiv=data.get("arxiv") or "",
        tags=list(data.get("tags") or []),
        topics=list(data.get("topics") or []),
        links=dict(data.get("links") or {}),
        sources=[Source(s["file"], s.get("line"), s.get("key")) for s in data.get("sources") or []],
        added=data.get("added"),
        locked=list(data.get("locked") or []),
        generated={str(k): str(v) for k, v in (data.get("generated") or {}).items()},
        notes=body,
        path=path,
    )
