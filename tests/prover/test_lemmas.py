"""The engine's lemmas (:mod:`symconv.prover.lemmas`) against brute force, the prover and their false twins.

Every instance on a lemma's grid is checked with the trusted exact semantics
(:func:`symconv.core.semantics.evaluate` on a symbolic input with symbolic
kernels) for every input length n from 0 to ``3 * rate + 2 * extent + 8``
(rate: the product of the strides and sampling factors, extent: the kernel
extents and paddings), and ``prove`` must prove it. The adjoint lemma is a
statement about matrices: the exact matrix of the transposed layer must be
the transpose of the exact matrix of the strided layer.

Each lemma has a false twin (its statement with one classic slip: an
off-by-one padding, a wrong dilation, an unflipped kernel, ...) that brute
force must show false and ``prove`` must refute, so these checks can fail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Optional

import pytest
import sympy

from symconv.core.layers import AvgPool, Conv, ConvTranspose, Down, Layer, Parallel, Up
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate, symbolic_input
from symconv.dsl import parse_statement
from symconv.errors import InvalidArgument
from symconv.prover.lemmas import KINDS, LEMMAS, Instance, Lemma, instances, lemma
from symconv.prover.proof import prove
from symconv.library.matrices import exact_matrix

IDENTITIES = [entry for entry in LEMMAS if entry.kind == "identity"]
ADJOINTS = [entry for entry in LEMMAS if entry.kind == "adjoint"]

#: The lemmas the issue lists (the table may hold more).
REQUIRED = {
    "noble_decimation", "noble_interpolation", "stride_composition", "strided_conv_is_conv_then_down",
    "dilation_is_kernel_upsampling", "transposed_is_upsampling", "avgpool_is_conv", "associativity",
    "commutativity", "flip_conjugation", "repvgg_branch_merging", "branch_merging", "pad_crop_cancellation",
    "up_down_cancellation", "adjoint_of_strided_conv",
}


def _by_name(entry: Lemma) -> str:
    return entry.name


# ---------------------------------------------------------------------------------------------
# The brute-force oracle: the exact semantics, sample by sample.

def _rate(layer: Layer) -> int:
    """Product of every stride and sampling factor (the widest branch of a sum)."""
    total = 1
    for step in layer.layers():
        if isinstance(step, Parallel):
            total *= max(_rate(b) for b in step.branches)
        elif isinstance(step, (Conv, ConvTranspose, AvgPool)):
            total *= step.stride
        elif isinstance(step, (Up, Down)):
            total *= step.factor
    return total


def _extent(layer: Layer) -> int:
    """Kernel extents plus every zero added or sample dropped (the widest branch of a sum)."""
    total = 0
    for step in layer.layers():
        if isinstance(step, Parallel):
            total += max(_extent(b) for b in step.branches)
        elif isinstance(step, (Conv, ConvTranspose)):
            total += step.dilation * (step.weight.length - 1) + 1
            padding = step.padding_pair() if isinstance(step, Conv) else (step.padding, step.output_padding)
            total += sum(padding)
        elif isinstance(step, AvgPool):
            total += step.size + 2 * step.padding
        else:
            total += sum(getattr(step, side, 0) or 0 for side in ("left", "right"))
    return total


def length_bound(lhs: Layer, rhs: Layer) -> int:
    """Every n up to this is compared: a few periods of the rates past every boundary effect."""
    return 3 * max(_rate(lhs), _rate(rhs)) + 2 * max(_extent(lhs), _extent(rhs)) + 8


@lru_cache(maxsize=4096)
def _exact(layer: Layer, n: int):
    return evaluate(layer, symbolic_input(n, layer.in_channels or 1))


def _differ(a, b) -> bool:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b)):
        return True
    return any(u != v and sympy.expand(u - v) != 0 for x, y in zip(a, b) for u, v in zip(x, y))


def first_difference(lhs: Layer, rhs: Layer) -> Optional[int]:
    """The smallest n up to :func:`length_bound` at which the exact outputs differ, or None."""
    for n in range(length_bound(lhs, rhs) + 1):
        if _differ(_exact(lhs, n), _exact(rhs, n)):
            return n
    return None


def adjoint_lengths(params: dict, limit: int = 12) -> list[int]:
    """The input lengths n <= limit the adjoint instance speaks of: n >= 1, n + 2p - c >= 0, = r mod s."""
    c, s, p, r = params["c"], params["s"], params["p"], params["r"]
    return [n for n in range(1, limit + 1) if n + 2 * p - c >= 0 and (n + 2 * p - c) % s == r]


def adjoint_mismatch(lhs: str, rhs: str, params: dict) -> Optional[int]:
    """The first admissible n at which the matrix of rhs is not the transpose of lhs's, or None."""
    layer, transposed = parse_statement(lhs, rhs)
    for n in adjoint_lengths(params):
        A, _ = exact_matrix(layer, n)
        B, _ = exact_matrix(transposed, output_length(layer, n), channels=layer.weight.out_channels)
        if B.shape != A.T.shape or (B - A.T).expand() != sympy.zeros(*B.shape):
            return n
    return None


# ---------------------------------------------------------------------------------------------
# 1. Every grid instance holds, and prove proves it.

@pytest.mark.parametrize("entry", IDENTITIES, ids=_by_name)
def test_every_instance_on_the_grid_holds_for_every_small_input_length(entry: Lemma):
    checked = 0
    for instance in instances(entry):
        lhs, rhs = parse_statement(instance.lhs, instance.rhs)
        n = first_difference(lhs, rhs)
        assert n is None, f"{instance} is false at n = {n}"
        checked += 1
    assert checked == sum(1 for _ in entry.grid()) >= 1


@pytest.mark.parametrize("entry", IDENTITIES, ids=_by_name)
def test_prove_proves_every_instance_on_the_grid(entry: Lemma):
    for instance in instances(entry):
        proof = prove(instance.lhs, instance.rhs)
        assert proof.verdict == "proved", (str(instance), proof.verdict, proof.note)


@pytest.mark.parametrize("entry", ADJOINTS, ids=_by_name)
def test_adjoint_matrix_of_the_transposed_layer_is_the_transpose_on_every_grid_instance(entry: Lemma):
    checked = 0
    for instance in instances(entry):
        lengths = adjoint_lengths(instance.params)
        assert lengths, instance
        n = adjoint_mismatch(instance.lhs, instance.rhs, instance.params)
        assert n is None, f"{instance}: the matrices are not transposes at n = {n}"
        checked += len(lengths)
    assert checked >= 100


# ---------------------------------------------------------------------------------------------
# 2. False twins: one slip in the statement, shown false by brute force and refuted by prove.

@dataclass(frozen=True)
class Twin:
    mutation: str
    pair: Callable[..., tuple[str, str]]
    at: tuple[dict, ...]


TWINS: dict[str, Twin] = {
    "noble_decimation": Twin(
        "kernel dilated by s + 1",
        lambda s, c: (f"down({s}) >> conv(k[{c}])", f"conv(dilate(k, {s + 1})) >> down({s})"),
        (dict(s=2, c=2), dict(s=3, c=3))),
    "noble_interpolation": Twin(
        "kernel not dilated after up-sampling",
        lambda s, c: (f"conv(k[{c}]) >> up({s})", f"up({s}) >> conv(k)"),
        (dict(s=2, c=2), dict(s=3, c=3))),
    "stride_composition": Twin(
        "second kernel dilated by t instead of s",
        lambda s, t, c, e: (f"conv(a[{c}], stride={s}) >> conv(b[{e}], stride={t})",
                            f"conv(convolve(a, dilate(b, {t})), stride={s * t})"),
        (dict(s=2, t=3, c=2, e=2), dict(s=3, t=2, c=3, e=2))),
    "strided_conv_is_conv_then_down": Twin(
        "down-sampling at phase 1",
        lambda s, c, p, d: (f"conv(k[{c}], stride={s}, padding={p}, dilation={d})",
                            f"conv(k, padding={p}, dilation={d}) >> down({s}, phase=1)"),
        (dict(s=2, c=3, p=1, d=1), dict(s=3, c=2, p=0, d=2))),
    "dilation_is_kernel_upsampling": Twin(
        "dilation applied twice",
        lambda d, c, s, p: (f"conv(k[{c}], stride={s}, padding={p}, dilation={d})",
                            f"conv(dilate(k, {d}), stride={s}, padding={p}, dilation={d})"),
        (dict(d=2, c=2, s=1, p=0), dict(d=3, c=3, s=2, p=1))),
    "transposed_is_upsampling": Twin(
        "kernel not flipped",
        lambda s, c, d, p, o: (
            f"conv_transpose(k[{c}], stride={s}, padding={p}, output_padding={o}, dilation={d})",
            f"up({s}) >> conv(k, padding=({d * (c - 1) - p}, {d * (c - 1) - p + o}), dilation={d})"),
        (dict(s=2, c=3, d=1, p=1, o=1), dict(s=3, c=2, d=2, p=0, o=2))),
    "avgpool_is_conv": Twin(
        "one zero too many on the right",
        lambda m, s, p: (f"avgpool({m}, stride={s}, padding={p})",
                         f"conv([{', '.join([f'1/{m}'] * m)}], stride={s}, padding=({p}, {p + 1}))"),
        (dict(m=3, s=1, p=1), dict(m=2, s=2, p=0))),
    "associativity": Twin(
        "second kernel flipped (a correlation of kernels instead of their convolution)",
        lambda c, e: (f"conv(a[{c}]) >> conv(b[{e}])", "conv(convolve(a, flip(b)))"),
        (dict(c=2, e=2), dict(c=3, e=2))),
    "commutativity": Twin(
        "the first layer strided: strided layers do not commute",
        lambda c, e: (f"conv(a[{c}], stride=2) >> conv(b[{e}])", "conv(b) >> conv(a, stride=2)"),
        (dict(c=2, e=2), dict(c=2, e=3))),
    "flip_conjugation": Twin(
        "paddings not swapped",
        lambda c, l, r, d: (f"flip() >> conv(k[{c}], padding=({l}, {r}), dilation={d}) >> flip()",
                            f"conv(flip(k), padding=({l}, {r}), dilation={d})"),
        (dict(c=3, l=0, r=1, d=1), dict(c=2, l=2, r=0, d=2))),
    "repvgg_branch_merging": Twin(
        "1-tap kernel at the first tap instead of the middle one",
        lambda s: (f"conv(a[3], stride={s}, padding=1) + conv(b[1], stride={s})",
                   f"conv(a + padk(b, 0, 2), stride={s}, padding=1)"),
        (dict(s=1), dict(s=2))),
    "branch_merging": Twin(
        "offset q + 1 instead of q",
        lambda c, e, q, u, v, s: (
            f"conv(a[{c}], stride={s}, padding=({u + q}, {v + c - e - q})) "
            f"+ conv(b[{e}], stride={s}, padding=({u}, {v}))",
            f"conv(a + padk(b, {q + 1}, {c - e - q - 1}), stride={s}, padding=({u + q}, {v + c - e - q}))"),
        (dict(c=3, e=1, q=0, u=0, v=0, s=1), dict(c=3, e=2, q=0, u=1, v=1, s=2))),
    "pad_crop_cancellation": Twin(
        "crop with the sides swapped",
        lambda l, r: (f"pad({l}, {r}) >> crop({r}, {l})", "pad(0)"),
        (dict(l=1, r=2), dict(l=0, r=3))),
    "up_down_cancellation": Twin(
        "down-sampling before up-sampling",
        lambda s: (f"down({s}) >> up({s})", "pad(0)"),
        (dict(s=2), dict(s=3))),
    "adjoint_of_strided_conv": Twin(
        "transposed layer with the flipped weight",
        lambda K, M, c, s, p, r: (f"conv(W[{K}, {M}, {c}], stride={s}, padding={p})",
                                  f"conv_transpose(flip(W), stride={s}, padding={p}, output_padding={r})"),
        (dict(K=2, M=1, c=2, s=2, p=0, r=1), dict(K=1, M=2, c=3, s=3, p=1, r=0))),
}

TWIN_CASES = [pytest.param(name, params, id=f"{name}-{i}")
              for name, twin in TWINS.items() for i, params in enumerate(twin.at)]


def test_every_lemma_has_a_false_twin():
    assert set(TWINS) == {entry.name for entry in LEMMAS}


@pytest.mark.parametrize("name, params", TWIN_CASES)
def test_false_twin_is_a_one_slip_mutation_shown_false_by_brute_force_and_refuted(name: str, params: dict):
    entry, twin = lemma(name), TWINS[name]
    lhs, rhs = twin.pair(**params)
    assert (lhs, rhs) != entry.instance(**params), f"the twin of {name} ({twin.mutation}) is the lemma itself"
    if entry.kind == "adjoint":
        assert adjoint_mismatch(lhs, rhs, params) is not None, f"{name} twin ({twin.mutation}) holds: {rhs}"
        return
    layers = parse_statement(lhs, rhs)
    assert first_difference(*layers) is not None, f"{name} twin ({twin.mutation}) holds: {lhs} == {rhs}"
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", (name, twin.mutation, proof.verdict, proof.note)
    assert proof.counterexample is not None


# ---------------------------------------------------------------------------------------------
# 3. The table itself.

def test_lemma_names_are_unique_snake_case_and_cover_the_issue_list():
    names = [entry.name for entry in LEMMAS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name) for name in names), names
    assert REQUIRED <= set(names)


@pytest.mark.parametrize("entry", LEMMAS, ids=_by_name)
def test_lemma_has_a_one_line_statement_a_proof_parameters_and_a_grid(entry: Lemma):
    assert entry.kind in KINDS
    assert entry.statement and "\n" not in entry.statement and " == " in entry.statement
    assert entry.parameters and all(p.low <= p.high for p in entry.parameters)
    paragraphs = entry.proof.split("\n")
    assert paragraphs[0].startswith("Matrices:" if entry.kind == "adjoint" else "Taps:")
    assert paragraphs[-1].startswith("Lengths:") and len(paragraphs) == 2
    assert "z" in entry.proof  # a z-domain argument
    assert any(True for _ in entry.grid())


@pytest.mark.parametrize("entry", LEMMAS, ids=_by_name)
def test_statement_uses_the_same_functions_as_its_instances(entry: Lemma):
    called = lambda text: set(re.findall(r"([a-z_]+)\(", text))  # noqa: E731
    expected = called(entry.statement)
    for instance in instances(entry):
        assert called(instance.lhs + " " + instance.rhs) == expected, str(instance)


def test_unknown_lemma_is_refused_with_the_known_names():
    with pytest.raises(InvalidArgument, match=r"name='nope' is invalid; expected one of the known lemmas: "
                                              r"noble_decimation, .*adjoint_of_strided_conv"):
        lemma("nope")


def test_instance_refuses_values_outside_the_side_condition_and_unknown_or_missing_parameters():
    transposed = lemma("transposed_is_upsampling")
    with pytest.raises(InvalidArgument, match=r"p=3 is invalid; expected an integer in 0..2 \(p <= d\*\(c-1\)\)"):
        transposed.instance(s=2, c=3, d=1, p=3, o=0)
    with pytest.raises(InvalidArgument, match=r"stride=2 is invalid; expected only the parameters s, c, d, p, o"):
        transposed.instance(stride=2, s=2, c=3, d=1, p=0, o=0)
    with pytest.raises(InvalidArgument, match=r"o=None is invalid; expected a value for every parameter"):
        transposed.instance(s=2, c=3, d=1, p=0)
    with pytest.raises(InvalidArgument, match=r"s=0 is invalid; expected an integer at least 1"):
        lemma("noble_decimation").instance(s=0, c=1)


def test_instance_accepts_values_beyond_the_checked_grid_inside_the_domain():
    assert lemma("noble_decimation").instance(s=9, c=7) == ("down(9) >> conv(k[7])", "conv(dilate(k, 9)) >> down(9)")


def test_grid_respects_every_side_condition():
    for instance in instances("transposed_is_upsampling"):
        v = instance.params
        assert v["p"] <= v["d"] * (v["c"] - 1) and v["o"] < max(v["s"], v["d"])
    for instance in instances("branch_merging"):
        v = instance.params
        assert v["e"] <= v["c"] and v["q"] <= v["c"] - v["e"]


def test_instances_follow_the_grid_and_stop_at_the_limit():
    entry = lemma("stride_composition")
    every = list(instances(entry))
    assert len(every) == 3 ** 4
    assert list(instances("stride_composition", limit=5)) == every[:5]
    assert every[0] == Instance("stride_composition", (("s", 1), ("t", 1), ("c", 1), ("e", 1)),
                                "conv(a[1], stride=1) >> conv(b[1], stride=1)",
                                "conv(convolve(a, dilate(b, 1)), stride=1)")
    assert len({(i.lhs, i.rhs) for i in every}) == len(every)
