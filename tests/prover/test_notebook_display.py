"""Short reprs and Jupyter displays of Proof, Derivation and Factorization; SymPy output lengths."""

from __future__ import annotations

import re

import pytest
import sympy

import symconv
from symconv.core.output_length import output_length as core_output_length
from symconv.dsl import parse_chain
from symconv.prover.notebook import MAX_REPR

STRIDE = ("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
PADDED = ("conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
          "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")


@pytest.fixture(scope="module")
def proved():
    return symconv.prove(*STRIDE)


@pytest.fixture(scope="module")
def refuted():
    return symconv.prove(*PADDED)


def test_a_proofs_repr_is_one_line_with_verdict_statement_and_step_count(proved):
    text = repr(proved)
    assert re.fullmatch(r"<Proof proved: conv\(k\[3\], stride=2\) >> conv\(k\[3\], stride=2\) == "
                        r"conv\(convolve\(k\[3\], dilate\(k\[3\], 2\)\), stride=4\) \(\d+ steps\)>", text), text
    assert len(text) <= MAX_REPR


def test_a_refutations_repr_names_the_counterexample_length(refuted):
    text = repr(refuted)
    assert text.startswith("<Proof refuted: ") and text.endswith(f"(counterexample at n={refuted.counterexample.n})>")
    assert len(text) <= MAX_REPR and "\n" not in text


def test_a_long_statement_is_cut_to_200_characters_in_the_repr():
    lhs = " >> ".join(["pad(1) >> crop(1)"] * 12 + ["conv(k[2])"])
    text = repr(symconv.prove(lhs, "conv(k[2])"))
    assert len(text) == MAX_REPR and text.startswith("<Proof proved: pad(1) >> crop(1)") and "..." in text


def test_repr_latex_of_a_proof_is_display_math_not_a_document(proved, refuted):
    for proof, relation in ((proved, r"\;=\;"), (refuted, r"\;\neq\;")):
        math = proof._repr_latex_()
        assert math.startswith("$$ ") and math.endswith(" $$") and len(math) < 1000
        assert "\\documentclass" not in math and "\\begin{document}" not in math
        assert relation in math and "\\operatorname{conv}" in math
    assert "counterexample at n = " in refuted._repr_latex_()


def test_repr_html_of_a_proof_gives_the_verdict_and_folds_the_full_text(refuted):
    page = refuted._repr_html_()
    assert page.startswith("<div><b>refuted</b>: <code>conv(k[5], stride=2, padding=1) &gt;&gt; ")
    assert "<details>" in page and "first difference at index" in page


def test_a_derivations_repr_latex_and_html_are_short():
    d = symconv.derive(STRIDE[0])
    assert repr(d) == "<Derivation conv(k[3], stride=2) >> conv(k[3], stride=2): stride 4, receptive field 7, exact>"
    math = d._repr_latex_()
    assert math.startswith("$$ \\begin{gathered}") and "S = 4" in math and "F = 7" in math and len(math) < 1000
    assert "m(n) = \\begin{cases}" in math and "\\documentclass" not in math
    assert "<b>derive</b>" in d._repr_html_()


@pytest.mark.parametrize("chain", [STRIDE[0], "conv(k[3], stride=2, padding=1) >> maxpool(2) >> conv(k, dilation=2)",
                                   "up(2) >> conv(k[3])"])
def test_output_length_expr_substituted_at_n_is_the_output_length(chain):
    d = symconv.derive(chain)
    layer = parse_chain(chain)
    assert [d.output_length_expr.subs(d.n, n) for n in range(40)] == [core_output_length(layer, n) for n in range(40)]


def test_output_length_expr_is_the_closed_form_with_its_case_split():
    d = symconv.derive(STRIDE[0])
    assert d.output_length_expr == sympy.Piecewise((sympy.floor(d.n / 4 - sympy.Rational(3, 4)), d.n >= 7), (0, True))
    assert d.output_length == "floor(n/4 - 3/4) for n >= 7 (0 below)"  # the prose field is unchanged


def test_output_length_expr_of_a_generic_length_takes_both_n_and_c():
    d = symconv.derive("conv(k[c], stride=2) >> conv(k, stride=2)")
    c = next(s for s in d.output_length_expr.free_symbols if s.name == "c")
    layer = parse_chain("conv(k[5], stride=2) >> conv(k, stride=2)")
    assert [d.output_length_expr.subs({c: 5, d.n: n}) for n in range(30)] == \
        [core_output_length(layer, n) for n in range(30)]


def test_symconv_output_length_accepts_dsl_text_as_prove_and_derive_do():
    assert symconv.output_length(STRIDE[0], 15) == 3 == core_output_length(parse_chain(STRIDE[0]), 15)
    assert symconv.output_length("conv(k[c])", 10, {"c": 4}) == 7


def test_a_factorization_has_a_short_repr_display_math_and_html():
    f = symconv.factor("q[5]", (2, 4))
    assert repr(f) == "factor('q[5]', sizes=(2, 4), channels=2, solution='simplest')"
    math = f._repr_latex_()
    assert math.startswith("$$ ") and math.endswith(" $$") and "\\circ" in math and "\\documentclass" not in math
    page = f._repr_html_()
    assert page.startswith("<div><b>factor</b> <code>q[5]</code>") and "<details>" in page
