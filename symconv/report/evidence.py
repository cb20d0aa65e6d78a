r"""A check's measured data as deterministic LaTeX: numbers rounded to four significant digits (below ``1e-9``
only the order of magnitude), SymPy values and formula-like text as mathematics, records and mappings as tables.

Regenerating a report on another machine gives the same bytes: no raw floats reach the page.

>>> plain_number(0.6809845562334691), plain_number(3.552713678800501e-15), plain_number(227)
('0.681', '< 1e-14', '227')
>>> round_numbers("Monte Carlo 0.679173 [0.663989, 0.694356] (0.999 CI, N=200000) for C1.1")
'Monte Carlo 0.6792 [0.664, 0.6944] (0.999 CI, N=200000) for C1.1'
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Sequence

import numpy as np
from symconv.lazy_import import sympy

from symconv.report import library_graph
from symconv.report.math_text import formula, prose_math
from symconv.report.notation import Tex, escape_tex, sequence_latex

__all__ = ["plain_number", "round_numbers", "value_text", "has_floats", "evidence_tables", "MAX_ROWS", "TABLE_ROWS"]


#: Rows of one evidence table; longer tables end with a line saying how many were left out.
MAX_ROWS = 60
#: Rows of one tabular (a longer table is set as several).
TABLE_ROWS = 20


def plain_number(value: object) -> str:
    """A number as deterministic text: 4 significant digits; below 1e-9 only the decade (``< 1e-14``)."""
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    x = float(value)  # type: ignore[arg-type]
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) < 1e-9:
        return f"< 1e{math.ceil(math.log10(abs(x)))}"
    return f"{x:.4g}"


# A decimal number with a point or an exponent, not part of a name (C1.1, conv5_3) or a version (1.2.3).
_DECIMAL = re.compile(r"(?<![\w.])-?\d+(?:\.\d+(?:[eE][-+]?\d+)?|[eE][-+]?\d+)(?![\w.])")


def round_numbers(text: str) -> str:
    """``text`` with every decimal number in it rounded by :func:`plain_number`; integers are kept."""
    return _DECIMAL.sub(lambda m: plain_number(float(m.group(0))), text)


def _cell(value: object) -> str:
    """A JSON-like value as one line of text, with its numbers rounded."""
    if isinstance(value, dict) and {"mean", "low", "high", "n", "level"} <= set(value):
        return (f"{plain_number(value['mean'])} [{plain_number(value['low'])}, {plain_number(value['high'])}] "
                f"({plain_number(value['level'])} CI, N={value['n']})")
    if isinstance(value, (numbers.Real, np.bool_)):
        return plain_number(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_cell(v) for v in value) + ")"  # a sequence, as the reports write one
    if value is None:
        return "none"
    return round_numbers(str(value))


def _symbolic(value: object) -> bool:
    """A SymPy expression, or a list of them: set as mathematics, never as its Python text."""
    if isinstance(value, (list, tuple)):
        return bool(value) and all(_symbolic(v) for v in value)
    return isinstance(value, sympy.Basic) and not isinstance(value, sympy.Float)


def value_text(value: object, limit: int = 400) -> Tex:
    """A value of a check's data: SymPy objects and formula-like text as mathematics, the rest as prose."""
    if _symbolic(value):
        return Tex(f"${sequence_latex(list(value) if isinstance(value, (list, tuple)) else value)}$")
    text = _cell(value)
    formula_like = any(mark in text for mark in ("*", ">>", "[[")) or (text.startswith("((") and "_" in text)
    if len(text) > limit and not (formula_like and formula(text) is not None):
        if formula_like:  # a cut formula is neither code to show nor mathematics to set
            return Tex(rf"\emph{{a value of {len(text)} characters, too long to set here}}")
        return Tex(escape_tex(text[:limit], breakable=True) + r" \dots")
    if text.endswith("...") and ">>" in text:  # a chain the check cut short: its whole layers, then dots
        whole = formula(" >> ".join(text[:-3].split(">>")[:-1]))
        if whole is not None:
            return Tex(rf"$\cdots \circ {whole}$")
    if formula_like:
        whole = formula(text)
        return Tex(f"${whole}$") if whole is not None else prose_math(text)
    return escape_tex(text, breakable=True)


def has_floats(value: object) -> bool:
    """Whether a check's data holds a float anywhere (then the report says its numbers are rounded)."""
    if isinstance(value, float) or isinstance(value, np.floating):
        return True
    if isinstance(value, dict):
        return any(has_floats(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_floats(v) for v in value)
    return False


def _table(key: str, rows: list) -> dict:
    """A list of records as a table (columns: the keys in order of first appearance)."""
    columns: list[str] = []
    for row in rows:
        for k in (row if isinstance(row, dict) else {"value": row}):
            if k not in columns:
                columns.append(k)
    body = [[value_text(row.get(c, "") if isinstance(row, dict) else row) for c in columns]
            for row in rows[:MAX_ROWS]]
    n = max(1, len(columns))
    # Equal columns that fill the line exactly: n widths and 2n - 2 column gaps.
    spec = Tex("".join(rf"p{{\dimexpr(\linewidth-{2 * n - 2}\tabcolsep)/{n}\relax}}" for _ in range(n)))
    # A tabular does not break across pages: a long one is set as several short ones.
    parts = [body[i:i + TABLE_ROWS] for i in range(0, len(body), TABLE_ROWS)]
    return {"kind": "table", "title": library_graph.name_tt(key), "spec": spec, "parts": parts,
            "columns": [library_graph.name_tt(c) for c in columns], "more": max(0, len(rows) - MAX_ROWS)}


def evidence_tables(data: dict, skip: Sequence[str] = ()) -> list[dict]:
    """The measured quantities of a result as tables: scalars together, records and mappings each alone."""
    scalars, blocks = [], []
    for key, value in data.items():
        if key in skip:
            continue
        records = isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value)
        nested = isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()) \
            and not {"mean", "low", "high"} <= set(value)
        if records:
            blocks.append(_table(key, list(value)))
        elif nested:
            blocks.append(_table(key, [{"": k, **v} for k, v in value.items()]))
        elif isinstance(value, dict) and len(value) > 6 and not {"mean", "low", "high"} <= set(value):
            blocks.append({"kind": "inline", "title": library_graph.name_tt(str(key)),
                           "rows": [(library_graph.name_tt(str(k)), value_text(v)) for k, v in value.items()]})
        else:
            scalars.append((library_graph.name_tt(str(key)), value_text(value)))
    if scalars:
        blocks.insert(0, {"kind": "pairs", "title": "", "rows": scalars})
    return blocks
