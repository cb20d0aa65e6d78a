"""Running theorems: verdicts, counterexamples, errors, and the length argument against brute force."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv.core.output_length import output_length
from symconv.dsl import parse_chain
from symconv.library import Evidence, expectation, inequality, mean_ci, proportion_ci, shapes, theorem
from symconv.library.lengths import compare_lengths
from symconv.library.run import TheoremResult, format_failure, run_theorem

n = sympy.Symbol("n")
STRIDE = ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
PADDED = ("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
          "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")


def test_an_identity_is_proved_for_each_listed_instance():
    r = run_theorem(theorem("stride", *STRIDE, sizes={"c": [2, 3, 4]}))
    assert (r.verdict, r.passed) == ("proved", True)
    assert [i["sizes"] for i in r.data["instances"]] == [{"c": 2}, {"c": 3}, {"c": 4}]
    assert r.counterexample is None and r.seconds > 0


def test_a_refuted_instance_refutes_the_theorem_with_a_sized_counterexample():
    r = run_theorem(theorem("padded", *PADDED, sizes={"c": [1, 5]}, expect="refuted"))
    assert r.verdict == "refuted" and r.passed
    example = r.counterexample
    assert example["sizes"] == {"c": 5}
    assert {"n", "input", "kernels", "lhs", "rhs", "index"} <= set(example)
    assert example["lhs"][0][example["index"]] != example["rhs"][0][example["index"]]


def test_a_generic_length_without_instances_is_proved_for_every_length():
    r = run_theorem(theorem("generic", *STRIDE))
    assert r.verdict == "proved" and r.passed
    assert "every c >= 1" in r.detail


def test_a_generic_length_outside_the_argument_is_unknown_with_the_reason():
    r = run_theorem(theorem("inner", lhs="conv(k[c]) >> pad(1) >> crop(1)", rhs="pad(2) >> conv(k) >> crop(2)", expect="unknown"))
    assert r.verdict == "unknown" and r.passed
    assert "reads beyond a window edge" in r.detail


def test_a_statement_the_dsl_cannot_express_yet_is_unknown(monkeypatch):
    monkeypatch.setattr("symconv.dsl_source.PLANNED", frozenset({"conv3d"}))
    r = run_theorem(theorem("threed", lhs="conv3d(W[1, 1, 3])", rhs="conv3d(W)", expect="unknown"))
    assert r.verdict == "unknown" and r.passed and "not supported yet" in r.detail


def test_a_typo_is_an_error_not_unknown():
    r = run_theorem(theorem("typo", lhs="conv(k[3]", rhs="conv(k)"))
    assert r.verdict == "error" and not r.passed and "ParseError" in r.detail


def test_nonlinear_chains_are_only_checked():
    r = run_theorem(theorem("relu", lhs="conv(k[3]) >> relu()", rhs="conv(k) >> relu() >> relu()",
                            expect="checked"))
    assert r.verdict == "checked" and r.data["numeric"]["trials"] > 0


def test_a_failing_custom_check_is_an_error_with_its_location():
    def broken():
        raise ZeroDivisionError("division by zero")

    r = run_theorem(theorem("broken", check=broken, statement="s"))
    assert r.verdict == "error" and "ZeroDivisionError: division by zero (test_theorem_run.py:" in r.detail


def test_a_custom_check_must_return_evidence():
    r = run_theorem(theorem("wrong", check=lambda: "proved", statement="s"))
    assert r.verdict == "error" and "must return an Evidence" in r.detail
    ok = run_theorem(theorem("right", check=lambda: Evidence("proved", "exact"), statement="s"))
    assert ok.verdict == "proved" and ok.detail == "exact"


def test_shapes_against_a_chain_and_a_closed_form():
    assert run_theorem(shapes("chain", "conv(k[3], stride=2, padding=1)", rhs="pad(1) >> conv(k) >> down(2)")).passed
    floor = shapes("floor", "conv(k[5], stride=3, padding=1)", length=sympy.floor((n - 3) / 3) + 1, min_n=3)
    assert run_theorem(floor).verdict == "proved"
    quarter = shapes("quarter", "pad(3, 3) >> conv(k[3], stride=2) >> conv(k, stride=2)", length=n / 4,
                     modulus=4, residues=[0], min_n=4)
    assert run_theorem(quarter).verdict == "proved"


def test_shapes_refuted_gives_the_first_differing_length():
    r = run_theorem(shapes("wrong", "conv(k[3], stride=2)", length=n / 2, modulus=2, residues=[0], min_n=4))
    assert r.verdict == "refuted" and r.counterexample == {"n": 4, "lhs": 1, "rhs": 2}


def test_shapes_at_given_lengths():
    assert run_theorem(shapes("at", "conv(k[3]) >> maxpool(2)", at={10: 4, 11: 4, 3: 0})).verdict == "proved"
    r = run_theorem(shapes("at_wrong", "maxpool(2)", at={227: 114}, expect="refuted"))
    assert r.passed and r.counterexample == {"n": 227, "lhs": 113, "rhs": 114}


F = sympy.floor
LENGTH_CASES = [
    ("conv(k[3], stride=2) >> conv(k, stride=3, padding=1)", F((n - 3) / 6) + 1, 3),
    ("maxpool(3, stride=2, padding=1) >> conv(k[2], dilation=3)", F((n - 7) / 2) + 1, 7),
    ("conv_transpose(k[3], stride=2, padding=1) >> down(3, phase=1)", F(2 * n / 3), 1),
    ("pad(0, 1) >> maxpool(2) >> up(3) >> crop(2, 1)", 3 * F((n + 1) / 2) - 5, 3),
    ("conv(k[4], stride=2) + (crop(0, 3) >> down(2) >> conv([1]))", F(n / 2) - 1, 4),
]


@pytest.mark.parametrize("text, formula, start", LENGTH_CASES)
def test_the_length_argument_agrees_with_brute_force(text, formula, start):
    """The true closed form is proved; perturbed ones are decided as brute force up to n = 400 says."""
    chain = parse_chain(text)
    lengths = [output_length(chain, m) for m in range(0, 401)]
    candidates = [formula] + [formula.subs(n, n + d) + e for d in (-1, 1, 2) for e in (-1, 0, 1)] + [formula + 1]
    for candidate in candidates:
        ev = compare_lengths(chain, candidate, min_n=start)
        truth = all(int(candidate.subs(n, m)) == lengths[m] for m in range(start, 401))
        assert ev.verdict == ("proved" if truth else "refuted"), (text, candidate, ev.detail)
    assert compare_lengths(chain, formula, min_n=start).verdict == "proved"


def test_the_length_argument_refuses_what_it_cannot_reduce():
    ev = compare_lengths(parse_chain("conv(k[3])"), sympy.Max(0, n - 2))
    assert ev.verdict == "unknown" and "floor and ceiling" in ev.detail
    ev = compare_lengths(parse_chain("conv(k[3])"), n ** 2)
    assert ev.verdict == "unknown" and "not linear in q" in ev.detail


def test_inequality_checked_and_refuted_with_the_case():
    ok = run_theorem(inequality("cs", lambda v: abs(v[0] * v[1]), lambda v: (v[0] ** 2 + v[1] ** 2) / 2,
                                [(1, 2), (3, -3), (0.5, 0.1)], statement="|ab| <= (a^2 + b^2)/2"))
    assert ok.verdict == "checked" and ok.data["tightest_ratio"] == pytest.approx(1.0)
    bad = run_theorem(inequality("wrong", lambda v: v, lambda v: 1.0, [0.5, 2.0, 3.0], statement="v <= 1",
                                 expect="refuted"))
    assert bad.passed and bad.counterexample == {"case": 2.0, "quantity": 2.0, "bound": 1.0}


def test_expectation_checked_refuted_and_proved():
    uniform = lambda rng, size: rng.uniform(size=size)  # noqa: E731
    assert run_theorem(expectation("u", uniform, 0.5, statement="E U = 1/2")).verdict == "checked"
    wrong = run_theorem(expectation("w", uniform, 0.6, statement="E U = 0.6", expect="refuted"))
    assert wrong.passed and wrong.counterexample["value"] == 0.6
    u = sympy.Symbol("u")
    exact = lambda: sympy.integrate(u, (u, 0, 1)) == sympy.Rational(1, 2)  # noqa: E731
    assert run_theorem(expectation("p", uniform, 0.5, symbolic=exact, statement="E U = 1/2")).verdict == "proved"


def test_a_symbolic_proof_contradicted_by_monte_carlo_is_an_error():
    r = run_theorem(expectation("c", lambda rng, size: rng.uniform(size=size), 0.7, symbolic=lambda: True,
                                statement="E U = 0.7"))
    assert r.verdict == "error" and "Monte Carlo" in r.detail


def test_confidence_intervals():
    ci = mean_ci(np.random.default_rng(0).normal(size=10_000), 0.999)
    assert ci.contains(0.0) and ci.high - ci.low < 0.1
    p = proportion_ci(5, 100, 0.95)
    assert p.low < 0.05 < p.high and 0 <= p.low and p.high <= 1


def test_result_json_has_the_documented_keys_and_failures_explain_themselves():
    r = run_theorem(theorem("padded", *PADDED, sizes={"c": [5]}))
    obj = r.to_json()
    assert {"name", "file", "claims", "verdict", "seconds", "note"} <= set(obj)
    assert obj["verdict"] == "refuted" and obj["expected"] == "proved" and obj["passed"] is False
    text = format_failure(r)
    assert "expected proved, got refuted" in text and "counterexample: n=" in text
    assert isinstance(r, TheoremResult)
