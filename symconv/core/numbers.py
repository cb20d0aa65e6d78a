"""Exact numbers for kernels, biases and affine coefficients.

Every number symconv stores is exact: a Python number becomes a SymPy
rational (:func:`exact_number`, floats through their shortest repr), a
coefficient may be a polynomial in named symbols with rational coefficients
(:func:`exact_expression`), and a literal tap may also be an exact SymPy
real such as ``sqrt(2)`` (:func:`exact_real`). NaN, infinities, symbols
where numbers are expected and complex numbers are refused with a
:class:`~symconv.errors.KernelError`.
"""

from __future__ import annotations

import functools
import math
import numbers
from fractions import Fraction
from typing import Callable, Sequence

from symconv.lazy_import import sympy

from symconv.errors import KernelError, quote

__all__ = ["exact_number", "exact_expression", "exact_real", "rational", "tap_value", "tap_values"]


def rational(numerator: int, denominator: int) -> sympy.Rational:
    """The SymPy rational ``numerator / denominator`` of two coprime ints, ``denominator >= 1`` (as a ``Fraction``
    holds them): no gcd is taken again (SymPy's own constructor takes one, and caches every rational it makes).

    >>> rational(-3, 4), rational(5, 1), rational(1, 2) is sympy.S.Half
    (-3/4, 5, True)
    """
    return _rational_from_coprime()(numerator, denominator)


@functools.cache
def _rational_from_coprime() -> Callable[[int, int], sympy.Rational]:
    """SymPy's constructor that takes no gcd (SymPy >= 1.13), else ``Rational`` itself."""
    return getattr(sympy.Rational, "from_coprime_ints", sympy.Rational)


def exact_number(value: object, what: str = "kernel tap") -> sympy.Rational:
    """Convert a Python number to an exact SymPy rational, refusing NaN and infinities.

    >>> exact_number(0.5)
    1/2
    """
    kind = type(value)
    if kind is sympy.Rational or kind is sympy.Integer:  # the common cases first, by exact type
        return value
    if kind is Fraction:
        return rational(value.numerator, value.denominator)
    if isinstance(value, bool):
        raise KernelError(f"{what} {quote(value)} is a boolean; expected a number")
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, Fraction):
        return rational(int(value.numerator), int(value.denominator))
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise KernelError(f"{what} {quote(value)} is not finite; expected a finite number")
        exact = Fraction(repr(float(value)))
        return rational(exact.numerator, exact.denominator)
    if isinstance(value, sympy.Float):
        if not value.is_finite or value.has(sympy.nan):
            raise KernelError(f"{what} {value} is not finite; expected a finite number")
        return sympy.Rational(str(value))
    if isinstance(value, numbers.Integral):
        return sympy.Integer(int(value))
    if isinstance(value, numbers.Rational):
        return sympy.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):
        return exact_number(float(value), what)
    if isinstance(value, sympy.Expr) and value.is_number:
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
            raise KernelError(f"{what} {value} is not finite; expected a finite number")
        raise KernelError(f"{what} {value} is not rational; expected an exact rational such as 1/2")
    raise KernelError(f"{what} {quote(value)} is not a number; expected an int, a fraction or a float")


def exact_expression(value: object, what: str = "coefficient") -> sympy.Expr:
    """A number (as :func:`exact_number`) or a polynomial in named symbols with rational coefficients.

    Biases and affine coefficients built in Python may depend on other
    quantities (``-B (q_0 + q_1)``); the DSL only writes numbers and names.

    >>> exact_expression(sympy.Symbol("B") * sympy.Rational(1, 2))
    B/2
    """
    if not isinstance(value, sympy.Expr) or value.is_number:
        return exact_number(value, what)
    expanded = sympy.expand(value)
    symbols = sorted(expanded.free_symbols, key=sympy.default_sort_key)
    if not expanded.is_polynomial(*symbols):
        raise KernelError(f"{what} {value} is not a polynomial in its symbols; expected a number, a name "
                          f"or a polynomial such as -B*(q_0 + q_1)")
    for coefficient in sympy.Poly(expanded, *symbols).coeffs():
        exact_number(coefficient, what)
    return expanded


def exact_real(value: object) -> sympy.Expr:
    """A literal tap: a rational via :func:`exact_number`, or an exact finite SymPy real (``sqrt(2)``)."""
    if type(value) is sympy.Rational or type(value) is sympy.Integer:
        return value
    if isinstance(value, sympy.Expr) and value.is_number and not isinstance(value, (sympy.Rational, sympy.Float)):
        if value.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo) or value.has(sympy.Float) or not value.is_real:
            raise KernelError(f"kernel tap {value} is not finite or not exact; expected a finite exact real number")
        return value
    return exact_number(value)


def tap_value(v: object) -> sympy.Expr:
    """A tap as given: a string is read as a fraction (``"1/3"``); the kernel makes every tap exact."""
    if isinstance(v, str):
        try:
            return exact_number(Fraction(v))
        except ValueError:
            raise KernelError(f"kernel tap {quote(v)} is not a number; expected e.g. 1/2") from None
    if isinstance(v, sympy.Basic):
        return exact_real(v)
    return exact_number(v)


def tap_values(values: object) -> object:
    """Nested lists of taps as given, each read by :func:`tap_value`."""
    if isinstance(values, Sequence) and not isinstance(values, str):
        return [tap_values(v) for v in values]
    return tap_value(values)
