"""Factorization reports: conv(q) = conv(F) >> conv(S) with closed forms, family, fewest channels and proof."""

import dataclasses
import re
import shutil
import subprocess

import pytest
import sympy

from symconv import latex, prove
from symconv.core.kernel import KernelSymbol
from symconv.factoring import SolutionFamily, batchnorm_relu_factorization, factor
from symconv.report import build_pdf, escape_tex, factorization_latex, proof_latex

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")

HOSTILE = "k_#$%&{}\\"


@pytest.fixture(scope="module")
def symbolic():
    return factor("q[5]", sizes=(2, 4))


@pytest.fixture(scope="module")
def literal():
    return factor("[1, -2, 3, 0, 4]", (2, 4))


@pytest.fixture(scope="module")
def bounded():
    return batchnorm_relu_factorization("[1, -2, 3, 0, 4]", (2, 4), bound=2)


@pytest.fixture(scope="module")
def symbolic_tex(symbolic):
    return latex(symbolic)


@pytest.fixture(scope="module")
def literal_tex(literal):
    return latex(literal)


@pytest.fixture(scope="module")
def bounded_tex(bounded):
    return latex(bounded)


def _pdftext(tex: str, tmp_path, name: str) -> str:
    source = tmp_path / f"{name}.tex"
    source.write_text(tex)
    pdf = build_pdf(source, tmp_path / f"{name}.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def _hostile_factorization():
    """``factor("q[5]", (2, 4))`` with its kernel renamed to a name no DSL text can give, and a hostile note."""
    f = factor("q[5]", sizes=(2, 4))
    kernel = object.__new__(KernelSymbol)  # bypasses the identifier check on purpose
    object.__setattr__(kernel, "name", HOSTILE)
    object.__setattr__(kernel, "dims", (5,))
    table = {t: sympy.Symbol(f"{HOSTILE}_{i}") for i, t in enumerate(f.taps)}

    def rename(taps3):
        return tuple(tuple(tuple(sympy.sympify(v).xreplace(table) for v in t) for t in row) for row in taps3)

    family = SolutionFamily(f.family.parameters, rename(f.family.first), rename(f.family.second), HOSTILE)
    minimal = dataclasses.replace(f.minimal, reason=HOSTILE,
                                  factors=tuple((g.xreplace(table), e) for g, e in f.minimal.factors))
    return dataclasses.replace(
        f, kernel=kernel, taps=tuple(t.xreplace(table) for t in f.taps), first=rename(f.first),
        second=rename(f.second), family=family, minimal=minimal, sources=(kernel,), construction=HOSTILE,
        proof=dataclasses.replace(f.proof, note=HOSTILE))


# ---------------------------------------------------------------- the document

def test_latex_renders_a_factorization_as_a_complete_document_with_the_report_preamble(symbolic_tex):
    assert symbolic_tex.startswith("% symconv report")
    assert symbolic_tex.rstrip().endswith(r"\end{document}")
    assert symbolic_tex.count(r"\begin{document}") == symbolic_tex.count(r"\end{document}") == 1
    packages = re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", symbolic_tex)
    assert set(packages) <= {"amsmath", "amssymb", "amsthm", "mathtools", "booktabs", "hyperref"}
    preamble = proof_latex(prove("conv(k[2]) >> conv(k)", "conv(convolve(k, k))")).split(r"\title{")[0]
    assert symbolic_tex.split(r"\title{")[0] == preamble


def test_factorization_latex_is_what_latex_dispatches_to(symbolic, symbolic_tex, bounded, bounded_tex):
    assert factorization_latex(symbolic) == symbolic_tex
    assert factorization_latex(bounded) == bounded_tex


def test_other_objects_are_refused_with_a_type_error_naming_the_factorization():
    with pytest.raises(TypeError, match=r"Factorization \(symconv.factor\), not int"):
        latex(3)
    with pytest.raises(TypeError, match="factorization_latex takes a Factorization"):
        factorization_latex(prove("conv(k[2]) >> conv(k)", "conv(convolve(k, k))"))


# ---------------------------------------------------------------- what the report states

def test_report_states_the_theorem_with_the_sizes_and_the_channel_count(symbolic_tex):
    assert r"\begin{theorem}" in symbolic_tex
    assert r"Let $L = 5$, $N = 2$, $M = 4$ (so that $N + M - 1 = L$) and $C = 2$." in symbolic_tex
    assert r"For every kernel $q \in \mathbb{R}^{L}$" in symbolic_tex
    assert r"\[ \operatorname{conv}(S) \circ \operatorname{conv}(F) = \operatorname{conv}(q). \]" in symbolic_tex
    assert "\\begin{dslinput}\n" + r"q[5]" in symbolic_tex


def test_report_states_cross_correlation_zero_based_indices_and_the_pytorch_layout(symbolic_tex):
    assert "A convolution layer is a cross-correlation" in symbolic_tex
    assert "0-based indices" in symbolic_tex
    assert r"weight $F$ of shape $(C, 1, N) = ( 2, 1, 2)$" in symbolic_tex
    assert r"weight $S$ of shape $(1, C, M) = (1, 2, 4)$" in symbolic_tex
    assert r"\begin{itemize}" + "\n" in symbolic_tex and "\n\n\\end{itemize}" not in symbolic_tex


def test_report_names_the_shift_selection_construction_and_why_it_works(symbolic_tex):
    assert r"\iff \sum_{c=0}^{C-1} F_c(z)\, S_c(z) = Q(z)." in symbolic_tex
    assert "With $C \\ge N$ channels symconv uses the note's construction, shift selection" in symbolic_tex
    assert r"$\sum_{c + j = l} S[0, c, j] = q_l$ for $0 \le l < L$" in symbolic_tex
    assert r"\emph{shift selection, simplest second layer}" in symbolic_tex


def test_symbolic_report_gives_every_weight_of_both_layers_in_closed_form(symbolic_tex):
    assert r"\[ F = \begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix} \]" in symbolic_tex
    assert (r"\[ S = \begin{pmatrix} q_{0} & 0 & 0 & 0 \\ q_{1} & q_{2} & q_{3} & q_{4} \end{pmatrix} \]"
            in symbolic_tex)
    assert r"\item $l = 1$: $S[0, 0, 1] + S[0, 1, 0] = 0 + q_{1} = q_{1}$" in symbolic_tex
    assert r"$S_{1}(z) = q_{1} + q_{2} z + q_{3} z^{2} + q_{4} z^{3}$" in symbolic_tex
    assert r"$F_{1}(z)\, S_{1}(z) = q_{1} z + q_{2} z^{2} + q_{3} z^{3} + q_{4} z^{4}$" in symbolic_tex
    assert "q\\_" not in symbolic_tex.split(r"\section*{Proof")[0]  # every tap is a subscript, never q\_0


def test_minimum_norm_report_spreads_each_tap_over_its_anti_diagonal():
    tex = latex(factor("q[5]", sizes=(2, 4), solution="min_norm"))
    assert r"\frac{q_{1}}{2} & \frac{q_{2}}{2} & \frac{q_{3}}{2} & q_{4}" in tex
    assert r"S[0, 0, 1] + S[0, 1, 0] = \frac{q_{1}}{2} + \frac{q_{1}}{2} = q_{1}" in tex
    assert "solution of minimum norm" in tex


def test_report_gives_the_solution_family_with_its_free_parameters(symbolic_tex):
    assert r"$3$ free parameters" in symbolic_tex
    assert r"$t_{0,1},\allowbreak t_{0,2},\allowbreak t_{0,3} \in \mathbb{R}$" in symbolic_tex
    assert r"q_{1} - t_{0,1} & q_{2} - t_{0,2} & q_{3} - t_{0,3} & q_{4}" in symbolic_tex
    assert r"\bigl(S(z)\, G^{-1}\bigr) \bigl(G\, F(z)\bigr)" in symbolic_tex


def test_symbolic_report_says_two_channels_are_the_fewest_and_why(symbolic_tex):
    section = symbolic_tex.split(r"\section*{Fewest channels}")[1].split(r"\section*")[0]
    assert "Two channels suffice, and no fewer." in section
    assert r"$\deg A = 1$" in section and "Gauss's lemma" in section
    assert r"irreducible factors of degrees $4$ in $z$" in section
    assert r"$Q(z) = (1 + z^2)^{2}$" in section
    assert (r"$Q(z) = \bigl( q_{0} \bigr) \cdot 1 + z^{1} \bigl( q_{1} + q_{2} z + q_{3} z^{2} + q_{4} z^{3} \bigr)$"
            in section)


def test_report_renders_the_provers_proof_with_the_proof_report_sections(symbolic, symbolic_tex):
    section = symbolic_tex.split(r"\section*{Proof that the network equals")[1]
    from symconv.report.argument import proof_steps

    for step in proof_steps(symbolic.proof):
        assert rf"\textbf{{{step['title']}.}}" in section
    assert r"\subsection*{Steps}" in section and r"\subsection*{Output length}" in section
    assert r"K[4] = q_{4}" in section
    assert r"one strided correlation with stride $s = 1$" in section
    assert r"\subsection*{Numeric check}" in section
    assert r"\textbf{proved}: the identity holds for every input length $n \ge 0$" in section


def test_literal_report_shows_the_numbers_and_the_network_as_mathematics(literal_tex):
    assert r"For the kernel $q = (1,\allowbreak -2,\allowbreak 3,\allowbreak 0,\allowbreak 4)$" in literal_tex
    assert r"S = \begin{pmatrix} 1 & 0 & 0 & 0 \\ -2 & 3 & 0 & 4 \end{pmatrix}" in literal_tex
    assert r"S[0, 0, 1] + S[0, 1, 0] = 0 + \bigl(-2\bigr) = -2" in literal_tex
    assert r"\operatorname{conv}(S) \circ \operatorname{conv}(F)" in literal_tex
    assert "conv([[" not in literal_tex  # the network is not set as DSL text
    section = literal_tex.split(r"\section*{Fewest channels}")[1].split(r"\section*")[0]
    assert r"$Q(z) = 4 z^{4} + 3 z^{2} - 2 z + 1$ has no real root" in section
    assert "certificate" in literal_tex.split(r"\section*{Proof that")[1].lower()


def test_merged_construction_with_fewer_channels_than_n_is_explained():
    tex = latex(factor("q[6]", (3, 4), channels=2))
    assert r"With $2 \le C < N$ channels the shifts $0, \dots, N - C$ share channel $0$" in tex
    assert r"F = \begin{pmatrix} q_{0} & q_{1} & 0 \\ 0 & 0 & 1 \end{pmatrix}" in tex
    assert "This construction has no free parameters." in tex


def test_one_channel_algebraic_factorization_reports_the_scaling_family_and_the_lemma():
    tex = latex(factor("[1, 0, 0, 0, -2]", (2, 4), channels=1))
    assert r"\sqrt[4]{2}" in tex and r"$\lambda \in \mathbb{R}$, $\lambda \ne 0$" in tex
    assert "One channel suffices." in tex and "real algebraic numbers" in tex
    assert r"the prover proves the lemma $\operatorname{conv}(b) \circ \operatorname{conv}(a)" in tex


def test_wide_layers_are_listed_channel_by_channel_instead_of_as_a_matrix():
    tex = latex(factor("q[20]", (10, 11)))
    assert r"\item $S[0, 9, \cdot] = (q_{9},\allowbreak q_{10}," in tex
    assert r"S = \begin{pmatrix}" not in tex


# ---------------------------------------------------------------- claim C0.3

def test_bounded_relu_report_adds_claim_c03_with_shift_bias_statement_and_argument(bounded_tex):
    section = bounded_tex.split(r"\section*{Batch norm and ReLU between the layers (claim C0.3)}")[1]
    assert r"$t = B \max_{c} \sum_{j} |F[c, 0, j]| = 2$" in section
    assert r"$b = -t \sum_{c, j} S[0, c, j] = -12$" in section and r"S[0, c, j] = 6$" in section
    assert r"with $|x[i]| \le 2$ for every $i$" in section
    assert r"\begin{proof}" in section and r"\operatorname{relu}(h_c[i] + t) = h_c[i] + t" in section
    assert r"\operatorname{conv}(S;\, b) \circ \operatorname{relu} \circ \operatorname{affine}(1, t) \circ" in section
    assert r"\boxed{-2}" in section  # beyond the bound the ReLU clips


def test_bounded_relu_report_sets_the_statement_and_argument_as_math_not_as_their_plain_text(bounded, bounded_tex):
    for text in (bounded.statement(), bounded.argument()):
        assert escape_tex(text, breakable=True) not in bounded_tex and escape_tex(text) not in bounded_tex
    assert "sum\\_j" not in bounded_tex and "h\\_c" not in bounded_tex
    assert r"|h_c[i]| \le \sum_j |F[c, 0, j]|\, |x[i + j]| \le B \sum_j |F[c, 0, j]| \le t" in bounded_tex
    assert bounded_tex.split(r"\section*{Batch norm")[0].startswith("% symconv report")


def test_bounded_relu_report_includes_the_provers_check_under_the_bound(bounded_tex):
    section = bounded_tex.split(r"\subsection*{The prover's check under the bound}")[1]
    assert r"told that $|x[i]| \le 2$ for every $i$" in section
    assert r"\textbf{A ReLU of the left-hand side is the identity.}" in section
    assert r"\textbf{proved}: the identity holds for every input length $n \ge 0$ and all values of the kernels, " \
           r"for the inputs with $|x[i]| \le 2$ for every $i$" in section


def test_bounded_relu_report_without_the_provers_check_has_no_such_section():
    tex = latex(batchnorm_relu_factorization("[1, -2, 3, 0, 4]", (2, 4), bound=2, prove_bound=False))
    assert "The prover's check under the bound" not in tex and "claim C0.3" in tex


def test_symbolic_bound_is_shown_by_name():
    tex = latex(batchnorm_relu_factorization("q[5]", (2, 4), bound="B"))
    assert "for the bound $B$ on the input" in tex
    assert r"= - B q_{0} - B q_{1} - B q_{2} - B q_{3} - B q_{4}$" in tex


# ---------------------------------------------------------------- escaping

def test_hostile_kernel_name_and_texts_are_escaped():
    tex = latex(_hostile_factorization())
    assert r"\text{\textit{k\_\#\ensuremath{\$}\%\&\{\}\textbackslash{}}}_{0}" in tex
    assert "\\begin{dslinput}\n" + r"k\char95{}\#\char36{}\%\&\char123{}\char125{}\char92{}[5]" in tex
    assert r"\emph{k\_\#\ensuremath{\$}\%\&\{\}\textbackslash{}}" in tex
    assert tex.count(r"\end{document}") == 1


# ---------------------------------------------------------------- PDFs

@needs_tex
@needs_pdftotext
def test_symbolic_report_compiles_and_shows_the_second_layer_in_closed_form(symbolic_tex, tmp_path):
    text = _pdftext(symbolic_tex, tmp_path, "symbolic")
    assert re.search(r"S1 \(z\) = q1 \+ q2 z \+ q3 z 2 \+ q4 z 3", text)
    assert "Two channels suffice, and no fewer" in text and "proved" in text


@needs_tex
@needs_pdftotext
def test_literal_report_compiles_and_shows_the_second_layer_in_closed_form(literal_tex, tmp_path):
    text = _pdftext(literal_tex, tmp_path, "literal")
    assert "S1 (z) = \u22122 + 3z + 4z 3" in text
    assert "S[0, 0, 1] + S[0, 1, 0] = 0 + \u22122 = \u22122" in text


@needs_tex
@needs_pdftotext
def test_bounded_relu_report_compiles_and_shows_shift_and_bias(bounded_tex, tmp_path):
    text = _pdftext(bounded_tex, tmp_path, "bounded")
    assert re.search(r"t = B maxc j \|F \[c, 0, j\]\| = 2", text)
    assert "S[0, c, j] = \u221212" in text and "claim C0.3" in text


@needs_tex
@needs_pdftotext
def test_report_with_a_hostile_kernel_name_compiles_and_shows_the_name_literally(tmp_path):
    text = _pdftext(latex(_hostile_factorization()), tmp_path, "hostile")
    assert HOSTILE + "[5]" in text  # the DSL line, character for character
    assert re.search(r"q0 = k.#\$%&\{\}\\0", text)  # the tap k_#$%&{}\_0 in math, backslash included
