"""The exact steps the seed theorems rest on, each shown able to fail on a wrong statement."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import sympy

from symconv.checker import Certificate, replay
from symconv.errors import CertificateError, InvalidArgument
from symconv.library import Evidence, theorem
from symconv.library.facts import replay_facts

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


def test_perturbed_must_be_a_function():
    expected = r"theorem: perturbed=3 is invalid; expected a function \(or a list of functions\)"
    with pytest.raises(InvalidArgument, match=expected):
        theorem("t", check=lambda: Evidence("checked"), statement="s", perturbed=3)


# --- C0.3: pairs of channels --------------------------------------------------------------------

def test_relu_pairing_identity_holds_and_its_sum_does_not(os_cnn):
    assert os_cnn._relu_pairing_identity()
    v = sympy.Symbol("v", nonnegative=True)
    # the same case analysis rejects a false variant: relu(u) + relu(-u) = u fails for u = -v
    assert not all(sympy.simplify(sympy.Max(u, 0) + sympy.Max(-u, 0) - u) == 0 for u in (v, -v))


def test_paired_network_equals_conv_q_on_large_inputs(os_cnn):
    ev = os_cnn._paired_construction("[1, 3, 5, 7, 4]", (2, 4), 1)
    assert ev.verdict == "proved" and ev.data["relu_channels"] == 2


def test_a_network_without_the_negated_pair_is_caught_on_large_inputs(os_cnn):
    from symconv import factor

    f = factor("[1, 3, 5, 7, 4]", sizes=(2, 4), channels=1)
    _, first, second = os_cnn._paired(f)
    assert os_cnn._agrees_on_large_inputs(first, second, f, 15, seed=5)
    assert not os_cnn._agrees_on_large_inputs(f.first, f.second, f, 15, seed=5)  # relu(F x) alone clips


def test_the_pairing_lemma_for_algebraic_weights_is_replayed_and_needs_the_negated_second_layer(os_cnn):
    proof = os_cnn._pairing_lemma(3, 3)
    assert proof.verdict == "proved" and [s.rule.value for s in proof.certificate.steps][0] == "relu_pairing"
    from symconv import prove

    unpaired = proof.certificate.lhs.replace("-b_0, -b_1, -b_2", "b_0, b_1, b_2")
    assert unpaired != proof.certificate.lhs
    assert prove(unpaired, proof.certificate.rhs).verdict != "proved"


def test_the_receptive_field_length_formula_pins_the_field_and_the_jump(arithmetic):
    from symconv.library.registry import ShapesSpec
    from symconv.library.run import _run_shapes

    n = sympy.Symbol("n")
    for text in arithmetic.RF_CHAINS[:4]:
        chain, length, min_n = arithmetic._field_length(text)
        assert "padding" not in chain
        ev = _run_shapes(ShapesSpec(chain, length=length, min_n=min_n))
        assert ev.verdict == "proved" and ev.data["replayed"] is True
        for wrong in (length.subs(n, n - 1), length.subs(n, 2 * n)):  # R one larger; J halved
            assert _run_shapes(ShapesSpec(chain, length=wrong, min_n=min_n)).verdict == "refuted"


def test_the_impossibility_case_has_no_real_root_and_every_kink_case_contradicts(os_cnn):
    facts = os_cnn._no_real_root([1, -2, 3, 0, 4])
    assert facts["real_roots"] == [] and facts["first_tap_nonzero"]
    assert "-1" in os_cnn._no_real_root([1, 3, 5, 7, 4])["real_roots"]
    evidence = os_cnn._two_channels_impossible()
    assert evidence.verdict == "proved" and evidence.data["replayed"] is True
    assert evidence.data["replayed_facts"] == ["number of real roots of 1 - 2*z + 3*z**2 + 4*z**4 == 0"]


def test_the_kink_analysis_leaves_the_paired_case_open_when_q_has_a_real_root(os_cnn):
    open_cases = [r for r in os_cnn._kink_cases([1, 3, 5, 7, 4]) if r["contradiction"] is None]
    assert open_cases and all(r["parallel"] and r["signs"][2] == -1 for r in open_cases)


# --- C1.2: closed forms for every c ---------------------------------------------------------------

def test_floor_identity_and_padding_rule_are_proved_for_every_c(strides):
    assert strides._floor_identity_every_c().verdict == "proved"
    assert strides._padding_rule_every_c().verdict == "proved"


# --- C2.5: the exact steps ------------------------------------------------------------------------

def test_relu_steps_of_the_stability_bound_are_replayed_by_the_kernel(stability):
    for facts in (stability._relu_is_one_lipschitz, stability._relu_derivative_within_one,
                  stability._phases_partition_the_taps):
        assert replay_facts(facts()).replayed, facts.__name__


def test_a_stability_bound_that_is_too_small_is_refuted(stability):
    check = stability._by_steps("steps", stability._phases_partition_the_taps, stability.TRANSFER_STEPS,
                                stability._layer_norm, lambda case: 0.5 * stability._young_bound(case),
                                stability.LAYERS[:2])
    assert check().verdict == "refuted"


# --- C3.2 and C3.3 --------------------------------------------------------------------------------

def test_frobenius_second_moment_is_six_over_n_from_kernel_replayed_moments(invertibility):
    moment = invertibility._frobenius_second_moment()
    assert moment.replayed and moment.statements[:2] == ("E[g**2] == 1", "E[g**4] == 3")
    assert moment.statements[2].endswith("== 6/N")
    assert "argument: ||G_S - I||_2 <= ||G_S - I||_F" in moment.rests_on


def test_reconstruction_error_is_at_most_delta_1_on_a_bank(invertibility):
    row = invertibility._reconstruction_exact(0)
    assert row["diagonal_dominant"] and row["delta_2_below_1"]
    assert 0 < row["sampled_error"] <= row["delta_1"] * (1 + 1e-9) < row["bound"]


def test_the_gram_inequalities_of_a_bank_are_kernel_facts_and_a_changed_entry_is_rejected(invertibility):
    facts = invertibility._gram_facts(0)
    assert len(facts) == 4 * 3 + 6 * 4  # dominance per (f, g), trace and determinant of G_S and 2 I - G_S per pair
    for certificate in facts[:3] + facts[-4:]:
        replay(certificate)
    last = facts[-1]  # det(2 I - G_S) of the last pair, with its first entry doubled
    changed = Certificate(last.lhs.replace("(2 - (", "(2 - 2*(", 1), last.rhs, last.steps)
    with pytest.raises(CertificateError, match=r"^step 0 \(rational_sign\): the expression is .*, not the claimed "):
        replay(changed)


def test_gershgorin_bound_is_above_the_sampled_constant(invertibility):
    w = invertibility._filters(8, 16, 4, 99)
    A = invertibility._layer_matrix(w, D=24, t=1)
    lower = invertibility._rip_sampled(A, 8, 21, 2, np.random.default_rng(7))
    assert lower <= invertibility._rip_gershgorin(A, 8, 21, 2)


# --- C4: exact steps --------------------------------------------------------------------------------

def test_cauchy_schwarz_and_sine_identities_are_replayed_by_the_kernel(deconv):
    for certificate in [deconv._lagrange_identity(k) for k in (1, 3, 5)] + [deconv._sine_below_relative_distance()]:
        replay(certificate)


def test_a_wrong_lagrange_constant_is_rejected_by_the_kernel(deconv):
    good = deconv._lagrange_identity(3)
    bad = Certificate(good.lhs.replace("3*(", "2*(", 1), good.rhs, good.steps)
    with pytest.raises(CertificateError, match=r"^step 0 \(polynomial_identity\): lhs - rhs is "):
        replay(bad)


def test_the_variance_claim_rests_on_replayed_moments_and_named_arguments(deconv):
    facts = deconv._pi_minus_one()
    assert facts.statements == ("E[relu(g)**2] == 1/2", "E[relu(g)**1] == 1/sqrt(2*pi)",
                                "(1/2 - (1/sqrt(2*pi))**2) / (1/sqrt(2*pi))**2 == pi - 1")
    assert facts.replayed and all(entry.startswith("argument: ") for entry in facts.rests_on)


def test_each_pixel_is_in_at_most_k_same_padded_patches(deconv):
    assert deconv._patch_cover(12, 3) == [2] + [3] * 10 + [2]
    assert max(deconv._patch_cover(20, 5)) == 5


def test_one_route_network_has_route_counts_zero_or_one(deconv):
    from symconv import derive

    taps = [int(t) for t in derive(deconv._energy_chain(deconv.ONE_ROUTE_NET)).kernel]
    assert set(taps) == {1} and len(taps) == 16


def test_second_moment_identity_holds_at_width_four(deconv):
    """E|f|^2 = (1 + (pi - 1)/K)|f*|^2 at every K: at K = 4 the mean over 20000 networks holds it, not 1.05^2 x it."""
    x = deconv._signal(128, 2)
    limit = deconv._routes_limit(deconv.ONE_ROUTE_NET, x)
    f = deconv._networks(deconv.ONE_ROUTE_NET, x, 4, 20000, 11)
    ratio = (f ** 2).sum(axis=1) / (limit @ limit)
    se = ratio.std() / np.sqrt(len(ratio))
    exact = 1 + (np.pi - 1) / 4
    assert abs(ratio.mean() - exact) < 4 * se < abs(ratio.mean() - 1.05 ** 2 * exact)


def test_affine_is_a_biased_one_tap_layer_and_a_wrong_bias_is_refuted():
    from symconv.library import run_theorem

    right = run_theorem(theorem("fold", lhs="affine(2, 3)", rhs="conv([2], bias=[3])"))
    assert (right.verdict, right.data["replayed"]) == ("proved", True)
    wrong = run_theorem(theorem("fold", lhs="conv(k[3], bias=[1]) >> affine(2, 3)", rhs="conv(2 * k, bias=[6])"))
    assert wrong.verdict == "refuted" and wrong.counterexample["n"] >= 3
