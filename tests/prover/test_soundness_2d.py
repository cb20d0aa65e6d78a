"""The 2-D prover against brute force on generated identities of known truth.

Truth labels come from the independent numpy evaluator on random integer
kernels and inputs (float64, differences above 1e-9 count), for every input shape up to
a generous bound per axis; a false pair differs for almost every random draw,
so three draws per shape label it reliably. ``prove`` must prove every true
pair (with a certificate the core re-checks) and refute every false one with a
counterexample that the numeric evaluator reproduces.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pytest

from symconv import prove
from symconv.core.layers_nd import axis_chain
from symconv.dsl import parse_statement
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, random_bindings_nd
from symconv.checker import check_certificate


@dataclass(frozen=True)
class Pair:
    family: str
    lhs: str
    rhs: str


def pairs() -> list[Pair]:
    out = []
    for s, t, c in ((2, 2, 2), (2, 1, 3), (1, 2, 2), (3, 1, 2)):
        lhs = f"conv2d(k[{c}, {c}], stride={s}) >> conv2d(k, stride={t})"
        out += [Pair("stride_composition", lhs, f"conv2d(convolve(k, dilate(k, {s})), stride={s * t})"),
                Pair("stride_composition/wrong_dilation", lhs, f"conv2d(convolve(k, dilate(k, {s + 1})), stride={s * t})")]
    out += [
        Pair("stride_composition/padded_once", "pad((1, 1)) >> conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)",
             "conv2d(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
        Pair("stride_composition/padded_between", "conv2d(k[3, 3], stride=2, padding=1) >> conv2d(k, stride=2, padding=1)",
             "conv2d(convolve(k, dilate(k, 2)), stride=4, padding=3)"),
        Pair("strided_is_down", "conv2d(k[3, 2], stride=(2, 3), padding=(1, 0))",
             "conv2d(k, padding=(1, 0)) >> down((2, 3))"),
        Pair("strided_is_down/wrong_phase", "conv2d(k[3, 2], stride=(2, 3))", "conv2d(k) >> down((2, 3), (1, 0))"),
        Pair("strided_is_down/axes_swapped", "conv2d(k[3, 2], stride=(2, 3))", "conv2d(k) >> down((3, 2))"),
        Pair("associativity", "conv2d(A[2, 1, 2, 3]) >> conv2d(B[1, 2, 3, 2])", "conv2d(convolve(A, B))"),
        Pair("associativity/flipped", "conv2d(A[2, 1, 2, 3]) >> conv2d(B[1, 2, 3, 2])", "conv2d(convolve(A, flip(B)))"),
        Pair("commutativity", "conv2d(a[2, 3]) >> conv2d(b[3, 2])", "conv2d(b) >> conv2d(a)"),
        Pair("commutativity/flipped", "conv2d(a[2, 3]) >> conv2d(b[3, 2])", "conv2d(b) >> conv2d(flip(a))"),
        Pair("dilation", "conv2d(k[2, 3], dilation=(2, 1))", "conv2d(dilate(k, (2, 1)))"),
        Pair("dilation/wrong_axis", "conv2d(k[2, 3], dilation=(2, 1))", "conv2d(dilate(k, (1, 2)))"),
        Pair("noble_decimation", "down((2, 2)) >> conv2d(k[2, 3])", "conv2d(dilate(k, 2)) >> down((2, 2))"),
        Pair("noble_decimation/undilated", "down((2, 2)) >> conv2d(k[2, 3])", "conv2d(k) >> down((2, 2))"),
        Pair("noble_interpolation", "conv2d(k[2, 2]) >> up((2, 3))", "up((2, 3)) >> conv2d(dilate(k, (2, 3)))"),
        Pair("noble_interpolation/wrong_factor", "conv2d(k[2, 2]) >> up((2, 3))", "up((2, 3)) >> conv2d(dilate(k, 2))"),
        Pair("repvgg", "conv2d(k[3, 3], padding=1) + conv2d(j[1, 1])", "conv2d(k + padk(j, 1), padding=1)"),
        Pair("repvgg/offset", "conv2d(k[3, 3], padding=1) + conv2d(j[1, 1])",
             "conv2d(k + padk(j, (0, 1), (2, 1)), padding=1)"),
        Pair("crop_equivariance/rows", "crop((1, 0), (0, 0)) >> conv2d(W[2, 2, 2, 2])",
             "conv2d(W) >> crop((1, 0), (0, 0))"),
        Pair("crop_equivariance/strided_rows", "crop((2, 0), (0, 0)) >> conv2d(k[3, 3], stride=2)",
             "conv2d(k, stride=2) >> crop((1, 0), (0, 0))"),
        Pair("crop_equivariance/wrong_axis", "crop((1, 0), (0, 0)) >> conv2d(W[2, 2, 2, 2])",
             "conv2d(W) >> crop((0, 1), (0, 0))"),
        Pair("bias_commutes", "conv2d(W[2, 1, 2, 2], bias=[1, -2]) >> down((2, 1))",
             "conv2d(W, stride=(2, 1), bias=[1, -2])"),
        Pair("bias_commutes/padded", "conv2d(W[2, 1, 2, 2], padding=1, bias=[1, -2])",
             "pad((1, 1)) >> conv2d(W, bias=[1, -2])"),
        Pair("bias/wrong_value", "conv2d(W[2, 1, 2, 2], bias=[1, -2]) >> down((2, 1))",
             "conv2d(W, stride=(2, 1), bias=[1, 2])"),
        Pair("pad_crop", "pad((1, 2), (0, 1)) >> crop((1, 2), (0, 1))", "pad((0, 0))"),
        Pair("pad_crop/unbalanced", "pad((1, 2), (0, 1)) >> crop((1, 1), (0, 2))", "pad((0, 0))"),
        Pair("up_down", "up((2, 3)) >> down((2, 3))", "pad((0, 0))"),
        Pair("down_up", "down((2, 2)) >> up((2, 2))", "pad((0, 0))"),
        Pair("avgpool_is_conv", "avgpool2d((2, 3), stride=(2, 1), padding=(1, 1))",
             "conv2d([[1/6, 1/6, 1/6], [1/6, 1/6, 1/6]], stride=(2, 1), padding=(1, 1))"),
        Pair("avgpool_is_conv/wrong_stride", "avgpool2d(2)", "conv2d([[1/4, 1/4], [1/4, 1/4]], stride=(2, 1))"),
        Pair("avgpool_twice", "avgpool2d(2) >> avgpool2d(2)", "avgpool2d(4)"),
        Pair("avgpool_twice/overlapping", "avgpool2d(2, 1) >> avgpool2d(2, 1)", "avgpool2d(3, 1)"),
    ]
    return out


PAIRS = pairs()


def _limit(layer) -> int:
    total = 0
    for axis in (0, 1):
        for step in axis_chain(layer, axis).layers():
            total += sum(getattr(step, f, 0) or 0 for f in ("stride", "factor", "left", "right", "size"))
            total += getattr(step.weight, "length", 0) if hasattr(step, "weight") else 0
    return min(22, 8 + 2 * total)


@functools.lru_cache(maxsize=None)
def truth(p: Pair):
    """The first shape (n1, n2) at which the sides differ on random integers, or None."""
    lhs, rhs = parse_statement(p.lhs, p.rhs)
    limit = max(_limit(lhs), _limit(rhs))
    channels = lhs.in_channels or rhs.in_channels or 1
    rng = np.random.default_rng(1)
    for n1 in range(0, limit):
        for n2 in range(0, limit):
            for _ in range(3):
                bindings = random_bindings_nd([lhs, rhs], rng)
                x = rng.integers(-3, 4, size=(channels, n1, n2)).astype(float)
                a, b = evaluate_nd_numeric(lhs, x, bindings), evaluate_nd_numeric(rhs, x, bindings)
                if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-9):  # 1/6 is inexact in float64
                    return (n1, n2)
    return None


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{i:02d}-{p.family}" for i, p in enumerate(PAIRS)])
def test_prove_2d_agrees_with_brute_force(pair: Pair):
    differs_at = truth(pair)
    proof = prove(pair.lhs, pair.rhs)
    if differs_at is None:
        assert proof.verdict == "proved", (proof.verdict, proof.note)
        assert proof.certificate is not None
        check_certificate(proof.certificate)
    else:
        assert proof.verdict == "refuted", (proof.verdict, proof.note, differs_at)
        c = proof.counterexample
        lhs, rhs = parse_statement(pair.lhs, pair.rhs)
        x = np.array(c.input, dtype=object)
        a = evaluate_nd_numeric(lhs, x, c.kernels, exact=True)
        b = evaluate_nd_numeric(rhs, x, c.kernels, exact=True)
        assert a.shape != b.shape or (a != b).any()


def test_the_2d_pairs_are_mixed():
    labels = [truth(p) is None for p in PAIRS]
    assert sum(labels) >= 12 and len(labels) - sum(labels) >= 12
