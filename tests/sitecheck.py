"""Helpers that read a built site from disk: its pages, their links, and their basic structure."""
from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.h1 = 0
        self.lang = None
        self.title = ""
        self.description = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag == "title":
            self._in_title = True
        if tag == "meta" and attrs.get("name") == "description":
            self.description = attrs.get("content")
        for name in ("href", "src"):
            if attrs.get(name) and tag in ("a", "link", "script", "img", "iframe", "source"):
                self.links.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def internal_targets(site: Path, page: Path, parsed: PageParser) -> list[tuple[str, Path, str]]:
    """(link as written, file it points to, fragment) for every link that stays inside the site."""
    out = []
    for link in parsed.links:
        parts = urlsplit(link)
        if parts.scheme or link.startswith("//"):
            continue
        if not parts.path:
            out.append((link, page, parts.fragment))
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        out.append((link, target, parts.fragment))
    return out
