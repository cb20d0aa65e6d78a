"""The tap ring of N-D chains, and every N-D kernel's taps read into it as ring elements.

:func:`ring_nd` gives the :class:`~symconv.algebra.tap_poly.TapRing` with one
variable for every tap of the named kernels and every parameter of a bias;
with numeric weights only, :class:`RationalRing` stands for it (ints and
Fractions, no polynomial objects). :func:`ring_grid` reads the nonzero taps
``{(o, i, a1, ..., ad): value}`` of a kernel expression into either ring
directly (a dilation by ``f`` moves tap ``a`` to ``f a``; a convolution adds
offsets and multiplies values), so no SymPy expansion runs. :func:`scaled_taps`
and :func:`scaled_bias` give taps and biases as ints over one common
denominator, for :func:`symconv.prover.forms_nd.scaled_forms_nd`.

>>> from symconv.core.kernel import kernel, literal
>>> from symconv.core.kernel_expr import dilate
>>> from symconv.core.layers_nd import conv2d
>>> k = kernel("k", 1, 2)
>>> ring = ring_nd(conv2d(k))
>>> ring.symbols, ring_grid(dilate(k, (1, 2)), ring)
((k_0_0, k_0_1), {(0, 0, 0, 0): k_0_0, (0, 0, 0, 2): k_0_1})
>>> scaled_taps(literal([[1, 0.5], [0, 3]]), RationalRing())
({(0, 0, 0, 0): 2, (0, 0, 0, 1): 1, (0, 0, 1, 1): 6}, 2)
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.algebra.tap_poly import TapPoly, TapRing
from symconv.core.kernel import (
    Convolve, DerivedKernel, Dilate, FlipKernel, Kernel, KernelSymbol, Literal, PadKernel, Scaled, KernelSum,
)
from symconv.core.layers import Layer, Parallel
from symconv.errors import NotInFragment

__all__ = ["ring_nd", "RationalRing", "ring_grid", "scaled_taps", "scaled_bias"]


def ring_nd(*layers: Layer) -> TapRing:
    """Variables for every tap of the named N-D kernels and every parameter of a bias."""
    symbols: set = set()
    for layer in layers:
        for step in layer.layers():
            if isinstance(step, Parallel):
                symbols.update(ring_nd(*step.branches).symbols)
                continue
            for k in step.kernels():
                for s in k.symbols():
                    symbols.update(s.grid().values())
                if isinstance(k, (Literal, DerivedKernel)) or _has_values(k):
                    symbols.update(v for e in _value_exprs(k) for v in e.free_symbols)
            for b in getattr(step, "bias", None) or ():
                symbols.update(b.free_symbols)
    return TapRing(tuple(sorted(symbols, key=sympy.default_sort_key)))


def _has_values(k: Kernel) -> bool:
    return any(isinstance(c, (Literal, DerivedKernel, Scaled)) for c in _nodes(k))


def _nodes(k: Kernel):
    yield k
    for child in (getattr(k, f, None) for f in ("kernel", "a", "b")):
        if isinstance(child, Kernel):
            yield from _nodes(child)


def _value_exprs(k: Kernel):
    for node in _nodes(k):
        if isinstance(node, (Literal, DerivedKernel)):
            yield from (sympy.sympify(v) for v in node.grid().values())  # safe: exact values a kernel holds
        elif isinstance(node, Scaled):
            yield sympy.sympify(node.scalar)  # safe: the exact number the kernel holds, never user text


class RationalRing:
    """The rationals QQ in place of a :class:`TapRing` without variables, for chains with numeric weights only:
    coefficients are ints and Fractions (as a numeric TapRing's constants), so a form costs Python arithmetic, not
    polynomial objects, and each kernel's taps are read once per ring (:meth:`grid`), not once per input shape.

    >>> ring = RationalRing()
    >>> ring.from_expr(sympy.Rational(6, 4)), ring.from_expr(sympy.Integer(3)), ring.constant(Fraction(4, 2))
    (Fraction(3, 2), 3, 2)
    """

    symbols: tuple = ()
    one = 1

    def __init__(self) -> None:
        self._grids: dict[int, tuple[Kernel, dict]] = {}
        self._integer_grids: dict[int, tuple[Kernel, tuple[dict, int]]] = {}
        self._kept: dict[tuple[int, object], tuple[object, object]] = {}

    @staticmethod
    def constant(value) -> Union[int, Fraction]:
        """``value`` as TapRing.constant holds it: an int when it is one, else a Fraction."""
        value = Fraction(value)
        return value.numerator if value.denominator == 1 else value

    @staticmethod
    def from_expr(expr) -> Union[int, Fraction]:
        """A rational number (a SymPy rational directly; anything else as TapRing(()).from_expr reads it)."""
        if isinstance(expr, sympy.Rational):
            return int(expr.p) if expr.q == 1 else Fraction(int(expr.p), int(expr.q))
        return TapRing(()).from_expr(expr).terms.get((), 0)

    def grid(self, k: Kernel) -> dict[tuple[int, ...], Union[int, Fraction]]:
        """:func:`ring_grid` of ``k`` in this ring, computed once per kernel object."""
        entry = self._grids.get(id(k))
        if entry is None or entry[0] is not k:  # the entry holds k, so its id names no other object while kept
            entry = self._grids[id(k)] = (k, _grid(k, self))
        return entry[1]

    def kept(self, owner: object, key: object, build):
        """``build()``, computed once per ``owner`` object and ``key`` (a layer's taps arranged for its loop)."""
        entry = self._kept.get((id(owner), key))
        if entry is None or entry[0] is not owner:  # the entry holds owner: its id names no other object
            entry = self._kept[(id(owner), key)] = (owner, build())
        return entry[1]

    def integer_grid(self, k: Kernel) -> tuple[dict[tuple[int, ...], int], int]:
        """``(taps, D)``: the taps of ``k`` times ``D``, the lcm of their denominators, as ints (computed once)."""
        entry = self._integer_grids.get(id(k))
        if entry is None or entry[0] is not k:
            found = _literal_integers(k) if isinstance(k, Literal) else None
            if found is None:
                grid = self.grid(k)
                scale = math.lcm(*(v.denominator for v in grid.values()))
                found = ({index: int(v * scale) for index, v in grid.items()}, scale)
            entry = self._integer_grids[id(k)] = (k, found)
        return entry[1]


def _literal_integers(k: Literal) -> Optional[tuple[dict[tuple[int, ...], int], int]]:
    """:meth:`RationalRing.integer_grid` of a literal of SymPy rationals read straight from its values (``p / q``
    times ``D`` is ``p (D / q)``), without Fractions; None when a tap is no rational."""
    values = np.array(k.values, dtype=object)
    flat = values.ravel().tolist()
    if not all(isinstance(v, sympy.Rational) for v in flat):
        return None
    scale = math.lcm(*{int(v.q) for v in flat})
    taps = {index: int(v.p) * (scale // int(v.q))
            for index, v in zip(itertools.product(*map(range, values.shape)), flat) if v.p}
    return taps, scale


def ring_grid(k: Kernel, ring: Union[TapRing, RationalRing]) -> dict[tuple[int, ...], TapPoly]:
    """The nonzero taps of ``k`` as ring elements, computed in the ring (no SymPy expansion)."""
    return ring.grid(k) if isinstance(ring, RationalRing) else _grid(k, ring)


def _grid(k: Kernel, ring: Union[TapRing, RationalRing]) -> dict:
    if isinstance(k, (KernelSymbol, Literal, DerivedKernel)):
        return {index: ring.from_expr(v) for index, v in k.grid().items()}
    if isinstance(k, Dilate):
        return {(o, i) + tuple(f * a for f, a in zip(k.factors, rest)): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, FlipKernel):
        sizes = k.spatial
        return {(o, i) + tuple(n - 1 - a if j in k.axes else a for j, (n, a) in enumerate(zip(sizes, rest))): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, PadKernel):
        return {(o, i) + tuple(a + b for a, b in zip(rest, k.before)): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, Scaled):
        scale = ring.from_expr(k.scalar)
        return _nonzero({index: v * scale for index, v in ring_grid(k.kernel, ring).items()})
    if isinstance(k, KernelSum):
        out = dict(ring_grid(k.a, ring))
        for index, v in ring_grid(k.b, ring).items():
            out[index] = out[index] + v if index in out else v
        return _nonzero(out)
    if isinstance(k, Convolve):
        out: dict = {}
        second = ring_grid(k.b, ring)
        by_input: dict = {}
        for (o, m, *v), value in second.items():
            by_input.setdefault(m, []).append((o, v, value))
        for (m, i, *u), va in ring_grid(k.a, ring).items():
            for o, v, vb in by_input.get(m, ()):
                key = (o, i) + tuple(x + y for x, y in zip(u, v))
                out[key] = out[key] + va * vb if key in out else va * vb
        return _nonzero(out)
    raise NotInFragment(f"no ring meaning for the N-D kernel {k!r}")


def _nonzero(grid: dict) -> dict:
    return {index: v for index, v in grid.items() if v}


def scaled_taps(k: Kernel, ring) -> tuple[dict, int]:
    """``(taps, D)``: the taps of ``k`` times ``D`` (ints, ``D`` the lcm of their denominators) in a
    :class:`RationalRing`, ``(ring_grid(k), 1)`` in a TapRing."""
    return ring.integer_grid(k) if isinstance(ring, RationalRing) else (ring_grid(k, ring), 1)


def scaled_bias(bias, ring) -> tuple[Optional[list], int]:
    """``(b, D)``: each output's bias times ``D`` (ints in a :class:`RationalRing`, None for a zero), ``D = 1`` and
    ring elements in a TapRing; ``(None, 1)`` without a bias."""
    if not bias:
        return None, 1
    values = [ring.from_expr(b) if b != 0 else None for b in bias]
    if not isinstance(ring, RationalRing):
        return values, 1
    scale = math.lcm(*(v.denominator for v in values if v is not None))
    return [None if v is None else int(v * scale) for v in values], scale
