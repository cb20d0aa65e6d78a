"""The exact reference semantics: the one definition every other part must agree with.

A signal is a tuple of channels, each a tuple of exact SymPy expressions.
``evaluate(layer, x)`` applies a layer (or chain) literally, sample by
sample, following PyTorch's definitions. There is one definition of each layer,
for every number of axes: :mod:`symconv.core.semantics_nd`, read here at d = 1 (a
layer is one class for every d); this module reads and
writes 1-D signals and gives the 1-D API's errors. The work is done in exact sparse
polynomials (:func:`evaluate_exact`, :mod:`symconv.core.exact_poly`); SymPy is read
at the input and written at the output only. An empty input follows the length table too: ``pad(1, 2)``
of ``()`` is three zeros, a convolution reads its padding (and adds its bias).

>>> from symconv.core.layers import conv
>>> from symconv.core.kernel import kernel
>>> x = symbolic_input(4)
>>> evaluate(conv(kernel("k", 2), stride=2), x)
((k_0*x_0 + k_1*x_1, k_0*x_2 + k_1*x_3),)
>>> evaluate(conv([1, 1], padding=1), ((),))
((0,),)
"""

from __future__ import annotations

import numbers
from fractions import Fraction
from typing import Mapping, Optional, Sequence

from symconv.lazy_import import sympy

from symconv.core.exact_poly import Poly, from_sympy, to_sympy
from symconv.core.kernel import exact_number
from symconv.core.kernel_expr import exact_taps
from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.core.output_length import output_length, resolve_size
from symconv.core.pools import avgpool_divisor
from symconv.core.semantics_nd import Samples, exact_level
from symconv.core.sizes_nd import with_sizes
from symconv.errors import ChannelMismatch, InvalidArgument, KernelError, LengthMismatch, SizeLimitError

__all__ = ["Signal", "PolySignal", "evaluate", "evaluate_exact", "exact_input", "symbolic_input", "as_signal",
           "avgpool_divisor", "MAX_EXACT_LENGTH"]

Signal = tuple[tuple["sympy.Expr", ...], ...]

#: A signal of exact polynomials (:mod:`symconv.core.exact_poly`), one tuple per channel.
PolySignal = tuple[tuple[Poly, ...], ...]

#: Longest signal the exact semantics will build (refused before allocating).
MAX_EXACT_LENGTH = 100_000


def symbolic_input(n: int, channels: int = 1, name: str = "x") -> Signal:
    """``x_0 .. x_{n-1}`` (one channel) or ``x_m_i`` (several channels) as SymPy symbols."""
    if channels == 1:
        return (tuple(sympy.Symbol(f"{name}_{i}") for i in range(n)),)
    return tuple(tuple(sympy.Symbol(f"{name}_{m}_{i}") for i in range(n)) for m in range(channels))


def _sample(value: object) -> sympy.Expr:
    """One exact sample: SymPy expressions are kept, numbers become exact rationals (0.5 -> 1/2)."""
    if isinstance(value, sympy.Expr) and not value.is_number:
        return value
    if isinstance(value, numbers.Integral) and not isinstance(value, (bool, int)):
        value = int(value)  # numpy integers
    if isinstance(value, str):
        try:
            value = Fraction(value)  # never sympify user text
        except ValueError:
            raise KernelError(f"signal sample {value!r} is not a number; expected e.g. 1/2") from None
    return exact_number(value, "signal sample")


def as_signal(values: Sequence) -> Signal:
    """Accept a flat list (one channel) or a list of channels; entries become exact SymPy numbers.

    >>> as_signal([1, 0.5, "1/3"])
    ((1, 1/2, 1/3),)
    """
    if values and all(isinstance(v, (list, tuple)) for v in values):
        return tuple(tuple(_sample(v) for v in ch) for ch in values)
    return (tuple(_sample(v) for v in values),)


def _length(x: Signal) -> int:
    return len(x[0]) if x else 0


def _concrete(value, sizes: Optional[Mapping[str, int]], what: str) -> int:
    value = resolve_size(value, sizes)
    if not isinstance(value, int):
        raise KernelError(f"{what} depends on the generic size(s) {value}; give their values")
    return value


def evaluate(layer: Layer, x: Signal, sizes: Optional[Mapping[str, int]] = None) -> Signal:
    """Apply ``layer`` to the signal ``x`` exactly; every sample comes back expanded.

    ``sizes`` gives values to generic kernel lengths (``{"c": 4}``). The work is
    :func:`evaluate_exact` on the samples read as polynomials; SymPy is built
    only for the result (and inside the nonlinear layers).
    """
    y = evaluate_exact(layer, tuple(tuple(from_sympy(v) for v in ch) for ch in x), sizes)
    return tuple(tuple(to_sympy(v) for v in ch) for ch in y)


def exact_input(n: int, channels: int = 1, name: str = "x") -> PolySignal:
    """:func:`symbolic_input` as polynomials (one variable per sample)."""
    return tuple(tuple(from_sympy(v) for v in ch) for ch in symbolic_input(n, channels, name))


#: The layers :mod:`symconv.core.semantics_nd` gives a meaning to, read here at d = 1.
_LAYERS = (Conv, ConvTranspose, Pad, Crop, Down, Up, Flip, Affine, AvgPool, ReLU, MaxPool, L2Pool)


def _output_size(layer: Layer, channels: int, n: int, sizes: Optional[Mapping[str, int]]) -> tuple[int, int]:
    """``(channels, length)`` of ``layer``'s output on ``channels`` channels of ``n`` samples, step by step: the
    1-D checks, in the order the samples are made, and their errors, which quote the 1-D layer."""
    need = layer.in_channels
    if need is not None and need != channels:
        raise ChannelMismatch("the input", channels, repr(layer), need)
    if isinstance(layer, Chain):
        for step in layer.steps:
            channels, n = _output_size(step, channels, n, sizes)
        return channels, n
    if isinstance(layer, Parallel):
        outputs = [_output_size(b, channels, n, sizes) for b in layer.branches]
        lengths = [m for _, m in outputs]
        if len(set(lengths)) > 1:
            raise LengthMismatch(
                f"the branches of {layer!r} give lengths {lengths} for an input of length {n}; "
                f"expected equal lengths"
            )
        return min(c for c, _ in outputs), lengths[0]
    m = output_length(layer, n, sizes)
    if not isinstance(m, int):
        raise KernelError(f"the output length of {layer!r} depends on generic sizes {m}; give their values")
    if m > MAX_EXACT_LENGTH:
        raise SizeLimitError(
            f"{layer!r} would produce {m} samples from {n}; the exact semantics refuses more than {MAX_EXACT_LENGTH}"
        )
    channels_out = layer.out_channels(channels)
    if m and isinstance(layer, (Conv, ConvTranspose)):
        if {str(c) for c in layer.weight.length_symbols()} - set(sizes or ()):
            exact_taps(layer.weight, sizes)  # a generic length without a value: the kernel's own error
    if m and isinstance(layer, Conv):
        for p in layer.padding_pair():
            _concrete(p, sizes, "padding='same'")
    if m and not isinstance(layer, _LAYERS):
        raise TypeError(f"no semantics for {layer!r}")
    return channels_out, m


def _samples(x: PolySignal) -> Samples:
    """``x[m][i]`` read at ``(m, (i,))``, and 0 outside the signal."""
    def at(m: int, index: Sequence[int]) -> Poly:
        channel = x[m]
        i = index[0]
        return channel[i] if 0 <= i < len(channel) else {}
    return at


def evaluate_exact(layer: Layer, x: PolySignal, sizes: Optional[Mapping[str, int]] = None) -> PolySignal:
    """Apply ``layer`` to a signal of exact polynomials (:mod:`symconv.core.exact_poly`), sample by sample.

    This is the N-D definition (:mod:`symconv.core.semantics_nd`) at d = 1 (generic sizes given their values
    first); :func:`evaluate` is it
    with SymPy at the edges. Linear layers compute in the polynomial ring;
    ``relu``, ``maxpool`` and ``l2pool`` apply their SymPy formula to each
    sample and read the result back, the non-polynomial part as an opaque
    atom (an opaque atom can make two results compare different, never equal
    wrongly; see :mod:`symconv.core.exact_poly`).
    """
    if layer.ndim >= 2:
        raise InvalidArgument("evaluate", "layer", layer, "a 1-D chain; an N-D chain is evaluated by "
                                                          "symconv.core.semantics_nd.evaluate_nd")
    if len({len(ch) for ch in x}) > 1:
        raise LengthMismatch(f"the input's channels have lengths {[len(ch) for ch in x]}; expected equal lengths")
    channels, m = _output_size(layer, len(x), _length(x), sizes)
    if m == 0:
        return tuple(() for _ in range(channels))
    # from here on n may be 0: padding, output_padding and bias then supply every sample
    last = exact_level(with_sizes(layer, sizes) if sizes else layer, _samples(x), (_length(x),), len(x))
    sample = last.sample
    return tuple(tuple(sample(o, (i,)) for i in range(m)) for o in range(channels))
