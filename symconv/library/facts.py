"""Exact facts of library claims as kernel certificates, and what a claim rests on beyond them.

A ``check=`` function (or an expectation's ``symbolic=``) that proves its claim from exact facts
states each fact as a certificate of a fact rule of the kernel (:mod:`symconv.checker.rules`:
``polynomial_identity``, ``gaussian_moment``, ``no_real_root``, ``rational_sign``,
``nonnegative_combination``) and lists the steps no certificate
covers as ``rests_on`` entries (``argument: ...``, ``sympy: ...``, ``computation: ...``, the kernel's
vocabulary :data:`~symconv.checker.kernel.RESTS_ON`). :func:`replay_facts` has the kernel replay every
certificate; its :class:`KernelFacts` goes into the Evidence data: ``replayed`` is true only when the
kernel accepted every fact, and a claim whose fact is rejected is not ``proved``
(:mod:`symconv.library.run`).

>>> facts = replay_facts([identity("(a + b)**2", "a**2 + 2*a*b + b**2", ["a", "b"])],
...                      ["argument: Markov's inequality"])
>>> facts.replayed, facts.data()["replayed_facts"]
(True, ['(a + b)**2 == a**2 + 2*a*b + b**2'])
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Iterable, Sequence

from symconv.lazy_import import sympy

from symconv.checker import Certificate, CertificateStep, Rule, replay, valid_rests_on
from symconv.checker.gaussian_moment import moment_text
from symconv.checker.nonnegative_combination import TRUE, nonnegative_text
from symconv.checker.rational_sign import sign_text
from symconv.checker.real_roots import roots_text
from symconv.errors import CertificateError, InvalidArgument

__all__ = ["identity", "gaussian_moment", "no_real_root", "rational_sign", "nonnegative", "rational_text", "polynomial_text", "KernelFacts", "replay_facts"]


def identity(lhs: str, rhs: str, symbols: Sequence[str]) -> Certificate:
    """The fact ``lhs == rhs``, rational expressions in the real ``symbols`` (``polynomial_identity``)."""
    return Certificate(lhs, rhs, (CertificateStep(Rule.POLYNOMIAL_IDENTITY, (("symbols", list(symbols)),)),))


def gaussian_moment(power: int, value: str, half_line: bool = True) -> Certificate:
    """The fact ``E[relu(g)**power] == value`` (``E[g**power]`` when not ``half_line``), g ~ N(0, 1)."""
    domain = "half_line" if half_line else "real_line"
    return Certificate(moment_text(power, domain), value,
                       (CertificateStep(Rule.GAUSSIAN_MOMENT, (("domain", domain), ("power", power))),))


def rational_sign(expression: str, value: Fraction, sign: int | None = None) -> Certificate:
    """The fact ``sign(expression) == s``, s the sign of ``value`` (the expression's exact value, computed by the
    caller; the kernel evaluates the expression again), or ``sign`` when given: the sign the argument needs (the
    kernel then rejects a value of another sign)."""
    if sign is None:
        sign = (value > 0) - (value < 0)
    return Certificate(sign_text(expression), str(sign),
                       (CertificateStep(Rule.RATIONAL_SIGN, (("value", str(value)),)),))


def nonnegative(expression: str, symbols: Sequence[str], nonnegative_symbols: Sequence[str]) -> Certificate:
    """The fact ``expression >= 0`` for real ``symbols``, those in ``nonnegative_symbols`` >= 0: every term of its
    expansion is >= 0 (``nonnegative_combination``)."""
    return Certificate(nonnegative_text(expression), TRUE,
                       (CertificateStep(Rule.NONNEGATIVE_COMBINATION, (("nonnegative", list(nonnegative_symbols)),
                                                                      ("symbols", list(symbols)))),))


def rational_text(value: Fraction) -> str:
    """``value`` for the kernel's expression reader: ``p``, or ``(p/q)`` / ``(-p)`` in parentheses (so that
    ``(p/q)**2`` is the square of the fraction)."""
    text = str(value)
    return f"({text})" if value < 0 or value.denominator != 1 else text


def polynomial_text(coefficients: Sequence[int], variable: str) -> str:
    """``sum c_i variable**i`` as text, constant first: ``[1, -2, 3, 0, 4]`` gives ``1 - 2*z + 3*z**2 + 4*z**4``."""
    terms = []
    for i, c in enumerate(coefficients):
        if c == 0:
            continue
        power = "" if i == 0 else variable if i == 1 else f"{variable}**{i}"
        body = str(abs(c)) if not power else power if abs(c) == 1 else f"{abs(c)}*{power}"
        terms.append(("-" if c < 0 else "+", body))
    if not terms:
        return "0"
    head = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return " ".join([head] + [f"{sign} {body}" for sign, body in terms[1:]])


def no_real_root(coefficients: Sequence[int], variable: str) -> Certificate:
    """The fact ``number of real roots of sum c_i variable**i == 0`` (coefficients constant first), with the
    Sturm sign changes at -oo and +oo that SymPy counts."""
    x = sympy.Symbol(variable)
    sequence = sympy.sturm(sympy.Poly(list(reversed(coefficients)), x))
    plus = [sympy.sign(p.LC()) for p in sequence]
    minus = [s * (-1) ** p.degree() for s, p in zip(plus, sequence)]
    changes = [sum(1 for a, b in zip(signs, signs[1:]) if a != b) for signs in (minus, plus)]
    return Certificate(roots_text(polynomial_text(coefficients, variable)), "0",
                       (CertificateStep(Rule.NO_REAL_ROOT, (("sign_changes", changes), ("variable", variable))),))


@dataclass(frozen=True)
class KernelFacts:
    """The kernel's verdicts on a claim's fact certificates, and what the claim rests on beyond them."""

    statements: tuple[str, ...]
    rejected: tuple[str, ...]
    rests_on: tuple[str, ...]

    @property
    def replayed(self) -> bool:
        """Every fact was replayed by the kernel (and there is at least one)."""
        return bool(self.statements) and not self.rejected

    def data(self) -> dict:
        """Evidence data: ``replayed``, ``replayed_facts`` (the statements), ``rests_on``, ``rejected_facts``."""
        return {"replayed": self.replayed, "replayed_facts": list(self.statements), "rests_on": list(self.rests_on),
                **({"rejected_facts": list(self.rejected)} if self.rejected else {})}

    def describe(self) -> str:
        """One line: how many facts the kernel replayed, or the first rejection."""
        if self.rejected:
            return f"the kernel rejected a fact: {self.rejected[0]}"
        return f"{len(self.statements)} exact fact(s) replayed by the kernel"


def replay_facts(certificates: Iterable[Certificate], rests_on: Sequence[str] = ()) -> KernelFacts:
    """Replay each certificate with the kernel; the statements it established, its rejections, and
    ``rests_on`` (the kernel's vocabulary; InvalidArgument for an entry outside it)."""
    for entry in rests_on:
        if not valid_rests_on(entry):
            raise InvalidArgument("replay_facts", "rests_on", entry, "entries such as 'argument: <name>', "
                                                                     "'sympy: <computation>', 'computation: <what>'")
    statements, rejected, needs = [], [], []
    for certificate in certificates:
        try:
            theorem = replay(certificate)
        except CertificateError as err:
            rejected.append(f"{certificate.lhs} == {certificate.rhs}: {' '.join(str(err).split())}")
            continue
        statements.append(theorem.statement)
        needs.extend(theorem.rests_on)
    return KernelFacts(tuple(statements), tuple(rejected), tuple(dict.fromkeys(needs + list(rests_on))))
