"""`litsite serve`: build, serve _site/ on 127.0.0.1, rebuild on edits, reload the browser.

The server only ever serves files inside the output folder (no directory listings, GET and
HEAD only). The live-reload script is added to HTML responses as they are sent, so the files
on disk are exactly what `litsite build` writes.
"""
from __future__ import annotations

import json
import mimetypes
import queue
import signal
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.console import say
from generator.content.config import SiteConfig
from generator.errors import InputError
from generator.serve.live import LiveSite
from generator.serve.reload import EVENTS_PATH, Broadcaster, inject
from generator.serve.watcher import Rebuilder, watch


def make_handler(root: Path, broadcaster: Broadcaster | None):
    """A request handler serving files under `root` only."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "litsite"

        def log_message(self, format, *args):  # quiet: the terminal is for build messages
            pass

        def do_GET(self):
            self._serve(head=False)

        def do_HEAD(self):
            self._serve(head=True)

        def _refuse(self):
            self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
            self.send_header("Allow", "GET, HEAD")
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse

        def _serve(self, head: bool) -> None:
            path = urlsplit(self.path).path
            if path == EVENTS_PATH and broadcaster is not None and not head:
                return self._events()
            target = resolve_request(root, path)
            if target is None:
                return self._not_found(head)
            body = target.read_bytes()
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html" and broadcaster is not None:
                body = inject(body)
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _not_found(self, head: bool) -> None:
            page = root.resolve() / "404.html"
            body = page.read_bytes() if page.is_file() else b"Not found"
            self.send_response(HTTPStatus.NOT_FOUND)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            assert broadcaster is not None  # only served with live reload on
            q = broadcaster.subscribe()
            try:
                self.wfile.write(b": connected\n\n")
                self.wfile.flush()
                while True:
                    try:
                        event, data = q.get(timeout=15)
                    except queue.Empty:
                        self.wfile.write(b": keep-alive\n\n")
                    else:
                        self.wfile.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError, OSError):
                pass
            finally:
                broadcaster.unsubscribe(q)

    return Handler


def resolve_request(root: Path, url_path: str) -> Path | None:
    """The file a URL path names inside `root`, or None: no '..', no escaping symlinks, no folders."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    base = root.resolve()
    target = base.joinpath(*parts) if parts else base
    if target.is_dir():
        target = target / "index.html"
    try:
        real = target.resolve(strict=True)
        real.relative_to(base)
    except (OSError, ValueError, RuntimeError):
        return None
    return real if real.is_file() else None


def serve(config: SiteConfig, host: str, port: int, search: bool = True) -> None:
    try:
        server = ThreadingHTTPServer((host, port), make_handler(config.output_dir, None))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint=f"another server may be running; try --port {port + 1}") from None
    started = time.perf_counter()
    live = LiveSite(config, config.output_dir, search=search)
    say(f"built {len(live.page_keys)} pages in {time.perf_counter() - started:.2f}s")
    broadcaster = Broadcaster()
    server.RequestHandlerClass = make_handler(config.output_dir, broadcaster)
    server.daemon_threads = True
    rebuilder = Rebuilder(config, live, broadcaster)
    observer = watch(config, rebuilder)
    say(f"serving {config.output_dir.name}/ on http://{host}:{port}/ (Ctrl-C to stop)")
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops us as cleanly as Ctrl-C
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        observer.stop()
        live.stop()
        server.server_close()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
