"""The pytest plugin: theorem files that opt in become test items; failures show the counterexample."""

from __future__ import annotations

from pathlib import Path

import pytest

import symconv
import symconv.library.run  # noqa: F401 -- numpy and SymPy load here once: pytester's in-process runs keep them
from symconv.pytest_plugin import is_collected_theorem_file

pytest_plugins = ["pytester"]

PASSING = """
from symconv import theorem
theorem("stride", lhs="conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)")
theorem("pending", lhs="conv(k[c]) >> pad(1) >> crop(1)", rhs="pad(2) >> conv(k) >> crop(2)", expect="unknown",
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


def test_theorems_in_a_directory_listed_in_symconv_paths_are_collected_as_items(pytester, plugin_args):
    pytester.makeini("[pytest]\nsymconv_paths = proofs\n")
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
    pytester.makeini("[pytest]\nsymconv_paths = proofs\n")
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
    listed = [tmp_path / "proofs"]
    assert is_collected_theorem_file(tmp_path / "proofs" / "stride.py", listed)
    assert is_collected_theorem_file(tmp_path / "proofs" / "deeper" / "stride.py", listed)
    assert not is_collected_theorem_file(tmp_path / "proofs" / "stride.py")  # not listed: not opted in
    assert is_collected_theorem_file(tmp_path / "tests" / "theorems_mine.py")
    assert not is_collected_theorem_file(tmp_path / "proofs" / "test_stride.py", listed)
    assert not is_collected_theorem_file(tmp_path / "proofs" / "conftest.py", listed)
    assert not is_collected_theorem_file(tmp_path / "proofs" / "_private.py", listed)
    assert not is_collected_theorem_file(tmp_path / "tests" / "helpers.py", listed)
    assert not is_collected_theorem_file(package / "library" / "registry.py", [package])
    assert not is_collected_theorem_file(package / "theorems_x.py")


def test_an_unrelated_projects_proofs_folder_is_never_imported(pytester, plugin_args):
    pytester.mkdir("proofs")
    pytester.path.joinpath("proofs", "script.py").write_text("raise RuntimeError('imported by the symconv plugin')\n")
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(passed=1)
    assert "imported by the symconv plugin" not in result.stdout.str()


def test_a_theorem_needing_a_missing_optional_package_is_skipped_with_the_reason(pytester, plugin_args):
    pytester.makepyfile(theorems_torch="""
from symconv import theorem
from symconv.library import Evidence
from symconv.library.optional import require

def _check():
    require("symconv_absent_module", "the comparison")
    return Evidence("checked", "")

theorem("needs_it", check=_check, statement="ours = theirs", expect="checked")
""")
    result = pytester.runpytest("-rs", *plugin_args)
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED*skipped: the comparison needs the Python module symconv_absent_module*"])


def test_a_failing_assert_identity_shows_the_verdict_and_counterexample_not_its_source(pytester, plugin_args):
    pytester.makepyfile(test_inline="""
from symconv.testing import assert_identity

def test_padding():
    assert_identity("conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                    "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
""")
    result = pytester.runpytest(*plugin_args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E*AssertionError: * is not an identity (refuted)*", "E*counterexample: n=7, input=*"])
    output = result.stdout.str()
    assert "symconv/testing.py" not in output and "def assert_identity" not in output


def test_theorem_items_run_under_pytest_xdist_with_the_same_outcomes(pytester, plugin_args):
    pytest.importorskip("xdist")
    pytester.makepyfile(theorems_mixed=PASSING + FAILING.replace("from symconv import theorem\n", ""))
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", *plugin_args)
    result.assert_outcomes(passed=1, skipped=1, failed=1)  # an expected `unknown` is a skip, as without xdist
    result.stdout.fnmatch_lines(["*counterexample*"])
