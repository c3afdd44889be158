"""What makes two texts the same for telling papers apart: letters and digits, case-folded."""
from __future__ import annotations

import re
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@lru_cache(maxsize=1 << 15)  # an import asks for each abstract's key about seven times
def abstract_key(text: str) -> str:
    """What makes two abstracts the same abstract: letters and digits, case-folded."""
    return _NOT_WORD.sub("", text.casefold())


# What exports put where there is no abstract. Two papers "share" these, and that says nothing.
PLACEHOLDER_ABSTRACTS = frozenset(abstract_key(t) for t in (
    "Not Available", "Not available.", "No abstract available", "No abstract available.", "Abstract not available",
    "[No abstract available]", "N/A", "NA", "None", "No abstract", "Abstract", "TBD", "To appear", "Unknown"))
MIN_EVIDENCE_CHARS = 60  # an abstract key shorter than this (a sentence fragment) identifies nothing


def evidence_key(text: str, min_chars: int = MIN_EVIDENCE_CHARS) -> str:
    """The abstract key when the abstract can tell papers apart, else ''."""
    key = abstract_key(text)
    return key if len(key) >= min_chars and key not in PLACEHOLDER_ABSTRACTS else ""


def title_key(title: str) -> str:
    return abstract_key(title)
