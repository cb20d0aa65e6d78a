"""One exact semantics: the 1-D ``evaluate`` equals ``run_nd`` on the same chain written with the N-D layers (d = 1).

Each random chain is built twice from one list of layer parameters: with the 1-D constructors
(``conv``, ``crop``, ``avgpool``, ...) and, independently of :func:`symconv.core.lift_nd.as_nd`, with the
N-D classes at one axis (``Conv``, ``Crop``, ``AvgPool``, ...). The two must give the same samples at
every length, ``n = 0`` and lengths below the receptive field included; a lift that read an argument the
wrong way round (a crop's sides swapped, a transposed convolution's padding as output padding) fails here.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from symconv.core.kernel import kernel, literal
from symconv.core.layers import Conv, ConvTranspose, Crop, Down, Flip, Pad, Up, avgpool
from symconv.core.nonlinear import affine, l2pool, maxpool, relu
from symconv.core.pools import AvgPool, L2Pool, MaxPool
from symconv.core.semantics import evaluate, evaluate_exact, exact_input, symbolic_input
from symconv.core.semantics_nd import SignalNd, run_nd
from symconv.errors import KernelError, LengthMismatch, SymconvError


def _conv(rng: random.Random, name: str, channels: int) -> tuple:
    size = rng.randint(1, 3)
    stride, dilation = rng.randint(1, 2), rng.randint(1, 2)
    left, right = rng.randint(0, 2), rng.randint(0, 2)
    if rng.random() < 0.4:  # numbers: the integer route of exact_poly.linear_combination
        taps = [[[Fraction(rng.randint(-3, 3), rng.choice((1, 2))) for _ in range(size)] for _ in range(channels)]
                for _ in range(channels)]
        bias = [Fraction(rng.randint(-2, 2), 3) for _ in range(channels)] if rng.random() < 0.5 else None
        one, nd = (taps[0][0], literal(taps[0][0], 1)) if channels == 1 else (taps, literal(taps, 1))
    else:
        bias = None
        one, nd = (kernel(name, channels, channels, size), kernel(name, channels, channels, size, ndim=1))
    return (Conv(one, stride, (left, right), dilation, 1, bias),
            Conv(nd, (stride,), ((left, right),), (dilation,), 1, bias))


def _conv_transpose(rng: random.Random, name: str, channels: int) -> tuple:
    size, stride, dilation = rng.randint(1, 3), rng.randint(1, 3), rng.randint(1, 2)
    padding = rng.randint(0, dilation * (size - 1))
    output_padding = rng.randint(0, max(stride, dilation) - 1)
    return (ConvTranspose(kernel(name, channels, channels, size), stride, padding, output_padding, dilation),
            ConvTranspose(kernel(name, channels, channels, size, ndim=1), (stride,), (padding,),
                            (output_padding,), (dilation,)))


def _step(rng: random.Random, name: str, channels: int) -> tuple:
    """One layer, 1-D and N-D, from the same random parameters."""
    kind = rng.choice(["conv", "conv", "conv_transpose", "pad", "crop", "down", "up", "flip", "relu", "affine",
                       "avgpool", "maxpool", "l2pool", "sum"])
    a, b = rng.randint(0, 3), rng.randint(0, 3)
    s = rng.randint(1, 3)
    if kind == "conv":
        return _conv(rng, name, channels)
    if kind == "conv_transpose":
        return _conv_transpose(rng, name, channels)
    if kind == "pad":
        return Pad(a, b), Pad((a,), (b,))
    if kind == "crop":
        return Crop(a, b), Crop((a,), (b,))
    if kind == "down":
        q = rng.randint(0, s - 1)
        return Down(s, q), Down((s,), (q,))
    if kind == "up":
        return Up(s), Up((s,))
    if kind == "flip":
        return Flip(), Flip()  # flip() reverses every axis of a chain of any d
    if kind == "relu":
        return relu(), relu()
    if kind == "affine":
        scale, shift = Fraction(rng.randint(1, 5), 2), Fraction(rng.randint(-3, 3), 4)
        return affine(scale, shift), affine(scale, shift)
    size = rng.randint(1, 3)
    stride = rng.randint(1, 3)
    padding = rng.randint(0, size // 2)
    ceil_mode = rng.random() < 0.5
    if kind == "avgpool":
        include = rng.random() < 0.5
        return (avgpool(size, stride, padding, ceil_mode, include),
                AvgPool((size,), (stride,), (padding,), ceil_mode, include))
    if kind == "maxpool":
        dilation = rng.randint(1, 2)
        return (maxpool(size, stride, padding, dilation, ceil_mode),
                MaxPool((size,), (stride,), (padding,), (dilation,), ceil_mode))
    if kind == "l2pool":
        return l2pool(size, stride), L2Pool((size,), (stride,))
    # a sum whose branches keep the length: a one-sample shift to the right and a centred convolution
    shift = (Pad(1, 0) >> Crop(0, 1), Pad((1,), (0,)) >> Crop((0,), (1,)))
    centred = (Conv(kernel(name, channels, channels, 3), paddings=(1, 1)),
               Conv(kernel(name, channels, channels, 3, ndim=1), (1,), ((1, 1),), (1,), 1, None))
    return shift[0] + centred[0], shift[1] + centred[1]


def _chains(seed: int) -> tuple:
    """A random chain of 1 to 4 layers on 1 or 2 channels, as ``(1-D chain, N-D chain, channels)``."""
    rng = random.Random(seed)
    channels = rng.choice((1, 1, 2))
    one, nd = [], []
    while len(one) < rng.randint(1, 4):
        try:
            a, b = _step(rng, f"k{len(one)}", channels)
        except SymconvError:  # parameters a constructor refuses: draw again
            continue
        one.append(a)
        nd.append(b)
    chain, chain_nd = one[0], nd[0]
    for a, b in zip(one[1:], nd[1:]):
        chain, chain_nd = chain >> a, chain_nd >> b
    return chain, chain_nd, channels


def _run_nd(layer, n: int, channels: int) -> tuple:
    """``run_nd`` on the samples of :func:`symbolic_input` (the same symbols), as 1-D channels."""
    x = symbolic_input(n, channels)
    signal = SignalNd(channels, (n,), {(m, i): v for m, ch in enumerate(x) for i, v in enumerate(ch)})
    return run_nd(layer, signal).nested()


@pytest.mark.parametrize("seed", range(60))
def test_the_1d_semantics_is_the_nd_one_on_random_chains_at_every_short_length(seed):
    chain, chain_nd, channels = _chains(seed)
    for n in range(0, 9):
        assert evaluate(chain, symbolic_input(n, channels)) == _run_nd(chain_nd, n, channels), (chain, n)


def test_a_crop_with_unequal_sides_keeps_its_left_side_on_the_left():
    x = symbolic_input(5)
    assert evaluate(Crop(1, 2), x) == ((x[0][1], x[0][2]),) == _run_nd(Crop((1,), (2,)), 5, 1)
    assert evaluate(Crop(1, 2), x) != _run_nd(Crop((2,), (1,)), 5, 1)


def test_an_empty_input_gives_the_padding_and_the_bias_as_the_nd_semantics_does():
    layer = Conv([1, 2], paddings=(2, 1), bias=[Fraction(1, 2)])
    layer_nd = Conv(literal([1, 2], 1), (1,), ((2, 1),), (1,), 1, [Fraction(1, 2)])
    assert evaluate(layer, ((),)) == _run_nd(layer_nd, 0, 1) == ((Fraction(1, 2),) * 2,)


def test_the_exact_outputs_are_polynomials_one_tuple_per_channel():
    y = evaluate_exact(Conv(kernel("W", 2, 1, 2)), exact_input(3))
    assert [len(ch) for ch in y] == [2, 2] and all(isinstance(v, dict) for ch in y for v in ch)


def test_the_output_shapes_kept_for_one_layer_object_are_never_read_for_another():
    first, second = Crop((1,), (0,)), Crop((0,), (3,))
    for _ in range(2):  # the second time each step's axis chains are the kept ones
        assert run_nd(first, SignalNd(1, (5,), {})).shape == (4,)
        assert run_nd(second, SignalNd(1, (5,), {})).shape == (2,)


def test_generic_sizes_are_given_their_values_before_the_nd_semantics():
    layer = Conv(kernel("k", "c"), paddings="same")
    assert evaluate(layer, symbolic_input(3), {"c": 2}) == evaluate(Conv(kernel("k", 2), paddings=(0, 1)),
                                                                    symbolic_input(3))


def test_a_generic_length_without_a_value_is_the_kernels_own_error():
    with pytest.raises(KernelError, match=r"^kernel k has generic length c; give a value for c$"):
        evaluate_exact(Conv(kernel("k", "c"), paddings="same"), exact_input(3))


def test_channels_of_different_lengths_are_refused():
    with pytest.raises(LengthMismatch, match=r"^the input's channels have lengths \[3, 2\]; expected equal lengths$"):
        evaluate_exact(relu(), (exact_input(3)[0], exact_input(2)[0]))
