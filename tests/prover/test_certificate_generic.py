"""Certificates of generic-length proofs: the checker closes the statement at each listed c."""

from __future__ import annotations

import pytest

from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.certificate import Certificate, CertificateStep, Rule, check_certificate
from symconv.prover.certificate_generic import instantiate_text

STRIDE = ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")


def _generic(lhs: str, rhs: str, instances, symbol: str = "c") -> Certificate:
    step = CertificateStep(Rule.GENERIC_INSTANCES, (("instances", instances), ("symbol", symbol)))
    return Certificate(lhs, rhs, (step,))


@pytest.mark.parametrize("lhs, rhs", [
    STRIDE,
    ("conv(k[c]) >> up(2)", "up(2) >> conv(dilate(k, 2))"),
    ("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k) >> crop(1)"),
])
def test_generic_proofs_carry_a_certificate_the_checker_replays(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and proof.certificate is not None
    assert "replayed" in proof.note
    closed = check_certificate(Certificate.from_json(proof.certificate.to_json()))
    assert "at c in [1, 2, 3, 4, 5, 6]" in closed and "not replayed" in closed


def test_a_forged_certificate_of_a_false_generic_statement_is_rejected():
    # dilation 3 instead of 2: equal at c = 1 only
    forged = _generic(STRIDE[0], "conv(convolve(k, dilate(k, 3)), stride=4)", [[1, 1, 4, 5], [2, 4, 4, 8]])
    with pytest.raises(CertificateError, match="c = 2"):
        check_certificate(forged)


@pytest.mark.parametrize("instances, symbol, message", [
    ([[1, 1, 4, 5]], "d", "no generic length d"),
    ([[1, 1, 4]], "c", r"\[c, start, period, limit\]"),
    ([[0, 1, 4, 5]], "c", "expected a length >= 1"),
    ([[1, 1, 4, 5]] * 17, "c", "1 to 16 instances"),
    ([[2, 1, 4, 3]], "c", "limit >= start \\+ period"),
])
def test_malformed_generic_steps_are_rejected(instances, symbol, message):
    with pytest.raises(CertificateError, match=message):
        check_certificate(_generic(*STRIDE, instances, symbol))


def test_instantiation_writes_the_length_into_sizes_only():
    text = "conv(W[2, 1, c]) >> conv([[[W_0_0_0]], [[1]]], stride=c2) >> conv(k[c])"
    assert instantiate_text(text, "c", 5) == "conv(W[2, 1, 5]) >> conv([[[W_0_0_0]], [[1]]], stride=c2) >> conv(k[5])"
