"""The prover: decision procedure, counterexamples, proofs.

``prove`` and its result types load on first use (PEP 562), so that ``derive``, which
needs only the decision procedure, does not load the proof search and the checker.
"""

from __future__ import annotations

from symconv.lazy_import import attributes_from

__all__ = ["Proof", "ProofStep", "prove"]

__getattr__ = attributes_from(__name__, dict.fromkeys(__all__, "symconv.prover.proof"))
