"""Exact linear forms of N-D chains: every output as a form in the input samples over the tap ring.

``forms_nd(layer, shape, ring)`` gives, for every output ``(o, i1, ..., id)``,
the dict ``{(m, j1, ..., jd): TapPoly, (): constant}`` with
``y[o, i] = constant + sum coefficient * x[m, j]``. Kernels are read into
:class:`~symconv.algebra.tap_poly.TapRing` directly (:func:`ring_grid`), so
no SymPy expansion runs in the loops. Output shapes come from the length
table (:func:`symconv.core.layers_nd.output_shape`).

With numeric weights only (a tolerance's blocks), :class:`RationalRing` stands
for the tap ring: :func:`scaled_forms_nd` gives the forms as ints ``F`` over one
common denominator ``D`` (``y = F x / D``), each layer's taps read once for every
input shape, so a 64-channel layer costs integer arithmetic, not polynomials.

>>> from symconv.core.kernel_nd import kernel_nd
>>> from symconv.core.layers_nd import conv2d
>>> layer = conv2d(kernel_nd("k", 1, 2))
>>> ring = ring_nd(layer)
>>> shape, forms = forms_nd(layer, (1, 3), ring)
>>> shape, sorted(forms[(0, 0, 1)])
((1, 2), [(0, 0, 1), (0, 0, 2)])
"""

from __future__ import annotations

import itertools
import math
import operator
from fractions import Fraction
from typing import Optional, Sequence, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.algebra.tap_poly import TapPoly, TapRing
from symconv.core.kernel_nd import (
    ConvolveNd, DerivedKernelNd, DilateNd, FlipNd, KernelNd, KernelSymbolNd, LiteralNd, PadKernelNd, ScaledNd, SumNd,
)
from symconv.core.layers import Layer, Parallel
from symconv.core.layers_nd import (
    AvgPool, ConvNd, ConvTransposeNd, Crop, Down, Pad, Up, flipped_axes, output_shape,
)
from symconv.errors import NotInFragment

__all__ = ["CONSTANT", "ring_nd", "ring_grid", "forms_nd", "scaled_forms_nd", "Forms", "RationalRing"]

#: The key of a form's constant term.
CONSTANT = ()
#: ``{(o, i1, ..., id): {(m, j1, ..., jd) or (): TapPoly}}``; outputs with the zero form are left out.
Forms = dict


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
                if isinstance(k, (LiteralNd, DerivedKernelNd)) or _has_values(k):
                    symbols.update(v for e in _value_exprs(k) for v in e.free_symbols)
            for b in getattr(step, "bias", None) or ():
                symbols.update(b.free_symbols)
    return TapRing(tuple(sorted(symbols, key=sympy.default_sort_key)))


def _has_values(k: KernelNd) -> bool:
    return any(isinstance(c, (LiteralNd, DerivedKernelNd, ScaledNd)) for c in _nodes(k))


def _nodes(k: KernelNd):
    yield k
    for child in (getattr(k, f, None) for f in ("kernel", "a", "b")):
        if isinstance(child, KernelNd):
            yield from _nodes(child)


def _value_exprs(k: KernelNd):
    for node in _nodes(k):
        if isinstance(node, (LiteralNd, DerivedKernelNd)):
            yield from (sympy.sympify(v) for v in node.grid().values())  # safe: exact values a kernel holds
        elif isinstance(node, ScaledNd):
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
        self._grids: dict[int, tuple[KernelNd, dict]] = {}
        self._integer_grids: dict[int, tuple[KernelNd, tuple[dict, int]]] = {}
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

    def grid(self, k: KernelNd) -> dict[tuple[int, ...], Union[int, Fraction]]:
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

    def integer_grid(self, k: KernelNd) -> tuple[dict[tuple[int, ...], int], int]:
        """``(taps, D)``: the taps of ``k`` times ``D``, the lcm of their denominators, as ints (computed once)."""
        entry = self._integer_grids.get(id(k))
        if entry is None or entry[0] is not k:
            found = _literal_integers(k) if isinstance(k, LiteralNd) else None
            if found is None:
                grid = self.grid(k)
                scale = math.lcm(*(v.denominator for v in grid.values()))
                found = ({index: int(v * scale) for index, v in grid.items()}, scale)
            entry = self._integer_grids[id(k)] = (k, found)
        return entry[1]


def _literal_integers(k: LiteralNd) -> Optional[tuple[dict[tuple[int, ...], int], int]]:
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


def ring_grid(k: KernelNd, ring: Union[TapRing, RationalRing]) -> dict[tuple[int, ...], TapPoly]:
    """The nonzero taps of ``k`` as ring elements, computed in the ring (no SymPy expansion)."""
    return ring.grid(k) if isinstance(ring, RationalRing) else _grid(k, ring)


def _grid(k: KernelNd, ring: Union[TapRing, RationalRing]) -> dict:
    if isinstance(k, (KernelSymbolNd, LiteralNd, DerivedKernelNd)):
        return {index: ring.from_expr(v) for index, v in k.grid().items()}
    if isinstance(k, DilateNd):
        return {(o, i) + tuple(f * a for f, a in zip(k.factors, rest)): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, FlipNd):
        sizes = k.spatial
        return {(o, i) + tuple(n - 1 - a if j in k.axes else a for j, (n, a) in enumerate(zip(sizes, rest))): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, PadKernelNd):
        return {(o, i) + tuple(a + b for a, b in zip(rest, k.before)): v
                for (o, i, *rest), v in ring_grid(k.kernel, ring).items()}
    if isinstance(k, ScaledNd):
        scale = ring.from_expr(k.scalar)
        return _nonzero({index: v * scale for index, v in ring_grid(k.kernel, ring).items()})
    if isinstance(k, SumNd):
        out = dict(ring_grid(k.a, ring))
        for index, v in ring_grid(k.b, ring).items():
            out[index] = out[index] + v if index in out else v
        return _nonzero(out)
    if isinstance(k, ConvolveNd):
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


def _add(acc: dict, form: dict, coeff) -> None:
    for key, value in form.items():
        total = acc.get(key, 0) + value * coeff
        if total:
            acc[key] = total
        else:
            acc.pop(key, None)


def _scaled_taps(k: KernelNd, ring) -> tuple[dict, int]:
    """``(taps, D)``: the taps of ``k`` times ``D`` (ints, ``D`` the lcm of their denominators) in a
    :class:`RationalRing`, ``(ring_grid(k), 1)`` in a TapRing."""
    return ring.integer_grid(k) if isinstance(ring, RationalRing) else (ring_grid(k, ring), 1)


def _scaled_bias(bias, ring) -> tuple[Optional[list], int]:
    """``(b, D)``: each output's bias times ``D`` (ints in a :class:`RationalRing`, None for a zero), ``D = 1`` and
    ring elements in a TapRing; ``(None, 1)`` without a bias."""
    if not bias:
        return None, 1
    values = [ring.from_expr(b) if b != 0 else None for b in bias]
    if not isinstance(ring, RationalRing):
        return values, 1
    scale = math.lcm(*(v.denominator for v in values if v is not None))
    return [None if v is None else int(v * scale) for v in values], scale


def _step(layer: Layer, x: Forms, shape: tuple[int, ...], channels: int, ring: Union[TapRing, "RationalRing"],
          den: int = 1) -> tuple[tuple, Forms, int, int]:
    """One layer on the forms ``x / den``: ``(output shape, forms, channels, den)``, the new forms over the new
    common denominator (always 1 in a TapRing)."""
    out_channels = layer.out_channels(channels) or channels
    m_shape = output_shape(layer, shape)
    if 0 in m_shape:
        return m_shape, {}, out_channels, den
    empty: dict = {}
    outputs = list(itertools.product(*(range(n) for n in m_shape)))

    def at(m: int, index: Sequence[int]) -> dict:  # x has keys inside the shape only: outside is the zero form
        return x.get((m, *index), empty)

    out: Forms = {}
    if isinstance(layer, Parallel):
        branches = [_run(branch, x, shape, channels, ring, den) for branch in layer.branches]
        common = math.lcm(*(b[3] for b in branches))
        for _, forms, _, branch_den in branches:
            factor = ring.one if branch_den == common else common // branch_den
            for key, form in forms.items():
                _add(out.setdefault(key, {}), form, factor)
        return m_shape, {k: f for k, f in out.items() if f}, out_channels, common
    if isinstance(layer, (ConvNd, ConvTransposeNd)):
        taps, tap_den = _scaled_taps(layer.weight, ring)
        biases, bias_den = _scaled_bias(layer.bias, ring)
        new_den = math.lcm(den * tap_den, bias_den)  # y = (T x) / (den D_T) + b: every term over new_den
        factor, bias_factor = new_den // (den * tap_den), new_den // bias_den
        if factor != 1 and not isinstance(layer, ConvNd):
            taps = {index: w * factor for index, w in taps.items()}
        if biases and bias_factor != 1:
            biases = [None if b is None else b * bias_factor for b in biases]

        def bias_form(o: int) -> dict:
            return {CONSTANT: biases[o]} if biases and biases[o] is not None else {}
    if isinstance(layer, ConvNd):
        opg, ipg = layer.weight.out_channels // layer.groups, layer.weight.in_channels
        lefts = tuple(p for p, _ in layer.padding)

        def by_output() -> dict:  # x[m, s i + d a - p] times w: the tap's part (m, d a, w) once per output channel
            found: dict = {}
            for (o, m, *a), w in taps.items():
                found.setdefault(o, []).append(((o // opg) * ipg + m, tuple(map(operator.mul, layer.dilation, a)),
                                                w * factor if factor != 1 else w))
            return found

        by_out = ring.kept(layer, factor, by_output) if isinstance(ring, RationalRing) else by_output()
        starts = {i: tuple(s * ii - p for s, ii, p in zip(layer.stride, i, lefts)) for i in outputs}
        if isinstance(ring, RationalRing) and isinstance(x, InputForms):
            plan = ring.kept(layer, ("on the input", factor),
                             lambda: _tap_table(by_out, layer.weight.out_channels, opg))
            return m_shape, _conv_of_input(x, plan, starts, biases), out_channels, new_den
        if isinstance(ring, RationalRing):
            return m_shape, _integer_conv(x, by_out, starts, biases, layer.weight.out_channels), out_channels, new_den
        for o in range(layer.weight.out_channels):
            for i in outputs:
                acc = bias_form(o)
                start = starts[i]
                for m, offset, w in by_out.get(o, ()):
                    form = x.get((m, *map(operator.add, start, offset)))
                    if form is None:
                        continue
                    for key, value in form.items():  # _add, inlined: the innermost loop of every conv
                        total = acc.get(key, 0) + value * w
                        if total:
                            acc[key] = total
                        else:
                            acc.pop(key, None)
                if acc:
                    out[(o, *i)] = acc
        return m_shape, out, out_channels, new_den
    if isinstance(layer, ConvTransposeNd):
        ipg, opg = layer.weight.shape[0] // layer.groups, layer.weight.shape[1]
        for o in range(out_channels):
            for i in outputs:
                if biases and biases[o] is not None:
                    out[(o, *i)] = bias_form(o)
        for (m, o, *a), w in taps.items():  # scatter every input sample through every tap
            target = (m // ipg) * opg + o
            for key, form in x.items():
                if key[0] != m:
                    continue
                r = tuple(s * ii + d * aa - p for s, ii, d, aa, p in
                          zip(layer.stride, key[1:], layer.dilation, a, layer.padding))
                if all(0 <= rr < n for rr, n in zip(r, m_shape)):
                    _add(out.setdefault((target, *r), {}), form, w)
        return m_shape, {k: f for k, f in out.items() if f}, out_channels, new_den
    if isinstance(layer, AvgPool):
        size = _prod(layer.sizes)
        if isinstance(ring, RationalRing):  # the mean over den * size
            weight, den = 1, den * size
        else:
            weight = ring.constant(Fraction(1, size))
        offsets = list(itertools.product(*(range(k) for k in layer.sizes)))
        for m in range(channels):
            for i in outputs:
                acc: dict = {}
                start = [s * ii - p for s, ii, p in zip(layer.strides, i, layer.paddings)]
                for off in offsets:
                    _add(acc, at(m, [b + o for b, o in zip(start, off)]), weight)
                if acc:
                    out[(m, *i)] = acc
        return m_shape, out, out_channels, den
    if isinstance(layer, (Pad, Crop)):
        sign = -1 if isinstance(layer, Pad) else 1
        source = lambda i: [ii + sign * b for ii, b in zip(i, layer.before)]  # noqa: E731
    elif isinstance(layer, Down):
        source = lambda i: [s * ii + q for s, ii, q in zip(layer.factors, i, layer.phases)]  # noqa: E731
    elif flipped_axes(layer, len(shape)) is not None:
        flipped = flipped_axes(layer, len(shape))
        source = lambda i: [n - 1 - ii if a in flipped else ii  # noqa: E731
                            for a, (ii, n) in enumerate(zip(i, shape))]
    elif isinstance(layer, Up):
        source = lambda i: ([ii // s for ii, s in zip(i, layer.factors)]  # noqa: E731
                            if all(ii % s == 0 for ii, s in zip(i, layer.factors)) else [-1] * len(i))
    else:
        raise NotInFragment(f"{layer!r} is not a linear N-D layer")
    for m in range(channels):
        for i in outputs:
            form = at(m, source(i))
            if form:
                out[(m, *i)] = form
    return m_shape, out, out_channels, den


def _tap_table(by_out: dict, out_channels: int, per_group: int) -> list[tuple[range, tuple, dict]]:
    """Per group of outputs: its outputs, the taps ``(m, d a)`` any of them has, and each output's weights in that
    order (0 where it has none)."""
    table = []
    for first in range(0, out_channels, per_group):
        outputs = range(first, min(first + per_group, out_channels))
        index: dict = {}
        for o in outputs:
            for m, offset, _ in by_out.get(o, ()):
                index.setdefault((m, offset), len(index))
        weights = {}
        for o in outputs:
            row = [0] * len(index)
            for m, offset, w in by_out.get(o, ()):
                row[index[(m, offset)]] = w
            weights[o] = row
        table.append((outputs, tuple(index), weights))
    return table


def _conv_of_input(x: "InputForms", table: list, starts: dict, biases: Optional[list]) -> Forms:
    """:func:`_integer_conv` on the input itself: every tap ``(m, a)`` reads its own sample ``(m, start_i + d a)``
    (distinct taps, distinct samples), so a row is its in-range taps' weights; which taps are in range is found once
    per output position and group, not once per output channel."""
    out: Forms = {}
    for outputs, taps, weights in table:
        for i, start in starts.items():
            keys, kept = [], []
            for t, (m, offset) in enumerate(taps):
                key = (m, *map(operator.add, start, offset))
                if key in x:
                    keys.append(key)
                    kept.append(t)
            every = len(kept) == len(taps)
            for o in outputs:
                row = weights[o]
                acc = {key: w for key, w in zip(keys, row if every else [row[t] for t in kept]) if w}
                if biases and biases[o] is not None:
                    acc[CONSTANT] = biases[o]
                if acc:
                    out[(o, *i)] = acc
    return out


def _integer_conv(x: Forms, by_out: dict, starts: dict, biases: Optional[list], out_channels: int) -> Forms:
    """A convolution's forms in a :class:`RationalRing`: ``y[o, i] = b_o + sum_{m, a} w x[m, start_i + d a]`` with
    int coefficients: the first form met is copied scaled, the others added into it."""
    out: Forms = {}
    for o in range(out_channels):
        taps = by_out.get(o, ())
        bias = biases[o] if biases else None
        for i, start in starts.items():
            acc: dict = {}
            for m, offset, w in taps:
                form = x.get((m, *map(operator.add, start, offset)))
                if form is None:
                    continue
                if not acc:  # nonzero ints times a nonzero int: nothing cancels
                    acc = {k: v * w for k, v in form.items()}
                    continue
                for k, v in form.items():
                    total = acc.get(k, 0) + v * w
                    if total:
                        acc[k] = total
                    else:
                        del acc[k]
            if bias is not None:
                total = acc.get(CONSTANT, 0) + bias
                if total:
                    acc[CONSTANT] = total
                else:
                    acc.pop(CONSTANT, None)
            if acc:
                out[(o, *i)] = acc
    return out


class InputForms(dict):
    """The forms of the input itself, ``x[m, j] = 1 * x[m, j]`` (a dict, marked so a first layer can skip reading
    them)."""


def _prod(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def _run(layer: Layer, x: Forms, shape: tuple, channels: int, ring: Union[TapRing, "RationalRing"],
         den: int = 1) -> tuple[tuple, Forms, int, int]:
    for step in layer.layers():
        shape, x, channels, den = _step(step, x, shape, channels, ring, den)
    return shape, x, channels, den


def scaled_forms_nd(layer: Layer, shape: Sequence[int], ring: Union[TapRing, "RationalRing"],
                    channels: int = 1) -> tuple[tuple, Forms, int]:
    """``(output shape, F, D)``: the forms of ``layer`` are ``F / D``. In a :class:`RationalRing` the coefficients
    of F are ints (exact integer arithmetic, one common denominator D); in a TapRing D is 1 and F the forms."""
    shape = tuple(shape)
    x = InputForms({(m, *i): {(m, *i): ring.one} for m in range(channels)
                    for i in itertools.product(*(range(n) for n in shape))})
    out_shape, forms, _, den = _run(layer, x, shape, channels, ring)
    return out_shape, forms, den


def forms_nd(layer: Layer, shape: Sequence[int], ring: Union[TapRing, "RationalRing"],
             channels: int = 1) -> tuple[tuple, Forms]:
    """``(output shape, forms)`` of ``layer`` on an input of ``shape`` with ``channels`` channels (in a
    :class:`RationalRing` the coefficients are ints and Fractions)."""
    out_shape, forms, den = scaled_forms_nd(layer, shape, ring, channels)
    if den != 1:
        forms = {key: {k: RationalRing.constant(Fraction(v, den)) for k, v in form.items()}
                 for key, form in forms.items()}
    return out_shape, forms
