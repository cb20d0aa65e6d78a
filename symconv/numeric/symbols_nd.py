"""The symbols of an N-D chain, and values for them: generic sizes given, random kernels and parameters.

:func:`with_given_sizes` gives the generic sizes (``c`` in ``k[c, 3]``) their
values. :func:`random_bindings_nd` draws a value for every named kernel (an
array of its sizes: ``(k1, ..., kd)`` for ``k[k1, ..., kd]``, the full shape
for a weight) and every bias or affine parameter (one number), shared by name
across the layers: integers in ``[low, high]`` or floats uniform in
``[low, high)``. ``k_a_b`` inside an expression is a tap of the kernel ``k``,
not a parameter.

>>> from symconv.core.kernel import kernel
>>> from symconv.core.layers_nd import conv2d
>>> random_bindings_nd(conv2d(kernel("k", "c", 3)), 0, sizes={"c": 2})["k"].shape
(2, 3)
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.kernel import DerivedKernel, Kernel, KernelSymbol, Literal, Scaled
from symconv.core.layers import Layer, Parallel
from symconv.core.layers_nd import Conv, ConvTranspose
from symconv.core.nonlinear import Affine
from symconv.core.output_length import generic_sizes
from symconv.core.sizes_nd import with_sizes
from symconv.errors import KernelError
from symconv.numeric.symbols import tap_of

__all__ = ["with_given_sizes", "random_bindings_nd"]


def with_given_sizes(layer: Layer, sizes: Optional[Mapping[str, int]]) -> Layer:
    """``layer`` with its generic sizes (``c`` in ``k[c, 3]``) given the values in ``sizes``; KernelError when
    one has none (the core's :func:`~symconv.core.sizes_nd.with_sizes`, then a check)."""
    if sizes:
        layer = with_sizes(layer, {str(k): int(v) for k, v in sizes.items()})
    missing = generic_sizes(layer)
    if missing:
        raise KernelError(f"{layer!r} has the generic size {', '.join(missing)}; give it a value, e.g. "
                          f"sizes={{{missing[0]!r}: 3}}")
    return layer


def _walk(k: Kernel, kernels: dict[str, KernelSymbol], expressions: list[sympy.Expr]) -> None:
    if isinstance(k, KernelSymbol):
        if kernels.setdefault(k.name, k).dims != k.dims:
            raise KernelError(f"kernel {k.name} is used as {kernels[k.name]!r} and as {k!r}; expected one size")
    elif isinstance(k, (Literal, DerivedKernel)):
        for source in getattr(k, "sources", ()):
            _walk(source, kernels, expressions)
        expressions.extend(sympy.sympify(v) for v in np.array(k.values, dtype=object).reshape(-1))  # safe: values
    elif isinstance(k, Scaled):
        expressions.append(k.scalar)
    for child in (getattr(k, f, None) for f in ("kernel", "a", "b")):
        if isinstance(child, Kernel):
            _walk(child, kernels, expressions)


def _convolutions(layer: Layer) -> list[Union[Conv, ConvTranspose]]:
    if isinstance(layer, Parallel):
        return [c for branch in layer.branches for step in branch.layers() for c in _convolutions(step)]
    return [layer] if isinstance(layer, (Conv, ConvTranspose)) else []


def random_bindings_nd(layer_or_layers: Union[Layer, Iterable[Layer]], rng=None, low: int = -3, high: int = 3,
                       integer: bool = True,
                       sizes: Optional[Mapping[str, int]] = None) -> dict[str, Union[np.ndarray, int, float]]:
    """Random values for every named N-D kernel and bias parameter, shared by name across the layers.

    Kernels get arrays of their sizes (``(k1, ..., kd)`` for ``k[k1, ..., kd]``, the full shape for a
    weight), parameters one number; integers in ``[low, high]`` (``integer=True``) or floats in ``[low, high)``.
    ``sizes`` gives the generic sizes their values (the arrays of ``k[c, 3]`` at ``c = 2`` are ``(2, 3)``).

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers_nd import conv2d
    >>> b = random_bindings_nd(conv2d(kernel("W", 2, 1, 3, 3), bias=[sympy.Symbol("p"), 0]), 0)
    >>> sorted(b), b["W"].shape
    (['W', 'p'], (2, 1, 3, 3))
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    kernels: dict[str, KernelSymbol] = {}
    expressions: list[sympy.Expr] = []
    for layer in [layer_or_layers] if isinstance(layer_or_layers, Layer) else layer_or_layers:
        layer = with_given_sizes(layer, sizes)
        for step in layer.layers():
            for conv in _convolutions(step):
                _walk(conv.weight, kernels, expressions)
                expressions.extend(conv.bias_entries or ())
            if isinstance(step, Affine):
                expressions.extend(v for values in step.per_channel(1) for v in values)
    names = sorted({s.name for e in expressions for s in e.free_symbols if tap_of(s.name, kernels) is None})
    for name in set(names) & set(kernels):
        raise KernelError(f"the name {name!r} is both a kernel and a parameter; expected distinct names")

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(low, high, size=shape, endpoint=True) if integer else rng.uniform(low, high, shape)

    values: dict[str, Union[np.ndarray, int, float]] = {name: draw(k.dims) for name, k in kernels.items()}
    values.update((name, draw(()).item()) for name in names)
    return values
