"""Exact linear forms of N-D chains: every output as a form in the input samples over the tap ring.

``forms_nd(layer, shape, ring)`` gives, for every output ``(o, i1, ..., id)``,
the dict ``{(m, j1, ..., jd): TapPoly, (): constant}`` with
``y[o, i] = constant + sum coefficient * x[m, j]``. Kernels are read into
:class:`~symconv.algebra.tap_poly.TapRing` directly (:func:`ring_grid`), so
no SymPy expansion runs in the loops. Output shapes come from the length
table (:func:`symconv.core.layers_nd.output_shape`).

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
from fractions import Fraction
from typing import Sequence

import sympy

from symconv.algebra.tap_poly import TapPoly, TapRing
from symconv.core.kernel_nd import (
    ConvolveNd, DerivedKernelNd, DilateNd, FlipNd, KernelNd, KernelSymbolNd, LiteralNd, PadKernelNd, ScaledNd, SumNd,
)
from symconv.core.layers import Layer, Parallel
from symconv.core.layers_nd import (
    AvgPoolNd, ConvNd, ConvTransposeNd, CropNd, DownNd, PadNd, UpNd, flipped_axes, output_shape,
)
from symconv.errors import NotInFragment

__all__ = ["CONSTANT", "ring_nd", "ring_grid", "forms_nd", "Forms"]

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


def ring_grid(k: KernelNd, ring: TapRing) -> dict[tuple[int, ...], TapPoly]:
    """The nonzero taps of ``k`` as ring elements, computed in the ring (no SymPy expansion)."""
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


def _bias_form(bias, o: int, ring: TapRing) -> dict:
    return {CONSTANT: ring.from_expr(bias[o])} if bias and bias[o] != 0 else {}


def _step(layer: Layer, x: Forms, shape: tuple[int, ...], channels: int, ring: TapRing) -> tuple[tuple, Forms, int]:
    out_channels = layer.out_channels(channels) or channels
    m_shape = output_shape(layer, shape)
    if 0 in m_shape:
        return m_shape, {}, out_channels
    empty: dict = {}
    outputs = list(itertools.product(*(range(n) for n in m_shape)))

    def at(m: int, index: Sequence[int]) -> dict:
        if all(0 <= j < n for j, n in zip(index, shape)):
            return x.get((m, *index), empty)
        return empty

    out: Forms = {}
    if isinstance(layer, Parallel):
        for branch in layer.branches:
            _, forms, _ = _run(branch, x, shape, channels, ring)
            for key, form in forms.items():
                _add(out.setdefault(key, {}), form, ring.one)
        return m_shape, {k: f for k, f in out.items() if f}, out_channels
    if isinstance(layer, ConvNd):
        taps = ring_grid(layer.weight, ring)
        opg, ipg = layer.weight.out_channels // layer.groups, layer.weight.in_channels
        lefts = tuple(p for p, _ in layer.padding)
        by_out: dict = {}
        for (o, m, *a), w in taps.items():
            by_out.setdefault(o, []).append(((o // opg) * ipg + m, a, w))
        for o in range(layer.weight.out_channels):
            for i in outputs:
                acc = dict(_bias_form(layer.bias, o, ring))
                for m, a, w in by_out.get(o, ()):
                    _add(acc, at(m, [s * ii + d * aa - p for s, ii, d, aa, p in
                                     zip(layer.stride, i, layer.dilation, a, lefts)]), w)
                if acc:
                    out[(o, *i)] = acc
        return m_shape, out, out_channels
    if isinstance(layer, ConvTransposeNd):
        taps = ring_grid(layer.weight, ring)
        ipg, opg = layer.weight.shape[0] // layer.groups, layer.weight.shape[1]
        for o in range(out_channels):
            for i in outputs:
                if layer.bias and layer.bias[o] != 0:
                    out[(o, *i)] = _bias_form(layer.bias, o, ring)
        for (m, o, *a), w in taps.items():  # scatter every input sample through every tap
            target = (m // ipg) * opg + o
            for key, form in x.items():
                if key[0] != m:
                    continue
                r = tuple(s * ii + d * aa - p for s, ii, d, aa, p in
                          zip(layer.stride, key[1:], layer.dilation, a, layer.padding))
                if all(0 <= rr < n for rr, n in zip(r, m_shape)):
                    _add(out.setdefault((target, *r), {}), form, w)
        return m_shape, {k: f for k, f in out.items() if f}, out_channels
    if isinstance(layer, AvgPoolNd):
        weight = ring.constant(Fraction(1, _prod(layer.size)))
        offsets = list(itertools.product(*(range(k) for k in layer.size)))
        for m in range(channels):
            for i in outputs:
                acc: dict = {}
                start = [s * ii - p for s, ii, p in zip(layer.stride, i, layer.padding)]
                for off in offsets:
                    _add(acc, at(m, [b + o for b, o in zip(start, off)]), weight)
                if acc:
                    out[(m, *i)] = acc
        return m_shape, out, out_channels
    if isinstance(layer, (PadNd, CropNd)):
        sign = -1 if isinstance(layer, PadNd) else 1
        source = lambda i: [ii + sign * b for ii, b in zip(i, layer.before)]  # noqa: E731
    elif isinstance(layer, DownNd):
        source = lambda i: [s * ii + q for s, ii, q in zip(layer.factors, i, layer.phases)]  # noqa: E731
    elif flipped_axes(layer, len(shape)) is not None:
        flipped = flipped_axes(layer, len(shape))
        source = lambda i: [n - 1 - ii if a in flipped else ii  # noqa: E731
                            for a, (ii, n) in enumerate(zip(i, shape))]
    elif isinstance(layer, UpNd):
        source = lambda i: ([ii // s for ii, s in zip(i, layer.factors)]  # noqa: E731
                            if all(ii % s == 0 for ii, s in zip(i, layer.factors)) else [-1] * len(i))
    else:
        raise NotInFragment(f"{layer!r} is not a linear N-D layer")
    for m in range(channels):
        for i in outputs:
            form = at(m, source(i))
            if form:
                out[(m, *i)] = form
    return m_shape, out, out_channels


def _prod(values: Sequence[int]) -> int:
    result = 1
    for v in values:
        result *= v
    return result


def _run(layer: Layer, x: Forms, shape: tuple, channels: int, ring: TapRing) -> tuple[tuple, Forms, int]:
    for step in layer.layers():
        shape, x, channels = _step(step, x, shape, channels, ring)
    return shape, x, channels


def forms_nd(layer: Layer, shape: Sequence[int], ring: TapRing, channels: int = 1) -> tuple[tuple, Forms]:
    """``(output shape, forms)`` of ``layer`` on an input of ``shape`` with ``channels`` channels."""
    shape = tuple(shape)
    x = {(m, *i): {(m, *i): ring.one} for m in range(channels)
         for i in itertools.product(*(range(n) for n in shape))}
    out_shape, forms, _ = _run(layer, x, shape, channels, ring)
    return out_shape, forms
