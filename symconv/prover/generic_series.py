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
needs the residue ``rho`` of ``c - 1`` mod M; so does ``padding='same'`` on such a
kernel, whose left padding ``floor(d (l - 1) / 2)`` is ``beta + alpha q`` on each
class (M even when ``d u`` is odd, ``l = u c + v``).

Each layer's finite output equals the bi-infinite one on its window as long as
nothing reads outside a window where the signal is not zero: padding and
transposed convolutions need an input that is zero outside its window, which
holds at the input and is kept by pad, up, down and a transposed convolution
without padding; a window-reading layer (conv, avgpool, crop) loses it. A
transposed convolution with ``d (c - 1) + op < s + p`` (a fixed c) reads only
inputs inside its window, so it needs no zeros outside.

The work is done in exact arithmetic: a series is held as ``{(beta, alpha,
atoms, taps): number}``, where ``taps`` is a monomial of
:mod:`symconv.core.exact_poly` in the taps of fixed-length kernels and the
number an ``int`` or ``Fraction`` (no entry is 0). SymPy coefficients are
built only at the edge (:func:`impulse_response`, :func:`kernel_series`,
:func:`series_text`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Optional, Union

from symconv.lazy_import import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.exact_poly import Poly, from_sympy, to_sympy
from symconv.core.kernel import Kernel, KernelSymbol, Literal
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up
from symconv.prover.generic_lengths import OutsideGenericFragment, affine_length

__all__ = ["Series", "SeriesContext", "impulse_response", "kernel_series", "NeedsResidue", "series_equal",
           "series_text", "ExactSeries", "exact_impulse_response", "exact_series_text", "same_padding_modulus"]

#: ``(beta, alpha, atoms)``: the term ``z^(beta + alpha q) prod A_r(z^m)``, atoms ``(name, r, m)`` sorted.
Key = tuple[int, int, tuple[tuple[str, int, int], ...]]
Series = dict[Key, "sympy.Expr"]

Number = Union[int, Fraction]
#: ``{(beta, alpha, atoms, taps): number}``: ``number * taps * z^(beta + alpha q) prod A_r(z^m)``, ``taps`` a
#: monomial of :mod:`symconv.core.exact_poly`; no number is 0.
ExactSeries = dict[tuple, Number]


class NeedsResidue(Exception):
    """A generic-length kernel is flipped or ``'same'``-padded: the response depends on ``c mod M`` (internal
    signal)."""


@dataclass(frozen=True)
class SeriesContext:
    """The polyphase modulus ``M``, the generic length symbol, and ``rho = (c - 1) mod M`` when known.

    ``kernels`` caches each kernel's exact series (and its reflections ``K(z^-d)`` grouped by exponent
    mod the stride) for the impulses of one decision: an explicit cache, filled on first use.
    """

    modulus: int
    symbol: sympy.Symbol
    residue: Optional[int] = None
    kernels: dict = field(default_factory=dict, compare=False, repr=False)


def _merge(t1: tuple, t2: tuple) -> tuple:
    """Two sorted tuples merged (a product of atoms or of tap monomials)."""
    if not t1:
        return t2
    if not t2:
        return t1
    return tuple(sorted(t1 + t2))


def _add_into(total: ExactSeries, a: ExactSeries) -> None:
    for key, coeff in a.items():
        value = total.get(key, 0) + coeff
        if value:
            total[key] = value
        else:
            del total[key]


def _mul(a: ExactSeries, b: ExactSeries) -> ExactSeries:
    out: ExactSeries = {}
    get = out.get
    for (b1, a1, t1, m1), c1 in a.items():
        for (b2, a2, t2, m2), c2 in b.items():
            key = (b1 + b2, a1 + a2, _merge(t1, t2), _merge(m1, m2))
            value = get(key, 0) + c1 * c2
            if value:
                out[key] = value
            else:
                del out[key]
    return out


def _scale(a: ExactSeries, factor: Poly) -> ExactSeries:
    """``factor * a`` for a polynomial ``factor`` in the fixed taps."""
    out: ExactSeries = {}
    for monomial, number in factor.items():
        _add_into(out, {(b, al, t, _merge(m, monomial)): number * coeff for (b, al, t, m), coeff in a.items()})
    return out


def _shift(a: ExactSeries, beta: int, alpha: int = 0) -> ExactSeries:
    return {(b + beta, al + alpha, t, m): coeff for (b, al, t, m), coeff in a.items()}


def _power(a: ExactSeries, e: int) -> ExactSeries:
    """``z -> z^e`` (e a non-zero integer)."""
    return {(b * e, al * e, tuple(sorted((n, r, m * e) for n, r, m in t)), mono): coeff
            for (b, al, t, mono), coeff in a.items()}


def _check_divisible(a: ExactSeries, s: int) -> None:
    if any(al % s or any(m % s for _, _, m in t) for _, al, t, _ in a):
        raise OutsideGenericFragment(f"modulus too small for a stride {s}")  # internal


def _down(a: ExactSeries, s: int) -> ExactSeries:
    """Keep the exponents divisible by s, divided by s."""
    _check_divisible(a, s)
    out: ExactSeries = {}
    for (b, al, t, mono), coeff in a.items():
        if b % s == 0:
            key = (b // s, al // s, tuple((n, r, m // s) for n, r, m in t), mono)
            out[key] = out.get(key, 0) + coeff
    return {key: coeff for key, coeff in out.items() if coeff}


def _taps(values) -> ExactSeries:
    out: ExactSeries = {}
    for j, v in enumerate(values):
        if v != 0:
            poly = from_sympy(sympy.sympify(v))  # safe: exact taps
            _add_into(out, {(j, 0, (), monomial): number for monomial, number in poly.items()})
    return out


#: A kernel as a matrix ``[out][in]`` of series; a signal as one series per channel.
Matrix = list[list[ExactSeries]]
Signal = list[ExactSeries]


def _entrywise(matrix: Matrix, f) -> Matrix:
    return [[f(entry) for entry in row] for row in matrix]


def _kernel(k: Kernel, ctx: SeriesContext, e: int = 1, s: int = 1) -> Matrix:
    """:func:`kernel_series` of ``K(z^e)`` in exact arithmetic, with every atom's ``m`` divided by ``s``
    (``e = -d``, ``s`` the stride: the reflected kernel a correlation multiplies by, ready for ``down_s``).

    Cached in ``ctx``; the matrices are never changed. Powers and the division of the atoms are applied
    at the leaves, where a product of factors needs them anyway (``_mul`` sorts merged atoms).
    """
    key = ("kernel", k, e, s)
    if key not in ctx.kernels:
        ctx.kernels[key] = _kernel_uncached(k, ctx, e, s)
    return ctx.kernels[key]


def _kernel_uncached(k: Kernel, ctx: SeriesContext, e: int, s: int) -> Matrix:
    if isinstance(k, KernelSymbol):
        if isinstance(k.length, int):
            return [[_power(_taps(t), e) for t in row] for row in k.taps()]
        if affine_length(k.length, ctx.symbol) != (1, 0):
            raise OutsideGenericFragment(f"{k!r}: a generic length must be the plain name")
        if ctx.modulus * e % s:
            raise OutsideGenericFragment(f"modulus too small for a stride {s}")  # internal
        out, inp, _ = k.shape

        def atom(o: int, i: int) -> str:
            return k.name if len(k.dims) == 1 else f"{k.name}_{o}_{i}"

        return [[{(r * e, 0, ((atom(o, i), r, ctx.modulus * e // s),), ()): 1 for r in range(ctx.modulus)}
                 for i in range(inp)] for o in range(out)]
    if isinstance(k, Literal):
        return [[_power(_taps(t), e) for t in row] for row in k.values]
    if isinstance(k, Dilate):
        return _kernel(k.kernel, ctx, e * k.factor, s)
    if isinstance(k, Convolve):  # E[o][i] = sum_m a[m][i] b[o][m]
        a, b = _kernel(k.a, ctx, e, s), _kernel(k.b, ctx, e, s)
        out: Matrix = [[{} for _ in a[0]] for _ in b]
        for o, row in enumerate(b):
            for m, bm in enumerate(row):
                for i, am in enumerate(a[m]):
                    if out[o][i]:
                        _add_into(out[o][i], _mul(am, bm))
                    else:
                        out[o][i] = _mul(am, bm)
        return out
    if isinstance(k, FlipKernel):
        slope, intercept = affine_length(k.kernel.length, ctx.symbol)
        if slope and ctx.residue is None:
            raise NeedsResidue(repr(k))
        # flip(K)(z) = z^(l - 1) K(1/z), l - 1 = slope (M q + rho + 1) + intercept - 1; here at z^e
        beta = slope * ((ctx.residue or 0) + 1) + intercept - 1
        return _entrywise(_kernel(k.kernel, ctx, -e, s), lambda x: _shift(x, e * beta, e * slope * ctx.modulus))
    if isinstance(k, PadKernel):
        return _entrywise(_kernel(k.kernel, ctx, e, s), lambda x: _shift(x, e * k.left))
    if isinstance(k, KernelSum):
        a, b = _kernel(k.a, ctx, e, s), _kernel(k.b, ctx, e, s)
        out = [[dict(x) for x in ra] for ra in a]
        for row, rb in zip(out, b):
            for x, y in zip(row, rb):
                _add_into(x, y)
        return out
    if isinstance(k, Scaled):
        factor = from_sympy(k.scalar)
        return _entrywise(_kernel(k.kernel, ctx, e, s), lambda x: _scale(x, factor))
    raise OutsideGenericFragment(f"no formal series for {k!r}")


@dataclass(frozen=True)
class _Reflected:
    """The terms of ``K(z^-d)``, each atom's ``m`` divided by the stride ``s`` already, grouped by their
    exponent ``beta`` mod s; ``alphas`` the residues of ``alpha`` mod s (``down_s`` needs every product
    term's alpha divisible by s)."""

    groups: dict
    alphas: frozenset


def _grouped(reflected: ExactSeries, stride: int) -> _Reflected:
    groups: dict[int, list] = {}
    for key, coeff in reflected.items():
        groups.setdefault(key[0] % stride, []).append((key, coeff))
    return _Reflected(groups, frozenset(al % stride for _, al, _, _ in reflected))


def _reflected(k: ExactSeries, dilation: int, stride: int) -> _Reflected:
    """:class:`_Reflected` of a series (the kernels of layers take the way through :func:`_kernel`)."""
    if any(-dilation * m % stride for _, _, t, _ in k for _, _, m in t):
        raise OutsideGenericFragment(f"modulus too small for a stride {stride}")  # internal
    return _grouped({(b, al, tuple((n, r, m // stride) for n, r, m in t), mono): coeff
                     for (b, al, t, mono), coeff in _power(k, -dilation).items()}, stride)


def _correlate(x: ExactSeries, reflected: _Reflected, stride: int, left: int) -> ExactSeries:
    """``down_s(z^p X(z) K(z^-d))``, multiplying only the pairs whose exponent ``beta`` the stride divides."""
    if not x or not reflected.groups:
        return {}
    # every product term must have alpha and the atoms' m divisible by s, as _down checks
    alphas = {al % stride for _, al, _, _ in x}
    if (len(alphas) > 1 or len(reflected.alphas) > 1 or (min(alphas) + min(reflected.alphas)) % stride
            or any(m % stride for _, _, t, _ in x for _, _, m in t)):
        raise OutsideGenericFragment(f"modulus too small for a stride {stride}")  # internal
    out: ExactSeries = {}
    get = out.get
    for (b1, a1, t1, m1), c1 in x.items():
        b1 += left
        t1 = tuple((n, r, m // stride) for n, r, m in t1)  # dividing by s keeps the atoms sorted
        group = reflected.groups.get(-b1 % stride, ())
        if t1 or m1:
            terms = (((b1 + b2) // stride, (a1 + a2) // stride, _merge(t1, t2), _merge(m1, m2), c2)
                     for (b2, a2, t2, m2), c2 in group)
        else:  # an impulse: the kernel's terms moved (most of the work for a wide kernel)
            terms = (((b1 + b2) // stride, (a1 + a2) // stride, t2, m2, c2) for (b2, a2, t2, m2), c2 in group)
        for b, a, t, m, c2 in terms:
            key = (b, a, t, m)
            value = get(key, 0) + c1 * c2
            if value:
                out[key] = value
            else:
                del out[key]
    return out


def _reads_own_window(layer: ConvTranspose) -> bool:
    """Whether every output in the window sums only inputs inside theirs: ``d (c - 1) + op < s + p``."""
    length = layer.weight.length
    return isinstance(length, int) and layer.dilation * (length - 1) + layer.output_padding < layer.stride + layer.padding


def _sum(series) -> ExactSeries:
    total: ExactSeries = {}
    for s in series:
        _add_into(total, s)
    return total


def _left_padding(layer: Conv, ctx: SeriesContext) -> tuple[int, int]:
    """``(beta, alpha)``: the left padding is ``beta + alpha q``. A ``'same'`` padding of a kernel of length
    ``l = u c + v`` is ``floor(d (l - 1) / 2)``; with ``c = M q + rho + 1`` that is
    ``floor(d (u (rho + 1) + v - 1) / 2) + (d u M / 2) q`` when ``d u M`` is even (the modulus is chosen so:
    :func:`same_padding_modulus`), which needs rho."""
    left = layer.padding_pair()[0]
    if isinstance(left, int):
        return left, 0
    if ctx.residue is None:
        raise NeedsResidue(repr(layer))
    u, v = affine_length(layer.weight.length, ctx.symbol)
    if layer.dilation * u * ctx.modulus % 2:
        raise OutsideGenericFragment(f"{layer!r}: the modulus {ctx.modulus} is odd")  # internal
    return layer.dilation * (u * (ctx.residue + 1) + v - 1) // 2, layer.dilation * u * ctx.modulus // 2


def same_padding_modulus(layer: Layer) -> int:
    """2 when some ``padding='same'`` convolution of ``layer`` has a generic length ``u c + v`` with ``d u`` odd
    (its left padding ``floor(d (l - 1) / 2)`` is affine in q only on the classes of c mod an even modulus), else 1."""
    if isinstance(layer, (Chain, Parallel)):
        parts = layer.steps if isinstance(layer, Chain) else layer.branches
        return max((same_padding_modulus(part) for part in parts), default=1)
    if isinstance(layer, Conv) and not isinstance(layer.padding_pair()[0], int):
        symbols = layer.weight.length_symbols()
        if len(symbols) == 1:
            u, _ = affine_length(layer.weight.length, next(iter(symbols)))
            return 2 if layer.dilation * u % 2 else 1
    return 1


def _conv(layer: Conv, x: Signal, ctx: SeriesContext) -> Signal:
    """``y[o] = sum_i down_s(z^p K_oi(z^-d) x[i])``, each ``K_oi(z^-d)`` built once per context."""
    key = ("reflected", layer.weight, layer.dilation, layer.stride)
    if key not in ctx.kernels:
        ctx.kernels[key] = _entrywise(_kernel(layer.weight, ctx, -layer.dilation, layer.stride),
                                      lambda e: _grouped(e, layer.stride))
    left, alpha = _left_padding(layer, ctx)
    if alpha:
        x = [_shift(xi, 0, alpha) for xi in x]
    out = []
    for row in ctx.kernels[key]:
        total, *rest = [_correlate(xi, koi, layer.stride, left) for xi, koi in zip(x, row)]  # fresh dicts
        for s in rest:
            _add_into(total, s)
        out.append(total)
    return out


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
    if isinstance(layer, Conv):
        return _conv(layer, x, ctx), False
    if isinstance(layer, AvgPool):
        k = _reflected(_taps([sympy.Rational(1, layer.size)] * layer.size), 1, layer.stride)
        return [_correlate(xi, k, layer.stride, layer.padding) for xi in x], False
    if isinstance(layer, ConvTranspose):  # weight [in][out]: y[o] = sum_i z^-p K_io(z^d) x[i](z^s)
        k = _kernel(layer.weight, ctx)
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


def exact_impulse_response(layer: Layer, position: int, ctx: SeriesContext, channel: int = 0,
                           channels: int = 1) -> list[ExactSeries]:
    """:func:`impulse_response` in exact arithmetic: two responses are equal series iff equal dicts."""
    x: Signal = [{(position, 0, (), ()): 1} if m == channel else {} for m in range(channels)]
    return _response(layer, x, True, ctx)[0]


def _to_series(a: ExactSeries) -> Series:
    """The series with SymPy coefficients (the taps of fixed-length kernels gathered per term)."""
    gathered: dict[Key, Poly] = {}
    for (b, al, t, mono), number in a.items():
        gathered.setdefault((b, al, t), {})[mono] = number
    return {key: to_sympy(poly) for key, poly in gathered.items()}


def kernel_series(k: Kernel, ctx: SeriesContext) -> list[list[Series]]:
    """``K_oi(z) = sum_j k_oij z^j`` of a kernel expression, ``[out][in]``; generic kernels as atoms."""
    return [[_to_series(entry) for entry in row] for row in _kernel(k, ctx)]


def impulse_response(layer: Layer, position: int, ctx: SeriesContext, channel: int = 0,
                     channels: int = 1) -> list[Series]:
    """The output channels of ``layer`` for the unit impulse at ``position`` of input ``channel``."""
    return [_to_series(s) for s in exact_impulse_response(layer, position, ctx, channel, channels)]


def exact_series_text(a: ExactSeries) -> str:
    """:func:`series_text` of an exact series."""
    return series_text(_to_series(a))


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
