"""Bound values for the symbols of a chain, read as arrays: kernel expressions, biases, coefficients.

A *binding* maps a name to numbers: the flat taps of a kernel ``k[c]``, an
array ``(out, in, c)`` for a weight ``W[out, in, c]`` (PyTorch's layout), one
number per output channel for a named bias, and one number for a named affine
scale or shift. This module turns kernel expressions into arrays
``E[o, i, j]`` from those values, independently of :meth:`Kernel.taps`:

* ``dilate(k, d)[j] = k[j / d]`` when ``d`` divides ``j``, else 0;
* ``convolve(a, b)[o, i] = sum_m numpy.convolve(a[m, i], b[o, m])``;
* ``flip(k)[j] = k[c - 1 - j]``; ``padk(k, l, r)`` puts zeros around the taps;
* ``a + b`` adds tap-wise and ``q * k`` scales every tap.

Which symbols a chain uses, and random values for them, are in
:mod:`symconv.numeric.symbols`; the numbers (``Fraction`` or float) in
:mod:`symconv.numeric.conversions`. Both are re-exported here.

>>> from symconv.core.kernel import kernel, dilate
>>> kernel_array(dilate(kernel("k", 2), 3), {"k": [1, 2]}).tolist()
[[[1.0, 0.0, 0.0, 2.0]]]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Mapping, Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.kernel import (
    Convolve,
    DerivedKernel,
    Dilate,
    FlipKernel,
    Kernel,
    KernelSum,
    KernelSymbol,
    Literal,
    PadKernel,
    Scaled,
)
from symconv.core.layers import Conv, ConvTranspose, Layer
from symconv.errors import KernelError
from symconv.numeric.conversions import number, number_array, zeros
from symconv.numeric.symbols import length_of, tap_of, used_symbols
from symconv.numeric.symbols import random_bindings, transposed_out_channels  # noqa: F401 -- re-exported
__all__ = ["Bindings", "random_bindings", "kernel_array", "resolve_sizes", "number", "number_array"]

Bindings = Mapping[str, Any]


# --- sizes ---------------------------------------------------------------------------------

def resolve_sizes(
    layers: Union[Layer, Iterable[Layer]], bindings: Optional[Bindings], sizes: Optional[Mapping[str, int]]
) -> dict[str, int]:
    """``sizes`` completed by generic lengths read off the bindings (``k[c]`` bound to 5 taps: c = 5).

    >>> from symconv.core.layers import conv
    >>> from symconv.core.kernel import kernel
    >>> resolve_sizes(conv(kernel("k", "c")), {"k": [1, 2, 3]}, None)
    {'c': 3}
    """
    resolved = {str(k): int(v) for k, v in (sizes or {}).items()}
    for name, symbol in used_symbols(layers).kernels.items():
        length = symbol.dims[-1]
        if not isinstance(length, sympy.Symbol) or bindings is None or name not in bindings:
            continue
        shape = np.shape(bindings[name])
        if not shape:
            continue
        inferred = shape[-1]
        known = resolved.setdefault(length.name, inferred)
        if known != inferred:
            raise KernelError(
                f"kernel {symbol!r} is bound to {inferred} taps but {length.name} = {known}; "
                f"expected {known} taps"
            )
    return resolved


# --- kernel expressions as arrays ----------------------------------------------------------

def _bound(name: str, bindings: Optional[Bindings], what: str) -> object:
    if bindings is None or name not in bindings:
        raise KernelError(f"no value for {what}; give bindings={{{name!r}: ...}}")
    return bindings[name]


def _symbol_array(symbol: KernelSymbol, bindings, sizes, exact: bool) -> np.ndarray:
    bound = _bound(symbol.name, bindings, f"kernel {symbol!r}")
    length = length_of(symbol, sizes)
    if length is None:
        missing = ", ".join(sorted(s.name for s in symbol.dims[-1].free_symbols if s.name not in sizes))
        raise KernelError(f"kernel {symbol!r} has a generic length; give sizes={{{missing!r}: ...}}")
    out, inp = symbol.shape[:2]
    values = number_array(bound, exact, f"kernel {symbol.name}")
    flat = len(symbol.dims) == 1
    expected = (length,) if flat else (out, inp, length)
    if values.shape != expected and not (flat and values.shape == (1, 1, length)):
        raise KernelError(
            f"kernel {symbol!r} is bound to an array of shape {values.shape}; expected shape {expected}"
        )
    return values.reshape(out, inp, length)


def _full_convolution(a: np.ndarray, b: np.ndarray, exact: bool) -> np.ndarray:
    """``E[o, i, j + l] += sum_m a[m, i, j] b[o, m, l]`` (a: (mid, in, ca), b: (out, mid, cb)), added in the
    order of j from zero, so every float is the same whichever way it is computed."""
    mid, inp, ca = a.shape
    out, _, cb = b.shape
    if mid == 1:
        return _single_channel_convolution(a[0], b[:, 0], exact)
    result = zeros((out, inp, ca + cb - 1), exact)
    for j in range(ca):
        # (out, mid, 1, cb) * (1, mid, in, 1), summed over mid
        result[:, :, j:j + cb] += (b[:, :, None, :] * a[None, :, :, j, None]).sum(axis=1)
    return result


def _single_channel_convolution(a: np.ndarray, b: np.ndarray, exact: bool) -> np.ndarray:
    """``E[o, i, t] = 0 + a[i, 0] b[o, t] + a[i, 1] b[o, t - 1] + ...`` in that order, without a loop: row
    ``1 + j`` of ``rows`` holds the products ``a[i, j] b[o, :]`` and, read with one column less per row, sits
    ``1 + j`` columns to the right; row 0 is the zero the sum starts from (a: (in, ca), b: (out, cb))."""
    inp, ca = a.shape
    out, cb = b.shape
    width = ca + cb - 1
    rows = zeros((out, inp, ca + 1, width + 2), exact)
    rows[:, :, 1:, :cb] = b[:, None, None, :] * a[None, :, :, None]
    skewed = rows.reshape(out, inp, (ca + 1) * (width + 2))[:, :, :(ca + 1) * (width + 1)]
    return np.ascontiguousarray(skewed.reshape(out, inp, ca + 1, width + 1).sum(axis=2)[:, :, 1:])


def _derived_array(k: DerivedKernel, bindings, sizes, exact: bool) -> np.ndarray:
    """A derived closed form: its tap expressions at the bound values of the source kernels' taps."""
    values = {}
    for source in k.sources:
        array = _symbol_array(source, bindings, sizes, exact)
        flat = len(source.dims) == 1
        for o in range(array.shape[0]):
            for i in range(array.shape[1]):
                for j in range(array.shape[2]):
                    name = f"{source.name}_{j}" if flat else f"{source.name}_{o}_{i}_{j}"
                    values[name] = array[o, i, j]
    result = zeros((k.shape[0], k.shape[1], k.shape[2]), exact)
    for o, row in enumerate(k.values):
        for i, taps in enumerate(row):
            for j, expr in enumerate(taps):
                point = {s: values[s.name] for s in expr.free_symbols}
                missing = [s.name for s in expr.free_symbols if s.name not in values]
                if missing:
                    raise KernelError(f"derived kernel tap {expr} uses {missing[0]}, which no source kernel binds")
                evaluated = expr.xreplace({s: sympy.Rational(str(v)) if exact else sympy.Float(float(v))
                                           for s, v in point.items()})
                result[o, i, j] = number(evaluated if exact else float(evaluated), exact, "derived tap")
    return result


def kernel_array(
    k: Kernel, bindings: Optional[Bindings] = None, sizes: Optional[Mapping[str, int]] = None, exact: bool = False
) -> np.ndarray:
    """The kernel expression ``k`` as an array ``E[o, i, j]`` of shape ``(out, in, c)``.

    >>> from symconv.core.kernel import kernel, convolve
    >>> kernel_array(convolve([1, 1], kernel("k", 2)), {"k": [1, 2]}, exact=True).tolist()
    [[[Fraction(1, 1), Fraction(3, 1), Fraction(2, 1)]]]
    """
    sizes = dict(sizes or {})
    if isinstance(k, KernelSymbol):
        return _symbol_array(k, bindings, sizes, exact)
    if isinstance(k, Literal):
        return number_array(
            [[[number(v, exact, "kernel tap") for v in taps] for taps in row] for row in k.values], exact
        )
    if isinstance(k, Dilate):
        inner = kernel_array(k.kernel, bindings, sizes, exact)
        result = zeros(inner.shape[:2] + (k.factor * (inner.shape[2] - 1) + 1,), exact)
        result[:, :, ::k.factor] = inner
        return result
    if isinstance(k, Convolve):
        return _full_convolution(
            kernel_array(k.a, bindings, sizes, exact), kernel_array(k.b, bindings, sizes, exact), exact
        )
    if isinstance(k, FlipKernel):
        return kernel_array(k.kernel, bindings, sizes, exact)[:, :, ::-1].copy()
    if isinstance(k, PadKernel):
        inner = kernel_array(k.kernel, bindings, sizes, exact)
        result = zeros(inner.shape[:2] + (k.left + inner.shape[2] + k.right,), exact)
        result[:, :, k.left:k.left + inner.shape[2]] = inner
        return result
    if isinstance(k, KernelSum):
        a = kernel_array(k.a, bindings, sizes, exact)
        b = kernel_array(k.b, bindings, sizes, exact)
        if a.shape != b.shape:
            raise KernelError(f"{k!r}: the terms have shapes {a.shape} and {b.shape}; expected equal shapes")
        return a + b
    if isinstance(k, Scaled):
        return kernel_array(k.kernel, bindings, sizes, exact) * number(k.scalar, exact, "kernel scale")
    if isinstance(k, DerivedKernel):
        return _derived_array(k, bindings, sizes, exact)
    raise TypeError(f"no numeric meaning for the kernel {k!r}")


def bias_array(layer: Union[Conv, ConvTranspose], channels: int, bindings, exact: bool) -> Optional[np.ndarray]:
    """The bias of a layer, one number per output channel, or None."""
    if layer.bias is None:
        return None
    if isinstance(layer.bias, str):
        values = number_array(_bound(layer.bias, bindings, f"bias {layer.bias}"), exact, f"bias {layer.bias}")
        if values.shape != (channels,):
            raise KernelError(
                f"bias {layer.bias} is bound to an array of shape {values.shape}; expected shape ({channels},)"
            )
        return values
    values = number_array([scalar_value(v, bindings, exact) for v in layer.bias], exact)
    if values.shape != (channels,):
        raise KernelError(f"{layer!r} has {len(layer.bias)} bias value(s); expected {channels}")
    return values


def _symbol_value(symbol: sympy.Symbol, bindings, exact: bool) -> Union[float, Fraction]:
    """The value of a scalar name, or of a tap ``q_2`` of a bound kernel ``q``."""
    if bindings is not None and symbol.name in bindings:
        return scalar_value(symbol, bindings, exact)
    tap = tap_of(symbol.name, bindings or {})
    if tap is None:
        raise KernelError(f"no value for the symbol {symbol.name}; give bindings={{{symbol.name!r}: ...}}")
    owner, index = tap
    values = np.asarray(bindings[owner], dtype=object)
    flat = values.reshape(-1) if len(index) == 1 else values
    try:
        return number(flat[index], exact, f"tap {symbol.name}")
    except IndexError:
        raise KernelError(f"kernel {owner} is bound to an array of shape {values.shape}; it has no tap "
                          f"{symbol.name}") from None


def scalar_value(value: sympy.Expr, bindings, exact: bool) -> Union[float, Fraction]:
    """An affine coefficient or a bias: a number, a name, or a polynomial in names and kernel taps."""
    if not isinstance(value, sympy.Symbol) and isinstance(value, sympy.Expr) and value.free_symbols:
        table = {}
        for s in value.free_symbols:
            v = Fraction(_symbol_value(s, bindings, exact))
            table[s] = sympy.Rational(v.numerator, v.denominator)
        return number(value.xreplace(table), exact, "coefficient")
    if isinstance(value, sympy.Symbol):
        bound = np.asarray(_bound(value.name, bindings, f"affine symbol {value.name}"), dtype=object)
        if bound.size != 1:
            raise KernelError(
                f"affine symbol {value.name} is bound to an array of shape {bound.shape}; expected one number"
            )
        return number(bound.reshape(()).item(), exact, f"affine symbol {value.name}")
    return number(value, exact, "affine coefficient")
