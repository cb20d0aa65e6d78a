"""N-D layers, one class per operator for every number ``d >= 2`` of spatial axes (as PyTorch's ``_ConvNd``).

A signal is ``x[m, i1, ..., id]`` (channel, then one index per axis), of
shape ``(n1, ..., nd)``. Arguments are normalised once, in the constructor
(:mod:`symconv.core.axes`): an int applies to every axis, a tuple gives one
value per axis, padding is stored as per-axis ``(left, right)`` pairs and
``'same'``/``'valid'`` are resolved there. ``conv2d``/``conv3d`` are thin
constructors of :class:`ConvNd`:

    y[o, i] = b[o] + sum_{m in group(o), a} W[o, m', a] xp[m, s * i + d * a]   (per axis, ``m' = m mod in/groups``)

On each axis a layer acts with the window arithmetic of one 1-D layer
(:func:`axis_layer`), so its output shape is the 1-D length table of
:mod:`symconv.core.output_length` applied axis by axis (:func:`output_shape`):
there is one length formula per layer kind, not one per dimension.

Flips: ``flip()`` (:class:`symconv.core.layers.Flip`) reverses every axis of
the chain it sits in (in 1-D, ``y[i] = x[n - 1 - i]``); ``flip(axes=(0,))``
(:class:`SignalFlipNd`) reverses the listed spatial axes only, as
``torch.flip`` on dims ``2 + a``. Both keep the shape and fit a chain of any
number of axes (checked when the chain is built: :func:`check_flip_axes`).

>>> from symconv.core.kernel_nd import kernel_nd
>>> output_shape(conv2d(kernel_nd("k", 3, 3), stride=2) >> down((1, 2)), (9, 9))
(4, 2)
>>> output_shape(conv3d(kernel_nd("k", 3, 3, 3, ndim=3), stride=(2, 1, 1)), (7, 5, 3))
(3, 3, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import sympy

from symconv.core.axes import Axes, Pairs, fmt_axes, fmt_pairs, is_int, padding_pairs, per_axis
from symconv.core.kernel import MAX_CHANNELS, Literal, _check_positive_int
from symconv.core.kernel_nd import KernelNd, as_kernel_nd, axes_text
from symconv.core.layers import (AvgPool, Conv, ConvTranspose, Crop, Down, Flip, Layer, Pad, Up, _check_flag,
                                 _check_rate, _check_shift)
from symconv.core.nonlinear import MaxPool, ReLU
from symconv.core.output_length import output_length
from symconv.errors import InvalidArgument, KernelError

__all__ = ["ConvNd", "ConvTransposeNd", "PadNd", "CropNd", "DownNd", "UpNd", "AvgPoolNd", "MaxPoolNd", "SignalFlipNd",
           "flip", "flipped_axes", "check_flip_axes",
           "conv_nd", "conv2d", "conv3d", "conv_transpose_nd", "conv_transpose2d", "conv_transpose3d",
           "avgpool2d", "avgpool3d", "maxpool2d", "maxpool3d", "pad", "crop", "down", "up",
           "axis_layer", "axis_chain", "output_shape", "is_nd"]


def _name(base: str, ndim: int) -> str:
    return f"{base}{ndim}d"


def _weight(weight: object, ndim: int, what: str) -> KernelNd:
    try:
        return as_kernel_nd(weight, ndim, what)
    except KernelError as err:
        raise InvalidArgument(what, "weight", weight, f"a {ndim}-D kernel such as k[{', '.join(['3'] * ndim)}] "
                                                      f"({err})") from None


def _groups(weight: KernelNd, groups: object, what: str, transposed: bool) -> int:
    groups = _check_positive_int(groups, what, "groups", MAX_CHANNELS)
    if weight.shape[0] % groups:
        side = "in_channels (dim 0)" if transposed else "out_channels (dim 0)"
        raise InvalidArgument(what, "groups", groups, f"a divisor of the weight's {side} = {weight.shape[0]}")
    return groups


def _bias(bias: object, channels: int, what: str) -> Optional[tuple[sympy.Expr, ...]]:
    """Exact bias entries, one per output channel; a name ``b`` has the entries ``b_0, b_1, ...``."""
    if bias is None:
        return None
    from symconv.core.kernel import exact_expression

    if isinstance(bias, str):
        if not bias.isidentifier():
            raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
        values = [sympy.Symbol(f"{bias}_{o}") for o in range(channels)]
    else:
        values = list(bias) if isinstance(bias, (list, tuple)) else [bias] * channels
    if len(values) != channels:
        raise InvalidArgument(what, "bias", bias, f"{channels} number(s), one per output channel")
    return tuple(exact_expression(b, "bias") for b in values)


def _checked(values: Axes, check, what: str, argument: str) -> Axes:
    for v in values:
        check(v, what, argument)
    return values


def _fmt_bias(bias: Optional[tuple]) -> list[str]:
    return [] if bias is None else ["bias=[" + ", ".join(map(str, bias)) + "]"]


@dataclass(frozen=True, repr=False)
class ConvNd(Layer):
    """``conv{d}d(W, stride, padding, dilation, groups, bias)``: module docstring; padding is per-axis ``(l, r)``."""

    weight: KernelNd
    stride: Axes = 1
    padding: Pairs = 0
    dilation: Axes = 1
    groups: int = 1
    bias: Optional[tuple[sympy.Expr, ...]] = None

    def __post_init__(self) -> None:
        what = "conv" if not isinstance(self.weight, KernelNd) else _name("conv", self.weight.ndim)
        if not isinstance(self.weight, KernelNd):
            raise InvalidArgument(what, "weight", self.weight, "an N-D kernel such as k[3, 3] or W[8, 4, 3, 3]")
        d = self.weight.ndim
        stride = _checked(per_axis(self.stride, d, what, "stride"), _check_rate, what, "stride")
        dilation = _checked(per_axis(self.dilation, d, what, "dilation"), _check_rate, what, "dilation")
        object.__setattr__(self, "stride", stride)
        object.__setattr__(self, "dilation", dilation)
        object.__setattr__(self, "padding", self._padding(what))
        object.__setattr__(self, "groups", _groups(self.weight, self.groups, what, transposed=False))
        object.__setattr__(self, "bias", _bias(self.bias, self.weight.out_channels, what))

    def _padding(self, what: str) -> Pairs:
        padding = self.padding
        if padding == "valid":
            padding = 0
        if padding == "same":
            if any(s != 1 for s in self.stride):
                raise InvalidArgument(what, "padding", "same", "padding='same' only with stride=1 (as PyTorch)")
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.weight.spatial)]
            return tuple((t // 2, t - t // 2) for t in totals)
        pairs = padding_pairs(padding, self.ndim, what)
        for side in pairs:
            for p in side:
                _check_shift(p, what, "padding")
        return pairs

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.weight.ndim

    @property
    def in_channels(self) -> int:
        return self.weight.in_channels * self.groups

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.out_channels

    def kernels(self) -> tuple:
        return (self.weight,)

    def __repr__(self) -> str:
        args = [repr(self.weight)]
        d = self.ndim
        if self.stride != (1,) * d:
            args.append(f"stride={fmt_axes(self.stride)}")
        if self.padding != ((0, 0),) * d:
            args.append(f"padding={fmt_pairs(self.padding)}")
        if self.dilation != (1,) * d:
            args.append(f"dilation={fmt_axes(self.dilation)}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        return f"{_name('conv', d)}({', '.join(args + _fmt_bias(self.bias))})"


@dataclass(frozen=True, repr=False)
class ConvTransposeNd(Layer):
    """``conv_transpose{d}d(W, stride, padding, output_padding, dilation, groups, bias)``, as PyTorch.

    Weight ``(in, out/groups, k1, ..., kd)``; input channel m of group g scatters
    ``y[g out/groups + o, s i + d a - p] += W[m, o, a] x[m, i]`` (per axis), then ``b[o]`` is added;
    each axis has the 1-D length ``(n - 1) s - 2p + d (k - 1) + op + 1``.
    """

    weight: KernelNd
    stride: Axes = 1
    padding: Axes = 0
    output_padding: Axes = 0
    dilation: Axes = 1
    groups: int = 1
    bias: Optional[tuple[sympy.Expr, ...]] = None

    def __post_init__(self) -> None:
        if not isinstance(self.weight, KernelNd):
            raise InvalidArgument("conv_transpose", "weight", self.weight, "an N-D kernel such as k[3, 3]")
        d = self.weight.ndim
        what = _name("conv_transpose", d)
        for field, check in (("stride", _check_rate), ("padding", _check_shift), ("output_padding", _check_shift),
                             ("dilation", _check_rate)):
            object.__setattr__(self, field, _checked(per_axis(getattr(self, field), d, what, field), check, what,
                                                     field))
        for op, s, dil in zip(self.output_padding, self.stride, self.dilation):
            if op >= s and op >= dil:
                raise InvalidArgument(what, "output_padding", self.output_padding,
                                      "below the stride or the dilation on each axis (as PyTorch)")
        object.__setattr__(self, "groups", _groups(self.weight, self.groups, what, transposed=True))
        object.__setattr__(self, "bias", _bias(self.bias, self.out_channels(None), what))

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.weight.ndim

    @property
    def in_channels(self) -> int:
        return self.weight.shape[0]

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.shape[1] * self.groups

    def kernels(self) -> tuple:
        return (self.weight,)

    def __repr__(self) -> str:
        d = self.ndim
        args = [repr(self.weight)]
        for field, default in (("stride", 1), ("padding", 0), ("output_padding", 0), ("dilation", 1)):
            if getattr(self, field) != (default,) * d:
                args.append(f"{field}={fmt_axes(getattr(self, field))}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        return f"{_name('conv_transpose', d)}({', '.join(args + _fmt_bias(self.bias))})"


def _axes_field(layer: Layer, field: str, what: str, check) -> Axes:
    value = getattr(layer, field)
    if not (isinstance(value, (tuple, list)) and len(value) >= 2 and all(is_int(v) for v in value)):
        raise InvalidArgument(what, field, value, "a tuple with one int per axis (2 or more axes)")
    value = tuple(value)
    object.__setattr__(layer, field, value)
    return _checked(value, check, what, field)


def _same_axes(layer: Layer, what: str, *fields: str) -> int:
    sizes = {len(getattr(layer, f)) for f in fields}
    if len(sizes) > 1:
        raise InvalidArgument(what, fields[-1], getattr(layer, fields[-1]),
                              f"as many values as the other arguments ({len(getattr(layer, fields[0]))} axes)")
    return sizes.pop()


@dataclass(frozen=True, repr=False)
class PadNd(Layer):
    """``pad(before, after)``: per axis, ``before`` zeros ahead and ``after`` behind; size ``n + before + after``."""

    before: Axes
    after: Axes

    def __post_init__(self) -> None:
        _axes_field(self, "before", "pad", _check_shift)
        _axes_field(self, "after", "pad", _check_shift)
        _same_axes(self, "pad", "before", "after")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.before)

    def __repr__(self) -> str:
        return f"pad({self.before})" if self.before == self.after else f"pad({self.before}, {self.after})"


@dataclass(frozen=True, repr=False)
class CropNd(Layer):
    """``crop(before, after)``: per axis ``y[i] = x[i + before]``, size ``n - before - after``."""

    before: Axes
    after: Axes

    def __post_init__(self) -> None:
        _axes_field(self, "before", "crop", _check_shift)
        _axes_field(self, "after", "crop", _check_shift)
        _same_axes(self, "crop", "before", "after")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.before)

    def __repr__(self) -> str:
        return f"crop({self.before})" if self.before == self.after else f"crop({self.before}, {self.after})"


@dataclass(frozen=True, repr=False)
class DownNd(Layer):
    """``down(s, phase)``: ``y[i] = x[s i + phase]`` per axis."""

    factors: Axes
    phases: Axes = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        _axes_field(self, "factors", "down", _check_rate)
        if self.phases is None:
            object.__setattr__(self, "phases", (0,) * len(self.factors))
        _axes_field(self, "phases", "down", _check_shift)
        _same_axes(self, "down", "factors", "phases")
        if any(q >= s for s, q in zip(self.factors, self.phases)):
            raise InvalidArgument("down", "phase", self.phases, "0 <= phase < s on each axis")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.factors)

    def __repr__(self) -> str:
        if not any(self.phases):
            return f"down({self.factors})"
        return f"down({self.factors}, {self.phases})"


@dataclass(frozen=True, repr=False)
class UpNd(Layer):
    """``up(s)``: ``y[s i] = x[i]`` per axis, zeros between."""

    factors: Axes

    def __post_init__(self) -> None:
        _axes_field(self, "factors", "up", _check_rate)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.factors)

    def __repr__(self) -> str:
        return f"up({self.factors})"


def _pool_axes(layer: Layer, what: str, ndim: int, *fields: tuple[str, object, object]) -> None:
    for field, default, check in fields:
        value = getattr(layer, field)
        object.__setattr__(layer, field, _checked(per_axis(default if value is None else value, ndim, what, field),
                                                  check, what, field))
    if not isinstance(layer.padding, tuple):
        return
    for k, p in zip(layer.size, layer.padding):
        if 2 * p > k:
            raise InvalidArgument(what, "padding", layer.padding, "at most size/2 on each axis (as PyTorch)")


def _fmt_flags(layer: Layer) -> list[str]:
    """``ceil_mode=True`` and ``count_include_pad=False`` when given (the defaults are left out)."""
    flags = [("ceil_mode", False), ("count_include_pad", True)]
    return [f"{name}={getattr(layer, name)!r}" for name, default in flags
            if getattr(layer, name, default) != default]


def _pool_ndim(size: object, ndim: int) -> int:
    return ndim or (len(size) if isinstance(size, (tuple, list)) else 2)


@dataclass(frozen=True, repr=False)
class AvgPoolNd(Layer):
    """``avgpool{d}d(size, stride=size, padding=0, ceil_mode=False, count_include_pad=True)``: ``avg_pool{d}d``.

    ``y[m, i] = (1 / q_i) sum_{a < k} xp[m, s i + a]`` (per axis); ``q_i = prod k`` except where ``ceil_mode``
    clips a last window to ``n + padding`` or ``count_include_pad=False`` counts only the input samples
    (the product of the 1-D divisors of :class:`symconv.core.layers.AvgPool`, axis by axis).
    """

    size: Axes
    stride: Optional[Axes] = None
    padding: Axes = 0
    axes: int = 0
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        d = _pool_ndim(self.size, self.axes)
        what = _name("avgpool", d)
        object.__setattr__(self, "axes", d)
        _pool_axes(self, what, d, ("size", None, _check_rate))
        _pool_axes(self, what, d, ("stride", self.size, _check_rate), ("padding", 0, _check_shift))
        _check_flag(self.ceil_mode, what, "ceil_mode")
        _check_flag(self.count_include_pad, what, "count_include_pad")

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        """In the decided fragment when its flags change nothing on any axis (:attr:`AvgPool.is_linear`)."""
        return all(axis_layer(self, a).is_linear for a in range(self.axes))

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    def __repr__(self) -> str:
        args = [fmt_axes(self.size)]
        if self.stride != self.size:
            args.append(f"stride={fmt_axes(self.stride)}")
        if any(self.padding):
            args.append(f"padding={fmt_axes(self.padding)}")
        args += _fmt_flags(self)
        return f"{_name('avgpool', self.axes)}({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class MaxPoolNd(Layer):
    """``maxpool{d}d(size, stride=size, padding=0, dilation=1)``: ``max_pool{d}d``, per channel, ``-inf`` padding.

    ``y[m, i] = max_{a < k} xp[m, s i + d a]`` (per axis): the padding never wins, and a window that reads
    padding only (possible with dilation) gives ``-inf``, as in PyTorch.
    """

    size: Axes
    stride: Optional[Axes] = None
    padding: Axes = 0
    dilation: Axes = 1
    axes: int = 0
    ceil_mode: bool = False
    is_linear = False

    def __post_init__(self) -> None:
        d = _pool_ndim(self.size, self.axes)
        what = _name("maxpool", d)
        object.__setattr__(self, "axes", d)
        _pool_axes(self, what, d, ("size", None, _check_rate))
        _pool_axes(self, what, d, ("stride", self.size, _check_rate), ("padding", 0, _check_shift),
                   ("dilation", 1, _check_rate))
        _check_flag(self.ceil_mode, what, "ceil_mode")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    def __repr__(self) -> str:
        args = [fmt_axes(self.size)]
        for field, default in (("stride", self.size), ("padding", (0,) * self.axes), ("dilation", (1,) * self.axes)):
            if getattr(self, field) != default:
                args.append(f"{field}={fmt_axes(getattr(self, field))}")
        args += _fmt_flags(self)
        return f"{_name('maxpool', self.axes)}({', '.join(args)})"


def _flip_axes(axes: object) -> Axes:
    values = (axes,) if is_int(axes) else axes
    if not (isinstance(values, (tuple, list)) and values and all(is_int(a) and 0 <= a < MAX_FLIP_AXES for a in values)
            and len(set(values)) == len(values)):
        raise InvalidArgument("flip", "axes", axes, "distinct spatial axes counted from 0, e.g. (0,) or (0, 1)")
    return tuple(sorted(values))


#: Axes a ``flip(axes=...)`` may name (a chain has at most this many spatial axes in practice).
MAX_FLIP_AXES = 8


@dataclass(frozen=True, repr=False)
class SignalFlipNd(Layer):
    """``flip(axes=(a, ...))``: the listed spatial axes of an N-D signal reversed (axis 0 is the first after the
    channel), the shape kept:

        y[m, i] = x[m, i'],   i'_a = n_a - 1 - i_a for a in axes,  i'_a = i_a otherwise.

    It fits an N-D chain of any ``d > max(axes)`` (checked when the chain is built), as ``flip()`` fits any chain
    and reverses every axis (:class:`symconv.core.layers.Flip`); it is refused in a 1-D chain.
    """

    axes: Axes
    axes_free = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "axes", _flip_axes(self.axes))

    def __repr__(self) -> str:
        return f"flip(axes={axes_text(self.axes)})"


def flipped_axes(layer: Layer, ndim: int) -> Optional[frozenset[int]]:
    """The axes a flip layer reverses in a ``ndim``-D chain (``flip()``: all), None for any other layer."""
    if isinstance(layer, Flip):
        return frozenset(range(ndim))
    if isinstance(layer, SignalFlipNd):
        return frozenset(layer.axes)
    return None


def check_flip_axes(layers: Sequence[Layer], ndim: Optional[int] = None) -> None:
    """Refuse a ``flip(axes=...)`` that names an axis the chain (or sum) made of ``layers`` does not have."""
    from symconv.core.composite import Chain, Parallel

    dims = {step.ndim for step in layers if not step.axes_free}
    d = ndim or (max(dims) if dims else None)
    if d is None:
        return
    for step in layers:
        if isinstance(step, SignalFlipNd) and (d < 2 or max(step.axes) >= d):
            expected = (f"axes below {d} (the chain is {d}-D)" if d >= 2 else
                        "an N-D chain; a 1-D chain reverses with flip()")
            raise InvalidArgument("flip", "axes", step.axes, expected)
        if isinstance(step, (Chain, Parallel)):
            check_flip_axes(step.layers() if isinstance(step, Chain) else step.branches, d)


# --- constructors ------------------------------------------------------------------------------

def flip(axes: object = None) -> Layer:
    """Reversal: ``flip()`` reverses every axis (``y[i] = x[n - 1 - i]`` in 1-D); ``flip(axes=(0,))`` only the
    listed spatial axes of an N-D signal (as ``torch.flip`` on those dims)."""
    return Flip() if axes is None else SignalFlipNd(axes)


def conv_nd(weight: object, ndim: int, stride: object = 1, padding: object = 0, dilation: object = 1,
            groups: int = 1, bias: object = None) -> ConvNd:
    """A ``ndim``-D convolution, as ``torch.nn.functional.conv{ndim}d``."""
    return ConvNd(_weight(weight, ndim, _name("conv", ndim)), stride, padding, dilation, groups, bias)


def conv2d(weight: object, stride: object = 1, padding: object = 0, dilation: object = 1, groups: int = 1,
           bias: object = None) -> ConvNd:
    """A 2-D convolution layer, as ``torch.nn.functional.conv2d``."""
    return conv_nd(weight, 2, stride, padding, dilation, groups, bias)


def conv3d(weight: object, stride: object = 1, padding: object = 0, dilation: object = 1, groups: int = 1,
           bias: object = None) -> ConvNd:
    """A 3-D convolution layer, as ``torch.nn.functional.conv3d``."""
    return conv_nd(weight, 3, stride, padding, dilation, groups, bias)


def conv_transpose_nd(weight: object, ndim: int, stride: object = 1, padding: object = 0, output_padding: object = 0,
                      dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTransposeNd:
    """A ``ndim``-D transposed convolution, as ``torch.nn.functional.conv_transpose{ndim}d``."""
    return ConvTransposeNd(_weight(weight, ndim, _name("conv_transpose", ndim)), stride, padding, output_padding,
                           dilation, groups, bias)


def conv_transpose2d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTransposeNd:
    """A 2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``."""
    return conv_transpose_nd(weight, 2, stride, padding, output_padding, dilation, groups, bias)


def conv_transpose3d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTransposeNd:
    """A 3-D transposed convolution, as ``torch.nn.functional.conv_transpose3d``."""
    return conv_transpose_nd(weight, 3, stride, padding, output_padding, dilation, groups, bias)


def avgpool2d(size: object, stride: object = None, padding: object = 0, ceil_mode: bool = False,
              count_include_pad: bool = True) -> AvgPoolNd:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``."""
    return AvgPoolNd(size, stride, padding, 2, ceil_mode, count_include_pad)


def avgpool3d(size: object, stride: object = None, padding: object = 0, ceil_mode: bool = False,
              count_include_pad: bool = True) -> AvgPoolNd:
    """3-D average pooling, as ``torch.nn.functional.avg_pool3d``."""
    return AvgPoolNd(size, stride, padding, 3, ceil_mode, count_include_pad)


def maxpool2d(size: object, stride: object = None, padding: object = 0, dilation: object = 1,
              ceil_mode: bool = False) -> MaxPoolNd:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d`` (``ceil_mode=False``)."""
    return MaxPoolNd(size, stride, padding, dilation, 2, ceil_mode)


def maxpool3d(size: object, stride: object = None, padding: object = 0, dilation: object = 1,
              ceil_mode: bool = False) -> MaxPoolNd:
    """3-D max pooling, as ``torch.nn.functional.max_pool3d`` (``ceil_mode=False``)."""
    return MaxPoolNd(size, stride, padding, dilation, 3, ceil_mode)


def _tuples(*values: object) -> int:
    """The number of axes of the first per-axis tuple among ``values`` (0: all ints, a 1-D layer)."""
    for v in values:
        if isinstance(v, (tuple, list)):
            return len(v)
    return 0


def _as_axes(value: object, ndim: int, what: str, argument: str) -> Axes:
    if isinstance(value, (tuple, list)) and len(value) == ndim:
        return tuple(value)
    raise InvalidArgument(what, argument, value, f"a tuple of {ndim} values, one per axis, like the other arguments")


def pad(left: object, right: object = None) -> Layer:
    """Zero padding: ``left`` zeros before, ``right`` (default ``left``) after; per-axis tuples pad N-D signals."""
    d = _tuples(left, right)
    if d:
        before = _as_axes(left, d, "pad", "left")
        return PadNd(before, before if right is None else _as_axes(right, d, "pad", "right"))
    return Pad(left, left if right is None else right)


def crop(left: object, right: object = None) -> Layer:
    """Drop ``left`` samples at the start and ``right`` (default ``left``) at the end; per-axis tuples in N-D."""
    d = _tuples(left, right)
    if d:
        before = _as_axes(left, d, "crop", "left")
        return CropNd(before, before if right is None else _as_axes(right, d, "crop", "right"))
    return Crop(left, left if right is None else right)


def down(s: object, phase: object = 0) -> Layer:
    """Subsampling: ``y[i] = x[i*s + phase]``; ``down((s1, ..., sd), (q1, ..., qd))`` in N-D."""
    d = _tuples(s, phase)
    if d:
        return DownNd(_as_axes(s, d, "down", "s"), (0,) * d if phase == 0 else _as_axes(phase, d, "down", "phase"))
    return Down(s, phase)


def up(s: object) -> Layer:
    """Up-sampling with zeros: ``y[i*s] = x[i]``; ``up((s1, ..., sd))`` in N-D."""
    if _tuples(s):
        return UpNd(_as_axes(s, len(s), "up", "s"))
    return Up(s)


# --- the per-axis view: one 1-D layer per axis, the one length table -----------------------------

def is_nd(layer: Layer) -> bool:
    """Whether ``layer`` (or a layer of its chain) has 2 or more spatial axes."""
    return layer.ndim >= 2


def _ones(size: int) -> Literal:
    return Literal((((1,) * size,),))


def axis_layer(layer: Layer, axis: int) -> Layer:
    """The 1-D layer with ``layer``'s window arithmetic on one axis (all-ones taps for a convolution)."""
    if isinstance(layer, ConvNd):
        return Conv(_ones(layer.weight.spatial[axis]), layer.stride[axis], layer.padding[axis], layer.dilation[axis])
    if isinstance(layer, ConvTransposeNd):
        return ConvTranspose(_ones(layer.weight.spatial[axis]), layer.stride[axis], layer.padding[axis],
                             layer.output_padding[axis], layer.dilation[axis])
    if isinstance(layer, PadNd):
        return Pad(layer.before[axis], layer.after[axis])
    if isinstance(layer, CropNd):
        return Crop(layer.before[axis], layer.after[axis])
    if isinstance(layer, DownNd):
        return Down(layer.factors[axis], layer.phases[axis])
    if isinstance(layer, UpNd):
        return Up(layer.factors[axis])
    if isinstance(layer, AvgPoolNd):
        return AvgPool(layer.size[axis], layer.stride[axis], layer.padding[axis], layer.ceil_mode,
                       layer.count_include_pad)
    if isinstance(layer, MaxPoolNd):
        return MaxPool(layer.size[axis], layer.stride[axis], layer.padding[axis], layer.dilation[axis],
                       layer.ceil_mode)
    flipped = flipped_axes(layer, axis + 1)
    if flipped is not None:
        return Flip() if axis in flipped else Pad(0, 0)
    if layer.axes_free:
        return ReLU()  # relu and affine act sample by sample: a channel-free stand-in with the same lengths
    raise InvalidArgument("axis_layer", "layer", layer, "an N-D layer (conv2d, conv3d, conv_transpose2d, avgpool2d, "
                                                        "maxpool2d, pad, crop, down, up, flip, relu, affine)")


def axis_chain(layer: Layer, axis: int) -> Layer:
    """``layer``'s chain projected on one axis (a sum projects branch by branch)."""
    from symconv.core.composite import Parallel

    if isinstance(layer, Parallel):
        return Parallel(tuple(axis_chain(b, axis) for b in layer.branches))
    steps = [axis_chain(s, axis) if isinstance(s, Parallel) else axis_layer(s, axis) for s in layer.layers()]
    out = steps[0]
    for s in steps[1:]:
        out = out >> s
    return out


def output_shape(layer: Layer, shape: Sequence[int]) -> tuple[int, ...]:
    """The output shape ``(m1, ..., md)`` for an input of shape ``(n1, ..., nd)``: the length table per axis."""
    return tuple(output_length(axis_chain(layer, a), n) for a, n in enumerate(shape))
