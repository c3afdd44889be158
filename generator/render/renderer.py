"""Pages -> HTML: the Jinja environment, Markdown, and the helpers templates may call.

A template sees its page (`page`, `root`, `url`), its page's typed context, the site's
`Chrome` as `chrome`, and pure functions of their arguments (paths, charts, citations):
nothing else, so a page's key (build/pagekeys.py) covers everything a render can read.
"""
from __future__ import annotations

import base64
import functools
import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from generator.errors import InputError
from generator.render import charts
from generator.render.citations import bibtex_entry, csl_json, ris_record
from generator.render.formatted import FormattedCitations
from generator.render.lookups import lookups
from generator.render.metadata import collection_page, scholar_tags, scholarly_article
from generator.render.tex import tex_html
from generator.site import urls
from generator.site.model import Card, Chrome, author_slug, tag_chip
from generator.site.pages import Page

_HEADING = re.compile(r'<h[23] id="([^"]+)">(.*?)</h[23]>')
_TAG = re.compile(r"<[^>]+>")


def markdown_renderer(allow_html: bool) -> MarkdownIt:
    """CommonMark + tables + footnotes; raw HTML is escaped unless site.yaml allows it."""
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin).use(anchors_plugin, min_level=2, max_level=3, permalink=False)
    return md


def data_uri(text: str, media_type: str) -> str:
    """A file inside a link (a paper's reference to download): no extra file per paper, and it
    works from file:// too. base64 costs a third more; percent-encoding JSON costs double."""
    return f"data:{media_type};charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def headings(html: str) -> list[tuple[str, str]]:
    """(id, text) of the h2/h3 headings anchors_plugin gave ids, for the 'on this page' box."""
    return [(anchor, _TAG.sub("", text)) for anchor, text in _HEADING.findall(html)]


def template_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,  # every value from content is escaped unless a template says otherwise
        undefined=jinja2.StrictUndefined,  # a template reading what its context lacks is an error
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["tojson_script"] = json_for_script
    env.globals.update(bibtex=bibtex_entry, csl_json=csl_json, ris=ris_record, data_uri=data_uri, tex=tex_html,
                       headings=headings, author_slug=author_slug, paths=urls,
                       bar_chart=charts.bar_chart,
                       map_svg=charts.map_svg, map_labels=charts.map_labels, scholar_tags=scholar_tags, scholarly_article=scholarly_article,
                       collection_page=collection_page, lookups=lookups)
    return env


class Renderer:
    """Renders pages with one site's chrome. `render(page)` is cheap and thread-safe."""

    def __init__(self, templates: Path, chrome: Chrome, citations: FormattedCitations | None = None):
        self.env = template_environment(templates)
        self.env.filters["markdown"] = self._markdown
        self.citations = citations or FormattedCitations("", None)
        self.env.globals.update(sidebar=self.sidebar, paper_item=self.paper_item,
                                formatted_citation=self.citations.of_paper, citation_title=self.citations.title)
        self._sidebars: dict[tuple, Markup] = {}
        self._items: dict[tuple[Card, str, bool], Markup] = {}
        self.use_chrome(chrome)

    def use_chrome(self, chrome: Chrome) -> None:
        """Point the (already compiled) templates at a site whose chrome may have changed."""
        if getattr(self, "chrome", None) == chrome:
            return
        self.chrome = chrome
        self.markdown = markdown_renderer(chrome.allow_html)
        self.env.globals["chrome"] = chrome
        self.env.globals["tag_chip"] = functools.partial(tag_chip, chrome.tag_names)
        self._sidebars.clear()
        self._items.clear()  # lists show the chrome's tag names
        self._sidebar_paths = {urls.HOME, urls.OVERVIEW, urls.TAGS, urls.YEARS, urls.AUTHORS, urls.ATTENTION, urls.TOPICS,
                               urls.READING_LISTS, *(item.path for item in chrome.nav)}

    def paper_item(self, card: Card, root: str, sortable: bool = True) -> Markup:
        """A paper as listed on listing, tag and topic pages (`sortable`) and among a paper's
        related papers: the same HTML wherever it appears at the same folder depth, so each is
        rendered once."""
        key = (card, root, sortable)
        if key not in self._items:
            html = self.env.get_template("_paper_item.html").render(paper=card, root=root, sortable=sortable)
            self._items[key] = Markup(html)
        return self._items[key]

    def sidebar(self, root: str, topic: str | None, path: str) -> Markup:
        """The sidebar differs only by depth, open topic and which entry is current: render each
        variant once (about 40 on a site of any size) instead of once per page."""
        current = path if path in self._sidebar_paths or path.startswith(urls.TOPICS_DIR + "/") else \
            urls.LIST_DIR + "/" if path.startswith(urls.LIST_DIR + "/") else ""
        key = (root, topic, current)
        if key not in self._sidebars:
            html = self.env.get_template("_sidebar.html").render(root=root, topic=topic, current=current)
            self._sidebars[key] = Markup(html)
        return self._sidebars[key]

    def _markdown(self, text: str) -> Markup:
        return Markup(self.markdown.render(text or ""))

    def render(self, page: Page) -> str:
        try:
            template = self.env.get_template(page.template)
            if page.path == urls.NOT_FOUND:
                # Served for a missing URL at any depth (GitHub Pages): its links are relative to
                # its <base>, which templates/404.html points at the site's root.
                return template.render(page=page, root="", url=lambda target: target, **context_of(page))
            return template.render(page=page, root=urls.root_of(page.path),
                                   url=lambda target: urls.relative(page.path, target), **context_of(page))
        except jinja2.TemplateSyntaxError as exc:
            raise InputError(f"template error: {exc.message}", exc.filename or page.template, exc.lineno) from None
        except jinja2.TemplateError as exc:
            raise InputError(f"template error while rendering {page.path}: {exc}", page.template) from None


def context_of(page: Page) -> dict[str, Any]:
    """The page's typed context as template variables (shallow: no copies of its values)."""
    return {f.name: getattr(page.context, f.name) for f in fields(page.context)}


def json_for_script(value: Any) -> Markup:
    """JSON safe inside <script>: '<', '>' and '&' become escapes, so '</script>' can't close the tag."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
