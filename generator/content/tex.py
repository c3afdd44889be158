"""TeX in titles and abstracts, as bibliographies write it (`$\\Sigma\\Delta$ modulators`,
`In$_{1-x}$Ga$_x$N`, `{\\TeX}: The Program`), made into plain text for every place that takes
text: slugs, `<title>`, meta tags, the feed, the BibTeX export, the search index.

The paper file keeps the TeX; pages show its maths as MathML (render/tex.py).
"""
from __future__ import annotations

import re
from functools import lru_cache

# `$...$` and `\(...\)`; a `\$` is a dollar sign, not maths.
MATH = re.compile(r"(?<!\\)\$(?!\$)(.+?)(?<!\\)\$|\\\((.+?)\\\)", re.DOTALL)
_TEX_HINT = re.compile(r"\$|\\[A-Za-z(]")
LOGOS = {"TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2ε", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
         "LuaTeX": "LuaTeX", "ConTeXt": "ConTeXt", "AmS": "AMS", "AMSTeX": "AMS-TeX", "METAFONT": "METAFONT",
         "MF": "METAFONT", "MP": "MetaPost", "biber": "Biber", "BibLaTeX": "BibLaTeX", "eTeX": "ε-TeX",
         "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX", "LyX": "LyX"}
_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()in", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿ")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(\\?[A-Za-z0-9+\-=]))")


def has_tex(text: str) -> bool:
    return bool(_TEX_HINT.search(text))


def plain_text(text: str) -> str:
    """The text a reader sees, without TeX: maths as Unicode (ΣΔ, In₁₋ₓGaₓN), logos by name."""
    return _plain(text) if has_tex(text) else text


@lru_cache(maxsize=4096)
def _plain(text: str) -> str:
    # Only the maths and macros go through the LaTeX decoder: text around them is already
    # Unicode (import decoded it), where '%' and '~' are characters, not TeX.
    text = MATH.sub(lambda m: _math_text(m.group(1) if m.group(1) is not None else m.group(2)), text)
    text = _MACRO.sub(lambda m: _macro_text(m.group(0)), _SPACING.sub(" ", text))
    # Braces left are TeX's grouping (`{\TeX book}`, `\emph{x}`), never a reader's.
    return " ".join(text.replace("\\$", "$").replace("{", "").replace("}", "").split())


def _math_text(math: str) -> str:
    return decoder().latex_to_text("{" + _scripts(math).replace("%", "\\%") + "}")


_SPACING = re.compile(r"\\[,;: !]")
_MACRO = re.compile(r"\{?\\([A-Za-z]+)\b(?:\{\})?\}?")


def _macro_text(macro: str) -> str:
    name = macro.strip("{}").lstrip("\\").removesuffix("{}").strip("{}")
    if name in LOGOS:
        return LOGOS[name]
    return decoder().latex_to_text(macro)


def _scripts(math: str) -> str:
    """Sub- and superscripts as Unicode where every character has one, else inline."""
    def one(match: re.Match) -> str:
        body = match.group(2) if match.group(2) is not None else match.group(3)
        table = _SUB if match.group(1) == "_" else _SUP
        converted = body.replace(" ", "").translate(table)
        return converted if all(ord(c) > 127 for c in converted) else body
    return _SCRIPT.sub(one, math)


def decoder():
    """Maths as text: for plain_text."""
    return latex_decoder("text")


@lru_cache(maxsize=2)
def latex_decoder(math_mode: str):
    """pylatexenc's LaTeX-to-text knowing TeX's logos (its own table turns `{\\TeX}: The Program`
    into ': The Program'). math_mode "text" gives maths as text (plain_text); "verbatim" keeps it
    as TeX (BibTeX import: the paper file keeps it, pages render it)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category("litsite-logos", prepend=True,
                                 macros=[MacroTextSpec(name, simplify_repl=text) for name, text in LOGOS.items()]
                                 + [MacroTextSpec("url", simplify_repl="%s")])
    return LatexNodes2Text(latex_context=context, math_mode=math_mode, keep_braced_groups=False)
