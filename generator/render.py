"""Pages -> HTML: the Jinja environment, Markdown, and the helpers templates may call."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jinja2
from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from generator.citations import bibtex_entry
from generator.errors import InputError
from generator.site import Page, Site, author_slug, relative


def markdown_renderer(allow_html: bool) -> MarkdownIt:
    """CommonMark + tables + footnotes; raw HTML is escaped unless site.yaml allows it."""
    md = MarkdownIt("commonmark", {"html": allow_html, "linkify": False, "typographer": False})
    md.enable("table")
    md.use(footnote_plugin).use(anchors_plugin, min_level=2, max_level=3, permalink=False)
    return md


def headings(html: str) -> list[tuple[str, str]]:
    """(id, text) of the h2/h3 headings anchors_plugin gave ids, for the 'on this page' box."""
    import re

    found = re.findall(r'<h[23] id="([^"]+)">(.*?)</h[23]>', html)
    return [(anchor, re.sub(r"<[^>]+>", "", text)) for anchor, text in found]


class Renderer:
    """Renders one site's pages. Built once per build; `render(page)` is cheap and thread-safe."""

    def __init__(self, site: Site, templates: Path, live_reload: str | None = None):
        self.site = site
        self.live_reload = live_reload
        self.markdown = markdown_renderer(site.config.allow_html)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=True,  # every value from content is escaped unless a template says otherwise
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._sidebars: dict[tuple, object] = {}
        self._items: dict[tuple, object] = {}  # (id of a Paper, root) -> its list item
        self._sidebar_paths = {"index.html", "overview.html", "tags.html", "years.html", "attention.html",
                               "topics.html", *(item.page[:-3] + ".html" for item in site.config.nav)}
        self.env.filters["markdown"] = self._markdown
        self.env.filters["tojson_script"] = _json_for_script
        self.env.filters["zip_titles"] = lambda slugs, titles: [[s, titles.get(s, s)] for s in slugs]
        self.env.globals.update(site=site, config=site.config, bibtex=bibtex_entry, live_reload=live_reload,
                                headings=headings, author_slug=author_slug, sidebar=self.sidebar, paper_item=self.paper_item,
                                topic_titles=site.topic_titles, year=dt.date.today().year)

    def use_site(self, site: Site) -> None:
        """Point the (already compiled) templates at an updated site model."""
        self.site = site
        self.env.globals.update(site=site, topic_titles=site.topic_titles)
        self._sidebars.clear()
        alive = {id(p) for p in site.papers}
        self._items = {k: v for k, v in self._items.items() if k[0] in alive}

    def paper_item(self, paper, root: str):
        """A paper as listed on listing, tag, topic and paper pages: the same HTML wherever it
        appears at the same folder depth, so each is rendered once."""
        from markupsafe import Markup

        key = (id(paper), root)  # a Paper is immutable once loaded; an edit makes a new one
        if key not in self._items:
            self._items[key] = Markup(self.env.get_template("_paper_item.html").render(paper=paper, root=root))
        return self._items[key]

    def sidebar(self, root: str, topic: str | None, path: str):
        """The sidebar differs only by depth, open topic and which entry is current: render each
        variant once (about 40 on a site of any size) instead of once per page."""
        from markupsafe import Markup

        current = path if path in self._sidebar_paths or path.startswith("topics/") else \
            "list/" if path.startswith("list/") else ""
        key = (root, topic, current)
        if key not in self._sidebars:
            html = self.env.get_template("_sidebar.html").render(root=root, topic=topic, current=current)
            self._sidebars[key] = Markup(html)
        return self._sidebars[key]

    def _markdown(self, text: str) -> str:
        from markupsafe import Markup

        return Markup(self.markdown.render(text or ""))

    def render(self, page: Page) -> str:
        try:
            template = self.env.get_template(page.template)
            context = {**page.context, **(page.prepare() if page.prepare else {})}
            return template.render(page=page, root=relative(page.path, "index.html")[: -len("index.html")],
                                   url=lambda target: relative(page.path, target), **context)
        except jinja2.TemplateSyntaxError as exc:
            raise InputError(f"template error: {exc.message}", exc.filename or page.template, exc.lineno) from None
        except jinja2.TemplateError as exc:
            raise InputError(f"template error while rendering {page.path}: {exc}", page.template) from None


def _json_for_script(value) -> str:
    """JSON safe inside <script>: '<', '>' and '&' become escapes, so '</script>' can't close the tag."""
    from markupsafe import Markup

    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
