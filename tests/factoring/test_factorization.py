"""factor(): every N, every C from the minimum up to N (and past it), literal and symbolic q.

Each factorization is checked three ways: the prover's verdict, the exact
semantics on a symbolic input and the numeric evaluator (the ``checks`` fixture,
tests/factoring/conftest.py).
"""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
import sympy

from symconv import factor as exported_factor
from symconv.core.kernel import DerivedKernel, Literal, kernel
from symconv.errors import InvalidArgument
from symconv.factoring import Factorization, factor


def random_taps(rng: random.Random, length: int) -> list[int]:
    while True:
        taps = [rng.randint(-3, 3) for _ in range(length)]
        if any(taps):
            return taps


def check(checks, f: Factorization, n: int, m: int, channels: int) -> None:
    assert f.sizes == (n, m) and f.channels == channels
    assert len(f.first) == channels and all(len(row) == 1 and len(row[0]) == n for row in f.first)
    assert len(f.second) == 1 and len(f.second[0]) == channels and all(len(t) == m for t in f.second[0])
    assert f.proof.verdict == "proved"
    checks.assert_product_is_q(f)
    checks.assert_exactly_conv_q(f)
    checks.assert_numerically_conv_q(f)


@pytest.mark.parametrize("seed", range(6))
def test_random_literal_kernels_factor_for_every_n_and_every_channel_count(seed, checks):
    rng = random.Random(seed)
    taps = random_taps(rng, rng.randint(1, 6))
    length = len(taps)
    for n in range(1, length + 1):
        m = length - n + 1
        minimum = factor(taps, (n, m)).minimal_channels
        for channels in range(minimum, n + 2):
            check(checks, factor(taps, (n, m), channels=channels), n, m, channels)


@pytest.mark.parametrize("length", range(1, 7))
def test_symbolic_kernels_factor_for_every_n_and_every_channel_count(length, checks):
    for n in range(1, length + 1):
        m = length - n + 1
        minimum = 1 if n == 1 or m == 1 else 2
        for channels in range(minimum, n + 1):
            f = factor(f"q[{length}]", (n, m), channels=channels)
            assert f.minimal_channels == minimum
            assert f.sources == (kernel("q", length),)
            check(checks, f, n, m, channels)


@pytest.mark.parametrize("solution", ["simplest", "min_norm"])
@pytest.mark.parametrize("length", [3, 5, 6])
def test_both_solutions_of_the_note_are_proved_for_every_n(solution, length, checks):
    for n in range(1, length + 1):
        f = factor(f"q[{length}]", (n, length - n + 1), solution=solution)
        assert f.solution == solution and f.channels == n
        check(checks, f, n, length - n + 1, n)


def test_worked_example_of_the_note_size_5_is_layers_of_size_2_and_4(checks):
    # C0.2: "q is a kernel of size 5 ... first layer 2, second layer 4".
    f = factor("q[5]", sizes=(2, 4))
    q = sympy.symbols("q_0:5")
    assert f.channels == 2
    assert f.first == (((1, 0),), ((0, 1),))
    assert f.second == (((q[0], 0, 0, 0), (q[1], q[2], q[3], q[4])),)
    assert f.minimal_channels == 2
    assert f.family.dimension == 3  # (N - 1)(M - 1)
    check(checks, f, 2, 4, 2)
    m = factor("q[5]", sizes=(2, 4), solution="min_norm")
    half = sympy.Rational(1, 2)
    assert m.second == (((q[0], half * q[1], half * q[2], half * q[3]),
                         (half * q[1], half * q[2], half * q[3], q[4])),)


def test_worked_example_with_numbers_from_the_note_sizes():
    f = factor("[1, -2, 3, 0, 4]", sizes=(2, 4))
    assert f.first == (((1, 0),), ((0, 1),))
    assert f.second == (((1, 0, 0, 0), (-2, 3, 0, 4)),)
    assert isinstance(f.first_kernel, Literal) and f.proof.certificate is not None
    assert f.minimal_channels == 2  # 4z^4 + 3z^2 - 2z + 1 has no real root and N - 1 = 1 is odd


def test_symbolic_weights_are_derived_kernels_over_q():
    f = factor("q[4]", (2, 3))
    assert isinstance(f.first_kernel, DerivedKernel) and f.first_kernel.sources == (kernel("q", 4),)
    assert f.proof.lhs == f.layers() and f.proof.numeric.agrees and f.proof.numeric.trials > 0


def test_channels_default_to_n_the_note_construction():
    assert factor("q[6]", (4, 3)).channels == 4
    assert factor([1, 2, 1], (3, 1)).channels == 3


def test_fewest_channels_for_a_symbolic_kernel_is_the_two_part_split():
    f = factor("q[6]", (3, 4), channels=2)
    q = sympy.symbols("q_0:6")
    assert f.first == (((q[0], q[1], 0),), ((0, 0, 1),))
    assert f.second == (((1, 0, 0, 0), (q[2], q[3], q[4], q[5])),)


def test_min_norm_with_fewer_than_n_channels_is_refused_with_a_hint():
    with pytest.raises(InvalidArgument, match="'simplest' with channels=2 < N=3"):
        factor("q[5]", (3, 3), channels=2, solution="min_norm")


def test_min_norm_with_one_channel_is_refused_too():
    with pytest.raises(InvalidArgument, match="'simplest' with channels=1 < N=3"):
        factor("q[3]", (3, 1), channels=1, solution="min_norm")


def test_unknown_solution_is_refused():
    with pytest.raises(InvalidArgument, match="solution='smallest' is invalid"):
        factor("q[3]", (2, 2), solution="smallest")


def test_factorization_is_immutable():
    f = factor([1, 2, 1], (2, 2))
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.channels = 3  # type: ignore[misc]


def test_to_json_follows_design_section_5():
    f = factor("q[5]", (2, 4), channels=2)
    obj = json.loads(json.dumps(f.to_json()))
    assert {"kernel", "sizes", "channels", "first", "second", "minimal_channels"} <= set(obj)
    assert obj["kernel"] == ["q_0", "q_1", "q_2", "q_3", "q_4"]
    assert obj["sizes"] == [2, 4] and obj["channels"] == 2 and obj["minimal_channels"] == 2
    assert obj["first"] == [["1", "0"], ["0", "1"]]
    assert obj["second"] == [["q_0", "0", "0", "0"], ["q_1", "q_2", "q_3", "q_4"]]
    assert obj["verdict"] == "proved"


def test_str_shows_both_layers_the_minimum_and_the_proof():
    text = str(factor("[1, 2, 1]", (2, 2), channels=1))
    assert "channel 0: [1, 1]" in text
    assert "minimal channels: 1" in text and "proof: proved" in text


def test_repr_is_the_call_that_builds_it():
    f = factor("q[3]", (2, 2), channels=2)
    assert repr(f) == "factor('q[3]', sizes=(2, 2), channels=2, solution='simplest')"


def test_factor_is_exported_from_the_package():
    import symconv

    assert exported_factor is factor and "factor" in symconv.__all__


def test_algebraic_single_channel_weights_are_checked_exactly_and_numerically(checks):
    f = factor([2, -3, 0, 0, 1, 1], (3, 4), channels=1)  # only irrational real factors of degree 2
    assert not f.minimal.rational and f.proof.verdict == "proved"
    assert "algebraic" in f.construction and "60-digit" in f.proof.note
    assert any(v.has(sympy.CRootOf) for v in f.first[0][0])
    checks.assert_product_is_q(f)
    checks.assert_exactly_conv_q(f)
    checks.assert_numerically_conv_q(f)


def test_layers_with_values_give_literal_weights():
    f = factor("q[3]", (2, 2))
    assert repr(f.layers({"q": [1, 2, 3]})) == "conv([[[1, 0]], [[0, 1]]]) >> conv([[[1, 0], [2, 3]]])"
