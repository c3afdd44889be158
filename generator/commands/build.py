"""`litsite build`: content/ -> _site/, atomically."""
from __future__ import annotations

import argparse

from generator.build.pipeline import build_if_changed
from generator.console import say
from generator.content.config import load_config


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("build", help="build the site into _site/ (atomically: a failed build keeps the old one)",
                            description="Render content/ into _site/ with templates/ and static/, then index it "
                                        "for search. The previous _site/ is replaced only when the build succeeds. "
                                        "Over an existing _site/, only pages whose content changed are rendered "
                                        "(the others are taken from the previous build), and the search index is "
                                        "rebuilt only when a searchable page changed. When nothing the build reads changed "
                                        "(content, templates, static files, site.yaml, git's dates, litsite and its "
                                        "packages) and _site/ is as that build left it, nothing is done.")
    p.add_argument("--no-search", action="store_true", help="skip the search index (faster previews)")
    p.add_argument("--wait", action="store_true",
                   help="if another litsite is writing the same output, wait for it rather than stop")
    p.set_defaults(func=run)


NO_BASE_URL = ("warning: site.yaml has no base_url (the address the site is published at, e.g. "
               "https://you.github.io/papers/): no sitemap.xml is written, and the feed, canonical links and "
               "share tags cannot give absolute links")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.root)
    summary = build_if_changed(config, search=not args.no_search, wait=args.wait)
    if not config.base_url:
        say(NO_BASE_URL)
    print(summary)
    return 0
