"""numpy evaluation of any chain: the independent witness of the exact semantics.

Every layer is written again here from its PyTorch definition, on arrays of
shape ``(B, C, n)``, without :mod:`symconv.core.semantics`,
:mod:`symconv.core.output_length` or :meth:`Kernel.taps`. Output lengths are
never computed from a formula: a layer builds its padded (or scattered) array
and slides its windows, and the length is however many windows fit.

Conventions: an empty input (``n = 0``) is a signal like any other: padding,
output_padding and bias supply the samples (``pad(1, 2)`` gives three zeros,
as ``torch.nn.functional.pad``), except ``maxpool`` and
``avgpool(..., count_include_pad=False)``, whose output is then empty (a
maximum or an average over no sample); a layer whose windows do not fit gives
length 0 (where PyTorch raises). Values are float64, or exact ``Fraction`` objects with
``exact=True``.

>>> from symconv.core.layers import conv
>>> evaluate_numeric(conv([1, 2], stride=2), [1, 2, 3, 4, 5]).tolist()
[[5.0, 11.0]]
"""

from __future__ import annotations

from fractions import Fraction
from typing import Callable, Mapping, Optional

import numpy as np

from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.errors import ChannelMismatch, InvalidArgument, LengthMismatch, NotInFragment, SizeLimitError
from symconv.numeric.bindings import Bindings, bias_array, kernel_array, resolve_sizes, scalar_value
from symconv.numeric.conversions import number_array, zeros
from symconv.numeric.symbols import transposed_out_channels

__all__ = ["evaluate_numeric", "MAX_OUTPUT_LENGTH", "MAX_ELEMENTS"]

#: Longest signal (samples per channel) the evaluator builds; refused before allocating.
MAX_OUTPUT_LENGTH = 10**7
#: Most numbers (batch x channels x length) in any array the evaluator builds or accepts.
MAX_ELEMENTS = 10**8


class _Context:
    """What every layer needs besides its input: the values of the symbols and the mode."""

    def __init__(self, bindings: Optional[Bindings], sizes: Mapping[str, int], exact: bool):
        self.bindings = bindings
        self.sizes = sizes
        self.exact = exact

    def weight(self, layer: Conv | ConvTranspose) -> np.ndarray:
        return kernel_array(layer.weight, self.bindings, self.sizes, self.exact)


def _guard(layer: Layer, batch: int, channels: int, length: int) -> None:
    if length > MAX_OUTPUT_LENGTH:
        raise SizeLimitError(
            f"{layer!r} would build {length} samples per channel; the numeric evaluator refuses "
            f"more than {MAX_OUTPUT_LENGTH}"
        )
    if batch * channels * length > MAX_ELEMENTS:
        raise SizeLimitError(
            f"{layer!r} would build {batch} x {channels} x {length} numbers; the numeric evaluator "
            f"refuses more than {MAX_ELEMENTS}"
        )


def _padded(layer: Layer, x: np.ndarray, left: int, right: int, fill: object) -> np.ndarray:
    batch, channels, n = x.shape
    _guard(layer, batch, channels, left + n + right)
    out = np.full((batch, channels, left + n + right), fill, dtype=x.dtype)
    out[:, :, left:left + n] = x
    return out


def _window_starts(padded_length: int, taps: int, stride: int, dilation: int) -> range:
    """Starts of the windows ``start + j*dilation`` (j < taps) that lie inside the padded signal."""
    return range(0, padded_length - dilation * (taps - 1), stride)


def _tap(xp: np.ndarray, starts: range, j: int, dilation: int) -> np.ndarray:
    """``xp[..., start + j*dilation]`` for every window start, as a strided slice."""
    if not starts:
        return xp[..., :0]
    first = starts.start + j * dilation
    return xp[..., first:first + starts.step * (len(starts) - 1) + 1:starts.step]


def _check_channels(layer: Layer, x: np.ndarray, expected: int) -> None:
    if x.shape[1] != expected:
        raise ChannelMismatch("the input", x.shape[1], repr(layer), expected)


def _conv(layer: Conv, x: np.ndarray, ctx: _Context) -> np.ndarray:
    w = ctx.weight(layer)  # (out, in/groups, c)
    out, per_group_in, c = w.shape
    groups, s, d = layer.groups, layer.stride, layer.dilation
    _check_channels(layer, x, per_group_in * groups)
    bias = bias_array(layer, out, ctx.bindings, ctx.exact)
    if layer.padding == "same":
        total = d * (c - 1)  # PyTorch puts the odd zero on the right
        left, right = total // 2, total - total // 2
    elif layer.padding == "valid":
        left, right = 0, 0
    elif isinstance(layer.padding, tuple):
        left, right = layer.padding
    else:
        left = right = layer.padding
    batch = x.shape[0]
    xp = _padded(layer, x, left, right, zeros((), ctx.exact).item())
    starts = _window_starts(xp.shape[2], c, s, d)
    _guard(layer, batch, out, len(starts))
    if not starts:
        return zeros((batch, out, 0), ctx.exact)
    xg = xp.reshape(batch, groups, per_group_in, xp.shape[2])
    wg = w.reshape(groups, out // groups, per_group_in, c)
    y = zeros((batch, groups, out // groups, len(starts)), ctx.exact)
    for j in range(c):
        # (1, G, out/G, in/G) @ (B, G, in/G, m) -> (B, G, out/G, m)
        y += np.matmul(wg[None, :, :, :, j], _tap(xg, starts, j, d))
    y = y.reshape(batch, out, len(starts))
    return y if bias is None else y + bias[None, :, None]


def _conv_transpose(layer: ConvTranspose, x: np.ndarray, ctx: _Context) -> np.ndarray:
    w = ctx.weight(layer)  # (in, out/groups, c), as PyTorch
    inp, per_group_out, c = w.shape
    groups, s, d, p = layer.groups, layer.stride, layer.dilation, layer.padding
    out = transposed_out_channels(layer)
    _check_channels(layer, x, inp)
    bias = bias_array(layer, out, ctx.bindings, ctx.exact)
    batch, _, n = x.shape
    if n == 0:  # nothing to scatter: the buffer's length still follows (n - 1)*s + (c - 1)*d + 1 + op
        length = max(0, (c - 1) * d - s + 1 + layer.output_padding - 2 * p)
        _guard(layer, batch, out, length)
        y = zeros((batch, out, length), ctx.exact)
        return y if bias is None or length == 0 else y + bias[None, :, None]
    # Scatter every input sample through every tap: x[i] lands at i*s + j*d. The
    # buffer ends at the last landing place, plus output_padding zeros on the right.
    last = (n - 1) * s + (c - 1) * d
    full = last + 1 + layer.output_padding
    _guard(layer, batch, out, full)
    per_group_in = inp // groups
    xg = x.reshape(batch, groups, per_group_in, n)
    wg = w.reshape(groups, per_group_in, per_group_out, c)
    buffer = zeros((batch, groups, per_group_out, full), ctx.exact)
    for j in range(c):
        # (1, G, out/G, in/G) @ (B, G, in/G, n) -> (B, G, out/G, n)
        contribution = np.matmul(np.swapaxes(wg[None, :, :, :, j], -1, -2), xg)
        buffer[..., j * d:j * d + (n - 1) * s + 1:s] += contribution
    buffer = buffer.reshape(batch, out, full)
    # padding removes p samples from each end of the scattered signal
    y = buffer[:, :, p:full - p] if full > 2 * p else buffer[:, :, :0]
    return y if bias is None or y.shape[2] == 0 else y + bias[None, :, None]


def _pad(layer: Pad, x: np.ndarray, ctx: _Context) -> np.ndarray:
    return _padded(layer, x, layer.left, layer.right, zeros((), ctx.exact).item())


def _crop(layer: Crop, x: np.ndarray, ctx: _Context) -> np.ndarray:
    n = x.shape[2]
    if layer.left + layer.right >= n:
        return x[:, :, :0].copy()
    return x[:, :, layer.left:n - layer.right].copy()


def _down(layer: Down, x: np.ndarray, ctx: _Context) -> np.ndarray:
    return x[:, :, layer.phase::layer.factor].copy()


def _up(layer: Up, x: np.ndarray, ctx: _Context) -> np.ndarray:
    batch, channels, n = x.shape
    if n == 0:
        return x.copy()
    positions = range(0, (n - 1) * layer.factor + 1, layer.factor)  # where x[i] lands; nothing after
    _guard(layer, batch, channels, positions[-1] + 1)
    y = zeros((batch, channels, positions[-1] + 1), ctx.exact)
    y[:, :, ::layer.factor] = x
    return y


def _flip(layer: Flip, x: np.ndarray, ctx: _Context) -> np.ndarray:
    return x[:, :, ::-1].copy()


def _pool_windows(layer: Layer, xp: np.ndarray, size: int, stride: int, dilation: int,
                  last_start: Optional[int] = None) -> list[np.ndarray]:
    """The taps of every window inside ``xp``; ``last_start``: windows starting after it are dropped."""
    starts = _window_starts(xp.shape[2], size, stride, dilation)
    if last_start is not None:
        starts = starts[:len(range(0, last_start + 1, stride))]
    _guard(layer, xp.shape[0], xp.shape[1], len(starts))
    return [_tap(xp, starts, j, dilation) for j in range(size)]


def _ceil_beyond(layer: Layer, x: np.ndarray) -> tuple[int, Optional[int]]:
    """With ``ceil_mode``: ``(s - 1, n + p - 1)``, the samples a last window may read past the right padding
    and the last start PyTorch keeps (inside the input or the left padding); else ``(0, None)``."""
    if not layer.ceil_mode:
        return 0, None
    return layer.stride - 1, x.shape[2] + layer.padding - 1


def _avgpool(layer: AvgPool, x: np.ndarray, ctx: _Context) -> np.ndarray:
    zero = zeros((), ctx.exact).item()
    if not layer.ceil_mode and layer.count_include_pad:
        xp = _padded(layer, x, layer.padding, layer.padding, zero)
        taps = _pool_windows(layer, xp, layer.size, layer.stride, 1)
        weight = Fraction(1, layer.size) if ctx.exact else 1.0 / layer.size
        return sum(taps[1:], taps[0].copy()) * weight  # every window lies in the padded input: divide by size
    beyond, last_start = _ceil_beyond(layer, x)
    xp = _padded(layer, x, layer.padding, layer.padding + beyond, zero)
    # the divisor counts the window's samples of the padded input (count_include_pad) or of the input itself
    counted = np.zeros((1, 1, xp.shape[2]), dtype=np.int64)
    counted[..., : x.shape[2] + 2 * layer.padding] = 1
    if not layer.count_include_pad:
        counted[..., : layer.padding] = 0
        counted[..., layer.padding + x.shape[2]:] = 0
    taps = _pool_windows(layer, xp, layer.size, layer.stride, 1, last_start)
    counts = sum(_pool_windows(layer, counted, layer.size, layer.stride, 1, last_start))
    total = sum(taps[1:], taps[0].copy())
    return total / (counts.astype(object) if ctx.exact else counts)


def _maxpool(layer: MaxPool, x: np.ndarray, ctx: _Context) -> np.ndarray:
    # PyTorch pads with -inf; a window made only of padding gives -inf (also in exact mode), and so do the
    # samples past the right padding that a ceil_mode window reads.
    beyond, last_start = _ceil_beyond(layer, x)
    xp = _padded(layer, x, layer.padding, layer.padding + beyond, float("-inf"))
    taps = _pool_windows(layer, xp, layer.size, layer.stride, layer.dilation, last_start)
    result = taps[0].copy()
    for t in taps[1:]:
        result = np.maximum(result, t)  # propagates NaN, as PyTorch does
    return result


def _l2pool(layer: L2Pool, x: np.ndarray, ctx: _Context) -> np.ndarray:
    if ctx.exact:
        raise NotInFragment(
            f"{layer!r} takes square roots, which are not rational; evaluate it with exact=False"
        )
    taps = _pool_windows(layer, x, layer.size, layer.stride, 1)
    return np.sqrt(sum(t * t for t in taps))


def _relu(layer: ReLU, x: np.ndarray, ctx: _Context) -> np.ndarray:
    return np.maximum(x, zeros((), ctx.exact).item())  # propagates NaN, as PyTorch does


def _affine(layer: Affine, x: np.ndarray, ctx: _Context) -> np.ndarray:
    channels = x.shape[1]

    def per_channel(value) -> np.ndarray:
        values = value if isinstance(value, tuple) else (value,) * channels
        if len(values) != channels:
            raise ChannelMismatch("the input", channels, repr(layer), len(values))
        return number_array([scalar_value(v, ctx.bindings, ctx.exact) for v in values], ctx.exact)

    scale, shift = per_channel(layer.scale), per_channel(layer.shift)
    return x * scale[None, :, None] + shift[None, :, None]


def _parallel(layer: Parallel, x: np.ndarray, ctx: _Context) -> np.ndarray:
    outputs = [_apply(branch, x, ctx) for branch in layer.branches]
    shapes = [y.shape for y in outputs]
    if len({s[2] for s in shapes}) > 1:
        raise LengthMismatch(
            f"the branches of {layer!r} give lengths {[s[2] for s in shapes]} for an input of length "
            f"{x.shape[2]}; expected equal lengths"
        )
    if len({s[1] for s in shapes}) > 1:
        raise ChannelMismatch(repr(layer.branches[1]), shapes[1][1], repr(layer.branches[0]), shapes[0][1])
    return sum(outputs[1:], outputs[0])


_RULES: dict[type, Callable[[Layer, np.ndarray, _Context], np.ndarray]] = {
    Conv: _conv,
    ConvTranspose: _conv_transpose,
    Pad: _pad,
    Crop: _crop,
    Down: _down,
    Up: _up,
    Flip: _flip,
    AvgPool: _avgpool,
    MaxPool: _maxpool,
    L2Pool: _l2pool,
    ReLU: _relu,
    Affine: _affine,
}


def _apply(layer: Layer, x: np.ndarray, ctx: _Context) -> np.ndarray:
    if isinstance(layer, Chain):
        for step in layer.steps:
            x = _apply(step, x, ctx)
        return x
    if isinstance(layer, Parallel):
        return _parallel(layer, x, ctx)
    rule = _RULES.get(type(layer))
    if rule is None:
        raise TypeError(f"no numeric meaning for {layer!r}")
    if x.shape[2] == 0 and (isinstance(layer, MaxPool) or isinstance(layer, AvgPool) and not layer.count_include_pad):
        return x.copy()  # a maximum, or an average of input samples, over no sample: empty on an empty input
    return rule(layer, x, ctx)


def _as_batch(x: object, exact: bool) -> tuple[np.ndarray, int]:
    try:
        raw = np.asarray(x)
    except ValueError as error:  # ragged nesting
        raise InvalidArgument("evaluate_numeric", "x", "a ragged list", "a rectangular array") from error
    shape = raw.shape
    if len(shape) not in (1, 2, 3):
        raise InvalidArgument(
            "evaluate_numeric", "x", f"an array of shape {shape}", "shape (n,), (C, n) or (B, C, n)"
        )
    if int(np.prod(shape)) > MAX_ELEMENTS:
        raise SizeLimitError(
            f"an input of shape {shape} has {int(np.prod(shape))} numbers; the numeric evaluator "
            f"refuses more than {MAX_ELEMENTS}"
        )
    if len(shape) == 3 and (shape[0] == 0 or shape[1] == 0) or len(shape) == 2 and shape[0] == 0:
        raise InvalidArgument("evaluate_numeric", "x", f"an array of shape {shape}", "at least one channel")
    arr = number_array(raw, exact, "input sample")
    return arr.reshape((1,) * (3 - arr.ndim) + arr.shape), len(shape)


def evaluate_numeric(
    layer: Layer,
    x: object,
    bindings: Optional[Bindings] = None,
    sizes: Optional[Mapping[str, int]] = None,
    exact: bool = False,
) -> np.ndarray:
    """Apply ``layer`` to the samples ``x`` with numpy.

    ``conv``: ``y[b, o, i] = bias[o] + sum_{m, j} W[o, m, j] xp[b, g*C/G + m, i*s + j*d]``
    for the windows that fit in the zero-padded ``xp`` (``g`` the group of
    ``o``); the other layers likewise follow PyTorch (see the module doc).

    ``x`` has shape ``(n,)`` or ``(C, n)`` (the result has shape
    ``(C_out, m)``) or ``(B, C, n)`` (the result has shape ``(B, C_out, m)``,
    every batch entry evaluated at once). ``bindings`` gives values to the
    named kernels, biases and affine symbols (see :mod:`symconv.numeric.bindings`),
    ``sizes`` to generic lengths such as ``c`` (otherwise read off the
    bindings). Entries may be ints, floats, Fractions, SymPy rationals or
    strings such as ``"-1/2"``. ``exact=True`` computes with ``Fraction``
    objects (dtype object), reading floats exactly; ``l2pool`` then raises
    :class:`~symconv.errors.NotInFragment`, and a max-pool window made only of
    padding gives ``float("-inf")`` as in PyTorch. Arrays longer than
    ``MAX_OUTPUT_LENGTH`` samples or holding more than ``MAX_ELEMENTS`` numbers
    are refused with :class:`~symconv.errors.SizeLimitError` before allocation.

    >>> from symconv.core.layers import conv_transpose
    >>> evaluate_numeric(conv_transpose([1, 1], stride=2), [1, 2], exact=True).tolist()
    [[Fraction(1, 1), Fraction(1, 1), Fraction(2, 1), Fraction(2, 1)]]
    """
    if not isinstance(layer, Layer):
        raise InvalidArgument("evaluate_numeric", "layer", layer, "a layer such as conv([1, 2, 1])")
    arr, rank = _as_batch(x, exact)
    ctx = _Context(bindings, resolve_sizes(layer, bindings, sizes), exact)
    y = _apply(layer, arr, ctx)
    return y if rank == 3 else y[0]
