"""2-D identities, decided for every input shape ``(n1, n2)``.

**Lemma (product bound).** Let ``B1`` be the boundary bound of
:mod:`symconv.prover.boundary` for the projections of both sides on axis 1
(:func:`symconv.core.layers2d.axis_chain`), and ``B2`` that of axis 2. If the
output lengths of the projections agree for every n on each axis, then the two
sides agree for every shape iff they agree for every ``n1 < B1, n2 < B2``.

*Proof.* Fix n2. Along axis 1 each side is a 1-D linear chain whose channels
are the columns (their number depends on n2, not the argument): its cones,
edges and periods along axis 1 are those of the axis-1 projection, so the
eventual-periodicity lemma gives agreement for every n1 from agreement for
``n1 < B1`` (the run of interior rows it needs makes agreement below ``B1``
imply equal interior operators). So it suffices that the sides agree for every
``n1 < B1`` and every n2; fix such an n1 and argue the same way along axis 2
with the rows as channels: agreement for every n2 follows from ``n2 < B2``.
QED.

The finitely many shapes are compared exactly: every output is a linear
form in the input samples whose coefficients are polynomials in the taps
(:class:`symconv.algebra.tap_poly.TapPoly`), computed layer by layer.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

import sympy

from symconv.algebra.normal_form import LinearChain
from symconv.algebra.tap_poly import TapRing
from symconv.core.layers import Layer, Parallel
from symconv.core.layers2d import (
    AvgPool2d,
    Conv2d,
    ConvTranspose2d,
    Crop2d,
    Down2d,
    Pad2d,
    Up2d,
    axis_chain,
    output_shape,
)
from symconv.core.output_length import output_length
from symconv.errors import ChannelMismatch, NotInFragment
from symconv.prover.boundary import find_bound

__all__ = ["Decision2d", "decide2d", "forms2d", "ring2d"]

#: Refuse (unknown) when B1 * B2 shapes would have to be compared.
MAX_SHAPES = 1600
CONSTANT = ()


@dataclass(frozen=True)
class Decision2d:
    verdict: str
    reason: str
    limits: tuple[int, int] = (0, 0)
    witness: Optional[tuple[int, int]] = None
    shapes_checked: int = 0
    #: ``(start, period, limit)`` of the boundary bound on each axis.
    axes: tuple = ()


def ring2d(*layers: Layer) -> TapRing:
    """Variables for every tap of the named 2-D kernels and every parameter of a bias."""
    symbols: set = set()
    for layer in layers:
        if isinstance(layer, Parallel):
            symbols.update(ring2d(*layer.branches).symbols)
            continue
        for step in layer.layers():
            if isinstance(step, Parallel):
                symbols.update(ring2d(*step.branches).symbols)
                continue
            for k in step.kernels():
                for s in k.symbols():
                    symbols.update(v for ch in s.taps() for t in ch for row in t for v in row)
            for b in getattr(step, "bias", None) or ():
                symbols.update(b.free_symbols)
    return TapRing(tuple(sorted(symbols, key=sympy.default_sort_key)))


def _add(acc: dict, form: dict, coeff) -> None:
    for key, value in form.items():
        total = acc.get(key, 0) + value * coeff
        if total:
            acc[key] = total
        else:
            acc.pop(key, None)


def _step(layer: Layer, x: list, ring: TapRing) -> list:
    rows, cols = (len(x[0]), len(x[0][0])) if x and x[0] else (0, 0)
    m1, m2 = output_shape(layer, (rows, cols))
    empty: dict = {}

    def at(ch, r, c):
        return ch[r][c] if 0 <= r < rows and 0 <= c < cols else empty

    if rows == 0 or cols == 0 or m1 == 0 or m2 == 0:
        channels = layer.out_channels(len(x)) or len(x)
        return [[[{} for _ in range(m2)] for _ in range(m1)] for _ in range(channels)]
    if isinstance(layer, Parallel):
        outputs = [_run(b, x, ring) for b in layer.branches]
        total = [[[dict() for _ in range(m2)] for _ in range(m1)] for _ in outputs[0]]
        for out in outputs:
            for o, plane in enumerate(out):
                for r, line in enumerate(plane):
                    for c, form in enumerate(line):
                        _add(total[o][r][c], form, ring.one)
        return total
    if isinstance(layer, Conv2d):
        (top, _), (left, _) = layer.padding
        (s1, s2), (d1, d2) = layer.stride, layer.dilation
        taps = [[[[ring.from_expr(w) for w in row] for row in t] for t in ch] for ch in layer.weight.taps()]
        bias = layer.bias or ()
        out = []
        for o, ch in enumerate(taps):
            plane = []
            for i1 in range(m1):
                line = []
                for i2 in range(m2):
                    acc: dict = {CONSTANT: ring.from_expr(bias[o])} if bias and bias[o] != 0 else {}
                    for m, t in enumerate(ch):
                        for a, row in enumerate(t):
                            for b, w in enumerate(row):
                                if w:
                                    _add(acc, at(x[m], s1 * i1 + d1 * a - top, s2 * i2 + d2 * b - left), w)
                    line.append(acc)
                plane.append(line)
            out.append(plane)
        return out
    if isinstance(layer, ConvTranspose2d):
        (s1, s2), (p1, p2), (d1, d2) = layer.stride, layer.padding, layer.dilation
        taps = [[[[ring.from_expr(w) for w in row] for row in t] for t in per_out] for per_out in layer.weight.taps()]
        bias = layer.bias or ()
        out = [[[{CONSTANT: ring.from_expr(bias[o])} if bias and bias[o] != 0 else {} for _ in range(m2)]
                for _ in range(m1)] for o in range(layer.weight.in_channels)]
        for m, per_out in enumerate(taps):  # scatter every input sample through every tap
            for o, t in enumerate(per_out):
                for a, row in enumerate(t):
                    for b, w in enumerate(row):
                        for i1 in range(rows) if w else ():
                            r = s1 * i1 + d1 * a - p1
                            for i2 in range(cols) if 0 <= r < m1 else ():
                                c = s2 * i2 + d2 * b - p2
                                if 0 <= c < m2:
                                    _add(out[o][r][c], x[m][i1][i2], w)
        return out
    if isinstance(layer, AvgPool2d):
        (k1, k2), (s1, s2), (p1, p2) = layer.size, layer.stride, layer.padding
        weight = ring.constant(Fraction(1, k1 * k2))
        out = []
        for ch in x:
            plane = []
            for i1 in range(m1):
                line = []
                for i2 in range(m2):
                    acc: dict = {}
                    for a in range(k1):
                        for b in range(k2):
                            _add(acc, at(ch, s1 * i1 + a - p1, s2 * i2 + b - p2), weight)
                    line.append(acc)
                plane.append(line)
            out.append(plane)
        return out
    if isinstance(layer, (Pad2d, Crop2d)):
        sign = -1 if isinstance(layer, Pad2d) else 1
        t, left = (sign * v for v in layer.before)
        return [[[at(ch, r + t, c + left) for c in range(m2)] for r in range(m1)] for ch in x]
    if isinstance(layer, Down2d):
        (s1, s2), (q1, q2) = layer.factors, layer.phases
        return [[[ch[s1 * r + q1][s2 * c + q2] for c in range(m2)] for r in range(m1)] for ch in x]
    if isinstance(layer, Up2d):
        s1, s2 = layer.factors
        return [[[ch[r // s1][c // s2] if r % s1 == 0 and c % s2 == 0 else empty for c in range(m2)]
                 for r in range(m1)] for ch in x]
    raise NotInFragment(f"{layer!r} is not a linear 2-D layer")


def _run(layer: Layer, x: list, ring: TapRing) -> list:
    for step in layer.layers():
        x = _step(step, x, ring)
    return x


def forms2d(layer: Layer, shape: tuple[int, int], ring: TapRing, channels: int = 1) -> list:
    """Every output ``[o][i1][i2]`` as a linear form ``{(m, r, c): TapPoly, (): constant}`` in the input."""
    rows, cols = shape
    x = [[[{(m, r, c): ring.one} for c in range(cols)] for r in range(rows)] for m in range(channels)]
    return _run(layer, x, ring)


def _axis_limit(lhs: Layer, rhs: Layer, axis: int):
    """``(bound, differing n, reason)`` of the projections on one axis."""
    left, right = axis_chain(lhs, axis), axis_chain(rhs, axis)
    chains = [LinearChain.of(c, skeleton=True) for c in (left, right)]
    bound = find_bound(chains)
    if bound is None:
        return None, None, f"no boundary bound on axis {axis + 1}"
    for n in range(0, bound.limit + bound.period):
        if output_length(left, n) != output_length(right, n):
            return None, n, (f"the output lengths on axis {axis + 1} differ at n{axis + 1} = {n}: "
                             f"{output_length(left, n)} against {output_length(right, n)}")
    return bound, None, ""


def decide2d(lhs: Layer, rhs: Layer) -> Decision2d:
    """Decide ``lhs == rhs`` for every input shape (module docstring)."""
    need = {c for c in (lhs.in_channels, rhs.in_channels) if c is not None}
    if len(need) > 1:
        raise ChannelMismatch("the left-hand side's input", lhs.in_channels, "the right-hand side", rhs.in_channels)
    channels = need.pop() if need else 1
    if lhs.out_channels(channels) != rhs.out_channels(channels):
        raise ChannelMismatch(repr(lhs), lhs.out_channels(channels), repr(rhs), rhs.out_channels(channels))
    limits, axes = [], []
    for axis in (0, 1):
        bound, differ, reason = _axis_limit(lhs, rhs, axis)
        if differ is not None:
            other = 8
            shape = (differ, other) if axis == 0 else (other, differ)
            return Decision2d("refuted", reason, witness=shape)
        if bound is None:
            return Decision2d("unknown", reason)
        limits.append(bound.limit)
        axes.append((bound.start, bound.period, bound.limit))
    if limits[0] * limits[1] > MAX_SHAPES:
        return Decision2d("unknown", f"{limits[0]} x {limits[1]} shapes would have to be compared", tuple(limits))
    ring = ring2d(lhs, rhs)
    checked = 0
    for n1 in range(1, limits[0]):
        for n2 in range(1, limits[1]):
            checked += 1
            if forms2d(lhs, (n1, n2), ring, channels) != forms2d(rhs, (n1, n2), ring, channels):
                return Decision2d("refuted", f"the outputs differ at shape ({n1}, {n2})", tuple(limits), (n1, n2),
                                  checked)
    return Decision2d("proved", f"equal output shapes on each axis and equal outputs for every shape below "
                                f"({limits[0]}, {limits[1]}) (product of the per-axis boundary bounds)",
                      tuple(limits), shapes_checked=checked, axes=tuple(axes))
