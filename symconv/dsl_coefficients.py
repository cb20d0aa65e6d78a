"""Coefficients in the DSL: affine scales and shifts, and bias entries.

A coefficient is a number, a parameter name, or a sum of products of a
number and a parameter: ``affine(1, 3*B)``, ``conv(k[3], bias=[-6*B + 1])``.
Products of two names and division by a name are refused: a coefficient is
affine-linear in the parameters, with exact rational factors.
"""

from __future__ import annotations

import ast
from fractions import Fraction
from typing import Any, Union

from symconv.lazy_import import sympy

from symconv.core.numbers import exact_number
from symconv.errors import KindError, LiteralError

__all__ = ["is_number", "is_coefficient", "coefficient", "written_value"]


def written_value(value: float, written: str) -> Union[float, sympy.Rational]:
    """A float literal read as written: ``value`` itself when ``repr(value)`` is the same rational as the text
    ``written`` (``0.5``, ``0.1``: every later step reads the float through its repr, so 0.1 is 1/10), else
    the exact rational of the text (``1.00000000000000000001`` is not 1, ``1e-400`` is not 0).

    >>> written_value(0.1, "0.1"), written_value(1.0, "1.00000000000000000001")
    (0.1, 100000000000000000001/100000000000000000000)
    """
    if repr(value) == written:  # the usual case: the text is the float's shortest repr
        return value
    exact = Fraction(written.replace("_", ""))
    if Fraction(repr(value)) == exact:
        return value
    return sympy.Rational(exact.numerator, exact.denominator)


def is_number(node: ast.expr) -> bool:
    """Whether ``node`` is made of numeric literals only (no names, lists or calls)."""
    if isinstance(node, ast.Constant):
        return type(node.value) in (int, float)
    if isinstance(node, ast.UnaryOp):
        return is_number(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
        return is_number(node.left) and is_number(node.right)
    return False


def is_coefficient(node: ast.expr) -> bool:
    """Whether ``node`` has the shape of a coefficient with at least one name (module docstring)."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        return is_coefficient(node.operand)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        return any(is_coefficient(n) or is_number(n) for n in (node.left, node.right)) and not (
            is_number(node.left) and is_number(node.right))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return is_number(node.left) or is_number(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return is_coefficient(node.left)
    return False


def coefficient(parser: Any, node: ast.expr, role: str) -> Union[sympy.Expr, int, float]:
    """The exact value of a coefficient; names are claimed with ``role`` (``parameter``)."""
    if is_number(node):
        return parser.number(node)
    if isinstance(node, ast.Name):
        parser.names.claim(node.id, role, parser.source, node)
        return sympy.Symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = coefficient(parser, node.operand, role)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        a, b = (_exact(coefficient(parser, n, role)) for n in (node.left, node.right))
        return a + b if isinstance(node.op, ast.Add) else a - b
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult) and (is_number(node.left)
                                                                         or is_number(node.right)):
        return _exact(coefficient(parser, node.left, role)) * _exact(coefficient(parser, node.right, role))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and is_number(node.right):
        divisor = _exact(parser.number(node.right))
        if divisor == 0:
            raise parser.fail(LiteralError, node, "division by zero", "expected a nonzero denominator")
        return _exact(coefficient(parser, node.left, role)) / divisor
    raise parser.fail(KindError, node, f"{parser.describe(node)} is not a coefficient",
                      "expected a number, a name, or sums of number * name such as 3*B - 1")


def _exact(value: Union[sympy.Expr, int, float]) -> sympy.Expr:
    if isinstance(value, sympy.Expr):
        return value
    return exact_number(value) if isinstance(value, float) else sympy.Integer(value)
