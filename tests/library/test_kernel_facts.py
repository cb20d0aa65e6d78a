"""Exact facts of library claims replayed by the kernel: a claim counts as replayed only when every fact was
accepted, a rejected fact takes ``proved`` away, and what the claim rests on beyond the facts is its ``rests_on``."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symconv.errors import InvalidArgument
from symconv.library import Evidence, expectation, run_theorem, theorem
from symconv.library.facts import gaussian_moment, identity, no_real_root, nonnegative, rational_sign, replay_facts

MARKOV = "argument: Markov's inequality"


def test_replayed_facts_give_the_statements_and_what_the_claim_rests_on():
    facts = replay_facts([gaussian_moment(2, "1/2"), no_real_root([1, 0, 1], "z")], [MARKOV])
    assert facts.replayed
    assert facts.data() == {"replayed": True, "rests_on": [MARKOV],
                            "replayed_facts": ["E[relu(g)**2] == 1/2", "number of real roots of 1 + z**2 == 0"]}


def test_one_rejected_fact_means_the_facts_are_not_replayed():
    facts = replay_facts([gaussian_moment(2, "1/2"), gaussian_moment(2, "1/3")])
    assert not facts.replayed
    assert facts.data()["rejected_facts"] == ["E[relu(g)**2] == 1/3: step 0 (gaussian_moment): E[relu(g)**2] is "
                                              "1/2, not 1/3"]
    assert facts.describe() == "the kernel rejected a fact: " + facts.data()["rejected_facts"][0]


def test_no_fact_is_not_a_replay():
    assert not replay_facts([]).replayed


def test_a_rests_on_entry_outside_the_vocabulary_is_bad_input():
    with pytest.raises(InvalidArgument, match=r"^replay_facts: rests_on='Markov' is invalid; expected entries such as "
                                              r"'argument: <name>'"):
        replay_facts([gaussian_moment(2, "1/2")], ["Markov"])


def test_a_sign_the_argument_needs_is_stated_and_a_value_of_another_sign_is_rejected():
    assert replay_facts([rational_sign("1/3 - 1/4", Fraction(1, 12), 1)]).replayed
    facts = replay_facts([rational_sign("1/4 - 1/3", Fraction(-1, 12), 1)])
    assert facts.rejected == ("sign(1/4 - 1/3) == 1: step 0 (rational_sign): -1/12 has the sign -1, not 1",)


def test_a_nonnegative_fact_states_its_expression_and_is_rejected_with_a_negative_term():
    assert replay_facts([nonnegative("u*v + y**2", ["u", "v", "y"], ["u", "v"])]).statements == (
        "nonnegative(u*v + y**2) == true",)
    assert not replay_facts([nonnegative("u*v + y", ["u", "v", "y"], ["u", "v"])]).replayed


def _claim(facts):
    return theorem("claim", check=lambda: Evidence("proved", "exact", facts.data()), statement="s")


def test_a_check_whose_facts_were_replayed_counts_as_replayed_with_its_rests_on():
    r = run_theorem(_claim(replay_facts([identity("(a - b)**2", "a**2 - 2*a*b + b**2", ["a", "b"])], [MARKOV])))
    assert (r.verdict, r.data["replayed"], r.data["rests_on"]) == ("proved", True, [MARKOV])


def test_a_check_that_says_proved_with_a_rejected_fact_is_unknown():
    r = run_theorem(_claim(replay_facts([identity("(a - b)**2", "a**2 + b**2", ["a", "b"])])))
    assert (r.verdict, r.data["replayed"]) == ("unknown", False)
    assert r.detail == ("the check's argument needs exact facts the kernel rejected: (a - b)**2 == a**2 + b**2: "
                        "step 0 (polynomial_identity): lhs - rhs is -2*a*b after clearing denominators, not 0")


def _half_normal_squares(rng, size):
    return rng.normal(size=size).clip(min=0) ** 2


def test_an_expectation_proved_by_replayed_facts_is_proved_and_replayed():
    t = expectation("second", _half_normal_squares, 0.5, samples=20_000, seed=0,
                    symbolic=lambda: replay_facts([gaussian_moment(2, "1/2")]), statement="E relu(g)^2 = 1/2")
    r = run_theorem(t)
    assert (r.verdict, r.data["replayed"], r.data["replayed_facts"]) == ("proved", True, ["E[relu(g)**2] == 1/2"])
    assert r.detail.startswith("1 exact fact(s) replayed by the kernel; Monte Carlo ")


def test_an_expectation_whose_fact_is_rejected_is_only_checked():
    t = expectation("second", _half_normal_squares, 0.5, samples=20_000, seed=0,
                    symbolic=lambda: replay_facts([gaussian_moment(2, "1/2", half_line=False)]),
                    statement="E relu(g)^2 = 1/2")
    r = run_theorem(t)
    assert (r.verdict, r.data["replayed"], r.data["symbolic"]) == ("checked", False, False)
    assert r.detail.startswith("not proved (the kernel rejected a fact: E[g**2] == 1/2: step 0 (gaussian_moment): "
                               "E[g**2] is 1, not 1/2); Monte Carlo mean ")
