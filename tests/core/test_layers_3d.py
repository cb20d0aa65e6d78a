"""3-D kernels and layers, groups, the 1-D aliases, and per-axis argument normalisation (DESIGN §1 N-D)."""

from __future__ import annotations

import pytest
import sympy

from symconv.core.axes import padding_pairs, per_axis
from symconv.core.kernel import Convolve, Dilate, KernelSymbol, kernel, literal
from symconv.core.layers import Conv
from symconv.core.layers_nd import conv3d, conv_transpose3d, output_shape
from symconv.core.semantics_nd import evaluate_nd, run_nd, symbolic_input_nd
from symconv.dsl import parse_chain
from symconv.errors import ChainError, DSLError, InvalidArgument, KernelError


def test_a_name_with_three_sizes_is_a_3d_kernel_in_conv3d_and_a_1d_weight_in_conv():
    three = parse_chain("conv3d(k[2, 3, 4])")
    assert three.weight == KernelSymbol("k", (2, 3, 4), 3) and three.weight.shape == (1, 1, 2, 3, 4)
    one = parse_chain("conv(k[2, 3, 4])")
    assert isinstance(one.weight, KernelSymbol) and one.weight.shape == (2, 3, 4)
    assert kernel("k", 2, 3, 4, ndim=3).grid()[(0, 0, 1, 2, 3)] == sympy.Symbol("k_1_2_3")
    assert kernel("W", 2, 1, 1, 1, 2).grid()[(1, 0, 0, 0, 1)] == sympy.Symbol("W_1_0_0_0_1")


def test_a_name_sized_inside_conv3d_is_read_with_three_axes_before_any_expression_is_built():
    layer = parse_chain("conv3d(convolve(k[3, 2, 4], dilate(k, 2)), stride=4)")
    assert layer.weight.shape == (1, 1, 7, 4, 10) and parse_chain(repr(layer)) == layer
    with pytest.raises(DSLError, match=r"this is a 3-D kernel, use conv3d for it"):
        parse_chain("conv3d(k[3, 2, 4]) >> conv(k)")


def test_3d_kernel_expressions_act_per_axis():
    k = kernel("k", 2, 2, 2, ndim=3)
    assert Dilate(k, (2, 1, 3)).shape == (1, 1, 3, 2, 4)
    assert Convolve(k, Dilate(k, (2, 2, 2))).shape == (1, 1, 4, 4, 4)
    layer = parse_chain("conv3d(convolve(k[2, 2, 2], dilate(flip(k), (2, 1, 1)))"
                        " + padk(j[1, 1, 1], (1, 0, 1), (2, 2, 1)))")
    assert layer.weight.shape == (1, 1, 4, 3, 3) and parse_chain(repr(layer)) == layer
    assert literal([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], 3).grid()[(0, 0, 1, 0, 1)] == 6


def test_conv3d_arguments_are_normalised_once_per_axis():
    layer = conv3d(kernel("k", 3, 3, 3, ndim=3), stride=(2, 1, 1), padding=(1, (0, 2), 0), dilation=2)
    assert layer.strides == (2, 1, 1) and layer.dilations == (2, 2, 2)
    assert layer.paddings == ((1, 1), (0, 2), (0, 0))
    same = conv3d(kernel("k", 3, 2, 1, ndim=3), padding="same")
    assert same.paddings == ((1, 1), (0, 1), (0, 0)) and output_shape(same, (4, 5, 6)) == (4, 5, 6)
    assert conv3d(kernel("k", 3, 3, 3, ndim=3), padding="valid").paddings == ((0, 0),) * 3
    assert per_axis(3, 4, "conv", "stride") == (3, 3, 3, 3)
    assert padding_pairs(((1, 2), 0), 2, "conv2d") == ((1, 2), (0, 0))


@pytest.mark.parametrize("build, error, message", [
    (lambda: conv3d(kernel("k", 3, 3, 3, ndim=3), stride=(1, 2)), InvalidArgument,
     r"conv3d: stride=\(1, 2\) is invalid; expected an int or a tuple of 3 values \(one per axis\)"),
    (lambda: conv3d(kernel("W", 4, 2, 1, 1, 1), groups=3), InvalidArgument,
     r"conv3d: groups=3 is invalid; expected a divisor of the weight's out_channels \(dim 0\) = 4"),
    (lambda: conv3d(kernel("k", 3, 3)), InvalidArgument, r"conv3d: weight=k\[3, 3\] is invalid; expected a 3-D"),
    (lambda: conv_transpose3d(kernel("k", 2, 2, 2, ndim=3), stride=2, output_padding=(0, 2, 0)), InvalidArgument,
     r"conv_transpose3d: output_padding=\(0, 2, 0\) is invalid; expected below the stride or the dilation"),
    (lambda: kernel("k", 3, 3, 3, 3, 3, 3), KernelError, r"has 6 sizes; .* a name with more sizes needs its layer "
                                                         r"\(conv3d\) or ndim="),
    (lambda: conv3d(kernel("k", 2, 2, 2, ndim=3), padding=((1, 2, 3), 0, 0)), InvalidArgument,
     r"each an int or a pair \(left, right\)"),
])
def test_bad_3d_arguments_name_the_argument_and_what_is_expected(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_groups_split_the_channels_as_pytorch():
    layer = parse_chain("conv3d(W[4, 1, 1, 1, 1], groups=2)")
    assert layer.in_channels == 2 and layer.out_channels(2) == 4
    y = evaluate_nd(layer, symbolic_input_nd((1, 1, 1), 2))
    x0, x1 = sympy.symbols("x_0_0_0_0 x_1_0_0_0")
    assert [y[o][0][0][0] for o in range(4)] == [sympy.Symbol(f"W_{o}_0_0_0_0") * (x0 if o < 2 else x1)
                                                for o in range(4)]
    transposed = parse_chain("conv_transpose3d(W[2, 3, 1, 1, 1], groups=2)")
    assert transposed.in_channels == 2 and transposed.out_channels(2) == 6


def test_the_1d_aliases_are_the_1d_layers():
    assert parse_chain("conv1d(k[3], stride=2)") == parse_chain("conv(k[3], stride=2)")
    assert isinstance(parse_chain("conv1d(k[3])"), Conv)
    assert parse_chain("conv_transpose1d(k[3], stride=2)") == parse_chain("conv_transpose(k[3], stride=2)")
    assert parse_chain("avgpool1d(2) >> maxpool1d(2)") == parse_chain("avgpool(2) >> maxpool(2)")


@pytest.mark.parametrize("text, error", [
    ("conv3d(k[3, 3, 3]) >> conv2d(j[3, 3])", ChainError),
    ("conv3d(k[3, 3])", DSLError),
    ("pad((1, 1, 1), (1, 1))", DSLError),
    ("maxpool3d((2, 2))", DSLError),
])
def test_3d_bad_statements(text, error):
    with pytest.raises(error):
        parse_chain(text)


def test_padding_supplies_the_outputs_of_an_empty_axis_as_the_length_table_says():
    layer = parse_chain("conv3d(k[1, 1, 1], padding=(1, 0, 0), bias=[5])")
    y = run_nd(layer, symbolic_input_nd((0, 2, 2)))
    assert y.shape == (2, 2, 2) and set(y.values.values()) == {5}
    assert isinstance(layer, Conv) and output_shape(layer, (0, 2, 2)) == (2, 2, 2)
