"""Chains as formulas: a composition of operators, ``B \\circ A`` meaning "A, then B" (the layer applied
first stands on the right, as in ``B(A(x))``).

``conv(k[3], stride=2) >> conv(k, stride=3)`` becomes
``\\operatorname{conv}_{s=3}(k) \\circ \\operatorname{conv}_{s=2}(k)``.

>>> from symconv.dsl import parse_chain
>>> layer_math(parse_chain("conv(k[3], stride=2) >> conv(k, stride=3)"))
'\\\\operatorname{conv}_{s=3}(k) \\\\circ \\\\operatorname{conv}_{s=2}(k)'
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.kernel import Kernel
from symconv.core.layers import (Affine, AvgPool, Chain, Conv, ConvTranspose, Crop, Down, Flip, L2Pool, Layer,
                                 MaxPool, Pad, Parallel, ReLU, Up)
from symconv.report.kernel_math import axes_math, kernel_math
from symconv.report.symbol_math import name_math, sequence_latex, size_math
from symconv.report.tex_escape import Tex, escape_tex, escape_tt
from symconv.report.weights_math import is_long_numeric, shape_math

__all__ = ["layer_math"]


def _args(**values) -> str:
    parts = [f"{key}={value}" for key, value in values.items() if value is not None]
    return "_{" + r",\,".join(parts) + "}" if parts else ""


def _padding(padding) -> Optional[str]:
    if padding == 0:
        return None
    if isinstance(padding, str):
        return rf"\text{{{escape_tex(padding)}}}"
    if isinstance(padding, tuple):
        if all(p == 0 for p in padding):
            return None
        if len(set(padding)) == 1:  # (3, 3): the same on both sides, as PyTorch's padding=3
            return size_math(padding[0])
        return "(" + ",".join(size_math(p) for p in padding) + ")"
    return size_math(padding)


def _call(weight: Kernel, bias) -> str:
    """``(k)``, ``\\bigl((1, 2)\\bigr)`` or ``\\bigl((1, 2);\\, b\\bigr)``: a layer's kernel and bias."""
    inner = kernel_math(weight) + _bias(bias)
    return rf"\bigl({inner}\bigr)" if inner.startswith("(") else f"({inner})"


def _bias(bias) -> str:
    if bias is None:
        return ""
    if isinstance(bias, str):
        return r";\, " + name_math(bias)
    return r";\, " + (shape_math(bias) if is_long_numeric(bias) else sequence_latex(bias))


def _pool_flags(layer) -> dict:
    """A pool's ``ceil_mode=True`` and ``count_include_pad=False``, as subscript entries (none when default)."""
    flags = {r"\text{ceil\_mode}": r"\text{True}" if getattr(layer, "ceil_mode", False) else None,
             r"\text{count\_include\_pad}": None if getattr(layer, "count_include_pad", True) else r"\text{False}"}
    return {key: value for key, value in flags.items() if value is not None}


def _unless(value, default) -> Optional[str]:
    return None if value == default else size_math(value)


def _unless_all(values, default) -> Optional[str]:
    flat = values if isinstance(values, (list, tuple)) else (values,)
    flat = [v for item in flat for v in (item if isinstance(item, (list, tuple)) else (item,))]
    if all(v == default for v in flat):
        return None
    if len(set(flat)) == 1:
        return size_math(flat[0])
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)):
        return "(" + ", ".join(axes_math(v) for v in values) + ")"
    return axes_math(values)


def _layer_nd_math(layer: Layer) -> Tex:
    """A convolution of d >= 2 axes: each argument once when its axes agree, else per axis."""
    sub = _args(s=_unless_all(layer.strides, 1), p=_unless_all(layer.paddings, 0),
                o=_unless_all(getattr(layer, "output_paddings", (0,)), 0), d=_unless_all(layer.dilations, 1),
                g=_unless(layer.groups, 1))
    name = r"conv}^{\top" if isinstance(layer, ConvTranspose) else "conv"
    return Tex(rf"\operatorname{{{name}}}{sub}{_call(layer.weight, layer.bias)}")


def layer_math(layer: Layer) -> Tex:
    """A chain as a composition, the first layer rightmost: ``B \\circ A`` (see the module docstring)."""
    op = r"\operatorname"
    if isinstance(layer, Chain):
        parts = [rf"\bigl({layer_math(s)}\bigr)" if isinstance(s, Parallel) else layer_math(s)
                 for s in reversed(layer.steps)]
        return Tex(r" \circ ".join(parts))
    if isinstance(layer, Parallel):
        parts = [rf"\bigl({layer_math(b)}\bigr)" if isinstance(b, Chain) else layer_math(b) for b in layer.branches]
        return Tex(" + ".join(parts))
    if isinstance(layer, (Conv, ConvTranspose)) and layer.ndim >= 2:
        return _layer_nd_math(layer)
    if isinstance(layer, Conv):
        sub = _args(s=_unless(layer.stride, 1), p=_padding(layer.padding), d=_unless(layer.dilation, 1),
                    g=_unless(layer.groups, 1))
        return Tex(rf"{op}{{conv}}{sub}{_call(layer.weight, layer.bias)}")
    if isinstance(layer, ConvTranspose):
        sub = _args(s=_unless(layer.stride, 1), p=_unless(layer.padding, 0), o=_unless(layer.output_padding, 0),
                    d=_unless(layer.dilation, 1), g=_unless(layer.groups, 1))
        return Tex(rf"{op}{{conv}}^{{\top}}{sub}{_call(layer.weight, layer.bias)}")
    if isinstance(layer, (Pad, Crop)):
        name = "pad" if isinstance(layer, Pad) else "crop"
        if layer.ndim >= 2:
            return Tex(rf"{op}{{{name}}}({axes_math(layer.before)};\, {axes_math(layer.after)})")
        return Tex(rf"{op}{{{name}}}({size_math(layer.left)}, {size_math(layer.right)})")
    if isinstance(layer, Down):
        factors = axes_math(layer.factors) if layer.ndim >= 2 else layer.factor
        phase = "^{(" + ", ".join(map(str, layer.phases)) + ")}" if any(layer.phases) else ""  # the phase per axis
        return Tex(rf"{{\downarrow}}_{{{factors}}}{phase}")
    if isinstance(layer, Up):
        return Tex(rf"{{\uparrow}}_{{{axes_math(layer.factors) if layer.ndim >= 2 else layer.factor}}}")
    if isinstance(layer, Flip) and layer.axes is None:  # flip(axes=...) is written as in the DSL, below
        return Tex(rf"{op}{{flip}}")
    if isinstance(layer, ReLU):
        return Tex(rf"{op}{{relu}}")
    if isinstance(layer, (AvgPool, MaxPool, L2Pool)):
        name = {AvgPool: "avgpool", MaxPool: "maxpool", L2Pool: "l2pool"}[type(layer)]
        if layer.ndim == 1:
            sub = _args(s=_unless(layer.stride, layer.size), p=_unless(layer.padding, 0),
                        d=_unless(getattr(layer, "dilation", 1), 1), **_pool_flags(layer))
            return Tex(rf"{op}{{{name}}}{sub}({layer.size})")
        sub = _args(s=_unless_all(layer.strides, layer.sizes) if layer.strides != layer.sizes else None,
                    p=_unless_all(layer.paddings, 0), d=_unless_all(getattr(layer, "dilations", (1,)), 1),
                    **_pool_flags(layer))
        window = r" \times ".join(size_math(v) for v in layer.sizes)  # the window per axis: 2 x 2 shows it is 2-D
        return Tex(rf"{op}{{{name}}}{sub}({window})")
    if isinstance(layer, Affine):
        def scalar(v):
            if is_long_numeric(v):
                return shape_math(v)
            return sequence_latex(v) if isinstance(v, tuple) else Tex(sympy.latex(v))
        return Tex(rf"{op}{{affine}}({scalar(layer.scale)}, {scalar(layer.shift)})")
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(layer))}}}}}")
