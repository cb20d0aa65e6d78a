"""The reports of N-D proofs with a generic size that pad inside, up-sample, carry a bias or share a prefix (kernel rule
``generic_interior_nd``): their ``zero_extension`` and ``impulse_responses`` steps are set axis by axis
(:mod:`symconv.report.generic_nd_steps`), never with the 1-D wording of the same step names.

Golden files: ``tests/report/golden_steps/generic_nd_<kind>.tex``, the rendered steps byte for byte;
``SYMCONV_UPDATE_GOLDEN=1 python -m pytest tests/report/test_generic_nd_steps_latex.py`` rewrites them.
"""

import pytest

from symconv import latex, prove
from symconv.report.argument import certificate_steps, proof_steps
from tests.report.steps_golden import assert_golden, compiled_argument, needs_pdftotext, needs_tex, rendered_steps


#: One statement of each kind: a 2-D shared prefix with c after it, a 2-D transposed (up-sampling) convolution
#: with a bias per channel, a 3-D up-sampling (noble identity).
KINDS = {
    "prefix_2d": ("conv2d(g[3, 3], padding=1) >> conv2d(k[c, 3], padding=1) >> down((2, 2))",
                  "conv2d(g[3, 3], padding=1) >> conv2d(k[c, 3], padding=1, stride=2)"),
    "up_bias_2d": ("conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, f]) >> conv2d(V[1, 4, 2, 2], "
                   "stride=2)",
                   "conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, f]) >> conv2d(V[1, 4, 2, 2]) "
                   ">> down((2, 2))"),
    "up_3d": ("up((2, 1, 2)) >> conv3d(dilate(k[c, 2, c], (2, 1, 2)))", "conv3d(k[c, 2, c]) >> up((2, 1, 2))"),
}

#: Sentences of the 1-D generic argument (report.argument) that must not describe an N-D proof.
ONE_D_WORDING = [
    "so every layer's output is its bi-infinite operator restricted to the window",
    r"Both operators commute with shifting the input by",
    r"impulses at $0, \dots,",
    "both sides pad only in front, so each output is the interior operator",  # the edge-free certificate text
]

_proofs: dict = {}


def _proof(kind: str):
    if kind not in _proofs:
        proof = prove(*KINDS[kind])
        assert proof.verdict == "proved", proof.note
        assert [s.rule for s in proof.steps][-2:] == ["zero_extension", "impulse_responses"]
        _proofs[kind] = proof
    return _proofs[kind]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_steps_of_each_nd_generic_kind_match_their_golden_latex(kind):
    assert_golden(rendered_steps(_proof(kind)), f"generic_nd_{kind}.tex")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_no_nd_generic_step_uses_the_1d_wording_or_the_engine_prose(kind):
    text = rendered_steps(_proof(kind))
    for wording in ONE_D_WORDING:
        assert wording not in text, (kind, wording)
    for engine_text in ("lhs", "rhs", ">>", "==", ">=", "z^(", ") x [", "pad()"):
        assert engine_text not in text, (kind, engine_text)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_zero_extension_step_names_the_lemma_per_axis_and_why_axes_suffice(kind):
    proof = _proof(kind)
    step = next(s for s in proof_steps(proof) if str(s["title"]).startswith("Zero extension"))
    assert step["title"] == "Zero extension, axis by axis"
    assert r"\emph{Separable index maps}" in step["body"] and "depend on $i_a$ alone" in step["body"]
    assert "is outside on at least one axis, so it suffices to check each axis alone" in step["body"]
    assert rf"\emph{{Zero extension per axis}} (on each of the {proof.lhs.ndim} axes $a$)" in step["body"]


def test_a_shared_prefix_is_named_with_its_layers_and_the_rest_is_proved_for_it():
    steps = proof_steps(_proof("prefix_2d"))
    assert [str(s["title"]) for s in steps] == ["Shared first layers", "Output lengths on each axis",
                                                "Zero extension, axis by axis", "Impulse responses, axis by axis"]
    assert "both sides begin with the same 3 layers $A$" in steps[0]["body"]
    assert (r"A = \operatorname{pad}(1;\, 1) \circ \operatorname{conv}(g) \circ \operatorname{pad}(1;\, 1)"
            in steps[0]["display"])
    assert r"L' = {\downarrow}_{2} \circ \operatorname{conv}(k)" in steps[0]["display"]
    assert "this was checked on $L'$ and $R'$" in steps[2]["body"] and "T_{L'} = T_{R'}" in steps[3]["after"]
    certificate = certificate_steps(_proof("prefix_2d"))[0]["body"]
    assert r"(0)~\emph{shared prefix}" in certificate and "the same 3 layer(s)" in certificate


def test_a_bias_after_an_up_sampling_shows_the_constant_and_its_comparison():
    steps = proof_steps(_proof("up_bias_2d"))
    zero, impulses = steps[-2], steps[-1]
    assert zero["display"] == r"y = \bigl(T(\bar x) + B\bigr)\big|_{W},"
    assert "every bias comes after every up-sampling" in zero["body"]
    assert r"B_o = b_o + \sum_i K_{oi}(1)\, B_{\mathrm{in},i}" in zero["after"]
    assert "B_{L} = B_{R}" in impulses["after"] and r"$r = (1, 1)$" in impulses["body"]


def test_the_3d_impulses_are_a_box_with_the_rates_of_the_up_sampling():
    steps = proof_steps(_proof("up_3d"))
    zero, impulses = steps[-2], steps[-1]
    assert zero["display"] == r"y = T(\bar x)\big|_{W}," and "bias" not in zero["body"]
    assert r"$t \in [0, 1) \times [0, 1) \times [0, 1)$" in impulses["body"]
    assert r"$r = (2, 1, 2)$" in impulses["body"] and r"$G = \{1, 3\}$" in impulses["body"]
    assert "B_{L}" not in impulses["after"]


@needs_tex
@needs_pdftotext
def test_the_nd_prefix_report_compiles_without_overfull_lines_and_reads_per_axis(tmp_path):
    argument = " ".join(compiled_argument(latex(_proof("prefix_2d")), tmp_path).split())
    assert "Zero extension, axis by axis" in argument and "Shared first layers" in argument
    assert "_" not in argument


def test_a_shared_suffix_split_before_the_rule_names_the_middle_and_its_prefix():
    proof = prove("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2)) >> relu()",
                  "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2) >> relu()")
    assert [s.rule for s in proof.steps] == ["shared_layers", "shared_layers", "axis_lengths", "zero_extension",
                                             "impulse_responses"]
    steps = proof_steps(proof)
    assert str(steps[0]["title"]) == "Shared layers" and str(steps[1]["title"]) == "Shared first layers"
    assert r"L' = L'' \circ A" in steps[1]["display"] and "this was checked on $L''$ and $R''$" in steps[3]["body"]
    text = rendered_steps(proof)
    for wording in ONE_D_WORDING:
        assert wording not in text, wording
