"""Random statements against brute force, for the kernel's newer arguments.

* The product bound's per-axis classes (:mod:`symconv.checker.axis_classes`): comparing one output per
  combination of classes must decide exactly what comparing every output of every shape below the limits
  decides, on random 2-D chains that pad, crop, up-sample and transpose, with mutations at their edges.
* Congruence (:mod:`symconv.prover.congruence`): every ``proved`` verdict on random 1-D chains with a shared
  ``relu()``/``maxpool`` must agree with the numpy evaluator at many lengths.
"""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from symconv.checker.axis_classes import class_representatives, first_difference
from symconv.core.layers_nd import axis_chain
from symconv.core.output_length import output_length
from symconv.core.semantics_nd import every_output_exact
from symconv.dsl import parse_statement
from symconv.errors import CertificateError, SymconvError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.prover import prove


def _kernel(rng: random.Random) -> list:
    return [[rng.choice([-1, 0, 1, 2]) for _ in range(rng.choice([1, 2, 3]))] for _ in range(rng.choice([1, 2]))]


def _rectangular(rng: random.Random) -> list:
    rows, cols = rng.choice([1, 2]), rng.choice([1, 2, 3])
    return [[rng.choice([-1, 0, 1, 2]) for _ in range(cols)] for _ in range(rows)]


def _layer_2d(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.45:
        bias = f", bias=[{rng.choice([1, -1])}]" if rng.random() < 0.3 else ""
        return (f"conv2d({_rectangular(rng)}, stride=({rng.choice([1, 2])}, {rng.choice([1, 2])}), "
                f"padding=({rng.choice([0, 1])}, {rng.choice([0, 1, 2])}){bias})")
    if r < 0.6:
        return f"pad(({rng.choice([0, 1])}, {rng.choice([0, 1])}), ({rng.choice([0, 1])}, {rng.choice([0, 2])}))"
    if r < 0.7:
        return f"up(({rng.choice([1, 2])}, {rng.choice([1, 2])}))"
    if r < 0.8:
        return (f"conv_transpose2d({_rectangular(rng)}, stride=({rng.choice([1, 2])}, {rng.choice([1, 2])}), "
                f"padding=({rng.choice([0, 1])}, 0))")
    if r < 0.9:
        return f"crop(({rng.choice([0, 1])}, 0), (0, {rng.choice([0, 1])}))"
    return f"avgpool2d(2, stride=1, padding=({rng.choice([0, 1])}, 0))"


def _mutated(rng: random.Random, text: str) -> str:
    at = text.find("-1")
    if at >= 0 and rng.random() < 0.5:
        return text[:at] + "-2" + text[at + 2:]
    if rng.random() < 0.5:
        return text + " >> pad((0, 0), (0, 1)) >> crop((0, 0), (0, 1))"
    return text.replace("padding=(0,", "padding=(1,", 1)


def _pairs_2d(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        lhs = " >> ".join(_layer_2d(rng) for _ in range(rng.choice([1, 2, 3])))
        yield lhs, lhs if rng.random() < 0.3 else _mutated(rng, lhs)


@pytest.mark.parametrize("lhs, rhs", list(_pairs_2d(40, seed=3)))
def test_one_output_per_class_combination_decides_what_every_shape_decides(lhs, rhs):
    left, right = parse_statement(lhs, rhs)
    limit = 8
    if any(output_length(axis_chain(left, k), n) != output_length(axis_chain(right, k), n)
           for k in range(2) for n in range(limit)):
        with pytest.raises(CertificateError, match="the projected output lengths differ"):
            class_representatives(left, right, 0, limit, "here")
            class_representatives(left, right, 1, limit, "here")
        return  # the lengths differ: decided before any output is compared
    every = all(every_output_exact(left, shape, 1) == every_output_exact(right, shape, 1)
                for shape in itertools.product(range(limit), range(limit)))
    classes = [class_representatives(left, right, axis, limit, "here") for axis in range(2)]
    assert (first_difference(left, right, classes, 1) is None) == every


def _segment(rng: random.Random) -> str:
    taps = [rng.choice([-1, 0, 1, 2]) for _ in range(rng.choice([1, 2, 3]))]
    taps[0] = taps[0] or 1
    bias = f", bias=[{rng.choice([0, 1, -1])}]" if rng.random() < 0.5 else ""
    text = f"conv({taps}, stride={rng.choice([1, 1, 2])}, padding={rng.choice([0, 0, 1])}{bias})"
    if rng.random() < 0.3:
        text += f" >> affine({rng.choice([1, 2, -1])}, {rng.choice([0, 1])})"
    return text


def _pairs_relu(count: int, seed: int):
    rng = random.Random(seed)
    for _ in range(count):
        shared = rng.choice(["relu()", "maxpool(2)", "relu() >> maxpool(2)"])
        before, after = _segment(rng), _segment(rng)
        other_before = rng.choice([before, before + " >> pad(0)", _segment(rng)])
        other_after = rng.choice([after, after + " >> pad(0)", _segment(rng)])
        yield f"{before} >> {shared} >> {after}", f"{other_before} >> {shared} >> {other_after}"


@pytest.mark.parametrize("lhs, rhs", list(_pairs_relu(40, seed=1)))
def test_every_proof_by_congruence_agrees_with_the_numpy_evaluator(lhs, rhs):
    try:
        proof = prove(lhs, rhs)
    except SymconvError:
        pytest.skip("outside what the prover takes")
    if proof.verdict != "proved":
        return
    rng = np.random.default_rng(0)
    for n in range(14):
        for _ in range(3):
            x = rng.integers(-3, 4, size=(1, n)).astype(float)
            a, b = evaluate_numeric(proof.lhs, x), evaluate_numeric(proof.rhs, x)
            assert np.shape(a) == np.shape(b) and np.allclose(a, b), (n, x)
