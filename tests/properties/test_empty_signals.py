"""Every n >= 0, the empty signal included: core semantics == numpy evaluator == PyTorch (where it answers).

DESIGN section 1: the length table holds at every n >= 0 (clamped at 0), with
zeros wherever padding or output_padding supply samples, so
``conv(k, padding=p)`` is ``pad(p) >> conv(k)`` at n = 0 too and ``pad(l, r)``
of an empty signal is l + r zeros (as ``torch.nn.functional.pad``). Random
small chains of integer kernels are run at every n in 0..12 by the exact
semantics, the numpy evaluator and PyTorch; the prover must agree with them:
it proves a chain equal to its padding made explicit and refutes mutations of
that identity at a length where the exact outputs differ.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from symconv.core.layers import Chain, Conv, Layer, avgpool, conv, conv_transpose, crop, down, flip, pad, up
from symconv.core.semantics import as_signal, evaluate
from symconv.numeric import evaluate_numeric
from symconv.prover.decide import decide

torch = pytest.importorskip("torch")
from symconv.numeric.torch_oracle import evaluate_torch  # noqa: E402

seeded = settings(deadline=None, max_examples=60, database=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])

SIZES = range(0, 13)


@st.composite
def taps(draw, length: int):
    values = draw(st.lists(st.integers(-3, 3), min_size=length, max_size=length))
    return values if any(values) else [1] + values[1:]


@st.composite
def layers(draw):
    kind = draw(st.sampled_from(["conv", "conv", "conv_transpose", "pad", "crop", "down", "up", "flip",
                                 "avgpool", "sum"]))
    if kind in ("conv", "sum"):
        stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        padding = draw(st.sampled_from([0, 1, 2, (0, 1), (1, 0), (2, 1), (0, 3)] + (["same"] if stride == 1 else [])))
        bias = draw(st.sampled_from([None, None, [2]]))
        layer = conv(draw(taps(draw(st.integers(1, 3)))), stride=stride, padding=padding, dilation=dilation, bias=bias)
        if kind == "sum":
            return layer + dataclasses.replace(layer, weight=conv(draw(taps(layer.weight.length))).weight)
        return layer
    if kind == "conv_transpose":
        stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        return conv_transpose(draw(taps(draw(st.integers(1, 3)))), stride=stride, padding=draw(st.integers(0, 2)),
                              output_padding=draw(st.integers(0, max(stride, dilation) - 1)), dilation=dilation,
                              bias=draw(st.sampled_from([None, [1]])))
    if kind == "pad":
        return pad(draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    if kind == "crop":
        return crop(draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    if kind == "down":
        factor = draw(st.integers(1, 3))
        return down(factor, draw(st.integers(0, factor - 1)))
    if kind == "up":
        return up(draw(st.integers(1, 3)))
    if kind == "flip":
        return flip()
    size = draw(st.integers(1, 3))
    return avgpool(size, draw(st.integers(1, size)), draw(st.integers(0, size // 2)))


@st.composite
def chains(draw, max_layers: int = 4):
    return Chain(tuple(draw(layers()) for _ in range(draw(st.integers(1, max_layers)))))


def _exact(chain: Layer, x: list[int]) -> list:
    return [list(channel) for channel in evaluate(chain, as_signal(x))]


def _as_rationals(y: np.ndarray) -> list:
    return [[sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in row] for row in y]


def _torch_or_none(chain: Layer, x: list[int]):
    try:
        return evaluate_torch(chain, np.array([x], dtype=np.float64))
    except RuntimeError:  # PyTorch rejects an empty input or too short a one: the table decides there
        return None


@seeded
@given(chains(), st.integers(0, 2**32 - 1))
def test_core_semantics_equal_the_numpy_evaluator_and_torch_at_every_n_from_zero(chain, seed):
    rng = np.random.default_rng(seed)
    for n in SIZES:
        x = [int(v) for v in rng.integers(-3, 3, size=n, endpoint=True)]
        expected = _exact(chain, x)
        numeric = evaluate_numeric(chain, [x], exact=True)
        assert _as_rationals(numeric) == expected, (chain, n)
        reference = _torch_or_none(chain, x)
        if reference is not None:
            assert reference.shape == numeric.shape, (chain, n)
            assert np.allclose(reference, numeric.astype(float), atol=1e-9), (chain, n)


@seeded
@given(chains(max_layers=3))
def test_output_length_of_the_normal_form_equals_the_core_at_every_n_from_zero(chain):
    decision = decide(chain, chain)
    assert decision.verdict == "proved", (chain, decision.reason)
    for n in SIZES:
        assert decision.lhs.output_length(n) == len(_exact(chain, [1] * n)[0]), (chain, n)


def _explicit_padding(chain: Chain) -> Chain:
    """Every ``conv(k, padding=(l, r))`` written as ``pad(l, r) >> conv(k)``: true at every n, n = 0 included."""
    steps = []
    for step in chain.steps:
        if isinstance(step, Conv) and step.padding_pair() != (0, 0):
            steps += [pad(*step.padding_pair()), dataclasses.replace(step, paddings=0)]
        else:
            steps.append(step)
    return Chain(tuple(steps))


def _first_difference(lhs: Layer, rhs: Layer, limit: int = 30):
    for n in range(limit + 1):
        x = list(range(1, n + 1))
        if _exact(lhs, x) != _exact(rhs, x):
            return n
    return None


@seeded
@given(chains(max_layers=3))
def test_a_convolution_equals_its_padding_made_explicit_and_moving_that_pad_is_refuted_where_outputs_differ(chain):
    explicit = _explicit_padding(chain)
    assert decide(chain, explicit).verdict == "proved", (chain, explicit)
    padded = [i for i, s in enumerate(explicit.steps) if isinstance(s, type(pad(1)))]
    if not padded:
        return
    i = padded[0]
    left, right = explicit.steps[i].left, explicit.steps[i].right
    mutated = Chain(explicit.steps[:i] + (pad(left + 1, right),) + explicit.steps[i + 1:])
    truth = _first_difference(chain, mutated)
    decision = decide(chain, mutated)
    if truth is None:
        assert decision.verdict in ("proved", "unknown"), (chain, mutated)
    else:
        assert decision.verdict == "refuted", (chain, mutated, truth)
        n = decision.witness_n
        x = list(range(1, n + 1))
        assert _exact(chain, x) != _exact(mutated, x), (chain, mutated, n)
