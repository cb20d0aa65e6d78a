"""Layers: PyTorch's arguments and defaults, argument checks, chaining, sums and reprs."""

from __future__ import annotations

import dataclasses
import inspect
import itertools

import pytest
import sympy

from symconv.core.kernel import MAX_CHANNELS, kernel, literal
from symconv.core.layers import (
    MAX_SHIFT,
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
    affine,
    avgpool,
    bias_values,
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
from symconv.errors import ChainError, ChannelMismatch, InvalidArgument, LengthMismatch, SizeLimitError

k3 = kernel("k", 3)


def defaults(f, skip=()):
    return {
        name: p.default
        for name, p in inspect.signature(f).parameters.items()
        if p.default is not inspect.Parameter.empty and name not in skip
    }


# --- constructors and defaults mirror PyTorch ------------------------------------------


def test_conv_defaults_are_pytorchs():
    layer = conv(k3)
    assert (layer.stride, layer.padding, layer.dilation, layer.groups, layer.bias) == (1, (0, 0), 1, 1, None)
    assert layer.weight is k3


def test_conv_transpose_defaults_are_pytorchs():
    layer = conv_transpose(k3)
    assert (layer.stride, layer.padding, layer.output_padding, layer.dilation, layer.groups, layer.bias) == (
        1, 0, 0, 1, 1, None,
    )


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (conv, "Conv1d"),
        (conv_transpose, "ConvTranspose1d"),
        (avgpool, "AvgPool1d"),
        (maxpool, "MaxPool1d"),
        (l2pool, "LPPool1d"),
    ],
)
def test_layer_defaults_equal_the_torch_module_defaults_for_shared_arguments(ours, theirs):
    nn = pytest.importorskip("torch.nn")
    torch_defaults = defaults(getattr(nn, theirs).__init__, skip=("bias",))
    our_defaults = defaults(ours)
    shared = set(torch_defaults) & set(our_defaults)
    assert shared >= {"stride"}
    for name in shared:
        assert our_defaults[name] == torch_defaults[name], name


@pytest.mark.parametrize("make", [avgpool, maxpool, l2pool])
@pytest.mark.parametrize("size", [1, 2, 3])
def test_pool_stride_defaults_to_the_pool_size(make, size):
    assert make(size).stride == size
    assert make(size, stride=1).stride == 1


def test_pad_and_crop_right_default_to_left():
    assert pad(2) == Pad(2, 2)
    assert pad(1, 3) == Pad(1, 3)
    assert crop(2) == Crop(2, 2)
    assert crop(0, 1) == Crop(0, 1)


def test_down_phase_defaults_to_0():
    assert down(3) == Down(3, 0)


def test_affine_defaults_to_the_identity():
    a = affine()
    assert (a.scale, a.shift) == (1, 0)


def test_a_list_is_accepted_as_a_literal_weight():
    assert conv([1, 2, 1]).weight == literal([1, 2, 1])
    assert conv_transpose([0.5, 0.5]).weight == literal(["1/2", "1/2"])


@pytest.mark.parametrize(
    "padding, pair",
    [(0, (0, 0)), (2, (2, 2)), ((1, 3), (1, 3)), ([0, 2], (0, 2)), ("valid", (0, 0)), ("same", (1, 1))],
)
def test_conv_padding_forms_give_left_and_right_zeros(padding, pair):
    assert conv(k3, padding=padding).padding_pair() == pair


@pytest.mark.parametrize("c, d, pair", [(1, 1, (0, 0)), (2, 1, (0, 1)), (3, 1, (1, 1)), (4, 1, (1, 2)), (2, 3, (1, 2)), (3, 2, (2, 2))])
def test_same_padding_splits_d_times_c_minus_1_with_the_extra_zero_on_the_right(c, d, pair):
    assert conv(kernel("k", c), padding="same", dilation=d).padding_pair() == pair


def test_same_padding_of_a_generic_kernel_is_symbolic():
    left, right = conv(kernel("k", "c"), padding="same").padding_pair()
    c = sympy.Symbol("c", integer=True, positive=True)
    for value in range(1, 8):
        assert (left.subs(c, value), right.subs(c, value)) == ((value - 1) // 2, value - 1 - (value - 1) // 2)


# --- channels and groups agree with PyTorch's weight layouts ---------------------------


@pytest.mark.parametrize("cin, cout, groups", [(1, 1, 1), (3, 2, 1), (4, 6, 2), (6, 4, 2), (6, 6, 3), (4, 4, 4)])
def test_conv_channels_match_torch_conv1d_weight_layout(cin, cout, groups):
    nn = pytest.importorskip("torch.nn")
    module = nn.Conv1d(cin, cout, 3, groups=groups)
    layer = conv(kernel("W", *module.weight.shape), groups=groups, bias=[0] * module.bias.shape[0])
    assert layer.in_channels == cin
    assert layer.out_channels(cin) == cout


@pytest.mark.parametrize("cin, cout, groups", [(1, 1, 1), (3, 2, 1), (4, 6, 2), (6, 4, 2), (6, 6, 3), (4, 4, 4)])
def test_conv_transpose_channels_match_torch_conv_transpose1d_weight_layout(cin, cout, groups):
    nn = pytest.importorskip("torch.nn")
    module = nn.ConvTranspose1d(cin, cout, 3, groups=groups)
    assert tuple(module.weight.shape) == (cin, cout // groups, 3)
    layer = conv_transpose(kernel("W", *module.weight.shape), groups=groups, bias=[0] * module.bias.shape[0])
    assert layer.in_channels == cin
    assert layer.out_channels(cin) == cout


@pytest.mark.parametrize("groups", [1, 2, 3, 4, 5, 6])
def test_groups_are_accepted_exactly_when_they_divide_weight_dim_0(groups):
    assert (6 % groups == 0) == _accepts(lambda: conv(kernel("W", 6, 1, 3), groups=groups))
    assert (6 % groups == 0) == _accepts(lambda: conv_transpose(kernel("W", 6, 1, 3), groups=groups))


def _accepts(build) -> bool:
    try:
        build()
    except InvalidArgument:
        return False
    return True


def test_bias_values_are_exact_or_named_per_output_channel():
    assert conv(kernel("W", 2, 1, 3), bias=[1, 0.5]).bias == (1, sympy.Rational(1, 2))
    assert conv(kernel("W", 2, 1, 3), bias=3).bias == (3, 3)
    assert conv(k3, bias="b").bias == "b"
    assert bias_values("b", 2) == (sympy.Symbol("b_0"), sympy.Symbol("b_1"))
    assert bias_values(None, 2) is None


# --- invalid arguments -----------------------------------------------------------------


@pytest.mark.parametrize("argument", ["stride", "dilation"])
@pytest.mark.parametrize("value", [0, -1])
def test_conv_stride_or_dilation_below_1_raises_invalid_argument(argument, value):
    with pytest.raises(InvalidArgument, match=rf"conv: {argument}={value} is invalid; expected a positive integer"):
        conv(k3, **{argument: value})


@pytest.mark.parametrize("argument", ["stride", "dilation"])
@pytest.mark.parametrize("value", [1.5, 2.0, "2", True, None])
def test_conv_non_integer_stride_or_dilation_raises_invalid_argument(argument, value):
    with pytest.raises(InvalidArgument, match=rf"conv: {argument}=.* is invalid; expected a positive integer"):
        conv(k3, **{argument: value})


@pytest.mark.parametrize("argument", ["stride", "dilation"])
def test_conv_transpose_stride_or_dilation_below_1_raises_invalid_argument(argument):
    with pytest.raises(InvalidArgument, match=rf"conv_transpose: {argument}=0 is invalid; expected a positive integer"):
        conv_transpose(k3, **{argument: 0})


@pytest.mark.parametrize("padding", [-1, (-1, 0), (0, -2), 1.5])
def test_conv_negative_or_non_integer_padding_raises_invalid_argument(padding):
    with pytest.raises(InvalidArgument, match=r"conv: padding=.* is invalid; expected a non-negative integer"):
        conv(k3, padding=padding)


@pytest.mark.parametrize("padding", ["full", "SAME", (1, 2, 3)])
def test_conv_unknown_padding_raises_invalid_argument(padding):
    with pytest.raises(InvalidArgument, match=r"conv: padding=.* is invalid; expected .*(pair|'same')"):
        conv(k3, padding=padding)


@pytest.mark.parametrize("stride", [2, 3])
def test_same_padding_with_stride_above_1_raises_invalid_argument(stride):
    with pytest.raises(InvalidArgument, match=r"conv: padding='same' is invalid; expected padding='same' only with stride=1"):
        conv(k3, stride=stride, padding="same")


def test_same_padding_with_stride_above_1_is_refused_by_torch_too():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="not supported for strided convolutions"):
        torch.nn.functional.conv1d(torch.zeros(1, 1, 5), torch.zeros(1, 1, 3), stride=2, padding="same")


@pytest.mark.parametrize("value", [-1, 2.5])
@pytest.mark.parametrize("argument", ["padding", "output_padding"])
def test_conv_transpose_negative_padding_raises_invalid_argument(argument, value):
    with pytest.raises(InvalidArgument, match=rf"conv_transpose: {argument}={value} is invalid; expected a non-negative integer"):
        conv_transpose(k3, stride=4, **{argument: value})


def test_conv_transpose_padding_same_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"conv_transpose: padding='same' is invalid"):
        conv_transpose(k3, padding="same")


@pytest.mark.parametrize("stride, dilation, output_padding", [(1, 1, 1), (2, 1, 2), (2, 2, 2), (1, 3, 3), (3, 2, 5)])
def test_output_padding_not_below_stride_or_dilation_raises_invalid_argument(stride, dilation, output_padding):
    with pytest.raises(
        InvalidArgument,
        match=rf"conv_transpose: output_padding={output_padding} is invalid; "
        rf"expected a value below stride={stride} or dilation={dilation}",
    ):
        conv_transpose(k3, stride=stride, dilation=dilation, output_padding=output_padding)


@pytest.mark.parametrize("stride, dilation", list(itertools.product([1, 2, 3], [1, 2, 3])))
def test_output_padding_is_accepted_exactly_when_torch_accepts_it(stride, dilation):
    torch = pytest.importorskip("torch")
    for output_padding in range(0, 5):
        try:
            torch.nn.functional.conv_transpose1d(
                torch.zeros(1, 1, 4), torch.zeros(1, 1, 3), stride=stride, dilation=dilation, output_padding=output_padding
            )
            torch_ok = True
        except RuntimeError:
            torch_ok = False
        ours_ok = _accepts(lambda: conv_transpose(k3, stride=stride, dilation=dilation, output_padding=output_padding))
        assert ours_ok == torch_ok, (stride, dilation, output_padding)


@pytest.mark.parametrize("make, name", [(avgpool, "avgpool"), (maxpool, "maxpool")])
def test_pool_padding_above_half_the_size_raises_invalid_argument(make, name):
    with pytest.raises(InvalidArgument, match=rf"{name}: padding=2 is invalid; expected at most size/2 = 1\.5 \(as PyTorch\)"):
        make(3, padding=2)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
def test_pool_padding_is_accepted_exactly_when_torch_accepts_it(size):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    for padding in range(0, 4):
        for ours, theirs in ((avgpool, F.avg_pool1d), (maxpool, F.max_pool1d)):
            try:
                theirs(torch.zeros(1, 1, 8), size, 1, padding)
                torch_ok = True
            except RuntimeError:
                torch_ok = False
            assert _accepts(lambda: ours(size, stride=1, padding=padding)) == torch_ok, (ours, size, padding)


@pytest.mark.parametrize("make", [avgpool, maxpool, l2pool])
@pytest.mark.parametrize("kwargs", [{"size": 0}, {"size": 2, "stride": 0}, {"size": -1}, {"size": 2.0}])
def test_pool_size_or_stride_below_1_raises_invalid_argument(make, kwargs):
    with pytest.raises(InvalidArgument, match=r"(size|stride)=.* is invalid; expected a positive integer"):
        make(**kwargs)


def test_maxpool_dilation_0_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"maxpool: dilation=0 is invalid"):
        maxpool(2, dilation=0)


@pytest.mark.parametrize("s, phase", [(2, 2), (2, 3), (1, 1), (3, 5)])
def test_down_phase_not_below_s_raises_invalid_argument(s, phase):
    with pytest.raises(InvalidArgument, match=rf"down: phase={phase} is invalid; expected 0 <= phase < s = {s}"):
        down(s, phase)


def test_down_negative_phase_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"down: phase=-1 is invalid; expected a non-negative integer"):
        down(2, -1)


@pytest.mark.parametrize("make, name", [(down, "down"), (up, "up")])
@pytest.mark.parametrize("s", [0, -2, 1.5])
def test_down_or_up_by_a_non_positive_integer_raises_invalid_argument(make, name, s):
    with pytest.raises(InvalidArgument, match=rf"{name}: s={s} is invalid; expected a positive integer"):
        make(s)


@pytest.mark.parametrize("make, name", [(pad, "pad"), (crop, "crop")])
def test_negative_pad_or_crop_raises_invalid_argument(make, name):
    with pytest.raises(InvalidArgument, match=rf"{name}: left=-1 is invalid; expected a non-negative integer"):
        make(-1, 0)
    with pytest.raises(InvalidArgument, match=rf"{name}: right=-3 is invalid"):
        make(0, -3)


@pytest.mark.parametrize(
    "build, text",
    [
        (lambda: conv(kernel("W", 4, 1, 3), groups=3), r"conv: groups=3 is invalid; expected a divisor of the weight's out_channels \(dim 0\) = 4"),
        (lambda: conv_transpose(kernel("W", 4, 1, 3), groups=3), r"conv_transpose: groups=3 is invalid; expected a divisor of the weight's in_channels \(dim 0\) = 4"),
        (lambda: conv(k3, groups=0), r"conv: groups=0 is invalid; expected a positive integer"),
    ],
)
def test_groups_not_dividing_the_channels_raise_invalid_argument(build, text):
    with pytest.raises(InvalidArgument, match=text):
        build()


def test_groups_beyond_the_channel_limit_raise_size_limit_error():
    with pytest.raises(SizeLimitError, match=rf"conv: groups={MAX_CHANNELS + 1} exceeds the limit"):
        conv(k3, groups=MAX_CHANNELS + 1)


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda: conv(kernel("W", 2, 1, 3), bias=[1, 2, 3]), "2 number"),
        (lambda: conv(k3, bias=[]), "1 number"),
        (lambda: conv_transpose(kernel("W", 2, 3, 3), bias=[1, 2]), "3 number"),
        (lambda: conv_transpose(kernel("W", 4, 3, 3), groups=2, bias=[0] * 3), "6 number"),
    ],
)
def test_bias_of_the_wrong_length_raises_invalid_argument(build, expected):
    with pytest.raises(InvalidArgument, match=rf"bias=\[.*\] is invalid; expected {expected}\(s\), one per output channel"):
        build()


@pytest.mark.parametrize("bias", [True, "b 1", object()])
def test_bias_that_is_not_a_name_or_numbers_raises_invalid_argument(bias):
    with pytest.raises(InvalidArgument, match=r"conv: bias=.* is invalid; expected None, a name or a list of numbers"):
        conv(k3, bias=bias)


@pytest.mark.parametrize(
    "build",
    [
        lambda: conv(k3, stride=MAX_SHIFT + 1),
        lambda: conv(k3, dilation=10**9),
        lambda: conv(k3, padding=MAX_SHIFT + 1),
        lambda: conv_transpose(k3, stride=10**9),
        lambda: up(10**9),
        lambda: down(10**9),
        lambda: pad(10**9),
        lambda: crop(0, 10**9),
        lambda: avgpool(10**9),
    ],
)
def test_absurd_sizes_raise_size_limit_error(build):
    with pytest.raises(SizeLimitError, match=r"=\d+ exceeds the limit"):
        build()


def test_affine_with_lists_of_different_lengths_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"affine: shift=.* is invalid; expected as many entries as scale \(2\)"):
        affine([1, 2], [0, 0, 0])


def test_affine_with_an_empty_list_raises_invalid_argument():
    with pytest.raises(InvalidArgument, match=r"affine: scale=\[\] is invalid; expected a number, a name or a non-empty list"):
        affine([])


def test_affine_scale_and_shift_are_exact_or_named():
    a = affine(0.5, "beta")
    assert a.scale == sympy.Rational(1, 2)
    assert a.shift == sympy.Symbol("beta")
    assert affine([1, 2], 0).in_channels == 2
    assert affine(1, 0).in_channels is None


# --- chaining and sums -----------------------------------------------------------------


def test_chaining_with_rshift_flattens():
    a, b, c, d = conv(k3), down(2), up(2), flip()
    nested = (a >> b) >> (c >> d)
    assert isinstance(nested, Chain)
    assert nested.steps == (a, b, c, d)
    assert nested == a >> (b >> (c >> d)) == Chain((a, Chain((b, c)), d))
    assert nested.layers() == (a, b, c, d)


def test_a_single_layer_is_a_chain_of_one():
    layer = conv(k3)
    assert layer.layers() == (layer,)


def test_plus_builds_a_sum_with_flat_branches():
    a, b, c = conv(k3), conv(kernel("j", 3)), crop(1)
    s = (a + b) + c
    assert isinstance(s, Parallel)
    assert s.branches == (a, b, c)
    assert (a + (b + c)).branches == (a, b, c)


def test_a_sum_inside_a_chain_stays_one_step():
    a, b = conv(k3), conv(kernel("j", 3))
    chain = (a + b) >> down(2)
    assert len(chain.steps) == 2
    assert isinstance(chain.steps[0], Parallel)


def test_channels_propagate_through_a_chain():
    chain = conv(kernel("A", 4, 2, 3)) >> relu() >> conv(kernel("B", 6, 2, 1), groups=2)
    assert chain.in_channels == 2
    assert chain.out_channels(2) == 6
    assert (pad(1) >> conv(kernel("A", 4, 2, 3))).in_channels == 2
    assert (pad(1) >> flip()).in_channels is None


def test_channel_mismatch_between_layers_raises_channel_mismatch():
    A, B = kernel("A", 2, 3, 3), kernel("B", 4, 5, 3)
    with pytest.raises(ChannelMismatch, match=r"channel mismatch: pad\(1\) gives 2 channel\(s\) but conv\(B\[4, 5, 3\]\) expects 5") as info:
        conv(A) >> pad(1) >> conv(B)
    error = info.value
    assert (error.producer, error.produced, error.consumer, error.expected) == ("pad(1)", 2, "conv(B[4, 5, 3])", 5)


def test_channel_mismatch_with_groups_raises_channel_mismatch():
    with pytest.raises(ChannelMismatch, match=r"gives 3 channel\(s\) but conv\(W\[2, 2, 3\], groups=2\) expects 4"):
        conv(kernel("A", 3, 1, 3)) >> conv(kernel("W", 2, 2, 3), groups=2)


def test_channel_mismatch_with_a_per_channel_affine_raises_channel_mismatch():
    with pytest.raises(ChannelMismatch, match=r"gives 2 channel\(s\) but affine\(\[1, 2, 3\], 0\) expects 3"):
        conv(kernel("A", 2, 1, 3)) >> affine([1, 2, 3], 0)


def test_channel_mismatch_of_conv_transpose_raises_channel_mismatch():
    with pytest.raises(ChannelMismatch, match=r"gives 2 channel\(s\) but conv_transpose\(T\[3, 1, 2\]\) expects 3"):
        conv(kernel("A", 2, 1, 3)) >> conv_transpose(kernel("T", 3, 1, 2))


def test_branches_with_different_lengths_raise_length_mismatch():
    with pytest.raises(LengthMismatch, match=r"give different lengths \[\d+, \d+\] for an input of length \d+; expected every branch to give the same length"):
        conv(k3) + conv(kernel("j", 5))
    with pytest.raises(LengthMismatch, match=r"different lengths"):
        pad(1) + flip()


def test_branches_that_differ_only_below_length_1_are_not_a_mismatch():
    # conv(k[3]) and crop(1) give max(0, n - 2) for every n >= 0.
    assert len((conv(k3) + crop(1)).branches) == 2
    assert len((conv(k3, stride=2) + (conv(k3) >> down(2))).branches) == 2


def test_branches_with_generic_lengths_are_accepted():
    assert len((conv(kernel("a", "c")) + conv(kernel("b", "c"))).branches) == 2


def test_branches_with_different_channel_counts_raise_chain_error():
    with pytest.raises(ChainError, match=r"take different channel counts \[1, 2\]"):
        conv(k3) + conv(kernel("W", 1, 2, 3))
    with pytest.raises(ChainError, match=r"give different channel counts \[1, 2\]"):
        conv(k3) + conv(kernel("W", 2, 1, 3))


def test_an_empty_chain_raises_chain_error():
    with pytest.raises(ChainError, match=r"an empty chain has no meaning"):
        Chain(())


def test_a_chain_of_a_non_layer_raises_chain_error():
    with pytest.raises(ChainError, match=r"3 is not a layer; expected e\.g\. conv\(k\[3\]\)"):
        Chain((conv(k3), 3))


def test_a_sum_of_one_branch_raises_chain_error():
    with pytest.raises(ChainError, match=r"a sum needs at least two branches"):
        Parallel((conv(k3),))


def test_rshift_or_plus_with_a_non_layer_is_a_type_error():
    with pytest.raises(TypeError):
        conv(k3) >> 3
    with pytest.raises(TypeError):
        conv(k3) + 3


def test_linearity_of_layers_chains_and_sums():
    assert conv(k3).linear and conv_transpose(k3).linear and pad(1).linear and avgpool(2).linear
    assert not relu().linear and not maxpool(2).linear and not l2pool(2).linear and not affine().linear
    assert (conv(k3) >> down(2)).linear
    assert not (conv(k3) >> relu()).linear
    assert not (conv(k3) >> relu()).is_linear
    assert not (flip() + relu()).linear
    assert (flip() + pad(0)).linear


def test_kernels_of_a_chain_are_listed_in_order():
    a, b = kernel("a", 3), kernel("b", 2)
    assert (conv(a) >> relu() >> (conv_transpose(b) + conv_transpose(b))).kernels() == (a, b, b)


# --- immutability ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, field",
    [
        (conv(k3), "stride"),
        (conv_transpose(k3), "padding"),
        (pad(1), "left"),
        (crop(1), "right"),
        (down(2), "phase"),
        (up(2), "factor"),
        (avgpool(2), "size"),
        (maxpool(2), "dilation"),
        (l2pool(2), "stride"),
        (affine(), "scale"),
        (conv(k3) >> flip(), "steps"),
        (conv(k3) + conv(k3), "branches"),
    ],
)
def test_layers_are_frozen(layer, field):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(layer, field, 0)


def test_layers_are_values_equal_by_content_and_hashable():
    assert conv(k3, stride=2) == conv(kernel("k", 3), stride=2)
    assert conv(k3, padding=(1, 1)) == conv(k3, padding=1) == conv(k3, padding="same")  # padding stored as (left, right)
    assert conv(k3, padding=(1, 0)) != conv(k3, padding=1) and conv(k3, padding="valid") == conv(k3)
    assert len({conv(k3), conv(k3), conv(k3) >> flip(), conv(k3) >> flip()}) == 2


# --- reprs are DSL syntax --------------------------------------------------------------


@pytest.mark.parametrize(
    "layer, text",
    [
        (conv(k3), "conv(k[3])"),
        (conv(k3, stride=2, padding=1, dilation=2), "conv(k[3], stride=2, padding=1, dilation=2)"),
        (conv(k3, padding="same"), "conv(k[3], padding=1)"),  # 'same' and 'valid' resolved when built
        (conv(kernel("k", 4), padding="same"), "conv(k[4], padding=(1, 2))"),
        (conv(kernel("k", "c"), padding="same"), "conv(k[c], padding='same')"),  # split in c, by output_length
        (conv(k3, padding="valid"), "conv(k[3])"),
        (conv(k3, padding=(1, 2)), "conv(k[3], padding=(1, 2))"),
        (conv(kernel("W", 4, 2, 3), groups=2, bias=[1, 0.5, 0, 0]), "conv(W[4, 2, 3], groups=2, bias=[1, 1/2, 0, 0])"),
        (conv(k3, bias="b"), "conv(k[3], bias=b)"),
        (conv([1, 2, 1]), "conv([1, 2, 1])"),
        (conv_transpose(k3, stride=2, padding=1, output_padding=1), "conv_transpose(k[3], stride=2, padding=1, output_padding=1)"),
        (conv_transpose(kernel("W", 4, 2, 3), dilation=3, groups=2, bias=[1, 2, 3, 4]), "conv_transpose(W[4, 2, 3], dilation=3, groups=2, bias=[1, 2, 3, 4])"),
        (pad(2), "pad(2)"),
        (pad(1, 2), "pad(1, 2)"),
        (crop(3), "crop(3)"),
        (crop(0, 1), "crop(0, 1)"),
        (down(2), "down(2)"),
        (down(3, phase=1), "down(3, phase=1)"),
        (up(3), "up(3)"),
        (flip(), "flip()"),
        (avgpool(3), "avgpool(3)"),
        (avgpool(3, stride=1, padding=1), "avgpool(3, stride=1, padding=1)"),
        (maxpool(2, stride=1, dilation=2), "maxpool(2, stride=1, dilation=2)"),
        (l2pool(2), "l2pool(2)"),
        (l2pool(3, stride=1), "l2pool(3, stride=1)"),
        (relu(), "relu()"),
        (affine(2, 1), "affine(2, 1)"),
        (affine([1, "g"], 0.5), "affine([1, g], 1/2)"),
        (conv(k3, stride=2) >> conv(k3, stride=2), "conv(k[3], stride=2) >> conv(k[3], stride=2)"),
        (conv(k3) + crop(1), "conv(k[3]) + crop(1)"),
        ((conv(k3) + crop(1)) >> down(2), "(conv(k[3]) + crop(1)) >> down(2)"),
        ((conv(k3) >> down(2)) + (crop(1) >> down(2)), "(conv(k[3]) >> down(2)) + (crop(1) >> down(2))"),
    ],
)
def test_layer_repr_is_dsl_syntax(layer, text):
    assert repr(layer) == text


def test_constructors_build_the_layer_classes():
    assert isinstance(conv(k3), Conv)
    assert isinstance(conv_transpose(k3), ConvTranspose)
    assert isinstance(pad(1), Pad) and isinstance(crop(1), Crop)
    assert isinstance(down(2), Down) and isinstance(up(2), Up) and isinstance(flip(), Flip)
    assert isinstance(avgpool(2), AvgPool) and isinstance(maxpool(2), MaxPool) and isinstance(l2pool(2), L2Pool)
    assert isinstance(relu(), ReLU) and isinstance(affine(), Affine)
