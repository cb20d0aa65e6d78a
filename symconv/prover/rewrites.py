"""Proofs that first simplify both sides by the kernel's rewrites: identity layers left out, sums merged.

* ``drop_identity_layers`` (:mod:`symconv.checker.identity_layers`): ``pad(0, 0)``,
  ``crop(0, 0)``, ``down(1)`` and ``up(1)`` change nothing, but they keep a
  statement out of a route that would decide it: ``conv2d(k[c, 3]) >> pad((0, 0))``
  is not an edge-free chain for the kernel's ``generic_interior_nd``, and a
  ``pad(0)`` between two layers splits a chain the generic-length argument reads
  as one.
* ``merge_branches`` (:mod:`symconv.checker.branch_merging`, linear statements
  only): ``conv(a) + conv(b, padding=1)`` is ``conv(padk(a, 1, 1) + b, padding=1)``,
  one convolution, which the factored and generic routes decide without the
  replay of every length up to the receptive field that a sum needs.

Each rewrite is an equivalence the kernel replays, so

* a proof of the rewritten statement, its certificate after the rewrite steps,
  proves the statement;
* a counterexample of the rewritten statement is one of the statement: the
  rewritten sides compute the same outputs as the given ones at every size.

An ``unknown`` of the rewritten statement concludes nothing (the caller goes
on with the statement as given).
"""

from __future__ import annotations

from typing import Optional

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.branch_merging import merge_branches
from symconv.checker.identity_layers import drop_identity_layers
from symconv.core.layers import Layer

__all__ = ["prove_after_rewrites", "rewritten"]


def rewritten(lhs: Layer, rhs: Layer) -> tuple[tuple[Layer, Layer], tuple[tuple[str, str], ...]]:
    """The sides after the rewrites that change them, and ``(rule, what it did)`` for each, in order."""
    done = []
    sides = drop_identity_layers(lhs), drop_identity_layers(rhs)
    if sides != (lhs, rhs):
        done.append((Rule.DROP_IDENTITY_LAYERS.value, "pad(0, 0), crop(0, 0), down(1) and up(1) are the identity: "
                                                     "left out"))
    if lhs.linear and rhs.linear:
        merged = merge_branches(sides[0]), merge_branches(sides[1])
        if merged != sides:
            sides = merged
            done.append((Rule.MERGE_BRANCHES.value, "every sum of convolutions with the same stride, dilation and "
                                                    "groups is one convolution of the summed (aligned) weights"))
    return sides, tuple(done)


def prove_after_rewrites(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` or ``refuted`` through the rewritten statement; None when no rewrite applies, or that statement is
    not decided (module docstring)."""
    from symconv.prover.proof import Proof, ProofStep, Verdict, prove, proved_by_kernel

    sides, done = rewritten(lhs, rhs)
    if not done:
        return None
    inner = prove(*sides, seed=seed)
    said = "; ".join(text for _, text in done)
    steps = tuple(ProofStep(rule, f"{text}: {sides[0]!r} == {sides[1]!r}" if rule == done[-1][0] else text,
                            data=(("sides", sides),) if rule == done[-1][0] else ()) for rule, text in done)
    note = f"rewritten ({said}): {inner.note}" if inner.note else f"rewritten ({said})"
    if inner.verdict == Verdict.REFUTED:
        return Proof(lhs, rhs, Verdict.REFUTED, steps=steps + inner.steps, counterexample=inner.counterexample,
                     numeric=inner.numeric, note=note, decision=inner.decision)
    certificate: Optional[Certificate] = inner.certificate
    if inner.verdict != Verdict.PROVED or certificate is None or certificate.assumptions or certificate.solved:
        return None
    rewrites = tuple(CertificateStep(Rule(rule), (), text) for rule, text in done)
    return proved_by_kernel(lhs, rhs, Certificate(repr(lhs), repr(rhs), rewrites + certificate.steps),
                            tuple(inner.rests_on), steps=steps + inner.steps, numeric=inner.numeric, note=note)
