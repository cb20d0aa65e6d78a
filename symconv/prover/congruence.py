"""Proofs by congruence: both sides apply the same nonlinear layers, in order, between equal linear chains.

A chain with ``relu()`` or max-pool layers is not in the decided (linear)
fragment, but ``conv >> bn >> relu`` against its fused ``conv >> relu`` is an
identity for a simple reason: the chains before the ``relu()`` are equal, and
so are the chains after it. When the two sides have the same nonlinear layers
in the same order (equal as layers), each side is split at the first of them
and the two halves are proved on their own (the second half recursively); the
kernel's ``congruence`` rule (:mod:`symconv.checker.congruence`) replays the
split and each half's certificate follows it.

When a half is not proved nothing is concluded here: a nonlinear layer can hide
a difference (``relu(x) == relu(max(x, 0))``), so the caller goes on with its
other arguments (numeric evidence, counterexample search).

The split holds for networks only: a sum ``A + B`` must give equal lengths on
every input (DESIGN §1), and its check when it was built is exact for one
generic size only. So every sum of both sides is compared again, as the
shared-layers proof does (:func:`symconv.prover.shared_layers.check_sum_lengths`):
a difference found raises LengthMismatch; a sum still undecided makes the
verdict ``unknown`` (with the reason) where the halves would prove it, never
``proved``.
"""

from __future__ import annotations

from typing import Optional

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.congruence import chain_of
from symconv.core.layers import Layer
from symconv.core.nonlinear import Affine
from symconv.prover.shared_layers import check_sum_lengths

__all__ = ["congruence_note", "prove_by_congruence", "shared_cut"]


def _nonlinear_positions(layers: tuple[Layer, ...]) -> list[int]:
    """Where the layers that stay nonlinear are (an ``affine()`` is a convolution: :mod:`.affine`)."""
    return [i for i, layer in enumerate(layers) if not (layer.linear or isinstance(layer, Affine))]


def shared_cut(lhs: Layer, rhs: Layer) -> Optional[tuple[int, int]]:
    """The positions of the first nonlinear layer of each side, when both sides have the same nonlinear layers
    in the same order; else None."""
    left, right = lhs.layers(), rhs.layers()
    cuts = _nonlinear_positions(left), _nonlinear_positions(right)
    if not cuts[0] or len(cuts[0]) != len(cuts[1]) or any(left[i] != right[j] for i, j in zip(*cuts)):
        return None
    return cuts[0][0], cuts[1][0]


def prove_by_congruence(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by splitting both sides at their first shared nonlinear layer, or None (module docstring);
    ``unknown`` when a sum's branch lengths are not decided for every generic size, LengthMismatch when they
    differ (:func:`~symconv.prover.shared_layers.check_sum_lengths`)."""
    from symconv.prover.proof import Proof, ProofStep, prove, proved_by_kernel

    cut = shared_cut(lhs, rhs)
    if cut is None:
        return None
    undecided = check_sum_lengths(lhs, rhs)  # LengthMismatch when a sum's branches differ at some size
    (i, j), left, right = cut, lhs.layers(), rhs.layers()
    ndim = max(lhs.ndim, rhs.ndim)
    halves = [(where, a, b) for where, a, b in ((where, chain_of(a, ndim), chain_of(b, ndim)) for where, a, b in
                                                 (("before", left[:i], right[:j]), ("after", left[i + 1:], right[j + 1:])))
              if a != b]  # the same chains on both sides are equal: no goal (the kernel's rule agrees)
    proofs = []
    for where, a, b in halves:
        proof = prove(a, b, seed=seed)
        if proof.verdict != "proved" or proof.certificate is None or proof.certificate.assumptions:
            return None
        proofs.append((where, proof))
    if undecided:  # the halves would prove it, but the sides may be no network
        return Proof(lhs, rhs, "unknown", note=f"{undecided}; so the congruence proves nothing")
    shared = left[i]
    split = CertificateStep(Rule.CONGRUENCE, (("lhs", i), ("rhs", j)),
                            f"both sides apply {shared!r} after equal chains and are equal after it")
    proved_halves = {where for where, _ in proofs}
    said = {where: "equal (proved below)" if where in proved_halves else "the same layers on both sides"
            for where in ("before", "after")}
    steps = [ProofStep("congruence", f"both sides apply {shared!r} (layer {i + 1} of lhs, layer {j + 1} of rhs); "
                                     f"the chains before it are {said['before']} and the chains after it are "
                                     f"{said['after']}, so the sides are equal (equal inputs give equal outputs)",
                       data=(("cut", (i, j)), ("proved_halves", tuple(where for where, _ in proofs)),
                             ("shared", shared)))]
    for where, proof in proofs:
        steps.append(ProofStep(f"congruence_{where}", f"{where} it: {proof.lhs!r} == {proof.rhs!r}: {proof.verdict}",
                               data=(("sides", (proof.lhs, proof.rhs)), ("verdict", proof.verdict),
                                     ("where", where))))
        steps.extend(proof.steps)
    certificate = Certificate(repr(lhs), repr(rhs),
                              (split,) + tuple(step for _, proof in proofs for step in proof.certificate.steps))
    rests_on = tuple(dict.fromkeys(entry for _, proof in proofs for entry in proof.rests_on))
    return proved_by_kernel(lhs, rhs, certificate, rests_on, steps=tuple(steps), note=congruence_note(shared, proofs))


def congruence_note(shared: Layer, proofs: list) -> str:
    """The note of a congruence proof at ``shared``: what each proved half rests on, or that both halves are the
    same layers on both sides.

    >>> from symconv.core.layers import ReLU
    >>> congruence_note(ReLU(), [])
    'by congruence at relu(): the chains before and after it are the same layers on both sides'
    """
    if not proofs:
        return f"by congruence at {shared!r}: the chains before and after it are the same layers on both sides"
    halves = "; ".join(f"{where} {shared!r}: {proof.note or 'proved'}" for where, proof in proofs)
    return f"by congruence at {shared!r}; {halves}"
