"""The paper file's text: YAML front matter between two `---` lines, then Markdown notes.

`split_front_matter` and `load_yaml` read it (safely: no code, no aliases, a size limit);
`render_paper_file` writes it back. Writing then reading gives the same Paper.
"""
from __future__ import annotations

import re
from typing import Any

import yaml

from generator.content.paper import Paper, link_order
from generator.errors import InputError

# libyaml's loader and dumper: ~15x faster than pure Python, shipped in PyYAML's wheels.
_Loader = yaml.CSafeLoader

MAX_FRONT_MATTER_BYTES = 256 * 1024


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


# -- writing -----------------------------------------------------------------

class _PaperDumper(yaml.CSafeDumper):
    """A dumper of our own, so the representer below changes no one else's YAML."""


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
        "links": {k: paper.links[k] for k in sorted(paper.links, key=link_order)},
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
