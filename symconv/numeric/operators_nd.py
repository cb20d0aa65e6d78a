"""The N-D layers as numpy operators on arrays of shape ``(B, C, n1, ..., nd)``, each from its PyTorch definition.

A layer builds its padded (or scattered) array and slides its windows: the
output shape is however many windows fit on each axis,
``(padded - extent) // stride + 1`` (0 when ``padded < extent``). Padding is
added to empty axes too (zeros wherever padding supplies samples), and a
max-pool of an empty axis is empty.

* :func:`convolution`: ``y[B, o, i] = bias[o] + sum_{m, a} W[o, m, a] xp[B, m, s i + d a]`` (per axis, within
  the group of o);
* :func:`transposed_convolution`: the full scatter ``F[s i + d a] += W[m, o, a] x[m, i]``, cropped to
  ``p .. p + m``, ``m = (n - 1) s - 2p + d (k - 1) + op + 1``;
* :func:`upsampled`: ``y[s i] = x[i]`` per axis;
* :func:`average_pool`, :func:`max_pool`, :func:`l2_pool`: window means (padding counted, or not), maxima
  (padding never wins) and ``sqrt(K avg_pool(x^2))``, ``K = prod k``.

Values are float64, or exact ``Fraction`` objects with ``exact=True``; an
array of more than ``MAX_ELEMENTS`` numbers is refused before it is built.

>>> from symconv.core.layers_nd import UpNd
>>> upsampled(UpNd((1, 2)), np.array([[[[1.0, 2.0]]]]), False).tolist()
[[[[1.0, 0.0, 2.0]]]]
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional, Union

import numpy as np

from symconv.core.layers_nd import AvgPoolNd, ConvNd, ConvTransposeNd, L2PoolNd, MaxPoolNd, UpNd
from symconv.errors import ChannelMismatch, NotInFragment, SizeLimitError
from symconv.numeric.bindings import Bindings
from symconv.numeric.conversions import number_array, zeros
from symconv.numeric.evaluate import MAX_ELEMENTS
from symconv.numeric.kernels_nd import kernel_array_nd, parameter_value, spatial_slices

__all__ = ["padded", "convolution", "transposed_convolution", "upsampled", "average_pool", "max_pool", "l2_pool"]


def _alloc(layer: object, shape: tuple[int, ...], exact: bool) -> np.ndarray:
    if math.prod(shape) > MAX_ELEMENTS:
        raise SizeLimitError(f"{layer!r} would build an array of shape {shape}; the numeric evaluator refuses "
                             f"more than {MAX_ELEMENTS} numbers")
    return zeros(shape, exact)


def padded(layer: object, x: np.ndarray, pairs, exact: bool, fill: object = 0) -> np.ndarray:
    """``x`` with ``(before, after)`` samples of ``fill`` around each spatial axis."""
    shape = x.shape[:2] + tuple(b + n + a for (b, a), n in zip(pairs, x.shape[2:]))
    out = _alloc(layer, shape, exact)
    if fill != 0:
        out[...] = fill
    out[spatial_slices((b for b, _ in pairs), x.shape[2:])] = x
    return out


def _fits(padded: int, extent: int, stride: int) -> int:
    """How many windows of ``extent`` samples, ``stride`` apart, fit in ``padded`` samples."""
    return (padded - extent) // stride + 1 if padded >= extent else 0


def _bias(layer: Union[ConvNd, ConvTransposeNd], bindings, exact: bool) -> Optional[np.ndarray]:
    if layer.bias is None:
        return None
    return number_array([parameter_value(v, bindings, exact, "bias") for v in layer.bias], exact)


def _with_bias(y: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    return y if bias is None else y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def convolution(layer: ConvNd, x: np.ndarray, bindings: Optional[Bindings], exact: bool) -> np.ndarray:
    w = kernel_array_nd(layer.weight, bindings, exact)
    out, per_group = w.shape[:2]
    groups = layer.groups
    if x.shape[1] != per_group * groups:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), per_group * groups)
    xp = padded(layer, x, layer.padding, exact)
    counts = tuple(_fits(n, d * (k - 1) + 1, s)
                   for n, d, k, s in zip(xp.shape[2:], layer.dilation, w.shape[2:], layer.stride))
    y = _alloc(layer, (x.shape[0], out) + counts, exact)
    if 0 in counts:
        return _with_bias(y, _bias(layer, bindings, exact))
    opg = out // groups
    for a in itertools.product(*(range(k) for k in w.shape[2:])):
        starts = [ai * d for ai, d in zip(a, layer.dilation)]
        sizes = [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)]
        patch = xp[spatial_slices(starts, sizes, layer.stride)]
        for g in range(groups):
            block = w[(slice(g * opg, (g + 1) * opg), slice(None)) + a]  # (out/groups, in/groups)
            part = patch[:, g * per_group:(g + 1) * per_group]  # (B, in/groups, m...)
            y[:, g * opg:(g + 1) * opg] += np.moveaxis(np.tensordot(block, part, axes=([1], [1])), 0, 1)
    return _with_bias(y, _bias(layer, bindings, exact))


def transposed_convolution(layer: ConvTransposeNd, x: np.ndarray, bindings: Optional[Bindings],
                           exact: bool) -> np.ndarray:
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
        target = spatial_slices(starts, sizes, layer.stride)
        for g in range(groups):
            block = w[(slice(g * ipg, (g + 1) * ipg), slice(None)) + a]  # (in/groups, out/groups)
            part = x[:, g * ipg:(g + 1) * ipg]
            moved = np.moveaxis(np.tensordot(block, part, axes=([0], [1])), 0, 1)  # (B, out/groups, n...)
            region = (slice(None), slice(g * per_group, (g + 1) * per_group)) + target[2:]
            scattered[region] += moved
    y = scattered[spatial_slices(layer.padding, counts)].copy()
    return _with_bias(y, _bias(layer, bindings, exact))


def upsampled(layer: UpNd, x: np.ndarray, exact: bool) -> np.ndarray:
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


def average_pool(layer: AvgPoolNd, x: np.ndarray, exact: bool) -> np.ndarray:
    """Window sums over the zero-padded input, divided by the window size (padding counted), or with
    ``ceil_mode``/``count_include_pad=False`` by the samples the window covers (:func:`_avgpool_divisor`)."""
    xp = padded(layer, x, [(p, p + e) for p, e in zip(layer.padding, _beyond(layer))], exact)
    counts = tuple(0 if not n and not layer.count_include_pad else _pool_fits(layer, n, p, k, s)
                   for n, p, k, s in zip(x.shape[2:], layer.padding, layer.size, layer.stride))
    out = _alloc(layer, x.shape[:2] + counts, exact)
    if 0 in counts:
        return out
    for a in itertools.product(*(range(k) for k in layer.size)):
        out = out + xp[spatial_slices(a, [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)], layer.stride)]
    if layer.ceil_mode or not layer.count_include_pad:
        return out / _avgpool_divisor(layer, x, counts, exact)
    return out * (Fraction(1, math.prod(layer.size)) if exact else 1.0 / math.prod(layer.size))


def max_pool(layer: MaxPoolNd, x: np.ndarray) -> np.ndarray:
    """Window maxima over the input padded with ``-inf`` (a padded sample never wins: PyTorch's rule; nor does
    one past the right padding that a ``ceil_mode`` window reads)."""
    xp = np.full(x.shape[:2] + tuple(n + 2 * p + e for n, p, e in zip(x.shape[2:], layer.padding, _beyond(layer))),
                 -np.inf, dtype=x.dtype)
    xp[spatial_slices(layer.padding, x.shape[2:])] = x
    counts = tuple(_pool_fits(layer, n, p, d * (k - 1) + 1, s) if n else 0 for n, p, d, k, s in
                   zip(x.shape[2:], layer.padding, layer.dilation, layer.size, layer.stride))
    out = np.full(x.shape[:2] + counts, -np.inf, dtype=x.dtype)
    if 0 in counts:
        return out
    for a in itertools.product(*(range(k) for k in layer.size)):
        starts = [ai * d for ai, d in zip(a, layer.dilation)]
        window = xp[spatial_slices(starts, [s * (m - 1) + 1 for s, m in zip(layer.stride, counts)], layer.stride)]
        out = np.where(window > out, window, out)
    return out


def l2_pool(layer: L2PoolNd, x: np.ndarray, exact: bool) -> np.ndarray:
    """PyTorch's ``lp_pool{d}d`` with ``norm_type=2``: ``sqrt(K avg_pool{d}d(x^2, k, s, 0, ceil_mode))``,
    ``K = prod k`` (a window clipped by ``ceil_mode`` is averaged over the samples it reads, then scaled by K)."""
    if exact:
        raise NotInFragment(f"{layer!r} takes square roots, which are not rational; evaluate it with exact=False")
    mean = average_pool(AvgPoolNd(layer.size, layer.stride, 0, layer.axes, layer.ceil_mode), x * x, exact)
    return np.sqrt(mean * math.prod(layer.size))
