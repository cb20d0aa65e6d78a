"""A theorem whose evidence needs a missing optional package is ``skipped`` with the reason, never failed.

The missing package is simulated by patching the availability probe
(:func:`symconv.library.optional.module_available`), not by uninstalling it.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.errors import PythonPackageMissing
from symconv.library import optional
from symconv.library.load import load_file
from symconv.library.run import run_theorem

NEEDS_TORCH = """
from symconv import theorem
from symconv.library import Evidence
from symconv.library.optional import require


def _against_torch():
    require("torch", "the comparison with PyTorch")
    import torch
    return Evidence("checked", "equal")


theorem("stride", lhs="conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)")
theorem("matches_torch", check=_against_torch, statement="ours = PyTorch's", expect="checked")
"""

LIBRARY = Path(__file__).resolve().parents[2] / "proofs"


@pytest.fixture
def without_torch(monkeypatch):
    available = optional.module_available
    monkeypatch.setattr(optional, "module_available", lambda module: module != "torch" and available(module))


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def test_require_raises_python_package_missing_naming_the_pip_package(without_torch):
    with pytest.raises(PythonPackageMissing, match=r"^the comparison needs the Python module torch, which is not "
                                                   r"installed; install it with `pip install torch`$"):
        optional.require("torch", "the comparison")


def test_check_without_torch_exits_0_and_the_table_shows_the_skipped_theorem_with_its_reason(
        tmp_path, capsys, without_torch):
    code = main(["check", str(write(tmp_path / "mixed.py", NEEDS_TORCH))])
    out = capsys.readouterr().out
    assert code == 0
    assert any(line.split()[:3] == ["matches_torch", "-", "skipped"] for line in out.splitlines())
    assert "2 theorem(s) in 1 file(s): 1 proved, 1 skipped; 0 not as expected" in out
    assert ("skipped matches_torch: the comparison with PyTorch needs the Python module torch, which is not "
            "installed; install it with `pip install torch`") in out


def test_check_json_lists_the_skipped_theorem_as_passed_with_the_reason(tmp_path, capsys, without_torch):
    code = main(["check", str(write(tmp_path / "mixed.py", NEEDS_TORCH)), "--json"])
    obj = json.loads(capsys.readouterr().out)
    skipped = obj["theorems"][1]
    assert code == 0
    assert (skipped["name"], skipped["verdict"], skipped["expected"], skipped["passed"]) == (
        "matches_torch", "skipped", "checked", True)
    assert "pip install torch" in skipped["detail"]
    assert obj["summary"]["verdicts"] == {"proved": 1, "skipped": 1} and obj["summary"]["failed"] == 0


def test_with_torch_available_the_same_theorem_is_checked(tmp_path):
    pytest.importorskip("torch")
    theorems = load_file(write(tmp_path / "mixed.py", NEEDS_TORCH))
    assert run_theorem(theorems[1]).verdict == "checked"


def test_an_import_of_a_missing_optional_module_inside_a_check_is_skipped(tmp_path, monkeypatch):
    write(tmp_path / "bare.py", """
        from symconv import theorem
        from symconv.library import Evidence

        def _check():
            import skimage.metrics
            return Evidence("checked", "")

        theorem("ssim", check=_check, statement="SSIM", expect="checked")
    """)
    monkeypatch.setitem(sys.modules, "skimage", None)  # `import skimage` now raises ModuleNotFoundError
    result = run_theorem(load_file(tmp_path / "bare.py")[0])
    assert (result.verdict, result.passed) == ("skipped", True)
    assert result.detail == ("needs the Python module skimage, which is not installed; install it with "
                             "`pip install scikit-image`")


def test_a_missing_module_that_is_not_optional_is_still_an_error(tmp_path):
    write(tmp_path / "typo.py", """
        from symconv import theorem
        from symconv.library import Evidence

        def _check():
            import symconv_no_such_module
            return Evidence("checked", "")

        theorem("typo", check=_check, statement="nothing", expect="checked")
    """)
    result = run_theorem(load_file(tmp_path / "typo.py")[0])
    assert (result.verdict, result.passed) == ("error", False)


@pytest.mark.parametrize("file, name", [("classics_identities.py", "batchnorm_folding_matches_pytorch"),
                                        ("seed_004_random_deconv.py", "ceil_mode_is_right_zero_padding_after_relu")])
def test_the_library_theorems_that_compare_with_pytorch_are_skipped_without_it(without_torch, file, name):
    theorem = next(t for t in load_file(LIBRARY / file) if t.name == name)
    result = run_theorem(theorem)
    assert (result.verdict, result.expected, result.passed) == ("skipped", "checked", True)
    assert "pip install torch" in result.detail
