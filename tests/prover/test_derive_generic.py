"""``derive`` with a generic kernel length: closed forms in c, checked against ``derive`` at concrete c."""

from __future__ import annotations

import json
import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import derive
from symconv.cli import main
from symconv.core.kernel import size_symbol
from symconv.core.output_length import output_length
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument

C = size_symbol("c")
Z = sympy.Symbol("z")


def test_stride_two_twice_with_a_generic_length():
    d = derive("conv(k[c], stride=2) >> conv(k, stride=2)")
    assert (d.stride, d.receptive_field, d.padding) == (4, 3 * C - 2, (0, 0))
    assert d.kernel == ["k(z)*k(z**2)"] and d.exact
    assert repr(d.layer) == "conv(convolve(k[c], dilate(k[c], 2)), stride=4)"
    assert d.output_length == "floor((-3*c + n + 2)/4) + 1 for n >= 3*c - 2 (0 below)"


def test_padding_inside_the_chain_is_not_exact():
    d = derive("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)")
    assert d.padding == (3, 3) and not d.exact


def test_nonlinear_layers_give_the_arithmetic_only():
    d = derive("conv(k[c]) >> relu() >> maxpool(2)")
    assert d.kernel is None and d.receptive_field == C + 1 and d.stride == 2


def test_up_sampling_with_a_generic_length_is_refused_with_the_way_out():
    with pytest.raises(InvalidArgument, match=r"give the kernel a length, e\.g\. k\[5\]"):
        derive("conv(k[c]) >> up(2)")


def test_cli_json_gives_sizes_in_c_as_strings(capsys):
    assert main(["derive", "conv(k[c], stride=2) >> conv(k, stride=2)", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["receptive_field"] == "3*c - 2" and out["padding"] == [0, 0] and out["exact"] is True


KERNELS = ["k", "flip(k)", "dilate(k, 2)", "convolve(k, [1, 2])"]


@st.composite
def chains(draw):
    layers = []
    for index in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["conv", "conv", "down", "avgpool", "pad"]))
        if kind == "conv" or index == 0:
            stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2)) if index == 0 else 0
            dilation = draw(st.integers(1, 2))
            layers.append(f"conv({draw(st.sampled_from(KERNELS))}, stride={stride}, padding={pad}, "
                          f"dilation={dilation})")
        elif kind == "down":
            s = draw(st.integers(1, 3))
            layers.append(f"down({s}, phase={draw(st.integers(0, s - 1))})")
        elif kind == "avgpool":
            layers.append(f"avgpool(2, stride={draw(st.integers(1, 2))})")
        else:
            layers.append(f"pad({draw(st.integers(0, 1))}, {draw(st.integers(0, 2))})")
    return " >> ".join(layers)


def _with_length(text: str, length: str) -> str:
    return re.sub(r"\bk\b", f"k[{length}]", text, count=1)


def _no_empty_intermediate(chain, n: int) -> bool:
    for step in chain.layers():
        n = output_length(step, n)
        if n == 0:
            return False
    return True


@settings(max_examples=25, deadline=None)
@given(chains())
def test_closed_forms_in_c_agree_with_derive_at_concrete_lengths(text):
    generic = derive(_with_length(text, "c"))
    for c in (1, 2, 4):
        concrete = derive(_with_length(text, str(c)))
        assert generic.stride == concrete.stride
        assert generic.receptive_field.subs(C, c) == concrete.receptive_field
        assert tuple(p.subs(C, c) if isinstance(p, sympy.Expr) else p for p in generic.padding) == concrete.padding
        if generic.exact:
            assert concrete.exact
        chain = parse_chain(_with_length(text, str(c)))
        field, (left, right), stride = concrete.receptive_field, concrete.padding, concrete.stride
        for n in range(0, 40):
            length = output_length(chain, n)
            if _no_empty_intermediate(chain, n):  # else a pad may give an empty signal zeros: no single layer
                assert length == (n + left + right - field) // stride + 1
        polynomial = sum(sympy.Symbol(f"k_{j}") * Z**j for j in range(c))
        taps = generic.generating.replace(sympy.Function("k"), sympy.Lambda(Z, polynomial))
        taps = sympy.expand(sympy.powsimp(taps.subs(C, c)))
        expected = sum(sympy.sympify(t) * Z**j for j, t in enumerate(concrete.kernel))  # safe: our own taps
        assert sympy.expand(taps - expected) == 0


def test_the_right_padding_is_fitted_where_the_chain_is_not_empty():
    # the chain is empty for n < 3, where a single padded layer is not: the fit starts at the bound
    assert derive("conv(k[3]) >> pad(0, 1)").padding == (0, 1)
    assert derive("conv(k[3]) >> pad(1)").padding == (1, 1)


def test_weights_with_several_channels_compose_as_a_matrix_product():
    d = derive("conv(W[3, 2, c], stride=2) >> conv(V[2, 3, c], stride=2)")
    assert d.exact and d.receptive_field == 3 * C - 2
    w = [[sympy.Function(f"W_{o}_{i}")(Z) for i in range(2)] for o in range(3)]
    v = [[sympy.Function(f"V_{o}_{i}")(Z**2) for i in range(3)] for o in range(2)]
    expected = sympy.Matrix(v) * sympy.Matrix(w)
    assert (d.generating - expected).applyfunc(sympy.expand) == sympy.zeros(2, 2)
    assert len(d.kernel) == 2 and len(d.kernel[0]) == 2


def _tap_sums(expr: sympy.Expr, c: int) -> sympy.Expr:
    """``k(1)`` (a generic kernel's tap sum) as ``k_0 + ... + k_{c-1}``, and ``W_o_i(1)`` as ``W_o_i_0 + ...``."""
    return expr.replace(lambda e: isinstance(e, sympy.core.function.AppliedUndef),
                        lambda e: sum(sympy.Symbol(f"{e.func.__name__}_{j}") for j in range(c)))


@pytest.mark.parametrize("text, bias", [
    ("conv(k[c], bias=[b], stride=2) >> conv(k, bias=[d], stride=2)", ["b*k(1) + d"]),
    ("conv(k[c], bias=[b], stride=2, padding=1) >> conv(k, bias=[d], stride=2)", ["b*k(1) + d"]),
    ("conv(k[c], bias=[b]) >> avgpool(2) >> conv(k, bias=[d], stride=2)", ["b*k(1) + d"]),
    ("conv(W[2, 1, c], bias=b, stride=2) >> conv(V[1, 2, c], bias=e, stride=2)",
     ["b_0*V_0_0(1) + b_1*V_0_1(1) + e_0"]),
])
def test_a_biased_generic_chain_derives_the_summed_bias_in_the_tap_sums_and_is_exact(text, bias):
    """Biases add up through the layers (b_2 + K_2(1) b_1): the same bias as derive at every concrete c."""
    generic = derive(text)
    assert generic.exact and generic.to_json()["bias"] == bias
    for c in (1, 2, 3):
        concrete = derive(text.replace("c]", f"{c}]"))
        assert concrete.exact
        expected = [sympy.sympify(b) for b in concrete.to_json()["bias"]]  # safe: our own JSON
        assert [sympy.expand(_tap_sums(b, c) - e) for b, e in zip(generic.bias, expected)] == [0] * len(expected)


def test_padding_after_a_bias_makes_a_generic_chain_not_exact_as_at_a_concrete_length():
    text = "conv(k[c], bias=[b], stride=2) >> conv(k, bias=[d], stride=2, padding=1)"
    assert not derive(text).exact and not derive(text.replace("c]", "3]")).exact


def test_a_bias_without_a_generic_tap_sum_is_held_by_the_single_layer():
    d = derive("conv(k[c], stride=2) >> conv(k, bias=[d], stride=2)")
    assert d.exact and repr(d.layer) == "conv(convolve(k[c], dilate(k[c], 2)), stride=4, bias=[d])"


def test_a_bias_with_a_generic_tap_sum_is_printed_beside_the_single_layer():
    d = derive("conv(k[c], bias=[b], stride=2) >> conv(k, bias=[d], stride=2)")
    assert d.layer is None and str(d).splitlines()[1] == ("single layer:    conv(convolve(k[c], dilate(k[c], 2)), "
                                                          "stride=4) + bias [b*k(1) + d]")


def test_a_biased_generic_derivation_has_the_short_one_line_repr_of_a_derivation():
    d = derive("conv(k[c], bias=[b], stride=2) >> conv(k, bias=[d], stride=2)")
    assert repr(d) == f"<Derivation {d.chain!r}: stride 4, receptive field 3*c - 2, exact>"
