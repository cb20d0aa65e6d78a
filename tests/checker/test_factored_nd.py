"""The kernel's rule ``factored_interior`` on N-D chains: factors with an exponent vector, Lemma B on every axis."""

from __future__ import annotations

import random

import pytest

from symconv.checker import CertificateStep, Rule, replay
from symconv.checker.factored_interior import factored_form, matrix_factors, rule_factored_interior
from symconv.core.kernel_expr import convolve, dilate
from symconv.core.kernel import kernel, literal
from symconv.core.layers_nd import conv2d
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.prover import prove
from symconv.prover.factored import factored_interior_certificate_nd


def depth_statement(depth: int, conv: str = "conv2d", size: str = "3, 3") -> tuple[str, str]:
    """``conv2d(k[3, 3]) >> conv2d(k) >> ...`` (depth layers) against the one layer with the nested convolve kernel."""
    lhs = " >> ".join([f"{conv}(k[{size}])"] + [f"{conv}(k)"] * (depth - 1))
    nested = "k"
    for _ in range(depth - 1):
        nested = f"convolve({nested}, k)"
    return lhs, f"{conv}({nested})"


def close(lhs: str, rhs: str, period: int = 1, start: int = 1, limit: int = 2) -> str:
    step = CertificateStep(Rule.FACTORED_INTERIOR, (("limit", limit), ("period", period), ("start", start)))
    return rule_factored_interior(list(parse_statement(lhs, rhs)), step, "step 0")


def test_the_prover_proves_a_24_layer_2d_chain_by_the_factored_rule():
    proof = prove(*depth_statement(24))
    assert proof.verdict == "proved"
    assert [dict(step.data) for step in proof.certificate.steps] == [{"limit": 50, "period": 1, "start": 49}]
    assert [step.rule for step in proof.certificate.steps] == [Rule.FACTORED_INTERIOR]
    assert replay(proof.certificate).scope == "every input length"


def test_a_3d_chain_with_strides_and_dilations_per_axis_equals_its_nested_kernel():
    lhs, rhs = parse_statement(
        "conv3d(k[2, 2, 2], stride=(2, 1, 1), padding=(1, 0, 0)) >> conv3d(j[2, 1, 2], dilation=(1, 2, 1)) >> "
        "conv3d(k) >> conv3d(k) >> conv3d(k) >> conv3d(j)",
        "conv3d(convolve(k, dilate(convolve(convolve(j, dilate(j, (1, 2, 1))), convolve(k, convolve(k, k))), "
        "(2, 1, 1))), stride=(2, 1, 1), padding=(1, 0, 0))")
    assert factored_form(lhs, "lhs").describe() == ("j[2, 1, 2](z1^2, z2, z3) * j[2, 1, 2](z1^2, z2^2, z3) * "
                                                    "k[2, 2, 2](z1, z2, z3) * k[2, 2, 2](z1^2, z2, z3)^3")
    certificate = factored_interior_certificate_nd(lhs, rhs)
    assert [dict(step.data) for step in certificate.steps] == [{"limit": 12, "period": 2, "start": 10}]
    assert replay(certificate).scope == "every input length"
    proof = prove(*depth_statement(6, "conv3d", "2, 2, 2"))
    assert proof.verdict == "proved"
    assert [step.rule for step in proof.certificate.steps] == [Rule.FACTORED_INTERIOR]


def test_a_shallow_2d_chain_keeps_its_interior_operator_certificate():
    proof = prove(*depth_statement(3, size="2, 2"))
    assert [step.rule for step in proof.certificate.steps] == [Rule.INTERIOR_OPERATOR]


def test_dilate_multiplies_the_exponent_vector_axis_by_axis():
    k = kernel("k", 2, 2)
    factors = matrix_factors(convolve(dilate(k, (2, 3)), dilate(convolve(k, k), (1, 2))), (3, 1))[0]
    assert sorted((repr(atom), e, m) for (atom, e), m in factors.items()) == [("k[2, 2]", (3, 2), 2),
                                                                              ("k[2, 2]", (6, 3), 1)]


@pytest.mark.parametrize("lhs, rhs, message", [
    ("conv2d(k[2, 2], dilation=(2, 1)) >> conv2d(k)", "conv2d(convolve(dilate(k, (1, 2)), k))",
     "step 0: the interior kernels have different factors: k[2, 2](z1, z2) * k[2, 2](z1^2, z2) against "
     "k[2, 2](z1, z2) * k[2, 2](z1, z2^2)"),
    ("conv2d(k[2, 2], stride=(2, 1)) >> conv2d(k)", "conv2d(convolve(k, k), stride=(2, 1))",
     "step 0: the interior kernels have different factors: k[2, 2](z1, z2) * k[2, 2](z1^2, z2) against "
     "k[2, 2](z1, z2)^2"),
    ("conv2d(k[2, 2], stride=(1, 2)) >> conv2d(dilate(k, (1, 2)))", "conv2d(convolve(k, dilate(k, (1, 2))), "
                                                                    "stride=(2, 1))",
     "step 0: the sides read output i at stride (1, 2), offset (0, 0) and at stride (2, 1), offset (0, 0)"),
    ("conv2d(k[2, 2], padding=(0, 1)) >> conv2d(k)", "conv2d(convolve(k, k), padding=(1, 0))",
     "step 0: the sides read output i at stride (1, 1), offset (0, 1) and at stride (1, 1), offset (1, 0)"),
    ("conv2d(k[2, 2])", "conv(j[2])", "step 0: the sides have 2 and 1 axes"),
])
def test_different_factors_or_geometry_per_axis_are_refused(lhs, rhs, message):
    with pytest.raises(CertificateError) as caught:
        close(lhs, rhs)
    assert str(caught.value) == message


@pytest.mark.parametrize("lhs, message", [
    ("conv2d(k[2, 2]) >> conv2d(k, padding=(0, 1))",
     "layer 2 of conv2d(k[2, 2]) >> conv2d(k[2, 2], padding=(0, 1)), conv2d(k[2, 2], padding=(0, 1)), pads after "
     "the first layer, so an output can read across an inner edge; the rule needs every padding in front"),
    ("conv2d(W[2, 1, 2, 2], groups=2) >> conv2d(V[1, 2, 2, 2])",
     "layer 1 of conv2d(W[2, 1, 2, 2], groups=2) >> conv2d(V[1, 2, 2, 2]), conv2d(W[2, 1, 2, 2], groups=2), is a "
     "grouped convolution; the rule is for convolutions with groups = 1"),
    ("conv2d(k[2, 2]) >> down((1, 2))",
     "layer 2 of conv2d(k[2, 2]) >> down((1, 2)), down((1, 2)), is not a conv; the rule is for chains of "
     "convolutions"),
    ("conv2d(k[c, 2]) >> conv2d(k)",
     "layer 1 of conv2d(k[c, 2]) >> conv2d(k[c, 2]), conv2d(k[c, 2]), has a kernel of generic size; the rule "
     "needs integer sizes"),
])
def test_layers_outside_plain_nd_chains_are_refused(lhs, message):
    with pytest.raises(CertificateError) as caught:
        close(lhs, lhs)
    assert str(caught.value) == f"step 0: {message}"


def test_unequal_lengths_on_one_axis_are_refused_naming_the_axis():
    with pytest.raises(CertificateError) as caught:
        close("conv2d(k[2, 2], padding=((0, 0), (0, 1))) >> conv2d(k)", "conv2d(convolve(k, k))", start=3, limit=4)
    assert str(caught.value) == "step 0, axis 2: the output lengths differ at n = 2: 1 against 0"


# --- accepted random 2-D pairs against the core's exact N-D semantics -----------------------------------------

def _random_kernel(rng: random.Random, depth: int):
    atoms = [kernel("k", 2, 2), kernel("j", 1, 2), literal([[1, -2], [0, 1]])]
    if depth == 0 or rng.random() < 0.4:
        return rng.choice(atoms)
    if rng.random() < 0.6:
        return convolve(_random_kernel(rng, depth - 1), _random_kernel(rng, depth - 1))
    return dilate(_random_kernel(rng, depth - 1), (rng.choice((1, 2)), rng.choice((1, 2))))


def _random_chain(rng: random.Random):
    chain = None
    for number in range(rng.randint(1, 3)):
        padding = tuple((rng.randint(0, 1), rng.randint(0, 1)) for _ in range(2)) if number == 0 else 0
        layer = conv2d(_random_kernel(rng, 1), stride=(rng.choice((1, 1, 2)), rng.choice((1, 2))),
                       dilation=(rng.choice((1, 2)), rng.choice((1, 2))), padding=padding)
        chain = layer if chain is None else chain >> layer
    return chain


def _single_layer(chain):
    """The one conv2d with the nested kernel ``prod K_l(z^(e_l))``, stride ``S_L`` and the first padding."""
    nested, stride = None, (1, 1)
    for layer in chain.layers():
        exponent = tuple(d * s for d, s in zip(layer.dilations, stride))
        factor = layer.weight if exponent == (1, 1) else dilate(layer.weight, exponent)
        nested = factor if nested is None else convolve(nested, factor)
        stride = tuple(s * t for s, t in zip(stride, layer.strides))
    return conv2d(nested, stride=stride, padding=chain.layers()[0].paddings)


def test_accepted_random_2d_pairs_agree_with_the_exact_semantics():
    rng = random.Random(5)
    accepted = 0
    for _ in range(40):
        lhs = _random_chain(rng)
        rhs = _single_layer(lhs) if rng.random() < 0.7 else _random_chain(rng)
        certificate = factored_interior_certificate_nd(lhs, rhs)
        if certificate is None:
            continue
        step = certificate.steps[0]
        assert rule_factored_interior([lhs, rhs], step, "step 0") == "every input length"
        accepted += 1
        top = step.get("limit") + 3
        for shape in [(top, top)] + [(rng.randint(1, top), rng.randint(1, top)) for _ in range(3)]:
            x = signal_nd([[[rng.randint(-3, 3) for _ in range(shape[1])] for _ in range(shape[0])]], 2)
            assert run_nd(lhs, x) == run_nd(rhs, x), (lhs, rhs, shape)
    assert accepted >= 15
