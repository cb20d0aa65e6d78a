"""The verdict's words (:mod:`symconv.report.verdict_text`): the tolerance comes from the Proof's field."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from symconv import prove
from symconv.prover.proof import ToleranceBound
from symconv.report.verdict_text import agreement_text, verdict_text


def test_a_tolerance_proof_states_atol_plus_rtol_times_the_right_hand_bound():
    proof = prove("conv([1, 1/2])", "conv([1, 501/1000])", atol="1/1000", rtol="1/2")
    text = agreement_text(proof)
    assert text.startswith(r"give outputs within $\frac{1}{1000} + \frac{1}{2}\, \rho$ of each other")
    assert text.endswith(r": $|L x - R x| \le \frac{1}{1000} + \frac{1}{2}\, \rho$ elementwise")
    assert verdict_text(proof).startswith("the two sides agree within the tolerance for every input length")


def test_the_agreement_is_read_from_the_tolerance_field_not_from_the_rests_on_text():
    proof = prove("conv([1, 1/2])", "conv([1, 501/1000])", atol="1/1000")
    other = replace(proof, tolerance=ToleranceBound(Fraction(3, 7), Fraction(0)))
    assert other.rests_on == proof.rests_on == ("tolerance: atol=1/1000, rtol=0",)
    assert r"within $\frac{3}{7}$ of each other" in agreement_text(other)
    assert "rho" not in agreement_text(other)


def test_an_exact_identity_gives_the_same_output():
    proof = prove("conv(k[2]) >> conv(k)", "conv(convolve(k, k))")
    assert proof.tolerance is None
    assert agreement_text(proof) == r"give the same output: $L x = R x$"
    assert verdict_text(proof).startswith("the identity holds for every input length")
