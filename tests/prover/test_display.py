"""Counterexamples as text: numbers without quotes, rationals as p/q, arrays of several axes as aligned grids."""

from __future__ import annotations

from fractions import Fraction

import sympy

from symconv.prover.display import GRID_VALUES, counterexample_block, example_lines, grid, inline, number_text


def test_numbers_print_bare_and_rationals_as_fractions():
    assert [number_text(v) for v in (3, -2, Fraction(1, 2), sympy.Rational(-3, 4), sympy.Integer(5), "1/2")] == \
        ["3", "-2", "1/2", "-3/4", "5", "1/2"]
    assert inline({"k": [1, 1, -2], "W": [[sympy.Rational(1, 2), 0]]}) == "{'k': [1, 1, -2], 'W': [[1/2, 0]]}"


def test_a_grid_right_aligns_every_column():
    assert grid([[1, -10, 0], [100, 2, "1/2"]]) == ["  1  -10    0", "100    2  1/2"]


def test_an_array_of_four_axes_is_one_labelled_grid_per_leading_index():
    assert grid([[[[1, 2]], [[3, 4]]]]) == ["[0, 0]:", "  1  2", "[0, 1]:", "  3  4"]


def test_a_1d_counterexample_is_one_line():
    assert example_lines({"n": 3, "input": [[1, 0, -1]], "kernels": {"k": ["1/2", 2]}, "index": 0}) == \
        ["counterexample: n=3, input=[[1, 0, -1]], kernels={'k': [1/2, 2]}, index=0"]


def test_a_2d_counterexample_shows_input_kernels_and_outputs_as_grids():
    example = {"n": [2, 2], "input": [[[1, -1], [10, 0]]], "kernels": {"k": [[1]], "b": 3},
               "lhs": [[[1, -1], [10, 0]]], "rhs": [[[1, -1], [10, 1]]], "index": [0, 1, 1]}
    assert counterexample_block(example) == [
        "counterexample: input shape (2, 2), first difference at (channel, row, column) = (0, 1, 1)",
        "  input:", "    channel 0:", "       1  -1", "      10   0",
        "  kernel k:", "    1", "  b = 3",
        "  lhs ->", "    channel 0:", "       1  -1", "      10   0",
        "  rhs ->", "    channel 0:", "       1  -1", "      10   1",
    ]


def test_a_3d_counterexample_labels_each_plane_by_channel_and_first_axis():
    example = {"n": [2, 1, 2], "input": [[[[1, 2]], [[3, -4]]]], "kernels": {}, "lhs": [[[[1]]]], "rhs": [[[[2]]]],
               "index": [0, 0, 0, 0]}
    lines = counterexample_block(example)
    assert lines[0] == "counterexample: input shape (2, 1, 2), first difference at (channel, i1, i2, i3) = (0, 0, 0, 0)"
    assert lines[1:7] == ["  input:", "    channel 0, i1=0:", "      1  2", "    channel 0, i1=1:", "      3  -4",
                          "  lhs ->"]


def test_a_counterexample_whose_outputs_have_other_shapes_says_so_instead_of_an_index():
    example = {"n": [0, 1], "input": [[]], "kernels": {}, "lhs": [[]], "rhs": [[[0]]], "index": [0, 0, 0]}
    assert counterexample_block(example)[0] == "counterexample: input shape (0, 1), the output shapes differ"


def test_a_counterexample_array_too_large_to_read_is_named_by_its_shape():
    weight = [[[[1] * 3] * 3] * 8] * 8  # 576 values
    assert 8 * 8 * 9 > GRID_VALUES
    example = {"n": [3, 3], "input": [[[1, 2, 3]] * 3] * 8, "kernels": {"W": weight, "k": [[1, 2], [3, 4]]},
               "lhs": [[[1]]] * 8, "rhs": [[[2]]] * 8, "index": [0, 0, 0]}
    lines = counterexample_block(example)
    assert "  kernel W: shape (8, 8, 3, 3), 576 values (all in --json)" in lines
    assert "  kernel k:" in lines and "  input:" in lines and "  lhs ->" in lines
    assert len(lines) < 100  # W as a grid would take 8 x 8 blocks of 4 lines
