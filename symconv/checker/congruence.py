"""The checker's rule ``congruence``: both sides apply one layer after equal chains and are equal after it.

Rule data: ``lhs`` and ``rhs``, the position of the shared layer among each side's layers.

**Lemma (congruence).** Let ``L = A' o f o A`` and ``R = B' o f o B`` with ``f``
one layer, the same on both sides (any layer: ``relu()``, a max-pool, a block
with a residual sum; all that is used is that ``f`` is a function of its
input). If ``A x = B x`` for every input x of every size, and ``A' y = B' y``
for every input y of every size, then ``L x = R x`` for every x.

*Proof.* For an input x, ``A x = B x`` is one signal (its shape included), so
``f(A x) = f(B x)``; with ``y = f(A x)``, ``A' y = B' y``, that is
``L x = R x``. QED.

The step replaces the statement by ``A == B`` and puts ``A' == B'`` first among
the goals still open; the steps that follow close ``A == B`` and then each open
goal in turn (a step that closes a goal makes the next one current). An empty
``A`` or ``A'`` is the identity (zero padding). Nothing else is assumed of the
goals, so the lemma is sound for exact statements only: the kernel refuses
the rule under an input bound (a bound on x says nothing about ``f(A x)``, the
input of ``A'``) and a goal closed within a tolerance (an error in ``A x``
goes through ``f`` unbounded in general).
"""

from __future__ import annotations

from symconv.core.geometry import identity_pad
from symconv.core.layers import Chain, Layer
from symconv.errors import CertificateError

__all__ = ["rule_congruence", "identity_layer", "chain_of"]


def identity_layer(ndim: int) -> Layer:
    """Zero padding: ``pad(0, 0)``, or ``pad((0, ..., 0))`` on d axes."""
    return identity_pad(max(ndim, 1))


def chain_of(layers: tuple[Layer, ...], ndim: int) -> Layer:
    """``layers`` as one layer of the statement's ``ndim`` axes; no layers is the identity (:func:`identity_layer`).
    Layers that fit any number of axes (flips, relu, affine) keep the statement's: ``Chain(..., axes_given=d)``."""
    if not layers:
        return identity_layer(ndim)
    if ndim >= 2 and all(layer.axes_free for layer in layers):
        return Chain(tuple(layers), ndim)
    return layers[0] if len(layers) == 1 else Chain(tuple(layers))


def _position(value: object, layers: tuple[Layer, ...], side: str, where: str) -> int:
    if not (type(value) is int and 0 <= value < len(layers)):
        raise CertificateError(f"{where}: {side} must be the position of a layer of {side} (0 to {len(layers) - 1}), "
                               f"not {value!r}")
    return value


def rule_congruence(state: list[Layer], step, where: str):
    """Split both sides at the shared layer (module docstring); the scope when nothing is left to prove."""
    if getattr(state, "bounds", ()):
        raise CertificateError(f"{where}: a statement under an input bound is not split: the bound on the input says "
                               f"nothing about the input of the layers after the split")
    left, right = (side.layers() for side in state)
    i = _position(step.get("lhs"), left, "lhs", where)
    j = _position(step.get("rhs"), right, "rhs", where)
    if left[i] != right[j]:
        raise CertificateError(f"{where}: layer {i} of lhs, {left[i]!r}, and layer {j} of rhs, {right[j]!r}, differ; "
                               f"expected the same layer on both sides")
    ndim = max(state[0].ndim, state[1].ndim)
    halves = [(left[:i], right[:j]), (left[i + 1:], right[j + 1:])]
    goals = [goal for goal in ((chain_of(a, ndim), chain_of(b, ndim)) for a, b in halves)
             if goal[0] != goal[1]]  # A == A needs no proof (no layers and pad(0) are the same identity)
    if not goals:
        return "every input length" if ndim <= 1 else "every input shape"
    state[:] = list(goals[0])
    state.pending[:0] = [list(goal) for goal in goals[1:]]
    state.split = True  # the tolerance rules refuse a split goal, even one left alone (the other half was A == A)
    return None
