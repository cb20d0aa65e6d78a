"""User text and engine prose as LaTeX: :func:`escape_tex` (prose, math identifiers), :func:`escape_tt` (DSL in
typewriter, breakable and copyable) and :func:`prose` (engine notes, with relation signs and powers set as math).

Both escapes cover ``\\ { } $ & # ^ _ % ~`` and turn characters a plain
``pdflatex`` cannot set (non-ASCII, control characters) into
``\\unichar{XXXX}`` (defined in the preamble). What they return is a
:class:`Tex`, which the template environment prints as is; any other value is
escaped there.

>>> escape_tt("conv(k_1, stride=2)")
'conv(k\\\\char95{}1,\\\\allowbreak{} stride=2)'
"""

from __future__ import annotations

import re

__all__ = ["Tex", "escape_tex", "escape_tt", "prose"]


class Tex(str):
    """A string that is already LaTeX: the templates print it without escaping."""


_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\ensuremath{\$}", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
# In the typewriter font every ASCII glyph sits at its own code, so \char gives the glyph itself.
# (\$ would take the dollar from a TS1 font, which a minimal TeX Live only has as a bitmap.)
_TT = {"\\": r"\char92{}", "{": r"\char123{}", "}": r"\char125{}", "^": r"\char94{}", "_": r"\char95{}",
       "~": r"\char126{}", "'": r"\char13{}", "$": r"\char36{}", "&": r"\&", "#": r"\#", "%": r"\%"}
_BREAK_AFTER = frozenset("([,*/")
#: DSL text breaks only between tokens: after a comma (and at spaces), never inside ``k[3]`` or ``conv(``.
_BREAK_TT = frozenset(",")


def _escape(text: str, table: dict, breakable: bool, breaks: frozenset = _BREAK_AFTER) -> Tex:
    out = []
    for ch in str(text):
        if ch in table:
            out.append(table[ch])
        elif ch in "\t\n\r\f\v":
            out.append(" ")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(rf"\unichar{{{ord(ch):04X}}}")
        if breakable and ch in breaks:
            out.append(r"\allowbreak{}")
    return Tex("".join(out))


def escape_tex(text: str, breakable: bool = False) -> Tex:
    """``text`` as LaTeX prose: every special character escaped, whitespace made one line.

    With ``breakable`` a line may also break after ``( [ , * /``.

    >>> print(escape_tex(r"a\\b ~ $x^2$ #1 50%"))
    a\\textbackslash{}b \\textasciitilde{} \\ensuremath{\\$}x\\textasciicircum{}2\\ensuremath{\\$} \\#1 50\\%
    >>> escape_tex("k\u03b1")
    'k\\\\unichar{03B1}'
    """
    return _escape(text, _TEXT, breakable)


def escape_tt(text: str) -> Tex:
    """``text`` for ``\\texttt``: the exact ASCII characters, with a break allowed after each comma."""
    return _escape(text, _TT, True, _BREAK_TT)


_PROSE = ((">=", r"$\ge$"), ("<=", r"$\le$"), ("!=", r"$\ne$"))


def prose(text: str) -> Tex:
    """Engine prose (a note, a step the report has no formula for) as LaTeX text: escaped, breakable,
    with ``>=``, ``<=`` and ``!=`` set as relation signs and a quoted word as ```same'``.

    >>> print(prose("padding='same' for n >= 3, up to 10^6"))
    padding=`same' for n $\\ge$ 3,\\allowbreak{} up to $10^{6}$
    """
    out, last = [], 0
    for match in _POWER.finditer(str(text)):  # 10^6, z^2: a power is mathematics, not a caret accent
        out.append(_prose_text(text[last:match.start()]))
        out.append(Tex(rf"${match.group(1)}^{{{match.group(2)}}}$"))
        last = match.end()
    out.append(_prose_text(str(text)[last:]))
    return Tex("".join(out))


_POWER = re.compile(r"(?<![\w^])([A-Za-z]|\d+)\^(-?\d+|[A-Za-z])(?![\w^])")


def _prose_text(text: str) -> str:
    pieces = [text]
    for code, _ in _PROSE:
        pieces = [part for piece in pieces for part in _split_keep(piece, code)]
    table = dict(_PROSE)
    return "".join(table[p] if p in table else _quoted(escape_tex(p, breakable=True)) for p in pieces)


def _quoted(text: str) -> str:
    """A word in straight single quotes with an opening quote (two right quotes otherwise)."""
    return re.sub(r"(?<![\w`])'([A-Za-z0-9_\\{}]+)'", r"`\1'", text)


def _split_keep(text: str, sep: str) -> list[str]:
    parts = text.split(sep)
    out = []
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append(part)
    return out
