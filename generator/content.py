"""The paper file: YAML front matter + a Markdown body of contributor notes.

`read_paper` turns a file into a typed `Paper` (or reports every problem with file:line:col);
`render_paper_file` turns a `Paper` back into text. Writing then reading gives the same Paper.

Who owns a value: litsite records a fingerprint of every value it writes under `generated`.
When the value in the file no longer matches its fingerprint, a person edited it, and no
import or retag will touch it again. `locked` pins a value explicitly.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import multiprocessing as mp
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import InputError, Problem
from generator.slugs import is_safe_slug
from generator.workers import fork_workers

try:  # libyaml is ~15x faster; the PyPI wheels ship it, a source build may not.
    _Loader = yaml.CSafeLoader
    _Dumper = yaml.CSafeDumper
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader
    _Dumper = yaml.SafeDumper

MAX_FRONT_MATTER_BYTES = 256 * 1024
MAX_TAGS = 50
MAX_TOPICS = 10
TITLE_SOURCES = ("dump", "derived", "bibtex", "csl", "person")
LINK_KINDS = ("code", "project", "pdf", "arxiv", "doi", "video", "data", "slides", "other")
OWNED_FIELDS = ("title", "abstract", "tags", "topics", "links", "authors", "year", "venue", "doi", "arxiv")
FIELD_ORDER = (
    "title", "title_source", "abstract", "authors", "year", "venue", "doi", "arxiv",
    "tags", "topics", "links", "sources", "added", "locked", "generated",
)
REQUIRED = ("title",)


@dataclass
class Source:
    """Where a record came from: a dump file and line, or a bibliography entry key."""

    file: str
    line: int | None = None
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file}
        if self.line is not None:
            out["line"] = self.line
        if self.key is not None:
            out["key"] = self.key
        return out


@dataclass
class Paper:
    slug: str
    title: str
    abstract: str = ""
    title_source: str = "person"
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    venue: str = ""
    doi: str = ""
    arxiv: str = ""
    tags: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    links: dict[str, str | list[str]] = field(default_factory=dict)
    sources: list[Source] = field(default_factory=list)
    added: dt.date | None = None
    locked: list[str] = field(default_factory=list)
    generated: dict[str, str] = field(default_factory=dict)
    notes: str = ""
    path: Path | None = None

    @property
    def title_is_derived(self) -> bool:
        return self.title_source == "derived"

    def link_urls(self) -> list[tuple[str, str]]:
        """(kind, url) pairs, lists flattened, in the canonical kind order."""
        pairs = []
        for kind in sorted(self.links, key=_link_order):
            value = self.links[kind]
            for url in [value] if isinstance(value, str) else value:
                pairs.append((kind, url))
        return pairs

    # -- who owns a value -------------------------------------------------
    def owned_by_machine(self, name: str) -> bool:
        """True when litsite may (re)write this field: it wrote it, or it is empty and unclaimed."""
        if name in self.locked:
            return False
        current = getattr(self, name)
        if name in self.generated:
            return self.generated[name] == fingerprint(current)
        return current in ("", None, [], {})

    def set_generated(self, name: str, value: Any) -> bool:
        """Set a machine value if the field is the machine's; True when something changed."""
        if not self.owned_by_machine(name):
            return False
        changed = getattr(self, name) != value
        setattr(self, name, value)
        self.generated[name] = fingerprint(value)
        return changed


def _link_order(kind: str) -> int:
    return LINK_KINDS.index(kind) if kind in LINK_KINDS else len(LINK_KINDS)


def fingerprint(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:10]


# -- reading -----------------------------------------------------------------

def split_front_matter(text: str, path: str) -> tuple[str, str, int]:
    """Return (yaml text, body, line number of the first YAML line)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    if not text.startswith("---\n"):
        raise InputError("the file must start with a '---' line opening the front matter", path, 1, 1,
                         "see CONTRIBUTING.md for the paper file format")
    end = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if end is None:
        raise InputError("the front matter is never closed", path, 1, 1,
                         "add a line with just '---' after the last field")
    yaml_text = text[4:4 + end.start()]
    body = text[4 + end.end():].lstrip("\n")
    return yaml_text, body, 2


def read_paper(path: Path, text: str | None = None) -> Paper:
    """Read and validate one paper file; raise InputError listing every problem."""
    paper, problems = check_paper_file(path, text)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    assert paper is not None
    return paper


def check_paper_file(path: Path, text: str | None = None) -> tuple[Paper | None, list[Problem]]:
    """Parse and validate; return the paper (None when unusable) and all problems found."""
    name = str(path)
    try:
        if text is None:
            text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(f"not UTF-8 text (byte {exc.start})", name, 1, 1, "save the file as UTF-8")]
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror}", name)]
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


def load_yaml(yaml_text: str, path: str, first_line: int) -> Any:
    if len(yaml_text.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise InputError(f"the front matter is larger than {MAX_FRONT_MATTER_BYTES // 1024} KiB",
                         path, first_line, 1, "move long text into the Markdown body")
    if ("&" in yaml_text or "*" in yaml_text) and _has_alias(yaml_text):
        raise InputError("YAML anchors and aliases (&name, *name) are not allowed in front matter",
                         path, first_line, 1, "write each value out in full; quote text that starts with & or *")
    try:
        return yaml.load(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        # Point at where the broken construct starts (an unclosed quote or bracket), which is
        # where the fix goes; say where the parser gave up when that is elsewhere.
        mark = exc.context_mark or exc.problem_mark
        line = first_line + mark.line if mark else first_line
        column = mark.column + 1 if mark else None
        reason = exc.problem or "invalid YAML"
        if exc.context and exc.context_mark is not None:
            reason = f"{reason} {exc.context}"
        if exc.problem_mark is not None and exc.context_mark is not None and exc.problem_mark.line != exc.context_mark.line:
            reason += f" (noticed at line {first_line + exc.problem_mark.line})"
        raise InputError(f"YAML syntax error: {reason}", path, line, column,
                         "quote values that contain ': ', '#', or start with -, &, *, !, [, {") from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML error: {exc}", path, first_line, 1) from None


def _has_alias(yaml_text: str) -> bool:
    try:
        for event in yaml.parse(yaml_text, Loader=_Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return True
    except yaml.YAMLError:
        return False  # the real load reports the syntax error with its position
    return False


def key_lines(yaml_text: str, first_line: int) -> dict[str, tuple[int, int]]:
    """Line and column of every top-level key, and of items as 'key[i]' / 'key.sub'."""
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.YAMLError:
        return {}
    out: dict[str, tuple[int, int]] = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key_node, value_node in root.value:
        key = str(key_node.value)
        out[key] = (first_line + key_node.start_mark.line, key_node.start_mark.column + 1)
        if isinstance(value_node, yaml.SequenceNode):
            for i, item in enumerate(value_node.value):
                out[f"{key}[{i}]"] = (first_line + item.start_mark.line, item.start_mark.column + 1)
        elif isinstance(value_node, yaml.MappingNode):
            for sub_key, _ in value_node.value:
                out[f"{key}.{sub_key.value}"] = (first_line + sub_key.start_mark.line, sub_key.start_mark.column + 1)
    return out


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
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
DOI_PATTERN = re.compile(r"^10\.\d{4,9}/\S+$")
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


PARALLEL_FROM = 2000  # files; below this, forking workers costs more than it saves


def load_papers(folder: Path, parallel: bool = False) -> tuple[list[Paper], list[Problem]]:
    """Every paper under `folder`, sorted by slug, and all problems found on the way.

    With `parallel`, large collections are parsed by one forked process per core: building
    Python objects from YAML is most of the time, and only the results are sent back."""
    paths = sorted(folder.glob("*.md"))
    workers = fork_workers(parallel, len(paths), PARALLEL_FROM)
    if workers:
        step = -(-len(paths) // (workers * 4))
        with mp.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_check_files, [paths[i:i + step] for i in range(0, len(paths), step)])
    else:
        parts = [_check_files(paths)]
    return [p for papers, _ in parts for p in papers], [p for _, problems in parts for p in problems]


def _check_files(paths: list[Path]) -> tuple[list[Paper], list[Problem]]:
    papers, problems = [], []
    for path in paths:
        paper, found = check_paper_file(path)
        problems += found
        if paper is not None:
            papers.append(paper)
    return papers, problems


def load_valid_papers(folder: Path, parallel: bool = False) -> list[Paper]:
    """Every paper under `folder`; any invalid file stops the command with all the problems."""
    papers, problems = load_papers(folder, parallel)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError.from_problems(errors)
    return papers


# -- writing -----------------------------------------------------------------

class _PaperDumper(_Dumper):
    pass


def _represent_str(dumper, value: str):
    # Long text as a folded block reads well in an editor; PyYAML falls back to quotes when
    # the text can't be a block scalar (leading spaces, control characters...).
    style = ">" if len(value) > 80 and "\n" not in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_PaperDumper.add_representer(str, _represent_str)


def paper_to_dict(paper: Paper) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": paper.title,
        "title_source": paper.title_source,
        "abstract": paper.abstract,
        "authors": paper.authors,
        "year": paper.year,
        "venue": paper.venue,
        "doi": paper.doi,
        "arxiv": paper.arxiv,
        "tags": paper.tags,
        "topics": paper.topics,
        "links": {k: paper.links[k] for k in sorted(paper.links, key=_link_order)},
        "sources": [s.as_dict() for s in paper.sources],
        "added": paper.added,
        "locked": paper.locked,
        "generated": dict(sorted(paper.generated.items())),
    }
    optional = {"authors", "year", "venue", "doi", "arxiv", "links", "locked", "generated", "added"}
    return {k: v for k, v in data.items() if not (k in optional and v in (None, "", [], {}))}


def render_paper_file(paper: Paper) -> str:
    front = yaml.dump(paper_to_dict(paper), Dumper=_PaperDumper, sort_keys=False, allow_unicode=True,
                      width=88, default_flow_style=None)
    body = paper.notes.strip("\n")
    return f"---\n{front}---\n" + (f"\n{body}\n" if body else "")
