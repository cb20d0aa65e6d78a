r"""Interval bounds through a chain, and the ReLUs an input bound makes the identity.

Under ``|x_i| <= B`` every sample of every channel stays in an interval
``[mid - rad, mid + rad]`` that a layer maps to another one:

* ``conv(W, bias=b)``: ``mid'_o = b_o + sum_{m, j} W[o, m, j] mid_m``,
  ``rad'_o = sum_{m, j} |W[o, m, j]| rad_m`` (padding first widens each input
  interval to contain 0);
* ``pad``, ``up``, ``conv_transpose``: zeros join the interval (the transposed
  layer is bounded by ``|b_o| + sum |W| max(|lo|, |hi|)``);
* ``crop``, ``down``, ``flip``, ``maxpool`` and ``avgpool`` keep it (averages
  and maxima of values in an interval stay in it; padded averages add 0);
* ``l2pool`` (``K`` samples a window, ``K = prod k`` in N-D): ``[0, sqrt(K) max(|lo|, |hi|)]``, also for a
  window that ``ceil_mode`` clips to ``q`` samples, which PyTorch scales by ``K / q``;
* ``affine(a, t)``: ``mid' = a mid + t``, ``rad' = |a| rad``;
* ``A + B``: the sum of the intervals of both branches.

The N-D layers (:mod:`symconv.core.layers_nd`) follow the same rules:
``conv{d}d`` sums over every tap of its window, ``conv_transpose{d}d`` over
every tap, ``pad``/``up`` add 0, ``crop``/``down``/``flip`` keep the interval,
and the pools (``l2pool{d}d`` included) as in 1-D. Averages whose edge windows divide by more than the
samples they read (``ceil_mode``) also add 0; a ``maxpool`` with dilation and
padding may see padding only (``-inf``) and stops the walk.

**Lemma (ReLU in its linear part).** If every input of a ``relu()`` has
``lo = mid - rad >= 0`` then ``relu`` is the identity on every input of the
chain that meets the bound. Proof: each sample is in its interval, so it is
``>= lo >= 0`` and ``max(v, 0) = v``. QED.

:func:`eliminate_relus` applies the lemma to every ReLU it can (``lo >= 0``
shown by SymPy, with ``B > 0``), and rewrites ``affine(a, t)`` as the grouped 1x1
convolution ``conv([[[a_0]], ...], groups=C, bias=t)`` (``conv{d}d`` in N-D: the kernel's
:func:`symconv.checker.tolerance.as_convolutions`) so that the rest is a linear chain.

>>> from symconv.dsl import parse_chain
>>> r = eliminate_relus(parse_chain("conv([1, -2]) >> affine(1, 3) >> relu() >> conv([1, 1])"), 1)
>>> r.chain, r.steps[0].lower
(conv([1, -2]) >> conv([1], bias=[3]) >> conv([1, 1]), 0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy

from symconv.checker.relu_bound import identity
from symconv.checker.tolerance import as_convolutions
from symconv.core.kernel import exact_number
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
from symconv.errors import NotInFragment

__all__ = ["Range", "ReluStep", "Elimination", "eliminate_relus", "nonnegative"]


@dataclass(frozen=True)
class Range:
    """Every sample of one channel lies in ``[mid - rad, mid + rad]``."""

    mid: sympy.Expr
    rad: sympy.Expr

    @property
    def lo(self) -> sympy.Expr:
        return sympy.expand(self.mid - self.rad)

    @property
    def hi(self) -> sympy.Expr:
        return sympy.expand(self.mid + self.rad)

    def with_zero(self) -> "Range":
        """The smallest interval holding this one and 0."""
        lo, hi = sympy.Min(self.lo, 0), sympy.Max(self.hi, 0)
        return Range((lo + hi) / 2, (hi - lo) / 2)

    def magnitude(self) -> sympy.Expr:
        """``max(|lo|, |hi|)``."""
        return sympy.Max(sympy.Abs(self.lo), sympy.Abs(self.hi))


@dataclass(frozen=True)
class ReluStep:
    """One ReLU shown to be the identity: its position, and the lower bound of its inputs per channel."""

    position: str
    lowers: tuple[sympy.Expr, ...]

    @property
    def lower(self) -> sympy.Expr:
        return self.lowers[0] if len(set(self.lowers)) == 1 else sympy.Min(*self.lowers)


@dataclass(frozen=True)
class Elimination:
    """The chain with every eliminated ReLU dropped and affine layers as 1x1 convolutions.

    ``reason`` says why a ReLU (or another layer) stays; the chain is then
    still nonlinear and only ``steps`` before it are established.
    """

    chain: Layer
    steps: tuple[ReluStep, ...]
    reason: str = ""

    @property
    def complete(self) -> bool:
        return not self.reason and self.chain.linear


def _real(expr: sympy.Expr, positive: frozenset) -> sympy.Expr:
    """Every symbol real; the declared bound symbols positive."""
    table = {s: sympy.Symbol(s.name, positive=True) if s in positive else sympy.Symbol(s.name, real=True)
             for s in expr.free_symbols}
    return expr.xreplace(table)


def nonnegative(expr: sympy.Expr, positive: frozenset = frozenset()) -> bool:
    """Whether ``expr >= 0`` for all real symbols, the names in ``positive`` being > 0.

    SymPy's sign rules first; a ``Max(a_1, ..., a_k)`` with a non-negative
    coefficient may then be replaced by any one ``a_i`` (a lower bound).

    >>> B, a, b = sympy.symbols("B a b")
    >>> nonnegative(B * sympy.Max(abs(a), abs(b)) - B * abs(a), frozenset({B}))
    True
    >>> nonnegative(B - 2 * abs(a), frozenset({B}))
    False
    """
    expr = sympy.expand(_real(sympy.sympify(expr), positive))  # safe: built by symconv from exact values
    if expr.is_nonnegative:
        return True
    maxima = sorted(expr.atoms(sympy.Max), key=sympy.default_sort_key)
    for m in maxima[:4]:
        coefficient = sympy.expand(expr).coeff(m)
        if coefficient.is_nonnegative is not True:
            continue
        if any(nonnegative(expr.xreplace({m: arg}), positive) for arg in m.args):
            return True
    return False


class _Walker:
    def __init__(self, positive: frozenset, ndim: int = 1):
        self.positive = positive
        self.ndim = ndim
        self.steps: list[ReluStep] = []
        self.reason = ""
        self.index = 0

    def chain(self, layer: Layer, ranges: list[Range]) -> tuple[Optional[Layer], list[Range]]:
        if isinstance(layer, Chain):
            out = []
            for step in layer.steps:
                new, ranges = self.chain(step, ranges)
                if new is not None:
                    out.append(new)
            return (Chain(tuple(out)) if len(out) > 1 else out[0] if out else None), ranges
        if isinstance(layer, Parallel):
            branches, total = [], None
            for branch in layer.branches:
                new, got = self.chain(branch, list(ranges))
                branches.append(new if new is not None else identity(self.ndim))
                total = got if total is None else [Range(a.mid + b.mid, a.rad + b.rad) for a, b in zip(total, got)]
            return Parallel(tuple(branches)), total
        self.index += 1
        return self.layer(layer, ranges)

    def layer(self, layer: Layer, ranges: list[Range]) -> tuple[Optional[Layer], list[Range]]:
        if isinstance(layer, Conv):
            return layer, (_conv if layer.ndim == 1 else _conv_nd)(layer, ranges)
        if isinstance(layer, ConvTranspose):
            return layer, (_conv_transpose if layer.ndim == 1 else _conv_transpose_nd)(layer, ranges)
        if isinstance(layer, (Pad, Up)):
            return layer, [r.with_zero() for r in ranges]
        if isinstance(layer, AvgPool):
            padded = any(layer.paddings) or layer.ceil_mode
            return layer, [r.with_zero() for r in ranges] if padded else ranges
        if isinstance(layer, MaxPool) and any(layer.paddings) and any(d > 1 for d in layer.dilations):
            raise NotInFragment(f"{layer!r} may read padding only (-inf) at the edges; no interval holds its outputs")
        if isinstance(layer, (Crop, Down, Flip, MaxPool)):
            return layer, ranges
        if isinstance(layer, L2Pool):  # sqrt((K / q) sum of q squares) <= sqrt(K) max(|lo|, |hi|)
            volume = math.prod(layer.sizes)
            top = [sympy.sqrt(volume) * r.magnitude() / 2 for r in ranges]
            return layer, [Range(t, t) for t in top]
        if isinstance(layer, Affine):
            scale, shift = layer.per_channel(len(ranges))
            new = [Range(a * r.mid + t, sympy.Abs(a) * r.rad) for a, t, r in zip(scale, shift, ranges)]
            return self.as_conv(layer, scale), new
        if isinstance(layer, ReLU):
            return self.relu(layer, ranges)
        raise NotInFragment(f"no interval rule for {layer!r}")

    def relu(self, layer: ReLU, ranges: list[Range]) -> tuple[Optional[Layer], list[Range]]:
        lowers = tuple(sympy.simplify(r.lo) for r in ranges)
        if all(nonnegative(lo, self.positive) for lo in lowers):
            self.steps.append(ReluStep(f"layer {self.index}", lowers))
            return None, ranges
        if not self.reason:
            self.reason = (f"the relu() at layer {self.index} may clip: its inputs are only known to be >= "
                           f"{', '.join(map(str, lowers))}, which is not shown >= 0 under the bound")
        return layer, [Range((sympy.Max(r.lo, 0) + sympy.Max(r.hi, 0)) / 2,
                             (sympy.Max(r.hi, 0) - sympy.Max(r.lo, 0)) / 2) for r in ranges]


    def as_conv(self, layer: Affine, scale) -> Layer:
        """``affine(a, t)`` on C channels as its grouped 1x1 convolution with bias t, when ``a`` is numeric."""
        if not all(a.is_number for a in scale):
            if not self.reason:
                self.reason = f"{layer!r} has a symbolic scale, which a convolution weight cannot hold"
            return layer
        return as_convolutions(layer, len(scale), self.ndim)


def _padded_pairs(pairs) -> bool:
    return any(p for pair in pairs for p in pair)


def _conv_nd(layer: Conv, ranges: list[Range]) -> list[Range]:
    """``mid'_o = b_o + sum W[o, m, a] mid_m``, ``rad'_o = sum |W[o, m, a]| rad_m`` over the group's channels."""
    if _padded_pairs(layer.paddings):
        ranges = [r.with_zero() for r in ranges]
    out = layer.weight.out_channels
    per_group_in, per_group_out = layer.weight.in_channels, out // layer.groups
    mids = [sympy.Integer(0)] * out
    rads = [sympy.Integer(0)] * out
    for (o, m, *_), w in layer.weight.grid().items():
        r = ranges[(o // per_group_out) * per_group_in + m]
        mids[o] += w * r.mid
        rads[o] += sympy.Abs(w) * r.rad
    bias = layer.bias_entries or (0,) * out
    return [Range(sympy.expand(b + mid), sympy.expand(rad)) for b, mid, rad in zip(bias, mids, rads)]


def _conv_transpose_nd(layer: ConvTranspose, ranges: list[Range]) -> list[Range]:
    """``|y_o - b_o| <= sum |W[m, o, a]| max(|lo_m|, |hi_m|)`` over the group's inputs (zeros join the interval)."""
    per_group_in, per_group_out = layer.weight.shape[0] // layer.groups, layer.weight.shape[1]
    out = per_group_out * layer.groups
    totals = [sympy.Integer(0)] * out
    for (m, o, *_), w in layer.weight.grid().items():
        totals[(m // per_group_in) * per_group_out + o] += sympy.Abs(w) * ranges[m].magnitude()
    bias = layer.bias_entries or (0,) * out
    return [Range(sympy.sympify(b), total) for b, total in zip(bias, totals)]  # safe: exact values of the layer


def _conv(layer: Conv, ranges: list[Range]) -> list[Range]:
    left, right = layer.padding_pair()
    if left != 0 or right != 0:
        ranges = [r.with_zero() for r in ranges]
    taps = layer.weight.taps()
    out = layer.weight.out_channels
    per_group_in = layer.weight.in_channels
    per_group_out = out // layer.groups
    bias = bias_values(layer.bias, out) or (0,) * out
    result = []
    for o in range(out):
        g = o // per_group_out
        mid, rad = bias[o], sympy.Integer(0)
        for m in range(per_group_in):
            r = ranges[g * per_group_in + m]
            for w in taps[o][m]:
                mid += w * r.mid
                rad += sympy.Abs(w) * r.rad
        result.append(Range(sympy.expand(mid), sympy.expand(rad)))
    return result


def _conv_transpose(layer: ConvTranspose, ranges: list[Range]) -> list[Range]:
    taps = layer.weight.taps()  # (in, out/groups, c)
    per_group_out = layer.weight.shape[1]
    out = per_group_out * layer.groups
    per_group_in = layer.weight.shape[0] // layer.groups
    bias = bias_values(layer.bias, out) or (0,) * out
    result = []
    for o in range(out):
        g, local = divmod(o, per_group_out)
        total = sympy.Integer(0)
        for m in range(g * per_group_in, (g + 1) * per_group_in):
            total += sum((sympy.Abs(w) for w in taps[m][local]), sympy.Integer(0)) * ranges[m].magnitude()
        result.append(Range(bias[o], total))  # zeros contribute too: [b - total, b + total] holds them
    return result


def eliminate_relus(chain: Layer, bound: sympy.Expr, channels: Optional[int] = None,
                    ndim: Optional[int] = None) -> Elimination:
    """Apply the ReLU lemma (module docstring) to ``chain`` (``ndim`` spatial axes: the chain's own by default)
    on inputs with ``|x_i| <= bound``."""
    channels = channels or chain.in_channels or 1
    bound = bound if isinstance(bound, sympy.Expr) else exact_number(bound, "input bound")
    positive = frozenset(bound.free_symbols)
    ndim = ndim or chain.ndim
    walker = _Walker(positive, ndim)
    try:
        new, _ = walker.chain(chain, [Range(sympy.Integer(0), bound)] * channels)
    except NotInFragment as err:
        return Elimination(chain, (), str(err))
    except TypeError:  # a generic kernel length: taps() needs concrete sizes
        return Elimination(chain, (), "a kernel has a generic length; interval bounds need concrete taps")
    return Elimination(new if new is not None else identity(ndim), tuple(walker.steps), walker.reason)
