"""torch stays optional: symconv imports and proves without it, and from_torch says how to install it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from symconv.errors import PythonPackageMissing


def test_symconv_and_its_interop_package_import_and_prove_without_importing_torch():
    code = ("import sys, symconv, symconv.interop; symconv.from_torch; "
            "assert symconv.prove('conv(k[3], stride=2) >> conv(k, stride=2)', "
            "'conv(convolve(k, dilate(k, 2)), stride=4)').verdict == 'proved'; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_from_torch_without_torch_says_how_to_install_it(monkeypatch):
    import symconv

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(PythonPackageMissing) as caught:
        symconv.from_torch(object())
    assert str(caught.value) == ("from_torch needs the Python module torch, which is not installed; install it with "
                                 "`pip install torch==2.13.0`")


def test_dsl_text_is_proved_with_torch_missing(monkeypatch):
    import symconv

    monkeypatch.setitem(sys.modules, "torch", None)
    assert symconv.prove("conv([1, 2])", "conv([1, 2])").verdict == "proved"
