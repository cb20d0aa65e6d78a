"""``prove`` first simplifies both sides by the kernel's rewrites (identity layers left out, sums of convolutions
merged): a top-level sum of long literal kernels is one convolution before anything is decided, its certificate
starts with the rewrite and the kernel replays it; a false mutation is refuted with a counterexample that
reproduces on the statement as given."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest

from symconv.checker import Certificate, replay
from symconv.dsl import parse_statement
from symconv.numeric import evaluate_numeric
from symconv.prover import prove
from symconv.prover.rewrites import rewritten

_RANDOM = random.Random(2)
LONG_A = [_RANDOM.randint(-5, 5) for _ in range(65)]
LONG_B = [_RANDOM.randint(-5, 5) for _ in range(67)]
SUM = f"conv({LONG_A}) + conv({LONG_B}, padding=1)"
MERGED_TAPS = [x + y for x, y in zip([0] + LONG_A + [0], LONG_B)]


def _rules(proof) -> list[str]:
    return [step.rule.value for step in proof.certificate.steps]


def _reproduces(lhs: str, rhs: str, example) -> bool:
    """Whether the counterexample's input and kernels give different outputs on the statement as given."""
    left, right = parse_statement(lhs, rhs)
    x = np.array([[Fraction(int(v)) for v in channel] for channel in example.input], dtype=object)
    bindings = {name: np.array(values, dtype=object) for name, values in example.kernels.items()}
    outputs = [evaluate_numeric(side, x, bindings, dict(example.sizes) or None, exact=True) for side in (left, right)]
    return outputs[0].shape != outputs[1].shape or bool((outputs[0] != outputs[1]).any())


@pytest.mark.parametrize("rhs", [f"conv({LONG_B}, padding=1) + conv({LONG_A})",
                                 f"conv({MERGED_TAPS}, padding=1)",
                                 f"conv(padk({LONG_A}, 1, 1) + {LONG_B}, padding=1)"])
def test_a_sum_of_two_long_literal_convolutions_is_proved(rhs):
    proof = prove(SUM, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.rests_on == ()
    assert replay(Certificate.from_json(proof.certificate.to_json())).scope == "every input length"


def test_a_large_sum_is_merged_into_one_convolution_before_it_is_decided():
    proof = prove(SUM, f"conv({LONG_B}, padding=1) + conv({LONG_A})")  # 264 taps: worth the rewrite first
    assert _rules(proof)[0] == "merge_branches" and proof.steps[0].rule == "merge_branches"
    assert f"conv(padk({LONG_A}, 1, 1) + {LONG_B}, padding=1)".replace(" ", "") in proof.steps[0].statement.replace(
        " ", "")


@pytest.mark.parametrize("rhs", [f"conv({LONG_B}, padding=(0, 2)) + conv({LONG_A})",
                                 f"conv({MERGED_TAPS[:-1] + [MERGED_TAPS[-1] + 1]}, padding=1)",
                                 f"conv({LONG_B}, padding=1) + (conv({LONG_A}) >> pad(1, 0) >> crop(0, 1))"])
def test_a_false_mutation_of_the_sum_is_refuted_with_a_counterexample_that_reproduces(rhs):
    proof = prove(SUM, rhs)
    assert proof.verdict == "refuted" and proof.counterexample is not None, proof.note
    assert _reproduces(SUM, rhs, proof.counterexample)


def test_the_rewrites_leave_a_statement_without_identities_or_mergeable_sums_alone():
    sides = parse_statement("conv(k[3]) + conv(j[2], dilation=2)", "conv(k) >> pad(0, 1)")
    assert rewritten(*sides) == (sides, ())
    nonlinear = parse_statement("(conv(k[3]) >> relu()) + conv(j[3]) + conv(h[3])", "conv(h) >> relu() >> pad(0)")
    (left, right), done = rewritten(*nonlinear)  # only identities go: sums of a nonlinear statement stay as written
    assert [rule for rule, _ in done] == ["drop_identity_layers"] and left == nonlinear[0]
    assert repr(right) == "conv(h[3]) >> relu()"


def test_a_sum_with_an_identity_branch_is_refuted_through_the_rewritten_statement():
    lhs, rhs = "conv([1, 2]) + (crop(0) >> conv([3, 4]))", "conv([4, 6]) >> up(1)"
    assert prove(lhs, rhs).verdict == "proved"
    false = prove(lhs, "conv([4, 7]) >> up(1)")
    assert false.verdict == "refuted" and _reproduces(lhs, "conv([4, 7]) >> up(1)", false.counterexample)
