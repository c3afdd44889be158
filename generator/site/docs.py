"""Docs pages: Markdown under content/ other than the papers and the home page's intro."""
from __future__ import annotations

import re

from generator.content.config import SiteConfig
from generator.content.readinglist import LISTS_FOLDER
from generator.errors import InputError
from generator.files import is_inside
from generator.site import urls
from generator.site.model import DocSource

_SAFE_OUTPUT = re.compile(r"[A-Za-z0-9_./-]+")
_TITLE = re.compile(r"\s*#\s+(.+)\n")


def find_docs(config: SiteConfig) -> list[DocSource]:
    """Each docs page, with its title (its first '# ' heading, or its file name) and its text."""
    docs: list[DocSource] = []
    outputs: dict[str, DocSource] = {}
    content = config.content_dir
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content)
        if rel.parts[0] in ("papers", LISTS_FOLDER) or rel.as_posix() == "index.md":
            continue
        if not is_inside(path, content):
            raise InputError("links outside content/; docs pages must live inside it", path)
        output = urls.doc(rel.as_posix())
        if output in urls.RESERVED_FILES or rel.parts[0] in urls.RESERVED_DIRS or not _SAFE_OUTPUT.fullmatch(output):
            raise InputError(f"the docs page would be written to '{output}', which litsite uses itself or "
                             "which is not a safe file name", path, hint="rename the file")
        same = outputs.get(output.casefold())
        if same is not None:
            # macOS and Windows fold case: one page would overwrite the other there, and in a zip.
            raise InputError(f"the docs page would be written to '{output}', and {same.source} to "
                             f"'{same.output}': the same file where case does not count", path,
                             hint="rename one of the two files")
        text = config.read_rules.read_text(path)
        title_match = _TITLE.match(text)
        title = title_match.group(1).strip() if title_match else path.stem.replace("-", " ").capitalize()
        body = text[title_match.end():] if title_match else text
        docs.append(DocSource(str(path), output, title, body))
        outputs[output.casefold()] = docs[-1]
    return docs


def read_intro(config: SiteConfig) -> str:
    """content/index.md: the home page's introduction."""
    path = config.content_dir / "index.md"
    return config.read_rules.read_text(path) if path.exists() or path.is_symlink() else ""
