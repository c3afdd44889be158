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
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.config import SiteConfig, load_config
from generator.console import say
from generator.errors import InputError

EVENTS_PATH = "/__litsite/events"
DEBOUNCE_SECONDS = 0.08  # editors write a file in several steps; bursts coalesce
SEARCH_REFRESH_AFTER = 1.5  # seconds of quiet before the search index is rebuilt

LIVE_RELOAD_SCRIPT = """<script>
/* litsite serve: live reload and error overlay. Not part of the built site. */
(function () {
  var box = null;
  function overlay(message) {
    if (!box) {
      box = document.createElement("div");
      box.id = "litsite-error-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:99999;background:#7f1d1d;color:#fff;" +
        "padding:1rem;border-radius:8px;font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap;max-height:50vh;overflow:auto";
      document.body.appendChild(box);
    }
    box.textContent = "litsite: the last edit could not be built; showing the last good version.\\n\\n" + message;
  }
  var source = new EventSource("%s");
  // A reload names the pages it changed: only a tab showing one of them reloads.
  var here = decodeURIComponent(location.pathname).replace(/^\\//, "").replace(/(^|\\/)$/, "$1index.html");
  source.addEventListener("reload", function (e) {
    var paths = JSON.parse(e.data || "{}").paths;
    if (!paths || paths.indexOf(here) >= 0) location.reload();
  });
  source.addEventListener("broken", function (e) { overlay(JSON.parse(e.data).message); });
  source.addEventListener("fixed", function () { if (box) { box.remove(); box = null; } });
})();
</script>""" % EVENTS_PATH


class Broadcaster:
    """Fans events out to every open EventSource; remembers whether the site is broken."""

    def __init__(self):
        self._clients: list[queue.Queue] = []
        self._lock = threading.Lock()
        self.error: str | None = None

    def subscribe(self) -> queue.Queue:
        q: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.append(q)
        if self.error:
            q.put(("broken", {"message": self.error}))
        return q

    def unsubscribe(self, q: queue.Queue) -> None:
        with self._lock:
            if q in self._clients:
                self._clients.remove(q)

    def send(self, event: str, data: dict | None = None) -> None:
        events = [(event, data or {})]
        if event == "broken":
            self.error = (data or {}).get("message")
        elif event in ("fixed", "reload"):
            if self.error and event == "reload":  # tabs that do not reload must drop the overlay too
                events.insert(0, ("fixed", {}))
            self.error = None
        with self._lock:
            for q in self._clients:
                for item in events:
                    q.put(item)


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


def inject(html: bytes) -> bytes:
    marker = b"</body>"
    at = html.rfind(marker)
    script = LIVE_RELOAD_SCRIPT.encode()
    return html[:at] + script + html[at:] if at >= 0 else html + script


class Rebuilder:
    """Collects file events, waits for a quiet moment, then rebuilds on one worker thread."""

    def __init__(self, config: SiteConfig, live, broadcaster: Broadcaster, search: bool):
        self.config, self.live, self.broadcaster, self.search = config, live, broadcaster, search
        self.pending: set[Path] = set()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.last_change = 0.0
        self.search_due: float | None = None
        self.refreshing = threading.Event()
        threading.Thread(target=self._loop, daemon=True, name="litsite-rebuild").start()

    def changed(self, path: Path) -> None:
        if _ignored(path):
            return
        with self.lock:
            self.pending.add(path)
            self.last_change = time.monotonic()
        self.wake.set()

    def _loop(self) -> None:
        while True:
            with self.lock:
                quiet = time.monotonic() - self.last_change
                batch = set(self.pending) if self.pending and quiet >= DEBOUNCE_SECONDS else set()
                if batch:
                    self.pending.clear()
                waiting = bool(self.pending)
            if batch:
                self._rebuild(batch)
                continue
            if not waiting and self.search_due and time.monotonic() >= self.search_due \
                    and not self.refreshing.is_set():
                self.search_due = None
                self.refreshing.set()
                # Its own thread: an edit made while Pagefind works is still rebuilt at once.
                threading.Thread(target=self._refresh_search, daemon=True, name="litsite-search").start()
                continue
            self.wake.wait(timeout=max(0.01, DEBOUNCE_SECONDS - quiet) if waiting else 0.25)
            self.wake.clear()

    def _rebuild(self, paths: set[Path]) -> None:
        """An edit to papers only is incremental; templates, static files, site.yaml and docs
        pages rebuild everything (the search index follows in the background)."""
        from generator.incremental import is_paper

        paths = {p for p in paths if p.suffix == ".md" or not _under(p, self.config.content_dir)}
        if not paths:
            return  # an editor's temporary file came and went
        names = ", ".join(sorted(_short(p, self.config.root) for p in paths)[:5]) + (" …" if len(paths) > 5 else "")
        try:
            if all(is_paper(p, self.config) for p in paths):
                update = self.live.update_papers(sorted(paths), early=self._reload)
            else:
                update = self.live.rebuild_all(load_config(self.config.root))
                self.config = self.live.config
        except InputError as exc:
            message = "\n".join(str(p) for p in exc.problems)
            say(f"rebuild failed ({names}):\n{message}")
            self.broadcaster.send("broken", {"message": message})
            return
        except Exception as exc:  # keep serving the last good site whatever happened
            say(f"rebuild failed ({names}): internal error: {type(exc).__name__}: {exc}")
            self.broadcaster.send("broken", {"message": f"internal error: {exc}"})
            return
        say(f"{names}: {update.describe()}")
        self.broadcaster.send("reload", None if update.full else {"paths": update.rendered + update.removed})
        self.search_due = time.monotonic() + SEARCH_REFRESH_AFTER

    def _reload(self, paths: list[str]) -> None:
        self.broadcaster.send("reload", {"paths": paths})

    def _refresh_search(self) -> None:
        try:
            notes = self.live.refresh_derived()
            say("search index refreshed" + (f" ({notes[0]})" if notes else ""))
        except Exception as exc:
            say(f"search index refresh failed: {exc}")
        finally:
            self.refreshing.clear()
            self.wake.set()


def _ignored(path: Path) -> bool:
    # Editors' swap, backup and temp files; atomic saves end in a rename onto the real name.
    name = path.name
    return (name.startswith((".", "#")) or name.endswith(("~", ".swp", ".swx", ".tmp", ".part"))
            or "__pycache__" in path.parts)


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
        return True
    except ValueError:
        return False


def _short(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def watch(config: SiteConfig, rebuilder: Rebuilder):
    from watchdog.events import FileSystemEventHandler
    from watchdog.observers import Observer

    class Events(FileSystemEventHandler):
        def on_any_event(self, event):
            if event.event_type in ("opened", "closed_no_write") or event.is_directory:
                return
            for attr in ("src_path", "dest_path"):
                value = getattr(event, attr, None)
                if value:
                    rebuilder.changed(Path(value))

    observer = Observer()
    handler = Events()
    for folder in (config.content_dir, config.templates_dir, config.static_dir):
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.schedule(_RootFiles(handler, config), str(config.root), recursive=False)
    observer.daemon = True
    observer.start()
    return observer


class _RootFiles:
    """Only site.yaml and the files it names matter at the project's top level."""

    def __init__(self, inner, config: SiteConfig):
        self.inner, self.config = inner, config

    def dispatch(self, event):
        names = {"site.yaml", "tags.yaml"}
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        if any(Path(p).name in names for p in paths if p):
            self.inner.dispatch(event)


def serve(config: SiteConfig, host: str, port: int, search: bool = True) -> None:
    from generator.incremental import LiveSite

    try:
        server = ThreadingHTTPServer((host, port), make_handler(config.output_dir, None))
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}",
                         hint=f"another server may be running; try --port {port + 1}") from None
    started = time.perf_counter()
    live = LiveSite(config, config.output_dir, search=search)
    say(f"built {len(live.keys)} pages in {time.perf_counter() - started:.2f}s")
    broadcaster = Broadcaster()
    server.RequestHandlerClass = make_handler(config.output_dir, broadcaster)
    server.daemon_threads = True
    rebuilder = Rebuilder(config, live, broadcaster, search)
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
