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
import sys
from types import ModuleType
from typing import Callable, Mapping

__all__ = ["LazyModule", "sympy", "numpy", "attributes_from"]


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


def attributes_from(owner: str, modules: Mapping[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` (PEP 562) for the module named ``owner``: a name of ``modules`` is read from
    the module ``modules[name]`` on first use and kept in ``owner``; any other name is an AttributeError,
    as for a plain module. ``symconv.prover`` serves ``prove`` this way without loading the proof search, and a
    core module re-exports what the modules built on it define without importing them while it loads.
    (``symconv`` itself keeps its own, so that ``import symconv`` loads no other module.)

    ``__getattr__ = attributes_from(__name__, {"gcd": "math"})`` makes ``owner.gcd`` ``math.gcd``.
    """
    def __getattr__(name: str) -> object:
        module = modules.get(name)
        if module is None:
            raise AttributeError(f"module {owner!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        setattr(sys.modules[owner], name, value)
        return value

    return __getattr__
