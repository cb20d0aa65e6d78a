"""Output lengths as formulas, with their case split: ``floor((n - 3)/4) + 1`` for ``n >= 7``, 0 below.

>>> n = sympy.Symbol("n")
>>> print(length_cases(n - 2, 3))
\\begin{cases} n - 2 & \\text{if } n \\ge 3, \\\\ 0 & \\text{if } 0 \\le n < 3 \\end{cases}
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.report.symbol_math import SymbolNames, expr_latex
from symconv.report.tex_escape import Tex

__all__ = ["length_cases", "generic_length_cases"]


def _tidy(expr: object) -> object:
    """``floor(n/4 - 3/4)`` as ``floor((n - 3)/4)``: every floor's argument over one denominator."""
    if not isinstance(expr, sympy.Basic):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.floor), lambda e: sympy.floor(sympy.together(e.args[0])))


def length_cases(expr: object, n_min: int, names: SymbolNames = SymbolNames(), n: str = "n") -> Tex:
    """An output length with its case split: ``expr`` for ``n >= n_min``, 0 below (no split when ``n_min <= 1``).

    >>> n = sympy.Symbol("n")
    >>> print(length_cases(sympy.floor(n / 4 - sympy.Rational(3, 4)), 7))
    \\begin{cases} \\left\\lfloor{\\dfrac{n - 3}{4}}\\right\\rfloor & \\text{if } n \\ge 7, \\\\ 0 & \\text{if } 0 \\le n < 7 \\end{cases}
    """
    body = expr_latex(_tidy(expr), names)
    if n_min <= 1:
        return body
    body = Tex(body.replace(r"\frac", r"\dfrac"))  # a case's fraction in display size: readable
    return Tex(rf"\begin{{cases}} {body} & \text{{if }} {n} \ge {n_min}, \\ 0 & \text{{if }} 0 \le {n} < {n_min} "
               rf"\end{{cases}}")


def generic_length_cases(form, symbol: sympy.Symbol, names: SymbolNames = SymbolNames()) -> Optional[Tex]:
    """The output length of a chain with a generic kernel length ``c`` (a ``LengthForm``), with its case split.

    ``L(n) = floor((a n + u c + v) / D) + 1`` for ``n >= T(c)`` and 0 below, with ``T(c)`` affine in c
    from some c on and its first values listed apart. None when the form has no such closed form.
    """
    closed = form.closed_form()
    fit = form.threshold.affine_from()
    if closed is None or fit is None:
        return None
    a, u, v, divisor = closed
    n = sympy.Symbol("n")
    inner = a * n + u * symbol + v
    value = sympy.floor(inner / divisor) + 1 if divisor > 1 else inner + 1
    start, slope, intercept = fit
    threshold = slope * symbol + intercept
    c = expr_latex(symbol, names)
    if start > 1:
        groups: dict[int, list[int]] = {}
        for small in range(1, start):
            groups.setdefault(form.threshold(small), []).append(small)
        rows = [rf"{expr_latex(threshold, names)} & \text{{if }} {c} \ge {start}"]
        for value_t, cs in groups.items():
            where = rf"{c} = {cs[0]}" if len(cs) == 1 else rf"{c} \in \{{{', '.join(map(str, cs))}\}}"
            rows.append(rf"{value_t} & \text{{if }} {where}")
        t = Tex(r"T(" + c + r")")
        tail = Tex(r", \qquad " + t + r" = \begin{cases} " + r", \\ ".join(rows) + r" \end{cases}")
    else:
        t, tail = expr_latex(threshold, names), Tex("")
    shown = expr_latex(_tidy(value), names).replace(r"\frac", r"\dfrac")  # display-size fraction in a case
    return Tex(rf"\begin{{cases}} {shown} & \text{{if }} n \ge {t}, \\ 0 & \text{{if }} "
               rf"0 \le n < {t} \end{{cases}}{tail}")
