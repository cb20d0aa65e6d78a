"""LaTeX reports of proofs, derivations and factorizations, rendered from the package's jinja2 templates.

Every string that reaches a template is either a :class:`Tex` (LaTeX built
here, from escaped text and ``sympy.latex``) or is escaped on output by the
environment's ``finalize`` hook, so a user's text can never inject TeX.
Templates use ``((* ... *))`` for blocks, ``((( ... )))`` for values and
``((= ... =))`` for comments, and an undefined name is an error.

>>> print(escape_tex("50% of k_0 & {x}"))
50\\% of k\\_0 \\& \\{x\\}
>>> from symconv import derive
>>> "\\\\documentclass" in latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)"))
True
"""

from __future__ import annotations

import re

from dataclasses import replace
from fractions import Fraction

import sympy
import jinja2

from symconv.algebra.normal_form import LinearChain
from symconv.core.kernel import DerivedKernel, KernelSymbol, Literal, kernel as kernel_symbol
from symconv.core.kernel_nd import kernel_nd
from symconv.core.layers import Conv, Layer
from symconv.core.output_length import length_symbol, output_length
from symconv.factoring import BoundedReluFactorization, Factorization
from symconv.prover.derive import Derivation
from symconv.prover.describe import branch_taps, closed_length
from symconv.prover.proof import Proof
from symconv.report import argument, explain, notation
from symconv.report.math_text import prose_math
from symconv.report.notation import Tex, escape_tex, escape_tt, expr_latex, prose, sequence_latex

__all__ = ["Tex", "escape_tex", "escape_tt", "latex", "proof_latex", "derivation_latex", "environment",
           "polynomial_latex", "result_of", "boundary_text"]

_ENVIRONMENT: list[jinja2.Environment] = []  # built once, on first use


def _finalize(value: object) -> str:
    """Escape every value a template prints unless it is already LaTeX (a :class:`Tex`)."""
    return value if isinstance(value, Tex) else escape_tex(str(value))


def environment() -> jinja2.Environment:
    """The jinja2 environment of the report templates (strict, LaTeX-safe delimiters)."""
    if not _ENVIRONMENT:
        _ENVIRONMENT.append(jinja2.Environment(
            loader=jinja2.PackageLoader("symconv.report", "templates"),
            block_start_string="((*", block_end_string="*))",
            variable_start_string="(((", variable_end_string=")))",
            comment_start_string="((=", comment_end_string="=))",
            undefined=jinja2.StrictUndefined,
            finalize=_finalize,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        ))
        # ``| tex`` marks LaTeX written in a template (a literal or a macro's output) as
        # already LaTeX; never apply it to a value that came from the user.
        _ENVIRONMENT[0].filters["tex"] = Tex
    return _ENVIRONMENT[0]


def _render(template: str, **context: object) -> str:
    return environment().get_template(template).render(**context)


# ---------------------------------------------------------------- shared pieces

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


def polynomial_latex(taps: list, start: int, names) -> Tex:
    """``sum_t taps[t] z^{start + t}`` in LaTeX, with line breaks allowed between terms.

    Unlike ``describe.poly_latex`` (``\\left( \\right)`` groups, which TeX cannot
    break), a sum coefficient is wrapped in ``\\bigl( \\bigr)``.
    """
    z = sympy.Symbol("z")
    terms = []
    for t, c in enumerate(taps):
        c = sympy.expand(c)
        if c == 0:
            continue
        power = expr_latex(z ** (start + t), names) if start + t else ""
        sign = "+"
        if isinstance(c, sympy.Add):
            body = rf"\bigl({expr_latex(c, names)}\bigr)"
        else:
            if c.could_extract_minus_sign():
                sign, c = "-", -c
            body = expr_latex(c, names)
            if c == 1 and power:
                body = ""
        terms.append((sign, f"{body} {power}".strip()))
    if not terms:
        return Tex("0")
    first_sign, first = terms[0]
    out = ("-" if first_sign == "-" else "") + first
    return Tex(out + "".join(f" {s} {body}" for s, body in terms[1:]))


def _taps(taps, names, label: str = "K") -> list[Tex]:
    """``K[t] = ...`` for a flat tap list; ``K_{o,i}[t] = ...`` for a nested one."""
    if taps and isinstance(taps[0], (list, tuple)):
        return [Tex(rf"{label}_{{{o},{i}}}[{t}] = {expr_latex(v, names)}")
                for o, row in enumerate(taps) for i, entry in enumerate(row) for t, v in enumerate(entry)]
    return [Tex(rf"{label}[{t}] = {expr_latex(v, names)}") for t, v in enumerate(taps)]


def _theorem_parts(*layers: Layer) -> dict:
    names = notation.symbol_names(layers)
    return {"names": names, "declarations": notation.declarations(layers)}


_TITLES = {"proved": "Proof", "refuted": "Refutation", "checked": "Numerical check", "unknown": "Report"}


# ---------------------------------------------------------------- proofs

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
        out.append({"phase": r, "start": start, "formula": Tex(formula), "taps": _taps(taps, names, label),
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
        many = len(channels) > 1
        return [(Tex(f"${label}_{{{c}}}$" if many else f"${label}$"), sequence_latex(ch, highlight, names))
                for c, ch in enumerate(channels)]

    shaped = isinstance(example.n, (tuple, list))  # an N-D counterexample: n = (n_1, ..., n_d)
    given = [(Tex("input shape" if shaped else "input length"), Tex(f"n = {tuple(example.n) if shaped else example.n}"))]
    given += [(Tex("generic length"), Tex(f"{notation.name_math(name)} = {value}"))
              for name, value in getattr(example, "sizes", ())]
    given += [(Tex(f"assumed bound ${notation.name_math(name)}$" if name in bound_names
                   else f"kernel ${notation.name_math(name)}$"), sequence_latex(values, None, names))
              for name, values in example.kernels.items()]
    given += rows("x", example.input)
    outputs = rows("L x", example.lhs, example.index) + rows("R x", example.rhs, example.index)
    return {"n": example.n, "index": example.index, "given": given, "outputs": outputs}


def _result(proof: Proof, names) -> dict | None:
    """The result stated first: the one strided correlation both sides are, its kernel in closed form."""
    if proof.verdict != "proved":
        return None
    return result_of(proof.lhs, proof.rhs, getattr(proof, "decision", None), names)


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
            "taps": _taps(taps, names) if taps is not None else None, "derivation": derivation}


_VERDICT_TEXT = {
    "proved": "{claim} for every {sizes} and all values of the kernels",
    "refuted": "the identity is false, as the counterexample shows",
    "checked": "the two sides agree on every sampled length; this is numerical evidence, not a proof",
    "unknown": "the procedure could not decide the identity",
}


def _bound_names(proof: Proof) -> frozenset:
    """The names of the assumed input bounds (``B`` of ``abs(x) <= B``): values, not kernels."""
    return frozenset(s.name for a in proof.assumptions for s in getattr(a.bound, "free_symbols", ()))


def assumptions_latex(proof: Proof) -> list[Tex]:
    """The input bounds the verdict rests on (``--assume``), as ``|x[i]| \\le B``; empty when there are none."""
    names = _theorem_parts(proof.lhs, proof.rhs)["names"]
    return [Tex(rf"|x[i]| \le {expr_latex(a.bound, names)}") for a in proof.assumptions]


def input_sizes(layer) -> Tex:
    """``input length $n \\ge 0$`` in 1-D, ``input shape $(n_1, n_2)$`` with every $n_i \\ge 0$ in d-D."""
    axes = getattr(layer, "ndim", 1)
    if axes <= 1:
        return Tex(r"input length $n \ge 0$")
    shape = ", ".join(f"n_{i}" for i in range(1, axes + 1))
    return Tex(rf"input shape $({shape})$ with every $n_i \ge 0$")


def _agreement(proof: Proof) -> Tex:
    """What the theorem says of the outputs: equal, or (a tolerance proof) within ``atol + rtol R``."""
    for entry in getattr(proof, "rests_on", ()) or ():
        found = re.fullmatch(r"tolerance: atol=([0-9/]+), rtol=([0-9/]+)", str(entry))
        if found:
            atol, rtol = (Fraction(v) for v in found.groups())
            bound = sympy.latex(sympy.Rational(atol.numerator, atol.denominator))
            if rtol:
                bound += rf" + {sympy.latex(sympy.Rational(rtol.numerator, rtol.denominator))}\, \rho"
            return Tex(rf"give outputs within ${bound}$ of each other for every input with $|x| \le 1$"
                       + (r" ($\rho$ the right-hand output's own bound: its row's absolute sum plus its"
                          r" $|\text{bias}|$)" if rtol else "")
                       + r": $|L x - R x| \le " + bound + "$ elementwise")
    return Tex(r"give the same output: $L x = R x$")


def verdict_text(proof: Proof) -> Tex:
    """What ``proof.verdict`` means, as one clause of LaTeX (with the assumptions it rests on)."""
    text = _VERDICT_TEXT.get(proof.verdict, escape_tex(proof.verdict))
    if proof.verdict == "proved":
        within = any(str(entry).startswith("tolerance: ") for entry in getattr(proof, "rests_on", ()) or ())
        claim = "the two sides agree within the tolerance" if within else "the identity holds"
        text = text.format(claim=claim, sizes=input_sizes(proof.lhs))
    bounds = assumptions_latex(proof)
    if bounds and proof.verdict in ("proved", "checked"):
        text += ", for the inputs with " + " and ".join(f"${b}$" for b in bounds) + " for every $i$"
    rests_on = [_rests_on_words(entry, bounds) for entry in getattr(proof, "rests_on", ()) or ()]
    if rests_on:  # the structured rests_on of the verdict (symconv.checker.RESTS_ON), never the prose note
        text += "; beyond the steps the checker replayed, it rests on " + "; ".join(rests_on)
    return Tex(text)


def _rests_on_words(entry: str, bounds: list[Tex]) -> str:
    """One ``rests_on`` entry (``generic_argument``, ``interval_lemma``, ``assumption: ...``,
    ``tolerance: ...``) in words."""
    if entry == "generic_argument":
        return "the generic argument for every kernel length (the checker replays finitely many lengths)"
    if entry == "interval_lemma":
        return "the interval bounds that show each dropped ReLU sees only non-negative values"
    if entry.startswith("assumption: "):
        return "the assumption " + (" and ".join(f"${b}$" for b in bounds) + " for every $i$" if bounds
                                    else prose(entry[len("assumption: "):]))
    if entry.startswith("tolerance: "):
        return "the numeric tolerance " + prose(entry[len("tolerance: "):])
    return prose(entry)


def proof_sections(proof: Proof) -> dict:
    """What ``proof_parts.sections`` renders: the steps, certificate, closed forms, output-length
    argument, solutions, counterexample and numeric check of ``proof``, as LaTeX."""
    names = _theorem_parts(proof.lhs, proof.rhs)["names"]
    return {
        "steps": argument.proof_steps(proof), "certificate": argument.certificate_steps(proof),
        "result": _result(proof, names), "closed_forms": _closed_forms(proof, names),
        "length": _length_argument(proof, names), "counterexample": _counterexample(proof.counterexample, names, _bound_names(proof)),
        "explanation": explain.explanation(proof),
        "numeric": _numeric(proof.numeric),
        "solutions": [(notation.name_math(k), sequence_latex(list(v), None, names))
                      for k, v in proof.solutions.items()],
    }


def proof_latex(proof: Proof) -> str:
    """A complete LaTeX document reporting ``proof`` (theorem, steps, closed forms, checks).

    >>> from symconv import prove
    >>> tex = proof_latex(prove("conv(k[3], stride=2) >> conv(k, stride=2)",
    ...                         "conv(convolve(k, dilate(k, 2)), stride=4)"))
    >>> r"K[3] = k_{1}^{2}" in tex
    True
    """
    if not isinstance(proof, Proof):
        raise TypeError(f"proof_latex takes a Proof (from symconv.prove), not {type(proof).__name__}")
    parts = _theorem_parts(proof.lhs, proof.rhs)
    return _render(
        "proof.tex.j2",
        title=f"{_TITLES.get(proof.verdict, 'Report')} of a convolution identity",
        verdict=proof.verdict, verdict_text=verdict_text(proof),
        sides=[("Left-hand side", "L", notation.layer_math(proof.lhs), escape_tt(repr(proof.lhs))),
               ("Right-hand side", "R", notation.layer_math(proof.rhs), escape_tt(repr(proof.rhs)))],
        declarations=parts["declarations"], assumptions=assumptions_latex(proof),
        proof=proof_sections(proof), two_d=proof.lhs.ndim >= 2, axes=proof.lhs.ndim, sizes=input_sizes(proof.lhs),
        of_size=Tex("of that shape" if proof.lhs.ndim >= 2 else "of length $n$"),
        agreement=_agreement(proof),
        note=prose_math(proof.note) if explain.explanation(proof) is None else "",
    )


# ---------------------------------------------------------------- derivations

def _generic_length(chain, names) -> Tex | None:
    """The output length of a chain with one generic kernel length, with its case split (None outside)."""
    from symconv.errors import SymconvError
    from symconv.prover.generic_lengths import OutsideGenericFragment, length_form, length_period

    symbols = {s for k in chain.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        return None
    symbol = symbols.pop()
    try:
        form = length_form(chain, length_period(chain), symbol)
    except (OutsideGenericFragment, SymconvError):
        return None
    return notation.generic_length_cases(form, symbol, names)


def boundary_text(boundary: dict | None) -> Tex | None:
    """Which outputs of a chain can differ from its single layer, in words that fit the counts.

    >>> print(boundary_text({"left": 0, "right": 1}))
    The chain and the single layer agree except at the end, where the last output can differ.
    """
    if not boundary:
        return None
    left, right = int(boundary.get("left", 0)), int(boundary.get("right", 0))
    first = "the first output" if left == 1 else f"the first {left} outputs"
    last = "the last output" if right == 1 else f"the last {right} outputs"
    if left and right:
        return Tex(f"The chain and the single layer agree except at the ends, where {first} and {last} can differ.")
    if left or right:
        return Tex(f"The chain and the single layer agree except at the start, where {first} can differ." if left else
                   f"The chain and the single layer agree except at the end, where {last} can differ.")
    return Tex("The chain and the single layer agree at every output.")


def derivation_latex(derivation: Derivation) -> str:
    """A complete LaTeX document reporting ``derivation`` (single layer, kernel, arithmetic).

    >>> from symconv import derive
    >>> r"K[6] = k_{2}^{2}" in derivation_latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)"))
    True
    """
    if not isinstance(derivation, Derivation):
        raise TypeError(f"derivation_latex takes a Derivation (from symconv.derive), not {type(derivation).__name__}")
    d = derivation
    parts = _theorem_parts(d.chain)
    if d.chain.ndim >= 2:
        return _render("derivation.tex.j2", **_derivation_nd_context(d, parts))
    names = parts["names"]
    kernel = None
    if d.generating is not None:
        kernel = {"generating": expr_latex(d.generating, names)}
    elif d.kernel is not None:
        flat = not (d.kernel and isinstance(d.kernel[0], (list, tuple)))
        kernel = {"taps": _taps(d.kernel, names),
                  "polynomial": polynomial_latex(d.kernel, 0, names) if flat else None}
    length_math = None
    if d.length_expr is not None:
        length_math = notation.length_cases(d.length_expr, d.length_from, names)
    elif d.generating is not None:
        length_math = _generic_length(d.chain, names)
    elif d.layer is not None:
        length_math = expr_latex(output_length(d.layer, length_symbol()), names)
    layer_math = None
    if isinstance(d.layer, Conv) and d.kernel and not isinstance(d.kernel[0], (list, tuple)):
        layer_math = notation.layer_math(replace(d.layer, weight=kernel_symbol("K", len(d.kernel))))
    elif d.layer is not None:
        layer_math = notation.layer_math(d.layer)
    elif getattr(d, "linear_layer", None) is not None:
        # a bias with a generic tap sum k(1), which no layer holds: the convolution plus that bias per channel
        layer_math = Tex(rf"{notation.layer_math(d.linear_layer)} + {sequence_latex(d.bias, names=names)}")
    derivation_lines = notation.composition_derivation(d.chain, names) if d.chain.linear else None
    return _render(
        "derivation.tex.j2",
        sides=[("Chain", "C", notation.layer_math(d.chain), escape_tt(repr(d.chain)))],
        declarations=parts["declarations"], layer_math=layer_math, derivation=derivation_lines,
        kernel=kernel, stride=d.stride, padding=Tex(f"({d.padding[0]}, {d.padding[1]})"), dilation=d.dilation,
        receptive_field=expr_latex(d.receptive_field, names), branches=d.branches,
        output_length_math=length_math, boundary_text=boundary_text(d.boundary),
        exact=d.exact, boundary=d.boundary, linear=d.chain.linear, axes=1, sizes=input_sizes(d.chain),
        every_size=Tex("input length $n$"), every_input=Tex("$n$"), axis_lengths=None, output_shape=None,
    )


def _grid_entries(values: list, index: tuple = ()):
    """``(index, value)`` for every entry of a nested list, in row-major order."""
    if not isinstance(values, (list, tuple)):
        yield index, values
        return
    for i, v in enumerate(values):
        yield from _grid_entries(v, index + (i,))


def _derivation_nd_context(d: Derivation, parts: dict) -> dict:
    """The template values of an N-D derivation: every quantity per axis, the kernel ``K[a_1, ..., a_d]``."""
    axes = d.chain.ndim
    bias = getattr(d.layer, "bias", None)
    # the input lengths n_1, ..., n_d as subscripts
    fixed = tuple((f"n_{a}", f"n_{{{a}}}") for a in range(1, axes + 1))
    names = replace(parts["names"], fixed=parts["names"].fixed + fixed)
    kernel = layer_math = None
    if d.kernel is not None:
        items = []
        for index, value in _grid_entries(d.kernel):
            single = len(index) == axes
            head = "K" if single else f"K_{{{index[0]},{index[1]}}}"
            at = ", ".join(map(str, index if single else index[2:]))
            items.append(Tex(rf"{head}[{at}] = {expr_latex(value, names)}"))
        kernel = {"taps": items, "polynomial": None}
    if d.layer is not None:
        layer_math = notation.layer_math(replace(d.layer, weight=kernel_nd("K", *d.layer.weight.shape), bias=None))
        if bias is not None:  # the bias B (one value per output channel) is listed with the kernel
            layer_math = Tex(f"{layer_math} + B")
            kernel["bias"] = [Tex(rf"B[{o}] = {expr_latex(b, names)}") for o, b in enumerate(bias)]
    n = length_symbol()
    lengths = []
    for a, axis in enumerate(getattr(d, "axes", ()), start=1):
        n_a = sympy.Symbol(f"n_{a}", integer=True, nonnegative=True)
        if axis.length_expr is not None:
            math = notation.length_cases(axis.length_expr.subs(n, n_a), axis.length_from, names, n=f"n_{{{a}}}")
        else:
            math = expr_latex(output_length(axis.chain, n_a), names)
        lengths.append(Tex(rf"m_{{{a}}}(n_{{{a}}}) = {math}"))
    shape = ", ".join(f"n_{{{a}}}" for a in range(1, axes + 1))
    output_shape = Tex("(" + ", ".join(f"m_{{{a}}}(n_{{{a}}})" for a in range(1, axes + 1)) + ")")
    return dict(
        sides=[("Chain", "C", notation.layer_math(d.chain), escape_tt(repr(d.chain)))],
        declarations=parts["declarations"], layer_math=layer_math, derivation=None, kernel=kernel,
        stride=Tex(str(tuple(d.stride))), padding=Tex(str(tuple(tuple(p) for p in d.padding))), dilation=d.dilation,
        receptive_field=Tex(str(tuple(d.receptive_field))), branches=d.branches, output_length_math=None,
        boundary_text=None, exact=d.exact, boundary=None, linear=d.chain.linear, axes=axes,
        sizes=input_sizes(d.chain), every_size=Tex(f"input shape $({shape})$"), every_input=Tex("shape"),
        axis_lengths=lengths or None, output_shape=output_shape,
    )


def latex(obj: object) -> str:
    """The LaTeX report (a complete document) of a :class:`Proof`, a :class:`Derivation` or a factorization.

    A :class:`~symconv.factoring.Factorization` or a
    :class:`~symconv.factoring.BoundedReluFactorization` is reported by
    :func:`symconv.report.factor_report.factorization_latex`.

    >>> from symconv import prove
    >>> latex(prove("conv(k[2]) >> conv(k)", "conv(convolve(k, k))")).startswith("% symconv report")
    True
    """
    if isinstance(obj, Proof):
        return proof_latex(obj)
    if isinstance(obj, Derivation):
        return derivation_latex(obj)
    if isinstance(obj, (Factorization, BoundedReluFactorization)):
        # Imported here: factor_report builds on this module (its environment and proof sections).
        from symconv.report.factor_report import factorization_latex

        return factorization_latex(obj)
    from symconv.factoring.separable import SeparableFactorization

    if isinstance(obj, SeparableFactorization):
        from symconv.report.factor_report import separable_latex

        return separable_latex(obj)
    raise TypeError(f"symconv.latex renders a Proof (symconv.prove), a Derivation (symconv.derive) or a "
                    f"Factorization (symconv.factor), not {type(obj).__name__}")
