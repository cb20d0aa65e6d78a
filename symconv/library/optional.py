"""Optional packages a theorem's evidence may need (PyTorch, scikit-image).

symconv itself needs only SymPy, numpy and jinja2. A theorem whose check
compares against PyTorch or measures SSIM with scikit-image calls
:func:`require` first; when the package is missing, the theorem's verdict is
``skipped`` with the reason (never ``refuted`` or ``error``), so ``symconv
check`` passes after a plain ``pip install symconv``.

>>> module_available("sys")
True
"""

from __future__ import annotations

import importlib.util

from symconv.errors import PythonPackageMissing

__all__ = ["OPTIONAL_PACKAGES", "module_available", "require"]

#: Importable module -> what ``pip install`` needs for it.
OPTIONAL_PACKAGES = {"torch": "torch", "skimage": "scikit-image"}


def module_available(module: str) -> bool:
    """Whether ``module`` can be imported (looked up without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def require(module: str, purpose: str) -> None:
    """Raise :class:`~symconv.errors.PythonPackageMissing` unless ``module`` can be imported.

    >>> require("sys", "the standard library")
    """
    if not module_available(module):
        package = OPTIONAL_PACKAGES.get(module, module)
        raise PythonPackageMissing((module,), (package,), purpose)
