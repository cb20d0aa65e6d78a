"""Exact linear forms of N-D chains: every output as a form in the input samples over the tap ring.

``forms_nd(layer, shape, ring)`` gives, for every output ``(o, i1, ..., id)``,
the dict ``{(m, j1, ..., jd): TapPoly, (): constant}`` with
``y[o, i] = constant + sum coefficient * x[m, j]``. Kernels are read into
:class:`~symconv.algebra.tap_poly.TapRing` directly (:func:`ring_grid`), so
no SymPy expansion runs in the loops. Output shapes come from the length
table (:func:`symconv.core.layers_nd.output_shape`). The ring and the taps
read into it (``ring_nd``, ``ring_grid``, ``RationalRing``) are defined in
:mod:`symconv.prover.tap_ring_nd` and re-exported here.

With numeric weights only (a tolerance's blocks), :class:`RationalRing` stands
for the tap ring: :func:`scaled_forms_nd` gives the forms as ints ``F`` over one
common denominator ``D`` (``y = F x / D``), each layer's taps read once for every
input shape, so a 64-channel layer costs integer arithmetic, not polynomials.

>>> from symconv.core.kernel import kernel
>>> from symconv.core.layers_nd import conv2d
>>> layer = conv2d(kernel("k", 1, 2))
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

from symconv.algebra.tap_poly import TapPoly, TapRing, add_product_terms
from symconv.core.layers import Layer, Parallel
from symconv.core.layers_nd import (
    AvgPool, Conv, ConvTranspose, Crop, Down, Pad, Up, flipped_axes, output_shape,
)
from symconv.errors import NotInFragment
from symconv.prover.tap_ring_nd import RationalRing, ring_grid, ring_nd, scaled_bias, scaled_taps

__all__ = ["CONSTANT", "ring_nd", "ring_grid", "forms_nd", "scaled_forms_nd", "Forms", "RationalRing"]

#: The key of a form's constant term.
CONSTANT = ()
#: ``{(o, i1, ..., id): {(m, j1, ..., jd) or (): TapPoly}}``; outputs with the zero form are left out.
Forms = dict


def _add(acc: dict, form: dict, coeff) -> None:
    for key, value in form.items():
        total = acc.get(key, 0) + value * coeff
        if total:
            acc[key] = total
        else:
            acc.pop(key, None)


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
    if isinstance(layer, (Conv, ConvTranspose)):
        taps, tap_den = scaled_taps(layer.weight, ring)
        biases, bias_den = scaled_bias(layer.bias_entries, ring)
        new_den = math.lcm(den * tap_den, bias_den)  # y = (T x) / (den D_T) + b: every term over new_den
        factor, bias_factor = new_den // (den * tap_den), new_den // bias_den
        if factor != 1 and not isinstance(layer, Conv):
            taps = {index: w * factor for index, w in taps.items()}
        if biases and bias_factor != 1:
            biases = [None if b is None else b * bias_factor for b in biases]

        def bias_form(o: int) -> dict:
            return {CONSTANT: biases[o]} if biases and biases[o] is not None else {}
    if isinstance(layer, Conv):
        opg, ipg = layer.weight.out_channels // layer.groups, layer.weight.in_channels
        lefts = tuple(p for p, _ in layer.paddings)

        def by_output() -> dict:  # x[m, s i + d a - p] times w: the tap's part (m, d a, w) once per output channel
            found: dict = {}
            for (o, m, *a), w in taps.items():
                found.setdefault(o, []).append(((o // opg) * ipg + m, tuple(map(operator.mul, layer.dilations, a)),
                                                w * factor if factor != 1 else w))
            return found

        by_out = ring.kept(layer, factor, by_output) if isinstance(ring, RationalRing) else by_output()
        starts = {i: tuple(s * ii - p for s, ii, p in zip(layer.strides, i, lefts)) for i in outputs}
        if isinstance(ring, RationalRing) and isinstance(x, InputForms):
            plan = ring.kept(layer, ("on the input", factor),
                             lambda: _tap_table(by_out, layer.weight.out_channels, opg))
            return m_shape, _conv_of_input(x, plan, starts, biases), out_channels, new_den
        if isinstance(ring, RationalRing):
            return m_shape, _integer_conv(x, by_out, starts, biases, layer.weight.out_channels), out_channels, new_den
        for o in range(layer.weight.out_channels):
            for i in outputs:
                sums: dict = {}  # key -> {monomial: coefficient}: the products summed in place, wrapped once
                start = starts[i]
                for m, offset, w in by_out.get(o, ()):
                    form = x.get((m, *map(operator.add, start, offset)))
                    if form is None:
                        continue
                    for key, value in form.items():  # the innermost loop of every conv
                        add_product_terms(sums.setdefault(key, {}), value.terms, w.terms)
                acc = bias_form(o)
                for key, terms in sums.items():
                    total = acc.get(key, 0) + TapPoly({mono: c for mono, c in terms.items() if c}, ring)
                    if total:
                        acc[key] = total
                    else:
                        acc.pop(key, None)
                if acc:
                    out[(o, *i)] = acc
        return m_shape, out, out_channels, new_den
    if isinstance(layer, ConvTranspose):
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
                          zip(layer.strides, key[1:], layer.dilations, a, layer.paddings))
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
