"""Pooling, one class each for every number ``d`` of spatial axes: :class:`AvgPool`, :class:`MaxPool`, :class:`L2Pool`.

As ``torch.nn.functional.{avg,max,lp}_pool{d}d``: per channel, a window of
``size`` samples per axis moved by ``stride`` (default: the window), with
``ceil_mode`` keeping a last window that starts inside the input. Arguments
are normalised once to per-axis tuples (``sizes``, ``strides``, ``paddings``,
``dilations``; :mod:`symconv.core.axes`). A 1-D pool (``avgpool(3)``, or
ints given to the class) also answers the 1-D names ``size``, ``stride``,
``padding``, ``dilation``, and reads as 1-D DSL; for ``d >= 2`` those names
do not exist. On each axis a pool has the window arithmetic of one 1-D pool
(:meth:`AvgPool.on_axis`), which is what the length table and the divisors
of the averages read.

>>> avgpool2d(2, stride=(2, 1)), maxpool3d(3, padding=1), AvgPool(3, 2, 1), L2Pool((2, 2), axes=0).strides
(avgpool2d(2, stride=(2, 1)), maxpool3d(3, padding=1), avgpool(3, stride=2, padding=1), (2, 2))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from symconv.core.axes import Axes, checked_axes, fmt_axes, is_int, nd_name, one_axis_property, per_axis
from symconv.core.layers import Layer, check_flag, check_rate, check_shift
from symconv.core.repr_args import fmt_args
from symconv.errors import InvalidArgument

__all__ = ["AvgPool", "MaxPool", "L2Pool", "avgpool_divisor", "avgpool",
           "maxpool", "l2pool", "avgpool2d", "avgpool3d", "maxpool2d", "maxpool3d", "l2pool2d", "l2pool3d"]


def avgpool_divisor(layer: AvgPool, n: int, i: int) -> int:
    """The divisor of output ``i`` of the 1-D ``avgpool`` on ``n`` samples, as ``avg_pool1d`` (an N-D window's
    divisor is the product of its axes' ones).

    The window starts at ``t = i*s - p``; ``q = min(t + size, n + p) - t`` (the window clipped to the right
    padding, which only a ``ceil_mode`` window crosses), or with ``count_include_pad=False`` the number of
    input samples in it, ``min(t + size, n) - max(t, 0)``.

    >>> avgpool_divisor(AvgPool(3, 2, 1, ceil_mode=True), 4, 2), avgpool_divisor(AvgPool(3, 2, 1, False, False), 4, 0)
    (2, 2)
    """
    start = i * layer.stride - layer.padding
    if layer.count_include_pad:
        return min(start + layer.size, n + layer.padding) - start
    return min(start + layer.size, n) - max(start, 0)


#: Most spatial axes a pool takes.
MAX_POOL_AXES = 8

#: One pool argument: its field, the name it has in messages and the DSL, its default (None: the sizes), its check.
_Argument = tuple[str, str, object, Callable[[object, str, str], int]]


def _pool_axes(layer: Layer, base: str, arguments: tuple[_Argument, ...]) -> None:
    """Normalise ``layer``'s arguments once to one checked value per axis, and its ``axes`` to the number d of axes.

    ``axes`` 1, or 0 with every argument an int: a 1-D pool, checked as ``avgpool`` checks an int (a tuple is
    refused); ``axes`` d >= 2: an int means every axis; ``axes`` 0 with a tuple: one value per axis of it."""
    if not (is_int(layer.axes) and 0 <= layer.axes <= MAX_POOL_AXES):
        raise InvalidArgument(base, "axes", layer.axes, f"a number of spatial axes from 1 to {MAX_POOL_AXES} (0: as "
                                                         f"many as the per-axis arguments give)")
    given = [getattr(layer, field) for field, _, _, _ in arguments]
    tuples = [len(v) for v in given if isinstance(v, (tuple, list))]
    d = layer.axes or (tuples[0] if tuples else 1)
    one_d = layer.axes == 1 or (layer.axes == 0 and not tuples)
    what = base if d == 1 else nd_name(base, d)
    for field, name, default, check in arguments:
        value = getattr(layer, field)
        if value is None and isinstance(default, str):  # the stride defaults to the window: the normalised sizes
            value = getattr(layer, default)[0] if one_d else getattr(layer, default)
        value = default if value is None else value
        if one_d:
            value = value[0] if isinstance(value, (tuple, list)) and len(value) == 1 else value  # a normalised one
            check(value, what, name)  # an int, checked as the 1-D pool checks it
            values = (value,)
        else:
            values = checked_axes(per_axis(value, d, what, name), check, what, name)
        object.__setattr__(layer, field, values)
    object.__setattr__(layer, "axes", d)
    paddings = getattr(layer, "paddings", None)
    if isinstance(paddings, tuple):
        for k, p in zip(layer.sizes, paddings):
            if 2 * p > k:
                expected = (f"at most size/2 = {k / 2:g} (as PyTorch)" if one_d else
                            "at most size/2 on each axis (as PyTorch)")
                raise InvalidArgument(what, "padding", paddings[0] if one_d else paddings, expected)


def _fmt_flags(layer: Layer) -> list[str]:
    """``ceil_mode=True`` and ``count_include_pad=False`` when given (the defaults are left out)."""
    flags = [("ceil_mode", False), ("count_include_pad", True)]
    return [f"{name}={getattr(layer, name)!r}" for name, default in flags
            if getattr(layer, name, default) != default]


class _Pool(Layer):
    """What the three pools share: the number of axes and the 1-D names of a 1-D pool."""

    sizes: Axes
    strides: Axes
    axes: int

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    size = one_axis_property("sizes", "size", "``sizes[0]`` of a 1-D pool.")
    stride = one_axis_property("strides", "stride", "``strides[0]`` of a 1-D pool.")
    padding = one_axis_property("paddings", "padding", "``paddings[0]`` of a 1-D pool.")

    def _text(self, base: str, **keywords: tuple[object, object]) -> str:
        """DSL text: ``avgpool(3, stride=2)`` in 1-D, ``avgpool2d(2, stride=(2, 1))`` in N-D."""
        if self.axes == 1:
            args = fmt_args(str(self.sizes[0]), **{k: (v[0], d[0]) for k, (v, d) in keywords.items()})
            return f"{base}({', '.join([args] + _fmt_flags(self))})"
        args = [fmt_axes(self.sizes)] + [f"{k}={fmt_axes(v)}" for k, (v, d) in keywords.items() if v != d]
        return f"{nd_name(base, self.axes)}({', '.join(args + _fmt_flags(self))})"


@dataclass(frozen=True, repr=False)
class AvgPool(_Pool):
    """``avgpool{d}d(size, stride=size, padding=0, ceil_mode=False, count_include_pad=True)``: ``avg_pool{d}d``.

    ``y[m, i] = (1 / q_i) sum_{a < k} xp[m, s i + a]`` (per axis); ``q_i = prod k`` except where ``ceil_mode``
    clips a last window to ``n + padding`` or ``count_include_pad=False`` counts only the input samples
    (the product of the 1-D divisors, axis by axis: :func:`avgpool_divisor`).
    """

    sizes: Axes
    strides: Optional[Axes] = None
    paddings: Axes = 0
    ceil_mode: bool = False
    count_include_pad: bool = True
    axes: int = 0

    def __post_init__(self) -> None:
        _pool_axes(self, "avgpool", (("sizes", "size", None, check_rate), ("strides", "stride", "sizes", check_rate),
                                     ("paddings", "padding", 0, check_shift)))
        what = "avgpool" if self.axes == 1 else nd_name("avgpool", self.axes)
        check_flag(self.ceil_mode, what, "ceil_mode")
        check_flag(self.count_include_pad, what, "count_include_pad")

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        """In the decided fragment when its flags change nothing on any axis (``count_include_pad=False``
        without padding; ``ceil_mode`` where it adds no window: the same length step). Otherwise the average is
        linear, but its edge windows divide by fewer samples, which no polyphase normal form states; the prover
        then treats it as it treats nonlinear layers (numeric evidence, never ``proved``)."""
        from symconv.core.output_length import pool_window_offset  # the one length table (it imports layers)

        for k, s, p in zip(self.sizes, self.strides, self.paddings):
            ceil_adds = self.ceil_mode and pool_window_offset(p, p, k, s, True) != pool_window_offset(p, p, k, s)
            if ceil_adds or not (self.count_include_pad or p == 0):
                return False
        return True

    def on_axis(self, axis: int) -> "AvgPool":
        """The 1-D average with this pool's window, stride, padding and flags on one axis."""
        return AvgPool(self.sizes[axis], self.strides[axis], self.paddings[axis], self.ceil_mode,
                       self.count_include_pad)

    def __repr__(self) -> str:
        return self._text("avgpool", stride=(self.strides, self.sizes), padding=(self.paddings, (0,) * self.axes))


@dataclass(frozen=True, repr=False)
class MaxPool(_Pool):
    """``maxpool{d}d(size, stride=size, padding=0, dilation=1, ceil_mode=False)``: ``max_pool{d}d``, per channel.

    ``y[m, i] = max_{a < k} xp[m, s i + d a]`` (per axis), ``-inf`` padding: the padding never wins, and a window
    that reads padding only (possible with dilation) gives ``-inf``, as in PyTorch; with ``ceil_mode`` a last
    window may run past the right padding, and what lies beyond the input reads ``-inf``.
    """

    sizes: Axes
    strides: Optional[Axes] = None
    paddings: Axes = 0
    dilations: Axes = 1
    ceil_mode: bool = False
    axes: int = 0
    is_linear = False

    def __post_init__(self) -> None:
        _pool_axes(self, "maxpool", (("sizes", "size", None, check_rate), ("strides", "stride", "sizes", check_rate),
                                     ("paddings", "padding", 0, check_shift), ("dilations", "dilation", 1, check_rate)))
        check_flag(self.ceil_mode, "maxpool" if self.axes == 1 else nd_name("maxpool", self.axes), "ceil_mode")

    dilation = one_axis_property("dilations", "dilation", "``dilations[0]`` of a 1-D pool.")

    def on_axis(self, axis: int) -> "MaxPool":
        """The 1-D max-pool with this pool's window, stride, padding, dilation and ``ceil_mode`` on one axis."""
        return MaxPool(self.sizes[axis], self.strides[axis], self.paddings[axis], self.dilations[axis], self.ceil_mode)

    def __repr__(self) -> str:
        return self._text("maxpool", stride=(self.strides, self.sizes), padding=(self.paddings, (0,) * self.axes),
                          dilation=(self.dilations, (1,) * self.axes))


@dataclass(frozen=True, repr=False)
class L2Pool(_Pool):
    """``l2pool{d}d(size, stride=size, ceil_mode=False)``: ``lp_pool{d}d`` with ``norm_type=2``, per channel.

    ``y[m, i] = sqrt((K / q_i) sum_{a < k} x[m, s i + a]^2)`` (per axis, no padding), ``K = prod k``: PyTorch
    computes ``sqrt(K avg_pool{d}d(x^2))``, so ``q_i = K`` except where ``ceil_mode`` clips a last window to the
    input, where ``q_i`` is the number of samples it reads (the divisor of :class:`AvgPool` with padding 0).
    """

    sizes: Axes
    strides: Optional[Axes] = None
    ceil_mode: bool = False
    axes: int = 0
    is_linear = False

    def __post_init__(self) -> None:
        _pool_axes(self, "l2pool", (("sizes", "size", None, check_rate), ("strides", "stride", "sizes", check_rate)))
        check_flag(self.ceil_mode, "l2pool" if self.axes == 1 else nd_name("l2pool", self.axes), "ceil_mode")
        if self.ceil_mode and self.axes == 1:  # the 1-D length table and semantics have no clipped last window
            raise InvalidArgument("l2pool", "ceil_mode", True, "False in 1-D (l2pool2d and l2pool3d take ceil_mode)")

    @property
    def paddings(self) -> Axes:
        """No padding on any axis: ``lp_pool{d}d`` has none."""
        return (0,) * self.axes

    def on_axis(self, axis: int) -> Layer:
        """The 1-D ``l2pool`` with this pool's window and stride on one axis; with ``ceil_mode`` (which the 1-D
        ``l2pool`` of the DSL does not take) a max-pool with the same windows stands in for it: the same lengths,
        also nonlinear."""
        if self.ceil_mode:
            return MaxPool(self.sizes[axis], self.strides[axis], 0, 1, True)
        return L2Pool(self.sizes[axis], self.strides[axis])

    def __repr__(self) -> str:
        return self._text("l2pool", stride=(self.strides, self.sizes))


def _ints(what: str, **arguments: object) -> None:
    """A 1-D pool's arguments are ints (``avgpool2d`` takes per-axis tuples): a tuple is refused as not an int."""
    for name, value in arguments.items():
        if isinstance(value, (tuple, list)):
            check_rate(value, what, name)


def avgpool(size: int, stride: Optional[int] = None, padding: int = 0, ceil_mode: bool = False,
            count_include_pad: bool = True) -> AvgPool:
    """Average pooling, as ``avg_pool1d``."""
    _ints("avgpool", size=size, stride=stride, padding=padding)
    return AvgPool(size, stride, padding, ceil_mode, count_include_pad, 1)


def maxpool(size: int, stride: Optional[int] = None, padding: int = 0, dilation: int = 1,
            ceil_mode: bool = False) -> MaxPool:
    """Max pooling, as ``max_pool1d``."""
    _ints("maxpool", size=size, stride=stride, padding=padding, dilation=dilation)
    return MaxPool(size, stride, padding, dilation, ceil_mode, 1)


def l2pool(size: int, stride: Optional[int] = None) -> L2Pool:
    """L2-norm pooling, as ``lp_pool1d`` with ``norm_type=2``."""
    _ints("l2pool", size=size, stride=stride)
    return L2Pool(size, stride, False, 1)


def avgpool2d(size: object, stride: object = None, padding: object = 0, ceil_mode: bool = False,
              count_include_pad: bool = True) -> AvgPool:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``."""
    return AvgPool(size, stride, padding, ceil_mode, count_include_pad, 2)


def avgpool3d(size: object, stride: object = None, padding: object = 0, ceil_mode: bool = False,
              count_include_pad: bool = True) -> AvgPool:
    """3-D average pooling, as ``torch.nn.functional.avg_pool3d``."""
    return AvgPool(size, stride, padding, ceil_mode, count_include_pad, 3)


def maxpool2d(size: object, stride: object = None, padding: object = 0, dilation: object = 1,
              ceil_mode: bool = False) -> MaxPool:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d`` (``ceil_mode=False``)."""
    return MaxPool(size, stride, padding, dilation, ceil_mode, 2)


def maxpool3d(size: object, stride: object = None, padding: object = 0, dilation: object = 1,
              ceil_mode: bool = False) -> MaxPool:
    """3-D max pooling, as ``torch.nn.functional.max_pool3d`` (``ceil_mode=False``)."""
    return MaxPool(size, stride, padding, dilation, ceil_mode, 3)


def l2pool2d(size: object, stride: object = None, ceil_mode: bool = False) -> L2Pool:
    """2-D L2-norm pooling, as ``torch.nn.functional.lp_pool2d`` with ``norm_type=2``."""
    return L2Pool(size, stride, ceil_mode, 2)


def l2pool3d(size: object, stride: object = None, ceil_mode: bool = False) -> L2Pool:
    """3-D L2-norm pooling, as ``torch.nn.functional.lp_pool3d`` with ``norm_type=2``."""
    return L2Pool(size, stride, ceil_mode, 3)
