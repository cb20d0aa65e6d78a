"""Exact semantics: hand-computed examples, PyTorch agreement and the identities of DESIGN §1."""

from __future__ import annotations

import itertools
import random
import tracemalloc

import pytest
import sympy

from symconv.core.kernel import convolve, dilate, flipk, kernel, literal
from symconv.core.layers import (
    affine,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    l2pool,
    maxpool,
    pad,
    relu,
    up,
)
from symconv.core.output_length import output_length
from symconv.core.semantics import MAX_EXACT_LENGTH, as_signal, evaluate, symbolic_input
from symconv.errors import ChannelMismatch, KernelError, SizeLimitError

S = sympy.Symbol
R = sympy.Rational
k0, k1, k2 = S("k_0"), S("k_1"), S("k_2")


def xs(n):
    return [S(f"x_{i}") for i in range(n)]


def same(a, b) -> bool:
    """Two signals are equal as exact polynomials, sample by sample."""
    return len(a) == len(b) and all(
        len(p) == len(q) and all(sympy.expand(u - v) == 0 for u, v in zip(p, q)) for p, q in zip(a, b)
    )


def inner(a, b):
    return sympy.expand(sum((u * v for p, q in zip(a, b) for u, v in zip(p, q)), sympy.Integer(0)))


def poly_convolution(a, b):
    """Full convolution via polynomial multiplication (independent of the package)."""
    z = S("z")
    product = sympy.expand(sum(v * z**j for j, v in enumerate(a)) * sum(v * z**j for j, v in enumerate(b)))
    return [product.coeff(z, m) for m in range(len(a) + len(b) - 1)]


# --- hand-computed examples ------------------------------------------------------------


def test_conv_is_cross_correlation():
    x = xs(5)
    expected = [k0 * x[i] + k1 * x[i + 1] + k2 * x[i + 2] for i in range(3)]
    assert same(evaluate(conv(kernel("k", 3)), symbolic_input(5)), (tuple(expected),))


def test_conv_with_stride_2_and_padding_1_reads_the_zero_padded_input():
    x = xs(4)
    # xp = 0, x0, x1, x2, x3, 0
    expected = (k1 * x[0] + k2 * x[1], k0 * x[1] + k1 * x[2] + k2 * x[3])
    assert same(evaluate(conv(kernel("k", 3), stride=2, padding=1), symbolic_input(4)), (expected,))


def test_conv_with_dilation_2_skips_one_sample_between_taps():
    x = xs(4)
    expected = (k0 * x[0] + k1 * x[2], k0 * x[1] + k1 * x[3])
    assert same(evaluate(conv(kernel("k", 2), dilation=2), symbolic_input(4)), (expected,))


def test_same_padding_puts_the_extra_zero_on_the_right():
    x = xs(3)
    expected = (k0 * x[0] + k1 * x[1], k0 * x[1] + k1 * x[2], k0 * x[2])
    assert same(evaluate(conv(kernel("k", 2), padding="same"), symbolic_input(3)), (expected,))


def test_asymmetric_padding_pads_left_and_right_separately():
    x = xs(2)
    expected = (0, k1 * x[0], k0 * x[0] + k1 * x[1], k0 * x[1])
    assert same(evaluate(conv(kernel("k", 2), padding=(2, 1)), symbolic_input(2)), (expected,))


def test_conv_bias_is_added_to_every_output():
    x = xs(2)
    assert same(evaluate(conv(kernel("k", 1), bias="b"), symbolic_input(2)), ((S("b_0") + k0 * x[0], S("b_0") + k0 * x[1]),))
    assert evaluate(conv([1, 1], bias=[R(1, 2)]), as_signal([1, 2, 3])) == ((R(7, 2), R(11, 2)),)


def test_multichannel_conv_sums_over_input_channels():
    W = kernel("W", 2, 2, 2)
    x = symbolic_input(2, channels=2)
    expected = tuple(
        (sum(S(f"W_{o}_{m}_{j}") * S(f"x_{m}_{j}") for m in range(2) for j in range(2)),) for o in range(2)
    )
    assert same(evaluate(conv(W), x), expected)


def test_grouped_conv_connects_each_group_to_its_own_channels():
    W = kernel("W", 4, 1, 2)
    x = symbolic_input(3, channels=2)
    y = evaluate(conv(W, groups=2), x)
    expected = tuple(
        tuple(S(f"W_{o}_0_0") * S(f"x_{o // 2}_{i}") + S(f"W_{o}_0_1") * S(f"x_{o // 2}_{i + 1}") for i in range(2))
        for o in range(4)
    )
    assert same(y, expected)


def test_conv_transpose_with_stride_2_spreads_each_sample_over_the_kernel():
    x = xs(2)
    y = evaluate(conv_transpose(kernel("k", 2), stride=2), symbolic_input(2))
    assert same(y, ((k0 * x[0], k1 * x[0], k0 * x[1], k1 * x[1]),))


def test_conv_transpose_with_stride_1_is_the_full_convolution():
    x = xs(2)
    y = evaluate(conv_transpose(kernel("k", 3)), symbolic_input(2))
    assert same(y, (tuple(poly_convolution(x, [k0, k1, k2])),))


def test_conv_transpose_output_padding_adds_samples_on_the_right():
    x = xs(2)
    y = evaluate(conv_transpose(kernel("k", 2), stride=2, output_padding=1), symbolic_input(2))
    assert same(y, ((k0 * x[0], k1 * x[0], k0 * x[1], k1 * x[1], 0),))
    y = evaluate(conv_transpose(kernel("k", 2), stride=2, output_padding=1, bias="b"), symbolic_input(2))
    b = S("b_0")
    assert same(y, ((b + k0 * x[0], b + k1 * x[0], b + k0 * x[1], b + k1 * x[1], b),))


def test_conv_transpose_padding_drops_samples_at_both_ends():
    x = xs(2)
    y = evaluate(conv_transpose(kernel("k", 2), stride=2, padding=1), symbolic_input(2))
    assert same(y, ((k1 * x[0], k0 * x[1]),))


@pytest.mark.parametrize(
    "layer, x, expected",
    [
        (pad(1, 2), [5, 6], [0, 5, 6, 0, 0]),
        (crop(1, 0), [5, 6, 7], [6, 7]),
        (crop(1), [5, 6, 7], [6]),
        (down(2), [5, 6, 7, 8, 9], [5, 7, 9]),
        (down(2, 1), [5, 6, 7, 8, 9], [6, 8]),
        (up(3), [5, 6], [5, 0, 0, 6]),
        (flip(), [5, 6, 7], [7, 6, 5]),
        (avgpool(2), [1, 2, 3, 5, 7], [R(3, 2), 4]),
        (avgpool(3, 1, 1), [3, 6], [3, 3]),
        (maxpool(2), [1, 5, 3, 2], [5, 3]),
        (maxpool(2, 1, 1), [-3, -1], [-3, -1, -1]),
        (maxpool(2, 1, 0, 2), [1, 9, 3, 2], [3, 9]),
        (l2pool(2), [3, 4, 0, 5], [5, 5]),
        (relu(), [-1, 2, 0], [0, 2, 0]),
        (affine(2, 1), [1, R(1, 2)], [3, 2]),
    ],
    ids=lambda v: repr(v) if not isinstance(v, list) else None,
)
def test_layer_on_a_small_hand_computed_example(layer, x, expected):
    assert evaluate(layer, as_signal(x)) == (tuple(expected),)


def test_affine_per_channel_scales_and_shifts_each_channel():
    y = evaluate(affine([1, 2], [0, "beta"]), as_signal([[1, 2], [3, 4]]))
    assert y == ((1, 2), (6 + S("beta"), 8 + S("beta")))


def test_a_sum_of_convolutions_is_the_convolution_of_the_sum():
    a, b = kernel("a", 3), kernel("b", 3)
    x = symbolic_input(6)
    assert same(evaluate(conv(a) + conv(b), x), evaluate(conv(a + b), x))


def test_a_generic_kernel_evaluates_once_its_size_is_given():
    x = symbolic_input(6)
    assert evaluate(conv(kernel("k", "c"), padding="same"), x, {"c": 3}) == evaluate(conv(kernel("k", 3), padding=1), x)


def test_an_empty_input_follows_the_length_table_with_the_output_channels():
    assert evaluate(conv(kernel("W", 3, 1, 2)), ((),)) == ((), (), ())
    assert evaluate(pad(2), ((),)) == ((0, 0, 0, 0),)
    # (0 - 1)*1 + (2 - 1) + 1 = 1 sample per output channel, all zero: nothing is scattered
    assert evaluate(conv_transpose(kernel("W", 1, 2, 2)), ((),)) == ((0,), (0,))


def test_padding_an_empty_signal_reads_zeros_and_the_bias():
    assert evaluate(conv(kernel("k", 2), padding=1, bias=[5]), ((),)) == ((5,),)
    assert evaluate(conv(kernel("k", 2), padding=(1, 0)), ((),)) == ((),)


def test_a_too_small_input_gives_an_empty_output_that_a_later_pad_fills_with_zeros():
    assert evaluate(conv(kernel("k", 4)), symbolic_input(3)) == ((),)
    assert evaluate(conv(kernel("k", 3)) >> pad(1), symbolic_input(2)) == ((0, 0),)


def test_as_signal_reads_flat_lists_and_lists_of_channels_exactly():
    assert as_signal([1, 2]) == ((1, 2),)
    assert as_signal([[1, 2], [3, 4]]) == ((1, 2), (3, 4))
    assert symbolic_input(2, channels=2) == ((S("x_0_0"), S("x_0_1")), (S("x_1_0"), S("x_1_1")))


def test_as_signal_turns_floats_and_strings_into_exact_rationals():
    y = as_signal([0.5, 0.1, "1/3", R(2, 7), S("t")])
    assert y == ((R(1, 2), R(1, 10), R(1, 3), R(2, 7), S("t")),)
    assert all(isinstance(v, sympy.Rational) for v in y[0][:4])


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True])
def test_as_signal_refuses_non_finite_or_boolean_samples(bad):
    with pytest.raises(KernelError, match=r"signal sample .* (is not finite|is a boolean)"):
        as_signal([1, bad])


def test_as_signal_never_parses_text_as_an_expression():
    with pytest.raises(KernelError, match=r"signal sample 'x_0 \+ 1' is not a number"):
        as_signal(["x_0 + 1"])


# --- agreement with PyTorch on integer data --------------------------------------------


def _rand(rng, *shape):
    if len(shape) == 1:
        return [rng.randint(-4, 4) for _ in range(shape[0])]
    return [_rand(rng, *shape[1:]) for _ in range(shape[0])]


def _as_floats(signal):
    return [[float(v) for v in ch] for ch in signal]


CONV_CASES = [
    # (in, out, groups, c, stride, padding, dilation, bias)
    (1, 1, 1, 3, 1, 0, 1, False),
    (1, 1, 1, 4, 2, 1, 1, True),
    (2, 3, 1, 2, 1, "same", 2, True),
    (3, 2, 1, 3, 3, 2, 2, False),
    (4, 6, 2, 2, 2, 1, 1, True),
    (4, 4, 4, 3, 1, (2, 0), 1, True),
    (6, 3, 3, 1, 2, 0, 3, False),
]


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("cin, cout, groups, c, stride, padding, dilation, with_bias", CONV_CASES)
def test_conv_equals_torch_conv1d_exactly_on_integers(cin, cout, groups, c, stride, padding, dilation, with_bias):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = random.Random(repr((cin, cout, groups, c, stride, padding, dilation)))
    weight = _rand(rng, cout, cin // groups, c)
    bias = _rand(rng, cout) if with_bias else None
    layer = conv(literal(weight), stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias)
    for n in range(1, 12):
        x = _rand(rng, cin, n)
        tx = torch.tensor([x], dtype=torch.float64)
        tw = torch.tensor(weight, dtype=torch.float64)
        tb = torch.tensor(bias, dtype=torch.float64) if bias else None
        if isinstance(padding, tuple):
            tx, tpad = F.pad(tx, padding), 0
        else:
            tpad = padding
        if output_length(layer, n) == 0:
            continue
        expected = F.conv1d(tx, tw, tb, stride=stride, padding=tpad, dilation=dilation, groups=groups)[0].tolist()
        assert _as_floats(evaluate(layer, as_signal(x))) == expected, n


CONV_TRANSPOSE_CASES = [
    # (in, out, groups, c, stride, padding, output_padding, dilation, bias)
    (1, 1, 1, 3, 1, 0, 0, 1, False),
    (1, 1, 1, 3, 2, 1, 1, 1, True),
    (2, 3, 1, 2, 3, 0, 2, 1, True),
    (3, 2, 1, 3, 2, 2, 1, 2, False),
    (4, 6, 2, 2, 2, 1, 0, 3, True),
    (6, 4, 2, 3, 1, 1, 1, 2, True),
    (3, 3, 3, 2, 3, 0, 1, 1, False),
]


@pytest.mark.parametrize("cin, cout, groups, c, stride, padding, output_padding, dilation, with_bias", CONV_TRANSPOSE_CASES)
def test_conv_transpose_equals_torch_conv_transpose1d_exactly_on_integers(
    cin, cout, groups, c, stride, padding, output_padding, dilation, with_bias
):
    torch = pytest.importorskip("torch")
    rng = random.Random(repr((cin, cout, groups, c, stride, padding, output_padding, dilation)))
    weight = _rand(rng, cin, cout // groups, c)
    bias = _rand(rng, cout) if with_bias else None
    layer = conv_transpose(
        literal(weight), stride=stride, padding=padding, output_padding=output_padding, dilation=dilation,
        groups=groups, bias=bias,
    )
    assert layer.in_channels == cin and layer.out_channels(cin) == cout
    for n in range(1, 9):
        if output_length(layer, n) == 0:
            continue
        x = _rand(rng, cin, n)
        expected = torch.nn.functional.conv_transpose1d(
            torch.tensor([x], dtype=torch.float64),
            torch.tensor(weight, dtype=torch.float64),
            torch.tensor(bias, dtype=torch.float64) if bias else None,
            stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation,
        )[0].tolist()
        assert _as_floats(evaluate(layer, as_signal(x))) == expected, n


@pytest.mark.parametrize("size, stride, padding", [(2, None, 0), (3, 1, 1), (3, 2, 1), (4, 3, 2), (1, 1, 0)])
def test_pools_equal_torch_avg_max_and_lp_pool1d(size, stride, padding):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = random.Random(size * 100 + padding)
    s = size if stride is None else stride

    def flat(rows):
        return [v for row in rows for v in row]

    for n in range(1, 12):
        x = _rand(rng, 2, n)
        tx = torch.tensor([x], dtype=torch.float64)
        if output_length(avgpool(size, stride, padding), n):
            got = flat(_as_floats(evaluate(avgpool(size, stride, padding), as_signal(x))))
            assert got == pytest.approx(flat(F.avg_pool1d(tx, size, s, padding)[0].tolist()), abs=1e-12), n
        for dilation in (1, 2):
            if output_length(maxpool(size, stride, padding, dilation), n):
                got = _as_floats(evaluate(maxpool(size, stride, padding, dilation), as_signal(x)))
                assert got == F.max_pool1d(tx, size, s, padding, dilation)[0].tolist(), (n, dilation)
        if output_length(l2pool(size, stride), n):
            got = flat(_as_floats(evaluate(l2pool(size, stride), as_signal(x))))
            assert got == pytest.approx(flat(F.lp_pool1d(tx, 2, size, s)[0].tolist()), abs=1e-9), n


# --- the composition rule of DESIGN §1 --------------------------------------------------


@pytest.mark.parametrize("ca, cb", [(1, 1), (2, 3), (3, 2), (3, 3)])
def test_conv_a_then_conv_b_is_conv_of_convolve_a_b(ca, cb):
    a, b = kernel("a", ca), kernel("b", cb)
    lhs, rhs = conv(a) >> conv(b), conv(convolve(a, b))
    for n in range(0, 10):
        x = symbolic_input(n)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


@pytest.mark.parametrize("s, t", list(itertools.product([1, 2, 3], [1, 2, 3])))
@pytest.mark.parametrize("ca, cb", [(1, 2), (2, 2), (3, 2)])
def test_strided_conv_a_then_conv_b_is_conv_of_convolve_a_dilate_b_with_stride_s_times_t(s, t, ca, cb):
    a, b = kernel("a", ca), kernel("b", cb)
    lhs = conv(a, stride=s) >> conv(b, stride=t)
    rhs = conv(convolve(a, dilate(b, s)), stride=s * t)
    for n in range(0, 14):
        x = symbolic_input(n)
        assert output_length(lhs, n) == output_length(rhs, n), n
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


@pytest.mark.parametrize("s, t", [(1, 1), (2, 2), (2, 3)])
def test_multichannel_strided_composition_is_conv_of_convolve_a_dilate_b(s, t):
    A, B = kernel("A", 3, 2, 2), kernel("B", 2, 3, 2)
    lhs = conv(A, stride=s) >> conv(B, stride=t)
    rhs = conv(convolve(A, dilate(B, s)), stride=s * t)
    assert rhs.weight.shape == (2, 2, 2 + s + 1 - 1)
    for n in range(0, 11):
        x = symbolic_input(n, channels=2)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


@pytest.mark.parametrize("s", [1, 2, 3])
@pytest.mark.parametrize("c, padding, dilation", [(1, 0, 1), (3, 0, 1), (3, 1, 2), (2, (0, 2), 1)])
def test_stride_s_conv_is_stride_1_conv_then_down_s(s, c, padding, dilation):
    k = kernel("k", c)
    lhs = conv(k, stride=s, padding=padding, dilation=dilation)
    rhs = conv(k, padding=padding, dilation=dilation) >> down(s)
    for n in range(0, 14):
        x = symbolic_input(n)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


@pytest.mark.parametrize("c", [1, 2, 3, 4])
def test_conv_is_true_convolution_with_the_flipped_kernel(c):
    k = kernel("k", c)
    taps = list(k.taps()[0][0])
    for n in range(c, c + 5):
        x = xs(n)
        full = poly_convolution(x, list(reversed(taps)))  # x * flip(k), numpy.convolve
        assert same(evaluate(conv(k), symbolic_input(n)), (tuple(full[c - 1:n]),)), n
        assert same(evaluate(conv(flipk(k)), symbolic_input(n)), (tuple(poly_convolution(x, taps)[c - 1:n]),)), n


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("c, stride, padding", [(2, 1, 0), (3, 1, 2), (3, 2, 1), (1, 3, 0)])
def test_dilated_conv_is_conv_with_the_dilated_kernel(d, c, stride, padding):
    k = kernel("k", c)
    lhs = conv(k, stride=stride, padding=padding, dilation=d)
    rhs = conv(dilate(k, d), stride=stride, padding=padding)
    for n in range(0, 14):
        x = symbolic_input(n)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


TRANSPOSE_CASES = [
    (c, s, p, op, d)
    for c, s, d in itertools.product([1, 2, 3], [1, 2, 3], [1, 2])
    for p in range(0, d * (c - 1) + 1)
    for op in range(max(s, d))
]


@pytest.mark.parametrize("c, s, p, op, d", TRANSPOSE_CASES)
def test_conv_transpose_is_up_then_conv_with_flipped_kernel_and_padding_d_c_minus_1_minus_p(c, s, p, op, d):
    k = kernel("k", c)
    lhs = conv_transpose(k, stride=s, padding=p, output_padding=op, dilation=d)
    q = d * (c - 1) - p
    rhs = up(s) >> conv(flipk(k), padding=(q, q + op), dilation=d)
    for n in range(1, 6):
        x = symbolic_input(n)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


@pytest.mark.parametrize("s, p, op, groups", [(1, 0, 0, 1), (2, 1, 1, 1), (3, 0, 2, 2), (2, 2, 0, 2)])
def test_multichannel_conv_transpose_is_up_then_conv_with_transposed_flipped_weight(s, p, op, groups):
    rng = random.Random(s * 31 + p * 7 + op + groups)
    cin, per_group_out, c = 4, 1 if groups == 2 else 3, 3
    weight = _rand(rng, cin, per_group_out, c)
    # conv weight (out, in/groups, c): V[g*po + oo][mm] = reversed(W[g*pi + mm][oo])
    per_group_in = cin // groups
    flipped = [
        [list(reversed(weight[(o // per_group_out) * per_group_in + mm][o % per_group_out])) for mm in range(per_group_in)]
        for o in range(per_group_out * groups)
    ]
    q = c - 1 - p
    lhs = conv_transpose(literal(weight), stride=s, padding=p, output_padding=op, groups=groups)
    rhs = up(s) >> conv(literal(flipped), padding=(q, q + op), groups=groups)
    for n in range(1, 6):
        x = symbolic_input(n, channels=cin)
        assert same(evaluate(lhs, x), evaluate(rhs, x)), n


ADJOINT_CASES = [
    # (out, in, c, stride, padding, dilation, groups)
    (1, 1, 3, 1, 0, 1, 1),
    (1, 1, 3, 2, 1, 1, 1),
    (1, 1, 2, 3, 0, 2, 1),
    (2, 3, 2, 2, 0, 1, 1),
    (3, 2, 3, 2, 1, 2, 1),
    (4, 1, 2, 2, 1, 1, 2),
]


@pytest.mark.parametrize("out, cin, c, s, p, d, groups", ADJOINT_CASES)
def test_conv_transpose_is_the_adjoint_of_conv(out, cin, c, s, p, d, groups):
    W = kernel("W", out, cin, c)
    for n in range(1, 11):
        if n + 2 * p < d * (c - 1) + 1:
            continue
        r = (n + 2 * p - d * (c - 1) - 1) % s  # output_padding that brings the length back to n
        forward = conv(W, stride=s, padding=p, dilation=d, groups=groups)
        backward = conv_transpose(W, stride=s, padding=p, output_padding=r, dilation=d, groups=groups)
        m = output_length(forward, n)
        assert output_length(backward, m) == n
        x = symbolic_input(n, channels=cin * groups, name="x")
        y = symbolic_input(m, channels=out, name="y")
        assert inner(evaluate(forward, x), y) == inner(x, evaluate(backward, y)), n


# --- errors ----------------------------------------------------------------------------


def test_an_input_with_the_wrong_channel_count_raises_channel_mismatch():
    with pytest.raises(ChannelMismatch, match=r"channel mismatch: the input gives 2 channel\(s\) but conv\(W\[2, 3, 3\]\) expects 3"):
        evaluate(conv(kernel("W", 2, 3, 3)), symbolic_input(5, channels=2))
    with pytest.raises(ChannelMismatch, match=r"the input gives 1 channel\(s\) but .* expects 4"):
        evaluate(pad(1) >> conv(kernel("W", 2, 2, 3), groups=2), symbolic_input(5))
    with pytest.raises(ChannelMismatch, match=r"the input gives 1 channel\(s\) but conv_transpose\(W\[2, 1, 3\]\) expects 2"):
        evaluate(conv_transpose(kernel("W", 2, 1, 3)), symbolic_input(5))


def test_a_generic_kernel_without_its_size_raises_kernel_error():
    with pytest.raises(KernelError, match=r"depends on generic sizes"):
        evaluate(conv(kernel("k", "c")), symbolic_input(5))


def test_absurd_up_sampling_raises_size_limit_error_before_allocating():
    tracemalloc.start()
    try:
        with pytest.raises(SizeLimitError, match=rf"up\(4096\) would produce \d+ samples from 36865; the exact semantics refuses more than {MAX_EXACT_LENGTH}"):
            evaluate(up(4096) >> up(4096), symbolic_input(10))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20  # the refused output would hold 1.5e8 samples


def test_absurd_conv_transpose_raises_size_limit_error():
    with pytest.raises(SizeLimitError, match=r"would produce \d+ samples from 100"):
        evaluate(conv_transpose(kernel("k", 3), stride=4096), symbolic_input(100))
