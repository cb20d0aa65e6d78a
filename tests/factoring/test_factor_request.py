"""Bad factorization requests raise their specific exception, quoting the input."""

from __future__ import annotations

import pytest

from symconv.errors import (
    InvalidChannels,
    InvalidSizes,
    KernelError,
    SizeLimitError,
    SizesDoNotAddUp,
    SymconvError,
    TooFewChannels,
    ZeroKernel,
)
from symconv.factoring import factor, minimal_channels, parse_sizes


def test_sizes_that_do_not_add_up_to_the_kernel_length_are_refused():
    with pytest.raises(SizesDoNotAddUp, match=r"sizes \(2, 5\): layers of sizes 2 and 5 see 6 samples but "
                                              r"the kernel q\[5\] has 5 taps; expected N \+ M - 1 = 5"):
        factor("q[5]", (2, 5))


def test_sizes_that_do_not_add_up_store_the_fields():
    with pytest.raises(SizesDoNotAddUp) as info:
        factor([1, 2, 3], (1, 1))
    assert (info.value.sizes, info.value.length, info.value.kernel) == ((1, 1), 3, "[1, 2, 3]")
    assert isinstance(info.value, InvalidSizes) and isinstance(info.value, SymconvError)


@pytest.mark.parametrize("sizes", [(0, 5), (5, 0), (-1, 7), (6, -1)])
def test_a_layer_smaller_than_1_is_refused(sizes):
    with pytest.raises(InvalidSizes, match=r"has no taps; expected two integers N, M >= 1"):
        factor("q[5]", sizes)


@pytest.mark.parametrize("sizes,fragment", [
    (("a", 4), "'a' is not an integer"),
    ((2.0, 4), "2.0 is not an integer"),
    ((True, 4), "True is not an integer"),
    ("2,x", "'x' is not an integer"),
    ("2", "1 size\\(s\\) given"),
    ("2,3,4", "3 size\\(s\\) given"),
    (5, "not a pair of layer sizes"),
    ((1, 2, 3), "not a pair of layer sizes"),
])
def test_non_numeric_sizes_are_refused(sizes, fragment):
    with pytest.raises(InvalidSizes, match=fragment):
        factor("q[5]", sizes)


def test_sizes_text_is_parsed_as_two_integers():
    assert parse_sizes("2,4") == (2, 4) and parse_sizes(" 3 , 3 ") == (3, 3)
    assert factor("q[5]", "2,4").sizes == (2, 4)


@pytest.mark.parametrize("channels", [0, -3, 1.5, "2", True])
def test_channels_below_1_or_not_integers_are_refused(channels):
    with pytest.raises(InvalidChannels, match=r"channels=.* is invalid; expected an integer C >= 1"):
        factor("q[5]", (2, 4), channels=channels)


def test_kernels_longer_than_the_limit_are_refused_before_any_work():
    with pytest.raises(SizeLimitError, match="symconv factors at most 64"):
        factor("q[65]", (33, 33))


def test_too_many_channels_are_refused_before_any_work():
    with pytest.raises(SizeLimitError, match="refuses more than"):
        factor("q[5]", (2, 4), channels=10**6)


@pytest.mark.parametrize("kernel", ["[0, 0, 0]", [0, 0, 0], "q[3] + (-1) * q"])
def test_an_all_zero_kernel_is_refused(kernel):
    with pytest.raises(ZeroKernel, match=r"the kernel .* is all zeros; expected at least one non-zero tap"):
        factor(kernel, (2, 2))


def test_a_multi_channel_kernel_is_refused():
    with pytest.raises(KernelError, match=r"expected a single-channel kernel"):
        factor("W[2, 1, 3]", (2, 2))


@pytest.mark.parametrize("kernel, axes", [("[[1, 2, 1], [2, 4, 2], [1, 2, 1]]", 2), ("k[3, 3]", 2)])
def test_an_n_d_kernel_is_refused_with_a_pointer_to_separable(kernel, axes):
    with pytest.raises(KernelError, match=rf"the kernel .* has {axes} spatial axes; --sizes N,M splits a 1-D kernel "
                                          r"such as q\[5\] into two layers; .* with --separable$"):
        factor(kernel, (2, 2))


def test_a_generic_length_kernel_is_refused():
    with pytest.raises(KernelError, match=r"generic length c; expected a concrete length"):
        factor("q[c]", (2, 2))


def test_fewer_channels_than_the_minimum_is_a_refutation_with_the_reason():
    with pytest.raises(TooFewChannels) as info:
        factor("[1, 0, 1]", (2, 2), channels=1)
    err = info.value
    assert (err.channels, err.minimum, err.sizes) == (1, 2, (2, 2))
    assert "no real root" in err.reason and "two channels always suffice" in err.reason
    assert "at least 2 are needed" in str(err)


def test_bad_input_is_refused_by_minimal_channels_too():
    with pytest.raises(SizesDoNotAddUp):
        minimal_channels("q[4]", (2, 2))
