"""Per-axis classes of output positions: what the product bound must compare, one output per class.

The product bound (:mod:`symconv.checker.residue_classes`) closes an N-D
statement from equality at every shape below ``(B_1, ..., B_d)``. Most of
those outputs repeat one another: this module finds, per axis, the positions
``(n_k, i_k)`` that can differ, so that one output per combination is compared.

**Tagged profiles.** Project both sides on axis k (the window arithmetic of
each layer on that axis, :func:`symconv.core.layers_nd.axis_layer`) and give
every tap a name of its own: layer l of a side (branch by branch in a sum)
becomes a 1-D layer whose kernel is ``t_l[0..K_l - 1]`` and whose bias, when
it has one, is ``b_l``. On the input ``x_0 .. x_{n-1}`` output i of the tagged
chain is a polynomial whose monomials are the valid tap sequences: the
coefficient of ``x_j`` lists every way ``(a_1, ..., a_L)`` (one tap index per
layer) the output reads sample j on this axis, and the ``b_l`` terms every
valid way a bias reaches it. The *joint class* of ``(n, i)`` is the pair of
profiles (left side, right side) with the sample indices moved so that the
smallest one of either side is 0.

**Lemma (per-axis classes).** Let both sides be separable-geometry linear
chains (every layer's index arithmetic is a product over the axes: convolution,
transposed convolution, average pooling with the default flags, pad, crop,
down, up, affine, sums of them). If for two output positions ``i`` (shape n)
and ``i'`` (shape n') the joint classes of ``(n_k, i_k)`` and ``(n'_k, i'_k)``
are equal on every axis k, then ``y_L[o, i] == y_R[o, i]`` at n iff
``y_L[o, i'] == y_R[o, i']`` at n', for every channel o.

*Proof.* The coefficient of ``x[m, j]`` in ``y[o, i]`` is a sum over channel
paths and over tap paths ``A = (a^1, ..., a^L)``, ``a^l`` in ``Z^d``, of
``prod_l w^l[c_l, c_(l-1), a^l]``, where A counts iff on every axis k its
components ``A_k = (a^1_k, ..., a^L_k)`` form a valid path from j_k to i_k at
``n_k``: the layers' index maps and their in-range conditions are products
over the axes. The valid ``A_k`` landing at ``j_k`` are the monomials of the
coefficient of ``x_(j_k)`` in the tagged profile, and likewise for the bias
terms. So the coefficient is a function of the per-axis profiles alone; equal
joint classes give the same coefficients on both sides, the samples moved by
the same amount per axis on both sides, so the two equalities are the same
statement. QED.

**Coverage.** Under the eventual-periodicity hypotheses of the projections on
``[start, start + P)`` (checked on each axis by the product-bound rule), every
output of the tagged pair at ``n + P`` (``n >= start``) has the joint class of
an output at n: left of a split inside the common interior run it is the
output with the same index (the same samples), right of it the output ``Q``
before it, moved by P on both sides (the lemma of
:mod:`symconv.checker.periodicity`, which holds for any taps and places the
split for both sides at once). So the classes met below ``B = start + P``
are all the classes of every n, and the checker also verifies that one more
period adds no class.

Comparing one representative output per combination of classes, over all
channels, therefore decides equality at every shape below the bounds (and,
with the product bound, at every shape).
"""

from __future__ import annotations

import itertools
from typing import Optional, Sequence

from symconv.lazy_import import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.exact_poly import Poly, variable, variable_name
from symconv.core.kernel import KernelSymbol
from symconv.core.layers import Conv, ConvTranspose, Layer
from symconv.core.layers_nd import AvgPool, axis_layer
from symconv.core.nonlinear import Affine
from symconv.core.semantics import evaluate_exact
from symconv.core.semantics_nd import symbolic_outputs_exact
from symconv.errors import CertificateError

__all__ = ["tagged_projection", "class_representatives", "first_difference", "MAX_CHECK_COMBINATIONS"]

#: The checker compares at most this many class combinations (one output each, every channel).
MAX_CHECK_COMBINATIONS = 40_000


class _Tags:
    """Fresh tap names ``<side>_<l>`` for the layers of one side, in order."""

    def __init__(self, side: str):
        self.side, self.count = side, 0

    def kernel(self, size: int) -> tuple[KernelSymbol, tuple]:
        self.count += 1
        name = f"{self.side}tag{self.count}"
        return KernelSymbol(name, (size,)), (sympy.Symbol(name + "b"),)


def tagged_projection(layer: Layer, axis: int, tags: _Tags) -> Layer:
    """``layer`` projected on ``axis`` with a tap name of its own for every tap and bias (module docstring)."""
    if isinstance(layer, Parallel):
        return Parallel(tuple(tagged_projection(b, axis, tags) for b in layer.branches))
    if isinstance(layer, Chain):
        return Chain(tuple(tagged_projection(s, axis, tags) for s in layer.steps))
    if isinstance(layer, Conv):
        kernel, bias = tags.kernel(layer.weight.spatial[axis])
        return Conv(kernel, strides=layer.strides[axis], paddings=layer.paddings[axis], dilations=layer.dilations[axis],
                    bias=bias if layer.bias is not None else None)
    if isinstance(layer, ConvTranspose):
        kernel, bias = tags.kernel(layer.weight.spatial[axis])
        return ConvTranspose(kernel, strides=layer.strides[axis], paddings=layer.paddings[axis],
                             output_paddings=layer.output_paddings[axis], dilations=layer.dilations[axis],
                             bias=bias if layer.bias is not None else None)
    if isinstance(layer, AvgPool):
        if not layer.is_linear:  # flags that change no window (no padding, no extra window) leave the average
            raise CertificateError(f"{layer!r} divides its edge windows by fewer samples; the product bound is for "
                                   f"linear chains of separable geometry")
        kernel, _ = tags.kernel(layer.sizes[axis])
        return Conv(kernel, strides=layer.strides[axis], paddings=(layer.paddings[axis], layer.paddings[axis]))
    if isinstance(layer, Affine):  # a one-tap convolution with a bias, on every axis
        kernel, bias = tags.kernel(1)
        return Conv(kernel, bias=bias)
    if not layer.linear:
        raise CertificateError(f"{layer!r} is not linear; the product bound is for linear chains")
    projected = axis_layer(layer, axis)
    if projected.kernels():
        raise CertificateError(f"{layer!r}: no tagged projection for a layer with taps of this type")
    return projected


def _canonical(left: Poly, right: Poly) -> tuple:
    """The pair of profiles with the sample indices moved so that the smallest is 0 (module docstring)."""
    indices = [variable_name(v)[2] for p in (left, right) for monomial in p for v in monomial
               if variable_name(v)[0] == "x"]
    shift = min(indices, default=0)

    def moved(p: Poly) -> frozenset:
        def name(v: int) -> tuple:
            label = variable_name(v)
            return ("x", label[1], label[2] - shift) if label[0] == "x" else label
        return frozenset((tuple(sorted(name(v) for v in monomial)), c) for monomial, c in p.items())

    return moved(left), moved(right)


def class_representatives(lhs: Layer, rhs: Layer, axis: int, limit: int, where: str,
                          period: int = 0) -> list[tuple[int, int]]:
    """``(n, i)``, one per joint class met for ``n < limit`` on ``axis``. With a ``period``, also a check of the
    coverage argument of the module docstring: every class at ``limit <= n < limit + period`` was met below
    ``limit`` (else CertificateError)."""
    left, right = tagged_projection(lhs, axis, _Tags("l")), tagged_projection(rhs, axis, _Tags("r"))
    seen: dict[tuple, tuple[int, int]] = {}
    for n in range(limit):
        for i, key in enumerate(_classes_at(left, right, n, where)):
            seen.setdefault(key, (n, i))
    for n in range(limit, limit + period):
        for i, key in enumerate(_classes_at(left, right, n, where)):
            if key not in seen:
                raise CertificateError(f"{where}: output {i} at n = {n} is of a class not met below {limit}")
    return list(seen.values())


def _classes_at(left: Layer, right: Layer, n: int, where: str) -> list[tuple]:
    x = (tuple(variable(("x", 0, j)) for j in range(n)),)
    a, b = evaluate_exact(left, x), evaluate_exact(right, x)
    if len(a[0]) != len(b[0]):
        raise CertificateError(f"{where}: the projected output lengths differ at n = {n}")
    return [_canonical(p, q) for p, q in zip(a[0], b[0])]


def first_difference(lhs: Layer, rhs: Layer, representatives: Sequence[Sequence[tuple[int, int]]],
                     channels: int) -> Optional[tuple[tuple[int, ...], tuple[int, ...]]]:
    """``(shape, output index)`` of a combination of per-axis representatives at which the two sides differ
    (every channel compared, exactly), or None. The combinations of one shape are evaluated together."""
    by_shape: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
    for combination in itertools.product(*representatives):
        by_shape.setdefault(tuple(n for n, _ in combination), []).append(tuple(i for _, i in combination))
    for shape, indices in sorted(by_shape.items()):
        (left_channels, left), (right_channels, right) = (symbolic_outputs_exact(side, shape, channels, indices)
                                                          for side in (lhs, rhs))
        if left_channels != right_channels:
            return shape, indices[0]
        differing = [key[1] for key in sorted(set(left) | set(right)) if left.get(key) != right.get(key)]
        if differing:
            return shape, differing[0]
    return None
