"""Soundness with ``ceil_mode`` and ``count_include_pad=False`` pools: never ``proved`` or ``refuted`` wrongly.

Such an average is linear, but its edge windows divide by fewer samples, which the normal forms do not
state; the prover treats it as outside the decided fragment (numeric evidence: ``unknown`` for linear
chains, ``checked`` with a maximum or a ReLU) and refutes only with an exact counterexample. The kernel's
interior rule refuses these layers in a hand-written certificate.
"""

from __future__ import annotations

import re

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.core.semantics import evaluate
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.derive import derive


@pytest.mark.parametrize("lhs, rhs", [
    # a scalar commutes with a linear layer (identical sides would be proved by congruence alone)
    ("avgpool(3, stride=2, ceil_mode=True) >> conv([2])", "conv([2]) >> avgpool(3, stride=2, ceil_mode=True)"),
    ("avgpool(2, padding=1, count_include_pad=False) >> conv([3])",
     "conv([3]) >> avgpool(2, padding=1, count_include_pad=False)"),
    ("avgpool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False) >> conv2d([[2]])",
     "conv2d([[2]]) >> avgpool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)"),
])
def test_a_true_identity_with_edge_averages_is_unknown_with_the_reason_never_refuted(lhs, rhs):
    proof = prove(lhs, rhs)
    if proof.verdict == "proved":  # only through the kernel (another rule, such as congruence)
        assert proof.theorem is not None
        return
    assert proof.verdict == "unknown", proof.note
    assert "is linear but outside the decided fragment (with ceil_mode=True or count_include_pad=False its edge " \
           "windows divide by fewer samples), so equal outputs are numeric evidence only" in proof.note


@pytest.mark.parametrize("lhs, rhs", [
    # stride 1, or size <= padding + 1: ceil_mode adds no window; no padding: count_include_pad changes no divisor
    ("avgpool(2, stride=1, ceil_mode=True)", "avgpool(2, stride=1)"),
    ("avgpool(3, count_include_pad=False)", "avgpool(3)"),
    ("conv(k[3]) >> avgpool(2, padding=1, ceil_mode=True)", "conv(k) >> avgpool(2, padding=1)"),
    ("avgpool2d(2, stride=(1, 2), padding=(0, 1), ceil_mode=True)", "avgpool2d(2, stride=(1, 2), padding=(0, 1))"),
])
def test_flags_that_change_no_window_leave_the_layer_in_the_decided_fragment_and_the_kernel_replays_it(lhs, rhs):
    left, right = parse_statement(lhs, rhs)
    assert left.linear and repr(left) == lhs
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and proof.theorem is not None, proof.note


def test_flags_that_add_a_window_or_change_a_divisor_leave_the_decided_fragment():
    assert not any(parse_statement(text)[0].linear for text in (
        "avgpool(3, stride=2, ceil_mode=True)", "avgpool(2, padding=1, count_include_pad=False)",
        "avgpool2d(2, stride=(1, 2), ceil_mode=True)"))


@pytest.mark.parametrize("lhs, rhs", [
    ("maxpool(2, ceil_mode=True) >> relu()", "relu() >> maxpool(2, ceil_mode=True)"),
    ("maxpool2d(3, stride=2, ceil_mode=True) >> relu()", "relu() >> maxpool2d(3, stride=2, ceil_mode=True)"),
    ("avgpool(3, stride=2, ceil_mode=True) >> relu() >> conv([2])",
     "conv([2]) >> avgpool(3, stride=2, ceil_mode=True) >> relu()"),
])
def test_a_true_identity_with_a_nonlinear_layer_is_checked_never_refuted(lhs, rhs):
    assert prove(lhs, rhs).verdict == "checked"


@pytest.mark.parametrize("lhs, rhs", [
    ("avgpool(3, stride=2, ceil_mode=True)", "avgpool(3, stride=2)"),
    ("maxpool(2, ceil_mode=True)", "maxpool(2)"),
    # equal lengths and equal interior outputs: only the edge divisors differ
    ("avgpool(3, stride=1, padding=1, count_include_pad=False)", "avgpool(3, stride=1, padding=1)"),
    ("avgpool(3, stride=2, padding=1, ceil_mode=True)", "avgpool(3, stride=2, padding=1, ceil_mode=True, "
                                                        "count_include_pad=False)"),
    ("avgpool2d(3, stride=1, padding=1, count_include_pad=False)", "avgpool2d(3, stride=1, padding=1)"),
    ("avgpool3d(2, ceil_mode=True)", "avgpool3d(2)"),
    ("maxpool3d(2, ceil_mode=True)", "maxpool3d(2)"),
])
def test_a_false_identity_with_the_flags_is_refuted_by_an_exact_counterexample(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", proof.note
    assert proof.counterexample is not None


def test_the_1d_counterexample_replays_in_the_core_semantics():
    lhs, rhs = "avgpool(3, stride=1, padding=1, count_include_pad=False)", "avgpool(3, stride=1, padding=1)"
    example = prove(lhs, rhs).counterexample
    left, right = parse_statement(lhs, rhs)
    x = tuple(tuple(ch) for ch in example.input) if isinstance(example.input[0], (list, tuple)) else (example.input,)
    assert evaluate(left, x) != evaluate(right, x)


def test_derive_claims_no_single_layer_for_an_edge_average():
    derivation = derive("avgpool(3, stride=2, padding=1, ceil_mode=True)")
    assert not derivation.exact and derivation.layer is None and derivation.stride == 2


def test_the_interior_rule_refuses_an_edge_average_whose_interior_agrees():
    # The two sides have equal lengths and equal outputs away from the edges, but differ at the edges: a
    # certificate through the interior rule must not close it.
    lhs, rhs = "avgpool2d(3, stride=1, padding=1, count_include_pad=False)", "avgpool2d(3, stride=1, padding=1)"
    step = CertificateStep(Rule.INTERIOR_OPERATOR, (("axes", [[4, 1, 8], [4, 1, 8]]), ("shape", [12, 12])))
    with pytest.raises(CertificateError) as caught:
        replay(Certificate(lhs, rhs, (step,)))
    assert str(caught.value) == (
        f"step 0 (interior_operator): layer 1 of {lhs}, {lhs}, divides its edge windows by fewer samples "
        f"(ceil_mode or count_include_pad=False); the rule is for edge-free linear chains")
    plain = CertificateStep(Rule.INTERIOR_OPERATOR, (("axes", [[4, 1, 8], [4, 1, 8]]), ("shape", [12, 12])))
    assert replay(Certificate(rhs, rhs, (plain,))).scope == "every input shape"  # the same step, default flags


@pytest.mark.parametrize("chain", ["conv(k[c]) >> avgpool(3, stride=2, ceil_mode=True)",
                                   "conv(k[c], stride=2) >> maxpool(3, stride=2, ceil_mode=True)"])
def test_derive_of_a_generic_chain_reads_the_ceil_mode_padding_and_length_from_the_table(chain):
    import sympy

    from symconv.core.output_length import output_length

    derivation = derive(chain)
    assert derivation.padding[1] > 0  # the samples a last ceil_mode window reads past the input
    c, n = sympy.Symbol("c", integer=True, positive=True), sympy.Symbol("n", integer=True, nonnegative=True)
    layer = parse_statement(chain)[0]
    for size in range(1, 5):
        for length in range(size + 4, size + 14):
            expected = output_length(layer, length, {"c": size})
            assert derivation.output_length_expr.subs({c: size, n: length}) == expected, (size, length)


def test_derive_of_a_generic_chain_whose_maximum_reads_only_padding_on_an_empty_input_is_refused_clearly():
    from symconv.errors import InvalidArgument

    chain = "conv(k[c], stride=2) >> maxpool(3, stride=2, padding=1, ceil_mode=True)"
    with pytest.raises(InvalidArgument, match=re.escape(
            f"derive: chain={chain!r} is invalid; expected a layer whose closed forms are known for a generic "
            f"length (maxpool(3, stride=2, padding=1, ceil_mode=True) reads only padding on an empty input); give "
            f"the kernel a length, e.g. k[5]")):
        derive(chain)


def test_a_tolerance_or_unknown_taps_with_an_edge_average_are_refused_naming_why():
    from symconv.errors import NotInFragment

    pool = "avgpool(3, stride=2, ceil_mode=True)"
    why = (f"{pool} is linear but outside the decided fragment (with ceil_mode=True or count_include_pad=False its "
           f"edge windows divide by fewer samples)")
    lhs, rhs = f"{pool} >> conv(k[2])", f"{pool} >> conv(j[2])"
    with pytest.raises(NotInFragment, match=re.escape(f"{why}, in {lhs} == {rhs}; a tolerance is proved for the "
                                                      f"decided linear layers, biases and affine() only")):
        prove(lhs, rhs, atol="1e-5")
    with pytest.raises(NotInFragment, match=re.escape(f"in {lhs}, {why}; the prover decides linear chains only")):
        prove(lhs, rhs, solve=["j"])
