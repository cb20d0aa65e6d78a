"""Lemma C of the kernel's rule ``factored_interior``: biases add one constant vector, carried through the later
layers' tap sums, ``C_l = K_l(1) C_(l-1) + b_l``; two sides are equal only when their constants are."""

from __future__ import annotations

import numpy as np
import pytest

from symconv.checker.factored_interior import factored_form, rule_factored_interior
from symconv.dsl import parse_statement
from symconv.errors import CertificateError
from symconv.numeric.evaluate import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover import prove
from symconv.prover.certify import factored_interior_certificate
from symconv.prover.factored import factored_interior_certificate_nd


def close(lhs: str, rhs: str, shape_of: str = "") -> str:
    """The rule on ``lhs == rhs`` with the length window the prover gives ``lhs == lhs`` (or ``shape_of``)."""
    left, right = parse_statement(lhs, rhs)
    certify = factored_interior_certificate if left.ndim == 1 else factored_interior_certificate_nd
    window = certify(left, left if not shape_of else parse_statement(lhs, shape_of)[1])
    return rule_factored_interior([left, right], window.steps[0], "step 0")


def test_a_bias_before_a_layer_is_carried_through_its_tap_sum():
    # C = (1 + 1) * 3 + 1 = 7 for conv([1, 2], bias=[3]) >> conv([1, 1], bias=[1])
    lhs, rhs = "conv([1, 2], bias=[3]) >> conv([1, 1], bias=[1])", "conv(convolve([1, 2], [1, 1]), bias=[7])"
    assert close(lhs, rhs) == "every input length"
    x = np.arange(1.0, 8.0)
    left, right = parse_statement(lhs, rhs)
    assert evaluate_numeric(left, x).tolist() == evaluate_numeric(right, x).tolist()
    with pytest.raises(CertificateError, match=r"^step 0: the sides add different constants"):
        close(lhs, "conv(convolve([1, 2], [1, 1]), bias=[4])")


def test_named_biases_with_channels_compare_as_polynomials_in_the_taps():
    lhs = "conv2d(W[2, 2, 3, 3], bias=a) >> conv2d(V[2, 2, 3, 3]) >> conv2d(U[2, 2, 3, 3], bias=b)"
    assert close(lhs, "conv2d(W[2, 2, 3, 3], bias=a) >> conv2d(convolve(V, U), bias=b)")
    with pytest.raises(CertificateError, match=r"add different constants"):  # the same factors, a lost
        close(lhs, "conv2d(W[2, 2, 3, 3]) >> conv2d(V[2, 2, 3, 3]) >> conv2d(U[2, 2, 3, 3], bias=b)")
    with pytest.raises(CertificateError, match=r"add different constants"):  # a moved past V: V(1) a is not a
        close(lhs, "conv2d(W[2, 2, 3, 3]) >> conv2d(V[2, 2, 3, 3], bias=a) >> conv2d(U[2, 2, 3, 3], bias=b)")
    left, right = parse_statement(lhs, "conv2d(convolve(W[2, 2, 3, 3], convolve(V[2, 2, 3, 3], U[2, 2, 3, 3])), "
                                       "bias=b)")
    assert factored_form(left, "lhs").factors == factored_form(right, "rhs").factors
    assert factored_form(left, "lhs").constant != factored_form(right, "rhs").constant  # the bias a is lost


def test_biases_that_cancel_leave_no_constant():
    lhs, rhs = "conv([1, -1], bias=[2]) >> conv([1, 1])", "conv(convolve([1, -1], [1, 1]))"
    assert factored_form(parse_statement(lhs, rhs)[0], "lhs").constant != ()  # 2 * (1 + 1) = 4
    cancel = "conv([1, -1], bias=[2]) >> conv([1, 1], bias=[-4])"
    assert factored_form(parse_statement(cancel, rhs)[0], "lhs").constant == ()
    assert close(cancel, rhs)


def test_the_prover_proves_and_refutes_biased_compositions_of_large_weights():
    lhs = "conv2d(W[16, 16, 3, 3], stride=2, bias=a) >> conv2d(V[16, 16, 3, 3], stride=2, bias=b)"
    proof = prove(lhs, lhs.replace(">>", ">> pad((0, 0)) >>"))
    assert proof.verdict == "proved"
    true = prove("conv2d(W[16, 16, 3, 3], stride=2) >> conv2d(V[16, 16, 3, 3], stride=2, bias=b)",
                 "conv2d(convolve(W, dilate(V, 2)), stride=4, bias=b)")
    assert true.verdict == "proved" and [s.rule for s in true.steps] == ["factored_interior"]
    false = prove(lhs, "conv2d(convolve(W, dilate(V, 2)), stride=4, bias=b)")
    assert false.verdict == "refuted"
    example = false.counterexample
    bindings = {k: np.asarray(v, dtype=float) if isinstance(v, list) else v for k, v in example.kernels.items()}
    left, right = parse_statement(lhs, "conv2d(convolve(W[16, 16, 3, 3], dilate(V[16, 16, 3, 3], 2)), stride=4, "
                                       "bias=b)")
    x = np.asarray(example.input, dtype=float)
    assert not np.array_equal(evaluate_nd_numeric(left, x, bindings), evaluate_nd_numeric(right, x, bindings))


@pytest.mark.parametrize("seed", range(12))
def test_the_rule_accepts_exactly_the_constant_the_numbers_give(seed):
    """Random biased 1-D chains with one output channel against one layer: the rule accepts the constant read off
    the chain's output on the zero input, and refuses it off by one; the numbers agree with both verdicts."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(2, 4))
    texts, nested, stride = [], None, 1
    for layer in range(depth):
        taps = [int(v) for v in rng.integers(-2, 3, size=int(rng.integers(1, 4)))]
        taps[0] = taps[0] or 1
        s, bias = int(rng.integers(1, 3)), int(rng.integers(-3, 4))
        texts.append(f"conv({taps}, stride={s}, bias=[{bias}])")
        term = f"dilate({taps}, {stride})" if stride > 1 else f"{taps}"
        nested = term if nested is None else f"convolve({nested}, {term})"
        stride *= s
    lhs = " >> ".join(texts)
    n = 40
    constant = evaluate_numeric(parse_statement(lhs, lhs)[0], np.zeros(n), exact=True)[0][0]
    for c, agrees in ((constant, True), (constant + 1, False)):
        rhs = f"conv({nested}, stride={stride}, bias=[{c}])"
        left, right = parse_statement(lhs, rhs)
        x = np.asarray(rng.integers(-3, 4, size=n), dtype=object)
        same = evaluate_numeric(left, x, exact=True).tolist() == evaluate_numeric(right, x, exact=True).tolist()
        assert same == agrees
        if agrees:
            assert close(lhs, rhs) == "every input length"
        else:
            with pytest.raises(CertificateError, match="add different constants"):
                close(lhs, rhs)
