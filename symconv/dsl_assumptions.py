"""Declared assumptions on the input: ``--assume "abs(x) <= B"``.

The prover uses an assumption only when the statement declares it (DESIGN
§4). The one form it understands is a bound on every input sample,

    |x[m, i]| <= B   for every channel m and index i,

written ``abs(x) <= B``, ``B >= abs(x)`` or ``-B <= x <= B``. ``B`` is a
positive number (``2``, ``1/2``, ``0.25``) or a name, which then stands for
an arbitrary positive number (the same name may appear in the chains, e.g.
as the shift of ``affine(1, B)``). The text is parsed with ``ast`` and a
whitelist; nothing is evaluated.

>>> parse_assumption("abs(x) <= B").bound
B
>>> parse_assumption("-1/2 <= x <= 1/2").bound
1/2
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Optional

from symconv.lazy_import import sympy

from symconv.errors import AssumptionError

__all__ = ["InputBound", "parse_assumption", "parse_assumptions", "bound_symbol"]

_FORMS = "expected 'abs(x) <= B', 'B >= abs(x)' or '-B <= x <= B' with B a positive number or a name"


@dataclass(frozen=True)
class InputBound:
    """``|x_i| <= bound`` for every input sample; ``bound`` is a positive rational or a symbol."""

    bound: sympy.Expr
    text: str

    def __str__(self) -> str:
        return f"|x_i| <= {self.bound}"

    def latex(self) -> str:
        return f"|x_i| \\le {sympy.latex(self.bound)}"


def bound_symbol(name: str) -> sympy.Symbol:
    """The symbol a named bound stands for in the chains (``affine(1, B)`` uses ``Symbol('B')``)."""
    return sympy.Symbol(name)


def _fail(text: str, node: Optional[ast.AST], reason: str) -> AssumptionError:
    column = getattr(node, "col_offset", 0) + 1
    end = getattr(node, "end_col_offset", None)
    fragment = text[column - 1:end] if node is not None and end is not None else text
    return AssumptionError(text, column, fragment or text, reason, _FORMS)


def _is_x(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == "x"


def _is_abs_x(node: ast.AST) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "abs"
            and len(node.args) == 1 and not node.keywords and _is_x(node.args[0]))


def _number(node: ast.AST, text: str) -> Optional[Fraction]:
    """A literal number, a signed one or a quotient of two (``1/2``); None for anything else. A decimal is
    read as written in ``text`` (``0.5000000000000000001`` is not 1/2), never through the float it rounds to."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        value = node.value
        if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
            return None
        if isinstance(value, float):
            return Fraction(ast.get_source_segment(text, node).replace("_", ""))
        return Fraction(value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _number(node.operand, text)
        if inner is None:
            return None
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        top, bottom = _number(node.left, text), _number(node.right, text)
        if top is None or bottom is None or bottom == 0:
            return None
        return top / bottom
    return None


def _bound(text: str, node: ast.AST) -> sympy.Expr:
    """``B``: a positive number or a name other than ``x``."""
    if isinstance(node, ast.Name):
        if node.id == "x":
            raise _fail(text, node, "the bound cannot be the input x itself")
        return bound_symbol(node.id)
    value = _number(node, text)
    if value is None:
        raise _fail(text, node, "the bound is neither a number nor a name")
    if value <= 0:
        raise _fail(text, node, f"the bound {value} is not positive")
    return sympy.Rational(value.numerator, value.denominator)


def _negated(text: str, node: ast.AST) -> sympy.Expr:
    """``-B`` in ``-B <= x <= B``, returned as ``B``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _bound(text, node.operand)
    value = _number(node, text)
    if value is not None and value < 0:
        return sympy.Rational(-value.numerator, value.denominator)
    raise _fail(text, node, "the lower end is not the negated bound -B")


def parse_assumption(text: str) -> InputBound:
    """The input bound that ``text`` declares (module docstring); AssumptionError otherwise."""
    if not isinstance(text, str) or not text.strip():
        raise AssumptionError(str(text), 1, str(text), "the assumption is empty", _FORMS)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as err:
        column = max(1, err.offset or 1)
        raise AssumptionError(text, column, text.strip()[column - 1:column + 9] or text, "not valid syntax",
                              _FORMS) from None
    text = text.strip()
    node = tree.body
    if not isinstance(node, ast.Compare):
        raise _fail(text, node, "the assumption is not a comparison")
    ops, values = node.ops, [node.left, *node.comparators]
    upper = (ast.LtE, ast.Lt)
    lower = (ast.GtE, ast.Gt)
    if len(ops) == 1:
        left, right = values
        if isinstance(ops[0], upper) and _is_abs_x(left):
            return InputBound(_bound(text, right), text)
        if isinstance(ops[0], lower) and _is_abs_x(right):
            return InputBound(_bound(text, left), text)
        raise _fail(text, node, "the comparison does not bound abs(x)")
    if len(ops) == 2 and all(isinstance(op, upper) for op in ops) and _is_x(values[1]):
        low, high = _negated(text, values[0]), _bound(text, values[2])
        if low != high:
            raise _fail(text, node, f"the interval [-{low}, {high}] is not symmetric")
        return InputBound(high, text)
    raise _fail(text, node, "the comparison does not bound x")


def parse_assumptions(texts: Iterable[str]) -> tuple[InputBound, ...]:
    """Every ``--assume`` text; two different input bounds keep the smaller when both are numbers."""
    bounds = tuple(parse_assumption(t) for t in texts)
    if len({b.bound for b in bounds}) > 1:
        numbers = [b for b in bounds if b.bound.is_number]
        if len(numbers) != len(bounds):
            raise AssumptionError("; ".join(b.text for b in bounds), 1, bounds[1].text,
                                  "two different input bounds, one of them a name", "declare one bound")
        bounds = (min(numbers, key=lambda b: b.bound),)
    return bounds[:1]
