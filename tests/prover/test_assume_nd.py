"""Declared input bounds (``--assume 'abs(x) <= B'``) for 2-D and 3-D chains: proofs replayed by the kernel,
refutations inside the box, relu() layers that may clip, and the command line."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest

from symconv import prove
from symconv.checker import Certificate, Rule, check_certificate, replay
from symconv.cli import main
from symconv.dsl import parse_statement
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover.bounded_nd import bounded_shapes

#: C0.3 in 2-D: a 2x2 layer, a shift that keeps the relu() in its linear part, a 1x2 layer whose bias takes the
#: shift back; the single 2x3 layer they compose to (README's 1-D example, one axis up).
C03_2D = ("conv2d([[1, -2], [0, 1]]) >> affine(1, 4*B) >> relu() >> conv2d([[1, 1]], bias=[-8*B])",
          "conv2d([[1, -1, -2], [0, 1, 1]])")
#: Two channels between the layers (C0.3 with a channel per tap of the first layer).
C03_2D_CHANNELS = ("conv2d([[[[1, 0]]], [[[0, 1]]]]) >> affine(1, B) >> relu() >> "
                   "conv2d([[[[1, 2]], [[3, 4]]]], bias=[-10*B])", "conv2d([[1, 5, 4]])")
C03_3D = ("conv3d([[[1, -1]], [[2, 0]]]) >> affine(1, 4*B) >> relu() >> affine(1, -4*B)",
          "conv3d([[[1, -1]], [[2, 0]]])")


def _equal_on_box_corners(lhs: str, rhs: str, bound: int, shapes) -> bool:
    """Brute force with the independent numpy evaluator: every corner input (each sample -B or B) of each shape
    (a relu() input, affine in the samples, is least at a corner)."""
    left, right = parse_statement(lhs, rhs)
    for shape in shapes:
        for corner in itertools.product((-bound, bound), repeat=int(np.prod(shape))):
            x = np.array([Fraction(v) for v in corner], dtype=object).reshape((1,) + shape)
            a = evaluate_nd_numeric(left, x, {"B": bound}, exact=True)
            b = evaluate_nd_numeric(right, x, {"B": bound}, exact=True)
            if a.shape != b.shape or (a != b).any():
                return False
    return True


@pytest.mark.parametrize("lhs, rhs", [C03_2D, C03_2D_CHANNELS, C03_3D])
def test_a_relu_kept_in_its_linear_part_by_a_named_bound_is_proved_and_replayed_by_the_kernel(lhs, rhs):
    proof = prove(lhs, rhs, assume=["abs(x) <= B"])
    assert proof.verdict == "proved", proof.note
    assert proof.rests_on == ("assumption: abs(x) <= B",)  # no interval_lemma: the kernel replayed the relu()
    steps = proof.certificate.steps
    assert steps[0].rule is Rule.RELU_IDENTITY_AT and steps[0].get("path") == [2]
    assert len(steps[0].get("axes")) == (3 if "conv3d" in lhs else 2)
    text = proof.certificate.dumps()
    assert check_certificate(Certificate.from_json(json.loads(text))) == \
        f"{lhs} == {rhs} for every input shape; rests on assumption: abs(x) <= B"


def test_the_2d_identity_holds_on_every_corner_of_small_shapes():
    # the independent witness: what the kernel accepted holds on the box corners at B = 2
    assert _equal_on_box_corners(*C03_2D, 2, [(2, 3), (3, 3)])


def test_the_certificate_has_one_window_per_axis():
    proof = prove(*C03_3D, assume=["abs(x) <= B"])
    axes = proof.certificate.steps[0].get("axes")
    assert len(axes) == 3 and all(len(a) == 3 and a[0] + a[1] <= a[2] for a in axes)


def test_a_numeric_bound_proves_the_same_identity_with_numbers():
    lhs, rhs = (side.replace("*B", "") for side in C03_2D)
    proof = prove(lhs, rhs, assume=["abs(x) <= 1"])
    assert proof.verdict == "proved" and proof.rests_on == ("assumption: abs(x) <= 1",)


def test_a_shift_too_small_for_the_bound_is_refuted_inside_the_box():
    # shift 3B: the relu() input x00 - 2 x01 + x11 + 3B reaches -B at a corner of the box
    lhs, rhs = C03_2D[0].replace("4*B", "3*B").replace("-8*B", "-6*B"), C03_2D[1]
    assert not _equal_on_box_corners(lhs, rhs, 2, [(2, 3)])
    proof = prove(lhs, rhs, assume=["abs(x) <= B"])
    assert proof.verdict == "refuted" and proof.theorem is None
    example = proof.counterexample
    bound = example.kernels["B"]
    x = np.array(example.input, dtype=object)
    assert np.abs(x).max() <= bound
    left, right = parse_statement(lhs, rhs)
    a = evaluate_nd_numeric(left, x, example.kernels, exact=True)
    b = evaluate_nd_numeric(right, x, example.kernels, exact=True)
    assert a.shape != b.shape or (a != b).any()  # the independent evaluator reproduces the difference
    assert len(example.n) == 2


def test_the_refuted_3d_identity_without_the_shift_back():
    lhs = C03_3D[0].replace(" >> affine(1, -4*B)", "")
    proof = prove(lhs, C03_3D[1], assume=["abs(x) <= B"])
    assert proof.verdict == "refuted" and len(proof.counterexample.n) == 3


@pytest.mark.parametrize("lhs, rhs", [
    ("maxpool2d(2) >> relu()", "relu() >> maxpool2d(2)"),  # true, but no interval shows the relu() input >= 0
    ("conv2d(k[2, 2]) >> relu() >> relu()", "conv2d(k) >> relu()"),
])
def test_a_relu_that_may_clip_is_never_proved(lhs, rhs):
    proof = prove(lhs, rhs, assume=["abs(x) <= 1"])
    assert proof.verdict in ("checked", "unknown") and proof.theorem is None
    assert "may clip" in proof.note


def test_the_search_shapes_reach_past_the_receptive_field_on_every_axis():
    left, right = parse_statement("conv2d(k[3, 5]) >> relu()", "conv2d(k)")
    shapes = bounded_shapes(left, right, 2)
    assert (3, 5) in shapes and max(s[0] for s in shapes) > 3 and max(s[1] for s in shapes) > 5


def test_cli_exit_codes_under_a_bound_in_2d(capsys, tmp_path):
    path = tmp_path / "c03.json"
    assert main(["prove", *C03_2D, "--assume", "abs(x) <= B", "--certificate", str(path)]) == 0
    assert "assuming |x_i| <= B" in capsys.readouterr().out
    assert main(["recheck", str(path)]) == 0
    capsys.readouterr()
    refuted = C03_2D[0].replace("4*B", "3*B").replace("-8*B", "-6*B")
    assert main(["prove", refuted, C03_2D[1], "--assume", "abs(x) <= B", "--json"]) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "refuted" and len(obj["counterexample"]["n"]) == 2
    assert main(["prove", "maxpool2d(2) >> relu()", "relu() >> maxpool2d(2)", "--assume", "abs(x) <= 1"]) == 0
    capsys.readouterr()
    assert main(["prove", "conv2d(k[2, 2]) >> relu()", "conv3d(k[2, 2, 2])", "--assume", "abs(x) <= 1"]) == 2


def test_the_kernel_replays_the_certificate_from_text_alone():
    proof = prove(*C03_2D_CHANNELS, assume=["abs(x) <= B"])
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert theorem.scope == "every input shape" and theorem.rests_on == ("assumption: abs(x) <= B",)
