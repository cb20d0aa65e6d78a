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

One operator serves every number of axes, d = 1 included: the 1-D evaluator
(:mod:`symconv.numeric.evaluate`) runs its layers (one class for every d)
through it. The numbers of the weights, biases and
affine coefficients come from a :class:`BoundValues` (each evaluator's
convention for its bindings). Values are float64, or exact ``Fraction``
objects with ``exact=True``; an array longer than ``MAX_OUTPUT_LENGTH`` on an
axis or of more than ``MAX_ELEMENTS`` numbers is refused before it is built.

>>> from symconv.core.layers_nd import Up
>>> upsampled(Up((1, 2)), np.array([[[[1.0, 2.0]]]]), BoundValues(None, False)).tolist()
[[[[1.0, 0.0, 2.0]]]]
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Optional, Union

import numpy as np

from symconv.core.layers import Flip, Layer
from symconv.core.layers_nd import (AvgPool, Conv, ConvTranspose, Crop, Down, L2Pool, MaxPool, Pad,
                                    Up)
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import ChannelMismatch, InvalidArgument, NotInFragment, SizeLimitError
from symconv.numeric.bindings import Bindings
from symconv.numeric.conversions import number_array, zeros
from symconv.numeric.kernels_nd import kernel_array_nd, parameter_value, spatial_slices

__all__ = ["BoundValues", "apply_layer", "padded", "convolution", "transposed_convolution", "upsampled",
           "average_pool", "max_pool", "l2_pool", "MAX_OUTPUT_LENGTH", "MAX_ELEMENTS"]

#: Longest signal (samples per channel on an axis) the evaluator builds; refused before allocating.
MAX_OUTPUT_LENGTH = 10**7
#: Most numbers (batch x channels x sizes) in any array the evaluator builds or accepts.
MAX_ELEMENTS = 10**8


class BoundValues:
    """The numbers of a chain's parameters, read from ``bindings`` (the N-D convention: a kernel name bound to
    its array, each bias or affine parameter to one number), in float64 or exact ``Fraction`` (``exact``).

    The operators ask this object for a layer's weight, bias and affine coefficients, and quote
    :meth:`shown` in their errors: another convention (the 1-D one of :mod:`symconv.numeric.evaluate`) is a
    subclass, the arithmetic stays one.
    """

    def __init__(self, bindings: Optional[Bindings], exact: bool):
        self.bindings = bindings
        self.exact = exact

    def shown(self, layer: Layer) -> Layer:
        """The layer as the user wrote it, for messages."""
        return layer

    def weight(self, layer: Union[Conv, ConvTranspose]) -> np.ndarray:
        """``W[o, i, a1, ..., ad]`` of shape ``(out, in, k1, ..., kd)`` (PyTorch's layout)."""
        return kernel_array_nd(layer.weight, self.bindings, self.exact)

    def bias(self, layer: Union[Conv, ConvTranspose], channels: int) -> Optional[np.ndarray]:
        """One number per output channel, or None."""
        if layer.bias_entries is None:
            return None
        return number_array([parameter_value(v, self.bindings, self.exact, "bias") for v in layer.bias_entries], self.exact)

    def affine(self, layer: Affine, channels: int) -> tuple[np.ndarray, np.ndarray]:
        """``(scale, shift)``, one number per channel each (one number for every channel: numpy broadcasts it)."""
        return tuple(number_array([parameter_value(v, self.bindings, self.exact, "affine") for v in values],
                                  self.exact) for values in layer.per_channel(channels))


def _check_size(layer: object, shape: tuple[int, ...], values: BoundValues) -> None:
    """Refuse an array of ``shape`` (batch, channels, sizes) longer than ``MAX_OUTPUT_LENGTH`` on an axis or with more
    than ``MAX_ELEMENTS`` numbers, before it is built."""
    if max(shape[2:]) <= MAX_OUTPUT_LENGTH and math.prod(shape) <= MAX_ELEMENTS:
        return
    for axis, n in enumerate(shape[2:]):
        if n > MAX_OUTPUT_LENGTH:
            where = "per channel" if len(shape) == 3 else f"on axis {axis + 1}"
            raise SizeLimitError(f"{values.shown(layer)!r} would build {n} samples {where}; the numeric evaluator "
                                 f"refuses more than {MAX_OUTPUT_LENGTH}")
    if math.prod(shape) > MAX_ELEMENTS:
        raise SizeLimitError(f"{values.shown(layer)!r} would build an array of shape {shape}; the numeric evaluator "
                             f"refuses more than {MAX_ELEMENTS} numbers")


def _alloc(layer: object, shape: tuple[int, ...], values: BoundValues) -> np.ndarray:
    _check_size(layer, shape, values)
    return zeros(shape, values.exact)


def padded(layer: object, x: np.ndarray, pairs, values: BoundValues, fill: object = 0) -> np.ndarray:
    """``x`` with ``(before, after)`` samples of ``fill`` around each spatial axis."""
    shape = x.shape[:2] + tuple(b + n + a for (b, a), n in zip(pairs, x.shape[2:]))
    out = _alloc(layer, shape, values)
    if fill != 0:
        out[...] = fill
    out[spatial_slices((b for b, _ in pairs), x.shape[2:])] = x
    return out


def _fits(padded: int, extent: int, stride: int) -> int:
    """How many windows of ``extent`` samples, ``stride`` apart, fit in ``padded`` samples."""
    return (padded - extent) // stride + 1 if padded >= extent else 0


def _with_bias(y: np.ndarray, bias: Optional[np.ndarray]) -> np.ndarray:
    return y if bias is None else y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def _check_channels(layer: Layer, x: np.ndarray, expected: int, values: BoundValues) -> None:
    if x.shape[1] != expected:
        raise ChannelMismatch("the input", x.shape[1], repr(values.shown(layer)), expected)


def _taps(spatial: tuple[int, ...]):
    """Every tap index ``(a1, ..., ad)`` of a kernel of these sizes."""
    return itertools.product(*(range(k) for k in spatial))


def _tap_slices(spatial, dilation, stride, counts):
    """For every tap ``a`` (in the order of :func:`_taps`), the index ``[:, :, d a : ... : s]`` of the samples
    ``s i + d a`` read by the ``counts`` windows ``i`` on each axis."""
    per_axis = [[slice(a * d, a * d + s * (m - 1) + 1, s) for a in range(k)]
                for k, d, s, m in zip(spatial, dilation, stride, counts)]
    return ((slice(None), slice(None)) + window for window in itertools.product(*per_axis))


def convolution(layer: Conv, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """``y[B, o, i] = bias[o] + sum_{m, a} W[o, m, a] xp[B, m, s i + d a]`` for the windows that fit in the zero-padded
    ``xp``: one matrix product per tap ``a`` over all output positions, ``(out/G, in/G) @ (in/G, m1 ... md)`` per
    group (the taps added in order, as the 1-D evaluator always did)."""
    w = values.weight(layer)  # (out, in/groups, k1, ..., kd)
    out, per_group = w.shape[:2]
    groups = layer.groups
    _check_channels(layer, x, per_group * groups, values)
    bias = values.bias(layer, out)
    xp = padded(layer, x, layer.paddings, values) if any(b or a for b, a in layer.paddings) else x  # only read
    counts = tuple(_fits(n, d * (k - 1) + 1, s)
                   for n, d, k, s in zip(xp.shape[2:], layer.dilations, w.shape[2:], layer.strides))
    batch = x.shape[0]
    y = _alloc(layer, (batch, out) + counts, values)
    if 0 in counts:
        return _with_bias(y, bias)
    opg, positions = out // groups, math.prod(counts)
    acc = y.reshape(batch, groups, opg, positions)  # a view: the products land in y
    wg = w.reshape((1, groups, opg, per_group) + w.shape[2:])
    every = (slice(None),) * 4
    for a, window in zip(_taps(w.shape[2:]), _tap_slices(w.shape[2:], layer.dilations, layer.strides, counts)):
        # (1, G, out/G, in/G) @ (B, G, in/G, m) -> (B, G, out/G, m), m the windows: xp[s i + d a]
        acc += np.matmul(wg[every + a], xp[window].reshape(batch, groups, per_group, positions))
    return _with_bias(y, bias)


def transposed_convolution(layer: ConvTranspose, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """The full scatter ``F[s i + d a] += W[m, o, a] x[m, i]`` (output padding as trailing zeros), cropped to
    ``p .. p + m`` on each axis, ``m = (n - 1) s - 2p + d (k - 1) + op + 1`` (0 when below)."""
    w = values.weight(layer)  # (in, out/groups, k1, ..., kd), as PyTorch
    inp, per_group = w.shape[:2]
    groups = layer.groups
    _check_channels(layer, x, inp, values)
    bias = values.bias(layer, per_group * groups)
    batch, ns = x.shape[0], x.shape[2:]
    full = tuple((n - 1) * s + d * (k - 1) + 1 + op for n, s, d, k, op in
                 zip(ns, layer.strides, layer.dilations, w.shape[2:], layer.output_paddings))
    counts = tuple(max(0, f - 2 * p) for f, p in zip(full, layer.paddings))
    scattered = _alloc(layer, (batch, per_group * groups) + tuple(max(f, 0) for f in full), values)
    if 0 not in ns:
        ipg = inp // groups
        xg = x.reshape(batch, groups, ipg, math.prod(ns))
        wg = w.reshape((groups, ipg, per_group) + w.shape[2:])
        every = (None, slice(None), slice(None), slice(None))
        for a, target in zip(_taps(w.shape[2:]), _tap_slices(w.shape[2:], layer.dilations, layer.strides, ns)):
            # (1, G, out/G, in/G) @ (B, G, in/G, n) -> (B, G, out/G, n), added where x[i] lands through tap a
            moved = np.matmul(np.swapaxes(wg[every + a], -1, -2), xg)
            scattered[target] += moved.reshape((batch, groups * per_group) + ns)
    y = scattered[spatial_slices(layer.paddings, counts)].copy()
    return _with_bias(y, bias)


def upsampled(layer: Up, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """``y[s i] = x[i]`` per axis: the last sample lands at ``(n - 1) s``; nothing after."""
    shape = x.shape[:2] + tuple((n - 1) * s + 1 if n else 0 for n, s in zip(x.shape[2:], layer.factors))
    y = _alloc(layer, shape, values)
    y[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in layer.factors)] = x
    return y


def _beyond(layer: Union[AvgPool, MaxPool]) -> tuple[int, ...]:
    """Samples a ``ceil_mode`` window may read past the right padding, per axis: ``s - 1`` (else 0)."""
    return tuple(s - 1 if layer.ceil_mode else 0 for s in layer.strides)


def _pool_fits(layer: Union[AvgPool, MaxPool], n: int, p: int, extent: int, s: int) -> int:
    """Windows on one axis: those that fit in the padded input (with ``ceil_mode``, plus ``s - 1`` samples),
    of which ``ceil_mode`` keeps the ones that start inside the input or the left padding (start <= n + p - 1)."""
    fits = _fits(n + 2 * p + (s - 1 if layer.ceil_mode else 0), extent, s)
    return min(fits, (n + p - 1) // s + 1) if layer.ceil_mode else fits


def _window_taps(xp: np.ndarray, size, stride, dilation, counts):
    """For each tap ``a`` of the window, ``xp[..., s i + d a]`` at every kept window ``i``."""
    return (xp[window] for window in _tap_slices(size, dilation, stride, counts))


def _avgpool_divisor(layer: AvgPool, x: np.ndarray, counts: tuple[int, ...], exact: bool) -> object:
    """The divisor of every window: the product over the axes of the window's samples inside the padded input
    (``count_include_pad``) or inside the input, each counted by sliding the window over a 0/1 mask."""
    divisor = np.ones((1, 1) + (1,) * len(counts), dtype=np.int64)
    for axis, (n, p, k, s, m, extra) in enumerate(zip(x.shape[2:], layer.paddings, layer.sizes, layer.strides, counts,
                                                      _beyond(layer))):
        mask = np.zeros(n + 2 * p + extra, dtype=np.int64)
        mask[: n + 2 * p] = 1
        if not layer.count_include_pad:
            mask[:p] = 0
            mask[p + n:] = 0
        along = sum(mask[a: a + s * (m - 1) + 1: s] for a in range(k))
        divisor = divisor * along.reshape((1, 1) + tuple(m if b == axis else 1 for b in range(len(counts))))
    return divisor.astype(object) if exact else divisor


def _window_sums(layer: AvgPool, x: np.ndarray, values: BoundValues) -> tuple[np.ndarray, tuple[int, ...]]:
    """``(sum_a xp[s i + a], counts)`` over the zero-padded input (the first tap, then the others added in order)."""
    xp = padded(layer, x, [(p, p + e) for p, e in zip(layer.paddings, _beyond(layer))], values)
    counts = tuple(0 if not n and not layer.count_include_pad else _pool_fits(layer, n, p, k, s)
                   for n, p, k, s in zip(x.shape[2:], layer.paddings, layer.sizes, layer.strides))
    if 0 in counts:
        return _alloc(layer, x.shape[:2] + counts, values), counts
    _check_size(layer, x.shape[:2] + counts, values)
    taps = _window_taps(xp, layer.sizes, layer.strides, (1,) * len(counts), counts)
    total = next(taps).copy()
    for tap in taps:
        total = total + tap
    return total, counts


def average_pool(layer: AvgPool, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """Window sums over the zero-padded input, divided by the window size (padding counted), or with
    ``ceil_mode``/``count_include_pad=False`` by the samples the window covers (:func:`_avgpool_divisor`)."""
    total, counts = _window_sums(layer, x, values)
    if 0 in counts:
        return total
    if layer.ceil_mode or not layer.count_include_pad:
        return total / _avgpool_divisor(layer, x, counts, values.exact)
    return total * (Fraction(1, math.prod(layer.sizes)) if values.exact else 1.0 / math.prod(layer.sizes))


def max_pool(layer: MaxPool, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """Window maxima over the input padded with ``-inf`` (a padded sample never wins: PyTorch's rule; nor does
    one past the right padding that a ``ceil_mode`` window reads); NaN propagates, as in PyTorch."""
    shape = x.shape[:2] + tuple(n + 2 * p + e for n, p, e in zip(x.shape[2:], layer.paddings, _beyond(layer)))
    _check_size(layer, shape, values)
    xp = np.full(shape, -np.inf, dtype=x.dtype)
    xp[spatial_slices(layer.paddings, x.shape[2:])] = x
    counts = tuple(_pool_fits(layer, n, p, d * (k - 1) + 1, s) if n else 0 for n, p, d, k, s in
                   zip(x.shape[2:], layer.paddings, layer.dilations, layer.sizes, layer.strides))
    _check_size(layer, x.shape[:2] + counts, values)
    if 0 in counts:
        return np.full(x.shape[:2] + counts, -np.inf, dtype=x.dtype)
    taps = _window_taps(xp, layer.sizes, layer.strides, layer.dilations, counts)
    out = next(taps).copy()
    for tap in taps:
        out = np.maximum(out, tap)
    return out


def l2_pool(layer: L2Pool, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """PyTorch's ``lp_pool{d}d`` with ``norm_type=2``: ``sqrt(K avg_pool{d}d(x^2, k, s, 0, ceil_mode))``,
    ``K = prod k``: the root of the window's sum of squares, except that a window clipped by ``ceil_mode`` is
    averaged over the samples it reads, then scaled by K."""
    if values.exact:
        raise NotInFragment(f"{values.shown(layer)!r} takes square roots, which are not rational; evaluate it with "
                            f"exact=False")
    pool = AvgPool(layer.sizes, layer.strides, 0, layer.ceil_mode, True, layer.axes)
    total, counts = _window_sums(pool, x * x, values)
    if layer.ceil_mode and 0 not in counts:
        total = total / _avgpool_divisor(pool, x, counts, False) * math.prod(layer.sizes)
    return np.sqrt(total)


def apply_layer(layer: Layer, x: np.ndarray, values: BoundValues) -> np.ndarray:
    """One layer (not a chain or a sum) on ``x`` of shape ``(B, C, n1, ..., nd)``, by its operator above."""
    exact = values.exact
    if isinstance(layer, Conv):
        return convolution(layer, x, values)
    if isinstance(layer, ConvTranspose):
        return transposed_convolution(layer, x, values)
    if isinstance(layer, Pad):
        return padded(layer, x, list(zip(layer.before, layer.after)), values)
    if isinstance(layer, Crop):
        return x[(slice(None), slice(None)) + tuple(slice(b, max(b, n - a)) for b, a, n in
                                                    zip(layer.before, layer.after, x.shape[2:]))].copy()
    if isinstance(layer, Down):
        return x[(slice(None), slice(None)) + tuple(slice(q, None, s) for s, q in
                                                    zip(layer.factors, layer.phases))].copy()
    if isinstance(layer, Up):
        return upsampled(layer, x, values)
    if isinstance(layer, Flip) and layer.axes is None:  # y[i] = x[n - 1 - i] on every spatial axis
        return x[(slice(None), slice(None)) + (slice(None, None, -1),) * (x.ndim - 2)].copy()
    if isinstance(layer, Flip):  # reversed on the listed spatial axes only
        if max(layer.axes) >= x.ndim - 2:
            raise InvalidArgument("evaluate_nd_numeric", "layer", layer, f"axes below {x.ndim - 2}")
        return x[(slice(None), slice(None)) + tuple(slice(None, None, -1) if a in layer.axes else slice(None)
                                                    for a in range(x.ndim - 2))].copy()
    if isinstance(layer, AvgPool):
        return average_pool(layer, x, values)
    if isinstance(layer, MaxPool):
        return max_pool(layer, x, values)
    if isinstance(layer, L2Pool):
        return l2_pool(layer, x, values)
    if isinstance(layer, ReLU):  # max(x, 0): -inf (a window of padding only) gives 0, NaN propagates (PyTorch)
        return np.maximum(x, zeros((), exact).item())
    if isinstance(layer, Affine):
        scale, shift = values.affine(layer, x.shape[1])
        per_channel = (1, -1) + (1,) * (x.ndim - 2)
        return x * scale.reshape(per_channel) + shift.reshape(per_channel)
    raise NotInFragment(f"no numeric meaning for {layer!r}; expected conv, conv_transpose, avgpool, "
                        f"maxpool, l2pool, relu, affine, pad, crop, down, up or flip")
