"""The rule relu_pairing: relu(u) - relu(-u) = u makes a relu() with negated channel pairs linear.

The lemma is checked exhaustively at small sizes against the core semantics (the rewritten side equals the
original on every input of every small length), every hypothesis is shown necessary (the rule refuses a
side that breaks it), and every field of a certificate using the rule, changed, is refused naming the step.
"""

from __future__ import annotations

import itertools
import json

import pytest
import sympy

from symconv.checker import Certificate, replay
from symconv.checker.relu_pairing import paired_linear
from symconv.core.semantics import evaluate
from symconv.dsl import parse_chain
from symconv.errors import CertificateError
from symconv.prover import prove


def _inputs(max_length: int, values=(-1, 0, 1)):
    """Every input of length 0..max_length with samples in ``values`` (one channel)."""
    for n in range(max_length + 1):
        for samples in itertools.product(values, repeat=n):
            yield (tuple(sympy.Integer(v) for v in samples),)


def _same_function(side_text: str, pairs: list, index: int, inputs) -> None:
    side = parse_chain(side_text)
    linear = paired_linear(side, index, pairs, "test")
    assert linear.linear
    for x in inputs:
        assert evaluate(side, x) == evaluate(linear, x), (side_text, x)


def test_the_pairing_lemma_holds_for_every_small_weight_shift_and_input():
    for a, b, t, c, d in itertools.product((-1, 1), (-1, 2), (-1, 0, 1), (-1, 2), (1, -3)):
        side = (f"conv([[[{a}, {b}]], [[{-a}, {-b}]]]) >> affine(1, [{t}, {-t}]) >> relu() >> "
                f"conv([[[{c}, {d}], [{-c}, {-d}]]])")
        _same_function(side, [[0, 1]], 2, _inputs(3))


@pytest.mark.parametrize("first, second", list(itertools.product(
    ["", ", stride=2", ", padding=1", ", padding=(0, 2), dilation=2", ", stride=2, padding=(1, 0), dilation=2"],
    ["", ", stride=2", ", padding=2", ", padding=(1, 0), dilation=2", ", stride=3, padding='valid'"])))
def test_the_pairing_lemma_holds_for_every_stride_padding_and_dilation(first, second):
    side = (f"conv([[[1, -2]], [[-1, 2]]], bias=[1, -1]{first}) >> relu() >> "
            f"conv([[[2, 1, -1], [-2, -1, 1]]], bias=[3]{second})")
    _same_function(side, [[0, 1]], 1, _inputs(5, values=(-2, 1)))


def test_the_pairing_lemma_holds_for_two_pairs_in_any_order_and_a_scaled_affine():
    side = ("conv([[[1, 2]], [[3, -1]], [[-1, -2]], [[6, -2]]]) >> affine([2, 1, 2, -1/2], [1, 0, -1, 0]) >> "
            "relu() >> conv([[[1, 1], [2, 0], [-1, -1], [-2, 0]], [[0, 1], [1, 1], [0, -1], [-1, -1]]])")
    _same_function(side, [[0, 2], [1, 3]], 2, _inputs(3))
    _same_function(side, [[3, 1], [2, 0]], 2, _inputs(3))


def test_the_rewrite_keeps_the_layers_around_the_pattern_and_gives_the_closed_form():
    side = parse_chain("pad(1) >> conv([[[1, 2]], [[-1, -2]]], bias=[1, -1]) >> affine(3, 0) >> relu() >> "
                       "conv([[[5], [-5]]]) >> relu()")
    assert repr(paired_linear(side, 3, [[0, 1]], "test")) == "pad(1) >> conv([3, 6], bias=[3]) >> conv([5]) >> relu()"


@pytest.mark.parametrize("side, index, pairs, message", [
    ("conv([[[1, 2]], [[-1, -3]]]) >> relu() >> conv([[[1], [-1]]])", 1, [[0, 1]],
     "the relu\\(\\) inputs of channels 0 and 1 do not have negated weights"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> affine(1, 1) >> relu() >> conv([[[1], [-1]]])", 2, [[0, 1]],
     "have shifts 1 and 1, not negated"),
    ("conv([[[1, 2]], [[-1, -2]]], bias=[1, 1]) >> relu() >> conv([[[1], [-1]]])", 1, [[0, 1]],
     "have shifts 1 and 1, not negated"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> affine([1, 2], 0) >> relu() >> conv([[[1], [-1]]])", 2, [[0, 1]],
     "do not have negated weights"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [1]]])", 1, [[0, 1]],
     "the next layer's taps on channels 0 and 1 are not negated"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [-1]]])", 1, [[0, 0]],
     "do not split the relu\\(\\)'s 2 channels"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [-1]]])", 1, [[0, 1], [0, 1]],
     "do not split the relu\\(\\)'s 2 channels"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [-1]]])", 1, [[0, 1, 1]], "is not a list"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [-1]]])", 0, [[0, 1]], "layer 0 of .* is not a relu"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> pad(1) >> conv([[[1], [-1]]])", 1, [[0, 1]],
     "the layer after the relu\\(\\) .* is pad\\(1\\); expected a 1-D conv with groups=1"),
    ("relu() >> conv([[[1], [-1]]])", 0, [[0, 1]], "the layer before the relu\\(\\) .* is None"),
    ("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1]], [[-1]]], groups=2)", 1, [[0, 1]],
     "expected a 1-D conv with groups=1"),
])
def test_a_side_that_breaks_a_hypothesis_is_refused(side, index, pairs, message):
    with pytest.raises(CertificateError, match=f"^where: .*{message}"):
        paired_linear(parse_chain(side), index, pairs, "where")


def test_a_hypothesis_is_needed_the_unpaired_network_is_not_its_rewrite():
    # relu(u) + relu(-u) = |u|: the same layers with a second layer not negated compute |F x|, not F x
    side = parse_chain("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[1], [1]]])")
    x = ((sympy.Integer(-1), sympy.Integer(0)),)
    assert evaluate(side, x) != evaluate(parse_chain("conv([1, 2])"), x)


Q7 = ("conv([[[q_0, q_1, q_2, 0]], [[-q_0, -q_1, -q_2, 0]], [[0, 0, 0, 1]], [[0, 0, 0, -1]]]) >> affine(1, 0) >> "
      "relu() >> conv([[[1, 0, 0, 0], [-1, 0, 0, 0], [q_3, q_4, q_5, q_6], [-q_3, -q_4, -q_5, -q_6]]])")


def _certificate() -> dict:
    proof = prove(Q7, "conv(q[7])")
    assert proof.verdict == "proved"
    return json.loads(proof.certificate.dumps())


def test_the_os_cnn_pairing_network_is_proved_for_every_input_and_replayed_from_its_text():
    obj = _certificate()
    assert [s["rule"] for s in obj["steps"]] == ["relu_pairing", "eventual_periodicity"]
    assert replay(Certificate.from_json(obj)).scope == "every input length"


def test_a_network_whose_pairs_are_not_negated_is_not_proved():
    assert prove(Q7.replace("-q_5", "q_5"), "conv(q[7])").verdict == "refuted"
    assert prove(Q7, "conv(q[7])").verdict == "proved"


@pytest.mark.parametrize("field, value", [
    ("side", "rhs"), ("side", "both"), ("index", 1), ("index", 3), ("index", -1), ("index", "2"),
    ("pairs", [[0, 2], [1, 3]]), ("pairs", [[0, 1]]), ("pairs", [[0, 1], [2, 2]]), ("pairs", [[0, 1], [2, 4]]),
    ("pairs", [[0, 1], [2, 3, 3]]), ("pairs", [[0, 1], [2, True]]), ("pairs", []), ("pairs", None),
])
def test_every_field_of_the_pairing_step_changed_is_refused_naming_the_step(field, value):
    obj = _certificate()
    obj["steps"][0][field] = value
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    message = str(caught.value)
    assert message.startswith("step 0 (relu_pairing)") or "steps[0]" in message, message


def test_the_statement_changed_to_a_false_one_is_refused_by_the_replay():
    obj = _certificate()
    obj["lhs"] = obj["lhs"].replace("[-q_3, -q_4, -q_5, -q_6]", "[-q_3, -q_4, q_5, -q_6]")
    from symconv.checker import statement_hash

    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    with pytest.raises(CertificateError, match=r"^step 0 \(relu_pairing\): the next layer's taps on channels 2 and 3"):
        replay(Certificate.from_json(obj))
