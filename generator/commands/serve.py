"""`litsite serve`: build, serve on 127.0.0.1, rebuild and reload as you edit."""
from __future__ import annotations

import argparse

from generator.console import say
from generator.content.config import load_config
from generator.serve.server import serve


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("serve", help="build, serve on http://127.0.0.1:8000 and rebuild as you edit",
                            description="Build the site, serve _site/ and watch content/, templates/, static/ "
                                        "and site.yaml. An edited paper re-renders only the pages that show it; "
                                        "the browser reloads itself; a broken edit shows its error in the "
                                        "terminal and over the page while the last good version stays.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--no-search", action="store_true", help="skip the search index")
    p.add_argument("--wait", action="store_true",
                   help="if another litsite is writing the same output, wait for it rather than stop")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        serve(load_config(args.root), args.host, args.port, search=not args.no_search, wait=args.wait)
    except KeyboardInterrupt:
        say("stopped")
    return 0
