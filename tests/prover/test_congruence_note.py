"""The note of a congruence proof reads as one sentence in every case (no half proved, one half, an empty note)."""

from __future__ import annotations

from types import SimpleNamespace

from symconv import prove
from symconv.core.nonlinear import ReLU
from symconv.dsl import parse_statement
from symconv.prover.congruence import congruence_note, prove_by_congruence


def test_a_congruence_of_identical_halves_says_so_without_a_trailing_separator():
    lhs, rhs = parse_statement("conv([1, 2]) >> relu()", "conv([1, 2]) >> relu()")
    proof = prove_by_congruence(lhs, rhs)
    assert proof.verdict == "proved"
    assert proof.note == "by congruence at relu(): the chains before and after it are the same layers on both sides"


def test_a_congruence_with_one_proved_half_names_that_half_and_its_note():
    lhs, rhs = parse_statement("conv([1, 2]) >> relu() >> conv([1, 1])",
                               "conv([1, 2]) >> relu() >> conv([1]) >> conv([1, 1])")
    proof = prove_by_congruence(lhs, rhs)
    assert proof.note == ("by congruence at relu(); after relu(): equal interior operators, lengths for all n, "
                          "and no inner edge is read")


def test_a_half_proved_without_a_note_is_said_proved():
    halves = [("before", SimpleNamespace(note="")), ("after", SimpleNamespace(note="equal kernels"))]
    assert congruence_note(ReLU(), halves) == ("by congruence at relu(); before relu(): proved; after relu(): equal "
                                               "kernels")


def test_the_note_under_a_bound_after_dropping_a_relu_ends_cleanly():
    proof = prove("affine(1, 1) >> relu() >> l2pool(2)", "affine(1, 1) >> l2pool(2)", assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert proof.note == ("assuming |x_i| <= 1, for every input within the bound; by congruence at l2pool(2): the "
                          "chains before and after it are the same layers on both sides")
