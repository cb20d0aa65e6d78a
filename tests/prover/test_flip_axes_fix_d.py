"""Flip-only sides on both sides: a ``flip(axes=...)`` names axes, so the statement has at least
``max(2, a + 1)`` of them (a the largest named axis) and is decided there; with a ``flip()`` too it is refused."""

from __future__ import annotations

import re

import pytest

from symconv import prove
from symconv.cli import main
from symconv.dsl import parse_statement
from symconv.errors import ChainError


@pytest.mark.parametrize("lhs, rhs, d", [
    ("flip(axes=(1,)) >> flip(axes=(1,))", "flip(axes=(0,)) >> flip(axes=(0,))", 2),
    ("flip(axes=(1,)) >> flip(axes=(0,))", "flip(axes=(0, 1))", 2),
    ("flip(axes=(2,)) >> flip(axes=(2,))", "flip(axes=(0,)) >> flip(axes=(0,))", 3),
])
def test_flip_axes_only_sides_are_proved_with_the_fewest_axes_the_flips_name(lhs, rhs, d):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.lhs.ndim == proof.rhs.ndim == d


@pytest.mark.parametrize("lhs, rhs, d", [
    ("flip(axes=(1,)) >> flip(axes=(0,))", "flip(axes=(1,))", 2),
    ("flip(axes=(1,))", "flip(axes=(2,))", 3),
    ("flip(axes=(0,)) >> flip(axes=(0,))", "relu()", 2),
])
def test_flip_axes_only_sides_that_differ_are_refuted_at_a_shape_of_that_many_axes(lhs, rhs, d):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", proof.note
    assert len(proof.counterexample.n) == d


def test_the_cli_proves_flip_axes_only_sides_instead_of_calling_them_nonlinear(capsys):
    assert main(["prove", "flip(axes=(1,)) >> flip(axes=(1,))", "flip(axes=(0,)) >> flip(axes=(0,))"]) == 0
    captured = capsys.readouterr()
    assert captured.out.startswith("proved:") and "not a linear layer" not in captured.err


def test_a_whole_flip_with_named_axes_and_no_side_fixing_d_is_refused_saying_to_fix_d():
    message = ("'flip(axes=(1,)) >> flip(axes=(0,)) == flip()': no layer fixes the number of spatial axes d, and "
               "flip() reverses every axis while flip(axes=...) reverses the axes it names, so the statement depends "
               "on d; expected a layer that fixes d on one side, e.g. pad((0, 0)) for d = 2")
    with pytest.raises(ChainError, match=re.escape(message)):
        parse_statement("flip(axes=(1,)) >> flip(axes=(0,))", "flip()")


def test_the_cli_refuses_a_whole_flip_with_named_axes_in_one_line(capsys):
    assert main(["prove", "flip(axes=(2,))", "flip() >> relu()"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "e.g. pad((0, 0, 0)) for d = 3" in err


def test_a_layer_fixing_d_still_decides_a_whole_flip_against_named_axes():
    assert prove("flip(axes=(1,)) >> flip(axes=(0,))", "flip() >> pad((0, 0))").verdict == "proved"
    assert prove("flip(axes=(1,)) >> flip(axes=(0,))", "flip() >> pad((0, 0, 0))").verdict == "refuted"
