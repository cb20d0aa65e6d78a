"""Convolutions: one :class:`Conv` and one :class:`ConvTranspose` for every number ``d`` of spatial axes.

As PyTorch's ``_Conv``: one class carries every argument for any ``d``, and
``conv``/``conv1d``/``conv2d``/``conv3d`` and the transposed constructors are
thin functions. Arguments are normalised once, in the constructor
(:mod:`symconv.core.axes`): an int applies to every axis, a tuple gives one
value per axis, padding is stored as per-axis ``(left, right)`` pairs and
``'same'``/``'valid'`` are resolved there (a 1-D ``(left, right)`` pair is
its one axis's pair).

    y[o, i] = b[o] + sum_{m in group(o), a} W[o, m', a] xp[m, s * i + d * a]   (per axis, ``m' = m mod in/groups``)

A 1-D layer also answers the 1-D names (``stride``, ``padding``, ``dilation``,
``output_padding``, :meth:`Conv.padding_pair`) and prints as ``conv(...)``;
on a layer of ``d >= 2`` axes those names raise an AttributeError naming the
per-axis field (``strides``, ...).

>>> from symconv.core.kernel import kernel
>>> conv2d(kernel("k", 3, 3), stride=(2, 1), padding=1)
conv2d(k[3, 3], stride=(2, 1), padding=1)
>>> conv(kernel("k", 3), stride=2, padding=(1, 0)).paddings
((1, 0),)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Union

from symconv.lazy_import import sympy

from symconv.core.axes import (Axes, Pairs, checked_axes, fmt_axes, fmt_pairs, is_int, nd_name, one_axis,
                               one_axis_property, padding_pairs, per_axis)
from symconv.core.kernel import (MAX_CHANNELS, Kernel, as_kernel, as_kernel_nd, check_positive_int, exact_expression,
                                 is_generic, literal)
from symconv.core.layers import Layer, check_rate, check_shift
from symconv.core.repr_args import fmt_args
from symconv.errors import InvalidArgument, KernelError

__all__ = ["Conv", "ConvTranspose", "conv", "conv_transpose", "conv_nd", "conv2d", "conv3d", "conv_transpose_nd",
           "conv_transpose2d", "conv_transpose3d", "bias_values"]

#: A bias: None, exact values (one per output channel), or at d = 1 a name ``b`` kept as the name.
Bias = Optional[Union[str, tuple["sympy.Expr", ...]]]


def _weight(weight: object, ndim: int, what: str) -> Kernel:
    try:
        return as_kernel_nd(weight, ndim, what)
    except KernelError as err:
        raise InvalidArgument(what, "weight", weight, f"a {ndim}-D kernel such as k[{', '.join(['3'] * ndim)}] "
                                                      f"({err})") from None


def _layer_weight(weight: object, what: str) -> Kernel:
    """The kernel a layer is built with: a kernel, or a list of numbers (a literal kernel)."""
    if isinstance(weight, (list, tuple)):
        weight = literal(weight)
    if not isinstance(weight, Kernel):
        raise InvalidArgument(what, "weight", weight, "a kernel such as k[3], k[3, 3] or W[8, 4, 3, 3]")
    return weight


def _name(base: str, ndim: int) -> str:
    """The layer's name in messages and text: ``conv`` in 1-D (the DSL's name), ``conv2d`` ..."""
    return base if ndim == 1 else nd_name(base, ndim)


def _groups(weight: Kernel, groups: object, what: str, transposed: bool) -> int:
    """``groups`` divides dim 0 of the weight in both layouts: ``(out, in/groups, ...)`` for conv and
    ``(in, out/groups, ...)`` for conv_transpose."""
    groups = check_positive_int(groups, what, "groups", MAX_CHANNELS)
    if weight.shape[0] % groups:
        side = "in_channels (dim 0)" if transposed else "out_channels (dim 0)"
        raise InvalidArgument(what, "groups", groups, f"a divisor of the weight's {side} = {weight.shape[0]}")
    return groups


def _bias(bias: object, channels: int, what: str, ndim: int) -> Bias:
    """Exact bias entries, one per output channel; a name ``b`` has the entries ``b_0, b_1, ...``.

    At d = 1 the name itself is kept (the 1-D numeric checker binds it by name, as a kernel's)."""
    if bias is None:
        return None
    if isinstance(bias, str):
        if not bias.isidentifier():
            raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
        if ndim == 1:
            return bias
        values = [sympy.Symbol(f"{bias}_{o}") for o in range(channels)]
    elif isinstance(bias, (list, tuple)):
        values = list(bias)
    elif isinstance(bias, (int, float)) and not isinstance(bias, bool) or isinstance(bias, sympy.Expr):
        values = [bias] * channels
    else:
        raise InvalidArgument(what, "bias", bias, "None, a name or a list of numbers")
    if len(values) != channels:
        raise InvalidArgument(what, "bias", list(values) if isinstance(bias, tuple) else bias,
                              f"{channels} number(s), one per output channel")
    return tuple(exact_expression(b, "bias") for b in values)


def bias_values(bias: Bias, channels: int) -> Optional[tuple[sympy.Expr, ...]]:
    """Exact bias per output channel; a named bias ``b`` has entries ``b_0, b_1, ...``."""
    if bias is None:
        return None
    if isinstance(bias, str):
        return tuple(sympy.Symbol(f"{bias}_{o}") for o in range(channels))
    return bias


def _bias_text(bias: Bias) -> list[str]:
    if bias is None:
        return []
    return [f"bias={bias}" if isinstance(bias, str) else "bias=[" + ", ".join(map(str, bias)) + "]"]


def _one_axis_padding(value: object, ndim: int) -> object:
    """A 1-D ``(left, right)`` pair is the pair of its one axis."""
    if ndim == 1 and isinstance(value, (tuple, list)) and len(value) == 2 and \
            not any(isinstance(v, (tuple, list)) for v in value):
        return ((value[0], value[1]),)
    return value


class _Convolution(Layer):
    """What a convolution and a transposed one share: a weight with d spatial axes, per-axis arguments stored
    once, the 1-D names of the two arguments both have, and the bias."""

    def _store_per_axis(self, what: str, checks: tuple) -> None:
        """Each ``(argument, check)``: the field ``argument + "s"`` as one checked value per axis."""
        for argument, check in checks:
            values = per_axis(getattr(self, argument + "s"), self.ndim, what, argument)
            object.__setattr__(self, argument + "s", checked_axes(values, check, what, argument))

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return self.weight.ndim

    stride = one_axis_property("strides", "stride", "The stride of a 1-D convolution.")
    dilation = one_axis_property("dilations", "dilation", "The dilation of a 1-D convolution.")

    def kernels(self) -> tuple:
        return (self.weight,)

    @property
    def bias_entries(self) -> Optional[tuple]:
        """The bias as exact values, one per output channel (a name ``b`` as ``b_0, b_1, ...``), or None."""
        return bias_values(self.bias, self.out_channels(None))


@dataclass(frozen=True, repr=False)
class Conv(_Convolution):
    """``conv(W, stride, padding, dilation, groups, bias)`` for d axes (module docstring); padding is per-axis
    ``(left, right)``; ``'same'`` puts ``floor(d (k - 1) / 2)`` zeros on the left of each axis and the rest on
    the right (a generic size keeps that formula in it)."""

    weight: Kernel
    strides: Axes = 1
    paddings: Pairs = 0
    dilations: Axes = 1
    groups: int = 1
    bias: Bias = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _layer_weight(self.weight, "conv"))
        d = self.weight.ndim
        what = _name("conv", d)
        self._store_per_axis(what, (("stride", check_rate), ("dilation", check_rate)))
        object.__setattr__(self, "paddings", self._padding(what))
        object.__setattr__(self, "groups", _groups(self.weight, self.groups, what, transposed=False))
        object.__setattr__(self, "bias", _bias(self.bias, self.weight.out_channels, what, d))

    def _padding(self, what: str) -> Pairs:
        padding = _one_axis_padding(self.paddings, self.ndim)
        if isinstance(padding, str) and padding not in ("same", "valid"):
            raise InvalidArgument(what, "padding", padding, "an int, a pair (left, right), 'same' or 'valid'"
                                  if self.ndim == 1 else f"an int, 'same', 'valid' or a tuple of {self.ndim} "
                                                         f"entries, each an int or a pair (left, right)")
        if padding == "valid":
            padding = 0
        if padding == "same":
            if any(s != 1 for s in self.strides):
                raise InvalidArgument(what, "padding", "same", "padding='same' only with stride=1 (as PyTorch)")
            return self._same_pairs()
        if not isinstance(padding, (tuple, list)):  # one amount on both sides of every axis; checked below
            pairs = ((padding, padding),) * self.ndim
        elif self.ndim == 1 and len(padding) != 1:
            raise InvalidArgument(what, "padding", padding, "an int, a pair (left, right), 'same' or 'valid'")
        else:
            pairs = padding_pairs(padding, self.ndim, what)
        if any(is_generic(p) for side in pairs for p in side) and pairs == self._same_pairs():
            return pairs  # 'same' already resolved (a copy of a layer with a generic size)
        for side in pairs:
            for p in side:
                check_shift(p, what, "padding")
        return pairs

    def _same_pairs(self) -> Pairs:
        """``'same'``: per axis ``floor(d (k - 1) / 2)`` zeros on the left and the rest on the right."""
        pairs = []
        for d, k in zip(self.dilations, self.weight.spatial):
            total = d * (k - 1)
            left = total // 2 if is_int(total) else sympy.floor(total / 2)
            pairs.append((left, total - left))
        return tuple(pairs)

    def _is_generic_same(self) -> bool:
        """Whether the padding is ``'same'`` with a generic size in it (the one way a padding gets one)."""
        return any(is_generic(p) for pair in self.paddings for p in pair) and self.paddings == self._same_pairs()

    @property
    def padding(self) -> Union[str, tuple]:
        """The padding of a 1-D convolution: its ``(left, right)`` pair, or ``'same'`` with a generic length."""
        pair = one_axis(self, self.paddings, "padding", "paddings")
        return "same" if self._is_generic_same() else pair

    def padding_pair(self) -> tuple:
        """``(left, right)`` zeros of a 1-D convolution (for ``'same'`` with a generic length:
        ``floor(d (c-1) / 2)`` and the rest)."""
        return one_axis(self, self.paddings, "padding_pair", "paddings")

    @property
    def in_channels(self) -> int:
        return self.weight.in_channels * self.groups

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.out_channels

    def __repr__(self) -> str:
        d = self.ndim
        if d == 1:
            left, right = self.paddings[0]
            padding = "same" if self._is_generic_same() else left if left == right else (left, right)
            args = fmt_args(repr(self.weight), stride=(self.strides[0], 1), padding=(padding, 0),
                            dilation=(self.dilations[0], 1), groups=(self.groups, 1))
            return f"conv({', '.join([args] + _bias_text(self.bias))})"
        args = [repr(self.weight)]
        if self.strides != (1,) * d:
            args.append(f"stride={fmt_axes(self.strides)}")
        if self._is_generic_same():
            args.append("padding='same'")
        elif self.paddings != ((0, 0),) * d:
            args.append(f"padding={fmt_pairs(self.paddings)}")
        if self.dilations != (1,) * d:
            args.append(f"dilation={fmt_axes(self.dilations)}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        return f"{nd_name('conv', d)}({', '.join(args + _bias_text(self.bias))})"


@dataclass(frozen=True, repr=False)
class ConvTranspose(_Convolution):
    """``conv_transpose(W, stride, padding, output_padding, dilation, groups, bias)`` for d axes, as PyTorch.

    Weight ``(in, out/groups, k1, ..., kd)``; input channel m of group g scatters
    ``y[g out/groups + o, s i + d a - p] += W[m, o, a] x[m, i]`` (per axis), then ``b[o]`` is added;
    each axis has the length ``(n - 1) s - 2p + d (k - 1) + op + 1``.
    """

    weight: Kernel
    strides: Axes = 1
    paddings: Axes = 0
    output_paddings: Axes = 0
    dilations: Axes = 1
    groups: int = 1
    bias: Bias = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight", _layer_weight(self.weight, "conv_transpose"))
        d = self.weight.ndim
        what = _name("conv_transpose", d)
        self._store_per_axis(what, (("stride", check_rate), ("dilation", check_rate), ("padding", check_shift),
                                    ("output_padding", check_shift)))
        for op, s, dil in zip(self.output_paddings, self.strides, self.dilations):
            if op >= s and op >= dil:
                if d == 1:
                    raise InvalidArgument(what, "output_padding", op,
                                          f"a value below stride={s} or dilation={dil} (as PyTorch)")
                raise InvalidArgument(what, "output_padding", self.output_paddings,
                                      "below the stride or the dilation on each axis (as PyTorch)")
        object.__setattr__(self, "groups", _groups(self.weight, self.groups, what, transposed=True))
        object.__setattr__(self, "bias", _bias(self.bias, self.out_channels(None), what, d))

    padding = one_axis_property("paddings", "padding", "The padding of a 1-D transposed convolution.")
    output_padding = one_axis_property("output_paddings", "output_padding",
                                       "The output padding of a 1-D transposed convolution.")

    @property
    def in_channels(self) -> int:
        return self.weight.shape[0]

    def out_channels(self, in_channels: Optional[int]) -> int:
        return self.weight.shape[1] * self.groups

    def __repr__(self) -> str:
        d = self.ndim
        args = [repr(self.weight)]
        for field, default in (("stride", 1), ("padding", 0), ("output_padding", 0), ("dilation", 1)):
            if getattr(self, field + "s") != (default,) * d:
                args.append(f"{field}={fmt_axes(getattr(self, field + 's'))}")
        if self.groups != 1:
            args.append(f"groups={self.groups}")
        return f"{_name('conv_transpose', d)}({', '.join(args + _bias_text(self.bias))})"


# Constructors with PyTorch's argument names and defaults.

def conv(weight: object, stride: object = 1, padding: object = 0, dilation: object = 1, groups: int = 1,
         bias: object = None) -> Conv:
    """A 1-D convolution (cross-correlation), as ``torch.nn.functional.conv1d``; ``padding`` may be a pair
    ``(left, right)``."""
    return Conv(as_kernel(weight), stride, padding, dilation, groups, bias)


def conv_transpose(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                   dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """A 1-D transposed convolution, as ``torch.nn.functional.conv_transpose1d``."""
    return ConvTranspose(as_kernel(weight), stride, padding, output_padding, dilation, groups, bias)


def conv_nd(weight: object, ndim: int, stride: object = 1, padding: object = 0, dilation: object = 1,
            groups: int = 1, bias: object = None) -> Conv:
    """A ``ndim``-D convolution, as ``torch.nn.functional.conv{ndim}d``."""
    return Conv(_weight(weight, ndim, nd_name("conv", ndim)), stride, padding, dilation, groups, bias)


def conv2d(weight: object, stride: object = 1, padding: object = 0, dilation: object = 1, groups: int = 1,
           bias: object = None) -> Conv:
    """A 2-D convolution layer, as ``torch.nn.functional.conv2d``."""
    return conv_nd(weight, 2, stride, padding, dilation, groups, bias)


def conv3d(weight: object, stride: object = 1, padding: object = 0, dilation: object = 1, groups: int = 1,
           bias: object = None) -> Conv:
    """A 3-D convolution layer, as ``torch.nn.functional.conv3d``."""
    return conv_nd(weight, 3, stride, padding, dilation, groups, bias)


def conv_transpose_nd(weight: object, ndim: int, stride: object = 1, padding: object = 0, output_padding: object = 0,
                      dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """A ``ndim``-D transposed convolution, as ``torch.nn.functional.conv_transpose{ndim}d``."""
    return ConvTranspose(_weight(weight, ndim, nd_name("conv_transpose", ndim)), stride, padding, output_padding,
                           dilation, groups, bias)


def conv_transpose2d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """A 2-D transposed convolution, as ``torch.nn.functional.conv_transpose2d``."""
    return conv_transpose_nd(weight, 2, stride, padding, output_padding, dilation, groups, bias)


def conv_transpose3d(weight: object, stride: object = 1, padding: object = 0, output_padding: object = 0,
                     dilation: object = 1, groups: int = 1, bias: object = None) -> ConvTranspose:
    """A 3-D transposed convolution, as ``torch.nn.functional.conv_transpose3d``."""
    return conv_transpose_nd(weight, 3, stride, padding, output_padding, dilation, groups, bias)
