"""numpy evaluation of any 1-D chain: the independent witness of the exact semantics.

A 1-D chain runs through the one numpy evaluator of every number of axes:
each layer (one class for every d) is applied at d = 1 by the operators of :mod:`symconv.numeric.operators_nd`, written
from PyTorch's definitions on arrays of shape ``(B, C, n)``, without
:mod:`symconv.core.semantics`, :mod:`symconv.core.output_length` or
:meth:`Kernel.taps`. Output lengths are never computed from a formula: a layer
builds its padded (or scattered) array and slides its windows, and the length
is however many windows fit. This module keeps the 1-D conventions: inputs of
shape ``(n,)``, ``(C, n)`` or ``(B, C, n)``, the bindings of
:mod:`symconv.numeric.bindings` (``k[c]`` bound to its flat taps, a named bias
to one number per output channel, an affine name to one number), and messages
that quote each layer as it was written.

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

from typing import Mapping, Optional

import numpy as np

from symconv.core.layers import Affine, Chain, Conv, Layer, Parallel
from symconv.core.sizes_nd import with_sizes
from symconv.errors import ChannelMismatch, InvalidArgument, LengthMismatch, SizeLimitError
from symconv.numeric.bindings import Bindings, bias_array, kernel_array, resolve_sizes, scalar_value
from symconv.numeric.conversions import number_array
from symconv.numeric.operators_nd import MAX_ELEMENTS, MAX_OUTPUT_LENGTH, BoundValues, apply_layer

__all__ = ["evaluate_numeric", "MAX_OUTPUT_LENGTH", "MAX_ELEMENTS"]


class _Values1d(BoundValues):
    """The numbers of one 1-D layer's parameters, read from the bindings in the 1-D convention
    (:mod:`symconv.numeric.bindings`: ``k[c]`` bound to its flat taps, a named bias by its name); messages quote
    the layer as written (not its copy with generic sizes given values)."""

    def __init__(self, layer: Layer, bindings: Optional[Bindings], sizes: Mapping[str, int], exact: bool):
        super().__init__(bindings, exact)
        self.layer = layer
        self.sizes = sizes

    def shown(self, read: Layer) -> Layer:
        return self.layer

    def weight(self, read: Layer) -> np.ndarray:
        return kernel_array(self.layer.weight, self.bindings, self.sizes, self.exact)

    def bias(self, read: Layer, channels: int) -> Optional[np.ndarray]:
        return bias_array(self.layer, channels, self.bindings, self.exact)

    def affine(self, read: Affine, channels: int) -> tuple[np.ndarray, np.ndarray]:
        def per_channel(value) -> np.ndarray:
            values = value if isinstance(value, tuple) else (value,) * channels
            if len(values) != channels:
                raise ChannelMismatch("the input", channels, repr(self.layer), len(values))
            return number_array([scalar_value(v, self.bindings, self.exact) for v in values], self.exact)

        return per_channel(self.layer.scale), per_channel(self.layer.shift)


def _parallel(layer: Parallel, x: np.ndarray, bindings, sizes, exact: bool) -> np.ndarray:
    outputs = [_apply(branch, x, bindings, sizes, exact) for branch in layer.branches]
    shapes = [y.shape for y in outputs]
    if len({s[2] for s in shapes}) > 1:
        raise LengthMismatch(
            f"the branches of {layer!r} give lengths {[s[2] for s in shapes]} for an input of length "
            f"{x.shape[2]}; expected equal lengths"
        )
    if len({s[1] for s in shapes}) > 1:
        raise ChannelMismatch(repr(layer.branches[1]), shapes[1][1], repr(layer.branches[0]), shapes[0][1])
    return sum(outputs[1:], outputs[0])


def _apply(layer: Layer, x: np.ndarray, bindings, sizes: Mapping[str, int], exact: bool) -> np.ndarray:
    if isinstance(layer, Chain):
        for step in layer.steps:
            x = _apply(step, x, bindings, sizes, exact)
        return x
    if isinstance(layer, Parallel):
        return _parallel(layer, x, bindings, sizes, exact)
    if layer.ndim >= 2:
        raise TypeError(f"no numeric meaning for {layer!r}")
    read = layer
    if sizes and isinstance(layer, Conv) and layer.padding == "same":  # the split of a generic k[c] at its value
        read = with_sizes(layer, sizes)
    return apply_layer(read, x, _Values1d(layer, bindings, sizes, exact))


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
    if layer.ndim >= 2:
        raise InvalidArgument("evaluate_numeric", "layer", layer, "a 1-D chain; an N-D chain is evaluated by "
                                                                   "symconv.numeric.evaluate_nd.evaluate_nd_numeric")
    arr, rank = _as_batch(x, exact)
    y = _apply(layer, arr, bindings, resolve_sizes(layer, bindings, sizes), exact)
    return y if rank == 3 else y[0]
