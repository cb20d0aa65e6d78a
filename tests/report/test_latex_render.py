"""What the LaTeX reports state, and the strictness of the template environment."""

import dataclasses
import re

import jinja2
import pytest

import symconv
from symconv import derive, prove
from symconv.report import derivation_latex, latex, proof_latex
from symconv.report.latex import environment

STRIDE_LHS = "conv(k[3], stride=2) >> conv(k, stride=2)"
STRIDE_RHS = "conv(convolve(k, dilate(k, 2)), stride=4)"
PADDED_LHS = "conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)"
PADDED_RHS = "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"


@pytest.fixture(scope="module")
def proved():
    return prove(STRIDE_LHS, STRIDE_RHS)


@pytest.fixture(scope="module")
def refuted():
    return prove(PADDED_LHS, PADDED_RHS)


@pytest.fixture(scope="module")
def proved_tex(proved):
    return proof_latex(proved)


@pytest.fixture(scope="module")
def refuted_tex(refuted):
    return proof_latex(refuted)


def test_report_is_a_complete_document_with_only_the_allowed_packages(proved_tex):
    assert proved_tex.startswith("% symconv report")
    assert proved_tex.rstrip().endswith(r"\end{document}")
    packages = re.findall(r"\\usepackage(?:\[[^]]*\])?\{([^}]*)\}", proved_tex)
    assert set(packages) <= {"amsmath", "amssymb", "amsthm", "mathtools", "booktabs", "hyperref"}


def test_proof_report_states_the_theorem_as_math_and_verbatim(proved_tex):
    assert r"\begin{theorem}" in proved_tex
    assert r"L = \operatorname{conv}_{s=2}(k) \circ \operatorname{conv}_{s=2}(k)" in proved_tex
    assert r"R = \operatorname{conv}_{s=4}(k * \operatorname{dilate}_{2}(k))" in proved_tex
    listing = proved_tex.split(r"\begin{dslinput}")[1].split(r"\end{dslinput}")[0]
    assert r"conv(k[3],\allowbreak{} stride=2) >> conv(" in listing
    assert r"k \in \mathbb{R}^{3}" in proved_tex


def test_proof_report_states_the_conventions(proved_tex):
    assert r"y[i] = \sum_{j=0}^{c-1} k[j]\, x[i s + j d - p]" in proved_tex
    assert "0-based indices" in proved_tex and "extended by zeros" in proved_tex
    assert "Padding follows PyTorch" in proved_tex


def test_proof_report_lists_every_step_with_its_rule(proved, proved_tex):
    for step in __import__("symconv.report.argument", fromlist=["x"]).proof_steps(proved):
        assert rf"\textbf{{{step['title']}.}}" in proved_tex


def test_stride_composition_report_gives_every_tap_of_the_effective_kernel(proved_tex):
    taps = [r"k_{0}^{2}", r"k_{0} k_{1}", r"k_{0} k_{1} + k_{0} k_{2}", r"k_{1}^{2}",
            r"k_{0} k_{2} + k_{1} k_{2}", r"k_{1} k_{2}", r"k_{2}^{2}"]
    for t, tap in enumerate(taps):
        assert rf"$K[{t}] = {tap}$" in proved_tex
    assert r"y[i] = \sum_{t} K[t]\, x[4 i + t]" in proved_tex
    assert (r"K_L(z) = k_{0}^{2} + k_{0} k_{1} z + \bigl(k_{0} k_{1} + k_{0} k_{2}\bigr) z^{2} + k_{1}^{2} z^{3}"
            in proved_tex)


def test_proof_report_gives_the_output_length_argument(proved_tex):
    assert r"m(n) = \begin{cases} \left\lfloor{\dfrac{n - 3}{4}}\right\rfloor & \text{if } n \ge 7" in proved_tex
    assert r"0 & \text{if } 0 \le n < 7" in proved_tex
    assert r"every $n < n_0 + P = 11$" in proved_tex and "n < 15" not in proved_tex
    assert "grow by the same amount, $1$" in proved_tex


def test_proof_report_has_the_numeric_table_and_the_verdict(proved, proved_tex):
    assert rf"trials & ${proved.numeric.trials}$" in proved_tex
    assert r"tolerance & $" in proved_tex and r"\times 10^{-" in proved_tex
    assert r"\textbf{proved}: the identity holds for every input length" in proved_tex


def test_refutation_report_tabulates_the_counterexample_and_boxes_the_first_difference(refuted, refuted_tex):
    c = refuted.counterexample
    assert r"\begin{claim}" in refuted_tex and r"\begin{theorem}" not in refuted_tex
    assert rf"input length & $n = {c.n}$" in refuted_tex
    assert "kernel $k$ & $(" + r",\allowbreak ".join(str(v) for v in c.kernels["k"]).replace("-", "-") + ")$" \
        in refuted_tex
    assert rf"$L x$ & $(\,\boxed{{{c.lhs[0][c.index]}}}" in refuted_tex
    assert rf"$R x$ & $(\,\boxed{{{c.rhs[0][c.index]}}}" in refuted_tex
    assert rf"at index $i = {c.index}$" in refuted_tex
    assert r"\textbf{refuted}" in refuted_tex and "Reason: the outputs differ near the ends" in refuted_tex


def test_refutation_report_does_not_claim_the_identity_for_every_n(refuted_tex):
    assert "that settles every $n$" not in refuted_tex
    assert "no inner edge" not in refuted_tex


def test_derivation_report_gives_single_layer_kernel_and_arithmetic():
    tex = derivation_latex(derive(PADDED_LHS.replace("k[5]", "k[3]")))
    assert r"\item $K[6] = k_{2}^{2}$" in tex
    assert r"$S = 4$" in tex and r"$(p_l, p_r) = (3, 3)$" in tex and r"$r = 7$" in tex
    assert r"$0$ at the left end, $1$ at the right end" in tex
    assert r"exact for every $n$ & no" in tex
    assert r"m(n) = \left\lfloor{\frac{n + 3}{4}}\right\rfloor" in tex


def test_derivation_report_of_a_nonlinear_chain_gives_only_the_arithmetic():
    tex = derivation_latex(derive("conv(k[3], stride=2, padding=1) >> maxpool(2) >> conv(k, dilation=2)"))
    assert "no single equivalent convolution" in tex
    assert r"\operatorname{maxpool}(2)" in tex and r"$r = 21$" in tex
    assert "Effective kernel" not in tex


def test_latex_dispatches_on_the_type_and_is_public(proved, proved_tex):
    derivation = derive(STRIDE_LHS)
    assert symconv.latex is latex and "latex" in symconv.__all__
    assert latex(proved) == proved_tex
    assert latex(derivation) == derivation_latex(derivation)


def test_latex_refuses_other_objects_with_a_type_error():
    with pytest.raises(TypeError, match=r"renders a Proof \(symconv.prove\), a Derivation .* or a "
                                        r"Factorization \(symconv.factor\), not str"):
        latex("conv(k[3])")
    with pytest.raises(TypeError, match="proof_latex takes a Proof"):
        proof_latex(derive(STRIDE_LHS))


def test_repr_latex_renders_proofs_and_derivations_in_notebooks(proved, proved_tex):
    assert r"\operatorname{conv}_{s=2}(k) \circ \operatorname{conv}_{s=2}(k)" in proved._repr_latex_()
    derivation = derive(STRIDE_LHS)
    assert r"\operatorname{conv}_{s=2}(k)" in derivation._repr_latex_()


def test_environment_is_strict_about_undefined_names():
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        environment().from_string("((( missing )))").render()
    with pytest.raises(jinja2.UndefinedError):
        environment().get_template("proof.tex.j2").render()


def test_environment_uses_latex_safe_delimiters_and_escapes_plain_values():
    template = environment().from_string(r"{{ x }} {% y %} \frac{a}{b} ((( x ))) ((* if x *))!((* endif *))((= c =))")
    assert template.render(x="50%_") == r"{{ x }} {% y %} \frac{a}{b} 50\%\_ !"


def test_long_dsl_and_notes_are_breakable(proved):
    long = dataclasses.replace(proved, note="n" + ",".join(["x"] * 80))
    tex = proof_latex(long)
    assert r"x,\allowbreak{}x" in tex


def test_multichannel_chain_renders_every_weight_entry():
    tex = latex(derive("conv(W[2, 1, 2]) >> conv(V[2, 2, 2])"))
    assert r"K_{0,0}[0] = V_{0,0,0} W_{0,0,0} + V_{0,1,0} W_{1,0,0}" in tex
    assert r"K_{1,0}[2] = V_{1,0,1} W_{0,0,1} + V_{1,1,1} W_{1,0,1}" in tex
    assert r"W \in \mathbb{R}^{2 \times 1 \times 2}" in tex


def test_proof_report_lists_the_certificate_steps_when_there_is_one(proved, proved_tex):
    if getattr(proved, "certificate", None) is None:
        pytest.skip("this prover attaches no certificate")
    assert r"\subsection*{Certificate}" in proved_tex
    for step in __import__("symconv.report.argument", fromlist=["x"]).certificate_steps(proved):
        assert rf"\textbf{{{step['title']}.}}" in proved_tex


def test_generic_length_counterexample_states_the_length_it_used():
    proof = prove("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                  "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    sizes = getattr(proof.counterexample, "sizes", ())
    if proof.verdict != "refuted" or not sizes:
        pytest.skip("this prover does not instantiate generic lengths")
    tex = proof_latex(proof)
    assert r"k \in \mathbb{R}^{c}" in tex
    assert rf"generic length & $c = {dict(sizes)['c']}$" in tex


def test_a_proof_under_an_input_bound_states_the_bound_in_the_theorem_and_the_verdict():
    tex = proof_latex(prove("affine(1, 2) >> relu()", "affine(1, 2)", assume=["abs(x) <= 2"]))
    assert r"every input $x$ of length $n$ with $|x[i]| \le 2$ for every $i$ and" in tex
    assert r"all values of the kernels, for the inputs with $|x[i]| \le 2$ for every $i$" in tex
    unconditional = proof_latex(prove(STRIDE_LHS, STRIDE_RHS))
    assert r"|x[i]| \le" not in unconditional


def test_a_tolerance_proof_states_the_bound_not_equality():
    tex = proof_latex(prove("conv([1, 1/2], padding=1)", "conv([1, 501/1000], padding=1)", atol="1e-3", rtol="1/2"))
    statement = tex[tex.index("Statement"):tex.index(r"\end{theorem}")]
    assert r"|L x - R x| \le \frac{1}{1000} + \frac{1}{2}\, \rho$ elementwise" in statement
    assert "L x = R x" not in statement
    assert "agree within the tolerance for every input length" in tex


def test_an_n_d_proof_speaks_of_input_shapes():
    tex = proof_latex(prove("conv3d(k[2, 2, 2], stride=2) >> conv3d(k, stride=2)",
                            "conv3d(convolve(k, dilate(k, 2)), stride=4)"))
    assert r"every input shape $(n_1, n_2, n_3)$ with every $n_i \ge 0$, every input $x$ of that shape" in tex
    assert "input length" not in tex[tex.index("Statement"):tex.index(r"\end{theorem}")]
    assert "Chains in 3 axes" in tex and "Two-dimensional chains" not in tex


def test_a_refuted_nonlinear_2d_statement_renders_its_counterexample_with_the_input_shape():
    tex = latex(prove("conv2d(k[2, 2]) >> relu()", "conv2d(k)"))
    assert r"input shape & $n = (2, 4)$ \\" in tex
    assert "The ReLU at layer" not in tex  # the ReLU explanation reads 1-D signals only


def test_a_proof_by_congruence_states_its_sub_proofs_lengths_without_a_generic_length():
    tex = latex(prove("conv([1, 2], bias=[1]) >> affine(2, 1) >> relu() >> conv([1, 1])",
                      "conv([2, 4], bias=[3]) >> relu() >> conv([1, 1])"))
    assert r"\textbf{Congruence.}" in tex and r"\textbf{Affine as convolution.}" in tex
    assert "T(c)" not in tex and "Output length n - 1 for n" in tex


def test_n_d_taps_are_written_with_one_subscript_index_per_size():
    tex = derivation_latex(derive("conv2d(W[2, 1, 3, 3], stride=2) >> conv2d(V[1, 2, 3, 3], stride=2)"))
    assert "V_{0,0,0,0} W_{0,0,0,0}" in tex and r"V\_0" not in tex


def test_a_counterexample_with_model_sized_weights_gives_their_shapes_not_their_values():
    proof = prove("conv2d(W[16, 16, 3, 3], stride=2) >> conv2d(V[16, 16, 3, 3], stride=2)",
                  "conv2d(convolve(W, dilate(V, 3)), stride=4)")
    assert proof.verdict == "refuted"
    tex = proof_latex(proof)
    assert tex.count(r"16{\times}16{\times}3{\times}3") == 2 and r"16{\times}10{\times}10" in tex
    assert max(len(line) for line in tex.splitlines()) < 2000  # no weight written out as one long line
