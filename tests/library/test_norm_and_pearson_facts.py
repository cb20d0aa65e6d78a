"""The kernel facts of the C2.5 norm bounds (polyphase identities, relu's sign cases) and of C4.4's Pearson bound
(signs of exact bounds of rho's sums): each is replayed, and each wrong version of the step is rejected."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from symconv.library.facts import replay_facts

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


pytestmark = pytest.mark.skipif(not PROOFS.is_dir(), reason="the theorem library is not in this checkout")


def test_the_polyphase_identity_of_stride_two_is_replayed(stability):
    fact = stability._polyphase_identity(3, 2)
    assert (fact.lhs, fact.rhs) == ("W0*z**0 + W1*z**1 + W2*z**2",
                                    "z**0*(W0*(z**2)**0 + W2*(z**2)**1) + z**1*(W1*(z**2)**0)")
    assert replay_facts([fact]).replayed


@pytest.mark.parametrize("slots", [
    {(0, 0): [0], (0, 1): [1], (1, 0): [2]},      # taps 1 and 2 swapped between phases
    {(0, 0): [0], (1, 0): [1]},                  # tap 2 dropped
    {(0, 0): [0], (1, 0): [1, 2], (0, 1): [2]},  # tap 2 placed twice
])
def test_a_wrong_polyphase_bookkeeping_is_rejected(stability, monkeypatch, slots):
    monkeypatch.setattr(stability, "_polyphase_slots", lambda c, s: slots)
    facts = replay_facts([stability._polyphase_identity(3, 2)])
    assert not facts.replayed and "(polynomial_identity): lhs - rhs is" in facts.rejected[0]


def test_relu_sign_cases_are_replayed_and_a_wrong_relu_value_is_rejected(stability, monkeypatch):
    assert replay_facts(stability._relu_is_one_lipschitz()).replayed
    monkeypatch.setattr(stability, "RELU_CASES", [("u", "-v", True, True)])  # relu(-v) = -v: needs -v >= 0
    facts = replay_facts(stability._relu_is_one_lipschitz())
    assert facts.rejected == ("nonnegative(-v) == true: step 0 (nonnegative_combination): the term -v of -v is not "
                              ">= 0 for u, v >= 0",)


def test_the_derivative_facts_bound_d_within_one_and_a_slope_of_two_is_rejected(stability):
    assert replay_facts(stability._relu_derivative_within_one()).replayed
    from symconv.library.facts import nonnegative

    assert not replay_facts([nonnegative("y**2 - (2*y)**2", ["y"], [])]).replayed


def test_the_pearson_signs_hold_on_a_smooth_image_and_not_when_a_rough_image_is_claimed_smooth(deconv):
    smooth = deconv._pearson_sums(deconv._image(16, 10), 3)
    rough = deconv._pearson_sums(np.random.default_rng(0).uniform(0.05, 1, size=(16, 16)), 3)
    assert smooth["cov_low"] <= smooth["cov_high"] and smooth["var_f_low"] <= smooth["var_f_high"]
    assert replay_facts(deconv._half_facts(smooth, True)).replayed
    assert replay_facts(deconv._half_facts(rough, False)).replayed
    claimed = replay_facts(deconv._half_facts(rough, True))
    assert not claimed.replayed and "(rational_sign)" in claimed.rejected[0]
    assert not replay_facts(deconv._half_facts(smooth, False)).replayed


def test_the_rho_bounds_enclose_the_floating_point_pearson(deconv):
    x = deconv._image(16, 11)
    low, high = deconv._rho_bounds(deconv._pearson_sums(x, 5))
    f = np.sqrt(deconv._separable(deconv.conv([1] * 5, padding="same"), x ** 2))
    rho = float(np.corrcoef(x.ravel(), f.ravel())[0, 1])
    assert low - 1e-9 <= rho <= high + 1e-9 and high - low < 1e-6
