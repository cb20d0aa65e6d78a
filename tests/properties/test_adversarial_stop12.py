"""Adversarial regression and property tests for the newest kernel rules and prover routes.

A ``proved`` verdict must never be wrong. Each regression test names a statement, the verdict it must get
and why; the randomized tests (fixed seeds) compare every ``proved`` verdict with the exact semantics
(Fraction arithmetic through :func:`symconv.numeric.evaluate.evaluate_numeric` /
:func:`symconv.numeric.evaluate_nd.evaluate_nd_numeric`) at every input size below the receptive field and
past it, n = 0 and 1 included, and for a generic length at c = 1..6. Routes: ``padding_as_pad`` with
``prover/shared_layers.py``, ``factored_interior``, ``generic_argument`` / ``generic_interior_nd``,
``tolerance_network``, ``relu_pairing``.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from symconv.dsl import parse_statement
from symconv.errors import SymconvError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.numeric.symbols import random_bindings
from symconv.numeric.symbols_nd import random_bindings_nd
from symconv.prover import prove


def _first_difference(lhs: str, rhs: str, sizes=None, channels: int = 1, largest: int = 12, seed: int = 0):
    """The first input (as ``(size, input)``) on which the two sides differ exactly, or None."""
    left, right = parse_statement(lhs, rhs)
    rng = np.random.default_rng(seed)
    ndim = max(left.ndim, right.ndim)
    for _ in range(2):
        if ndim == 1:
            bindings = random_bindings([left, right], rng, low=-3, high=3, sizes=sizes)
            shapes = [(n,) for n in range(largest)]
        else:
            bindings = random_bindings_nd([left, right], rng, sizes=sizes)
            shapes = list(itertools.product(range(5), repeat=ndim))
        for shape in shapes:
            x = rng.integers(-3, 4, size=(channels,) + shape)
            if ndim == 1:
                a, b = (evaluate_numeric(side, x, bindings, sizes, exact=True) for side in (left, right))
            else:
                a, b = (evaluate_nd_numeric(side, x, bindings, True, sizes) for side in (left, right))
            if a.shape != b.shape or not (a == b).all():
                return shape, x.tolist()
    return None


def _assert_proof_is_true(lhs: str, rhs: str, generic: bool = False, channels: int = 1) -> str:
    """Prove; when ``proved``, no input (at c = 1..6 for a generic length) may tell the sides apart."""
    try:
        verdict = prove(lhs, rhs).verdict
    except SymconvError:
        return "error"
    if verdict == "proved":
        for sizes in ([{"c": c} for c in range(1, 7)] if generic else [None]):
            assert _first_difference(lhs, rhs, sizes, channels) is None, (lhs, rhs, sizes)
    return verdict


# --- regressions -------------------------------------------------------------------------------------------

def test_kernel_literal_beyond_double_precision_is_not_proved_equal_to_one():
    # conv([1]) != conv([1.00000000000000000001]): the taps differ by 1e-20; expected refuted (x = [1]).
    assert prove("conv([1])", "conv([1.00000000000000000001])").verdict == "refuted"


def test_kernel_literal_that_underflows_a_float_is_not_proved_zero():
    # conv([0]) != conv([1e-400]): at x = [1] the outputs are 0 and 10^-400; expected refuted.
    assert prove("conv([0])", "conv([1e-400])").verdict == "refuted"


def test_input_bound_beyond_double_precision_keeps_the_relu():
    # Under |x| <= 0.5000000000000000001, relu(2x + 1) != 2x + 1 at x = [-0.5000000000000000001]:
    # lhs 0, rhs -2e-19. Expected refuted (or at least not proved).
    proof = prove("affine(2, 1) >> relu()", "affine(2, 1)", assume=["abs(x) <= 0.5000000000000000001"])
    assert proof.verdict == "refuted"


def test_a_trailing_zero_pad_after_shared_layers_is_proved():
    # true for every n (pad(0) is the identity); W and V have 208 taps, so the shared-layers split is tried
    lhs = "conv(W[8, 1, 13], padding=1) >> relu() >> conv(V[1, 8, 13])"
    assert prove(lhs, "conv(W, padding=1) >> relu() >> conv(V) >> pad(0)").verdict == "proved"


def test_decimal_literal_that_a_float_reads_exactly_is_still_proved():
    # the guard for the fixes above: 0.5 is 1/2 exactly, so this identity is true and proved
    assert prove("conv([0.5, 1])", "conv([1/2, 1])").verdict == "proved"


@pytest.mark.parametrize("lhs, rhs, verdict", [
    ("avgpool(2, padding=1)", "pad(1) >> avgpool(2)", "proved"),  # count_include_pad=True: padding is zeros
    ("conv(k[4], padding='same')", "pad(1, 2) >> conv(k)", "proved"),  # PyTorch's split: the extra zero right
    ("conv(k[4], padding='same')", "pad(2, 1) >> conv(k)", "refuted"),
    ("conv_transpose(k[3], padding=1)", "pad(1) >> conv_transpose(k)", "refuted"),  # transposed padding crops
    ("conv_transpose(k[3], padding=1)", "conv_transpose(k) >> crop(1)", "proved"),
    ("conv2d(k[3, 3], padding=((1, 0), (0, 2)))", "pad((1, 0), (0, 2)) >> conv2d(k)", "proved"),
    ("conv2d(k[3, 3], padding=((1, 0), (0, 2)))", "pad((1, 0), (2, 0)) >> conv2d(k)", "refuted"),
    ("conv2d(k[3, 3], padding=((1, 0), (0, 2)))", "pad((1, 2), (0, 0)) >> conv2d(k)", "refuted"),
])
def test_padding_written_as_pad_gets_the_verdict_the_semantics_gives(lhs, rhs, verdict):
    assert _assert_proof_is_true(lhs, rhs) == verdict


@pytest.mark.parametrize("lhs, rhs, verdict", [
    ("conv(flip(k[c]), padding='same')", "flip() >> conv(k, padding='same') >> flip()", "refuted"),  # even c
    ("conv(flip(k[c]))", "flip() >> conv(k) >> flip()", "proved"),
    ("conv(k[c], stride=3, padding=1)", "pad(1, 0) >> conv(k) >> down(3)", "refuted"),
    ("conv(padk(k[c], 1, 0))", "pad(1, 0) >> conv(k) >> crop(0, 1)", "refuted"),
    ("conv(padk(k[c], 1, 0))", "crop(1, 0) >> conv(k)", "proved"),
    ("conv2d(k[c, 3], stride=(2, 1)) >> conv2d(k)", "conv2d(convolve(k, dilate(k, (1, 2))), stride=(2, 1))",
     "refuted"),
    ("conv2d(k[c, c], stride=(1, 2)) >> conv2d(k)", "conv2d(convolve(k, dilate(k, (1, 2))), stride=(1, 2))",
     "proved"),
    ("conv2d(k[3, c], padding=((1, 0), (0, 2)))", "pad((1, 0), (2, 0)) >> conv2d(k)", "refuted"),
])
def test_generic_length_edge_cases_get_the_verdict_c_1_to_6_give(lhs, rhs, verdict):
    assert _assert_proof_is_true(lhs, rhs, generic=True) == verdict


@pytest.mark.parametrize("lhs, rhs, verdict", [
    # k1(z) k2(z^2) against k2(z) k1(z^2): the same kernels in the other order around a stride
    ("conv([1, 2], stride=2) >> conv([1, 1, 1]) >> conv(a[2]) >> conv(b[3]) >> conv([2, 1]) >> conv(a)",
     "conv([1, 1, 1], stride=2) >> conv([1, 2]) >> conv(a[2]) >> conv(b[3]) >> conv([2, 1]) >> conv(a)", "refuted"),
    ("conv([1, 2], padding=1) >> conv(a[2], stride=2) >> conv([1, 1, 1]) >> conv(b[3], dilation=2) "
     ">> conv([2, 1]) >> conv(a)",
     "conv([1, 2], padding=1) >> conv(a[2], stride=2) >> conv(a) >> conv(b[3], dilation=2) "
     ">> conv([2, 1]) >> conv([1, 1, 1])", "proved"),
    ("conv([1, 2]) >> conv([1, 2], padding=1) >> conv([1, 1]) >> conv([2, 1]) >> conv([1, 0, 1]) >> conv([1, 1])",
     "conv([1, 2], padding=1) >> conv([1, 2]) >> conv([1, 1]) >> conv([2, 1]) >> conv([1, 0, 1]) >> conv([1, 1])",
     "refuted"),
    ("conv(dilate([1, 2], 2), stride=2, padding=1) >> conv([1, 2], dilation=2) >> conv([1]) >> conv([1]) "
     ">> conv([1]) >> conv([1])",
     "conv([1, 2], stride=2, padding=1) >> conv(dilate([1, 2], 2), dilation=2) >> conv([1]) >> conv([1]) "
     ">> conv([1]) >> conv([1])", "refuted"),
])
def test_deep_chains_get_the_verdict_the_semantics_gives(lhs, rhs, verdict):
    assert _assert_proof_is_true(lhs, rhs) == verdict


# --- randomized properties (fixed seeds) -------------------------------------------------------------------

def _factored_pairs(count: int, seed: int):
    rng = random.Random(seed)
    atoms = ["[1, 2]", "[1, -1]", "[2, 1]", "[1, 1, 1]", "[1, 0, 1]", "a[2]", "b[3]"]
    for _ in range(count):
        def kernel():
            base = rng.choice(atoms)
            r = rng.random()
            if r < 0.2:
                return f"convolve({base}, {rng.choice(['[1, 2]', 'a[2]', 'dilate([1, 2], 2)'])})"
            return f"dilate({base}, {rng.choice([2, 3])})" if r < 0.35 else base
        layers = [(kernel(), rng.choice([1, 1, 1, 2]), rng.choice([1, 1, 2]),
                   f", padding={rng.choice([0, 1, (1, 0)])}" if i == 0 or rng.random() < 0.07 else "")
                  for i in range(6)]
        other = list(layers)
        if rng.random() < 0.5:
            kernels = [layer[0] for layer in other]
            rng.shuffle(kernels)
            other = [(k,) + layer[1:] for k, layer in zip(kernels, other)]
        else:
            i, j = rng.randrange(6), rng.randrange(6)
            other[i], other[j] = other[j], other[i]
        text = [" >> ".join(f"conv({k}, stride={s}, dilation={d}{p})" for k, s, d, p in side)
                for side in (layers, other)]
        yield text[0], text[1]


def test_random_deep_chains_are_proved_only_when_true():
    verdicts = [_assert_proof_is_true(lhs, rhs) for lhs, rhs in _factored_pairs(40, seed=12)]
    assert "proved" in verdicts and "refuted" in verdicts  # the sample exercises both outcomes


def _generic_pairs(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        stride = rng.choice([1, 2, 3])
        padding = rng.choice([0, 1, (1, 0)] + (["'same'"] if stride == 1 else []))
        kernel = rng.choice(["k[c]", "flip(k[c])", "dilate(k[c], 2)", "padk(k[c], 1, 0)"])
        first = f"conv({kernel}, stride={stride}, padding={padding})"
        after = rng.choice(["", " >> down(2)", " >> up(2)", " >> flip()", " >> crop(1, 0)", " >> pad(0, 1)"])
        lhs = first + after
        as_pad = {0: "pad(0)", 1: "pad(1)", (1, 0): "pad(1, 0)"}
        rewrites = [f"flip() >> conv(flip({kernel}), stride={stride}, padding={padding}) >> flip(){after}",
                    f"{first} >> pad(1, 0) >> crop(0, 1){after}",
                    f"{first} >> up(2) >> down(2){after}"]
        if padding in as_pad:
            rewrites.append(f"{as_pad[padding]} >> conv({kernel}) >> down({stride}){after}")
        rhs = rng.choice(rewrites)
        yield lhs, rhs.replace("flip(flip(k[c]))", "k[c]")


def test_random_generic_length_statements_are_proved_only_when_true_at_c_1_to_6():
    verdicts = [_assert_proof_is_true(lhs, rhs, generic=True) for lhs, rhs in _generic_pairs(24, seed=12)]
    assert "proved" in verdicts


def _relu_pair_statements(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        taps = [rng.choice([-2, -1, 1, 2]) for _ in range(2)]
        out = rng.choice([1, 2, 3])
        bias = rng.choice([0, 1])
        negated = [-t for t in taps] if rng.random() < 0.8 else taps
        second = [out, -out] if rng.random() < 0.8 else [out, out]
        other_bias = -bias if rng.random() < 0.8 else bias
        padding = rng.choice([0, 1])
        lhs = (f"conv([[{taps}], [{negated}]], bias=[{bias}, {other_bias}]) >> relu() "
               f">> conv([[[{second[0]}], [{second[1]}]]], padding={padding})")
        rhs = f"conv({taps}, bias=[{bias}]) >> conv([{out}], padding={padding})"
        yield lhs, rhs


def test_random_negated_relu_pairs_are_proved_only_when_true():
    verdicts = [_assert_proof_is_true(lhs, rhs) for lhs, rhs in _relu_pair_statements(16, seed=12)]
    assert "proved" in verdicts and "refuted" in verdicts


#: a 101-tap literal kernel: two of them make the sides large enough (>= 200 taps) for the shared-layers split
_LONG = str([(-1) ** j * (j % 3 + 1) for j in range(101)])


@pytest.mark.parametrize("lhs, rhs, verdict", [
    (f"conv({_LONG}, padding=1) >> relu() >> conv({_LONG}, padding=(0, 1))",
     f"pad(1) >> conv({_LONG}) >> relu() >> pad(0, 1) >> conv({_LONG})", "proved"),
    (f"conv({_LONG}, padding=1) >> relu() >> conv({_LONG}, padding=(0, 1))",
     f"pad(1) >> conv({_LONG}) >> relu() >> pad(1, 0) >> conv({_LONG})", "refuted"),
    (f"conv({_LONG}) >> avgpool(2, padding=1) >> relu() >> conv({_LONG})",
     f"conv({_LONG}) >> pad(1) >> avgpool(2) >> relu() >> conv({_LONG})", "proved"),
    (f"conv({_LONG}) >> maxpool(2, padding=1) >> conv({_LONG})",
     f"conv({_LONG}) >> pad(1) >> maxpool(2) >> conv({_LONG})", "refuted"),  # max-pool pads with -inf
    (f"conv({_LONG}) >> relu() >> conv_transpose([1, 2, -1], stride=2, padding=1) >> conv({_LONG})",
     f"conv({_LONG}) >> relu() >> pad(1) >> conv_transpose([1, 2, -1], stride=2) >> conv({_LONG})", "refuted"),
    (f"conv({_LONG}, stride=2, padding=1) >> flip() >> conv({_LONG}, padding=2)",
     f"pad(1) >> conv({_LONG}, stride=2) >> pad(2) >> flip() >> conv({_LONG})", "proved"),
])
def test_shared_layers_verdicts_agree_with_the_semantics(lhs, rhs, verdict):
    assert _assert_proof_is_true(lhs, rhs) == verdict


def _worst_difference(lhs: str, rhs: str, largest: int = 6) -> float:
    """max |lhs(x) - rhs(x)| over every x with entries in {-1, -1/2, 0, 1/2, 1} and every n < largest."""
    left, right = parse_statement(lhs, rhs)
    worst = 0.0
    for n in range(1, largest):
        grid = np.array(list(itertools.product((-1, -0.5, 0, 0.5, 1), repeat=n)), dtype=float).reshape(-1, 1, n)
        a, b = evaluate_numeric(left, grid), evaluate_numeric(right, grid)
        if a.size:
            worst = max(worst, float(np.abs(a - b).max()))
    return worst


@pytest.mark.parametrize("lhs, rhs", [
    ("conv([1, 1/2]) >> relu() >> conv([1, 1])", "conv([1, 0.51]) >> relu() >> conv([1, 1])"),
    ("conv([1, -1]) >> relu() >> maxpool(2)", "conv([1, -1.01]) >> relu() >> maxpool(2)"),
    ("relu() + conv([1])", "relu() + conv([1.01])"),
    ("conv([1, 1]) >> relu() >> conv([1, -1]) + conv([1, 1])",
     "conv([1, 1.01]) >> relu() >> conv([1, -1]) + conv([1, 1.01])"),
    ("(conv([1, 1]) >> relu()) + (conv([1, 1]) >> relu())", "(conv([1.01, 1]) >> relu()) + (conv([1, 0.99]) >> relu())"),
    ("conv([3, 1]) >> relu() >> conv([1, 1]) >> relu() >> conv([2, 1])",
     "conv([3.01, 1]) >> relu() >> conv([1, 1]) >> relu() >> conv([2, 1.01])"),
])
def test_no_tolerance_below_the_exhaustive_worst_difference_is_proved(lhs, rhs):
    worst = _worst_difference(lhs, rhs)
    assert prove(lhs, rhs, atol=worst * 0.999).verdict != "proved"
    assert prove(lhs, rhs, atol=worst * 1.01).verdict == "proved"
