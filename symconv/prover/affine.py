"""``affine(s, t)`` layers (batch norm in eval mode) proved as the convolutions they are.

``affine(s, t)`` on C channels is ``y[m, i] = s_m x[m, i] + t_m``: the grouped
1x1 convolution ``conv([[[s_0]], ..., [[s_{C-1}]]], groups=C, bias=t)``. Both
sides are rewritten so (the kernel's rule ``affine_as_convolution`` makes the
same rewrite with the same function), and the linear chains left are decided
as any other identity: ``conv >> affine == conv(with the folded weights and
bias)`` is ``proved``, not only checked.
"""

from __future__ import annotations

import dataclasses
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.tolerance import as_convolutions
from symconv.core.layers import Chain, Layer, Parallel
from symconv.core.nonlinear import Affine
from symconv.errors import SymconvError

__all__ = ["has_affine", "prove_with_affine_as_convolution"]


def has_affine(layer: Layer) -> bool:
    """Whether an ``affine()`` occurs anywhere in ``layer`` (sums included)."""
    if isinstance(layer, Affine):
        return True
    if isinstance(layer, (Chain, Parallel)):
        return any(has_affine(part) for part in (layer.steps if isinstance(layer, Chain) else layer.branches))
    return False


def prove_with_affine_as_convolution(lhs: Layer, rhs: Layer, seed: int = 0):
    """The proof of ``lhs == rhs`` with every affine() as its convolution, when that leaves two linear chains
    and gives a verdict (``proved`` replayed by the kernel, or ``refuted`` with a counterexample, which is one of
    the original sides too); else None."""
    from symconv.prover.proof import ProofStep, prove, proved_by_kernel

    channels = lhs.in_channels or rhs.in_channels or 1
    ndim = max(lhs.ndim, rhs.ndim)
    try:
        a, b = (as_convolutions(side, channels, ndim) for side in (lhs, rhs))
    except SymconvError:  # symbolic scales (a model read with weights="symbolic") are no literal kernel
        return None
    if not (a.linear and b.linear):
        return None
    proof = prove(a, b, seed=seed)
    rewrite = ProofStep("affine_as_convolution", f"every affine(s, t) read as the grouped 1x1 convolution with "
                                                 f"weights s and bias t: lhs = {a!r}, rhs = {b!r}")
    if proof.verdict == "refuted":
        return dataclasses.replace(proof, lhs=lhs, rhs=rhs, steps=(rewrite,) + proof.steps)
    if proof.verdict != "proved" or proof.certificate is None:
        return None
    certificate = Certificate(repr(lhs), repr(rhs), (CertificateStep(Rule.AFFINE_AS_CONVOLUTION, (),
                                                                     "every affine() as its 1x1 convolution"),)
                              + proof.certificate.steps)
    return proved_by_kernel(lhs, rhs, certificate, proof.rests_on, steps=(rewrite,) + proof.steps,
                            numeric=proof.numeric, note=proof.note, decision=getattr(proof, "decision", None))
