"""The constructors of signal geometry (pad, crop, down, up, flips) and the per-axis view of every N-D layer.

A signal is ``x[m, i1, ..., id]`` (channel, then one index per axis), of
shape ``(n1, ..., nd)``. ``pad``/``crop``/``down``/``up`` build the layers of
:mod:`symconv.core.geometry`, one class each for every ``d``: an int gives a
1-D layer, a tuple one value per axis (re-exported here).
The convolutions live in :mod:`symconv.core.convolution`, the pools
in :mod:`symconv.core.pools`; their names are re-exported here, so
``from symconv.core.layers_nd import conv2d`` keeps working. Every class
takes one axis too (d = 1: ``conv``, ``pad(1, 2)``, ...); the constructors
here refuse a one-value tuple.

On each axis a layer acts with the window arithmetic of one 1-D layer
(:func:`axis_layer`), so its output shape is the 1-D length table of
:mod:`symconv.core.output_length` applied axis by axis (:func:`output_shape`):
there is one length formula per layer kind, not one per dimension.

Flips (one class, :class:`symconv.core.geometry.Flip`): ``flip()`` reverses
every axis of the chain it sits in (in 1-D, ``y[i] = x[n - 1 - i]``);
``flip(axes=(0,))`` reverses the listed spatial axes only, as ``torch.flip``
on dims ``2 + a``. Both keep the shape and fit a chain of any number of axes
(checked when the chain is built: :func:`check_flip_axes`).

>>> from symconv.core.kernel import kernel
>>> output_shape(conv2d(kernel("k", 3, 3), stride=2) >> down((1, 2)), (9, 9))
(4, 2)
>>> output_shape(conv3d(kernel("k", 3, 3, 3, ndim=3), stride=(2, 1, 1)), (7, 5, 3))
(3, 3, 1)
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence

from symconv.core.axes import Axes

from symconv.core.convolution import (Conv, ConvTranspose, conv2d, conv3d, conv_nd, conv_transpose2d,
                                  conv_transpose3d, conv_transpose_nd)
from symconv.core.kernel import Kernel, KernelSymbol, Literal, is_generic
from symconv.core.geometry import Crop, Down, Flip, Pad, Up
from symconv.core.layers import Layer
from symconv.core.nonlinear import ReLU
from symconv.core.output_length import Length, output_length
from symconv.core.pools import (AvgPool, L2Pool, MaxPool, avgpool2d, avgpool3d, l2pool2d, l2pool3d,
                                   maxpool2d, maxpool3d)
from symconv.errors import InvalidArgument

__all__ = ["Conv", "ConvTranspose", "Pad", "Crop", "Down", "Up", "AvgPool", "MaxPool", "L2Pool",
           "Flip",
           "flip", "flipped_axes", "check_flip_axes",
           "conv_nd", "conv2d", "conv3d", "conv_transpose_nd", "conv_transpose2d", "conv_transpose3d",
           "avgpool2d", "avgpool3d", "maxpool2d", "maxpool3d", "l2pool2d", "l2pool3d", "pad", "crop", "down", "up",
           "axis_layer", "axis_chain", "output_shape"]


def flipped_axes(layer: Layer, ndim: int) -> Optional[frozenset[int]]:
    """The axes a flip layer reverses in a ``ndim``-D chain (``flip()``: all), None for any other layer."""
    return layer.reversed_axes(ndim) if isinstance(layer, Flip) else None


def check_flip_axes(layers: Sequence[Layer], ndim: Optional[int] = None) -> None:
    """Refuse a ``flip(axes=...)`` that names an axis the chain (or sum) made of ``layers`` does not have."""
    from symconv.core.composite import Chain, Parallel

    dims = {step.ndim for step in layers if not step.axes_free}
    d = ndim or (max(dims) if dims else None)
    if d is None:
        return
    for step in layers:
        if isinstance(step, Flip) and step.axes is not None and (d < 2 or max(step.axes) >= d):
            expected = (f"axes below {d} (the chain is {d}-D)" if d >= 2 else
                        "an N-D chain; a 1-D chain reverses with flip()")
            raise InvalidArgument("flip", "axes", step.axes, expected)
        if isinstance(step, (Chain, Parallel)):
            check_flip_axes(step.layers() if isinstance(step, Chain) else step.branches, d)


# --- constructors ------------------------------------------------------------------------------

def flip(axes: object = None) -> Layer:
    """Reversal: ``flip()`` reverses every axis (``y[i] = x[n - 1 - i]`` in 1-D); ``flip(axes=(0,))`` only the
    listed spatial axes of an N-D signal (as ``torch.flip`` on those dims)."""
    return Flip(axes)


def _tuples(what: str, argument: str, *values: object) -> int:
    """The number of axes of the first per-axis tuple among ``values`` (0: all ints, a 1-D layer). A tuple of one
    value is refused: the constructors build a 1-D signal's layer from an int."""
    for v in values:
        if isinstance(v, (tuple, list)):
            if len(v) < 2:
                raise InvalidArgument(what, argument, v, "a tuple with one int per axis (2 or more axes)")
            return len(v)
    return 0


def _as_axes(value: object, ndim: int, what: str, argument: str) -> Axes:
    if isinstance(value, (tuple, list)) and len(value) == ndim:
        return tuple(value)
    raise InvalidArgument(what, argument, value, f"a tuple of {ndim} values, one per axis, like the other arguments")


def pad(left: object, right: object = None) -> Layer:
    """Zero padding: ``left`` zeros before, ``right`` (default ``left``) after; per-axis tuples pad N-D signals."""
    d = _tuples("pad", "before", left, right)
    if d:
        before = _as_axes(left, d, "pad", "left")
        return Pad(before, before if right is None else _as_axes(right, d, "pad", "right"))
    return Pad(left, left if right is None else right)


def crop(left: object, right: object = None) -> Layer:
    """Drop ``left`` samples at the start and ``right`` (default ``left``) at the end; per-axis tuples in N-D."""
    d = _tuples("crop", "before", left, right)
    if d:
        before = _as_axes(left, d, "crop", "left")
        return Crop(before, before if right is None else _as_axes(right, d, "crop", "right"))
    return Crop(left, left if right is None else right)


def down(s: object, phase: object = 0) -> Layer:
    """Subsampling: ``y[i] = x[i*s + phase]``; ``down((s1, ..., sd), (q1, ..., qd))`` in N-D."""
    d = _tuples("down", "factors", s, phase)
    if d:
        return Down(_as_axes(s, d, "down", "s"), (0,) * d if phase == 0 else _as_axes(phase, d, "down", "phase"))
    return Down(s, phase)


def up(s: object) -> Layer:
    """Up-sampling with zeros: ``y[i*s] = x[i]``; ``up((s1, ..., sd))`` in N-D."""
    if _tuples("up", "factors", s):
        return Up(_as_axes(s, len(s), "up", "s"))
    return Up(s)


# --- the per-axis view: one 1-D layer per axis, the one length table -----------------------------

def _ones(size: int) -> Literal:
    return Literal((((1,) * size,),))


def _axis_kernel(weight: Kernel, axis: int) -> Kernel:
    """A 1-D kernel of the weight's size on one axis: all ones, or for a generic size (``c``, ``2*c - 1``)
    the 1-D generic kernel ``k[c]`` named after the weight's first name, so the 1-D length table and
    derivation read the size in ``c``."""
    size = weight.spatial[axis]
    if not is_generic(size):
        return _ones(int(size))
    names = [s.name for s in weight.symbols()]
    return KernelSymbol(names[0] if names else "k", (size,))


def axis_layer(layer: Layer, axis: int) -> Layer:
    """The 1-D layer with ``layer``'s window arithmetic on one axis (all-ones taps for a convolution)."""
    if not layer.axes_free and not 0 <= axis < layer.ndim:
        raise InvalidArgument("axis_layer", "axis", axis, f"an axis of the {layer.ndim}-D layer {layer!r} (0 to "
                                                          f"{layer.ndim - 1})")
    if isinstance(layer, (Conv, ConvTranspose)) and layer.ndim == 1:
        return layer  # a 1-D convolution (axis 0, checked above) is its own projection
    if isinstance(layer, Conv):
        padding = layer.paddings[axis]
        if any(is_generic(p) for p in padding):  # 'same' with a generic size: the 1-D 'same', the same split
            padding = "same"
        return Conv(_axis_kernel(layer.weight, axis), layer.strides[axis], padding, layer.dilations[axis])
    if isinstance(layer, ConvTranspose):
        return ConvTranspose(_axis_kernel(layer.weight, axis), layer.strides[axis], layer.paddings[axis],
                             layer.output_paddings[axis], layer.dilations[axis])
    if isinstance(layer, (Pad, Crop)):
        return type(layer)(layer.before[axis], layer.after[axis])
    if isinstance(layer, Down):
        return Down(layer.factors[axis], layer.phases[axis])
    if isinstance(layer, Up):
        return Up(layer.factors[axis])
    if isinstance(layer, (AvgPool, MaxPool, L2Pool)):
        return layer.on_axis(axis)
    flipped = flipped_axes(layer, axis + 1)
    if flipped is not None:
        return Flip() if axis in flipped else Pad(0, 0)
    if layer.axes_free:
        return ReLU()  # relu and affine act sample by sample: a channel-free stand-in with the same lengths
    raise InvalidArgument("axis_layer", "layer", layer, "an N-D layer (conv2d, conv3d, conv_transpose2d, avgpool2d, "
                                                        "maxpool2d, l2pool2d, pad, crop, down, up, flip, relu, affine)")


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


def output_shape(layer: Layer, shape: Sequence[Length], sizes: Optional[Mapping[str, int]] = None) -> tuple:
    """The output shape ``(m1, ..., md)`` for an input of shape ``(n1, ..., nd)``: the length table per axis.

    ``n_a`` may be SymPy symbols and a kernel size generic (``k[c, 3]``): each ``m_a`` is then the 1-D
    table's quasi-affine form in ``n_a`` and ``c``; ``sizes`` gives the generic sizes values.

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.output_length import length_symbol
    >>> output_shape(conv2d(kernel("k", "c", 3), stride=2), (length_symbol("n1"), 9))
    (Max(0, floor(-c/2 + n1/2) + 1), 4)
    """
    if not layer.axes_free and len(shape) != layer.ndim:
        raise InvalidArgument("output_shape", "shape", tuple(shape), f"{layer.ndim} size(s), one per axis of the "
                                                                     f"{layer.ndim}-D chain {layer!r}")
    return tuple(output_length(axis_chain(layer, a), n, sizes) for a, n in enumerate(shape))
