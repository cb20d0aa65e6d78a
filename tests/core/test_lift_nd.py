"""as_nd: a 1-D layer and its lift to the N-D classes at d = 1 have one meaning (exact semantics, every n)."""

import random
from fractions import Fraction

import pytest
import sympy

from symconv.core.kernel import convolve, dilate, flipk, kernel, literal, padk
from symconv.core.kernel import KernelSymbol, kernel
from symconv.core.layers import (affine, avgpool, conv, conv_transpose, crop, down, flip, l2pool, maxpool, pad, relu,
                                 up)
from symconv.core.layers_nd import AvgPool, ConvNd, Pad, conv2d
from symconv.core.lift_nd import as_kernel_nd1, as_nd
from symconv.core.semantics import evaluate
from symconv.core.semantics_nd import evaluate_nd
from symconv.core.sizes_nd import with_sizes
from symconv.errors import InvalidArgument

LENGTHS = range(0, 13)  # n = 0, below every receptive field, and past it


def _symbols(n: int, channels: int = 1) -> tuple:
    return tuple(tuple(sympy.Symbol(f"x_{m}_{i}") for i in range(n)) for m in range(channels))


def _same_meaning(layer, x, sizes=None) -> None:
    expected = evaluate(layer, x, sizes)
    lifted = as_nd(layer) if not sizes else with_sizes(as_nd(layer), sizes)
    got = evaluate_nd(lifted, x)
    assert len(got) == len(expected), (layer, x)
    for a, b in zip(got, expected):
        assert len(a) == len(b), (layer, len(x[0]), a, b)
        assert all(sympy.expand(u - v) == 0 for u, v in zip(a, b)), (layer, len(x[0]), a, b)


def _random_linear_layer(rng: random.Random, names: list):
    kind = rng.choice(["conv", "conv", "conv_transpose", "pad", "crop", "down", "up", "flip", "avgpool"])
    if kind in ("conv", "conv_transpose"):
        name = f"k{len(names)}"
        names.append(name)
        k = kernel(name, rng.randint(1, 3))
        k = rng.choice([k, k, dilate(k, 2), convolve(k, [1, -1]), flipk(k), padk(k, 1, 0), k + k, 2 * k])
        stride, dilation = rng.randint(1, 3), rng.randint(1, 2)
        if kind == "conv":
            padding = rng.choice([0, 1, (2, 0), (0, 1), "valid"] + (["same"] if stride == 1 else []))
            return conv(k, stride=stride, padding=padding, dilation=dilation,
                        bias=rng.choice([None, None, "b", [Fraction(1, 2)]]))
        output_padding = rng.randint(0, max(stride, dilation) - 1)
        return conv_transpose(k, stride=stride, padding=rng.randint(0, 1), output_padding=output_padding,
                              dilation=dilation, bias=rng.choice([None, "c"]))
    if kind == "pad":
        return pad(rng.randint(0, 2), rng.randint(0, 2))
    if kind == "crop":
        return crop(rng.randint(0, 2), rng.randint(0, 1))
    if kind == "down":
        s = rng.randint(1, 3)
        return down(s, rng.randint(0, s - 1))
    if kind == "up":
        return up(rng.randint(1, 3))
    if kind == "flip":
        return flip()
    size = rng.randint(1, 3)
    return avgpool(size, stride=rng.randint(1, 3), padding=rng.randint(0, size // 2), ceil_mode=rng.random() < 0.3,
                   count_include_pad=rng.random() < 0.7)


@pytest.mark.parametrize("seed", range(40))
def test_random_linear_chains_mean_the_same_lifted_at_every_length(seed):
    rng = random.Random(seed)
    names: list = []
    chain = _random_linear_layer(rng, names)
    for _ in range(rng.randint(0, 3)):
        chain = chain >> _random_linear_layer(rng, names)
    for n in LENGTHS:
        _same_meaning(chain, _symbols(n))


@pytest.mark.parametrize("layer", [
    conv(kernel("k", 3), stride=2, padding=1) + conv(kernel("j", 3), stride=2, padding=(0, 2)),
    (conv([1, 2]) + crop(0, 1)) >> up(2),
    conv(kernel("W", 2, 1, 3), bias="b") >> conv(kernel("V", 1, 2, 2), stride=2),
    conv(kernel("W", 4, 2, 2), groups=2, padding=1) >> conv_transpose(kernel("T", 4, 1, 3), stride=2, groups=2),
    conv(convolve(kernel("A", 3, 2, 2), kernel("B", 1, 3, 2)), dilation=2),
])
def test_sums_and_multichannel_layers_mean_the_same_lifted(layer):
    channels = layer.in_channels or 1
    for n in LENGTHS:
        _same_meaning(layer, _symbols(n, channels))


def test_generic_lengths_mean_the_same_lifted_at_each_size():
    layer = conv(kernel("k", "c"), padding="same") >> conv_transpose(kernel("k", "c"), stride=2)
    for c in (1, 2, 3, 4):
        for n in LENGTHS:
            _same_meaning(layer, _symbols(n), {"c": c})


@pytest.mark.parametrize("seed", range(12))
def test_random_nonlinear_chains_mean_the_same_lifted_on_numbers(seed):
    rng = random.Random(100 + seed)
    pool = [
        lambda: relu(),
        lambda: affine(Fraction(rng.randint(-3, 3), 2), rng.randint(-2, 2)),
        lambda: maxpool(rng.randint(1, 3), stride=rng.randint(1, 2), dilation=rng.randint(1, 2),
                        ceil_mode=rng.random() < 0.4),
        lambda: maxpool(2, padding=1),
        lambda: conv([rng.randint(-2, 2), 1, rng.randint(-2, 2)], padding=1),
        lambda: avgpool(2, stride=1, ceil_mode=True),
        lambda: down(2) if rng.random() < 0.5 else up(2),
    ]
    chain = rng.choice(pool)()
    for _ in range(rng.randint(1, 3)):
        chain = chain >> rng.choice(pool)()
    for n in LENGTHS:
        _same_meaning(chain, (tuple(sympy.Integer(rng.randint(-5, 5)) for _ in range(n)),))


def test_l2pool_means_the_same_lifted():
    for n in range(0, 8):
        x = (tuple(sympy.Integer(v) for v in range(1, n + 1)),)
        expected, got = evaluate(l2pool(2, stride=1), x), evaluate_nd(as_nd(l2pool(2, stride=1)), x)
        assert len(got[0]) == len(expected[0]) == max(0, n - 1)
        assert [float(v) for v in got[0]] == pytest.approx([float(v) for v in expected[0]])


def test_lifted_layers_have_one_axis_and_keep_their_arguments():
    lifted = as_nd(conv(kernel("W", 2, 1, 3), stride=2, padding=(1, 0), dilation=2, bias=[1, 2]))
    assert isinstance(lifted, ConvNd) and lifted.ndim == 1
    assert (lifted.stride, lifted.padding, lifted.dilation) == ((2,), ((1, 0),), (2,))
    assert lifted.weight == KernelSymbol("W", (2, 1, 3), 1) and lifted.bias == (1, 2)
    assert as_nd(pad(1, 2)) == Pad((1,), (2,))
    assert as_nd(avgpool(3, stride=2, padding=1, count_include_pad=False)) == AvgPool((3,), (2,), (1,), False, False)


@pytest.mark.parametrize("expression", [
    padk(dilate(kernel("k", 2), 2), 0, 1) + literal([1, 0, 0, 2]),
    convolve(kernel("A", 3, 2, 2), flipk(kernel("B", 1, 3, 2))),
    Fraction(1, 3) * literal([[[1, 2]], [[3, 4]]]),
])
def test_a_lifted_kernel_has_the_taps_of_the_1d_kernel(expression):
    assert as_kernel_nd1(expression).taps() == expression.taps()


def test_sample_by_sample_layers_and_nd_layers_pass_through():
    assert as_nd(relu()) == relu() and as_nd(flip()) == flip()
    layer = conv2d(kernel("k", 3, 3))
    assert as_nd(layer) is layer


def test_a_non_layer_is_refused():
    with pytest.raises(InvalidArgument, match=r"layer=.conv. is invalid; expected a layer such as conv"):
        as_nd("conv")


def test_a_one_value_tuple_still_builds_no_layer_from_the_constructors():
    with pytest.raises(InvalidArgument, match=r"pad: before=\(1,\) is invalid; expected a tuple with one int per "
                                              r"axis \(2 or more axes\)"):
        pad((1,))


def test_a_lifted_convolve_shares_the_1d_exact_taps_and_equals_the_nd_product():
    """The lift of a concrete ``convolve`` reads the 1-D expression's exact taps (one product for both stacks);
    they equal the N-D product ``E[o, i, u + v] = sum_m a[m, i, u] b[o, m, v]`` computed from the children."""
    from symconv.core.exact_poly import from_sympy
    from symconv.core.kernel import kernel as named, literal
    from symconv.core.kernel_expr import convolve, dilate, exact_taps
    from symconv.core.kernel_expr import Convolve

    cases = [convolve(named("W", 2, 3, 3), dilate(named("V", 3, 2, 2), 2)),
             convolve(literal([[[1, -2]], [[3, 0]]]), named("U", 1, 2, 3))]
    for k in cases:
        lifted = as_kernel_nd1(k)
        direct = Convolve(as_kernel_nd1(k.a), as_kernel_nd1(k.b))
        assert lifted.exact_grid() == direct.exact_grid()
        assert lifted.grid() == direct.grid() == {key: v for key, v in direct.grid().items()}
        assert lifted.exact_grid() is lifted.exact_grid()  # made once
        taps = exact_taps(k)
        assert {key: from_sympy(v) for key, v in lifted.grid().items()} == {
            (o, i, j): p for o, row in enumerate(taps) for i, t in enumerate(row) for j, p in enumerate(t) if p}
