"""The kernel is the one place ``proved`` is made; verdicts are an enum; what a proof rests on is structured."""

from __future__ import annotations

import json

import pytest

from symconv.checker import (
    Certificate,
    CertificateStep,
    Rule,
    Theorem,
    Verdict,
    replay,
    schema,
    valid_rests_on,
    weaken,
)
from symconv.checker.schema import violations
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.proof import Proof

PAIR = ("conv([1, 2]) >> conv(k[2])", "conv(convolve([1, 2], k))")
WINDOW = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 5), ("period", 1), ("start", 3)))


def test_a_theorem_cannot_be_made_outside_the_kernel():
    certificate = Certificate(*PAIR, (WINDOW,))
    with pytest.raises(CertificateError, match="made only by symconv.checker.replay"):
        Theorem(certificate, "every input length", ())
    assert replay(certificate).scope == "every input length"


def test_a_proved_proof_cannot_be_made_without_a_theorem_of_the_kernel():
    lhs, rhs = parse_statement(*PAIR)
    with pytest.raises(CertificateError, match="made only from a Theorem of the kernel"):
        Proof(lhs, rhs, "proved")
    with pytest.raises(CertificateError, match="made only from a Theorem of the kernel"):
        Proof(lhs, rhs, "unknown", theorem=replay(Certificate(*PAIR, (WINDOW,))))
    proof = Proof(lhs, rhs, "proved", theorem=replay(Certificate(*PAIR, (WINDOW,))))
    assert proof.certificate.lhs == PAIR[0] and proof.rests_on == ()


def test_verdicts_are_an_enum_that_compares_and_serialises_as_text():
    proof = prove(*PAIR)
    assert proof.verdict is Verdict.PROVED and proof.verdict == "proved"
    assert json.loads(json.dumps(proof.to_json()))["verdict"] == "proved" and f"{proof.verdict}" == "proved"
    assert proof.to_json()["rests_on"] == [] and proof.to_json()["replayed"] is True


def test_rests_on_takes_only_the_fixed_vocabulary():
    assert valid_rests_on("assumption: abs(x) <= B") and valid_rests_on("generic_argument")
    assert not valid_rests_on("assumption: ") and not valid_rests_on("trust me")
    theorem = replay(Certificate(*PAIR, (WINDOW,)))
    assert weaken(theorem, ["interval_lemma"]).rests_on == ("interval_lemma",)
    with pytest.raises(CertificateError, match="'trust me' is not in the vocabulary"):
        weaken(theorem, ["trust me"])
    with pytest.raises(CertificateError, match="not in the vocabulary"):
        Proof(*parse_statement(*PAIR), "unknown", rests_on=("certificate not replayed",))


@pytest.mark.parametrize("lhs, rhs, bound", [
    ("conv([1, -2]) >> affine(1, 3) >> relu() >> conv([1, 1], bias=[-6])", "conv([1, -1, -2])", "abs(x) <= 1"),
    ("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 2], bias=[-9*B])", "conv([1, 0, -4])", "abs(x) <= B"),
])
def test_a_proof_under_an_assumption_replays_its_relu_steps_and_rests_on_the_assumption_only(lhs, rhs, bound):
    proof = prove(lhs, rhs, assume=[bound])
    assert proof.verdict == "proved" and proof.certificate.assumptions == (bound,)
    assert [s.rule for s in proof.certificate.steps][0] is Rule.RELU_IDENTITY
    assert proof.rests_on == (f"assumption: {bound}",) and proof.to_json()["rests_on"] == [f"assumption: {bound}"]


def test_a_relu_whose_input_can_be_negative_under_the_bound_is_not_dropped():
    # shift 2 instead of 3: the relu() input x_0 - 2 x_1 + 2 reaches -1 on |x| <= 1
    step = CertificateStep(Rule.RELU_IDENTITY, (("index", 2), ("limit", 3), ("period", 1), ("side", "lhs"),
                                                 ("start", 2)))
    closing = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 4), ("period", 1), ("start", 3)))
    certificate = Certificate("conv([1, -2]) >> affine(1, 2) >> relu() >> conv([1, 1], bias=[-4])",
                              "conv([1, -1, -2])", (step, closing), assumptions=("abs(x) <= 1",))
    with pytest.raises(CertificateError, match=r"step 0 \(relu_identity\): at n = 2 the relu\(\) input \[0, 0\] = "
                                               r"x_0 - 2\*x_1 \+ 2 can be -1 < 0 under \|x\| <= 1"):
        replay(certificate)
    with pytest.raises(CertificateError, match=r"step 0 \(relu_identity\): the certificate declares 0 input bound"):
        replay(Certificate(certificate.lhs, certificate.rhs, certificate.steps))


def test_affine_is_its_grouped_one_by_one_convolution_at_every_small_length():
    from symconv.checker.relu_bound import affine_as_convolution
    from symconv.core.semantics import evaluate, symbolic_input

    for layer, channels in ((parse_statement("affine(2, 3)", "affine(2, 3)")[0], 1),
                            (parse_statement("affine([2, -1], [B, 1/2])", "affine([2, -1], [B, 1/2])")[0], 2)):
        conv = affine_as_convolution(layer, channels)
        for n in range(5):
            x = symbolic_input(n, channels)
            assert evaluate(conv, x) == evaluate(layer, x)


def test_a_solved_proof_is_replayed_with_the_solved_names_in_its_statement():
    proof = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)", solve=["q"])
    assert proof.verdict == "proved" and proof.certificate.solved == ("q",)
    assert "k_0**2" in proof.certificate.rhs and proof.theorem.certificate is proof.certificate


@pytest.mark.parametrize("kernel, stride, padding", [
    ("[0, 1, 0]", 1, 1), ("[1, 0]", 2, 1), ("[0, 0, 1]", 2, 2), ("[0, 2, 0, 1]", 1, 2), ("[0, 0]", 2, 1),
])
def test_a_kernel_with_zero_taps_is_proved_and_replayed(kernel, stride, padding):
    # a zero tap reads nothing: the kernel's cones skip it, as the search's supports do (these were
    # `unknown` when the kernel's cones spanned every tap: it rejected the search's certificate)
    proof = prove(f"pad({padding}) >> conv({kernel}, stride={stride}) >> conv(k[2], stride=2)",
                  f"pad({padding}) >> conv(convolve({kernel}, dilate(k, {stride})), stride={2 * stride})")
    assert proof.verdict == "proved" and proof.theorem is not None


def test_a_certificate_the_rules_accept_must_also_follow_the_published_schema():
    step = CertificateStep(Rule.EVENTUAL_PERIODICITY, WINDOW.data, statement=3)  # type: ignore[arg-type]
    with pytest.raises(CertificateError, match=r"does not follow certificate.schema.json: \$.steps\[0\].statement"):
        replay(Certificate(*PAIR, (step,)))


def test_the_schema_validator_reports_each_violation_with_its_path():
    obj = Certificate(*PAIR, (WINDOW,)).to_json()
    assert violations(obj, schema()) == []
    obj.update(version=3, extra=1)
    obj["steps"][0]["period"] = 0
    assert violations(obj, schema()) == ["$: unexpected key 'extra'", "$.version: expected 2, got 3",
                                         "$.steps[0].period: 0 is below the minimum 1"]
    with pytest.raises(ValueError, match="outside the supported subset"):
        violations(1, {"type": "integer", "maximum": 3})
