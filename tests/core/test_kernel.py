"""Kernels: taps, literals, kernel expressions, shapes, reprs, immutability and errors."""

from __future__ import annotations

import dataclasses
import itertools
from fractions import Fraction

import pytest
import sympy

from symconv.core.kernel import (
    MAX_CHANNELS,
    MAX_KERNEL_LENGTH,
    Convolve,
    Dilate,
    FlipKernel,
    KernelSum,
    KernelSymbol,
    Literal,
    PadKernel,
    Scaled,
    as_kernel,
    convolve,
    dilate,
    exact_number,
    flipk,
    kernel,
    literal,
    padk,
    size_symbol,
    tap_symbol,
)
from symconv.errors import InvalidArgument, KernelError, SizeLimitError

R = sympy.Rational
c = size_symbol("c")


def flat(k, sizes=None):
    """The taps of a single-channel kernel as a flat tuple."""
    taps = k.taps(sizes)
    assert len(taps) == 1 and len(taps[0]) == 1
    return taps[0][0]


def poly_coefficients(a, b):
    """Coefficients of (sum a_j z^j)(sum b_l z^l), lowest degree first: an independent convolution."""
    z = sympy.Symbol("z")
    product = sympy.expand(sum(v * z**j for j, v in enumerate(a)) * sum(v * z**j for j, v in enumerate(b)))
    return tuple(sympy.expand(product.coeff(z, m)) for m in range(len(a) + len(b) - 1))


# --- taps of named kernels -------------------------------------------------------------


def test_named_kernel_k3_has_taps_k_0_k_1_k_2():
    k = kernel("k", 3)
    assert k.taps() == (((sympy.Symbol("k_0"), sympy.Symbol("k_1"), sympy.Symbol("k_2")),),)


def test_weight_W_2_3_4_has_taps_W_o_i_j_in_pytorch_layout():
    W = kernel("W", 2, 3, 4)
    taps = W.taps()
    assert len(taps) == 2 and all(len(row) == 3 for row in taps)
    for o, i, j in itertools.product(range(2), range(3), range(4)):
        assert taps[o][i][j] == sympy.Symbol(f"W_{o}_{i}_{j}")
    assert tap_symbol("W", 1, 0, 2) == sympy.Symbol("W_1_0_2")


@pytest.mark.parametrize("value", [1, 2, 5])
def test_generic_kernel_k_c_has_c_taps_once_c_is_given(value):
    k = kernel("k", "c")
    assert flat(k, {"c": value}) == tuple(sympy.Symbol(f"k_{j}") for j in range(value))


def test_generic_length_is_a_positive_integer_symbol():
    k = kernel("k", "c")
    assert k.length == c
    assert c.is_integer and c.is_positive
    assert k.length_symbols() == frozenset({c})
    assert kernel("k", sympy.Symbol("c")).length == c


def test_generic_kernel_without_a_size_refuses_to_give_taps():
    with pytest.raises(KernelError, match=r"generic length c; give a value for c"):
        kernel("k", "c").taps()


# --- literal kernels: exact numbers ----------------------------------------------------


def test_literal_ints_are_exact_integers():
    taps = flat(literal([1, 2, 1]))
    assert taps == (1, 2, 1)
    assert all(isinstance(v, sympy.Integer) for v in taps)


def test_literal_floats_are_the_exact_rationals_they_print_as():
    assert flat(literal([0.5, 0.25, 0.1])) == (R(1, 2), R(1, 4), R(1, 10))
    assert all(isinstance(v, sympy.Rational) for v in flat(literal([0.5, 0.1])))


def test_literal_fractions_and_strings_are_exact_rationals():
    assert flat(literal([Fraction(1, 3), "1/3", "-2/6", "0.5", 7])) == (R(1, 3), R(1, 3), R(-1, 3), R(1, 2), 7)


def test_literal_sympy_rationals_are_kept():
    assert flat(literal([R(2, 7), sympy.Integer(-3)])) == (R(2, 7), -3)


def test_literal_nested_list_is_a_multichannel_weight():
    W = literal([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]])
    assert W.shape == (2, 3, 2)
    assert W.taps()[1][2] == (11, 12)


def test_exact_number_of_a_float_is_exact():
    assert exact_number(0.5) == R(1, 2)
    assert exact_number(-1.25) == R(-5, 4)


def test_as_kernel_accepts_a_kernel_or_a_list():
    k = kernel("k", 3)
    assert as_kernel(k) is k
    assert as_kernel([1, 2]) == literal([1, 2])
    assert as_kernel((1, 2)) == literal([1, 2])


# --- dilate ----------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3, 5])
@pytest.mark.parametrize("length", [1, 2, 4])
def test_dilate_inserts_d_minus_1_zeros_between_taps(d, length):
    k = kernel("k", length)
    taps = flat(dilate(k, d))
    assert len(taps) == d * (length - 1) + 1 == dilate(k, d).length
    for m, v in enumerate(taps):
        assert v == (sympy.Symbol(f"k_{m // d}") if m % d == 0 else 0)


def test_dilate_by_1_is_the_identity_on_taps():
    k = kernel("k", 4)
    assert dilate(k, 1).taps() == k.taps()


def test_dilate_of_a_generic_kernel_has_length_d_times_c_minus_1_plus_1():
    assert sympy.expand(dilate(kernel("k", "c"), 3).length - (3 * c - 2)) == 0
    assert len(flat(dilate(kernel("k", "c"), 3), {"c": 4})) == 10


def test_dilate_of_a_dilate_multiplies_the_factors():
    k = kernel("k", 3)
    assert dilate(dilate(k, 2), 3).taps() == dilate(k, 6).taps()


def test_dilate_acts_on_every_channel_of_a_weight():
    W = kernel("W", 2, 3, 2)
    taps = dilate(W, 2).taps()
    for o, i in itertools.product(range(2), range(3)):
        assert taps[o][i] == (sympy.Symbol(f"W_{o}_{i}_0"), 0, sympy.Symbol(f"W_{o}_{i}_1"))


# --- convolve --------------------------------------------------------------------------


def test_convolve_of_literals_is_numpy_convolve():
    # numpy.convolve([1, 2, 3], [0, 1, 0.5]) == [0, 1, 2.5, 4, 1.5]
    assert flat(convolve([1, 2, 3], [0, 1, 0.5])) == (0, 1, R(5, 2), 4, R(3, 2))


@pytest.mark.parametrize("la, lb", [(1, 1), (1, 3), (2, 3), (3, 3), (4, 2)])
def test_convolve_is_the_product_of_the_tap_polynomials(la, lb):
    a, b = kernel("a", la), kernel("b", lb)
    taps = flat(convolve(a, b))
    assert len(taps) == la + lb - 1 == convolve(a, b).length
    assert taps == poly_coefficients(flat(a), flat(b))


def test_convolve_is_commutative_on_single_channel_kernels():
    a, b = kernel("a", 3), kernel("b", 2)
    assert convolve(a, b).taps() == convolve(b, a).taps()


def test_convolve_with_the_unit_kernel_is_the_identity():
    k = kernel("k", 3)
    assert convolve(k, [1]).taps() == k.taps()
    assert convolve([1], k).taps() == k.taps()


def test_convolve_of_weights_sums_over_the_middle_channel():
    a, b = kernel("A", 3, 2, 2), kernel("B", 4, 3, 3)  # conv(A): 2 -> 3 channels, conv(B): 3 -> 4
    E = convolve(a, b)
    assert E.shape == (4, 2, 4)
    ta, tb, te = a.taps(), b.taps(), E.taps()
    for o, i in itertools.product(range(4), range(2)):
        expected = [0] * 4
        for m in range(3):
            for idx, v in enumerate(poly_coefficients(ta[m][i], tb[o][m])):
                expected[idx] += v
        assert te[o][i] == tuple(sympy.expand(v) for v in expected)


def test_convolve_is_the_weight_of_conv_a_then_conv_b():
    from symconv.core.layers import conv
    from symconv.core.semantics import evaluate, symbolic_input

    a, b = kernel("A", 3, 2, 2), kernel("B", 2, 3, 3)
    x = symbolic_input(7, channels=2)
    assert evaluate(conv(a) >> conv(b), x) == evaluate(conv(convolve(a, b)), x)


def test_convolve_of_generic_kernels_has_length_ca_plus_cb_minus_1():
    k = kernel("k", "c")
    e = convolve(k, dilate(k, 2))
    assert sympy.expand(e.length - (3 * c - 2)) == 0
    assert len(flat(e, {"c": 3})) == 7


# --- flip, padk, sums, scalar products -------------------------------------------------


def test_flip_reverses_the_taps():
    k = kernel("k", 4)
    assert flat(flipk(k)) == tuple(reversed(flat(k)))
    assert flipk(flipk(k)).taps() == k.taps()


def test_flip_of_a_convolution_is_the_convolution_of_the_flips():
    a, b = kernel("a", 3), kernel("b", 2)
    assert flipk(convolve(a, b)).taps() == convolve(flipk(a), flipk(b)).taps()


def test_flip_reverses_each_channel_of_a_weight():
    W = kernel("W", 2, 2, 3)
    for o, i in itertools.product(range(2), range(2)):
        assert flipk(W).taps()[o][i] == tuple(reversed(W.taps()[o][i]))


def test_padk_adds_left_and_right_zeros():
    k = kernel("k", 2)
    assert flat(padk(k, 1, 2)) == (0, *flat(k), 0, 0)
    assert padk(k, 1, 2).length == 5


def test_padk_right_defaults_to_left():
    k = kernel("k", 2)
    assert padk(k, 2) == padk(k, 2, 2)
    assert flat(padk(k, 2)) == (0, 0, *flat(k), 0, 0)


def test_kernel_sum_adds_taps():
    a, b = kernel("a", 3), kernel("b", 3)
    assert flat(a + b) == tuple(x + y for x, y in zip(flat(a), flat(b)))
    assert flat(literal([1, 2]) + literal([0.5, -2])) == (R(3, 2), 0)


def test_kernel_sum_of_generic_kernels_of_the_same_length_is_allowed():
    s = kernel("a", "c") + kernel("b", "c")
    assert s.length == c
    assert flat(s, {"c": 2}) == (sympy.Symbol("a_0") + sympy.Symbol("b_0"), sympy.Symbol("a_1") + sympy.Symbol("b_1"))


def test_scalar_product_multiplies_every_tap_exactly():
    k = kernel("k", 3)
    assert flat(R(1, 2) * k) == tuple(v / 2 for v in flat(k))
    assert flat(0.5 * k) == flat(R(1, 2) * k)
    assert flat(k * 3) == flat(3 * k) == tuple(3 * v for v in flat(k))
    assert flat(-k) == tuple(-v for v in flat(k))


def test_scalar_product_of_a_literal_kernel():
    assert flat(2 * literal([1, "1/2"])) == (2, 1)


def test_a_kernel_minus_itself_by_sum_and_scale_is_zero():
    k = kernel("k", 3)
    assert flat(k + (-1) * k) == (0, 0, 0)


def test_convolution_is_bilinear_in_sums_and_scalars():
    a, b, d = kernel("a", 2), kernel("b", 2), kernel("d", 3)
    lhs = flat(convolve(a + 3 * b, d))
    rhs = flat(convolve(a, d) + 3 * convolve(b, d))
    assert tuple(sympy.expand(x - y) for x, y in zip(lhs, rhs)) == (0,) * 4


# --- shapes, names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "k, shape",
    [
        (kernel("k", 3), (1, 1, 3)),
        (kernel("W", 2, 3, 4), (2, 3, 4)),
        (literal([1, 2, 1]), (1, 1, 3)),
        (dilate(kernel("k", 3), 2), (1, 1, 5)),
        (convolve(kernel("k", 3), kernel("j", 4)), (1, 1, 6)),
        (convolve(kernel("A", 3, 2, 2), kernel("B", 5, 3, 4)), (5, 2, 5)),
        (flipk(kernel("W", 2, 3, 4)), (2, 3, 4)),
        (padk(kernel("k", 3), 1, 2), (1, 1, 6)),
        (kernel("a", 3) + kernel("b", 3), (1, 1, 3)),
        (2 * kernel("W", 2, 3, 4), (2, 3, 4)),
    ],
)
def test_kernel_shape_is_out_in_length(k, shape):
    assert k.shape == shape
    assert (k.out_channels, k.in_channels, k.length) == shape
    assert k.is_single_channel == (shape[:2] == (1, 1))
    taps = k.taps()
    assert (len(taps), len(taps[0]), len(taps[0][0])) == shape


def test_generic_lengths_propagate_through_kernel_expressions():
    k = kernel("k", "c")
    assert sympy.expand(padk(k, 1, 2).length - (c + 3)) == 0
    assert flipk(k).length == c
    assert (2 * k).length == c
    assert sympy.expand(convolve(k, kernel("j", 3)).length - (c + 2)) == 0


def test_kernel_names_and_symbols_are_collected_in_order_of_first_use():
    e = convolve(kernel("b", 2), dilate(kernel("a", 3), 2)) + padk(kernel("b", 2), 4, 0)
    assert e.kernel_names() == frozenset({"a", "b"})
    assert [s.name for s in e.symbols()] == ["b", "a"]
    assert literal([1, 2]).kernel_names() == frozenset()
    assert e.length_symbols() == frozenset()


# --- reprs are DSL syntax --------------------------------------------------------------


@pytest.mark.parametrize(
    "k, text",
    [
        (kernel("k", 3), "k[3]"),
        (kernel("k", "c"), "k[c]"),
        (kernel("W", 2, 3, 4), "W[2, 3, 4]"),
        (literal([1, 0.5, "1/3"]), "[1, 1/2, 1/3]"),
        (literal([[[1, 2]], [[3, 4]]]), "[[[1, 2]], [[3, 4]]]"),
        (dilate(kernel("k", 3), 2), "dilate(k[3], 2)"),
        (convolve(kernel("k", 3), dilate(kernel("k", 3), 2)), "convolve(k[3], dilate(k[3], 2))"),
        (flipk(kernel("k", 3)), "flip(k[3])"),
        (padk(kernel("k", 3), 1, 2), "padk(k[3], 1, 2)"),
        (kernel("a", 3) + kernel("b", 3), "a[3] + b[3]"),
        (3 * kernel("k", 3), "3 * k[3]"),
        (R(1, 2) * kernel("k", 3), "(1/2) * k[3]"),
        (2 * (kernel("a", 3) + kernel("b", 3)), "2 * (a[3] + b[3])"),
        (-kernel("k", 2), "-1 * k[2]"),
    ],
)
def test_kernel_repr_is_dsl_syntax(k, text):
    assert repr(k) == text


# --- immutability ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "k, field",
    [
        (kernel("k", 3), "name"),
        (literal([1, 2]), "values"),
        (dilate(kernel("k", 3), 2), "factor"),
        (convolve(kernel("a", 2), kernel("b", 2)), "a"),
        (flipk(kernel("k", 3)), "kernel"),
        (padk(kernel("k", 3), 1), "left"),
        (kernel("a", 2) + kernel("b", 2), "b"),
        (2 * kernel("k", 2), "scalar"),
    ],
)
def test_kernels_are_frozen(k, field):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(k, field, None)


def test_kernels_are_values_equal_by_content_and_hashable():
    assert kernel("k", 3) == kernel("k", 3)
    assert kernel("k", 3) != kernel("k", 4)
    assert dilate(kernel("k", 3), 2) == dilate(kernel("k", 3), 2)
    assert literal([1, 0.5]) == literal(["1", "1/2"])
    assert len({kernel("k", 3), kernel("k", 3), convolve([1], kernel("k", 3))}) == 2


# --- errors ----------------------------------------------------------------------------


def test_empty_literal_kernel_raises_kernel_error():
    with pytest.raises(KernelError, match=r"literal kernel \[\] is empty"):
        literal([])
    with pytest.raises(KernelError, match=r"is empty"):
        literal([[[]]])
    with pytest.raises(KernelError, match=r"is empty"):
        Literal(())


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_taps_raise_kernel_error(bad):
    with pytest.raises(KernelError, match=r"is not finite; expected a finite number"):
        literal([1, bad])


@pytest.mark.parametrize("bad", [sympy.nan, sympy.oo, sympy.zoo])
def test_sympy_non_finite_taps_raise_kernel_error(bad):
    with pytest.raises(KernelError, match=r"is not finite"):
        literal([bad])


@pytest.mark.parametrize("bad", ["nan", "inf", "abc", "1/0x"])
def test_strings_that_are_not_numbers_raise_kernel_error(bad):
    with pytest.raises(KernelError, match=r"is not a number; expected e\.g\. 1/2"):
        literal([1, bad])


def test_ragged_literal_raises_kernel_error():
    with pytest.raises(KernelError, match=r"is ragged; expected equal sizes on each axis"):
        literal([[[1, 2], [3]]])
    with pytest.raises(KernelError, match=r"is ragged"):
        literal([[[1, 2]], [[3, 4], [5, 6]]])


def test_literal_mixing_numbers_and_lists_raises_kernel_error():
    with pytest.raises(KernelError, match=r"mixes numbers and lists"):
        literal([1, [2, 3]])


@pytest.mark.parametrize("bad", [True, False])
def test_boolean_taps_raise_kernel_error(bad):
    with pytest.raises(KernelError, match=r"is a boolean; expected a number"):
        literal([1, bad])


def test_a_string_is_not_a_literal_kernel():
    with pytest.raises(KernelError, match=r"is not a list"):
        literal("121")


def test_a_number_is_not_a_kernel():
    with pytest.raises(KernelError, match=r"3 is not a kernel"):
        as_kernel(3)


def test_an_object_is_not_a_tap():
    with pytest.raises(KernelError, match=r"is not a number; expected an int, a fraction or a float"):
        literal([object()])


@pytest.mark.parametrize("dims", [(0, 2, 3), (2, 0, 3), (-1, 1, 3)])
def test_channel_count_below_1_raises_kernel_error(dims):
    with pytest.raises(KernelError, match=r"channel count -?\d+ must be a positive integer"):
        kernel("W", *dims)


def test_too_many_channels_raise_size_limit_error():
    with pytest.raises(SizeLimitError, match=rf"refuses more than {MAX_CHANNELS}"):
        kernel("W", MAX_CHANNELS + 1, 1, 3)


@pytest.mark.parametrize("length", [0, -2])
def test_kernel_length_below_1_raises_kernel_error(length):
    with pytest.raises(KernelError, match=rf"has length {length}; expected a kernel length of at least 1"):
        kernel("k", length)


@pytest.mark.parametrize("name", ["1k", "k-1", "", "k k", "k[3]"])
def test_a_kernel_name_that_is_not_an_identifier_raises_kernel_error(name):
    with pytest.raises(KernelError, match=r"is not an identifier"):
        kernel(name, 3)


def test_a_size_that_is_neither_a_number_nor_a_name_raises_kernel_error():
    with pytest.raises(KernelError, match=r"size '2c' is not a number or a name"):
        kernel("k", "2c")
    with pytest.raises(KernelError, match=r"size 2\.5 is not an integer or a name"):
        kernel("k", 2.5)
    with pytest.raises(KernelError, match=r"size True is not an integer or a name"):
        kernel("k", True)


def test_a_kernel_with_two_sizes_is_one_2d_channel_and_six_sizes_are_refused():
    assert kernel("k", 3, 3).shape == (1, 1, 3, 3)
    with pytest.raises(KernelError, match=r"has 6 sizes; expected one per spatial axis"):
        kernel("k", 3, 3, 3, 3, 3, 3)


@pytest.mark.parametrize("length", [MAX_KERNEL_LENGTH + 1, 10**9, 10**100])
def test_absurd_kernel_lengths_raise_size_limit_error(length):
    with pytest.raises(SizeLimitError, match=rf"symconv refuses kernels longer than {MAX_KERNEL_LENGTH}"):
        kernel("k", length)


def test_the_longest_allowed_kernel_is_accepted():
    assert kernel("k", MAX_KERNEL_LENGTH).length == MAX_KERNEL_LENGTH


def test_absurd_literal_length_raises_size_limit_error():
    with pytest.raises(SizeLimitError, match=r"refuses kernels longer than"):
        literal([0] * (MAX_KERNEL_LENGTH + 1))


@pytest.mark.parametrize(
    "build",
    [
        lambda: dilate(kernel("k", MAX_KERNEL_LENGTH), MAX_KERNEL_LENGTH),
        lambda: convolve(kernel("a", MAX_KERNEL_LENGTH), kernel("b", 2)),
        lambda: padk(kernel("k", MAX_KERNEL_LENGTH), 1, 0),
    ],
    ids=["dilate", "convolve", "padk"],
)
def test_kernel_expressions_longer_than_the_limit_raise_size_limit_error(build):
    with pytest.raises(SizeLimitError, match=r"has length \d+; symconv refuses kernels longer than"):
        build()


def test_dilate_factor_beyond_the_limit_raises_size_limit_error():
    with pytest.raises(SizeLimitError, match=r"dilate: d=\d+ exceeds the limit"):
        dilate(kernel("k", 1), MAX_KERNEL_LENGTH + 1)


def test_convolve_with_mismatched_channels_raises_kernel_error():
    a, b = kernel("A", 3, 2, 2), kernel("B", 4, 2, 3)
    with pytest.raises(KernelError, match=r"A\[3, 2, 2\] has 3 output channel\(s\) but B\[4, 2, 3\] takes 2"):
        convolve(a, b)
    with pytest.raises(KernelError, match=r"expected them equal"):
        Convolve(kernel("k", 3), b)


def test_kernel_sum_of_different_lengths_raises_kernel_error():
    with pytest.raises(KernelError, match=r"shapes \(1, 1, 3\) and \(1, 1, 4\) differ; expected equal shapes"):
        kernel("a", 3) + kernel("b", 4)


def test_kernel_sum_of_different_channels_raises_kernel_error():
    with pytest.raises(KernelError, match=r"shapes \(2, 1, 3\) and \(1, 2, 3\) differ"):
        KernelSum(kernel("A", 2, 1, 3), kernel("B", 1, 2, 3))


def test_kernel_sum_of_different_generic_lengths_raises_kernel_error():
    with pytest.raises(KernelError, match=r"differ"):
        kernel("a", "c") + kernel("b", "d")


@pytest.mark.parametrize("d", [0, -1])
def test_dilate_by_less_than_1_raises_invalid_argument(d):
    with pytest.raises(InvalidArgument, match=rf"dilate: d={d} is invalid; expected a positive integer"):
        dilate(kernel("k", 3), d)


@pytest.mark.parametrize("d", [2.0, "2", True])
def test_dilate_by_a_non_integer_raises_invalid_argument(d):
    with pytest.raises(InvalidArgument, match=r"dilate: d=.* is invalid; expected a positive integer"):
        Dilate(kernel("k", 3), d)


def test_negative_padk_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"padk: left=-1 is invalid; expected a non-negative integer"):
        padk(kernel("k", 3), -1, 0)
    with pytest.raises(InvalidArgument, match=r"padk: right=-2 is invalid"):
        PadKernel(kernel("k", 3), 0, -2)


def test_scaling_by_a_non_number_raises_kernel_error():
    with pytest.raises(KernelError, match=r"kernel scale 'q' is not a number"):
        Scaled("q", kernel("k", 3))
    with pytest.raises(KernelError, match=r"kernel scale nan is not finite"):
        float("nan") * kernel("k", 3)


def test_a_kernel_times_a_kernel_is_a_type_error():
    with pytest.raises(TypeError):
        kernel("a", 3) * kernel("b", 3)


def test_kernel_constructors_are_the_dataclasses():
    k = kernel("k", 3)
    assert isinstance(k, KernelSymbol)
    assert isinstance(dilate(k, 2), Dilate)
    assert isinstance(convolve(k, k), Convolve)
    assert isinstance(flipk(k), FlipKernel)
    assert isinstance(padk(k, 1), PadKernel)
    assert isinstance(k + k, KernelSum)
    assert isinstance(2 * k, Scaled)
