"""The symbols a chain uses, and random values for them.

A chain names kernels (``k[c]``, flat; ``W[out, in, c]``, PyTorch's layout),
biases (one value per output channel: weight dim 0 for ``conv``, weight
dim 1 times ``groups`` for ``conv_transpose``) and scalar symbols (in affine
coefficients and bias values). ``W_1_0_2`` inside such an expression is the
tap ``W[1, 0, 2]`` of the kernel ``W``, not a symbol of its own.
:func:`random_bindings` draws integers in ``[low, high]`` or floats uniform in
``[low, high)`` for each of them, shared by name across the layers.

>>> from symconv.core.layers import conv
>>> from symconv.core.kernel import kernel
>>> sorted(used_symbols(conv(kernel("k", 3), bias="b")).biases.items())
[('b', 1)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional, Union

import numpy as np

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
from symconv.core.layers import Affine, Chain, Conv, ConvTranspose, Layer, Parallel
from symconv.errors import KernelError

__all__ = ["used_symbols", "transposed_out_channels", "tap_of", "length_of", "random_bindings"]


# --- which symbols a chain uses ------------------------------------------------------------

@dataclass(frozen=True)
class _Symbols:
    kernels: dict[str, KernelSymbol]
    biases: dict[str, int]  # name -> output channels
    scalars: tuple[str, ...]


def _walk_kernel(k: Kernel, found: dict[str, KernelSymbol]) -> None:
    if isinstance(k, KernelSymbol):
        previous = found.setdefault(k.name, k)
        if previous.dims != k.dims:
            raise KernelError(f"kernel {k.name} is used as {previous!r} and as {k!r}; expected one size")
    elif isinstance(k, (Dilate, FlipKernel, PadKernel, Scaled)):
        _walk_kernel(k.kernel, found)
    elif isinstance(k, (Convolve, KernelSum)):
        _walk_kernel(k.a, found)
        _walk_kernel(k.b, found)
    elif isinstance(k, DerivedKernel):
        for source in k.sources:
            _walk_kernel(source, found)
    elif not isinstance(k, Literal):
        raise TypeError(f"no numeric meaning for the kernel {k!r}")


def transposed_out_channels(layer: ConvTranspose) -> int:
    """Output channels of ``conv_transpose``: weight dim 1 times ``groups`` (PyTorch's layout)."""
    return layer.weight.shape[1] * layer.groups


def _walk(layer: Layer, kernels: dict, biases: dict, scalars: dict) -> None:
    if isinstance(layer, Chain):
        for step in layer.steps:
            _walk(step, kernels, biases, scalars)
    elif isinstance(layer, Parallel):
        for branch in layer.branches:
            _walk(branch, kernels, biases, scalars)
    elif isinstance(layer, (Conv, ConvTranspose)):
        _walk_kernel(layer.weight, kernels)
        if isinstance(layer.bias, tuple):
            for value in layer.bias:
                scalars.update((s.name, None) for s in sorted(value.free_symbols, key=str))
        if isinstance(layer.bias, str):
            channels = (
                layer.weight.shape[0] if isinstance(layer, Conv) else transposed_out_channels(layer)
            )
            previous = biases.setdefault(layer.bias, channels)
            if previous != channels:
                raise KernelError(
                    f"bias {layer.bias} is used with {previous} and {channels} channels; expected one size"
                )
    elif isinstance(layer, Affine):
        for value in (layer.scale, layer.shift):
            for v in value if isinstance(value, tuple) else (value,):
                scalars.update((s.name, None) for s in sorted(v.free_symbols, key=str))


def used_symbols(layers: Union[Layer, Iterable[Layer]]) -> _Symbols:
    """The named kernels, biases and affine symbols used by one or several layers."""
    kernels: dict[str, KernelSymbol] = {}
    biases: dict[str, int] = {}
    scalars: dict[str, None] = {}
    for layer in [layers] if isinstance(layers, Layer) else layers:
        _walk(layer, kernels, biases, scalars)
    for name in [n for n in scalars if tap_of(n, kernels) is not None]:
        del scalars[name]  # a tap of a used kernel inside a bias or affine expression
    for name in set(kernels) & (set(biases) | set(scalars)) | set(biases) & set(scalars):
        raise KernelError(f"the name {name!r} is used for two different things; expected distinct names")
    return _Symbols(kernels, biases, tuple(scalars))


# --- tap names and kernel lengths ---------------------------------------------------------

def tap_of(name: str, kernels: Iterable[str]) -> Optional[tuple[str, tuple[int, ...]]]:
    """``("W", (1, 0, 2))`` for the tap symbol ``W_1_0_2`` of a kernel among ``kernels``, else None."""
    parts = name.split("_")
    for cut in range(len(parts) - 1, 0, -1):
        owner, index = "_".join(parts[:cut]), parts[cut:]
        if owner in kernels and all(p.isdigit() for p in index):
            return owner, tuple(int(p) for p in index)
    return None


def length_of(symbol: KernelSymbol, sizes: Mapping[str, int]) -> Optional[int]:
    """The length ``c`` of ``k[c]`` (of ``W[out, in, c]``) with ``sizes`` given their values; None while generic."""
    length = symbol.dims[-1]
    if isinstance(length, int):
        return length
    value = length.subs({s: sizes[s.name] for s in length.free_symbols if s.name in sizes})
    return int(value) if value.is_Integer else None


# --- random values -------------------------------------------------------------------------

def random_bindings(
    layers: Union[Layer, Iterable[Layer]],
    rng: Union[np.random.Generator, int, None] = None,
    low: int = -3,
    high: int = 3,
    sizes: Optional[Mapping[str, int]] = None,
    integer: bool = True,
) -> dict[str, Union[np.ndarray, int, float]]:
    """Random values for every symbol the layers use, shared by name across them.

    Kernels get arrays (flat ``(c,)`` for ``k[c]``, ``(out, in, c)`` for a
    weight), named biases one value per output channel, affine symbols one
    number. Values are integers in ``[low, high]`` (``integer=True``) or
    floats uniform in ``[low, high)``. Generic lengths need ``sizes``.

    >>> from symconv.core.layers import conv
    >>> from symconv.core.kernel import kernel
    >>> b = random_bindings([conv(kernel("k", 3), bias="b"), conv(kernel("k", 3))], 0)
    >>> sorted(b), b["k"].shape, b["b"].shape
    (['b', 'k'], (3,), (1,))
    """
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(rng)
    symbols = used_symbols(layers)
    sizes = dict(sizes or {})

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        if integer:
            return rng.integers(low, high, size=shape, endpoint=True)
        return rng.uniform(low, high, size=shape)

    values: dict[str, Union[np.ndarray, int, float]] = {}
    for name, symbol in symbols.kernels.items():
        length = length_of(symbol, sizes)
        if length is None:
            missing = ", ".join(sorted(s.name for s in symbol.dims[-1].free_symbols if s.name not in sizes))
            raise KernelError(f"kernel {symbol!r} has a generic length; give sizes={{{missing!r}: ...}}")
        values[name] = draw((length,) if len(symbol.dims) == 1 else symbol.shape[:2] + (length,))
    for name, channels in symbols.biases.items():
        values[name] = draw((channels,))
    for name in symbols.scalars:
        values[name] = draw(()).item()
    return values
