"""What a proof's verdict says, in LaTeX: the clause of the theorem, the agreement of the outputs (equal, or
within a tolerance), the input sizes and bounds, and what the verdict rests on beyond the replayed steps.

>>> from symconv import prove
>>> print(verdict_text(prove("conv(k[2]) >> conv(k)", "conv(convolve(k, k))")))
the identity holds for every input length $n \\ge 0$ and all values of the kernels
"""

from __future__ import annotations

import re
from fractions import Fraction

from symconv.lazy_import import sympy

from symconv.prover.proof import Proof
from symconv.report.symbol_math import expr_latex, name_math, theorem_parts
from symconv.report.tex_escape import Tex, escape_tex, prose

__all__ = ["verdict_text", "agreement_text", "assumptions_latex", "input_sizes", "bound_names"]


_VERDICT_TEXT = {
    "proved": "{claim} for every {sizes} and all values of the kernels",
    "refuted": "the identity is false, as the counterexample shows",
    "checked": "the two sides agree on every sampled length; this is numerical evidence, not a proof",
    "unknown": "the procedure could not decide the identity",
}


def bound_names(proof: Proof) -> frozenset:
    """The names of the assumed input bounds (``B`` of ``abs(x) <= B``): values, not kernels."""
    return frozenset(s.name for a in proof.assumptions for s in getattr(a.bound, "free_symbols", ()))


def assumptions_latex(proof: Proof) -> list[Tex]:
    """The input bounds the verdict rests on (``--assume``), as ``|x[i]| \\le B``; empty when there are none."""
    names = theorem_parts(proof.lhs, proof.rhs)["names"]
    return [Tex(rf"|x[i]| \le {expr_latex(a.bound, names)}") for a in proof.assumptions]


def input_sizes(layer) -> Tex:
    """``input length $n \\ge 0$`` in 1-D, ``input shape $(n_1, n_2)$`` with every $n_i \\ge 0$ in d-D; with a
    generic kernel size ``c``, followed by ``, every kernel size $c \\ge 1$``."""
    axes = getattr(layer, "ndim", 1)
    if axes <= 1:
        text = r"input length $n \ge 0$"
    else:
        shape = ", ".join(f"n_{i}" for i in range(1, axes + 1))
        text = rf"input shape $({shape})$ with every $n_i \ge 0$"
    generic = sorted({str(s) for k in layer.kernels() for s in k.length_symbols()})
    if generic:
        sizes = ", ".join(name_math(name) for name in generic)
        text += rf", every kernel size ${sizes} \ge 1$" if len(generic) == 1 else rf", all kernel sizes ${sizes} \ge 1$"
    return Tex(text)


def agreement_text(proof: Proof) -> Tex:
    """What the theorem says of the outputs: equal, or (a tolerance proof) within ``atol + rtol R``."""
    tolerance = getattr(proof, "tolerance", None)
    if tolerance is None:
        return Tex(r"give the same output: $L x = R x$")
    atol, rtol = tolerance.atol, tolerance.rtol
    bound = sympy.latex(sympy.Rational(atol.numerator, atol.denominator))
    if rtol:
        bound += rf" + {sympy.latex(sympy.Rational(rtol.numerator, rtol.denominator))}\, \rho"
    return Tex(rf"give outputs within ${bound}$ of each other for every input with $|x| \le 1$"
               + (r" ($\rho$ the right-hand output's own bound: its row's absolute sum plus its"
                  r" $|\text{bias}|$)" if rtol else "")
               + r": $|L x - R x| \le " + bound + "$ elementwise")


def verdict_text(proof: Proof) -> Tex:
    """What ``proof.verdict`` means, as one clause of LaTeX (with the assumptions it rests on)."""
    text = _VERDICT_TEXT.get(proof.verdict, escape_tex(proof.verdict))
    if proof.verdict == "proved":
        within = getattr(proof, "tolerance", None) is not None
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
        return "the numeric tolerance " + _tolerance_words(entry[len("tolerance: "):])
    return prose(entry)


_TOLERANCE = re.compile(r"^atol=(-?[0-9]{1,40}(?:/[0-9]{1,40})?), rtol=(-?[0-9]{1,40}(?:/[0-9]{1,40})?)$")


def _tolerance_words(text: str) -> Tex:
    r"""``atol=1/100000, rtol=0`` (the checker's exact tolerance) as ``$\mathrm{atol} = 10^{-5}$, ...``; any
    other text as prose."""
    from symconv.report.network_steps import decimal_math

    found = _TOLERANCE.match(text.strip())
    if found is None:
        return prose(text)
    try:
        atol, rtol = (Fraction(v) for v in found.groups())
    except ZeroDivisionError:
        return prose(text)
    return Tex(rf"$\mathrm{{atol}} = {decimal_math(atol)}$, $\mathrm{{rtol}} = {decimal_math(rtol)}$")
