"""One `litsite build` of a project, with its stage timings written beside the site (for run.py)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.build import build  # noqa: E402
from generator.config import load_config  # noqa: E402

result = build(load_config(Path(sys.argv[1])))
(result.output / ".bench-stages.json").write_text(json.dumps({**result.timings, "total": result.seconds}))
print(result.summary())
