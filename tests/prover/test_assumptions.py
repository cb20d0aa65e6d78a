"""Declared input bounds: the parser, the interval lemma, and proofs under ``--assume`` (DESIGN §4)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import prove
from symconv.cli import main
from symconv.dsl import parse_chain
from symconv.errors import AssumptionError
from symconv.numeric import evaluate_numeric
from symconv.dsl_assumptions import parse_assumption, parse_assumptions
from symconv.prover.interval import eliminate_relus, nonnegative

B = sympy.Symbol("B")


# --- the parser ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, bound", [
    ("abs(x) <= B", B),
    ("B >= abs(x)", B),
    ("-B <= x <= B", B),
    ("abs(x) <= 2", sympy.Integer(2)),
    ("abs(x) < 1/2", sympy.Rational(1, 2)),
    ("-0.25 <= x <= 0.25", sympy.Rational(1, 4)),
    ("  abs(x) <= bound  ", sympy.Symbol("bound")),
])
def test_accepted_forms(text, bound):
    assert parse_assumption(text).bound == bound


@pytest.mark.parametrize("text, fragment", [
    ("x <= 1", "x <= 1"),
    ("abs(x) <= 0", "0"),
    ("abs(x) <= -2", "-2"),
    ("abs(x) <= x", "x"),
    ("-1 <= x <= 2", "-1 <= x <= 2"),
    ("abs(x) <= __import__('os')", "__import__('os')"),
    ("abs(x) <=", "abs(x) <="),
    ("abs(y) <= 1", "abs(y) <= 1"),
    ("", ""),
])
def test_refused_forms_quote_the_fragment(text, fragment):
    with pytest.raises(AssumptionError) as info:
        parse_assumption(text)
    assert "abs(x) <= B" in str(info.value)
    assert repr(fragment)[1:-1] in str(info.value) or fragment == ""


def test_two_numeric_bounds_keep_the_smaller_and_a_named_one_conflicts():
    assert parse_assumptions(["abs(x) <= 3", "abs(x) <= 2"])[0].bound == 2
    with pytest.raises(AssumptionError):
        parse_assumptions(["abs(x) <= 3", "abs(x) <= B"])


# --- the interval lemma ----------------------------------------------------------------------

def test_nonnegative_uses_positivity_of_the_bound_and_lower_bounds_of_max():
    a, b = sympy.symbols("a b")
    assert nonnegative(B, frozenset({B}))
    assert not nonnegative(B, frozenset())
    assert nonnegative(B * sympy.Max(abs(a), abs(b)) - B * abs(b), frozenset({B}))
    assert not nonnegative(B * abs(a) - B * abs(b), frozenset({B}))


def test_relu_after_sufficient_shift_is_dropped_and_affine_becomes_a_1x1_conv():
    r = eliminate_relus(parse_chain("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 1])"), B)
    assert r.complete and len(r.steps) == 1
    assert repr(r.chain) == "conv([1, -2]) >> conv([1], bias=[3*B]) >> conv([1, 1])"


def test_relu_after_insufficient_shift_stays_with_a_reason():
    r = eliminate_relus(parse_chain("conv([1, -2]) >> affine(1, 2*B) >> relu()"), B)
    assert not r.complete and "layer 3" in r.reason and not r.steps


def test_padding_and_upsampling_bring_zero_into_the_interval():
    # after pad(1) the zeros are inputs of the relu: relu(0 + 1) is fine, but a negative shift is not
    assert eliminate_relus(parse_chain("pad(1) >> affine(1, 1) >> relu()"), 1).complete
    assert not eliminate_relus(parse_chain("pad(1) >> affine(1, -1) >> relu()"), Fraction(1, 2)).complete
    assert not eliminate_relus(parse_chain("up(2) >> affine(1, -1) >> relu()"), Fraction(1, 2)).complete


CHAIN_PARTS = ["conv([1, -2, 1])", "conv([2, 1], padding=1)", "pad(1)", "up(2)", "down(2)", "flip()",
               "affine(2, 1)", "affine(-1, 3)", "relu()", "avgpool(2)", "maxpool(2)", "crop(1)",
               "conv([1, 1], bias=[-1])", "conv_transpose([1, -1], stride=2)"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(CHAIN_PARTS), min_size=1, max_size=5), st.integers(0, 2**31 - 1))
def test_interval_bounds_contain_every_value_on_bounded_inputs(parts, seed):
    """Soundness of the interval rules: on random inputs with |x_i| <= 1 every intermediate value stays inside."""
    from symconv.prover.interval import _Walker, Range

    rng = np.random.default_rng(seed)
    ranges = [Range(sympy.Integer(0), sympy.Integer(1))]
    walker = _Walker(frozenset())
    for i in range(len(parts)):
        prefix = parse_chain(" >> ".join(parts[: i + 1]))
        _, ranges = walker.layer(parse_chain(parts[i]), ranges)
        lo, hi = float(ranges[0].lo), float(ranges[0].hi)
        for _ in range(5):
            x = rng.uniform(-1, 1, size=(1, 1, int(rng.integers(6, 14))))
            x[0, 0, : int(rng.integers(0, 3))] = rng.choice([-1.0, 1.0])
            y = evaluate_numeric(prefix, x)
            if y.size:
                assert y.min() >= lo - 1e-9 and y.max() <= hi + 1e-9, (prefix, lo, hi, y)


# --- proofs under the bound ------------------------------------------------------------------

def _corner_truth(lhs: str, rhs: str, bound: int, n_max: int = 7) -> bool:
    """Brute force on every corner input (each sample -B or B) and zero runs, n up to n_max.

    For a ReLU after an affine image of the input the extreme values are attained
    at corners, so a clip shows up there; the linear remainder is compared at the same inputs.
    """
    lhs_chain, rhs_chain = parse_chain(lhs), parse_chain(rhs)
    for n in range(1, n_max + 1):
        for corner in itertools.product((-bound, 0, bound), repeat=n):
            x = np.array([[list(map(Fraction, corner))]], dtype=object)
            a = evaluate_numeric(lhs_chain, x, {"B": bound}, exact=True)
            b = evaluate_numeric(rhs_chain, x, {"B": bound}, exact=True)
            if a.shape != b.shape or (a != b).any():
                return False
    return True


CASES = [
    (f"conv([1, 1]) >> affine(1, {t}*B) >> relu() >> conv([1, 2, 3, 4], bias=[{-10 * t}*B])",
     "conv([1, 3, 5, 7, 4])") for t in (1, 2, 3)
] + [
    ("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 1], bias=[-6*B])", "conv([1, -1, -2])"),
    ("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 1], bias=[-5*B])", "conv([1, -1, -2])"),
    ("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 2], bias=[-9*B])", "conv([1, 0, -4])"),
    ("conv([1, -2]) >> affine(1, 3*B) >> relu() >> conv([1, 1], bias=[-6*B])", "conv([1, -1, -2], padding=1)"),
    ("affine(1, B) >> relu() >> affine(1, -B)", "pad(0)"),
    ("affine(1, B/2) >> relu() >> affine(1, -B/2)", "pad(0)"),
    ("pad(1) >> affine(2, 2*B) >> relu() >> conv([1, 1], bias=[-4*B])", "pad(1) >> conv([2, 2])"),
    ("conv([[[1, 0]], [[0, 1]]]) >> affine(1, B) >> relu() >> conv([[[1, 0, 0, 0], [-2, 3, 0, 4]]], bias=[-6*B])",
     "conv([1, -2, 3, 0, 4])"),
]


@pytest.mark.parametrize("lhs, rhs", CASES)
def test_verdicts_under_the_bound_match_brute_force(lhs, rhs):
    truth = _corner_truth(lhs, rhs, 2, n_max=6)
    proof = prove(lhs, rhs, assume=["abs(x) <= B"])
    assert proof.verdict == ("proved" if truth else "refuted"), proof.note
    if proof.verdict == "refuted":
        c = proof.counterexample
        assert c is not None
        bound = c.kernels.get("B", 2)
        assert all(abs(v) <= bound for row in c.input for v in row)
        x = np.array([[list(map(Fraction, row)) for row in c.input]], dtype=object)
        a = evaluate_numeric(parse_chain(lhs), x, c.kernels, exact=True)
        b = evaluate_numeric(parse_chain(rhs), x, c.kernels, exact=True)
        assert a.shape != b.shape or (a != b).any()
    else:
        assert proof.steps[0].rule == "relu_identity_under_bound"
        assert proof.assumptions and proof.to_json()["assumptions"] == ["abs(x) <= B"]


def test_numeric_bound_and_symbolic_kernels():
    # s is a free parameter, not the sum of k's taps: the shifted constant is not cancelled
    lhs = "conv([1, 0]) >> affine(1, 2) >> relu() >> conv(k[3], bias=[-2*s])"
    assert prove(lhs, "conv([1, 0]) >> conv(k)", assume=["abs(x) <= 2"]).verdict == "refuted"
    proof = prove("conv([1, 0]) >> affine(1, 2) >> relu() >> affine(1, -2) >> conv(k[3])", "conv([1, 0]) >> conv(k)",
                  assume=["abs(x) <= 2"])
    assert proof.verdict == "proved"
    assert prove("conv([1, 0]) >> affine(1, 2) >> relu() >> affine(1, -2) >> conv(k[3])",
                 "conv([1, 0]) >> conv(k)", assume=["abs(x) <= 3"]).verdict == "refuted"


def test_without_the_assumption_the_same_identity_is_refuted():
    lhs, rhs = CASES[1]
    assert prove(lhs, rhs).verdict == "refuted"
    assert prove(lhs, rhs, assume=["abs(x) <= B"]).verdict == "proved"


def test_relu_that_cannot_be_shown_linear_is_not_proved():
    proof = prove("conv(k[2]) >> relu()", "conv(k)", assume=["abs(x) <= 1"])
    assert proof.verdict == "refuted"
    proof = prove("maxpool(2) >> relu()", "relu() >> maxpool(2)", assume=["abs(x) <= 1"])
    assert proof.verdict in ("checked", "unknown")  # true, but outside the lemma: never "proved"


# --- the command line ------------------------------------------------------------------------

def test_cli_prove_with_assume(capsys):
    lhs, rhs = CASES[1]
    assert main(["prove", lhs, rhs, "--assume", "abs(x) <= B"]) == 0
    assert "assuming |x_i| <= B" in capsys.readouterr().out
    assert main(["prove", lhs, rhs]) == 1


def test_cli_bad_assumption_exits_2_with_one_line(capsys):
    assert main(["prove", "relu()", "relu()", "--assume", "x < 3"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'x < 3'" in err[0] and "Traceback" not in err[0]


def test_cli_factor_with_assume_proves_c03(capsys):
    import json

    assert main(["factor", "q[5]", "--sizes", "2,4", "--assume", "abs(x) <= B", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["verdict"] == "proved" and obj["shift"] == "B"
    assert obj["bias"] == "-B*q_0 - B*q_1 - B*q_2 - B*q_3 - B*q_4"
    assert main(["factor", "[1, 3, 5, 7, 4]", "--sizes", "2,4", "--channels", "1", "--assume", "abs(x) <= 2",
                 "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert obj["shift"] == "4" and obj["bias"] == "-40"
