"""Output lengths: DESIGN §1's formulas, PyTorch's shapes, the length-0 conventions, symbolic n."""

from __future__ import annotations

import itertools

import pytest
import sympy

from symconv.core.kernel import kernel, size_symbol
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
from symconv.core.output_length import length_symbol, output_length, resolve_size
from symconv.errors import InvalidArgument, KernelError

N = length_symbol("n")


# DESIGN §1, written out independently of the package.
def conv_formula(n, c, stride=1, left=0, right=0, dilation=1):
    value = (n + left + right - dilation * (c - 1) - 1) // stride + 1
    return value if value >= 1 else 0


def conv_transpose_formula(n, c, stride=1, padding=0, output_padding=0, dilation=1):
    return (n - 1) * stride - 2 * padding + dilation * (c - 1) + output_padding + 1


def down_formula(n, s, phase=0):
    return max(0, -((phase - n) // s))  # ceil((n - phase) / s)


def torch_length(call):
    """The output length PyTorch gives, 0 where it refuses a too-small input."""
    try:
        return call().shape[-1]
    except RuntimeError:
        return 0


# --- every layer against DESIGN §1 -----------------------------------------------------


@pytest.mark.parametrize("c, stride, padding, dilation", list(itertools.product([1, 2, 3, 5], [1, 2, 3], [0, 1, 3, (0, 2), (2, 1)], [1, 2, 3])))
def test_conv_length_is_floor_of_n_plus_padding_minus_extent_over_stride_plus_1(c, stride, padding, dilation):
    layer = conv(kernel("k", c), stride=stride, padding=padding, dilation=dilation)
    left, right = padding if isinstance(padding, tuple) else (padding, padding)
    for n in range(1, 30):
        assert output_length(layer, n) == conv_formula(n, c, stride, left, right, dilation), n


@pytest.mark.parametrize("c, dilation", list(itertools.product([1, 2, 3, 4], [1, 2, 3])))
def test_same_padding_keeps_the_length(c, dilation):
    layer = conv(kernel("k", c), padding="same", dilation=dilation)
    for n in range(1, 20):
        assert output_length(layer, n) == n


@pytest.mark.parametrize(
    "c, stride, padding, output_padding, dilation",
    [(c, s, p, op, d) for c, s, p, d in itertools.product([1, 2, 3], [1, 2, 3], [0, 1, 2], [1, 2]) for op in range(max(s, d))],
)
def test_conv_transpose_length_is_n_minus_1_times_stride_minus_2p_plus_extent_plus_output_padding(
    c, stride, padding, output_padding, dilation
):
    layer = conv_transpose(kernel("k", c), stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
    for n in range(1, 20):
        expected = conv_transpose_formula(n, c, stride, padding, output_padding, dilation)
        assert output_length(layer, n) == max(0, expected), n


@pytest.mark.parametrize("left, right", [(0, 0), (1, 1), (2, 0), (0, 3)])
def test_pad_length_is_n_plus_left_plus_right_and_crop_n_minus_left_minus_right(left, right):
    for n in range(1, 15):
        assert output_length(pad(left, right), n) == n + left + right
        assert output_length(crop(left, right), n) == max(0, n - left - right)


@pytest.mark.parametrize("s, phase", [(s, p) for s in (1, 2, 3, 4) for p in range(s)])
def test_down_length_is_ceil_of_n_minus_phase_over_s(s, phase):
    for n in range(1, 25):
        assert output_length(down(s, phase), n) == down_formula(n, s, phase) == len(range(phase, n, s))


@pytest.mark.parametrize("s", [1, 2, 3, 5])
def test_up_length_is_n_minus_1_times_s_plus_1(s):
    for n in range(1, 15):
        assert output_length(up(s), n) == (n - 1) * s + 1


@pytest.mark.parametrize("layer", [flip(), relu(), affine(2, 1)])
def test_pointwise_layers_keep_the_length(layer):
    for n in range(0, 10):
        assert output_length(layer, n) == n


@pytest.mark.parametrize("size, stride, padding", [(2, None, 0), (3, 1, 1), (3, 2, 0), (4, 3, 2), (1, 1, 0)])
def test_pool_lengths_are_the_conv_formula_with_the_pool_window(size, stride, padding):
    s = size if stride is None else stride
    for n in range(1, 20):
        assert output_length(avgpool(size, stride, padding), n) == conv_formula(n, size, s, padding, padding)
        assert output_length(maxpool(size, stride, padding, dilation=2), n) == conv_formula(n, size, s, padding, padding, 2)
        assert output_length(l2pool(size, stride), n) == conv_formula(n, size, s)


def test_chain_length_is_the_composition_of_the_layer_lengths():
    k = kernel("k", 3)
    chain = pad(1) >> conv(k, stride=2) >> up(3) >> crop(1, 0) >> down(2, 1)
    for n in range(1, 30):
        m = conv_formula(n + 2, 3, 2)
        m = (m - 1) * 3 + 1 if m else 0
        m = max(0, m - 1)
        assert output_length(chain, n) == down_formula(m, 2, 1), n


def test_sum_length_is_the_branch_length():
    k = kernel("k", 3)
    layer = (conv(k) + crop(1)) >> down(2)
    for n in range(0, 20):
        assert output_length(layer, n) == output_length(conv(k) >> down(2), n)


# --- against PyTorch -------------------------------------------------------------------


@pytest.mark.parametrize("c, stride, padding, dilation", list(itertools.product([1, 2, 3, 4], [1, 2, 3], [0, 1, 2], [1, 2, 3])))
def test_conv_length_equals_torch_conv1d(c, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    w = torch.zeros(1, 1, c)
    layer = conv(kernel("k", c), stride=stride, padding=padding, dilation=dilation)
    for n in range(1, 20):
        x = torch.zeros(1, 1, n)
        expected = torch_length(lambda: torch.nn.functional.conv1d(x, w, stride=stride, padding=padding, dilation=dilation))
        assert output_length(layer, n) == expected, n


@pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")
@pytest.mark.parametrize("c, dilation", list(itertools.product([1, 2, 3, 4], [1, 2])))
def test_same_and_asymmetric_padding_lengths_equal_torch(c, dilation):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    w = torch.zeros(1, 1, c)
    for n in range(1, 12):
        x = torch.zeros(1, 1, n)
        assert output_length(conv(kernel("k", c), padding="same", dilation=dilation), n) == F.conv1d(
            x, w, padding="same", dilation=dilation
        ).shape[-1]
        for left, right in [(0, 1), (2, 0), (1, 3)]:
            expected = torch_length(lambda: F.conv1d(F.pad(x, (left, right)), w, dilation=dilation))
            assert output_length(conv(kernel("k", c), padding=(left, right), dilation=dilation), n) == expected


@pytest.mark.parametrize("c, stride, dilation", list(itertools.product([1, 2, 3], [1, 2, 3], [1, 2])))
def test_conv_transpose_length_equals_torch_conv_transpose1d(c, stride, dilation):
    torch = pytest.importorskip("torch")
    w = torch.zeros(1, 1, c)
    for padding, output_padding, n in itertools.product(range(4), range(max(stride, dilation)), range(1, 10)):
        layer = conv_transpose(kernel("k", c), stride=stride, padding=padding, output_padding=output_padding, dilation=dilation)
        expected = torch_length(
            lambda: torch.nn.functional.conv_transpose1d(
                torch.zeros(1, 1, n), w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
            )
        )
        assert output_length(layer, n) == expected, (padding, output_padding, n)


@pytest.mark.parametrize("size, stride", list(itertools.product([1, 2, 3, 4], [1, 2, 3])))
def test_pool_lengths_equal_torch_avg_max_and_lp_pool1d(size, stride):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for n, padding in itertools.product(range(1, 14), range(size // 2 + 1)):
        x = torch.zeros(1, 1, n)
        assert output_length(avgpool(size, stride, padding), n) == torch_length(lambda: F.avg_pool1d(x, size, stride, padding)), (n, padding)
        for dilation in (1, 2):
            assert output_length(maxpool(size, stride, padding, dilation), n) == torch_length(
                lambda: F.max_pool1d(x, size, stride, padding, dilation)
            ), (n, padding, dilation)
    for n in range(1, 14):
        x = torch.zeros(1, 1, n)
        assert output_length(l2pool(size, stride), n) == torch_length(lambda: F.lp_pool1d(x, 2, size, stride)), n


# --- length 0: the table holds at n = 0 too (DESIGN section 1) ------------------------------


EMPTY_INPUT_LENGTHS = [
    (conv(kernel("k", 3)), 0),
    (conv(kernel("k", 3), padding=2), 2),  # pad(2) >> conv(k): 4 zeros, 2 windows
    (conv(kernel("k", 1), padding="same"), 0),
    (conv_transpose(kernel("k", 3), stride=2, output_padding=1), 2),  # (0 - 1)*2 + 2 + 1 + 1
    (pad(2), 4),
    (crop(1), 0),
    (down(2, 1), 0),
    (up(3), 0),
    (flip(), 0),
    (avgpool(2, padding=1), 1),
    (maxpool(3, padding=1), 0),  # a maximum over no sample: the one exception
    (l2pool(2), 0),
    (relu(), 0),
    (affine(2, 1), 0),
    (pad(1) >> conv(kernel("k", 3)), 0),
    (pad(2) >> conv(kernel("k", 3)), 2),
    (conv(kernel("k", 3)) + crop(1), 0),
]


@pytest.mark.parametrize("layer, length", EMPTY_INPUT_LENGTHS, ids=repr)
def test_an_empty_input_follows_the_length_table(layer, length):
    assert output_length(layer, 0) == length


def test_a_zero_length_intermediate_is_padded_again():
    # pad(l, r) of an empty signal is l + r zeros, as torch.nn.functional.pad
    assert output_length(crop(2) >> pad(1), 2) == 2
    assert output_length(crop(2) >> up(3), 2) == 0


def test_padding_a_convolution_is_padding_before_it_at_every_n_including_zero():
    k = kernel("k", 3)
    for left, right, n in itertools.product(range(4), range(4), range(6)):
        assert output_length(conv(k, padding=(left, right)), n) == output_length(pad(left, right) >> conv(k), n)


def test_output_length_of_an_int_is_an_int():
    assert type(output_length(conv(kernel("k", 3), stride=2), 10)) is int
    assert type(output_length(conv(kernel("k", "c")), 10, {"c": 3})) is int


def test_negative_input_length_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"output_length: n=-1 is invalid; expected a non-negative input length"):
        output_length(flip(), -1)


# --- symbolic n ------------------------------------------------------------------------


SYMBOLIC_CASES = [
    conv(kernel("k", 3)),
    conv(kernel("k", 3), stride=2, padding=1),
    conv(kernel("k", 4), stride=3, padding=(0, 2), dilation=2),
    conv(kernel("k", 4), padding="same"),
    conv_transpose(kernel("k", 3), stride=2, padding=1, output_padding=1),
    conv_transpose(kernel("k", 2), stride=3, dilation=2),
    pad(1, 2),
    crop(1, 2),
    down(3, 1),
    up(2),
    flip(),
    avgpool(3, 2, 1),
    maxpool(2, 1, 1, 2),
    l2pool(3, 2),
    conv(kernel("k", 3), stride=2) >> conv(kernel("k", 3), stride=2),
    up(2) >> conv(kernel("k", 3)) >> down(3, 2),
    pad(1) >> conv(kernel("k", 5), stride=2) >> conv_transpose(kernel("k", 5), stride=2) >> crop(1),
    (conv(kernel("k", 3)) + crop(1)) >> down(2),
]


def _intermediate_lengths(layer, n):
    lengths = [n]
    for step in layer.layers():
        lengths.append(output_length(step, lengths[-1]))
    return lengths


@pytest.mark.parametrize("layer", SYMBOLIC_CASES, ids=repr)
def test_symbolic_length_agrees_with_the_integer_length_where_intermediates_are_positive(layer):
    expression = output_length(layer, N)
    assert isinstance(expression, sympy.Expr)
    assert expression.free_symbols <= {N}
    checked = 0
    for n in range(1, 60):
        lengths = _intermediate_lengths(layer, n)
        if min(lengths) >= 1:
            assert expression.subs(N, n) == lengths[-1] == output_length(layer, n), n
            checked += 1
    assert checked >= 40


def test_symbolic_conv_length_is_the_floor_formula():
    expression = output_length(conv(kernel("k", 3), stride=2, padding=1), N)
    assert sympy.simplify(expression - sympy.Max(0, sympy.floor((N - 1) / 2) + 1)) == 0


def test_generic_kernel_length_gives_a_formula_in_c():
    c = size_symbol("c")
    layer = conv(kernel("k", "c"), stride=2) >> conv_transpose(kernel("j", "c"), stride=2)
    expression = output_length(layer, N)
    assert expression.free_symbols == {N, c}
    for cv, n in itertools.product(range(1, 5), range(1, 30)):
        concrete = conv(kernel("k", cv), stride=2) >> conv_transpose(kernel("j", cv), stride=2)
        if output_length(conv(kernel("k", cv), stride=2), n) >= 1:
            assert expression.subs({N: n, c: cv}) == output_length(concrete, n) == output_length(layer, n, {"c": cv})


@pytest.mark.parametrize("cv", [1, 2, 3, 4, 5])
def test_generic_same_padding_keeps_the_length(cv):
    layer = conv(kernel("k", "c"), padding="same", dilation=2)
    assert output_length(layer, 7, {"c": cv}) == 7


def test_a_generic_length_without_its_value_stays_symbolic():
    c = size_symbol("c")
    expression = output_length(conv(kernel("k", "c")), 10)
    assert expression.free_symbols == {c}
    assert expression.subs(c, 4) == 7


def test_resolve_size_substitutes_generic_sizes():
    c = size_symbol("c")
    assert resolve_size(2 * c + 1, {"c": 3}) == 7
    assert resolve_size(2 * c + 1, None) == 2 * c + 1
    assert resolve_size(5, {"c": 3}) == 5


def test_evaluating_a_generic_kernel_without_its_size_raises_kernel_error():
    from symconv.core.semantics import evaluate, symbolic_input

    with pytest.raises(KernelError, match=r"depends on generic sizes"):
        evaluate(conv(kernel("k", "c")), symbolic_input(5))
