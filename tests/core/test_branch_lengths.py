"""The check that the branches of a sum ``A + B`` give equal lengths, generic kernel sizes included
(:func:`symconv.core.output_length.branch_length_difference`, used by :class:`symconv.core.composite.Parallel`)."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import symconv
from symconv.core.output_length import branch_length_difference, output_length
from symconv.dsl import parse_chain
from symconv.errors import LengthMismatch, SemanticLengthMismatch

UPSAMPLED_2D = "(conv2d(k[c, 3]) >> up((2, 2))) + (up((2, 2)) >> conv2d(dilate(k, 2)))"
UPSAMPLED_1D = "(conv(k[c]) >> up(2)) + (up(2) >> conv(dilate(k, 2)))"
DOWN_UP = ("conv2d(k[c, 3]) >> down((2, 2)) >> down((2, 2)) >> "
           "conv_transpose2d(g[2, 2], stride=(2, 1), padding=1, bias=[b])")


def test_upsampled_generic_2d_sum_is_built_and_proved():
    # axis 1: max(0, 2 (n - c + 1) - 1) on both branches, for every n >= 0 and c >= 1
    assert len(parse_chain(UPSAMPLED_2D).branches) == 2
    assert symconv.prove(UPSAMPLED_2D, UPSAMPLED_2D).verdict == "proved"


def test_upsampled_generic_1d_sum_is_built():
    assert len(parse_chain(UPSAMPLED_1D).branches) == 2


def test_strided_generic_2d_sum_is_built():
    assert len(parse_chain(f"({DOWN_UP}) + ({DOWN_UP})").branches) == 2


def test_lengths_of_upsampled_branches_agree_at_concrete_sizes():
    lhs, rhs = parse_chain(UPSAMPLED_1D).branches
    for c in range(1, 7):
        assert [output_length(lhs, n, {"c": c}) for n in range(20)] == \
               [output_length(rhs, n, {"c": c}) for n in range(20)]


@pytest.mark.parametrize("text, message", [
    ("(conv(k[c]) >> up(2)) + (up(2) >> conv(k))",
     "the branches of (conv(k[c]) >> up(2)) + (up(2) >> conv(k[c])) give different lengths [1, 2] for an input "
     "of length 2 when c = 2; expected every branch to give the same length"),
    ("conv(k[c]) + (conv(k[c]) >> pad(1))",
     "the branches of conv(k[c]) + (conv(k[c]) >> pad(1)) give different lengths [0, 2] for an input of length 0 "
     "when c = 1; expected every branch to give the same length"),
    ("conv2d(k[c, 3]) + conv2d(dilate(k, (2, 1)))",
     "the branches of conv2d(k[c, 3]) + conv2d(dilate(k[c, 3], (2, 1))) give different sizes [1, 0] on axis 1 "
     "for an input of size 2 when c = 2; expected the same shape"),
])
def test_generic_branches_with_different_lengths_are_refused(text, message):
    with pytest.raises(SemanticLengthMismatch, match="^" + re.escape(message)):
        parse_chain(text)


def test_branches_differing_only_past_c_16_are_refused():
    # on an empty input: 36 - c on the left; max(0, 18 - c) + 18 on the right, 18 once c >= 18
    text = "(conv(k[c]) >> pad(9) >> conv(k, padding=(17, 0))) + (conv(k[c]) >> conv(k, padding=(17, 0)) >> pad(9))"
    with pytest.raises(SemanticLengthMismatch, match=r"give different lengths \[17, 18\] for an input of length 0 "
                                                     r"when c = 19;"):
        parse_chain(text)


def test_concrete_branches_differing_only_past_length_128_are_refused():
    # ceil((n - 128) / 256) and ceil((n - 129) / 256): 0 up to n = 128, then 1 and 0 at n = 129
    with pytest.raises(LengthMismatch, match=r"give different lengths \[1, 0\] for an input of length 129;"):
        parse_chain("down(256, phase=128) + down(256, phase=129)")


def test_false_sum_with_a_branch_refused_at_parse_is_not_proved():
    with pytest.raises(SemanticLengthMismatch):
        symconv.prove("conv(k[c]) + (conv(k[c]) >> pad(1))", "conv(k[c]) + (conv(k[c]) >> pad(1))")


ATOMS = ["conv(k[c])", "conv(k, stride=2)", "conv(k, padding=(2, 0))", "conv_transpose(k, stride=2, padding=1)",
         "conv(dilate(k, 2))", "pad(1)", "crop(1)", "down(2)", "up(2)", "avgpool(2)"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3),
       st.lists(st.sampled_from(ATOMS), min_size=1, max_size=3))
def test_branch_check_agrees_with_exact_lengths(left, right):
    """A refusal names a true counterexample; an acceptance means equal lengths at every c in 1..6 and n in 0..30
    (a refusal with equal lengths there has its counterexample outside that box)."""
    branches = [parse_chain("conv(k[c]) >> " + " >> ".join(side)) for side in (left, right)]
    box = {(n, c): [output_length(b, n, {"c": c}) for b in branches] for c in range(1, 7) for n in range(31)}
    found = branch_length_difference(branches)
    if found is None:
        assert all(lengths[0] == lengths[1] for lengths in box.values())
    else:
        (name, c), = found.sizes
        assert name == "c"
        assert [output_length(b, found.n, {"c": c}) for b in branches] == list(found.lengths)
        assert found.lengths[0] != found.lengths[1]
        if all(lengths[0] == lengths[1] for lengths in box.values()):
            assert found.n > 30 or c > 6
