"""Plain-text display of counterexamples: numbers as numbers, 2-D and N-D arrays as aligned grids.

The values are those of a counterexample's ``to_json()``: ints, exact
rationals as ``"p/q"`` strings, floats, and nested lists of them. A 1-D
counterexample is printed on one line; an array with two or more axes per
channel is printed as a grid, one row of text per row of the array, every
column right-aligned.

>>> inline([[1, "1/2", -3]])
'[[1, 1/2, -3]]'
>>> print("\\n".join(grid([[2, 1, 0], [-10, 0, 3]])))
  2  1  0
-10  0  3
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Number
from typing import Callable, Mapping

__all__ = ["number_text", "inline", "grid", "example_lines", "kernel_lines", "leading_shape", "shortened_statement",
           "STATEMENT_LIMIT", "LIST_HEAD"]


def number_text(value: object) -> str:
    """``3``, ``-1/2``, ``0.25``: a number without quotes (any other value as ``str``)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (int, Fraction)):
        return str(value)
    if isinstance(value, Number) or hasattr(value, "is_Number"):  # numpy and SymPy numbers
        try:
            exact = Fraction(str(value))
        except ValueError:
            return str(value)
        return str(exact)
    return str(value)


def inline(value: object) -> str:
    """Nested lists as ``[[1, 1/2], [0, -3]]``, a dict as ``{'k': [1, 1, -2]}``, numbers bare."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    return number_text(value)


def depth(value: object) -> int:
    """The number of list axes of ``value`` (0 for a number), read along the first entries."""
    axes = 0
    while isinstance(value, (list, tuple)):
        axes += 1
        if not value:
            break
        value = value[0]
    return axes


def _label(index: tuple[int, ...]) -> str:
    return "[" + ", ".join(map(str, index)) + "]"


def grid(value: object, label: Callable[[tuple[int, ...]], str] = _label) -> list[str]:
    """Lines of text: a number, a row, a right-aligned grid, or one labelled grid per leading index."""
    axes = depth(value)
    if axes == 0:
        return [number_text(value)]
    if axes == 1:
        value = [value]
    if axes <= 2:
        rows = [[number_text(v) for v in row] for row in value]
        if not any(rows):
            return ["(empty)"]
        widths = [max(len(row[j]) for row in rows if j < len(row)) for j in range(max(map(len, rows)))]
        return ["  ".join(t.rjust(w) for t, w in zip(row, widths)) for row in rows]
    lines = []
    for i, part in enumerate(value):
        inner = grid(part, lambda index, i=i: label((i,) + index))
        if depth(part) > 2:
            lines += inner
        else:
            lines.append(f"{label((i,))}:")
            lines += ["  " + line for line in inner]
    return lines


def _channel(index: tuple[int, ...]) -> str:
    """``channel 0``, or ``channel 0, i1=2`` for a plane of an input with three or more axes."""
    return ", ".join([f"channel {index[0]}"] + [f"i{axis}={i}" for axis, i in enumerate(index[1:], 1)])


def _index_names(index: object) -> str:
    """``(channel, row, column)`` in 2-D, ``(channel, i1, ..., id)`` in d dimensions."""
    axes = len(index) - 1 if isinstance(index, (list, tuple)) else 1
    return "(channel, row, column)" if axes == 2 else "(" + ", ".join(["channel"] + [f"i{a}" for a in
                                                                                     range(1, axes + 1)]) + ")"


def _is_multi_axis(example: Mapping) -> bool:
    return isinstance(example.get("n"), (list, tuple)) or depth(example.get("input")) > 2


def example_lines(example: Mapping, indent: str = "  ") -> list[str]:
    """A counterexample dict as text: one line in 1-D, aligned grids for inputs with several axes.

    >>> example_lines({"n": 2, "input": [[1, 2]], "kernels": {"k": [1, "1/2"]}, "index": 0})
    ["counterexample: n=2, input=[[1, 2]], kernels={'k': [1, 1/2]}, index=0"]
    """
    if not _is_multi_axis(example):
        return ["counterexample: " + ", ".join(f"{k}={inline(v)}" for k, v in example.items())]
    head = [f"{k}={_shape_text(v)}" for k, v in example.items() if k not in ("input", "lhs", "rhs", "kernels")]
    lines = ["counterexample: " + ", ".join(head)]
    for key in ("input", "kernels", "lhs", "rhs"):
        if key == "kernels":
            lines += kernel_lines(example.get("kernels") or {}, indent)
        elif key in example:
            lines += _array_lines(f"{key}:", example[key], indent, _channel)
    return lines


def leading_shape(value: object) -> tuple[int, ...]:
    """The lengths of a nested list along its first entries, down to the first empty level: equal
    nested arrays give equal results, so unequal results are unequal shapes."""
    shape = []
    while isinstance(value, (list, tuple)):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _shape_text(value: object) -> str:
    """``(1, 2)`` for a shape or an index with one entry per axis; other values :func:`inline`."""
    if isinstance(value, (list, tuple)) and depth(value) == 1:
        return "(" + ", ".join(number_text(v) for v in value) + ")"
    return inline(value)


#: An array of a counterexample with more values than this is named by its shape in the text; every value is
#: in the JSON output (``--json``). A 64-channel 3x3 weight has 36,864.
GRID_VALUES = 512


def _values(value: object) -> int:
    """How many numbers a nested list holds."""
    if isinstance(value, (list, tuple)):
        return sum(_values(v) for v in value)
    return 1


def _array_lines(header: str, value: object, indent: str, layout=None) -> list[str]:
    """``header`` (``input:``, ``lhs ->``) and the aligned grid of ``value``, or one line with its shape when it
    is too large to read."""
    count = _values(value)
    if count > GRID_VALUES:
        return [f"{indent}{header} shape {_shape_text(list(leading_shape(value)))}, {count} values (all in --json)"]
    return [f"{indent}{header}"] + [indent * 2 + line for line in grid(value, *([layout] if layout else []))]


def kernel_lines(kernels: Mapping, indent: str = "  ") -> list[str]:
    """``kernel k:`` and its grid for each array, ``b = 3`` for each scalar parameter."""
    lines = []
    for name, value in kernels.items():
        if depth(value) == 0:
            lines.append(f"{indent}{name} = {number_text(value)}")
            continue
        lines += _array_lines(f"kernel {name}:", value, indent)
    return lines


def counterexample_block(example: Mapping, indent: str = "  ") -> list[str]:
    """The counterexample section of a proof's text: sizes, input and kernels, both outputs, the first difference.

    >>> print("\\n".join(counterexample_block({"n": 3, "input": [[1, 0, "1/2"]], "kernels": {"k": [1, -2]},
    ...                                        "lhs": [[1, "-1/2"]], "rhs": [[1]], "index": 1})))
    counterexample: n=3, input=[[1, 0, 1/2]], kernels={'k': [1, -2]}
      lhs -> [[1, -1/2]]
      rhs -> [[1]]
      first difference at index 1
    """
    sizes = f", sizes {inline(example['sizes'])}" if example.get("sizes") else ""
    if not _is_multi_axis(example):
        return [f"counterexample: n={example['n']}{sizes}, input={inline(example['input'])}, "
                f"kernels={inline(example['kernels'])}",
                f"{indent}lhs -> {inline(example['lhs'])}",
                f"{indent}rhs -> {inline(example['rhs'])}",
                f"{indent}first difference at index {example['index']}"]
    if leading_shape(example["lhs"]) != leading_shape(example["rhs"]):
        where = "the output shapes differ"
    else:
        where = f"first difference at {_index_names(example['index'])} = {_shape_text(example['index'])}"
    lines = [f"counterexample: input shape {_shape_text(example['n'])}{sizes}, {where}"]
    lines += _array_lines("input:", example["input"], indent, _channel)
    lines += kernel_lines(example["kernels"], indent)
    for side in ("lhs", "rhs"):
        lines += _array_lines(f"{side} ->", example[side], indent, _channel)
    return lines


#: A side's text longer than this is shortened for display (:func:`shortened_statement`).
STATEMENT_LIMIT = 400
#: How many characters of a long bracketed list a shortened statement keeps.
LIST_HEAD = 40


def shortened_statement(text: str, limit: int = STATEMENT_LIMIT, head: int = LIST_HEAD) -> str:
    """``text`` (a side's DSL text); when longer than ``limit``, every bracketed list longer than ``head``
    characters is cut after its first entries, its brackets closed: ``conv([[1/1024, 1/512, ...]], padding=1)``.

    >>> shortened_statement("conv([" + ", ".join(["1/1024"] * 80) + "], padding=1)")
    'conv([1/1024, 1/1024, 1/1024, 1/1024, ...], padding=1)'
    """
    if len(text) <= limit:
        return text
    out, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char == "[":
            if depth == 0:
                out.append(text[start:i])
                start = i
            depth += 1
        elif char == "]" and depth:
            depth -= 1
            if depth == 0:
                group = text[start:i + 1]
                kept = group[:head]
                kept = kept[:max(kept.rfind(", "), kept.count("[") + 1)]
                closing = "]" * (kept.count("[") - kept.count("]"))
                out.append(group if len(group) <= head else f"{kept}, ...{closing}")
                start = i + 1
    out.append(text[start:])
    return "".join(out)
