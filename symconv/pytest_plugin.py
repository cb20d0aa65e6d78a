"""pytest plugin: the theorems of theorem files become test items (DESIGN §6).

Registered through the ``pytest11`` entry point ``symconv``. It collects

* every ``*.py`` file directly inside a directory named ``proofs``, and
* every file named ``theorems_*.py`` anywhere,

except private names (``_x.py``), test modules (``test_*.py``,
``*_test.py``, ``conftest.py``) and the files of the symconv package
itself. Each theorem is one item named after it; it passes when its verdict
is the expected one, is skipped (with its note) when it is expected and
found ``unknown`` (a pending claim), and otherwise fails with the
statement, the verdict found and the counterexample.

Run the library with ``pytest proofs/``, or keep identities beside your
tests in ``theorems_*.py`` files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

__all__ = ["TheoremFile", "TheoremItem", "TheoremMismatch", "is_collected_theorem_file"]

_PACKAGE = Path(__file__).resolve().parent


def is_collected_theorem_file(path: Path) -> bool:
    """Whether the plugin collects ``path`` (see the module docstring)."""
    name = path.name
    if path.suffix != ".py" or name.startswith(("_", ".")) or name == "conftest.py":
        return False
    if name.startswith("test_") or name.endswith("_test.py"):
        return False
    if not (name.startswith("theorems_") or path.parent.name == "proofs"):
        return False
    return _PACKAGE not in path.resolve().parents


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if is_collected_theorem_file(Path(file_path)):
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
        from symconv.library.run import run_theorem

        self.result = run_theorem(self.theorem)
        self.user_properties.append(("verdict", self.result.verdict))
        if not self.result.passed:
            raise TheoremMismatch(self.result)
        if self.result.verdict == "unknown":
            pytest.skip(f"pending: {self.result.note or self.result.detail}")

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, TheoremMismatch):
            from symconv.library.run import format_failure

            return format_failure(excinfo.value.result)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.theorem.kind} {self.theorem.name}"
