"""conv_transpose2d: the core, the numpy evaluator and PyTorch agree; the prover decides it for every shape."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symconv.core.kernel import kernel
from symconv.core.layers_nd import conv2d, conv_transpose2d, output_shape
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover import prove

from tests.numeric.test_evaluate_nd import KINDS, check_against_core, inputs, kernels, numbers

small = st.tuples(st.integers(1, 3), st.integers(1, 3))
pads = st.tuples(st.integers(0, 2), st.integers(0, 2))


@st.composite
def transposed_layers(draw, inp: int, kind: str = ""):
    """``conv_transpose2d`` with a random kernel expression, stride, padding, output padding and dilation."""
    out = draw(st.integers(1, 3))
    stride, dilation = draw(small), draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    bias = draw(st.none() | st.lists(numbers.map(sympy.Rational), min_size=out, max_size=out))
    return conv_transpose2d(draw(kernels(inp, out, kind)), stride, draw(pads), output_padding, dilation, bias=bias)


@st.composite
def cases(draw):
    channels = draw(st.integers(1, 2))
    layer = draw(transposed_layers(channels))
    out = layer.weight.in_channels
    chain = layer
    if out == 1 and draw(st.booleans()):  # a strided conv2d after it
        chain = layer >> conv2d(kernel("g", 2, 2), stride=2)
    return chain, draw(inputs(channels)), out, draw(st.integers(0, 2**32 - 1))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_exact_numeric_mode_equals_the_core_semantics(case):
    check_against_core(*case)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_kind_of_kernel_expression(kind, data):
    layer = data.draw(transposed_layers(1, kind))
    check_against_core(layer, data.draw(inputs(1)), layer.weight.in_channels, data.draw(st.integers(0, 99)))


@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), small, small, pads, st.tuples(st.integers(1, 2), st.integers(1, 2)),
       st.tuples(st.integers(1, 6), st.integers(1, 6)), st.booleans(), st.integers(0, 2**32 - 1))
def test_matches_torch_conv_transpose2d_in_float64(torch, inp, out, size, stride, padding, dilation, shape,
                                                    with_bias, seed):
    rng = np.random.default_rng(seed)
    output_padding = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
    layer = conv_transpose2d(kernel("W", inp, out, *size), stride, padding, output_padding, dilation,
                             bias=[sympy.Symbol(f"b{o}") for o in range(out)] if with_bias else None)
    assume(0 not in output_shape(layer, shape))
    w, x, b = rng.normal(size=(inp, out) + size), rng.normal(size=(2, inp) + shape), rng.normal(size=out)
    expected = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b) if with_bias else None, stride, padding,
        output_padding, 1, dilation)
    ours = evaluate_nd_numeric(layer, x, {"W": w, **{f"b{o}": b[o] for o in range(out)}})
    np.testing.assert_allclose(ours, expected.numpy(), rtol=1e-12, atol=1e-12)


def test_the_dsl_reads_what_repr_writes():
    text = "conv_transpose2d(W[2, 3, 2, 3], stride=(2, 1), padding=1, output_padding=(1, 0), bias=[1, 2, 3])"
    assert repr(parse_chain(text)) == text


@pytest.mark.parametrize("kwargs, message", [
    (dict(stride=2, output_padding=2), "below the stride or the dilation"),
    (dict(stride=0), "stride"),
    (dict(bias=[1, 2]), "1 number"),
])
def test_bad_arguments_are_refused(kwargs, message):
    with pytest.raises(InvalidArgument, match=message):
        conv_transpose2d(kernel("k", 2, 2), **kwargs)


def test_a_1d_kernel_is_refused():
    with pytest.raises(InvalidArgument, match="a 2-D kernel"):
        parse_chain("conv_transpose2d(k[3])")


TRUE = [
    ("conv_transpose2d(k[3, 3], stride=2, padding=1)", "up((2, 2)) >> conv_transpose2d(k) >> crop((1, 1))"),
]
FALSE = [
    # equal for shapes without an empty axis only: on an empty axis the length table gives the transposed
    # convolution max(0, E - s) samples but up(s) none (DESIGN section 1; as the 1-D cases of test_generic)
    ("conv_transpose2d(k[3, 3], stride=2)", "up((2, 2)) >> conv_transpose2d(k)"),
    ("conv_transpose2d(k[2, 3], stride=(2, 1), output_padding=(1, 0))",
     "up((2, 1)) >> pad((1, 2), (2, 2)) >> conv2d(flip(k))"),
    ("conv_transpose2d(W[2, 3, 2, 2], stride=2, bias=[1, 2, 3])", "up((2, 2)) >> conv_transpose2d(W, bias=[1, 2, 3])"),
    ("conv_transpose2d(k[3, 3], stride=2, padding=1)", "up((2, 2)) >> conv_transpose2d(k)"),
    ("conv_transpose2d(k[2, 3], stride=(2, 1), output_padding=(1, 0))",
     "up((2, 1)) >> pad((1, 2), (2, 2)) >> conv2d(k)"),
    ("conv_transpose2d(k[3, 3], stride=(2, 1))", "up((1, 2)) >> conv_transpose2d(k)"),
]


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_transposed_identities_are_proved_with_a_certificate(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.certificate is not None


@pytest.mark.parametrize("lhs, rhs", FALSE)
def test_false_transposed_identities_are_refuted(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    assert proof.counterexample is not None
