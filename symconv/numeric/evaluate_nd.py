"""numpy evaluation of N-D chains: the independent witness of :mod:`symconv.core.semantics_nd`.

Every N-D layer is written again here from its PyTorch definition, on arrays
of shape ``(B, C, n1, ..., nd)``, without :mod:`symconv.core.semantics_nd`,
the length table or :meth:`Kernel.grid`. Kernel expressions become arrays
``E[o, i, a1, ..., ad]`` from the bound values:

* ``dilate(k, f)[a f] = k[a]`` per axis, zeros elsewhere;
* ``convolve(p, q)[o, i] = sum_m fullNd(p[m, i], q[o, m])``;
* ``flip(k)[a] = k[K - 1 - a]`` on every axis (the listed ones for ``flip(k, axes=...)``); the layers
  ``flip()`` and ``flip(axes=...)`` reverse the signal's spatial axes, as ``torch.flip``; ``padk`` puts zeros around the taps;
* ``p + q`` and ``s * k`` tap-wise.

A layer builds its padded (or scattered) array and slides its windows: the
output shape is however many windows fit on each axis. Padding is added to
empty axes too (zeros wherever padding supplies samples), and a max-pool of
an empty axis is empty. Values are float64, or exact ``Fraction`` objects with
``exact=True``; NaN is refused.

The kernel expressions are in :mod:`symconv.numeric.kernels_nd`, the layers'
operators in :mod:`symconv.numeric.operators_nd` (they serve 1-D chains too:
a layer is one class for every d), the symbols and random values in
:mod:`symconv.numeric.symbols_nd`; this module runs a chain through them (a
parallel sum adds its branches' outputs).

>>> from symconv.core.kernel import literal
>>> from symconv.core.layers_nd import conv2d
>>> evaluate_nd_numeric(conv2d(literal([[1, 1]]), stride=(1, 2)), [[[1, 2, 3, 4, 5]]]).tolist()
[[[3.0, 7.0]]]
"""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np

from symconv.core.layers import Layer, Parallel
from symconv.errors import InvalidArgument, LengthMismatch
from symconv.numeric.bindings import Bindings
from symconv.numeric.kernels_nd import finite_array, kernel_array_nd, parameter_value  # noqa: F401 -- re-exported
from symconv.numeric.operators_nd import BoundValues, apply_layer
from symconv.numeric.symbols_nd import random_bindings_nd, with_given_sizes  # noqa: F401 -- re-exported

__all__ = ["evaluate_nd_numeric", "kernel_array_nd", "random_bindings_nd"]


def _run(layer: Layer, x: np.ndarray, values: BoundValues) -> np.ndarray:
    for step in layer.layers():
        x = _apply(step, x, values)
    return x


def _apply(layer: Layer, x: np.ndarray, values: BoundValues) -> np.ndarray:
    if isinstance(layer, Parallel):  # any d
        outputs = [_run(branch, x, values) for branch in layer.branches]
        if len({y.shape for y in outputs}) > 1:
            raise LengthMismatch(f"the branches of {layer!r} give shapes {[y.shape[1:] for y in outputs]} for an "
                                 f"input of shape {x.shape[1:]}; expected equal (channels, sizes)")
        return sum(outputs[1:], outputs[0])
    return apply_layer(layer, x, values)


def evaluate_nd_numeric(layer: Layer, x: object, bindings: Optional[Bindings] = None,
                        exact: bool = False, sizes: Optional[Mapping[str, int]] = None) -> np.ndarray:
    """Apply the N-D chain ``layer`` to the samples ``x`` with numpy.

    ``conv{d}d``: ``y[B, o, i] = bias[o] + sum_{m, a} W[o, m, a] xp[B, m, s i + d a]`` (per axis, within the
    group of o) for the windows that fit in the zero-padded ``xp``; the other layers act per axis as in 1-D.

    ``x`` has shape ``(C, n1, ..., nd)`` or ``(B, C, n1, ..., nd)`` with ``d = layer.ndim``; the result has the
    same rank. ``bindings`` maps kernel names to arrays (``(k1, ..., kd)`` for ``k[k1, ..., kd]``, the full shape
    for a weight) and bias parameters to numbers. ``exact=True`` computes with ``Fraction`` objects (``l2pool``
    then raises :class:`~symconv.errors.NotInFragment`: square roots are not rational). ``sizes`` gives the
    generic sizes their values (``{"c": 3}`` for ``k[c, 3]``).

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers_nd import conv2d
    >>> evaluate_nd_numeric(conv2d(kernel("k", 1, 2), bias=[1]), [[[1, 2, 4]]], {"k": [[1, -1]]}, True).tolist()
    [[[Fraction(0, 1), Fraction(-1, 1)]]]
    """
    if not isinstance(layer, Layer):
        raise InvalidArgument("evaluate_nd_numeric", "layer", layer, "an N-D layer such as conv2d(k[3, 3])")
    layer = with_given_sizes(layer, sizes)
    arr = finite_array(x, exact, "input sample")  # refuses ragged lists too
    d = arr.ndim - 1 if layer.axes_free else layer.ndim  # flips, relu, affine alone fit any d
    if arr.ndim not in (d + 1, d + 2) or 0 in arr.shape[:arr.ndim - d]:
        sizes = ", ".join(f"n{k + 1}" for k in range(d))
        raise InvalidArgument("evaluate_nd_numeric", "x", f"an array of shape {arr.shape}",
                              f"shape (C, {sizes}) or (B, C, {sizes}) with at least one channel")
    y = _run(layer, arr.reshape((1,) * (d + 2 - arr.ndim) + arr.shape), BoundValues(bindings, exact))
    return y if arr.ndim == d + 2 else y[0]
