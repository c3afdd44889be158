"""Docs pages: Markdown under content/ other than the papers and the home page's intro."""
from __future__ import annotations

import re

from generator.content.config import SiteConfig
from generator.errors import InputError
from generator.files import is_inside
from generator.site import urls
from generator.site.model import DocSource

_SAFE_OUTPUT = re.compile(r"[A-Za-z0-9_./-]+")
_TITLE = re.compile(r"\s*#\s+(.+)\n")


def find_docs(config: SiteConfig) -> list[DocSource]:
    """Each docs page, with its title (its first '# ' heading, or its file name) and its text."""
    docs = []
    content = config.content_dir
    for path in sorted(content.rglob("*.md")):
        rel = path.relative_to(content)
        if rel.parts[0] == "papers" or rel.as_posix() == "index.md":
            continue
        if not is_inside(path, content):
            raise InputError("links outside content/; docs pages must live inside it", path)
        output = urls.doc(rel.as_posix())
        if output in urls.RESERVED_FILES or rel.parts[0] in urls.RESERVED_DIRS or not _SAFE_OUTPUT.fullmatch(output):
            raise InputError(f"the docs page would be written to '{output}', which litsite uses itself or "
                             "which is not a safe file name", path, hint="rename the file")
        text = path.read_text(encoding="utf-8")
        title_match = _TITLE.match(text)
        title = title_match.group(1).strip() if title_match else path.stem.replace("-", " ").capitalize()
        body = text[title_match.end():] if title_match else text
        docs.append(DocSource(str(path), output, title, body))
    return docs


def read_intro(config: SiteConfig) -> str:
    """content/index.md: the home page's introduction."""
    path = config.content_dir / "index.md"
    return path.read_text(encoding="utf-8") if path.exists() else ""
