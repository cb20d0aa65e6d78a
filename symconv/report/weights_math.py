r"""Numeric weights too long to print: a kernel, bias or affine vector of many numbers is set as its shape.

A proof about a model's weights states thousands of exact rationals. The report
sets such a list of numbers (more than :data:`MAX_NUMBERS` of them, longer
than :data:`MAX_CHARACTERS` when written out, or with one number longer than
:data:`MAX_ENTRY_CHARACTERS`, a float read exactly) as its shape,
``\langle 3{\times}2{\times}3{\times}3 \text{ numbers}\rangle``, and the listing
of the input statement cuts every long bracketed list after its first
characters, as the proof's text display does (``--json`` has them in full).
A list with a symbol in it (``[q_0, -q_0]``) is mathematics, never cut.

>>> shape_math(((1, 2, 3),) * 10)
'\\langle 10{\\times}3 \\text{ numbers}\\rangle'
>>> is_long_numeric((1, 2, 3)), is_long_numeric(tuple(range(40)))
(False, True)
>>> import sympy
>>> is_long_numeric((sympy.Rational(2001, 1000), sympy.Rational(-7579159, 4294967296)))
True
>>> shortened_statement("conv([" + ", ".join(["1/1024"] * 80) + "])")
'conv([1/1024, 1/1024, 1/1024, 1/1024, ...])'
"""

from __future__ import annotations

from symconv.lazy_import import sympy

from symconv.prover import display
from symconv.report.tex_escape import Tex

__all__ = ["SHAPE_MARK", "MAX_NUMBERS", "MAX_CHARACTERS", "MAX_ENTRY_CHARACTERS", "LISTING_LIMIT", "is_long_numeric",
           "shape_math", "shortened_statement"]

#: A numeric list with more entries than this is set as its shape.
MAX_NUMBERS = 24

#: A numeric list whose entries, written out, take more characters than this is set as its shape.
MAX_CHARACTERS = 160

#: A numeric list with an entry longer than this (``-7579159/4294967296``: a float read exactly) is set as
#: its shape: such numbers are data, not mathematics a reader follows.
MAX_ENTRY_CHARACTERS = 12

#: A side of the input listing longer than this has its long bracketed lists cut (as Proof.__str__ does).
LISTING_LIMIT = 400

#: Characters of a bracketed list kept in the listing before its "...".
LISTING_HEAD = 40


def _entries(values) -> list:
    if isinstance(values, (list, tuple)):
        return [leaf for v in values for leaf in _entries(v)]
    return [values]


def _is_number(value) -> bool:
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, sympy.Basic) and value.is_number


def is_long_numeric(values) -> bool:
    """Whether ``values`` (nested lists) is all numbers, more than MAX_NUMBERS of them or longer than MAX_CHARACTERS."""
    if not isinstance(values, (list, tuple)):
        return False
    entries = _entries(values)
    if not entries or not all(_is_number(v) for v in entries):
        return False
    lengths = [len(str(v)) for v in entries]
    return len(entries) > MAX_NUMBERS or sum(lengths) > MAX_CHARACTERS or max(lengths) > MAX_ENTRY_CHARACTERS


def _shape(values) -> tuple[int, ...]:
    if isinstance(values, (list, tuple)) and values:
        return (len(values),) + _shape(values[0])
    return ()


#: The end of every shape :func:`shape_math` sets (a formula holding it has numbers left out).
SHAPE_MARK = r"\text{ numbers}\rangle"


def shape_math(values) -> Tex:
    r"""``\langle 8{\times}8{\times}3{\times}3 \text{ numbers}\rangle``: a numeric array by its shape."""
    dims = r"{\times}".join(str(d) for d in _shape(values))
    return Tex(rf"\langle {dims} {SHAPE_MARK}")


def shortened_statement(text: str) -> str:
    """``text`` (a side's DSL text) with its long bracketed lists cut when longer than LISTING_LIMIT
    (:func:`symconv.prover.display.shortened_statement`, as the proof's plain text does)."""
    return display.shortened_statement(text, LISTING_LIMIT, LISTING_HEAD)
