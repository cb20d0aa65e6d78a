"""Generic kernel lengths: proved for every c by the formal argument, refuted at a concrete c."""

from __future__ import annotations

import pytest
import sympy

from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate, symbolic_input
from symconv.dsl import parse_chain, parse_statement
from symconv.prove import prove
from symconv.prove.generic import OutsideGenericFragment, generic_form

C = sympy.Symbol("c", integer=True, positive=True)

TRUE = [
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    ("pad(1) >> conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
    ("conv(k[c], stride=3) >> conv(g[c], stride=2)", "conv(convolve(k, dilate(g, 3)), stride=6)"),
    ("conv(k[c], stride=2)", "conv(k) >> down(2)"),
    ("conv(k[c], dilation=3)", "conv(dilate(k, 3))"),
    ("conv(k[c]) >> conv(g[c])", "conv(g) >> conv(k)"),
    ("down(2, phase=1) >> conv(k[c])", "conv(dilate(k, 2)) >> down(2, phase=1)"),
]

FALSE = [
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 3)), stride=4)"),
    ("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
     "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"),
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(dilate(k, 2), k), stride=4, padding=(1, 0))"),
    ("conv(k[c]) >> down(2)", "down(2) >> conv(k)"),
]


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_generic_identities_are_proved_for_every_length(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert "every c" in proof.note


@pytest.mark.parametrize("lhs, rhs", FALSE)
def test_false_generic_identities_are_refuted_at_a_concrete_length(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    example = proof.counterexample
    assert example.sizes and dict(example.sizes)["c"] >= 1
    assert example.to_json()["sizes"] == dict(example.sizes)


@pytest.mark.parametrize("pair", TRUE + FALSE[:1])
@pytest.mark.parametrize("side", [0, 1])
def test_generic_length_formula_matches_the_core_for_many_c_and_n(pair, side):
    chain = parse_statement(*pair)[side]
    form = generic_form(chain)
    for c in range(1, 7):
        offset = int(form.offset.subs(C, c))
        for n in range(0, 50):
            expected = 0 if n == 0 else max(0, (n + offset) // form.stride + 1)
            assert output_length(chain, n, {"c": c}) == expected


def test_generic_normal_form_kernel_matches_exact_semantics_at_concrete_lengths():
    lhs, _ = parse_statement(*TRUE[0])
    form = generic_form(lhs)
    z = sympy.Symbol("z")
    for c in (2, 3, 4):
        taps = [sympy.Symbol(f"k_{j}") for j in range(c)]
        poly = sum(t * z**j for j, t in enumerate(taps))
        concrete = sympy.expand(form.kernel.replace(sympy.Function("k"), sympy.Lambda(z, poly)))
        n = 4 + 3 * c
        y = evaluate(lhs, symbolic_input(n), {"c": c})[0]
        first = sum(concrete.coeff(z, t) * sympy.Symbol(f"x_{t}") for t in range(n))
        assert sympy.expand(y[0] - first) == 0


def test_padding_inside_the_chain_is_outside_the_generic_fragment():
    with pytest.raises(OutsideGenericFragment, match="pads inside the chain"):
        generic_form(parse_chain("conv(k[c]) >> pad(1) >> conv(k)"))


def test_flip_with_generic_length_is_unknown_but_checked_on_instances():
    proof = prove("flip() >> conv(k[c]) >> flip()", "conv(flip(k))")
    assert proof.verdict == "unknown"
    assert "proved for c in [1, 2, 3, 4, 5, 6]" in proof.note
