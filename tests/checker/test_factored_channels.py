"""``factored_interior`` with channels (Lemma M): matrix factors in order, scalar factors as a multiset.

Deep chains of multi-channel convolutions against one layer with the nested ``convolve`` kernel are proved
without expanding; the same chains with two weights swapped (matrices do not commute) are refuted quickly, by
an exact numeric counterexample found before the exact decision.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from symconv.checker import CertificateStep, Rule, replay
from symconv.checker.factored_interior import factored_form, matrix_factors, rule_factored_interior
from symconv.checker.periodicity import equal_at
from symconv.core.kernel import kernel
from symconv.core.kernel_expr import convolve, dilate
from symconv.core.layers import conv
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover import prove
from symconv.prover.certify import factored_interior_certificate


def closing_step(period: int, start: int, limit: int) -> CertificateStep:
    return CertificateStep(Rule.FACTORED_INTERIOR, (("limit", limit), ("period", period), ("start", start)))


def chain_statement(layers: int, weight: str = "W{}[3, 3, 3]", swap: bool = False, conv_name: str = "conv"):
    """``conv(W0) >> ... >> conv(W(L-1))`` against ``conv(convolve(...convolve(W0, W1)..., W(L-1)))``;
    ``swap`` puts W1 before W0 in the nested kernel (a different product: matrices do not commute)."""
    names = [f"W{i}" for i in range(layers)]
    lhs = " >> ".join(f"{conv_name}({weight.format(i)})" for i in range(layers))
    nested = "convolve(W1, W0)" if swap else "convolve(W0, W1)"
    for name in names[2:]:
        nested = f"convolve({nested}, {name})"
    return lhs, f"{conv_name}({nested})"


def test_matrix_factors_keep_the_order_the_layers_apply_them():
    a, b, k = kernel("A", 2, 1, 3), kernel("B", 1, 2, 2), kernel("k", 2)
    scalars, sequence = matrix_factors(convolve(convolve(k, a), dilate(b, 2)))
    assert dict(scalars) == {(k, 1): 1}
    assert sequence == [(a, 1), (b, 2)]


def test_an_eight_layer_chain_with_channels_is_proved_by_the_factored_rule():
    lhs, rhs = parse_statement(*chain_statement(8))
    certificate = factored_interior_certificate(lhs, rhs)
    assert certificate is not None and replay(certificate).scope == "every input length"
    proof = prove(*chain_statement(8))
    assert proof.verdict == "proved"
    assert [step.rule for step in proof.certificate.steps] == [Rule.FACTORED_INTERIOR]


def test_swapped_matrix_factors_are_refused_by_the_rule_and_differ():
    lhs, rhs = parse_statement(*chain_statement(3, swap=True))
    with pytest.raises(CertificateError, match="the interior kernels have different factors"):
        rule_factored_interior([lhs, rhs], closing_step(1, 7, 8), "step 0")
    assert any(not equal_at(lhs, rhs, n) for n in range(7, 12))


def test_a_scalar_factor_commutes_with_the_matrices():
    # k is one channel in, one out: k(z) B(z) A(z) = B(z) A(z) k(z), wherever it sits
    lhs, rhs = "conv(k[3]) >> conv(A[2, 1, 3]) >> conv(B[1, 2, 2])", "conv(A[2, 1, 3]) >> conv(B[1, 2, 2]) >> conv(k)"
    left, right = parse_statement(lhs, rhs)
    assert factored_form(left, "lhs") == factored_form(right, "rhs")
    assert rule_factored_interior([left, right], closing_step(1, 6, 7), "step 0") == "every input length"
    assert all(equal_at(left, right, n) for n in range(0, 12))


@pytest.mark.parametrize("layers", [3, 6])
def test_a_deep_false_chain_with_channels_is_refuted_by_an_exact_counterexample(layers):
    lhs, rhs = chain_statement(layers, swap=True)
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    example = proof.counterexample
    left, right = parse_statement(lhs, rhs)
    x = np.array(example.input, dtype=object)
    a = evaluate_numeric(left, x, example.kernels, exact=True)
    b = evaluate_numeric(right, x, example.kernels, exact=True)
    assert a.shape == b.shape and (a != b).any()


def test_a_2d_chain_with_channels_is_proved_and_its_swap_refuted_with_a_counterexample_that_reproduces():
    lhs, rhs = chain_statement(6, "W{}[2, 2, 2, 2]", conv_name="conv2d")
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved"
    assert [step.rule for step in proof.certificate.steps] == [Rule.FACTORED_INTERIOR]
    lhs, rhs = chain_statement(4, "W{}[2, 2, 2, 2]", swap=True, conv_name="conv2d")
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    example = proof.counterexample
    left, right = parse_statement(lhs, rhs)
    x = np.array(example.input, dtype=object)
    a, b = (evaluate_nd_numeric(side, x, example.kernels, exact=True) for side in (left, right))
    assert a.shape == b.shape and a[example.index] != b[example.index]


def _random_weight(rng: random.Random, names: dict, channels_in: int, channels_out: int):
    name = f"W{len(names)}"
    names[name] = kernel(name, channels_out, channels_in, rng.randint(1, 3))
    return names[name]


def test_accepted_random_pairs_with_channels_agree_with_the_exact_semantics():
    """Random chains (channels 1-2, strides, dilations), against their nested one-layer form or a random
    permutation of their layers: every pair the rule accepts is equal at every n checked."""
    rng = random.Random(5)
    accepted = rejected = 0
    for _ in range(40):
        names: dict = {}
        channels = [rng.randint(1, 2) for _ in range(rng.randint(3, 4))]
        layers = [conv(_random_weight(rng, names, c_in, c_out), stride=rng.choice((1, 1, 2)),
                       dilation=rng.choice((1, 2))) for c_in, c_out in zip(channels, channels[1:])]
        lhs = layers[0]
        for layer in layers[1:]:
            lhs = lhs >> layer
        nested, stride = None, 1
        for layer in layers:
            factor = layer.weight if layer.dilation * stride == 1 else dilate(layer.weight, layer.dilation * stride)
            nested = factor if nested is None else convolve(nested, factor)
            stride *= layer.stride
        rhs = conv(nested, stride=stride)
        if rng.random() < 0.4:  # a permutation of the same layers: equal only when the channels allow and commute
            order = layers[:]
            rng.shuffle(order)
            if all(a.weight.out_channels == b.weight.in_channels for a, b in zip(order, order[1:])):
                rhs = order[0]
                for layer in order[1:]:
                    rhs = rhs >> layer
        certificate = factored_interior_certificate(lhs, rhs)
        if certificate is None:
            rejected += 1
            continue
        step = certificate.steps[0]
        assert rule_factored_interior([lhs, rhs], step, "step 0") == "every input length"
        accepted += 1
        for n in range(0, step.get("limit") + 4):
            assert equal_at(lhs, rhs, n), (lhs, rhs, n)
    assert accepted >= 15 and rejected >= 1
