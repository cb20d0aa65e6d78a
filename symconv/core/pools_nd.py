"""N-D pooling: :class:`AvgPoolNd`, :class:`MaxPoolNd` and :class:`L2PoolNd`, for every ``d >= 2`` spatial axes.

As ``torch.nn.functional.{avg,max,lp}_pool{d}d``: per channel, a window of
``size`` samples per axis moved by ``stride`` (default: the window), with
``ceil_mode`` keeping a last window that starts inside the input. Arguments
are normalised once to per-axis tuples (:mod:`symconv.core.axes`). On each
axis a pool has the window arithmetic of one 1-D pool (:meth:`AvgPoolNd.on_axis`),
which is what the length table and the divisors of the averages read.

>>> avgpool2d(2, stride=(2, 1)), maxpool3d(3, padding=1)
(avgpool2d(2, stride=(2, 1)), maxpool3d(3, padding=1))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.core.axes import Axes, checked_axes, fmt_axes, nd_name, per_axis
from symconv.core.layers import AvgPool, Layer, check_flag, check_rate, check_shift
from symconv.core.nonlinear import L2Pool, MaxPool
from symconv.errors import InvalidArgument

__all__ = ["AvgPoolNd", "MaxPoolNd", "L2PoolNd", "avgpool_divisor", "avgpool2d", "avgpool3d", "maxpool2d", "maxpool3d", "l2pool2d",
           "l2pool3d"]


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



def _pool_axes(layer: Layer, what: str, ndim: int, *fields: tuple[str, object, object]) -> None:
    for field, default, check in fields:
        value = getattr(layer, field)
        values = per_axis(default if value is None else value, ndim, what, field)
        object.__setattr__(layer, field, checked_axes(values, check, what, field))
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
        what = nd_name("avgpool", d)
        object.__setattr__(self, "axes", d)
        _pool_axes(self, what, d, ("size", None, check_rate))
        _pool_axes(self, what, d, ("stride", self.size, check_rate), ("padding", 0, check_shift))
        check_flag(self.ceil_mode, what, "ceil_mode")
        check_flag(self.count_include_pad, what, "count_include_pad")

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        """In the decided fragment when its flags change nothing on any axis (:attr:`AvgPool.is_linear`)."""
        return all(self.on_axis(a).is_linear for a in range(self.axes))

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    def on_axis(self, axis: int) -> AvgPool:
        """The 1-D average with this pool's window, stride, padding and flags on one axis."""
        return AvgPool(self.size[axis], self.stride[axis], self.padding[axis], self.ceil_mode, self.count_include_pad)

    def __repr__(self) -> str:
        args = [fmt_axes(self.size)]
        if self.stride != self.size:
            args.append(f"stride={fmt_axes(self.stride)}")
        if any(self.padding):
            args.append(f"padding={fmt_axes(self.padding)}")
        args += _fmt_flags(self)
        return f"{nd_name('avgpool', self.axes)}({', '.join(args)})"


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
        what = nd_name("maxpool", d)
        object.__setattr__(self, "axes", d)
        _pool_axes(self, what, d, ("size", None, check_rate))
        _pool_axes(self, what, d, ("stride", self.size, check_rate), ("padding", 0, check_shift),
                   ("dilation", 1, check_rate))
        check_flag(self.ceil_mode, what, "ceil_mode")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    def on_axis(self, axis: int) -> MaxPool:
        """The 1-D max-pool with this pool's window, stride, padding, dilation and ``ceil_mode`` on one axis."""
        return MaxPool(self.size[axis], self.stride[axis], self.padding[axis], self.dilation[axis], self.ceil_mode)

    def __repr__(self) -> str:
        args = [fmt_axes(self.size)]
        for field, default in (("stride", self.size), ("padding", (0,) * self.axes), ("dilation", (1,) * self.axes)):
            if getattr(self, field) != default:
                args.append(f"{field}={fmt_axes(getattr(self, field))}")
        args += _fmt_flags(self)
        return f"{nd_name('maxpool', self.axes)}({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class L2PoolNd(Layer):
    """``l2pool{d}d(size, stride=size, ceil_mode=False)``: ``lp_pool{d}d`` with ``norm_type=2``, per channel.

    ``y[m, i] = sqrt((K / q_i) sum_{a < k} x[m, s i + a]^2)`` (per axis, no padding), ``K = prod k``: PyTorch
    computes ``sqrt(K avg_pool{d}d(x^2))``, so ``q_i = K`` except where ``ceil_mode`` clips a last window to the
    input, where ``q_i`` is the number of samples it reads (the divisor of :class:`AvgPoolNd` with padding 0).
    """

    size: Axes
    stride: Optional[Axes] = None
    axes: int = 0
    ceil_mode: bool = False
    is_linear = False

    def __post_init__(self) -> None:
        d = _pool_ndim(self.size, self.axes)
        what = nd_name("l2pool", d)
        object.__setattr__(self, "axes", d)
        _pool_axes(self, what, d, ("size", None, check_rate))
        _pool_axes(self, what, d, ("stride", self.size, check_rate))
        check_flag(self.ceil_mode, what, "ceil_mode")

    @property
    def padding(self) -> Axes:
        """No padding on any axis: ``lp_pool{d}d`` has none."""
        return (0,) * self.axes

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.axes

    def on_axis(self, axis: int) -> Layer:
        """The 1-D ``l2pool`` with this pool's window and stride on one axis; with ``ceil_mode`` (which no 1-D
        ``l2pool`` has) a max-pool with the same windows stands in for it: the same lengths, also nonlinear."""
        if self.ceil_mode:
            return MaxPool(self.size[axis], self.stride[axis], 0, 1, True)
        return L2Pool(self.size[axis], self.stride[axis])

    def __repr__(self) -> str:
        args = [fmt_axes(self.size)]
        if self.stride != self.size:
            args.append(f"stride={fmt_axes(self.stride)}")
        args += _fmt_flags(self)
        return f"{nd_name('l2pool', self.axes)}({', '.join(args)})"


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


def l2pool2d(size: object, stride: object = None, ceil_mode: bool = False) -> L2PoolNd:
    """2-D L2-norm pooling, as ``torch.nn.functional.lp_pool2d`` with ``norm_type=2``."""
    return L2PoolNd(size, stride, 2, ceil_mode)


def l2pool3d(size: object, stride: object = None, ceil_mode: bool = False) -> L2PoolNd:
    """3-D L2-norm pooling, as ``torch.nn.functional.lp_pool3d`` with ``norm_type=2``."""
    return L2PoolNd(size, stride, 3, ceil_mode)
