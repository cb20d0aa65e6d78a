"""pytest plugin: the theorems of theorem files become test items (DESIGN §6).

Registered through the ``pytest11`` entry point ``symconv``. It collects only
files that opt in:

* every file named ``theorems_*.py``, anywhere, and
* every ``*.py`` file below a directory listed in the ini option
  ``symconv_paths`` (paths relative to the ini file), e.g. in
  ``pyproject.toml``::

      [tool.pytest.ini_options]
      symconv_paths = ["proofs"]

except private names (``_x.py``), test modules (``test_*.py``,
``*_test.py``, ``conftest.py``) and the files of the symconv package
itself. Any other project's ``proofs/`` folder is left alone. Each theorem
is one item named after it; it passes when its verdict is the expected one,
is skipped (with its note) when it is expected and found ``unknown`` (a
pending claim) or when its evidence needs an optional package that is not
installed (verdict ``skipped``), and otherwise fails with the statement, the
verdict found and the counterexample.

Items are collected the same way in every process (files in sorted order,
one item per theorem, named after it), so ``pytest -n auto`` with
pytest-xdist spreads a library over cores unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

import pytest

__all__ = ["TheoremFile", "TheoremItem", "TheoremMismatch", "is_collected_theorem_file", "INI_PATHS"]

_PACKAGE = Path(__file__).resolve().parent

#: The ini option naming directories whose ``*.py`` files are theorem files.
INI_PATHS = "symconv_paths"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(INI_PATHS, type="paths", default=[],
                  help="symconv: directories whose *.py files are theorem files (theorems_*.py files are "
                       "collected anywhere)")


def is_collected_theorem_file(path: Path, theorem_dirs: Sequence[Path] = ()) -> bool:
    """Whether the plugin collects ``path``: ``theorems_*.py``, or any ``*.py`` below ``theorem_dirs``."""
    name = path.name
    if path.suffix != ".py" or name.startswith(("_", ".")) or name == "conftest.py":
        return False
    if name.startswith("test_") or name.endswith("_test.py"):
        return False
    resolved = path.resolve()
    if _PACKAGE in resolved.parents:
        return False
    if name.startswith("theorems_"):
        return True
    return any(Path(d).resolve() in resolved.parents for d in theorem_dirs)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if is_collected_theorem_file(Path(file_path), parent.config.getini(INI_PATHS)):
        return TheoremFile.from_parent(parent, path=Path(file_path))
    return None


class TheoremMismatch(Exception):
    """A theorem's verdict differs from the one it expects; ``result`` says how."""

    def __init__(self, result):
        self.result = result
        super().__init__(f"{result.name}: expected {result.expected}, got {result.verdict}")


class TheoremFile(pytest.File):
    """A theorem file: one item per declared theorem."""

    def collect(self):
        from symconv.library.load import load_file
        from symconv.library.registry import TheoremFileError

        try:
            theorems = load_file(self.path)
        except TheoremFileError as err:
            raise self.CollectError(str(err)) from err
        for t in theorems:
            yield TheoremItem.from_parent(self, name=t.name, theorem=t)


class TheoremItem(pytest.Item):
    """One theorem run as a test."""

    def __init__(self, *, theorem, **kwargs):
        super().__init__(**kwargs)
        self.theorem = theorem
        self.result = None

    def runtest(self) -> None:
        from symconv.library.results import SKIPPED
        from symconv.library.run import run_theorem

        self.result = run_theorem(self.theorem)
        verdict = str(getattr(self.result.verdict, "value", self.result.verdict))
        self.user_properties.append(("verdict", verdict))  # plain str: xdist sends reports between processes
        if not self.result.passed:
            raise TheoremMismatch(self.result)
        if verdict == SKIPPED:
            pytest.skip(f"skipped: {self.result.detail}")
        if verdict == "unknown":
            pytest.skip(f"pending: {self.result.note or self.result.detail}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, TheoremMismatch):
            from symconv.library.results import format_failure

            return format_failure(excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.theorem.kind} {self.theorem.name}"
