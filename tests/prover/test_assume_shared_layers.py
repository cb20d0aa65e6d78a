"""Under ``--assume``: what holds for every input holds within the bound (shared layers, congruence), generic
kernel lengths included; a generic length that needs the bound is refused with one line."""

from __future__ import annotations

import re

import pytest

from symconv import prove
from symconv.cli import main
from symconv.errors import InvalidArgument


def test_a_generic_length_with_shared_relus_is_proved_under_a_bound(capsys):
    code = main(["prove", "conv(k[c]) >> relu()", "conv(k) >> relu()", "--assume", "abs(x) <= 1"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("proved: ")
    assert "rests on: assumption: abs(x) <= 1" in out


def test_a_generic_congruence_under_a_bound_rests_on_the_bound_only():
    proof = prove("conv(k[c]) >> relu() >> conv([1, 1])", "conv(k) >> relu() >> conv([1]) >> conv([1, 1])",
                  assume=["abs(x) <= B"])
    assert proof.verdict == "proved"
    assert proof.rests_on == ("assumption: abs(x) <= B",)
    assert proof.note.startswith("assuming |x_i| <= B: it holds for every input, so for every input within the "
                                 "bound; by congruence at relu(); after relu(): ")


def test_a_generic_linear_identity_is_proved_under_a_bound():
    proof = prove("conv(k[c]) >> conv([1, 1])", "conv(convolve(k, [1, 1]))", assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert "assumption: abs(x) <= 1" in proof.rests_on


def test_a_generic_length_that_would_need_the_bound_is_refused_naming_the_length():
    message = ("prove: assume='abs(x) <= 1' is invalid; expected a statement with concrete kernel lengths: with "
               "the generic length c, an input bound is used only for identities that hold for every input "
               "(conv(k[c]) >> relu() == relu() >> conv(k[c]) is refuted without it); give c a value, e.g. k[3]")
    with pytest.raises(InvalidArgument, match=re.escape(message)):
        prove("conv(k[c]) >> relu()", "relu() >> conv(k)", assume=["abs(x) <= 1"])


def test_the_cli_refuses_a_generic_length_it_cannot_bound_with_one_line_and_exit_2(capsys):
    code = main(["prove", "conv(k[c]) >> relu()", "relu() >> conv(k)", "--assume", "abs(x) <= 1"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "internal error" not in err and "generic length c" in err


def test_a_relu_that_may_clip_on_both_sides_is_proved_by_congruence_under_a_bound():
    proof = prove("conv([1, -2]) >> relu() >> conv([1, 1])", "conv([1, -2]) >> relu() >> conv([1]) >> conv([1, 1])",
                  assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert proof.rests_on == ("assumption: abs(x) <= 1",)
    assert proof.numeric is not None and proof.numeric.is_evidence


def test_the_same_sides_with_a_relu_that_may_clip_are_proved_under_a_bound():
    proof = prove("conv([1, -2]) >> relu()", "conv([1, -2]) >> relu()", assume=["abs(x) <= 1"])
    assert proof.verdict == "proved"
    assert proof.note == ("assuming |x_i| <= 1: it holds for every input, so for every input within the bound; "
                          "the same layers on both sides")


def test_a_relu_that_may_clip_on_one_side_only_is_still_refuted_under_a_bound():
    proof = prove("conv([1, -2]) >> relu()", "conv([1, -2])", assume=["abs(x) <= 1"])
    assert proof.verdict == "refuted"
