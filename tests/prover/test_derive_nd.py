"""``derive`` of N-D chains: per-axis stride, padding and receptive field, the composed bias, in Python and as CLI JSON.

The derived single layer is checked against the chain twice: by the exact core
semantics (:func:`symconv.core.semantics_nd.run_nd`, symbolic weights and
input) and by PyTorch on random float64 weights.
"""

from __future__ import annotations

import json
import random
from fractions import Fraction

import pytest
import sympy

from symconv import derive
from symconv.cli import main
from symconv.core.kernel import Convolve, Dilate, kernel
from symconv.core.layers_nd import Conv
from symconv.core.semantics_nd import run_nd, symbolic_input_nd

BIASED_2D = "conv2d(W[2, 1, 3, 3], bias=b, stride=2) >> conv2d(V[1, 2, 3, 3], bias=c, stride=2)"
BIASED_3D = "conv3d(W[2, 1, 2, 2, 2], bias=b, stride=2) >> conv3d(V[1, 2, 2, 2, 2], bias=[1/2], stride=(1, 2, 2))"
DEPTHWISE_2D = "conv2d(W[4, 1, 3, 3], groups=4, bias=b) >> conv2d(V[2, 4, 1, 1], bias=c)"
PER_AXIS_3D = ("conv3d(k[3, 2, 2], stride=(1, 2, 3), padding=(1, 0, 2)) >> "
               "conv3d(q[2, 3, 2], stride=2, dilation=(2, 1, 1))")


def test_derive_json_gives_per_axis_lists_for_a_2d_chain_with_per_axis_stride(capsys):
    assert main(["derive", "conv2d(k[3, 3], stride=(2, 1), padding=1) >> conv2d(k, stride=2)", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stride"] == [4, 2] and out["padding"] == [[1, 1], [1, 1]] and out["receptive_field"] == [7, 5]
    assert out["exact"] is True and len(out["kernel"]) == 7 and len(out["kernel"][0]) == 5
    assert out["bias"] is None
    assert out["output_length"] == ("(floor(n1/4 - 1/4) for n1 >= 5 (0 below)) x "
                                    "(floor(n2/2 - 1/2) for n2 >= 3 (0 below))")


def test_derive_3d_stride_composition_gives_the_composed_kernel():
    d = derive("conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)")
    k = kernel("k", 2, 2, 2, ndim=3)
    expected = Convolve(k, Dilate(k, (2, 2, 2))).taps()[0][0]
    assert d.stride == (4, 4, 4) and d.receptive_field == (4, 4, 4) and d.exact
    assert json.loads(json.dumps(d.to_json()))["kernel"] == [[[str(v) for v in row] for row in plane]
                                                            for plane in expected]


def test_derive_of_a_chain_padded_between_layers_is_not_exact():
    d = derive("conv2d(k[3, 3], stride=2, padding=1) >> conv2d(k, stride=2, padding=1)")
    assert not d.exact and d.to_json()["padding"] == [[3, 3], [3, 3]]


def test_derive_3d_json_gives_stride_padding_and_receptive_field_per_axis(capsys):
    assert main(["derive", PER_AXIS_3D, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stride"] == [2, 4, 6] and out["padding"] == [[1, 1], [0, 0], [2, 2]]
    assert out["receptive_field"] == [5, 6, 5] and out["exact"] is True and out["bias"] is None
    assert out["output_length"] == ("(floor(n1/2 - 1/2) for n1 >= 3 (0 below)) x "
                                    "(floor(n2/4 - 1/2) for n2 >= 6 (0 below)) x (floor(n3/6 + 5/6))")


def test_derive_3d_text_states_every_value_per_axis(capsys):
    assert main(["derive", PER_AXIS_3D]) == 0
    lines = dict(line.split(":", 1) for line in capsys.readouterr().out.splitlines())
    assert lines["stride"].strip() == "(2, 4, 6)"
    assert lines["padding"].strip() == "[[1, 1], [0, 0], [2, 2]]"
    assert lines["receptive field"].strip() == "(5, 6, 5)"
    parts = lines["output length"].strip().split(" x ")
    assert [[f"n{a}" in part for a in (1, 2, 3)] for part in parts] == [[True, False, False], [False, True, False],
                                                                       [False, False, True]]


def test_the_per_axis_output_lengths_are_the_length_tables_in_each_axis_symbol():
    d = derive("conv2d(k[3, 3], padding=(2, 0)) >> down((2, 3), (1, 0))")
    assert d.output_length == "(floor(n1/2) + 1) x (floor(n2/3) for n2 >= 3 (0 below))"


@pytest.mark.parametrize("text, bias", [
    ("conv2d(k[2, 2], bias=[3]) >> conv2d(j[2, 2], bias=[-1])", ["3*j_0_0 + 3*j_0_1 + 3*j_1_0 + 3*j_1_1 - 1"]),
    (BIASED_2D, None),
])
def test_the_single_layer_of_a_biased_nd_chain_carries_the_summed_bias(text, bias):
    """Biases add up through the layers (b_2 + K_2(1) b_1 per output channel): the single layer has that bias."""
    d = derive(text)
    assert d.exact and isinstance(d.layer, Conv) and d.layer.bias is not None
    assert d.to_json()["bias"] == [str(b) for b in d.layer.bias]
    if bias is not None:
        assert d.to_json()["bias"] == bias


def test_the_biased_2d_bias_is_c_plus_the_second_kernels_tap_sums_times_b():
    d = derive(BIASED_2D)
    V = kernel("V", 1, 2, 3, 3).grid()
    b0, b1, c0 = sympy.symbols("b_0 b_1 c_0")
    expected = c0 + sum(v * (b0 if index[1] == 0 else b1) for index, v in V.items())
    assert sympy.expand(d.layer.bias[0] - expected) == 0


def test_a_biased_chain_padded_between_layers_has_no_exact_single_layer():
    d = derive("conv2d(k[3, 3], bias=[1]) >> conv2d(j[3, 3], padding=1, bias=[2])")
    assert not d.exact and d.layer is None and d.to_json()["bias"] is None


def test_a_biased_chain_padded_in_front_derives_an_exact_padded_single_layer():
    d = derive("conv2d(k[3, 3], padding=1, bias=[1]) >> conv2d(j[3, 3], bias=[2])")
    assert d.exact and d.layer.paddings == ((1, 1), (1, 1))


def _same_outputs(a, b) -> bool:
    return a.shape == b.shape and all(sympy.expand(a.values.get(k, 0) - b.values.get(k, 0)) == 0
                                      for k in set(a.values) | set(b.values))


@pytest.mark.parametrize("text, channels, shapes", [
    (BIASED_2D, 1, [(2, 2), (7, 7), (9, 12), (11, 8)]),
    ("conv2d(k[3, 3], padding=1, bias=[1]) >> conv2d(j[3, 3], bias=[2])", 1, [(1, 1), (3, 4), (6, 5)]),
    (BIASED_3D, 1, [(3, 3, 3), (6, 7, 8), (7, 6, 5)]),
    (DEPTHWISE_2D, 4, [(3, 3), (4, 5)]),
])
def test_the_derived_biased_layer_equals_the_chain_by_the_core_semantics(text, channels, shapes):
    d = derive(text)
    assert d.exact
    for shape in shapes:
        x = symbolic_input_nd(shape, channels)
        assert _same_outputs(run_nd(d.chain, x), run_nd(d.layer, x)), shape


def _random_values(chain, rng: random.Random) -> dict:
    """A random dyadic rational (an exact float64) for every tap and bias symbol of ``chain``."""
    values = {}
    for step in chain.layers():
        for k in step.kernels():
            for s in k.symbols():
                values.update({v: Fraction(rng.randint(-64, 64), 32) for v in s.grid().values()})
        for b in step.bias or ():
            values.update({s: Fraction(rng.randint(-64, 64), 32) for s in b.free_symbols})
    return values


def _torch_conv(torch, x, layer: Conv, values: dict):
    """``layer`` in PyTorch (float64): zero padding per axis with ``F.pad``, then ``conv{d}d``."""
    F = torch.nn.functional
    subs = {s: sympy.Rational(v.numerator, v.denominator) for s, v in values.items()}

    def number(e) -> float:
        return float(sympy.sympify(e).xreplace(subs))  # safe: a derived exact value, never user text

    weight = torch.zeros(layer.weight.shape, dtype=torch.float64)
    for index, v in layer.weight.grid().items():
        weight[index] = number(v)
    bias = None if layer.bias is None else torch.tensor([number(b) for b in layer.bias], dtype=torch.float64)
    pads = [p for pair in reversed(layer.paddings) for p in pair]  # F.pad lists the last axis first
    conv = {2: F.conv2d, 3: F.conv3d}[layer.ndim]
    return conv(F.pad(x, pads), weight, bias, stride=layer.strides, dilation=layer.dilations, groups=layer.groups)


@pytest.mark.parametrize("text, shape", [
    (BIASED_2D, (1, 1, 19, 14)),
    ("conv2d(W[2, 1, 3, 3], padding=(1, 2), bias=b, stride=(2, 1)) >> conv2d(V[3, 2, 2, 3], bias=c, stride=2)",
     (1, 1, 12, 9)),
    (BIASED_3D, (2, 1, 9, 8, 10)),
    (DEPTHWISE_2D, (1, 4, 8, 7)),
])
def test_the_derived_biased_layer_equals_the_chain_in_torch_on_random_weights(text, shape):
    torch = pytest.importorskip("torch")
    d = derive(text)
    assert d.exact
    values = _random_values(d.chain, random.Random(11))
    x = torch.rand(shape, dtype=torch.float64, generator=torch.Generator().manual_seed(3)) * 2 - 1
    y = x
    for step in d.chain.layers():
        y = _torch_conv(torch, y, step, values)
    single = _torch_conv(torch, x, d.layer, values)
    assert single.shape == y.shape and y.numel() > 0
    assert torch.allclose(single, y, rtol=1e-12, atol=1e-12)


def test_the_latex_report_of_a_biased_2d_derivation_states_shapes_bias_and_lengths_per_axis(tmp_path, capsys):
    path = tmp_path / "derive.tex"
    assert main(["derive", BIASED_2D, "--tex", str(path)]) == 0
    tex = path.read_text()
    assert r"For every input shape $(n_1, n_2)$ with every $n_i \ge 0$" in tex
    assert r"C' = \operatorname{conv}_{s=4}(K) + B \]" in tex and r"B[0] = " in tex
    assert r"$S = (4, 4)$" in tex and r"$(p_l, p_r) = ((0, 0), (0, 0))$" in tex and r"$r = (7, 7)$" in tex
    assert r"m_{1}(n_{1}) = \begin{cases}" in tex and r"\text{if } n_{2} \ge 7" in tex


def test_the_latex_report_of_a_3d_derivation_indexes_the_kernel_by_three_axes(tmp_path, capsys):
    path = tmp_path / "derive.tex"
    assert main(["derive", "conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)", "--tex", str(path)]) == 0
    tex = path.read_text()
    assert "Chains in 3 axes" in tex and r"K[3, 3, 3] = k_{1,1,1}^{2}" in tex and "m_{3}(n_{3})" in tex


def test_an_nd_derivation_has_the_short_one_line_repr_of_a_derivation():
    d = derive(BIASED_2D)
    assert repr(d) == (f"<Derivation {d.chain!r}: stride (4, 4), receptive field (7, 7), exact>")
