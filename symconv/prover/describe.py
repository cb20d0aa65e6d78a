"""Readable statements of normal forms: effective kernels, strides, paddings, lengths.

Everything here renders; nothing decides. Kernels are shown as tap lists of
SymPy expressions and as ``K(z)`` polynomials in the notation of the reports.
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.algebra.normal_form import LinearChain
from symconv.algebra.polyphase import Polyphase
from symconv.algebra.tap_print import floor_affine_latex, floor_affine_text, poly_latex_text, poly_text
from symconv.core.layers import Layer
from symconv.core.output_length import length_symbol, output_length

__all__ = ["branch_coefficients", "branch_taps", "describe_interior", "length_formula", "length_text", "poly_latex",
           "taps_text"]

def branch_coefficients(op: Polyphase, phase: int = 0) -> tuple[int, list]:
    """``(start, coefficients)`` of phase ``phase`` from its lowest exponent, as engine values.

    The values are the engine's own (:class:`~symconv.algebra.tap_poly.TapPoly` or
    rationals): nothing is converted to SymPy. For one channel a flat list;
    for several, ``[out][in][taps]`` over a common span.
    """
    entries = [e for row in op.phases[phase] for e in row if e.terms]
    if not entries:
        return 0, []
    lo = min(e.support()[0] for e in entries)
    hi = max(e.support()[1] for e in entries)
    nested = [[e.coefficients(lo, hi + 1) for e in row] for row in op.phases[phase]]
    if len(nested) == 1 and len(nested[0]) == 1:
        return lo, nested[0][0]
    return lo, nested


def branch_taps(op: Polyphase, ring, phase: int = 0) -> tuple[int, list]:
    """:func:`branch_coefficients` as SymPy expressions (for results handed to the user)."""
    start, coefficients = branch_coefficients(op, phase)
    return start, _nested_map(coefficients, ring.to_expr)


def _nested_map(values, f):
    return [_nested_map(v, f) for v in values] if isinstance(values, list) else f(values)


def taps_text(values) -> str:
    """A (nested) list of engine coefficients as SymPy would print the list of their expressions."""
    if isinstance(values, list):
        return "[" + ", ".join(taps_text(v) for v in values) + "]"
    return poly_text(values)


def poly_latex(taps: list, start: int) -> str:
    r"""``sum_t taps[t] z^{start + t}`` in LaTeX, in increasing powers of z (single channel).

    ``taps`` are SymPy expressions or engine coefficients (printed without SymPy).

    >>> import sympy
    >>> a, b = sympy.symbols("a b")
    >>> poly_latex([a**2, 0, a + b], -1)
    'a^{2} z^{-1} + \\left(a + b\\right) z'
    """
    parts = []
    for t, c in enumerate(taps):
        if isinstance(c, sympy.Basic):
            c = sympy.expand(c)
            text, is_sum = (sympy.latex(c) if c != 0 else ""), isinstance(c, sympy.Add)
        else:
            text, is_sum = (poly_latex_text(c) if c else ""), len(getattr(c, "terms", ())) > 1
        if c == 0:
            continue
        power = start + t
        monomial = "" if power == 0 else ("z" if power == 1 else f"z^{{{power}}}")
        if not monomial:
            body = text
        elif c == 1:
            body = monomial
        elif c == -1:
            body = "-" + monomial
        elif is_sum:
            body = f"\\left({text}\\right) {monomial}"
        else:
            body = f"{text} {monomial}"
        parts.append(body)
    if not parts:
        return "0"
    text = parts[0]
    for body in parts[1:]:
        text += f" - {body[1:]}" if body.startswith("-") else f" + {body}"
    return text


def describe_interior(nf: LinearChain) -> str:
    """One line: ``stride S, offset p, kernel [...]`` per polyphase branch."""
    op = nf.interior()
    parts = []
    for r in range(op.out_period):
        start, taps = branch_coefficients(op, r)
        prefix = f"branch {r}: " if op.out_period > 1 else ""
        parts.append(f"{prefix}stride {op.in_period}, first tap at offset {start}, kernel {taps_text(taps)}")
    text = "; ".join(parts)
    if nf.input_flip:
        text = "flip(), then " + text
    return text


def closed_length(nf: LinearChain, start: int, period: int) -> tuple[sympy.Expr, int] | None:
    """``(floor((a n + c) / b), n_min)``: the output length for ``n >= n_min`` (0 below), when it has that form.

    Fitted on ``[0, start + 2 period)`` with ``a / b`` the chain's rate; past
    ``start`` the length is quasi-affine with period ``period``, so agreement
    on that range is agreement for every n.
    """
    fitted = closed_length_terms(nf, start, period)
    if fitted is None:
        return None
    a, b, c, n_min = fitted
    return floor_affine(a, b, c), n_min


def floor_affine(a: int, b: int, c: int) -> sympy.Expr:
    """``floor((a n + c) / b)`` as a SymPy expression in the input length ``n``."""
    return sympy.floor((a * length_symbol() + c) / sympy.Integer(b))


def closed_length_latex(nf: LinearChain, start: int, period: int) -> tuple[str, int] | None:
    """``(sympy.latex(expr), n_min)`` for :func:`closed_length`'s ``(expr, n_min)``, printed without SymPy."""
    fitted = closed_length_terms(nf, start, period)
    if fitted is None:
        return None
    latex = floor_affine_latex(*fitted[:3])
    return (sympy.latex(closed_length(nf, start, period)[0]) if latex is None else latex), fitted[3]


def closed_length_terms(nf: LinearChain, start: int, period: int) -> tuple[int, int, int, int] | None:
    """``(a, b, c, n_min)`` of :func:`closed_length`, as integers."""
    rate = nf.rate()
    a, b = rate.numerator, rate.denominator
    horizon = start + 2 * period
    lengths = [nf.output_length(k) for k in range(horizon)]
    positive = [k for k in range(horizon) if lengths[k] > 0]
    if not positive:
        return None
    n_min = positive[0]
    if any(lengths[k] == 0 for k in range(n_min, horizon)):
        return None
    base = b * lengths[start] - a * start
    for c in range(base, base + b):
        if all((a * k + c) // b == lengths[k] for k in range(n_min, horizon)):
            return a, b, c, n_min
    return None


def length_formula(nf: LinearChain, start: int, period: int) -> str:
    """The output length as text: ``floor(n/4 - 3/4) for n >= 7 (0 below)`` style (:func:`length_text` of
    :func:`closed_length`, printed without SymPy where it has that form)."""
    fitted = closed_length_terms(nf, start, period)
    text = None if fitted is None else floor_affine_text(*fitted[:3])
    if text is None:
        return length_text(nf.source, closed_length(nf, start, period))
    return text if fitted[3] <= 1 else f"{text} for n >= {fitted[3]} (0 below)"


def length_text(chain: Layer, fitted: Optional[tuple[sympy.Expr, int]], name: str = "n") -> str:
    """The output length of ``chain`` as text in the input length ``name``.

    ``fitted = (floor((a n + c) / b), n_min)`` (:func:`closed_length`) gives
    ``floor(...) for n >= n_min (0 below)``; without one, the layer-by-layer
    formula of the length table (:func:`symconv.core.output_length.output_length`).
    The symbol is renamed as an object, so an N-D axis reads ``n1``, ``n2``, ...

    >>> from symconv.core.layers import conv
    >>> from symconv.core.kernel import kernel
    >>> length_text(conv(kernel("k", 3)), (length_symbol() - 2, 3), "n2")
    'n2 - 2 for n2 >= 3 (0 below)'
    >>> length_text(conv(kernel("k", 3), stride=2), None, "n1")
    'Max(0, floor(n1/2 - 3/2) + 1)'
    """
    n = length_symbol(name)
    if fitted is None:
        return str(sympy.simplify(output_length(chain, n)))
    expr, n_min = fitted
    text = str(expr.subs(length_symbol(), n))
    return text if n_min <= 1 else f"{text} for {n} >= {n_min} (0 below)"
