"""One `litsite build` of a project, with its stage timings written beside the site (for run.py).

    python bench/stages.py PROJECT                # a full build: pages, Pagefind, offline index
    python bench/stages.py PROJECT --no-pagefind  # everything but Pagefind (the offline index is kept)
"""
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build.pipeline import build
from generator.content.config import load_config
from generator.search.offline import write_fallback_index

started = time.perf_counter()
pagefind = "--no-pagefind" not in sys.argv
result = build(load_config(Path(sys.argv[1])), search=pagefind)
if not pagefind:
    clock = time.perf_counter()
    write_fallback_index(result.site, result.output)
    result.timings["offline search index"] = time.perf_counter() - clock
stages = {**result.timings, "total": time.perf_counter() - started, "rendered": result.rendered}
(result.output / ".bench-stages.json").write_text(json.dumps(stages))
print(result.summary())
