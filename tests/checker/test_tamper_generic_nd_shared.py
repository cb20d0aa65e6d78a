"""Tampered certificates of N-D statements with a generic size that use ``padding_as_pad`` and ``congruence`` (which
the kernel admits for such statements, :data:`symconv.checker.kernel.GENERIC_ND_RULES`): a false cut, a changed
layer, a goal left open, a goal closed by a rule that reads concrete sizes, and a false statement are refused."""

from __future__ import annotations

import copy
import json

import pytest

from symconv.checker import Certificate, replay
from symconv.checker.kernel import GENERIC_ND_RULES
from tests.checker.tampering import proved_certificate_text, rehash, rejection

#: A shared relu() after a generic middle (congruence), and the same with padding written as pad() first.
SOURCES = {
    "suffix": ("conv2d(k[c, 3]) >> conv2d(g[2, 2]) >> relu()", "conv2d(g[2, 2]) >> conv2d(k[c, 3]) >> relu()"),
    "padded": ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2)) >> relu()",
               "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2) >> relu()"),
}


def valid(name: str) -> dict:
    return json.loads(proved_certificate_text(*SOURCES[name]))


def test_the_kernel_admits_the_rewrite_and_the_split_for_generic_nd_statements():
    assert {"padding_as_pad", "congruence"} <= GENERIC_ND_RULES
    assert [s["rule"] for s in valid("suffix")["steps"]] == ["congruence", "generic_interior_nd"]
    assert [s["rule"] for s in valid("padded")["steps"]] == ["padding_as_pad", "congruence", "generic_interior_nd"]
    for name in SOURCES:
        assert replay(Certificate.from_json(valid(name))).scope == "every c >= 1 and every input shape"


def test_a_cut_at_layers_that_differ_is_rejected():
    obj = valid("suffix")
    obj["steps"][0]["lhs"] = 1
    assert rejection(obj) == ("step 0 (congruence): layer 1 of lhs, conv2d(g[2, 2]), and layer 2 of rhs, relu(), "
                              "differ; expected the same layer on both sides")


def test_a_cut_that_leaves_a_goal_without_the_generic_size_is_not_closed_by_the_generic_rule():
    obj = rehash(dict(valid("suffix"), lhs="conv2d(k[c, 3]) >> relu() >> conv2d(g[2, 2])",
                       rhs="conv2d(k[c, 3]) >> relu() >> conv2d(flip(g[2, 2]))"))
    obj["steps"][0].update(lhs=1, rhs=1)
    assert rejection(obj).startswith("step 1 (generic_interior_nd): the statement has the generic sizes []; the rule "
                                     "takes exactly one, c")


def test_a_goal_of_the_split_closed_by_a_rule_that_reads_concrete_sizes_is_rejected():
    obj = valid("suffix")
    obj["steps"][1] = {"rule": "eventual_periodicity", "limit": 9, "period": 1, "start": 4, "statement": "tampered"}
    assert rejection(obj).startswith("step 1 (eventual_periodicity): the statement has the generic size c in an N-D "
                                     "kernel; rules other than congruence, drop_identity_layers, generic_interior_nd, "
                                     "merge_branches, padding_as_pad need concrete sizes")


def test_a_split_whose_goal_is_left_open_is_rejected():
    obj = valid("suffix")
    del obj["steps"][1]
    assert rejection(obj).startswith("the certificate ends before the statement is closed")


def test_padding_as_pad_left_out_makes_the_cut_fall_on_other_layers():
    obj = valid("padded")
    del obj["steps"][0]
    assert rejection(obj).startswith("step 0 (congruence): ")


def test_padding_as_pad_on_sides_without_padding_is_rejected():
    obj = valid("suffix")
    obj["steps"].insert(0, {"rule": "padding_as_pad", "statement": "tampered"})
    assert rejection(obj) == "step 0 (padding_as_pad): no convolution of either side has zero padding to write as pad()"


#: Changes of the statement that make it false, each in the part the split leaves to the generic rule.
STATEMENT_CHANGES = [
    ("suffix", "rhs", "conv2d(g[2, 2])", "conv2d(flip(g[2, 2]))"),
    ("suffix", "lhs", "conv2d(k[c, 3])", "conv2d(k[c, 3], stride=(1, 2))"),
    ("padded", "rhs", "stride=2", "stride=(2, 1)"),
    ("padded", "lhs", "conv2d(g[3, 3], padding=1)", "conv2d(g[3, 3], padding=(1, 0))"),
]


@pytest.mark.parametrize("name, side, old, new", STATEMENT_CHANGES)
def test_a_false_statement_with_the_same_steps_is_rejected(name, side, old, new):
    obj = valid(name)
    assert old in obj[side]
    obj[side] = obj[side].replace(old, new, 1)
    assert rejection(copy.deepcopy(obj)).startswith("statement hash")
    message = rejection(rehash(obj))
    assert "(generic_interior_nd)" in message or "(congruence)" in message, message
