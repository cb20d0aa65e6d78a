"""N-D convolutions: :class:`ConvNd` and :class:`ConvTransposeNd` for every number ``d >= 2`` of spatial axes.

As PyTorch's ``_ConvNd``: one class carries every argument for any ``d``, and
``conv2d``/``conv3d``/``conv_transpose2d``/``conv_transpose3d`` are thin
constructors. Arguments are normalised once, in the constructor
(:mod:`symconv.core.axes`): an int applies to every axis, a tuple gives one
value per axis, padding is stored as per-axis ``(left, right)`` pairs and
``'same'``/``'valid'`` are resolved there.

    y[o, i] = b[o] + sum_{m in group(o), a} W[o, m', a] xp[m, s * i + d * a]   (per axis, ``m' = m mod in/groups``)

>>> from symconv.core.kernel import kernel
>>> conv2d(kernel("k", 3, 3), stride=(2, 1), padding=1)
conv2d(k[3, 3], stride=(2, 1), padding=1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.axes import Axes, Pairs, checked_axes, fmt_axes, fmt_pairs, is_int, nd_name, padding_pairs, per_axis
from symconv.core.kernel import MAX_CHANNELS, check_positive_int
from symconv.core.kernel import Kernel, as_kernel_nd, is_generic
from symconv.core.layers import Layer, check_rate, check_shift
from symconv.errors import InvalidArgument, KernelError

__all__ = ["ConvNd", "ConvTransposeNd", "conv_nd", "conv2d", "conv3d", "conv_transpose_nd", "conv_transpose2d",
           "conv_transpose3d"]


def _weight(weight: object, ndim: int, what: str) -> Kernel:
    try:
        return as_kernel_nd(weight, ndim, what)
    except KernelError as err:
        raise InvalidArgument(what, "weight", weight, f"a {ndim}-D kernel such as k[{', '.join(['3'] * ndim)}] "
                                                      f"({err})") from None


def _groups(weight: Kernel, groups: object, what: str, transposed: bool) -> int:
    groups = check_positive_int(groups, what, "groups", MAX_CHANNELS)
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


def _fmt_bias(bias: Optional[tuple]) -> list[str]:
    return [] if bias is None else ["bias=[" + ", ".join(map(str, bias)) + "]"]


@dataclass(frozen=True, repr=False)
class ConvNd(Layer):
    """``conv{d}d(W, stride, padding, dilation, groups, bias)``: module docstring; padding is per-axis ``(l, r)``."""

    weight: Kernel
    stride: Axes = 1
    padding: Pairs = 0
    dilation: Axes = 1
    groups: int = 1
    bias: Optional[tuple[sympy.Expr, ...]] = None

    def __post_init__(self) -> None:
        what = "conv" if not isinstance(self.weight, Kernel) else nd_name("conv", self.weight.ndim)
        if not isinstance(self.weight, Kernel):
            raise InvalidArgument(what, "weight", self.weight, "an N-D kernel such as k[3, 3] or W[8, 4, 3, 3]")
        d = self.weight.ndim
        stride = checked_axes(per_axis(self.stride, d, what, "stride"), check_rate, what, "stride")
        dilation = checked_axes(per_axis(self.dilation, d, what, "dilation"), check_rate, what, "dilation")
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
            return self._same_pairs()
        pairs = padding_pairs(padding, self.ndim, what)
        if any(is_generic(p) for side in pairs for p in side) and pairs == self._same_pairs():
            return pairs  # 'same' already resolved (a copy of a layer with a generic size)
        for side in pairs:
            for p in side:
                check_shift(p, what, "padding")
        return pairs

    def _same_pairs(self) -> Pairs:
        """``'same'``: per axis ``floor(d (k - 1) / 2)`` zeros on the left and the rest on the right (as 1-D)."""
        pairs = []
        for d, k in zip(self.dilation, self.weight.spatial):
            total = d * (k - 1)
            left = total // 2 if is_int(total) else sympy.floor(total / 2)
            pairs.append((left, total - left))
        return tuple(pairs)

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
        generic = any(is_generic(p) for pair in self.padding for p in pair)
        if generic and self.padding == self._same_pairs():  # the one way a padding gets a generic size
            args.append("padding='same'")
        elif self.padding != ((0, 0),) * d:
            args.append(f"padding={fmt_pairs(self.padding)}")
        if self.dilation != (1,) * d:
            args.append(f"dilation={fmt_axes(self.dilation)}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        return f"{nd_name('conv', d)}({', '.join(args + _fmt_bias(self.bias))})"


@dataclass(frozen=True, repr=False)
class ConvTransposeNd(Layer):
    """``conv_transpose{d}d(W, stride, padding, output_padding, dilation, groups, bias)``, as PyTorch.

    Weight ``(in, out/groups, k1, ..., kd)``; input channel m of group g scatters
    ``y[g out/groups + o, s i + d a - p] += W[m, o, a] x[m, i]`` (per axis), then ``b[o]`` is added;
    each axis has the 1-D length ``(n - 1) s - 2p + d (k - 1) + op + 1``.
    """

    weight: Kernel
    stride: Axes = 1
    padding: Axes = 0
    output_padding: Axes = 0
    dilation: Axes = 1
    groups: int = 1
    bias: Optional[tuple[sympy.Expr, ...]] = None

    def __post_init__(self) -> None:
        if not isinstance(self.weight, Kernel):
            raise InvalidArgument("conv_transpose", "weight", self.weight, "an N-D kernel such as k[3, 3]")
        d = self.weight.ndim
        what = nd_name("conv_transpose", d)
        for field, check in (("stride", check_rate), ("padding", check_shift), ("output_padding", check_shift),
                             ("dilation", check_rate)):
            values = per_axis(getattr(self, field), d, what, field)
            object.__setattr__(self, field, checked_axes(values, check, what, field))
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
        return f"{nd_name('conv_transpose', d)}({', '.join(args + _fmt_bias(self.bias))})"


def conv_nd(weight: object, ndim: int, stride: object = 1, padding: object = 0, dilation: object = 1,
            groups: int = 1, bias: object = None) -> ConvNd:
    """A ``ndim``-D convolution, as ``torch.nn.functional.conv{ndim}d``."""
    return ConvNd(_weight(weight, ndim, nd_name("conv", ndim)), stride, padding, dilation, groups, bias)


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
    return ConvTransposeNd(_weight(weight, ndim, nd_name("conv_transpose", ndim)), stride, padding, output_padding,
                           dilation, groups, bias)


def conv_transpose2d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTransposeNd:
    """A 2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``."""
    return conv_transpose_nd(weight, 2, stride, padding, output_padding, dilation, groups, bias)


def conv_transpose3d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTransposeNd:
    """A 3-D transposed convolution, as ``torch.nn.functional.conv_transpose3d``."""
    return conv_transpose_nd(weight, 3, stride, padding, output_padding, dilation, groups, bias)
