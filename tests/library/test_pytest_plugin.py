"""The pytest plugin: theorem files become test items; failures show the counterexample."""

from __future__ import annotations

from pathlib import Path

import pytest

import symconv
from symconv.pytest_plugin import is_collected_theorem_file

pytest_plugins = ["pytester"]

PASSING = """
from symconv import theorem
theorem("stride", lhs="conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)")
theorem("pending", lhs="conv(k[c]) >> pad(1) >> crop(1)", rhs="conv(k)", expect="unknown",
        note="waits for inner padding with a generic length")
"""

FAILING = """
from symconv import theorem
theorem("padded", lhs="conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
"""


@pytest.fixture
def plugin_args(pytestconfig) -> list[str]:
    """Load the plugin explicitly only when the entry point did not (e.g. autoload disabled)."""
    return [] if pytestconfig.pluginmanager.has_plugin("symconv") else ["-p", "symconv.pytest_plugin"]


def test_theorems_in_proofs_are_collected_as_items(pytester, plugin_args):
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "stride.py").write_text(PASSING)
    result = pytester.runpytest("-v", "-rs", *plugin_args)
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*proofs/stride.py::stride PASSED*", "*proofs/stride.py::pending SKIPPED*"])
    result.stdout.fnmatch_lines(["SKIPPED*pending: waits for inner padding with a generic length*"])


def test_a_failing_theorem_reports_the_verdict_and_the_counterexample(pytester, plugin_args):
    pytester.makepyfile(theorems_padding=FAILING)
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*FAILED padded (*theorems_padding.py): expected proved, got refuted*",
        "*counterexample: n=*index=*",
    ])
    assert result.ret == 1


def test_ordinary_test_modules_are_left_alone(pytester, plugin_args):
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "test_inside.py").write_text("def test_inside():\n    assert True\n")
    pytester.path.joinpath("proofs", "_helpers.py").write_text("raise RuntimeError('never imported')\n")
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(passed=2)


def test_an_unloadable_theorem_file_is_a_collection_error(pytester, plugin_args):
    pytester.makepyfile(theorems_broken="raise ValueError('boom')\n")
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*theorems_broken.py*ValueError (line 1): boom*"])


def test_which_files_are_collected(tmp_path):
    package = Path(symconv.__file__).resolve().parent
    assert is_collected_theorem_file(tmp_path / "proofs" / "stride.py")
    assert is_collected_theorem_file(tmp_path / "tests" / "theorems_mine.py")
    assert not is_collected_theorem_file(tmp_path / "proofs" / "test_stride.py")
    assert not is_collected_theorem_file(tmp_path / "proofs" / "conftest.py")
    assert not is_collected_theorem_file(tmp_path / "proofs" / "_private.py")
    assert not is_collected_theorem_file(tmp_path / "tests" / "helpers.py")
    assert not is_collected_theorem_file(package / "theorem" / "registry.py")
    assert not is_collected_theorem_file(package / "proofs" / "x.py")
