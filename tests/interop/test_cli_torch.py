"""``symconv prove --torch FILE:FACTORY FILE:FACTORY`` and ``symconv derive --torch FILE:FACTORY``."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from symconv.cli import main

MODELS = textwrap.dedent("""
    import torch
    import torch.nn as nn


    def _conv(taps, stride):
        conv = nn.Conv1d(1, 1, len(taps), stride=stride, bias=False)
        with torch.no_grad():
            conv.weight.copy_(torch.tensor([[taps]]))
        return conv


    def two_stride_2():
        return nn.Sequential(_conv([1.0, 2.0, 1.0], 2), _conv([1.0, -1.0, 2.0], 2))


    def one_stride_4():
        return _conv([1.0, 2.0, 0.0, -2.0, 1.0, 4.0, 2.0], 4)


    def one_stride_4_off_by_one():
        return _conv([1.0, 2.0, 0.0, -2.0, 1.0, 4.0, 3.0], 4)


    def with_batch_norm():
        return nn.Sequential(nn.Conv1d(1, 2, 3), nn.BatchNorm1d(2), nn.ReLU())


    def recurrent():
        return nn.Sequential(nn.LSTM(2, 2))


    def broken():
        raise RuntimeError("no weights here")


    def not_a_model():
        return 42


    NOT_CALLABLE = 3
""")


@pytest.fixture
def models(tmp_path):
    pytest.importorskip("torch")
    path = tmp_path / "models.py"
    path.write_text(MODELS)
    return str(path)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_prove_torch_proves_two_stride_2_convolutions_equal_one_stride_4_with_composed_weights(models, capsys):
    code, out, _ = _run(capsys, "prove", "--torch", f"{models}:two_stride_2", f"{models}:one_stride_4")
    assert code == 0
    assert out.startswith("proved: conv([1, 2, 1], stride=2) >> conv([1, -1, 2], stride=2)  ==  "
                          "conv([1, 2, 0, -2, 1, 4, 2], stride=4)")


def test_prove_torch_refutes_a_wrong_tap_with_exit_1(models, capsys):
    code, out, _ = _run(capsys, "prove", "--torch", f"{models}:two_stride_2", f"{models}:one_stride_4_off_by_one",
                        "--json")
    assert code == 1
    assert json.loads(out)["verdict"] == "refuted"


def test_derive_torch_gives_stride_and_receptive_field(models, capsys):
    code, out, _ = _run(capsys, "derive", "--torch", f"{models}:two_stride_2", "--json")
    result = json.loads(out)
    assert code == 0
    assert (result["stride"], result["receptive_field"], result["kernel"]) == (4, 7, ["1", "2", "0", "-2", "1", "4",
                                                                                    "2"])


def test_derive_torch_puts_the_model_in_eval_mode_so_batch_norm_is_read(models, capsys):
    code, out, _ = _run(capsys, "derive", "--torch", f"{models}:with_batch_norm", "--json")
    assert code == 0
    assert json.loads(out)["receptive_field"] == 3


@pytest.mark.parametrize("factory, reason", [
    ("missing", "'{file}' defines no 'missing'"),
    ("NOT_CALLABLE", "'NOT_CALLABLE' in '{file}' is a int, not a function"),
    ("broken", "broken() raised RuntimeError: no weights here"),
    ("not_a_model", "not_a_model() returned a int, not a torch.nn.Module"),
])
def test_bad_factory_is_one_line_with_exit_2(models, capsys, factory, reason):
    code, out, err = _run(capsys, "derive", "--torch", f"{models}:{factory}")
    assert (code, out) == (2, "")
    assert err == (f"symconv derive: --torch '{models}:{factory}': {reason.format(file=models)}; expected "
                   f"FILE:FACTORY, a Python file and the name of a function in it that returns a torch.nn.Module\n")


def test_missing_file_and_missing_colon_are_one_line_with_exit_2(tmp_path, capsys):
    pytest.importorskip("torch")
    code, _, err = _run(capsys, "derive", "--torch", f"{tmp_path}/none.py:make")
    assert code == 2 and f"there is no file '{tmp_path}/none.py'" in err and err.count("\n") == 1
    code, _, err = _run(capsys, "prove", "--torch", "models.py", "models.py:make")
    assert code == 2 and err.startswith("symconv prove: --torch 'models.py': no ':' between the file and the factory")


def test_file_that_fails_to_import_is_one_line_with_exit_2(tmp_path, capsys):
    pytest.importorskip("torch")
    path = tmp_path / "bad.py"
    path.write_text("import torch\nraise ValueError('bad model file')\n")
    code, _, err = _run(capsys, "derive", "--torch", f"{path}:make")
    assert code == 2
    assert f"importing '{path}' raised ValueError: bad model file" in err and err.count("\n") == 1


def test_unsupported_module_is_one_line_with_exit_2(models, capsys):
    code, _, err = _run(capsys, "derive", "--torch", f"{models}:recurrent")
    assert code == 2
    assert err.startswith("symconv derive: from_torch: module '0' (LSTM) is not a module symconv can express; "
                          "supported: Conv1d/2d/3d") and err.count("\n") == 1


def test_without_torch_the_option_says_how_to_install_it(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    code, out, err = _run(capsys, "prove", "--torch", f"{tmp_path}/a.py:f", f"{tmp_path}/b.py:g")
    assert (code, out) == (2, "")
    assert err == ("symconv prove: --torch needs the Python module torch, which is not installed; install it with "
                   "`pip install torch==2.13.0`\n")


def test_prove_torch_with_atol_proves_the_fused_conv_bn_example_of_the_readme(capsys):
    example = Path(__file__).resolve().parents[2] / "examples" / "conv_bn_tolerance.py"
    argv = ["prove", "--torch", f"{example}:trained_conv_bn", f"{example}:fused_conv"]
    assert main(argv + ["--atol", "1e-5"]) == 0
    assert capsys.readouterr().out.startswith("proved")
    assert main(argv) == 1  # exactly, fusion's float32 rounding shows
    assert capsys.readouterr().out.startswith("refuted")


def test_derive_torch_reads_symbolic_weights_named_after_module_paths(models, capsys):
    code, out, _ = _run(capsys, "derive", "--torch", f"{models}:two_stride_2", "--weights", "symbolic", "--json")
    assert code == 0
    derived = json.loads(out)
    assert derived["stride"] == 4 and derived["receptive_field"] == 7
    assert derived["chain"] == "conv(m0[3], stride=2) >> conv(m1[3], stride=2)"
    assert derived["kernel"][:2] == ["m0_0*m1_0", "m0_1*m1_0"]
