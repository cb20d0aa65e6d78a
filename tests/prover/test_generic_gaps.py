"""True generic-length statements that came back ``unknown`` are proved through a certificate the kernel replays
(a ``'same'`` padding of a generic length; a sum of N-D convolutions with a generic size), and a false mutation of
each is refuted with a counterexample that reproduces."""

from __future__ import annotations

import numpy as np
import pytest

from symconv.checker import Certificate, replay
from symconv.dsl import parse_statement
from symconv.numeric import evaluate_nd_numeric, evaluate_numeric
from symconv.prover import prove

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def _rules(proof) -> list[str]:
    return [step.rule.value for step in proof.certificate.steps]


def _replayed_for_every_c(proof, rules: list[str]) -> None:
    assert proof.verdict == "proved", proof.note
    assert _rules(proof) == rules and proof.rests_on == ()
    theorem = replay(Certificate.from_json(proof.certificate.to_json()))  # from its text alone, as recheck does
    assert theorem.scope.startswith("every c >= 1 and every input")


def test_same_padding_of_a_dilated_generic_kernel_is_the_dilated_convolution_for_every_c():
    proof = prove("conv(dilate(k[c], 2), padding='same')", "conv(k, dilation=2, padding='same')")
    _replayed_for_every_c(proof, ["generic_argument"])


def test_same_padding_of_a_generic_kernel_followed_by_pad_0_is_itself_for_every_c():
    proof = prove("conv(k[c], padding='same')", "conv(k, padding='same') >> pad(0, 0)")
    _replayed_for_every_c(proof, ["generic_argument"])


def test_same_padding_of_a_generic_kernel_inside_pad_and_crop_is_itself_for_every_c():
    proof = prove("conv(k[c], padding='same')", "pad(2) >> conv(k, padding='same') >> crop(2)")
    _replayed_for_every_c(proof, ["generic_argument"])


def test_padding_inside_a_chain_after_shared_layers_is_proved_by_what_differs_for_every_c():
    proof = prove("conv(k[c]) >> pad(1) >> crop(1)", "conv(k[c])")
    assert proof.verdict == "proved", proof.note
    assert _rules(proof) == ["congruence", "eventual_periodicity"] and proof.rests_on == ()


def test_a_flip_across_a_stride_is_proved_when_an_identity_layer_is_all_that_differs():
    proof = prove("flip() >> conv(k[c], stride=2) >> flip()", "flip() >> conv(k, stride=2) >> pad(0) >> flip()")
    assert proof.verdict == "proved", proof.note
    assert _rules(proof) == ["drop_identity_layers", "congruence"] and proof.rests_on == ()


@pytest.mark.parametrize("lhs, rhs, rules", [
    ("conv2d(k[c, 3]) + conv2d(k)", "conv2d(2 * k) >> pad((0, 0))",
     ["drop_identity_layers", "merge_branches", "generic_interior_nd"]),
    ("conv2d(k[c, 3], padding='same') >> conv2d(j[3, 3])", "conv2d(k, padding='same') >> down((1, 1)) >> conv2d(j)",
     ["drop_identity_layers", "generic_interior_nd"]),
    ("conv2d(k[c, 3], padding='same') >> up((1, 1)) >> conv2d(j[3, 3])",
     "conv2d(k, padding='same') >> crop((0, 0)) >> conv2d(flip(flip(j)))", ["drop_identity_layers", "generic_interior_nd"]),
])
def test_identity_layers_are_left_out_before_the_generic_nd_argument(lhs, rhs, rules):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert _rules(proof) == rules and proof.rests_on == ()
    assert replay(Certificate.from_json(proof.certificate.to_json()))


def test_same_padding_of_an_even_generic_length_puts_the_odd_zero_right_for_every_c():
    proof = prove("conv(dilate(k[c], 2), padding='same') >> conv(j[c], padding='same')",
                  "conv(k, dilation=2, padding='same') >> conv(j, padding='same')")
    assert proof.verdict == "proved" and _rules(proof) in (["generic_argument"], ["congruence", "generic_argument"])


def test_a_sum_of_2d_convolutions_with_a_generic_size_is_the_convolution_of_the_summed_kernel_for_every_c():
    proof = prove("conv2d(k[c, 3]) + conv2d(flip(k))", "conv2d(k + flip(k))")
    _replayed_for_every_c(proof, ["merge_branches", "generic_interior_nd"])
    assert proof.steps[0].rule == "merge_branches"


@pytest.mark.parametrize("lhs, rhs, c", [
    ("conv(dilate(k[c], 2), padding='same')", "conv(flip(k), dilation=2, padding='same')", 2),
    ("conv(k[c], padding='same')", "conv(k, padding='same') >> pad(1, 0) >> crop(0, 1)", 1),
    ("conv(k[c], padding='same')", "conv(k, padding=(0, 1)) >> crop(0, 1)", None),
    ("conv2d(k[c, 3]) + conv2d(flip(k))", "conv2d(k + flip(k, axes=(0,)))", 1),
    ("conv2d(k[c, 3]) + conv2d(k)", "conv2d(3 * k) >> pad((0, 0))", 1),
])
def test_a_false_mutation_is_refuted_with_a_counterexample_that_reproduces(lhs, rhs, c):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted" and proof.counterexample is not None, proof.note
    example = proof.counterexample
    if c is not None:
        assert dict(example.sizes) == {"c": c}
    # the statement as written, evaluated exactly at the counterexample (not the rewritten one the search used)
    sides = parse_statement(lhs, rhs)
    x = np.array(example.input, dtype=object)
    bindings = {name: np.array(values, dtype=object) for name, values in example.kernels.items()}
    sizes = dict(example.sizes) or None
    if sides[0].ndim == 1:
        outputs = [evaluate_numeric(side, x, bindings, sizes, exact=True) for side in sides]
    else:
        outputs = [evaluate_nd_numeric(side, x, bindings, exact=True, sizes=sizes) for side in sides]
    assert outputs[0].shape != outputs[1].shape or (outputs[0] != outputs[1]).any()
