"""When to share work out to forked worker processes (one per core)."""
from __future__ import annotations

import multiprocessing as mp
import os


def fork_workers(wanted: bool, items: int, threshold: int, cap: int = 8) -> int:
    """How many forked workers to use, or 0 to stay in this process: below `threshold` items
    starting workers costs more than it saves, and `serve` (threads) must never fork."""
    workers = min(os.cpu_count() or 1, cap)
    if not wanted or workers < 2 or items < threshold or "fork" not in mp.get_all_start_methods():
        return 0
    return workers
