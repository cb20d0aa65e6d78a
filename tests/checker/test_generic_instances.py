"""Certificates of generic-length proofs: the kernel closes c = 1..C and says the rest rests on the generic argument."""

from __future__ import annotations

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, check_certificate
from symconv.checker.generic_instances import instantiate
from symconv.dsl import parse_chain, parse_statement
from symconv.errors import CertificateError
from symconv.prover import prove

STRIDE = ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")


def _generic(lhs: str, rhs: str, instances, symbol: str = "c") -> Certificate:
    step = CertificateStep(Rule.GENERIC_INSTANCES, (("instances", instances), ("symbol", symbol)))
    return Certificate(lhs, rhs, (step,))


@pytest.mark.parametrize("lhs, rhs", [
    STRIDE,
    ("conv(k[c]) >> up(2)", "up(2) >> conv(dilate(k, 2))"),
    ("flip() >> conv(k[c], padding=(0, 1)) >> flip()", "conv(flip(k), padding=(1, 0))"),
])
def test_instance_certificates_still_replay_and_rest_on_the_generic_argument(lhs, rhs):
    # new proofs carry a generic_argument step (tests/checker/test_generic_argument.py); the instances
    # certificate is what the prover falls back to outside that rule, and what older certificates hold
    from symconv.prover.generic import decide_generic
    from symconv.prover.generic_proof import _certificate

    left, right = parse_statement(lhs, rhs)
    certificate = _certificate(left, right, "c", decide_generic(left, right).period)
    closed = check_certificate(Certificate.from_json(certificate.to_json()))
    assert closed.endswith("for c = 1..6 and every input length; rests on generic_argument")


def test_a_forged_certificate_of_a_false_generic_statement_is_rejected():
    # dilation 3 instead of 2: equal at c = 1 only
    forged = _generic(STRIDE[0], "conv(convolve(k, dilate(k, 3)), stride=4)",
                      [[1, 1, 4, 5]] + [[c, 3 * c - 2, 4, 3 * c + 2] for c in range(2, 7)])
    with pytest.raises(CertificateError, match="c = 2"):
        check_certificate(forged)


@pytest.mark.parametrize("instances, symbol, message", [
    ([[1, 1, 4, 5]], "d", "no generic length d"),
    ([[1, 1, 4]], "c", r"\[c, start, period, limit\]"),
    ([[0, 1, 4, 5]], "c", "expected a length >= 1"),
    ([[1, 1, 4, 5]] * 17, "c", "1 to 16 instances"),
    ([[1, 1, 4, 5]], "c", r"cover c in \[1\]; .* C >= 6"),
    ([[c, 1, 4, 5] for c in (1, 2, 3, 4, 5, 7)], "c", r"cover c in \[1, 2, 3, 4, 5, 7\]"),
    ([[1, 1, 4, 3]] + [[c, 1, 4, 5] for c in range(2, 7)], "c", "limit >= start \\+ period"),
])
def test_malformed_generic_steps_are_rejected(instances, symbol, message):
    with pytest.raises(CertificateError, match=message):
        check_certificate(_generic(*STRIDE, instances, symbol))


def test_a_generic_argument_the_instances_contradict_is_not_proved():
    # false at n = 0 for c >= 4 (empty input: lengths c - 4 against c - 3, clamped at 0): the kernel
    # refuses the c = 4 instance, so the verdict cannot be proved whatever the generic argument says
    proof = prove("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k) >> crop(1)")
    assert proof.verdict != "proved" and proof.theorem is None


def test_instantiation_writes_the_length_into_sizes_only():
    chain = parse_chain("conv(W[2, 1, c]) >> conv([[[2], [1]]]) >> conv(padk(k[c], 1, 0), padding=1)")
    assert repr(instantiate(chain, {"c": 5})) == \
        "conv(W[2, 1, 5]) >> conv([[[2], [1]]]) >> conv(padk(k[5], 1, 0), padding=1)"


def test_a_generic_certificate_cut_to_c_1_is_rejected_by_recheck(tmp_path, capsys):
    import json

    from symconv.cli import main

    path = tmp_path / "cert.json"
    assert main(["prove", *STRIDE, "--certificate", str(path)]) == 0
    capsys.readouterr()
    assert main(["recheck", str(path)]) == 0
    assert "for every c >= 1 and every input length" in capsys.readouterr().out
    obj = json.loads(path.read_text())
    obj["steps"][0] = {"rule": "generic_instances", "symbol": "c", "instances": [[1, 1, 4, 5]]}
    path.write_text(json.dumps(obj))
    assert main(["recheck", str(path)]) == 1
    assert capsys.readouterr().out.startswith("rejected: step 0 (generic_instances): the instances cover c in [1]")


PREFIX_STABLE = [
    "conv(k[3], stride=2) >> conv(k, stride=2)",
    "pad(2, 0) >> conv(W[2, 1, 2], padding=(1, 0), dilation=2, bias=[1, 2]) >> conv(V[1, 2, 2], stride=3)",
    "up(2) >> crop(1, 2) >> down(3, phase=1) >> conv([1, -2, 1])",
]
NOT_PREFIX_STABLE = [
    "conv(k[3], padding=1)",
    "pad(0, 1) >> conv(k[2])",
    "conv_transpose(k[3], stride=2)",
    "avgpool(2)",
    "flip()",
]


@pytest.mark.parametrize("text", PREFIX_STABLE)
def test_a_prefix_stable_chain_on_a_prefix_of_the_input_gives_a_prefix_of_the_output(text):
    from symconv.checker.periodicity import prefix_stable
    from symconv.core.semantics import evaluate_exact, exact_input

    chain = parse_chain(text)
    assert prefix_stable(chain)
    channels = chain.in_channels or 1
    whole = evaluate_exact(chain, exact_input(24, channels))
    for n in range(25):
        part = evaluate_exact(chain, exact_input(n, channels))
        assert len(part) == len(whole)
        assert all(p == w[:len(p)] for p, w in zip(part, whole)), n


@pytest.mark.parametrize("text", NOT_PREFIX_STABLE)
def test_a_layer_that_reads_past_the_end_of_its_input_is_not_prefix_stable(text):
    from symconv.checker.periodicity import prefix_stable
    from symconv.core.semantics import evaluate_exact, exact_input

    chain = parse_chain(text)
    assert not prefix_stable(chain)
    if text not in ("avgpool(2)",):  # avgpool(2) happens to be prefix-stable; it is left out all the same
        whole = evaluate_exact(chain, exact_input(12))
        parts = [evaluate_exact(chain, exact_input(n)) for n in range(12)]
        assert any(p[0] != whole[0][:len(p[0])] for p in parts)


def test_equality_below_the_limit_names_the_first_length_where_two_prefix_stable_chains_differ():
    from symconv.checker.periodicity import equal_below

    equal_below(parse_chain("conv([1, 2]) >> conv([3])"), parse_chain("conv([3, 6])"), 20, "here")
    with pytest.raises(CertificateError, match="^here: the two sides differ at n = 2$"):
        equal_below(parse_chain("conv([1, 1])"), parse_chain("conv([1, 2])"), 20, "here")
    with pytest.raises(CertificateError, match="^here: the two sides differ at n = 1$"):
        equal_below(parse_chain("down(2)"), parse_chain("conv([1, 0])"), 20, "here")
