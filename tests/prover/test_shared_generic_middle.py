"""An N-D statement with a generic size (``k[c, 3]``) whose sides share generic layers at both ends around a middle
with concrete sizes only: the middle is proved once as a concrete statement, and the kernel replays the two
``congruence`` splits and then the middle's concrete rules on the goal that has no generic size
(prover/shared_layers.py; checker/kernel.py refuses a rule that reads concrete sizes per goal)."""

from __future__ import annotations

import json

import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from tests.checker.tampering import rehash, rejection

ENDS = "conv2d(k[c, 3]) >> {} >> conv2d(k)"
#: Flipping both axes around a convolution is the convolution with the flipped kernel (outside the rule
#: generic_interior_nd, which takes no flip); true for every c.
TRUE = (ENDS.format("flip() >> conv2d(a[3, 3]) >> flip()"), ENDS.format("conv2d(flip(a[3, 3]))"))
#: The same middle without the flipped kernel: false, and visible through the shared ends at c = 1.
FALSE = (ENDS.format("flip() >> conv2d(a[3, 3]) >> flip()"), ENDS.format("conv2d(a[3, 3])"))
#: Flipping one axis only: false too.
ONE_AXIS = (ENDS.format("flip(axes=(0,)) >> conv2d(a[3, 3]) >> flip(axes=(0,))"),
            ENDS.format("conv2d(flip(a[3, 3]))"))


def _certificate(proof) -> dict:
    return json.loads(proof.certificate.dumps())


def test_a_true_concrete_middle_between_generic_ends_is_proved_for_every_c(rejections):
    proof = prove(*TRUE)
    assert proof.verdict == "proved", proof.note
    assert proof.note.startswith("by shared layers; between them: ")
    obj = _certificate(proof)
    assert [step["rule"] for step in obj["steps"]] == ["congruence", "congruence", "flip_axes_conjugation",
                                                       "interior_operator"]
    theorem = replay(Certificate.from_json(obj))
    assert theorem.scope == "every c >= 1 and every input shape" and theorem.rests_on == ()
    assert rejections == []


@pytest.mark.parametrize("lhs, rhs", [FALSE, ONE_AXIS])
def test_a_false_concrete_middle_between_generic_ends_is_refuted_at_c_1_with_a_counterexample(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted" and proof.note.startswith("with c = 1: ")
    example = proof.counterexample
    assert example is not None and example.sizes == (("c", 1),) and example.lhs != example.rhs


def test_the_certificate_stated_for_a_false_middle_is_rejected_by_the_middle_rule():
    obj = rehash(dict(_certificate(prove(*TRUE)), rhs=FALSE[1].replace("conv2d(k)", "conv2d(k[c, 3])")))
    assert rejection(obj).startswith("step 3 (interior_operator): ")


def test_a_concrete_rule_on_a_goal_that_still_has_the_generic_size_is_refused_by_name():
    obj = _certificate(prove(*TRUE))
    del obj["steps"][1]  # without the suffix split the goal still ends with conv2d(k[c, 3])
    assert rejection(obj) == ("step 1 (flip_axes_conjugation): the statement has the generic size c in an N-D kernel; "
                              "rules other than congruence, drop_identity_layers, generic_interior_nd, "
                              "merge_branches, padding_as_pad need concrete sizes")
