"""`litsite bundle`: the offline zip, for reading from file://."""
from __future__ import annotations

import argparse

from generator.build.bundle import make_bundle
from generator.console import say
from generator.content.config import load_config


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("bundle", help="write dist/<site>-offline.zip: the site for reading from file://",
                            description="Build the site and zip it. Unzipped anywhere, index.html opens in a "
                                        "browser with no server and no network; search uses the offline index.")
    p.add_argument("--wait", action="store_true",
                   help="if another litsite is writing the same output, wait for it rather than stop")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path, built, files = make_bundle(load_config(args.root), wait=args.wait)
    say(built.summary())
    say(f"wrote {path} ({files} files, {path.stat().st_size / 1024 / 1024:.1f} MiB): unzip it anywhere and open index.html")
    return 0
