"""The notation of the reports: escaping of user text, tap symbols, and chains as formulas.

Text goes through :func:`escape_tex` (prose, math identifiers) or
:func:`escape_tt` (DSL in typewriter, breakable and copyable); both cover
``\\ { } $ & # ^ _ % ~`` and turn characters a plain ``pdflatex`` cannot set
(non-ASCII, control characters) into ``\\unichar{XXXX}`` (defined in the
preamble). What they return is a :class:`Tex`, which the template
environment prints as is; any other value is escaped there.

A chain is typeset left to right, ``A \\gg B`` meaning "A, then B":
``conv(k[3], stride=2) >> conv(k, stride=2)`` becomes
``\\operatorname{conv}_{s=2}(k) \\gg \\operatorname{conv}_{s=2}(k)``.

>>> escape_tt("conv(k_1, stride=2)")
'conv(\\\\allowbreak{}k\\\\char95{}1,\\\\allowbreak{} stride=2)'
>>> from symconv.dsl import parse_chain
>>> layer_math(parse_chain("conv(k[3], stride=2) >> conv(k, stride=2)"))
'\\\\operatorname{conv}_{s=2}(k) \\\\gg \\\\operatorname{conv}_{s=2}(k)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Optional

import sympy

from symconv.core.kernel import (Convolve, DerivedKernel, Dilate, FlipKernel, Kernel, KernelSum, KernelSymbol,
                                 Literal, PadKernel, Scaled)
from symconv.core.layers import (Affine, AvgPool, Chain, Conv, ConvTranspose, Crop, Down, Flip, L2Pool, Layer,
                                 MaxPool, Pad, Parallel, ReLU, Up)

__all__ = ["Tex", "escape_tex", "escape_tt", "SymbolNames", "symbol_names", "expr_latex", "name_math",
           "sequence_latex", "declarations", "layer_math", "kernel_math"]


class Tex(str):
    """A string that is already LaTeX: the templates print it without escaping."""


_TEXT = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\ensuremath{\$}", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
# In the typewriter font every ASCII glyph sits at its own code, so \char gives the glyph itself.
# (\$ would take the dollar from a TS1 font, which a minimal TeX Live only has as a bitmap.)
_TT = {"\\": r"\char92{}", "{": r"\char123{}", "}": r"\char125{}", "^": r"\char94{}", "_": r"\char95{}",
       "~": r"\char126{}", "'": r"\char13{}", "$": r"\char36{}", "&": r"\&", "#": r"\#", "%": r"\%"}
_BREAK_AFTER = frozenset("([,*/")


def _escape(text: str, table: dict, breakable: bool) -> Tex:
    out = []
    for ch in str(text):
        if ch in table:
            out.append(table[ch])
        elif ch in "\t\n\r\f\v":
            out.append(" ")
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(rf"\unichar{{{ord(ch):04X}}}")
        if breakable and ch in _BREAK_AFTER:
            out.append(r"\allowbreak{}")
    return Tex("".join(out))


def escape_tex(text: str, breakable: bool = False) -> Tex:
    """``text`` as LaTeX prose: every special character escaped, whitespace made one line.

    With ``breakable`` a line may also break after ``( [ , * /``.

    >>> print(escape_tex(r"a\\b ~ $x^2$ #1 50%"))
    a\\textbackslash{}b \\textasciitilde{} \\ensuremath{\\$}x\\textasciicircum{}2\\ensuremath{\\$} \\#1 50\\%
    >>> escape_tex("k\u03b1")
    'k\\\\unichar{03B1}'
    """
    return _escape(text, _TEXT, breakable)


def escape_tt(text: str) -> Tex:
    """``text`` for ``\\texttt``: the exact ASCII characters, with breaks after ``( [ , * /``."""
    return _escape(text, _TT, True)


# ---------------------------------------------------------------- symbols

def name_math(name: str) -> Tex:
    """An identifier in math: one ASCII letter stays italic, longer names are ``\\mathit{...}``.

    A name that is not an identifier (it can only be built around the DSL) is
    set in text italics: its escapes such as ``\\textbackslash{}`` are text commands.

    >>> name_math("k"), name_math("my_k"), name_math("k~")
    ('k', '\\\\mathit{my\\\\_k}', '\\\\text{\\\\textit{k\\\\textasciitilde{}}}')
    """
    if len(name) == 1 and name.isascii() and name.isalpha():
        return Tex(name)
    if name.isidentifier():
        return Tex(rf"\mathit{{{escape_tex(name)}}}")
    return Tex(rf"\text{{\textit{{{escape_tex(name)}}}}}")


@dataclass(frozen=True)
class SymbolNames:
    """Maps SymPy symbols to LaTeX: tap ``k_2`` to ``k_{2}``, ``W_1_0_2`` to ``W_{1,0,2}``.

    ``indexed`` gives, for each kernel or bias name, how many indices its symbols carry;
    ``fixed`` gives the LaTeX of single symbols by name (``("lambda_", "\\lambda")``).
    """

    indexed: tuple[tuple[str, int], ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()

    def __call__(self, symbol: sympy.Symbol) -> str:
        for name, tex in self.fixed:
            if symbol.name == name:
                return tex
        for name, count in self.indexed:
            match = re.fullmatch(re.escape(name) + r"((?:_\d+){%d})" % count, symbol.name)
            if match:
                return rf"{name_math(name)}_{{{','.join(match.group(1)[1:].split('_'))}}}"
        return name_math(symbol.name)


def symbol_names(layers: Iterable[Layer]) -> SymbolNames:
    """The :class:`SymbolNames` of the kernels and bias vectors of ``layers``."""
    indexed: dict[str, int] = {}
    for layer in layers:
        for step in _walk(layer):
            for k in step.kernels():
                for s in k.symbols():
                    indexed[s.name] = 1 if len(s.dims) == 1 else 3
            if isinstance(getattr(step, "bias", None), str):
                indexed[step.bias] = 1
    # Longest names first, so that ``k_1`` (a kernel) wins over ``k`` for ``k_1_0``.
    return SymbolNames(tuple(sorted(indexed.items(), key=lambda item: -len(item[0]))))


def _walk(layer: Layer):
    yield layer
    for child in getattr(layer, "steps", ()) + getattr(layer, "branches", ()):
        yield from _walk(child)


def expr_latex(expr: object, names: SymbolNames) -> Tex:
    """``sympy.latex`` of ``expr`` with every symbol named by ``names``."""
    expr = sympy.sympify(expr) if isinstance(expr, (int, Fraction)) else expr  # safe: a number
    if not isinstance(expr, sympy.Basic):
        return escape_tex(str(expr))
    return Tex(sympy.latex(expr, symbol_names={s: names(s) for s in expr.free_symbols}))


def sequence_latex(values, highlight: Optional[int] = None, names: SymbolNames = SymbolNames()) -> Tex:
    """``(v_0, v_1, ...)`` with a break allowed after every comma; entry ``highlight`` boxed."""
    if isinstance(values, (list, tuple)):
        items = []
        for i, v in enumerate(values):
            item = sequence_latex(v, None, names)
            items.append(rf"\boxed{{{item}}}" if i == highlight else item)
        return Tex(r"(" + r",\allowbreak ".join(items) + r")")
    if isinstance(values, float):
        return Tex(repr(values))
    return expr_latex(values, names)


def _size(value: object) -> str:
    return str(sympy.latex(value)) if isinstance(value, sympy.Basic) else escape_tex(str(value))


def declarations(layers: Iterable[Layer]) -> list[Tex]:
    """``k \\in \\mathbb{R}^{3}`` for every named kernel of ``layers`` (first occurrence order)."""
    seen: dict[str, Tex] = {}
    for layer in layers:
        for step in _walk(layer):
            for k in step.kernels():
                for s in k.symbols():
                    dims = r" \times ".join(_size(d) for d in s.dims)
                    seen.setdefault(s.name, Tex(rf"{name_math(s.name)} \in \mathbb{{R}}^{{{dims}}}"))
    return list(seen.values())


# ---------------------------------------------------------------- chains as formulas

def _args(**values) -> str:
    parts = [f"{key}={value}" for key, value in values.items() if value is not None]
    return "_{" + r",\,".join(parts) + "}" if parts else ""


def _padding(padding) -> Optional[str]:
    if padding == 0:
        return None
    if isinstance(padding, str):
        return rf"\text{{{escape_tex(padding)}}}"
    if isinstance(padding, tuple):
        return "(" + ",".join(_size(p) for p in padding) + ")"
    return _size(padding)


def _bias(bias) -> str:
    if bias is None:
        return ""
    if isinstance(bias, str):
        return r";\, " + name_math(bias)
    return r";\, " + sequence_latex(bias)


def _unless(value, default) -> Optional[str]:
    return None if value == default else _size(value)


def kernel_math(k: Kernel) -> Tex:
    """A kernel expression as a formula: ``k * \\operatorname{dilate}_{2}(k)``."""
    if isinstance(k, KernelSymbol):
        return name_math(k.name)
    if isinstance(k, (Literal, DerivedKernel)):
        values = k.values[0][0] if k.is_single_channel else k.values
        return sequence_latex(values)
    if isinstance(k, Dilate):
        return Tex(rf"\operatorname{{dilate}}_{{{k.factor}}}({kernel_math(k.kernel)})")
    if isinstance(k, Convolve):
        return Tex(rf"{_factor(k.a)} * {_factor(k.b)}")
    if isinstance(k, FlipKernel):
        return Tex(rf"\operatorname{{flip}}({kernel_math(k.kernel)})")
    if isinstance(k, PadKernel):
        return Tex(rf"\operatorname{{padk}}_{{({k.left},{k.right})}}({kernel_math(k.kernel)})")
    if isinstance(k, KernelSum):
        return Tex(rf"{kernel_math(k.a)} + {kernel_math(k.b)}")
    if isinstance(k, Scaled):
        return Tex(rf"{sympy.latex(k.scalar)} \cdot {_factor(k.kernel)}")
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(k))}}}}}")


def _factor(k: Kernel) -> str:
    inner = kernel_math(k)
    return rf"\bigl({inner}\bigr)" if isinstance(k, (KernelSum, Scaled)) else inner


def layer_math(layer: Layer) -> Tex:
    """A chain as a formula, layers left to right joined by ``\\gg`` (see the module docstring)."""
    op = r"\operatorname"
    if isinstance(layer, Chain):
        parts = [rf"\bigl({layer_math(s)}\bigr)" if isinstance(s, Parallel) else layer_math(s) for s in layer.steps]
        return Tex(r" \gg ".join(parts))
    if isinstance(layer, Parallel):
        parts = [rf"\bigl({layer_math(b)}\bigr)" if isinstance(b, Chain) else layer_math(b) for b in layer.branches]
        return Tex(" + ".join(parts))
    if isinstance(layer, Conv):
        sub = _args(s=_unless(layer.stride, 1), p=_padding(layer.padding), d=_unless(layer.dilation, 1),
                    g=_unless(layer.groups, 1))
        return Tex(rf"{op}{{conv}}{sub}({kernel_math(layer.weight)}{_bias(layer.bias)})")
    if isinstance(layer, ConvTranspose):
        sub = _args(s=_unless(layer.stride, 1), p=_unless(layer.padding, 0), o=_unless(layer.output_padding, 0),
                    d=_unless(layer.dilation, 1), g=_unless(layer.groups, 1))
        return Tex(rf"{op}{{conv}}^{{\top}}{sub}({kernel_math(layer.weight)}{_bias(layer.bias)})")
    if isinstance(layer, (Pad, Crop)):
        name = "pad" if isinstance(layer, Pad) else "crop"
        return Tex(rf"{op}{{{name}}}({_size(layer.left)}, {_size(layer.right)})")
    if isinstance(layer, Down):
        phase = rf"^{{({layer.phase})}}" if layer.phase else ""
        return Tex(rf"{{\downarrow}}_{{{layer.factor}}}{phase}")
    if isinstance(layer, Up):
        return Tex(rf"{{\uparrow}}_{{{layer.factor}}}")
    if isinstance(layer, Flip):
        return Tex(rf"{op}{{flip}}")
    if isinstance(layer, ReLU):
        return Tex(rf"{op}{{relu}}")
    if isinstance(layer, (AvgPool, MaxPool, L2Pool)):
        name = {AvgPool: "avgpool", MaxPool: "maxpool", L2Pool: "l2pool"}[type(layer)]
        sub = _args(s=_unless(layer.stride, layer.size), p=_unless(getattr(layer, "padding", 0), 0),
                    d=_unless(getattr(layer, "dilation", 1), 1))
        return Tex(rf"{op}{{{name}}}{sub}({layer.size})")
    if isinstance(layer, Affine):
        def scalar(v):
            return sequence_latex(v) if isinstance(v, tuple) else Tex(sympy.latex(v))
        return Tex(rf"{op}{{affine}}({scalar(layer.scale)}, {scalar(layer.shift)})")
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(layer))}}}}}")
