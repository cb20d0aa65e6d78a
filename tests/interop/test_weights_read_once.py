"""A trained N-D weight is read into the same exact literal kernel as ``literal`` of its exact values."""

from __future__ import annotations

import pytest
import sympy

torch = pytest.importorskip("torch")
nn = torch.nn

from symconv import from_torch  # noqa: E402
from symconv.core.kernel import Literal, literal  # noqa: E402
from symconv.interop.weights import exact_values  # noqa: E402


@pytest.mark.parametrize("conv", [nn.Conv2d(3, 4, (3, 2), bias=False), nn.Conv3d(2, 3, 2, bias=False),
                                  nn.Conv2d(1, 1, 3, bias=False)])
def test_a_trained_nd_weight_is_the_literal_nd_of_its_exact_values_zeros_included(conv):
    torch.manual_seed(0)
    with torch.no_grad():
        conv.weight.copy_(torch.randn(conv.weight.shape))
        conv.weight.view(-1)[::5] = 0.0  # zero taps: left out of the grid, written as SymPy's 0
    weight = from_torch(conv).weight
    expected = literal(exact_values(conv.weight, "", "weight"), ndim=conv.weight.dim() - 2)
    assert type(weight) is Literal and weight == expected and weight.values == expected.values
    taps = [v for o in weight.taps() for i in o for v in _flat(i)]
    assert all(type(v) in (sympy.Rational, sympy.Integer, sympy.core.numbers.Zero, sympy.core.numbers.Half,
                           sympy.core.numbers.One, sympy.core.numbers.NegativeOne) for v in taps)
    assert taps.count(sympy.Integer(0)) == len(range(0, conv.weight.numel(), 5))


def _flat(values: object) -> list:
    return [v for item in values for v in _flat(item)] if isinstance(values, tuple) else [values]
