"""Large sides that share layers are proved by what differs between them (prover/shared_layers.py), and the
kernel replays the split; a middle that is not provable alone falls back to the whole decision."""

from __future__ import annotations

from symconv.checker import Rule, replay
from symconv.prover import prove
from symconv.prover.shared_layers import shared_ends


def _rules(proof) -> list[str]:
    return [step.rule.value for step in proof.certificate.steps]


def test_padded_2d_layers_with_many_channels_equal_their_pads_by_the_rewrite_and_congruence_alone():
    lhs = "conv2d(W[8, 8, 3, 3], padding=1) >> conv2d(V[8, 8, 3, 3], padding=(1, 2))"
    rhs = "pad((1, 1), (1, 1)) >> conv2d(W[8, 8, 3, 3]) >> pad((1, 2), (1, 2)) >> conv2d(V[8, 8, 3, 3])"
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and proof.note == "the same layers on both sides"
    assert _rules(proof) == ["padding_as_pad", "congruence"]
    assert replay(proof.certificate).scope == "every input shape"


def test_a_differing_middle_between_shared_layers_is_proved_on_its_own_and_lifted():
    lhs = "conv(W[1, 40, 3]) >> conv(k[3], stride=2) >> conv(k, stride=2)"
    rhs = "conv(W[1, 40, 3]) >> conv(convolve(k, dilate(k, 2)), stride=4)"
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and proof.note.startswith("by shared layers")
    assert _rules(proof)[0] == "congruence" and Rule.CONGRUENCE in {s.rule for s in proof.certificate.steps}
    assert replay(proof.certificate).scope == "every input length"


def test_a_middle_false_alone_but_hidden_by_the_shared_suffix_falls_back_to_the_whole_decision():
    # after up(2) the odd samples are 0, so conv([1, a]) >> down(2) keeps x whatever a is
    lhs = "conv(W[1, 40, 3]) >> up(2) >> conv([1, 3]) >> down(2)"
    rhs = "conv(W[1, 40, 3]) >> up(2) >> conv([1, 5]) >> down(2)"
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and not proof.note.startswith("by shared layers")


def test_a_real_difference_between_shared_layers_is_refuted():
    proof = prove("conv(W[1, 40, 3]) >> conv([1, 2])", "conv(W[1, 40, 3]) >> conv([1, 3])")
    assert proof.verdict == "refuted"


def test_small_sides_are_decided_whole():
    proof = prove("conv(k[3], padding=1) >> conv(h[2])", "pad(1) >> conv(k[3]) >> conv(h[2])")
    assert proof.verdict == "proved" and "padding_as_pad" not in _rules(proof)


def test_the_shared_ends_do_not_overlap():
    assert shared_ends(("a", "b", "a"), ("a", "b", "a")) == (3, 0)
    assert shared_ends(("a", "b", "c"), ("a", "c")) == (1, 1)
    assert shared_ends(("a",), ("b",)) == (0, 0)
    assert shared_ends(("a", "a"), ("a",)) == (1, 0)


def test_the_text_of_a_proof_about_numeric_weights_cuts_every_long_list_and_keeps_the_layer_arguments():
    weights = "[" + ", ".join("[[" + ", ".join(f"{i + j}/1024" for j in range(3)) + "]]" for i in range(40)) + "]"
    bias = "[" + ", ".join(f"{i}/8" for i in range(40)) + "]"
    lhs = f"conv({weights}, padding=1, bias={bias}) >> relu()"
    rhs = f"pad(1) >> conv({weights}, bias={bias}) >> relu()"
    proof = prove(lhs, rhs)
    text = str(proof)
    first = text.splitlines()[0]
    assert first == ("proved: conv([[[0, 1/1024, 1/512]], [[1/1024, 1/512, ...]]], padding=1, bias=[0, 1/8, 1/4, "
                     "3/8, 1/2, 5/8, 3/4, 7/8, ...]) >> relu()  ==  pad(1) >> conv([[[0, 1/1024, 1/512]], "
                     "[[1/1024, 1/512, ...]]], bias=[0, 1/8, 1/4, 3/8, 1/2, 5/8, 3/4, 7/8, ...]) >> relu()")
    assert text.endswith("(long lines shortened with '...'; --json has them in full)")
    assert proof.to_json()["lhs"] == repr(proof.lhs) and len(proof.to_json()["lhs"]) > 1000


def test_identical_sides_are_proved_by_congruence_even_with_symbolic_batch_norm_scales():
    side = "conv2d(W[2, 1, 3, 3], padding=1) >> affine([a, b], [c, d]) >> relu() >> conv2d(V[1, 2, 3, 3])"
    proof = prove(side, side)
    assert proof.verdict == "proved" and _rules(proof) == ["padding_as_pad", "congruence"]


def test_symbolic_batch_norm_scales_are_not_a_literal_kernel_and_different_weights_are_refuted_not_an_error():
    # affine_as_convolution needs numeric scales; with symbols the search goes on (here to a counterexample)
    proof = prove("conv(W[2, 1, 3]) >> affine([a, b], [c, d]) >> relu()",
                  "conv(V[2, 1, 3]) >> affine([a, b], [c, d]) >> relu()")
    assert proof.verdict == "refuted"
