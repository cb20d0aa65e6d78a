"""Kernels written as lists of polynomials in other kernels' taps: ``[k_0**2, k_0*k_1 + k_0*k_2, 1/2]``.

This is how ``derive`` and ``--solve`` print a closed-form kernel, so those
outputs read back as DSL (and certificates that use them can be re-checked).
A name in such a list must be a tap of a kernel with a fixed length that the
statement declares: ``k_j`` for ``k[c]``, ``W_o_i_j`` for ``W[out, in, c]``.
Entries may add, subtract and multiply, divide by a number, and raise to a
small integer power; the result is a :class:`~symconv.core.kernel.DerivedKernel`
whose sources are the kernels named. Nested as the N-D kernels print (rows
``[[k_0_0, k_0_1], [k_1_0, k_1_1]]`` of one 2-D channel, ``[out][in][rows][cols]``
of a 2-D weight, ``[out][in][...]`` of a 3-D weight), over the taps of N-D kernels
(``k_0_1`` for ``k[2, 2]``, ``W_o_i_a_b`` for ``W[out, in, 2, 2]``), it is a
:class:`~symconv.core.kernel.DerivedKernel`.

>>> from symconv.dsl import parse_statement
>>> lhs, rhs = parse_statement("conv(k[2]) >> conv(k)", "conv([k_0**2, 2*k_0*k_1, k_1**2])")
>>> rhs.weight.values[0][0]
(k_0**2, 2*k_0*k_1, k_1**2)
"""

from __future__ import annotations

import ast
from typing import Any, Callable

from symconv.lazy_import import sympy

from symconv.core.kernel import DerivedKernel, Kernel, KernelSymbol, tap_symbol
from symconv.dsl_coefficients import is_number
from symconv.errors import KindError, LiteralError

__all__ = ["has_names", "tap_list"]

#: Largest exponent accepted in a tap polynomial (``k_0**8``).
MAX_EXPONENT = 8

_TAP_HINT = "taps are named k_0, k_1, ... for a kernel k[3] of the statement (W_0_1_2 for W[out, in, c])"


def has_names(node: ast.expr) -> bool:
    """Whether a list literal mentions any name (then it is a tap list, not numbers)."""
    return any(isinstance(n, ast.Name) for n in ast.walk(node))


def _tap_nd(parser: Any, node: ast.Name) -> tuple[sympy.Symbol, KernelSymbol]:
    for k in parser.names.kernels.values():
        if isinstance(k, KernelSymbol) and k.ndim >= 2 and node.id.startswith(k.name + "_"):
            symbol = next((s for s in k.grid().values() if s.name == node.id), None)
            if symbol is not None:
                return symbol, k
    raise parser.fail(KindError, node, f"{parser.describe(node)} is not a tap of an N-D kernel of the statement",
                      "taps of k[2, 2] are named k_0_0 .. k_1_1 (W_o_i_a_b for W[out, in, 2, 2])")


def _tap(parser: Any, node: ast.Name) -> tuple[sympy.Symbol, KernelSymbol]:
    for k in parser.names.kernels.values():
        if not isinstance(k, KernelSymbol) or k.ndim != 1 or not node.id.startswith(k.name + "_"):
            continue
        parts = node.id[len(k.name) + 1:].split("_")
        if not all(p.isdigit() and (p == "0" or not p.startswith("0")) for p in parts):
            continue
        if len(parts) != (1 if len(k.dims) == 1 else 3):
            continue
        if not isinstance(k.length, int):
            raise parser.fail(KindError, node, f"{node.id} is a tap of {k!r}, whose length is generic",
                              f"give {k.name} a length, e.g. {k.name}[3], to name its taps")
        index = tuple(int(p) for p in parts)
        if any(i >= size for i, size in zip(index, k.shape[-len(index):])):
            raise parser.fail(KindError, node, f"{k!r} has no tap {node.id}", _TAP_HINT)
        return tap_symbol(k.name, *index), k
    raise parser.fail(KindError, node, f"{parser.describe(node)} is used where a number or a tap is expected",
                      _TAP_HINT)


def _polynomial(parser: Any, node: ast.expr, sources: dict, tap: Callable = _tap) -> sympy.Expr:
    if is_number(node):
        value = parser.number(node)
        return sympy.Rational(str(value)) if isinstance(value, float) else sympy.sympify(value)  # safe: a number
    if isinstance(node, ast.Name):
        symbol, k = tap(parser, node)
        sources[k.name] = k
        return symbol
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _polynomial(parser, node.operand, sources, tap)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        a, b = _polynomial(parser, node.left, sources, tap), _polynomial(parser, node.right, sources, tap)
        return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and is_number(node.right):
        divisor = sympy.Rational(str(parser.number(node.right)))
        if divisor == 0:
            raise parser.fail(LiteralError, node, "division by zero", "expected a nonzero denominator")
        return _polynomial(parser, node.left, sources, tap) / divisor
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = node.right
        if not (isinstance(exponent, ast.Constant) and type(exponent.value) is int
                and 1 <= exponent.value <= MAX_EXPONENT):
            raise parser.fail(LiteralError, exponent, "a tap polynomial's exponent must be a whole number",
                              f"expected 1 to {MAX_EXPONENT}, e.g. k_0**2")
        return _polynomial(parser, node.left, sources, tap) ** exponent.value
    raise parser.fail(KindError, node, f"{parser.describe(node)} is not a tap polynomial",
                      "expected sums and products of numbers and taps, e.g. k_0*k_1 + 2*k_2")


def tap_list(parser: Any, node: ast.List) -> Kernel:
    """The derived kernel of a (flat or ``[out][in][tap]``) list of tap polynomials (module docstring)."""
    sources: dict[str, KernelSymbol] = {}

    def rows(item: ast.expr, depth: int):
        if depth == 0:
            if isinstance(item, ast.List):
                raise parser.fail(LiteralError, item, "a tap list nests too deep", "expected [taps] or "
                                  "[[[taps]]] (out, in, taps)")
            return sympy.expand(_polynomial(parser, item, sources))
        if not isinstance(item, ast.List) or not item.elts:
            raise parser.fail(LiteralError, item, "a tap list must be [taps] or [[[taps]]] (out, in, taps)",
                              "write every level as a non-empty list")
        return tuple(rows(e, depth - 1) for e in item.elts)

    depth = _depth(node)
    if depth in (2, 4, 5) or (depth == 3 and _names_nd_tap(parser, node)):
        return _tap_list_nd(parser, node, depth)  # as core.kernel prints: one 2-D/3-D channel, a 2-D/3-D weight
    nested = bool(node.elts) and isinstance(node.elts[0], ast.List)
    values = rows(node, 3) if nested else ((rows(node, 1),),)
    widths = {len(taps) for row in values for taps in row} | {-len(row) for row in values}
    if len({w for w in widths if w > 0}) > 1 or len({w for w in widths if w < 0}) > 1:
        raise parser.fail(LiteralError, node, "the rows of a tap list have different lengths",
                          "expected every channel to have the same number of taps")
    return DerivedKernel(values, tuple(sources[name] for name in sorted(sources)))


def _depth(node: ast.expr) -> int:
    return 1 + _depth(node.elts[0]) if isinstance(node, ast.List) and node.elts else 0


def _names_nd_tap(parser: Any, node: ast.List) -> bool:
    """Whether the list names a tap of an N-D kernel (then ``[[[...]]]`` is one 3-D channel, not a 1-D weight)."""
    taps = {s.name for k in parser.names.kernels.values() if isinstance(k, KernelSymbol) and k.ndim >= 2
            for s in k.grid().values()}
    return any(isinstance(n, ast.Name) and n.id in taps for n in ast.walk(node))


def _tap_list_nd(parser: Any, node: ast.List, depth: int) -> DerivedKernel:
    """One 2-D or 3-D channel (depth 2, 3), a 2-D or 3-D weight (depth 4, 5) of polynomials in N-D taps."""
    sources: dict[str, KernelSymbol] = {}

    def entries(item: ast.expr, level: int):
        if level == 0:
            if isinstance(item, ast.List):
                raise parser.fail(LiteralError, item, "a tap list nests too deep",
                                  "expected one level per axis, as the kernel prints")
            return sympy.expand(_polynomial(parser, item, sources, _tap_nd))
        if not isinstance(item, ast.List) or not item.elts:
            raise parser.fail(LiteralError, item, "every level of an N-D tap list must be a non-empty list",
                              "expected rows [[k_0_0, k_0_1], [k_1_0, k_1_1]] or [out][in][...]")
        return tuple(entries(e, level - 1) for e in item.elts)

    values = entries(node, depth)
    if depth in (2, 3):
        values = ((values,),)

    def shape(item) -> tuple:
        return (len(item),) + shape(item[0]) if isinstance(item, tuple) else ()

    def uniform(item, dims: tuple) -> bool:
        if not dims:
            return not isinstance(item, tuple)
        return isinstance(item, tuple) and len(item) == dims[0] and all(uniform(e, dims[1:]) for e in item)

    if not uniform(values, shape(values)):
        raise parser.fail(LiteralError, node, "the rows of a tap list have different lengths",
                          "expected every row (and channel) to have the same number of taps")
    return DerivedKernel(values, tuple(sources[name] for name in sorted(sources)))
