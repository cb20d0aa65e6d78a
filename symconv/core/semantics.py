"""The exact reference semantics: the one definition every other part must agree with.

A signal is a tuple of channels, each a tuple of exact SymPy expressions.
``evaluate(layer, x)`` applies a layer (or chain) literally, sample by
sample, following PyTorch's definitions; nothing here is clever, so that it
can be trusted. The work is done in exact sparse polynomials
(:func:`evaluate_exact`, :mod:`symconv.core.exact_poly`); SymPy is read at
the input and written at the output only. An empty input follows the length table too: ``pad(1, 2)``
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

import sympy

from symconv.core.exact_poly import (Poly, add_into, add_product, from_sympy, integer_form, linear_combination, times,
                                     to_sympy)
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
    bias_values,
)
from symconv.core.output_length import output_length, resolve_size
from symconv.errors import ChannelMismatch, KernelError, LengthMismatch, SizeLimitError

__all__ = ["Signal", "PolySignal", "evaluate", "evaluate_exact", "exact_input", "symbolic_input", "as_signal",
           "avgpool_divisor", "MAX_EXACT_LENGTH"]

Signal = tuple[tuple[sympy.Expr, ...], ...]

#: A signal of exact polynomials (:mod:`symconv.core.exact_poly`), one tuple per channel.
PolySignal = tuple[tuple[Poly, ...], ...]

#: Longest signal the exact semantics will build (refused before allocating).
MAX_EXACT_LENGTH = 100_000

_ZERO = sympy.Integer(0)


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


def _padded(channel: tuple, left: int, right: int, zero: object = _ZERO) -> tuple:
    return (zero,) * left + channel + (zero,) * right


def _bias(layer, channels: int) -> list[Poly]:
    values = bias_values(layer.bias, channels)
    return [from_sympy(b) for b in values] if values else [{} for _ in range(channels)]


def _conv(layer: Conv, x: PolySignal, m: int, sizes) -> PolySignal:
    """``y[o, i] = b[o] + sum_{mm, j} W[o, mm, j] xp[g*cin + mm, i*s + j*d]``."""
    taps = exact_taps(layer.weight, sizes)
    left, right = (_concrete(p, sizes, "padding='same'") for p in layer.padding_pair())
    xp = [_padded(ch, left, right, {}) for ch in x]
    per_group_in = layer.weight.in_channels
    per_group_out = layer.weight.out_channels // layer.groups
    bias = _bias(layer, layer.weight.out_channels)
    s, d = layer.stride, layer.dilation
    # numeric taps: summed as integers over one denominator (exact_poly.linear_combination)
    forms = [[integer_form(v) for v in ch] for ch in xp]
    out = []
    for o, w_o in enumerate(taps):
        g = o // per_group_out
        numbers = [(mm, j, w_j[()]) for mm, w in enumerate(w_o) for j, w_j in enumerate(w)
                   if len(w_j) == 1 and () in w_j]
        symbols = [(mm, j, w_j) for mm, w in enumerate(w_o) for j, w_j in enumerate(w)
                   if w_j and not (len(w_j) == 1 and () in w_j)]
        row = []
        for i in range(m):
            acc = linear_combination((a, *forms[g * per_group_in + mm][i * s + j * d]) for mm, j, a in numbers)
            add_into(acc, bias[o])
            for mm, j, w_j in symbols:
                add_product(acc, w_j, xp[g * per_group_in + mm][i * s + j * d])
            row.append(acc)
        out.append(tuple(row))
    return tuple(out)


def _conv_transpose(layer: ConvTranspose, x: PolySignal, m: int, sizes) -> PolySignal:
    """``y[o, i*s + j*d - p] += W[ci, o, j] x[ci, i]`` over every input sample, from the bias."""
    taps = exact_taps(layer.weight, sizes)  # (in, out/groups, c)
    per_group_in = layer.weight.shape[0] // layer.groups  # weight dim 0: input channels
    per_group_out = layer.weight.shape[1]  # weight dim 1: output channels per group
    channels_out = per_group_out * layer.groups
    bias = _bias(layer, channels_out)
    out = [[dict(bias[o]) for _ in range(m)] for o in range(channels_out)]
    s, d, p = layer.stride, layer.dilation, layer.padding
    for ci, channel in enumerate(x):
        g = ci // per_group_in
        for oo, w in enumerate(taps[ci]):
            o = g * per_group_out + oo
            for i, v in enumerate(channel):
                for j, w_j in enumerate(w):
                    t = i * s + j * d - p
                    if 0 <= t < m:
                        add_product(out[o][t], w_j, v)
    return tuple(tuple(row) for row in out)


def _check_channels(layer: Layer, x: Signal) -> None:
    need = layer.in_channels
    if need is not None and need != len(x):
        raise ChannelMismatch("the input", len(x), repr(layer), need)


def _windows(channel: tuple, m: int, start_pad: int, size: int, stride: int, dilation: int = 1):
    """For each output i, the in-range samples ``channel[i*s + j*d - pad]``."""
    n = len(channel)
    for i in range(m):
        yield [channel[t] for j in range(size) if 0 <= (t := i * stride + j * dilation - start_pad) < n]


def avgpool_divisor(layer: AvgPool, n: int, i: int) -> int:
    """The divisor of output ``i`` of ``avgpool`` on ``n`` samples, as ``avg_pool1d``.

    The window starts at ``t = i*s - p``; ``q = min(t + size, n + p) - t`` (the window clipped to the right
    padding, which only a ``ceil_mode`` window crosses), or with ``count_include_pad=False`` the number of
    input samples in it, ``min(t + size, n) - max(t, 0)``.

    >>> avgpool_divisor(AvgPool(3, 2, 1, ceil_mode=True), 4, 2), avgpool_divisor(AvgPool(3, 2, 1, False, False), 4, 0)
    (2, 2)
    """
    start = i * layer.stride - layer.padding
    if layer.count_include_pad:
        return min(start + layer.size, n + layer.padding) - start
    return min(start + layer.size, n) - max(start, 0)


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


def _nonlinear(f, x: PolySignal) -> PolySignal:
    """A sample-wise SymPy formula ``f`` on the samples (read back expanded: a ``Max`` or ``sqrt`` is an atom)."""
    return tuple(tuple(from_sympy(sympy.expand(f(v))) for v in ch) for ch in x)


def evaluate_exact(layer: Layer, x: PolySignal, sizes: Optional[Mapping[str, int]] = None) -> PolySignal:
    """Apply ``layer`` to a signal of exact polynomials (:mod:`symconv.core.exact_poly`), sample by sample.

    This is the one definition of each layer's meaning (:func:`evaluate` is it
    with SymPy at the edges). Linear layers compute in the polynomial ring;
    ``relu``, ``maxpool`` and ``l2pool`` apply their SymPy formula to each
    sample and read the result back, the non-polynomial part as an opaque
    atom (an opaque atom can make two results compare different, never equal
    wrongly; see :mod:`symconv.core.exact_poly`).
    """
    _check_channels(layer, x)
    n = _length(x)
    if isinstance(layer, Chain):
        for step in layer.steps:
            x = evaluate_exact(step, x, sizes)
        return x
    if isinstance(layer, Parallel):
        outputs = [evaluate_exact(b, x, sizes) for b in layer.branches]
        lengths = [_length(y) for y in outputs]
        if len(set(lengths)) > 1:
            raise LengthMismatch(
                f"the branches of {layer!r} give lengths {lengths} for an input of length {n}; "
                f"expected equal lengths"
            )
        summed = []
        for chans in zip(*outputs):
            row = []
            for vals in zip(*chans):
                total: Poly = {}
                for v in vals:
                    add_into(total, v)
                row.append(total)
            summed.append(tuple(row))
        return tuple(summed)
    m = output_length(layer, n, sizes)
    if not isinstance(m, int):
        raise KernelError(f"the output length of {layer!r} depends on generic sizes {m}; give their values")
    if m > MAX_EXACT_LENGTH:
        raise SizeLimitError(
            f"{layer!r} would produce {m} samples from {n}; the exact semantics refuses more than {MAX_EXACT_LENGTH}"
        )
    channels_out = layer.out_channels(len(x))
    if m == 0:
        return tuple(() for _ in range(channels_out))
    # from here on n may be 0: padding, output_padding and bias then supply every sample
    if isinstance(layer, Conv):
        return _conv(layer, x, m, sizes)
    if isinstance(layer, ConvTranspose):
        return _conv_transpose(layer, x, m, sizes)
    if isinstance(layer, Pad):
        return tuple(_padded(ch, layer.left, layer.right, {}) for ch in x)
    if isinstance(layer, Crop):
        return tuple(ch[layer.left:layer.left + m] for ch in x)
    if isinstance(layer, Down):
        return tuple(tuple(ch[i * layer.factor + layer.phase] for i in range(m)) for ch in x)
    if isinstance(layer, Up):
        return tuple(
            tuple(ch[i // layer.factor] if i % layer.factor == 0 else {} for i in range(m)) for ch in x
        )
    if isinstance(layer, Flip):
        return tuple(tuple(reversed(ch)) for ch in x)
    if isinstance(layer, Affine):
        scale, shift = layer.per_channel(len(x))
        out = []
        for ch, a, b in zip(x, scale, shift):
            a, b = from_sympy(a), from_sympy(b)
            row = []
            for v in ch:
                total = times(a, v)
                add_into(total, b)
                row.append(total)
            out.append(tuple(row))
        return tuple(out)
    if isinstance(layer, AvgPool):
        divisors = [avgpool_divisor(layer, n, i) for i in range(m)]
        out = []
        for ch in x:
            row = []
            for window, q in zip(_windows(ch, m, layer.padding, layer.size, layer.stride), divisors):
                row.append(linear_combination((Fraction(1, q), *integer_form(v)) for v in window))
            out.append(tuple(row))
        return tuple(out)
    if isinstance(layer, ReLU):
        return _nonlinear(lambda v: sympy.Max(_ZERO, to_sympy(v)), x)
    if isinstance(layer, MaxPool):
        return tuple(
            tuple(from_sympy(sympy.expand(sympy.Max(*(to_sympy(v) for v in w))))
                  for w in _windows(ch, m, layer.padding, layer.size, layer.stride, layer.dilation))
            for ch in x
        )
    if isinstance(layer, L2Pool):
        return tuple(
            tuple(from_sympy(sympy.expand(sympy.sqrt(sum((to_sympy(v) ** 2 for v in w), _ZERO))))
                  for w in _windows(ch, m, 0, layer.size, layer.stride))
            for ch in x
        )
    raise TypeError(f"no semantics for {layer!r}")
