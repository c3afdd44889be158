"""What makes two texts the same for telling papers apart: letters and digits, case-folded."""
from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def abstract_key(text: str) -> str:
    """What makes two abstracts the same abstract: letters and digits, case-folded."""
    return _NOT_WORD.sub("", text.casefold())


def title_key(title: str) -> str:
    return abstract_key(title)
