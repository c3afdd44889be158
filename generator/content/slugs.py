"""Slugs: the file and URL name of a paper. Safe on every OS, stable, unique."""
from __future__ import annotations

import hashlib
import re
import unicodedata

from anyascii import anyascii

MAX_LENGTH = 80
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Windows refuses these as file names whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
VALID_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    """ASCII, lowercase, hyphenated; cut at a word boundary. May return '' for e.g. '???'.

    Accents are dropped (NFKD); letters of other scripts are transliterated (anyascii:
    'Иван Петров' -> 'ivan-petrov', '王小明' -> 'wangxiaoming'), so every name has a slug."""
    ascii_text = text if text.isascii() else _transliterated(text)
    slug = _NON_ALNUM.sub("-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut else slug[:max_length]
    return slug.strip("-")


def _transliterated(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    # Letters and digits only: anyascii would spell out emoji and symbols (':slight_smile:').
    kept = "".join(c if c.isascii() or unicodedata.category(c)[0] in "LN" else " "
                   for c in folded if not unicodedata.combining(c))
    return anyascii(kept)


def is_safe_slug(slug: str) -> bool:
    return bool(VALID_SLUG.match(slug)) and len(slug) <= MAX_LENGTH and slug not in _RESERVED


def unique_slug(text: str, taken: set[str], fallback_seed: str, folded: set[str] | None = None) -> str:
    """A safe slug for `text` not in `taken` (compared case-insensitively: macOS and Windows fold case).

    When the text slugs to nothing (emoji, CJK, '???') or to a reserved name, a stable
    `paper-<hash>` slug is made from `fallback_seed`, so re-imports give the same name.
    """
    base = slugify(text)
    if not base or base in _RESERVED:
        digest = hashlib.sha256(fallback_seed.encode("utf-8")).hexdigest()[:10]
        base = f"paper-{digest}" if not base else f"{base}-paper"
    if folded is None:  # an import naming 10,000 papers keeps this set itself (built each time: 10 s)
        folded = {t.lower() for t in taken}
    candidate, n = base, 2
    while candidate in folded:
        suffix = f"-{n}"
        candidate = base[: MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        n += 1
    return candidate
