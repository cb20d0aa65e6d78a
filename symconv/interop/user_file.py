"""``--torch FILE:FACTORY``: a model from the user's own Python file.

FILE is imported as pytest imports a test file: under a module name made
from its path, with ``importlib.util.spec_from_file_location``, and with its
directory on ``sys.path`` so that it can import its neighbours. FACTORY is
called with no argument and must return a ``torch.nn.Module``, which is put
in eval mode (a proof is about inference). Only the file the user named is
run; DSL text is never evaluated.

>>> split_spec("models/net.py:make_net")
('models/net.py', 'make_net')
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

from symconv.errors import FactoryError
from symconv.interop.graph import require_torch

__all__ = ["split_spec", "load_model"]


def split_spec(spec: str) -> tuple[str, str]:
    """``FILE:FACTORY`` -> ``(FILE, FACTORY)`` (split at the last colon, so ``C:\\net.py:make`` works)."""
    file, colon, factory = spec.rpartition(":")
    if not colon or not file or not factory:
        raise FactoryError(spec, "no ':' between the file and the factory")
    if not factory.isidentifier():
        raise FactoryError(spec, f"{factory!r} is not a Python name")
    return file, factory


def _module_name(path: Path) -> str:
    """A module name for ``path`` that no installed package has: ``symconv_user_<path with underscores>``."""
    return "symconv_user_" + re.sub(r"\W", "_", str(path.with_suffix("")))


def _import_file(spec: str, path: Path) -> Any:
    name = _module_name(path)
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise FactoryError(spec, f"{str(path)!r} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(module_spec)
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        module_spec.loader.exec_module(module)
    except Exception as err:  # noqa: BLE001 - the user's code may raise anything: report it in one line
        del sys.modules[name]
        raise FactoryError(spec, f"importing {str(path)!r} raised {type(err).__name__}: {err}") from err
    return module


def load_model(spec: str) -> Any:
    """The ``torch.nn.Module`` that FACTORY in FILE returns, in eval mode."""
    torch = require_torch("--torch")
    file, factory = split_spec(spec)
    path = Path(file)
    if path.suffix != ".py":
        raise FactoryError(spec, f"{file!r} is not a Python file (.py)")
    if not path.is_file():
        raise FactoryError(spec, f"there is no file {file!r}")
    module = _import_file(spec, path.resolve())
    build = getattr(module, factory, None)
    if build is None:
        raise FactoryError(spec, f"{file!r} defines no {factory!r}")
    if not callable(build):
        raise FactoryError(spec, f"{factory!r} in {file!r} is a {type(build).__name__}, not a function")
    try:
        model = build()
    except Exception as err:  # noqa: BLE001 - the user's code may raise anything: report it in one line
        raise FactoryError(spec, f"{factory}() raised {type(err).__name__}: {err}") from err
    if not isinstance(model, torch.nn.Module):
        raise FactoryError(spec, f"{factory}() returned a {type(model).__name__}, not a torch.nn.Module")
    return model.eval()  # safe: torch.nn.Module.eval() switches to inference mode; no text is evaluated
