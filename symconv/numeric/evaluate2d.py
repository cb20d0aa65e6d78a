"""numpy evaluation of 2-D chains: the independent witness of :mod:`symconv.core.semantics2d`.

Every 2-D layer is written again here from its PyTorch definition, on arrays
of shape ``(B, C, n1, n2)``, without :mod:`symconv.core.semantics2d`,
:func:`~symconv.core.layers2d.output_shape` or :meth:`Kernel2d.taps`. Kernel
expressions become arrays ``E[o, i, a, b]`` from the bound values:

* ``dilate(k, (d1, d2))[a d1, b d2] = k[a, b]``, zeros elsewhere;
* ``convolve(p, q)[o, i] = sum_m full2d(p[m, i], q[o, m])``;
* ``flip(k)[a, b] = k[kh - 1 - a, kw - 1 - b]``; ``padk`` puts zeros around the taps;
* ``p + q`` and ``s * k`` tap-wise.

A layer builds its padded (or scattered) array and slides its windows: the output shape is however
many windows fit on each axis. An empty axis stays empty through every layer (no padding is added
to it). Values are float64, or exact ``Fraction`` objects with ``exact=True``; NaN is refused.

>>> from symconv.core.kernel2d import literal2d
>>> from symconv.core.layers2d import conv2d
>>> evaluate2d_numeric(conv2d(literal2d([[1, 1]]), stride=(1, 2)), [[[1, 2, 3, 4, 5]]]).tolist()
[[[3.0, 7.0]]]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Iterable, Optional, Union

import numpy as np
import sympy

from symconv.core.kernel2d import (
    Convolve2d, DerivedKernel2d, Dilate2d, Flip2d, Kernel2d, KernelSymbol2d, Literal2d, Pad2dKernel, Scaled2d, Sum2d,
)
from symconv.core.layers import Layer, Parallel
from symconv.core.layers2d import AvgPool2d, Conv2d, ConvTranspose2d, Crop2d, Down2d, MaxPool2d, Pad2d, Up2d
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import ChannelMismatch, InvalidArgument, KernelError, LengthMismatch, NotInFragment, SizeLimitError
from symconv.numeric.bindings import Bindings, _tap_of, number, number_array, zeros
from symconv.numeric.evaluate import MAX_ELEMENTS

__all__ = ["evaluate2d_numeric", "kernel_array2d", "random_bindings2d"]


def _finite(values: object, exact: bool, what: str) -> np.ndarray:
    """Numbers as :func:`number_array` gives them; NaN and infinities refused in both modes."""
    arr = number_array(values, exact, what)  # exact mode refuses non-finite floats itself
    if not exact and not np.isfinite(arr).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise InvalidArgument("evaluate2d_numeric", what, f"{arr[index]} at index {index}", "finite numbers")
    return arr


def _symbol_value(symbol: sympy.Symbol, bindings: Optional[Bindings], exact: bool) -> Union[float, Fraction]:
    """A bias parameter ``p`` bound to one number, or a tap ``k_a_b`` / ``W_o_i_a_b`` of a bound kernel."""
    bindings = bindings or {}
    if symbol.name in bindings:
        value = _finite(bindings[symbol.name], exact, f"parameter {symbol.name}")
        if value.shape != ():
            raise KernelError(f"parameter {symbol.name} is bound to an array of shape {value.shape}; "
                              f"expected one number")
        return value.item()
    tap = _tap_of(symbol.name, bindings)
    if tap is None or len(tap[1]) not in (2, 4):
        raise KernelError(f"no value for the symbol {symbol.name}; give bindings={{{symbol.name!r}: ...}}")
    owner, index = tap
    values = _finite(bindings[owner], exact, f"kernel {owner}")
    if values.ndim == 4 and len(index) == 2 and values.shape[:2] == (1, 1):
        values = values[0, 0]
    if len(index) != values.ndim or any(i >= n for i, n in zip(index, values.shape)):
        raise KernelError(f"kernel {owner} is bound to an array of shape {values.shape}; it has no tap "
                          f"{symbol.name}")
    return values[index]


def _value(expr: sympy.Expr, bindings: Optional[Bindings], exact: bool, what: str) -> Union[float, Fraction]:
    """A number, or a polynomial in parameters and kernel taps at their bound values."""
    table = {}
    for s in expr.free_symbols:
        v = Fraction(_symbol_value(s, bindings, exact))
        table[s] = sympy.Rational(v.numerator, v.denominator)
    return number(expr.xreplace(table) if table else expr, exact, what)


def _symbol_array(k: KernelSymbol2d, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    if bindings is None or k.name not in bindings:
        raise KernelError(f"no value for kernel {k!r}; give bindings={{{k.name!r}: array of shape {k.dims}}}")
    values = _finite(bindings[k.name], exact, f"kernel {k.name}")
    if values.shape not in (tuple(k.dims), k.shape):
        raise KernelError(f"kernel {k!r} is bound to an array of shape {values.shape}; expected shape {k.dims}")
    return values.reshape(k.shape)


def kernel_array2d(k: Kernel2d, bindings: Optional[Bindings] = None, exact: bool = False) -> np.ndarray:
    """The 2-D kernel expression ``k`` as an array ``E[o, i, a, b]`` of shape ``(out, in, kh, kw)``.

    >>> from symconv.core.kernel2d import kernel2d, dilate2d
    >>> kernel_array2d(dilate2d(kernel2d("k", 1, 2), (1, 2)), {"k": [[1, 2]]}).tolist()
    [[[[1.0, 0.0, 2.0]]]]
    """
    if isinstance(k, KernelSymbol2d):
        return _symbol_array(k, bindings, exact)
    if isinstance(k, (Literal2d, DerivedKernel2d)):
        for source in getattr(k, "sources", ()):
            _symbol_array(source, bindings, exact)  # checks the sources' shapes before reading their taps
        taps = [_value(sympy.sympify(v), bindings, exact, "kernel tap")  # safe: exact values a kernel holds
                for ch in k.values for t in ch for row in t for v in row]
        return number_array(np.array(taps, dtype=object).reshape(k.shape), exact)
    if isinstance(k, Dilate2d):
        inner = kernel_array2d(k.kernel, bindings, exact)
        (d1, d2), (out, inp, kh, kw) = k.factors, inner.shape
        result = zeros((out, inp, d1 * (kh - 1) + 1, d2 * (kw - 1) + 1), exact)
        result[:, :, ::d1, ::d2] = inner
        return result
    if isinstance(k, Convolve2d):
        first, second = kernel_array2d(k.a, bindings, exact), kernel_array2d(k.b, bindings, exact)
        _, inp, ah, aw = first.shape
        out, _, bh, bw = second.shape
        result = zeros((out, inp, ah + bh - 1, aw + bw - 1), exact)
        for a in range(ah):
            for b in range(aw):
                # (out, mid, 1, bh, bw) * (1, mid, in, 1, 1), summed over mid
                result[:, :, a:a + bh, b:b + bw] += (second[:, :, None] * first[None, :, :, a, b, None, None]).sum(1)
        return result
    if isinstance(k, Pad2dKernel):
        return _padded(k, kernel_array2d(k.kernel, bindings, exact), *zip(k.before, k.after), exact)
    if isinstance(k, Flip2d):
        return kernel_array2d(k.kernel, bindings, exact)[:, :, ::-1, ::-1].copy()
    if isinstance(k, Scaled2d):
        return kernel_array2d(k.kernel, bindings, exact) * _value(k.scalar, bindings, exact, "kernel scale")
    if isinstance(k, Sum2d):  # the core refuses terms of different shapes
        return kernel_array2d(k.a, bindings, exact) + kernel_array2d(k.b, bindings, exact)
    raise NotInFragment(f"no numeric meaning for the 2-D kernel {k!r}")


def _alloc(layer: object, shape: tuple[int, ...], exact: bool) -> np.ndarray:
    if int(np.prod(shape)) > MAX_ELEMENTS:
        raise SizeLimitError(f"{layer!r} would build an array of shape {shape}; the numeric evaluator refuses "
                             f"more than {MAX_ELEMENTS} numbers")
    return zeros(shape, exact)


def _padded(layer: object, x: np.ndarray, rows: tuple[int, int], cols: tuple[int, int], exact: bool) -> np.ndarray:
    """Zeros around ``x``: ``rows = (top, bottom)``, ``cols = (left, right)``; an empty axis gets none."""
    (t, b), (left, r) = (rows if x.shape[2] else (0, 0)), (cols if x.shape[3] else (0, 0))
    out = _alloc(layer, x.shape[:2] + (t + x.shape[2] + b, left + x.shape[3] + r), exact)
    out[:, :, t:t + x.shape[2], left:left + x.shape[3]] = x
    return out


def _conv2d(layer: Conv2d, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    w = kernel_array2d(layer.weight, bindings, exact)
    out, inp, kh, kw = w.shape
    if x.shape[1] != inp:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), inp)
    bias = None if layer.bias is None else number_array(
        [_value(v, bindings, exact, "bias") for v in layer.bias], exact)
    xp = _padded(layer, x, *layer.padding, exact)
    (s1, s2), (d1, d2) = layer.stride, layer.dilation
    rows = range(0, xp.shape[2] - d1 * (kh - 1), s1)  # window starts that fit
    cols = range(0, xp.shape[3] - d2 * (kw - 1), s2)
    y = _alloc(layer, (x.shape[0], out, len(rows), len(cols)), exact)
    if not rows or not cols:
        return y
    for a in range(kh):
        for b in range(kw):
            patch = xp[:, :, a * d1:a * d1 + rows[-1] + 1:s1, b * d2:b * d2 + cols[-1] + 1:s2]
            # (out, in) @ (B, in, m1 m2) -> (B, out, m1 m2)
            y += np.matmul(w[:, :, a, b], patch.reshape(patch.shape[:2] + (-1,))).reshape(y.shape)
    return y if bias is None else y + bias[None, :, None, None]


def _conv_transpose2d(layer: ConvTranspose2d, x: np.ndarray, bindings: Optional[Bindings],
                      exact: bool) -> np.ndarray:
    """The full scatter ``F[R = s i + d a] += W[m, o, a, b] x[m, i]`` (output padding as trailing zeros), cropped
    to rows ``p1 .. p1 + m1`` and columns ``p2 .. p2 + m2``, ``m = (n - 1) s - 2p + d (k - 1) + op + 1``."""
    w = kernel_array2d(layer.weight, bindings, exact)
    inp, out, kh, kw = w.shape
    if x.shape[1] != inp:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), inp)
    (s1, s2), (p1, p2), (o1, o2), (d1, d2) = layer.stride, layer.padding, layer.output_padding, layer.dilation
    n1, n2 = x.shape[2:]
    full1, full2 = (n1 - 1) * s1 + d1 * (kh - 1) + 1 + o1, (n2 - 1) * s2 + d2 * (kw - 1) + 1 + o2
    m1 = max(0, full1 - 2 * p1) if n1 else 0
    m2 = max(0, full2 - 2 * p2) if n2 else 0
    if not (m1 and m2):
        return _alloc(layer, (x.shape[0], out, m1, m2), exact)
    full = _alloc(layer, (x.shape[0], out, full1, full2), exact)
    for a in range(kh):
        for b in range(kw):
            # (B, in, n1 n2) -> (B, out, n1 n2) through W[:, :, a, b] (in, out)
            moved = np.matmul(w[:, :, a, b].T, x.reshape(x.shape[:2] + (-1,))).reshape((x.shape[0], out, n1, n2))
            full[:, :, d1 * a:d1 * a + s1 * (n1 - 1) + 1:s1, d2 * b:d2 * b + s2 * (n2 - 1) + 1:s2] += moved
    y = full[:, :, p1:p1 + m1, p2:p2 + m2].copy()
    if layer.bias is not None:
        y = y + number_array([_value(v, bindings, exact, "bias") for v in layer.bias], exact)[None, :, None, None]
    return y


def _up(layer: Up2d, x: np.ndarray, exact: bool) -> np.ndarray:
    """``y[s1 i1, s2 i2] = x[i1, i2]``: the last sample of each axis lands at ``(n - 1) s``; nothing after."""
    (s1, s2), (n1, n2) = layer.factors, x.shape[2:]
    y = _alloc(layer, x.shape[:2] + ((n1 - 1) * s1 + 1 if n1 else 0, (n2 - 1) * s2 + 1 if n2 else 0), exact)
    y[:, :, ::s1, ::s2] = x
    return y


def _avgpool2d(layer: AvgPool2d, x: np.ndarray, exact: bool) -> np.ndarray:
    """Window sums over the zero-padded input, divided by the window size (padding counted)."""
    (k1, k2), (s1, s2), (p1, p2) = layer.size, layer.stride, layer.padding
    xp = _padded(layer, x, (p1, p1), (p2, p2), exact)
    m1 = (xp.shape[2] - k1) // s1 + 1 if xp.shape[2] >= k1 and x.shape[2] else 0
    m2 = (xp.shape[3] - k2) // s2 + 1 if xp.shape[3] >= k2 and x.shape[3] else 0
    out = _alloc(layer, (x.shape[0], x.shape[1], m1, m2), exact)
    scale = Fraction(1, k1 * k2) if exact else 1.0 / (k1 * k2)
    for a in range(k1):
        for b in range(k2):
            out = out + xp[:, :, a:a + s1 * (m1 - 1) + 1:s1, b:b + s2 * (m2 - 1) + 1:s2] if m1 and m2 else out
    return out * scale


def _maxpool2d(layer: MaxPool2d, x: np.ndarray) -> np.ndarray:
    """Window maxima over the input padded with ``-inf`` (a padded sample never wins: PyTorch's rule)."""
    (k1, k2), (s1, s2), (p1, p2), (d1, d2) = layer.size, layer.stride, layer.padding, layer.dilation
    n1, n2 = x.shape[2:]
    m1, m2 = (max(0, (n + 2 * p - d * (k - 1) - 1) // s + 1) if n else 0
              for n, p, d, k, s in ((n1, p1, d1, k1, s1), (n2, p2, d2, k2, s2)))
    xp = np.full(x.shape[:2] + (n1 + 2 * p1, n2 + 2 * p2), -np.inf, dtype=x.dtype)
    xp[:, :, p1:p1 + n1, p2:p2 + n2] = x
    out = np.full(x.shape[:2] + (m1, m2), -np.inf, dtype=x.dtype)
    for a in range(k1 if m1 and m2 else 0):
        for b in range(k2):
            window = xp[:, :, d1 * a:d1 * a + s1 * (m1 - 1) + 1:s1, d2 * b:d2 * b + s2 * (m2 - 1) + 1:s2]
            out = np.where(window > out, window, out)
    return out


def _run(layer: Layer, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    for step in layer.layers():
        x = _apply(step, x, bindings, exact)
    return x


def _apply(layer: Layer, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    if isinstance(layer, Parallel) and layer.ndim == 2:
        outputs = [_run(branch, x, bindings, exact) for branch in layer.branches]
        if len({y.shape for y in outputs}) > 1:
            raise LengthMismatch(f"the branches of {layer!r} give shapes {[y.shape[1:] for y in outputs]} for an "
                                 f"input of shape {x.shape[1:]}; expected equal (channels, rows, columns)")
        return sum(outputs[1:], outputs[0])
    if isinstance(layer, Conv2d):
        return _conv2d(layer, x, bindings, exact)
    if isinstance(layer, ConvTranspose2d):
        return _conv_transpose2d(layer, x, bindings, exact)
    if isinstance(layer, Pad2d):
        return _padded(layer, x, *zip(layer.before, layer.after), exact)
    if isinstance(layer, Crop2d):
        (t, left), (b, r), (n1, n2) = layer.before, layer.after, x.shape[2:]
        return x[:, :, t:max(t, n1 - b), left:max(left, n2 - r)].copy()
    if isinstance(layer, Down2d):
        (s1, s2), (q1, q2) = layer.factors, layer.phases
        return x[:, :, q1::s1, q2::s2].copy()
    if isinstance(layer, Up2d):
        return _up(layer, x, exact)
    if isinstance(layer, AvgPool2d):
        return _avgpool2d(layer, x, exact)
    if isinstance(layer, MaxPool2d):
        return _maxpool2d(layer, x)
    if isinstance(layer, ReLU):
        return np.where(x > 0, x, zeros(x.shape, exact))  # max(x, 0); -inf (a window of padding only) gives 0
    if isinstance(layer, Affine):
        scale, shift = (np.array([_value(v, bindings, exact, "affine") for v in values], dtype=object if exact
                                 else float) for values in layer.per_channel(x.shape[1]))
        return x * scale[None, :, None, None] + shift[None, :, None, None]
    if getattr(layer, "ndim", 1) != 2:
        raise NotInFragment(f"{layer!r} is a 1-D layer; evaluate2d_numeric takes 2-D chains (conv2d, "
                            f"pad((1, 1)), down((2, 2)), ...); use evaluate_numeric for 1-D chains")
    raise NotInFragment(f"no 2-D numeric meaning for {layer!r}; expected conv2d, conv_transpose2d, avgpool2d, "
                        f"maxpool2d, relu, affine, pad, crop, down or up")


def evaluate2d_numeric(layer: Layer, x: object, bindings: Optional[Bindings] = None,
                       exact: bool = False) -> np.ndarray:
    """Apply the 2-D chain ``layer`` to the samples ``x`` with numpy.

    ``conv2d``: ``y[B, o, i1, i2] = bias[o] + sum_{m, a, b} W[o, m, a, b] xp[B, m, s1 i1 + d1 a, s2 i2 + d2 b]``
    for the windows that fit in the zero-padded ``xp``; ``pad``, ``crop``,
    ``down``, ``up`` act per axis as in 1-D (see the module doc).

    ``x`` has shape ``(C, n1, n2)`` or ``(B, C, n1, n2)``; the result has the
    same rank. ``bindings`` maps kernel names to arrays (``(kh, kw)`` for
    ``k[kh, kw]``, ``(out, in, kh, kw)`` for a weight) and bias parameters
    to numbers. ``exact=True`` computes with ``Fraction`` objects (dtype object).

    >>> from symconv.core.kernel2d import kernel2d
    >>> from symconv.core.layers2d import conv2d
    >>> evaluate2d_numeric(conv2d(kernel2d("k", 1, 2), bias=[1]), [[[1, 2, 4]]], {"k": [[1, -1]]}, True).tolist()
    [[[Fraction(0, 1), Fraction(-1, 1)]]]
    """
    if not isinstance(layer, Layer):
        raise InvalidArgument("evaluate2d_numeric", "layer", layer, "a 2-D layer such as conv2d(k[3, 3])")
    arr = _finite(x, exact, "input sample")  # refuses ragged lists too
    if arr.ndim not in (3, 4) or 0 in arr.shape[:arr.ndim - 2]:
        raise InvalidArgument("evaluate2d_numeric", "x", f"an array of shape {arr.shape}",
                              "shape (C, n1, n2) or (B, C, n1, n2) with at least one channel")
    y = _run(layer, arr.reshape((1,) * (4 - arr.ndim) + arr.shape), bindings, exact)
    return y if arr.ndim == 4 else y[0]


def _walk(k: Kernel2d, kernels: dict[str, KernelSymbol2d], expressions: list[sympy.Expr]) -> None:
    if isinstance(k, KernelSymbol2d):
        if kernels.setdefault(k.name, k).dims != k.dims:
            raise KernelError(f"kernel {k.name} is used as {kernels[k.name]!r} and as {k!r}; expected one size")
    elif isinstance(k, (Literal2d, DerivedKernel2d)):
        for source in getattr(k, "sources", ()):
            _walk(source, kernels, expressions)
        values = [v for ch in k.values for t in ch for row in t for v in row]
        expressions.extend(sympy.sympify(v) for v in values)  # safe: exact values a kernel holds, not user text
    elif isinstance(k, Scaled2d):
        expressions.append(k.scalar)
    for child in (getattr(k, f, None) for f in ("kernel", "a", "b")):
        if isinstance(child, Kernel2d):
            _walk(child, kernels, expressions)


def _convolutions(layer: Layer) -> list[Union[Conv2d, ConvTranspose2d]]:
    if isinstance(layer, Parallel):
        return [c for branch in layer.branches for step in branch.layers() for c in _convolutions(step)]
    return [layer] if isinstance(layer, (Conv2d, ConvTranspose2d)) else []


def random_bindings2d(layer_or_layers: Union[Layer, Iterable[Layer]], rng=None, low: int = -3, high: int = 3,
                      integer: bool = True) -> dict[str, Union[np.ndarray, int, float]]:
    """Random values for every named 2-D kernel and bias parameter, shared by name across the layers.

    Kernels get arrays (``(kh, kw)`` for ``k[kh, kw]``, ``(out, in, kh, kw)``
    for a weight), parameters one number; integers in ``[low, high]``
    (``integer=True``) or floats uniform in ``[low, high)``.

    >>> from symconv.core.kernel2d import kernel2d
    >>> from symconv.core.layers2d import conv2d
    >>> b = random_bindings2d(conv2d(kernel2d("W", 2, 1, 3, 3), bias=[sympy.Symbol("p"), 0]), 0)
    >>> sorted(b), b["W"].shape
    (['W', 'p'], (2, 1, 3, 3))
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    kernels: dict[str, KernelSymbol2d] = {}
    expressions: list[sympy.Expr] = []
    for layer in [layer_or_layers] if isinstance(layer_or_layers, Layer) else layer_or_layers:
        for step in layer.layers():
            for conv in _convolutions(step):
                _walk(conv.weight, kernels, expressions)
                expressions.extend(conv.bias or ())
            if isinstance(step, Affine):
                expressions.extend(v for values in step.per_channel(1) for v in values)
    names = sorted({s.name for e in expressions for s in e.free_symbols if _tap_of(s.name, kernels) is None})
    for name in set(names) & set(kernels):
        raise KernelError(f"the name {name!r} is both a kernel and a parameter; expected distinct names")

    def draw(shape: tuple[int, ...]) -> np.ndarray:
        return rng.integers(low, high, size=shape, endpoint=True) if integer else rng.uniform(low, high, shape)

    values: dict[str, Union[np.ndarray, int, float]] = {name: draw(k.dims) for name, k in kernels.items()}
    values.update((name, draw(()).item()) for name in names)
    return values
