"""The tolerance rules' row sums read from the core's exact polynomials, without SymPy.

:func:`symconv.core.semantics_nd.outputs_exact_forms` and
:func:`symconv.core.exact_poly.affine_integer_form` against the SymPy route the
checker used before (the expanded outputs of :func:`symconv.core.semantics.evaluate`
/ :func:`symconv.core.semantics_nd.run_nd`, their coefficients read back); the
checker's :func:`~symconv.checker.tolerance.row_norms` against the same sums
computed from that route; tampered tolerance certificates of 2-D multi-channel
blocks still rejected.
"""

from __future__ import annotations

import itertools
import json
import random
from fractions import Fraction

import pytest
import sympy

from symconv.checker import Certificate, replay
from symconv.checker.tolerance import row_norms
from symconv.core.exact_poly import add_into, affine_integer_form, from_sympy, variable, variable_name
from symconv.core.semantics import evaluate, symbolic_input
from symconv.core.semantics_nd import outputs_exact_forms, run_nd, symbolic_input_nd
from symconv.dsl import parse_chain
from symconv.errors import CertificateError
from symconv.prover import prove

#: (chain, input shapes): 1-D and 2-D, several channels, groups, padding, stride, bias, transposed, affine, sums.
CASES = [
    ("conv([1/2, -3, 2/7], padding=1, bias=[1/3])", [(0,), (1,), (4,)]),
    ("conv([[[1, 1/2]], [[1/3, -2]]], groups=2, padding=1, bias=[1/5, -1])", [(1,), (3,)]),
    ("conv([[[1, 1/2], [2, 0]], [[1/3, -2], [1, 1]]], stride=2, padding=(1, 0)) >> affine([1/2, -3], [1, 0])",
     [(2,), (5,)]),
    ("conv2d([[1, 1/2], [0, -1/3]], padding=1, bias=[1/7])", [(0, 2), (1, 1), (2, 3)]),
    ("conv2d([[[[1, 1/2], [0, -1/3]]], [[[2, 0], [1/7, 1]]]], groups=2, padding=1, bias=[1/5, -1])", [(2, 2), (3, 1)]),
    ("conv_transpose2d([[[[1, 1/2], [0, -1/3]]], [[[2, 0], [1/7, 1]]]], stride=2, padding=1)", [(2, 2)]),
    ("(conv2d([[1, 0, 1/2], [0, -1/3, 1], [2, 0, 0]], padding=1) + affine(1/2, 1/4)) >> avgpool2d(2, stride=1)",
     [(2, 3), (3, 3)]),
]


def _sympy_route(layer, shape: tuple[int, ...], channels: int) -> tuple[tuple, dict]:
    """``(output shape, {(o, *i): {input name or 1: coefficient}})`` from the SymPy outputs (the former route)."""
    if len(shape) == 1:
        y = evaluate(layer, symbolic_input(shape[0], channels))
        out_shape = (len(y), *{len(c) for c in y})
        outputs = {(o, i): v for o, c in enumerate(y) for i, v in enumerate(c)}
    else:
        y = run_nd(layer, symbolic_input_nd(shape, channels))
        out_shape, outputs = (y.channels, *y.shape), y.values
    forms = {}
    for key, expr in outputs.items():
        terms = {}
        for term, coeff in sympy.expand(expr).as_coefficients_dict().items():
            assert isinstance(coeff, sympy.Rational)
            name = 1 if term == 1 else str(term)
            terms[name] = Fraction(int(coeff.p), int(coeff.q))
        if any(terms.values()):
            forms[key] = {k: v for k, v in terms.items() if v}
    return out_shape, forms


def _input_name(number: int) -> str:
    name = variable_name(number)
    return name[1] if name[0] == "t" else "_".join(map(str, name))  # ("t", "x_0", srepr) or ("x", m, j1, ...)


def _exact_route(layer, shape: tuple[int, ...], channels: int) -> tuple[tuple, dict]:
    out_shape, outputs, inputs = outputs_exact_forms(layer, shape, channels)
    forms = {}
    for key, p in outputs.items():
        P, d = affine_integer_form(p, inputs)
        forms[key] = {(1 if not m else _input_name(m[0])): Fraction(c, d) for m, c in P.items()}
    return out_shape, forms


@pytest.mark.parametrize("text, shapes", CASES)
def test_the_exact_forms_have_the_coefficients_of_the_sympy_outputs(text, shapes):
    layer = parse_chain(text)
    for shape in shapes:
        expected = _sympy_route(layer, shape, layer.in_channels or 1)
        assert _exact_route(layer, shape, layer.in_channels or 1) == expected, (text, shape)
        assert expected[1] or 0 in shape  # a case with outputs compares something


def test_the_input_variables_are_every_sample_of_the_input_and_nothing_else():
    layer = parse_chain("conv2d([[1, 1/2]])")
    _, _, inputs = outputs_exact_forms(layer, (2, 3), 1)
    assert sorted(_input_name(v) for v in inputs) == [f"x_0_{i}_{j}" for i in range(2) for j in range(3)]
    _, _, inputs = outputs_exact_forms(parse_chain("affine(2)"), (3,), 2)
    assert sorted(_input_name(v) for v in inputs) == ["x_0_0", "x_0_1", "x_0_2", "x_1_0", "x_1_1", "x_1_2"]


def test_an_affine_polynomial_gets_its_integer_form_and_any_other_none():
    x, y = (next(iter(variable(("x", 0, j))))[0] for j in (0, 1))
    assert affine_integer_form({(x,): Fraction(1, 6), (y,): -2, (): Fraction(3, 4)}, {x, y}) == (
        {(x,): 2, (y,): -24, (): 9}, 12)
    assert affine_integer_form({}, {x}) == ({}, 1)
    assert affine_integer_form({(x, y): 1}, {x, y}) is None  # degree 2
    assert affine_integer_form({(y,): 1}, {x}) is None  # a variable that is not an input
    tap = from_sympy(sympy.Symbol("k_0") * sympy.Symbol("x_7"))
    assert affine_integer_form(tap, {x, y}) is None
    atom = from_sympy(sympy.sqrt(2))
    assert affine_integer_form(atom, {x}) is None  # an irrational constant is an opaque atom, never a rational


def test_a_plain_sum_adds_cancels_and_keeps_new_coefficients_as_they_are():
    x, y = (next(iter(variable(("x", 0, j))))[0] for j in (0, 1))
    total = {(x,): Fraction(1, 3), (): 2}
    add_into(total, {(x,): Fraction(-1, 3), (y,): Fraction(5, 7), (): 1})  # x cancels, y is new, 2 + 1 = 3
    assert total == {(y,): Fraction(5, 7), (): 3} and type(total[()]) is int
    add_into(total, {(y,): Fraction(2, 7)})  # 5/7 + 2/7 = 1
    assert total == {(y,): 1, (): 3}
    add_into(total, {(y,): 1, (x,): 4}, Fraction(1, 2))  # a scale other than 1 multiplies
    assert total == {(y,): Fraction(3, 2), (x,): 2, (): 3}


def _reference_norms(lhs, rhs, shape: tuple[int, ...]) -> list[tuple]:
    channels = lhs.in_channels or rhs.in_channels or 1
    (left_shape, left), (right_shape, right) = _sympy_route(lhs, shape, channels), _sympy_route(rhs, shape, channels)
    assert left_shape == right_shape
    rows = []
    for key in itertools.product(*(range(m) for m in left_shape)):
        a, b = left.get(key, {}), right.get(key, {})
        d = {k: a.get(k, 0) - b.get(k, 0) for k in set(a) | set(b)}

        def split(terms: dict) -> tuple[Fraction, Fraction]:
            return sum((abs(v) for k, v in terms.items() if k != 1), Fraction(0)), abs(terms.get(1, Fraction(0)))

        rows.append((key, *split(d), *split(a), *split(b)))
    return rows


@pytest.mark.parametrize("lhs, rhs, shapes", [
    ("conv([1/2, -3, 2/7], padding=1, bias=[1/3])", "conv([1/2, -301/100, 2/7], padding=1, bias=[1/4])", [(1,), (4,)]),
    ("conv2d([[[[1, 1/2], [0, -1/3]]], [[[2, 0], [1/7, 1]]]], groups=2, padding=1, bias=[1/5, -1])",
     "conv2d([[[[1, 1/2], [0, -1/3]]], [[[2, 1/1000], [1/7, 1]]]], groups=2, padding=1, bias=[1/5, -1]) "
     ">> affine([1, 999/1000], [0, 1/3])", [(1, 1), (2, 3)]),
])
def test_the_row_norms_are_the_sums_of_the_sympy_coefficients(lhs, rhs, shapes):
    left, right = parse_chain(lhs), parse_chain(rhs)
    for shape in shapes:
        found = [(r.output, r.difference, r.offset, r.lhs_sum, r.lhs_constant, r.rhs_sum, r.rhs_constant)
                 for r in row_norms(left, right, shape, "here")]
        assert sorted(found) == _reference_norms(left, right, shape)


def test_a_symbolic_tap_is_refused_as_before():
    with pytest.raises(CertificateError, match=r"^here: the output k_0_0\*x_0_0_0 is not affine in the input with "
                                               r"rational coefficients; a tolerance is checked for numeric weights "
                                               r"only$"):
        row_norms(parse_chain("conv2d(k[1, 1])"), parse_chain("conv2d([[1]])"), (1, 1), "here")


def test_the_tap_tables_of_one_layer_object_are_never_read_for_another():
    first, second = parse_chain("conv2d([[1, 1/2]])"), parse_chain("conv2d([[1, 1/3]])")
    for _ in range(2):  # the second time each layer's tables are the kept ones
        a, b = (outputs_exact_forms(layer, (1, 2), 1)[1] for layer in (first, second))
        assert _exact_route(first, (1, 2), 1)[1] == {(0, 0, 0): {"x_0_0_0": 1, "x_0_0_1": Fraction(1, 2)}}
        assert _exact_route(second, (1, 2), 1)[1] == {(0, 0, 0): {"x_0_0_0": 1, "x_0_0_1": Fraction(1, 3)}}
        assert a != b


def _block(rng: random.Random, channels: int, move: int) -> tuple[str, list[Fraction]]:
    """(conv2d (3x3, padding 1) >> affine, its scales), dyadic values; ``move``: the tap W[0, 0, 1, 1] moved by
    that many 2^-12."""
    def tap() -> Fraction:
        return Fraction(rng.randint(-64, 64), 256)

    weights = [[[[tap() for _ in range(3)] for _ in range(3)] for _ in range(channels)] for _ in range(channels)]
    if move:
        weights[0][0][1][1] += Fraction(move, 4096)
    scale = [Fraction(rng.randint(32, 96), 64) for _ in range(channels)]
    shift = [Fraction(rng.randint(-8, 8), 16) for _ in range(channels)]

    def text(value) -> str:
        return "[" + ", ".join(map(text, value)) + "]" if isinstance(value, list) else str(value)

    return f"conv2d({text(weights)}, padding=1) >> affine({text(scale)}, {text(shift)})", scale


def _network(seed: int, move: int) -> str:
    rng = random.Random(seed)
    (first, _), (second, _) = _block(rng, 2, move), _block(rng, 2, 0)
    return f"(({first} >> relu() >> {second}) + pad((0, 0))) >> relu()"


def _rejection(obj: dict) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    return str(caught.value)


@pytest.fixture(scope="module")
def residual_certificate() -> dict:
    proof = prove(_network(0, 0), _network(0, 1), atol="1/100")
    assert proof.verdict == "proved", proof.note
    return json.loads(proof.certificate.dumps())


def test_a_two_channel_residual_block_certificate_replays(residual_certificate):
    theorem = replay(Certificate.from_json(residual_certificate))
    assert theorem.scope == "every input shape and every input with |x| <= 1, within atol=1/100, rtol=0"


@pytest.mark.parametrize("field, index", [("difference", 0), ("reach", 1), ("lipschitz", 0)])
def test_a_residual_block_claim_moved_by_the_smallest_step_is_rejected(residual_certificate, field, index):
    obj = json.loads(json.dumps(residual_certificate))
    branch = obj["steps"][0]["sums"][0]["branches"][0]
    stated = Fraction(branch[field][index])
    branch[field][index] = str(stated + Fraction(1, stated.denominator * 2 ** 20))
    assert f"{field} is {stated}, not the claimed" in _rejection(obj)


@pytest.fixture(scope="module")
def linear_certificate() -> dict:
    (lhs, _), (rhs, _) = _block(random.Random(5), 2, 0), _block(random.Random(5), 2, 3)
    proof = prove(lhs, rhs, atol="1/100")
    assert proof.verdict == "proved", proof.note
    obj = json.loads(proof.certificate.dumps())
    assert obj["steps"][0]["rule"] == "tolerance"
    return obj


def test_a_two_channel_linear_tolerance_certificate_replays_with_its_exact_gain(linear_certificate):
    # only W[0, 0, 1, 1] differs, by 3/4096, then times s_0: every row of channel 0 reading it differs by that
    scale = _block(random.Random(5), 2, 0)[1]
    assert Fraction(linear_certificate["steps"][0]["gain"]) == Fraction(3, 4096) * scale[0]
    replay(Certificate.from_json(linear_certificate))


@pytest.mark.parametrize("change", [Fraction(1, 2 ** 40), -Fraction(1, 2 ** 40)])
def test_a_linear_tolerance_gain_moved_by_a_tiny_step_is_rejected(linear_certificate, change):
    obj = json.loads(json.dumps(linear_certificate))
    stated = Fraction(obj["steps"][0]["gain"])
    obj["steps"][0]["gain"] = str(stated + change)
    assert f"the gain is {stated}, not the claimed {stated + change}" in _rejection(obj)


def test_a_linear_tolerance_atol_below_the_gain_is_rejected(linear_certificate):
    obj = json.loads(json.dumps(linear_certificate))
    stated = Fraction(obj["steps"][0]["gain"])
    obj["steps"][0]["atol"] = str(stated - Fraction(1, 2 ** 60))
    assert f"differ by up to {stated}, more than atol" in _rejection(obj)
