"""C0.3: batch norm (affine) and ReLU between the layers keep conv(q) on inputs bounded by B, and only there."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy

from symconv.core.kernel import literal
from symconv.core.layers import affine, conv, relu
from symconv.errors import InvalidArgument, KernelError
from symconv.factoring import batchnorm_relu_factorization
from symconv.numeric import evaluate_numeric

CASES = [
    ([1, -2, 3, 0, 4], (2, 4), None),
    ([1, -2, 3, 0, 4], (2, 4), 2),
    ([1, -2, 3, 0, 4], (3, 3), 2),
    ([1, -3, 3, -1], (2, 3), 1),
    ([2, 1, -1, 3], (3, 2), 2),
    ([1, 2, 1], (2, 2), 1),
    ([5, -1, 0, 2, 0, 3], (4, 3), 3),
]


def bounded_inputs(bound: Fraction, length: int, rng: random.Random, count: int = 12):
    """Random inputs in [-B, B], plus the corners +-B everywhere."""
    yield [bound] * length
    yield [-bound] * length
    yield [bound if i % 2 else -bound for i in range(length)]
    for _ in range(count):
        yield [Fraction(rng.randint(-1000, 1000), 1000) * bound for _ in range(length)]


@pytest.mark.parametrize("taps,sizes,channels", CASES)
@pytest.mark.parametrize("bound", [Fraction(1, 2), 1, 3])
def test_network_with_batchnorm_and_relu_equals_conv_q_on_bounded_inputs(taps, sizes, channels, bound):
    r = batchnorm_relu_factorization(taps, sizes, bound, channels=channels)
    network, reference = r.layers(), conv(literal(taps))
    rng = random.Random(len(taps) * 7 + sizes[0])
    for length in (len(taps), len(taps) + 5):
        for x in bounded_inputs(Fraction(bound), length, rng):
            got = evaluate_numeric(network, x, exact=True)
            assert (got == evaluate_numeric(reference, x, exact=True)).all()
            np.testing.assert_allclose(evaluate_numeric(network, [float(v) for v in x]),
                                       evaluate_numeric(reference, [float(v) for v in x]), atol=1e-9)


@pytest.mark.parametrize("taps,sizes,channels", CASES)
def test_an_input_beyond_the_bound_breaks_the_identity(taps, sizes, channels):
    r = batchnorm_relu_factorization(taps, sizes, 1, channels=channels)
    example = r.counterexample()
    assert example is not None
    assert max(abs(v) for v in example.input) > 1
    i = example.index
    assert example.network[i] != example.kernel[i]
    assert evaluate_numeric(r.layers(), list(example.input), exact=True)[0][i] == example.network[i]
    assert evaluate_numeric(conv(literal(taps)), list(example.input), exact=True)[0][i] == example.kernel[i]


def test_the_shift_is_the_bound_times_the_largest_first_layer_l1_norm():
    r = batchnorm_relu_factorization([1, -2, 3, 0, 4], (3, 3), 2, channels=2)
    # two-part split: channel 0 is [1, -2, 0] (l1 norm 3), channel 1 selects a shift (norm 1)
    assert r.shift == 6
    total = sum(v for t in r.factorization.second[0] for v in t)
    assert r.bias == -6 * total


def test_a_smaller_shift_fails_on_a_bounded_input():
    # Shift selection: every first-layer channel has l1 norm 1, so t = B is needed; t = B/2
    # lets x = -B (within the bound) through the ReLU as 0.
    r = batchnorm_relu_factorization([1, 2, 3], (2, 2), 1)
    assert r.shift == 1
    f = r.factorization
    half = sympy.Rational(1, 2)
    weak = conv(f.first_kernel) >> affine(1, half) >> relu() >> conv(f.second_kernel, bias=[-half * 6])
    x = [-1, -1, -1]
    assert evaluate_numeric(weak, x, exact=True)[0][0] != evaluate_numeric(conv(literal([1, 2, 3])), x,
                                                                            exact=True)[0][0]
    assert (evaluate_numeric(r.layers(), x, exact=True) == evaluate_numeric(conv(literal([1, 2, 3])), x,
                                                                            exact=True)).all()


def test_symbolic_kernel_gives_closed_forms_and_numbers_on_request():
    r = batchnorm_relu_factorization("q[4]", (2, 3), 2)
    q = sympy.symbols("q_0:4")
    assert r.shift == 2 and r.bias == sympy.expand(-2 * sum(q))
    values = {"q": [1, -1, 2, 5]}
    network = r.layers(values)
    rng = random.Random(3)
    for x in bounded_inputs(Fraction(2), 7, rng):
        assert (evaluate_numeric(network, x, exact=True)
                == evaluate_numeric(conv(literal(values["q"])), x, exact=True)).all()
    assert r.counterexample(values) is not None
    with pytest.raises(KernelError, match="give values for 'q'"):
        r.layers()


def test_statement_names_the_bound_the_shift_and_the_bias():
    text = batchnorm_relu_factorization([1, 2, 1], (2, 2), 3).statement()
    assert text == ("for every input x with |x_i| <= 3: conv(F) >> affine(1, 3) >> relu() >> conv(S, bias=[-12]) "
                    "equals conv([1, 2, 1])")
    assert "relu(h_c[i] + t) = h_c[i] + t" in batchnorm_relu_factorization([1, 2, 1], (2, 2), 3).argument()


def test_irrational_one_channel_weights_are_refused_with_a_hint():
    # Q = 1 - 2z + 3z^2 + 4z^4 has no real root; with sizes 3, 3 it splits into two irrational quadratics.
    with pytest.raises(InvalidArgument, match="irrational taps, and affine shifts and biases are rationals"):
        batchnorm_relu_factorization([1, -2, 3, 0, 4], (3, 3), 1, channels=1)


@pytest.mark.parametrize("bound", [0, -1, "2B", "", float("nan")])
def test_the_bound_must_be_a_positive_number_or_a_name(bound):
    with pytest.raises(InvalidArgument, match="bound=.* is invalid; expected a positive number B"):
        batchnorm_relu_factorization([1, 2, 1], (2, 2), bound)


def test_a_named_bound_is_proved_by_the_prover_under_the_assumption():
    r = batchnorm_relu_factorization([1, 3, 5, 7, 4], (2, 4), "B", channels=1)
    assert str(r.shift) == "2*B" and str(r.bias) == "-20*B"
    assert r.proof.verdict == "proved" and r.proof.assumptions[0].text == "abs(x) <= B"
    assert r.proof.steps[0].rule == "relu_identity_under_bound"
    assert r.to_json()["verdict"] == "proved"
    r = batchnorm_relu_factorization("q[4]", (2, 3), 3)
    assert r.proof.verdict == "proved" and r.to_json()["assumption"] == "abs(x) <= 3"


def test_symbolic_first_layer_taps_are_refused_with_the_channel_count_that_works():
    with pytest.raises(InvalidArgument, match=r"channels=2 is invalid.*e\.g\. 3 \(shift selection"):
        batchnorm_relu_factorization("q[6]", (3, 4), 2, channels=2)
    assert batchnorm_relu_factorization("q[6]", (3, 4), 2, channels=3).proof.verdict == "proved"
