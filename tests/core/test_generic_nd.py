"""N-D kernels with a generic spatial size (``k[c, 3]``, ``k[c, c]``, ``W[2, 2, c, 3]``): parsing, shapes, the
per-axis length table in n_a and c against the concrete instances, ``'same'`` padding, and the errors."""

from __future__ import annotations

import re

import pytest
import sympy

from symconv.core.kernel import size_symbol
from symconv.core.kernel import Convolve, Dilate, FlipKernel, PadKernel, kernel
from symconv.core.layers_nd import conv2d, output_shape
from symconv.core.output_length import generic_sizes, length_symbol
from symconv.core.sizes_nd import with_sizes
from symconv.dsl import parse_chain
from symconv.errors import KernelError, SemanticKernelError

C = size_symbol("c")

#: Generic chains written with ``{c}`` where the size goes: the generic text has ``c``, an instance a number.
CHAINS = [
    "conv2d(k[{c}, 3], stride=2) >> conv2d(k, stride=2)",
    "conv2d(k[{c}, {c}], padding=1, dilation=(2, 1)) >> avgpool2d(2) >> conv2d(k, stride=(1, 3))",
    "conv2d(W[2, 2, {c}, 3], padding='same') >> maxpool2d(2, stride=(2, 1))",
    "conv2d(k[{c}, 3], stride=(2, 1)) >> pad((1, 0), (2, 1)) >> conv2d(convolve(k, dilate(k, 2)))",
    "conv_transpose2d(k[3, {c}], stride=2, padding=1) >> crop((1, 1), (0, 2))",
    "conv3d(k[{c}, 3, {c}], stride=(2, 1, 2)) >> conv3d(k, padding=(1, 0, 0))",
    "conv3d(W[2, 2, {c}, 3, 2], padding='same') >> down((1, 2, 1))",
]


def _generic(text: str):
    return parse_chain(text.format(c="c"))


def _instance(text: str, value: int):
    return parse_chain(text.format(c=value))


def test_a_size_name_is_a_generic_spatial_size_with_its_length_symbols():
    k = parse_chain("conv2d(k[c, 3])").weight
    assert k.dims == (C, 3) and k.shape == (1, 1, C, 3) and k.length_symbols() == {C}
    w = parse_chain("conv2d(W[2, 2, c, 3])").weight
    assert w.shape == (2, 2, C, 3) and w.length_symbols() == {C}
    assert parse_chain("conv2d(k[c, c])").weight.spatial == (C, C)
    assert parse_chain("conv3d(k[c, 3, c])").weight.spatial == (C, 3, C)
    assert kernel("k", 3, 3).length_symbols() == frozenset()


def test_kernel_expressions_give_symbolic_sizes_per_axis():
    k = kernel("k", "c", 3)
    assert Convolve(k, Dilate(k, (2, 1))).spatial == (3 * C - 2, 5)
    assert PadKernel(FlipKernel(k, (0,)), (1, 0), (0, 2)).spatial == (C + 1, 5)
    assert Convolve(k, kernel("w", 2, 2)).length_symbols() == {C}


@pytest.mark.parametrize("text", CHAINS)
def test_output_shape_in_n_and_c_equals_every_concrete_instance(text):
    generic = _generic(text)
    d = generic.ndim
    ns = tuple(length_symbol(f"n{a + 1}") for a in range(d))
    formula = output_shape(generic, ns)
    for value in range(1, 6):
        concrete = _instance(text, value)
        for n in range(0, 12):
            shape = (n,) * d
            expected = output_shape(concrete, shape)
            at = tuple(sympy.sympify(f).subs({C: value, **dict(zip(ns, shape))}) for f in formula)
            assert at == expected, (text, value, shape)
            assert output_shape(generic, shape, {"c": value}) == expected


@pytest.mark.parametrize("text", CHAINS)
def test_with_sizes_is_the_chain_written_with_that_value(text):
    for value in (1, 2, 5):
        assert with_sizes(_generic(text), {"c": value}) == _instance(text, value)


def test_same_padding_with_a_generic_size_prints_as_same_and_reads_back():
    layer = conv2d(kernel("k", "c", 3), padding="same")
    assert layer.paddings[0] == (sympy.floor((C - 1) / 2), C - 1 - sympy.floor((C - 1) / 2))
    assert repr(layer) == "conv2d(k[c, 3], padding='same')"
    assert parse_chain(repr(layer)) == layer
    assert with_sizes(layer, {"c": 4}).paddings == ((1, 2), (1, 1))


def test_generic_sizes_lists_the_names_of_an_nd_chain():
    assert generic_sizes(_generic(CHAINS[1])) == ["c"]
    assert generic_sizes(parse_chain("conv2d(k[c, d]) >> conv2d(w[3, 3])")) == ["c", "d"]


def test_taps_of_a_generic_kernel_ask_for_a_value():
    with pytest.raises(KernelError, match=re.escape("kernel k has generic length c; give a value for c")):
        kernel("k", "c", 3).grid()


@pytest.mark.parametrize("text, message", [
    ("conv2d(k[0, 3])", "kernel k has length 0; expected a kernel length of at least 1 at column 8: 'k[0, 3]' in 'conv2d(k[0, 3])'"),
    ("conv2d(k[c, -1])", "kernel k has length -1; expected a kernel length of at least 1 at column 8: 'k[c, -1]' in "
                         "'conv2d(k[c, -1])'"),
    ("conv2d(W[c, 2, 3, 3])", "kernel W: channel count 'c' is a name; channel counts are positive integers (a "
                              "generic size is a spatial size, e.g. W[8, 4, c, 3]) at column 8: 'W[c, 2, 3, 3]' in "
                              "'conv2d(W[c, 2, 3, 3])'"),
    ("conv3d(W[2, c, 3, 3, 3])", "kernel W: channel count 'c' is a name; channel counts are positive integers (a "
                                 "generic size is a spatial size, e.g. W[8, 4, c, 3, 3]) at column 8: "
                                 "'W[2, c, 3, 3, 3]' in 'conv3d(W[2, c, 3, 3, 3])'"),
])
def test_bad_sizes_are_refused_with_the_text(text, message):
    with pytest.raises(SemanticKernelError) as info:
        parse_chain(text)
    assert str(info.value) == message
