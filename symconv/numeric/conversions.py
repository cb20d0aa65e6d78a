"""Numbers in the two modes of numeric evaluation: exact ``Fraction`` objects, or float64.

:func:`number` reads one value (an int, a ``Fraction``, a float, a string such
as ``'-1/2'``, a SymPy rational or real number) as a ``Fraction`` when
``exact=True`` (a SymPy number that is not rational, or a non-finite float, is
refused there) and as a ``float`` otherwise; :func:`number_array` does so
entry-wise (dtype object, or float64), and :func:`zeros` gives ``Fraction(0)``
or ``0.0`` arrays.

>>> number("-1/2", exact=True), number("-1/2", exact=False)
(Fraction(-1, 2), -0.5)
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.errors import InvalidArgument, KernelError, NotInFragment

__all__ = ["number", "number_array", "zeros", "exact_tensordot", "integer_operands", "fractions_over"]


def number(value: object, exact: bool, what: str = "value") -> Union[float, Fraction]:
    """One number as a ``Fraction`` (``exact=True``) or a ``float``.

    >>> number(sympy.Rational(1, 3), exact=True)
    Fraction(1, 3)
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool):
        raise InvalidArgument("numeric evaluation", what, value, "a number, not a boolean")
    if isinstance(value, str):
        try:
            value = Fraction(value)
        except (ValueError, ZeroDivisionError):
            raise InvalidArgument("numeric evaluation", what, value, "a number such as 3, -1/2 or 0.25") from None
    if isinstance(value, sympy.Basic):
        if isinstance(value, sympy.Rational):
            value = Fraction(int(value.p), int(value.q))
        elif isinstance(value, sympy.Float):
            value = float(value)
        elif isinstance(value, sympy.Expr) and value.is_number and value.is_real:
            if exact:
                raise NotInFragment(
                    f"{what} {value} is not rational; exact evaluation needs rational numbers"
                )
            return float(value)
        else:
            raise KernelError(f"{what} {value} is not a number; give a numeric value for it")
    if isinstance(value, numbers.Integral):
        return Fraction(int(value)) if exact else float(value)
    if isinstance(value, numbers.Rational):
        return Fraction(value) if exact else float(value)
    if isinstance(value, numbers.Real):
        if exact:
            if not math.isfinite(value):
                raise InvalidArgument("numeric evaluation", what, value, "a finite number in exact mode")
            return Fraction(float(value))
        return float(value)
    raise InvalidArgument("numeric evaluation", what, value, "an int, a Fraction, a float or a string such as '1/2'")


def number_array(values: object, exact: bool, what: str = "value") -> np.ndarray:
    """An array of ``Fraction`` (dtype object) or of float64; entries as :func:`number` accepts.

    >>> number_array([1, "1/2", 0.25], exact=True).tolist()
    [Fraction(1, 1), Fraction(1, 2), Fraction(1, 4)]
    """
    try:
        arr = np.asarray(values)
    except ValueError as error:  # ragged nesting
        raise InvalidArgument("numeric evaluation", what, _describe(values), "a rectangular array") from error
    if not exact and arr.dtype.kind in "iuf":
        return arr.astype(np.float64)
    out = np.empty(arr.shape, dtype=object if exact else np.float64)
    for index, v in np.ndenumerate(arr):
        out[index] = number(v, exact, what)
    return out


def _describe(values: object) -> str:
    text = repr(values)
    return text if len(text) <= 60 else text[:57] + "..."


def zeros(shape: tuple[int, ...], exact: bool) -> np.ndarray:
    """Zeros as exact ``Fraction(0)`` (dtype object) or float64."""
    if exact:
        return np.full(shape, Fraction(0), dtype=object)
    return np.zeros(shape, dtype=np.float64)


#: Largest magnitude of a sum of integer products that int64 arithmetic may reach (with a margin).
INT64_SAFE = 2 ** 62


def over_common_denominator(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """``(A, D)`` with ``arr == A / D`` entry-wise: an exact (``Fraction``) array as Python ints over one denominator."""
    den = math.lcm(1, *(Fraction(v).denominator for v in arr.flat))
    ints = np.empty(arr.shape, dtype=object)
    ints.flat[:] = [int(Fraction(v) * den) for v in arr.flat]
    return ints, den


def integer_operands(a: np.ndarray, b: np.ndarray, terms: int) -> tuple[np.ndarray, np.ndarray, int]:
    """``(A, B, D)`` with ``a = A / Da``, ``b = B / Db`` and ``D = Da Db``: two exact (``Fraction``) arrays as
    integers for products of which at most ``terms`` are summed into one entry, in int64 when no such sum can
    overflow (else Python ints). A sum of products of A and B, divided by D, is the exact result."""
    (ints_a, den_a), (ints_b, den_b) = over_common_denominator(a), over_common_denominator(b)
    bound_a = max((abs(v) for v in ints_a.flat), default=0)
    bound_b = max((abs(v) for v in ints_b.flat), default=0)
    if bound_a * bound_b * max(terms, 1) < INT64_SAFE:
        ints_a, ints_b = ints_a.astype(np.int64), ints_b.astype(np.int64)
    return ints_a, ints_b, den_a * den_b


def fractions_over(ints: np.ndarray, den: int) -> np.ndarray:
    """The exact (``Fraction``) array ``ints / den``."""
    out = np.empty(np.shape(ints), dtype=object)
    out.flat[:] = [Fraction(int(v), den) for v in np.asarray(ints).flat]
    return out


def exact_tensordot(a: np.ndarray, b: np.ndarray, axes) -> np.ndarray:
    """``np.tensordot(a, b, axes)`` of two exact (``Fraction``) arrays, computed on integers:
    ``(A / Da) . (B / Db) = (A . B) / (Da Db)``, in int64 when no sum can overflow (else Python ints).
    Fractions add and multiply about 30 times slower than ints; a 16-channel 3x3 kernel product is 10^5 of them.

    >>> exact_tensordot(np.array([Fraction(1, 2), Fraction(1, 3)], dtype=object),
    ...                 np.array([Fraction(2), Fraction(3)], dtype=object), axes=1)
    Fraction(2, 1)
    """
    terms = math.prod(a.shape[i] for i in (axes[0] if not isinstance(axes, int) else range(a.ndim - axes, a.ndim)))
    ints_a, ints_b, den = integer_operands(a, b, terms)
    product = np.tensordot(ints_a, ints_b, axes)
    if np.ndim(product) == 0:
        return Fraction(int(product), den)
    return fractions_over(product, den)
