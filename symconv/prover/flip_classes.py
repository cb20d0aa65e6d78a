"""Identities whose flips must cross strided layers: one normal form per residue class of n.

A ``flip()`` crosses ``down(s, q)`` as ``down(s, (n - 1 - q) mod s)``, where n
is the length reaching that layer (:mod:`symconv.algebra.flip`), so a chain
with such flips has no single normal form. It has one per residue class:

**Lemma (periodic phases).** Let P be the product of all strides of both
sides and N0 the least n at which every intermediate length of both sides
is at least 1. For n >= N0 every intermediate length is its unclamped
floor/ceiling formula, which grows by a multiple of every later stride when
n grows by P; so the phases ``(length - 1 - q) mod s``, and with them the
flip-free chain ``move_flips_to_input(side, n)``, depend only on n mod P.

**Procedure.** For each residue r mod P, with the flip-free chains L_r, R_r
of the least n_r >= N0 in the class (checked equal to those of n_r + P):
the output lengths are compared over two periods past the boundary bound;
the interior operators must be equal; and the outputs are compared for
every n of the class below the bound of :mod:`symconv.prover.boundary`,
which the eventual-periodicity lemma turns into all n of the class (it
steps from n to n + P, inside the class). Every n < N0 is compared
directly. Together the classes cover every n.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Optional

from symconv.algebra.flip import FlipNotMovable, as_single_layer, move_flips_to_input
from symconv.algebra.forms import chain_forms
from symconv.algebra.kernel_poly import ring_for_layers
from symconv.algebra.normal_form import LinearChain
from symconv.core.layers import AvgPool, Conv, Down, Flip, Layer, Parallel
from symconv.core.output_length import output_length
from symconv.prover.boundary import MAX_BOUND, find_bound

__all__ = ["ResidueClass", "decide_by_residue", "stride_product"]

#: Give up (unknown) when the product of the strides exceeds this.
MAX_PERIOD = 64


@dataclass(frozen=True)
class ResidueClass:
    """The flip-free chains of both sides for ``n = residue (mod period)``, ``n >= start``, and its bound."""

    residue: int
    period: int
    start: int
    lhs: Layer
    rhs: Layer
    limit: int
    #: Eventual periodicity of the flip-free chains from ``periodic_from`` with their own ``chain_period``.
    periodic_from: int = 0
    chain_period: int = 0


def stride_product(layer: Layer) -> int:
    """The product of every stride (``conv``, ``avgpool``, ``down``) inside ``layer``."""
    if isinstance(layer, Parallel):
        return math.prod(stride_product(b) for b in layer.branches)
    total = 1
    for step in layer.layers():
        if isinstance(step, Parallel):
            total *= stride_product(step)
        elif isinstance(step, (Conv, AvgPool)):
            total *= step.stride
        elif isinstance(step, Down):
            total *= step.factor
    return total


def class_lengths(layer: Layer, n: int, sizes) -> list[int]:
    """Every intermediate length of ``layer`` at input length n (branches included)."""
    out = []
    for step in layer.layers():
        if isinstance(step, Parallel):
            for b in step.branches:
                out += class_lengths(b, n, sizes)
        n = output_length(step, n, sizes)
        out.append(n)
    return out


def moved_flips(layer: Layer, n: int, sizes) -> Layer:
    flipped, steps = move_flips_to_input(layer, n, sizes)
    return as_single_layer(((Flip(),) if flipped else ()) + steps)


def decide_by_residue(lhs: Layer, rhs: Layer, ring=None, channels: int = 1,
                      sizes: Optional[Mapping[str, int]] = None):
    """:func:`symconv.prover.decide.decide` for chains whose flips cross strided layers (module docstring)."""
    from symconv.prover.decide import Decision

    period = math.lcm(stride_product(lhs), stride_product(rhs))
    if period > MAX_PERIOD:
        return Decision("unknown", f"flips cross strided layers and the strides multiply to {period} > "
                                   f"{MAX_PERIOD} residue classes", None, None)
    ring = ring or ring_for_layers([lhs, rhs], sizes)

    def forms(layer: Layer, n: int) -> LinearChain:
        return LinearChain.of(moved_flips(layer, n, sizes), ring, channels, sizes)

    def differ(n: int) -> bool:
        return chain_forms(forms(lhs, n), n) != chain_forms(forms(rhs, n), n)

    def refuted(n: int, why: str) -> Decision:
        return Decision("refuted", why, forms(lhs, n), forms(rhs, n), witness_n=n, brute_force=True)

    start = next((n for n in range(1, MAX_BOUND) if min(class_lengths(lhs, n, sizes) + class_lengths(rhs, n, sizes)) >= 1),
                 None)
    if start is None:
        return Decision("unknown", f"some intermediate length stays 0 below n = {MAX_BOUND}", None, None)
    for n in range(0, start):
        if output_length(lhs, n, sizes) != output_length(rhs, n, sizes):
            return refuted(n, f"output lengths differ at n = {n}")
        if differ(n):  # n = 0 too: padding and bias give an empty input samples
            return refuted(n, f"the outputs differ at n = {n}")
    classes = []
    for residue in range(period):
        n_r = start + (residue - start) % period
        left, right = moved_flips(lhs, n_r, sizes), moved_flips(rhs, n_r, sizes)
        if (left, right) != (moved_flips(lhs, n_r + period, sizes), moved_flips(rhs, n_r + period, sizes)):
            return Decision("unknown", f"the flip-free chains at n = {n_r} and n = {n_r + period} differ", None, None)
        lnf, rnf = forms(lhs, n_r), forms(rhs, n_r)
        bound = find_bound([lnf, rnf])
        if bound is None:
            return Decision("unknown", f"no boundary bound below n = {MAX_BOUND} for n = {residue} mod {period}",
                            lnf, rnf)
        first, class_period = max(bound.start, n_r), math.lcm(period, bound.period)
        limit = first + class_period
        members = range(n_r, limit + 2 * class_period, period)
        for n in members:
            if output_length(lhs, n, sizes) != output_length(rhs, n, sizes):
                return refuted(n, f"output lengths differ at n = {n}")
        if lnf.input_flip != rnf.input_flip or not lnf.interior().equals(rnf.interior()):
            for n in range(n_r, limit + 4 * period + 64, period):
                if differ(n):
                    return refuted(n, f"the outputs differ at n = {n} (n = {residue} mod {period})")
            return Decision("unknown", f"for n = {residue} mod {period} the interior operators differ (or one side "
                                       f"reverses its input) but no differing length was found", lnf, rnf)
        for n in range(n_r, limit, period):
            if differ(n):
                return refuted(n, f"the outputs differ at n = {n} (n = {residue} mod {period})")
        classes.append(ResidueClass(residue, period, start, left, right, limit, first, bound.period))
    return Decision("proved", f"flips cross strided layers: equal outputs for every n < {start}, and for each of "
                              f"the {period} residue classes of n mod {period} equal interior operators, lengths "
                              f"and ends", forms(lhs, start), forms(rhs, start), residue_classes=tuple(classes),
                    sides=(lhs, rhs))


def needs_residue_classes(err: Exception) -> bool:
    """Whether ``err`` is the flip rule's refusal that :func:`decide_by_residue` handles."""
    return isinstance(err, FlipNotMovable)
