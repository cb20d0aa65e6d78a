"""One class per operator for every number of axes: the convolutions and the kernel expressions.

A 1-D layer or kernel is the d = 1 case of the class that serves 2-D and 3-D: it stores its arguments per
axis, answers the 1-D names, prints as 1-D DSL, and equals the same layer written with per-axis arguments.
A layer or kernel of 2+ axes refuses the 1-D names with an AttributeError naming the per-axis field, so 1-D
code that strays onto it fails loudly instead of reading axis 0.
"""

import dataclasses

import numpy as np
import pytest

from symconv.core.convolution import Conv, ConvTranspose, conv, conv2d, conv3d, conv_transpose, conv_transpose2d
from symconv.core.kernel import (Convolve, Dilate, FlipKernel, KernelSymbol, Literal, PadKernel, convolve, dilate,
                                 flipk, kernel, literal, padk)
from symconv.core.semantics import evaluate
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument, KernelError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric


def test_a_1d_and_a_2d_convolution_are_one_class_with_per_axis_fields():
    one, two = conv(kernel("k", 3), stride=2, padding=(1, 0), dilation=2), conv2d(kernel("k", 3, 3), stride=(2, 1))
    assert type(one) is type(two) is Conv
    assert (one.strides, one.paddings, one.dilations) == ((2,), ((1, 0),), (2,))
    assert (two.strides, two.paddings, two.dilations) == ((2, 1), ((0, 0), (0, 0)), (1, 1))
    assert type(conv_transpose(kernel("k", 3))) is type(conv_transpose2d(kernel("k", 3, 3))) is ConvTranspose


def test_a_1d_convolution_answers_the_1d_names_and_prints_as_1d_dsl():
    layer = conv(kernel("k", 3), stride=2, padding=(1, 0), dilation=2, bias="b")
    assert (layer.stride, layer.padding, layer.padding_pair(), layer.dilation) == (2, (1, 0), (1, 0), 2)
    assert repr(layer) == "conv(k[3], stride=2, padding=(1, 0), dilation=2, bias=b)"
    assert parse_chain(repr(layer)) == layer
    transposed = conv_transpose(kernel("k", 3), stride=2, padding=1, output_padding=1)
    assert (transposed.stride, transposed.padding, transposed.output_padding, transposed.dilation) == (2, 1, 1, 1)
    assert repr(transposed) == "conv_transpose(k[3], stride=2, padding=1, output_padding=1)"


@pytest.mark.parametrize("name, field", [("stride", "strides"), ("padding", "paddings"),
                                         ("dilation", "dilations"), ("padding_pair", "paddings")])
def test_a_2d_convolution_refuses_the_1d_names_naming_the_per_axis_field(name, field):
    layer = conv2d(kernel("k", 3, 3), stride=(2, 1))
    with pytest.raises(AttributeError, match=rf"has 2 axes: `{name}` names the one axis .* `{field}\[a\]`"):
        value = getattr(layer, name)
        value() if callable(value) else None


def test_the_class_reads_the_axes_from_its_kernel_and_equal_layers_are_equal():
    assert Conv(kernel("k", 3, 3), 2, 1) == conv2d(kernel("k", 3, 3), stride=2, padding=1)
    assert Conv(kernel("k", 3), 1, "same") == conv(kernel("k", 3), padding=1) == Conv(kernel("k", 3), (1,), ((1, 1),))
    assert dataclasses.replace(conv(kernel("k", 3), stride=2), strides=1) == conv(kernel("k", 3))
    generic = conv(kernel("k", "c"), padding="same")
    assert generic.padding == "same" and repr(generic) == "conv(k[c], padding='same')"


@pytest.mark.parametrize("build, message", [
    (lambda: conv(kernel("k", 3), padding=(1, 2, 3)),
     "conv: padding=(1, 2, 3) is invalid; expected an int, a pair (left, right), 'same' or 'valid'"),
    (lambda: conv(kernel("k", 3), stride=0), "conv: stride=0 is invalid; expected a positive integer"),
    (lambda: conv2d(kernel("k", 3, 3), stride=(1, 0)), "conv2d: stride=0 is invalid; expected a positive integer"),
    (lambda: conv(kernel("k", 3, 3)), "a 1-D layer: weight=k[3, 3] is invalid; expected a 1-D kernel such as k[3]: "
                                      "this is a 2-D kernel, use conv2d for it"),
    (lambda: conv_transpose(kernel("k", 3), stride=2, output_padding=2),
     "conv_transpose: output_padding=2 is invalid; expected a value below stride=2 or dilation=1 (as PyTorch)"),
])
def test_bad_arguments_keep_their_messages(build, message):
    with pytest.raises(InvalidArgument) as err:
        build()
    assert str(err.value) == message


def test_kernels_of_every_d_are_one_class_each():
    assert type(kernel("k", 3)) is type(kernel("k", 3, 3)) is KernelSymbol
    assert type(literal([1, 2])) is type(literal([[1, 2], [3, 4]])) is Literal
    assert type(dilate(kernel("k", 3), 2)) is type(dilate(kernel("k", 3, 3), (2, 1))) is Dilate
    assert type(convolve(kernel("k", 2), kernel("k", 2))) is type(convolve(kernel("k", 2, 2), kernel("k", 2, 2)))
    assert type(padk(kernel("k", 2), 1, 0)) is type(padk(kernel("k", 2, 2), (1, 0), 0)) is PadKernel
    assert type(flipk(kernel("k", 2))) is type(flipk(kernel("k", 2, 2), axes=(0,))) is FlipKernel
    assert isinstance(convolve(kernel("k", 2), kernel("k", 2)), Convolve)


def test_a_1d_kernel_expression_answers_the_1d_names_and_a_2d_one_names_its_fields():
    d1, p1 = dilate(kernel("k", 3), 2), padk(kernel("k", 3), 1, 2)
    assert (d1.factor, d1.factors, p1.left, p1.right, p1.before, p1.length) == (2, (2,), 1, 2, (1,), 6)
    assert repr(d1) == "dilate(k[3], 2)" and repr(p1) == "padk(k[3], 1, 2)"
    with pytest.raises(AttributeError, match=r"`factor` names the one axis .* `factors\[a\]`"):
        dilate(kernel("k", 3, 3), (2, 1)).factor
    with pytest.raises(AttributeError, match=r"`length` is the one size of a 1-D kernel .* `spatial\[a\]`"):
        kernel("k", 3, 3).length
    assert flipk(kernel("k", 2)).is_whole and not flipk(kernel("k", 2, 2), axes=(1,)).is_whole


def test_a_1d_kernel_expression_computes_its_taps_from_its_children():
    k = kernel("k", 3)
    k0, k1, k2 = k.taps()[0][0]
    expression = 2 * convolve(padk(flipk(k), 1, 0), dilate(k, 2)) + literal([1, 0, 0, 0, 0, 0, 0, 0])
    taps = expression.taps()[0][0]  # 2 * [0, k2, k1, k0] * [k0, 0, k1, 0, k2] + [1, 0, ...]
    assert len(taps) == 8 and taps[0] == 1 and taps[1] == 2 * k0 * k2 and taps[7] == 2 * k0 * k2
    assert taps[3] == 2 * (k0 ** 2 + k1 * k2)
    assert expression.exact_grid() is expression.exact_grid()  # remembered, not rebuilt


def test_a_generic_size_gets_its_value_from_sizes_in_every_d():
    assert convolve(kernel("k", "c"), kernel("k", "c")).taps({"c": 2}) == convolve(kernel("k", 2),
                                                                                    kernel("k", 2)).taps()
    assert dilate(kernel("k", "c", 2), (2, 1)).taps({"c": 2}) == dilate(kernel("k", 2, 2), (2, 1)).taps()
    with pytest.raises(KernelError, match=r"^kernel k has generic length c; give a value for c$"):
        kernel("k", "c", 2).taps()


def test_a_2d_chain_whose_second_axis_is_trivial_gives_the_1d_numbers():
    one = conv(kernel("k", 3), stride=2, padding=(1, 0)) >> conv_transpose(kernel("g", 2), stride=2)
    two = (conv2d(kernel("k", 3, 1), stride=(2, 1), padding=((1, 0), (0, 0)))
           >> conv_transpose2d(kernel("g", 2, 1), stride=(2, 1)))
    taps = {"k": [2, -1, 3], "g": [1, 4]}
    columns = {name: [[v] for v in values] for name, values in taps.items()}
    for n in (0, 1, 4, 7):
        x = np.arange(1.0, n + 1)
        expected = evaluate_nd_numeric(one, x[None], taps, exact=True)
        got = evaluate_nd_numeric(two, x[None, :, None], columns, exact=True)
        assert got[:, :, 0].tolist() == expected.tolist(), n


def test_the_1d_numeric_and_the_nd_numeric_evaluators_agree_on_a_1d_chain():
    chain = conv([1, -2, 1], stride=2, padding=(1, 2), dilation=2, bias=[3]) >> conv_transpose([2, 1], stride=3)
    x = np.arange(9.0)
    assert evaluate_nd_numeric(chain, x[None]).tolist() == evaluate_numeric(chain, x).tolist()
    assert [float(v) for v in evaluate(chain, tuple([tuple(int(v) for v in x)]))[0]] == \
        evaluate_numeric(chain, x)[0].tolist()


def test_a_3d_convolution_is_the_same_class_and_prints_per_axis():
    layer = conv3d(kernel("k", 2, 2, 2), stride=(2, 1, 1), padding=1)
    assert type(layer) is Conv and layer.ndim == 3
    assert repr(layer) == "conv3d(k[2, 2, 2], stride=(2, 1, 1), padding=1)"
