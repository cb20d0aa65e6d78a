"""The argument of a proof as mathematics: each proof step and certificate step rebuilt from the objects.

A :class:`~symconv.prover.proof.ProofStep` carries a plain-text ``statement``
for the terminal; the report never prints it when it knows the rule. For each
known rule the sentence and its formula are built here from the structured
objects the proof holds (the decision's normal forms and boundary bound, the
residue classes, the generic length forms, the steps' and the certificate's data), so a
chain is a composition of operators, a kernel a polynomial and a length a
floor expression with its case split. A step of a rule this module does not
know (the prover grows) keeps its own ``latex`` when it has one, else its
statement as prose. The structural and network steps (shared layers,
congruence, ReLU pairs, tolerances) are built by
:mod:`symconv.report.network_steps`, the factored interior argument by
:mod:`symconv.report.interior_steps`, the N-D generic-size argument (its zero
extension and impulse responses axis by axis, not the 1-D wording) by
:mod:`symconv.report.generic_nd_steps`; the steps after one that opens a
sub-proof (the middle of shared layers, a half of a congruence) name its
sides ``L', R'`` or ``L_1, R_1`` and use its own normal forms.

The boundary bound is stated once, as the lemma has it: both sides agree for
every ``n < n_0 + P``; past ``n_0`` they are periodic with period ``P``.

>>> from symconv import prove
>>> p = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
>>> [s["title"] for s in proof_steps(p)][:3]
['Normal form of the left-hand side', 'Normal form of the right-hand side', 'Equal interior operators']
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.layers import Chain
from symconv.report import generic_nd_steps, interior_steps, network_steps, notation
from symconv.report.math_text import prose_math
from symconv.report.notation import SymbolNames, Tex, expr_latex, layer_math, prose
from symconv.report.taps_latex import polynomial_latex

__all__ = ["proof_steps", "certificate_steps", "rule_name", "bound_sentence", "interior_polynomial"]

_SIDES = {"lhs": ("left-hand side", "L"), "rhs": ("right-hand side", "R")}


def rule_name(rule: object) -> str:
    """The rule's name as a string (an Enum member's value, or the string itself)."""
    return str(getattr(rule, "value", rule))


def _names(proof) -> SymbolNames:
    return notation.symbol_names((proof.lhs, proof.rhs))


def bound_sentence(start: int, period: int) -> Tex:
    """The eventual-periodicity bound, in the one wording every section uses."""
    return Tex(rf"every $n < n_0 + P = {start + period}$ (boundary bound $n_0 = {start}$, period $P = {period}$)")


def interior_polynomial(nf, names: SymbolNames) -> Optional[Tex]:
    """``K(z) = ...`` of a one-phase, one-channel interior operator, else None."""
    from symconv.prover.describe import branch_taps

    op = nf.interior()
    if op.out_period != 1 or op.out_channels != 1 or op.in_channels != 1:
        return None
    start, taps = branch_taps(op, nf.ring)
    return _polynomial(taps, names)


def _polynomial(taps, names: SymbolNames) -> Tex:
    return polynomial_latex(taps, 0, names)


def _interior_formula(nf, names: SymbolNames, label: str = "") -> Optional[Tex]:
    """``y[i] = sum_t K[t] x[S i + t + o]`` of a one-phase interior operator."""
    from symconv.prover.describe import branch_taps

    op = nf.interior()
    if op.out_period != 1:
        return None
    start, _ = branch_taps(op, nf.ring)
    i, t = sympy.Symbol("i", integer=True), sympy.Symbol("t", integer=True)
    x = expr_latex(op.in_period * i + t + start, names)
    if op.out_channels != 1 or op.in_channels != 1:
        return Tex(rf"y_o[i] = \sum_{{m}} \sum_{{t}} K_{{{label}o,m}}[t]\, x_m[{x}]")
    return Tex(rf"y[i] = \sum_{{t}} K_{{{label}}}[t]\, x[{x}]")


def _step(title, body, display=None, after=None) -> dict:
    return {"title": title, "body": Tex(body), "display": Tex(display) if display is not None else None,
            "after": Tex(after) if after is not None else None}


def _normal_form(decision, side: str, names: SymbolNames, symbols: tuple[str, str] = ("L", "R")) -> Optional[dict]:
    nf = getattr(decision, side, None) if decision is not None else None
    if nf is None or getattr(decision, "residue_classes", ()):
        return None
    label, symbol = _SIDES[side][0], symbols[0 if side == "lhs" else 1]
    sub = symbol if len(symbol) == 1 else f"{{{symbol}}}"  # K_L, K_{L'}
    title = f"Normal form of the {label}"
    formula = _interior_formula(nf, names, symbol)
    if formula is None:
        return _step(title, rf"Away from the ends of the signal, ${symbol} = {layer_math(nf.source)}$ is one "
                            rf"strided correlation per output phase (see the closed form below).")
    generating = notation.chain_generating(nf.source, names)
    poly = interior_polynomial(nf, names)
    text = (rf"Away from the ends of the signal, ${symbol} = {layer_math(nf.source)}$ is the strided correlation "
            rf"${formula}$")
    if generating is not None and poly is not None:
        single = not isinstance(nf.source, Chain)
        how = (r"$a * b$ multiplies the polynomials and $\operatorname{dilate}_d$ substitutes $z^d$" if single else
               r"$\operatorname{conv}_{t}(b) \circ \operatorname{conv}_{s}(a) = "
               r"\operatorname{conv}_{st}(a * \operatorname{dilate}_s(b))$")
        text += (rf" with $K_{sub}(z) = {generating[0]}$ ({how}); expanded, "
                 rf"$K_{sub}(z) = {poly}$")
    elif poly is not None:
        text += rf" with $K_{sub}(z) = {poly}$"
    return _step(title, text + ".")


def _length_step(decision, names: SymbolNames) -> Optional[dict]:
    from symconv.prover.describe import closed_length

    if decision is None or decision.lhs is None or decision.bound is None:
        return None
    bound = decision.bound
    fitted = closed_length(decision.lhs, bound.start, bound.period)
    rate = decision.lhs.rate()
    slope = sympy.Rational(rate.numerator, rate.denominator) * bound.period
    text = (rf"The output lengths are equal for {bound_sentence(bound.start, bound.period)}, and for "
            rf"$n \ge n_0$ both grow by ${expr_latex(slope, names)}$ when $n$ grows by $P$; so they are equal "
            rf"for every $n$.")
    if fitted is None:
        return _step("Output length", text)
    return _step("Output length", "Both sides give the same number of outputs,",
                 rf"m(n) = {notation.length_cases(fitted[0], fitted[1], names)}", text)


def _generic_lengths(proof, names: SymbolNames) -> Optional[dict]:
    from symconv.errors import SymconvError
    from symconv.prover.generic_lengths import OutsideGenericFragment, common_period, length_form

    symbols = {s for layer in (proof.lhs, proof.rhs) for k in layer.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        return None
    symbol = symbols.pop()
    try:
        form = length_form(proof.lhs, common_period(proof.lhs, proof.rhs), symbol)
    except (OutsideGenericFragment, SymconvError):  # outside the generic fragment: the step keeps its prose
        return None
    cases = notation.generic_length_cases(form, symbol, names)
    if cases is None:
        return None
    c = expr_latex(symbol, names)
    return dict(_step("Output lengths for every kernel length", rf"For every kernel length ${c} \ge 1$ both sides give",
                      rf"m(n) = {cases}", "outputs."), period=form.period, slope=form.slope, symbol=c)


def proof_steps(proof) -> list[dict]:
    """Each step of ``proof`` as ``{"title", "body", "display"}`` (LaTeX text and an optional display)."""
    names = _names(proof)
    decision = getattr(proof, "decision", None)
    classes = list(getattr(decision, "residue_classes", ()) or ())
    generic = None
    symbols = ("L", "R")
    out: list[dict] = []
    sides = iter(("lhs", "rhs"))
    for step in proof.steps:
        rule = rule_name(step.rule)
        built = generic_nd_steps.proof_step(rule, step, proof)
        if built is not None:  # an N-D generic proof: its steps axis by axis, never the 1-D wording below
            pass
        elif rule == "normal_form":
            built = _normal_form(decision, next(sides, "rhs"), names, symbols)
        elif rule == "interior_equal":
            kernels = "K_L = K_R" if symbols == ("L", "R") else f"K_{{{symbols[0]}}} = K_{{{symbols[1]}}}"
            built = {"title": "Equal interior operators",
                     "body": Tex(rf"The two kernels are equal as exact polynomials in the taps: ${kernels}$, "
                                 rf"so away from the ends both sides compute the same outputs."), "display": None}
        elif rule == "output_length":
            if decision is None:  # a generic length; else (a step of a sub-proof) the step keeps its prose
                generic = generic or _generic_lengths(proof, names)
                if generic is not None:
                    c = generic["symbol"]
                    built = {"title": "Equal output lengths",
                             "body": Tex(rf"The thresholds $T({c})$, slopes and offsets of the two lengths are equal "
                                         rf"as eventually quasi-affine functions of ${c}$, so the output lengths agree "
                                         rf"for every $n$ and every ${c} \ge 1$."), "display": None}
            else:
                built = _length_step(decision, names)
        elif rule == "no_inner_edge":
            built = {"title": "No inner edge",
                     "body": Tex(r"No output reads across an inner window edge, so every output is the interior "
                                 rf"operator applied to the zero-extended input: ${symbols[0]} x = {symbols[1]} x$ "
                                 r"for every $n$."),
                     "display": None}
        elif rule == "boundary_bound" and decision is not None and decision.bound is not None:
            b = decision.bound
            built = {"title": "The ends of the signal",
                     "body": Tex(rf"The outputs are equal, by exact evaluation, for {bound_sentence(b.start, b.period)}; "
                                 rf"by eventual periodicity they are equal for every $n$."), "display": None}
        elif rule == "flip_conjugation":
            built = {"title": "Flips to the input",
                     "body": Tex(r"Every $\operatorname{flip}$ is moved to the input: a flip commutes with "
                                 r"padding, cropping and stride-1 layers, reversing their parameters and kernels."),
                     "display": None}
        elif rule == "flip_phase":
            built = {"title": "Flips across strided layers",
                     "body": Tex(r"A flip crossing ${\downarrow}_s^{(q)}$ (keep the samples $q, q + s, \dots$) "
                                 r"becomes ${\downarrow}_s^{((m - 1 - q) \bmod s)}$, where $m$ is the length of the "
                                 r"signal reaching it; a strided layer is a stride-1 layer followed by "
                                 r"${\downarrow}_s$."), "display": None}
        elif rule == "small_lengths" and classes:
            built = {"title": "Short inputs",
                     "body": Tex(rf"The outputs are equal, by exact evaluation, for every $n < {classes[0].start}$."),
                     "display": None}
        elif rule == "residue_class" and classes:
            c = classes.pop(0)
            built = {"title": Tex(rf"Inputs with $n \equiv {c.residue} \pmod{{{c.period}}}$"),
                     "body": Tex(rf"For $n \ge {c.start}$ in this class every flip moves to the input with a fixed "
                                 rf"phase, and the sides become the flip-free chains below. Their interior operators "
                                 rf"and lengths are equal, and their outputs agree for every such $n < {c.limit}$, so "
                                 rf"by eventual periodicity for every such $n$."),
                     "display": Tex(rf"L' = {layer_math(c.lhs)}, \qquad R' = {layer_math(c.rhs)}")}
        elif rule == "generic_lengths":
            generic = generic or _generic_lengths(proof, names)
            if generic is not None:
                built = {k: generic[k] for k in ("title", "body", "display", "after")}
        elif rule == "zero_extension":
            built = {"title": "Zero extension",
                     "body": Tex(r"Every padding and transposed layer reads a signal that is zero outside its "
                                 r"window, so every layer's output is its bi-infinite operator restricted to the "
                                 r"window."), "display": None}
        elif rule == "impulse_responses":
            generic = generic or _generic_lengths(proof, names)
            if generic is not None:
                p, q, c = generic["period"], generic["slope"], generic["symbol"]
                built = {"title": "Impulse responses",
                         "body": Tex(rf"Both operators commute with shifting the input by ${p}$ samples (and the "
                                     rf"output by ${q}$). Their responses to the impulses at $0, \dots, {p - 1}$ are "
                                     rf"equal formal series in $z$, whose atoms are the polyphase components "
                                     rf"$A_r(z^{{{p}}})$, $0 \le r < {p}$, of the kernels of generic length ${c}$; so "
                                     rf"the operators are equal for every ${c}$."), "display": None}
        elif rule == "relu_identity_under_bound":
            side = "left-hand side" if step.get("side") == "lhs" else "right-hand side"
            bounds = " and ".join(rf"$|x[i]| \le {expr_latex(a.bound, names)}$" for a in proof.assumptions) or \
                "the assumption"
            built = {"title": f"A ReLU of the {side} is the identity",
                     "body": Tex(rf"Interval bounds through the layers before it show that, for inputs with {bounds} "
                                 rf"for every $i$, every input $v$ of this $\operatorname{{relu}}$ is non-negative, so "
                                 rf"$\operatorname{{relu}}(v) = \max(v, 0) = v$."), "display": None}
        elif rule == "linear_reduction":
            built = {"title": "The linear chains left",
                     "body": Tex(r"With those ReLUs dropped, and $\operatorname{affine}(a, t)$ read as a one-tap "
                                 r"convolution with kernel $(a)$ and bias $t$, the two sides are linear and the "
                                 r"decision procedure applies to them:"), "display": None}
        elif rule == "axis_projection":
            built = {"title": "Each axis alone",
                     "body": Tex(r"On each axis the output lengths of both sides agree for every $n$ (the 1-D "
                                 r"projections of the chains)."), "display": None}
        if built is None:  # the structural and network arguments (report.network_steps)
            built = network_steps.proof_step(rule, step, proof, symbols)
        if built is None:  # the factored interior argument (report.interior_steps)
            built = interior_steps.proof_step(rule, step, proof)
        sub = network_steps.sub_statement(rule, step)
        if sub is not None:  # the steps that follow are a sub-proof's: its own normal forms, its own names
            (left, right), symbols = sub
            decision, sides = _sub_decision(left, right), iter(("lhs", "rhs"))
        if built is None:  # a rule this module does not know yet: its own latex, or its statement as prose
            built = {"title": prose(rule.replace("_", " ").capitalize()), "body": prose_math(_sentence(step.statement)),
                     "display": Tex(step.latex) if step.latex else None}
        built.setdefault("after", None)
        out.append(built)
    return out


def _sub_decision(lhs, rhs):
    """The decision of a linear 1-D sub-statement (the middle of shared layers, a half of a congruence), or None."""
    from symconv.errors import SymconvError
    from symconv.prover.decide import decide

    if lhs.ndim >= 2 or rhs.ndim >= 2 or not (lhs.linear and rhs.linear):
        return None
    try:
        decision = decide(lhs, rhs)
    except (SymconvError, TypeError, ValueError, ArithmeticError):  # weights outside the exact ring: no closed form
        return None
    return decision if decision.verdict == "proved" else None


def _sentence(text: str) -> str:
    """``text`` as a sentence: capital first letter, final period."""
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def certificate_steps(proof) -> Optional[list[dict]]:
    """The certificate's steps as ``{"title", "body"}``, or None when the proof carries no certificate."""
    certificate = getattr(proof, "certificate", None)
    if certificate is None:
        return None
    out = []
    for step in certificate.steps:
        rule, data = rule_name(step.rule), dict(step.data)
        body: Optional[str] = None
        if rule == "eventual_periodicity" and {"start", "period", "limit"} <= set(data):
            start, period, limit = data["start"], data["period"], data["limit"]
            if limit == start + period:
                body = (rf"Both sides agree, by exact evaluation with the core semantics, for "
                        rf"{bound_sentence(start, period)}; for $n \ge n_0$ both are periodic with period $P$, so "
                        rf"they agree for every $n$.")
            else:
                body = (rf"Both sides agree, by exact evaluation with the core semantics, for every $n < {limit}$; "
                        rf"for $n \ge n_0 = {start}$ both are periodic with period $P = {period}$, so they agree "
                        rf"for every $n$.")
        elif rule == "generic_instances" and "instances" in data:
            c = notation.name_math(str(data.get("symbol", "c")))
            rows = ", ".join(rf"${c} = {v}$: $n < {limit}$" for v, _start, _period, limit in data["instances"])
            last = data["instances"][-1][0]
            body = (rf"For ${c} = 1, \dots, {last}$ the checker closes the statement by eventual periodicity, "
                    rf"comparing both sides exactly below the bound of each instance ({rows}). Every larger "
                    rf"${c}$ rests on the generic argument above, which the checker does not replay.")
        elif rule == "residue_classes" and "classes" in data:
            period = data.get("period")
            parts = ", ".join(rf"$n \equiv {r} \pmod{{{period}}}$ for ${first} \le n < {limit}$"
                              for r, first, _p, limit in data["classes"])
            body = (rf"Both sides agree, by exact evaluation, for every $n < {data.get('start')}$, and in each "
                    rf"residue class of $n$ modulo ${period}$, where the flips move to the input with fixed phases: "
                    rf"{parts}; eventual periodicity closes each class.")
        elif rule == "product_bound" and "axes" in data:
            limits = [axis[2] for axis in data["axes"]]
            shape = ", ".join(str(v) for v in limits)
            body = (rf"Each axis has its own boundary bound ({', '.join(f'$n_{i + 1} < {v}$' for i, v in enumerate(limits))}); "
                    rf"the outputs agree for every shape below $({shape})$, so for every shape.")
        if body is None:
            body = network_steps.certificate_body(rule, data)
        if body is None:
            body = interior_steps.certificate_body(rule, data) or generic_nd_steps.certificate_body(rule, data)
        titles = {**network_steps.CERTIFICATE_TITLES, **interior_steps.CERTIFICATE_TITLES,
                  **generic_nd_steps.CERTIFICATE_TITLES}
        title = titles.get(rule, rule.replace("_", " ").capitalize())
        out.append({"title": prose(title),
                    "body": Tex(body) if body is not None else prose_math(_sentence(step.statement))})
    return out
