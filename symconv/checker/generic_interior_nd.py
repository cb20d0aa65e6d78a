"""The checker's rule ``generic_interior_nd``: edge-free N-D chains with one generic size c, for every c >= 1.

Rule data: ``symbol`` (the generic size c) and ``period`` (a hint ``P``; every
divisibility it needs is re-checked). The fragment: both sides are d-D chains
(d >= 2), *edge-free* as in :mod:`symconv.checker.interior` (zero or more
``pad`` layers, then ``conv{d}d`` (groups allowed, no bias), linear
``avgpool{d}d``, ``down`` and ``crop``, of which only the first may pad); each
named kernel's spatial sizes are integers or c itself (``k[c, 3]``,
``W[2, 2, c, c]``); kernels are built by ``convolve``, ``dilate``, ``flip``,
``padk``, sums and multiples. Anything else is refused, naming it. Write
``c = P q + rho + 1`` (``q >= 0``, ``0 <= rho < P``).

**(1) Lengths.** The output shape is the 1-D length table per axis
(:func:`symconv.core.layers_nd.output_shape` of the projections
:func:`~symconv.core.layers_nd.axis_chain`), so the shapes agree for every
shape and every c iff each axis's two projections have equal lengths for every
``n_a >= 0`` and c >= 1: the lemma of :mod:`symconv.checker.generic_argument`
(1), :func:`~symconv.checker.generic_argument.compare_lengths`, on each axis
(an axis without c is the same lemma with no q).

**(2) Form.** For each c, the instance is an edge-free chain with integer
sizes, so by Lemma A of :mod:`symconv.checker.interior` every output of every
shape is ``y = T(xbar)`` on the output window, ``xbar`` the input extended by
zeros and T the composition of the layers' bi-infinite operators (in z, per
axis, cross-correlation; ``down_S`` keeps the exponents in ``S Z^d`` and
divides them by S):

    conv (S, dilation D, left padding p, groups):  Y_o = down_S(z^p sum_i K_oi(z^-D) X_i)
    avgpool (size, S, p): the conv of 1/|size| taps per channel    pad(b): z^b X    crop(b): z^-b X
    down(S, phase): down_S(z^-phase X)

T commutes with shifts: shifting the input by ``S_tot u`` (per axis, S_tot the
product of the strides) shifts the output by u (Lemma A's form
``T(x)[i] = sum_a E[a] x[S_tot i - O + a]``, S_tot not depending on c).

**(3) Polyphase atoms.** A named kernel with c on the axes G is
``K(z) = sum_{r, a} z^(r, a) A_{r,a}(z_G^P)``: r < P on the axes of G, a
the tap index on the others, ``A_{r,a}(w) = sum_j k[P j + r, a] w^j`` a formal
atom, whatever c is. A kernel expression, and a response, is then a finite sum
of terms ``coefficient * z^(beta + alpha q) * prod A(z^m)`` (beta, alpha, m
integer vectors); ``flip`` on an axis of size ``u c + v`` gives
``z^(u (rho + 1) + v - 1 + u P q)`` there, and a generic left padding (only
``'same'``, ``floor(D (l - 1) / 2)``) is ``D (u (rho + 1) + v - 1) / 2 + (D u P / 2) q``
with ``2 | D u P`` checked: these are checked for each rho.
Every operation commutes with evaluating the atoms at a c and at taps (they
are ring operations), and ``down_S`` does too on a term whose alpha and atom
exponents m are in ``S Z`` per axis (checked: its exponents are then all
``beta mod S``, so it is kept whole iff S divides beta, or dropped).

**Theorem.** If the lengths agree (1), both sides have the same S_tot, and
the responses of the two sides to the impulses ``z^t``, ``0 <= t_j < S_tot_j``,
of every input channel are equal formal sums, then ``lhs == rhs`` for every
input shape and every c >= 1. *Proof.* Fix c. By (3) the responses to those
``z^t`` agree; a shift by ``S_tot u`` moves both outputs by u (2), so the
responses to every impulse agree, and by linearity ``T_L = T_R`` on every
finitely supported signal. By (2) each side's output is ``T(xbar)`` on its
window, and by (1) the windows are equal. QED.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional

from symconv.lazy_import import sympy

from symconv.checker.generic_argument import (MAX_PERIOD, add_term, compare_lengths, integer_affine,
                                              merged_monomial)
from symconv.checker.interior import edge_free_steps
from symconv.core.conv_nd import ConvNd
from symconv.core.exact_poly import from_sympy, to_sympy
from symconv.core.kernel_expr_nd import ConvolveNd, DilateNd, FlipNd, PadKernelNd, ScaledNd, SumNd
from symconv.core.kernel_nd import KernelNd, KernelSymbolNd
from symconv.core.layers import Layer
from symconv.core.layers_nd import AvgPoolNd, CropNd, DownNd, PadNd, axis_chain
from symconv.errors import CertificateError

__all__ = ["rule_generic_interior_nd", "total_strides", "MAX_IMPULSES", "MAX_PRODUCT"]

#: Most impulse responses (input channels times positions) the rule computes, and most term pairs one product
#: of kernel series multiplies (a generic size on g axes gives P^g atoms per tap).
MAX_IMPULSES = 4096
MAX_PRODUCT = 1_000_000

#: ``{(beta, alpha, atoms, taps): number}``; beta, alpha per axis; atoms ``(kernel, o, i, index, m)`` sorted.
Series = dict


class _NeedsResidue(Exception):
    """A quantity depends on ``rho = (c - 1) mod P``: the caller checks each residue (internal signal)."""


class _Context:
    """The period, the generic symbol, the number of axes, ``rho`` (None: not fixed) and a kernel cache."""

    def __init__(self, period: int, symbol: sympy.Symbol, d: int, rho: Optional[int]) -> None:
        self.period, self.symbol, self.d, self.rho, self.cache = period, symbol, d, rho, {}


# series in z = (z_1, ..., z_d) ---------------------------------------------------------------------------

def _vec(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def _sum(parts) -> Series:
    total: Series = {}
    for part in parts:
        for key, number in part.items():
            add_term(total, key, number)
    return total


def _mul(a: Series, b: Series, where: str) -> Series:
    if len(a) * len(b) > MAX_PRODUCT:
        raise CertificateError(f"{where}: a product of kernel series has {len(a)} x {len(b)} terms, more than "
                               f"{MAX_PRODUCT}: the period is too large for the generic_interior_nd rule")
    out: Series = {}
    for (b1, a1, t1, m1), c1 in a.items():
        for (b2, a2, t2, m2), c2 in b.items():
            add_term(out, (_vec(b1, b2), _vec(a1, a2), merged_monomial(t1, t2), merged_monomial(m1, m2)), c1 * c2)
    return out


def _shift(a: Series, beta: tuple, alpha: Optional[tuple] = None) -> Series:
    alpha = alpha or (0,) * len(beta)
    return {(_vec(b, beta), _vec(al, alpha), t, m): c for (b, al, t, m), c in a.items()}


def _exact(vector: tuple, s: tuple, where: str) -> tuple:
    """``vector / s`` per axis; CertificateError when s does not divide it (the period is too small)."""
    if any(x % f for x, f in zip(vector, s)):
        raise CertificateError(f"{where}: the period is not a multiple of the strides (a stride {list(s)})")
    return tuple(x // f for x, f in zip(vector, s))


def _divided(key: tuple, s: tuple, where: str) -> tuple:
    """A term's key with alpha and every atom's m divided by s (they must be in ``s Z``), beta kept."""
    beta, alpha, atoms, mono = key
    return beta, _exact(alpha, s, where), tuple((k, o, i, r, _exact(m, s, where)) for k, o, i, r, m in atoms), mono


def _down(a: Series, s: tuple, where: str) -> Series:
    """``down_s`` per axis: a term with alpha and every atom's m in ``s Z`` is kept whole iff s divides beta."""
    out: Series = {}
    for key, c in a.items():
        beta, alpha, atoms, mono = _divided(key, s, where)
        if not any(x % f for x, f in zip(beta, s)):
            out[(tuple(x // f for x, f in zip(beta, s)), alpha, atoms, mono)] = c
    return out


def _grouped(k: Series, s: tuple, where: str) -> dict:
    """The terms of a kernel series, alpha and atoms divided by s, by ``beta mod s``."""
    groups: dict = {}
    for key, c in k.items():
        groups.setdefault(tuple(x % f for x, f in zip(key[0], s)), []).append((_divided(key, s, where), c))
    return groups


def _correlate(x: Series, groups: dict, s: tuple, shift: tuple, where: str) -> Series:
    """``down_s(z^shift X K)`` with K's terms grouped by :func:`_grouped`: every factor's alpha and atoms are in
    ``s Z`` (checked), so every product term's are, and only the pairs whose beta s divides are multiplied."""
    out: Series = {}
    for key, c1 in _shift(x, *shift).items():
        b1, a1, t1, m1 = _divided(key, s, where)
        for (b2, a2, t2, m2), c2 in groups.get(tuple(-x % f for x, f in zip(b1, s)), ()):
            beta = tuple((x + y) // f for x, y, f in zip(b1, b2, s))
            add_term(out, (beta, _vec(a1, a2), merged_monomial(t1, t2), merged_monomial(m1, m2)), c1 * c2)
    return out


# kernels as matrices [out][in] of series -----------------------------------------------------------------

def _kernel(k: KernelNd, e: tuple, ctx: _Context, where: str) -> list[list[Series]]:
    """``K(z^e)`` (e per axis) as a matrix ``[out][in]`` of series; cached per context."""
    if (k, e) not in ctx.cache:
        ctx.cache[(k, e)] = _kernel_uncached(k, e, ctx, where)
    return ctx.cache[(k, e)]


def _kernel_uncached(k: KernelNd, e: tuple, ctx: _Context, where: str) -> list[list[Series]]:
    zero = (0,) * ctx.d
    out, inner = k.out_channels, k.in_channels
    if not k.length_symbols():  # integer sizes: the core's own taps
        rows = [[{} for _ in range(inner)] for _ in range(out)]
        for (o, i, *a), value in k.grid().items():  # distinct a give distinct beta: no key repeats
            beta = tuple(x * f for x, f in zip(a, e))
            rows[o][i].update({(beta, zero, (), mono): c for mono, c in from_sympy(value).items()})
        return rows
    if isinstance(k, KernelSymbolNd):
        sizes = k.spatial
        if any(not isinstance(n, int) and n != ctx.symbol for n in sizes):
            raise CertificateError(f"{where}: {k!r}: a generic size must be {ctx.symbol} itself")
        generic = [not isinstance(n, int) for n in sizes]
        name = (k.name,) + tuple(map(str, k.dims))
        m = tuple(ctx.period * f if g else 0 for f, g in zip(e, generic))
        ranges = [range(ctx.period) if g else range(n) for n, g in zip(sizes, generic)]
        return [[{(tuple(x * f for x, f in zip(index, e)), zero, ((name, o, i, index, m),), ()): 1
                  for index in itertools.product(*ranges)} for i in range(inner)] for o in range(out)]
    if isinstance(k, DilateNd):
        return _kernel(k.kernel, tuple(x * f for x, f in zip(e, k.factors)), ctx, where)
    if isinstance(k, ConvolveNd):  # E[o][i] = sum_m a[m][i] b[o][m]
        a, b = _kernel(k.a, e, ctx, where), _kernel(k.b, e, ctx, where)
        return [[_sum(_mul(a[m][i], b[o][m], where) for m in range(len(a))) for i in range(inner)] for o in range(out)]
    if isinstance(k, FlipNd):  # per flipped axis: z^(e (l - 1)) K(z^-e), l = u c + v
        beta, alpha = [0] * ctx.d, [0] * ctx.d
        for axis in k.axes:
            u, v = integer_affine(k.kernel.spatial[axis], ctx.symbol, f"the size on axis {axis + 1} of {k!r}", where)
            if u and ctx.rho is None:
                raise _NeedsResidue
            beta[axis] = e[axis] * (u * ((ctx.rho or 0) + 1) + v - 1)
            alpha[axis] = e[axis] * u * ctx.period
        inner_e = tuple(-x if axis in k.axes else x for axis, x in enumerate(e))
        return [[_shift(x, tuple(beta), tuple(alpha)) for x in row] for row in _kernel(k.kernel, inner_e, ctx, where)]
    if isinstance(k, PadKernelNd):
        shift = tuple(x * b for x, b in zip(e, k.before))
        return [[_shift(x, shift) for x in row] for row in _kernel(k.kernel, e, ctx, where)]
    if isinstance(k, SumNd):
        a, b = _kernel(k.a, e, ctx, where), _kernel(k.b, e, ctx, where)
        return [[_sum((x, y)) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    if isinstance(k, ScaledNd):
        factor = {(zero, zero, (), mono): c for mono, c in from_sympy(k.scalar).items()}
        return [[_mul(x, factor, where) for x in row] for row in _kernel(k.kernel, e, ctx, where)]
    raise CertificateError(f"{where}: the kernel {k!r} is outside the generic_interior_nd rule")


# responses -----------------------------------------------------------------------------------------------

def _left_padding(step: ConvNd, ctx: _Context, where: str) -> tuple[tuple, tuple]:
    """``(beta, alpha)`` of the left padding; a generic one is 'same', ``floor(D (l - 1) / 2)`` with
    ``l - 1 = u (P q + rho + 1) + v - 1``, which needs rho and ``2 | D u P``."""
    beta, alpha = [0] * ctx.d, [0] * ctx.d
    for axis, ((left, _), dilation) in enumerate(zip(step.padding, step.dilation)):
        if isinstance(left, int):
            beta[axis] = left
            continue
        size = step.weight.spatial[axis]
        if left != sympy.floor(dilation * (size - 1) / 2):
            raise CertificateError(f"{where}: {step!r}: the padding {left} on axis {axis + 1} is not 'same'")
        if ctx.rho is None:
            raise _NeedsResidue
        u, v = integer_affine(size, ctx.symbol, f"the size on axis {axis + 1} of {step.weight!r}", where)
        if dilation * u * ctx.period % 2:
            raise CertificateError(f"{where}: {step!r} needs an even period")
        beta[axis], alpha[axis] = dilation * (u * (ctx.rho + 1) + v - 1) // 2, dilation * u * ctx.period // 2
    return tuple(beta), tuple(alpha)


def _conv(step: ConvNd, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    if step.bias is not None:
        raise CertificateError(f"{where}: {step!r} has a bias, outside the generic_interior_nd rule")
    if step.in_channels != len(x):
        raise CertificateError(f"{where}: {step!r} takes {step.in_channels} channel(s), not {len(x)}")
    key = ("grouped", step.weight, step.dilation, step.stride)
    if key not in ctx.cache:
        ctx.cache[key] = [[_grouped(koi, step.stride, where) for koi in row]
                          for row in _kernel(step.weight, tuple(-f for f in step.dilation), ctx, where)]
    per_group, inner = step.weight.out_channels // step.groups, step.weight.in_channels
    shift = _left_padding(step, ctx, where)
    return [_sum(_correlate(x[(o // per_group) * inner + i], row[i], step.stride, shift, where)
                 for i in range(inner)) for o, row in enumerate(ctx.cache[key])]


def _response(steps: tuple, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    """The bi-infinite output of the edge-free ``steps`` (one series per channel) for the input ``x``."""
    zero = (0,) * ctx.d
    for step in steps:
        if isinstance(step, ConvNd):
            x = _conv(step, x, ctx, where)
        elif isinstance(step, AvgPoolNd):
            scale = Fraction(1, math.prod(step.size))
            window = {(tuple(-a for a in index), zero, (), ()): scale
                      for index in itertools.product(*(range(n) for n in step.size))}
            groups = _grouped(window, step.stride, where)
            x = [_correlate(xi, groups, step.stride, (tuple(step.padding), zero), where) for xi in x]
        elif isinstance(step, (PadNd, CropNd)):
            x = [_shift(xi, tuple(step.before) if isinstance(step, PadNd) else tuple(-b for b in step.before))
                 for xi in x]
        else:  # DownNd, the one window layer left by the edge-free check
            x = [_down(_shift(xi, tuple(-p for p in step.phases)), step.factors, where) for xi in x]
    return x


def _term_text(key: tuple) -> str:
    beta, alpha, atoms, _ = key
    power = f"z^({list(beta)} + {list(alpha)}q)" if any(alpha) else f"z^{list(beta)}"
    return power + "".join(f" {name}[{o},{i}]_{list(r)}(z^{list(m)})" for (name, *_), o, i, r, m in atoms)


def _compare_responses(steps: list[tuple], ctx: _Context, channels: int, strides: tuple, where: str) -> None:
    zero = (0,) * ctx.d
    for channel in range(channels):
        for position in itertools.product(*(range(s) for s in strides)):
            impulse = [{(position, zero, (), ()): 1} if i == channel else {} for i in range(channels)]
            left, right = (_response(s, impulse, ctx, where) for s in steps)
            if len(left) != len(right):
                raise CertificateError(f"{where}: the sides give {len(left)} and {len(right)} output channels")
            for o, (a, b) in enumerate(zip(left, right)):
                if a != b:
                    key = min(set(a) ^ set(b) or {k for k in a if a[k] != b[k]}, key=repr)
                    terms = [to_sympy({key[3]: s[key]}) if key in s else 0 for s in (a, b)]
                    residue = "" if ctx.rho is None else f" for {ctx.symbol} = {ctx.rho + 1} mod {ctx.period}"
                    raise CertificateError(f"{where}: the interior operators differ{residue}: the responses to "
                                           f"the impulse at {list(position)} (input channel {channel}) differ in "
                                           f"output channel {o}: the term {_term_text(key)} has {terms[0]} on "
                                           f"the left, {terms[1]} on the right")


def total_strides(steps: tuple, d: int) -> tuple[int, ...]:
    """``S_tot`` per axis: the product of the window layers' strides (a crop or pad has stride 1)."""
    strides = [1] * d
    for step in steps:
        factors = (step.stride if isinstance(step, (ConvNd, AvgPoolNd))
                   else step.factors if isinstance(step, DownNd) else (1,) * d)
        strides = [s * f for s, f in zip(strides, factors)]
    return tuple(strides)


def rule_generic_interior_nd(state: list[Layer], step, where: str) -> str:
    """Close ``lhs == rhs`` for every shape and every c >= 1 by (1)-(3) of the module docstring."""
    lhs, rhs = state
    name, period = step.get("symbol"), step.get("period")
    if not isinstance(name, str) or type(period) is not int or not 1 <= period <= MAX_PERIOD:
        raise CertificateError(f"{where}: expected symbol (a name) and period (an integer in 1..{MAX_PERIOD})")
    d = lhs.ndim
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: the generic_interior_nd rule is for two N-D chains with the same axes; "
                               f"the sides have {lhs.ndim} and {rhs.ndim}")
    symbols = {s for side in state for k in side.kernels() for s in k.length_symbols()}
    if {s.name for s in symbols} != {name} or len(symbols) != 1:
        raise CertificateError(f"{where}: the statement has the generic sizes {sorted(map(str, symbols))}; "
                               f"the rule takes exactly one, {name}")
    symbol = symbols.pop()
    steps = [edge_free_steps(side, where) for side in state]
    for axis in range(d):
        compare_lengths([axis_chain(side, axis) for side in state], period, symbol, f"{where}, axis {axis + 1}")
    strides = [total_strides(s, d) for s in steps]
    if strides[0] != strides[1]:
        raise CertificateError(f"{where}: the sides have the strides {list(strides[0])} and {list(strides[1])}")
    channels = lhs.in_channels or rhs.in_channels or 1
    if lhs.in_channels and rhs.in_channels and lhs.in_channels != rhs.in_channels:
        raise CertificateError(f"{where}: the sides take {lhs.in_channels} and {rhs.in_channels} input channels")
    if channels * math.prod(strides[0]) > MAX_IMPULSES:
        raise CertificateError(f"{where}: {channels} channel(s) and the strides {list(strides[0])} need more than "
                               f"{MAX_IMPULSES} impulse responses")
    try:
        _compare_responses(steps, _Context(period, symbol, d, None), channels, strides[0], where)
    except _NeedsResidue:
        for rho in range(period):
            _compare_responses(steps, _Context(period, symbol, d, rho), channels, strides[0], where)
    return f"every {name} >= 1 and every input shape"
