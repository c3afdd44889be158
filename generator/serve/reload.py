"""Live reload: the script `serve` adds to every HTML response, and the events it listens to."""
from __future__ import annotations

import contextlib
import json
import socket
import threading

EVENTS_PATH = "/__litsite/events"

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
  var source = new EventSource("EVENTS_PATH");
  // A reload names the pages it changed: only a tab showing one of them reloads.
  var here = decodeURIComponent(location.pathname).replace(/^\\//, "").replace(/(^|\\/)$/, "$1index.html");
  // Marks on the page that tests (and curious readers) can wait on instead of guessing times.
  source.addEventListener("open", function () { document.documentElement.dataset.litsiteLive = "open"; });
  source.addEventListener("reload", function (e) {
    var paths = JSON.parse(e.data || "{}").paths;
    if (!paths || paths.indexOf(here) >= 0) location.reload();
    else document.dispatchEvent(new CustomEvent("litsite-reload-skipped", { detail: paths }));
  });
  source.addEventListener("broken", function (e) { overlay(JSON.parse(e.data).message); });
  source.addEventListener("fixed", function () { if (box) { box.remove(); box = null; } });
})();
</script>""".replace("EVENTS_PATH", EVENTS_PATH)


class Broadcaster:
    """Fans events out to every open EventSource; remembers whether the site is broken.

    A listener is its socket, handed over by the request handler once the stream's headers
    are sent: hundreds of open tabs then hold no thread each, only a socket. Writes are short
    and time out, so a stalled listener is dropped instead of holding up the others."""

    KEEP_ALIVE_SECONDS = 15.0
    WRITE_TIMEOUT = 2.0

    def __init__(self) -> None:
        self._listeners: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self.error: str | None = None
        threading.Thread(target=self._keep_alive, daemon=True, name="litsite-keep-alive").start()

    def adopt(self, connection: socket.socket) -> None:
        """Take over an event-stream connection whose headers were sent."""
        connection.settimeout(self.WRITE_TIMEOUT)
        first = b": connected\n\n"
        if self.error:
            first += _event("broken", {"message": self.error})
        if self._write(connection, first):
            with self._lock:
                self._listeners.append(connection)

    def listeners(self) -> int:
        with self._lock:
            return len(self._listeners)

    def send(self, event: str, data: dict | None = None) -> None:
        events = [(event, data or {})]
        if event == "broken":
            self.error = (data or {}).get("message")
        elif event in ("fixed", "reload"):
            if self.error and event == "reload":  # tabs that do not reload must drop the overlay too
                events.insert(0, ("fixed", {}))
            self.error = None
        self._broadcast(b"".join(_event(name, payload) for name, payload in events))

    def close(self) -> None:
        self._stopped.set()
        with self._lock:
            listeners, self._listeners = self._listeners, []
        for connection in listeners:
            _close(connection)

    def _broadcast(self, message: bytes) -> None:
        with self._lock:
            listeners = list(self._listeners)
        gone = [c for c in listeners if not self._write(c, message)]
        if gone:
            with self._lock:
                self._listeners = [c for c in self._listeners if c not in gone]

    def _keep_alive(self) -> None:
        while not self._stopped.wait(self.KEEP_ALIVE_SECONDS):
            self._broadcast(b": keep-alive\n\n")

    @staticmethod
    def _write(connection: socket.socket, message: bytes) -> bool:
        try:
            connection.sendall(message)
            return True
        except OSError:  # the tab closed, or it stopped reading
            _close(connection)
            return False


def _event(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


def inject(html: bytes) -> bytes:
    marker = b"</body>"
    at = html.rfind(marker)
    script = LIVE_RELOAD_SCRIPT.encode()
    return html[:at] + script + html[at:] if at >= 0 else html + script
