"""DSL-syntax formatting of layer arguments, for reprs that can be pasted back.

>>> fmt_args("k[3]", stride=(2, 1), padding=(0, 0))
'k[3], stride=2'
"""

from __future__ import annotations

from symconv.lazy_import import sympy

__all__ = ["fmt_args", "fmt_value"]


def fmt_args(*positional: str, **keywords: tuple[object, object]) -> str:
    """Format call arguments, leaving out keywords that equal their default."""
    parts = list(positional)
    for name, (value, default) in keywords.items():
        if value != default:
            parts.append(f"{name}={fmt_value(value)}")
    return ", ".join(parts)


def fmt_value(value: object) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt_value(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, (int, float)):
        return repr(value)
    return str(value) if isinstance(value, sympy.Expr) else repr(value)
