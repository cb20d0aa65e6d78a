"""The kernel's ``relu_identity_at``: a relu() inside a sum (a residual block) or in an N-D chain, dropped under a
declared bound after its least value is checked; what the kernel still leaves to the search's interval lemma."""

from __future__ import annotations

import json
import re

import pytest

from symconv import prove
from symconv.checker import Certificate, CertificateStep, Rule, replay, statement_hash
from symconv.checker.relu_bound import relu_prefix, without_relu
from symconv.core.semantics import evaluate, symbolic_input
from symconv.dsl import parse_chain
from symconv.errors import CertificateError

#: ``x + relu(conv(x) + 3)`` style: the relu() input x_i + x_{i+1} + 3 is >= 1 on |x| <= 1.
RESIDUAL = ("conv([1, -2]) + (conv([1, 1]) >> affine(1, 3) >> relu())", "conv([2, -1], bias=[3])")
RESIDUAL_2D = ("conv2d([[1, -2], [0, 1]]) + (conv2d([[1, 1], [1, 1]]) >> affine(1, 4) >> relu())",
               "conv2d([[2, -1], [1, 2]], bias=[4])")
#: Two relu() layers in a branch and one after the sum: each prefix is linear once the earlier ones are dropped.
NESTED = ("(conv([1, 0]) + (conv([1, 1]) >> affine(1, 3) >> relu() >> relu())) >> affine(1, 2) >> relu()",
          "conv([2, 1], bias=[5])")


def _certificate(lhs: str, rhs: str, bound: str = "abs(x) <= 1") -> dict:
    proof = prove(lhs, rhs, assume=[bound])
    assert proof.verdict == "proved", proof.note
    return json.loads(proof.certificate.dumps())


def _rejection(obj: dict) -> str:
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    return str(caught.value)


@pytest.mark.parametrize("lhs, rhs", [RESIDUAL, RESIDUAL_2D])
def test_a_relu_inside_a_residual_sum_is_replayed_by_the_kernel_and_the_proof_rests_on_the_bound_only(lhs, rhs):
    proof = prove(lhs, rhs, assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert proof.rests_on == ("assumption: abs(x) <= 1",)  # interval_lemma is gone
    step = proof.certificate.steps[0]
    assert step.rule is Rule.RELU_IDENTITY_AT and step.get("path") == [0, 1, 2] and step.get("side") == "lhs"
    assert replay(Certificate.from_json(json.loads(proof.certificate.dumps()))).rests_on == proof.rests_on


def test_relus_nested_in_a_branch_and_after_the_sum_are_dropped_in_evaluation_order():
    proof = prove(*NESTED, assume=["abs(x) <= 1"])
    assert proof.verdict == "proved" and proof.rests_on == ("assumption: abs(x) <= 1",)
    rules = [(s.rule, dict(s.data).get("path", dict(s.data).get("index"))) for s in proof.certificate.steps[:3]]
    assert rules == [(Rule.RELU_IDENTITY_AT, [0, 1, 2]), (Rule.RELU_IDENTITY_AT, [0, 1, 2]), (Rule.RELU_IDENTITY, 2)]


def test_the_prefix_of_a_path_is_the_layers_its_input_passes_through():
    side = parse_chain("conv([1, 0]) >> (conv([2, 0]) + (conv([1, 1]) >> relu())) >> relu()")
    assert repr(relu_prefix(side, [1, 1, 1], 1)) == "conv([1, 0]) >> conv([1, 1])"
    assert repr(relu_prefix(side, [2], 1)) == "conv([1, 0]) >> (conv([2, 0]) + (conv([1, 1]) >> relu()))"
    assert repr(without_relu(side, [1, 1, 1], 1)) == "conv([1, 0]) >> (conv([2, 0]) + conv([1, 1])) >> relu()"
    assert repr(without_relu(parse_chain("relu()"), [0], 2)) == "pad((0, 0))"


def test_a_branch_left_without_layers_is_the_identity_at_every_length():
    side = parse_chain("conv([3]) + relu()")
    dropped = without_relu(side, [0, 1, 0], 1)
    assert repr(dropped) == "conv([3]) + pad(0)"
    for n in range(4):
        x = symbolic_input(n)
        assert evaluate(dropped, x) == evaluate(parse_chain("conv([4])"), x)


@pytest.mark.parametrize("path, message", [
    ([0, 0, 0], r"path \[0, 0, 0\] of .* leads to conv\(\[1, -2\]\), not a relu\(\)"),
    ([0, 1, 1], r"path \[0, 1, 1\] of .* leads to affine\(1, 3\), not a relu\(\)"),
    ([0, 1, 3], r"path \[0, 1, 3\] leaves .* at index 3 \(it has 3 layer\(s\)\)"),
    ([0, 2, 2], r"path \[0, 2, 2\]: layer 0 of .* is not a sum with a branch 2"),
    ([0, 1], r"path \[0, 1\] is not \[i_0, b_1, i_1, ..., b_k, i_k\]"),
    ([0, -1, 2], r"path \[0, -1, 2\] is not"),
    ([1], r"path \[1\] leaves"),
])
def test_a_wrong_path_is_rejected_naming_the_step(path, message):
    obj = _certificate(*RESIDUAL)
    obj["steps"][0]["path"] = path
    text = _rejection(obj)
    assert text.startswith("step 0 (relu_identity_at)") and re.search(message, text), text


@pytest.mark.parametrize("bound, message", [
    ("abs(x) <= 2", r"at n = 2 the relu\(\) input \[0, 0\] = x_0 \+ x_1 \+ 3 can be -1 < 0 under \|x\| <= 2"),
    ("abs(x) <= B", r"can be 3 - 2\*B < 0 under \|x\| <= B"),
])
def test_a_bound_too_large_is_rejected_by_the_kernel(bound, message):
    obj = _certificate(*RESIDUAL)
    obj["assumptions"] = [bound]
    text = _rejection(obj)
    assert text.startswith("step 0 (relu_identity_at)") and re.search(message, text), text


def test_a_2d_bound_too_large_names_the_shape_and_the_output():
    obj = _certificate(*RESIDUAL_2D)
    obj["assumptions"] = ["abs(x) <= 2"]
    assert re.search(r"^step 0 \(relu_identity_at\): at shape \[2, 2\] the relu\(\) input \[0, 0, 0\] = .* can be "
                     r"-4 < 0 under \|x\| <= 2", _rejection(obj))


def test_a_relu_dropped_before_the_one_its_input_passes_through_is_rejected():
    obj = _certificate(*NESTED)
    obj["steps"][0], obj["steps"][2] = obj["steps"][2], obj["steps"][0]
    assert re.search(r"^step 0 \(relu_identity\): the layers before the relu\(\), .* are not linear",
                     _rejection(obj))


@pytest.mark.parametrize("axes, message", [
    ([[2, 1, 3]], r"expected axes \[\[start, period, limit\], ...\], one per axis \(2\)"),
    ([[2, 1, 3], [2, 1, 401]], r"axis 2: limit 401 exceeds what the checker evaluates"),
    ([[2, 1, 30], [2, 1, 30]], r"30 x 30 shapes exceed what the checker evaluates \(400\)"),
    ([[1, 1, 3], [2, 1, 3]], r"axis 1: .*0 at n = 1"),
])
def test_a_wrong_window_of_an_nd_relu_is_rejected(axes, message):
    obj = _certificate(*RESIDUAL_2D)
    obj["steps"][0]["axes"] = axes
    text = _rejection(obj)
    assert text.startswith("step 0 (relu_identity_at)") and re.search(message, text), text


def test_the_1d_rule_refuses_an_nd_statement():
    step = CertificateStep(Rule.RELU_IDENTITY, (("index", 2), ("limit", 3), ("period", 1), ("side", "lhs"),
                                                 ("start", 2)))
    certificate = Certificate("conv2d([[1, 1]]) >> affine(1, 3) >> relu()", "conv2d([[1, 1]], bias=[3])", (step,),
                              assumptions=("abs(x) <= 1",))
    with pytest.raises(CertificateError, match=r"step 0 \(relu_identity\): relu_identity is for 1-D chains"):
        replay(certificate)


@pytest.mark.parametrize("lhs, rhs", [
    ("flip() >> affine(1, 2) >> relu() >> flip()", "affine(1, 2)"),
    ("flip(axes=(0,)) >> conv2d([[1, 1]]) >> affine(1, 3) >> relu() >> flip(axes=(0,))", "conv2d([[1, 1]], bias=[3])"),
])
def test_a_flip_before_the_relu_moves_to_the_input_and_the_relu_is_replayed(lhs, rhs):
    proof = prove(lhs, rhs, assume=["abs(x) <= 1"])
    assert proof.verdict == "proved" and proof.rests_on == ("assumption: abs(x) <= 1",)
    assert proof.certificate.steps[0].rule in (Rule.RELU_IDENTITY, Rule.RELU_IDENTITY_AT)


def test_a_flip_after_a_stride_before_the_relu_still_rests_on_the_interval_lemma():
    # the flip cannot reach the input across conv(stride=2) (residue classes would be needed): the relu() is
    # dropped by the search alone and the certificate states the linear chains left
    proof = prove("conv([1, 1], stride=2) >> flip() >> affine(1, 3) >> relu() >> flip()",
                  "conv([1, 1], stride=2) >> affine(1, 3)", assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert proof.rests_on == ("assumption: abs(x) <= 1", "interval_lemma")
    assert "relu" not in proof.certificate.lhs
