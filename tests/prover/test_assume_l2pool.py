"""``--assume`` with ``l2pool``: square roots are not rational, so what is claimed is only what is exact.

An ``l2pool`` output ``sqrt((K / q) sum x^2)`` is ``>= 0`` for every input, and at most ``sqrt(K) B`` under
``|x| <= B`` (SymPy's exact ``sqrt``): the interval lemma drops a relu() after it where the lower bound is shown
``>= 0`` exactly, and the nonlinear chains left are proved by congruence. A difference is reported only with
an exact counterexample (N-D: a float64 search confirmed with the core's SymPy square roots); in 1-D, where the
search is rational only, the verdict is ``unknown`` with a note saying so.
"""

from __future__ import annotations

import pytest
import sympy

from symconv import prove
from symconv.checker import INTERVAL_LEMMA
from symconv.cli import main

BOUND = ["abs(x) <= 1"]


@pytest.mark.parametrize("pool", ["l2pool(2)", "l2pool2d(2)", "l2pool3d(2)", "conv([1, -1]) >> l2pool(2)"])
def test_a_relu_after_l2pool_is_dropped_because_its_outputs_are_nonnegative(pool):
    proof = prove(f"{pool} >> relu()", pool, assume=BOUND)
    assert proof.verdict == "proved", proof.note
    assert [s.rule for s in proof.steps][:2] == ["relu_identity_under_bound", "relu_reduction"]
    assert set(proof.rests_on) == {"assumption: abs(x) <= 1", INTERVAL_LEMMA}


@pytest.mark.parametrize("pool", ["l2pool(2)", "l2pool2d((1, 2))"])
def test_the_l2pool_output_bound_sqrt_k_times_b_drops_a_relu_when_exactly_nonnegative(pool):
    # outputs in [0, sqrt(2)] (K = 2, B = 1): 3/2 - v >= 3/2 - sqrt(2) > 0
    proof = prove(f"{pool} >> affine(-1, 3/2) >> relu()", f"{pool} >> affine(-1, 3/2)", assume=BOUND)
    assert proof.verdict == "proved", proof.note


def test_a_relu_that_clips_below_sqrt_k_b_is_refuted_in_2d_with_exact_square_roots():
    # 7/5 < sqrt(2): at the corner x = (+-1, +-1) the relu() input is 7/5 - sqrt(2) < 0
    proof = prove("l2pool2d((1, 2)) >> affine(-1, 7/5) >> relu()", "l2pool2d((1, 2)) >> affine(-1, 7/5)",
                  assume=BOUND)
    assert proof.verdict == "refuted"
    example = proof.counterexample
    channel, row, column = example.index
    assert example.lhs[channel][row][column] == 0
    assert sympy.simplify(example.rhs[channel][row][column] - (sympy.Rational(7, 5) - sympy.sqrt(2))) == 0
    assert all(abs(v) <= 1 for v in sympy.flatten(example.input))


def test_a_1d_difference_through_l2pool_is_unknown_with_a_note_not_an_error():
    proof = prove("l2pool(2) >> affine(-1, 7/5) >> relu()", "l2pool(2) >> affine(-1, 7/5)", assume=BOUND)
    assert proof.verdict == "unknown"
    assert "7/5 - sqrt(2), which is not shown >= 0" in proof.note
    assert "l2pool takes square roots" in proof.note and "no exact counterexample search" in proof.note


@pytest.mark.parametrize("lhs, rhs, code", [
    ("l2pool(2) >> relu()", "l2pool(2)", 0),
    ("l2pool2d(2) >> relu()", "l2pool2d(2)", 0),
    ("l2pool(2) >> affine(-1, 0) >> relu()", "l2pool(2)", 3),
    ("l2pool2d(2) >> affine(-1, 0) >> relu()", "l2pool2d(2)", 1),
])
def test_prove_assume_with_l2pool_exits_with_the_verdicts_code(capsys, lhs, rhs, code):
    assert main(["prove", lhs, rhs, "--assume", "abs(x) <= 1"]) == code
    assert capsys.readouterr().err == ""
