"""A generic statement's scope names its generic length, whichever rule closed it."""

from __future__ import annotations

from symconv.prover import prove


def test_same_layers_with_a_generic_length_hold_for_every_c():
    proof = prove("conv(k[c]) >> relu() >> conv(j[3])", "conv(k) >> relu() >> conv(j[3])")
    assert proof.verdict == "proved"
    assert proof.theorem.scope == "every c >= 1 and every input length"


def test_a_concrete_statement_keeps_its_scope():
    proof = prove("conv(k[3]) >> relu() >> conv(j[3])", "conv(k) >> relu() >> conv(j[3])")
    assert proof.theorem.scope == "every input length"


def test_the_generic_argument_names_c_once():
    proof = prove("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
    assert proof.theorem.scope == "every c >= 1 and every input length"
