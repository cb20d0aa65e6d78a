"""PyTorch as an oracle: evaluate a chain with ``torch.nn.functional`` (optional).

torch is imported only when a function here is called; symconv never needs
it at run time. Layers PyTorch has map to its functions, in float64:

* ``conv`` -> ``F.conv1d`` (a pair ``(left, right)`` is ``F.pad`` then ``conv1d``),
* ``conv_transpose`` -> ``F.conv_transpose1d``, ``avgpool`` -> ``F.avg_pool1d``
  (``count_include_pad=True``), ``maxpool`` -> ``F.max_pool1d``,
  ``l2pool`` -> ``F.lp_pool1d`` with ``norm_type=2``, ``relu`` -> ``F.relu``;

these raise PyTorch's own ``RuntimeError`` where PyTorch does (an output that
would be empty, an empty input). ``pad``, ``crop``, ``down``, ``up``, ``flip``
and ``affine`` are tensor operations following the DESIGN table (``pad`` is
``F.pad``, so an empty input gives l + r zeros; the others map an empty
input to an empty output). Kernel
expressions (``dilate``, ``convolve``, ...) are turned into weights by
:func:`symconv.numeric.bindings.kernel_array`.

>>> from symconv.core.layers import conv
>>> evaluate_torch(conv([1, 2], stride=2), [1, 2, 3, 4, 5]).tolist() if torch_available() else [[5.0, 11.0]]
[[5.0, 11.0]]
"""

from __future__ import annotations

import importlib.util
from typing import Any, Mapping, Optional

import numpy as np

from symconv.core.geometry import is_whole_flip
from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.errors import InvalidArgument, LengthMismatch
from symconv.numeric.bindings import Bindings, bias_array, kernel_array, resolve_sizes, scalar_value

__all__ = ["torch_available", "evaluate_torch"]


def torch_available() -> bool:
    """Whether PyTorch can be imported (without importing it).

    >>> isinstance(torch_available(), bool)
    True
    """
    return importlib.util.find_spec("torch") is not None


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("evaluate_torch needs PyTorch; install it with 'pip install torch'") from error
    return torch


def _tensor(torch: Any, values: Optional[np.ndarray]) -> Any:
    return None if values is None else torch.from_numpy(np.ascontiguousarray(values, dtype=np.float64))


def _apply(layer: Layer, x: Any, bindings: Optional[Bindings], sizes: Mapping[str, int]) -> Any:
    torch = _torch()
    F = torch.nn.functional
    if isinstance(layer, Chain):
        for step in layer.steps:
            x = _apply(step, x, bindings, sizes)
        return x
    if isinstance(layer, Parallel):
        outputs = [_apply(b, x, bindings, sizes) for b in layer.branches]
        if len({y.shape for y in outputs}) > 1:
            raise LengthMismatch(f"the branches of {layer!r} give shapes {[tuple(y.shape) for y in outputs]}")
        return sum(outputs[1:], outputs[0])
    if isinstance(layer, (Conv, ConvTranspose)):
        w = kernel_array(layer.weight, bindings, sizes)
        out = w.shape[0] if isinstance(layer, Conv) else w.shape[1] * layer.groups
        weight, bias = _tensor(torch, w), _tensor(torch, bias_array(layer, out, bindings, False))
        if isinstance(layer, ConvTranspose):
            return F.conv_transpose1d(
                x, weight, bias, stride=layer.stride, padding=layer.padding,
                output_padding=layer.output_padding, groups=layer.groups, dilation=layer.dilation,
            )
        padding = layer.padding
        if isinstance(padding, tuple) and padding[0] == padding[1]:
            padding = padding[0]  # PyTorch's own symmetric padding (which also pads an empty input)
        if isinstance(padding, tuple):
            # conv1d takes one padding for both ends, so pad first; an empty input still goes
            # to conv1d unpadded, which rejects it as PyTorch does
            x = F.pad(x, padding) if x.shape[-1] > 0 else x
            padding = 0
        return F.conv1d(x, weight, bias, stride=layer.stride, padding=padding,
                        dilation=layer.dilation, groups=layer.groups)
    if isinstance(layer, AvgPool):
        return F.avg_pool1d(x, layer.size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode,
                            count_include_pad=layer.count_include_pad)
    if isinstance(layer, MaxPool):
        return F.max_pool1d(x, layer.size, layer.stride, layer.padding, dilation=layer.dilation,
                            ceil_mode=layer.ceil_mode)
    if isinstance(layer, L2Pool):
        return F.lp_pool1d(x, 2, layer.size, layer.stride)
    if isinstance(layer, ReLU):
        return F.relu(x)
    n = x.shape[-1]
    if isinstance(layer, Affine):
        channels = x.shape[1]

        def per_channel(value: Any) -> Any:
            values = value if isinstance(value, tuple) else (value,) * channels
            return torch.tensor([scalar_value(v, bindings, False) for v in values], dtype=torch.float64)

        return x * per_channel(layer.scale).view(1, -1, 1) + per_channel(layer.shift).view(1, -1, 1)
    if isinstance(layer, Pad):
        return F.pad(x, (layer.left, layer.right))  # l + r zeros on an empty input, as DESIGN section 1
    if n == 0:
        return x.clone()
    if isinstance(layer, Crop):
        return x[..., layer.left:max(layer.left, n - layer.right)].clone()
    if isinstance(layer, Down):
        return x[..., layer.phase::layer.factor].clone()
    if isinstance(layer, Up):
        y = x.new_zeros(x.shape[:-1] + ((n - 1) * layer.factor + 1,))
        y[..., ::layer.factor] = x
        return y
    if is_whole_flip(layer):
        return torch.flip(x, dims=(-1,))
    raise TypeError(f"no PyTorch meaning for {layer!r}")


def evaluate_torch(
    layer: Layer, x: object, bindings: Optional[Bindings] = None, sizes: Optional[Mapping[str, int]] = None
) -> np.ndarray:
    """Apply ``layer`` to ``x`` with PyTorch in float64; shapes as :func:`evaluate_numeric`.

    ``x`` of shape ``(n,)`` or ``(C, n)`` gives ``(C_out, m)``, ``(B, C, n)``
    gives ``(B, C_out, m)``. PyTorch's ``RuntimeError`` for an output that
    would be empty is passed on unchanged.

    >>> from symconv.core.layers import maxpool
    >>> evaluate_torch(maxpool(2), [[1, 5, 3, 2]]).tolist() if torch_available() else [[5.0, 3.0]]
    [[5.0, 3.0]]
    """
    torch = _torch()
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim not in (1, 2, 3):
        raise InvalidArgument(
            "evaluate_torch", "x", f"an array of shape {arr.shape}", "shape (n,), (C, n) or (B, C, n)"
        )
    batch = torch.from_numpy(arr.reshape((1,) * (3 - arr.ndim) + arr.shape).copy())
    with torch.no_grad():
        y = _apply(layer, batch, bindings, resolve_sizes(layer, bindings, sizes))
    result = y.numpy()
    return result if arr.ndim == 3 else result[0]
