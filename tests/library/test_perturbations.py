"""Checks that can fail: every ``checked`` theorem of proofs/ is refuted when its constant is off by 5 %."""

from __future__ import annotations

from pathlib import Path

import pytest

from symconv.library import Evidence, expectation, inequality, theorem
from symconv.library.load import discover, load_file
from symconv.library.perturbation import RELATIVE, perturbations

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


def _checked_theorems():
    return [t for f in discover([PROOFS]) for t in load_file(f) if t.expect == "checked"]


CHECKED = _checked_theorems()


def test_a_monte_carlo_expectation_is_refuted_with_its_value_off_by_five_percent():
    t = expectation("half", lambda rng, size: rng.uniform(size=size), 0.5, statement="E[U] = 1/2")
    assert [p.run().verdict for p in perturbations(t)] == ["refuted", "refuted"]
    assert RELATIVE == 0.05


def test_a_tight_inequality_is_refuted_with_its_bound_shrunk_by_five_percent():
    t = inequality("tight", lambda c: c, lambda c: c + 0.01, cases=[1.0], statement="x <= x + 1/100")
    (p,) = perturbations(t)
    assert p.label == "bound x 0.95" and p.run().verdict == "refuted"


def test_a_loose_inequality_survives_the_perturbation_so_the_library_test_would_flag_it():
    t = inequality("loose", lambda c: c, lambda c: 2 * c, cases=[1.0], statement="x <= 2 x")
    (p,) = perturbations(t)
    assert p.run().verdict == "checked"


def test_a_custom_check_has_only_the_perturbations_it_declares():
    t = theorem("custom", check=lambda: Evidence("checked"), statement="something",
                perturbed=lambda: Evidence("refuted"))
    assert [p.run().verdict for p in perturbations(t)] == ["refuted"]
    assert perturbations(theorem("bare", check=lambda: Evidence("checked"), statement="s")) == ()


def test_the_library_has_checked_theorems():
    assert len(CHECKED) >= 5


@pytest.mark.parametrize("t", CHECKED, ids=[t.name for t in CHECKED])
def test_every_checked_theorem_is_refuted_when_its_constant_is_perturbed(t):
    found = perturbations(t)
    assert found, f"{t.name} is checked but declares no perturbation (perturbed=)"
    for p in found:
        evidence = p.run()
        if evidence.verdict in ("unknown", "skipped") and "not installed" in evidence.detail:
            pytest.skip(evidence.detail)
        assert evidence.verdict == "refuted", f"{t.name}, {p.label}: {evidence.verdict}: {evidence.detail}"
