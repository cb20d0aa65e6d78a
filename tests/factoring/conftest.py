"""Checks shared by the factorization tests (the ``checks`` fixture): a factorization against conv(q), exactly and numerically.

Both witnesses are independent of the construction and of the prover: the exact
semantics (symconv.core.semantics) on a symbolic input, and the numpy
evaluator (symconv.numeric) on random inputs, with a symbolic kernel's taps
instantiated.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
import sympy

from symconv.core.kernel import KernelSymbol
from symconv.core.layers import conv
from symconv.core.semantics import evaluate, symbolic_input
from symconv.numeric import evaluate_numeric


def exact_outputs(factorization, extra: int = 3):
    """Both sides on the symbolic input ``x_0 .. x_{L+extra-1}``, by the exact semantics."""
    n = len(factorization.taps) + extra
    x = symbolic_input(n)
    return evaluate(factorization.layers(), x), evaluate(conv(factorization.kernel), x)


def is_algebraic(factorization) -> bool:
    """True when some weight is an irrational number (a one-channel split through Q's roots)."""
    return any(v.is_number and not v.is_Rational for w in (factorization.first, factorization.second)
               for row in w for taps in row for v in taps)


def approximated(value: sympy.Expr) -> sympy.Expr:
    """``value`` with each CRootOf replaced by mpmath's 60-digit approximation.

    SymPy's own evalf of a CRootOf (and every assumption query on an expression
    holding one) refines intervals in exact arithmetic, which takes minutes.
    """
    table = {r: r.eval_approx(60) for r in value.atoms(sympy.CRootOf)}
    return sympy.expand(value.xreplace(table))


def same(a: sympy.Expr, b: sympy.Expr, algebraic: bool) -> bool:
    """Exact equality; for algebraic numbers (CRootOf, radicals) equality to 40 digits, coefficient-wise.

    Algebraic weights only arise for a literal q, so the outputs are linear forms in x.
    """
    if not algebraic:
        return sympy.expand(a - b) == 0
    difference = approximated(a - b)
    variables = sorted(difference.free_symbols, key=str)
    coefficients = [difference.diff(v) for v in variables] + [difference.xreplace({v: 0 for v in variables})]
    return all(abs(sympy.N(c, 50)) < 1e-40 for c in coefficients)


def assert_exactly_conv_q(factorization, extra: int = 3) -> None:
    """Every output sample of the two layers equals conv(q)'s, as exact polynomials in x (and q)."""
    lhs, rhs = exact_outputs(factorization, extra)
    algebraic = is_algebraic(factorization)
    assert len(lhs) == len(rhs) == 1 and len(lhs[0]) == len(rhs[0]) == extra + 1
    for a, b in zip(lhs[0], rhs[0]):
        assert same(a, b, algebraic), (a, b)


def assert_product_is_q(factorization) -> None:
    """``sum_c F_c(z) S_c(z) = Q(z)``, tap by tap."""
    algebraic = is_algebraic(factorization)
    product = product_of_layers(factorization)
    assert len(product) == len(factorization.taps)
    assert all(same(p, t, algebraic) for p, t in zip(product, factorization.taps)), product


def assert_numerically_conv_q(factorization, seed: int = 0, trials: int = 3) -> None:
    """float64 outputs agree on random inputs (random integer taps for a symbolic kernel)."""
    rng = np.random.default_rng(seed)
    length = len(factorization.taps)
    for _ in range(trials):
        values = {s.name: rng.integers(-4, 5, size=s.length) for s in factorization.sources
                  if isinstance(s, KernelSymbol)}
        network = factorization.layers(values) if values else factorization.layers()
        x = rng.uniform(-1, 1, size=length + 4)
        got = evaluate_numeric(network, x)
        want = evaluate_numeric(conv(factorization.kernel), x, bindings=values or None)
        assert got.shape == want.shape == (1, 5)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def product_of_layers(factorization) -> list[sympy.Expr]:
    """``sum_c F_c(z) S_c(z)`` as a tap list (the polynomial identity behind the network)."""
    n, m = factorization.sizes
    out = [sympy.Integer(0)] * (n + m - 1)
    for c in range(factorization.channels):
        for i, f in enumerate(factorization.first[c][0]):
            for j, s in enumerate(factorization.second[0][c]):
                out[i + j] += f * s
    return [sympy.expand(v) for v in out]


@pytest.fixture
def checks():
    """These helpers, for tests (conftest modules are not importable under --import-mode=importlib)."""
    return sys.modules[__name__]
