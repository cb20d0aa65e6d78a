"""N-D identities, decided for every input shape ``(n1, ..., nd)``.

Two arguments, both exact; the forms compared are the linear forms of
:mod:`symconv.prover.forms_nd` (coefficients in the tap ring).

**Lemma 1 (product bound).** Let ``B_k`` be the boundary bound of
:mod:`symconv.prover.boundary` for the projections of both sides on axis k
(:func:`symconv.core.layers_nd.axis_chain`). If the output lengths of the
projections agree for every n on each axis, the sides agree for every shape
iff they agree for every shape with ``n_k < B_k`` on each axis.

*Proof.* Induction on the axes. Fix ``n2, ..., nd``. Along axis 1 each side is
a 1-D linear chain whose channels are the samples of the other axes (their
number depends on ``n2, ..., nd``, not the argument): its cones, edges and
periods along axis 1 are those of the axis-1 projection, so the
eventual-periodicity lemma gives agreement for every n1 from agreement for
``n1 < B1``. So it suffices that the sides agree for every ``n1 < B1`` and
every ``n2, ..., nd``; fix such an n1 and repeat along axis 2 with the
remaining axes as channels, and so on: after d steps only the shapes below
``(B1, ..., Bd)`` remain. QED.

**Lemma 2 (interior operator).** Call a chain *edge-free* when its layers
are, in order, zero or more ``pad`` layers and then window layers (``conv``,
``avgpool``, ``down``, ``crop``), of which only the first may pad. Then there
are, per axis, a stride ``S``, an offset ``P`` and, for the whole chain, a
kernel ``E[o, m, a]`` and constants ``b[o]``, none depending on the shape, with

    y[o, i] = b[o] + sum_{m, a} E[o, m, a] xbar[m, S i + a - P]     for every shape n and every output i,

``xbar`` being x extended by zeros.

*Proof.* Induction over the layers. The pads and the first layer's padding
only give ``P``. A window layer without padding (stride s, dilation delta,
taps w; ``down(s, q)`` and ``crop(l, r)`` are windows of extent ``q + 1`` and
``l + r + 1`` with one tap) reads, for each output i of its own shape, the
samples ``s i + delta a`` of its input, all inside that input (its output
length counts exactly the windows that fit), and each of those samples has the
form above by induction; substituting gives the form with stride ``S s``, a
composed kernel and constants ``b sum w + bias``. QED.

**Theorem (shortcut).** Two edge-free sides agree for every shape iff (a) on
each axis their output lengths agree for every n (the 1-D comparison of the
projections) and (b) their forms agree at one shape ``n*`` in which, on every
axis k, the outputs ``i0`` and ``i0 + e_k`` of both sides read only samples
inside the input (``i0_k = max ceil(P / S)``, ``n*_k = max (S (i0_k + 1) - P + F)``
over the sides, ``F`` the receptive field).

*Proof.* (a) and (b) are necessary. Conversely, at an interior output the
form of Lemma 2 is untruncated: the coefficient of ``x[m, j]`` in ``y[o, i]``
is ``E[o, m, j - S i + P]`` for every j. Let ``G(j)`` be the coefficients of
``y[., i0]`` (equal on both sides by (b)). Comparing ``i0 + e_k`` gives
``G(j - S_L e_k) = G(j - S_R e_k)`` on axis k; a nonzero G of finite support
is not periodic, so ``S_L = S_R`` on every axis (if G = 0 both kernels are
0 and the sides are their constants). Hence ``E_L[a + P_L] = E_R[a + P_R]``
for every a, and the constants agree (the constant term of (b)). Then for
every shape and every output index the two forms of Lemma 2 are the same
function of ``xbar``; with equal output shapes (a), the sides agree. QED.

The shortcut compares one shape, whatever the strides, instead of the
``B1 x ... x Bd`` shapes of Lemma 1; Lemma 1 still decides the chains that
pad or up-sample inside (where outputs read across an inner edge).

**Flips.** :func:`symconv.prover.proof_nd.prove_nd` first moves the flips of
both sides to their inputs per axis and strips them
(:mod:`symconv.checker.flips_nd`), which needs stride 1 on the flipped axes
of every layer a flip crosses. Otherwise :func:`decide_flip_classes_nd`
runs Lemma 1 with the per-axis residue classes of the size (the lemma of
:mod:`symconv.checker.flip_classes_nd`): on each axis the flips of the
projections move to the input with phases fixed by n mod the strides.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Optional, Sequence

from symconv.algebra.normal_form import LinearChain
from symconv.checker.axis_classes import MAX_CHECK_COMBINATIONS, class_representatives, first_difference
from symconv.checker.periodicity import MAX_CHECK_LENGTH
from symconv.algebra.tap_poly import TapRing
from symconv.core.geometry import is_whole_flip
from symconv.core.layers import Layer, Parallel
from symconv.core.layers_nd import AvgPool, Conv, Crop, Down, Pad, axis_chain, output_shape
from symconv.core.output_length import output_length
from symconv.errors import ChannelMismatch, SymconvError
from symconv.prover.boundary import find_bound
from symconv.prover.forms_nd import forms_nd, ring_nd

__all__ = ["DecisionNd", "decide_nd", "decide_flip_classes_nd", "edge_free_geometry", "MAX_SHAPES"]

#: Refuse (unknown) when the product bound asks for more shapes than this.
MAX_SHAPES = 1600
#: Shapes tried, smallest first, for a small witness once the shortcut has refuted.
MAX_WITNESS_SEARCH = 64


@dataclass(frozen=True)
class DecisionNd:
    verdict: str
    reason: str
    #: The per-axis bounds of Lemma 1 (empty when the shortcut decided without them).
    limits: tuple[int, ...] = ()
    witness: Optional[tuple[int, ...]] = None
    shapes_checked: int = 0
    #: ``(start, period, limit)`` of the boundary bound on each axis.
    axes: tuple = ()
    #: The shape ``n*`` of the shortcut, when it decided.
    interior_shape: Optional[tuple[int, ...]] = None
    #: The output ``i0`` of the shortcut: it and ``i0 + e_k`` (every axis k) read inside ``n*`` on both sides.
    interior_index: Optional[tuple[int, ...]] = None
    #: Whether the shapes below the product bound are left to the kernel's replay (``proved`` only once it agrees).
    deferred: bool = False
    #: Per axis ``[period, start, classes]`` of the residue classes, when flips cross strided layers.
    flip_axes: tuple = ()


@dataclass(frozen=True)
class Geometry:
    """Lemma 2's per-axis stride ``S``, offset ``P`` and receptive field ``F`` of an edge-free chain."""

    stride: tuple[int, ...]
    offset: tuple[int, ...]
    field: tuple[int, ...]


def _window(step: Layer, axis: int) -> Optional[tuple[int, int, int]]:
    """``(stride, extent, left padding)`` of a window layer on one axis; None for other layers."""
    if isinstance(step, Conv):
        k = step.weight.spatial[axis]
        return step.strides[axis], step.dilations[axis] * (k - 1) + 1, step.paddings[axis][0]
    if isinstance(step, AvgPool):
        return step.strides[axis], step.sizes[axis], step.paddings[axis]
    if isinstance(step, Down):
        return step.factors[axis], step.phases[axis] + 1, 0
    if isinstance(step, Crop):
        return 1, step.before[axis] + step.after[axis] + 1, 0
    return None


def _pads(step: Layer) -> bool:
    return isinstance(step, Conv) and any(p != (0, 0) for p in step.paddings) or (
        isinstance(step, AvgPool) and any(step.paddings))


def edge_free_geometry(layer: Layer) -> Optional[Geometry]:
    """Lemma 2's geometry when ``layer`` is edge-free (module docstring), else None."""
    if isinstance(layer, Parallel) or not layer.linear:
        return None
    steps = layer.layers()
    d = layer.ndim
    stride, offset, field = [1] * d, [0] * d, [1] * d
    windows = 0
    for step in steps:
        if isinstance(step, Pad):
            if windows:
                return None
            offset = [o + b for o, b in zip(offset, step.before)]
            continue
        if _window(step, 0) is None or (windows and _pads(step)):
            return None
        for axis in range(d):
            s, extent, left = _window(step, axis)
            offset[axis] += left if not windows else 0
            field[axis] += (extent - 1) * stride[axis]
            stride[axis] *= s
        windows += 1
    return Geometry(tuple(stride), tuple(offset), tuple(field))


def axis_limit(lhs: Layer, rhs: Layer, axis: int):
    """``(bound, differing n, reason)`` of the projections on one axis."""
    left, right = axis_chain(lhs, axis), axis_chain(rhs, axis)
    chains = [LinearChain.of(c, skeleton=True) for c in (left, right)]
    bound = find_bound(chains)
    if bound is None:
        return None, None, f"no boundary bound on axis {axis + 1}"
    for n in range(0, bound.limit + bound.period):
        if output_length(left, n) != output_length(right, n):
            return None, n, (f"the output lengths on axis {axis + 1} differ at n{axis + 1} = {n}: "
                             f"{output_length(left, n)} against {output_length(right, n)}")
    return bound, None, ""


def statement_channels(lhs: Layer, rhs: Layer) -> int:
    need = {c for c in (lhs.in_channels, rhs.in_channels) if c is not None}
    if len(need) > 1:
        raise ChannelMismatch("the left-hand side's input", lhs.in_channels, "the right-hand side", rhs.in_channels)
    channels = need.pop() if need else 1
    if lhs.out_channels(channels) != rhs.out_channels(channels):
        raise ChannelMismatch(repr(lhs), lhs.out_channels(channels), repr(rhs), rhs.out_channels(channels))
    return channels


def same_outputs(lhs: Layer, rhs: Layer, shape: Sequence[int], ring: TapRing, channels: int) -> bool:
    """Whether both sides give the same output shape and the same forms on an input of ``shape``."""
    return forms_nd(lhs, shape, ring, channels) == forms_nd(rhs, shape, ring, channels)


def interior_shape_of(geometries: Sequence[Geometry]) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``(n*, i0)`` of the theorem: on each axis the outputs ``i0`` and ``i0 + 1`` of both sides read inside n*."""
    d = len(geometries[0].stride)
    first = tuple(max(-(-g.offset[k] // g.stride[k]) for g in geometries) for k in range(d))
    shape = tuple(max(g.stride[k] * (first[k] + 1) - g.offset[k] + g.field[k] for g in geometries) for k in range(d))
    return shape, first


def _small_witness(lhs: Layer, rhs: Layer, limit: tuple[int, ...], ring: TapRing, channels: int) -> tuple[int, ...]:
    """The first shape ``(m, ..., m)`` (each axis capped at ``limit``) where the sides differ; ``limit`` itself
    when none below it does."""
    for m in range(1, min(max(limit), MAX_WITNESS_SEARCH)):
        shape = tuple(min(m, n) for n in limit)
        if not same_outputs(lhs, rhs, shape, ring, channels):
            return shape
    return limit


def decide_nd(lhs: Layer, rhs: Layer, compare_shapes: bool = True) -> DecisionNd:
    """Decide ``lhs == rhs`` for every input shape (module docstring).

    With ``compare_shapes=False`` the shapes below the product bound are not compared here: the verdict is
    ``proved`` with ``deferred`` set, to be made by the kernel's replay of ``product_bound``, which compares the
    same shapes (the search then compares them itself only when the kernel finds a difference).
    """
    channels = statement_channels(lhs, rhs)
    d = lhs.ndim
    limits, axes = [], []
    for axis in range(d):
        bound, differ, reason = axis_limit(lhs, rhs, axis)
        if differ is not None:
            return DecisionNd("refuted", reason, witness=tuple(differ if k == axis else 8 for k in range(d)))
        if bound is None:
            return DecisionNd("unknown", reason)
        limits.append(bound.limit)
        axes.append((bound.start, bound.period, bound.limit))
    ring = ring_nd(lhs, rhs)
    geometries = [edge_free_geometry(side) for side in (lhs, rhs)]
    shape, first = interior_shape_of(geometries) if all(geometries) else ((), ())
    if all(geometries) and all(m >= i + 2 for side in (lhs, rhs) for m, i in zip(output_shape(side, shape), first)):
        if same_outputs(lhs, rhs, shape, ring, channels):
            return DecisionNd("proved", f"both sides are edge-free: equal output lengths on each axis for every n and "
                                        f"equal exact outputs at the interior shape {shape} (interior-operator lemma)",
                              tuple(limits), shapes_checked=1, axes=tuple(axes), interior_shape=shape,
                              interior_index=first)
        witness = _small_witness(lhs, rhs, shape, ring, channels)
        return DecisionNd("refuted", f"the outputs differ at shape {witness}", tuple(limits), witness, 1,
                          tuple(axes))
    total = math.prod(limits)
    classes = _classes(lhs, rhs, limits)
    if classes is None:
        return DecisionNd("unknown", f"{' x '.join(map(str, limits))} shapes would have to be compared (a side pads "
                                     f"or up-samples inside, so the interior-operator shortcut does not apply), with "
                                     f"more classes of output positions than the checker compares", tuple(limits))
    reason = (f"equal output shapes on each axis and equal outputs for every shape below {tuple(limits)} (product "
              f"of the per-axis boundary bounds)")
    if not compare_shapes:
        return DecisionNd("proved", reason, tuple(limits), shapes_checked=total, axes=tuple(axes), deferred=True)
    difference = first_difference(lhs, rhs, classes, channels)
    if difference is not None:
        return DecisionNd("refuted", f"the outputs differ at shape {difference[0]}", tuple(limits), difference[0],
                          total)
    return DecisionNd("proved", reason, tuple(limits), shapes_checked=total, axes=tuple(axes))


def _classes(lhs: Layer, rhs: Layer, limits: Sequence[int]) -> Optional[list]:
    """The per-axis representatives of the classes of output positions below ``limits``
    (:mod:`symconv.checker.axis_classes`: one output per combination decides every shape below them), or None
    when their combinations exceed what the checker compares or an axis is longer than it evaluates."""
    if max(limits) > MAX_CHECK_LENGTH:
        return None
    classes = [class_representatives(lhs, rhs, axis, limit, f"axis {axis + 1}") for axis, limit in enumerate(limits)]
    return classes if math.prod(len(c) for c in classes) <= MAX_CHECK_COMBINATIONS else None


# --- flips that cross strided layers: per-axis residue classes -----------------------------------

def _axis_classes(left: Layer, right: Layer) -> Optional[tuple[list, int]]:
    """``([period, start, classes], B)`` of the residue-class argument for the projections on one axis
    (:mod:`symconv.checker.flip_classes_nd`); None where it does not apply (one side alone reverses its input,
    no boundary bound, too many classes)."""
    from symconv.algebra.flip import as_single_layer
    from symconv.prover.flip_classes import MAX_PERIOD, class_lengths, moved_flips, stride_product

    period = math.lcm(stride_product(left), stride_product(right))
    if period > MAX_PERIOD:
        return None
    start = next((n for n in range(1, MAX_WITNESS_SEARCH) if min(class_lengths(left, n, None) + class_lengths(right, n, None))
                  >= 1), None)
    if start is None:
        return None
    classes, limit_all = [], start
    for residue in range(period):
        n_r = start + (residue - start) % period
        pair = [moved_flips(side, n_r, None) for side in (left, right)]
        heads = [is_whole_flip(side.layers()[0]) for side in pair]
        if heads[0] != heads[1]:
            return None
        if heads[0]:
            pair = [as_single_layer(side.layers()[1:]) for side in pair]
        bound = find_bound([LinearChain.of(side, skeleton=True) for side in pair])
        if bound is None:
            return None
        first = max(bound.start, n_r)
        limit = first + math.lcm(period, bound.period)
        classes.append([residue, first, bound.period, limit])
        limit_all = max(limit_all, limit)
    return [period, start, classes], limit_all


def decide_flip_classes_nd(lhs: Layer, rhs: Layer) -> DecisionNd:
    """Decide ``lhs == rhs`` when flips cross strided layers: per-axis residue classes of the projections, then
    every shape below the per-axis bounds (the lemma of :mod:`symconv.checker.flip_classes_nd`)."""
    channels = statement_channels(lhs, rhs)
    d = lhs.ndim
    data, limits = [], []
    for axis in range(d):
        left, right = axis_chain(lhs, axis), axis_chain(rhs, axis)
        try:
            found = _axis_classes(left, right)
        except SymconvError:  # a flip that the 1-D rewrite cannot move at some length (inside a sum)
            found = None
        if found is None:
            return DecisionNd("unknown", f"on axis {axis + 1} the flips do not reduce to the same input flip in every "
                                         f"residue class (or no boundary bound was found)")
        data.append(found[0])
        limits.append(found[1])
        for n in range(0, found[1] + 2 * found[0][0]):
            if output_length(left, n) != output_length(right, n):
                return DecisionNd("refuted", f"the output lengths on axis {axis + 1} differ at n{axis + 1} = {n}",
                                  witness=tuple(n if k == axis else 8 for k in range(d)))
    total = math.prod(limits)
    if total > MAX_SHAPES:
        return DecisionNd("unknown", f"{' x '.join(map(str, limits))} shapes would have to be compared (flips cross "
                                     f"strided layers)", tuple(limits))
    ring = ring_nd(lhs, rhs)
    checked = 0
    for shape in sorted(itertools.product(*(range(0, n) for n in limits)), key=lambda s: (max(s), s)):
        checked += 1
        if not same_outputs(lhs, rhs, shape, ring, channels):
            return DecisionNd("refuted", f"the outputs differ at shape {shape}", tuple(limits), shape, checked)
    return DecisionNd("proved", f"flips cross strided layers: per-axis residue classes of the projections, and "
                                f"equal outputs for every shape below {tuple(limits)}", tuple(limits),
                      shapes_checked=checked, flip_axes=tuple(data))
