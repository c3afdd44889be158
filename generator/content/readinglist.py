"""Reading lists: `content/lists/<slug>.md`, an ordered list of papers with a person's notes.

A course, a reading group's schedule, "start here" for a new student. The file is front matter
and an optional Markdown introduction:

    ---
    title: Graph learning, week by week
    description: The reading group's autumn schedule.
    papers:
      - paper: a-comprehensive-survey-on-graph-neural-networks
        note: Week 1. Sections 1-3; skim the rest.
      - semi-supervised-classification-with-graph-convolutional-networks
    ---
    We meet on Thursdays.

Each entry is a paper's slug (its file name without `.md`), alone or with a `note` (Markdown);
`papers: []` (or none) is a list still to be filled.
Every problem is reported at its line and column; which slugs exist is checked against the
collection (`unknown_papers`), since a list is read before the site is made.
"""
from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

import yaml

from generator.content.config import SiteConfig
from generator.content.frontmatter import load_yaml, split_front_matter
from generator.content.slugs import is_safe_slug
from generator.errors import InputError, Problem
from generator.files import ReadRules

LISTS_FOLDER = "lists"  # under content/
LIST_KEYS = ("title", "description", "papers")
ENTRY_KEYS = ("paper", "note")
FORMAT_HINT = "each entry is '- <paper slug>' or '- paper: <slug>' with an optional 'note:'"


@dataclass(frozen=True)
class ListEntry:
    slug: str
    note: str  # Markdown, may be empty
    line: int  # where the entry is written: unknown slugs are reported there
    column: int


@dataclass(frozen=True)
class ReadingList:
    slug: str
    title: str
    description: str
    intro: str  # Markdown
    entries: tuple[ListEntry, ...]
    source: str  # the file, as a path

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(e.slug for e in self.entries)


def lists_folder(config: SiteConfig) -> Path:
    return config.content_dir / LISTS_FOLDER


def list_files(config: SiteConfig) -> list[Path]:
    folder = lists_folder(config)
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def is_list_file(path: Path, config: SiteConfig) -> bool:
    return path.suffix == ".md" and path.resolve().parent == lists_folder(config).resolve()


def new_list_text(title: str, slugs: list[str]) -> str:
    """The file `litsite new --list` writes: valid as it is, with the format shown in comments."""
    lines = ["---", f"title: {_quoted(title)}", "# description: one line on what the list is for",
             "# Each entry: a paper's slug (its file name in content/papers/ without .md), and a note if you like:",
             "#   - paper: a-paper-slug", "#     note: Why to read it, and what to look for."]
    lines += ["papers:"] + [f"  - paper: {slug}" for slug in slugs] if slugs else ["papers: []"]
    return "\n".join(lines + ["---", ""])


def _quoted(text: str) -> str:
    return yaml.safe_dump(" ".join(text.split()), allow_unicode=True, default_style=None, width=10_000).removesuffix(
        "\n...\n").strip()


def read_reading_lists(config: SiteConfig) -> list[ReadingList]:
    """Every reading list, or an InputError naming every problem in every list."""
    lists, problems = [], []
    for path in list_files(config):
        found, trouble = check_reading_list(path, config.read_rules)
        problems += trouble
        if found is not None:
            lists.append(found)
    if problems:
        raise InputError.from_problems(problems)
    return lists


def check_reading_list(path: Path, rules: ReadRules = ReadRules(), text: str | None = None,
                       partial: bool = False) -> tuple[ReadingList | None, list[Problem]]:
    """The list in one file (or in `text`, to be written there) and every problem in it. The
    list is None when there are any, unless `partial` asks for its sound entries anyway (`check`
    then looks them up too, so one run reports every problem)."""
    name = str(path)
    try:
        text = rules.read_text(path) if text is None else text
        yaml_text, body, first_line = split_front_matter(text, name)
        data = load_yaml(yaml_text, name, first_line)
    except InputError as exc:
        return None, exc.problems
    if not is_safe_slug(path.stem):
        return None, [Problem(f"file name '{path.name}' is not a valid slug", name, 1, 1,
                              "use lowercase letters, digits and hyphens, e.g. 'reading-group.md'")]
    if not isinstance(data, dict):
        return None, [Problem("the front matter must be a mapping of 'key: value' lines", name, first_line, 1)]
    where = _positions(yaml_text, first_line)
    problems = _check_keys(data, name, where, first_line)
    entries, trouble = _entries(data.get("papers"), name, where, first_line)
    problems += trouble
    if problems and not partial:
        return None, problems
    return ReadingList(path.stem, str(data.get("title") or "").strip(), str(data.get("description") or "").strip(), body,
                       tuple(entries), name), problems


def unknown_papers(reading_list: ReadingList, slugs: Collection[str]) -> list[Problem]:
    """An entry naming no paper of the collection: a typo, or a paper renamed or removed."""
    problems = []
    for entry in reading_list.entries:
        if entry.slug not in slugs:
            guess = difflib.get_close_matches(entry.slug, list(slugs), n=1, cutoff=0.75)
            hint = f"did you mean '{guess[0]}'?" if guess else \
                "the slug is the paper's file name in content/papers/ without '.md'"
            problems.append(Problem(f"no paper '{entry.slug}' in content/papers/", reading_list.source,
                                    entry.line, entry.column, hint))
    return problems


def checked_against(lists: list[ReadingList], slugs: Collection[str]) -> list[ReadingList]:
    """The lists, once every entry names a paper of the collection; otherwise an InputError."""
    problems = [p for reading_list in lists for p in unknown_papers(reading_list, slugs)]
    if problems:
        raise InputError.from_problems(problems)
    return lists


Positions = dict[tuple, tuple[int, int]]  # a path into the YAML (keys and indexes) -> (line, column)


def _positions(yaml_text: str, first_line: int) -> Positions:
    """Where each key and each list entry is written (line and column in the file)."""
    found: Positions = {}

    def visit(node: yaml.Node, path: tuple) -> None:
        found[path] = (first_line + node.start_mark.line, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                found[path + (key.value,)] = (first_line + key.start_mark.line, key.start_mark.column + 1)
                visit(value, path + (key.value, "value"))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                visit(item, path + (i,))

    root = yaml.compose(yaml_text, Loader=yaml.CSafeLoader)  # already loaded once: it parses
    if root is not None:
        visit(root, ())
    return found


def _at(where: Positions, path: tuple, first_line: int) -> tuple[int, int]:
    return where.get(path, (first_line, 1))


def _check_keys(data: dict, name: str, where: Positions, first_line: int) -> list[Problem]:
    problems = []
    for key in data:
        if key not in LIST_KEYS:
            guess = difflib.get_close_matches(str(key), LIST_KEYS, n=1)
            hint = f"did you mean '{guess[0]}'?" if guess else f"known keys: {', '.join(LIST_KEYS)}"
            problems.append(Problem(f"unknown key '{key}'", name, *_at(where, (key,), first_line), hint))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        problems.append(Problem("a reading list needs a 'title' (text)", name,
                                *_at(where, ("title",), first_line), "add a line such as 'title: Start here'"))
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        problems.append(Problem("'description' must be text", name, *_at(where, ("description",), first_line)))
    return problems


def _entries(papers: object, name: str, where: Positions, first_line: int) -> tuple[list[ListEntry], list[Problem]]:
    if papers is None:  # a list just begun (`litsite new --list`) has no papers yet
        return [], []
    if not isinstance(papers, list):
        return [], [Problem("'papers' must be a list of paper slugs", name, *_at(where, ("papers",), first_line),
                            FORMAT_HINT)]
    entries: list[ListEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(papers):
        line, column = _at(where, ("papers", "value", i), first_line)
        slug, note, trouble = _entry(item, name, line, column)
        if trouble:
            problems.append(trouble)
            continue
        if slug in seen:
            problems.append(Problem(f"'{slug}' is already entry {seen[slug] + 1} of this list", name, line, column,
                                    "a paper appears once in a list; put both notes in one entry"))
            continue
        seen[slug] = i
        entries.append(ListEntry(slug, note, line, column))
    return entries, problems


def _entry(item: object, name: str, line: int, column: int) -> tuple[str, str, Problem | None]:
    if isinstance(item, dict):
        unknown = [str(k) for k in item if k not in ENTRY_KEYS]
        if unknown:
            guess = difflib.get_close_matches(unknown[0], ENTRY_KEYS, n=1)
            return "", "", Problem(f"unknown key '{unknown[0]}' in a list entry", name, line, column,
                                   f"did you mean '{guess[0]}'?" if guess else FORMAT_HINT)
        slug, note = item.get("paper"), item.get("note", "")
    else:
        slug, note = item, ""
    if not isinstance(slug, str) or not slug.strip():
        return "", "", Problem("a list entry must name a paper by its slug", name, line, column, FORMAT_HINT)
    if not isinstance(note, str):
        return "", "", Problem("a note must be text", name, line, column, "quote it if it starts with a symbol")
    slug = unicodedata.normalize("NFC", slug.strip().removesuffix(".md"))
    return slug, note.strip(), None
