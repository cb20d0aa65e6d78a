"""The 2-D numpy evaluator against the exact 2-D semantics (hypothesis), against PyTorch, and its errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from symconv.core.kernel import (
    DerivedKernel, FlipKernel, Scaled, KernelSum, Convolve, dilate, kernel, literal, padk,
)
from symconv.core.layers import conv
from symconv.core.layers_nd import conv2d, crop, down, output_shape, pad, up
from symconv.core.semantics_nd import SignalNd, run_nd
from symconv.errors import ChannelMismatch, InvalidArgument, KernelError
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, kernel_array_nd, random_bindings_nd

P, Q = sympy.symbols("p q")
numbers = st.sampled_from([Fraction(v, d) for v in range(-4, 5) for d in (1, 2)])
pairs = st.tuples(st.integers(0, 2), st.integers(0, 2))
rates = st.tuples(st.integers(1, 3), st.integers(1, 3))


def named(out: int, inp: int, kh: int, kw: int):
    """A named kernel; equal shapes share the name, so a chain may reuse one kernel."""
    if out == inp == 1:
        return kernel(f"k{kh}{kw}", kh, kw)
    return kernel(f"W{out}{inp}{kh}{kw}", out, inp, kh, kw)


KINDS = ["named", "literal", "dilate", "flip", "scaled", "sum", "convolve", "derived", "padk"]


def literals(shape: tuple[int, int, int, int]):
    return st.lists(numbers, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))).map(
        lambda v: literal(np.array(v, dtype=object).reshape(shape).tolist()))


@st.composite
def kernels(draw, out: int, inp: int, kind: str = ""):
    """A 2-D kernel expression of shape (out, inp, <= 3, <= 3) of every kind the core has."""
    kind = kind or draw(st.sampled_from(KINDS))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if kind == "literal":
        return draw(literals((out, inp, kh, kw)))
    if kind == "padk":
        return padk(named(out, inp, 1 + kh // 2, 1 + kw // 3), (kh // 2, 0), (0, kw // 3))
    if kind == "dilate":
        return dilate(named(out, inp, (kh + 1) // 2, (kw + 1) // 2), draw(st.tuples(st.integers(1, 2),
                                                                                        st.integers(1, 2))))
    if kind == "flip":
        return FlipKernel(named(out, inp, kh, kw))
    if kind == "scaled":
        return Scaled(sympy.Rational(draw(st.integers(-3, 3)), 2), named(out, inp, kh, kw))
    if kind == "sum":
        return KernelSum(named(out, inp, kh, kw), literal([[[[1] * kw] * kh] * inp] * out))
    if kind == "convolve":
        mid = draw(st.integers(1, 2))
        return Convolve(named(mid, inp, 1 + kh // 2, 1 + kw // 2), named(out, mid, 1 + kh // 3, kw - kw // 2))
    if kind == "derived":
        source = named(out, inp, kh, kw)
        taps = source.taps()
        values = tuple(tuple(tuple(tuple(t ** 2 - 2 * taps[o][i][0][0] + P for t in row) for row in taps[o][i])
                             for i in range(inp)) for o in range(out))
        return DerivedKernel(values, (source,))
    return named(out, inp, kh, kw)


@st.composite
def conv2d_layers(draw, inp: int, kind: str = ""):
    """``conv2d`` with a random kernel, stride, padding, dilation and bias (numbers and parameters)."""
    out = draw(st.integers(1, 3))
    bias = draw(st.none() | st.lists(numbers.map(sympy.Rational) | st.sampled_from([P, 2 * Q + 1]),
                                     min_size=out, max_size=out))
    dilation = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    return conv2d(draw(kernels(out, inp, kind)), draw(rates), (draw(pairs), draw(pairs)), dilation, bias=bias)


@st.composite
def inputs(draw, channels: int) -> np.ndarray:
    sizes = st.sampled_from([4, 5, 6, 7, 3, 2, 1, 0])  # mostly large enough for the windows to fit
    shape = (channels, draw(sizes), draw(sizes))
    values = draw(st.lists(numbers, min_size=int(np.prod(shape)), max_size=int(np.prod(shape))))
    return np.array(values, dtype=object).reshape(shape)


@st.composite
def chains(draw):
    channels = draw(st.integers(1, 3))
    steps, c = [], channels
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["conv2d", "conv2d", "sum", "pad", "crop", "down", "up"]))
        if kind in ("conv2d", "sum"):
            steps.append(draw(conv2d_layers(c)))
            c = steps[-1].weight.out_channels
        if kind == "sum":  # a second branch of the same geometry, with or without padding inside the branch
            a = steps.pop()
            weight = draw(literals(a.weight.shape))
            inner = draw(st.booleans())
            b = conv2d(weight, a.strides, 0 if inner else a.paddings, a.dilations)
            steps.append(a + ((pad(*zip(*a.paddings)) >> b) if inner else b))
        elif kind in ("pad", "crop"):
            steps.append((pad if kind == "pad" else crop)(draw(pairs), draw(pairs)))
        elif kind == "down":
            s = draw(rates)
            steps.append(down(s, (draw(st.integers(0, s[0] - 1)), draw(st.integers(0, s[1] - 1)))))
        else:
            steps.append(up(draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))))
    chain = steps[0]
    for step in steps[1:]:
        chain = chain >> step
    return chain, draw(inputs(channels)), c, draw(st.integers(0, 2**32 - 1))


def core_output(chain, x: np.ndarray, bindings: dict) -> np.ndarray:
    """The core's exact semantics with symbolic taps, at the bound tap and parameter values."""
    table = {}
    for name, values in bindings.items():
        arr = np.asarray(values)
        if arr.ndim == 0:
            table[sympy.Symbol(name)] = sympy.Integer(int(arr))
        for index, v in np.ndenumerate(arr):
            table[sympy.Symbol(name + "".join(f"_{i}" for i in index))] = sympy.Integer(int(v))
    values = {index: sympy.Rational(v.numerator, v.denominator) for index, v in np.ndenumerate(x) if v != 0}
    out = run_nd(chain, SignalNd(x.shape[0], x.shape[1:], values))

    def number(e):  # a max-pooling window of padding only is -inf in every semantics (as in PyTorch)
        value = e.xreplace(table)
        return -np.inf if value == -sympy.oo else Fraction(str(value))

    result = np.full((out.channels,) + out.shape, Fraction(0), dtype=object)
    for index, e in out.values.items():
        result[index] = number(e)
    return result


def check_against_core(chain, x: np.ndarray, out_channels: int, seed: int) -> None:
    """Exact mode equals the core; float mode equals exact mode; a batch equals its entries."""
    bindings = random_bindings_nd(chain, seed)
    exact = evaluate_nd_numeric(chain, x, bindings, exact=True)
    assert exact.shape == (out_channels,) + output_shape(chain, x.shape[1:])
    expected = core_output(chain, x, bindings)
    assert expected.shape == exact.shape and (expected == exact).all()
    floats = evaluate_nd_numeric(chain, x.astype(float), bindings)
    assert floats.dtype == np.float64
    np.testing.assert_allclose(floats, exact.astype(float), rtol=1e-12, atol=1e-9)
    batch = evaluate_nd_numeric(chain, np.stack([x.astype(float), 2 * x.astype(float)]), bindings)
    np.testing.assert_array_equal(batch[0], floats)
    np.testing.assert_allclose(batch[1], evaluate_nd_numeric(chain, 2 * x.astype(float), bindings))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_random_2d_chains_exact_mode_equals_the_core_semantics_and_float_mode_agrees(case):
    check_against_core(*case)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_conv2d_with_every_kind_of_kernel_expression_equals_the_core_semantics(kind, data):
    channels = data.draw(st.integers(1, 3))
    layer = data.draw(conv2d_layers(channels, kind))
    check_against_core(layer, data.draw(inputs(channels)), layer.weight.out_channels,
                       data.draw(st.integers(0, 2**32 - 1)))


def test_conv2d_then_conv2d_equals_conv2d_of_the_convolved_kernel():
    a, b = kernel("W", 2, 3, 2, 3), kernel("V", 1, 2, 3, 2)
    bindings = random_bindings_nd([conv2d(a), conv2d(b)], 7)
    x = np.random.default_rng(7).integers(-5, 5, (3, 6, 7))
    two = evaluate_nd_numeric(conv2d(a) >> conv2d(b), x, bindings, exact=True)
    assert (two == evaluate_nd_numeric(conv2d(Convolve(a, b)), x, bindings, exact=True)).all()
    assert kernel_array_nd(Convolve(a, b), bindings).shape == (1, 3, 4, 4)


def test_padding_supplies_samples_on_an_empty_axis_and_up_keeps_it_empty():
    assert evaluate_nd_numeric(pad((1, 1)), np.zeros((2, 0, 5))).shape == (2, 2, 7)
    assert evaluate_nd_numeric(up((2, 3)), np.zeros((1, 4, 0))).shape == (1, 7, 0)


def test_pad_and_crop_take_top_left_then_bottom_right():
    y = evaluate_nd_numeric(pad((1, 0), (0, 2)), [[[5]]])
    assert y.tolist() == [[[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]]]
    assert evaluate_nd_numeric(crop((1, 0), (0, 2)), y).tolist() == [[[5.0]]]


def test_a_bias_may_use_a_kernel_tap_and_k_may_be_bound_with_shape_1_1_kh_kw():
    layer = conv2d(kernel("k", 1, 2), bias=[sympy.Symbol("k_0_1")])
    y = evaluate_nd_numeric(layer, [[[1, 2, 4]]], {"k": np.array([[[[3, 5]]]])}, exact=True)
    assert y.tolist() == [[[Fraction(18), Fraction(31)]]]


# --- PyTorch --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def torch():
    """PyTorch, or a skip of the test when it is not installed."""
    return pytest.importorskip("torch")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)), rates, rates,
       st.tuples(pairs, pairs), st.integers(1, 2), st.tuples(st.integers(1, 8), st.integers(1, 8)),
       st.booleans(), st.integers(0, 2**32 - 1))
def test_conv2d_matches_torch_conv2d_in_float64(torch, out, inp, size, stride, dilation, padding, batch, shape,
                                                 with_bias, seed):
    assume(0 not in output_shape(conv2d(kernel("k", *size), stride, padding, dilation), shape))
    F = torch.nn.functional
    rng = np.random.default_rng(seed)
    w, x, b = rng.normal(size=(out, inp) + size), rng.normal(size=(batch, inp) + shape), rng.normal(size=out)
    layer = conv2d(kernel("W", out, inp, *size), stride, padding, dilation,
                   bias=[sympy.Symbol(f"b{o}") for o in range(out)] if with_bias else None)
    bindings = {"W": w, **{f"b{o}": b[o] for o in range(out)}}
    (top, bottom), (left, right) = padding
    xp = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    expected = F.conv2d(xp, torch.from_numpy(w), torch.from_numpy(b) if with_bias else None, stride, 0, dilation)
    np.testing.assert_allclose(evaluate_nd_numeric(layer, x, bindings), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_conv2d_stride_pair_matches_torch_and_down_after_a_stride_one_conv2d(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(3)
    w, x = rng.normal(size=(1, 1, 3, 2)), rng.normal(size=(2, 1, 11, 13))
    k = kernel("k", 3, 2)
    strided = evaluate_nd_numeric(conv2d(k, stride=(2, 3)), x, {"k": w[0, 0]})
    full = F.conv2d(torch.from_numpy(x), torch.from_numpy(w)).numpy()
    np.testing.assert_allclose(strided, F.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=(2, 3)).numpy(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(strided, full[..., ::2, ::3], rtol=1e-12, atol=1e-12)
    assert (evaluate_nd_numeric(conv2d(k) >> down((2, 3)), x, {"k": w[0, 0]}) == strided).all()


def test_up_then_flipped_conv2d_matches_torch_conv_transpose2d(torch):
    F = torch.nn.functional
    rng = np.random.default_rng(5)
    w, x = rng.normal(size=(2, 3, 3, 2)), rng.normal(size=(1, 2, 4, 5))  # (in, out, kh, kw) as PyTorch
    chain = up((2, 3)) >> pad((2, 1)) >> conv2d(FlipKernel(kernel("W", 3, 2, 3, 2)))
    expected = F.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w), stride=(2, 3)).numpy()
    np.testing.assert_allclose(evaluate_nd_numeric(chain, x, {"W": w.transpose(1, 0, 2, 3)}), expected,
                               rtol=1e-12, atol=1e-12)


# --- errors ---------------------------------------------------------------------------------

def test_missing_kernel_or_parameter_binding_is_a_kernel_error():
    with pytest.raises(KernelError, match=r"no value for kernel k\[2, 2\]; give bindings=\{'k': array"):
        evaluate_nd_numeric(conv2d(kernel("k", 2, 2)), np.ones((1, 3, 3)))
    with pytest.raises(KernelError, match=r"no value for the symbol p; give bindings=\{'p': \.\.\.\}"):
        evaluate_nd_numeric(conv2d(kernel("k", 2, 2), bias=[P]), np.ones((1, 3, 3)), {"k": np.ones((2, 2))})


def test_binding_of_the_wrong_shape_is_a_kernel_error():
    with pytest.raises(KernelError, match=r"k\[2, 2\] is bound to an array of shape \(3, 2\); expected shape \(2, 2\)"):
        evaluate_nd_numeric(conv2d(kernel("k", 2, 2)), np.ones((1, 3, 3)), {"k": np.ones((3, 2))})


@pytest.mark.parametrize("exact", [False, True])
def test_nan_in_the_input_or_a_binding_is_refused(exact):
    x = np.ones((1, 3, 3))
    x[0, 1, 2] = np.nan
    with pytest.raises(InvalidArgument, match=r"input sample=.*nan"):
        evaluate_nd_numeric(conv2d(literal([[1]])), x, exact=exact)
    with pytest.raises(InvalidArgument, match=r"kernel k=.*nan"):
        evaluate_nd_numeric(conv2d(kernel("k", 1, 2)), np.ones((1, 3, 3)), {"k": [[1.0, np.nan]]}, exact)


def test_a_1d_layer_runs_at_d_1_and_an_input_of_the_wrong_rank_or_channels_is_refused():
    assert evaluate_nd_numeric(conv([1, 2]), np.ones((1, 3))).tolist() == [[3.0, 3.0]]
    with pytest.raises(ChannelMismatch, match=r"input gives 3 channel\(s\) but conv\(\[1, 2\]\) expects 1"):
        evaluate_nd_numeric(conv([1, 2]), np.ones((1, 3, 3)))
    with pytest.raises(InvalidArgument, match=r"x=.*shape \(3, 3\).*expected shape \(C, n1, n2\)"):
        evaluate_nd_numeric(pad((1, 1)), np.ones((3, 3)))
    with pytest.raises(ChannelMismatch, match=r"input gives 1 channel\(s\) but conv2d\(W\[1, 2, 1, 1\]\) expects 2"):
        evaluate_nd_numeric(conv2d(kernel("W", 1, 2, 1, 1)), np.ones((1, 3, 3)), {"W": np.ones((1, 2, 1, 1))})


def test_random_bindings2d_refuses_a_name_that_is_both_kernel_and_parameter():
    with pytest.raises(KernelError, match=r"the name 'p' is both a kernel and a parameter"):
        random_bindings_nd(conv2d(kernel("p", 2, 2), bias=[P]))
