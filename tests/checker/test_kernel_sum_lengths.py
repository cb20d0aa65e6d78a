"""The kernel replays no statement with a sum whose branch lengths are not decided equal for every input and every
value of the generic sizes (a sum whose branches differ is no network, DESIGN §1): the sum's constructor tries small
sizes only for two generic sizes on one axis or a max-pool that samples an empty input, and input lengths up to a
scan limit only; certificates of true statements with decided sums still replay."""

from __future__ import annotations

import json
import re

import pytest

import symconv.prover.congruence
import symconv.prover.proof
import symconv.prover.shared_layers
from symconv import prove
from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.errors import CertificateError

#: Accepted when built (two generic sizes: c, d = 1..8 tried), its branches differ from c = 16, d = 1 at n = 0.
TWO_SIZES = "(up(16) >> pad(0, 15) >> conv(k[c]) >> down(16)) + (up(16) >> pad(0, 15) >> conv(h[d]) >> down(16))"
#: Accepted when built (a padded max-pool: c = 1..16 tried), its branches differ from c = 17 at n = 0.
MAXPOOL = ("(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(k[c]) >> down(17)) + "
           "(maxpool(2, stride=1, padding=1) >> up(17) >> pad(0, 16) >> conv(h[3]) >> down(17))")
#: Accepted when built (n = 0 .. 200000 compared), its branches give 2 and 1 samples at n = 1310721.
LONG_PERIOD = "(down(4096) >> down(64) >> down(5)) + (down(4096) >> down(64) >> down(6))"
#: Equal branch lengths, but c = 1..256 compared where 1..291 decide every c: not decided when built.
LARGE_BOUND = "conv(k[c], stride=97) + (pad(0) >> conv(h[c], stride=97))"

#: A congruence at the shared sum, then the equal rest (conv(a) >> conv(b) against conv(convolve(a, b))).
SPLIT_AT_THE_SUM = (CertificateStep(Rule.CONGRUENCE, (("lhs", 0), ("rhs", 0))),
                    CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 4), ("period", 1), ("start", 3))))


def _after_the_sum(total: str) -> Certificate:
    return Certificate(f"({total}) >> conv(a[2]) >> conv(b[2])", f"({total}) >> conv(convolve(a[2], b[2]))",
                       SPLIT_AT_THE_SUM)


def _refusal(total: str, why: str, on_axis: str = "") -> str:
    return (f"the branch lengths of the sum {total}{on_axis} are not decided equal for every input length and every "
            f"value of the generic sizes: {why}; a sum whose branches may differ is no network, so the kernel "
            f"replays no statement about it")


MAXPOOL_WHY = ("the generic size c in a length offset that is not integer-affine in it, or with a max-pool that "
               "samples an empty input")


@pytest.mark.parametrize("total, why", [
    (TWO_SIZES, "several generic sizes (c, d) on one axis"),
    (MAXPOOL, MAXPOOL_WHY),
    (LONG_PERIOD, "input lengths compared up to 200000 only, short of one period past the last clamp"),
    (LARGE_BOUND, "the generic size c with a periodicity bound 291 past 256"),
])
def test_a_congruence_at_a_sum_whose_branch_lengths_are_not_decided_is_refused(total, why):
    with pytest.raises(CertificateError, match=f"^{re.escape(_refusal(total, why))}$"):
        replay(_after_the_sum(total))


@pytest.mark.parametrize("total, why", [(TWO_SIZES, "several generic sizes (c, d) on one axis"),
                                        (MAXPOOL, MAXPOOL_WHY)])
def test_the_certificate_a_search_proposes_at_such_a_sum_is_refused(total, why, monkeypatch):
    # the provers' own comparison of the sums switched off, they propose the split; every replay is recorded
    monkeypatch.setattr(symconv.prover.shared_layers, "check_sum_lengths", lambda *sides: "")
    monkeypatch.setattr(symconv.prover.congruence, "check_sum_lengths", lambda *sides: "")
    refused = []

    def recording_replay(certificate, *args):
        try:
            return replay(certificate, *args)
        except CertificateError as err:
            refused.append((certificate.lhs, str(err)))
            raise

    monkeypatch.setattr(symconv.prover.proof, "replay", recording_replay)
    lhs = f"({total}) >> conv(a[2]) >> conv(b[2])"
    proof = prove(lhs, f"({total}) >> conv(convolve(a, b))")
    assert proof.verdict == "unknown"
    assert (lhs, _refusal(total, why)) in refused


def test_a_nested_undecided_sum_is_refused_though_the_outer_branches_have_the_same_rows():
    total = f"(({TWO_SIZES}) >> conv(w[2])) + (({TWO_SIZES}) >> conv(v[2]))"
    certificate = Certificate(total, total, (CertificateStep(Rule.CONGRUENCE, (("lhs", 0), ("rhs", 0))),))
    refusal = _refusal(TWO_SIZES, "several generic sizes (c, d) on one axis")
    with pytest.raises(CertificateError, match=f"^{re.escape(refusal)}$"):
        replay(certificate)


def test_two_generic_sizes_on_one_axis_of_a_2d_sum_are_refused_on_that_axis():
    branch = "up((16, 1)) >> pad((0, 0), (15, 0)) >> conv2d({}) >> down((16, 1))"
    total = f"({branch.format('k[c, 2]')}) + ({branch.format('h[d, 2]')})"
    certificate = Certificate(total, total, (CertificateStep(Rule.CONGRUENCE, (("lhs", 0), ("rhs", 0))),))
    refusal = _refusal(total, "several generic sizes (c, d) on one axis", " on axis 1")
    with pytest.raises(CertificateError, match=f"^{re.escape(refusal)}$"):
        replay(certificate)


@pytest.mark.parametrize("lhs, rhs, scope", [
    ("(conv(k[3]) + (pad(1) >> conv(h[5]))) >> conv(a[2]) >> conv(b[2])",  # 1-D, concrete sizes
     "(conv(k[3]) + (pad(1) >> conv(h[5]))) >> conv(convolve(a, b))", "every input length"),
    ("(conv(k[c], padding=1) + (pad(1) >> conv(h[c]))) >> conv(a[2]) >> conv(b[2])",  # one generic size
     "(conv(k[c], padding=1) + (pad(1) >> conv(h[c]))) >> conv(convolve(a, b))", "every c >= 1"),
    ("(conv2d(k[3, 3]) + (pad((1, 1)) >> conv2d(h[5, 5]))) >> conv2d(a[2, 2]) >> conv2d(b[2, 2])",  # 2-D
     "(conv2d(k[3, 3]) + (pad((1, 1)) >> conv2d(h[5, 5]))) >> conv2d(convolve(a, b))", "every input shape"),
    ("(conv2d(k[c, 3], padding=(0, 1)) + conv2d(h[c, 1])) >> relu()",  # in a generic N-D statement
     "(conv2d(k[c, 3], padding=(0, 1)) + conv2d(h[c, 1])) >> relu()", "every c >= 1"),
])
def test_certificates_of_true_statements_with_decided_sums_still_replay(lhs, rhs, scope):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))
    assert scope in theorem.scope
