"""Tap lists: closed-form kernels written in other kernels' taps read back as DSL."""

from __future__ import annotations

import json

import pytest
import sympy

from symconv import derive, prove
from symconv.cli import main
from symconv.core.kernel import DerivedKernel
from symconv.core.semantics import evaluate, symbolic_input
from symconv.dsl import parse_statement
from symconv.errors import KindError, LiteralError, ParseError
from symconv.numeric import evaluate_numeric


def test_a_derived_single_layer_reads_back_as_the_same_statement():
    d = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
    lhs, rhs = parse_statement(repr(d.chain), repr(d.layer))
    assert isinstance(rhs.weight, DerivedKernel)
    assert rhs.weight.values == d.layer.weight.values
    assert [s.name for s in rhs.weight.sources] == ["k"]


def test_tap_lists_evaluate_like_the_kernels_they_name():
    lhs, rhs = parse_statement("conv(k[2]) >> conv(k)", "conv([k_0**2, 2*k_0*k_1, k_1**2])")
    x = symbolic_input(6)
    assert all(sympy.expand(a - b) == 0 for a, b in zip(evaluate(lhs, x)[0], evaluate(rhs, x)[0]))
    bindings = {"k": [3, -2]}
    values = [[1, 4, -1, 2, 0, 5]]
    assert (evaluate_numeric(lhs, values, bindings, exact=True).tolist()
            == evaluate_numeric(rhs, values, bindings, exact=True).tolist())


def test_multi_channel_tap_lists():
    _, rhs = parse_statement("conv(W[2, 1, 2])", "conv([[[W_0_0_0 + 1/2, W_0_0_1]], [[W_1_0_1**2, 0]]])")
    assert rhs.weight.shape == (2, 1, 2)


@pytest.mark.parametrize("rhs, error, fragment", [
    ("conv([k_5])", KindError, "has no tap k_5"),
    ("conv([B])", KindError, "where a number or a tap is expected"),
    ("conv([k_0**k_1])", LiteralError, "exponent must be a whole number"),
    ("conv([k_0**9])", LiteralError, "expected 1 to 8"),
    ("conv([k_0/k_1])", KindError, "is not a tap polynomial"),
    ("conv([[[k_0, k_1]], [[k_0]]])", LiteralError, "different lengths"),
    ("conv(k**2)", ParseError, "only in a tap list"),
])
def test_bad_tap_lists_are_refused_with_the_reason(rhs, error, fragment):
    with pytest.raises(error, match=fragment):
        parse_statement("conv(k[2])", rhs)


def test_taps_of_a_generic_kernel_cannot_be_named():
    with pytest.raises(KindError, match="whose length is generic"):
        parse_statement("conv(k[c])", "conv([k_0])")


def test_solving_writes_a_certificate_that_rechecks(tmp_path, capsys):
    path = tmp_path / "solve.json"
    code = main(["prove", "conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)", "--solve", "q",
                 "--certificate", str(path)])
    assert code == 0
    certificate = json.loads(path.read_text())
    assert "k_0**2" in certificate["rhs"] and certificate["solved"] == ["q"]
    assert main(["recheck", str(path)]) == 0
    certificate["rhs"] = certificate["rhs"].replace("k_1**2", "k_1**2 + k_0")  # a wrong solution
    path.write_text(json.dumps(certificate))
    capsys.readouterr()
    assert main(["recheck", str(path)]) == 1


def test_a_proof_against_derive_output_has_a_certificate():
    d = derive("pad(1) >> conv(k[3], stride=2) >> conv(k, stride=2)")
    proof = prove(d.chain, d.layer)
    assert proof.verdict == "proved" and proof.certificate is not None
    assert proof.theorem is not None and proof.theorem.certificate is proof.certificate
