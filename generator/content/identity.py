"""What makes two texts the same for telling papers apart: letters and digits, case-folded."""
from __future__ import annotations

import re
from functools import lru_cache

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


# Every ASCII character that is not a letter or digit, deleted: str.translate does in 3 us what
# the regex does in 50 (an abstract of 1,500 characters), and most abstracts are ASCII.
_ASCII_NOT_WORD = {code: None for code in range(128) if not chr(code).isalnum()}


@lru_cache(maxsize=1 << 15)  # an import asks for each abstract's key about seven times
def abstract_key(text: str) -> str:
    """What makes two abstracts the same abstract: letters and digits, case-folded."""
    folded = text.casefold()
    return folded.translate(_ASCII_NOT_WORD) if folded.isascii() else _NOT_WORD.sub("", folded)


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
