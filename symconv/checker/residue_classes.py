"""The checker's rules ``residue_classes`` (flips that cross strided layers) and ``product_bound`` (N-D).

Rule data: ``period`` P, ``start`` N0 and ``classes``, one
``[residue, from, chain_period, limit]`` per residue of n mod P. The checker:

1. verifies that P is a multiple of every stride of both sides, that every
   intermediate length is at least 1 at n = N0, and that both sides are
   equal, by exact evaluation, for every n < N0;
2. for each class, moves the flips of both sides to the input at the least
   n_r >= N0 of the class with its own rewrite (``flip >> down(s, q) >>
   flip == down(s, (m - 1 - q) mod s)`` on inputs of length m, a strided
   layer being its stride-1 layer then ``down``), and checks that the
   rewrite at n_r + P is the same (**periodic phases**: past N0 every
   intermediate length is its unclamped formula and grows by a multiple of
   every later stride per P, so the phases depend on n mod P only);
3. strips an input flip present on both sides, verifies the hypotheses of
   the eventual-periodicity lemma for the two flip-free chains (as chains
   for every n) with their period ``chain_period`` on ``[from, from +
   chain_period)``, and that the ORIGINAL sides are equal, by exact
   evaluation, for every n of the class with N0 <= n < limit, limit >= from
   + lcm(P, chain_period). The lemma carries equality of the flip-free
   chains from n to n + chain_period, hence to n + lcm(P, chain_period),
   the next member of the class at that position; on the class the
   flip-free chains are the original sides.

Every n is below N0 or in one class past it, so the statement holds for
every n. This module shares nothing with the search
(:mod:`symconv.prover.flip_classes`); it uses the checker's own mirror.

The rule ``product_bound`` for N-D chains (2 or more axes) is at the end of the module.
"""

from __future__ import annotations

import math

from symconv.checker import cones
from symconv.checker.flips import as_layer, cancel_flip_pairs, mirror
from symconv.checker.periodicity import MAX_CHECK_LENGTH, check_window, equal_at, periodic_structure
from symconv.core.geometry import is_whole_flip
from symconv.core.layers import AvgPool, Chain, Conv, Down, Flip, Layer, Parallel
from symconv.core.output_length import output_length
from symconv.errors import CertificateError

__all__ = ["rule_residue_classes", "rule_product_bound", "MAX_CHECK_SHAPES"]


def layer_strides(layer: Layer) -> int:
    total = 1
    for step in layer.layers():
        if isinstance(step, Parallel):
            total *= math.prod(layer_strides(b) for b in step.branches)
        elif isinstance(step, (Conv, AvgPool)):
            total *= step.stride
        elif isinstance(step, Down):
            total *= step.factor
    return total


def _then_down(unit: Layer, stride: int, n: int, where: str) -> Layer:
    """``mirror(unit >> down(stride))`` on inputs of length n."""
    m = output_length(unit, n)
    mirrored = mirror(unit, where)
    return mirrored if m == 0 else Chain((mirrored, Down(stride, (m - 1) % stride)))


def _mirror_at(layer: Layer, n: int, where: str) -> Layer:
    """``flip >> layer >> flip`` on inputs of length n, flip-free."""
    if isinstance(layer, Chain):
        steps = []
        for step in layer.steps:
            steps.append(_mirror_at(step, n, where))
            n = output_length(step, n)
        return Chain(tuple(steps))
    if isinstance(layer, Down) and layer.factor > 1:
        return Down(layer.factor, (n - 1 - layer.phase) % layer.factor) if n > layer.phase else layer
    if isinstance(layer, Conv) and layer.stride > 1:
        unit = Conv(layer.weight, 1, layer.padding, layer.dilation, layer.groups, layer.bias)
        return _then_down(unit, layer.stride, n, where)
    if isinstance(layer, AvgPool) and layer.stride > 1:
        return _then_down(AvgPool(layer.size, 1, layer.padding), layer.stride, n, where)
    if isinstance(layer, Parallel):
        branches = []
        for b in layer.branches:
            first, rest = flips_at(Chain((Flip(),) + b.layers() + (Flip(),)), n, where)
            if first:
                raise CertificateError(f"{where}: flip conjugation does not apply inside {layer!r}")
            branches.append(as_layer(False, rest))
        return Parallel(tuple(branches))
    return mirror(layer, where)


def flips_at(layer: Layer, n: int, where: str) -> tuple[bool, tuple[Layer, ...]]:
    """``layer`` on inputs of length n as ``flip^p >> G``, G flip-free: ``(p == 1, G's layers)``."""
    flipped, done, starts = False, [], []
    for step in cancel_flip_pairs(layer):
        if is_whole_flip(step):
            done = [_mirror_at(s, m, where) for s, m in zip(done, starts)]
            flipped = not flipped
            continue
        if isinstance(step, Parallel):
            parts = [flips_at(b, n, where) for b in step.branches]
            if len({p for p, _ in parts}) != 1:
                raise CertificateError(f"{where}: the branches of {step!r} flip a different number of times")
            if parts[0][0]:
                done = [_mirror_at(s, m, where) for s, m in zip(done, starts)]
                flipped = not flipped
            done.append(Parallel(tuple(as_layer(False, r) for _, r in parts)))
        else:
            done.append(step)
        starts.append(n)
        n = output_length(step, n)
    return flipped, tuple(part for s in done for part in s.layers())


def _integers(values: object, count: int) -> bool:
    return isinstance(values, list) and len(values) == count and all(
        isinstance(v, int) and not isinstance(v, bool) for v in values)


def rule_residue_classes(state: list[Layer], step, where: str) -> bool:
    """Close ``lhs == rhs`` class by class (module docstring)."""
    lhs, rhs = state
    period, start, classes = step.get("period"), step.get("start"), step.get("classes")
    if not _integers([period, start], 2) or period < 1 or start < 1 or not isinstance(classes, list):
        raise CertificateError(f"{where}: expected integers period, start >= 1 and a list of classes")
    if start > MAX_CHECK_LENGTH or period > MAX_CHECK_LENGTH:
        raise CertificateError(f"{where}: start {start} and period {period} must not exceed what the checker "
                               f"evaluates ({MAX_CHECK_LENGTH})")
    for layer in (lhs, rhs):
        if not layer.linear:
            raise CertificateError(f"{where}: {layer!r} is not linear")
        if period % layer_strides(layer):
            raise CertificateError(f"{where}: {period} is not a multiple of the strides of {layer!r}")
        if cones.min_intermediate_length(layer, start) < 1:
            raise CertificateError(f"{where}: an intermediate length of {layer!r} is 0 at n = {start}")
    if not all(_integers(c, 4) for c in classes) or sorted(c[0] for c in classes) != list(range(period)):
        raise CertificateError(f"{where}: expected one [residue, from, period, limit] for each residue mod {period}")
    for n in range(0, start):
        if not equal_at(lhs, rhs, n):
            raise CertificateError(f"{where}: the two sides differ at n = {n}")
    for residue, first, chain_period, limit in classes:
        here = f"{where}, n = {residue} mod {period}"
        class_period = math.lcm(period, chain_period) if chain_period >= 1 else 0
        check_window(chain_period, first, limit, here)
        if first < start or limit < first + class_period:
            raise CertificateError(f"{here}: expected from >= {start} and limit >= from + lcm({period}, "
                                   f"{chain_period})")
        n_r = start + (residue - start) % period
        pair = [as_layer(*flips_at(side, n_r, here)) for side in (lhs, rhs)]
        if pair != [as_layer(*flips_at(side, n_r + period, here)) for side in (lhs, rhs)]:
            raise CertificateError(f"{here}: the flip-free chains at n = {n_r} and n = {n_r + period} differ")
        heads = [is_whole_flip(side.layers()[0]) for side in pair]
        if heads[0] != heads[1]:
            raise CertificateError(f"{here}: one side reverses its input and the other does not")
        if heads[0]:
            pair = [as_layer(False, side.layers()[1:]) for side in pair]
        periodic_structure(pair[0], pair[1], chain_period, first, here)
        for n in range(n_r, limit, period):
            if not equal_at(lhs, rhs, n):
                raise CertificateError(f"{here}: the two sides differ at n = {n}")
    return True


# --- N-D chains: the product bound ------------------------------------------------------------

#: The checker evaluates at most this many N-D shapes (the prover's own limit, ``decide_nd.MAX_SHAPES``).
MAX_CHECK_SHAPES = 1600


def rule_product_bound(state: list[Layer], step, where: str) -> bool:
    """``product_bound`` (``axes``: one ``[start, period, limit]`` per spatial axis) closes an N-D statement.

    For each axis the checker projects both sides on it (the core's
    ``axis_chain``), verifies the eventual-periodicity hypotheses of the two
    projections on ``[start, start + period)`` and their output lengths below
    ``start``; then it compares both sides exactly, with the core's N-D
    semantics, at one output per combination of the per-axis classes of
    output positions met below the limits (:mod:`symconv.checker.axis_classes`:
    which equals comparing every output of every shape with ``n_k < limit_k``).
    The product bound (:mod:`symconv.prover.decide_nd`) closes every shape.
    """
    from symconv.checker.axis_classes import (
        MAX_CHECK_COMBINATIONS,
        class_representatives,
        first_difference,
    )
    from symconv.core.layers_nd import axis_chain

    lhs, rhs = state
    axes = step.get("axes")
    d = lhs.ndim
    if not (isinstance(axes, list) and len(axes) == d and all(_integers(a, 3) for a in axes)):
        raise CertificateError(f"{where}: expected axes [[start, period, limit], ...], one per axis ({d})")
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: the product bound is for two N-D chains with the same axes")
    representatives = []
    for axis, (start, period, limit) in enumerate(axes):
        here = f"{where}, axis {axis + 1}"
        check_window(period, start, limit, here)
        left, right = axis_chain(lhs, axis), axis_chain(rhs, axis)
        periodic_structure(left, right, period, start, here)
        for n in range(0, start):
            if output_length(left, n) != output_length(right, n):
                raise CertificateError(f"{here}: the output lengths differ at n = {n}")
        representatives.append(class_representatives(lhs, rhs, axis, limit, here, period))
    combinations = math.prod(len(r) for r in representatives)
    if combinations > MAX_CHECK_COMBINATIONS:
        raise CertificateError(f"{where}: {' x '.join(str(len(r)) for r in representatives)} classes of output "
                               f"positions exceed what the checker compares ({MAX_CHECK_COMBINATIONS})")
    channels = lhs.in_channels or rhs.in_channels or 1
    difference = first_difference(lhs, rhs, representatives, channels)
    if difference is not None:
        raise CertificateError(f"{where}: the two sides differ at shape {difference[0]}, output {difference[1]}")
    return True
