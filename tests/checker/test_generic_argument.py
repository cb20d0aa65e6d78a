"""The kernel's rule ``generic_argument``: a generic-length statement replayed for every c >= 1 and every n."""

from __future__ import annotations

import random

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, check_certificate, replay
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.dsl import parse_statement
from symconv.errors import CertificateError, SymconvError
from symconv.prover import prove
from symconv.prover.generic_lengths import common_period

STRIDE = ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")


def _argument(lhs: str, rhs: str, period: int, symbol: str = "c") -> Certificate:
    step = CertificateStep(Rule.GENERIC_ARGUMENT, (("period", period), ("symbol", symbol)))
    return Certificate(lhs, rhs, (step,))


def _concrete_equal(lhs, rhs, c: int, n: int) -> bool:
    x = exact_input(n, lhs.in_channels or rhs.in_channels or 1)
    try:
        return evaluate_exact(lhs, x, {"c": c}) == evaluate_exact(rhs, x, {"c": c})
    except SymconvError:
        return False


TRUE = [
    (*STRIDE, 4),
    ("pad(1) >> conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4, padding=1)", 4),
    ("conv(k[c], padding=(1, 0))", "pad(1, 0) >> conv(k)", 1),
    # 'same' on a kernel of length 2c - 1 pads c - 1 on each side (checked per residue of c - 1 mod 2)
    ("conv(dilate(k[c], 2), padding='same')", "pad(1) >> conv(dilate(k, 2), padding='same') >> crop(1)", 2),
    ("conv(k[c]) >> up(2)", "up(2) >> conv(dilate(k, 2))", 2),
    ("conv(k[c], stride=2) >> conv_transpose([1], stride=2)", "conv(k) >> down(2) >> up(2)", 2),
    ("down(2) >> pad(1) >> conv(k[c])", "pad(2) >> conv(dilate(k, 2)) >> down(2)", 2),
    ("conv(k[c], stride=2) + conv(g[c], stride=2)", "conv(k + g, stride=2)", 2),
    ("conv(W[3, 2, c], stride=2) >> conv(V[2, 3, c], stride=2)", "conv(convolve(W, dilate(V, 2)), stride=4)", 4),
    ("conv(flip(convolve(k[c], g[c])))", "conv(convolve(flip(g), flip(k)))", 1),
    # a flipped generic kernel across strides: checked for each residue of c - 1 mod 4
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(flip(convolve(k, dilate(k, 2))), stride=4)", 4),
    # flips of the signal, moved to the input by the checker's flip conjugation
    ("flip() >> conv(k[c], padding=(0, 2)) >> flip()", "conv(flip(k), padding=(2, 0))", 1),
]


@pytest.mark.parametrize("lhs, rhs, period", TRUE)
def test_true_generic_identities_are_closed_for_every_c_resting_on_nothing(lhs, rhs, period):
    theorem = replay(_argument(lhs, rhs, period))
    assert theorem.scope == "every c >= 1 and every input length" and theorem.rests_on == ()
    left, right = parse_statement(lhs, rhs)  # and they are true: the exact semantics at small c and n
    assert all(_concrete_equal(left, right, c, n) for c in range(1, 5) for n in range(13))


FALSE = [
    # the length offsets differ: n - c + 1 against n (true at c = 1 only)
    ("conv(k[c], padding='same')", "conv(k[c])", 1, "the output lengths differ at n = 2, c = 2: 2 and 1"),
    # on an empty input the left side has c - 4 samples (clamped), the right side c - 3
    ("conv_transpose(k[c], stride=2, padding=1)", "up(2) >> conv_transpose(k) >> crop(1)", 2,
     "the output lengths differ at n = 0, c = 5: 1 and 2"),
    (STRIDE[0], "conv(convolve(k, dilate(k, 3)), stride=4)", 4, "the output lengths differ at n = 20, c = 5: 2 and 1"),
    # equal lengths (n + 2) and bi-infinite operators, but the pad puts zeros where the right side has edge values
    ("conv(k[c], padding='same') >> pad(1)", "pad(1) >> conv(k, padding='same')", 2,
     r"zero extension fails: pad\(1\) reads beyond its input's window"),
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)", 4,
     r"the responses to the impulse at 0 \(input channel 0\) differ for c = 1 mod 4: output channel 0, the term "
     r"z\^-1 k\[0,0\]_0\(z\^-1\) k\[0,0\]_2\(z\^-2\) has 0 on the left, 1 on the right"),
    # 'same' pads floor((c - 1) / 2) on the left: the samples land on the zeros of up(2) when c is even
    ("conv(k[c], padding='same') >> up(2)", "up(2) >> conv(dilate(k, 2), padding='same')", 2,
     r"the responses to the impulse at 0 \(input channel 0\) differ for c = 2 mod 2"),
]


@pytest.mark.parametrize("lhs, rhs, period, message", FALSE)
def test_false_generic_identities_are_rejected_naming_the_failing_part(lhs, rhs, period, message):
    with pytest.raises(CertificateError, match=r"^step 0 \(generic_argument\): " + message):
        check_certificate(_argument(lhs, rhs, period))


@pytest.mark.parametrize("lhs, rhs, period, symbol, message", [
    ("conv(k[c]) >> conv(g[d])", "conv(g) >> conv(k)", 1, "c",
     r"the statement has the generic lengths \['c', 'd'\]; the rule takes exactly one, c"),
    (*STRIDE, 4, "d", r"the generic lengths \['c'\]; the rule takes exactly one, d"),
    (*STRIDE, 3, "c", "period 3 is not a multiple of the strides"),
    (*STRIDE, 65, "c", r"period \(an integer in 1..64\)"),
    ("conv(k[c]) >> relu()", "relu() >> conv(k)", 1, "c", r"relu\(\) is outside the generic_argument rule"),
    ("conv(k[c], bias=[1])", "conv(k, bias=[1])", 1, "c", "has groups or a bias, outside the generic_argument rule"),
    ("flip() >> conv(k[c])", "conv(k)", 1, "c", r"a flip\(\) of the input on one side only"),
])
def test_statements_outside_the_rule_are_refused_naming_what_is_outside(lhs, rhs, period, symbol, message):
    with pytest.raises(CertificateError, match=message):
        check_certificate(_argument(lhs, rhs, period, symbol))


def test_a_certificate_whose_statement_was_changed_is_rejected():
    proof = prove(*STRIDE)
    steps = proof.certificate.steps
    assert [s.rule for s in steps] == [Rule.GENERIC_ARGUMENT]
    tampered = Certificate(STRIDE[0], "conv(convolve(k, dilate(k, 2)), stride=4, padding=(0, 1))", steps)
    with pytest.raises(CertificateError, match=r"step 0 \(generic_argument\): the output lengths differ"):
        replay(tampered)


@pytest.mark.parametrize("lhs, rhs", [
    STRIDE,
    ("conv(k[c]) >> up(2)", "up(2) >> conv(dilate(k, 2))"),
    ("flip() >> conv(k[c], padding=(0, 1)) >> flip()", "conv(flip(k), padding=(1, 0))"),
    ("conv(flip(k[c]), stride=2) >> conv(flip(k), stride=2)", "conv(flip(convolve(k, dilate(k, 2))), stride=4)"),
])
def test_generic_proofs_carry_one_generic_argument_step_and_rest_on_nothing(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved" and proof.rests_on == ()
    assert [step.rule for step in proof.certificate.steps] == [Rule.GENERIC_ARGUMENT]
    closed = check_certificate(Certificate.from_json(proof.certificate.to_json()))
    assert closed.endswith(" for every c >= 1 and every input length")


# Brute force: random chains with one generic length, against the exact semantics at c = 1..6, n = 0..20.
LAYERS = ["conv(K, stride=2)", "conv(K, padding=(1, 0))", "conv(K, dilation=2)", "conv(flip(K))", "conv([1, 2])",
          "conv(K, padding='same')", "conv(dilate(K, 2), padding='same')", "conv(flip(K), stride=2)",
          "conv_transpose(K, stride=2)", "conv_transpose(K, stride=2, padding=1, output_padding=1)",
          "conv_transpose([1, -1], stride=2, padding=1)", "pad(1, 0)", "pad(0, 2)", "crop(1, 0)", "down(2)",
          "down(2, phase=1)", "up(2)", "avgpool(2)", "avgpool(3, stride=2, padding=1)", "flip()"]
REWRITES = {  # true rewrites, and near misses
    "conv(K, stride=2)": ["conv(K) >> down(2)", "conv(K) >> down(2, phase=1)",
                          "flip() >> conv(flip(K), stride=2) >> flip()"],
    "conv(K, padding=(1, 0))": ["pad(1, 0) >> conv(K)", "pad(0, 1) >> conv(K)",
                                "flip() >> conv(flip(K), padding=(0, 1)) >> flip()"],
    "conv(K, dilation=2)": ["conv(dilate(K, 2))", "conv(dilate(K, 3))"],
    "conv(flip(K))": ["flip() >> conv(K) >> flip()", "conv(K)"],
    "conv_transpose(K, stride=2)": ["up(2) >> conv_transpose(K)",
                                    "up(2) >> pad(0, 1) >> conv(flip(K), padding=(2, 1))"],
    "up(2)": ["up(2) >> pad(0)", "up(2) >> pad(1, 0) >> crop(0, 1)", "flip() >> up(2) >> flip()"],
    "down(2)": ["down(2) >> crop(0)", "crop(1, 0) >> down(2, phase=1)", "flip() >> down(2) >> flip()"],
    "avgpool(2)": ["conv([1/2, 1/2])", "conv([1/2, 1/2], stride=2)"],
}


def _random_pair(rng: random.Random) -> tuple[str, str]:
    layers = [rng.choice(LAYERS) for _ in range(rng.randint(1, 3))]
    if not any("K" in layer for layer in layers):
        layers.insert(rng.randrange(len(layers) + 1), "conv(K)")
    other = [rng.choice(REWRITES.get(layer, [layer])) for layer in layers]
    if rng.random() < 0.3:  # a layer replaced at random: mostly false
        other[rng.randrange(len(other))] = rng.choice(LAYERS)
    lhs = " >> ".join(layers).replace("K", "k[c]", 1).replace("K", "k")
    return lhs, " >> ".join(other).replace("K", "k")




def test_whenever_the_rule_accepts_random_chains_agree_at_every_small_c_and_n():
    rng = random.Random(14)
    accepted = rejected = 0
    for _ in range(120):
        lhs_text, rhs_text = _random_pair(rng)
        try:
            lhs, rhs = parse_statement(lhs_text, rhs_text)
        except SymconvError:
            continue
        period = common_period(lhs, rhs) * 2
        try:
            replay(_argument(repr(lhs), repr(rhs), period), (lhs, rhs))
        except CertificateError:
            rejected += 1
            continue
        accepted += 1
        bad = [(c, n) for c in range(1, 7) for n in range(21) if not _concrete_equal(lhs, rhs, c, n)]
        assert not bad, f"{lhs_text} == {rhs_text} accepted but different at (c, n) = {bad[0]}"
    assert accepted >= 20 and rejected >= 20, (accepted, rejected)


def test_the_prover_falls_back_to_the_instances_when_the_kernel_refuses_its_argument(monkeypatch):
    import symconv.prover.generic_proof as generic_proof

    monkeypatch.setattr(generic_proof, "_argument_certificate", lambda lhs, rhs, name, period: _argument(
        repr(lhs), repr(rhs), period + 1, name))  # a period the kernel refuses
    proof = prove(*STRIDE)
    assert proof.verdict == "proved" and proof.rests_on == ("generic_argument",)
    assert [step.rule for step in proof.certificate.steps] == [Rule.GENERIC_INSTANCES]
