"""The sections of a proof report, as LaTeX values for ``proof_parts.sections``: the result in closed form, the
closed forms of both sides, the output-length argument, the counterexample table, the numeric check and the
solved kernels.

>>> from symconv import prove
>>> p = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
>>> proof_sections(p)["result"]["stride"]
4
"""

from __future__ import annotations

from symconv.lazy_import import sympy

from symconv.algebra.normal_form import LinearChain
from symconv.core.kernel import DerivedKernel, KernelSymbol, Literal
from symconv.core.layers import Conv
from symconv.core.output_length import length_symbol, output_length
from symconv.prover.describe import branch_taps, closed_length
from symconv.prover.proof import Proof
from symconv.report import argument, explain, notation
from symconv.report.symbol_math import expr_latex, sequence_latex, theorem_parts
from symconv.report.taps_latex import polynomial_latex, tap_lines
from symconv.report.tex_escape import Tex, escape_tex
from symconv.report.verdict_text import bound_names
from symconv.report.weights_math import is_long_numeric, shape_math

__all__ = ["proof_sections", "result_of"]


def _float(value: float) -> Tex:
    """``1.11 \\times 10^{-16}`` (three significant digits)."""
    if value != value:
        return Tex(r"\mathrm{NaN}")
    if value in (float("inf"), float("-inf")):
        return Tex(r"\infty" if value > 0 else r"-\infty")
    if value == 0:
        return Tex("0")
    mantissa, exponent = f"{value:.2e}".split("e")
    exponent = int(exponent)
    return Tex(mantissa if exponent == 0 else rf"{mantissa} \times 10^{{{exponent}}}")


def _numeric(report) -> dict | None:
    if report is None:
        return None
    mismatch = [(escape_tex(str(k)), escape_tex(str(v))) for k, v in (report.mismatch or {}).items()]
    return {"trials": report.trials, "max_abs_error": _float(report.max_abs_error),
            "tolerance": _float(report.tolerance), "agrees": report.agrees, "mismatch": mismatch}


def _branches(nf: LinearChain, names) -> list[dict]:
    """Each output phase r: ``y[a i + r] = sum_t K_r[t] x[b i + t + o_r]`` (``o_r`` its first offset)."""
    op = nf.interior()
    i, t = sympy.Symbol("i", integer=True), sympy.Symbol("t", integer=True)
    out = []
    for r in range(op.out_period):
        start, taps = branch_taps(op, nf.ring, r)
        flat = not taps or not isinstance(taps[0], (list, tuple))
        label = "K" if op.out_period == 1 else f"K_{{{r}}}"
        y = expr_latex(op.out_period * i + r, names)
        x = expr_latex(op.in_period * i + t + start, names)
        if flat:
            formula = rf"y[{y}] = \sum_{{t}} {label}[t]\, x[{x}]"
        else:
            formula = rf"y_o[{y}] = \sum_{{m}} \sum_{{t}} {label}_{{o,m}}[t]\, x_m[{x}]"
        out.append({"phase": r, "start": start, "formula": Tex(formula), "taps": tap_lines(taps, names, label),
                    "polynomial": polynomial_latex(taps, 0, names) if flat and taps else None})
    return out


def _closed_forms(proof: Proof, names) -> list[dict]:
    decision = proof.decision
    if decision is None or decision.lhs is None:
        return []
    sides = []
    for label, nf in (("left-hand side", decision.lhs), ("right-hand side", decision.rhs)):
        op = nf.interior()
        sides.append({"label": f"the {label}", "verb": "computes", "stride": op.in_period,
                      "out_period": op.out_period,
                      "input_flip": nf.input_flip, "branches": _branches(nf, names)})
    if decision.lhs.interior().equals(decision.rhs.interior()) and decision.lhs.input_flip == decision.rhs.input_flip:
        sides = [dict(sides[0], label="both sides", verb="compute")]
    return sides


def _side_length(nf: LinearChain, bound, names) -> Tex:
    """The output length of one side with its case split (the closed form past the bound, 0 below)."""
    fitted = closed_length(nf, bound.start, bound.period)
    if fitted is None:
        return expr_latex(output_length(nf.source, length_symbol()), names)
    return notation.length_cases(fitted[0], fitted[1], names)


def _length_argument(proof: Proof, names) -> dict | None:
    """The output-length argument: closed forms, the bound n0 + P they are compared below, rates and slopes."""
    decision = proof.decision
    if decision is None or decision.lhs is None or decision.bound is None:
        return None
    lnf, rnf, bound = decision.lhs, decision.rhs, decision.bound
    left, right = _side_length(lnf, bound, names), _side_length(rnf, bound, names)
    rate_l = sympy.Rational(lnf.rate().numerator, lnf.rate().denominator)
    rate_r = sympy.Rational(rnf.rate().numerator, rnf.rate().denominator)
    return {
        "same": left == right and rate_l == rate_r, "proved": proof.verdict == "proved",
        "formula": left, "formula_rhs": right, "bound": argument.bound_sentence(bound.start, bound.period),
        "start": bound.start, "period": bound.period, "limit": bound.limit, "brute_force": decision.brute_force,
        "rate_lhs": expr_latex(rate_l, names), "rate_rhs": expr_latex(rate_r, names),
        "slope": expr_latex(rate_l * bound.period, names),
    }


def _counterexample(example, names, bound_names: frozenset = frozenset()) -> dict | None:
    """Rows ``(label, value)``: what was chosen (n, kernels, input), then both outputs."""
    if example is None:
        return None

    def rows(label: str, channels, highlight=None) -> list:
        if is_long_numeric(channels):  # a model's sizes: the array by its shape (every value is in --json)
            return [(Tex(f"${label}$"), shape_math(channels))]
        many = len(channels) > 1
        return [(Tex(f"${label}_{{{c}}}$" if many else f"${label}$"), sequence_latex(ch, highlight, names))
                for c, ch in enumerate(channels)]

    def values_math(values) -> Tex:
        return shape_math(values) if is_long_numeric(values) else sequence_latex(values, None, names)

    shaped = isinstance(example.n, (tuple, list))  # an N-D counterexample: n = (n_1, ..., n_d)
    given = [(Tex("input shape" if shaped else "input length"), Tex(f"n = {tuple(example.n) if shaped else example.n}"))]
    given += [(Tex("generic length"), Tex(f"{notation.name_math(name)} = {value}"))
              for name, value in getattr(example, "sizes", ())]
    given += [(Tex(f"assumed bound ${notation.name_math(name)}$" if name in bound_names
                   else f"kernel ${notation.name_math(name)}$"), values_math(values))
              for name, values in example.kernels.items()]
    given += rows("x", example.input)
    outputs = rows("L x", example.lhs, example.index) + rows("R x", example.rhs, example.index)
    from symconv.prover.display import leading_shape

    shapes_differ = leading_shape(example.lhs) != leading_shape(example.rhs)
    return {"n": example.n, "index": example.index, "given": given, "outputs": outputs, "shapes_differ": shapes_differ}


def _result(proof: Proof, names) -> dict | None:
    """The result stated first: the one strided correlation both sides are, its kernel in closed form."""
    if proof.verdict != "proved":
        return None
    result = result_of(proof.lhs, proof.rhs, getattr(proof, "decision", None), names)
    if result is not None and any(str(step.rule) == "factored_interior" for step in proof.steps):
        result = _factored_result(proof, result)
    return result


#: A kernel expression longer than this (LaTeX characters) is left to the statement in the result's display.
RESULT_KERNEL_CHARACTERS = 40


def _factored_result(proof: Proof, result: dict) -> dict:
    """A deep chain's result with its kernel as a product of powers (``k(z)^{12}``), not one factor per layer."""
    from symconv.checker.factored_interior import factored_form
    from symconv.errors import CertificateError
    from symconv.report.interior_steps import factor_product

    try:
        form = factored_form(proof.rhs, "rhs")
    except CertificateError:
        return result
    kernel = result["kernel"]
    return dict(result, generating=factor_product(form.factors),
                kernel=kernel if kernel is None or len(kernel) <= RESULT_KERNEL_CHARACTERS else None)


def result_of(lhs, rhs, decision, names) -> dict | None:
    """``{"stride", "kernel", "generating", "taps", "derivation"}`` when both sides are one strided
    correlation with a single-channel kernel that has a closed form (a kernel expression or a product of
    generating polynomials), else None. A concrete closed form is checked against the decided taps."""
    generating = next((g for g in (notation.chain_generating(side, names) for side in (rhs, lhs)) if g), None)
    if generating is None:
        return None
    expression = next((side.weight for side in (rhs, lhs) if isinstance(side, Conv)
                       and not isinstance(side.weight, (KernelSymbol, Literal, DerivedKernel))), None)
    taps = None
    if decision is not None and decision.lhs is not None:
        op = decision.lhs.interior()
        if op.out_period != 1 or op.out_channels != 1 or op.in_channels != 1:
            return None
        start, taps = branch_taps(op, decision.lhs.ring, 0)
        value = notation.generating_value(rhs if notation.chain_generating(rhs, names) else lhs)
        z = sympy.Symbol("z")
        decided = sympy.expand(sum(t * z ** i for i, t in enumerate(taps)))
        if start != 0 or value is None or sympy.expand(value - decided) != 0:
            return None
    derivation = next((d for d in (notation.composition_derivation(side, names) for side in (lhs, rhs)) if d),
                      None)
    return {"stride": generating[1], "generating": generating[0],
            "kernel": notation.kernel_math(expression) if expression is not None else None,
            "taps": tap_lines(taps, names) if taps is not None else None, "derivation": derivation}


def proof_sections(proof: Proof) -> dict:
    """What ``proof_parts.sections`` renders: the steps, certificate, closed forms, output-length
    argument, solutions, counterexample and numeric check of ``proof``, as LaTeX."""
    names = theorem_parts(proof.lhs, proof.rhs)["names"]
    return {
        "steps": argument.proof_steps(proof), "certificate": argument.certificate_steps(proof),
        "result": _result(proof, names), "closed_forms": _closed_forms(proof, names),
        "length": _length_argument(proof, names), "counterexample": _counterexample(proof.counterexample, names, bound_names(proof)),
        "explanation": explain.explanation(proof),
        "numeric": _numeric(proof.numeric),
        "solutions": [(notation.name_math(k), sequence_latex(list(v), None, names))
                      for k, v in proof.solutions.items()],
    }
