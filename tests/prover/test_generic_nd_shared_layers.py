"""Shared layers around an N-D statement with a generic size (``k[c, 3]``): the prover never builds a certificate
the kernel rejects (a spy on every replay of a search's certificate), and a shared suffix (``>> relu()``) around a
middle the rule ``generic_interior_nd`` proves gives ``proved`` for every c, by ``padding_as_pad``, ``congruence``
and that rule, which the kernel admits for generic N-D statements."""

from __future__ import annotations

import json

import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from tests.prover.test_generic_nd_wider import FALSE, TRUE

#: A shared suffix (nonlinear, or a padded convolution) after a middle with the generic size: true for every c.
SHARED_SUFFIX_TRUE = [
    ("conv2d(k[c, 3]) >> conv2d(g[2, 2]) >> relu()", "conv2d(g[2, 2]) >> conv2d(k[c, 3]) >> relu()"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2)) >> relu()",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2) >> relu()"),
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2)) >> maxpool2d(2)", "conv2d(k[c, 3]) >> up((2, 2)) >> maxpool2d(2)"),
]
#: Shared layers whose middle loses the generic size, or is false: never proved through the split.
SHARED_OTHER = [
    ("conv2d(a[2, 2]) >> conv2d(b[2, 2]) >> relu() >> conv2d(k[c, 3])",
     "conv2d(b[2, 2]) >> conv2d(a[2, 2]) >> relu() >> conv2d(k[c, 3])"),
    ("conv2d(k[c, 3]) >> conv2d(g[2, 2]) >> relu()", "conv2d(flip(g[2, 2])) >> conv2d(k[c, 3]) >> relu()"),
    ("conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1)) >> relu()",
     "pad((1, 1)) >> crop((1, 1)) >> conv2d(k[c, 3]) >> relu()"),
]


def test_no_generic_nd_prove_path_builds_a_certificate_the_kernel_rejects(rejections):
    for lhs, rhs in TRUE + FALSE + SHARED_SUFFIX_TRUE + SHARED_OTHER:
        proof = prove(lhs, rhs)
        assert "please report this" not in proof.note, (lhs, rhs, proof.note)
    assert rejections == []


@pytest.mark.parametrize("lhs, rhs", SHARED_SUFFIX_TRUE)
def test_a_shared_suffix_around_a_generic_middle_is_proved_for_every_c_by_a_congruence(lhs, rhs, rejections):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    rules = [step["rule"] for step in json.loads(proof.certificate.dumps())["steps"]]
    assert rules[-2:] == ["congruence", "generic_interior_nd"] and set(rules) <= {"padding_as_pad", "congruence",
                                                                                   "generic_interior_nd"}
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert theorem.scope == "every c >= 1 and every input shape" and theorem.rests_on == ()
    assert proof.steps[0].rule == "shared_layers" and proof.note.startswith("by shared layers; between them: proved "
                                                                            "for every c >= 1")
    assert rejections == []


def test_shared_layers_whose_middle_loses_the_generic_size_prove_it_once_as_a_concrete_statement(rejections):
    proof = prove(*SHARED_OTHER[0])
    assert proof.verdict == "proved" and proof.note.startswith("by shared layers; between them: ")
    rules = [step["rule"] for step in json.loads(proof.certificate.dumps())["steps"]]
    assert rules == ["congruence", "interior_operator"]
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert theorem.scope == "every c >= 1 and every input shape" and rejections == []


def test_a_false_middle_between_shared_layers_is_refuted_at_a_concrete_c():
    proof = prove(*SHARED_OTHER[1])
    assert proof.verdict == "refuted" and proof.note.startswith("with c = 1: ")
