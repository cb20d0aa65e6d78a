"""The kernel's rule ``length_formula``: valid length certificates replay, tampered ones are rejected.

Also: the rows of the rule's rate table are monotone and rigid past the first positive output
(the lemma's hypothesis, checked exhaustively at small sizes against the core's length table),
and length certificates follow ``certificate.schema.json``.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.certificate import schema_violations
from symconv.checker.length_formula import RATE_TABLE, LengthClaim, QuasiAffine
from symconv.core.layers import Parallel
from symconv.core.output_length import output_length
from symconv.dsl import parse_chain, parse_statement
from symconv.prover.certify import length_certificate, quasi_affine
from tests.checker.tampering import rejection

n = sympy.Symbol("n")

#: (chain, formula, period, start, min_n, modulus, residues): true length claims.
VALID = {
    "strided": ("conv(k[3], stride=2)", sympy.floor(n / 2 - sympy.Rational(3, 2)) + 1, 2, 3, 3, 1, (0,)),
    "two_layers": ("conv(k[3], stride=2, padding=1) >> conv(h[2])", sympy.floor((n - 1) / 2), 2, 3, 1, 1, (0,)),
    "ceiling": ("pad(0, 1) >> maxpool(2)", sympy.ceiling(n / 2), 2, 1, 1, 1, (0,)),
    "residue": ("conv(W[4, 3, 5], stride=3)", n / 3 - sympy.Rational(2, 3), 3, 5, 5, 3, (2,)),
    "transpose": ("conv(k[3], stride=3) >> conv_transpose(k, stride=3, output_padding=1)", n, 3, 3, 3, 3, (1,)),
    "up_down": ("up(2) >> down(3, phase=1)", sympy.ceiling((2 * n - 2) / 3), 3, 2, 0, 1, (0,)),
}


def certificate(name: str) -> dict:
    text, formula, period, start, min_n, modulus, residues = VALID[name]
    made = length_certificate(parse_chain(text), formula, period=period, start=start, min_n=min_n, modulus=modulus,
                              residues=residues)
    return made.to_json()


def with_formula(obj: dict, **formula) -> dict:
    """``obj`` with its formula changed, its rhs rewritten to the new claim's text and rehashed."""
    obj["length"]["formula"].update(formula)
    obj["rhs"] = LengthClaim.from_json(obj["length"]).text()
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    return obj


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_true_length_formula_replays_for_its_claimed_lengths(name):
    theorem = replay(Certificate.from_json(certificate(name)))
    text, _, _, _, min_n, modulus, residues = VALID[name]
    assert theorem.statement.startswith(f"len({parse_chain(text)!r})(n) == ")
    assert theorem.scope.startswith(f"every n >= {min_n}")
    assert (f"with n mod {modulus}" in theorem.scope) == (len(residues) < modulus)


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_length_certificate_follows_the_published_schema(name):
    obj = json.loads(json.dumps(certificate(name)))
    assert schema_violations(obj) == []
    assert obj["steps"][0]["rule"] == "length_formula" and "formula" in obj["length"]


def test_a_malformed_length_claim_breaks_the_schema():
    obj = certificate("strided")
    obj["length"]["formula"]["floor"][0].append(1)
    obj["length"]["formula"]["constant"] = "n + 1"
    assert schema_violations(obj) == ['$.length.formula.constant: expected integer, got "n + 1"',
                                      "$.length.formula.floor[0]: 4 item(s), more than 3"]


def test_a_wrong_constant_is_rejected_at_the_first_length_it_gets_wrong():
    obj = with_formula(certificate("strided"), constant=2)
    assert rejection(obj) == "step 0 (length_formula): at n = 3 the length is 1, the formula gives 2"


def test_a_wrong_slope_is_rejected_by_the_growth_per_period():
    obj = with_formula(certificate("strided"), slope="1/2")
    assert rejection(obj) == ("step 0 (length_formula): the formula grows by 2 per period 2, the length of "
                              "conv(k[3], stride=2) by 1")


def test_a_formula_true_only_on_the_window_is_rejected_by_its_growth():
    # the constant 1 is the length at n = 3 and 4 (the whole window) but not at n = 5
    obj = with_formula(certificate("strided"), floor=[])
    assert rejection(obj) == ("step 0 (length_formula): the formula grows by 0 per period 2, the length of "
                              "conv(k[3], stride=2) by 1")


def test_a_period_that_does_not_move_the_formula_rigidly_is_rejected():
    obj = with_formula(certificate("strided"), floor=[[1, "1/3", "-3/2"]])
    assert rejection(obj) == "step 0 (length_formula): period 2 is not a period of the formula: 1/3 * 2 is not an integer"


def test_a_wrong_period_of_the_chain_is_rejected():
    obj = certificate("strided")
    obj["steps"][0].update(period=3, limit=6)
    assert rejection(obj) == ("step 0 (length_formula): 3 is not a period of conv(k[3], stride=2): it does not move "
                              "conv(k[3], stride=2) rigidly")


def test_a_period_that_is_not_a_multiple_of_the_modulus_is_rejected():
    obj = certificate("residue")
    obj["steps"][0].update(period=1, limit=6)
    assert rejection(obj) == "step 0 (length_formula): period 1 is not a multiple of the claim's modulus 3"


@pytest.mark.parametrize("limit", [3, 4])
def test_a_cut_window_is_rejected(limit):
    obj = certificate("strided")
    obj["steps"][0]["limit"] = limit
    assert rejection(obj) == ("step 0 (length_formula): limit {} cuts the window: it must be at least start + "
                              "period = 5").format(limit)


def test_a_start_before_every_length_is_positive_is_rejected():
    obj = certificate("two_layers")
    obj["steps"][0].update(start=2, limit=4)
    assert rejection(obj) == ("step 0 (length_formula): an intermediate length of conv(k[3], stride=2, padding=1) "
                              ">> conv(h[2]) is 0 at n = start = 2")


def test_a_start_below_the_claim_is_rejected():
    obj = certificate("strided")
    obj["steps"][0].update(start=2, limit=4)
    assert rejection(obj) == "step 0 (length_formula): start 2 is below the claim's min_n 3"


def test_a_claim_widened_to_lengths_where_it_is_false_is_rejected():
    obj = certificate("residue")
    obj["length"]["residues"] = [0, 2]
    obj = with_formula(obj)
    assert rejection(obj) == "step 0 (length_formula): at n = 6 the length is 1, the formula gives 4/3"


def test_a_claim_changed_without_its_text_is_rejected():
    obj = certificate("strided")
    obj["length"]["min_n"] = 0
    assert rejection(obj) == ("the length certificate's rhs 'floor(n/2 - 3/2) + 1 for n >= 3' is not the text of "
                              "its length claim 'floor(n/2 - 3/2) + 1 for n >= 0': the statement or the claim was "
                              "changed")


def test_a_claim_whose_text_changed_fails_the_statement_hash():
    obj = certificate("strided")
    obj["rhs"] = "floor(n/2 - 3/2) + 1 for n >= 0"
    assert rejection(obj).startswith("statement hash")


@pytest.mark.parametrize("text", ["n/2", "__import__('os')", "1.5", "1/0", "2**3"])
def test_a_number_of_the_formula_is_data_never_evaluated(text):
    obj = certificate("strided")
    obj["length"]["formula"]["constant"] = text
    message = rejection(obj)
    assert message.startswith("formula constant: ") and repr(text) in message


def test_an_identity_step_in_a_length_certificate_is_rejected():
    obj = certificate("strided")
    obj["steps"][0]["rule"] = "eventual_periodicity"
    assert rejection(obj) == "step 0 (eventual_periodicity): a length certificate closes with length_formula only"


def test_a_generic_size_is_rejected():
    obj = certificate("strided")
    obj["lhs"] = "conv(k[c], stride=2)"
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    assert "is not a number" in rejection(obj)


def test_the_prover_reads_floor_and_ceiling_terms_exactly():
    # SymPy itself writes floor(n/3 - 1) as floor(n/3) - 1 (the same function)
    formula = quasi_affine(2 * sympy.floor(n / 3 - 1) - sympy.ceiling(n / 4 - sympy.Rational(1, 2)) + n / 2 + 7)
    assert formula == QuasiAffine(5, Fraction(1, 2), ((2, Fraction(1, 3), 0),), ((-1, Fraction(1, 4), Fraction(-1, 2)),))
    assert formula.text() == "2*floor(n/3) - ceiling(n/4 - 1/2) + n/2 + 5"
    assert quasi_affine(sympy.floor(n) ** 2) is None and quasi_affine(sympy.sqrt(2) * n) is None


#: Layers of every row of the rate table, at small sizes.
ROW_SAMPLES = [
    "conv(k[3])", "conv(k[4], stride=3, padding=1)", "conv(k[2], stride=2, dilation=3)", "conv(k[3], padding=(0, 2))",
    "conv_transpose(k[3], stride=2, padding=1, output_padding=1)", "conv_transpose(k[2], stride=3, padding=2)",
    "down(3, phase=2)", "down(2)", "up(3)", "pad(2, 1)", "crop(1, 2)", "flip()", "relu()", "affine(2, 1)",
    "avgpool(3, stride=2, padding=1)", "avgpool(4, stride=3, ceil_mode=True)", "avgpool(2, stride=2, padding=1, "
    "ceil_mode=True)", "maxpool(3, stride=2, padding=1)", "maxpool(2, stride=2, dilation=2)",
    "maxpool(3, stride=2, ceil_mode=True)", "l2pool(3, stride=2)",
]


@pytest.mark.parametrize("text", ROW_SAMPLES)
def test_each_row_is_monotone_and_rigid_past_its_first_positive_output(text):
    layer = parse_chain(text)
    rate = RATE_TABLE[type(layer)](layer)
    assert not isinstance(layer, Parallel)
    lengths = [output_length(layer, m) for m in range(0, 60)]
    assert lengths == sorted(lengths), lengths
    for m in range(0, 36):
        if lengths[m] >= 1:
            for t in range(rate.denominator, 24, rate.denominator):
                assert lengths[m + t] == lengths[m] + rate * t, (m, t)


def test_every_row_is_sampled():
    assert {type(parse_chain(text)) for text in ROW_SAMPLES} == set(RATE_TABLE)


def chain_certificate() -> dict:
    lhs, rhs = parse_statement("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
    return length_certificate(lhs, rhs, period=4, start=7, min_n=1).to_json()


def rehashed(obj: dict) -> dict:
    obj["rhs"] = LengthClaim.from_json(obj["length"]).text()
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    return obj


def test_the_lengths_of_two_chains_replay_as_equal_for_every_n():
    obj = chain_certificate()
    assert schema_violations(obj) == []
    theorem = replay(Certificate.from_json(obj))
    assert theorem.statement == ("len(conv(k[3], stride=2) >> conv(k[3], stride=2))(n) == "
                                 "len(conv(convolve(k[3], dilate(k[3], 2)), stride=4))(n)")
    assert theorem.scope == "every n >= 1"


def test_a_second_chain_of_another_length_is_rejected():
    obj = chain_certificate()
    obj["length"]["chain"] = "conv(convolve(k[3], dilate(k[3], 2)), stride=4, padding=1)"
    assert rejection(rehashed(obj)) == "step 0 (length_formula): at n = 5 the length is 0, the second chain has 1"


def test_a_second_chain_growing_differently_is_rejected():
    obj = chain_certificate()
    obj["length"]["chain"] = "conv(convolve(k[3], dilate(k[3], 2)), stride=2)"
    assert rejection(rehashed(obj)) == ("step 0 (length_formula): the length of conv(convolve(k[3], dilate(k[3], 2)), "
                                        "stride=2) grows by 2 per period 4, the length of conv(k[3], stride=2) >> "
                                        "conv(k[3], stride=2) by 1")


def test_a_claim_with_both_a_formula_and_a_chain_is_rejected():
    obj = chain_certificate()
    obj["length"]["formula"] = certificate("strided")["length"]["formula"]
    assert rejection(obj).startswith("length claim {")
    assert schema_violations(obj) != []
