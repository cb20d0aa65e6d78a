"""Generic kernel lengths: proved for every c by the generic argument, refuted at a concrete c.

Truth labels are checked by brute force: every TRUE pair is decided ``proved``
at concrete lengths c = 1..7 by the concrete procedure (which shares nothing
with the generic argument), every FALSE pair is refuted with a re-verified
counterexample.
"""

from __future__ import annotations

import pytest

from symconv.core.semantics import evaluate
from symconv.dsl import parse_statement
from symconv.prover import prove
from symconv.prover.decide import decide
from symconv.prover.generic import OutsideGenericFragment, decide_generic

TRUE = [
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    ("pad(1) >> conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
    ("conv(k[c], stride=3) >> conv(g[c], stride=2)", "conv(convolve(k, dilate(g, 3)), stride=6)"),
    ("conv(k[c], stride=2)", "conv(k) >> down(2)"),
    ("conv(k[c], dilation=3)", "conv(dilate(k, 3))"),
    ("conv(k[c]) >> conv(g[c])", "conv(g) >> conv(k)"),
    ("down(2, phase=1) >> conv(k[c])", "conv(dilate(k, 2)) >> down(2, phase=1)"),
    # up, transposed convolutions, padding after pad/up/down, flipped generic kernels, branches
    ("conv(k[c]) >> up(2)", "up(2) >> conv(dilate(k, 2))"),
    ("up(2) >> conv(dilate(k[c], 2)) >> down(2)", "conv(k)"),
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(flip(convolve(k, dilate(k, 2))), stride=4)"),
    ("conv(flip(convolve(k[c], g[c])))", "conv(convolve(flip(g), flip(k)))"),
    ("pad(1) >> up(2) >> conv(dilate(k[c], 2), stride=2)", "pad(1) >> conv(k)"),
    ("down(2) >> pad(1) >> conv(k[c])", "pad(2) >> conv(dilate(k, 2)) >> down(2)"),
    ("conv(k[c], stride=2) + conv(g[c], stride=2)", "conv(k + g, stride=2)"),
    ("conv(k[c], stride=2) >> conv_transpose([1], stride=2)", "conv(k) >> down(2) >> up(2)"),
    # weights with several channels
    ("conv(W[3, 2, c], stride=2) >> conv(V[2, 3, c], stride=2)", "conv(convolve(W, dilate(V, 2)), stride=4)"),
    ("conv(W[2, 1, c]) >> up(2)", "up(2) >> conv(dilate(W, 2))"),
    ("conv(A[2, 2, c]) + conv(B[2, 2, c])", "conv(A + B)"),
    # flips of the signal, moved to the input across stride-1 layers
    ("flip() >> conv(k[c]) >> flip()", "conv(flip(k))"),
    ("flip() >> conv(k[c], padding=(0, 2)) >> flip()", "conv(flip(k), padding=(2, 0))"),
    ("flip() >> conv(k[c])", "conv(flip(k)) >> flip()"),
]

FLIPPED_STRIDED = ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)",
                   "conv(flip(convolve(k, dilate(k, 2))), stride=4)")
assert FLIPPED_STRIDED in TRUE

FALSE = [
    # equal for n >= 1 only: on an empty input the table gives max(0, E - s) zeros on the left
    # and E - 1 on the right (up(s) of an empty signal is empty; DESIGN section 1)
    ("conv_transpose(k[c], stride=2)", "up(2) >> conv_transpose(k)"),
    ("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k) >> crop(1)"),
    ("conv_transpose(k[c], stride=3, dilation=2)", "up(3) >> conv_transpose(dilate(k, 2))"),
    ("conv_transpose(T[2, 3, c], stride=2)", "up(2) >> conv_transpose(T)"),
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 3)), stride=4)"),
    ("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
     "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"),
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(dilate(k, 2), k), stride=4, padding=(1, 0))"),
    ("conv(k[c]) >> down(2)", "down(2) >> conv(k)"),
    ("conv(k[c]) >> up(2)", "up(2) >> conv(k)"),
    ("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k)"),
    ("conv_transpose(k[c], stride=2)", "up(2) >> conv(k)"),
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(flip(convolve(k, dilate(k, 3))), stride=4)"),
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    ("pad(1) >> up(2) >> conv(dilate(k[c], 2), stride=2)", "conv(k)"),
    ("down(2) >> pad(1) >> conv(k[c])", "pad(2) >> conv(dilate(k, 2)) >> down(2, phase=1)"),
    ("conv(k[c], stride=2) + conv(g[c], stride=2)", "conv(k + flip(g), stride=2)"),
    ("flip() >> conv(k[c], padding=(0, 2)) >> flip()", "conv(flip(k), padding=(0, 2))"),
    ("flip() >> conv(k[c])", "conv(k) >> flip()"),
    ("conv(W[3, 2, c], stride=2) >> conv(V[2, 3, c], stride=2)", "conv(convolve(W, dilate(V, 3)), stride=4)"),
    ("conv(A[2, 2, c]) >> conv(B[2, 2, c])", "conv(B) >> conv(A)"),
]


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_generic_identities_are_proved_for_every_length(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert "every c" in proof.note
    assert [s.rule for s in proof.steps] == ["generic_lengths", "output_length", "zero_extension",
                                             "impulse_responses"]


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_true_pairs_are_true_at_concrete_lengths(lhs, rhs):
    left, right = parse_statement(lhs, rhs)
    for c in range(1, 8):
        assert decide(left, right, {"c": c}).verdict == "proved", c


@pytest.mark.parametrize("lhs, rhs", FALSE)
def test_false_generic_identities_are_refuted_at_a_concrete_length(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", proof.note
    example = proof.counterexample
    assert example.sizes and dict(example.sizes)["c"] >= 1
    assert example.to_json()["sizes"] == dict(example.sizes)
    left, right = parse_statement(lhs, rhs)
    if "padding=1) >> conv(k, stride=2, padding=1)" in lhs:  # padding after a conv: outside the argument
        with pytest.raises(OutsideGenericFragment):
            decide_generic(left, right)
    else:
        assert decide_generic(left, right).verdict == "different"


def test_a_length_difference_names_the_n_and_c_where_it_shows():
    left, right = parse_statement("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k)")
    decision = decide_generic(left, right)
    assert decision.verdict == "different" and "output lengths differ" in decision.reason
    n, c = int(decision.reason.split("n = ")[1].split(",")[0]), decision.witness_c[0]
    x = (tuple(range(1, n + 1)),)
    assert len(evaluate(left, x, {"c": c})[0]) != len(evaluate(right, x, {"c": c})[0])


def test_flipped_generic_kernels_are_decided_per_residue_of_c():
    left, right = parse_statement(*FLIPPED_STRIDED)
    decision = decide_generic(left, right)
    assert decision.verdict == "proved" and decision.residues == (0, 1, 2, 3)
    proof = prove(*FLIPPED_STRIDED)
    assert "for each residue of c - 1 mod 4" in proof.steps[-1].statement


@pytest.mark.parametrize("chain, reason", [
    ("conv(k[c]) >> pad(1) >> conv(k)", "reads beyond a window edge"),
    ("flip() >> conv(k[c], stride=2) >> flip()", r"cannot be moved to the input .*stride 2 > 1"),
    ("conv(W[2, 2, c], groups=2)", "has groups or a bias"),
    ("conv(k[c]) >> conv(g[d])", "2 generic lengths"),
])
def test_what_the_argument_does_not_cover_is_named(chain, reason):
    left, right = parse_statement(chain, chain)
    with pytest.raises(OutsideGenericFragment, match=reason):
        decide_generic(left, right)


def test_padding_inside_the_chain_is_unknown_but_proved_at_concrete_lengths():
    proof = prove("conv(k[c]) >> pad(1) >> crop(1)", "pad(2) >> conv(k[c]) >> crop(2)")
    assert proof.verdict == "unknown"
    assert "reads beyond a window edge" in proof.note
    assert "proved for c in [1, 2, 3, 4, 5, 6, 7, 8]" in proof.note


def test_a_flip_across_a_stride_with_generic_length_is_unknown_but_checked_on_instances():
    proof = prove("pad(1) >> crop(1) >> flip() >> conv(k[c], stride=2) >> flip()",
                  "flip() >> conv(k, stride=2) >> flip() >> pad(1) >> crop(1)")  # no shared first or last layer
    assert proof.verdict == "unknown"
    assert "proved for c in [1, 2, 3, 4, 5, 6, 7, 8]" in proof.note


def test_nonlinear_chains_with_a_generic_length_are_checked_at_several_lengths():
    proof = prove("conv(k[c], stride=2) >> maxpool(2)", "conv(k, stride=2) >> maxpool(2) >> maxpool(1)")
    assert proof.verdict == "checked" and "at c = 1..6" in proof.note
    refuted = prove("conv(k[c]) >> relu()", "relu() >> conv(k)")
    assert refuted.verdict == "refuted" and refuted.counterexample.to_json()["sizes"]["c"] >= 1


def test_a_generic_chain_with_the_same_max_pool_on_both_sides_is_proved_by_congruence():
    proof = prove("conv(k[c], stride=2) >> conv(k, stride=2) >> maxpool(2)",
                  "conv(convolve(k, dilate(k, 2)), stride=4) >> maxpool(2, stride=2)")
    assert proof.verdict == "proved" and proof.steps[0].rule == "congruence"
    assert proof.rests_on == ()  # the kernel replays the generic argument of the chains before the max pool


@pytest.mark.parametrize("lhs, rhs", [TRUE[0], TRUE[1], TRUE[9]])
def test_the_certificate_windows_are_the_bounds_of_the_concrete_decision(lhs, rhs):
    from symconv.prover.generic_proof import _certificate

    left, right = parse_statement(lhs, rhs)
    certificate = _certificate(left, right, "c", decide_generic(left, right).period)
    instances = dict(certificate.steps[0].data)["instances"]
    for value, start, period, limit in instances:
        bound = decide(left, right, {"c": value}).bound
        assert [start, period, limit] == [bound.start, bound.period, bound.limit], value
