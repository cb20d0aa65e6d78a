"""``derive`` of chains with ``padding='same'`` and a generic kernel length: per-c padding in closed form."""

from __future__ import annotations

import json

import pytest
import sympy

from symconv.prover.derive import derive


@pytest.mark.parametrize("chain, concrete", [
    ("conv(k[c], padding='same')", "conv(k[{c}], padding='same')"),
    ("conv(k[c], padding='same') >> conv(k, padding='same')", "conv(k[{c}], padding='same') >> conv(k, padding='same')"),
    ("conv(k[c], padding='same', dilation=2) >> conv(k, stride=2)",
     "conv(k[{c}], padding='same', dilation=2) >> conv(k, stride=2)"),
    ("pad(1) >> conv(k[c], padding='same')", "pad(1) >> conv(k[{c}], padding='same')"),
])
def test_the_generic_padding_receptive_field_and_stride_agree_with_each_concrete_length(chain, concrete):
    generic = derive(chain)
    c = sympy.Symbol("c", integer=True, positive=True)
    for value in range(1, 8):
        fixed = derive(concrete.format(c=value))
        at = {s: value for s in sympy.sympify(generic.receptive_field).free_symbols}  # safe: our own output
        assert [int(sympy.sympify(p).subs(at)) for p in generic.padding] == list(fixed.padding)  # safe: as above
        assert int(sympy.sympify(generic.receptive_field).subs(at)) == fixed.receptive_field  # safe: as above
        assert generic.stride == fixed.stride


def test_one_same_layer_with_a_generic_length_is_its_own_single_layer():
    d = derive("conv(k[c], padding='same')")
    assert d.exact is True and d.layer == d.chain
    data = d.to_json()
    assert data["padding"] == ["floor(c/2 - 1/2)", "c - floor(c/2 - 1/2) - 1"]
    assert data["output_length"].startswith("n for n >= 1")
    assert json.loads(json.dumps(data)) == data


def test_two_same_layers_with_a_generic_length_are_not_claimed_exact():
    # for even c the chain's split (2 floor((c-1)/2) left) is not the split 'same' gives the 2c-1 taps
    assert derive("conv(k[c], padding='same') >> conv(k, padding='same')").exact is False
