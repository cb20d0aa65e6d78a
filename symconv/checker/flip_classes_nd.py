"""The checker's rule ``flip_product_bound``: N-D chains whose flips cross strided layers, per axis and residue.

Rule data: ``axes``, one ``[P, N0, [[residue, from, chain_period, limit], ...]]`` (period, start, classes)
per spatial axis (the data of the 1-D rule ``residue_classes``, for the projection of both sides on that axis,
:func:`symconv.core.layers_nd.axis_chain`). The checker, for each axis k:

1. verifies that P is a multiple of every stride of both projections and that every intermediate length of
   both projections is at least 1 at n = N0, and that the projections' output lengths agree below N0;
2. for each class, moves the flips of both projections to the input at the least n_r >= N0 of the class
   (the 1-D rewrite of :mod:`symconv.checker.residue_classes`), checks that the rewrite at n_r + P is the same,
   that both or neither reverse their input, and the hypotheses of the eventual-periodicity lemma for the two
   flip-free projections with period ``chain_period`` on ``[from, from + chain_period)``, with
   ``limit >= from + lcm(P, chain_period)``;

then it evaluates both sides exactly, with the core's N-D semantics, on every shape with ``n_k < B_k`` on each
axis, ``B_k`` the largest ``limit`` (and N0) of axis k.

**Lemma (per-axis residue classes).** Under these checks the sides agree for every shape. *Proof.* As the
product bound (:mod:`symconv.prover.decide_nd`, Lemma 1), by induction on the axes. Fix every size but n_1:
along axis 1 each side is a 1-D linear chain whose channels are the samples of the other axes (a flip on
another axis is a permutation of those channels, which commutes with the axis-1 arithmetic); its geometry
along axis 1 is that of the projection. For n_1 >= N0 of class r the axis-1 flips move to the input with the
phases of the projection (they depend on the axis-1 lengths only, and on n_1 mod P: periodic phases of
``residue_classes``), giving flip-free chains with the projection's flip-free geometry; an input flip on
both sides is stripped (a bijection); the eventual-periodicity lemma carries equality from n_1 to
n_1 + lcm(P, chain_period), the next member of the class. So agreement for every n_1 < B_1 gives every n_1;
repeat on axis 2 with n_1 fixed, and so on: only the shapes below (B_1, ..., B_d) remain, all evaluated. QED.
"""

from __future__ import annotations

import itertools
import math

from symconv.checker import cones
from symconv.checker.flips import as_layer
from symconv.checker.periodicity import MAX_CHECK_LENGTH, check_window, periodic_structure
from symconv.checker.residue_classes import MAX_CHECK_SHAPES, flips_at, layer_strides
from symconv.core.geometry import is_whole_flip
from symconv.core.layers import Layer
from symconv.core.output_length import output_length
from symconv.errors import CertificateError

__all__ = ["rule_flip_product_bound"]


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _axis_bound(left: Layer, right: Layer, data: object, where: str) -> int:
    """Steps 1 and 2 of the module docstring on one axis; returns ``B_k``."""
    if not (isinstance(data, list) and len(data) == 3):
        raise CertificateError(f"{where}: expected [period, start, classes]")
    period, start, classes = data
    if not (_int(period) and _int(start) and 1 <= period <= MAX_CHECK_LENGTH and 1 <= start <= MAX_CHECK_LENGTH):
        raise CertificateError(f"{where}: expected integers 1 <= period, start <= {MAX_CHECK_LENGTH}")
    for layer in (left, right):
        if period % layer_strides(layer):
            raise CertificateError(f"{where}: {period} is not a multiple of the strides of {layer!r}")
        if cones.min_intermediate_length(layer, start) < 1:
            raise CertificateError(f"{where}: an intermediate length of {layer!r} is 0 at n = {start}")
    for n in range(0, start):
        if output_length(left, n) != output_length(right, n):
            raise CertificateError(f"{where}: the output lengths differ at n = {n}")
    if not (isinstance(classes, list) and all(isinstance(c, list) and len(c) == 4 and all(map(_int, c))
                                              for c in classes)
            and sorted(c[0] for c in classes) == list(range(period))):
        raise CertificateError(f"{where}: expected one [residue, from, period, limit] for each residue mod {period}")
    bound = start
    for residue, first, chain_period, limit in classes:
        here = f"{where}, n = {residue} mod {period}"
        check_window(chain_period, first, limit, here)
        if first < start or limit < first + math.lcm(period, chain_period):
            raise CertificateError(f"{here}: expected from >= {start} and limit >= from + lcm({period}, "
                                   f"{chain_period})")
        n_r = start + (residue - start) % period
        pair = [as_layer(*flips_at(side, n_r, here)) for side in (left, right)]
        if pair != [as_layer(*flips_at(side, n_r + period, here)) for side in (left, right)]:
            raise CertificateError(f"{here}: the flip-free projections at n = {n_r} and n = {n_r + period} differ")
        heads = [is_whole_flip(side.layers()[0]) for side in pair]
        if heads[0] != heads[1]:
            raise CertificateError(f"{here}: one side reverses its input on this axis and the other does not")
        if heads[0]:
            pair = [as_layer(False, side.layers()[1:]) for side in pair]
        periodic_structure(pair[0], pair[1], chain_period, first, here)
        bound = max(bound, limit)
    return bound


def rule_flip_product_bound(state: list[Layer], step, where: str) -> bool:
    """Close an N-D statement whose flips cross strided layers (module docstring)."""
    from symconv.core.layers_nd import axis_chain
    from symconv.core.semantics_nd import every_output_exact

    lhs, rhs = state
    axes = step.get("axes")
    d = lhs.ndim
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: flip_product_bound is for two N-D chains with the same axes")
    if not (isinstance(axes, list) and len(axes) == d):
        raise CertificateError(f"{where}: expected one [period, start, classes] per axis ({d})")
    for layer in (lhs, rhs):
        if not layer.linear:
            raise CertificateError(f"{where}: {layer!r} is not linear")
    bounds = [_axis_bound(axis_chain(lhs, k), axis_chain(rhs, k), data, f"{where}, axis {k + 1}")
              for k, data in enumerate(axes)]
    if math.prod(bounds) > MAX_CHECK_SHAPES:
        raise CertificateError(f"{where}: {' x '.join(map(str, bounds))} shapes exceed what the checker evaluates "
                               f"({MAX_CHECK_SHAPES})")
    channels = lhs.in_channels or rhs.in_channels or 1
    for shape in itertools.product(*(range(0, b) for b in bounds)):
        if every_output_exact(lhs, shape, channels) != every_output_exact(rhs, shape, channels):
            raise CertificateError(f"{where}: the two sides differ at shape {shape}")
    return True
