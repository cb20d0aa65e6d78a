"""Turn a ``proved`` decision of the search into a certificate for the kernel (:mod:`symconv.checker`) to replay."""

from __future__ import annotations

from symconv.core.layers import Flip
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.prover.decide import Decision

__all__ = ["certificate_for"]


def _has_flip(layer) -> bool:
    """Whether a flip() occurs anywhere in the layer, branches of sums included."""
    inner = getattr(layer, "branches", None) or getattr(layer, "steps", None) or ()
    return isinstance(layer, Flip) or any(_has_flip(s) for s in inner)


def certificate_for(decision: Decision) -> Certificate:
    """The certificate of a proved decision: flip steps, then eventual periodicity."""
    assert decision.verdict == "proved", "only proved decisions have certificates"
    if decision.residue_classes:
        return _residue_certificate(decision)
    lnf, rnf, bound = decision.lhs, decision.rhs, decision.bound
    steps = []
    for side, nf in (("lhs", lnf), ("rhs", rnf)):
        if _has_flip(nf.source):
            steps.append(CertificateStep(Rule.FLIP_CONJUGATION, (("side", side),),
                                         f"{side}: every flip() moved to the input"))
    if lnf.input_flip and rnf.input_flip:
        steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP, (), "flip() >> A == flip() >> B iff A == B"))
    start, limit = bound.start, bound.limit
    steps.append(CertificateStep(
        Rule.EVENTUAL_PERIODICITY,
        (("limit", limit), ("period", bound.period), ("start", start)),
        f"both sides agree for every n < {limit}; past n0 = {start} they are periodic with period "
        f"{bound.period}, so they agree for every n",
    ))
    return Certificate(repr(lnf.source), repr(rnf.source), tuple(steps))


def _residue_certificate(decision: Decision) -> Certificate:
    """One ``residue_classes`` step: the checker re-derives each class's flip-free chains itself."""
    classes = decision.residue_classes
    first = classes[0]
    data = (("classes", [[c.residue, c.periodic_from, c.chain_period, c.limit] for c in classes]),
            ("period", first.period), ("start", first.start))
    statement = (f"equal for every n < {first.start}; for each residue of n mod {first.period} the flips move to "
                 f"the input with fixed phases, and eventual periodicity closes the class")
    lhs, rhs = decision.sides
    return Certificate(repr(lhs), repr(rhs), (CertificateStep(Rule.RESIDUE_CLASSES, data, statement),))
