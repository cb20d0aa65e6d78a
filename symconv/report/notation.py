"""The notation of the reports: escaping of user text, tap symbols, and chains as formulas.

Text goes through :func:`escape_tex` (prose, math identifiers) or
:func:`escape_tt` (DSL in typewriter, breakable and copyable); both cover
``\\ { } $ & # ^ _ % ~`` and turn characters a plain ``pdflatex`` cannot set
(non-ASCII, control characters) into ``\\unichar{XXXX}`` (defined in the
preamble). What they return is a :class:`Tex`, which the template
environment prints as is; any other value is escaped there.

A chain is typeset as a composition of operators, ``B \\circ A`` meaning
"A, then B" (the layer applied first stands on the right, as in ``B(A(x))``):
``conv(k[3], stride=2) >> conv(k, stride=3)`` becomes
``\\operatorname{conv}_{s=3}(k) \\circ \\operatorname{conv}_{s=2}(k)``.

>>> escape_tt("conv(k_1, stride=2)")
'conv(k\\\\char95{}1,\\\\allowbreak{} stride=2)'
>>> from symconv.dsl import parse_chain
>>> layer_math(parse_chain("conv(k[3], stride=2) >> conv(k, stride=3)"))
'\\\\operatorname{conv}_{s=3}(k) \\\\circ \\\\operatorname{conv}_{s=2}(k)'
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
#: DSL text breaks only between tokens: after a comma (and at spaces), never inside ``k[3]`` or ``conv(``.
_BREAK_TT = frozenset(",")


def _escape(text: str, table: dict, breakable: bool, breaks: frozenset = _BREAK_AFTER) -> Tex:
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
        if breakable and ch in breaks:
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
    """``text`` for ``\\texttt``: the exact ASCII characters, with a break allowed after each comma."""
    return _escape(text, _TT, True, _BREAK_TT)


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
            items.append(rf"\,\boxed{{{item}}}\," if i == highlight else item)
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
        if all(p == 0 for p in padding):
            return None
        if len(set(padding)) == 1:  # (3, 3): the same on both sides, as PyTorch's padding=3
            return _size(padding[0])
        return "(" + ",".join(_size(p) for p in padding) + ")"
    return _size(padding)


def _call(weight: Kernel, bias) -> str:
    """``(k)``, ``\\bigl((1, 2)\\bigr)`` or ``\\bigl((1, 2);\\, b\\bigr)``: a layer's kernel and bias."""
    inner = kernel_math(weight) + _bias(bias)
    return rf"\bigl({inner}\bigr)" if inner.startswith("(") else f"({inner})"


def _bias(bias) -> str:
    if bias is None:
        return ""
    if isinstance(bias, str):
        return r";\, " + name_math(bias)
    return r";\, " + sequence_latex(bias)


def _pool_flags(layer) -> dict:
    """A pool's ``ceil_mode=True`` and ``count_include_pad=False``, as subscript entries (none when default)."""
    flags = {r"\text{ceil\_mode}": r"\text{True}" if getattr(layer, "ceil_mode", False) else None,
             r"\text{count\_include\_pad}": None if getattr(layer, "count_include_pad", True) else r"\text{False}"}
    return {key: value for key, value in flags.items() if value is not None}


def _unless(value, default) -> Optional[str]:
    return None if value == default else _size(value)


def kernel_math(k: Kernel) -> Tex:
    """A kernel expression as a formula: ``k * \\operatorname{dilate}_{2}(k)``."""
    if isinstance(k, KernelSymbol):
        return name_math(k.name)
    if isinstance(k, (Literal, DerivedKernel)):
        if k.is_single_channel:
            return sequence_latex(k.values[0][0])
        # out channels down, in channels across, each entry one tap sequence
        rows = r" \\ ".join(" & ".join(sequence_latex(entry) for entry in row) for row in k.values)
        return Tex(rf"\left[\begin{{smallmatrix}} {rows} \end{{smallmatrix}}\right]")
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
    nd = _kernel_nd_math(k)
    if nd is not None:
        return nd
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(k))}}}}}")


def _axes(values) -> str:
    """A per-axis parameter: one value when the axes agree, else the tuple."""
    values = tuple(values) if isinstance(values, (list, tuple)) else (values,)
    if len(set(values)) == 1:
        return _size(values[0])
    return "(" + ", ".join(_size(v) for v in values) + ")"


def _grid(values) -> Tex:
    """A 2-D array of numbers or expressions as a matrix; anything deeper as nested sequences."""
    if (isinstance(values, (list, tuple)) and values and all(isinstance(r, (list, tuple)) for r in values)
            and not any(isinstance(v, (list, tuple)) for r in values for v in r)):
        rows = r" \\ ".join(" & ".join(sequence_latex(v) for v in row) for row in values)
        return Tex(rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}")
    return sequence_latex(values)


def _kernel_nd_math(k) -> Optional[Tex]:
    """The N-D kernel expressions (``KernelSymbolNd``, ``LiteralNd``, ...), matched by class name so that
    the report follows the core's N-D classes without importing them."""
    kind = type(k).__name__
    if kind == "KernelSymbolNd":
        return name_math(k.name)
    if kind in ("LiteralNd", "DerivedKernelNd"):
        values = k.values
        while _depth(values) > 2 and len(values) == 1:
            values = values[0]  # single-channel weights: drop the channel axes
        return _grid(values)
    if kind == "ConvolveNd":
        return Tex(rf"{kernel_math(k.a)} * {kernel_math(k.b)}")
    if kind == "DilateNd":
        return Tex(rf"\operatorname{{dilate}}_{{{_axes(k.factors)}}}({kernel_math(k.kernel)})")
    if kind == "FlipNd" and len(k.axes) < k.ndim:
        return Tex(rf"\operatorname{{flip}}_{{{_axes(k.axes)}}}({kernel_math(k.kernel)})")
    if kind == "FlipNd":
        return Tex(rf"\operatorname{{flip}}({kernel_math(k.kernel)})")
    if kind == "SumNd":
        return Tex(rf"{kernel_math(k.a)} + {kernel_math(k.b)}")
    if kind == "ScaledNd":
        return Tex(rf"{sympy.latex(k.scalar)} \cdot \bigl({kernel_math(k.kernel)}\bigr)")
    if kind == "PadKernelNd":
        return Tex(rf"\operatorname{{padk}}_{{{_axes(k.before)};\,{_axes(k.after)}}}({kernel_math(k.kernel)})")
    return None


def _depth(values) -> int:
    return 1 + _depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


def _unless_all(values, default) -> Optional[str]:
    flat = values if isinstance(values, (list, tuple)) else (values,)
    flat = [v for item in flat for v in (item if isinstance(item, (list, tuple)) else (item,))]
    if all(v == default for v in flat):
        return None
    if len(set(flat)) == 1:
        return _size(flat[0])
    if isinstance(values, (list, tuple)) and values and isinstance(values[0], (list, tuple)):
        return "(" + ", ".join(_axes(v) for v in values) + ")"
    return _axes(values)


def _layer_nd_math(layer) -> Optional[Tex]:
    """The N-D layers (``ConvNd``, ``PadNd``, ...), matched by class name (see :func:`_kernel_nd_math`)."""
    kind, op = type(layer).__name__, r"\operatorname"
    if kind in ("ConvNd", "ConvTransposeNd"):
        sub = _args(s=_unless_all(layer.stride, 1), p=_unless_all(layer.padding, 0),
                    o=_unless_all(getattr(layer, "output_padding", 0), 0), d=_unless_all(layer.dilation, 1),
                    g=_unless(layer.groups, 1))
        name = r"conv}^{\top" if kind == "ConvTransposeNd" else "conv"
        return Tex(rf"{op}{{{name}}}{sub}{_call(layer.weight, layer.bias)}")
    if kind in ("AvgPoolNd", "MaxPoolNd"):
        sub = _args(s=_unless_all(layer.stride, layer.size) if layer.stride != layer.size else None,
                    p=_unless_all(layer.padding, 0), d=_unless_all(getattr(layer, "dilation", 1), 1),
                    **_pool_flags(layer))
        return Tex(rf"{op}{{{kind[:-2].lower()}}}{sub}({_axes(layer.size)})")
    if kind in ("PadNd", "CropNd"):
        return Tex(rf"{op}{{{kind[:-2].lower()}}}({_axes(layer.before)};\, {_axes(layer.after)})")
    if kind == "DownNd":
        return Tex(rf"{{\downarrow}}_{{{_axes(layer.factors)}}}")
    if kind == "UpNd":
        return Tex(rf"{{\uparrow}}_{{{_axes(layer.factors)}}}")
    return None


def _factor(k: Kernel) -> str:
    inner = kernel_math(k)
    return rf"\bigl({inner}\bigr)" if isinstance(k, (KernelSum, Scaled)) else inner


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
                    d=_unless(getattr(layer, "dilation", 1), 1), **_pool_flags(layer))
        return Tex(rf"{op}{{{name}}}{sub}({layer.size})")
    if isinstance(layer, Affine):
        def scalar(v):
            return sequence_latex(v) if isinstance(v, tuple) else Tex(sympy.latex(v))
        return Tex(rf"{op}{{affine}}({scalar(layer.scale)}, {scalar(layer.shift)})")
    nd = _layer_nd_math(layer)
    if nd is not None:
        return nd
    return Tex(rf"\text{{\texttt{{{escape_tt(repr(layer))}}}}}")


# ---------------------------------------------------------------- lengths and generating polynomials

def _tidy(expr: object) -> object:
    """``floor(n/4 - 3/4)`` as ``floor((n - 3)/4)``: every floor's argument over one denominator."""
    if not isinstance(expr, sympy.Basic):
        return expr
    return expr.replace(lambda e: isinstance(e, sympy.floor), lambda e: sympy.floor(sympy.together(e.args[0])))


def length_cases(expr: object, n_min: int, names: SymbolNames = SymbolNames(), n: str = "n") -> Tex:
    """An output length with its case split: ``expr`` for ``n >= n_min``, 0 below (no split when ``n_min <= 1``).

    >>> n = sympy.Symbol("n")
    >>> print(length_cases(sympy.floor(n / 4 - sympy.Rational(3, 4)), 7))
    \\begin{cases} \\left\\lfloor{\\dfrac{n - 3}{4}}\\right\\rfloor & \\text{if } n \\ge 7, \\\\ 0 & \\text{if } 0 \\le n < 7 \\end{cases}
    """
    body = expr_latex(_tidy(expr), names)
    if n_min <= 1:
        return body
    body = Tex(body.replace(r"\frac", r"\dfrac"))  # a case's fraction in display size: readable
    return Tex(rf"\begin{{cases}} {body} & \text{{if }} {n} \ge {n_min}, \\ 0 & \text{{if }} 0 \le {n} < {n_min} "
               rf"\end{{cases}}")


def generic_length_cases(form, symbol: sympy.Symbol, names: SymbolNames = SymbolNames()) -> Optional[Tex]:
    """The output length of a chain with a generic kernel length ``c`` (a ``LengthForm``), with its case split.

    ``L(n) = floor((a n + u c + v) / D) + 1`` for ``n >= T(c)`` and 0 below, with ``T(c)`` affine in c
    from some c on and its first values listed apart. None when the form has no such closed form.
    """
    closed = form.closed_form()
    fit = form.threshold.affine_from()
    if closed is None or fit is None:
        return None
    a, u, v, divisor = closed
    n = sympy.Symbol("n")
    inner = a * n + u * symbol + v
    value = sympy.floor(inner / divisor) + 1 if divisor > 1 else inner + 1
    start, slope, intercept = fit
    threshold = slope * symbol + intercept
    c = expr_latex(symbol, names)
    if start > 1:
        groups: dict[int, list[int]] = {}
        for small in range(1, start):
            groups.setdefault(form.threshold(small), []).append(small)
        rows = [rf"{expr_latex(threshold, names)} & \text{{if }} {c} \ge {start}"]
        for value_t, cs in groups.items():
            where = rf"{c} = {cs[0]}" if len(cs) == 1 else rf"{c} \in \{{{', '.join(map(str, cs))}\}}"
            rows.append(rf"{value_t} & \text{{if }} {where}")
        t = Tex(r"T(" + c + r")")
        tail = Tex(r", \qquad " + t + r" = \begin{cases} " + r", \\ ".join(rows) + r" \end{cases}")
    else:
        t, tail = expr_latex(threshold, names), Tex("")
    shown = expr_latex(_tidy(value), names).replace(r"\frac", r"\dfrac")  # display-size fraction in a case
    return Tex(rf"\begin{{cases}} {shown} & \text{{if }} n \ge {t}, \\ 0 & \text{{if }} "
               rf"0 \le n < {t} \end{{cases}}{tail}")


def _power(z: str, p: int) -> str:
    return z if p == 1 else f"{z}^{{{p}}}"


def _kernel_generating(k: Kernel, p: int, names: SymbolNames):
    """``(tex, factors)`` of ``K(z^p)``; ``tex`` a product of factors, each safe to juxtapose; None outside
    single-channel kernel expressions."""
    if not k.is_single_channel:
        return None
    if isinstance(k, KernelSymbol):
        return rf"{name_math(k.name)}({_power('z', p)})", True
    if isinstance(k, Dilate):
        return _kernel_generating(k.kernel, p * k.factor, names)
    if isinstance(k, Convolve):
        a, b = _kernel_generating(k.a, p, names), _kernel_generating(k.b, p, names)
        if a is None or b is None:
            return None
        return rf"{a[0]}\, {b[0]}", True
    if isinstance(k, (Literal, DerivedKernel)):
        if k.length_symbols():
            return None
        z = sympy.Symbol("z")
        poly = sum(sympy.sympify(v) * z ** (p * t) for t, v in enumerate(k.taps()[0][0]))  # safe: taps are numbers
        text = expr_latex(sympy.expand(poly), names)
        single = len(sympy.Add.make_args(sympy.expand(poly))) == 1
        return (text if single else rf"\bigl({text}\bigr)"), True
    return None


def _numeric_stride(value: object) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def chain_generating(layer: Layer, names: SymbolNames = SymbolNames()) -> Optional[tuple[Tex, int]]:
    """``(K(z), S)`` of a chain of unpadded single-channel convolutions without bias, else None.

    The layers ``conv_{s_1, d_1}(k_1), ..., conv_{s_L, d_L}(k_L)`` applied in turn are one
    ``conv_S(K)`` with ``S = s_1 ... s_L`` and ``K(z) = prod_l k_l(z^{d_l s_1 ... s_{l-1}})``.

    >>> from symconv.dsl import parse_chain
    >>> chain_generating(parse_chain("conv(k[3], stride=2) >> conv(k, stride=2)"))
    ('k(z)\\\\, k(z^{2})', 4)
    """
    steps = layer.steps if isinstance(layer, Chain) else (layer,)
    factors, stride = [], 1
    for step in steps:
        if not isinstance(step, Conv) or step.padding != 0 or step.bias is not None or step.groups != 1:
            return None
        s, d = _numeric_stride(step.stride), _numeric_stride(step.dilation)
        if s is None or d is None:
            return None
        factor = _kernel_generating(step.weight, stride * d, names)
        if factor is None:
            return None
        factors.append(factor[0])
        stride *= s
    return Tex(r"\, ".join(factors)), stride


def generating_value(layer: Layer) -> Optional[sympy.Expr]:
    """The polynomial ``K(z)`` of :func:`chain_generating` expanded in the taps (None for generic lengths)."""
    steps = layer.steps if isinstance(layer, Chain) else (layer,)
    z, product, stride = sympy.Symbol("z"), sympy.Integer(1), 1
    for step in steps:
        if not isinstance(step, Conv) or step.weight.length_symbols():  # a generic length has no tap list
            return None
        taps = step.weight.taps()
        power = stride * step.dilation
        product *= sum(sympy.sympify(v) * z ** (power * t) for t, v in enumerate(taps[0][0]))  # safe: taps
        stride *= step.stride
    return sympy.expand(product)


_PROSE = ((">=", r"$\ge$"), ("<=", r"$\le$"), ("!=", r"$\ne$"))


def prose(text: str) -> Tex:
    """Engine prose (a note, a step the report has no formula for) as LaTeX text: escaped, breakable,
    with ``>=``, ``<=`` and ``!=`` set as relation signs and a quoted word as ```same'``.

    >>> print(prose("padding='same' for n >= 3, up to 10^6"))
    padding=`same' for n $\\ge$ 3,\\allowbreak{} up to $10^{6}$
    """
    out, last = [], 0
    for match in _POWER.finditer(str(text)):  # 10^6, z^2: a power is mathematics, not a caret accent
        out.append(_prose_text(text[last:match.start()]))
        out.append(Tex(rf"${match.group(1)}^{{{match.group(2)}}}$"))
        last = match.end()
    out.append(_prose_text(str(text)[last:]))
    return Tex("".join(out))


_POWER = re.compile(r"(?<![\w^])([A-Za-z]|\d+)\^(-?\d+|[A-Za-z])(?![\w^])")


def _prose_text(text: str) -> str:
    pieces = [text]
    for code, _ in _PROSE:
        pieces = [part for piece in pieces for part in _split_keep(piece, code)]
    table = dict(_PROSE)
    return "".join(table[p] if p in table else _quoted(escape_tex(p, breakable=True)) for p in pieces)


def _quoted(text: str) -> str:
    """A word in straight single quotes with an opening quote (two right quotes otherwise)."""
    return re.sub(r"(?<![\w`])'([A-Za-z0-9_\\{}]+)'", r"`\1'", text)


def _split_keep(text: str, sep: str) -> list[str]:
    parts = text.split(sep)
    out = []
    for i, part in enumerate(parts):
        if i:
            out.append(sep)
        out.append(part)
    return out


def composition_derivation(layer: Layer, names: SymbolNames = SymbolNames()) -> Optional[list[Tex]]:
    """The lines deriving the kernel of a chain of unpadded convolutions (two or more layers), else None.

    With ``y_0 = x`` and ``y_l[i] = sum_a k_l[a] y_{l-1}[s_l i + d_l a]``, substituting one layer into
    the next gives ``y_L[i] = sum_u K[u] x[S i + u]`` with ``K[u]`` the sum of ``prod_l k_l[a_l]`` over
    ``sum_l d_l s_1 ... s_{l-1} a_l = u``, which is ``K(z) = prod_l k_l(z^{d_l s_1 ... s_{l-1}})``.
    """
    steps = layer.steps if isinstance(layer, Chain) else (layer,)
    if len(steps) < 2 or chain_generating(layer, names) is None:
        return None
    if any(not isinstance(step.weight, KernelSymbol) for step in steps):
        return None
    letters = "abcdefgh"
    if len(steps) > len(letters):
        return None
    stride, lines, terms, products, sums = 1, [], [], [], []
    for index, step in enumerate(steps):
        a = letters[index]
        k = name_math(step.weight.name)
        weight = stride * step.dilation
        terms.append(a if weight == 1 else f"{weight} {a}")
        products.append(f"{k}[{a}]")
        sums.append(a)
        stride *= step.stride
        s_i = "" if stride == 1 else f"{stride} "
        if index == 0:
            d = "" if step.dilation == 1 else f"{step.dilation} "
            first_s = "" if step.stride == 1 else f"{step.stride} "
            lines.append(Tex(rf"y_1[i] &= \sum_{{{a}}} {k}[{a}]\, x[{first_s}i + {d}{a}]"))
            continue
        local_s = "" if step.stride == 1 else f"{step.stride} "
        local_d = "" if step.dilation == 1 else f"{step.dilation} "
        lines.append(Tex(rf"y_{{{index + 1}}}[i] &= \sum_{{{a}}} {k}[{a}]\, y_{{{index}}}[{local_s}i + {local_d}{a}]"
                         rf" = \sum_{{{', '.join(sums)}}} {' '.join(products)}\, x[{s_i}i + {' + '.join(terms)}]"))
    u_terms = " + ".join(terms)
    lines.append(Tex(rf"&= \sum_{{u}} K[u]\, x[{'' if stride == 1 else f'{stride} '}i + u], \qquad "
                     rf"K[u] = \sum_{{{u_terms} = u}} {' '.join(products)}"))
    return lines
