"""The one order both offline indexes number papers in, and the key that names it."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence


def order_key(slugs: Sequence[str]) -> str:
    """Names one order of papers: search-index.js and search-vectors.js must share it, or the
    browser would read one paper's vector as another's (after a partial write, say)."""
    return hashlib.sha1("\n".join(slugs).encode("utf-8")).hexdigest()[:12]
