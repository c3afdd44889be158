"""Watching the project: file events in, a rebuild on one worker thread once edits settle."""
from __future__ import annotations

import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from generator.console import say
from generator.content.config import SiteConfig, load_config
from generator.errors import InputError
from generator.serve.live import LiveSite, RefreshInterrupted, is_paper
from generator.serve.reload import Broadcaster

# Editors write a file in several steps (ms apart): in-place writes wait for this much quiet.
# A rename into place (an atomic save's last step) leaves a whole file and waits for nothing.
DEBOUNCE_SECONDS = 0.04
SEARCH_REFRESH_AFTER = 1.5  # seconds of quiet before the search index is rebuilt


class Rebuilder:
    """Collects file events, waits for a quiet moment, then rebuilds on one worker thread."""

    def __init__(self, config: SiteConfig, live: LiveSite, broadcaster: Broadcaster):
        self.config, self.live, self.broadcaster = config, live, broadcaster
        self.pending: set[Path] = set()
        self.whole: set[Path] = set()  # pending paths whose last event was a rename (complete files)
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.last_change = 0.0
        self.search_due: float | None = None
        self.refreshing = threading.Event()
        threading.Thread(target=self._loop, daemon=True, name="litsite-rebuild").start()

    def changed(self, path: Path, renamed: bool = False) -> None:
        """A file event; `renamed` when the path is one end of a rename (an atomic save's last step)."""
        if _ignored(path):
            return
        with self.lock:
            self.pending.add(path)
            (self.whole.add if renamed else self.whole.discard)(path)
            self.last_change = time.monotonic()
            self.live.changes_seen += 1  # a refresh of the derived pages running now gives way
        self.live.give_way()
        self.wake.set()

    def _loop(self) -> None:
        while True:
            with self.lock:
                quiet = time.monotonic() - self.last_change
                batch = set(self.pending) if settled(self.pending, self.whole, quiet) else set()
                if batch:
                    self.pending.clear()
                    self.whole.clear()
                waiting = bool(self.pending)
            if batch:
                self._rebuild(batch)
                continue
            if not waiting and self.search_due and time.monotonic() >= self.search_due \
                    and not self.refreshing.is_set():
                self.search_due = None
                self.refreshing.set()
                # Its own thread: an edit made while Pagefind works is still rebuilt at once.
                threading.Thread(target=self._refresh_search, args=(self.live.changes_seen,), daemon=True,
                                 name="litsite-search").start()
                continue
            self.wake.wait(timeout=max(0.01, DEBOUNCE_SECONDS - quiet) if waiting else 0.25)
            self.wake.clear()

    def _rebuild(self, paths: set[Path]) -> None:
        """An edit to papers only is incremental; templates, static files, site.yaml and docs
        pages rebuild everything (the search index follows in the background)."""
        paths = {p for p in paths if p.suffix == ".md" or not _under(p, self.config.content_dir)}
        if not paths:
            return  # an editor's temporary file came and went
        names = ", ".join(sorted(_short(p, self.config.root) for p in paths)[:5])
        if len(paths) > 5:
            names += f" … ({len(paths)} files)"
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
        if update.full:
            self.broadcaster.send("reload", None)
        elif update.still_to_reload() or not update.early:
            self.broadcaster.send("reload", {"paths": update.still_to_reload()})
        self.search_due = time.monotonic() + SEARCH_REFRESH_AFTER

    def _reload(self, paths: list[str]) -> None:
        self.broadcaster.send("reload", {"paths": paths})

    def _refresh_search(self, since: int) -> None:
        try:
            notes = self.live.refresh_derived(since)
            say("search index refreshed" + (f" ({notes[0]})" if notes else ""))
        except RefreshInterrupted:  # an edit came in: again once edits settle
            self.search_due = time.monotonic() + SEARCH_REFRESH_AFTER
        except InputError as exc:  # e.g. Pagefind's output failed its check: the previous index stays
            say(f"search index not refreshed: {exc}")
        except Exception as exc:
            say(f"search index refresh failed: internal error: {type(exc).__name__}: {exc}")
        finally:
            self.refreshing.clear()
            self.wake.set()


def settled(pending: set[Path], whole: set[Path], quiet: float) -> bool:
    """Whether the pending changes are ready to rebuild: quiet for the debounce, or every one of
    them a complete file (renamed into place), which waits for nothing."""
    return bool(pending) and (quiet >= DEBOUNCE_SECONDS or pending <= whole)


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


class FileEvents(FileSystemEventHandler):
    """watchdog's events as paths for the rebuilder; both ends of a rename count."""

    def __init__(self, rebuilder: Rebuilder):
        self.rebuilder = rebuilder

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or event.is_directory:
            return
        for attr in ("src_path", "dest_path"):
            value = getattr(event, attr, None)
            if value:
                self.rebuilder.changed(Path(str(value)), renamed=event.event_type == "moved")


def watch(config: SiteConfig, rebuilder: Rebuilder) -> BaseObserver:
    observer = Observer()
    handler = FileEvents(rebuilder)
    for folder in (config.content_dir, config.templates_dir, config.static_dir):
        if folder.is_dir():
            observer.schedule(handler, str(folder), recursive=True)
    observer.schedule(_RootFiles(handler, config), str(config.root), recursive=False)
    observer.daemon = True
    observer.start()
    return observer


class _RootFiles(FileSystemEventHandler):
    """Only site.yaml and the files it names matter at the project's top level."""

    def __init__(self, inner: FileSystemEventHandler, config: SiteConfig):
        self.inner, self.config = inner, config

    def dispatch(self, event: FileSystemEvent) -> None:
        names = {"site.yaml", "tags.yaml"}
        paths = [getattr(event, "src_path", ""), getattr(event, "dest_path", "")]
        if any(Path(p).name in names for p in paths if p):
            self.inner.dispatch(event)
