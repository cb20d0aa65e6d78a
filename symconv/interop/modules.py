"""The supported PyTorch modules, one converter each: ``nn.Conv2d(...)`` -> ``conv2d(...)`` and so on.

A converter takes the module (a leaf of the traced graph), its path and the
weight mode and returns a :class:`Converted`: the symconv layer (``None`` for
the identity: ``Identity``, ``Dropout`` in eval mode) and the number of
spatial axes it fixes (``None`` for sample-by-sample layers). Layers are
built with the DSL's own constructors (:data:`symconv.dsl_grammar.LAYERS`,
by name), so a 3-D layer is used when the core has it and refused clearly
when it does not.

Batch norm in eval mode is ``affine(scale, shift)`` with the two numbers
PyTorch's own kernel (on the module's device and dtype) uses, read back exactly by running
``F.batch_norm`` on 1 (with mean 0 and bias 0: ``scale``) and on 0 (``shift``).
On the CPU, PyTorch (2.13) then computes ``y = fma(x, scale, shift)``: the
exact affine map followed by one rounding, so the symconv layer is what
torch computes, before that final rounding of each output (a test checks
this bit for bit). Recomputing ``weight / sqrt(var + eps)`` ourselves would
not be: torch uses ``rsqrt`` and a fused multiply-add, whose results differ
from the textbook formula in the last bit.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

from symconv.core.geometry import identity_pad
from symconv.core.layers import Layer
from symconv.errors import SymconvError, UnsupportedModule
from symconv.interop.weights import exact_values, symbol_name

__all__ = ["SUPPORTED", "Converted", "convert_module", "identity_layer", "padding_layer"]

#: What :func:`symconv.from_torch` accepts, as told in every :class:`UnsupportedModule` message.
SUPPORTED = ("Conv1d/2d/3d and ConvTranspose1d/2d/3d (padding_mode='zeros'), BatchNorm1d/2d/3d in eval mode, "
             "ReLU (module, F.relu, .relu()), MaxPool1d/2d/3d (ceil_mode, no return_indices), AvgPool1d/2d/3d "
             "(ceil_mode, count_include_pad, no divisor_override), LPPool1d/2d/3d (norm_type=2; ceil_mode in 2-D "
             "and 3-D), ZeroPad1d/2d/3d and ConstantPad1d/2d/3d (value 0), F.pad (mode='constant', value 0), "
             "Identity, Dropout in eval mode, nn.Sequential and the sum x + y of two branches")

#: symconv's constructor name per layer kind and number of spatial axes.
_NAMES = {
    "conv": {1: "conv", 2: "conv2d", 3: "conv3d"},
    "conv_transpose": {1: "conv_transpose", 2: "conv_transpose2d", 3: "conv_transpose3d"},
    "maxpool": {1: "maxpool", 2: "maxpool2d", 3: "maxpool3d"},
    "avgpool": {1: "avgpool", 2: "avgpool2d", 3: "avgpool3d"},
    "l2pool": {1: "l2pool", 2: "l2pool2d", 3: "l2pool3d"},
}


@dataclass(frozen=True)
class Converted:
    """A module's layer (``None``: the identity) and its spatial axes (``None``: sample by sample)."""

    layer: Optional[Layer]
    ndim: Optional[int]


def _unsupported(module: Any, path: str, reason: str) -> UnsupportedModule:
    return UnsupportedModule(path, type(module).__name__, reason, SUPPORTED)


def _constructor(kind: str, ndim: int, module: Any, path: str) -> Callable[..., Layer]:
    """The DSL constructor of ``kind`` in ``ndim`` axes, or a clear error when the core does not have it."""
    from symconv.dsl_grammar import LAYERS

    name = _NAMES[kind][ndim]
    if name not in LAYERS:
        raise _unsupported(module, path, f"needs the layer {name}(...), which this version of symconv does not "
                                         f"have yet")
    return LAYERS[name].build


def _build(build: Callable[..., Layer], module: Any, path: str, *args: object, **kwargs: object) -> Layer:
    """Call a constructor; an argument the core refuses becomes an :class:`UnsupportedModule` naming the module."""
    accepted = inspect.signature(build).parameters
    unknown = [name for name in kwargs if name not in accepted]
    if unknown:
        raise _unsupported(module, path, f"has {unknown[0]}={kwargs[unknown[0]]!r}, which symconv's "
                                         f"{build.__name__} does not take in this version")
    try:
        return build(*args, **kwargs)
    except UnsupportedModule:
        raise
    except SymconvError as err:
        raise _unsupported(module, path, f"cannot be expressed in symconv: {err}") from err


def _axis_value(value: object, ndim: int) -> object:
    """PyTorch's per-axis tuple as symconv takes it: an int in 1-D, the tuple otherwise."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * ndim
    return values[0] if ndim == 1 else values


def _weight(tensor: Any, path: str, weights: str, ndim: int, module: Any) -> object:
    """The kernel of a weight ``(out, in, k1, ..., kd)``: exact literal taps, or a symbol named after ``path``."""
    shape = tuple(tensor.shape)
    name = symbol_name(path)
    try:
        if ndim == 1:
            from symconv.core.kernel import kernel, literal

            if weights == "symbolic":
                return kernel(name, *(shape[2:] if shape[:2] == (1, 1) else shape))
            return literal(exact_values(tensor, path, "weight"))
        try:  # the N-D kernels, where the core has them; else the 2-D ones
            from symconv.core.kernel import Literal, kernel, literal
        except ImportError:
            if ndim != 2:
                raise
            from symconv.core.kernel2d import kernel2d, literal2d

            if weights == "symbolic":
                return kernel2d(name, *(shape[2:] if shape[:2] == (1, 1) else shape))
            return literal2d(exact_values(tensor, path, "weight"))
        if weights == "symbolic":
            # one channel: k[3, 3] in 2-D; 3-D names always carry the channels (k[3, 3, 3] would be a 1-D weight)
            dims = shape[2:] if shape[:2] == (1, 1) and ndim == 2 else shape
            return kernel(name, *dims, ndim=ndim)
        values = exact_values(tensor, path, "weight")
        if len(shape) == ndim + 2 and all(shape):  # (out, in, k1, ..., kd): what literal would pass on, read once
            return Literal(values)
        return literal(values, ndim=ndim)
    except ImportError:
        raise _unsupported(module, path, f"needs {ndim}-D kernels, which this version of symconv does not have "
                                         f"yet") from None
    except SymconvError as err:
        raise _unsupported(module, path, f"has a weight symconv cannot read: {err}") from err


def _bias(module: Any, path: str, weights: str) -> object:
    if module.bias is None:
        return None
    if weights == "symbolic":
        return symbol_name(path) + "_b"
    return exact_values(module.bias, path, "bias")


def _check_zeros_padding(module: Any, path: str) -> None:
    if module.padding_mode != "zeros":
        raise _unsupported(module, path, f"has padding_mode={module.padding_mode!r}; only padding_mode='zeros' "
                                         f"is supported")


def _conv(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``Conv`` -> ``conv``/``conv2d``/``conv3d`` with every argument."""
    _check_zeros_padding(module, path)
    build = _constructor("conv", ndim, module, path)
    padding = module.padding if isinstance(module.padding, str) else _axis_value(module.padding, ndim)
    kwargs = dict(stride=_axis_value(module.stride, ndim), padding=padding,
                  dilation=_axis_value(module.dilation, ndim), bias=_bias(module, path, weights))
    if module.groups != 1:
        kwargs["groups"] = module.groups
    weight = _weight(module.weight, path, weights, ndim, module)
    return Converted(_build(build, module, path, weight, **kwargs), ndim)


def _conv_transpose(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``ConvTranspose`` -> ``conv_transpose``/``conv_transpose2d``/``conv_transpose3d``."""
    _check_zeros_padding(module, path)
    build = _constructor("conv_transpose", ndim, module, path)
    kwargs = dict(stride=_axis_value(module.stride, ndim), padding=_axis_value(module.padding, ndim),
                  output_padding=_axis_value(module.output_padding, ndim),
                  dilation=_axis_value(module.dilation, ndim), bias=_bias(module, path, weights))
    if module.groups != 1:
        kwargs["groups"] = module.groups
    weight = _weight(module.weight, path, weights, ndim, module)
    return Converted(_build(build, module, path, weight, **kwargs), ndim)


def _batch_norm(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``BatchNormNd`` in eval mode -> ``affine(scale, shift)`` per channel (see the module docstring)."""
    import torch

    from symconv.core.layers import affine

    if module.training:
        raise _unsupported(module, path, "is in training mode, where it normalises with the statistics of each "
                                         "batch; call model.eval() first")  # safe: advice text, nothing runs
    if module.running_mean is None or module.running_var is None:
        raise _unsupported(module, path, "has no running statistics (track_running_stats=False), so it "
                                         "normalises with the statistics of each batch even in eval mode")
    channels = module.num_features
    if weights == "symbolic":
        name = symbol_name(path)
        return Converted(_build(affine, module, path, [f"{name}_scale_{c}" for c in range(channels)],
                                [f"{name}_shift_{c}" for c in range(channels)]), None)
    mean, var = module.running_mean.detach(), module.running_var.detach()
    weight = None if module.weight is None else module.weight.detach()
    bias = None if module.bias is None else module.bias.detach()
    probe, kind = (1, channels, 1), dict(dtype=mean.dtype, device=mean.device)
    with torch.no_grad():
        scale = torch.nn.functional.batch_norm(torch.ones(probe, **kind), torch.zeros_like(mean), var,
                                               weight, None if bias is None else torch.zeros_like(bias),
                                               False, 0.0, module.eps)
        shift = torch.nn.functional.batch_norm(torch.zeros(probe, **kind), mean, var, weight, bias,
                                               False, 0.0, module.eps)
    return Converted(_build(affine, module, path, exact_values(scale.flatten(), path, "scale"),
                            exact_values(shift.flatten(), path, "shift")), None)


def _relu(module: Any, path: str, weights: str, ndim: int) -> Converted:
    from symconv.core.layers import relu

    return Converted(relu(), None)


def _pool_size(module: Any, path: str, ndim: int) -> tuple[object, object, object]:
    stride = module.stride if module.stride is not None else module.kernel_size
    return (_axis_value(module.kernel_size, ndim), _axis_value(stride, ndim), _axis_value(module.padding, ndim))


def _maxpool(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``MaxPoolNd`` -> ``maxpool``/``maxpool2d``/``maxpool3d`` with its ``ceil_mode`` (``return_indices`` refused)."""
    if module.return_indices:
        raise _unsupported(module, path, "has return_indices=True (two outputs); use return_indices=False")
    size, stride, padding = _pool_size(module, path, ndim)
    build = _constructor("maxpool", ndim, module, path)
    return Converted(_build(build, module, path, size, stride, padding, _axis_value(module.dilation, ndim),
                            ceil_mode=bool(module.ceil_mode)), ndim)


def _avgpool(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``AvgPoolNd`` -> ``avgpool``/``avgpool2d``/``avgpool3d`` with its ``ceil_mode`` and ``count_include_pad``
    (``divisor_override`` refused)."""
    size, stride, padding = _pool_size(module, path, ndim)
    if getattr(module, "divisor_override", None) is not None:
        raise _unsupported(module, path, f"has divisor_override={module.divisor_override}, which symconv's avgpool "
                                         f"cannot express")
    build = _constructor("avgpool", ndim, module, path)
    return Converted(_build(build, module, path, size, stride, padding, ceil_mode=bool(module.ceil_mode),
                            count_include_pad=bool(module.count_include_pad)), ndim)


def _lppool(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``LPPoolNd`` with ``norm_type=2`` -> ``l2pool``/``l2pool2d``/``l2pool3d`` (other norms refused)."""
    if float(module.norm_type) != 2.0:
        raise _unsupported(module, path, f"has norm_type={module.norm_type}; symconv's l2pool is the norm_type=2 "
                                         f"case only")
    stride = module.stride if module.stride is not None else module.kernel_size
    size, stride = _axis_value(module.kernel_size, ndim), _axis_value(stride, ndim)
    build = _constructor("l2pool", ndim, module, path)
    ceil_mode = bool(module.ceil_mode)
    if ndim == 1 and ceil_mode:
        raise _unsupported(module, path, "has ceil_mode=True, which symconv's 1-D l2pool does not take; "
                                         "use ceil_mode=False")
    return Converted(_build(build, module, path, size, stride, **({"ceil_mode": True} if ceil_mode else {})), ndim)


def padding_layer(pad: Sequence[int], ndim: int) -> Optional[Layer]:
    """PyTorch's zero padding ``F.pad(x, pad)`` of a signal with ``ndim`` spatial axes, as symconv layers.

    ``pad = (l_d, r_d, l_{d-1}, r_{d-1}, ...)`` gives (left, right) pairs from the LAST axis back, for the
    last ``len(pad) // 2`` axes (the others keep their size); a negative entry drops samples instead. As
    PyTorch's ``constant_pad_nd`` (which narrows, then pads), that is, per axis,
    ``crop(max(-l, 0), max(-r, 0)) >> pad(max(l, 0), max(r, 0))``; ``None`` (the identity) when every entry is 0.
    The caller checks that ``pad`` holds ints, in pairs, for at most ``ndim`` axes.

    >>> padding_layer((1, 2), 1), padding_layer((1, 2), 2), padding_layer((0, 0, 0, 0), 2)
    (pad(1, 2), pad((0, 1), (0, 2)), None)
    >>> padding_layer((1, -1, -2, 0), 2)
    crop((2, 0), (0, 1)) >> pad((0, 1), (0, 0))
    """
    from symconv.dsl_grammar import LAYERS

    pairs = [(0, 0)] * (ndim - len(pad) // 2) + [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(len(pad) // 2))]
    crops = tuple(max(-left, 0) for left, _ in pairs), tuple(max(-right, 0) for _, right in pairs)
    pads = tuple(max(left, 0) for left, _ in pairs), tuple(max(right, 0) for _, right in pairs)
    layers = [LAYERS[name].build(*(sides if ndim > 1 else (sides[0][0], sides[1][0])))
              for name, sides in (("crop", crops), ("pad", pads)) if any(sides[0]) or any(sides[1])]
    if not layers:
        return None
    return layers[0] if len(layers) == 1 else layers[0] >> layers[1]


def _constant_pad(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``ZeroPadNd`` and ``ConstantPadNd`` with value 0 -> :func:`padding_layer` of ``module.padding``."""
    if module.value != 0:
        raise _unsupported(module, path, f"has value={module.value}; symconv pads with zeros only (value=0)")
    return Converted(padding_layer(tuple(module.padding), ndim), ndim)


def _identity_in_eval(module: Any, path: str, weights: str, ndim: int) -> Converted:
    """``Identity``, and ``Dropout`` in eval mode: the identity."""
    if module.training and type(module).__name__ != "Identity":
        raise _unsupported(module, path, "is in training mode, where it zeroes random samples; call "
                                         "model.eval() first")  # safe: advice text
    return Converted(None, None)


#: torch.nn class name -> (converter, spatial axes); looked up by exact class (a subclass may change forward).
_TABLE: dict[str, tuple[Callable[[Any, str, str, int], Converted], int]] = {
    **{f"Conv{d}d": (_conv, d) for d in (1, 2, 3)},
    **{f"ConvTranspose{d}d": (_conv_transpose, d) for d in (1, 2, 3)},
    **{f"BatchNorm{d}d": (_batch_norm, d) for d in (1, 2, 3)},
    **{f"MaxPool{d}d": (_maxpool, d) for d in (1, 2, 3)},
    **{f"AvgPool{d}d": (_avgpool, d) for d in (1, 2, 3)},
    **{f"LPPool{d}d": (_lppool, d) for d in (1, 2, 3)},
    **{f"{kind}Pad{d}d": (_constant_pad, d) for kind in ("Zero", "Constant") for d in (1, 2, 3)},
    "ReLU": (_relu, 0),
    "Identity": (_identity_in_eval, 0),
    **{name: (_identity_in_eval, 0) for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout")},
}


def convert_module(module: Any, path: str, weights: str) -> Converted:
    """The symconv layer of one leaf module, or :class:`UnsupportedModule` naming it."""
    import torch

    name = type(module).__name__
    entry = _TABLE.get(name)
    if entry is None or getattr(torch.nn, name, None) is not type(module):
        raise _unsupported(module, path, "is not a module symconv can express")
    converter, ndim = entry
    return converter(module, path, weights, ndim)


def identity_layer(ndim: int) -> Layer:
    """The identity on signals with ``ndim`` spatial axes: ``pad(0)``, ``pad((0, 0))``, ..."""
    return identity_pad(ndim)
