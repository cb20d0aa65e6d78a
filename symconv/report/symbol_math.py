"""Names and values in math: identifiers (:func:`name_math`), tap symbols (``k_2`` as ``k_{2}``,
``W_1_0_2`` as ``W_{1,0,2}``: :class:`SymbolNames`), SymPy expressions, sequences of taps and the
declarations ``k \\in \\mathbb{R}^{3}`` of a statement's kernels.

>>> import sympy
>>> expr_latex(sympy.Symbol("k_2"), SymbolNames((("k", 1),)))
'k_{2}'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Optional

from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.report.tex_escape import Tex, escape_tex

__all__ = ["name_math", "SymbolNames", "symbol_names", "expr_latex", "sequence_latex", "size_math", "declarations",
           "theorem_parts"]


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
        tap = re.fullmatch(r"([A-Za-z]+)((?:_\d+)+)", symbol.name)
        if tap:  # a tap written into a literal kernel (``[q_0, -q_0]``): q_{0}, as a kernel's taps are set
            return rf"{name_math(tap.group(1))}_{{{','.join(tap.group(2)[1:].split('_'))}}}"
        return name_math(symbol.name)


def symbol_names(layers: Iterable[Layer]) -> SymbolNames:
    """The :class:`SymbolNames` of the kernels and bias vectors of ``layers``."""
    indexed: dict[str, int] = {}
    for layer in layers:
        for step in _walk(layer):
            for k in step.kernels():
                for s in k.symbols():
                    indexed[s.name] = len(s.dims)  # k_2, W_1_0_2, k_0_1, W_1_0_2_2: one index per size
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


def size_math(value: object) -> str:
    return str(sympy.latex(value)) if isinstance(value, sympy.Basic) else escape_tex(str(value))


def declarations(layers: Iterable[Layer]) -> list[Tex]:
    """``k \\in \\mathbb{R}^{3}`` for every named kernel of ``layers`` (first occurrence order)."""
    seen: dict[str, Tex] = {}
    for layer in layers:
        for step in _walk(layer):
            for k in step.kernels():
                for s in k.symbols():
                    dims = r" \times ".join(size_math(d) for d in s.dims)
                    seen.setdefault(s.name, Tex(rf"{name_math(s.name)} \in \mathbb{{R}}^{{{dims}}}"))
    return list(seen.values())


def theorem_parts(*layers: Layer) -> dict:
    """``{"names": SymbolNames, "declarations": [...]}`` of the kernels and biases of ``layers``."""
    return {"names": symbol_names(layers), "declarations": declarations(layers)}
