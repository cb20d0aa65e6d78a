"""The kernel's ``product_bound`` rule on chains that pad inside: every shape the prover compares is replayed.

The prover compares up to ``decide_nd.MAX_SHAPES`` shapes; the kernel evaluates as many (in the core's exact
ring), so a chain whose per-axis bounds multiply to more than 400 shapes is ``proved``, not ``unknown``.
"""

from __future__ import annotations

import json

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.residue_classes import MAX_CHECK_SHAPES
from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.decide_nd import MAX_SHAPES

A, B = "[[1, 2, 0], [3, 4, 1], [0, 1, 1]]", "[[1, -1, 0], [2, 1, 1], [0, 1, 2]]"
#: Two stride-3 layers that both pad: the per-axis bound is 23, so 529 shapes are compared.
PADDED = f"conv2d({A}, stride=3, padding=1) >> conv2d({B}, stride=3, padding=1)"
#: The same chain with its padding as layers.
PAD_LAYERS = f"pad((1, 1)) >> conv2d({A}, stride=3) >> pad((1, 1)) >> conv2d({B}, stride=3)"


def test_kernel_evaluates_as_many_shapes_as_the_prover_compares():
    assert MAX_CHECK_SHAPES == MAX_SHAPES


@pytest.fixture(scope="module")
def proof():
    return prove(PADDED, PAD_LAYERS)


def test_a_padded_chain_with_more_than_400_shapes_is_proved_and_replayed(proof):
    assert proof.verdict == "proved", proof.note
    [step] = json.loads(proof.certificate.dumps())["steps"]
    assert step["rule"] == "product_bound" and [a[2] for a in step["axes"]] == [23, 23]


def test_a_changed_tap_of_the_padded_chain_is_refuted():
    proof = prove(PADDED, PAD_LAYERS.replace("[0, 1, 2]]", "[0, 1, 3]]"))
    assert proof.verdict == "refuted"


def _certificate(lhs: str, rhs: str, axes: list) -> Certificate:
    obj = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "lhs": lhs, "rhs": rhs,
           "steps": [{"rule": "product_bound", "axes": axes}]}
    obj["statement_hash"] = statement_hash(lhs, rhs, [], [])
    return Certificate.from_json(obj)


def test_a_certificate_claiming_a_true_padded_identity_with_a_changed_tap_is_rejected(proof):
    axes = json.loads(proof.certificate.dumps())["steps"][0]["axes"]
    changed = PAD_LAYERS.replace("[0, 1, 2]]", "[0, 1, 3]]")
    with pytest.raises(CertificateError, match=r"the two sides differ at shape \(4, 4\)"):
        replay(_certificate(PADDED, changed, axes))


def test_more_shapes_than_the_kernel_evaluates_are_refused():
    with pytest.raises(CertificateError, match=r"41 x 41 shapes exceed what the checker evaluates \(1600\)"):
        replay(_certificate(PADDED, PADDED, [[23, 3, 41], [23, 3, 41]]))
