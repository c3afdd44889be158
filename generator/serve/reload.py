"""Live reload: the script `serve` adds to every HTML response, and the events it listens to."""
from __future__ import annotations

import queue
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


def inject(html: bytes) -> bytes:
    marker = b"</body>"
    at = html.rfind(marker)
    script = LIVE_RELOAD_SCRIPT.encode()
    return html[:at] + script + html[at:] if at >= 0 else html + script
