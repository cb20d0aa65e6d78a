"""Kernel expressions as formulas: ``k * \\operatorname{dilate}_{2}(k)``, 1-D and N-D.

>>> from symconv.dsl import parse_chain
>>> kernel_math(parse_chain("conv(convolve(k[3], dilate(k, 2)))").weight)
'k * \\\\operatorname{dilate}_{2}(k)'
"""

from __future__ import annotations

from symconv.lazy_import import sympy

from symconv.core.kernel import (Convolve, DerivedKernel, Dilate, FlipKernel, Kernel, KernelSum, KernelSymbol,
                                 Literal, PadKernel, Scaled)
from symconv.report.symbol_math import name_math, sequence_latex, size_math
from symconv.report.tex_escape import Tex, escape_tt
from symconv.report.weights_math import is_long_numeric, shape_math

__all__ = ["kernel_math", "axes_math"]


def kernel_math(k: Kernel) -> Tex:
    """A kernel expression as a formula: ``k * \\operatorname{dilate}_{2}(k)``; per-axis arguments as tuples."""
    if isinstance(k, KernelSymbol):
        return name_math(k.name)
    if isinstance(k, (Literal, DerivedKernel)):
        return _values_math(k)
    if isinstance(k, Dilate):
        return Tex(rf"\operatorname{{dilate}}_{{{axes_math(k.factors)}}}({kernel_math(k.kernel)})")
    if isinstance(k, Convolve):
        return Tex(rf"{_factor(k.a)} * {_factor(k.b)}")
    if isinstance(k, FlipKernel) and not k.is_whole:
        return Tex(rf"\operatorname{{flip}}_{{{axes_math(k.axes)}}}({kernel_math(k.kernel)})")
    if isinstance(k, FlipKernel):
        return Tex(rf"\operatorname{{flip}}({kernel_math(k.kernel)})")
    if isinstance(k, PadKernel) and k.ndim == 1:
        return Tex(rf"\operatorname{{padk}}_{{({k.left},{k.right})}}({kernel_math(k.kernel)})")
    if isinstance(k, PadKernel):
        return Tex(rf"\operatorname{{padk}}_{{{axes_math(k.before)};\,{axes_math(k.after)}}}({kernel_math(k.kernel)})")
    if isinstance(k, KernelSum):
        return Tex(rf"{kernel_math(k.a)} + {kernel_math(k.b)}")
    if isinstance(k, Scaled):
        return Tex(rf"{sympy.latex(k.scalar)} \cdot {_factor(k.kernel)}")
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(k))}}}}}")


def _values_math(k: Kernel) -> Tex:
    """Literal or derived values: a model's weights by their shape, one 1-D channel as its tap sequence, 1-D
    weights as a matrix of tap sequences, an N-D channel as a matrix of taps."""
    if is_long_numeric(k.values):  # a model's weights: set by their shape (report.weights_math)
        return shape_math(k.values)
    if k.ndim == 1 and k.is_single_channel:
        return sequence_latex(k.values[0][0])
    if k.ndim == 1:  # out channels down, in channels across, each entry one tap sequence
        rows = r" \\ ".join(" & ".join(sequence_latex(entry) for entry in row) for row in k.values)
        return Tex(rf"\left[\begin{{smallmatrix}} {rows} \end{{smallmatrix}}\right]")
    values = k.values
    while _depth(values) > 2 and len(values) == 1:
        values = values[0]  # single-channel weights: drop the channel axes
    return _grid(values)


def axes_math(values) -> str:
    """A per-axis parameter: one value when the axes agree, else the tuple."""
    values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
    if len(set(values)) == 1:
        return size_math(values[0])
    return "(" + ", ".join(size_math(v) for v in values) + ")"


def _grid(values) -> Tex:
    """A 2-D array of numbers or expressions as a matrix; anything deeper as nested sequences."""
    if (isinstance(values, (list, tuple)) and values and all(isinstance(r, (list, tuple)) for r in values)
            and not any(isinstance(v, (list, tuple)) for r in values for v in r)):
        rows = r" \\ ".join(" & ".join(sequence_latex(v) for v in row) for row in values)
        return Tex(rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}")
    return sequence_latex(values)


def _depth(values) -> int:
    return 1 + _depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


def _factor(k: Kernel) -> str:
    inner = kernel_math(k)
    return rf"\bigl({inner}\bigr)" if isinstance(k, (KernelSum, Scaled)) else inner
