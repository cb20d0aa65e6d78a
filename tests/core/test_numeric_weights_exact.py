"""Numeric (dyadic, trained-model) weights in the exact semantics: summed as integers over one denominator
(``exact_poly.linear_combination``), checked against a direct SymPy sum written here, in 1-D and 2-D."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest
import sympy

from symconv.core.semantics import evaluate
from symconv.core.semantics_nd import run_nd, symbolic_input_nd
from symconv.core.semantics import symbolic_input
from symconv.dsl import parse_chain


def _dyadic(rng: random.Random) -> Fraction:
    return Fraction(rng.randint(-2**24, 2**24), 2 ** rng.randint(10, 36))


def _weights(rng: random.Random, *shape: int) -> list:
    if len(shape) == 1:
        return [_dyadic(rng) for _ in range(shape[0])]
    return [_weights(rng, *shape[1:]) for _ in range(shape[0])]


def _text(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_text(v) for v in values) + "]"
    return f"{values.numerator}/{values.denominator}"


def _conv2d_reference(x: dict, shape, channels, weight, bias, padding):
    """``y[o, i, j] = b[o] + sum_{m, a, b} W[o][m][a][b] x[m, i + a - p, j + b - p]`` (zero outside)."""
    out_channels, size = len(weight), len(weight[0][0])
    out_shape = tuple(n + 2 * padding - size + 1 for n in shape)
    y = {}
    for o, i, j in itertools.product(range(out_channels), *(range(n) for n in out_shape)):
        total = sympy.Rational(bias[o].numerator, bias[o].denominator)
        for m, a, b in itertools.product(range(channels), range(size), range(size)):
            u, v = i + a - padding, j + b - padding
            if 0 <= u < shape[0] and 0 <= v < shape[1]:
                w = weight[o][m][a][b]
                total += sympy.Rational(w.numerator, w.denominator) * x[(m, u, v)]
        y[(o, i, j)] = sympy.expand(total)
    return y, out_shape


@pytest.mark.parametrize("seed", range(3))
def test_two_padded_dyadic_conv2d_layers_are_the_direct_sum_of_their_products(seed):
    rng = random.Random(seed)
    channels, shape = 2, (4, 3)
    w1, w2 = _weights(rng, 2, 2, 3, 3), _weights(rng, 2, 2, 3, 3)
    b1, b2 = _weights(rng, 2), _weights(rng, 2)
    chain = parse_chain(f"conv2d({_text(w1)}, padding=1, bias={_text(b1)}) >> "
                        f"conv2d({_text(w2)}, padding=1, bias={_text(b2)})")
    x = symbolic_input_nd(shape, channels)
    hidden, hidden_shape = _conv2d_reference(x.values, shape, channels, w1, b1, 1)
    expected, expected_shape = _conv2d_reference(hidden, hidden_shape, 2, w2, b2, 1)
    got = run_nd(chain, x)
    assert got.shape == expected_shape
    assert {k: sympy.expand(v) for k, v in got.values.items()} == {k: v for k, v in expected.items() if v != 0}


def test_a_dyadic_conv_then_an_average_in_1d_is_the_direct_sum_with_the_divisor():
    rng = random.Random(7)
    w = _weights(rng, 2, 1, 3)
    chain = parse_chain(f"conv({_text(w)}, padding=1) >> avgpool(3, stride=1, padding=1)")
    x = symbolic_input(5)[0]
    got = evaluate(chain, (x,))
    for o in range(2):
        hidden = []
        for i in range(5):
            total = sympy.Integer(0)
            for j in range(3):
                if 0 <= i + j - 1 < 5:
                    total += sympy.Rational(w[o][0][j].numerator, w[o][0][j].denominator) * x[i + j - 1]
            hidden.append(total)
        expected = [sympy.expand(sum(hidden[k] for k in (i - 1, i, i + 1) if 0 <= k < 5) / 3) for i in range(5)]
        assert [sympy.expand(v) for v in got[o]] == expected
