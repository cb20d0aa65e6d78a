"""The kernel's rule ``length_formula`` on N-D chains: one quasi-affine formula per axis.

True 2-D and 3-D claims replay (each axis's formula in its own input length n_a); false ones are
refused naming the axis and the input length; 1-D claims keep their JSON form.
"""

from __future__ import annotations

import json

import pytest
import sympy

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.certificate import schema_violations
from symconv.checker.length_formula import LengthClaim, QuasiAffine
from symconv.core.layers_nd import output_shape
from symconv.dsl import parse_chain
from symconv.errors import CertificateError
from symconv.prover.certify import length_certificate
from tests.checker.tampering import rejection

n = sympy.Symbol("n")
half = sympy.floor((n - 1) / 2) + 1

#: (chain, formula per axis in that axis's n, period, start, min_n): true N-D length claims.
VALID = {
    "valid_2d": ("conv2d(W[2, 3, 3, 3])", (n - 2, n - 2), 1, 3, 3),
    "strided_2d": ("conv2d(k[3, 5], stride=(2, 1), padding=(1, 0))", (half, n - 4), 2, 5, 4),
    "pool_2d": ("conv2d(k[3, 3]) >> maxpool2d(2)", (sympy.floor(n / 2) - 1, sympy.floor(n / 2) - 1), 2, 4, 4),
    "up_2d": ("pad((1, 0), (0, 2)) >> conv2d(k[2, 3], stride=2) >> up((1, 3))", (half, 3 * half - 2), 2, 1, 1),
    "strided_3d": ("conv3d(k[3, 3, 2], stride=(1, 2, 3))",
                   (n - 2, sympy.floor((n - 3) / 2) + 1, sympy.floor((n - 2) / 3) + 1), 6, 3, 3),
}


def certificate(chain: str, formulas, period: int, start: int, min_n: int) -> dict:
    return length_certificate(parse_chain(chain), formulas, period=period, start=start, min_n=min_n).to_json()


@pytest.mark.parametrize("name", sorted(VALID))
def test_a_true_formula_per_axis_replays_for_every_claimed_shape(name):
    text, formulas, period, start, min_n = VALID[name]
    obj = certificate(text, formulas, period, start, min_n)
    theorem = replay(Certificate.from_json(obj))
    names = ", ".join(f"n{a + 1}" for a in range(len(formulas)))
    assert theorem.statement.startswith(f"len({parse_chain(text)!r})({names}) == (")
    assert theorem.scope == f"every {names} >= {min_n}"
    assert schema_violations(obj) == [] and len(obj["length"]["formulas"]) == len(formulas)


@pytest.mark.parametrize("name", sorted(VALID))
def test_the_formulas_per_axis_agree_with_the_core_output_shape(name):  # the claims above are true, not just accepted
    text, formulas, _, _, min_n = VALID[name]
    chain = parse_chain(text)
    for shape in [(min_n + i, min_n + 2 * i + 1, min_n + 3 * i)[:chain.ndim] for i in range(8)]:
        assert output_shape(chain, shape) == tuple(f.subs(n, m) for f, m in zip(formulas, shape))


def test_the_2d_claim_text_writes_each_formula_in_its_own_input_length():
    obj = certificate(*VALID["strided_2d"])
    assert obj["rhs"] == "(floor(n1/2 - 1/2) + 1, n2 - 4) for n1, n2 >= 4"


def test_a_wrong_formula_on_the_second_axis_is_refused_naming_the_axis_and_n():
    obj = certificate("conv2d(k[3, 5], stride=(2, 1), padding=(1, 0))", (half, n - 3), 2, 5, 5)
    assert rejection(obj) == "step 0 (length_formula), axis 2: at n2 = 5 the length is 1, the formula gives 2"


def test_a_wrong_formula_on_the_third_axis_is_refused_naming_the_axis_and_n():
    obj = certificate("conv3d(k[3, 3, 2], stride=(1, 2, 3))", (n - 2, sympy.floor((n - 3) / 2) + 1, sympy.floor(n / 3)),
                      6, 3, 3)
    assert rejection(obj) == "step 0 (length_formula), axis 3: at n3 = 5 the length is 2, the formula gives 1"


def test_a_formula_growing_at_the_wrong_rate_on_one_axis_is_refused():
    obj = certificate("conv2d(k[3, 3], stride=(1, 2))", (n - 2, n - 2), 2, 3, 3)
    assert rejection(obj) == "step 0 (length_formula), axis 2: the formula grows by 2 per period 2, the length of " \
                             "conv([1, 1, 1], stride=2) by 1"


def test_a_claim_with_one_formula_for_a_2d_chain_is_refused():
    obj = length_certificate(parse_chain("conv2d(k[3, 3])"), n - 2, period=1, start=3, min_n=3).to_json()
    assert rejection(obj) == "step 0 (length_formula): the claim gives 1 formula(s) for the 2-D chain " \
                             "conv2d(k[3, 3]); expected one per axis"


def test_a_claim_with_three_formulas_for_a_2d_chain_is_refused():
    obj = certificate("conv2d(k[3, 3])", (n - 2, n - 2, n - 2), 1, 3, 3)
    assert rejection(obj) == "step 0 (length_formula): the claim gives 3 formula(s) for the 2-D chain " \
                             "conv2d(k[3, 3]); expected one per axis"


def test_a_claim_with_two_formulas_for_a_1d_chain_is_refused():
    obj = certificate("conv(k[3])", (n - 2, n - 2), 1, 3, 3)
    assert rejection(obj) == "step 0 (length_formula): the claim gives 2 formula(s) for the 1-D chain conv(k[3]); " \
                             "expected one per axis"


def test_a_formula_edited_in_the_claim_no_longer_matches_the_rhs():
    obj = certificate(*VALID["valid_2d"])
    obj["length"]["formulas"][1]["constant"] = -1
    assert rejection(obj).startswith("the length certificate's rhs '(n1 - 2, n2 - 2) for n1, n2 >= 3' is not the "
                                     "text of its length claim '(n1 - 2, n2 - 1) for n1, n2 >= 3'")


def test_a_formula_edited_with_its_rhs_and_hash_is_refused_by_the_replay():
    obj = certificate(*VALID["valid_2d"])
    obj["length"]["formulas"][0]["constant"] = -1
    obj["rhs"] = LengthClaim.from_json(obj["length"]).text()
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    assert rejection(obj) == "step 0 (length_formula), axis 1: at n1 = 3 the length is 1, the formula gives 2"


def test_a_single_formula_in_the_formulas_list_is_refused():
    obj = certificate(*VALID["valid_2d"])
    obj["length"]["formulas"] = obj["length"]["formulas"][:1]
    with pytest.raises(CertificateError, match=r"^length claim: the formulas per axis .* must be 2 to 8 QuasiAffine "
                                               r"formulas \(a 1-D claim gives one formula\)$"):
        Certificate.from_json(obj)


def test_a_claim_with_both_formula_and_formulas_is_refused():
    obj = certificate(*VALID["valid_2d"])
    obj["length"]["formula"] = obj["length"]["formulas"][0]
    with pytest.raises(CertificateError, match=r"expected an object with exactly the keys \['min_n', 'modulus', "
                                               r"'residues'\] and one of 'formula', 'formulas', 'chain'$"):
        Certificate.from_json(obj)


def test_a_one_d_length_certificate_keeps_its_json_form():
    made = length_certificate(parse_chain("conv(k[3], stride=2)"), sympy.floor(n / 2 - sympy.Rational(3, 2)) + 1,
                              period=2, start=3, min_n=3).to_json()
    assert set(made["length"]) == {"formula", "min_n", "modulus", "residues"}
    assert made["rhs"] == "floor(n/2 - 3/2) + 1 for n >= 3"
    assert json.loads(json.dumps(made)) == Certificate.from_json(made).to_json()
    assert replay(Certificate.from_json(made)).statement == "len(conv(k[3], stride=2))(n) == floor(n/2 - 3/2) + 1"


def test_a_second_chain_claim_on_a_2d_chain_is_checked_per_axis():
    true = length_certificate(parse_chain("conv2d(k[3, 3], padding=1)"), parse_chain("pad((1, 1)) >> crop((1, 1))"),
                              period=1, start=1, min_n=1).to_json()
    assert replay(Certificate.from_json(true)).scope == "every n >= 1"
    false = length_certificate(parse_chain("conv2d(k[3, 3], padding=(1, 0))"),
                               parse_chain("pad((1, 1)) >> crop((1, 1))"), period=1, start=3, min_n=3).to_json()
    assert rejection(false) == "step 0 (length_formula), axis 2: at n2 = 3 the length is 1, the second chain has 3"


def test_the_quasi_affine_text_takes_the_axis_variable():
    assert QuasiAffine(1, 0, ((1, "1/2", "-3/2"),)).text("n2") == "floor(n2/2 - 3/2) + 1"
