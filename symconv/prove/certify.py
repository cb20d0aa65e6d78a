"""Turn a ``proved`` decision into a certificate the core can re-check."""

from __future__ import annotations

from symconv.core.layers import Flip
from symconv.prove.certificate import Certificate, CertificateStep, Rule
from symconv.prove.decide import Decision

__all__ = ["certificate_for"]


def _interior_run_reaches(decision: Decision, n: int, need: int) -> bool:
    lnf, rnf = decision.lhs, decision.rhs
    run = 0
    for row in range(lnf.output_length(n)):
        inside = all(not any(nf.touches(row, n)[:2]) for nf in (lnf, rnf))
        run = run + 1 if inside else 0
        if run >= need:
            return True
    return False


def certificate_for(decision: Decision, max_search: int = 4096) -> Certificate:
    """The certificate of a proved decision: flip steps, then eventual periodicity."""
    assert decision.verdict == "proved", "only proved decisions have certificates"
    lnf, rnf, bound = decision.lhs, decision.rhs, decision.bound
    steps = []
    for side, nf in (("lhs", lnf), ("rhs", rnf)):
        if any(isinstance(s, Flip) for s in nf.source.layers()):
            steps.append(CertificateStep(Rule.FLIP_CONJUGATION, (("side", side),),
                                         f"{side}: every flip() moved to the input"))
    if lnf.input_flip and rnf.input_flip:
        steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP, (), "flip() >> A == flip() >> B iff A == B"))
    shift = lnf.output_length(bound.start + bound.period) - lnf.output_length(bound.start)
    start = bound.start
    n1 = start
    while not _interior_run_reaches(decision, n1, max(shift, 1)) and n1 < start + max_search:
        n1 += bound.period
    limit = n1 + bound.period
    steps.append(CertificateStep(
        Rule.EVENTUAL_PERIODICITY,
        (("limit", limit), ("period", bound.period), ("start", start)),
        f"both sides agree for every n < {limit}; past n0 = {start} they are periodic with period "
        f"{bound.period}, so they agree for every n",
    ))
    return Certificate(repr(lnf.source), repr(rnf.source), tuple(steps))
