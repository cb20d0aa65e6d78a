"""Text that carries formulas (a check's data and prose) read at the edge and set as mathematics.

A theorem's check reports its data as plain values and text: ``"4*z**4 + 3*z**2 - 2*z + 1"``,
``[["q_0", "0"], ["q_1", "q_2"]]``, a chain ``"conv(F) >> relu() >> conv(S)"``. The report never
prints such text as it is. :func:`formula` reads it with a whitelist parser (Python's ``ast``, the
same discipline as the DSL: names, numbers, ``+ - * / **``, calls of one-letter functions, lists; no
evaluation) or, for a chain, with the DSL parser, and returns its LaTeX; :func:`prose_math` does the
same for the chains, polynomials and lists inside a sentence.

>>> print(formula("4*z**4 + 3*z**2 - 2*z + 1"))
4 z^{4} + 3 z^{2} - 2 z + 1
>>> print(formula("k(z)*k(z**2)"))
k(z)\\, k(z^{2})
>>> formula("the kernel") is None
True
"""

from __future__ import annotations

import ast
import re
from typing import Optional

from symconv.lazy_import import sympy

from symconv.errors import SymconvError
from symconv.report.notation import Tex, escape_tex, layer_math, prose

__all__ = ["formula", "prose_math"]

#: Longest text read as a formula (a longer one stays text).
MAX_FORMULA = 2000

_OPS = {ast.Add: sympy.Add, ast.Sub: lambda a, b: a - b, ast.Mult: sympy.Mul, ast.Div: lambda a, b: a / b}


class _NotMath(Exception):
    """The text is not a formula of the whitelist."""


def _name(identifier: str) -> str:
    """``q_0_1`` as ``q_{0,1}``, ``k_2`` as ``k_{2}``, other names as they are."""
    match = re.fullmatch(r"([A-Za-z]+)((?:_\d+)+)", identifier)
    if match:
        return f"{match.group(1)}_{{{','.join(match.group(2)[1:].split('_'))}}}"
    if re.fullmatch(r"[A-Za-z]", identifier):
        return identifier
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", identifier):
        return rf"\mathit{{{identifier}}}"
    raise _NotMath(identifier)


def _value(node: ast.expr, functions: dict):
    """A whitelisted expression as SymPy (numbers exact); lists as Python lists."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return sympy.nsimplify(node.value) if isinstance(node.value, float) else sympy.Integer(node.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _value(_parse(node.value), functions)
    if isinstance(node, ast.Name):
        _name(node.id)
        return sympy.Symbol(node.id)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _value(node.operand, functions)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_value(node.left, functions), _value(node.right, functions))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        exponent = _value(node.right, functions)
        if not (isinstance(exponent, sympy.Integer) and 0 <= exponent <= 64):
            raise _NotMath("a power other than a small integer")
        return _value(node.left, functions) ** exponent
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and re.fullmatch(r"[A-Za-z]", node.func.id) \
            and len(node.args) == 1 and not node.keywords:
        function = functions.setdefault(node.func.id, sympy.Function(node.func.id))
        return function(_value(node.args[0], functions))
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_value(item, functions) for item in node.elts]
    raise _NotMath(type(node).__name__)


def _parse(text: str) -> ast.expr:
    if len(text) > MAX_FORMULA:
        raise _NotMath("too long")
    try:
        return ast.parse(text.strip(), mode="eval").body
    except SyntaxError as err:
        raise _NotMath(str(err)) from err


def _latex(value) -> str:
    if isinstance(value, list):
        if value and all(isinstance(row, list) for row in value) and \
                not any(isinstance(v, list) for row in value for v in row):
            rows = r" \\ ".join(" & ".join(_latex(v) for v in row) for row in value)
            return rf"\begin{{pmatrix}} {rows} \end{{pmatrix}}"
        return "(" + r",\allowbreak ".join(_latex(v) for v in value) + ")"
    names = {s: _name(s.name) for s in value.free_symbols}
    text = sympy.latex(value, symbol_names=names)
    # k(z) k(z^2) as the reports write generating polynomials, not SymPy's \left( \right) calls.
    return re.sub(r"([A-Za-z]){\\left\((.*?) \\right\)}", r"\1(\2)", text).replace("} k(", r"}\, k(") \
        .replace(") k(", r")\, k(")


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` outside brackets."""
    parts, depth, last, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and text.startswith(separator, i):
            parts.append(text[last:i])
            last = i + len(separator)
            i = last
            continue
        i += 1
    parts.append(text[last:])
    return [part.strip() for part in parts]


_SUBSCRIPTS = {"stride": "s", "padding": "p", "dilation": "d", "groups": "g", "output_padding": "o"}


def _layer_formula(text: str) -> str:
    """``name(args)`` as ``\\operatorname{name}_{s=..}(args;\\, bias)`` without the DSL's declarations."""
    match = re.fullmatch(r"([a-z_][a-z_0-9]*)\((.*)\)", text, flags=re.S)
    if not match:
        raise _NotMath(text)
    name, inner = match.groups()
    positional, subscripts, bias = [], [], None
    for arg in (_split_top(inner, ",") if inner.strip() else []):
        key, eq, value = arg.partition("=")
        if eq and re.fullmatch(r"[a-z_]+", key.strip()):
            key, shown = key.strip(), _argument(value.strip())
            if key == "bias":
                bias = shown
            else:
                subscripts.append(f"{_SUBSCRIPTS.get(key, key.replace('_', ' '))}={shown}")
        else:
            positional.append(_argument(arg))
    head = r"\operatorname{" + name.replace("_", r"\_") + "}"
    sub = "_{" + r",\,".join(subscripts) + "}" if subscripts else ""
    args = ", ".join(positional) + (r";\, " + bias if bias is not None else "")
    if not args:
        return head
    return rf"{head}{sub}\bigl({args}\bigr)" if args.startswith("(") else f"{head}{sub}({args})"


def _argument(text: str) -> str:
    if re.fullmatch(r"[a-z_][a-z_0-9]*\(.*\)", text, flags=re.S) and not re.fullmatch(r"[A-Za-z]\(.*\)", text):
        return _layer_formula(text)  # a kernel expression: convolve(k, dilate(k, 2))
    if re.fullmatch(r"'[^']*'", text):
        return r"\text{" + escape_tex(text.strip("'")) + "}"
    value = _value(_parse(text), {})
    if _depth(value) == 3:  # layer weights [out][in][taps], written as the reports write kernels
        if len(value) == 1 and len(value[0]) == 1:
            return _latex(value[0][0])
        rows = r" \\ ".join(" & ".join(_latex(entry) for entry in row) for row in value)
        return rf"\left[\begin{{smallmatrix}} {rows} \end{{smallmatrix}}\right]"
    return _latex(value)


def _depth(value) -> int:
    return 1 + _depth(value[0]) if isinstance(value, list) and value else 0


def _chain_formula(text: str) -> Tex:
    """A chain ``A >> B`` as the composition ``B \\circ A`` (layers read by :func:`_layer_formula`)."""
    return Tex(r" \circ ".join(_layer_formula(part) for part in reversed(_split_top(text, ">>"))))


def formula(text: str) -> Optional[Tex]:
    """``text`` as LaTeX mathematics when it is a chain of the DSL or a whitelisted formula, else None.

    A bare name or number is a formula too; prose (spaces between words) is not.
    """
    text = str(text).strip()
    if not text:
        return None
    if ">>" in text or re.fullmatch(r"[a-z_][a-z_0-9]*\(.*\)", text, flags=re.S):
        from symconv.dsl import parse_chain

        try:
            return layer_math(parse_chain(text))
        except SymconvError:
            pass
        try:
            return _chain_formula(text)
        except (_NotMath, TypeError, ValueError, ZeroDivisionError, RecursionError):
            pass
    try:
        value = _value(_parse(text), {})
    except (_NotMath, TypeError, ValueError, ZeroDivisionError, RecursionError):
        return None
    return Tex(_latex(value))


_MARKERS = (">>", "**", "[[", "]]")


def prose_math(text: str) -> Tex:
    """A sentence with its chains, polynomials and nested lists set as mathematics (the rest as prose).

    A formula is the widest run of words (cut at spaces, commas and semicolons) that holds one of
    ``>> ** [[`` and reads as a formula; everything else is escaped prose.
    """
    text = str(text)
    out, last = [], 0
    position = 0
    while position < len(text):
        found = _widest_formula(text, position)
        if found is None:
            break
        start, end, math = found
        out.append(prose(text[last:start]))
        out.append(Tex(f"${math}$"))
        last = position = end
    out.append(prose(text[last:]))
    return Tex("".join(out))


def _widest_formula(text: str, position: int) -> Optional[tuple[int, int, Tex]]:
    first = min((i for i in (text.find(m, position) for m in _MARKERS) if i >= 0), default=-1)
    if first < 0:
        return None
    starts = sorted({position} | {position + m.end() for m in re.finditer(r"[ ,;:(]", text[position:first])})
    ends = sorted({len(text)} | {m.start() + first for m in re.finditer(r"[ ,;:)]", text[first:])}, reverse=True)
    for start in starts:
        for end in ends:
            piece = text[start:end].strip()
            if not any(m in piece for m in _MARKERS) or len(piece) > MAX_FORMULA:
                continue
            if piece.count("(") != piece.count(")") or piece.count("[") != piece.count("]"):
                continue
            math = formula(piece)
            if math is not None:
                begin = start + text[start:end].index(piece)
                return begin, begin + len(piece), math
    # no formula holds this marker: skip past it
    return _widest_formula(text, first + 2) if first + 2 < len(text) else None
