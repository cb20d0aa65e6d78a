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
