"""Kernels as matrices of Laurent polynomials: ``K_oi(z) = sum_j k_oij z^j``.

The fast counterpart of :meth:`Kernel.taps`: dilation is ``K(z^d)``, full
convolution is a product, flipping is ``z^{c-1} K(1/z)`` — computed with
sparse polynomials in the taps (:mod:`symconv.algebra.tap_poly`), never as
SymPy trees.

>>> from symconv.core.kernel import kernel, convolve, dilate
>>> k = kernel("k", 2)
>>> ring = ring_for_kernels([k])
>>> kernel_matrix(convolve(k, dilate(k, 2)), ring)[0][0]
Laurent({0: k_0**2, 1: k_0*k_1, 2: k_0*k_1, 3: k_1**2})
"""

from __future__ import annotations

from typing import Iterable, Mapping

from symconv.lazy_import import sympy

from symconv.algebra.laurent import Laurent, Matrix, mat_add, mat_map, mat_mul
from symconv.algebra.tap_poly import TapRing
from symconv.core.kernel import (
    Convolve,
    DerivedKernel,
    Dilate,
    FlipKernel,
    Kernel,
    KernelSum,
    KernelSymbol,
    Literal,
    PadKernel,
    Scaled,
)
from symconv.core.layers import Layer, bias_values
from symconv.core.output_length import resolve_size

__all__ = ["TapRing", "kernel_matrix", "ring_for_kernels", "ring_for_layers"]


def _ring_for_symbols(symbols: Iterable[sympy.Symbol]) -> TapRing:
    """Variables in SymPy's default order; for plain symbols that is the order of their names."""
    symbols = set(symbols)
    if all(type(s) is sympy.Symbol for s in symbols):
        names = {s.name for s in symbols}
        if len(names) == len(symbols):  # same name, other assumptions: let SymPy order them
            return TapRing(tuple(sorted(symbols, key=lambda s: s.name)))
    return TapRing(tuple(sorted(symbols, key=sympy.default_sort_key)))


def ring_for_kernels(kernels: Iterable[Kernel], sizes: Mapping[str, int] | None = None) -> TapRing:
    """The tap ring with one variable per tap of every named kernel used, in name order (taps are plain
    symbols, so that is SymPy's order too); made from the names, without SymPy."""
    names: set[str] = set()
    for k in kernels:
        for s in k.symbols():
            for row in s.tap_names(sizes):
                for taps in row:
                    names.update(taps)
    return TapRing.of_names(sorted(names))


def ring_for_layers(layers: Iterable[Layer], sizes: Mapping[str, int] | None = None) -> TapRing:
    """Variables for every tap and every named bias entry of the layers."""
    layers = list(layers)
    base = ring_for_kernels((k for layer in layers for k in _all_kernels(layer)), sizes)
    extra: set = set()
    for layer in _all_layers(layers):
        bias = getattr(layer, "bias", None)
        if isinstance(bias, str):
            channels = layer.out_channels(layer.in_channels)
            extra.update(bias_values(bias, channels))
        elif isinstance(bias, tuple):
            extra.update(s for value in bias for s in value.free_symbols)
    return _ring_for_symbols(extra.union(base.symbols)) if extra else base


def _all_layers(layers: Iterable[Layer]):
    for layer in layers:
        inner = getattr(layer, "steps", None) or getattr(layer, "branches", None)
        if inner is not None:
            yield from _all_layers(inner)
        else:
            yield layer


def _all_kernels(layer: Layer) -> tuple[Kernel, ...]:
    return layer.kernels()


def kernel_matrix(k: Kernel, ring: TapRing, sizes: Mapping[str, int] | None = None) -> Matrix:
    """``K[o][i](z) = sum_j k[o][i][j] z^j`` computed structurally (fast path of ``taps``)."""
    if isinstance(k, KernelSymbol):
        gens = dict(zip(ring.names, ring.gens))
        return tuple(tuple(Laurent({j: gens[t] for j, t in enumerate(row)}) for row in out)
                     for out in k.tap_names(sizes))
    if isinstance(k, Literal):
        return tuple(
            tuple(Laurent({j: ring.from_expr(v) for j, v in enumerate(row)}) for row in out)
            for out in k.values
        )
    if isinstance(k, DerivedKernel):
        return tuple(
            tuple(Laurent({j: ring.from_expr(v) for j, v in enumerate(row)}) for row in out) for out in k.values
        )
    if isinstance(k, Dilate):
        return mat_map(kernel_matrix(k.kernel, ring, sizes), lambda e: e.upsample(k.factor))
    if isinstance(k, Convolve):
        return mat_mul(kernel_matrix(k.b, ring, sizes), kernel_matrix(k.a, ring, sizes))
    if isinstance(k, FlipKernel):
        length = resolve_size(k.kernel.length, sizes)
        return mat_map(kernel_matrix(k.kernel, ring, sizes), lambda e: e.reverse().shift(length - 1))
    if isinstance(k, PadKernel):
        return mat_map(kernel_matrix(k.kernel, ring, sizes), lambda e: e.shift(k.left))
    if isinstance(k, KernelSum):
        return mat_add(kernel_matrix(k.a, ring, sizes), kernel_matrix(k.b, ring, sizes))
    if isinstance(k, Scaled):
        scalar = ring.from_expr(k.scalar)
        return mat_map(kernel_matrix(k.kernel, ring, sizes), lambda e: e * scalar)
    raise TypeError(f"no polynomial form for kernel {k!r}")
