"""The single kernel of a chain of unpadded convolutions: its generating polynomial
``K(z) = prod_l k_l(z^{d_l s_1 ... s_{l-1}})`` and the lines that derive it by substitution.

>>> from symconv.dsl import parse_chain
>>> generating_value(parse_chain("conv([1, 1], stride=2) >> conv([1, 1])"))
z**3 + z**2 + z + 1
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.kernel import Convolve, DerivedKernel, Dilate, Kernel, KernelSymbol, Literal
from symconv.core.layers import Chain, Conv, Layer
from symconv.report.symbol_math import SymbolNames, expr_latex, name_math
from symconv.report.tex_escape import Tex

__all__ = ["chain_generating", "generating_value", "composition_derivation"]


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
        if not isinstance(step, Conv) or step.ndim != 1 or step.padding_pair() != (0, 0) or step.bias is not None or step.groups != 1:
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
