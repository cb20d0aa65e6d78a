"""numpy evaluation of N-D chains: the independent witness of :mod:`symconv.core.semantics_nd`.

Every N-D layer is written again here from its PyTorch definition, on arrays
of shape ``(B, C, n1, ..., nd)``, without :mod:`symconv.core.semantics_nd`,
the length table or :meth:`KernelNd.grid`. Kernel expressions become arrays
``E[o, i, a1, ..., ad]`` from the bound values:

* ``dilate(k, f)[a f] = k[a]`` per axis, zeros elsewhere;
* ``convolve(p, q)[o, i] = sum_m fullNd(p[m, i], q[o, m])``;
* ``flip(k)[a] = k[K - 1 - a]`` on every axis (the listed ones for ``flip(k, axes=...)``); the layers
  ``flip()`` and ``flip(axes=...)`` reverse the signal's spatial axes, as ``torch.flip``; ``padk`` puts zeros around the taps;
* ``p + q`` and ``s * k`` tap-wise.

A layer builds its padded (or scattered) array and slides its windows: the
output shape is however many windows fit on each axis. Padding is added to
empty axes too (zeros wherever padding supplies samples), and a max-pool of
an empty axis is empty. Values are float64, or exact ``Fraction`` objects with
``exact=True``; NaN is refused.

>>> from symconv.core.kernel_nd import literal_nd
>>> from symconv.core.layers_nd import conv2d
>>> evaluate_nd_numeric(conv2d(literal_nd([[1, 1]]), stride=(1, 2)), [[[1, 2, 3, 4, 5]]]).tolist()
[[[3.0, 7.0]]]
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Iterable, Mapping, Optional, Union

import numpy as np
import sympy

from symconv.core.kernel_nd import (
    ConvolveNd, DerivedKernelNd, DilateNd, FlipNd, KernelNd, KernelSymbolNd, LiteralNd, PadKernelNd, ScaledNd, SumNd,
)
from symconv.core.layers import Flip, Layer, Parallel
from symconv.core.layers_nd import (
    AvgPoolNd, ConvNd, ConvTransposeNd, CropNd, DownNd, L2PoolNd, MaxPoolNd, PadNd, SignalFlipNd, UpNd,
)
from symconv.core.nonlinear import Affine, ReLU
from symconv.core.output_length import generic_sizes
from symconv.core.sizes_nd import with_sizes
from symconv.errors import ChannelMismatch, InvalidArgument, KernelError, LengthMismatch, NotInFragment, SizeLimitError
from symconv.numeric.bindings import Bindings, _tap_of, number, number_array, zeros
from symconv.numeric.evaluate import MAX_ELEMENTS

__all__ = ["evaluate_nd_numeric", "kernel_array_nd", "random_bindings_nd"]


def _finite(values: object, exact: bool, what: str) -> np.ndarray:
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
        value = _finite(bindings[symbol.name], exact, f"parameter {symbol.name}")
        if value.shape != ():
            raise KernelError(f"parameter {symbol.name} is bound to an array of shape {value.shape}; "
                              f"expected one number")
        return value.item()
    tap = _tap_of(symbol.name, bindings)
    if tap is None:
        raise KernelError(f"no value for the symbol {symbol.name}; give bindings={{{symbol.name!r}: ...}}")
    owner, index = tap
    values = _finite(bindings[owner], exact, f"kernel {owner}")
    if values.ndim == len(index) + 2 and values.shape[:2] == (1, 1):
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


def _symbol_array(k: KernelSymbolNd, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    if bindings is None or k.name not in bindings:
        raise KernelError(f"no value for kernel {k!r}; give bindings={{{k.name!r}: array of shape {k.dims}}}")
    values = _finite(bindings[k.name], exact, f"kernel {k.name}")
    if values.shape not in (tuple(k.dims), k.shape):
        raise KernelError(f"kernel {k!r} is bound to an array of shape {values.shape}; expected shape {k.dims}")
    return values.reshape(k.shape)


def _spatial_slices(starts: Iterable[int], sizes: Iterable[int], steps: Optional[Iterable[int]] = None) -> tuple:
    steps = steps if steps is not None else itertools.repeat(1)
    return (slice(None), slice(None)) + tuple(slice(a, a + n, s) for a, n, s in zip(starts, sizes, steps))


def kernel_array_nd(k: KernelNd, bindings: Optional[Bindings] = None, exact: bool = False) -> np.ndarray:
    """The N-D kernel expression ``k`` as an array ``E[o, i, a1, ..., ad]`` of shape ``(out, in, k1, ..., kd)``.

    >>> from symconv.core.kernel_nd import kernel_nd, DilateNd
    >>> kernel_array_nd(DilateNd(kernel_nd("k", 1, 2), (1, 2)), {"k": [[1, 2]]}).tolist()
    [[[[1.0, 0.0, 2.0]]]]
    """
    if isinstance(k, KernelSymbolNd):
        return _symbol_array(k, bindings, exact)
    if isinstance(k, (LiteralNd, DerivedKernelNd)):
        for source in getattr(k, "sources", ()):
            _symbol_array(source, bindings, exact)  # checks the sources' shapes before reading their taps
        flat = np.array(k.values, dtype=object).reshape(-1)
        taps = [_value(sympy.sympify(v), bindings, exact, "kernel tap") for v in flat]  # safe: exact kernel values
        return number_array(np.array(taps, dtype=object).reshape(k.shape), exact)
    if isinstance(k, DilateNd):
        inner = kernel_array_nd(k.kernel, bindings, exact)
        shape = inner.shape[:2] + tuple(f * (n - 1) + 1 for f, n in zip(k.factors, inner.shape[2:]))
        result = zeros(shape, exact)
        result[(slice(None), slice(None)) + tuple(slice(None, None, f) for f in k.factors)] = inner
        return result
    if isinstance(k, ConvolveNd):
        first, second = kernel_array_nd(k.a, bindings, exact), kernel_array_nd(k.b, bindings, exact)
        shape = (second.shape[0], first.shape[1]) + tuple(p + q - 1 for p, q in zip(first.shape[2:], second.shape[2:]))
        result = zeros(shape, exact)
        for u in itertools.product(*(range(n) for n in first.shape[2:])):
            # sum_m second[o, m, v] first[m, i, u] -> (o, v..., i) -> (o, i, v...)
            block = np.moveaxis(np.tensordot(second, first[(slice(None), slice(None)) + u], axes=([1], [0])), -1, 1)
            result[_spatial_slices(u, second.shape[2:])] += block
        return result
    if isinstance(k, PadKernelNd):
        inner = kernel_array_nd(k.kernel, bindings, exact)
        result = zeros(inner.shape[:2] + tuple(n + b + a for n, b, a in zip(inner.shape[2:], k.before, k.after)),
                       exact)
        result[_spatial_slices(k.before, inner.shape[2:])] = inner
        return result
    if isinstance(k, FlipNd):  # reversed on the kernel's flipped axes
        inner = kernel_array_nd(k.kernel, bindings, exact)
        return inner[(slice(None), slice(None)) + tuple(slice(None, None, -1) if a in k.axes else slice(None)
                                                        for a in range(inner.ndim - 2))].copy()
    if isinstance(k, ScaledNd):
        return kernel_array_nd(k.kernel, bindings, exact) * _value(k.scalar, bindings, exact, "kernel scale")
    if isinstance(k, SumNd):  # the core refuses terms of different shapes
        return kernel_array_nd(k.a, bindings, exact) + kernel_array_nd(k.b, bindings, exact)
    raise NotInFragment(f"no numeric meaning for the N-D kernel {k!r}")


def _alloc(layer: object, shape: tuple[int, ...], exact: bool) -> np.ndarray:
    if math.prod(shape) > MAX_ELEMENTS:
        raise SizeLimitError(f"{layer!r} would build an array of shape {shape}; the numeric evaluator refuses "
                             f"more than {MAX_ELEMENTS} numbers")
    return zeros(shape, exact)


def _padded(layer: object, x: np.ndarray, pairs, exact: bool, fill: object = 0) -> np.ndarray:
    """``x`` with ``(before, after)`` samples of ``fill`` around each spatial axis."""
    shape = x.shape[:2] + tuple(b + n + a for (b, a), n in zip(pairs, x.shape[2:]))
    out = _alloc(layer, shape, exact)
    if fill != 0:
        out[...] = fill
    out[_spatial_slices((b for b, _ in pairs), x.shape[2:])] = x
    return out


def _fits(padded: int, extent: int, stride: int) -> int:
    """How many windows of ``extent`` samples, ``stride`` apart, fit in ``padded`` samples."""
    return (padded - extent) // stride + 1 if padded >= extent else 0


def _bias(layer: Union[ConvNd, ConvTransposeNd], bindings, exact: bool) -> Optional[np.ndarray]:
    if layer.bias is None:
        return None
    return number_array([_value(v, bindings, exact, "bias") for v in layer.bias], exact)


def _with_bias(y: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    return y if bias is None else y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def _conv(layer: ConvNd, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    w = kernel_array_nd(layer.weight, bindings, exact)
    out, per_group = w.shape[:2]
    groups = layer.groups
    if x.shape[1] != per_group * groups:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), per_group * groups)
    xp = _padded(layer, x, layer.padding, exact)
    counts = tuple(_fits(n, d * (k - 1) + 1, s)
                   for n, d, k, s in zip(xp.shape[2:], layer.dilation, w.shape[2:], layer.stride))
    y = _alloc(layer, (x.shape[0], out) + counts, exact)
    if 0 in counts:
        return _with_bias(y, _bias(layer, bindings, exact))
    opg = out // groups
    for a in itertools.product(*(range(k) for k in w.shape[2:])):
        starts = [ai * d for ai, d in zip(a, layer.dilation)]
        sizes = [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)]
        patch = xp[_spatial_slices(starts, sizes, layer.stride)]
        for g in range(groups):
            block = w[(slice(g * opg, (g + 1) * opg), slice(None)) + a]  # (out/groups, in/groups)
            part = patch[:, g * per_group:(g + 1) * per_group]  # (B, in/groups, m...)
            y[:, g * opg:(g + 1) * opg] += np.moveaxis(np.tensordot(block, part, axes=([1], [1])), 0, 1)
    return _with_bias(y, _bias(layer, bindings, exact))


def _conv_transpose(layer: ConvTransposeNd, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    """The full scatter ``F[s i + d a] += W[m, o, a] x[m, i]`` (output padding as trailing zeros), cropped to
    ``p .. p + m`` on each axis, ``m = (n - 1) s - 2p + d (k - 1) + op + 1`` (0 when below)."""
    w = kernel_array_nd(layer.weight, bindings, exact)
    inp, per_group = w.shape[:2]
    groups = layer.groups
    if x.shape[1] != inp:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), inp)
    ns = x.shape[2:]
    full = tuple((n - 1) * s + d * (k - 1) + 1 + op for n, s, d, k, op in
                 zip(ns, layer.stride, layer.dilation, w.shape[2:], layer.output_padding))
    counts = tuple(max(0, f - 2 * p) for f, p in zip(full, layer.padding))
    scattered = _alloc(layer, (x.shape[0], per_group * groups) + tuple(max(f, 0) for f in full), exact)
    ipg = inp // groups
    for a in (itertools.product(*(range(k) for k in w.shape[2:])) if 0 not in ns else ()):
        starts = [ai * d for ai, d in zip(a, layer.dilation)]
        sizes = [s * (n - 1) + 1 for s, n in zip(layer.stride, ns)]
        target = _spatial_slices(starts, sizes, layer.stride)
        for g in range(groups):
            block = w[(slice(g * ipg, (g + 1) * ipg), slice(None)) + a]  # (in/groups, out/groups)
            part = x[:, g * ipg:(g + 1) * ipg]
            moved = np.moveaxis(np.tensordot(block, part, axes=([0], [1])), 0, 1)  # (B, out/groups, n...)
            region = (slice(None), slice(g * per_group, (g + 1) * per_group)) + target[2:]
            scattered[region] += moved
    y = scattered[_spatial_slices(layer.padding, counts)].copy()
    return _with_bias(y, _bias(layer, bindings, exact))


def _up(layer: UpNd, x: np.ndarray, exact: bool) -> np.ndarray:
    """``y[s i] = x[i]`` per axis: the last sample lands at ``(n - 1) s``; nothing after."""
    shape = x.shape[:2] + tuple((n - 1) * s + 1 if n else 0 for n, s in zip(x.shape[2:], layer.factors))
    y = _alloc(layer, shape, exact)
    y[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in layer.factors)] = x
    return y


def _beyond(layer: Union[AvgPoolNd, MaxPoolNd]) -> tuple[int, ...]:
    """Samples a ``ceil_mode`` window may read past the right padding, per axis: ``s - 1`` (else 0)."""
    return tuple(s - 1 if layer.ceil_mode else 0 for s in layer.stride)


def _pool_fits(layer: Union[AvgPoolNd, MaxPoolNd], n: int, p: int, extent: int, s: int) -> int:
    """Windows on one axis: those that fit in the padded input (with ``ceil_mode``, plus ``s - 1`` samples),
    of which ``ceil_mode`` keeps the ones that start inside the input or the left padding (start <= n + p - 1)."""
    fits = _fits(n + 2 * p + (s - 1 if layer.ceil_mode else 0), extent, s)
    return min(fits, (n + p - 1) // s + 1) if layer.ceil_mode else fits


def _avgpool_divisor(layer: AvgPoolNd, x: np.ndarray, counts: tuple[int, ...], exact: bool) -> object:
    """The divisor of every window: the product over the axes of the window's samples inside the padded input
    (``count_include_pad``) or inside the input, each counted by sliding the window over a 0/1 mask."""
    divisor = np.ones((1, 1) + (1,) * len(counts), dtype=np.int64)
    for axis, (n, p, k, s, m, extra) in enumerate(zip(x.shape[2:], layer.padding, layer.size, layer.stride, counts,
                                                      _beyond(layer))):
        mask = np.zeros(n + 2 * p + extra, dtype=np.int64)
        mask[: n + 2 * p] = 1
        if not layer.count_include_pad:
            mask[:p] = 0
            mask[p + n:] = 0
        along = sum(mask[a: a + s * (m - 1) + 1: s] for a in range(k))
        divisor = divisor * along.reshape((1, 1) + tuple(m if b == axis else 1 for b in range(len(counts))))
    return divisor.astype(object) if exact else divisor


def _avgpool(layer: AvgPoolNd, x: np.ndarray, exact: bool) -> np.ndarray:
    """Window sums over the zero-padded input, divided by the window size (padding counted), or with
    ``ceil_mode``/``count_include_pad=False`` by the samples the window covers (:func:`_avgpool_divisor`)."""
    xp = _padded(layer, x, [(p, p + e) for p, e in zip(layer.padding, _beyond(layer))], exact)
    counts = tuple(0 if not n and not layer.count_include_pad else _pool_fits(layer, n, p, k, s)
                   for n, p, k, s in zip(x.shape[2:], layer.padding, layer.size, layer.stride))
    out = _alloc(layer, x.shape[:2] + counts, exact)
    if 0 in counts:
        return out
    for a in itertools.product(*(range(k) for k in layer.size)):
        out = out + xp[_spatial_slices(a, [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)], layer.stride)]
    if layer.ceil_mode or not layer.count_include_pad:
        return out / _avgpool_divisor(layer, x, counts, exact)
    return out * (Fraction(1, math.prod(layer.size)) if exact else 1.0 / math.prod(layer.size))


def _maxpool(layer: MaxPoolNd, x: np.ndarray) -> np.ndarray:
    """Window maxima over the input padded with ``-inf`` (a padded sample never wins: PyTorch's rule; nor does
    one past the right padding that a ``ceil_mode`` window reads)."""
    xp = np.full(x.shape[:2] + tuple(n + 2 * p + e for n, p, e in zip(x.shape[2:], layer.padding, _beyond(layer))),
                 -np.inf, dtype=x.dtype)
    xp[_spatial_slices(layer.padding, x.shape[2:])] = x
    counts = tuple(_pool_fits(layer, n, p, d * (k - 1) + 1, s) if n else 0 for n, p, d, k, s in
                   zip(x.shape[2:], layer.padding, layer.dilation, layer.size, layer.stride))
    out = np.full(x.shape[:2] + counts, -np.inf, dtype=x.dtype)
    if 0 in counts:
        return out
    for a in itertools.product(*(range(k) for k in layer.size)):
        starts = [ai * d for ai, d in zip(a, layer.dilation)]
        window = xp[_spatial_slices(starts, [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)], layer.stride)]
        out = np.where(window > out, window, out)
    return out


def _l2pool(layer: L2PoolNd, x: np.ndarray, exact: bool) -> np.ndarray:
    """PyTorch's ``lp_pool{d}d`` with ``norm_type=2``: ``sqrt(K avg_pool{d}d(x^2, k, s, 0, ceil_mode))``,
    ``K = prod k`` (a window clipped by ``ceil_mode`` is averaged over the samples it reads, then scaled by K)."""
    if exact:
        raise NotInFragment(f"{layer!r} takes square roots, which are not rational; evaluate it with exact=False")
    mean = _avgpool(AvgPoolNd(layer.size, layer.stride, 0, layer.axes, layer.ceil_mode), x * x, exact)
    return np.sqrt(mean * math.prod(layer.size))


def _run(layer: Layer, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    for step in layer.layers():
        x = _apply(step, x, bindings, exact)
    return x


def _per_channel(values: np.ndarray, ndim: int) -> np.ndarray:
    return values.reshape((1, -1) + (1,) * ndim)


def _apply(layer: Layer, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    if isinstance(layer, Parallel) and (layer.ndim >= 2 or layer.axes_free):  # a sum of flips, relu, ... fits any d
        outputs = [_run(branch, x, bindings, exact) for branch in layer.branches]
        if len({y.shape for y in outputs}) > 1:
            raise LengthMismatch(f"the branches of {layer!r} give shapes {[y.shape[1:] for y in outputs]} for an "
                                 f"input of shape {x.shape[1:]}; expected equal (channels, sizes)")
        return sum(outputs[1:], outputs[0])
    if isinstance(layer, ConvNd):
        return _conv(layer, x, bindings, exact)
    if isinstance(layer, ConvTransposeNd):
        return _conv_transpose(layer, x, bindings, exact)
    if isinstance(layer, PadNd):
        return _padded(layer, x, list(zip(layer.before, layer.after)), exact)
    if isinstance(layer, CropNd):
        return x[(slice(None), slice(None)) + tuple(slice(b, max(b, n - a)) for b, a, n in
                                                    zip(layer.before, layer.after, x.shape[2:]))].copy()
    if isinstance(layer, DownNd):
        return x[(slice(None), slice(None)) + tuple(slice(q, None, s) for s, q in
                                                    zip(layer.factors, layer.phases))].copy()
    if isinstance(layer, UpNd):
        return _up(layer, x, exact)
    if isinstance(layer, Flip):  # y[i] = x[n - 1 - i] on every spatial axis
        return x[(slice(None), slice(None)) + (slice(None, None, -1),) * (x.ndim - 2)].copy()
    if isinstance(layer, SignalFlipNd):  # reversed on the listed spatial axes only
        if max(layer.axes) >= x.ndim - 2:
            raise InvalidArgument("evaluate_nd_numeric", "layer", layer, f"axes below {x.ndim - 2}")
        return x[(slice(None), slice(None)) + tuple(slice(None, None, -1) if a in layer.axes else slice(None)
                                                    for a in range(x.ndim - 2))].copy()
    if isinstance(layer, AvgPoolNd):
        return _avgpool(layer, x, exact)
    if isinstance(layer, MaxPoolNd):
        return _maxpool(layer, x)
    if isinstance(layer, L2PoolNd):
        return _l2pool(layer, x, exact)
    if isinstance(layer, ReLU):
        return np.where(x > 0, x, zeros(x.shape, exact))  # max(x, 0); -inf (a window of padding only) gives 0
    if isinstance(layer, Affine):
        scale, shift = (np.array([_value(v, bindings, exact, "affine") for v in values], dtype=object if exact
                                 else float) for values in layer.per_channel(x.shape[1]))
        return x * _per_channel(scale, x.ndim - 2) + _per_channel(shift, x.ndim - 2)
    if layer.ndim < 2:
        raise NotInFragment(f"{layer!r} is a 1-D layer; evaluate_nd_numeric takes N-D chains (conv2d, conv3d, "
                            f"pad((1, 1)), down((2, 2)), ...); use evaluate_numeric for 1-D chains")
    raise NotInFragment(f"no N-D numeric meaning for {layer!r}; expected conv2d/3d, conv_transpose2d/3d, avgpool, "
                        f"maxpool, l2pool, relu, affine, pad, crop, down, up or flip")


def with_given_sizes(layer: Layer, sizes: Optional[Mapping[str, int]]) -> Layer:
    """``layer`` with its generic sizes (``c`` in ``k[c, 3]``) given the values in ``sizes``; KernelError when
    one has none (the core's :func:`~symconv.core.sizes_nd.with_sizes`, then a check)."""
    if sizes:
        layer = with_sizes(layer, {str(k): int(v) for k, v in sizes.items()})
    missing = generic_sizes(layer)
    if missing:
        raise KernelError(f"{layer!r} has the generic size {', '.join(missing)}; give it a value, e.g. "
                          f"sizes={{{missing[0]!r}: 3}}")
    return layer


def evaluate_nd_numeric(layer: Layer, x: object, bindings: Optional[Bindings] = None,
                        exact: bool = False, sizes: Optional[Mapping[str, int]] = None) -> np.ndarray:
    """Apply the N-D chain ``layer`` to the samples ``x`` with numpy.

    ``conv{d}d``: ``y[B, o, i] = bias[o] + sum_{m, a} W[o, m, a] xp[B, m, s i + d a]`` (per axis, within the
    group of o) for the windows that fit in the zero-padded ``xp``; the other layers act per axis as in 1-D.

    ``x`` has shape ``(C, n1, ..., nd)`` or ``(B, C, n1, ..., nd)`` with ``d = layer.ndim``; the result has the
    same rank. ``bindings`` maps kernel names to arrays (``(k1, ..., kd)`` for ``k[k1, ..., kd]``, the full shape
    for a weight) and bias parameters to numbers. ``exact=True`` computes with ``Fraction`` objects (``l2pool``
    then raises :class:`~symconv.errors.NotInFragment`: square roots are not rational). ``sizes`` gives the
    generic sizes their values (``{"c": 3}`` for ``k[c, 3]``).

    >>> from symconv.core.kernel_nd import kernel_nd
    >>> from symconv.core.layers_nd import conv2d
    >>> evaluate_nd_numeric(conv2d(kernel_nd("k", 1, 2), bias=[1]), [[[1, 2, 4]]], {"k": [[1, -1]]}, True).tolist()
    [[[Fraction(0, 1), Fraction(-1, 1)]]]
    """
    if not isinstance(layer, Layer):
        raise InvalidArgument("evaluate_nd_numeric", "layer", layer, "an N-D layer such as conv2d(k[3, 3])")
    layer = with_given_sizes(layer, sizes)
    arr = _finite(x, exact, "input sample")  # refuses ragged lists too
    d = layer.ndim if layer.ndim >= 2 else arr.ndim - 1
    if arr.ndim not in (d + 1, d + 2) or 0 in arr.shape[:arr.ndim - d]:
        sizes = ", ".join(f"n{k + 1}" for k in range(d))
        raise InvalidArgument("evaluate_nd_numeric", "x", f"an array of shape {arr.shape}",
                              f"shape (C, {sizes}) or (B, C, {sizes}) with at least one channel")
    y = _run(layer, arr.reshape((1,) * (d + 2 - arr.ndim) + arr.shape), bindings, exact)
    return y if arr.ndim == d + 2 else y[0]


def _walk(k: KernelNd, kernels: dict[str, KernelSymbolNd], expressions: list[sympy.Expr]) -> None:
    if isinstance(k, KernelSymbolNd):
        if kernels.setdefault(k.name, k).dims != k.dims:
            raise KernelError(f"kernel {k.name} is used as {kernels[k.name]!r} and as {k!r}; expected one size")
    elif isinstance(k, (LiteralNd, DerivedKernelNd)):
        for source in getattr(k, "sources", ()):
            _walk(source, kernels, expressions)
        expressions.extend(sympy.sympify(v) for v in np.array(k.values, dtype=object).reshape(-1))  # safe: values
    elif isinstance(k, ScaledNd):
        expressions.append(k.scalar)
    for child in (getattr(k, f, None) for f in ("kernel", "a", "b")):
        if isinstance(child, KernelNd):
            _walk(child, kernels, expressions)


def _convolutions(layer: Layer) -> list[Union[ConvNd, ConvTransposeNd]]:
    if isinstance(layer, Parallel):
        return [c for branch in layer.branches for step in branch.layers() for c in _convolutions(step)]
    return [layer] if isinstance(layer, (ConvNd, ConvTransposeNd)) else []


def random_bindings_nd(layer_or_layers: Union[Layer, Iterable[Layer]], rng=None, low: int = -3, high: int = 3,
                       integer: bool = True,
                       sizes: Optional[Mapping[str, int]] = None) -> dict[str, Union[np.ndarray, int, float]]:
    """Random values for every named N-D kernel and bias parameter, shared by name across the layers.

    Kernels get arrays of their sizes (``(k1, ..., kd)`` for ``k[k1, ..., kd]``, the full shape for a
    weight), parameters one number; integers in ``[low, high]`` (``integer=True``) or floats in ``[low, high)``.
    ``sizes`` gives the generic sizes their values (the arrays of ``k[c, 3]`` at ``c = 2`` are ``(2, 3)``).

    >>> from symconv.core.kernel_nd import kernel_nd
    >>> from symconv.core.layers_nd import conv2d
    >>> b = random_bindings_nd(conv2d(kernel_nd("W", 2, 1, 3, 3), bias=[sympy.Symbol("p"), 0]), 0)
    >>> sorted(b), b["W"].shape
    (['W', 'p'], (2, 1, 3, 3))
    """
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    kernels: dict[str, KernelSymbolNd] = {}
    expressions: list[sympy.Expr] = []
    for layer in [layer_or_layers] if isinstance(layer_or_layers, Layer) else layer_or_layers:
        layer = with_given_sizes(layer, sizes)
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
