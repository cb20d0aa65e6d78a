"""Output-length claims for every input length, decided by one period (DESIGN §4).

**Argument.** Let P be a common input period of the chains (every
intermediate length grows by an integer when n grows by P, see
:meth:`LinearChain.input_period`, which also accepts pooling and activation
layers through their window skeletons) and n0 the first n at which every
intermediate length is at least 1. Lengths never decrease with n, so past
n0 no layer is clamped at 0 and each is ``floor((a m + b) / s)`` with s
dividing the increment it receives: ``F(n + P) = F(n) + Q`` for every
n >= n0. A closed form ``T(n)`` in ``floor``/``ceiling`` of rational linear
terms has the same shape when SymPy reduces ``T(P q + r)`` to a polynomial of
degree at most 1 in the integer q, for every residue r (checked, not
assumed). Two such functions are equal on a residue class past n0 iff they
are equal at two consecutive points of the class, so equality on
``[min_n, n0 + 2P)`` decides the claim for every n.

>>> from symconv.dsl import parse_chain
>>> n = sympy.Symbol("n")
>>> compare_lengths(parse_chain("conv(k[3], stride=2, padding=1)"), sympy.floor((n - 1) / 2) + 1).verdict
'proved'
>>> compare_lengths(parse_chain("conv(k[3])"), n - 2).counterexample
{'n': 1, 'lhs': 0, 'rhs': -1}
"""

from __future__ import annotations

import math
from typing import Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.algebra.normal_form import LinearChain
from symconv.core.layers import Layer
from symconv.core.output_length import output_length
from symconv.library.evidence import Evidence

__all__ = ["compare_lengths", "lengths_at", "MAX_START"]

#: Give up (verdict unknown) when no n below this has every intermediate length >= 1.
MAX_START = 100_000

_Q = sympy.Symbol("q", integer=True)
_UNSUPPORTED = (sympy.Max, sympy.Min, sympy.Abs, sympy.Piecewise, sympy.Mod)


def _start(chain: LinearChain) -> Optional[int]:
    for n in range(1, MAX_START):
        if chain.min_length(n) >= 1:
            return n
    return None


def _target_symbol(expr: sympy.Expr) -> Optional[sympy.Symbol]:
    symbols = list(expr.free_symbols)
    return symbols[0] if symbols else None


def _expr_period(expr: sympy.Expr) -> int:
    """The lcm of the denominators of n's coefficients inside floor/ceiling."""
    n = _target_symbol(expr)
    period = 1
    if n is None:
        return period
    for atom in expr.atoms(sympy.floor, sympy.ceiling):
        for coeff in sympy.Poly(atom.args[0], n).coeffs():
            period = math.lcm(period, int(sympy.Rational(coeff).q))
    return period


def _quasi_linear(expr: sympy.Expr, period: int) -> Optional[str]:
    """None when ``expr(period q + r)`` is linear in q for every r, else the reason it is not."""
    if expr.has(*_UNSUPPORTED):
        return f"{expr} uses Max/Min/Abs/Piecewise/Mod; write it with floor and ceiling"
    n = _target_symbol(expr)
    if n is None:
        return None
    for r in range(period):
        reduced = sympy.expand(expr.subs(n, period * _Q + r))
        if reduced.has(sympy.floor, sympy.ceiling):
            return f"SymPy does not reduce {expr} at n = {period} q + {r} to a linear function of q"
        try:
            poly = sympy.Poly(reduced, _Q)
        except sympy.PolynomialError:
            return f"{expr} at n = {period} q + {r} is not a polynomial in q"
        if poly.degree() > 1 or not all(c.is_rational for c in poly.coeffs()):
            return f"{expr} at n = {period} q + {r} is {reduced}, not linear in q"
    return None


def _value(expr: sympy.Expr, n: int) -> sympy.Expr:
    symbol = _target_symbol(expr)
    value = expr if symbol is None else expr.subs(symbol, n)
    return int(value) if value.is_Integer else value


def lengths_at(layer: Layer, points: Sequence[tuple[int, int]]) -> Evidence:
    """``len(layer)(n) == m`` for each ``(n, m)``: exact integer arithmetic."""
    rows = []
    for n, expected in points:
        got = output_length(layer, n)
        rows.append({"n": n, "expected": expected, "length": got})
        if got != expected:
            return Evidence("refuted", f"length {got} at n = {n}, not {expected}", {"lengths": rows},
                            {"n": n, "lhs": got, "rhs": expected})
    return Evidence("proved", f"{len(points)} length(s) computed exactly", {"lengths": rows})


def compare_lengths(lhs: Layer, target: Union[Layer, sympy.Expr], *, modulus: int = 1,
                    residues: Optional[Sequence[int]] = None, min_n: int = 1) -> Evidence:
    """Decide ``len(lhs)(n) == target(n)`` for every ``n >= min_n`` with ``n % modulus in residues``.

    ``target`` is another chain or a SymPy expression in ``n`` (see the module docstring), or for an N-D
    ``lhs`` a tuple of SymPy expressions in ``n``, one per axis (:func:`_compare_lengths_per_axis`).
    """
    if isinstance(target, tuple):
        return _compare_lengths_per_axis(lhs, target, modulus=modulus, residues=residues, min_n=min_n)
    residues = set(range(modulus)) if residues is None else {r % modulus for r in residues}
    chains = [LinearChain.of(lhs, skeleton=True)]
    if isinstance(target, Layer):
        chains.append(LinearChain.of(target, skeleton=True))
        period = math.lcm(modulus, *(c.input_period() for c in chains))
        reason = None
    else:
        period = math.lcm(modulus, chains[0].input_period(), _expr_period(target))
        reason = _quasi_linear(target, period)
    if reason is not None:
        return Evidence("unknown", reason)
    starts = [_start(c) for c in chains]
    if any(s is None for s in starts):
        return Evidence("unknown", f"some intermediate length stays 0 for every n < {MAX_START}")
    start = max(min_n, *starts)  # type: ignore[arg-type]
    horizon = start + 2 * period

    def rhs(n: int):
        return output_length(target, n) if isinstance(target, Layer) else _value(target, n)

    checked = 0
    for n in range(max(min_n, 0), horizon):
        if n % modulus not in residues:
            continue
        a, b = output_length(lhs, n), rhs(n)
        checked += 1
        if a != b:
            return Evidence("refuted", f"lengths differ at n = {n}: {a} against {b}",
                            {"period": period, "start": start}, {"n": n, "lhs": a, "rhs": b})
    data = {"period": period, "start": start, "checked_below": horizon, "lengths_checked": checked}
    return Evidence("proved", f"equal for every n < {horizon} and quasi-linear with period {period} "
                              f"from n = {start}, hence for every n", data)


def _compare_lengths_per_axis(lhs: Layer, formulas: tuple[sympy.Expr, ...], *, modulus: int,
                              residues: Optional[Sequence[int]], min_n: int) -> Evidence:
    """Decide ``len(lhs)(n1, ..., nd) == (F1(n1), ..., Fd(nd))`` for every claimed ``n_a`` (each in its own n).

    The output shape of an N-D chain is the 1-D length table on each axis projection
    (:func:`symconv.core.layers_nd.output_shape`), so the claim is the 1-D claim per axis; the data
    carries one period (the lcm of the axes') and one start (the largest) that serve every axis.
    """
    from symconv.core.layers_nd import axis_chain

    if lhs.ndim != len(formulas):
        return Evidence("unknown", f"{len(formulas)} length formula(s) for the {lhs.ndim}-D chain {lhs!r}; "
                                   f"expected one per axis")
    periods, starts, checked = [], [], 0
    for axis, formula in enumerate(formulas):
        ev = compare_lengths(axis_chain(lhs, axis), formula, modulus=modulus, residues=residues, min_n=min_n)
        if ev.verdict != "proved":
            example = None if ev.counterexample is None else dict(ev.counterexample, axis=axis + 1)
            return Evidence(ev.verdict, f"axis {axis + 1}: {ev.detail}", ev.data, example)
        periods.append(ev.data["period"])
        starts.append(ev.data["start"])
        checked += ev.data["lengths_checked"]
    period, start = math.lcm(*periods), max(starts)
    data = {"period": period, "start": start, "lengths_checked": checked}
    return Evidence("proved", f"equal on each of the {len(formulas)} axes: quasi-linear with period {period} "
                              f"from n = {start} per axis, hence for every shape", data)
