"""The prover: decision procedure, counterexamples, proofs."""

from symconv.prover.proof import Proof, ProofStep, prove

__all__ = ["Proof", "ProofStep", "prove"]
