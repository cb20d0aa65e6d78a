"""A sum accepted when it was built may give branches of different lengths at a larger generic size
(tests/prover/test_shared_layers_sums.py): the congruence proof (prover/congruence.py) compares every sum's branch
lengths again, refuses a statement whose sum differs, says ``unknown`` where a sum is not decided, and never
``proved`` for such a statement; statements whose sums are decided are still proved by congruence."""

from __future__ import annotations

import json

import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from symconv.dsl import parse_statement
from symconv.errors import LengthMismatch
from symconv.prover.congruence import prove_by_congruence

#: The sums of tests/prover/test_shared_layers_sums.py: accepted when built, branches differ at c = 16 / c = 17.
TWO_SIZES = "(up(16) >> pad(0, 15) >> conv(k[c]) >> down(16)) + (up(16) >> pad(0, 15) >> conv(h[d]) >> down(16))"
MAXPOOL = ("(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(k[c]) >> down(17)) + "
           "(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(h[3]) >> down(17))")
#: The same two-size sum on axis 1 of a 2-D statement.
TWO_SIZES_2D = ("(up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d(k[c, 2]) >> down((16, 1))) + "
                "(up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d(h[d, 2]) >> down((16, 1)))")
#: Equal branch lengths for every c, d (n - c - d + 2), which the check cannot decide for every value of both.
TWO_SIZES_EQUAL = "(conv(k[c]) >> conv(h[d])) + conv(convolve(h, k))"

#: The max-pool sum is the shared nonlinear layer; the two-size sum sits before a shared relu().
MAXPOOL_STATEMENT = (f"({MAXPOOL}) >> conv(a[2]) >> conv(b[2])", f"({MAXPOOL}) >> conv(convolve(a, b))")
TWO_SIZES_STATEMENT = (f"({TWO_SIZES}) >> relu() >> conv(a[2]) >> conv(b[2])",
                       f"({TWO_SIZES}) >> relu() >> conv(convolve(a, b))")

MAXPOOL_MISMATCH = ("the branches of (maxpool(2, stride=1, padding=1) >> up(1...>> pad(0, 16) >> conv(h[3]) >> "
                    "down(17)) give different lengths [0, 1] for an input of length 0 when c = 17; expected every "
                    "branch to give the same length for every value of c")
TWO_SIZES_MISMATCH = ("the branches of (up(16) >> pad(0, 15) >> conv(k[c]) >> d...>> pad(0, 15) >> conv(h[d]) >> "
                      "down(16)) give different lengths [0, 1] for an input of length 0 when c = 16, d = 1; expected "
                      "every branch to give the same length for every value of c, d")
UNDECIDED_NOTE = ("the branches of (conv(k[c]) >> conv(h[d])) + conv(convolve(h[d], k[c])) give equal lengths at "
                  "every size tried, but with several generic sizes (c, d) that is not decided for every value, and a "
                  "sum whose branches differ is no network; so the congruence proves nothing")


@pytest.mark.parametrize("statement, message", [(MAXPOOL_STATEMENT, MAXPOOL_MISMATCH),
                                                (TWO_SIZES_STATEMENT, TWO_SIZES_MISMATCH)])
def test_a_congruence_around_a_sum_whose_branches_differ_at_a_larger_size_is_refused_not_proved(statement, message):
    with pytest.raises(LengthMismatch) as raised:
        prove(*statement)
    assert str(raised.value) == message


@pytest.mark.parametrize("statement, message", [(MAXPOOL_STATEMENT, MAXPOOL_MISMATCH),
                                                (TWO_SIZES_STATEMENT, TWO_SIZES_MISMATCH)])
def test_prove_by_congruence_itself_compares_the_sums_before_it_splits(statement, message):
    with pytest.raises(LengthMismatch) as raised:
        prove_by_congruence(*parse_statement(*statement))
    assert str(raised.value) == message


def test_prove_by_congruence_compares_a_2d_sum_on_each_axis():
    lhs = f"({TWO_SIZES_2D}) >> relu() >> conv2d(a[2, 2]) >> conv2d(b[2, 2])"
    rhs = f"({TWO_SIZES_2D}) >> relu() >> conv2d(convolve(a, b))"
    with pytest.raises(LengthMismatch) as raised:
        prove_by_congruence(*parse_statement(lhs, rhs))
    assert str(raised.value) == ("the branches of (up((16, 1)) >> pad((0, 0), (15, 0)) >> ...0)) >> conv2d(h[d, 2]) >> "
                                 "down((16, 1))) give different lengths [0, 1] on axis 1 for an input of length 0 "
                                 "when c = 16, d = 1; expected every branch to give the same length for every value "
                                 "of c, d")


def test_a_congruence_around_an_undecided_sum_is_unknown_with_the_reason():
    lhs = f"({TWO_SIZES_EQUAL}) >> relu() >> conv(a[2]) >> conv(b[2])"
    rhs = f"({TWO_SIZES_EQUAL}) >> relu() >> conv(convolve(a, b))"
    direct = prove_by_congruence(*parse_statement(lhs, rhs))
    assert (direct.verdict, direct.note, direct.certificate) == ("unknown", UNDECIDED_NOTE, None)
    proof = prove(lhs, rhs)
    assert (proof.verdict, proof.note) == ("unknown", UNDECIDED_NOTE)


def test_an_undecided_sum_does_not_hide_a_counterexample_after_the_shared_relu():
    proof = prove(f"({TWO_SIZES_EQUAL}) >> relu() >> conv([1])", f"({TWO_SIZES_EQUAL}) >> relu() >> conv([2])")
    assert proof.verdict == "refuted"
    assert proof.counterexample is not None


#: ``(lhs, rhs, the scope of the kernel's theorem)``.
WELL_FORMED = [
    # one generic size, decided exactly when built
    ("(conv(k[c], padding='same') + conv(h[3], padding=1)) >> relu() >> conv(a[2]) >> conv(b[2])",
     "(conv(k[c], padding='same') + conv(h[3], padding=1)) >> relu() >> conv(convolve(a, b))",
     "every c >= 1 and every input length"),
    # a concrete max-pool sum as the shared nonlinear layer
    ("((maxpool(2) >> conv([1, 2])) + (maxpool(2) >> conv([1]) >> crop(0, 1))) >> conv(a[2]) >> conv(b[2])",
     "((maxpool(2) >> conv([1, 2])) + (maxpool(2) >> conv([1]) >> crop(0, 1))) >> conv(convolve(a, b))",
     "every input length"),
    # 2-D
    ("(conv2d(k[3, 3]) + (pad((1, 1)) >> conv2d(h[5, 5]))) >> relu() >> conv2d(a[2, 2]) >> conv2d(b[2, 2])",
     "(conv2d(k[3, 3]) + (pad((1, 1)) >> conv2d(h[5, 5]))) >> relu() >> conv2d(convolve(a, b))",
     "every input shape"),
]


@pytest.mark.parametrize("lhs, rhs, scope", WELL_FORMED)
def test_a_true_statement_whose_sums_are_decided_is_still_proved_by_congruence(lhs, rhs, scope):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.steps[0].rule == "congruence" and proof.note.startswith("by congruence at ")
    assert replay(Certificate.from_json(json.loads(proof.certificate.dumps()))).scope == scope
