"""The prover: decision procedure, counterexamples, proofs.

``prove`` and its result types load on first use (PEP 562), so that ``derive``, which
needs only the decision procedure, does not load the proof search and the checker.
"""

from __future__ import annotations

import importlib

__all__ = ["Proof", "ProofStep", "prove"]


def __getattr__(name: str) -> object:
    if name in __all__:
        return getattr(importlib.import_module("symconv.prover.proof"), name)
    raise AttributeError(f"module 'symconv.prover' has no attribute {name!r}")
