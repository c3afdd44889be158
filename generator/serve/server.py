"""`litsite serve`: build, serve _site/ on 127.0.0.1, rebuild on edits, reload the browser.

The server only ever serves files inside the output folder (no directory listings, GET and
HEAD only). The live-reload script is added to HTML responses as they are sent, so the files
on disk are exactly what `litsite build` writes.
"""
from __future__ import annotations

import mimetypes
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build.lock import output_lock
from generator.console import say
from generator.content.config import SiteConfig
from generator.errors import InputError
from generator.serve.live import LiveSite
from generator.serve.reload import EVENTS_PATH, Broadcaster, inject
from generator.serve.watcher import Rebuilder, watch

MAX_NAME_BYTES = 255  # a longer path component names no file on any common file system
LOCAL_NAMES = {"127.0.0.1", "localhost", "::1"}


class DevServer(HTTPServer):
    """`http.server` hardened for a preview under load: a real listen backlog, a bounded pool
    of threads, quiet about clients that leave, and event streams handed to the broadcaster
    (so open tabs hold no thread)."""

    request_queue_size = 1024  # the kernel caps it at net.core.somaxconn
    POOL_SIZE = 32

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]):
        super().__init__(address, handler)
        self.pool = ThreadPoolExecutor(self.POOL_SIZE, thread_name_prefix="litsite-http")
        self.adopted: set[int] = set()  # sockets whose ownership moved to the broadcaster
        self.check_host = address[0] in LOCAL_NAMES

    def process_request(self, request, client_address) -> None:
        self.pool.submit(self._handle, request, client_address)

    def _handle(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            if id(request) in self.adopted:
                self.adopted.discard(id(request))
            else:
                self.shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the client left or stalled: nothing anyone can act on
        say(f"serve: a request from {client_address[0]} failed: {type(error).__name__}: {error}")

    def server_close(self) -> None:
        super().server_close()
        self.pool.shutdown(wait=False, cancel_futures=True)


def make_handler(root: Path, broadcaster: Broadcaster | None):
    """A request handler serving files under `root` only."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "litsite"
        timeout = 10  # seconds a client may take to send its request: an idle socket is closed
        server: DevServer

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
            if getattr(self.server, "check_host", False) and not _local_host(self.headers.get("Host")):
                # A page on another site whose name resolves to 127.0.0.1 (DNS rebinding) must not read the preview.
                return self._plain(HTTPStatus.MISDIRECTED_REQUEST, "litsite serve answers to 127.0.0.1 and localhost only", head)
            path = urlsplit(self.path).path
            if any(len(part.encode()) > MAX_NAME_BYTES for part in unquote(path).split("/")):
                return self._plain(HTTPStatus.REQUEST_URI_TOO_LONG, "a part of this path is too long to name a file", head)
            if path == EVENTS_PATH and broadcaster is not None and not head:
                return self._events()
            target = resolve_request(root, path)
            if target is None:
                return self._not_found(head)
            try:
                body = target.read_bytes()
            except OSError:  # removed or replaced by a rebuild since it was found
                return self._not_found(head)
            kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if kind == "text/html" and broadcaster is not None:
                body = inject(body)
            if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
                kind += "; charset=utf-8"
            self._send(HTTPStatus.OK, kind, body, head)

        def _send(self, status: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def _plain(self, status: HTTPStatus, text: str, head: bool) -> None:
            self._send(status, "text/plain; charset=utf-8", text.encode() + b"\n", head)

        def _not_found(self, head: bool) -> None:
            page = root.resolve() / "404.html"
            try:
                body = page.read_bytes()
            except OSError:
                body = b"Not found"
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body, head)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.flush()
            assert broadcaster is not None  # only served with live reload on
            self.server.adopted.add(id(self.request))
            broadcaster.adopt(self.connection)
            self.close_connection = True

    return Handler


def _local_host(header: str | None) -> bool:
    if not header:
        return True  # HTTP/1.0 clients may send none; a browser always does
    host = header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host in LOCAL_NAMES


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
    try:
        if target.is_dir():
            target = target / "index.html"
        real = target.resolve(strict=True)
        real.relative_to(base)
    except (OSError, ValueError, RuntimeError):
        return None
    return real if real.is_file() else None


def serve(config: SiteConfig, host: str, port: int, search: bool = True, wait: bool = False) -> None:
    """Serve until interrupted, holding the output's lock all along: its files change in place."""
    with output_lock(config.output_dir, wait, say):
        _serve(config, host, port, search)


def _serve(config: SiteConfig, host: str, port: int, search: bool) -> None:
    try:
        server = DevServer((host, port), make_handler(config.output_dir, None))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint=f"another server may be running; try --port {port + 1}") from None
    started = time.perf_counter()
    live = LiveSite(config, config.output_dir, search=search)
    say(f"built {len(live.page_keys)} pages in {time.perf_counter() - started:.2f}s")
    broadcaster = Broadcaster()
    server.RequestHandlerClass = make_handler(config.output_dir, broadcaster)
    rebuilder = Rebuilder(config, live, broadcaster)
    observer = watch(config, rebuilder)
    say(f"serving {config.output_dir.name}/ on http://{host}:{port}/ (Ctrl-C to stop)")
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        observer.stop()
        live.stop()
        broadcaster.close()
        server.server_close()
