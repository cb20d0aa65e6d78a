"""2-D pooling: ``avgpool2d`` and ``maxpool2d``, as ``torch.nn.functional.avg_pool2d`` / ``max_pool2d``.

Each acts per channel and, on each axis, with the window arithmetic of its
1-D counterpart (:func:`symconv.core.layers2d.axis_layer`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.core.layers import Layer, _check_rate, _check_shift
from symconv.core.pairs import Pair, fmt_pair, pair
from symconv.errors import InvalidArgument

__all__ = ["AvgPool2d", "MaxPool2d", "avgpool2d", "maxpool2d"]


@dataclass(frozen=True, repr=False)
class AvgPool2d(Layer):
    """``avgpool2d(size, stride=size, padding=0)``: ``avg_pool2d`` with ``count_include_pad=True``, per channel.

    ``y[m, i1, i2] = (1 / (k1 k2)) sum_{a < k1, b < k2} xp[m, s1 i1 + a, s2 i2 + b]``.
    """

    size: Pair
    stride: Optional[Pair] = None
    padding: Pair = (0, 0)
    ndim = 2

    def __post_init__(self) -> None:
        size = pair(self.size, "avgpool2d", "size")
        stride = size if self.stride is None else pair(self.stride, "avgpool2d", "stride")
        padding = pair(self.padding, "avgpool2d", "padding")
        for k, s, p in zip(size, stride, padding):
            _check_rate(k, "avgpool2d", "size")
            _check_rate(s, "avgpool2d", "stride")
            _check_shift(p, "avgpool2d", "padding")
            if 2 * p > k:
                raise InvalidArgument("avgpool2d", "padding", self.padding, "at most size/2 on each axis (as PyTorch)")
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "stride", stride)
        object.__setattr__(self, "padding", padding)

    def __repr__(self) -> str:
        args = [fmt_pair(self.size)]
        if self.stride != self.size:
            args.append(f"stride={fmt_pair(self.stride)}")
        if self.padding != (0, 0):
            args.append(f"padding={fmt_pair(self.padding)}")
        return f"avgpool2d({', '.join(args)})"


@dataclass(frozen=True, repr=False)
class MaxPool2d(Layer):
    """``maxpool2d(size, stride=size, padding=0, dilation=1)``: ``max_pool2d``, per channel, padding with ``-inf``.

    ``y[m, i1, i2] = max_{a < k1, b < k2} xp[m, s1 i1 + d1 a, s2 i2 + d2 b]``: the padding never wins, and a
    window that reads padding only (possible with dilation) gives ``-inf``, as in PyTorch.
    """

    size: Pair
    stride: Optional[Pair] = None
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ndim = 2
    is_linear = False

    def __post_init__(self) -> None:
        size = pair(self.size, "maxpool2d", "size")
        stride = size if self.stride is None else pair(self.stride, "maxpool2d", "stride")
        padding, dilation = pair(self.padding, "maxpool2d", "padding"), pair(self.dilation, "maxpool2d", "dilation")
        for k, s, p, d in zip(size, stride, padding, dilation):
            _check_rate(k, "maxpool2d", "size")
            _check_rate(s, "maxpool2d", "stride")
            _check_rate(d, "maxpool2d", "dilation")
            _check_shift(p, "maxpool2d", "padding")
            if 2 * p > k:
                raise InvalidArgument("maxpool2d", "padding", self.padding, "at most size/2 on each axis (as PyTorch)")
        for field, value in (("size", size), ("stride", stride), ("padding", padding), ("dilation", dilation)):
            object.__setattr__(self, field, value)

    def __repr__(self) -> str:
        args = [fmt_pair(self.size)]
        for field, default in (("stride", self.size), ("padding", (0, 0)), ("dilation", (1, 1))):
            if getattr(self, field) != default:
                args.append(f"{field}={fmt_pair(getattr(self, field))}")
        return f"maxpool2d({', '.join(args)})"


def maxpool2d(size: object, stride: object = None, padding: object = 0, dilation: object = 1) -> MaxPool2d:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d`` (``ceil_mode=False``)."""
    return MaxPool2d(size, stride, padding, dilation)


def avgpool2d(size: object, stride: object = None, padding: object = 0) -> AvgPool2d:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d`` (``count_include_pad=True``)."""
    return AvgPool2d(size, stride, padding)
