"""Impulse responses of a chain with generic kernel lengths, as formal Laurent series in z.

A generic kernel ``K`` of length ``c`` (each entry ``K_oi`` of a weight) is
written by its polyphase components modulo ``M`` (a multiple of every
product of strides in play):

    K(z) = sum_{r < M} z^r A_r(z^M),

and the ``A_r`` are formal atoms: a term is ``coeff * z^(beta + alpha q) * prod A_r(z^m)``
with ``c = M q + rho + 1``. Every layer acts on such terms in closed form, on
bi-infinite signals with x zero outside ``0..n-1``:

    conv (stride s, dilation d, left padding p):  Y = down_s(z^p K(z^-d) X)
    conv_transpose (s, d, padding p):             Y = z^-p K(z^d) X(z^s)
    up(u): X(z^u)    down(s, phase): down_s(z^-phase X)    pad(l): z^l X    crop(l): z^-l X

where ``down_s`` keeps the terms whose exponent is a multiple of s (M makes
every atom's ``m`` and every ``alpha`` one) and divides it by s. Flipping a
kernel of length ``l(c)`` multiplies by ``z^(l - 1)`` after ``z -> 1/z``, which
needs the residue ``rho`` of ``c - 1`` mod M.

Each layer's finite output equals the bi-infinite one on its window as long as
nothing reads outside a window where the signal is not zero: padding and
transposed convolutions need an input that is zero outside its window, which
holds at the input and is kept by pad, up, down and a transposed convolution
without padding; a window-reading layer (conv, avgpool, crop) loses it. A
transposed convolution with ``d (c - 1) + op < s + p`` (a fixed c) reads only
inputs inside its window, so it needs no zeros outside.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.kernel import Kernel, KernelSymbol, Literal
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up
from symconv.prover.generic_lengths import OutsideGenericFragment, affine_length

__all__ = ["Series", "SeriesContext", "impulse_response", "kernel_series", "NeedsResidue", "series_equal",
           "series_text"]

#: ``(beta, alpha, atoms)``: the term ``z^(beta + alpha q) prod A_r(z^m)``, atoms ``(name, r, m)`` sorted.
Key = tuple[int, int, tuple[tuple[str, int, int], ...]]
Series = dict[Key, sympy.Expr]


class NeedsResidue(Exception):
    """A generic-length kernel is flipped: the response depends on ``c mod M`` (internal signal)."""


@dataclass(frozen=True)
class SeriesContext:
    """The polyphase modulus ``M``, the generic length symbol, and ``rho = (c - 1) mod M`` when known."""

    modulus: int
    symbol: sympy.Symbol
    residue: Optional[int] = None


def _add(a: Series, b: Series) -> Series:
    out = dict(a)
    for key, coeff in b.items():
        out[key] = out.get(key, 0) + coeff
    return out


def _mul(a: Series, b: Series) -> Series:
    out: Series = {}
    for (b1, a1, t1), c1 in a.items():
        for (b2, a2, t2), c2 in b.items():
            key = (b1 + b2, a1 + a2, tuple(sorted(t1 + t2)))
            out[key] = out.get(key, 0) + c1 * c2
    return out


def _scale(a: Series, factor: sympy.Expr) -> Series:
    return {key: factor * coeff for key, coeff in a.items()}


def _shift(a: Series, beta: int, alpha: int = 0) -> Series:
    return {(b + beta, al + alpha, t): coeff for (b, al, t), coeff in a.items()}


def _power(a: Series, e: int) -> Series:
    """``z -> z^e`` (e a non-zero integer)."""
    return {(b * e, al * e, tuple(sorted((n, r, m * e) for n, r, m in t))): coeff for (b, al, t), coeff in a.items()}


def _down(a: Series, s: int) -> Series:
    """Keep the exponents divisible by s, divided by s."""
    out: Series = {}
    for (b, al, t), coeff in a.items():
        if al % s or any(m % s for _, _, m in t):
            raise OutsideGenericFragment(f"modulus too small for a stride {s}")  # internal
        if b % s == 0:
            key = (b // s, al // s, tuple((n, r, m // s) for n, r, m in t))
            out[key] = out.get(key, 0) + coeff
    return out


def _taps(values) -> Series:
    return {(j, 0, ()): sympy.sympify(v) for j, v in enumerate(values) if v != 0}  # safe: exact taps


#: A kernel as a matrix ``[out][in]`` of series; a signal as one series per channel.
Matrix = list[list[Series]]
Signal = list[Series]


def _entrywise(matrix: Matrix, f) -> Matrix:
    return [[f(entry) for entry in row] for row in matrix]


def kernel_series(k: Kernel, ctx: SeriesContext) -> Matrix:
    """``K_oi(z) = sum_j k_oij z^j`` of a kernel expression, ``[out][in]``; generic kernels as atoms."""
    if isinstance(k, KernelSymbol):
        if isinstance(k.length, int):
            return [[_taps(t) for t in row] for row in k.taps()]
        if affine_length(k.length, ctx.symbol) != (1, 0):
            raise OutsideGenericFragment(f"{k!r}: a generic length must be the plain name")
        out, inp, _ = k.shape

        def atom(o: int, i: int) -> str:
            return k.name if len(k.dims) == 1 else f"{k.name}_{o}_{i}"

        return [[{(r, 0, ((atom(o, i), r, ctx.modulus),)): sympy.Integer(1) for r in range(ctx.modulus)}
                 for i in range(inp)] for o in range(out)]
    if isinstance(k, Literal):
        return [[_taps(t) for t in row] for row in k.values]
    if isinstance(k, Dilate):
        return _entrywise(kernel_series(k.kernel, ctx), lambda e: _power(e, k.factor))
    if isinstance(k, Convolve):  # E[o][i] = sum_m a[m][i] b[o][m]
        a, b = kernel_series(k.a, ctx), kernel_series(k.b, ctx)
        out: Matrix = [[{} for _ in a[0]] for _ in b]
        for o, row in enumerate(b):
            for m, bm in enumerate(row):
                for i, am in enumerate(a[m]):
                    out[o][i] = _add(out[o][i], _mul(am, bm))
        return out
    if isinstance(k, FlipKernel):
        slope, intercept = affine_length(k.kernel.length, ctx.symbol)
        if slope and ctx.residue is None:
            raise NeedsResidue(repr(k))
        # l - 1 = slope (M q + rho + 1) + intercept - 1
        beta = slope * ((ctx.residue or 0) + 1) + intercept - 1
        return _entrywise(kernel_series(k.kernel, ctx),
                          lambda e: _shift(_power(e, -1), beta, slope * ctx.modulus))
    if isinstance(k, PadKernel):
        return _entrywise(kernel_series(k.kernel, ctx), lambda e: _shift(e, k.left))
    if isinstance(k, KernelSum):
        a, b = kernel_series(k.a, ctx), kernel_series(k.b, ctx)
        return [[_add(x, y) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    if isinstance(k, Scaled):
        return _entrywise(kernel_series(k.kernel, ctx), lambda e: _scale(e, k.scalar))
    raise OutsideGenericFragment(f"no formal series for {k!r}")


def _correlate(x: Series, k: Series, stride: int, dilation: int, left: int) -> Series:
    return _down(_mul(_shift(x, left), _power(k, -dilation)), stride)


def _reads_own_window(layer: ConvTranspose) -> bool:
    """Whether every output in the window sums only inputs inside theirs: ``d (c - 1) + op < s + p``."""
    length = layer.weight.length
    return isinstance(length, int) and layer.dilation * (length - 1) + layer.output_padding < layer.stride + layer.padding


def _sum(series) -> Series:
    total: Series = {}
    for s in series:
        total = _add(total, s)
    return total


def _response(layer: Layer, x: Signal, zero_outside: bool, ctx: SeriesContext) -> tuple[Signal, bool]:
    """The layer on the bi-infinite signal ``x``; the flag says whether ``x`` is zero outside its window."""
    if isinstance(layer, Chain):
        for step in layer.steps:
            x, zero_outside = _response(step, x, zero_outside, ctx)
        return x, zero_outside
    if isinstance(layer, Parallel):
        outs = [_response(branch, x, zero_outside, ctx) for branch in layer.branches]
        return [_sum(channel) for channel in zip(*(out for out, _ in outs))], all(flag for _, flag in outs)
    if isinstance(layer, (Conv, ConvTranspose)) and (layer.groups != 1 or layer.bias is not None):
        raise OutsideGenericFragment(f"{layer!r} has groups or a bias")
    reads_outside = (
        isinstance(layer, Pad) and (layer.left or layer.right)
        or isinstance(layer, ConvTranspose) and not _reads_own_window(layer)
        or isinstance(layer, Conv) and any(layer.padding_pair())
        or isinstance(layer, AvgPool) and layer.padding
    )
    if reads_outside and not zero_outside:
        raise OutsideGenericFragment(f"{layer!r} reads beyond a window edge inside the chain")
    if isinstance(layer, Conv):  # y[o] = sum_i down_s(z^p K_oi(z^-d) x[i])
        k, left = kernel_series(layer.weight, ctx), layer.padding_pair()[0]
        return [_sum(_correlate(xi, koi, layer.stride, layer.dilation, left) for xi, koi in zip(x, row))
                for row in k], False
    if isinstance(layer, AvgPool):
        k = _taps([sympy.Rational(1, layer.size)] * layer.size)
        return [_correlate(xi, k, layer.stride, 1, layer.padding) for xi in x], False
    if isinstance(layer, ConvTranspose):  # weight [in][out]: y[o] = sum_i z^-p K_io(z^d) x[i](z^s)
        k = kernel_series(layer.weight, ctx)
        outs = len(k[0]) if k else 0
        y = [_sum(_shift(_mul(_power(x[i], layer.stride), _power(k[i][o], layer.dilation)), -layer.padding)
                  for i in range(len(x))) for o in range(outs)]
        return y, zero_outside and layer.padding == 0
    if isinstance(layer, Pad):
        return [_shift(xi, layer.left) for xi in x], zero_outside  # padding needs (so keeps) zeros outside
    if isinstance(layer, Crop):
        return [_shift(xi, -layer.left) for xi in x], zero_outside and not (layer.left or layer.right)
    if isinstance(layer, Down):
        return [_down(_shift(xi, -layer.phase), layer.factor) for xi in x], zero_outside
    if isinstance(layer, Up):
        return [_power(xi, layer.factor) for xi in x], zero_outside
    raise OutsideGenericFragment(f"{layer!r} is outside the generic-length fragment")


def impulse_response(layer: Layer, position: int, ctx: SeriesContext, channel: int = 0,
                     channels: int = 1) -> Signal:
    """The output channels of ``layer`` for the unit impulse at ``position`` of input ``channel``."""
    x: Signal = [{(position, 0, ()): sympy.Integer(1)} if m == channel else {} for m in range(channels)]
    return _response(layer, x, True, ctx)[0]


def series_equal(a: Series, b: Series) -> bool:
    """Equal as formal series: every coefficient of the difference expands to 0."""
    return all(sympy.expand(a.get(key, 0) - b.get(key, 0)) == 0 for key in set(a) | set(b))


def series_text(a: Series) -> str:
    """The series as text, ``A_r^k(z^m)`` for the atoms (terms in a fixed order)."""
    parts = []
    for (b, al, atoms), coeff in sorted(a.items(), key=lambda item: (item[0][1], item[0][0], item[0][2])):
        if sympy.expand(coeff) == 0:
            continue
        power = f"z^({b} + {al}q)" if al else f"z^{b}"
        factors = "".join(f" {name}_{r}(z^{m})" for name, r, m in atoms)
        parts.append(f"({coeff}) {power}{factors}")
    return " + ".join(parts) or "0"
