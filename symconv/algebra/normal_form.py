"""The normal form of a linear chain: flips moved to the input, then windowed polyphase steps.

Every linear layer is a :class:`Polyphase` operator on infinite sequences
followed by a restriction to its output window ``[0, m_l)`` (the zeros of a
finite signal are its zero extension). A chain is then

    y = R_L H_L ... R_1 H_1 (flip^p x)

and its *interior* operator is ``H = H_L o ... o H_1``: away from the ends
every output equals ``(H x)[i]``, which is one strided correlation per
polyphase branch. Output ``i`` differs from ``(H x)[i]`` only where its
dependency cone crosses a window edge (:meth:`LinearChain.touches`).

>>> from symconv.core.layers import conv
>>> from symconv.core.kernel import kernel
>>> k = kernel("k", 3)
>>> nf = LinearChain.of(conv(k, stride=2) >> conv(k, stride=2))
>>> nf.interior().in_period, nf.interior().phases[0][0][0].support()
(4, (0, 6))
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Mapping, Optional

from symconv.algebra.flip import move_flips_to_input
from symconv.algebra.kernel_poly import TapRing, kernel_matrix, ring_for_layers
from symconv.algebra.laurent import Laurent, Matrix, mat_identity, mat_map, mat_zero
from symconv.algebra.polyphase import Polyphase
from symconv.core.layers import (
    AvgPool,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Layer,
    Pad,
    Parallel,
    Up,
    Affine,
    L2Pool,
    MaxPool,
    ReLU,
    bias_values,
    outside_fragment_reason,
    undecided_layers,
)
from symconv.core.output_length import output_length, resolve_size
from symconv.errors import LengthMismatch, NotInFragment

__all__ = ["LinearChain", "layer_operator"]


def _bias(layer, ring: TapRing, channels: int, phases: int):
    values = bias_values(layer.bias, channels)
    if values is None:
        return None
    vec = tuple(ring.from_expr(v) for v in values)
    return tuple(vec for _ in range(phases))


def _grouped(block: Matrix, groups: int, rows_per_group: int, cols_per_group: int,
             rows: int, cols: int) -> Matrix:
    """Place ``block[row][col]`` (rows of all groups, cols of one group) block-diagonally."""
    out = [list(r) for r in mat_zero(rows, cols)]
    for o in range(rows):
        g = o // rows_per_group
        for m in range(cols_per_group):
            out[o][g * cols_per_group + m] = block[o][m]
    return tuple(tuple(r) for r in out)


def layer_operator(layer: Layer, channels: int, ring: TapRing,
                   sizes: Optional[Mapping[str, int]] = None, skeleton: bool = False) -> Polyphase:
    """The polyphase operator of one flip-free, non-sum linear layer on ``channels`` channels.

    With ``skeleton=True`` a nonlinear layer is replaced by the linear layer
    with its window (all-ones taps; identity for ``relu`` and ``affine``), which
    is what receptive-field arithmetic needs.
    """
    if skeleton and not layer.is_linear:
        return _window_skeleton(layer, channels)
    ones = None
    if skeleton and isinstance(layer, (Conv, ConvTranspose)):
        # the declared window, not the non-zero taps: a zero end tap still belongs to the field
        out, inp, length = layer.weight.shape
        length = resolve_size(length, sizes)
        window = Laurent({j: ring.one for j in range(length)})
        ones = tuple(tuple(window for _ in range(inp)) for _ in range(out))
        layer = dataclasses.replace(layer, bias=None)  # the weight keeps its shape; its taps are not read
    if isinstance(layer, Conv):
        left, _ = (resolve_size(p, sizes) for p in layer.padding_pair())
        k = ones or kernel_matrix(layer.weight, ring, sizes)
        h = mat_map(k, lambda e: e.upsample(layer.dilation).shift(-left))
        out = layer.weight.out_channels
        h = _grouped(h, layer.groups, out // layer.groups, layer.weight.in_channels, out, channels)
        return Polyphase(1, layer.stride, (h,), _bias(layer, ring, out, 1))
    if isinstance(layer, ConvTranspose):
        s, d, p = layer.stride, layer.dilation, layer.padding
        k = ones or kernel_matrix(layer.weight, ring, sizes)  # rows: input channels, cols: outputs per group
        in_per_group = layer.weight.shape[0] // layer.groups  # weight (in, out/groups, c)
        out_per_group = layer.weight.shape[1]
        out = out_per_group * layer.groups
        phases = [[[Laurent() for _ in range(channels)] for _ in range(out)] for _ in range(s)]
        for ci in range(channels):
            g = ci // in_per_group
            for oo in range(out_per_group):
                for j, coeff in k[ci][oo].terms.items():
                    r, u = (j * d - p) % s, -((j * d - p) // s)
                    o = g * out_per_group + oo
                    phases[r][o][ci] = phases[r][o][ci] + Laurent({u: coeff})
        return Polyphase(s, 1, tuple(tuple(tuple(row) for row in ph) for ph in phases), _bias(layer, ring, out, s))
    if isinstance(layer, Pad):
        return Polyphase(1, 1, (mat_identity(channels, Laurent({-layer.left: 1})),))
    if isinstance(layer, Crop):
        return Polyphase(1, 1, (mat_identity(channels, Laurent({layer.left: 1})),))
    if isinstance(layer, Down):
        return Polyphase(1, layer.factor, (mat_identity(channels, Laurent({layer.phase: 1})),))
    if isinstance(layer, Up):
        zero = mat_zero(channels, channels)
        return Polyphase(layer.factor, 1, (mat_identity(channels),) + (zero,) * (layer.factor - 1))
    if isinstance(layer, AvgPool):
        weight = ring.constant(Fraction(1, layer.size))
        taps = Laurent({j - layer.padding: weight for j in range(layer.size)})
        return Polyphase(1, layer.stride, (mat_identity(channels, taps),))
    raise NotInFragment(f"{layer!r} is not a linear layer; the prover decides linear chains only")


def _window_skeleton(layer: Layer, channels: int) -> Polyphase:
    if isinstance(layer, (ReLU, Affine)):
        return Polyphase(1, 1, (mat_identity(channels),))
    if isinstance(layer, AvgPool):  # with ceil_mode or count_include_pad=False: its window, as a maximum's
        taps = Laurent({j - layer.padding: 1 for j in range(layer.size)})
        return Polyphase(1, layer.stride, (mat_identity(channels, taps),))
    if isinstance(layer, MaxPool):
        taps = Laurent({j * layer.dilation - layer.padding: 1 for j in range(layer.size)})
        return Polyphase(1, layer.stride, (mat_identity(channels, taps),))
    if isinstance(layer, L2Pool):
        return Polyphase(1, layer.stride, (mat_identity(channels, Laurent({j: 1 for j in range(layer.size)})),))
    raise NotInFragment(f"no window skeleton for {layer!r}")


@dataclass(frozen=True)
class Step:
    """One layer of a flip-free chain: its operator, or the normal forms of its branches."""

    layer: Layer
    in_channels: int
    out_channels: int
    op: Optional[Polyphase] = None
    branches: tuple["LinearChain", ...] = ()


@dataclass(frozen=True)
class LinearChain:
    """A linear chain as ``flip^p`` then windowed polyphase steps (see the module docstring)."""

    source: Layer
    input_flip: bool
    steps: tuple[Step, ...]
    in_channels: int
    out_channels: int
    ring: TapRing = field(compare=False)
    sizes: Optional[Mapping[str, int]] = field(default=None, compare=False)

    @staticmethod
    def of(layer: Layer, ring: Optional[TapRing] = None, in_channels: Optional[int] = None,
           sizes: Optional[Mapping[str, int]] = None, skeleton: bool = False) -> "LinearChain":
        """Normal form of ``layer``; raises NotInFragment for nonlinear layers and
        :class:`~symconv.algebra.flip.FlipNotMovable` when a flip meets a strided layer.

        ``skeleton=True`` accepts nonlinear layers and uses their windows instead
        (receptive-field arithmetic only: the result is not the chain's meaning).
        """
        if not layer.linear and not skeleton:
            raise NotInFragment(f"in {layer!r}, {outside_fragment_reason(undecided_layers(layer)[0])}; the prover "
                                f"decides linear chains only")
        # a skeleton reads no taps (its windows are all ones): it needs no tap variables
        ring = ring or (TapRing(()) if skeleton else ring_for_layers([layer], sizes))
        channels = in_channels or layer.in_channels or 1
        flipped, layers = move_flips_to_input(layer, sizes=sizes)
        steps = []
        c = channels
        for lay in layers:
            if isinstance(lay, Parallel):
                branches = tuple(LinearChain.of(b, ring, c, sizes, skeleton) for b in lay.branches)
                rates = [b.rate() for b in branches]
                if len(set(rates)) > 1:
                    raise LengthMismatch(
                        f"the branches of {lay!r} give {', '.join(map(str, rates))} outputs per input sample, "
                        f"so their lengths differ for long inputs; expected equal lengths"
                    )
                out = branches[0].out_channels
                steps.append(Step(lay, c, out, branches=branches))
            else:
                op = layer_operator(lay, c, ring, sizes, skeleton)
                out = op.out_channels
                steps.append(Step(lay, c, out, op=op))
            c = out
        return LinearChain(layer, flipped, tuple(steps), channels, c, ring, sizes)

    def interior(self) -> Polyphase:
        """``H = H_L o ... o H_1``: what every output away from the ends computes."""
        return self._interior

    @cached_property
    def _interior(self) -> Polyphase:
        total = None  # the identity, which the first step's operator is not composed with
        for step in self.steps:
            if step.op is not None:
                op = step.op
            else:
                op = step.branches[0].interior()
                for b in step.branches[1:]:
                    op = op + b.interior()
            total = op if total is None else op @ total
        if total is None:
            total = Polyphase(1, 1, (mat_identity(self.in_channels),))
        return total.reduced()

    def lengths(self, n: int) -> list[int]:
        """Signal lengths ``[n, m_1, ..., m_L]`` along the top-level steps (cached per n)."""
        cache = self.__dict__.setdefault("_length_cache", {})
        if n not in cache:
            out = [n]
            for step in self.steps:
                out.append(output_length(step.layer, out[-1], self.sizes))
            cache[n] = out
        return cache[n]

    def output_length(self, n: int) -> int:
        return self.lengths(n)[-1]

    def input_period(self) -> int:
        """Smallest P with every intermediate length growing by an integer when n grows by P."""
        denominators = [1]
        rate = Fraction(1)
        for step in self.steps:
            if step.op is not None:
                rate *= Fraction(step.op.out_period, step.op.in_period)
                denominators.append(rate.denominator)
            else:
                for b in step.branches:
                    p = b.input_period()
                    denominators.append(p * rate.denominator // math.gcd(p, rate.numerator))
                rate *= b.rate()
                denominators.append(rate.denominator)
        return math.lcm(*denominators)

    def rate(self) -> Fraction:
        """Outputs per input sample in the long run."""
        rate = Fraction(1)
        for step in self.steps:
            if step.op is not None:
                rate *= Fraction(step.op.out_period, step.op.in_period)
            else:
                rate *= step.branches[0].rate()
        return rate

    def min_length(self, n: int) -> int:
        """The smallest length of any signal inside the chain (branches included)."""
        lengths = self.lengths(n)
        smallest = min(lengths)
        for step, m_in in zip(self.steps, lengths):
            for b in step.branches:
                smallest = min(smallest, b.min_length(m_in))
        return smallest

    def touches(self, row: int, n: int) -> tuple[bool, bool, bool]:
        """Whether output ``row``'s dependency cone crosses a left / right edge, and an inner edge.

        Left and right count the edges of the input ``[0, n)`` and of every
        intermediate signal; the third flag counts intermediate edges only. An
        output whose cone crosses no edge equals ``(H x)[row]``; one that
        crosses only input edges equals ``(H x)[row]`` with x zero-extended.
        """
        _, left, right, inner = self._cone(row, row, self.lengths(n))
        return left, right, inner

    def _cone(self, lo: int, hi: int, lengths: list[int]):
        left = right = inner = False
        span: Optional[tuple[int, int]] = (lo, hi)
        for index in range(len(self.steps) - 1, -1, -1):
            step = self.steps[index]
            m_in = lengths[index]
            if step.op is not None:
                span = step.op.read_span(span[0], span[1])
            else:
                spans = []
                for b in step.branches:
                    s, bl, br, bi = b._cone(span[0], span[1], b.lengths(m_in))
                    left, right, inner = left or bl, right or br, inner or bi
                    if s is not None:
                        spans.append(s)
                span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
            if span is None:
                return None, left, right, inner
            crosses_left, crosses_right = span[0] < 0, span[1] >= m_in
            left, right = left or crosses_left, right or crosses_right
            if index > 0:
                inner = inner or crosses_left or crosses_right
        return span, left, right, inner
