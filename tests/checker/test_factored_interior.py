"""The kernel's rule ``factored_interior``: deep 1-D conv chains against one layer, by the factors of the kernel."""

from __future__ import annotations

import random

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.factored_interior import factored_form, matrix_factors, rule_factored_interior
from symconv.checker.periodicity import equal_at
from symconv.core.exact_poly import add_product
from symconv.core.kernel import kernel, literal
from symconv.core.kernel_expr import convolve, dilate, exact_taps
from symconv.core.layers import conv
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.certify import factored_interior_certificate


def depth_statement(depth: int) -> tuple[str, str]:
    """``conv(k[3]) >> conv(k) >> ...`` (depth layers) against the one layer with the nested convolve kernel."""
    lhs = " >> ".join(["conv(k[3])"] + ["conv(k)"] * (depth - 1))
    nested = "k"
    for _ in range(depth - 1):
        nested = f"convolve({nested}, k)"
    return lhs, f"conv({nested})"


def closing_step(period: int, start: int, limit: int) -> CertificateStep:
    return CertificateStep(Rule.FACTORED_INTERIOR, (("limit", limit), ("period", period), ("start", start)))


def close(lhs: str, rhs: str, period: int = 1, start: int = 1, limit: int = 2) -> str:
    return rule_factored_interior(list(parse_statement(lhs, rhs)), closing_step(period, start, limit), "step 0")


def test_a_forty_layer_chain_equals_its_nested_convolve_kernel_for_every_n():
    lhs, rhs = parse_statement(*depth_statement(40))
    certificate = factored_interior_certificate(lhs, rhs)
    assert [dict(step.data) for step in certificate.steps] == [{"limit": 82, "period": 1, "start": 81}]
    assert replay(certificate).scope == "every input length"


def test_the_prover_proves_a_deep_chain_by_the_factored_rule():
    proof = prove(*depth_statement(12))
    assert proof.verdict == "proved"
    assert [step.rule for step in proof.certificate.steps] == [Rule.FACTORED_INTERIOR]


def test_a_shallow_chain_keeps_its_eventual_periodicity_certificate():
    proof = prove(*depth_statement(3))
    assert [step.rule for step in proof.certificate.steps] == [Rule.EVENTUAL_PERIODICITY]


def test_strides_and_dilations_give_the_exponents_of_the_factors():
    lhs, rhs = parse_statement("conv(k[2], stride=2) >> conv(j[3], dilation=3) >> conv(k)",
                               "conv(convolve(convolve(k, dilate(j, 6)), dilate(k, 2)), stride=2)")
    assert factored_form(lhs, "lhs") == factored_form(rhs, "rhs")
    assert factored_form(lhs, "lhs").describe() == "j[3](z^6) * k[2](z) * k[2](z^2)"
    certificate = factored_interior_certificate(lhs, rhs)
    assert [dict(step.data) for step in certificate.steps] == [{"limit": 18, "period": 2, "start": 16}]
    assert replay(certificate).scope == "every input length"


@pytest.mark.parametrize("lhs, rhs, message", [
    ("conv(k[3]) >> conv(j[3])", "conv(convolve(k, k))",
     "step 0: the interior kernels have different factors: j[3](z) * k[3](z) against k[3](z)^2"),
    ("conv(k[2]) >> conv(k)", "conv(convolve(k, k), stride=2)",
     "step 0: the sides read output i at stride 1, offset 0 and at stride 2, offset 0"),
    ("conv(k[2], padding=(1, 0)) >> conv(k)", "conv(convolve(k, k))",
     "step 0: the sides read output i at stride 1, offset 1 and at stride 1, offset 0"),
    ("conv(k[2], stride=2) >> conv(k)", "conv(convolve(k, k), stride=2)",
     "step 0: the interior kernels have different factors: k[2](z) * k[2](z^2) against k[2](z)^2"),
    ("conv([1, 2, 1])", "conv(convolve([1, 1], [1, 1]))",
     "step 0: the interior kernels have different factors: [1, 2, 1](z) against [1, 1](z)^2"),
])
def test_different_factors_or_geometry_are_refused(lhs, rhs, message):
    with pytest.raises(CertificateError) as caught:
        close(lhs, rhs)
    assert str(caught.value) == message


@pytest.mark.parametrize("lhs, message", [
    ("conv(k[2]) >> flip()", "layer 2 of conv(k[2]) >> flip(), flip(), is not a conv; the rule is for chains of "
                             "convolutions"),
    ("conv(k[2]) >> conv(k, padding=1)", "layer 2 of conv(k[2]) >> conv(k[2], padding=1), conv(k[2], padding=1), "
                                         "pads after the first layer, so an output can read across an inner edge; "
                                         "the rule needs every padding in front"),
    ("conv(W[2, 1, 2], groups=2) >> conv(V[1, 2, 2])",
     "layer 1 of conv(W[2, 1, 2], groups=2) >> conv(V[1, 2, 2]), conv(W[2, 1, 2], groups=2), is a grouped "
     "convolution; the rule is for convolutions with groups = 1"),
])
def test_layers_outside_plain_chains_are_refused(lhs, message):
    with pytest.raises(CertificateError) as caught:
        close(lhs, lhs)
    assert str(caught.value) == f"step 0: {message}"


def test_unequal_lengths_below_the_limit_are_refused():
    with pytest.raises(CertificateError) as caught:
        close("conv(k[2], padding=(0, 1)) >> conv(k)", "conv(convolve(k, k))", start=3, limit=4)
    assert str(caught.value) == "step 0: the output lengths differ at n = 2: 1 against 0"


def _product(polys: list) -> tuple:
    """``prod p(z)`` of exact tap lists, as one exact tap list."""
    result = [{(): 1}]
    for p in polys:
        out = [{} for _ in range(len(result) + len(p) - 1)]
        for i, x in enumerate(result):
            for j, y in enumerate(p):
                if x and y:
                    add_product(out[i + j], x, y)
        result = out
    return tuple({key: value for key, value in q.items() if value} for q in result)


def _random_kernel(rng: random.Random, depth: int):
    atoms = [kernel("k", 2), kernel("j", 3), literal([1, -2]), literal([2, 0, 1])]
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(atoms)
    if rng.random() < 0.6:
        return convolve(_random_kernel(rng, depth - 1), _random_kernel(rng, depth - 1))
    return dilate(_random_kernel(rng, depth - 1), rng.choice((2, 3)))


def test_the_factors_multiply_back_to_the_kernel_expression():
    rng = random.Random(7)
    for _ in range(30):
        expression = _random_kernel(rng, 3)
        polys = []
        for (atom, exponent), count in matrix_factors(expression)[0].items():
            taps = exact_taps(atom)[0][0]
            spread = [{} for _ in range(exponent * (len(taps) - 1) + 1)]
            for j, tap in enumerate(taps):
                spread[exponent * j] = tap
            polys += [spread] * count
        expected = tuple({key: value for key, value in q.items() if value} for q in exact_taps(expression)[0][0])
        assert _product(polys) == expected, expression


def _random_chain(rng: random.Random):
    layers = []
    for number in range(rng.randint(1, 3)):
        padding = (rng.randint(0, 1), rng.randint(0, 1)) if number == 0 else 0
        layers.append(conv(_random_kernel(rng, 1), stride=rng.choice((1, 1, 2)), dilation=rng.choice((1, 2)),
                           padding=padding))
    chain = layers[0]
    for layer in layers[1:]:
        chain = chain >> layer
    return chain


def _single_layer(chain):
    """The one conv with the nested kernel ``prod K_l(z^(d_l S_(l-1)))``, stride S and the first padding."""
    nested, stride = None, 1
    for layer in chain.layers():
        factor = layer.weight if layer.dilation * stride == 1 else dilate(layer.weight, layer.dilation * stride)
        nested = factor if nested is None else convolve(nested, factor)
        stride *= layer.stride
    return conv(nested, stride=stride, padding=chain.layers()[0].padding)


def test_accepted_random_pairs_agree_with_the_exact_semantics():
    rng = random.Random(11)
    accepted = 0
    for _ in range(60):
        lhs = _random_chain(rng)
        rhs = _single_layer(lhs) if rng.random() < 0.7 else _random_chain(rng)
        certificate = factored_interior_certificate(lhs, rhs)
        if certificate is None:
            continue
        step = certificate.steps[0]
        assert rule_factored_interior([lhs, rhs], step, "step 0") == "every input length"
        accepted += 1
        for n in range(0, step.get("limit") + 6):
            assert equal_at(lhs, rhs, n), (lhs, rhs, n)
    assert accepted >= 20
