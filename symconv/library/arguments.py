"""The checks every declaration applies to its arguments, with errors that say what is accepted.

A name is an identifier (``[A-Za-z_][A-Za-z0-9_.-]*``), ``expect`` one of
:data:`~symconv.library.specs.VERDICTS`, ``claims`` a list of labels, a chain
DSL text (or a :class:`~symconv.core.layers.Layer`, taken as its ``repr``),
``sizes`` a mapping from size names to positive integers. ``certify=`` lists
the parts of a ``check=`` claim that the kernel replays: ``(lhs, rhs)`` is the
identity ``lhs == rhs`` (an :class:`~symconv.library.specs.IdentitySpec`),
``(chain, length)`` or ``(chain, length, min_n)`` the length formula
``len(chain)(n) = length`` for ``n >= min_n`` (a :class:`~symconv.library.specs.ShapesSpec`).

>>> check_sizes("theorem", {"c": 3})
(('c', (3,)),)
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.errors import InvalidArgument
from symconv.library.specs import VERDICTS, IdentitySpec, ShapesSpec, Sizes

__all__ = ["check_name", "check_expect", "check_claims", "chain_text", "check_sizes", "check_callable",
           "check_perturbed", "check_certify"]

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def check_name(what: str, name: object) -> str:
    if not isinstance(name, str) or not NAME.match(name):
        raise InvalidArgument(what, "name", name, "an identifier such as 'stride_composition' (letters, digits, _ . -)")
    return name


def check_expect(what: str, expect: object) -> str:
    if expect not in VERDICTS:
        raise InvalidArgument(what, "expect", expect, "one of " + ", ".join(map(repr, VERDICTS)))
    return expect  # type: ignore[return-value]


def check_claims(what: str, claims: object) -> tuple[str, ...]:
    if isinstance(claims, str):
        claims = [claims]
    if not isinstance(claims, (list, tuple)) or not all(isinstance(c, str) and c for c in claims):
        raise InvalidArgument(what, "claims", claims, "a list of claim labels such as ['C1.1']")
    return tuple(claims)


def chain_text(what: str, argument: str, value: object) -> str:
    if isinstance(value, Layer):
        return repr(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(what, argument, value, "a chain in the DSL, e.g. 'conv(k[3], stride=2)'")
    return value


def check_sizes(what: str, sizes: object) -> Sizes:
    if sizes is None:
        return ()
    if not isinstance(sizes, Mapping):
        raise InvalidArgument(what, "sizes", sizes, "a mapping such as {'c': [3, 4, 5]}")
    out = []
    for key, values in sizes.items():
        if isinstance(values, int):
            values = [values]
        values = tuple(values)
        if not (isinstance(key, str) and key.isidentifier()) or not values or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
        ):
            raise InvalidArgument(what, "sizes", dict(sizes), "a mapping from size names to positive integers, "
                                                              "e.g. {'c': [3, 4, 5]}")
        out.append((key, values))
    return tuple(out)


def check_callable(what: str, argument: str, value: object) -> Callable:
    if not callable(value):
        raise InvalidArgument(what, argument, value, "a function")
    return value  # type: ignore[return-value]


def check_perturbed(what: str, perturbed: object) -> tuple[Callable[[], Any], ...]:
    if perturbed is None:
        return ()
    if callable(perturbed):
        perturbed = (perturbed,)
    if not isinstance(perturbed, (list, tuple)) or not all(callable(f) for f in perturbed):
        raise InvalidArgument(what, "perturbed", perturbed, "a function (or a list of functions) of no argument "
                                                            "returning the Evidence of the check with its constant "
                                                            "perturbed")
    return tuple(perturbed)


def check_certify(what: str, certify: object) -> tuple:
    """``certify=[(lhs, rhs), (chain, length), (chain, length, min_n)]``: identities and length formulas."""
    if certify is None:
        return ()
    expected = ("a list of (lhs, rhs) chain pairs (identities) or (chain, length) pairs with length a SymPy "
                "expression in n (length formulas), optionally (chain, length, min_n); for an N-D chain, length "
                "is a tuple of SymPy expressions in n, one per axis")
    if not isinstance(certify, (list, tuple)):
        raise InvalidArgument(what, "certify", certify, expected)
    parts = []
    for entry in certify:
        if not isinstance(entry, tuple) or len(entry) not in (2, 3):
            raise InvalidArgument(what, "certify", certify, expected)
        chain, target = chain_text(what, "certify", entry[0]), entry[1]
        per_axis = isinstance(target, tuple) and len(target) >= 2 and all(isinstance(t, sympy.Expr) for t in target)
        if isinstance(target, sympy.Expr) or per_axis:
            if any(s.name != "n" for t in (target if per_axis else (target,)) for s in t.free_symbols):
                raise InvalidArgument(what, "certify", certify, expected)
            min_n = entry[2] if len(entry) == 3 else 1
            if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
                raise InvalidArgument(what, "certify", certify, expected)
            parts.append(ShapesSpec(chain, length=target, min_n=min_n))
        elif len(entry) == 2:
            parts.append(IdentitySpec(chain, chain_text(what, "certify", target)))
        else:
            raise InvalidArgument(what, "certify", certify, expected)
    return tuple(parts)
