"""Every generated .tex sets formulas as mathematics: no code syntax outside the input statement's listing.

The reports are produced the way a user produces them (``prove --tex``, ``derive --tex``, ``factor --tex``,
``report``, ``homework``); the DSL text of the input statement may appear once, in its ``dslinput``
listing, and nowhere else. The other tests here pin the issue-15 items one by one.
"""

import re

import pytest

from symconv.cli import main
from symconv.report.homework import write_homework
from symconv.report.latex import boundary_text
from symconv.report.library import write_library

CODE_SYNTAX = ("**", ">>", "[[", " for n >= ")

K4 = ["conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"]
PROVE = {
    "k4": K4,
    "padded_refuted": ["conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                       "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"],
    "generic": ["conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"],
    "solve": ["conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)", "--solve", "q"],
    "flip": ["flip() >> conv(k[3], stride=2) >> flip() >> up(2)", "flip() >> conv(k, stride=2) >> up(2) >> flip()"],
    "assume_refuted": ["conv([1, -2]) >> affine(1, 2*B) >> relu() >> conv([1, 1], bias=[-6*B])",
                       "conv([1, -1, -2])", "--assume", "abs(x) <= B"],
}
DERIVE = {"derive_k4": K4[0], "derive_generic": "conv(k[c], stride=2) >> conv(k, stride=2)",
          "derive_padded": "conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
          "derive_vgg": "conv(W[8, 3, 3], padding=1) >> relu() >> maxpool(2) >> conv(V[8, 8, 3], padding=1)",
          "derive_2d_biased": "conv2d(W[2, 1, 3, 3], bias=b, stride=(2, 1)) >> conv2d(V[1, 2, 2, 3], bias=c, stride=2)",
          "derive_generic_biased": "conv(k[c], bias=[b], stride=2) >> conv(k, bias=[d], stride=2)"}
LIBRARY = '''
"""Three theorems for the report test."""
from symconv.library import theorem
from symconv.library.evidence import Evidence
from symconv.prover.derive import derive

theorem("stride_composition", lhs="conv(k[c], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)", sizes={"c": [3]}, claims=["C1.1"], source="seed 001")
theorem("padding_between_breaks", lhs="conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)", expect="refuted", source="seed 001")


def _generating():
    d = derive("conv(k[c], stride=2) >> conv(k, stride=2)")
    return Evidence("proved", "derive's kernel", {"kernel": d.kernel, "exact": d.exact})


theorem("generating_polynomial", check=_generating,
        statement="derive(conv(k[c], stride=2) >> conv(k, stride=2)) = conv(K, stride=4), K(z) = k(z) k(z^2)")
'''


def outside_listings(tex: str) -> str:
    """``tex`` without the input statement's listing, with TeX's break and glyph commands undone."""
    tex = re.sub(r"\\begin\{dslinput\}.*?\\end\{dslinput\}", "", tex, flags=re.S)
    for command, text in ((r"\allowbreak{}", ""), (r"\allowbreak", ""), (r"\textgreater{}", ">"),
                          (r"\textless{}", "<"), (r"\char95{}", "_"), (r"\_", "_"), ("{}", "")):
        tex = tex.replace(command, text)
    return tex


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """Every kind of generated .tex, by file name."""
    out = tmp_path_factory.mktemp("tex")
    for name, args in PROVE.items():
        main(["prove", *args, "--tex", str(out / f"{name}.tex")])
    for name, chain in DERIVE.items():
        assert main(["derive", chain, "--tex", str(out / f"{name}.tex")]) == 0
    assert main(["factor", "q[5]", "--sizes", "2,4", "--tex", str(out / "factor.tex")]) == 0
    main(["factor", "q[5]", "--sizes", "2,4", "--assume", "abs(x) <= B", "--tex", str(out / "factor_assume.tex")])
    for topic in ("stride-composition", "factorization", "output-size", "transposed", "dilation"):
        write_homework(topic, out / "homework", seed=1, count=1)
    theorems = out / "theorems_small.py"
    theorems.write_text(LIBRARY)
    write_library([theorems], out / "library")
    return {path.relative_to(out).as_posix(): path.read_text() for path in sorted(out.rglob("*.tex"))}


def test_every_kind_of_report_was_generated(generated):
    names = set(generated)
    assert {f"{n}.tex" for n in [*PROVE, *DERIVE, "factor"]} <= names
    assert "library/index.tex" in names and "homework/dilation-solutions.tex" in names


@pytest.mark.parametrize("syntax", CODE_SYNTAX)
def test_no_generated_tex_has_code_syntax_outside_the_input_listing(generated, syntax):
    offenders = [f"{name}: ...{text[max(0, i - 60):i + 40]}..." for name, tex in generated.items()
                 for text in [outside_listings(tex)] for i in [text.find(syntax)] if i >= 0]
    assert not offenders, "\n".join(offenders)


def test_the_check_finds_code_syntax_where_it_is():
    assert ">>" in outside_listings(r"\dsl{conv(k) >\allowbreak{}> relu()}")
    assert ">>" not in outside_listings("\\begin{dslinput}\nconv(k) >> relu()\n\\end{dslinput}")


def test_the_k4_report_states_the_closed_form_before_the_proof(generated):
    tex = generated["k4.tex"]
    result, proof = tex.index(r"\section*{Result}"), tex.index(r"\section*{Proof}")
    stated = tex[result:proof]
    assert r"K = k * \operatorname{dilate}_{2}(k)" in stated and r"K(z) = k(z)\, k(z^{2})" in stated
    assert r"K[2] = k_{0} k_{1} + k_{0} k_{2}" in stated and r"K[u] = \sum_{a + 2 b = u} k[a] k[b]" in stated


def test_the_k4_report_states_one_bound_n0_plus_p_equal_11(generated):
    tex = generated["k4.tex"]
    assert tex.count("n_0 + P = 11") >= 2 and "n < 15" not in tex and "n < 11;" not in tex


def test_the_generic_length_is_a_floor_with_its_case_split(generated):
    tex = generated["derive_generic.tex"]
    assert r"\begin{cases} \left\lfloor{\dfrac{- 3 c + n + 2}{4}}\right\rfloor + 1 & \text{if } n \ge 3 c - 2" in tex


def test_chains_are_compositions_with_the_first_layer_rightmost(generated):
    assert r"\operatorname{maxpool}(2) \circ \operatorname{relu} \circ \operatorname{conv}_{p=1}(W)" in \
        generated["derive_vgg.tex"]


def test_the_refutation_under_a_bound_lists_the_bound_as_an_assumption_not_a_kernel(generated):
    tex = generated["assume_refuted.tex"]
    assert "assumed bound $B$" in tex and "kernel $B$" not in tex


def test_a_boxed_output_is_kept_apart_from_the_parentheses(generated):
    assert r"(\,\boxed{" in generated["padded_refuted.tex"] or r",\allowbreak \,\boxed{" in \
        generated["padded_refuted.tex"]


def test_homework_sheets_stand_alone_without_the_note(generated):
    sheets = {name: tex for name, tex in generated.items() if name.startswith("homework/")}
    assert len(sheets) == 10
    assert not [name for name, tex in sheets.items() if re.search(r"\bnote\b|note's", tex)]


def test_homework_taps_with_an_empty_sum_state_their_value_once(generated):
    tex = generated["homework/stride-composition-solutions.tex"]
    assert "= 0 = 0" not in tex and "sum_{b=1}^{0}" not in tex


def test_library_reports_link_only_to_files_that_exist(generated):
    tex = generated["library/stride_composition/stride_composition.tex"] if \
        "library/stride_composition/stride_composition.tex" in generated else \
        next(t for n, t in generated.items() if n.endswith("/stride_composition.tex"))
    assert "index.pdf" not in tex and r"\texttt{index.tex}" in tex


def test_the_instance_table_has_no_row_of_dashes(generated):
    tex = next(t for n, t in generated.items() if n.endswith("/stride_composition.tex"))
    assert "-- & --" not in tex


@pytest.mark.parametrize("boundary, words", [
    ({"left": 0, "right": 1}, "the last output can differ"),
    ({"left": 2, "right": 0}, "the first 2 outputs can differ"),
    ({"left": 1, "right": 3}, "the first output and the last 3 outputs can differ"),
])
def test_boundary_counts_are_said_in_words_that_fit_them(boundary, words):
    assert words in boundary_text(boundary)


def test_a_theorem_about_derive_gets_the_derivation_and_no_line_about_rounding(generated):
    tex = next(t for n, t in generated.items() if n.endswith("/generating_polynomial.tex"))
    derivation = tex.split(r"\section*{Derivation}")[1]
    assert r"K(z) = \sum_t K[t]\, z^t = k{\left(z \right)} k{\left(z^{2} \right)}" in derivation or \
        r"k{\left(z \right)}" in derivation
    assert r"K[u] = \sum_{a + 2 b = u} k[a] k[b]" in derivation
    assert "rounded" not in tex


def test_the_refutation_under_a_bound_explains_it_from_its_own_counterexample(generated):
    tex = generated["assume_refuted.tex"]
    assert r"receives $(2,\allowbreak 10)$: none is negative, so this ReLU clips nothing" in tex
    assert "The shift and the bias do not cancel" in tex and "may clip" not in tex


def test_no_formula_is_escaped_into_text(generated):
    """A formula built by the report and then escaped would show its dollar signs and backslashes."""
    offenders = [name for name, tex in generated.items() if r"\ensuremath{\$}" in tex or r"\textbackslash{}" in tex]
    assert not offenders, offenders


def test_flip_residue_classes_are_titled_with_their_congruence(generated):
    assert r"\textbf{Inputs with $n \equiv 0 \pmod{2}$.}" in generated["flip.tex"]
