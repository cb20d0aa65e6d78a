"""The impulse responses of the rule ``generic_interior_nd``: linear N-D chains as formal sums in polyphase atoms.

:mod:`symconv.checker.generic_interior_nd` reduces ``lhs == rhs`` for every
generic size c to comparing, per side, the bias-free operator T and the
constant B of (2) below on finitely many impulses (its Theorem);
:func:`compare_responses` computes both sides' responses and constants as the
formal sums of (3) and compares them term by term. Write
``c = P q + rho + 1`` (``q >= 0``, ``0 <= rho < P``), P the rule's period.

**(2) Form.** For each c, by Lemma Z each side's output is ``u = T(xbar) + B``
on its window, ``xbar`` the input extended by zeros, T the composition of the
layers' bi-infinite operators (in z, per axis, cross-correlation; ``down_S``
keeps the exponents in ``S Z^d`` and divides them by S; bias left out):

    conv (S, dilation D, left padding p, groups):  Y_o = down_S(z^p sum_i K_oi(z^-D) X_i)
    conv_transpose (S, D, p, groups):              Y_o = z^-p sum_m K_mo(z^D) X_m(z^S)
    avgpool (size, S, p): the conv of 1/|size| taps per channel    pad(b): z^b X    crop(b): z^-b X
    down(S, phase): down_S(z^-phase X)      up(S): X(z^S)      A + B: the sum of the branches' outputs

and B the constant (per channel) that the biases add: a bias b after a
constant B_in gives ``B_o = b_o + sum_i K_oi(1) B_in,i`` (no layer up-samples
or reads a padding after a bias, Lemma Z), every other layer passes it, and a
sum adds its branches' constants. By
Lemma S, shifting the input by ``t`` (:func:`~symconv.checker.zero_extension_nd.impulse_shifts`
of both sides, lcm per axis) shifts each side's T-output by ``t r``, r the
position rate, checked equal on both sides (and on the branches of every sum).

**(3) Polyphase atoms.** A named kernel with c on the axes G is
``K(z) = sum_{r, a} z^(r, a) A_{r,a}(z_G^P)``: r < P on the axes of G, a
the tap index on the others, ``A_{r,a}(w) = sum_j k[P j + r, a] w^j`` a formal
atom, whatever c is. A kernel expression, and a response, is then a finite sum
of terms ``coefficient * z^(beta + alpha q) * prod A(z^m)`` (beta, alpha, m
integer vectors; ``X(z^S)`` multiplies all three by S); ``flip`` on an axis of
size ``u c + v`` gives ``z^(u (rho + 1) + v - 1 + u P q)`` there, and a generic
left padding (only ``'same'``, ``floor(D (l - 1) / 2)``) is
``D (u (rho + 1) + v - 1) / 2 + (D u P / 2) q`` with ``2 | D u P`` checked:
these are checked for each rho. ``K(1)`` is the term-wise evaluation at z = 1
(every exponent 0, an atom ``A(z^m)`` becomes ``A(1)``). Every operation
commutes with evaluating the atoms at a c and at taps (they are ring
operations), and ``down_S`` does too on a term whose alpha and atom exponents
m are in ``S Z`` per axis (checked: its exponents are then all ``beta mod S``,
so it is kept whole iff S divides beta, or dropped).
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional

from symconv.lazy_import import sympy

from symconv.checker.generic_argument import add_term, integer_affine, merged_monomial
from symconv.core.composite import Parallel
from symconv.core.convolution import Conv, ConvTranspose
from symconv.core.exact_poly import from_sympy, to_sympy
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, PadKernel, Scaled, KernelSum
from symconv.core.kernel import Kernel, KernelSymbol
from symconv.core.layers import Layer
from symconv.core.layers_nd import AvgPool, Crop, Pad, Up
from symconv.errors import CertificateError

__all__ = ["compare_responses", "MAX_IMPULSES", "MAX_PRODUCT"]

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


def _power(a: Series, s: tuple) -> Series:
    """``X(z^s)`` per axis: beta, alpha and every atom's m multiplied by s."""
    scale = lambda v: tuple(x * f for x, f in zip(v, s))  # noqa: E731
    return {(scale(b), scale(al), tuple(sorted((k, o, i, r, scale(m)) for k, o, i, r, m in t)), mono): c
            for (b, al, t, mono), c in a.items()}


def _at_one(a: Series, d: int) -> Series:
    """The series evaluated at z = 1 term by term: every exponent 0, each atom ``A(z^m)`` becomes ``A(1)``."""
    zero = (0,) * d
    out: Series = {}
    for (_, _, atoms, mono), c in a.items():
        add_term(out, (zero, zero, tuple(sorted((k, o, i, r, zero) for k, o, i, r, _ in atoms)), mono), c)
    return out


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

def _kernel(k: Kernel, e: tuple, ctx: _Context, where: str) -> list[list[Series]]:
    """``K(z^e)`` (e per axis) as a matrix ``[out][in]`` of series; cached per context."""
    if (k, e) not in ctx.cache:
        ctx.cache[(k, e)] = _kernel_uncached(k, e, ctx, where)
    return ctx.cache[(k, e)]


def _kernel_uncached(k: Kernel, e: tuple, ctx: _Context, where: str) -> list[list[Series]]:
    zero = (0,) * ctx.d
    out, inner = k.out_channels, k.in_channels
    if not k.length_symbols():  # integer sizes: the core's own taps
        rows = [[{} for _ in range(inner)] for _ in range(out)]
        for (o, i, *a), value in k.grid().items():  # distinct a give distinct beta: no key repeats
            beta = tuple(x * f for x, f in zip(a, e))
            rows[o][i].update({(beta, zero, (), mono): c for mono, c in from_sympy(value).items()})
        return rows
    if isinstance(k, KernelSymbol):
        sizes = k.spatial
        if any(not isinstance(n, int) and n != ctx.symbol for n in sizes):
            raise CertificateError(f"{where}: {k!r}: a generic size must be {ctx.symbol} itself")
        generic = [not isinstance(n, int) for n in sizes]
        name = (k.name,) + tuple(map(str, k.dims))
        m = tuple(ctx.period * f if g else 0 for f, g in zip(e, generic))
        ranges = [range(ctx.period) if g else range(n) for n, g in zip(sizes, generic)]
        return [[{(tuple(x * f for x, f in zip(index, e)), zero, ((name, o, i, index, m),), ()): 1
                  for index in itertools.product(*ranges)} for i in range(inner)] for o in range(out)]
    if isinstance(k, Dilate):
        return _kernel(k.kernel, tuple(x * f for x, f in zip(e, k.factors)), ctx, where)
    if isinstance(k, Convolve):  # E[o][i] = sum_m a[m][i] b[o][m]
        a, b = _kernel(k.a, e, ctx, where), _kernel(k.b, e, ctx, where)
        return [[_sum(_mul(a[m][i], b[o][m], where) for m in range(len(a))) for i in range(inner)] for o in range(out)]
    if isinstance(k, FlipKernel):  # per flipped axis: z^(e (l - 1)) K(z^-e), l = u c + v
        beta, alpha = [0] * ctx.d, [0] * ctx.d
        for axis in k.axes:
            u, v = integer_affine(k.kernel.spatial[axis], ctx.symbol, f"the size on axis {axis + 1} of {k!r}", where)
            if u and ctx.rho is None:
                raise _NeedsResidue
            beta[axis] = e[axis] * (u * ((ctx.rho or 0) + 1) + v - 1)
            alpha[axis] = e[axis] * u * ctx.period
        inner_e = tuple(-x if axis in k.axes else x for axis, x in enumerate(e))
        return [[_shift(x, tuple(beta), tuple(alpha)) for x in row] for row in _kernel(k.kernel, inner_e, ctx, where)]
    if isinstance(k, PadKernel):
        shift = tuple(x * b for x, b in zip(e, k.before))
        return [[_shift(x, shift) for x in row] for row in _kernel(k.kernel, e, ctx, where)]
    if isinstance(k, KernelSum):
        a, b = _kernel(k.a, e, ctx, where), _kernel(k.b, e, ctx, where)
        return [[_sum((x, y)) for x, y in zip(ra, rb)] for ra, rb in zip(a, b)]
    if isinstance(k, Scaled):
        factor = {(zero, zero, (), mono): c for mono, c in from_sympy(k.scalar).items()}
        return [[_mul(x, factor, where) for x in row] for row in _kernel(k.kernel, e, ctx, where)]
    raise CertificateError(f"{where}: the kernel {k!r} is outside the generic_interior_nd rule")


# responses -----------------------------------------------------------------------------------------------

def _left_padding(step: Conv, ctx: _Context, where: str) -> tuple[tuple, tuple]:
    """``(beta, alpha)`` of the left padding; a generic one is 'same', ``floor(D (l - 1) / 2)`` with
    ``l - 1 = u (P q + rho + 1) + v - 1``, which needs rho and ``2 | D u P``."""
    beta, alpha = [0] * ctx.d, [0] * ctx.d
    for axis, ((left, _), dilation) in enumerate(zip(step.paddings, step.dilations)):
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


def _conv(step: Conv, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    """The bias-free (linear) part of a convolution, (2)."""
    if step.in_channels != len(x):
        raise CertificateError(f"{where}: {step!r} takes {step.in_channels} channel(s), not {len(x)}")
    key = ("grouped", step.weight, step.dilations, step.strides)
    if key not in ctx.cache:
        ctx.cache[key] = [[_grouped(koi, step.strides, where) for koi in row]
                          for row in _kernel(step.weight, tuple(-f for f in step.dilations), ctx, where)]
    per_group, inner = step.weight.out_channels // step.groups, step.weight.in_channels
    shift = _left_padding(step, ctx, where)
    return [_sum(_correlate(x[(o // per_group) * inner + i], row[i], step.strides, shift, where)
                 for i in range(inner)) for o, row in enumerate(ctx.cache[key])]


def _conv_transpose(step: ConvTranspose, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    """The bias-free part of a transposed convolution, (2): ``Y_(g O + o) = z^-p sum_m K_mo(z^D) X_m(z^S)``,
    m over the input channels of group g, weight ``[in][out / groups]``."""
    if step.in_channels != len(x):
        raise CertificateError(f"{where}: {step!r} takes {step.in_channels} channel(s), not {len(x)}")
    k = _kernel(step.weight, tuple(step.dilations), ctx, where)
    per_group, outer = step.in_channels // step.groups, step.weight.in_channels
    parts: list[list[Series]] = [[] for _ in range(outer * step.groups)]
    for m, xm in enumerate(x):
        powered = _power(xm, tuple(step.strides))
        for o in range(outer):
            parts[(m // per_group) * outer + o].append(_mul(powered, k[m][o], where))
    back = tuple(-p for p in step.paddings)
    return [_shift(_sum(channel), back) for channel in parts]


def _response(steps: tuple, x: list[Series], ctx: _Context, where: str) -> list[Series]:
    """The bi-infinite output of T (the bias-free operator of ``steps``, one series per channel) for the input x."""
    zero = (0,) * ctx.d
    for step in steps:
        if isinstance(step, Parallel):  # a sum: the sum of its branches' responses
            outs = [_response(branch.layers(), x, ctx, where) for branch in step.branches]
            if len({len(out) for out in outs}) > 1:
                raise CertificateError(f"{where}: the branches of {step!r} give different numbers of channels")
            x = [_sum(channel) for channel in zip(*outs)]
        elif isinstance(step, Conv):
            x = _conv(step, x, ctx, where)
        elif isinstance(step, ConvTranspose):
            x = _conv_transpose(step, x, ctx, where)
        elif isinstance(step, AvgPool):
            scale = Fraction(1, math.prod(step.sizes))
            window = {(tuple(-a for a in index), zero, (), ()): scale
                      for index in itertools.product(*(range(n) for n in step.sizes))}
            groups = _grouped(window, step.strides, where)
            x = [_correlate(xi, groups, step.strides, (tuple(step.paddings), zero), where) for xi in x]
        elif isinstance(step, (Pad, Crop)):
            x = [_shift(xi, tuple(step.before) if isinstance(step, Pad) else tuple(-b for b in step.before))
                 for xi in x]
        elif isinstance(step, Up):
            x = [_power(xi, tuple(step.factors)) for xi in x]
        else:  # Down, the one layer left by linear_steps
            x = [_down(_shift(xi, tuple(-p for p in step.phases)), step.factors, where) for xi in x]
    return x


def _bias(step: Layer, channel: int, d: int) -> Series:
    zero = (0,) * d
    if step.bias is None:
        return {}
    return {(zero, zero, (), mono): c for mono, c in from_sympy(step.bias_entries[channel]).items()}


def _constants(steps: tuple, b: list[Series], ctx: _Context, where: str) -> list[Series]:
    """B of (2) after ``steps`` from the constants ``b`` before them (every layer after a bias passes a constant,
    Lemma Z; a sum adds its branches' constants)."""
    for step in steps:
        if isinstance(step, Parallel):
            b = [_sum(channel) for channel in zip(*(_constants(branch.layers(), b, ctx, where)
                                                    for branch in step.branches))]
        elif isinstance(step, Conv):
            k = _kernel(step.weight, tuple(-f for f in step.dilations), ctx, where)
            per_group, inner = step.weight.out_channels // step.groups, step.weight.in_channels
            b = [_sum([_bias(step, o, ctx.d)] + [_mul(_at_one(row[i], ctx.d), b[(o // per_group) * inner + i], where)
                                                  for i in range(inner)]) for o, row in enumerate(k)]
        elif isinstance(step, ConvTranspose):
            k = _kernel(step.weight, tuple(step.dilations), ctx, where)
            per_group, outer = step.in_channels // step.groups, step.weight.in_channels
            b = [_sum([_bias(step, o, ctx.d)] + [_mul(_at_one(k[m][o % outer], ctx.d), b[m], where)
                                                  for m in range(len(b)) if m // per_group == o // outer])
                 for o in range(outer * step.groups)]
    return b


def _term_text(key: tuple) -> str:
    beta, alpha, atoms, _ = key
    power = f"z^({list(beta)} + {list(alpha)}q)" if any(alpha) else f"z^{list(beta)}"
    return power + "".join(f" {name}[{o},{i}]_{list(r)}(z^{list(m)})" for (name, *_), o, i, r, m in atoms)


def _difference(a: Series, b: Series) -> tuple[str, object, object]:
    """The first term (in a fixed order) where two unequal series differ: its text and the two coefficients."""
    key = min(set(a) ^ set(b) or {k for k in a if a[k] != b[k]}, key=repr)
    left, right = [to_sympy({key[3]: s[key]}) if key in s else 0 for s in (a, b)]
    return _term_text(key), left, right


def _compare(steps: list[tuple], ctx: _Context, channels: int, shifts: tuple, where: str) -> None:
    """The Theorem's comparisons: T's responses to the impulses at ``[0, shifts)``, then the constants B."""
    zero = (0,) * ctx.d
    residue = "" if ctx.rho is None else f" for {ctx.symbol} = {ctx.rho + 1} mod {ctx.period}"
    for channel in range(channels):
        for position in itertools.product(*(range(s) for s in shifts)):
            impulse = [{(position, zero, (), ()): 1} if i == channel else {} for i in range(channels)]
            left, right = (_response(s, impulse, ctx, where) for s in steps)
            if len(left) != len(right):
                raise CertificateError(f"{where}: the sides give {len(left)} and {len(right)} output channels")
            for o, (a, b) in enumerate(zip(left, right)):
                if a != b:
                    term, x, y = _difference(a, b)
                    raise CertificateError(f"{where}: the interior operators differ{residue}: the responses to "
                                           f"the impulse at {list(position)} (input channel {channel}) differ in "
                                           f"output channel {o}: the term {term} has {x} on the left, {y} on the "
                                           f"right")
    left, right = (_constants(s, [{} for _ in range(channels)], ctx, where) for s in steps)
    for o, (a, b) in enumerate(zip(left, right)):
        if a != b:
            term, x, y = _difference(a, b)
            raise CertificateError(f"{where}: the constants the biases add differ{residue} in output channel {o}: "
                                   f"the term {term} has {x} on the left, {y} on the right")


def compare_responses(steps: list[tuple], period: int, symbol: sympy.Symbol, d: int, channels: int, shifts: tuple,
                      where: str) -> None:
    """The Theorem's comparisons of :mod:`symconv.checker.generic_interior_nd` for the bias-free operators of
    ``steps`` (two sides): their responses to the impulses at ``[0, shifts)`` of every input channel, then their
    constants B, as formal sums in the atoms of (3), once for every c, or for each residue ``rho`` when a flip or
    a generic padding needs it; CertificateError naming the first term that differs."""
    try:
        _compare(steps, _Context(period, symbol, d, None), channels, shifts, where)
    except _NeedsResidue:
        for rho in range(period):
            _compare(steps, _Context(period, symbol, d, rho), channels, shifts, where)
