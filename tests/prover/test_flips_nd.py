"""Flips in N-D chains: the layer against PyTorch, per-axis kernel flips, and the prover against brute force.

``flip(axes=F)`` reverses the spatial axes in F (``flip()`` every axis). The prover moves flips to the inputs
per axis (``flip_axes_conjugation``, ``strip_input_flip_axes``) or, where a flip crosses a stride on a flipped
axis, uses per-axis residue classes (``flip_product_bound``); truth labels come from the numpy evaluator on
random integers for every shape up to a bound.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools

import numpy as np
import pytest
import torch

from symconv import prove
from symconv.checker import Certificate, CertificateStep, Rule, check_certificate
from symconv.core.kernel import FlipKernel, kernel
from symconv.core.layers_nd import Flip, conv2d, flip
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.dsl import parse_statement
from symconv.errors import CertificateError, InvalidArgument, SymconvError
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, kernel_array_nd, random_bindings_nd


# --- the layer ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, dims", [
    ("flip(axes=(0,)) >> conv2d(k[2, 3])", [2]),
    ("flip(axes=(1,)) >> conv2d(k[2, 3])", [3]),
    ("flip() >> conv2d(k[2, 3])", [2, 3]),
    ("flip(axes=(0, 2)) >> conv3d(k[2, 2, 2])", [2, 4]),
    ("flip(axes=(1,)) >> conv3d(k[2, 2, 2])", [3]),
    ("flip() >> conv3d(k[2, 2, 2])", [2, 3, 4]),
])
def test_flip_layer_is_torch_flip_on_the_spatial_dims(text, dims):
    (chain,) = parse_statement(text)
    ndim = chain.ndim
    rng = np.random.default_rng(3)
    x = rng.integers(-4, 5, size=(2, 1) + (3, 4, 5)[:ndim])
    w = rng.integers(-3, 4, size=(2, 2, 2)[:ndim] if ndim == 3 else (2, 3))
    bindings = {"k": w}
    t = torch.tensor(x, dtype=torch.float64)
    conv = torch.nn.functional.conv2d if ndim == 2 else torch.nn.functional.conv3d
    want = conv(torch.flip(t, dims), torch.tensor(w, dtype=torch.float64)[None, None]).numpy()
    assert np.array_equal(evaluate_nd_numeric(chain, x, bindings), want)
    flip_only = chain.layers()[0]
    exact = run_nd(flip_only, signal_nd(x[0].tolist(), ndim)).nested()
    assert np.array_equal(np.array(exact, dtype=float), torch.flip(t[0], [d - 1 for d in dims]).numpy())


def test_plain_flip_keeps_its_1d_meaning():
    (chain,) = parse_statement("flip() >> conv(k[2])")
    assert chain.ndim == 1 and repr(chain) == "flip() >> conv(k[2])"


def test_flip_axes_reads_back_from_its_repr():
    text = "flip(axes=(1,)) >> conv2d(flip(k[2, 3], axes=(0,))) >> flip(axes=(0, 1)) >> flip()"
    (chain,) = parse_statement(text)
    assert repr(chain) == "flip(axes=(1,)) >> conv2d(flip(k[2, 3], axes=(0,))) >> flip(axes=(0, 1)) >> flip()"
    assert parse_statement(repr(chain)) == (chain,)


def test_kernel_flip_on_one_axis_is_numpy_flip_on_that_axis():
    w = np.arange(6).reshape(2, 3)
    k = kernel("k", 2, 3)
    for axes in ((0,), (1,), (0, 1)):
        got = kernel_array_nd(FlipKernel(k, axes), {"k": w})[0, 0]
        assert np.array_equal(got, np.flip(w, axes))
    grid = FlipKernel(k, (0,)).grid()
    assert all(str(v) == f"k_{1 - i}_{j}" for (_, _, i, j), v in grid.items()) and len(grid) == 6


def test_flip_axes_beyond_the_chain_is_refused():
    with pytest.raises(InvalidArgument, match=r"flip: axes=\(2,\) is invalid; expected axes below 2 \(the chain is "
                                              r"2-D\)"):
        flip(axes=(2,)) >> conv2d(kernel("k", 2, 2))


def test_flip_axes_in_a_1d_chain_is_refused():
    with pytest.raises(SymconvError, match=r"flip: axes=\(0,\) is invalid; expected an N-D chain; a 1-D chain "
                                           r"reverses with flip\(\)"):
        parse_statement("flip(axes=(0,)) >> conv(k[2])")


def test_repeated_flip_axes_are_refused():
    with pytest.raises(InvalidArgument, match=r"flip: axes=\(0, 0\) is invalid; expected distinct spatial axes"):
        Flip((0, 0))


def test_per_axis_kernel_flip_needs_an_nd_kernel():
    with pytest.raises(SymconvError, match=r"per-axis flips are for N-D kernels"):
        parse_statement("conv(flip(k[3], axes=(0,)))")


# --- the prover against brute force ----------------------------------------------------------------

TRUE_AND_FALSE = [
    # conjugation: stride 1 on the flipped axes
    ("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(flip(k, axes=(0,)))"),
    ("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(k)"),
    ("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(flip(k, axes=(1,)))"),
    ("flip() >> conv2d(k[2, 3], padding=((1, 0), (0, 2))) >> flip()", "conv2d(flip(k), padding=((0, 1), (2, 0)))"),
    ("flip() >> conv2d(k[2, 3], padding=((1, 0), (0, 2))) >> flip()", "conv2d(flip(k), padding=((1, 0), (0, 2)))"),
    ("flip(axes=(1,)) >> conv2d(k[2, 2], stride=(2, 1)) >> flip(axes=(1,))",
     "conv2d(flip(k, axes=(1,)), stride=(2, 1))"),
    ("flip(axes=(0,)) >> pad((1, 0), (0, 2)) >> flip(axes=(0,))", "pad((0, 0), (1, 2))"),
    ("flip(axes=(0,)) >> pad((1, 0), (0, 2)) >> flip(axes=(0,))", "pad((1, 0), (0, 2))"),
    ("flip(axes=(0,)) >> conv2d(k[2, 2]) >> flip(axes=(1,))", "conv2d(flip(k, axes=(0,))) >> flip()"),
    ("flip(axes=(0,)) >> conv2d(k[2, 2]) >> flip(axes=(1,))", "conv2d(flip(k)) >> flip()"),
    ("flip() >> conv_transpose2d(k[2, 2], stride=2) >> flip()", "conv_transpose2d(flip(k), stride=2)"),
    ("flip() >> conv2d(k[2, 2]) >> up((2, 1)) >> flip()", "conv2d(flip(k)) >> up((2, 1))"),
    ("flip(axes=(0,)) >> (conv2d(k[2, 2]) + conv2d(j[2, 2])) >> flip(axes=(0,))",
     "conv2d(flip(k, axes=(0,))) + (flip(axes=(0,)) >> conv2d(j) >> flip(axes=(0,)))"),
    ("flip(axes=(0,)) >> (conv2d(k[2, 2]) + conv2d(j[2, 2])) >> flip(axes=(0,))",
     "conv2d(flip(k, axes=(0,))) + conv2d(j)"),
    # flips across strided layers: per-axis residue classes
    ("flip() >> conv2d(k[3, 3], stride=2) >> flip()", "conv2d(flip(k), stride=2)"),
    ("flip(axes=(0,)) >> conv2d(k[3, 3], stride=(2, 1)) >> flip()",
     "flip(axes=(0,)) >> conv2d(k, stride=(2, 1)) >> flip(axes=(0,)) >> flip(axes=(1,))"),
    ("flip(axes=(0,)) >> conv2d(k[3, 3], stride=(2, 1)) >> flip()",
     "flip(axes=(0,)) >> conv2d(k, stride=(2, 1)) >> flip(axes=(0,))"),
    ("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
     "flip(axes=(1,)) >> down((1, 2)) >> conv2d(flip(k, axes=(1,))) >> flip(axes=(1,))"),
    ("flip() >> down((2, 2)) >> flip()", "down((2, 2))"),
    # 3-D
    ("flip(axes=(1,)) >> conv3d(k[2, 3, 2], stride=(2, 1, 1), padding=((0, 0), (2, 1), (0, 0))) >> flip(axes=(1,))",
     "conv3d(flip(k, axes=(1,)), stride=(2, 1, 1), padding=((0, 0), (1, 2), (0, 0)))"),
    ("flip(axes=(1,)) >> conv3d(k[2, 3, 2]) >> flip(axes=(1,))", "conv3d(flip(k, axes=(2,)))"),
    ("flip(axes=(0, 2)) >> conv3d(k[2, 2, 2]) >> flip()", "conv3d(flip(k, axes=(0, 2))) >> flip(axes=(1,))"),
]


@functools.lru_cache(maxsize=None)
def truth(lhs_text: str, rhs_text: str):
    """The first shape where the sides differ on random integers (every axis up to 7), or None."""
    lhs, rhs = parse_statement(lhs_text, rhs_text)
    rng = np.random.default_rng(5)
    for shape in itertools.product(range(0, 8), repeat=lhs.ndim):
        for _ in range(2):
            bindings = random_bindings_nd([lhs, rhs], rng)
            x = rng.integers(-3, 4, size=(1,) + shape).astype(float)
            a, b = evaluate_nd_numeric(lhs, x, bindings), evaluate_nd_numeric(rhs, x, bindings)
            if a.shape != b.shape or not np.array_equal(a, b):
                return shape
    return None


@pytest.mark.parametrize("lhs, rhs", TRUE_AND_FALSE, ids=[f"{i:02d}" for i in range(len(TRUE_AND_FALSE))])
def test_prove_with_nd_flips_agrees_with_brute_force(lhs, rhs):
    differs_at = truth(lhs, rhs)
    proof = prove(lhs, rhs)
    if differs_at is None:
        assert proof.verdict == "proved", (proof.verdict, proof.note)
        check_certificate(proof.certificate)
    else:
        assert proof.verdict == "refuted", (proof.verdict, proof.note, differs_at)
        c = proof.counterexample
        left, right = parse_statement(lhs, rhs)
        x = np.array(c.input, dtype=object)
        a = evaluate_nd_numeric(left, x, c.kernels, exact=True)
        b = evaluate_nd_numeric(right, x, c.kernels, exact=True)
        assert a.shape != b.shape or (a != b).any()


def test_the_flip_pairs_are_mixed():
    labels = [truth(*p) is None for p in TRUE_AND_FALSE]
    assert sum(labels) >= 8 and len(labels) - sum(labels) >= 8


def test_flip_conjugation_proof_rests_on_the_new_rules():
    proof = prove("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(flip(k, axes=(0,)))")
    rules = [step.rule for step in proof.certificate.steps]
    assert rules[0] is Rule.FLIP_AXES_CONJUGATION


def test_strided_flip_proof_uses_the_per_axis_residue_classes():
    proof = prove("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
                  "flip(axes=(1,)) >> down((1, 2)) >> conv2d(flip(k, axes=(1,))) >> flip(axes=(1,))")
    (step,) = proof.certificate.steps
    assert step.rule is Rule.FLIP_PRODUCT_BOUND
    assert [axis[0] for axis in step.get("axes")] == [1, 2]  # the periods


# --- tampered certificates ----------------------------------------------------------------------

def _certificate(lhs: str, rhs: str, steps) -> Certificate:
    return Certificate(lhs, rhs, tuple(steps))


def test_a_certificate_for_a_false_flip_statement_is_rejected():
    proof = prove("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(flip(k, axes=(0,)))")
    forged = _certificate("flip(axes=(0,)) >> conv2d(k[3, 3]) >> flip(axes=(0,))", "conv2d(flip(k, axes=(1,)))",
                          proof.certificate.steps)
    with pytest.raises(CertificateError):
        check_certificate(forged)


def test_conjugation_across_a_stride_on_a_flipped_axis_is_rejected():
    steps = [CertificateStep(Rule.FLIP_AXES_CONJUGATION, (("side", "lhs"),))]
    forged = _certificate("flip() >> conv2d(k[3, 3], stride=2) >> flip()", "conv2d(flip(k), stride=2)", steps)
    with pytest.raises(CertificateError, match=r"flip conjugation on axes \[0, 1\] does not apply to "
                                               r"conv2d\(k\[3, 3\], stride=2\)"):
        check_certificate(forged)


def test_stripping_needs_an_input_flip():
    steps = [CertificateStep(Rule.STRIP_INPUT_FLIP_AXES, ())]
    with pytest.raises(CertificateError, match="neither side starts with a flip"):
        check_certificate(_certificate("conv2d(k[2, 2])", "conv2d(k)", steps))


def test_a_product_bound_with_too_few_residue_classes_is_rejected():
    proof = prove("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
                  "flip(axes=(1,)) >> down((1, 2)) >> conv2d(flip(k, axes=(1,))) >> flip(axes=(1,))")
    (step,) = proof.certificate.steps
    axes = [list(a) for a in step.get("axes")]
    axes[1][2] = axes[1][2][:1]  # one residue class of the two
    forged = dataclasses.replace(proof.certificate, steps=(CertificateStep(step.rule, (("axes", axes),)),))
    with pytest.raises(CertificateError, match=r"axis 2: expected one \[residue, from, period, limit\] for each "
                                               r"residue mod 2"):
        check_certificate(forged)


def test_a_flip_product_bound_cannot_close_a_false_statement():
    proof = prove("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
                  "flip(axes=(1,)) >> down((1, 2)) >> conv2d(flip(k, axes=(1,))) >> flip(axes=(1,))")
    forged = _certificate("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
                          "down((1, 2)) >> conv2d(k)", proof.certificate.steps)
    with pytest.raises(CertificateError):
        check_certificate(forged)
