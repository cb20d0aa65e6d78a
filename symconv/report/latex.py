"""LaTeX reports of proofs, derivations and factorizations, rendered from the package's jinja2 templates.

This module assembles the documents; the pieces are their own modules: the
template environment (:mod:`symconv.report.jinja_env`), the notation
(:mod:`symconv.report.notation`), the verdict's words
(:mod:`symconv.report.verdict_text`), the sections of a proof
(:mod:`symconv.report.proof_sections`) and the derivation report
(:mod:`symconv.report.derivation_report`). Every string that reaches a
template is either a :class:`Tex` or is escaped on output, so a user's text
can never inject TeX.

>>> print(escape_tex("50% of k_0 & {x}"))
50\\% of k\\_0 \\& \\{x\\}
>>> from symconv import derive
>>> "\\\\documentclass" in latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)"))
True
"""

from __future__ import annotations

import re

from symconv.factoring import BoundedReluFactorization, Factorization
from symconv.prover.derive import Derivation
from symconv.prover.proof import Proof
from symconv.report import explain, notation
from symconv.report.derivation_report import boundary_text, derivation_latex
from symconv.report.jinja_env import environment, render
from symconv.report.math_text import prose_math
from symconv.report.proof_sections import proof_sections, result_of
from symconv.report.symbol_math import theorem_parts
from symconv.report.taps_latex import polynomial_latex
from symconv.report.tex_escape import Tex, escape_tex, escape_tt
from symconv.report.weights_math import SHAPE_MARK, shortened_statement
from symconv.report.verdict_text import agreement_text, assumptions_latex, input_sizes, verdict_text

__all__ = ["Tex", "escape_tex", "escape_tt", "latex", "proof_latex", "derivation_latex", "environment",
           "polynomial_latex", "result_of", "boundary_text", "proof_sections", "verdict_text", "assumptions_latex",
           "input_sizes", "note_latex"]


_TITLES = {"proved": "Proof", "refuted": "Refutation", "checked": "Numerical check", "unknown": "Report"}


#: An exact bound too long to read, followed by its rounded value: ``5055...681/4056...032 ~ 1.24639e-06``.
_LONG_FRACTION = re.compile(r"-?\d{10,}/\d{10,} ~ ")


def note_latex(note: str) -> Tex:
    """A proof's note as LaTeX prose: a long exact bound read by its rounded value (``about 1.25e-06``; the
    certificate has it exactly) and ``|x_i|`` set as mathematics."""
    note = _LONG_FRACTION.sub("about ", str(note))
    pieces = note.split("|x_i|")
    return Tex("$|x_i|$".join(prose_math(piece) for piece in pieces))


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
    parts = theorem_parts(proof.lhs, proof.rhs)
    listed = [shortened_statement(repr(side)) for side in (proof.lhs, proof.rhs)]
    formulas = [notation.layer_math(side) for side in (proof.lhs, proof.rhs)]
    return render(
        "proof.tex.j2",
        title=f"{_TITLES.get(proof.verdict, 'Report')} of a convolution identity",
        verdict=proof.verdict, verdict_text=verdict_text(proof),
        sides=[("Left-hand side", "L", formulas[0], escape_tt(listed[0])),
               ("Right-hand side", "R", formulas[1], escape_tt(listed[1]))],
        shortened=listed != [repr(proof.lhs), repr(proof.rhs)] or any(SHAPE_MARK in f for f in formulas),
        declarations=parts["declarations"], assumptions=assumptions_latex(proof),
        proof=proof_sections(proof), two_d=proof.lhs.ndim >= 2, axes=proof.lhs.ndim, sizes=input_sizes(proof.lhs),
        of_size=Tex("of that shape" if proof.lhs.ndim >= 2 else "of length $n$"),
        agreement=agreement_text(proof),
        note=note_latex(proof.note) if explain.explanation(proof) is None else "",
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
