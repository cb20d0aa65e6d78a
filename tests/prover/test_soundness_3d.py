"""The 3-D decision against brute force on identities of known truth, and 3-D stride compositions.

Truth labels come from the independent numpy evaluator on random integer
kernels and inputs, for every input shape up to 6 on each axis (and a few
larger ones). The decision must say proved for every true pair and ``prove``
must never refute one; every false pair must be refuted with a counterexample
(its shape ``n`` a list per axis) that the numeric evaluator reproduces.
"""

from __future__ import annotations

import functools
import itertools
import json

import numpy as np
import pytest

from symconv import prove
from symconv.checker import check_certificate
from symconv.dsl import parse_statement
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, random_bindings_nd
from symconv.prover.decide_nd import decide_nd, edge_free_geometry

AVG = "[[[1/8, 1/8], [1/8, 1/8]], [[1/8, 1/8], [1/8, 1/8]]]"

#: (family, lhs, rhs); a family with "/" is a mutation of the one before it.
PAIRS = [
    ("stride_composition", "conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)",
     "conv3d(convolve(k, dilate(k, 2)), stride=4)"),
    ("stride_composition/wrong_dilation", "conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)",
     "conv3d(convolve(k, dilate(k, 3)), stride=4)"),
    ("per_axis_strides", "conv3d(k[2, 3, 2], stride=(2, 1, 1)) >> conv3d(k, stride=(1, 2, 1))",
     "conv3d(convolve(k, dilate(k, (2, 1, 1))), stride=(2, 2, 1))"),
    ("per_axis_strides/axes_swapped", "conv3d(k[2, 3, 2], stride=(2, 1, 1)) >> conv3d(k, stride=(1, 2, 1))",
     "conv3d(convolve(k, dilate(k, (1, 2, 1))), stride=(2, 2, 1))"),
    ("padded_in_front", "pad((1, 1, 1)) >> conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)",
     "conv3d(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
    ("padded_in_front/one_side", "pad((1, 1, 1), (0, 0, 0)) >> conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)",
     "conv3d(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
    ("strided_is_down", "conv3d(k[2, 2, 2], stride=(2, 1, 2))", "conv3d(k) >> down((2, 1, 2))"),
    ("strided_is_down/wrong_phase", "conv3d(k[2, 2, 2], stride=(2, 1, 2))", "conv3d(k) >> down((2, 1, 2), (1, 0, 0))"),
    ("associativity", "conv3d(A[2, 1, 2, 1, 2]) >> conv3d(B[1, 2, 1, 2, 2])", "conv3d(convolve(A, B))"),
    ("associativity/flipped", "conv3d(A[2, 1, 2, 1, 2]) >> conv3d(B[1, 2, 1, 2, 2])", "conv3d(convolve(A, flip(B)))"),
    ("depthwise_stride", "conv3d(W[2, 1, 2, 2, 2], groups=2) >> down((2, 2, 2))", "conv3d(W, stride=2, groups=2)"),
    ("depthwise_stride/wrong_phase", "conv3d(W[2, 1, 2, 2, 2], groups=2) >> down((2, 2, 2), (0, 1, 0))",
     "conv3d(W, stride=2, groups=2)"),
    ("avgpool_is_conv", "avgpool3d(2)", f"conv3d({AVG}, stride=2)"),
    ("avgpool_is_conv/stride_one", "avgpool3d(2)", f"conv3d({AVG})"),
    ("noble_decimation", "down((2, 2, 2)) >> conv3d(k[2, 1, 2])", "conv3d(dilate(k, 2)) >> down((2, 2, 2))"),
    ("noble_decimation/undilated", "down((2, 2, 2)) >> conv3d(k[2, 1, 2])", "conv3d(k) >> down((2, 2, 2))"),
    ("crop_commutes", "conv3d(k[2, 2, 2]) >> crop((1, 0, 0))", "crop((1, 0, 0)) >> conv3d(k)"),
    ("crop_commutes/other_axis", "conv3d(k[2, 2, 2]) >> crop((1, 0, 0))", "crop((0, 1, 0)) >> conv3d(k)"),
]


@functools.lru_cache(maxsize=None)
def truth(lhs_text: str, rhs_text: str):
    """The first shape at which the sides differ on random integers, or None."""
    lhs, rhs = parse_statement(lhs_text, rhs_text)
    channels = lhs.in_channels or rhs.in_channels or 1
    rng = np.random.default_rng(1)
    shapes = list(itertools.product(range(0, 7), repeat=3)) + [(9, 10, 11), (12, 9, 13)]
    for shape in shapes:
        for _ in range(2):
            bindings = random_bindings_nd([lhs, rhs], rng)
            x = rng.integers(-3, 4, size=(channels,) + shape).astype(float)
            a, b = evaluate_nd_numeric(lhs, x, bindings), evaluate_nd_numeric(rhs, x, bindings)
            if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-9):
                return shape
    return None


@pytest.mark.parametrize("family, lhs, rhs", PAIRS, ids=[p[0] for p in PAIRS])
def test_the_3d_decision_agrees_with_brute_force(family, lhs, rhs):
    differs_at = truth(lhs, rhs)
    left, right = parse_statement(lhs, rhs)
    decision = decide_nd(left, right)
    proof = prove(lhs, rhs)
    if differs_at is None:
        assert decision.verdict == "proved", decision.reason
        assert proof.verdict == "proved", proof.note  # the kernel replayed product_bound or interior_operator
        rules = [step.rule.value for step in proof.certificate.steps]
        assert rules == (["interior_operator"] if decision.interior_shape is not None else ["product_bound"])
        check_certificate(proof.certificate)
    else:
        assert decision.verdict == "refuted" and proof.verdict == "refuted", (proof.verdict, proof.note)
        c = proof.counterexample
        assert len(c.n) == 3 and json.loads(json.dumps(proof.to_json()))["counterexample"]["n"] == list(c.n)
        x = np.array(c.input, dtype=object).reshape((left.in_channels or 1,) + tuple(c.n))
        a = evaluate_nd_numeric(left, x, c.kernels, exact=True)
        b = evaluate_nd_numeric(right, x, c.kernels, exact=True)
        assert a.shape != b.shape or (a != b).any()


def test_the_3d_pairs_are_mixed_and_edge_free():
    labels = [truth(lhs, rhs) is None for _, lhs, rhs in PAIRS]
    assert sum(labels) >= 8 and len(labels) - sum(labels) >= 8
    assert all(edge_free_geometry(side) for _, lhs, rhs in PAIRS for side in parse_statement(lhs, rhs))


def test_3d_stride_composition_of_3x3x3_kernels_is_decided_and_a_mutation_refuted():
    lhs = "conv3d(k[3, 3, 3], stride=2) >> conv3d(k, stride=2)"
    decision = decide_nd(*parse_statement(lhs, "conv3d(convolve(k, dilate(k, 2)), stride=4)"))
    assert decision.verdict == "proved" and decision.interior_shape == (11, 11, 11)
    wrong = prove(lhs, "conv3d(convolve(flip(k), dilate(k, 2)), stride=4)")
    assert wrong.verdict == "refuted" and len(wrong.counterexample.n) == 3


def test_2d_stride_4_composition_is_decided_by_one_interior_shape():
    decision = decide_nd(*parse_statement("conv2d(k[7, 7], stride=4) >> conv2d(k, stride=4)",
                                          "conv2d(convolve(k, dilate(k, 4)), stride=16)"))
    assert decision.verdict == "proved" and decision.interior_shape == (47, 47) and decision.shapes_checked == 1


def test_padding_between_layers_is_not_edge_free():
    lhs, _ = parse_statement("conv3d(k[2, 2, 2], stride=2, padding=1) >> conv3d(k, stride=2, padding=1)", "conv3d(k)")
    assert edge_free_geometry(lhs) is None
    left, _ = parse_statement("conv3d(k[3, 2, 2], stride=(2, 1, 1), padding=(1, 0, 0)) >> conv3d(k)", "conv3d(k)")
    g = edge_free_geometry(left)
    assert (g.stride, g.offset, g.field) == ((2, 1, 1), (1, 0, 0), (7, 3, 3))
