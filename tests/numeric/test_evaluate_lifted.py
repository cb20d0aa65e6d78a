"""One numpy evaluator for every d: evaluate_numeric runs a 1-D chain (one class per layer for every d) through the
N-D operators, so both entry points give the same numbers, and the 1-D conventions (NaN, size guard) hold there."""

import random
from fractions import Fraction

import numpy as np
import pytest

from symconv.core.kernel import convolve, dilate, kernel
from symconv.core.layers import (affine, avgpool, conv, conv_transpose, crop, down, flip, maxpool, pad, relu, up)
from symconv.core.layers_nd import up as up_nd
from symconv.errors import SizeLimitError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric


def _random_layer(rng: random.Random):
    k = kernel("k", 3)
    return rng.choice([
        lambda: conv(k, stride=rng.randint(1, 3), padding=rng.choice([0, 1, (2, 0)]), dilation=rng.randint(1, 2)),
        lambda: conv([Fraction(1, 2), -1], padding="same", bias=[3]),
        lambda: conv(convolve(k, dilate([1, 2], 2))),
        lambda: conv_transpose(k, stride=rng.randint(1, 3), padding=1, output_padding=0),
        lambda: pad(rng.randint(0, 2), rng.randint(0, 2)),
        lambda: crop(1, 0),
        lambda: down(2, rng.randint(0, 1)),
        lambda: up(rng.randint(2, 3)),
        lambda: flip(),
        lambda: avgpool(2, stride=1, padding=1, count_include_pad=rng.random() < 0.5, ceil_mode=rng.random() < 0.5),
        lambda: maxpool(3, stride=2, padding=1, ceil_mode=True),
        lambda: relu(),
        lambda: affine(Fraction(-3, 2), 1),
    ])()


@pytest.mark.parametrize("seed", range(30))
def test_the_1d_evaluator_and_the_nd_evaluator_at_d_1_give_the_same_exact_numbers(seed):
    rng = random.Random(seed)
    chain = _random_layer(rng)
    for _ in range(rng.randint(1, 3)):
        chain = chain >> _random_layer(rng)
    bindings = {"k": [rng.randint(-3, 3) for _ in range(3)]}
    for n in (0, 1, 2, 5, 11):
        x = [[Fraction(rng.randint(-9, 9), rng.randint(1, 4)) for _ in range(n)]]
        expected = evaluate_nd_numeric(chain, x, bindings, exact=True)
        got = evaluate_numeric(chain, x, bindings, exact=True)
        assert got.tolist() == expected.tolist(), (chain, n)


def test_a_sum_of_1d_branches_is_evaluated_by_the_nd_evaluator():
    layer = conv([1, 2], stride=2, padding=(1, 0)) + (down(2) >> pad(0, 1) >> crop(0, 1))
    x = np.arange(7.0)
    assert evaluate_nd_numeric(layer, x[None]).tolist() == evaluate_numeric(layer, x).tolist()


def test_relu_and_maxpool_propagate_nan_as_pytorch_does():
    assert np.isnan(evaluate_numeric(relu(), [1.0, np.nan])[0, 1])
    assert np.isnan(evaluate_numeric(maxpool(2), [np.nan, 1.0, 2.0, 3.0])[0, 0])
    assert np.isnan(evaluate_numeric(maxpool(2), [1.0, np.nan, 2.0, 3.0])[0, 0])


def test_the_size_guard_refuses_an_axis_longer_than_the_limit_in_nd_too():
    with pytest.raises(SizeLimitError, match=r"up\(\(4096, 1\)\) would build 40955905 samples on axis 1; the "
                                             r"numeric evaluator refuses more than 10000000"):
        evaluate_nd_numeric(up_nd((4096, 1)) >> up_nd((4096, 1)), np.ones((1, 10_000, 1)))
