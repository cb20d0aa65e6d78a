"""Each script of examples/ runs and finds what its docstring says."""

from __future__ import annotations

import runpy
from fractions import Fraction
from pathlib import Path

import pytest

pytest.importorskip("torch")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _main(name: str) -> dict:
    return runpy.run_path(str(EXAMPLES / name))["main"]()


def test_every_example_has_a_test():
    # conv_bn_tolerance.py and repvgg_merge.py are run by tests/prover/test_tolerance.py
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == ["conv_bn_tolerance.py", "fuse_conv_bn.py",
                                                             "padded_convs.py", "receptive_fields.py",
                                                             "repvgg_merge.py", "resnet_block.py",
                                                             "stride_composition.py"]


def test_conv2d_padding_1_is_proved_equal_to_zero_pad_2d_then_conv2d_and_a_one_sided_pad_is_refuted(capsys):
    assert _main("padded_convs.py") == {"explicit_pads": "proved", "wrong_side": "refuted"}
    assert "Conv2d(padding=1) x 2 == (ZeroPad2d(1) + Conv2d) x 2: proved" in capsys.readouterr().out


def test_a_trained_resnet_block_is_proved_within_1e_4_of_its_fusion_and_two_3x3_convs_of_their_5x5(capsys):
    main = runpy.run_path(str(EXAMPLES / "resnet_block.py"))["main"]
    assert main(4) == {"fused_block atol=0.0001": "proved", "fused_block atol=1e-09": "refuted",
                       "one_conv atol=0.0001": "proved", "one_conv atol=1e-09": "refuted"}
    assert "fused_block, 4 channels, atol=0.0001: proved" in capsys.readouterr().out


def test_two_stride_2_convolutions_are_proved_equal_to_one_stride_4_with_composed_weights(capsys):
    assert _main("stride_composition.py") == {"composed": "proved", "undilated": "refuted"}
    assert "one stride-4 Conv1d (composed weights): proved" in capsys.readouterr().out


def test_vgg16_features_and_resnet18_stem_receptive_field_stride_and_padding():
    results = _main("receptive_fields.py")
    assert results["vgg16_features"] == {"receptive_field": (212, 212), "stride": (32, 32),
                                         "padding": ((90, 90), (90, 90))}
    assert results["resnet18_stem"] == {"receptive_field": (11, 11), "stride": (4, 4), "padding": ((5, 5), (5, 5))}


def test_conv_bn_fusion_is_refuted_exactly_with_a_worst_difference_below_float32_rounding():
    results = _main("fuse_conv_bn.py")
    assert results["verdict"] == "refuted"
    assert 0 < results["worst"] < Fraction(1, 10**5)
