"""The result of ``prove``: a :class:`Proof` with its verdict, its steps, and what it prints.

A Proof is plain immutable data (see :mod:`symconv.prover.proof` for how one is
made): the verdict, the :class:`ProofStep` list, a counterexample or the numeric
evidence, and the kernel's Theorem when proved. It prints as text (``str``),
JSON (:meth:`Proof.to_json`), one line (``repr``), and for Jupyter as LaTeX and
HTML; the exit code of ``symconv prove`` is :data:`EXIT_CODES` of its verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Optional

from symconv.checker import Certificate, Theorem, Verdict, valid_rests_on
from symconv.core.layers import Layer
from symconv.errors import CertificateError, shorten
from symconv.numeric.check import NumericReport

if TYPE_CHECKING:
    from symconv.prover.counterexample import Counterexample
    from symconv.prover.decide import Decision

__all__ = ["Proof", "ProofStep", "ToleranceBound", "EXIT_CODES", "LINE_LIMIT"]

#: Exit codes of ``symconv prove`` by verdict (DESIGN §5).
EXIT_CODES = {Verdict.PROVED: 0, Verdict.CHECKED: 0, Verdict.REFUTED: 1, Verdict.UNKNOWN: 3}


#: Longest line of a proof's text display (:meth:`Proof.__str__`); longer ones are shortened with '...'.
LINE_LIMIT = 400


def _shown(side: Layer) -> str:
    """``repr(side)``, its long bracketed lists cut (a model's weights): :func:`.display.shortened_statement`."""
    from symconv.prover.display import shortened_statement

    return shortened_statement(repr(side), LINE_LIMIT)


@dataclass(frozen=True)
class ProofStep:
    """One step: the rule (lemma) used and the statement it establishes; ``data``, ``(name, value)`` pairs, holds
    the step's objects (chains, positions) for the reports, so they never parse ``statement`` back (not in JSON)."""

    rule: str
    statement: str
    latex: str = ""
    data: tuple[tuple[str, object], ...] = field(default=(), compare=False, repr=False)

    def get(self, name: str, default: object = None) -> object:
        """The value named ``name`` in ``data``, or ``default``."""
        return dict(self.data).get(name, default)

    def to_json(self) -> dict:
        return {"rule": self.rule, "statement": self.statement, "latex": self.latex}


@dataclass(frozen=True)
class ToleranceBound:
    """The tolerance of ``prove(lhs, rhs, atol=, rtol=)``: ``|L x - R x| <= atol + rtol * R`` on ``|x| <= 1``,
    exact; ``gain`` the worst-case gain of ``lhs - rhs`` over every input shape (None when no rows were compared)."""

    atol: Fraction
    rtol: Fraction
    gain: Optional[Fraction] = None


@dataclass(frozen=True)
class Proof:
    """The outcome of ``prove``; see the module docstring."""

    lhs: Layer
    rhs: Layer
    verdict: str
    steps: tuple[ProofStep, ...] = ()
    counterexample: Optional[Counterexample] = None
    numeric: Optional[NumericReport] = None
    solutions: dict = field(default_factory=dict)
    note: str = ""
    certificate: Optional["Certificate"] = None
    decision: Optional[Decision] = field(default=None, compare=False, repr=False)
    #: Declared input bounds (``--assume``) the verdict rests on; empty for unconditional verdicts.
    assumptions: tuple = ()
    #: What the verdict rests on beyond the replayed steps (vocabulary: :data:`symconv.checker.RESTS_ON`);
    #: for ``proved`` it is the kernel's Theorem's.
    rests_on: tuple[str, ...] = ()
    #: The kernel's Theorem; present exactly when the verdict is ``proved``.
    theorem: Optional[Theorem] = field(default=None, compare=False, repr=False)
    #: The tolerance the verdict is about (``prove(..., atol=, rtol=)``); None for exact identities.
    tolerance: Optional[ToleranceBound] = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "verdict", Verdict(self.verdict))
        if (self.verdict is Verdict.PROVED) != isinstance(self.theorem, Theorem):
            raise CertificateError(f"a {self.verdict} Proof with theorem={self.theorem!r}: the verdict proved is made "
                                   f"only from a Theorem of the kernel (symconv.checker.replay), and only it has one")
        if self.theorem is not None:
            object.__setattr__(self, "certificate", self.theorem.certificate)
            object.__setattr__(self, "rests_on", self.theorem.rests_on)
        bad = [entry for entry in self.rests_on if not valid_rests_on(entry)]
        if bad:
            raise CertificateError(f"rests_on entries {bad} are not in the vocabulary of symconv.checker.RESTS_ON")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    def to_json(self) -> dict:
        return {
            "verdict": self.verdict,
            "lhs": repr(self.lhs),
            "rhs": repr(self.rhs),
            "solutions": {k: _strings(v) for k, v in self.solutions.items()},
            "steps": [s.to_json() for s in self.steps],
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "numeric": self.numeric.to_json() if self.numeric else None,
            "rests_on": list(self.rests_on),
            "replayed": self.theorem is not None,
            "note": self.note,
            **({"assumptions": [a.text for a in self.assumptions]} if self.assumptions else {}),
        }

    def __str__(self) -> str:
        """The verdict, the statement and the steps, one per line; the weights of a model are cut short in the
        statement (:func:`_shown`) and any other line longer than LINE_LIMIT is shortened (``--json`` has all)."""
        lines = [f"{self.verdict}: {_shown(self.lhs)}  ==  {_shown(self.rhs)}"]
        if self.assumptions:
            lines.append("  assuming " + ", ".join(str(a) for a in self.assumptions))
        for name, taps in self.solutions.items():
            lines.append(f"  solved: {name} = {_listing(taps)}")
        for s in self.steps:
            lines.append(f"  [{s.rule}] {s.statement}")
        if self.counterexample:
            from symconv.prover.display import counterexample_block

            lines += ["  " + line for line in counterexample_block(self.counterexample.to_json())]
        if self.numeric:
            lines.append(
                f"  numeric: {self.numeric.trials} trials ({self.numeric.compared} with non-empty outputs), "
                f"max |error| {self.numeric.max_abs_error:.3g} "
                f"(tolerance {self.numeric.tolerance:.3g})"
            )
        if self.theorem is not None:
            lines.append(f"  certificate replayed by the kernel ({len(self.certificate.steps)} step(s)), for "
                         f"{self.theorem.scope}")
        if self.rests_on:
            lines.append(f"  rests on: {', '.join(self.rests_on)}")
        if self.note:
            lines.append(f"  note: {self.note}")
        shown = lines[:1] + [shorten(line, LINE_LIMIT) for line in lines[1:]]
        if shown != lines or len(repr(self.lhs)) + len(repr(self.rhs)) > 2 * LINE_LIMIT:
            shown.append("  (long lines shortened with '...'; --json has them in full)")
        return "\n".join(shown)

    def __repr__(self) -> str:
        """One line: ``<Proof proved: LHS == RHS (7 steps)>`` (the whole text is ``str``)."""
        from symconv.prover.notebook import proof_repr

        return proof_repr(self)

    def _repr_latex_(self) -> str:
        """Jupyter: the statement and verdict as display math (``symconv.latex`` gives the whole report)."""
        from symconv.prover.notebook import proof_math

        return proof_math(self)

    def _repr_html_(self) -> str:
        from symconv.prover.notebook import proof_html

        return proof_html(self)


def _strings(taps: object) -> object:
    """Solved taps (a list, nested one level per axis in N-D) as strings, nested alike."""
    return [_strings(t) for t in taps] if isinstance(taps, (list, tuple)) else str(taps)


def _listing(taps: object) -> str:
    """Solved taps as the DSL writes a literal: ``[k_0**2, k_0*k_1]``, nested per axis in N-D."""
    return "[" + ", ".join(map(_listing, taps)) + "]" if isinstance(taps, (list, tuple)) else str(taps)
