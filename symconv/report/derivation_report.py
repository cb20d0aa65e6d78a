"""The LaTeX report of a derivation (``symconv derive --tex``): the single layer a chain equals, its kernel,
its output length and where the chain and the layer differ, in 1-D and per axis in N-D.

>>> from symconv import derive
>>> r"K[6] = k_{2}^{2}" in derivation_latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)"))
True
"""

from __future__ import annotations

from dataclasses import replace

from symconv.lazy_import import sympy

from symconv.core.kernel import kernel as kernel_symbol
from symconv.core.layers import Conv
from symconv.core.output_length import length_symbol, output_length
from symconv.prover.derive import Derivation
from symconv.report import notation
from symconv.report.jinja_env import render
from symconv.report.symbol_math import expr_latex, sequence_latex, theorem_parts
from symconv.report.taps_latex import polynomial_latex, tap_lines
from symconv.report.tex_escape import Tex, escape_tt
from symconv.report.verdict_text import input_sizes

__all__ = ["derivation_latex", "boundary_text"]


def _generic_length(chain, names) -> Tex | None:
    """The output length of a chain with one generic kernel length, with its case split (None outside)."""
    from symconv.errors import SymconvError
    from symconv.prover.generic_lengths import OutsideGenericFragment, length_form, length_period

    symbols = {s for k in chain.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        return None
    symbol = symbols.pop()
    try:
        form = length_form(chain, length_period(chain), symbol)
    except (OutsideGenericFragment, SymconvError):
        return None
    return notation.generic_length_cases(form, symbol, names)


def boundary_text(boundary: dict | None) -> Tex | None:
    """Which outputs of a chain can differ from its single layer, in words that fit the counts.

    >>> print(boundary_text({"left": 0, "right": 1}))
    The chain and the single layer agree except at the end, where the last output can differ.
    """
    if not boundary:
        return None
    left, right = int(boundary.get("left", 0)), int(boundary.get("right", 0))
    first = "the first output" if left == 1 else f"the first {left} outputs"
    last = "the last output" if right == 1 else f"the last {right} outputs"
    if left and right:
        return Tex(f"The chain and the single layer agree except at the ends, where {first} and {last} can differ.")
    if left or right:
        return Tex(f"The chain and the single layer agree except at the start, where {first} can differ." if left else
                   f"The chain and the single layer agree except at the end, where {last} can differ.")
    return Tex("The chain and the single layer agree at every output.")


def derivation_latex(derivation: Derivation) -> str:
    """A complete LaTeX document reporting ``derivation`` (single layer, kernel, arithmetic).

    >>> from symconv import derive
    >>> r"K[6] = k_{2}^{2}" in derivation_latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)"))
    True
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(f"derivation_latex takes a Derivation (from symconv.derive), not {type(derivation).__name__}")
    d = derivation
    parts = theorem_parts(d.chain)
    if d.chain.ndim >= 2:
        return render("derivation.tex.j2", **_derivation_nd_context(d, parts))
    names = parts["names"]
    kernel = None
    if d.generating is not None:
        kernel = {"generating": expr_latex(d.generating, names)}
    elif d.kernel is not None:
        flat = not (d.kernel and isinstance(d.kernel[0], (list, tuple)))
        kernel = {"taps": tap_lines(d.kernel, names),
                  "polynomial": polynomial_latex(d.kernel, 0, names) if flat else None}
    length_math = None
    if d.length_expr is not None:
        length_math = notation.length_cases(d.length_expr, d.length_from, names)
    elif d.generating is not None:
        length_math = _generic_length(d.chain, names)
    elif d.layer is not None:
        length_math = expr_latex(output_length(d.layer, length_symbol()), names)
    layer_math = None
    if isinstance(d.layer, Conv) and d.kernel and not isinstance(d.kernel[0], (list, tuple)):
        layer_math = notation.layer_math(replace(d.layer, weight=kernel_symbol("K", len(d.kernel))))
    elif d.layer is not None:
        layer_math = notation.layer_math(d.layer)
    elif getattr(d, "linear_layer", None) is not None:
        # a bias with a generic tap sum k(1), which no layer holds: the convolution plus that bias per channel
        layer_math = Tex(rf"{notation.layer_math(d.linear_layer)} + {sequence_latex(d.bias, names=names)}")
    derivation_lines = notation.composition_derivation(d.chain, names) if d.chain.linear else None
    return render(
        "derivation.tex.j2",
        sides=[("Chain", "C", notation.layer_math(d.chain), escape_tt(repr(d.chain)))],
        declarations=parts["declarations"], layer_math=layer_math, derivation=derivation_lines,
        kernel=kernel, stride=d.stride, padding=Tex(f"({d.padding[0]}, {d.padding[1]})"), dilation=d.dilation,
        receptive_field=expr_latex(d.receptive_field, names), branches=d.branches,
        output_length_math=length_math, boundary_text=boundary_text(d.boundary),
        exact=d.exact, boundary=d.boundary, linear=d.chain.linear, axes=1, sizes=input_sizes(d.chain),
        every_size=Tex("input length $n$"), every_input=Tex("$n$"), axis_lengths=None, output_shape=None,
    )


def _grid_entries(values: list, index: tuple = ()):
    """``(index, value)`` for every entry of a nested list, in row-major order."""
    if not isinstance(values, (list, tuple)):
        yield index, values
        return
    for i, v in enumerate(values):
        yield from _grid_entries(v, index + (i,))


def _derivation_nd_context(d: Derivation, parts: dict) -> dict:
    """The template values of an N-D derivation: every quantity per axis, the kernel ``K[a_1, ..., a_d]``."""
    axes = d.chain.ndim
    bias = getattr(d.layer, "bias", None)
    # the input lengths n_1, ..., n_d as subscripts
    fixed = tuple((f"n_{a}", f"n_{{{a}}}") for a in range(1, axes + 1))
    names = replace(parts["names"], fixed=parts["names"].fixed + fixed)
    kernel = layer_math = None
    if d.kernel is not None:
        items = []
        for index, value in _grid_entries(d.kernel):
            single = len(index) == axes
            head = "K" if single else f"K_{{{index[0]},{index[1]}}}"
            at = ", ".join(map(str, index if single else index[2:]))
            items.append(Tex(rf"{head}[{at}] = {expr_latex(value, names)}"))
        kernel = {"taps": items, "polynomial": None}
    if d.layer is not None:
        weight = kernel_symbol("K", *d.layer.weight.shape, ndim=d.layer.weight.ndim)
        layer_math = notation.layer_math(replace(d.layer, weight=weight, bias=None))
        if bias is not None:  # the bias B (one value per output channel) is listed with the kernel
            layer_math = Tex(f"{layer_math} + B")
            kernel["bias"] = [Tex(rf"B[{o}] = {expr_latex(b, names)}") for o, b in enumerate(bias)]
    n = length_symbol()
    lengths = []
    for a, axis in enumerate(getattr(d, "axes", ()), start=1):
        n_a = sympy.Symbol(f"n_{a}", integer=True, nonnegative=True)
        if axis.length_expr is not None:
            math = notation.length_cases(axis.length_expr.subs(n, n_a), axis.length_from, names, n=f"n_{{{a}}}")
        else:
            math = expr_latex(output_length(axis.chain, n_a), names)
        lengths.append(Tex(rf"m_{{{a}}}(n_{{{a}}}) = {math}"))
    shape = ", ".join(f"n_{{{a}}}" for a in range(1, axes + 1))
    output_shape = Tex("(" + ", ".join(f"m_{{{a}}}(n_{{{a}}})" for a in range(1, axes + 1)) + ")")
    return dict(
        sides=[("Chain", "C", notation.layer_math(d.chain), escape_tt(repr(d.chain)))],
        declarations=parts["declarations"], layer_math=layer_math, derivation=None, kernel=kernel,
        stride=Tex(str(tuple(d.stride))), padding=Tex(str(tuple(tuple(p) for p in d.padding))), dilation=d.dilation,
        receptive_field=Tex(str(tuple(d.receptive_field))), branches=d.branches, output_length_math=None,
        boundary_text=None, exact=d.exact, boundary=None, linear=d.chain.linear, axes=axes,
        sizes=input_sizes(d.chain), every_size=Tex(f"input shape $({shape})$"), every_input=Tex("shape"),
        axis_lengths=lengths or None, output_shape=output_shape,
    )
