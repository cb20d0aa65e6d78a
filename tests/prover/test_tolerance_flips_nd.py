"""Tolerances with flips in N-D chains: the flips move to the input first (flip_axes_conjugation, then
strip_input_flip_axes), as in exact proofs; where they cannot, the verdict says flips are outside the fragment."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from symconv.cli import main
from symconv.numeric import evaluate_nd_numeric

OUTSIDE = ("flips are outside the tolerance fragment here: the kernel's tolerance rule compares flip-free chains, and "
           "these flips do not all move to the input and cancel (a stride on a flipped axis, or one side reverses its "
           "input and the other does not)")


def _rules(proof) -> list[str]:
    return [step["rule"] for step in json.loads(proof.certificate.dumps())["steps"]]


def test_a_conjugated_flip_on_one_side_is_proved_within_a_tolerance_and_replays(capsys):
    lhs, rhs = "flip(axes=(0,)) >> conv2d([[1, 2], [3, 4]]) >> flip(axes=(0,))", "conv2d([[3, 4], [1, 2]])"
    assert prove(lhs, rhs).verdict == "proved"  # the exact identity first
    proof = prove(lhs, rhs, atol="1e-3")
    assert proof.verdict == "proved", proof.note
    assert _rules(proof) == ["flip_axes_conjugation", "tolerance"]
    assert proof.note == "worst-case gain 0 ~ 0; the flips moved to the input first"
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert theorem.scope == "every input shape and every input with |x| <= 1, within atol=1/1000, rtol=0"
    assert main(["prove", lhs, rhs, "--atol", "1e-3"]) == 0
    assert "kernel rejected" not in capsys.readouterr().out


def test_a_small_gain_through_conjugated_flips_is_the_gain_of_the_flip_free_sides():
    proof = prove("flip(axes=(1,)) >> conv2d([[1, 2]]) >> flip(axes=(1,))", "conv2d([[2, 1001/1000]])", atol="1/100")
    assert proof.verdict == "proved"
    assert proof.tolerance.gain == Fraction(1, 1000)


def test_the_same_input_flip_on_both_sides_is_stripped_before_the_tolerance():
    proof = prove("flip(axes=(1,)) >> conv2d([[1, 2]])", "conv2d([[2, 1]]) >> flip(axes=(1,))", atol="1/100")
    assert proof.verdict == "proved"
    assert _rules(proof) == ["flip_axes_conjugation", "flip_axes_conjugation", "strip_input_flip_axes", "tolerance"]


def test_a_refutation_past_a_stripped_input_flip_is_an_input_of_the_original_sides():
    # lhs - rhs has taps (1/10, 3/10, -1/5): its worst input (1, 1, -1) is not its own mirror image
    lhs, rhs = "flip(axes=(1,)) >> conv2d([[1, 2, 5]])", "flip(axes=(1,)) >> conv2d([[9/10, 17/10, 26/5]])"
    proof = prove(lhs, rhs, atol="1/100")
    assert proof.verdict == "refuted"
    example = proof.counterexample
    x = np.array([[[Fraction(v) for v in row] for row in channel] for channel in example.input], dtype=object)
    a, b = (evaluate_nd_numeric(proof.lhs if side == "l" else proof.rhs, x, exact=True) for side in "lr")
    assert abs(a[example.index] - b[example.index]) == proof.tolerance.gain == Fraction(3, 5)


def test_an_input_flip_on_one_side_only_is_refuted_past_the_flip_blind_bounds():
    proof = prove("flip(axes=(0,)) >> conv2d([[1]])", "conv2d([[1]])", atol="1/1000")
    assert proof.verdict == "refuted"
    assert proof.counterexample.n == (2, 1)
    assert proof.note.endswith(OUTSIDE)


def test_an_input_flip_on_one_side_only_within_the_tolerance_is_unknown_saying_why():
    proof = prove("flip(axes=(0,)) >> conv2d([[1/10000]])", "conv2d([[1/10000]])", atol="1/1000")
    assert proof.verdict == "unknown"
    assert proof.note == f"no output of the shapes compared exceeds the tolerance, but {OUTSIDE}"


def test_a_flip_across_a_stride_is_unknown_saying_flips_are_outside_the_fragment(capsys):
    lhs, rhs = "flip(axes=(0,)) >> conv2d([[1], [2]], stride=2) >> flip(axes=(0,))", "conv2d([[2], [1]], stride=2)"
    proof = prove(lhs, rhs, atol="1/100")
    assert proof.verdict == "unknown"
    assert proof.note == ("flips are outside the tolerance fragment here: the rows are compared for chains whose flips "
                          "move to the input, and on one axis flip() cannot cross conv([1, 1], stride=2): stride 2 > 1")
    assert main(["prove", lhs, rhs, "--atol", "1/100"]) == 3


@pytest.mark.parametrize("atol, verdict", [("1/100", "proved"), ("1/10000", "refuted")])
def test_one_dimensional_flips_keep_their_tolerance_verdicts(atol, verdict):
    assert prove("flip() >> conv([1, 2]) >> flip()", "conv([2, 1001/1000])", atol=atol).verdict == verdict
