"""The checker's rule ``drop_identity_layers``: layers that are the identity at every size are left out.

Rule data: none. Both sides are rewritten, through chains and the branches of sums.

**Lemma.** ``pad(0, 0)``, ``crop(0, 0)``, ``down(1)`` (phase 0) and ``up(1)``, and
their N-D forms with those values on every axis (``pad((0, 0))``, ...), are the
identity on every input of every size n >= 0 (per axis in N-D): ``A >> I >> B = A >> B``
and ``I + B = pad(0) + B``.

*Proof.* By the length table (DESIGN section 1) their output lengths are
``n + 0 + 0``, ``n - 0 - 0``, ``ceil((n - 0) / 1) = n`` and ``(n - 1) 1 + 1 = n``
(0 at n = 0, as the table clamps), and by their definitions ``y[i] = x[i]``:
``x`` with no zeros added, no samples dropped, ``x[1 i + 0]``, and ``y[1 i] = x[i]``
with no zeros between. A chain runs its layers one after the other, so an identity
among them changes nothing; a chain (or a branch, or a side) made only of
identities is the identity, written ``pad(0)`` (``pad((0, ..., 0))`` in N-D). QED.

A layer whose axes are those of the statement (an N-D identity is what makes
``flip() >> pad((0, 0))`` 2-D) is kept when leaving it out would change the
number of axes of its chain or leave a chain whose axes come only from the other
side: the rewrite keeps every side's number of axes, so the statement after it
is equal iff the one before it is. A step that leaves out nothing is refused.
"""

from __future__ import annotations

from dataclasses import replace

from symconv.checker.congruence import identity_layer
from symconv.core.composite import Chain, Parallel
from symconv.core.layers import Crop, Down, Layer, Pad, Up
from symconv.errors import CertificateError

__all__ = ["rule_drop_identity_layers", "drop_identity_layers", "is_identity_layer"]


def is_identity_layer(layer: Layer) -> bool:
    """Whether ``layer`` is ``pad(0, 0)``, ``crop(0, 0)``, ``down(1)`` or ``up(1)`` (on every axis in N-D)."""
    if isinstance(layer, (Pad, Crop)):
        return not any(layer.before) and not any(layer.after)
    if isinstance(layer, Down):
        return all(s == 1 for s in layer.factors) and not any(layer.phases)
    if isinstance(layer, Up):
        return all(s == 1 for s in layer.factors)
    return False


def _same_axes(before: Layer, after: Layer) -> bool:
    return before.ndim == after.ndim and before.axes_free == after.axes_free


def drop_identity_layers(layer: Layer) -> Layer:
    """``layer`` with every identity layer left out (the lemma); an identity alone is ``pad(0)``."""
    if isinstance(layer, Chain):
        steps = tuple(step if is_identity_layer(step) else drop_identity_layers(step) for step in layer.steps)
        kept = tuple(step for step in steps if not is_identity_layer(step))
        # not chain_of: layers that fit any d must keep an identity that gives them the chain's axes in the text
        rewritten = (kept[0] if len(kept) == 1 else Chain(kept)) if kept else identity_layer(layer.ndim)
        if not _same_axes(layer, rewritten):
            rewritten = replace(layer, steps=steps)  # the identities give the chain its axes: kept
        return layer if rewritten == layer else rewritten
    if isinstance(layer, Parallel):
        branches = tuple(drop_identity_layers(branch) for branch in layer.branches)
        return layer if branches == layer.branches else replace(layer, branches=branches)
    if is_identity_layer(layer) and layer.ndim >= 1:
        canonical = identity_layer(layer.ndim)
        return canonical if _same_axes(layer, canonical) else layer
    return layer


def rule_drop_identity_layers(state: list[Layer], step, where: str) -> None:
    """Rewrite both sides by the lemma (module docstring)."""
    rewritten = [drop_identity_layers(side) for side in state]
    if rewritten == list(state):
        raise CertificateError(f"{where}: neither side has a pad, crop, down or up layer that is the identity to "
                               f"leave out")
    if any(not _same_axes(a, b) for a, b in zip(state, rewritten)):  # internal: the rewrite keeps the axes
        raise CertificateError(f"{where}: leaving out identity layers would change the number of axes of a side")
    state[:] = rewritten
