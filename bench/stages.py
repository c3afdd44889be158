"""One `litsite build` of a project, with its stage timings written beside it (for run.py).

    python bench/stages.py PROJECT                # a full build: pages, Pagefind, offline index
    python bench/stages.py PROJECT --no-pagefind  # everything but Pagefind (the offline index is kept)
    python bench/stages.py PROJECT --if-changed   # what `litsite build` does: nothing when nothing changed

The timings go to PROJECT/.bench-stages.json, outside _site/: a file added to the output would
make the next build see an output touched by hand.
"""
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build.pipeline import build, build_if_changed
from generator.content.config import load_config
from generator.search.offline import write_fallback_index

started = time.perf_counter()
project = Path(sys.argv[1])
pagefind = "--no-pagefind" not in sys.argv
if "--if-changed" in sys.argv:
    summary = build_if_changed(load_config(project))
    rendered = re.search(r"(\d+) rendered", summary)
    pages = re.search(r"(\d+) pages", summary)
    stages = {"total": time.perf_counter() - started, "summary": summary,
              "rendered": int(rendered.group(1)) if rendered else 0 if "nothing changed" in summary
              else int(pages.group(1)) if pages else -1}
else:
    result = build(load_config(project), search=pagefind)
    if not pagefind:
        clock = time.perf_counter()
        write_fallback_index(result.site, result.output)
        result.timings["offline search index"] = time.perf_counter() - clock
    stages = {**result.timings, "total": time.perf_counter() - started, "rendered": result.rendered}
    summary = result.summary()
(project / ".bench-stages.json").write_text(json.dumps(stages))
print(summary)
