"""Coefficients in the DSL (affine scales and shifts, bias entries) and in the Python API."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv.core.kernel import exact_expression, kernel
from symconv.core.layers import affine, conv
from symconv.dsl import parse_chain
from symconv.errors import DSLError, KernelError, KindError, LiteralError
from symconv.numeric import evaluate_numeric
from symconv.numeric.bindings import random_bindings, used_symbols

B, t = sympy.symbols("B t")


@pytest.mark.parametrize("text, scale, shift", [
    ("affine(1, 3*B)", 1, 3 * B),
    ("affine(2, B/2 - 1)", 2, B / 2 - 1),
    ("affine(-1/2, -B)", sympy.Rational(-1, 2), -B),
    ("affine(1, 2*B + 3*t)", 1, 2 * B + 3 * t),
    ("affine(gamma, beta)", sympy.Symbol("gamma"), sympy.Symbol("beta")),
])
def test_affine_coefficients(text, scale, shift):
    layer = parse_chain(text)
    assert (layer.scale, layer.shift) == (scale, shift)
    assert parse_chain(repr(layer)) == layer  # the repr reads back


def test_bias_entries_may_be_coefficients_and_a_single_one_is_broadcast():
    layer = parse_chain("conv(W[2, 1, 3], bias=[-6*B, B + 1])")
    assert layer.bias == (-6 * B, B + 1)
    assert parse_chain("conv(W[2, 1, 3], bias=2*B)").bias == (2 * B, 2 * B)
    assert parse_chain(repr(layer)) == layer


@pytest.mark.parametrize("text, error", [
    ("affine(1, B*B)", KindError),
    ("affine(1, 1/B)", KindError),
    ("affine(1, B/0)", LiteralError),
    ("conv(k[3], bias=[B*t])", KindError),
    ("affine(1, k[3])", DSLError),
])
def test_refused_coefficients(text, error):
    with pytest.raises(error):
        parse_chain(text)


def test_a_coefficient_name_cannot_also_be_a_kernel():
    with pytest.raises(DSLError, match="k"):
        parse_chain("conv(k[3]) >> affine(1, 2*k)")


def test_exact_expression_accepts_rational_polynomials_only():
    q0 = sympy.Symbol("q_0")
    assert exact_expression(-B * (q0 + 1)) == -B * q0 - B
    assert exact_expression(0.5) == sympy.Rational(1, 2)
    for bad in (sympy.sqrt(2) * B, sympy.sin(B), 1 / B, B * sympy.nan):
        with pytest.raises(KernelError):
            exact_expression(bad)


def test_bias_polynomial_in_taps_evaluates_with_the_kernel_values():
    q = kernel("q", 3)
    q0, q1 = sympy.symbols("q_0 q_1")
    layer = conv(q, bias=[-B * (q0 + q1)]) >> affine(2, B)
    symbols = used_symbols(layer)
    assert symbols.scalars == ("B",)  # q_0, q_1 are taps of q, not separate names
    bindings = random_bindings(layer, 0)
    k, b = bindings["q"], bindings["B"]
    x = [1, 2, 3, 4]
    expected = [2 * (k[0] * x[i] + k[1] * x[i + 1] + k[2] * x[i + 2] - b * (k[0] + k[1])) + b for i in range(2)]
    assert evaluate_numeric(layer, [x], bindings, exact=True)[0].tolist() == expected
    assert np.allclose(evaluate_numeric(layer, [x], bindings)[0], expected)
