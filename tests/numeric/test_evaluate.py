"""Unit tests of the numpy evaluator: hand-computed examples per layer, batches, exact mode, errors."""

from fractions import Fraction

import numpy as np
import pytest

from symconv.core.kernel import convolve, dilate, flipk, kernel, literal, padk
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
from symconv.errors import (
    ChannelMismatch,
    InvalidArgument,
    KernelError,
    LengthMismatch,
    NotInFragment,
    SizeLimitError,
)
from symconv.numeric import MAX_ELEMENTS, evaluate_numeric, kernel_array, random_bindings, resolve_sizes


def values(layer, x, **kwargs):
    return evaluate_numeric(layer, x, **kwargs).tolist()


# --- conv ----------------------------------------------------------------------------------

def test_conv_is_cross_correlation_not_convolution():
    assert values(conv([1, 0, -1]), [1, 2, 3, 4, 5]) == [[-2.0, -2.0, -2.0]]


def test_conv_stride_and_padding_slide_windows_over_the_zero_padded_input():
    # xp = [0, 1, 2, 3, 4, 5, 0]; windows start at 0, 2, 4
    assert values(conv([1, 1, 1], stride=2, padding=1), [1, 2, 3, 4, 5]) == [[3.0, 9.0, 9.0]]


def test_conv_dilation_spaces_the_taps():
    assert values(conv([1, 1], dilation=2), [1, 2, 3, 4, 5]) == [[4.0, 6.0, 8.0]]


def test_conv_padding_same_puts_the_odd_zero_on_the_right():
    assert values(conv([1, 2], padding="same"), [1, 2, 3]) == [[5.0, 8.0, 3.0]]


def test_conv_padding_same_with_dilation_keeps_the_length():
    assert values(conv([1, 0, 1], padding="same", dilation=2), [1, 2, 3, 4, 5, 6]) == [
        [3.0, 4.0, 6.0, 8.0, 3.0, 4.0]
    ]


def test_conv_padding_pair_pads_left_and_right_separately():
    assert values(conv([1, 1, 1], padding=(2, 0)), [1, 2, 3]) == [[1.0, 3.0, 6.0]]


def test_conv_padding_valid_is_no_padding():
    assert values(conv([1, 1], padding="valid"), [1, 2, 3]) == values(conv([1, 1]), [1, 2, 3])


def test_conv_sums_over_input_channels():
    assert values(conv([[[1], [10]]]), [[1, 2], [3, 4]]) == [[31.0, 42.0]]


def test_conv_groups_keep_channels_apart():
    assert values(conv([[[2]], [[3]]], groups=2), [[1, 2], [3, 4]]) == [[2.0, 4.0], [9.0, 12.0]]


def test_conv_bias_adds_one_number_per_output_channel():
    assert values(conv([[[1]], [[1]]], bias=[5, -5]), [[1, 2]]) == [[6.0, 7.0], [-4.0, -3.0]]


def test_conv_named_bias_is_read_from_the_bindings():
    assert values(conv([1], bias="b"), [1, 2], bindings={"b": [5]}) == [[6.0, 7.0]]


def test_conv_with_a_window_longer_than_the_input_gives_length_zero():
    assert evaluate_numeric(conv([1, 1, 1]), [1, 2]).shape == (1, 0)


def test_conv_named_weight_uses_pytorch_layout_out_in_taps():
    w = np.arange(12).reshape(2, 3, 2)
    x = np.arange(15).reshape(3, 5)
    y = evaluate_numeric(conv(kernel("W", 2, 3, 2)), x, bindings={"W": w})
    expected = [[sum(w[o, m, j] * x[m, i + j] for m in range(3) for j in range(2)) for i in range(4)] for o in range(2)]
    assert y.tolist() == expected


# --- conv_transpose ------------------------------------------------------------------------

def test_conv_transpose_scatters_each_sample_through_the_kernel():
    assert values(conv_transpose([1, 1], stride=2), [1, 2]) == [[1.0, 1.0, 2.0, 2.0]]


def test_conv_transpose_padding_removes_samples_at_both_ends():
    assert values(conv_transpose([1, 2, 3], stride=2, padding=1), [1, 1]) == [[2.0, 4.0, 2.0]]


def test_conv_transpose_output_padding_appends_zeros_on_the_right():
    assert values(conv_transpose([1, 1], stride=2, output_padding=1), [1, 2]) == [[1.0, 1.0, 2.0, 2.0, 0.0]]


def test_conv_transpose_dilation_spaces_the_taps():
    assert values(conv_transpose([1, 1], dilation=2), [1, 2]) == [[1.0, 2.0, 1.0, 2.0]]


def test_conv_transpose_weight_layout_is_in_then_out_per_group():
    assert values(conv_transpose([[[2], [3]]]), [[1, 2]]) == [[2.0, 4.0], [3.0, 6.0]]


def test_conv_transpose_with_more_inputs_than_outputs_sums_the_inputs():
    # weight (in=2, out=1, c=2), as F.conv_transpose1d
    assert values(conv_transpose([[[1, 2]], [[3, 4]]]), [[1, 2, 3], [4, 5, 6]]) == [[13.0, 35.0, 45.0, 30.0]]


def test_conv_transpose_groups_keep_channels_apart():
    assert values(conv_transpose([[[2]], [[3]]], groups=2), [[1, 2], [3, 4]]) == [[2.0, 4.0], [9.0, 12.0]]


def test_conv_transpose_bias_counts_weight_dim_one_times_groups_channels():
    y = values(conv_transpose(kernel("T", 2, 1, 1), groups=2, bias="b"), [[1], [1]],
               bindings={"T": [[[1]], [[1]]], "b": [10, 20]})
    assert y == [[11.0], [21.0]]


def test_conv_transpose_with_padding_beyond_the_output_gives_length_zero():
    assert evaluate_numeric(conv_transpose([1, 1], padding=1), [5]).shape == (1, 0)


# --- pad, crop, down, up, flip -------------------------------------------------------------

def test_pad_adds_zeros_left_and_right():
    assert values(pad(1, 2), [1, 2]) == [[0.0, 1.0, 2.0, 0.0, 0.0]]


def test_crop_drops_samples_left_and_right():
    assert values(crop(1, 0), [1, 2, 3]) == [[2.0, 3.0]]


def test_crop_of_everything_gives_length_zero():
    assert evaluate_numeric(crop(2, 2), [1, 2, 3]).shape == (1, 0)


def test_down_keeps_every_s_th_sample_from_the_phase():
    assert values(down(2, phase=1), [0, 1, 2, 3, 4, 5]) == [[1.0, 3.0, 5.0]]


def test_down_with_phase_past_the_input_gives_length_zero():
    assert evaluate_numeric(down(3, phase=2), [0, 1]).shape == (1, 0)


def test_up_inserts_zeros_between_samples_and_none_after():
    assert values(up(3), [1, 2]) == [[1.0, 0.0, 0.0, 2.0]]


def test_flip_reverses_the_samples():
    assert values(flip(), [1, 2, 3]) == [[3.0, 2.0, 1.0]]


# --- pools and nonlinear layers ------------------------------------------------------------

def test_avgpool_defaults_to_stride_equal_to_size():
    assert values(avgpool(2), [1, 3, 5, 7]) == [[2.0, 6.0]]


def test_avgpool_counts_padding_zeros_in_the_average():
    assert values(avgpool(3, stride=1, padding=1), [3, 6, 9]) == [[3.0, 6.0, 5.0]]


def test_maxpool_pads_with_minus_infinity():
    assert values(maxpool(2, stride=1, padding=1), [1, -2, 3]) == [[1.0, 1.0, 3.0, 3.0]]


def test_maxpool_dilation_spaces_the_window():
    assert values(maxpool(2, stride=1, dilation=2), [5, 1, 2, 0]) == [[5.0, 1.0]]


def test_maxpool_window_of_padding_only_gives_minus_infinity_as_pytorch():
    assert values(maxpool(2, stride=1, padding=1, dilation=2), [7]) == [[-np.inf]]


def test_l2pool_is_the_euclidean_norm_of_each_window():
    assert values(l2pool(2), [3, 4, 0, 5]) == [[5.0, 5.0]]


def test_relu_clamps_negative_samples_to_zero():
    assert values(relu(), [-1, 0, 2]) == [[0.0, 0.0, 2.0]]


def test_affine_scales_then_shifts():
    assert values(affine(2, 1), [1, 2]) == [[3.0, 5.0]]


def test_affine_per_channel_with_a_named_shift():
    y = values(affine([1, 2], [0, "t"]), [[1, 2], [3, 4]], bindings={"t": 10})
    assert y == [[1.0, 2.0], [16.0, 18.0]]


# --- chains and sums -----------------------------------------------------------------------

def test_chain_runs_layers_in_order():
    assert values(conv([1, 1]) >> down(2), [1, 2, 3, 4, 5]) == [[3.0, 7.0]]


def test_sum_adds_the_branches():
    assert values(conv([1, 0]) + conv([0, 1]), [1, 2, 3]) == [[3.0, 5.0]]


def test_sum_of_branches_of_different_lengths_raises_length_mismatch():
    # the core refuses this sum (lengths differ at c = 1); built unchecked, it reaches the evaluator's own check
    from symconv.core.composite import Parallel

    layer = object.__new__(Parallel)
    object.__setattr__(layer, "branches", (conv(kernel("k", "c")), conv([1, 1])))
    with pytest.raises(LengthMismatch, match=r"give lengths \[2, 3\] for an input of length 4"):
        evaluate_numeric(layer, [1, 2, 3, 4], bindings={"k": [1, 1, 1]})


@pytest.mark.parametrize(
    "layer, length",
    [(conv([1, 2]), 0), (conv_transpose([1, 2], stride=2), 0), (conv_transpose([1, 2, 3], output_padding=0), 2),
     (pad(1), 2), (crop(1), 0), (down(2), 0), (up(2), 0), (flip(), 0), (avgpool(2), 0),
     (avgpool(2, stride=1, padding=1), 1), (maxpool(2), 0), (maxpool(2, stride=1, padding=1), 0), (l2pool(2), 0),
     (relu(), 0), (affine(2, 1), 0), (conv([1]) >> pad(3), 6), (pad(1) + pad(1), 2)],
    ids=repr,
)
def test_an_empty_input_gives_the_length_of_the_table_in_zeros(layer, length):
    y = evaluate_numeric(layer, np.zeros((2, 1, 0)))
    assert y.shape == (2, 1, length) and not y.any()


def test_padding_an_empty_input_gives_zeros_as_torch_pad():
    torch = pytest.importorskip("torch")
    expected = torch.nn.functional.pad(torch.zeros(1, 1, 0), (1, 2)).numpy()
    assert (evaluate_numeric(pad(1, 2), np.zeros((1, 1, 0))) == expected).all()


def test_a_convolution_of_an_empty_input_reads_its_padding_and_bias():
    y = evaluate_numeric(conv([1, 2], padding=1, bias=[3]), [[]], exact=True)
    assert y.tolist() == [[Fraction(3)]]


# --- shapes and batches --------------------------------------------------------------------

def test_batch_input_evaluates_every_entry_like_a_single_input():
    rng = np.random.default_rng(1)
    layer = conv(kernel("W", 4, 1, 3), stride=2, padding=1, groups=2, bias="b") >> conv_transpose(
        kernel("T", 4, 1, 2), stride=3, groups=2) >> maxpool(3, padding=1)
    bindings = random_bindings(layer, rng)
    x = rng.normal(size=(5, 2, 13))
    batched = evaluate_numeric(layer, x, bindings)
    for b in range(5):
        np.testing.assert_allclose(batched[b], evaluate_numeric(layer, x[b], bindings), rtol=0, atol=1e-12)


def test_one_dimensional_input_is_one_channel_and_gives_channels_by_length():
    y = evaluate_numeric(conv([[[1]], [[2]]]), [1, 2, 3])
    assert y.shape == (2, 3) and y.dtype == np.float64


def test_three_dimensional_input_gives_batch_channels_length():
    assert evaluate_numeric(conv([1, 1]), np.ones((4, 1, 6))).shape == (4, 1, 5)


# --- exact mode ----------------------------------------------------------------------------

def test_exact_mode_gives_fractions():
    y = evaluate_numeric(avgpool(3), [1, 1, 2], exact=True)
    assert y.dtype == object and y.tolist() == [[Fraction(4, 3)]]
    assert all(type(v) is Fraction for v in y.flat)


def test_exact_mode_reads_floats_exactly():
    assert values(conv(["1/3"]), [0.5], exact=True) == [[Fraction(1, 6)]]


def test_exact_mode_on_a_chain_keeps_every_sample_a_fraction():
    y = evaluate_numeric(pad(1) >> up(2) >> conv([1, "1/2"]) >> relu(), [[1, -2]], exact=True)
    assert y.tolist() == [[0, Fraction(1, 2), 1, 0, 0, 0]]
    assert all(type(v) is Fraction for v in y.flat)


def test_exact_l2pool_raises_not_in_fragment():
    with pytest.raises(NotInFragment, match=r"l2pool\(2\) takes square roots"):
        evaluate_numeric(l2pool(2), [3, 4], exact=True)


def test_exact_mode_refuses_nan_input():
    with pytest.raises(InvalidArgument, match=r"input sample=nan is invalid; expected a finite number"):
        evaluate_numeric(conv([1]), [1.0, float("nan")], exact=True)


# --- kernels and bindings ------------------------------------------------------------------

def test_kernel_expressions_follow_their_definitions():
    k = kernel("k", 2)
    b = {"k": [1, 2]}
    assert kernel_array(dilate(k, 2), b).tolist() == [[[1.0, 0.0, 2.0]]]
    assert kernel_array(convolve(k, [1, 1]), b).tolist() == [[[1.0, 3.0, 2.0]]]
    assert kernel_array(flipk(k), b).tolist() == [[[2.0, 1.0]]]
    assert kernel_array(padk(k, 1, 2), b).tolist() == [[[0.0, 1.0, 2.0, 0.0, 0.0]]]
    assert kernel_array(k + literal([1, 1]), b).tolist() == [[[2.0, 3.0]]]
    assert kernel_array(Fraction(1, 2) * k, b, exact=True).tolist() == [[[Fraction(1, 2), Fraction(1)]]]


def test_convolve_of_weights_sums_over_the_middle_channel():
    a = np.arange(1, 7).reshape(3, 1, 2)  # conv(a): 1 -> 3 channels
    b = np.arange(1, 7).reshape(1, 3, 2)  # conv(b): 3 -> 1 channel
    e = kernel_array(convolve(kernel("A", 3, 1, 2), kernel("B", 1, 3, 2)), {"A": a, "B": b})
    assert e.tolist() == [[sum(np.convolve(a[m, 0], b[0, m]) for m in range(3)).astype(float).tolist()]]


def test_single_channel_convolve_adds_the_products_in_order_of_the_first_kernels_taps():
    # the float sums 0 + a[0] b[t] + a[1] b[t - 1] + ..., in that order (what compare_chains' error bound saw
    # before the loop was vectorised), signed zeros included
    rng = np.random.default_rng(3)
    for ca, cb, out in [(1, 1, 1), (2, 5, 1), (63, 3, 1), (7, 2, 3), (40, 9, 2)]:
        a = rng.uniform(-1, 1, (1, 1, ca))
        b = rng.uniform(-1, 1, (out, 1, cb))
        a[0, 0, ::3] = -0.0
        expected = np.zeros((out, 1, ca + cb - 1))
        for j in range(ca):
            expected[:, :, j:j + cb] += b[:, :, :] * a[0, 0, j]
        got = kernel_array(convolve(kernel("A", 1, 1, ca), kernel("B", out, 1, cb)), {"A": a, "B": b})
        assert got.tobytes() == expected.tobytes()
        assert got.flags["C_CONTIGUOUS"]


def test_generic_length_is_read_off_the_binding():
    assert values(conv(kernel("k", "c")), [1, 2, 3], bindings={"k": [1, 1]}) == [[3.0, 5.0]]
    assert resolve_sizes(conv(kernel("k", "c")), {"k": [1, 1]}, None) == {"c": 2}


def test_generic_length_given_in_sizes_must_match_the_binding():
    with pytest.raises(KernelError, match=r"kernel k\[c\] is bound to 2 taps but c = 3; expected 3 taps"):
        evaluate_numeric(conv(kernel("k", "c")), [1, 2, 3], bindings={"k": [1, 1]}, sizes={"c": 3})


def test_missing_kernel_binding_raises_kernel_error_naming_it():
    with pytest.raises(KernelError, match=r"no value for kernel k\[3\]; give bindings=\{'k': \.\.\.\}"):
        evaluate_numeric(conv(kernel("k", 3)), [1, 2, 3])


def test_missing_bias_binding_raises_kernel_error_naming_it():
    with pytest.raises(KernelError, match=r"no value for bias b; give bindings=\{'b': \.\.\.\}"):
        evaluate_numeric(conv([1], bias="b"), [1, 2, 3])


def test_missing_affine_binding_raises_kernel_error_naming_it():
    with pytest.raises(KernelError, match=r"no value for affine symbol g"):
        evaluate_numeric(affine("g", 0), [1, 2, 3])


def test_missing_binding_is_reported_even_for_an_empty_input():
    with pytest.raises(KernelError, match=r"no value for kernel k\[3\]"):
        evaluate_numeric(conv(kernel("k", 3)), [])


def test_binding_of_the_wrong_shape_raises_kernel_error():
    message = r"kernel W\[2, 1, 3\] is bound to an array of shape \(3,\); expected shape \(2, 1, 3\)"
    with pytest.raises(KernelError, match=message):
        evaluate_numeric(conv(kernel("W", 2, 1, 3)), [1, 2, 3], bindings={"W": [1, 2, 3]})


def test_random_bindings_share_values_by_name_and_cover_every_symbol():
    lhs = conv(kernel("k", 3), bias="b") >> affine("g", "h")
    rhs = conv(kernel("k", 3)) >> conv(kernel("W", 2, 1, 2))
    values_ = random_bindings([lhs, rhs], np.random.default_rng(0), low=-2, high=2)
    assert sorted(values_) == ["W", "b", "g", "h", "k"]
    assert values_["k"].shape == (3,) and values_["W"].shape == (2, 1, 2) and values_["b"].shape == (1,)
    assert all(-2 <= v <= 2 for v in np.concatenate([values_["k"], values_["W"].ravel()]))
    assert isinstance(values_["g"], int)


def test_random_bindings_are_reproducible_from_a_seed():
    layer = conv(kernel("k", 5))
    assert random_bindings(layer, 7)["k"].tolist() == random_bindings(layer, 7)["k"].tolist()


def test_random_float_bindings_are_floats():
    assert random_bindings(conv(kernel("k", 4)), 0, integer=False)["k"].dtype == np.float64


def test_random_bindings_of_a_generic_length_need_sizes():
    assert random_bindings(conv(kernel("k", "c")), 0, sizes={"c": 4})["k"].shape == (4,)
    with pytest.raises(KernelError, match=r"kernel k\[c\] has a generic length; give sizes=\{'c': \.\.\.\}"):
        random_bindings(conv(kernel("k", "c")), 0)


def test_one_name_for_a_kernel_and_a_bias_is_refused():
    with pytest.raises(KernelError, match=r"the name 'k' is used for two different things"):
        random_bindings(conv(kernel("k", 1), bias="k"), 0)


# --- size guard and bad inputs -------------------------------------------------------------

def test_size_guard_refuses_a_huge_output_before_allocating():
    with pytest.raises(SizeLimitError, match=r"up\(4096\) would build 40955905 samples per channel"):
        evaluate_numeric(up(4096) >> up(4096), np.ones(10_000))


def test_size_guard_refuses_a_huge_input():
    huge = np.broadcast_to(np.float64(0), (10, 10, MAX_ELEMENTS // 100 + 1))
    with pytest.raises(SizeLimitError, match=r"refuses more than 100000000"):
        evaluate_numeric(flip(), huge)


def test_input_of_rank_four_is_refused():
    with pytest.raises(InvalidArgument, match=r"expected shape \(n,\), \(C, n\) or \(B, C, n\)"):
        evaluate_numeric(flip(), np.zeros((1, 1, 1, 3)))


def test_scalar_input_is_refused():
    with pytest.raises(InvalidArgument, match=r"x='an array of shape \(\)' is invalid"):
        evaluate_numeric(flip(), 3.0)


def test_text_that_is_not_a_number_is_refused():
    message = r"input sample='a' is invalid; expected a number such as 3, -1/2 or 0.25"
    with pytest.raises(InvalidArgument, match=message):
        evaluate_numeric(flip(), ["a", "b"])


def test_boolean_input_is_refused():
    with pytest.raises(InvalidArgument, match=r"input sample=.*True.* is invalid; expected a number, not a boolean"):
        evaluate_numeric(flip(), [True, False])


def test_ragged_input_is_refused():
    with pytest.raises(InvalidArgument, match=r"x='a ragged list' is invalid; expected a rectangular array"):
        evaluate_numeric(flip(), [[1, 2], [3]])


def test_rational_strings_are_read_exactly_in_bindings_and_input():
    y = evaluate_numeric(conv(kernel("k", 2)), ["1/2", 1, "-3"], bindings={"k": ["1/3", "2"]}, exact=True)
    assert y.tolist() == [[Fraction(13, 6), Fraction(-17, 3)]]


def test_input_with_the_wrong_channel_count_raises_channel_mismatch():
    message = r"the input gives 1 channel\(s\) but conv\(\[\[\[1\], \[1\]\]\]\) expects 2"
    with pytest.raises(ChannelMismatch, match=message):
        evaluate_numeric(conv([[[1], [1]]]), [1, 2, 3])


def test_a_non_layer_is_refused():
    with pytest.raises(InvalidArgument, match=r"layer='conv' is invalid; expected a layer"):
        evaluate_numeric("conv", [1, 2])


def test_numeric_comparison_bounds_rounding_with_absolute_literal_taps():
    """Literal taps of both signs cancel; the tolerance must come from |taps|, not from the taps."""
    from symconv.dsl import parse_statement
    from symconv.numeric.check import compare_chains

    lhs, rhs = parse_statement("conv([[[1, 0]], [[0, 1]]]) >> conv([[[1, 0, 0, 0], [-2, 3, 0, 4]]])",
                               "conv([1, -2, 3, 0, 4])")
    report = compare_chains(lhs, rhs, range(1, 30), seed=3)
    assert report.agrees, report.mismatch
    assert 0 < report.tolerance < 1e-12
