"""The checker's rule ``interior_operator``: two edge-free N-D chains equal at one interior shape are equal.

Notation of the reports (0-based, cross-correlation), every index per axis.
A chain is *edge-free* when its layers are, in order, zero or more ``pad``
layers and then window layers (``conv{d}d``, ``avgpool{d}d``, ``down``,
``crop``), of which only the first may pad. A window layer of stride s and
left padding pl reads, for its output i, samples ``s i - pl + a`` with
``0 <= a < e`` of its input: ``conv``: ``e = delta (k - 1) + 1``;
``avgpool(size)``: ``e = size``; ``down(s, q)``: ``e = q + 1`` (one tap, at q);
``crop(l, r)``: ``s = 1``, ``e = l + r + 1`` (one tap, at l).

**Lemma A (form).** An edge-free chain has, per axis, a stride S, an offset
P and an extent F, and a kernel ``E[o, m, a]`` (``0 <= a < F``) and constants
``b[o]``, none depending on the shape, such that for every shape n and every
output i

    y[o, i] = b[o] + sum_{m, 0 <= a < F} E[o, m, a] xbar[m, S i - P + a],

``xbar`` being x extended by zeros. *Proof.* Walk back from output i: a
window layer maps the rows ``[S' i + A, S' i + B]`` of its output to the
rows ``[s S' i + s A - pl, s S' i + s B - pl + e - 1]`` of its input, a
``pad(before)`` subtracts ``before`` (:func:`_geometry`). A window layer after
the first neither pads nor reads past its input (its output length counts
exactly the windows that fit), so substituting the form of its input never
meets an edge; the pads and the first layer's padding read zeros, which is
``xbar``. Substitution gives the composed kernel and ``b sum w + bias``. QED.

**Lemma B (lengths).** On one axis (the core's projection ``axis_chain``),
if every intermediate length is at least 1 at ``start`` and ``period``
moves every layer rigidly (:func:`symconv.checker.cones.chain_shift`), then
for every ``n >= start`` the length grows by the same ``shift`` from n to
``n + period`` (lengths only grow with n, so every layer stays in its affine
regime). Two sides with the same shift whose lengths agree for every
``n < limit``, ``limit >= start + period``, agree for every n.

**Theorem.** Let both sides be edge-free with equal output lengths on every
axis for every n (Lemma B), and n* a shape where, on every axis k, the
windows ``[S i - P, S i - P + F)`` of the outputs ``i0`` and ``i0 + e_k`` lie
inside ``[0, n*_k)`` on both sides (``i0_k = max ceil(P / S)`` over the
sides). If ``y_L[o, i] = y_R[o, i]`` as polynomials in the taps and the
input samples for every o and ``i in {i0, i0 + e_1, ..., i0 + e_d}``, then
``lhs == rhs`` for every shape.

*Proof.* At an output whose window lies inside the input the form is
untruncated: the coefficient of ``x[m, j]`` in ``y[o, i]`` is
``E[o, m, j - S i + P]`` for every j (0 outside ``[0, F)``). Let
``G(o, m, j)`` be the coefficients of ``y[o, i0]``, the same on both sides.
Output ``i0 + e_k`` gives ``G(o, m, j - S_L e_k) = G(o, m, j - S_R e_k)`` for
every j; a function of finite support that is not 0 is not periodic, so
``S_L = S_R`` on axis k -- unless G = 0, when both kernels are 0 and both
sides are their constants. Then ``E_L[a] = E_R[a + P_R - P_L]`` for every a
and ``b_L = b_R`` (the constant terms), so by Lemma A the sides are the same
function of ``xbar`` at every output of every shape, and by Lemma B their
output shapes are equal. QED.

The checker re-derives every hypothesis from the core layer objects
(nothing of the search): the edge-free order, the geometry, the lengths and
the windows, and it evaluates the ``d + 1`` outputs per channel exactly
(:func:`_outputs`: the core's N-D semantics itself,
:func:`symconv.core.semantics_nd.symbolic_outputs_exact`, in the exact ring of
:mod:`symconv.core.exact_poly`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from symconv.checker.periodicity import MAX_CHECK_LENGTH, check_window, equal_growth
from symconv.core.layers import Layer
from symconv.core.layers_nd import AvgPool, Conv, Crop, Down, Pad, axis_chain, output_shape
from symconv.core.output_length import output_length
from symconv.core.semantics_nd import symbolic_outputs_exact
from symconv.errors import CertificateError

__all__ = ["rule_interior_operator", "Geometry", "edge_free_steps"]

_WINDOWS = (Conv, AvgPool, Down, Crop)


@dataclass(frozen=True)
class Geometry:
    """Lemma A's per-axis data of an edge-free chain: output i reads ``[stride i - offset, ... + extent)``."""

    stride: tuple[int, ...]
    offset: tuple[int, ...]
    extent: tuple[int, ...]


def _pads(step: Layer) -> bool:
    if isinstance(step, Conv):
        return any(p != (0, 0) for p in step.paddings)
    return isinstance(step, AvgPool) and any(step.paddings)


def _window(step: Layer, axis: int) -> tuple[int, int, int]:
    """``(stride s, left padding pl, extent e)`` of a window layer on one axis."""
    if isinstance(step, Conv):
        return step.strides[axis], step.paddings[axis][0], step.dilations[axis] * (step.weight.spatial[axis] - 1) + 1
    if isinstance(step, AvgPool):
        return step.strides[axis], step.paddings[axis], step.sizes[axis]
    if isinstance(step, Down):
        return step.factors[axis], 0, step.phases[axis] + 1
    return 1, 0, step.before[axis] + step.after[axis] + 1  # Crop


def edge_free_steps(side: Layer, where: str) -> tuple[Layer, ...]:
    """The layers of ``side``, after checking the edge-free order (module docstring); else CertificateError."""
    steps = side.layers()
    windows = 0
    for number, step in enumerate(steps, 1):
        if not isinstance(step, (Pad,) + _WINDOWS):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, is not pad, conv, avgpool, down "
                                   f"or crop; the rule is for edge-free linear chains")
        if not step.is_linear:
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, divides its edge windows by "
                                   f"fewer samples (ceil_mode or count_include_pad=False); the rule is for "
                                   f"edge-free linear chains")
        if windows and (isinstance(step, Pad) or _pads(step)):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, pads after a window layer, so "
                                   f"an output can read across an inner edge; the rule needs every padding in front")
        windows += not isinstance(step, Pad)
    return steps


def _geometry(steps: Sequence[Layer], d: int) -> Geometry:
    """Lemma A, walking back from the output: rows ``[S i + A, S i + B]`` of each level."""
    stride, low, high = [1] * d, [0] * d, [0] * d
    for step in reversed(steps):
        for k in range(d):
            if isinstance(step, Pad):
                low[k] -= step.before[k]
                high[k] -= step.before[k]
                continue
            s, pl, e = _window(step, k)
            stride[k], low[k], high[k] = s * stride[k], s * low[k] - pl, s * high[k] - pl + e - 1
    return Geometry(tuple(stride), tuple(-a for a in low), tuple(b - a + 1 for a, b in zip(low, high)))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _same_lengths(left: Layer, right: Layer, start: int, period: int, limit: int, where: str) -> None:
    """Lemma B for the projections ``left`` and ``right`` of one axis."""
    check_window(period, start, limit, where)
    equal_growth(left, right, period, start, where)
    for n in range(0, limit):
        if output_length(left, n) != output_length(right, n):
            raise CertificateError(f"{where}: the output lengths differ at n = {n}: {output_length(left, n)} "
                                   f"against {output_length(right, n)}")


def _interior_index(sides: Sequence[Layer], geometries: Sequence[Geometry], shape: tuple[int, ...],
                    where: str) -> tuple[int, ...]:
    """``i0``: on every axis k the windows of ``i0`` and ``i0 + e_k`` lie inside ``shape`` on both sides."""
    first = tuple(max(-(-g.offset[k] // g.stride[k]) for g in geometries) for k in range(len(shape)))
    for side, g in zip(sides, geometries):
        lengths = output_shape(side, shape)
        for k, (i, n) in enumerate(zip(first, shape)):
            top = g.stride[k] * (i + 1) - g.offset[k] + g.extent[k]  # one past the window of output i + 1
            if top > n or i + 1 >= lengths[k]:
                raise CertificateError(f"{where}: the shape {list(shape)} is not interior on axis {k + 1}: output "
                                       f"{i + 1} of {side!r} reads up to sample {top - 1} of {n}")
    return first


# --- exact evaluation of a few outputs: the core's N-D semantics in the exact ring --------------------

def _outputs(side: Layer, steps: Sequence[Layer], shape: tuple[int, ...], channels: int, indices: Sequence[tuple],
             where: str) -> tuple[int, dict]:
    """``(output channels, {(o, i): y[o, i]})`` on the symbolic input ``x[m, j]`` of ``shape``."""
    inner = channels
    for step in steps:
        if isinstance(step, Conv) and step.in_channels != inner:
            raise CertificateError(f"{where}: {step!r} takes {step.in_channels} channel(s), not {inner}")
        inner = step.out_channels(inner) or inner
    return symbolic_outputs_exact(side, shape, channels, indices)


def rule_interior_operator(state: list[Layer], step, where: str) -> bool:
    """``interior_operator`` (``axes``: ``[start, period, limit]`` per axis, ``shape``: n*) closes an N-D statement.

    The theorem of the module docstring, every hypothesis re-checked here.
    """
    lhs, rhs = state
    axes, shape = step.get("axes"), step.get("shape")
    d = lhs.ndim
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: the rule is for two N-D chains with the same axes")
    if not (isinstance(axes, list) and len(axes) == d and all(
            isinstance(a, list) and len(a) == 3 and all(_is_int(v) for v in a) for a in axes)):
        raise CertificateError(f"{where}: expected axes [[start, period, limit], ...], one per axis ({d})")
    if not (isinstance(shape, list) and len(shape) == d and all(_is_int(n) and 1 <= n <= MAX_CHECK_LENGTH
                                                                 for n in shape)):
        raise CertificateError(f"{where}: expected shape [n1, ..., n{d}], {d} integers from 1 to {MAX_CHECK_LENGTH}")
    steps = [edge_free_steps(side, where) for side in (lhs, rhs)]
    for axis, (start, period, limit) in enumerate(axes):
        _same_lengths(axis_chain(lhs, axis), axis_chain(rhs, axis), start, period, limit,
                      f"{where}, axis {axis + 1}")
    shape = tuple(shape)
    geometries = [_geometry(s, d) for s in steps]
    first = _interior_index((lhs, rhs), geometries, shape, where)
    indices = [first] + [tuple(i + (k == axis) for k, i in enumerate(first)) for axis in range(d)]
    channels = lhs.in_channels or rhs.in_channels or 1
    if lhs.in_channels and rhs.in_channels and lhs.in_channels != rhs.in_channels:
        raise CertificateError(f"{where}: the sides take {lhs.in_channels} and {rhs.in_channels} input channels")
    (left_channels, left), (right_channels, right) = (_outputs(side, s, shape, channels, indices, where) for side, s in zip((lhs, rhs), steps))
    if left_channels != right_channels:
        raise CertificateError(f"{where}: the sides give {left_channels} and {right_channels} output channels")
    for key, value in left.items():
        if value != right[key]:
            raise CertificateError(f"{where}: the two sides differ at output {list(key[1])} of channel {key[0]} "
                                   f"at the shape {list(shape)}")
    return True
