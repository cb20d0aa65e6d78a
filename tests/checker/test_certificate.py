"""Certificates: every proof carries one, the kernel replays it, and a false statement cannot borrow one."""

from __future__ import annotations

import json

import pytest

from symconv.checker import Certificate, Rule, check_certificate, statement_hash
from symconv.errors import CertificateError
from symconv.prover import prove

PROVED = [
    ("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    ("pad(1) >> conv(k[5], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4, padding=1)"),
    ("conv(k[3], stride=2)", "conv(k) >> down(2)"),
    ("conv_transpose(k[3], stride=2, padding=1)", "up(2) >> conv(flip(k), padding=1)"),
    ("flip() >> conv(k[3]) >> flip()", "conv(flip(k))"),
    ("flip() >> conv(k[3], padding=(0, 1))", "conv(flip(k), padding=(1, 0)) >> flip()"),
    ("conv(k[3], padding=1) + conv([2])", "conv(k + padk([2], 1, 1), padding=1)"),
    ("conv(W[2, 1, 3], stride=2) >> conv(V[1, 2, 2], stride=2)", "conv(convolve(W, dilate(V, 2)), stride=4)"),
]


def restate(obj: dict, **sides: str) -> dict:
    """``obj`` with new sides and a hash that matches them (so that only the replay can catch a false one)."""
    obj.update(sides)
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    return obj


def roundtrip(certificate: Certificate) -> Certificate:
    return Certificate.from_json(json.loads(certificate.dumps()))


@pytest.mark.parametrize("lhs, rhs", PROVED)
def test_every_proved_identity_has_a_certificate_the_core_checker_accepts(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved"
    certificate = roundtrip(proof.certificate)
    assert certificate.steps[-1].rule is Rule.EVENTUAL_PERIODICITY
    check_certificate(certificate)


def test_flip_steps_are_recorded_for_the_sides_that_have_flips():
    proof = prove(*PROVED[5])
    rules = [s.rule for s in proof.certificate.steps]
    assert rules == [Rule.FLIP_CONJUGATION, Rule.FLIP_CONJUGATION, Rule.STRIP_INPUT_FLIP, Rule.EVENTUAL_PERIODICITY]


def tampered(index: int, **changes) -> dict:
    obj = json.loads(prove(*PROVED[index]).certificate.dumps())
    obj["steps"][-1].update(changes)
    return obj


def test_a_certificate_for_a_false_statement_is_rejected_by_evaluation():
    obj = restate(json.loads(prove(*PROVED[0]).certificate.dumps()),
                  rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=1)")
    with pytest.raises(CertificateError, match="eventual_periodicity"):
        check_certificate(Certificate.from_json(obj))


def test_padding_moved_inside_the_chain_cannot_borrow_a_valid_certificate():
    obj = restate(json.loads(prove(*PROVED[1]).certificate.dumps()),
                  lhs="conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                  rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    with pytest.raises(CertificateError):
        check_certificate(Certificate.from_json(obj))


def test_a_start_before_the_lengths_are_positive_is_rejected():
    with pytest.raises(CertificateError, match="intermediate length .* is 0 at n = 2"):
        check_certificate(Certificate.from_json(tampered(1, start=2)))


def test_a_period_that_does_not_move_the_strided_layers_rigidly_is_rejected():
    with pytest.raises(CertificateError, match="not a period"):
        check_certificate(Certificate.from_json(tampered(0, period=2, limit=9)))


def test_a_start_without_a_full_period_of_interior_outputs_is_rejected():
    # pad(1) >> conv(k[5], stride=2) >> conv(k, stride=2): lengths are positive from n = 11, but
    # until n = 16 no output of the stride-4 chain misses every edge.
    with pytest.raises(CertificateError, match="consecutive interior outputs between the ends at n = 12"):
        check_certificate(Certificate.from_json(tampered(1, start=12, limit=16)))


def test_a_certificate_without_the_closing_step_is_rejected():
    obj = json.loads(prove(*PROVED[4]).certificate.dumps())
    obj["steps"] = obj["steps"][:-1]
    with pytest.raises(CertificateError, match="ends before the statement is closed"):
        check_certificate(Certificate.from_json(obj))


def test_flip_conjugation_across_a_strided_layer_is_rejected():
    obj = restate({"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [],
                   "steps": [{"rule": "flip_conjugation", "side": "lhs"}]},
                  lhs="flip() >> conv(k[3], stride=2) >> flip()", rhs="conv(flip(k), stride=2)")
    with pytest.raises(CertificateError, match="flip conjugation does not apply"):
        check_certificate(Certificate.from_json(obj))


@pytest.mark.parametrize(
    "obj, message",
    [
        ([], "not a symconv certificate"),
        ({"format": "symconv-certificate", "version": 2, "lhs": "pad(1)"}, "without 'rhs'"),
        ({"format": "symconv-certificate/1", "lhs": "pad(1)", "rhs": "pad(1)", "steps": []},
         "not a symconv certificate"),
        ({"format": "symconv-certificate", "version": 1, "lhs": "pad(1)", "rhs": "pad(1)", "steps": []},
         "certificate version 1: this checker reads version 2"),
        (restate({"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [],
                  "steps": [{"rule": "magic"}]}, lhs="pad(1)", rhs="pad(1)"), "unknown rule 'magic'"),
        (restate({"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "steps": [3]},
                 lhs="pad(1)", rhs="pad(1)"), "step 0 is not an object"),
    ],
)
def test_malformed_certificates_raise_certificate_error(obj, message):
    with pytest.raises(CertificateError, match=message):
        Certificate.from_json(obj)


def test_refuted_statements_have_no_certificate():
    proof = prove("conv(k[3], padding=1) >> conv(k, padding=1)", "conv(convolve(k, k), padding=2)")
    assert proof.verdict == "refuted" and proof.certificate is None


def test_cli_writes_and_rechecks_a_certificate(tmp_path, capsys):
    from symconv.cli import main

    path = tmp_path / "cert.json"
    assert main(["prove", *PROVED[0], "--certificate", str(path)]) == 0
    capsys.readouterr()
    assert main(["recheck", str(path)]) == 0
    assert capsys.readouterr().out.startswith("valid:")
    obj = restate(json.loads(path.read_text()), rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=1)")
    path.write_text(json.dumps(obj))
    assert main(["recheck", str(path)]) == 1
    assert capsys.readouterr().out.startswith("rejected:")


# --- flips across strided layers: the residue_classes rule -------------------------------------

RESIDUE = ("flip() >> conv(k[3], stride=2) >> flip() >> up(2)", "flip() >> conv(k, stride=2) >> up(2) >> flip()")


def residue_certificate() -> dict:
    proof = prove(*RESIDUE)
    assert proof.verdict == "proved" and proof.decision.residue_classes
    obj = json.loads(proof.certificate.dumps())
    assert [s["rule"] for s in obj["steps"]] == ["residue_classes"]
    return obj


def test_a_residue_class_certificate_is_accepted_and_survives_json():
    obj = residue_certificate()
    assert check_certificate(Certificate.from_json(obj)).startswith(RESIDUE[0])


def test_a_false_statement_cannot_borrow_a_residue_certificate():
    obj = restate(residue_certificate(), rhs="flip() >> conv(k, stride=2) >> up(2) >> flip() >> conv([2])")
    with pytest.raises(CertificateError, match="differ"):
        check_certificate(Certificate.from_json(obj))


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(period=3), "not a multiple of the strides"),
    (lambda s: s.update(start=1), "intermediate length"),
    (lambda s: s.update(classes=s["classes"][:1]), "one \\[residue, from, period, limit\\] for each residue"),
    (lambda s: s.update(classes=[[r, f, 0, lim] for r, f, p, lim in s["classes"]]), "integers period"),
    (lambda s: s.update(classes=[[r, f, p, f + p - 1] for r, f, p, lim in s["classes"]]), "limit >= "),
    (lambda s: s.update(classes=[[r, f, p, 10_000] for r, f, p, lim in s["classes"]]), "exceeds"),
])
def test_tampered_residue_certificates_are_rejected(change, message):
    obj = residue_certificate()
    change(obj["steps"][0])
    with pytest.raises(CertificateError, match=message):
        check_certificate(Certificate.from_json(obj))


def test_down_with_a_phase_that_only_holds_for_odd_n_is_refuted_not_certified():
    proof = prove("flip() >> down(2) >> flip()", "down(2)")
    assert proof.verdict == "refuted" and proof.certificate is None
    forged = restate({"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [],
                      "steps": [{"rule": "residue_classes", "period": 2, "start": 1,
                                 "classes": [[0, 2, 2, 6], [1, 1, 2, 5]]}]},
                     lhs="flip() >> down(2) >> flip()", rhs="down(2)")
    with pytest.raises(CertificateError):
        check_certificate(Certificate.from_json(forged))
