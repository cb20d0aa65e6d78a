"""A sum accepted when it was built (its check tries small generic sizes only, for several sizes or a max-pool that
samples an empty input) may give branches of different lengths at a larger size: the shared-layers proof
(prover/shared_layers.py) compares every sum's branch lengths again and never says ``proved`` for such a statement."""

from __future__ import annotations

import re

import pytest

from symconv import prove
from symconv.core.output_length import output_length
from symconv.dsl import parse_statement
from symconv.errors import LengthMismatch
from symconv.prover.shared_layers import check_sum_lengths

#: ``up(16) >> pad(0, 15) >> conv(k[c]) >> down(16)`` has length ceil((16 n - c + 1) / 16) = n for c <= 16 and
#: n >= 1, but n - 1 from c = 17 (and 0 instead of 1 at n = 0 when c = 16): its branches agree for c, d = 1..8, the
#: values the sum's own check tries with two generic sizes.
TWO_SIZES = "(up(16) >> pad(0, 15) >> conv(k[c]) >> down(16)) + (up(16) >> pad(0, 15) >> conv(h[d]) >> down(16))"
#: One generic size, but a padded max-pool first: the sum's own check tries c = 1..16 only; from c = 17 the first
#: branch is empty on an empty input where the second has one sample.
MAXPOOL = ("(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(k[c]) >> down(17)) + "
           "(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(h[3]) >> down(17))")
#: Two generic sizes whose branches give equal lengths for every c and d (n - c - d + 2): a true sum, which this
#: check cannot decide for every value of both sizes.
TWO_SIZES_EQUAL = "(conv(k[c]) >> conv(h[d])) + conv(convolve(h, k))"


def _branch_lengths(text: str, n: int, sizes: dict) -> list[int]:
    total = parse_statement(text, text)[0]
    return [output_length(branch, n, sizes) for branch in total.branches]


def test_the_two_size_sum_is_accepted_when_built_but_its_branches_differ_from_c_17():
    assert _branch_lengths(TWO_SIZES, 3, {"c": 8, "d": 8}) == [3, 3]
    assert _branch_lengths(TWO_SIZES, 3, {"c": 17, "d": 1}) == [2, 3]


def test_the_maxpool_sum_is_accepted_when_built_but_its_branches_differ_at_c_17():
    assert _branch_lengths(MAXPOOL, 0, {"c": 16}) == [1, 1]
    assert _branch_lengths(MAXPOOL, 0, {"c": 17}) == [0, 1]


@pytest.mark.parametrize("text, where", [(TWO_SIZES, "c = 16, d = 1"), (MAXPOOL, "c = 17")])
def test_a_statement_whose_sum_differs_at_a_larger_size_is_refused_not_proved(text, where):
    message = (r"the branches of \(.*\) give different lengths \[0, 1\] for an input of length 0 when "
               + re.escape(where) + r"; expected every branch to give the same length for every value of ")
    with pytest.raises(LengthMismatch, match=message):
        prove(text, text)


def test_shared_layers_around_such_a_sum_are_refused_too():
    lhs, rhs = f"({TWO_SIZES}) >> conv(a[2]) >> conv(b[2])", f"({TWO_SIZES}) >> conv(convolve(a, b))"
    with pytest.raises(LengthMismatch, match=r"when c = 16, d = 1; expected every branch"):
        prove(lhs, rhs)


def test_a_true_sum_with_two_generic_sizes_is_not_proved_by_the_shared_layers_without_a_decision():
    proof = prove(TWO_SIZES_EQUAL, TWO_SIZES_EQUAL)
    assert proof.verdict == "unknown"
    assert proof.note.endswith("give equal lengths at every size tried, but with several generic sizes (c, d) that "
                               "is not decided for every value, and a sum whose branches differ is no network; so "
                               "the shared layers prove nothing")


def test_sums_decided_exactly_when_built_are_still_proved_by_the_shared_layers():
    for text in ("conv(k[c], padding='same') + conv(h[3], padding=1)", "conv(k[3]) + (pad(1) >> conv(h[5]))",
                 "(conv2d(k[3, 3]) >> relu()) + (pad((1, 1)) >> conv2d(h[5, 5]) >> relu())"):
        assert check_sum_lengths(*parse_statement(text, text)) == "", text
        proof = prove(text, text)
        assert proof.verdict == "proved" and proof.note == "the same layers on both sides", text


def test_a_nested_sum_is_compared_too():
    text = f"(({TWO_SIZES}) >> conv(w[2])) + (({TWO_SIZES}) >> conv(v[2]))"  # the outer branches: the same rows
    with pytest.raises(LengthMismatch, match=r"when c = 16, d = 1"):
        check_sum_lengths(*parse_statement(text, text))


def test_two_generic_sizes_on_one_axis_of_a_2d_sum_are_compared_on_that_axis():
    branch = "up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d({}) >> down((16, 1))"
    text = f"({branch.format('k[c, 2]')}) + ({branch.format('h[d, 2]')})"
    with pytest.raises(LengthMismatch, match=r"give different lengths \[0, 1\] on axis 1 for an input of length 0 "
                                             r"when c = 16, d = 1; expected"):
        check_sum_lengths(*parse_statement(text, text))


def test_a_concrete_sum_whose_period_runs_past_the_scan_is_unknown_with_the_reason_not_proved():
    """Two branches that agree up to n = 1310720 and differ at 1310721 (2 and 1 samples): the sum is built (its
    check scans n <= 200000), but neither prover may split it off, and the kernel refuses it."""
    total = "(down(4096) >> down(64) >> down(5)) + (down(4096) >> down(64) >> down(6))"
    assert [output_length(b, 1310721) for b in parse_statement(total, total)[0].branches] == [2, 1]
    proof = prove(f"({total}) >> relu() >> conv(a[2]) >> conv(b[2])", f"({total}) >> relu() >> conv(convolve(a, b))")
    assert proof.verdict == "unknown"
    assert proof.note.startswith(f"the branches of {total} give equal lengths at every input length compared, but "
                                 f"input lengths compared up to 200000 only, short of one period past the last clamp: "
                                 f"that is not decided for every input length")


def test_a_sum_whose_branches_differ_within_one_period_of_the_scan_is_refused_when_built():
    """``down(4096) >> down(5)`` and ``>> down(6)`` differ first at n = 20481, within the period 122880 that the
    constructor now scans (it stopped at 20000 and built the sum)."""
    with pytest.raises(LengthMismatch, match=r"different lengths \[2, 1\] for an input of length 20481"):
        parse_statement("(down(4096) >> down(5)) + (down(4096) >> down(6))", "down(4096) >> down(5)")


def test_a_generic_2d_statement_on_a_sum_whose_branches_differ_is_refused_as_in_1d():
    """The generic N-D route (value by value, generic_interior_nd) answered `unknown` ("proved for c = 1..3,
    d = 1..3") where the 1-D splits raise LengthMismatch; it now compares the sums first too."""
    total = ("(up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d(k[c, 1]) >> down((16, 1))) + "
             "(up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d(h[d, 1]) >> down((16, 1)))")
    with pytest.raises(LengthMismatch, match=r"different lengths \[0, 1\] on axis 1 for an input of length 0 when "
                                             r"c = 16, d = 1"):
        prove(total, total)
