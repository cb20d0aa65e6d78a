"""maxpool2d, relu and affine in 2-D chains: core, numpy and PyTorch agree; prove checks or refutes; derive."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symconv import derive
from symconv.core.kernel import kernel
from symconv.core.layers_nd import conv2d, maxpool2d, output_shape
from symconv.core.nonlinear import affine, relu
from symconv.dsl import parse_chain
from symconv.errors import ChainError, InvalidArgument
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover import prove

from tests.numeric.test_evaluate_nd import check_against_core, inputs

small = st.tuples(st.integers(1, 3), st.integers(1, 3))


@st.composite
def maxpools(draw, inside: bool = False):
    """A random ``maxpool2d``; ``inside``: every window reads a real sample (no -inf to multiply by 0 later)."""
    size, stride, dilation = draw(small), draw(small), draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    padding = tuple(draw(st.integers(0, k // 2)) for k in size)
    if inside:
        dilation = tuple(d if p == 0 else 1 for d, p in zip(dilation, padding))
    return maxpool2d(size, stride, padding, dilation)


@st.composite
def chains(draw):
    channels = draw(st.integers(1, 2))
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["maxpool", "relu", "affine", "conv"]))
        if kind == "maxpool":
            steps.append(draw(maxpools(inside=True)))
        elif kind == "relu":
            steps.append(relu())
        elif kind == "affine":
            steps.append(affine([sympy.Rational(draw(st.integers(-3, 3)), 2)] * channels,
                                [draw(st.sampled_from([sympy.Integer(1), sympy.Symbol("B"), sympy.Integer(0)]))]
                                * channels))
        else:
            steps.append(conv2d(kernel(f"W{channels}", channels, channels, 2, 2), padding=1))
    chain = steps[0]
    for step in steps[1:]:
        chain = chain >> step
    return chain, draw(inputs(channels)), channels, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_exact_numeric_mode_equals_the_core_semantics(case):
    check_against_core(*case)


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@settings(max_examples=60, deadline=None)
@given(maxpools(), st.tuples(st.integers(1, 9), st.integers(1, 9)), st.integers(0, 2**32 - 1))
def test_maxpool2d_matches_torch_max_pool2d(torch, layer, shape, seed):
    assume(0 not in output_shape(layer, shape))
    x = np.random.default_rng(seed).normal(size=(2, 3) + shape)
    expected = torch.nn.functional.max_pool2d(torch.from_numpy(x), layer.sizes, layer.strides, layer.paddings,
                                              layer.dilations)
    np.testing.assert_array_equal(evaluate_nd_numeric(layer, x), expected.numpy())


def test_relu_and_affine_fit_2d_chains_and_read_back():
    text = "conv2d(W[2, 1, 3, 3], padding=1) >> affine([2, 1/2], [1, B]) >> relu() >> maxpool2d(3, stride=2, padding=1)"
    chain = parse_chain(text)
    assert chain.ndim == 2 and repr(chain) == text
    with pytest.raises(ChainError, match="mixes 1-D and 2-D"):
        parse_chain("conv2d(k[3, 3]) >> relu() >> maxpool(2)")


def test_a_window_of_padding_only_is_minus_infinity_as_in_torch(torch):
    layer = maxpool2d(2, stride=1, padding=1, dilation=2)  # the one window reads rows -1 and 1 of a 1x1 input
    x = np.ones((1, 1, 1))
    expected = torch.nn.functional.max_pool2d(torch.from_numpy(x[None]), 2, 1, 1, 2)[0].numpy()
    assert np.isneginf(expected).all() and np.isneginf(evaluate_nd_numeric(layer, x)).all()
    check_against_core(layer, np.array([[[Fraction(1)]]], dtype=object), 1, 0)


def test_maxpool2d_padding_above_half_the_window_is_refused():
    with pytest.raises(InvalidArgument, match="at most size/2"):
        maxpool2d(2, padding=(0, 2))


@pytest.mark.parametrize("lhs, rhs", [
    ("maxpool2d(2) >> relu()", "relu() >> maxpool2d(2)"),
    ("maxpool2d(2)", "maxpool2d(2, stride=1) >> down((2, 2))"),
    ("affine(2, 1) >> maxpool2d(2)", "maxpool2d(2) >> affine(2, 1)"),
])
def test_true_nonlinear_2d_identities_are_checked(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "checked" and "numeric evidence only" in proof.note


@pytest.mark.parametrize("lhs, rhs, why", [
    ("affine(-1) >> maxpool2d(2)", "maxpool2d(2) >> affine(-1)", "the outputs differ"),
    ("maxpool2d(3, stride=2, padding=1)", "maxpool2d(3, stride=2)", "the output shapes differ"),
])
def test_false_nonlinear_2d_identities_are_refuted_with_a_counterexample(lhs, rhs, why):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted" and why in proof.note
    example = proof.counterexample.to_json()
    assert len(example["n"]) == 2 and len(example["index"]) == 3


def test_derive_gives_the_receptive_field_of_a_resnet_stem():
    d = derive("conv2d(W[64, 3, 7, 7], stride=2, padding=3) >> affine(2, 1) >> relu() "
               ">> maxpool2d(3, stride=2, padding=1)")
    assert d.kernel is None and d.stride == (4, 4) and d.receptive_field == (11, 11)
    assert d.padding == ((5, 5), (5, 5))
    assert output_shape(d.chain, (224, 224)) == (56, 56)
