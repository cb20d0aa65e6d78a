"""Proofs of deep 1-D convolution chains by the factors of their interior kernels.

``conv(k[3]) >> conv(k) >> ... >> conv(k)`` (L layers) against
``conv(convolve(convolve(k, k), ...))``: deciding it by eventual periodicity
evaluates both sides exactly on a symbolic input, whose samples carry
``O(L^3)`` monomials of length L at the last layer. Here both sides are
read as products of factors (:mod:`symconv.checker.factored_interior`:
the interior kernel ``prod_l K_l(z^(d_l S_(l-1)))``, each kernel expression
split through ``convolve`` and ``dilate``), which costs O(L); equal
products close the statement by the kernel's rule ``factored_interior``.
When the factors differ nothing is concluded and the caller decides.
"""

from __future__ import annotations

from typing import Optional

from symconv.core.layers import Layer

__all__ = ["MIN_FACTORED_LAYERS", "prove_by_factors"]

#: The deepest side must have this many layers before the factored proof is tried (shallower statements are
#: cheap to decide, and their certificates stay the eventual-periodicity ones).
MIN_FACTORED_LAYERS = 6


def prove_by_factors(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by one ``factored_interior`` step (numeric evidence as for a decided proof), or None."""
    from symconv.numeric.check import compare_chains
    from symconv.prover.certify import factored_interior_certificate
    from symconv.prover.proof import ProofStep, _numeric_lengths, proved_by_kernel

    if max(len(lhs.layers()), len(rhs.layers())) < MIN_FACTORED_LAYERS:
        return None
    certificate = factored_interior_certificate(lhs, rhs)
    if certificate is None:
        return None
    step = certificate.steps[0]
    report = compare_chains(lhs, rhs, _numeric_lengths(16), trials_per_length=1, seed=seed, channels=1)
    if not report.agrees:
        raise AssertionError(f"proved by factors but numerically different: {report.mismatch}")
    steps = (ProofStep("factored_interior", step.statement),)
    return proved_by_kernel(lhs, rhs, certificate, steps=steps, numeric=report,
                            note="equal interior kernels as products of the same factors")
