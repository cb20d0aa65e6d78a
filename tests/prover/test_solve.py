"""Solving for unknown kernels (`--solve`)."""

from __future__ import annotations

import pytest
import sympy

from symconv.cli import main
from symconv.prover import prove
from symconv.prover.solve import SolveError

k0, k1, k2 = sympy.symbols("k_0 k_1 k_2")


def test_solving_for_k4_gives_every_tap_of_the_stride_composition():
    proof = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)", solve=["q"])
    assert proof.verdict == "proved"
    assert proof.solutions["q"] == [k0**2, k0 * k1, k0 * k1 + k0 * k2, k1**2, k0 * k2 + k1 * k2, k1 * k2, k2**2]
    assert repr(proof.rhs) == "conv(q[7], stride=4)"


def test_solving_with_padding_inside_the_chain_matches_the_interior_but_is_refuted_at_the_ends():
    proof = prove("conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                  "conv(q[7], stride=4, padding=3)", solve=["q"])
    assert proof.verdict == "refuted"
    assert "interior operators match" in proof.note
    assert proof.counterexample is not None


def test_a_kernel_too_short_to_match_is_refuted_with_the_reason():
    proof = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[5], stride=4)", solve=["q"])
    assert proof.verdict == "refuted"
    assert "inconsistent" in proof.note


def test_branch_merging_solves_for_the_merged_kernel():
    proof = prove("conv(k[3], padding=1) + conv(j[1])", "conv(q[3], padding=1)", solve=["q"])
    assert proof.verdict == "proved"
    assert proof.solutions["q"] == [k0, k1 + sympy.Symbol("j_0"), k2]


def test_solving_for_an_absent_name_is_bad_input():
    with pytest.raises(SolveError, match="no kernel of that name"):
        prove("conv(k[3])", "conv(q[3])", solve=["p"])


def test_a_nonlinear_unknown_is_refused():
    with pytest.raises(SolveError, match="nonlinearly"):
        prove("conv(k[3]) >> conv(k)", "conv(q[2]) >> conv(q)", solve=["q"])


def test_cli_solve_prints_solutions_in_json(capsys):
    import json

    code = main(["prove", "conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)",
                 "--solve", "q", "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0 and obj["solutions"]["q"][0] == "k_0**2"


# --- N-D unknowns ------------------------------------------------------------------------------------------------


def test_solving_a_2d_stride_composition_gives_k_convolved_with_k_dilated_by_2():
    from symconv.core.kernel import Convolve, Dilate, kernel

    proof = prove("conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(q[7, 7], stride=4)", solve=["q"])
    assert proof.verdict == "proved" and proof.certificate.solved == ("q",)
    k = kernel("k", 3, 3)
    expected = Convolve(k, Dilate(k, (2, 2))).taps()[0][0]
    assert proof.solutions["q"] == [[sympy.expand(v) for v in row] for row in expected]
    assert "solved: q = [[k_0_0**2, k_0_0*k_0_1, " in str(proof)


def test_solving_a_two_layer_multichannel_chain_gives_the_summed_kernel():
    proof = prove("conv2d(W[2, 1, 2, 2]) >> conv2d(V[1, 2, 2, 2])", "conv2d(Q[1, 1, 3, 3])", solve=["Q"])
    assert proof.verdict == "proved"
    W, V = (sympy.Symbol(f"{n}_{o}_{i}_0_0") for n, o, i in (("W", 0, 0), ("V", 0, 0)))
    corner = sympy.Symbol("W_1_0_0_0") * sympy.Symbol("V_0_1_0_0") + W * V
    assert proof.solutions["Q"][0][0][0][0] == corner


def test_solving_a_3d_stride_composition_is_proved():
    proof = prove("conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)", "conv3d(q[4, 4, 4], stride=4)",
                  solve=["q"])
    assert proof.verdict == "proved"
    assert proof.solutions["q"][3][3][3] == sympy.Symbol("k_1_1_1") ** 2


def test_a_2d_kernel_too_small_to_match_is_refuted_by_inconsistent_equations():
    proof = prove("conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(q[5, 5], stride=4)", solve=["q"])
    assert proof.verdict == "refuted"
    assert proof.note == ("no q makes the sides agree at the shape (11, 11): the 196 coefficient equations are "
                          "inconsistent")


def test_a_2d_unknown_whose_lengths_cannot_match_is_refuted_by_the_lengths():
    proof = prove("conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(q[3, 3], stride=4)", solve=["q"])
    assert proof.verdict == "refuted" and "output lengths on axis 1 differ" in proof.note


def test_padding_moved_out_of_a_2d_layer_is_solved():
    proof = prove("pad((1, 1)) >> conv2d(k[3, 3]) >> conv2d(h[3, 3])", "conv2d(q[5, 5], padding=1)", solve=["q"])
    assert proof.verdict == "proved"


def test_a_2d_nonlinear_unknown_is_refused():
    with pytest.raises(SolveError, match=r"the unknowns appear nonlinearly \(-k_0_0 \+ q_0_0\*\*2 = 0\)"):
        prove("conv2d(q[2, 2]) >> conv2d(q)", "conv2d(k[3, 3])", solve=["q"])


def test_cli_solve_in_2d_prints_nested_solutions_in_json(capsys):
    import json

    code = main(["prove", "conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2)", "conv2d(q[4, 4], stride=4)",
                 "--solve", "q", "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0 and obj["solutions"]["q"][0] == ["k_0_0**2", "k_0_0*k_0_1", "k_0_0*k_0_1", "k_0_1**2"]


def test_cli_solve_for_an_absent_2d_name_exits_2(capsys):
    code = main(["prove", "conv2d(k[3, 3])", "conv2d(q[3, 3])", "--solve", "p"])
    err = capsys.readouterr().err
    assert code == 2 and "--solve 'p': no kernel of that name in the statement; expected one of ['k', 'q']" in err


def test_solving_a_2d_chain_with_a_relu_is_refused_with_the_layer_named():
    with pytest.raises(SolveError, match=r"conv2d\(k\[2, 2\]\) >> relu\(\) has the nonlinear layer relu\(\); "
                                         r"expected two linear chains"):
        prove("conv2d(k[2, 2]) >> relu()", "conv2d(q[2, 2]) >> relu()", solve=["q"])
