"""Bound values of an N-D chain as numbers and arrays: parameters, kernel taps, kernel expressions.

A bias or affine parameter ``p`` is bound to one number; ``k_a_b`` (``W_o_i_a_b``)
is a tap of a bound kernel. A kernel expression becomes an array
``E[o, i, a1, ..., ad]`` of shape ``(out, in, k1, ..., kd)`` from the bound
values, without :meth:`Kernel.grid`:

* ``dilate(k, f)[a f] = k[a]`` per axis, zeros elsewhere;
* ``convolve(p, q)[o, i] = sum_m fullNd(p[m, i], q[o, m])``;
* ``flip(k)[a] = k[K - 1 - a]`` on every axis (the listed ones for ``flip(k, axes=...)``);
  ``padk`` puts zeros around the taps;
* ``p + q`` and ``s * k`` tap-wise.

Values are float64, or exact ``Fraction`` objects with ``exact=True``; NaN and
infinities are refused (:func:`finite_array`).

>>> from symconv.core.kernel import kernel, FlipKernel
>>> kernel_array_nd(FlipKernel(kernel("k", 1, 2), (0, 1)), {"k": [[1, 2]]}).tolist()
[[[[2.0, 1.0]]]]
"""

from __future__ import annotations

import itertools
from collections import OrderedDict
from fractions import Fraction
from typing import Iterable, Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.kernel import (
    Convolve, DerivedKernel, Dilate, FlipKernel, Kernel, KernelSymbol, Literal, PadKernel, Scaled, KernelSum,
)
from symconv.errors import InvalidArgument, KernelError, NotInFragment
from symconv.numeric.bindings import Bindings
from symconv.numeric.conversions import fractions_over, integer_operands, number, number_array, zeros
from symconv.numeric.symbols import tap_of

__all__ = ["kernel_array_nd", "literal_array", "parameter_value", "finite_array", "spatial_slices"]


def finite_array(values: object, exact: bool, what: str) -> np.ndarray:
    """Numbers as :func:`number_array` gives them; NaN and infinities refused in both modes."""
    arr = number_array(values, exact, what)  # exact mode refuses non-finite floats itself
    if not exact and not np.isfinite(arr).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise InvalidArgument("evaluate_nd_numeric", what, f"{arr[index]} at index {index}", "finite numbers")
    return arr


def _symbol_value(symbol: sympy.Symbol, bindings: Optional[Bindings], exact: bool) -> Union[float, Fraction]:
    """A bias parameter ``p`` bound to one number, or a tap ``k_a_b`` / ``W_o_i_a_b`` of a bound kernel."""
    bindings = bindings or {}
    if symbol.name in bindings:
        value = finite_array(bindings[symbol.name], exact, f"parameter {symbol.name}")
        if value.shape != ():
            raise KernelError(f"parameter {symbol.name} is bound to an array of shape {value.shape}; "
                              f"expected one number")
        return value.item()
    tap = tap_of(symbol.name, bindings)
    if tap is None:
        raise KernelError(f"no value for the symbol {symbol.name}; give bindings={{{symbol.name!r}: ...}}")
    owner, index = tap
    values = finite_array(bindings[owner], exact, f"kernel {owner}")
    if values.ndim == len(index) + 2 and values.shape[:2] == (1, 1):
        values = values[0, 0]
    if len(index) != values.ndim or any(i >= n for i, n in zip(index, values.shape)):
        raise KernelError(f"kernel {owner} is bound to an array of shape {values.shape}; it has no tap "
                          f"{symbol.name}")
    return values[index]


def parameter_value(expr: sympy.Expr, bindings: Optional[Bindings], exact: bool, what: str) -> Union[float, Fraction]:
    """A number, or a polynomial in parameters and kernel taps at their bound values."""
    if isinstance(expr, sympy.Rational):  # an exact number (a bias, an affine scale): as number() reads it
        p, q = int(expr.p), int(expr.q)
        return Fraction(p, q) if exact else p / q
    table = {}
    for s in expr.free_symbols:
        v = Fraction(_symbol_value(s, bindings, exact))
        table[s] = sympy.Rational(v.numerator, v.denominator)
    return number(expr.xreplace(table) if table else expr, exact, what)


def _symbol_array(k: KernelSymbol, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    if bindings is None or k.name not in bindings:
        raise KernelError(f"no value for kernel {k!r}; give bindings={{{k.name!r}: array of shape {k.dims}}}")
    values = finite_array(bindings[k.name], exact, f"kernel {k.name}")
    if values.shape not in (tuple(k.dims), k.shape):
        raise KernelError(f"kernel {k!r} is bound to an array of shape {values.shape}; expected shape {k.dims}")
    return values.reshape(k.shape)


def spatial_slices(starts: Iterable[int], sizes: Iterable[int], steps: Optional[Iterable[int]] = None) -> tuple:
    """The index ``[:, :, a : a + n : s, ...]``: per spatial axis, ``n`` samples from ``a``, ``s`` apart (default 1)."""
    steps = steps if steps is not None else itertools.repeat(1)
    return (slice(None), slice(None)) + tuple(slice(a, a + n, s) for a, n, s in zip(starts, sizes, steps))


#: How many literal kernels :func:`literal_array` keeps converted (per mode): a network's weights, read again at
#: every input a search tries.
LITERAL_CACHE_SIZE = 64
_literal_arrays: "OrderedDict[tuple[int, bool], tuple[Literal, np.ndarray]]" = OrderedDict()


def _rational_taps(values: object, exact: bool) -> Optional[list]:
    """The taps of nested tuples of SymPy rationals, flat, as ``p / q`` (the float ``Fraction(p, q)`` rounds to)
    or ``Fraction(p, q)``; None when a tap is no rational (``sqrt(2)``)."""
    flat: list = []
    stack = [values]
    while stack:  # depth-first, last level read in order: the row-major order of the array
        top = stack.pop()
        if top and isinstance(top[0], tuple):
            stack.extend(reversed(top))
            continue
        for v in top:
            if not isinstance(v, sympy.Rational):
                return None
            p, q = int(v.p), int(v.q)
            flat.append(Fraction(p, q) if exact else p / q)
    return flat


def literal_array(k: Literal, exact: bool) -> Optional[np.ndarray]:
    """The rational taps of ``k`` as an array (a fresh copy), converted once per kernel object and mode and kept
    (the :data:`LITERAL_CACHE_SIZE` kernels used last); None when a tap is no rational (it needs :func:`number`).

    The same numbers as the general path (``number`` of each tap): ``Fraction(p, q)``, or its float ``p / q``.

    >>> from symconv.core.kernel import literal
    >>> literal_array(literal([[1, Fraction(1, 3)]]), exact=True).tolist()
    [[[[Fraction(1, 1), Fraction(1, 3)]]]]
    """
    key = (id(k), exact)
    entry = _literal_arrays.get(key)
    if entry is None or entry[0] is not k:  # the entry holds k, so its id names no other object while kept
        taps = _rational_taps(k.values, exact)
        if taps is None:
            return None
        array = np.array(taps, dtype=object if exact else np.float64).reshape(k.shape)
        entry = _literal_arrays[key] = (k, array)
        while len(_literal_arrays) > 2 * LITERAL_CACHE_SIZE:
            _literal_arrays.popitem(last=False)
    else:
        _literal_arrays.move_to_end(key)
    return entry[1].copy()


def _exact_convolution(first: np.ndarray, second: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``E[o, i, u + v] = sum_m second[o, m, v] first[m, i, u]`` of two exact arrays, computed once on integers
    over one denominator each (int64 when no sum can overflow, else Python ints), written as Fractions at the end.
    """
    terms = first.shape[0] * int(np.prod(first.shape[2:], dtype=object))  # products summed into one entry, at most
    ints_a, ints_b, den = integer_operands(first, second, terms)
    result = np.zeros(shape, dtype=ints_a.dtype) if ints_a.dtype == np.int64 else np.full(shape, 0, dtype=object)
    for u in itertools.product(*(range(n) for n in first.shape[2:])):
        block = np.moveaxis(np.tensordot(ints_b, ints_a[(slice(None), slice(None)) + u], axes=([1], [0])), -1, 1)
        result[spatial_slices(u, second.shape[2:])] += block
    return fractions_over(result, den)


def kernel_array_nd(k: Kernel, bindings: Optional[Bindings] = None, exact: bool = False) -> np.ndarray:
    """The N-D kernel expression ``k`` as an array ``E[o, i, a1, ..., ad]`` of shape ``(out, in, k1, ..., kd)``.

    >>> from symconv.core.kernel import kernel, Dilate
    >>> kernel_array_nd(Dilate(kernel("k", 1, 2), (1, 2)), {"k": [[1, 2]]}).tolist()
    [[[[1.0, 0.0, 2.0]]]]
    """
    if isinstance(k, KernelSymbol):
        return _symbol_array(k, bindings, exact)
    if isinstance(k, Literal):
        rational = literal_array(k, exact)
        if rational is not None:
            return rational
    if isinstance(k, (Literal, DerivedKernel)):
        for source in getattr(k, "sources", ()):
            _symbol_array(source, bindings, exact)  # checks the sources' shapes before reading their taps
        flat = np.array(k.nested_values(), dtype=object).reshape(-1)
        taps = [parameter_value(sympy.sympify(v), bindings, exact, "kernel tap")  # safe: exact kernel values
                for v in flat]
        return number_array(np.array(taps, dtype=object).reshape(k.shape), exact)
    if isinstance(k, Dilate):
        inner = kernel_array_nd(k.kernel, bindings, exact)
        shape = inner.shape[:2] + tuple(f * (n - 1) + 1 for f, n in zip(k.factors, inner.shape[2:]))
        result = zeros(shape, exact)
        result[(slice(None), slice(None)) + tuple(slice(None, None, f) for f in k.factors)] = inner
        return result
    if isinstance(k, Convolve):
        first, second = kernel_array_nd(k.a, bindings, exact), kernel_array_nd(k.b, bindings, exact)
        shape = (second.shape[0], first.shape[1]) + tuple(p + q - 1 for p, q in zip(first.shape[2:], second.shape[2:]))
        if exact:
            return _exact_convolution(first, second, shape)
        result = zeros(shape, exact)
        for u in itertools.product(*(range(n) for n in first.shape[2:])):
            # sum_m second[o, m, v] first[m, i, u] -> (o, v..., i) -> (o, i, v...)
            block = np.moveaxis(np.tensordot(second, first[(slice(None), slice(None)) + u], axes=([1], [0])), -1, 1)
            result[spatial_slices(u, second.shape[2:])] += block
        return result
    if isinstance(k, PadKernel):
        inner = kernel_array_nd(k.kernel, bindings, exact)
        result = zeros(inner.shape[:2] + tuple(n + b + a for n, b, a in zip(inner.shape[2:], k.before, k.after)),
                       exact)
        result[spatial_slices(k.before, inner.shape[2:])] = inner
        return result
    if isinstance(k, FlipKernel):  # reversed on the kernel's flipped axes
        inner = kernel_array_nd(k.kernel, bindings, exact)
        return inner[(slice(None), slice(None)) + tuple(slice(None, None, -1) if a in k.axes else slice(None)
                                                        for a in range(inner.ndim - 2))].copy()
    if isinstance(k, Scaled):
        return kernel_array_nd(k.kernel, bindings, exact) * parameter_value(k.scalar, bindings, exact, "kernel scale")
    if isinstance(k, KernelSum):  # the core refuses terms of different shapes
        return kernel_array_nd(k.a, bindings, exact) + kernel_array_nd(k.b, bindings, exact)
    raise NotInFragment(f"no numeric meaning for the N-D kernel {k!r}")
