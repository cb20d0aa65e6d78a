"""Weights read from a model: exact rationals, or symbols named after the module path.

Every float32/float64 (and float16/bfloat16) number is a dyadic rational
``m / 2**e``; :func:`exact_values` returns it as a :class:`~fractions.Fraction`,
with nothing rounded. :func:`symbol_name` names a module's symbolic weight
after its path: ``layer1.0.conv1`` -> ``layer1_0_conv1``.

>>> from fractions import Fraction
>>> exact_number_of(0.1) == Fraction(3602879701896397, 36028797018963968)
True
>>> symbol_name("layer1.0.conv1"), symbol_name("0.conv")
('layer1_0_conv1', 'm0_conv')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from symconv.errors import KernelError

__all__ = ["exact_number_of", "exact_values", "symbol_name", "names_clash"]


def exact_number_of(value: float) -> Fraction:
    """The exact rational value of a binary float: ``Fraction(value)``, refusing NaN and infinities."""
    if not math.isfinite(value):
        raise KernelError(f"weight entry {value!r} is not finite; expected finite numbers")
    return Fraction(value)


def exact_values(tensor: Any, path: str, what: str) -> list:
    """The entries of ``tensor`` as nested lists of exact Fractions (same nesting as ``tensor.tolist()``).

    Floating dtypes up to 64 bits convert to float64 exactly; integer tensors
    are read as integers. Complex tensors are refused.
    """
    if tensor.is_complex():
        raise KernelError(f"{what} of {path or 'the model'} is complex ({tensor.dtype}); expected real numbers")
    values = tensor.detach().cpu()
    if values.is_floating_point():
        values = values.double()  # exact: every float16/bfloat16/float32 is a float64

    def convert(v: object) -> object:
        if isinstance(v, list):
            return [convert(u) for u in v]
        if isinstance(v, float):
            try:
                return exact_number_of(v)
            except KernelError as err:
                raise KernelError(f"{what} of {path or 'the model'}: {err}") from None
        return Fraction(v)

    return convert(values.tolist())


def symbol_name(path: str, fallback: str = "weight") -> str:
    """The symbol name of a module path: dots become underscores; a leading digit gets an ``m``."""
    if not path:
        return fallback
    name = path.replace(".", "_")
    if not name.isidentifier():
        name = "m" + name
    if not name.isidentifier():
        name = "m_" + "".join(ch if ch.isalnum() else "_" for ch in name)
    return name


def names_clash(a: str, b: str) -> bool:
    """Whether the symbols of two weights named ``a`` and ``b`` can collide.

    A weight ``k`` owns ``k`` and every name ``k_...`` (its taps ``k_0``, its bias ``k_b``, a batch norm's
    ``k_scale_0``), so two names clash when equal or when one is the other followed by ``_``.

    >>> names_clash("conv", "conv_1"), names_clash("conv1", "conv10"), names_clash("a_b", "a_b")
    (True, False, True)
    """
    return a == b or a.startswith(b + "_") or b.startswith(a + "_")
