"""certify=: the identity and length parts of a custom check's claim, replayed by the kernel, and the summary
that separates certified claims from those resting on a check= function alone."""

from __future__ import annotations

import textwrap

import pytest
import sympy

import symconv
from symconv.errors import InvalidArgument
from symconv.library import Evidence, run_theorem, shapes, theorem
from symconv.library.evidence import replayed_by_kernel
from symconv.library.registry import IdentitySpec, ShapesSpec

STRIDE4 = ("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
PADDED_BETWEEN = ("conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                  "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
n = sympy.Symbol("n")


def test_certify_declares_identities_and_length_formulas():
    t = theorem("t", check=lambda: Evidence("proved"), statement="s",
                certify=[STRIDE4, ("conv(k[3])", n - 2, 3)])
    identity, length = t.spec.certified
    assert identity == IdentitySpec(*STRIDE4)
    assert length == ShapesSpec("conv(k[3])", length=n - 2, min_n=3)


def test_a_check_with_a_replayed_identity_is_certified():
    r = run_theorem(theorem("t", check=lambda: Evidence("proved", "exact"), statement="s", certify=[STRIDE4]))
    assert (r.verdict, r.data["replayed"], r.data["custom_check"]) == ("proved", True, True)
    assert r.detail == "exact; 1 identity of the claim replayed by the kernel"
    assert r.data["certified_parts"] == [{"statement": "  ==  ".join(STRIDE4), "verdict": "proved",
                                          "replayed": True}]


def test_a_replayed_length_formula_is_a_certified_part():
    r = run_theorem(shapes("t", check=lambda: Evidence("proved", "exact"), statement="s",
                           certify=[("pad(0, 1) >> maxpool(2)", sympy.ceiling(n / 2))]))
    assert (r.verdict, r.data["replayed"]) == ("proved", True)
    assert r.detail.endswith("1 length formula of the claim replayed by the kernel")


def test_a_2d_output_shape_with_one_formula_per_axis_is_a_certified_part():
    r = run_theorem(shapes("t", check=lambda: Evidence("proved", "exact"), statement="s",
                           certify=[("conv2d(k[3, 5], stride=(2, 1))", (sympy.floor((n - 3) / 2) + 1, n - 4), 5)]))
    assert (r.verdict, r.data["replayed"]) == ("proved", True)
    assert r.detail.endswith("1 length formula of the claim replayed by the kernel")


def test_a_false_formula_on_one_axis_refutes_the_theorem_naming_the_axis():
    r = run_theorem(shapes("t", check=lambda: Evidence("proved"), statement="s",
                           certify=[("conv2d(k[3, 5])", (n - 2, n - 2), 5)]))
    assert (r.verdict, r.data["replayed"]) == ("refuted", False)
    assert r.detail == "certified part len(conv2d(k[3, 5])) = (n - 2, n - 2) for n >= 5: axis 2: lengths differ " \
                       "at n = 5: 1 against 3"
    assert r.counterexample == {"n": 5, "lhs": 1, "rhs": 3, "axis": 2}


def test_a_false_certified_part_refutes_the_theorem_with_its_counterexample_and_skips_the_check():
    ran = []
    r = run_theorem(theorem("t", check=lambda: ran.append(1) or Evidence("proved"), statement="s",
                            certify=[PADDED_BETWEEN]))
    assert (r.verdict, r.data["replayed"], ran) == ("refuted", False, [])
    assert r.detail.startswith("certified part " + "  ==  ".join(PADDED_BETWEEN) + ": refuted")
    assert r.counterexample["n"] >= 1


def test_a_check_without_certified_parts_is_marked_as_a_custom_check_without_replay():
    r = run_theorem(theorem("t", check=lambda: Evidence("proved"), statement="s"))
    assert r.data == {"custom_check": True}


def test_a_check_reports_its_own_proofs_with_replayed_by_kernel():
    proofs = [symconv.prove(*STRIDE4), symconv.prove("conv(k[2]) >> conv(j[2])", "conv(convolve(k, j))")]
    assert replayed_by_kernel(proofs)["replayed"] is True
    assert replayed_by_kernel(proofs)["replayed_proofs"] == 2
    assert replayed_by_kernel([symconv.prove(*PADDED_BETWEEN)])["replayed"] is False
    assert replayed_by_kernel([])["replayed"] is False


def test_certify_must_be_pairs_of_chains_or_a_chain_and_a_length():
    with pytest.raises(InvalidArgument) as err:
        theorem("t", check=lambda: Evidence("proved"), statement="s", certify=["conv(k[3])"])
    assert str(err.value) == (
        "theorem: certify=['conv(k[3])'] is invalid; expected a list of (lhs, rhs) chain pairs (identities) or "
        "(chain, length) pairs with length a SymPy expression in n (length formulas), optionally "
        "(chain, length, min_n); for an N-D chain, length is a tuple of SymPy expressions in n, one per axis")


def test_certify_without_a_check_is_rejected():
    with pytest.raises(InvalidArgument) as err:
        theorem("t", lhs=STRIDE4[0], rhs=STRIDE4[1], certify=[STRIDE4])
    assert str(err.value).startswith("theorem: certify=[") and str(err.value).endswith(
        "expected nothing without check= (an identity theorem is certified itself)")


LIBRARY_FILE = """
from symconv.library import Evidence, shapes, theorem

theorem("identity", lhs="conv(k[3], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)")
theorem("check_with_identity", check=lambda: Evidence("proved"), statement="s",
        certify=[("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")])
theorem("check_alone", check=lambda: Evidence("proved"), statement="an inequality")
shapes("lengths_at", "conv(k[3])", at={5: 3})
"""


def test_the_summary_separates_certified_claims_from_custom_checks(tmp_path):
    path = tmp_path / "lib.py"
    path.write_text(textwrap.dedent(LIBRARY_FILE))
    summary = symconv.check(path).summary()
    assert (summary["certified"], summary["replayed"], summary["certified_with_custom_check"]) == (2, 2, 1)
    assert (summary["proved_without_certificate"], summary["proved_by_custom_check"],
            summary["proved_by_exact_argument"]) == (2, 1, 1)
    assert summary["proved_without_certificate_names"] == ["check_alone", "lengths_at"]
