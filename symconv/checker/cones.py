"""Dependency cones and periods of flip-free linear chains, from the core layer definitions only.

This is the certificate checker's own account of which input samples an
output reads (written from DESIGN §1, independently of the polyphase
machinery of the search), so that a wrong normal form cannot make a wrong
certificate pass. A tap that is exactly 0 reads nothing: ``j`` below runs over
the nonzero taps ``j_lo .. j_hi`` of every channel (all taps when they are
symbols), and a kernel of zeros reads no sample.

For rows ``lo .. hi`` of a layer's output the samples read are

* ``conv(k, s, (pl, pr), d)``:   ``[lo s - pl + d j_lo, hi s - pl + d j_hi]``
* ``conv_transpose(k, s, p, d)``: ``[ceil((lo + p - d j_hi) / s), floor((hi + p - d j_lo) / s)]``
* ``pad(l, r)``: ``[lo - l, hi - l]``;  ``crop(l, r)``: ``[lo + l, hi + l]``
* ``down(s, phase)``: ``[lo s + phase, hi s + phase]``;  ``up(s)``: ``[ceil(lo / s), floor(hi / s)]``
* ``avgpool(size, s, p)``: ``[lo s - p, hi s - p + size - 1]``
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from symconv.core.kernel_expr import exact_taps
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Parallel, Up
from symconv.core.output_length import output_length
from symconv.errors import CertificateError

__all__ = ["Touch", "row_touch", "layer_rate", "chain_shift", "intermediate_lengths", "min_intermediate_length",
           "tap_support"]

Span = Optional[tuple[int, int]]


def _ceil_div(a: int, b: int) -> int:
    return -((-a) // b)


def tap_support(weight) -> Optional[tuple[int, int]]:
    """``(j_lo, j_hi)``: the first and last tap index that is not exactly 0 in any channel (None: all 0)."""
    nonzero = [j for out in exact_taps(weight) for row in out for j, t in enumerate(row) if t]
    return (min(nonzero), max(nonzero)) if nonzero else None


def _reads(layer: Layer, lo: int, hi: int, where: str) -> Span:
    if isinstance(layer, (Conv, ConvTranspose)):
        support = tap_support(layer.weight)
        if support is None:
            return None
        j_lo, j_hi = (layer.dilation * j for j in support)
    if isinstance(layer, Conv):
        left = layer.padding_pair()[0]
        return lo * layer.stride - left + j_lo, hi * layer.stride - left + j_hi
    if isinstance(layer, ConvTranspose):
        first = _ceil_div(lo + layer.padding - j_hi, layer.stride)
        last = (hi + layer.padding - j_lo) // layer.stride
        return (first, last) if first <= last else None
    if isinstance(layer, Pad):
        return lo - layer.left, hi - layer.left
    if isinstance(layer, Crop):
        return lo + layer.left, hi + layer.left
    if isinstance(layer, Down):
        return lo * layer.factor + layer.phase, hi * layer.factor + layer.phase
    if isinstance(layer, Up):
        first, last = _ceil_div(lo, layer.factor), hi // layer.factor
        return (first, last) if first <= last else None
    if isinstance(layer, AvgPool):
        return lo * layer.stride - layer.padding, hi * layer.stride - layer.padding + layer.size - 1
    raise CertificateError(f"{where}: the certificate checker has no cone rule for {layer!r}")


def layer_rate(layer: Layer, where: str) -> Fraction:
    """Output samples per input sample of one layer (a sum: of its branches, which must agree)."""
    if isinstance(layer, (Conv, AvgPool)):
        return Fraction(1, layer.stride)
    if isinstance(layer, Down):
        return Fraction(1, layer.factor)
    if isinstance(layer, (Up, ConvTranspose)):
        return Fraction(layer.stride if isinstance(layer, ConvTranspose) else layer.factor)
    if isinstance(layer, (Pad, Crop)):
        return Fraction(1)
    if isinstance(layer, Parallel):
        rates = {chain_rate(b, where) for b in layer.branches}
        if len(rates) != 1:
            raise CertificateError(f"{where}: the branches of {layer!r} have different rates {sorted(rates)}")
        return rates.pop()
    raise CertificateError(f"{where}: the certificate checker has no rate for {layer!r}")


def chain_rate(layer: Layer, where: str) -> Fraction:
    rate = Fraction(1)
    for step in layer.layers():
        rate *= layer_rate(step, where)
    return rate


def chain_shift(layer: Layer, period: int, where: str) -> int:
    """The output shift when the input grows by ``period``; raises if ``period`` is not a valid period.

    Valid: at every strided layer the incoming shift is a multiple of the stride
    (then every window, phase and length moves rigidly).
    """
    shift = Fraction(period)
    for step in layer.layers():
        if isinstance(step, Parallel):
            outs = {chain_shift(b, int(shift), where) for b in step.branches}
            if len(outs) != 1:
                raise CertificateError(f"{where}: period {period} moves the branches of {step!r} differently")
            shift = Fraction(outs.pop())
            continue
        rate = layer_rate(step, where)
        if shift.denominator != 1 or (shift * rate).denominator != 1:
            raise CertificateError(f"{where}: {period} is not a period of {layer!r}: it does not move {step!r} rigidly")
        shift *= rate
    return int(shift)


def intermediate_lengths(layer: Layer, n: int) -> list[int]:
    """``[n, m_1, ..., m_L]`` from the core's output lengths."""
    lengths = [n]
    for step in layer.layers():
        lengths.append(output_length(step, lengths[-1]))
    return lengths


def min_intermediate_length(layer: Layer, n: int) -> int:
    lengths = intermediate_lengths(layer, n)
    smallest = min(lengths)
    for step, m_in in zip(layer.layers(), lengths):
        if isinstance(step, Parallel):
            smallest = min([smallest] + [min_intermediate_length(b, m_in) for b in step.branches])
    return smallest


@dataclass(frozen=True)
class Touch:
    """Whether an output's cone crosses a left edge, a right edge (input included)."""

    left: bool
    right: bool

    @property
    def interior(self) -> bool:
        return not (self.left or self.right)


def _cone(layer: Layer, lo: int, hi: int, n: int, where: str) -> tuple[Span, bool, bool]:
    lengths = intermediate_lengths(layer, n)
    steps = layer.layers()
    left = right = False
    span: Span = (lo, hi)
    for index in range(len(steps) - 1, -1, -1):
        step, m_in = steps[index], lengths[index]
        if isinstance(step, Parallel):
            spans = []
            for branch in step.branches:
                s, bl, br = _cone(branch, span[0], span[1], m_in, where)
                left, right = left or bl, right or br
                if s is not None:
                    spans.append(s)
            span = (min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None
        else:
            span = _reads(step, span[0], span[1], where)
        if span is None:
            return None, left, right
        left, right = left or span[0] < 0, right or span[1] >= m_in
    return span, left, right


def row_touch(layer: Layer, row: int, n: int, where: str) -> Touch:
    """How output ``row`` of ``layer`` at input length ``n`` meets the window edges."""
    _, left, right = _cone(layer, row, row, n, where)
    return Touch(left, right)
