"""SymPy and numpy loaded on first use, so that what never needs them never waits for them.

``import sympy`` costs about 0.4 s and ``import numpy`` 0.1 s; a ``derive`` of a chain with
concrete sizes computes in the engine ring and prints its own polynomials, so it needs neither.
A module that uses SymPy only on some paths writes

    from symconv.lazy_import import sympy

and every ``sympy.X`` then imports SymPy the first time it is read. The proxy is a plain
object, not an entry of ``sys.modules``: the import system never touches it, and ``import
sympy`` elsewhere returns the real module as always.

>>> from symconv.lazy_import import LazyModule
>>> math = LazyModule("math")
>>> math.gcd(12, 18)
6
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["LazyModule", "sympy", "numpy"]


class LazyModule:
    """A module imported at the first attribute read: ``LazyModule("sympy").Symbol`` is ``sympy.Symbol``."""

    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attr: str) -> object:
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        state = "loaded" if self._module is not None else "not loaded yet"
        return f"<lazy module {self._name!r} ({state})>"


#: SymPy, imported when first read.
sympy = LazyModule("sympy")
#: numpy, imported when first read.
numpy = LazyModule("numpy")
