"""Loading theorem files: import one file by its path into a fresh collection of theorems.

A theorem file is trusted project code (like a test module), so loading it
runs it -- but only it: the file is executed from its path with
:mod:`importlib` under a private module name, without touching ``sys.path``
and without importing a package ``__init__`` or ``conftest`` beside it.
The declarations it makes are collected in a fresh list
(:func:`~symconv.library.registry.collecting`) and returned with the file
recorded in each theorem; nothing stays registered anywhere.

Which files: a path to a ``.py`` file is that file; a directory means every
``*.py`` below it, sorted, except names starting with ``_`` or ``.``.

Default library (:func:`default_paths`): ``./proofs`` when the current
directory has one; otherwise the ``proofs/`` of the source checkout symconv
runs from (an editable install); otherwise there is no default and a PATH
must be given. The library is not copied into the installed package: one
copy of each theorem, in the repository.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
import traceback
from pathlib import Path
from typing import Iterable, Optional, Union

from symconv.library.registry import TheoremFileError, collecting
from symconv.library.specs import Theorem

__all__ = ["load_file", "discover", "default_paths", "is_theorem_file"]


def is_theorem_file(path: Path) -> bool:
    """A ``.py`` file that is neither private (``_x.py``) nor hidden."""
    return path.suffix == ".py" and not path.name.startswith(("_", "."))


def discover(paths: Iterable[Union[str, Path]]) -> list[Path]:
    """The theorem files named by ``paths`` (files, or directories searched recursively)."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.py")
                           if is_theorem_file(p) and not any(part.startswith((".", "_")) for part in
                                                              p.relative_to(path).parts[:-1]))
            files.extend(found)
        elif path.is_file():
            if path.suffix != ".py":
                raise TheoremFileError(str(path), "is not a Python file; expected a .py theorem file or a directory")
            files.append(path)
        else:
            raise TheoremFileError(str(path), "does not exist; expected a .py theorem file or a directory")
    unique: dict[Path, None] = {}
    for f in files:
        unique.setdefault(f.resolve(), None)
    return list(unique)


def default_paths(cwd: Optional[Path] = None) -> list[Path]:
    """``[./proofs]``, else the source checkout's ``proofs/`` (see the module docstring)."""
    here = Path.cwd() if cwd is None else Path(cwd)
    if (here / "proofs").is_dir():
        return [here / "proofs"]
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "proofs").is_dir() and (checkout / "pyproject.toml").is_file():
        return [checkout / "proofs"]
    raise TheoremFileError(str(here / "proofs"), "no proofs/ directory here or in a symconv source checkout; "
                                                 "give the theorem files or directories to check")


def _module_name(path: Path) -> str:
    digest = hashlib.sha1(str(path).encode()).hexdigest()[:12]
    stem = "".join(ch if ch.isalnum() else "_" for ch in path.stem)
    return f"_symconv_theorems_{stem}_{digest}"


def load_file(path: Union[str, Path]) -> list[Theorem]:
    """Execute the theorem file at ``path`` and return the theorems it declares, in order."""
    path = Path(path).resolve()
    if not path.is_file():
        raise TheoremFileError(str(path), "does not exist; expected a .py theorem file")
    name = _module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TheoremFileError(str(path), "cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    # In sys.modules only while it runs, so that dataclasses and pickling inside the file work.
    sys.modules[name] = module
    try:
        with collecting() as declared:
            spec.loader.exec_module(module)
    except Exception as err:
        frames = [f for f in traceback.extract_tb(err.__traceback__) if Path(f.filename) == path]
        line = f" (line {frames[-1].lineno})" if frames else ""
        if isinstance(err, SyntaxError) and err.lineno:
            line = f" (line {err.lineno})"
        message = " ".join(str(err).split())
        raise TheoremFileError(str(path), f"{type(err).__name__}{line}: {message}") from err
    finally:
        sys.modules.pop(name, None)
    return [t.located(_display(path)) for t in declared]


def _display(path: Path) -> str:
    """``path`` relative to the current directory when it lies below it."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
