"""1-D layers lifted to the N-D classes at d = 1: one meaning, read by the code written for every d.

:func:`as_nd` maps each 1-D layer to the N-D layer with ``ndim == 1`` that has
the same meaning (PyTorch's ``conv1d``, ``conv_transpose1d``, ``avg_pool1d``,
...), argument for argument:

* ``conv(k, s, p, d, g, b)`` -> ``ConvNd(k', (s,), ((pl, pr),), (d,), g, b)`` (``'same'`` kept as ``'same'``,
  so a generic length ``k[c]`` splits as in 1-D);
* ``conv_transpose`` -> its N-D class with one value per argument;
* ``pad``, ``crop``, ``down``, ``up`` (:mod:`symconv.core.geometry`) and the pools (:mod:`symconv.core.pools_nd`)
  are one class each for every d: kept;
* ``flip()``, ``relu()``, ``affine(...)`` fit a chain of any ``d``: they are kept; chains and sums are lifted
  step by step and branch by branch.

A kernel is one class for every d, so the lifted layer holds the 1-D layer's kernel itself. Layers that are
already N-D pass through.

>>> from symconv.core.layers import conv, pad
>>> from symconv.core.kernel import kernel
>>> as_nd(conv(kernel("k", 3), stride=2, padding=(1, 0)) >> pad(2))
conv1d(k[3], stride=2, padding=((1, 0),)) >> pad(2)
"""

from __future__ import annotations

from functools import lru_cache

from symconv.core.composite import Chain, Parallel
from symconv.core.kernel import Kernel
from symconv.core.geometry import Crop, Down, Pad, Up
from symconv.core.layers import Conv, ConvTranspose, Layer
from symconv.core.layers_nd import ConvNd, ConvTransposeNd
from symconv.core.pools_nd import AvgPool, L2Pool, MaxPool
from symconv.errors import InvalidArgument

__all__ = ["as_nd", "as_kernel_nd1"]


def as_kernel_nd1(k: Kernel) -> Kernel:
    """The kernel of a 1-D layer as the N-D layer reads it: the same object (one class for every d)."""
    if isinstance(k, Kernel) and k.ndim == 1:
        return k
    raise InvalidArgument("as_nd", "kernel", k, "a 1-D kernel (k[3], a literal list or a kernel expression)")


def _conv_padding(layer: Conv) -> object:
    if layer.padding in ("same", "valid"):
        return layer.padding
    return (layer.padding_pair(),)


def _lift_leaf(layer: Layer) -> Layer:
    if isinstance(layer, Conv):
        return ConvNd(as_kernel_nd1(layer.weight), (layer.stride,), _conv_padding(layer), (layer.dilation,),
                      layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose):
        return ConvTransposeNd(as_kernel_nd1(layer.weight), (layer.stride,), (layer.padding,),
                               (layer.output_padding,), (layer.dilation,), layer.groups, layer.bias)
    if layer.axes_free or layer.ndim >= 2 or isinstance(layer, (ConvNd, ConvTransposeNd, Pad, Crop, Down, Up,
                                                                    AvgPool, MaxPool, L2Pool)):
        return layer  # flip(), relu(), affine() fit any d; geometry and pools are one class for every d
    raise InvalidArgument("as_nd", "layer", layer, "a 1-D layer (conv, conv_transpose, pad, crop, down, up, flip, "
                                                   "avgpool, maxpool, l2pool, relu, affine) or a chain of them")


@lru_cache(maxsize=1024)
def _lift_cached(layer: Layer) -> Layer:
    return _lift(layer)


def as_nd(layer: Layer) -> Layer:
    """The N-D layer (``ndim == 1``) with the meaning of the 1-D ``layer``: see the module docstring.

    ``y = layer(x)`` in :mod:`symconv.core.semantics` is ``y = as_nd(layer)(x)`` in
    :mod:`symconv.core.semantics_nd` at every length ``n >= 0`` (the same samples, the same tap symbols).

    >>> from symconv.core.layers import avgpool, conv, relu
    >>> as_nd(avgpool(2) >> (conv([1, 1], padding=(1, 0)) + relu()))
    avgpool(2) >> (conv1d([1, 1], padding=((1, 0),)) + relu())
    """
    try:
        return _lift_cached(layer)  # layers are immutable: lifted once (the numeric evaluator lifts on every call)
    except TypeError:  # an unhashable part (a lazily built derived kernel): lifted each time
        return _lift(layer)


def _lift(layer: Layer) -> Layer:
    if isinstance(layer, Chain):
        steps = tuple(as_nd(step) for step in layer.steps)
        return layer if steps == layer.steps else Chain(steps, layer.axes_given)
    if isinstance(layer, Parallel):
        branches = tuple(as_nd(branch) for branch in layer.branches)
        return layer if branches == layer.branches else Parallel(branches)
    if not isinstance(layer, Layer):
        raise InvalidArgument("as_nd", "layer", layer, "a layer such as conv([1, 2, 1])")
    return _lift_leaf(layer)
