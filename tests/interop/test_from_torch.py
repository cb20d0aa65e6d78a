"""from_torch's weights (exact values, symbolic names) and the public entry points that take modules."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
import sympy

torch = pytest.importorskip("torch")
nn = torch.nn

import symconv  # noqa: E402
from symconv import from_torch  # noqa: E402


def _conv1d(weights: list, stride: int = 1, bias=None, **kwargs) -> nn.Conv1d:
    conv = nn.Conv1d(1, 1, len(weights), stride=stride, bias=bias is not None, **kwargs)
    with torch.no_grad():
        conv.weight.copy_(torch.tensor([[weights]], dtype=torch.float32))
        if bias is not None:
            conv.bias.fill_(bias)
    return conv


def test_float32_weight_becomes_the_dyadic_rational_it_denotes_not_its_decimal():
    layer = from_torch(_conv1d([0.1, -2.5], bias=0.3))
    tenth, bias = float(np.float32(0.1)), float(np.float32(0.3))
    assert layer.weight.taps()[0][0] == (sympy.Rational(Fraction(tenth)), sympy.Rational(-5, 2))
    assert layer.bias == (sympy.Rational(Fraction(bias)),)
    assert layer.weight.taps()[0][0][0] != sympy.Rational(1, 10)


def test_float64_weights_are_read_exactly_too():
    conv = _conv1d([1.0, 1.0]).double()
    with torch.no_grad():
        conv.weight[0, 0, 0] = 0.1
    assert from_torch(conv).weight.taps()[0][0][0] == sympy.Rational(Fraction(0.1))


def test_symbolic_weights_are_named_after_the_module_path():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv1d(2, 2, 3, padding=1)
            self.bn1 = nn.BatchNorm1d(2)

        def forward(self, x):
            return x + self.bn1(self.conv1(x))

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = nn.Sequential(Block())

        def forward(self, x):
            return self.layer1(x)

    layer = from_torch(Net().eval(), weights="symbolic")
    assert repr(layer) == ("pad(0) + (conv(layer1_0_conv1[2, 2, 3], padding=1, bias=layer1_0_conv1_b) >> "
                           "affine([layer1_0_bn1_scale_0, layer1_0_bn1_scale_1], "
                           "[layer1_0_bn1_shift_0, layer1_0_bn1_shift_1]))")


def test_single_channel_symbolic_kernels_have_the_short_form_and_digit_paths_get_a_prefix():
    assert repr(from_torch(nn.Sequential(nn.Conv1d(1, 1, 3, bias=False)), weights="symbolic")) == "conv(m0[3])"
    assert repr(from_torch(nn.Conv2d(1, 1, (2, 3), bias=False), weights="symbolic")) == "conv2d(weight[2, 3])"


def test_symbolic_refactor_is_proved_for_every_value_of_the_weights():
    class ResidualFirst(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = nn.Conv1d(1, 1, 3, padding=1)

        def forward(self, x):
            return x + self.f(x)

    class ResidualLast(ResidualFirst):
        def forward(self, x):
            return self.f(x) + x

    proof = symconv.prove(from_torch(ResidualFirst(), "symbolic"), from_torch(ResidualLast(), "symbolic"))
    assert proof.verdict == "proved"


def test_derive_takes_a_module_where_it_failed_with_attribute_error_ndim():
    model = nn.Sequential(nn.Conv1d(1, 1, 3, stride=2), nn.Conv1d(1, 1, 3, stride=2))
    derivation = symconv.derive(model)
    assert (derivation.stride, derivation.receptive_field, derivation.exact) == (4, 7, True)


def test_prove_takes_modules_on_either_side_and_mixes_them_with_dsl_text():
    model = nn.Sequential(_conv1d([1.0, 2.0], stride=2), _conv1d([1.0, -1.0], stride=2))
    assert symconv.prove(model, model).verdict == "proved"
    assert symconv.prove(model, "conv([1, 2, -1, -2], stride=4)").verdict == "proved"
    assert symconv.prove("conv([1, 2, -1, 2], stride=4)", model).verdict == "refuted"


def test_same_and_valid_padding_follow_pytorch_split_extra_zero_on_the_right():
    assert from_torch(_conv1d([1.0, 2.0, 3.0, 4.0], padding="same")).padding_pair() == (1, 2)
    assert from_torch(_conv1d([1.0, 2.0], padding="valid")).padding_pair() == (0, 0)
