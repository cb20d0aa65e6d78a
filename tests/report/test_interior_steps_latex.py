"""The reports of the interior arguments: the factored deep-chain proof (kernel rule ``factored_interior``), the N-D
generic-size proof (``axis_lengths``, ``edge_free``, ``polyphase_responses``; kernel rule ``generic_interior_nd``),
N-D length claims (``length_formula``), and two rendering fixes (N-D pools, the tolerance a verdict rests on).

Golden files: the rendered steps (proof and certificate) of one statement of each kind, byte for byte, under
``tests/report/golden_steps/``; ``SYMCONV_UPDATE_GOLDEN=1 python -m pytest tests/report/test_interior_steps_latex.py``
rewrites them (those tests then skip) and the diff is reviewed.
"""

import pytest

from symconv import latex, prove
from symconv.checker import Rule
from symconv.report.interior_steps import certificate_body
from symconv.report.layer_math import layer_math
from symconv.report.library_graph import LEMMAS, proof_lemmas
from symconv.report.verdict_text import verdict_text
from tests.report.steps_golden import assert_golden, compiled_argument, needs_pdftotext, needs_tex, rendered_steps


#: One statement of each kind: (lhs, rhs).
KINDS = {
    "factored_interior": ("conv(k[3])" + " >> conv(k)" * 11, "conv(" + "convolve(k, " * 11 + "k" + ")" * 11 + ")"),
    "generic_interior_nd": ("conv2d(k[c, 3], stride=2) >> conv2d(k, stride=2)",
                            "conv2d(convolve(k, dilate(k, 2)), stride=4)"),
}


def _proof(kind: str):
    proof = prove(*KINDS[kind])
    assert proof.verdict == "proved", proof.note
    return proof


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_steps_of_each_interior_kind_match_their_golden_latex(kind):
    assert_golden(rendered_steps(_proof(kind)), f"{kind}.tex")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_step_of_an_interior_kind_falls_back_to_the_engine_prose(kind):
    text = rendered_steps(_proof(kind))
    for engine_text in ("lhs", "rhs", ">>", "**", ">=", "k[3]", "z^(", "x ["):
        assert engine_text not in text, (kind, engine_text)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_lemma_of_an_interior_kind_is_described_in_the_index(kind):
    assert [name for name in proof_lemmas(_proof(kind)) if name not in LEMMAS] == []


def test_every_kernel_rule_has_an_index_description():
    assert [rule.value for rule in Rule if "cert:" + rule.value not in LEMMAS] == []


def test_the_factored_step_sets_the_product_and_compares_the_multisets_of_factors():
    text = rendered_steps(_proof("factored_interior"))
    assert r"E(z) = \prod_{l} K_l\bigl(z^{d_l S_{l-1}}\bigr)" in text
    assert r"E_L(z) = k(z)^{12}, \qquad E_R(z) = k(z)^{12}" in text
    assert "the same multiset of 12 factors" in text


def test_a_dilated_factor_keeps_its_exponent_in_the_product():
    proof = prove("conv(k[2], stride=2)" + " >> conv(k)" * 5, "conv(convolve(k, dilate(k, 2)), stride=2)"
                  " >> conv(convolve(convolve(k, k), convolve(k, k)))")
    assert [step.rule for step in proof.steps] == ["factored_interior"]
    text = rendered_steps(proof)
    assert r"E_L(z) = k(z)\, k(z^{2})^{5}, \qquad E_R(z) = k(z)\, k(z^{2})^{5}" in text
    assert r"\bar x[2i + a]" in text and "total stride $S = 2$" in text


def test_the_nd_steps_give_the_lengths_per_axis_and_the_polyphase_atoms():
    text = rendered_steps(_proof("generic_interior_nd"))
    assert r"m_{1}(n) = \begin{cases} \left\lfloor{\dfrac{- 3 c + n + 2}{4}}\right\rfloor + 1" in text
    assert r"m_{2}(n) = \begin{cases} \left\lfloor{\dfrac{n - 7}{4}}\right\rfloor + 1" in text
    assert r"Write $c = 4 q + \rho + 1$" in text and r"on the axes $G = \{1\}$" in text
    assert r"A_{r,a}(w) = \sum_{j \ge 0} K[4 j + r, a]\, w^j" in text
    assert r"$t \in [0, 4) \times [0, 4)$" in text


def test_the_length_formula_certificate_step_states_the_lemma_and_the_per_axis_claim():
    body = certificate_body("length_formula", {"limit": 9, "period": 2, "start": 7})
    assert r"for every claimed $n < 9$" in body and r"$n_0 = 7$" in body and r"$P = 2$" in body
    assert r"one formula $F_a(n_a)$ per axis" in body
    assert certificate_body("length_formula", {"period": 2}) is None


def test_an_nd_pool_shows_its_window_on_every_axis():
    proof = prove("l2pool2d(2) >> relu()", "l2pool2d(2)", assume=["abs(x) <= 1"])
    assert layer_math(proof.rhs) == r"\operatorname{l2pool}(2 \times 2)"
    proof = prove("maxpool2d((2, 3)) >> relu()", "maxpool2d((2, 3))", assume=["abs(x) <= 1"])
    assert layer_math(proof.rhs) == r"\operatorname{maxpool}(2 \times 3)"


def test_the_tolerance_a_verdict_rests_on_is_set_exactly_as_mathematics():
    proof = prove("conv([1, 2]) >> conv([1, -1], stride=2)", "conv([1, 2001/1000]) >> conv([1, -1], stride=2)",
                  atol="1/100")
    assert verdict_text(proof).endswith(r"the numeric tolerance $\mathrm{atol} = 10^{-2}$, $\mathrm{rtol} = 0$")
    assert "1/ " not in verdict_text(proof)


@needs_tex
@needs_pdftotext
@pytest.mark.parametrize("kind, shown", [
    ("factored_interior", "Equal products of factors"), ("generic_interior_nd", "Polyphase responses"),
])
def test_each_interior_kind_compiles_without_overfull_lines_and_shows_its_step(kind, shown, tmp_path):
    argument = " ".join(compiled_argument(latex(_proof(kind)), tmp_path).split())
    assert shown in argument
    assert "_" not in argument


def test_the_result_of_a_deep_chain_gives_its_kernel_as_a_power_and_writes_stride_one_as_i():
    tex = latex(_proof("factored_interior"))
    assert r"K(z) = k(z)^{12}." in tex and r"x[i + t]" in tex and "x[1 i" not in tex


def test_a_generic_statement_quantifies_its_kernel_size():
    tex = latex(_proof("generic_interior_nd"))
    assert r"For every input shape $(n_1, n_2)$ with every $n_i \ge 0$, every kernel size $c \ge 1$, every input" in tex
