"""Nonlinear N-D chains: the shapes where the length table says the sides' outputs differ are tried first."""

from __future__ import annotations

from symconv.dsl import parse_statement
from symconv.prover.nonlinear_nd import length_mismatch_shapes


def test_an_axis_whose_lengths_differ_only_on_an_empty_input_gives_that_shape():
    lhs, rhs = parse_statement("relu() >> maxpool2d(2, padding=1)", "relu() >> pad((1, 1)) >> maxpool2d(2)")
    assert length_mismatch_shapes(lhs, rhs) == ((0, 1), (1, 0))


def test_sides_with_equal_lengths_on_every_axis_give_no_shape():
    lhs, rhs = parse_statement("relu() >> maxpool2d(2)", "maxpool2d(2) >> relu()")
    assert length_mismatch_shapes(lhs, rhs) == ()


def test_a_length_difference_on_one_axis_only_names_that_axis():
    lhs, rhs = parse_statement("maxpool3d(2) >> relu()", "pad((0, 0, 2)) >> maxpool3d(2) >> relu()")
    assert length_mismatch_shapes(lhs, rhs) == ((1, 1, 0),)
