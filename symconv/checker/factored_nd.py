"""The rule ``factored_interior`` on N-D chains: the 1-D lemmas of :mod:`symconv.checker.factored_interior` per axis.

A kernel ``K`` of spatial shape ``(c_1, ..., c_d)`` is the polynomial
``K(z) = sum_j K[j] z_1^(j_1) ... z_d^(j_d)`` in commuting taps; for an
exponent vector ``e``, ``K(z^e) = K(z_1^(e_1), ..., z_d^(e_d))``. A *plain
N-D chain* is a chain of ``conv{d}d`` layers with kernels of integer sizes
(with channels: Lemma M of :mod:`symconv.checker.factored_interior`, per axis),
``groups = 1`` and a bias or none (Lemma C of :mod:`symconv.checker.factored_interior`: the biases add
one constant vector ``C_L``, the same at every output), of which only the first may pad;
on axis a layer l has stride ``s_(a,l)`` and dilation ``d_(a,l)``, and
``S_(a,l) = s_(a,1) ... s_(a,l)``.

**Lemma A (N-D form).** A plain N-D chain of L layers whose first layer
pads ``pl_a`` on the left of axis a gives, for every shape n and output i,

    y[i] = sum_a E[a] xbar[S_L i - pl + a],   E(z) = prod_l K_l(z^(e_l)),   (e_l)_a = d_(a,l) S_(a,l-1),

products and sums taken per axis, ``xbar`` x extended by zeros. *Proof.*
This is :mod:`symconv.checker.interior`'s Lemma A for one channel (its
stride ``S_L`` and offset ``pl`` per axis, from ``_geometry``); substituting
layer l into the form of layer ``l - 1`` moves tap j of ``K_l`` to
``S_(l-1) d_l j`` on each axis, whose polynomial is ``K_l(z^(e_l))``. QED.

**Lemma F (N-D factors).** ``convolve(a, b)(z) = a(z) b(z)`` and
``dilate(k, (m_1, ..., m_d))(z) = k(z_1^(m_1), ..., z_d^(m_d))`` for
single-channel kernels, so ``K(z^e) = prod_(A, f) A(z^(f))`` over the
multiset of pairs (atom A, exponent vector f) met by descending through
``convolve`` (f kept) and ``dilate`` (f multiplied by the factors axis by
axis); any other kernel is an atom.

**Theorem.** Two plain N-D chains with the same stride ``S_L`` and left
padding ``pl`` on every axis, the same multiset of factors and equal output
lengths on every axis for every n (Lemma B on the axis projections
``axis_chain``, with one window ``period``, ``start``, ``limit`` for all
axes) are equal for every shape. *Proof.* Equal multisets give equal ``E``
(Lemma F, the taps commute), so by Lemma A both sides are the same function
of ``xbar`` at every output; the output shape is the length per axis. QED.
"""

from __future__ import annotations

from collections import Counter

from symconv.core.convolution import Conv
from symconv.core.layers import Layer
from symconv.errors import CertificateError

__all__ = ["factored_parts_nd"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _not_plain(step: Layer) -> str:
    """Why ``step`` cannot be a layer of a plain N-D chain (padding aside), or ``""``."""
    if type(step) is not Conv:
        return "is not a conv; the rule is for chains of convolutions"
    if step.groups != 1:
        return "is a grouped convolution; the rule is for convolutions with groups = 1"
    if not all(_is_int(c) for c in step.weight.spatial):
        return "has a kernel of generic size; the rule needs integer sizes"
    return ""


def factored_parts_nd(side: Layer, where: str) -> tuple[tuple[int, ...], tuple[int, ...], Counter, list, tuple]:
    """Lemma A of the plain N-D chain ``side``: ``(S_L, pl, scalar factors, matrix factors, constant)`` per axis
    (Lemmas M and C of :mod:`symconv.checker.factored_interior` for channels and biases), or a CertificateError."""
    from symconv.checker.factored_interior import frozen_constant, layer_constant, matrix_factors

    d = side.ndim
    stride, offset, factors, sequence, constant = (1,) * d, (0,) * d, Counter(), [], None
    for number, step in enumerate(side.layers(), 1):
        reason = _not_plain(step)
        if reason:  # the message is built only here: a repr of the side per layer would cost O(L^2)
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, {reason}")
        if number > 1 and any(pair != (0, 0) for pair in step.paddings):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, pads after the first layer, so an "
                                   f"output can read across an inner edge; the rule needs every padding in front")
        if number == 1:
            offset = tuple(left for left, _ in step.paddings)
        scalars, matrices = matrix_factors(step.weight, tuple(m * s for m, s in zip(step.dilations, stride)))
        constant = layer_constant(step, scalars, matrices, constant)
        factors += scalars
        sequence += matrices
        stride = tuple(s * t for s, t in zip(stride, step.strides))
    return stride, offset, factors, sequence, frozen_constant(constant)
