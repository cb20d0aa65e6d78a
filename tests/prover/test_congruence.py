"""Proofs by congruence (a shared nonlinear layer between equal chains) and of affine() as a 1x1 convolution."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.errors import CertificateError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.prover import prove

#: conv >> batch norm (as affine) >> relu() against the folded conv >> relu() (1-D and 2-D).
FOLDED = [
    ("conv([1, 2], bias=[1]) >> affine(2, 1) >> relu() >> conv([1, 1])",
     "conv([2, 4], bias=[3]) >> relu() >> conv([1, 1])"),
    ("conv2d([[1, 2], [0, -1]], bias=[1]) >> affine(1/2, -1) >> relu() >> maxpool2d(2)",
     "conv2d([[1/2, 1], [0, -1/2]], bias=[-1/2]) >> relu() >> maxpool2d(2)"),
    ("conv2d(W[2, 1, 3, 3], padding=1) >> affine([2, 3], [1, -1]) >> relu() >> conv2d(V[1, 2, 1, 1])",
     "pad((1, 1)) >> conv2d(W[2, 1, 3, 3]) >> affine([2, 3], [1, -1]) >> relu() >> conv2d(V[1, 2, 1, 1])"),
]


@pytest.mark.parametrize("lhs, rhs", FOLDED)
def test_a_folded_batch_norm_before_a_shared_relu_is_proved_and_replayed(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.steps[0].rule == "congruence"
    obj = json.loads(proof.certificate.dumps())
    assert obj["steps"][0]["rule"] == "congruence"
    assert replay(Certificate.from_json(obj)).scope in ("every input length", "every input shape")


def test_the_certificate_of_a_congruence_proof_reads_back_and_replays():
    proof = prove(*FOLDED[0])
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert theorem.scope == "every input length" and theorem.rests_on == ()


def test_an_affine_after_a_conv_is_proved_as_the_folded_conv():
    proof = prove("conv([1, 2]) >> affine(2, 1)", "conv([2, 4], bias=[1])")
    assert proof.verdict == "proved" and proof.steps[0].rule == "affine_as_convolution"
    assert json.loads(proof.certificate.dumps())["steps"][0] == {
        "rule": "affine_as_convolution", "statement": "every affine() as its 1x1 convolution"}


def test_a_per_channel_affine_in_2d_is_proved_as_a_grouped_conv():
    proof = prove("conv2d(W[2, 1, 2, 2]) >> affine([2, 3], [1, -1])",
                  "conv2d(W[2, 1, 2, 2]) >> conv2d([[[[2]]], [[[3]]]], groups=2, bias=[1, -1])")
    assert proof.verdict == "proved"


def test_a_wrong_folded_shift_is_refuted_with_a_counterexample_of_the_original_sides():
    proof = prove("conv([1, 2]) >> affine(2, 1)", "conv([2, 4], bias=[2])")
    assert proof.verdict == "refuted"
    example = proof.counterexample
    x = np.array(example.input, dtype=float)
    assert repr(proof.lhs) == "conv([1, 2]) >> affine(2, 1)"
    assert not np.allclose(evaluate_numeric(proof.lhs, x), evaluate_numeric(proof.rhs, x))


@pytest.mark.parametrize("lhs, rhs, verdict", [
    # a shared relu() after different chains: relu() can hide the difference, so no congruence verdict
    ("conv([1, 2]) >> relu()", "conv([1, 3]) >> relu()", "refuted"),
    ("relu() >> relu()", "relu()", "checked"),  # true, but the nonlinear layers differ in number
    ("conv([1, 2]) >> relu() >> conv([1])", "conv([1, 2]) >> relu() >> conv([2])", "refuted"),
    ("conv([1, 2]) >> maxpool(2)", "conv([1, 2]) >> maxpool(3)", "refuted"),
])
def test_sides_that_are_not_congruent_fall_back_to_the_other_arguments(lhs, rhs, verdict):
    proof = prove(lhs, rhs)
    assert proof.verdict == verdict
    assert not proof.steps or proof.steps[0].rule != "congruence"


def _certificate(lhs: str, rhs: str, steps: list, assumptions: tuple = ()) -> Certificate:
    obj = {"format": "symconv-certificate", "version": 2, "lhs": lhs, "rhs": rhs, "solved": [],
           "assumptions": list(assumptions), "statement_hash": statement_hash(lhs, rhs, [], list(assumptions)),
           "steps": steps}
    return Certificate.from_json(obj)


CLOSE = {"rule": "eventual_periodicity", "period": 1, "start": 2, "limit": 4}


def test_the_kernel_rejects_a_split_whose_closed_goal_is_false():
    certificate = _certificate("conv([1, 2]) >> relu()", "conv([1, 3]) >> relu()",
                               [{"rule": "congruence", "lhs": 1, "rhs": 1}, CLOSE])
    with pytest.raises(CertificateError, match=r"step 1 \(eventual_periodicity\): the two sides differ"):
        replay(certificate)


def test_the_kernel_rejects_a_split_at_different_layers():
    certificate = _certificate("conv([1, 2]) >> relu()", "conv([1, 2]) >> maxpool(1)",
                               [{"rule": "congruence", "lhs": 1, "rhs": 1}])
    with pytest.raises(CertificateError, match=r"layer 1 of lhs, relu\(\), and layer 1 of rhs, maxpool\(1\), differ"):
        replay(certificate)


def test_the_kernel_refuses_a_split_under_an_input_bound():
    certificate = _certificate("conv([1, 2]) >> relu()", "conv([1, 2]) >> relu()",
                               [{"rule": "congruence", "lhs": 1, "rhs": 1}], ("abs(x) <= 1",))
    with pytest.raises(CertificateError, match="a statement under an input bound is not split"):
        replay(certificate)


def test_the_kernel_closes_identical_halves_without_steps_and_refuses_steps_after_that():
    same = "conv([1, 2]) >> relu() >> conv([3])"
    assert replay(_certificate(same, same, [{"rule": "congruence", "lhs": 1, "rhs": 1}])).scope == "every input length"
    with pytest.raises(CertificateError, match="comes after the statement was closed"):
        replay(_certificate(same, same, [{"rule": "congruence", "lhs": 1, "rhs": 1}, CLOSE]))


def test_the_kernel_refuses_a_goal_closed_within_a_tolerance():
    proof = prove("conv([1, 2])", "conv([1, 2001/1000])", atol="1/100")
    tolerance = json.loads(proof.certificate.dumps())["steps"][0]
    lhs, rhs = "conv([1, 2]) >> relu() >> conv([1, 0])", "conv([1, 2001/1000]) >> relu() >> conv([1, 0]) >> pad(0)"
    steps = [{"rule": "congruence", "lhs": 1, "rhs": 1}, tolerance, CLOSE]
    with pytest.raises(CertificateError, match="closed within a tolerance; the split composes exact equalities only"):
        replay(_certificate(lhs, rhs, steps))


def test_the_affine_rewrite_needs_an_affine():
    with pytest.raises(CertificateError, match=r"step 0 \(affine_as_convolution\): neither side has an affine"):
        replay(_certificate("conv([1, 2])", "conv([1, 2])", [{"rule": "affine_as_convolution"}, CLOSE]))
