"""The reports of the structural and network proofs: shared layers, congruence, ReLU pairs, ReLUs dropped under
a bound, tolerances of linear chains and through relu() / max-pool networks, and the generic argument
(report/network_steps.py).

Golden files: the rendered steps (proof and certificate) of one statement of each kind, byte for byte, under
``tests/report/golden_steps/``. They change only on purpose: ``SYMCONV_UPDATE_GOLDEN=1 python -m pytest
tests/report/test_network_steps_latex.py`` rewrites them (those tests then skip) and the diff is reviewed.
The compile tests build each report with pdflatex where it is installed and read the PDF back.
"""

import pytest

from symconv import latex, prove
from symconv.report.latex import note_latex
from symconv.report.library_graph import LEMMAS, proof_lemmas
from symconv.report.weights_math import shortened_statement
from tests.report.steps_golden import assert_golden, compiled_argument, needs_pdftotext, needs_tex, rendered_steps


Q7 = ("conv([[[q_0, q_1, q_2, 0]], [[-q_0, -q_1, -q_2, 0]], [[0, 0, 0, 1]], [[0, 0, 0, -1]]]) >> affine(1, 0) >> "
      "relu() >> conv([[[1, 0, 0, 0], [-1, 0, 0, 0], [q_3, q_4, q_5, q_6], [-q_3, -q_4, -q_5, -q_6]]])")
WEIGHTS = "[" + ", ".join("[[" + ", ".join(f"{i + j}/1024" for j in range(3)) + "]]" for i in range(40)) + "]"
BIAS = "[" + ", ".join(f"{i}/8" for i in range(40)) + "]"

#: One statement of each kind: (lhs, rhs, keyword arguments of prove).
KINDS = {
    "shared_layers_padding": ("conv2d(W[8, 8, 3, 3], padding=1) >> conv2d(V[8, 8, 3, 3], padding=(1, 2))",
                              "pad((1, 1), (1, 1)) >> conv2d(W[8, 8, 3, 3]) >> pad((1, 2), (1, 2)) >> "
                              "conv2d(V[8, 8, 3, 3])", {}),
    "shared_layers_middle": ("conv(W[1, 40, 3]) >> conv(k[3], stride=2) >> conv(k, stride=2)",
                             "conv(W[1, 40, 3]) >> conv(convolve(k, dilate(k, 2)), stride=4)", {}),
    "congruence": ("conv(k[3]) >> relu() >> conv(h[2]) >> conv(g[2])", "conv(k) >> relu() >> conv(convolve(h, g))",
                   {}),
    "relu_pairing": (Q7, "conv(q[7])", {}),
    "tolerance_network": ("conv([1, 2]) >> maxpool(2) >> conv([1, 1])",
                          "conv([1, 2001/1000]) >> maxpool(2) >> conv([1, 1])", {"atol": "1/100"}),
    "tolerance_linear": ("conv([1, 2]) >> conv([1, -1], stride=2)", "conv([1, 2001/1000]) >> conv([1, -1], stride=2)",
                         {"atol": "1/100"}),
    "generic_argument": ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)",
                         {}),
    "relu_reduction": ("l2pool2d(2) >> relu()", "l2pool2d(2)", {"assume": ["abs(x) <= 1"]}),
}


def _proof(kind: str):
    lhs, rhs, options = KINDS[kind]
    proof = prove(lhs, rhs, **options)
    assert proof.verdict == "proved", proof.note
    return proof


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_steps_of_each_new_kind_match_their_golden_latex(kind):
    assert_golden(rendered_steps(_proof(kind)), f"{kind}.tex")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_step_of_a_new_kind_falls_back_to_the_engine_prose(kind):
    text = rendered_steps(_proof(kind))
    for engine_text in ("lhs =", "rhs =", ">>", "**", "<=", "e_(j-1)", "relu()"):
        assert engine_text not in text, (kind, engine_text)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_lemma_of_a_new_kind_is_described_in_the_index(kind):
    assert [name for name in proof_lemmas(_proof(kind)) if name not in LEMMAS] == []


def test_the_lipschitz_recursion_and_the_pairing_lemma_are_set_as_formulas():
    network, pairing = rendered_steps(_proof("tolerance_network")), rendered_steps(_proof("relu_pairing"))
    assert r"e_j = D_j(r_{j-1}) + \operatorname{Lip}(B_j)\, e_{j-1}" in network
    assert r"|L x - R x| \le e_{2} = \tfrac{1}{500} \le \mathrm{atol} = 10^{-2}" in network
    assert r"\operatorname{relu}(u) - \operatorname{relu}(-u) = \max(u, 0) - \max(-u, 0) = u" in pairing
    padded = rendered_steps(_proof("shared_layers_padding"))
    assert r"\operatorname{conv}_{p=(l,r)}(k) = \operatorname{conv}(k) \circ \operatorname{pad}(l, r)" in padded


def test_a_proof_about_numeric_weights_sets_them_by_shape_and_cuts_the_listing():
    proof = prove(f"conv({WEIGHTS}, padding=1, bias={BIAS}) >> relu()",
                  f"pad(1) >> conv({WEIGHTS}, bias={BIAS}) >> relu()")
    tex = latex(proof)
    assert r"\operatorname{conv}_{p=1}(\langle 40{\times}1{\times}3 \text{ numbers}\rangle;\, " \
           r"\langle 40 \text{ numbers}\rangle)" in tex
    assert "39/1024" not in tex and "39/8" not in tex and len(tex) < 20000
    assert "has every number" in tex


def test_the_listing_cut_closes_every_bracket_it_opens():
    cut = shortened_statement(f"conv({WEIGHTS}, padding=1)")
    assert cut == "conv([[[0/1024, 1/1024, 2/1024]], [[1/1024, ...]]], padding=1)"
    assert shortened_statement("conv([1, 2, 3])") == "conv([1, 2, 3])"


def test_a_short_weight_and_a_symbolic_literal_are_written_out():
    tex = latex(_proof("tolerance_network")) + latex(_proof("relu_pairing"))
    assert r"\operatorname{conv}\bigl((1,\allowbreak \frac{2001}{1000})\bigr)" in tex
    assert r"(q_{0},\allowbreak q_{1},\allowbreak q_{2},\allowbreak 0)" in tex
    assert "numbers}" not in tex


def test_the_verdict_note_reads_a_long_exact_bound_by_its_rounded_value_and_sets_x_i_as_mathematics():
    note = ("assuming |x_i| <= 1, for every input; |L x - R x| <= 50559603278683983545532681/"
            "40564819207303340847894502572032 ~ 1.24639e-06 on |x| <= 1")
    assert note_latex(note) == (r"assuming $|x_i|$ $\le$ 1,\allowbreak{} for every input; \textbar{}L x - R x\textbar{} "
                                r"$\le$ about 1.24639e-06 on \textbar{}x\textbar{} $\le$ 1")


@needs_tex
@needs_pdftotext
@pytest.mark.parametrize("kind, shown", [
    ("shared_layers_padding", "Shared layers"), ("shared_layers_middle", "differ only between them"),
    ("congruence", "Congruence at a shared layer"), ("relu_pairing", "ReLU pairs"),
    ("tolerance_network", "The Lipschitz chain"), ("tolerance_linear", "Within the tolerance"),
    ("generic_argument", "The generic argument"),
    ("relu_reduction", "The chains left"),
])
def test_each_new_kind_compiles_without_overfull_lines_and_shows_its_step(kind, shown, tmp_path):
    argument = compiled_argument(latex(_proof(kind)), tmp_path)  # the listing above holds the DSL text, q_0 too
    assert shown in " ".join(argument.split())
    assert "_" not in argument  # no raw underscore reaches the argument
