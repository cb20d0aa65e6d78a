"""The checker's rule ``tolerance_network`` (:mod:`symconv.checker.tolerance_network`).

The lemma ``|L x - R x| <= e_k`` is checked against exact evaluation of small 1-D networks at every
corner of the box and at random points; the replay against each of its fields changed; the split
against layers the two sides do not share.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction

import numpy as np
import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.errors import CertificateError
from symconv.numeric import evaluate_numeric
from symconv.prover import prove

#: conv >> relu() >> conv against the same with one tap off by 1/1000: proved within 1/100.
LHS, RHS = "conv([1, 1/2]) >> relu() >> conv([1, -1])", "conv([1, 501/1000]) >> relu() >> conv([1, -1])"


def _valid(lhs: str = LHS, rhs: str = RHS, atol: str = "1/100") -> dict:
    proof = prove(lhs, rhs, atol=atol)
    assert proof.verdict == "proved", proof.note
    return json.loads(proof.certificate.dumps())


def _rejection(obj: dict) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    return str(caught.value)


def _largest_gap(lhs: str, rhs: str, lengths: range, seed: int = 0) -> Fraction:
    """The largest ``|L x - R x|`` over every corner of the box and 20 random rational points, per length."""
    from symconv.dsl import parse_statement

    left, right = parse_statement(lhs, rhs)
    rng = random.Random(seed)
    worst = Fraction(0)
    for n in lengths:
        points = [list(corner) for corner in itertools.product((-1, 1), repeat=n)]
        points += [[Fraction(rng.randint(-8, 8), 8) for _ in range(n)] for _ in range(20)]
        for point in points:
            x = np.array([[Fraction(v) for v in point]], dtype=object)
            a, b = evaluate_numeric(left, x, exact=True), evaluate_numeric(right, x, exact=True)
            worst = max([worst] + [abs(Fraction(p) - Fraction(q)) for p, q in zip(a.ravel(), b.ravel())])
    return worst


def _taps(rng: random.Random, length: int) -> list[Fraction]:
    return [Fraction(rng.randint(-4, 4), 4) for _ in range(length)]


def _text(taps: list[Fraction]) -> str:
    return "[" + ", ".join(map(str, taps)) + "]"


def _random_network(seed: int) -> tuple[str, str]:
    """conv >> relu()/maxpool >> conv, and the same with every tap and bias moved by at most 1/64."""
    rng = random.Random(seed)
    separator = rng.choice(["relu()", "maxpool(2)", "maxpool(2, stride=1)", "maxpool(3, stride=2, ceil_mode=True)"])
    first, second = _taps(rng, rng.randint(1, 3)), _taps(rng, rng.randint(1, 2))
    biases = [Fraction(rng.randint(-2, 2), 4), Fraction(rng.randint(-2, 2), 4)]
    padding = rng.randint(0, 1)

    def side(move) -> str:
        return (f"conv({_text([move(t) for t in first])}, padding={padding}, bias=[{move(biases[0])}]) >> "
                f"{separator} >> conv({_text([move(t) for t in second])}, bias=[{move(biases[1])}])")

    return side(lambda t: t), side(lambda t: t + Fraction(rng.randint(-1, 1), 64))


@pytest.mark.parametrize("seed", range(6))
def test_the_claimed_bound_is_at_least_every_gap_at_the_corners_and_at_random_points(seed):
    lhs, rhs = _random_network(seed)
    obj = _valid(lhs, rhs, atol="10")
    bound = Fraction(obj["steps"][0]["bound"])
    gap = _largest_gap(lhs, rhs, range(1, 8), seed)
    assert gap <= bound, (lhs, rhs, gap, bound)


def test_the_bound_is_attained_for_one_block_before_a_relu():
    # |relu(x0 + x1/2) - relu(x0 + 501/1000 x1)| <= 1/1000, with equality at x = [1, 1]
    lhs, rhs = "conv([1, 1/2]) >> relu()", "conv([1, 501/1000]) >> relu()"
    obj = _valid(lhs, rhs, atol="1/1000")
    assert obj["steps"][0]["bound"] == "1/1000"
    assert _largest_gap(lhs, rhs, range(1, 5)) == Fraction(1, 1000)


def test_the_bound_chains_the_blocks_exactly():
    # block 1: D = 1/1000 (|x| <= 1), N = 3/2, Lip = 1501/1000; block 2: D = 0, Lip = 2: e_2 = 2/1000
    step = _valid()["steps"][0]
    assert (step["difference"], step["reach"], step["lipschitz"], step["bound"]) == (
        ["1/1000", "0"], ["3/2", "3"], ["1501/1000", "2"], "1/500")


def test_the_replay_proves_every_length_within_atol_resting_on_the_tolerance():
    theorem = replay(Certificate.from_json(_valid()))
    assert theorem.scope == "every input length and every input with |x| <= 1, within atol=1/100, rtol=0"
    assert theorem.rests_on == ("tolerance: atol=1/100, rtol=0",)


@pytest.mark.parametrize("key, value, message", [
    ("atol", "1/1000", "step 0 (tolerance_network): the bound 1/500 ~ 0.002 exceeds atol = 1/1000"),
    ("bound", "1/1000", "step 0 (tolerance_network): the bound e_2 is 1/500, not the claimed 1/1000"),
    ("difference", ["1/2000", "0"],
     "step 0 (tolerance_network), block 1: difference is 1/1000, not the claimed 1/2000"),
    ("difference", ["1/1000", "1/7"], "step 0 (tolerance_network), block 2: difference is 0, not the claimed 1/7"),
    ("reach", ["1", "3"], "step 0 (tolerance_network), block 1: reach is 3/2, not the claimed 1"),
    ("reach", ["3/2", "4"], "step 0 (tolerance_network), block 2: reach is 3, not the claimed 4"),
    ("lipschitz", ["3/2", "2"], "step 0 (tolerance_network), block 1: lipschitz is 1501/1000, not the claimed 3/2"),
    ("lipschitz", ["1501/1000", "1"], "step 0 (tolerance_network), block 2: lipschitz is 2, not the claimed 1"),
    ("difference", ["1/1000"], "step 0 (tolerance_network): difference must be a list of 2 rationals, one per block"),
    ("reach", ["3/2", "6/2"], "step 0 (tolerance_network): reach[1] '6/2' is not in lowest terms; expected '3'"),
    ("lipschitz", ["-1", "2"], "lipschitz[0]"),
    ("atol", "0.01", "step 0 (tolerance_network): atol '0.01' is not an exact rational"),
    ("axes", [[[2, 1, 3]]], "step 0 (tolerance_network): expected axes [[[start, period, limit], ...], ...]: per "
                            "block (2) one [start, period, limit] per axis (1)"),
    ("axes", [[[2, 1, 2]], [[1, 1, 2]]], "step 0 (tolerance_network), block 1: expected integers period, start >= 1 "
                                         "and limit >= start + period"),
    ("axes", [[[1, 1, 2]], [[1, 1, 2]]], "step 0 (tolerance_network), block 1: an intermediate length of "),
    ("axes", [[[2, 1, 401]], [[1, 1, 2]]], "step 0 (tolerance_network), block 1: limit 401 exceeds what the checker "
                                           "evaluates (400)"),
])
def test_each_field_changed_is_rejected_naming_the_step(key, value, message):
    obj = _valid()
    obj["steps"][0][key] = value
    assert message in _rejection(obj)


def test_a_window_that_misses_the_worst_row_is_caught_by_the_periodicity_check():
    # block 1's worst row (both taps on the input) first exists at n = 2: a limit of 2 would miss it
    obj = _valid()
    obj["steps"][0]["axes"][0] = [[1, 1, 2]]
    assert "block 1" in _rejection(obj)


@pytest.mark.parametrize("lhs, rhs, message", [
    ("conv([1, 2]) >> relu()", "conv([1, 2])",
     "the sides apply different relu() / max-pool layers, [relu()] against []; expected the same ones in the same "
     "order on both sides"),
    ("conv([1, 2]) >> relu() >> maxpool(2)", "conv([1, 2]) >> maxpool(2) >> relu()",
     "the sides apply different relu() / max-pool layers, [relu(), maxpool(2)] against [maxpool(2), relu()]"),
    ("conv([1, 2]) >> maxpool(2, stride=1)", "conv([1, 2]) >> maxpool(2)",
     "[maxpool(2, stride=1)] against [maxpool(2)]"),
    ("conv([1, 2]) >> maxpool(2, padding=1)", "conv([1, 2]) >> maxpool(2, padding=1)",
     "maxpool(2, padding=1) in lhs is neither affine nor a relu() or a max-pool without padding between affine "
     "blocks; expected only those"),
    ("conv([1, 2]) >> l2pool(2)", "conv([1, 2]) >> l2pool(2)", "l2pool(2) in lhs is neither affine nor a relu()"),
    ("conv([2]) + (conv([1]) >> l2pool(1))", "conv([2]) + (conv([1]) >> l2pool(1))",
     "l2pool(1) in lhs is neither affine nor a relu()"),
])
def test_layers_the_sides_do_not_share_between_affine_blocks_are_refused(lhs, rhs, message):
    step = CertificateStep(Rule.TOLERANCE_NETWORK, (("atol", "1"), ("axes", [[[1, 1, 2]], [[1, 1, 2]]]),
                                                    ("bound", "0"), ("difference", ["0", "0"]),
                                                    ("lipschitz", ["0", "0"]), ("reach", ["0", "0"])))
    with pytest.raises(CertificateError) as caught:
        replay(Certificate(lhs, rhs, (step,)))
    assert str(caught.value).startswith("step 0 (tolerance_network): ")
    assert message in str(caught.value)


def _split_certificate(rule: str) -> Certificate:
    """congruence at the relu() of :data:`LHS`, :data:`RHS` (the layers after it are equal: one goal is left),
    then the first block closed within 1/1000, its true gap; the whole networks differ by 1/500."""
    close = {"tolerance": {"atol": "1/1000", "attained": [[2], [0, 0]], "axes": [[2, 1, 3]], "gain": "1/1000",
                           "rtol": "0"},
             "tolerance_network": {"atol": "1/1000", "axes": [[[2, 1, 3]]], "bound": "1/1000",
                                   "difference": ["1/1000"], "lipschitz": ["1501/1000"], "reach": ["3/2"]}}[rule]
    return Certificate.from_json(dict(json.loads(Certificate(LHS, RHS, ()).dumps()), steps=[
        {"rule": "congruence", "lhs": 1, "rhs": 1}, {"rule": rule, **close}]))


@pytest.mark.parametrize("rule", ["tolerance", "tolerance_network"])
def test_a_goal_of_a_congruence_split_is_not_closed_within_a_tolerance(rule):
    # without the refusal the kernel would prove |L x - R x| <= 1/1000; x = [1, 1, -1] gives 1/500
    assert _largest_gap(LHS, RHS, range(3, 4)) == Fraction(1, 500)
    with pytest.raises(CertificateError, match=rf"^step 1 \({rule}\): a goal of a congruence split is not closed "
                                               rf"within a tolerance; the split composes exact equalities only$"):
        replay(_split_certificate(rule))


def test_a_two_dimensional_max_pool_network_replays():
    lhs = "conv2d([[1, 1/2], [0, 1]], padding=1) >> maxpool2d(2) >> relu() >> conv2d([[1, -1]])"
    rhs = "conv2d([[1, 1/2], [0, 1001/1000]], padding=1) >> maxpool2d(2) >> relu() >> conv2d([[1, -1]])"
    theorem = replay(Certificate.from_json(_valid(lhs, rhs)))
    assert theorem.scope == "every input shape and every input with |x| <= 1, within atol=1/100, rtol=0"


#: A residual block (conv >> relu()) + identity, then relu() and a conv, against the same with one tap moved.
RES_LHS = "((conv([1/2]) >> relu()) + pad(0)) >> relu() >> conv([1, -1])"
RES_RHS = "((conv([501/1000]) >> relu()) + pad(0)) >> relu() >> conv([1, -1])"


def _random_residual(seed: int) -> tuple[str, str]:
    """(conv >> relu() >> conv) + shortcut, then maybe relu() and a conv; the same with taps moved by <= 1/64."""
    rng = random.Random(seed)
    first, second = _taps(rng, 3), _taps(rng, 3)
    bias = Fraction(rng.randint(-2, 2), 4)
    shortcut = rng.choice(["pad(0)", "conv([1/2])", "affine(1, 1/4)"])
    after = rng.choice(["", " >> relu()", " >> relu() >> conv([1, 1])", " >> maxpool(2)"])

    def side(move) -> str:
        return (f"((conv({_text([move(t) for t in first])}, padding=1, bias=[{move(bias)}]) >> relu() >> "
                f"conv({_text([move(t) for t in second])}, padding=1)) + {shortcut}){after}")

    return side(lambda t: t), side(lambda t: t + Fraction(rng.randint(-1, 1), 64))


@pytest.mark.parametrize("seed", range(6))
def test_the_bound_through_a_residual_sum_is_at_least_every_gap_at_the_corners(seed):
    lhs, rhs = _random_residual(seed)
    obj = _valid(lhs, rhs, atol="10")
    bound = Fraction(obj["steps"][0]["bound"])
    assert len(obj["steps"][0]["sums"]) == 1
    gap = _largest_gap(lhs, rhs, range(1, 7), seed)
    assert gap <= bound, (lhs, rhs, gap, bound)


def test_a_sum_adds_its_branches_bounds_and_the_chain_goes_on_after_it():
    # branch 1: conv([1/2]) D = 1/1000, N = 1/2, Lip = 501/1000, relu(), identity; branch 2 pad(0): (e, r) kept;
    # the sum: e = 1/1000 + 0, r = 1/2 + 1; then identity, relu(), conv([1, -1]): D = 0, N = 3, Lip = 2: e = 1/500
    step = _valid(RES_LHS, RES_RHS)["steps"][0]
    assert (step["difference"], step["reach"], step["lipschitz"], step["bound"]) == (
        ["0", "0", "0"], ["1", "3/2", "3"], ["1", "1", "2"], "1/500")
    total = step["sums"][0]
    assert (total["error"], total["reach"]) == ("1/1000", "3/2")
    assert [(b["difference"], b["reach"], b["lipschitz"]) for b in total["branches"]] == [
        (["1/1000", "0"], ["1/2", "1/2"], ["501/1000", "1"]), (["0"], ["1"], ["1"])]
    assert _largest_gap(RES_LHS, RES_RHS, range(1, 6)) <= Fraction(1, 500)


def test_a_residual_certificate_replays_and_follows_the_schema():
    from symconv.checker.certificate import schema_violations

    obj = _valid(RES_LHS, RES_RHS)
    assert schema_violations(obj) == []
    theorem = replay(Certificate.from_json(obj))
    assert theorem.scope == "every input length and every input with |x| <= 1, within atol=1/100, rtol=0"


def _dropped(obj: dict) -> dict:
    del obj["steps"][0]["sums"]
    return obj


@pytest.mark.parametrize("path, value, message", [
    (("sums", 0, "error"), "1/2000", "step 0 (tolerance_network), sums[0]: error is 1/1000, not the claimed 1/2000"),
    (("sums", 0, "reach"), "1", "step 0 (tolerance_network), sums[0]: reach is 3/2, not the claimed 1"),
    (("sums", 0, "error"), "2/2000", "step 0 (tolerance_network), sums[0]: error '2/2000' is not in lowest terms"),
    (("sums", 0, "branches", 0, "difference"), ["1/999", "0"],
     "step 0 (tolerance_network), sums[0], branch 1, block 1: difference is 1/1000, not the claimed 1/999"),
    (("sums", 0, "branches", 0, "reach"), ["1/2", "1"],
     "step 0 (tolerance_network), sums[0], branch 1, block 2: reach is 1/2, not the claimed 1"),
    (("sums", 0, "branches", 1, "lipschitz"), ["2"],
     "step 0 (tolerance_network), sums[0], branch 2, block 1: lipschitz is 1, not the claimed 2"),
    (("sums", 0, "branches", 0, "axes"), [[[1, 1, 2]]],
     "step 0 (tolerance_network), sums[0], branch 1: expected axes [[[start, period, limit], ...], ...]: per block "
     "(2) one [start, period, limit] per axis (1)"),
    (("sums", 0, "branches", 0, "axes", 0), [[1, 1, 401]],
     "step 0 (tolerance_network), sums[0], branch 1, block 1: limit 401 exceeds what the checker evaluates (400)"),
    (("sums", 0, "branches", 1), {"axes": [[[1, 1, 2]]], "difference": ["0"], "lipschitz": ["1"], "reach": ["1"],
                                  "gain": "0"},
     "step 0 (tolerance_network), sums[0]: branches must be a list of 2 objects {axes, difference, lipschitz, reach, "
     "sums}, one per pair of branches"),
    (("sums", 0, "branches"), [],
     "step 0 (tolerance_network), sums[0]: branches must be a list of 2 objects"),
    (("sums",), [], "step 0 (tolerance_network): sums must be a list of 1 objects {branches, error, reach}, one per "
                    "sum of branches the sides add"),
    (("sums", 0, "branches", 0, "sums"), [{"branches": [], "error": "0", "reach": "0"}],
     "step 0 (tolerance_network), sums[0], branch 1: sums must be a list of 0 objects"),
])
def test_each_field_of_a_sum_changed_is_rejected_naming_where(path, value, message):
    obj = _valid(RES_LHS, RES_RHS)
    target = obj["steps"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert message in _rejection(obj)


def test_a_residual_certificate_without_its_sums_is_rejected_and_a_chain_certificate_needs_none():
    assert _rejection(_dropped(_valid(RES_LHS, RES_RHS))) == (
        "step 0 (tolerance_network): sums must be a list of 1 objects {branches, error, reach}, one per sum of "
        "branches the sides add")
    chain = _valid()
    assert "sums" not in chain["steps"][0]  # the chain form is unchanged
    chain["steps"][0]["sums"] = [{"branches": [], "error": "0", "reach": "0"}]
    assert _rejection(chain) == ("step 0 (tolerance_network): sums must be a list of 0 objects {branches, error, "
                                 "reach}, one per sum of branches the sides add")


@pytest.mark.parametrize("lhs, rhs, message", [
    ("(conv([2]) >> relu()) + pad(0)", "conv([2]) >> relu()",
     "the sides apply different relu() / max-pool layers, [a sum of 2 branches] against [relu()]; expected the same "
     "ones in the same order on both sides (a sum with as many branches)"),
    ("(conv([2]) >> relu()) + pad(0)", "(conv([2]) >> relu()) + pad(0) + pad(0)",
     "[a sum of 2 branches] against [a sum of 3 branches]"),
    ("(conv([2]) >> relu()) + pad(0)", "(conv([2]) >> maxpool(1)) + pad(0)",
     "the sides apply different relu() / max-pool layers in branch 1 of sum 1, [relu()] against [maxpool(1)]"),
    ("(conv([2]) >> relu()) + pad(0)", "pad(0) + (conv([2]) >> relu())",
     "the sides apply different relu() / max-pool layers in branch 1 of sum 1, [relu()] against []"),
])
def test_sums_the_sides_do_not_share_are_refused(lhs, rhs, message):
    step = CertificateStep(Rule.TOLERANCE_NETWORK, (("atol", "1"), ("axes", [[[1, 1, 2]], [[1, 1, 2]]]),
                                                    ("bound", "0"), ("difference", ["0", "0"]),
                                                    ("lipschitz", ["0", "0"]), ("reach", ["0", "0"])))
    with pytest.raises(CertificateError) as caught:
        replay(Certificate(lhs, rhs, (step,)))
    assert str(caught.value).startswith("step 0 (tolerance_network): ")
    assert message in str(caught.value)
