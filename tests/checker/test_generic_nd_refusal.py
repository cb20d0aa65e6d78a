"""The kernel refuses, before any step runs, a certificate of an N-D statement with a generic size (``k[c, 3]``)
unless its rules handle generic sizes (generic_interior_nd, the rewrites drop_identity_layers, merge_branches and
padding_as_pad, and the split congruence): the others read the sizes as numbers."""

from __future__ import annotations

import re

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.errors import CertificateError

GENERIC = "conv2d(k[c, 3])"
WITH_ONE_BY_ONE = "conv2d(k[c, 3]) >> conv2d([[1]])"


def _certificate(lhs: str, rhs: str, steps: list) -> Certificate:
    obj = {"format": "symconv-certificate", "version": 2, "lhs": lhs, "rhs": rhs, "solved": [], "assumptions": [],
           "statement_hash": statement_hash(lhs, rhs, [], []), "steps": steps}
    return Certificate.from_json(obj)


def _refusal(index: int, rule: str, names: str = "c") -> str:
    return re.escape(f"step {index} ({rule}): the statement has the generic size {names} in an N-D kernel; rules "
                     f"other than congruence, drop_identity_layers, generic_interior_nd, merge_branches, padding_as_pad "
                     f"need concrete sizes")


@pytest.mark.parametrize("step", [
    {"rule": "product_bound", "axes": [[2, 1, 4], [2, 1, 4]]},
    {"rule": "flip_product_bound", "axes": [[2, 1, 4], [2, 1, 4]]},
    {"rule": "interior_operator", "axes": [[0, 1, 4], [0, 1, 4]], "shape": [3, 3]},
    {"rule": "eventual_periodicity", "period": 1, "start": 2, "limit": 4},
])
def test_a_closing_rule_that_reads_concrete_sizes_is_refused_by_name_for_a_generic_nd_size(step):
    with pytest.raises(CertificateError, match=_refusal(0, step["rule"])):
        replay(_certificate(GENERIC, WITH_ONE_BY_ONE, [step]))


def test_a_rewrite_before_the_closing_step_is_refused_first():
    steps = [{"rule": "flip_axes_conjugation", "side": "lhs"},
             {"rule": "product_bound", "axes": [[2, 1, 4], [2, 1, 4]]}]
    with pytest.raises(CertificateError, match=_refusal(0, "flip_axes_conjugation")):
        replay(_certificate("flip(axes=(0,)) >> " + GENERIC + " >> flip(axes=(0,))", WITH_ONE_BY_ONE, steps))


def test_a_split_of_identical_sides_holds_for_every_generic_nd_size():
    same = GENERIC + " >> relu()"
    theorem = replay(_certificate(same, same, [{"rule": "congruence", "lhs": 1, "rhs": 1}]))
    assert theorem.scope == "every c >= 1 and every input shape"


def test_a_split_whose_goal_is_closed_by_a_rule_that_reads_concrete_sizes_is_refused_by_name():
    steps = [{"rule": "congruence", "lhs": 1, "rhs": 2}, {"rule": "product_bound", "axes": [[2, 1, 4], [2, 1, 4]]}]
    with pytest.raises(CertificateError, match=_refusal(1, "product_bound")):
        replay(_certificate(GENERIC + " >> relu()", WITH_ONE_BY_ONE + " >> relu()", steps))


def test_every_generic_name_of_a_3d_statement_is_named():
    lhs, rhs = "conv3d(k[c, 3, d])", "conv3d(k[c, 3, d]) >> conv3d([[[1]]])"
    step = {"rule": "product_bound", "axes": [[2, 1, 4], [2, 1, 4], [2, 1, 4]]}
    with pytest.raises(CertificateError, match=_refusal(0, "product_bound", "c, d")):
        replay(_certificate(lhs, rhs, [step]))


def test_a_1d_generic_length_is_still_replayed_by_the_generic_argument():
    theorem = replay(_certificate("conv(k[c])", "conv(k[c]) >> pad(0)",
                                  [{"rule": "generic_argument", "symbol": "c", "period": 1}]))
    assert theorem.scope == "every c >= 1 and every input length"


def test_a_concrete_nd_statement_is_still_replayed():
    step = {"rule": "interior_operator", "axes": [[2, 1, 3], [3, 1, 4]], "shape": [3, 4]}
    theorem = replay(_certificate("conv2d(k[2, 3])", "conv2d(k[2, 3]) >> conv2d([[1]])", [step]))
    assert theorem.scope == "every input shape"
