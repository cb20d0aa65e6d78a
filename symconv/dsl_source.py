"""One DSL text: its syntax tree, the columns of its nodes, and the whitelist of what the DSL allows.

:class:`Source` parses a statement with ``ast.parse(text, mode="eval")`` and maps
every node back to its 1-based column and its fragment, for errors that quote
the input; :func:`check_whitelist` refuses every construct outside the DSL
before anything is built. Nothing here evaluates anything.

>>> source = Source("conv(k[3]) >> relu()")
>>> source.span(source.tree.body.right)
(15, 'relu()')
>>> check_whitelist(Source("conv(k[3]).__class__"))
Traceback (most recent call last):
...
symconv.errors.ParseError: ...
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import deque
from typing import Iterator

from symconv.dsl_grammar import FORBIDDEN, FUNCTION_NAMES, OPERATORS, PLANNED
from symconv.errors import DSLError, ParseError, SemanticError, SymconvError, UnknownFunction, quote

__all__ = ["Source", "check_whitelist", "is_number_list", "walk_skipping", "check_callee", "ALLOWED", "LAYER_HINT"]

LAYER_HINT = "a layer is a call such as conv(k[3]), pad(1) or relu(), combined with >> and +"


class Source:
    """One text with its tree, and 1-based columns for its nodes."""

    def __init__(self, text: str):
        if not isinstance(text, str):
            raise TypeError(f"a DSL statement is a str, not {type(text).__name__}")
        self.text = text
        body = text.lstrip()
        self.shift = len(text) - len(body)  # ast refuses leading blanks; columns count them
        self.lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n|$)", body)
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line))
        self.tree = self._parse(body)
        #: ids of the maximal lists of numbers in the tree (:func:`check_whitelist` finds them)
        self.number_lists: frozenset[int] = frozenset()

    def offset(self, line: int, byte_column: int) -> int:
        """Character offset in ``text`` of an ast position (ast columns count UTF-8 bytes)."""
        text = self.lines[line - 1]  # an ASCII line's bytes are its characters: no copy of a long line per node
        chars = byte_column if text.isascii() else len(text.encode()[:byte_column].decode(errors="ignore"))
        return self.shift + self.starts[line - 1] + chars

    def span(self, node: ast.AST) -> tuple[int, str]:
        """The 1-based column of ``node`` and its text."""
        start = self.offset(node.lineno, node.col_offset)
        end = self.offset(node.end_lineno, node.end_col_offset)
        return start + 1, self.text[start:end]

    def error(self, cls: type, node: ast.AST, reason: str, hint: str = "") -> DSLError:
        return cls(self.text, *self.span(node), reason, hint)

    def core_error(self, err: SymconvError, node: ast.AST) -> DSLError:
        return SemanticError.wrap(err, self.text, *self.span(node))

    def _parse(self, body: str) -> ast.Expression:
        if not body:
            raise ParseError(self.text, 1, self.text, "the statement is empty", LAYER_HINT)
        try:
            return ast.parse(body, mode="eval")
        except SyntaxError as err:
            raise self._syntax_error(body, err) from None
        except (ValueError, RecursionError, MemoryError) as err:  # null bytes, absurd nesting
            raise ParseError(self.text, 1, self.text, f"the statement cannot be read ({err})") from None

    def _syntax_error(self, body: str, err: SyntaxError) -> DSLError:
        try:  # only to name the statement that broke the expression
            module = ast.parse(body, mode="exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            module = None
        if module is not None and module.body and not isinstance(module.body[0], ast.Expr):
            what = type(module.body[0]).__name__.lower()
            return self.error(ParseError, module.body[0], f"a statement ({what}) is not allowed",
                              "expected one expression")
        if module is not None and len(module.body) > 1:
            return self.error(ParseError, module.body[1], "a second statement is not allowed",
                              "expected one expression (';' and new lines outside parentheses end it)")
        if not err.lineno or not err.offset or err.lineno > len(self.lines):
            return ParseError(self.text, len(self.text) + 1, "", f"the statement ends too early ({err.msg})",
                              "expected the rest of an expression or a closing parenthesis")
        start = self.shift + self.starts[err.lineno - 1] + err.offset - 1
        end = start + 1
        if err.end_lineno == err.lineno and err.end_offset and err.end_offset > err.offset:
            end = start + err.end_offset - err.offset
        reason = "invalid syntax" + ("" if err.msg == "invalid syntax" else f" ({err.msg})")
        return ParseError(self.text, start + 1, self.text[start:end], reason, LAYER_HINT)


def check_whitelist(source: Source) -> frozenset[int]:
    """Refuse every construct outside the DSL, before anything is built; return the ids of the maximal lists of
    numbers (:func:`is_number_list`): nothing in them can be refused, so neither this walk nor a later one
    enters them (a trained weight is thousands of numbers)."""
    number_lists = set()
    todo = deque([(source.tree, False)])  # (node, inside a list): ast.walk's order, parents before children
    while todo:  # the outermost offence is named
        node, in_list = todo.popleft()
        if type(node) is ast.List and is_number_list(node):
            number_lists.add(id(node))
            continue
        if type(node) in FORBIDDEN:
            raise source.error(ParseError, node, FORBIDDEN[type(node)], ALLOWED)
        power_of_tap = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow) and in_list
        if isinstance(node, ast.BinOp) and type(node.op) not in OPERATORS and not power_of_tap:
            raise source.error(ParseError, node, f"the operator {type(node.op).__name__} is not allowed",
                               "expected " + ", ".join(OPERATORS.values()) + "; ** only in a tap list ([k_0**2])")
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise source.error(ParseError, node, "only the signs + and - are allowed as unary operators", ALLOWED)
        if isinstance(node, ast.Constant) and not (node.value is None or isinstance(node.value, (int, float, str))):
            raise source.error(ParseError, node, f"the constant {quote(node.value)} is not allowed",
                               "expected a number, a string or None")
        if isinstance(node, ast.Name) and node.id.startswith("__"):
            raise source.error(ParseError, node, f"the name {node.id} is not allowed", "names may not start with '__'")
        if isinstance(node, ast.Subscript) and not isinstance(node.value, ast.Name):
            raise source.error(ParseError, node, "only a kernel name can take sizes",
                               "expected e.g. k[3] or W[8, 4, 3]")
        if isinstance(node, ast.keyword) and node.arg is None:
            raise source.error(ParseError, node, "'**' unpacking is not allowed", "expected keyword=value")
        if isinstance(node, ast.Call):
            check_callee(source, node.func)
        if not isinstance(node, _NODES):
            raise source.error(ParseError, node, f"{type(node).__name__} is not allowed in the DSL", ALLOWED)
        inside = in_list or type(node) is ast.List
        todo.extend((child, inside) for child in ast.iter_child_nodes(node))
    return frozenset(number_lists)


def is_number_list(node: ast.List) -> bool:
    """Whether ``node`` holds, at any depth, only lists and numbers: int or float constants, the signs + and -,
    ``*`` and ``/`` (every part of it passes :func:`check_whitelist`; ``1/0`` and ``1e999`` are refused when
    built)."""
    todo: list[ast.AST] = [node]
    while todo:
        item = todo.pop()
        kind = type(item)
        if kind is ast.List:
            todo.extend(item.elts)
        elif kind is ast.Constant:
            if type(item.value) is not int and type(item.value) is not float:
                return False
        elif kind is ast.BinOp:
            if type(item.op) is not ast.Div and type(item.op) is not ast.Mult:
                return False
            todo.append(item.left)
            todo.append(item.right)
        elif kind is ast.UnaryOp:
            if type(item.op) is not ast.USub and type(item.op) is not ast.UAdd:
                return False
            todo.append(item.operand)
        else:
            return False
    return True


def walk_skipping(node: ast.AST, skip: frozenset[int]) -> Iterator[ast.AST]:
    """``ast.walk(node)`` without entering the nodes whose ids are in ``skip`` (nor yielding them)."""
    todo = deque([node])
    while todo:
        node = todo.popleft()
        if id(node) not in skip:
            todo.extend(ast.iter_child_nodes(node))
            yield node


ALLOWED = "the DSL has only calls, names, numbers, strings, lists, tuples and >> + * /"
_NODES = (ast.Expression, ast.expr_context, ast.operator, ast.unaryop, ast.BinOp, ast.UnaryOp, ast.Call, ast.keyword,
          ast.Name, ast.Subscript, ast.Constant, ast.List, ast.Tuple)


def check_callee(source: Source, func: ast.expr) -> None:
    if not isinstance(func, ast.Name):
        raise source.error(ParseError, func, "only the layer and kernel functions can be called",
                           "expected e.g. conv(k[3]) or dilate(k, 2)")
    if func.id in PLANNED:
        raise source.error(UnknownFunction, func, f"{func.id} is not supported yet",
                           "N-D layers are planned; use the 1-D layers")
    if func.id not in FUNCTION_NAMES:
        near = difflib.get_close_matches(func.id, sorted(FUNCTION_NAMES), n=1)
        hint = (f"did you mean {near[0]}? " if near else "") + "known: " + ", ".join(sorted(FUNCTION_NAMES))
        raise source.error(UnknownFunction, func, f"unknown function {func.id}", hint)
