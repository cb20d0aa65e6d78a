"""Two layers of large weights are not decided by expansion: the factored proof, or the numeric refutation,
comes first (the exact decision multiplies every tap of one weight by every tap of the next)."""

import pytest

from symconv.dsl import parse_chain
from symconv.prover.factored import LARGE_WEIGHT_TAPS, _factored_first
from symconv.prover.proof import prove


def _sides(c: int, dilation: int, ndim: int = 2) -> tuple:
    k = ", ".join(["3"] * ndim)
    name = "conv" if ndim == 1 else f"conv{ndim}d"
    lhs = parse_chain(f"{name}(W[{c}, {c}, {k}], stride=2) >> {name}(V[{c}, {c}, {k}], stride=2)")
    rhs = parse_chain(f"{name}(convolve(W[{c}, {c}, {k}], dilate(V[{c}, {c}, {k}], {dilation})), stride=4)")
    return lhs, rhs


@pytest.mark.parametrize("c, ndim", [(32, 2), (64, 1), (8, 3)])
def test_the_composition_of_two_large_weights_is_proved_by_factors(c, ndim):
    proof = prove(*_sides(c, 2, ndim))
    assert proof.verdict == "proved"
    assert [step.rule for step in proof.steps] == ["factored_interior"]


def test_a_wrong_dilation_between_two_large_weights_is_refuted_with_an_exact_counterexample():
    proof = prove(*_sides(16, 3))
    assert proof.verdict == "refuted"
    assert proof.counterexample is not None and proof.note.startswith("found by exact numeric search")


def test_small_weights_are_still_decided_exactly():
    lhs, rhs = parse_chain("conv2d(W[2, 2, 3, 3]) >> conv2d(V[2, 2, 3, 3])"), parse_chain("conv2d(convolve(W[2, 2, 3, 3], V[2, 2, 3, 3]))")
    assert not _factored_first(lhs, rhs)
    assert prove(lhs, rhs).steps[0].rule != "factored_interior"
    big = parse_chain("conv2d(W[16, 16, 3, 3]) >> conv2d(V[16, 16, 3, 3])")
    assert 16 * 16 * 9 >= LARGE_WEIGHT_TAPS and _factored_first(big, big)
