"""TeX maths in titles and abstracts as MathML, rendered at build time (latex2mathml): pages
show `In₁₋ₓGaₓN` and `ΣΔ` as maths, offline and without JavaScript. Text between the maths is
escaped; maths latex2mathml cannot read is shown as its plain text (content/tex.py)."""
from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from generator.content.tex import MATH, has_tex, plain_text


def tex_html(text: str) -> Markup:
    if not has_tex(text):
        return escape(text)
    return _html(text)


@lru_cache(maxsize=4096)
def _html(text: str) -> Markup:
    parts, at = [], 0
    for match in MATH.finditer(text):
        parts.append(escape(plain_text(text[at:match.start()])))
        parts.append(_mathml(match.group(1) if match.group(1) is not None else match.group(2)))
        at = match.end()
    parts.append(escape(plain_text(text[at:])))
    return Markup("").join(parts)


def _mathml(tex: str) -> Markup:
    from latex2mathml.converter import convert

    try:
        return Markup(convert(tex).replace(' xmlns="http://www.w3.org/1998/Math/MathML"', ""))
    except Exception:  # latex2mathml raises assorted errors on TeX it does not know
        return escape(plain_text(f"${tex}$"))
