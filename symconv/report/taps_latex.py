"""Tap lists and generating polynomials in LaTeX: ``K[t] = ...`` lines and ``sum_t K[t] z^t``.

>>> import sympy
>>> polynomial_latex([1, -2, sympy.Symbol("a")], 0, lambda s: s.name)
'1 - 2 z + a z^{2}'
"""

from __future__ import annotations

from symconv.lazy_import import sympy

from symconv.report.symbol_math import expr_latex
from symconv.report.tex_escape import Tex

__all__ = ["polynomial_latex", "tap_lines"]


def polynomial_latex(taps: list, start: int, names) -> Tex:
    """``sum_t taps[t] z^{start + t}`` in LaTeX, with line breaks allowed between terms.

    Unlike ``describe.poly_latex`` (``\\left( \\right)`` groups, which TeX cannot
    break), a sum coefficient is wrapped in ``\\bigl( \\bigr)``.
    """
    z = sympy.Symbol("z")
    terms = []
    for t, c in enumerate(taps):
        c = sympy.expand(c)
        if c == 0:
            continue
        power = expr_latex(z ** (start + t), names) if start + t else ""
        sign = "+"
        if isinstance(c, sympy.Add):
            body = rf"\bigl({expr_latex(c, names)}\bigr)"
        else:
            if c.could_extract_minus_sign():
                sign, c = "-", -c
            body = expr_latex(c, names)
            if c == 1 and power:
                body = ""
        terms.append((sign, f"{body} {power}".strip()))
    if not terms:
        return Tex("0")
    first_sign, first = terms[0]
    out = ("-" if first_sign == "-" else "") + first
    return Tex(out + "".join(f" {s} {body}" for s, body in terms[1:]))


def tap_lines(taps, names, label: str = "K") -> list[Tex]:
    """``K[t] = ...`` for a flat tap list; ``K_{o,i}[t] = ...`` for a nested one."""
    if taps and isinstance(taps[0], (list, tuple)):
        return [Tex(rf"{label}_{{{o},{i}}}[{t}] = {expr_latex(v, names)}")
                for o, row in enumerate(taps) for i, entry in enumerate(row) for t, v in enumerate(entry)]
    return [Tex(rf"{label}[{t}] = {expr_latex(v, names)}") for t, v in enumerate(taps)]
