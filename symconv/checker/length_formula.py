"""The checker's rule ``length_formula``: the output length of a chain equals a quasi-affine formula.

A length certificate states ``len(C)(n) == F(n)`` for every ``n >= min_n`` with
``n mod M`` in a set of residues (:class:`LengthClaim`). ``F`` is plain data, never
text to evaluate: a :class:`QuasiAffine`

    F(n) = constant + slope n + sum_i c_i floor(a_i n + b_i) + sum_j c_j ceil(a_j n + b_j)

with rational ``c, a, b`` (JSON: integers or strings ``"p/q"``). ``len(C)`` is the
core's own length table (:func:`symconv.core.output_length.output_length`).

**Lemma (eventual periodicity of quasi-affine lengths).** Let P >= 1 with M | P,
n0 >= min_n, and suppose

1. every layer of C moves rigidly when its input grows by P: the shift it receives
   is a multiple of its stride (:func:`length_shift`), so that C's output grows by
   an integer Q;
2. every intermediate length of C at n0 is at least 1;
3. ``a_i P`` is an integer for every floor and ceiling term, and
   ``slope P + sum_i c_i a_i P == Q``;
4. ``len(C)(n) == F(n)`` for every claimed ``n`` in ``[min_n, n0 + P)``.

Then ``len(C)(n) == F(n)`` for every claimed n. A claim ``len(C)(n) == len(D)(n)``
(``chain`` instead of ``formula``) is the same lemma with ``len(D)`` in the part of F:
(1) and (2) for D give ``len(D)(n + P) = len(D)(n) + Q`` for n >= n0.

*Proof.* Each layer's length is a non-decreasing function of its input length, so
by (2) every intermediate length is at least 1 for every n >= n0. A layer whose
output is at least 1 is on the unclamped branch of its row in the length table
(``floor((m + pl + pr - e) / s) + 1``, ``(m - 1) s + 1``, ``ceil((m - phase) / s)``,
``m + l + r``, ...), which moves rigidly, by ``t / s`` (or ``t s``), when m grows by
a multiple t of s; with (1), ``len(C)(n + P) = len(C)(n) + Q`` for n >= n0.
``floor(a (n + P) + b) = floor(a n + b) + a P`` when ``a P`` is an integer (so for
ceil), hence by (3) ``F(n + P) = F(n) + Q`` for every n. A claimed n >= n0 + P has
n - P claimed too (M | P, n - P >= n0 >= min_n), so induction on n from (4) gives
the claim for every n. The rows of the table that (1) relies on (:data:`RATE_TABLE`,
monotone and rigid past the first positive output) are tested exhaustively at small
sizes against the core in ``tests/checker/test_length_formula.py``.

**N-D chains.** The output shape of a d-D chain is the length table on each axis
projection (:func:`symconv.core.layers_nd.output_shape`), so a claim with one formula
per axis, ``len(C)(n1, ..., nd) == (F1(n1), ..., Fd(nd))``, holds iff the lemma holds
for ``axis_chain(C, a)`` and ``F_a`` on every axis a (:func:`rule_length_formula`).

>>> claim = LengthClaim(QuasiAffine(1, 0, ((1, Fraction(1, 2), Fraction(-3, 2)),)), min_n=3)
>>> claim.text()
'floor(n/2 - 3/2) + 1 for n >= 3'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional, Union

from symconv.core.layers import (
    Affine,
    AvgPool,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.core.output_length import output_length
from symconv.errors import CertificateError

__all__ = ["QuasiAffine", "LengthClaim", "RATE_TABLE", "length_shift", "rule_length_formula", "MAX_LENGTH_LIMIT",
           "MAX_TERMS", "MAX_AXES"]

#: The checker evaluates the length table at most up to this input length.
MAX_LENGTH_LIMIT = 100_000
#: At most this many floor and ceiling terms in a formula.
MAX_TERMS = 16
#: At most this many axes (formulas) in a length claim.
MAX_AXES = 8

_RATIONAL = re.compile(r"^-?[0-9]{1,30}(/[0-9]{1,30})?$")

Number = Union[int, str, Fraction]


def rational(value: object, what: str) -> Fraction:
    """A JSON rational: an integer, or a string ``"p/q"`` / ``"-p/q"`` / ``"p"`` with q >= 1 (never evaluated)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Fraction(value)
    if isinstance(value, str) and _RATIONAL.match(value):
        numerator, _, denominator = value.partition("/")
        if denominator and int(denominator) == 0:
            raise CertificateError(f"{what}: {value!r} has denominator 0")
        return Fraction(int(numerator), int(denominator or 1))
    raise CertificateError(f"{what}: {value!r} is not a rational; expected an integer or a string 'p/q'")


def rational_json(value: Fraction) -> Union[int, str]:
    """An integer when ``value`` is one, else ``"p/q"``."""
    return value.numerator if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _linear_text(a: Fraction, b: Fraction, variable: str = "n") -> str:
    terms = []
    if a:
        magnitude = abs(a)
        text = variable if magnitude.numerator == 1 else f"{magnitude.numerator}*{variable}"
        text += "" if magnitude.denominator == 1 else f"/{magnitude.denominator}"
        terms.append(("-" if a < 0 else "") + text)
    if b or not terms:
        terms.append(str(b))
    return _join(terms)


def _join(terms: list[str]) -> str:
    text = terms[0]
    for term in terms[1:]:
        text += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return text


def _scaled(coefficient: Fraction, text: str) -> str:
    if coefficient == 1:
        return text
    if coefficient == -1:
        return "-" + text
    return f"{coefficient}*{text}"


@dataclass(frozen=True)
class QuasiAffine:
    """``constant + slope n + sum c floor(a n + b) + sum c ceil(a n + b)``; terms are ``(c, a, b)``."""

    constant: Number = 0
    slope: Number = 0
    floors: tuple[tuple[Number, Number, Number], ...] = ()
    ceilings: tuple[tuple[Number, Number, Number], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "constant", rational(self.constant, "formula constant"))
        object.__setattr__(self, "slope", rational(self.slope, "formula slope"))
        for name in ("floors", "ceilings"):
            terms = getattr(self, name)
            if not isinstance(terms, (tuple, list)) or len(terms) > MAX_TERMS:
                raise CertificateError(f"formula {name}: expected a list of at most {MAX_TERMS} terms "
                                       f"[coefficient, a, b]")
            parsed = []
            for index, term in enumerate(terms):
                if not isinstance(term, (tuple, list)) or len(term) != 3:
                    raise CertificateError(f"formula {name}[{index}]: {term!r} is not [coefficient, a, b]")
                parsed.append(tuple(rational(v, f"formula {name}[{index}]") for v in term))
            object.__setattr__(self, name, tuple(parsed))

    def at(self, n: int) -> Fraction:
        """F(n), exactly."""
        value = self.constant + self.slope * n
        for c, a, b in self.floors:
            t = a * n + b
            value += c * (t.numerator // t.denominator)
        for c, a, b in self.ceilings:
            t = a * n + b
            value += c * -((-t.numerator) // t.denominator)
        return value

    def shift(self, period: int, where: str) -> Fraction:
        """``F(n + P) - F(n)`` (the same for every n): needs ``a P`` integral in every term."""
        total = self.slope * period
        for c, a, b in self.floors + self.ceilings:
            if (a * period).denominator != 1:
                raise CertificateError(f"{where}: period {period} is not a period of the formula: "
                                       f"{a} * {period} is not an integer")
            total += c * a * period
        return total

    def text(self, variable: str = "n") -> str:
        """The formula as a reader writes it in ``variable``, e.g. ``floor(n/2 - 3/2) + 1``."""
        terms = [_scaled(c, f"floor({_linear_text(a, b, variable)})") for c, a, b in self.floors if c]
        terms += [_scaled(c, f"ceiling({_linear_text(a, b, variable)})") for c, a, b in self.ceilings if c]
        if self.slope:
            terms.append(_linear_text(self.slope, Fraction(0), variable))
        if self.constant or not terms:
            terms.append(str(self.constant))
        return _join(terms)

    def to_json(self) -> dict:
        return {"constant": rational_json(self.constant), "slope": rational_json(self.slope),
                "floor": [[rational_json(v) for v in t] for t in self.floors],
                "ceiling": [[rational_json(v) for v in t] for t in self.ceilings]}

    @staticmethod
    def from_json(obj: object) -> "QuasiAffine":
        keys = {"constant", "slope", "floor", "ceiling"}
        if not isinstance(obj, dict) or set(obj) != keys:
            raise CertificateError(f"length formula {obj!r}: expected an object with exactly the keys "
                                   f"{sorted(keys)}")
        return QuasiAffine(obj["constant"], obj["slope"], obj["floor"], obj["ceiling"])


@dataclass(frozen=True)
class LengthClaim:
    """``len(C)(n) == formula(n)`` for every ``n >= min_n`` with ``n mod modulus`` in ``residues``.

    With ``chain`` (DSL text of a second chain D) instead of a formula: ``len(C)(n) == len(D)(n)``
    (per axis when C is N-D). With ``formulas`` (one per axis, d >= 2) instead: C is d-D and
    ``len(C)(n1, ..., nd) == (F1(n1), ..., Fd(nd))`` for every claimed ``n_a`` (each ``n_a >= min_n``
    with ``n_a mod modulus`` in ``residues``); axis a's claim is :meth:`axis`.
    """

    formula: Optional[QuasiAffine]
    min_n: int = 0
    modulus: int = 1
    residues: tuple[int, ...] = (0,)
    chain: Optional[str] = None
    formulas: tuple[QuasiAffine, ...] = ()

    def __post_init__(self) -> None:
        if (self.formula is not None) + (self.chain is not None) + bool(self.formulas) != 1:
            raise CertificateError("length claim: expected a formula, one formula per axis or a second chain, "
                                   "exactly one of them")
        if self.formula is not None and not isinstance(self.formula, QuasiAffine):
            raise CertificateError(f"length claim: {self.formula!r} is not a QuasiAffine formula")
        if self.formulas and (not isinstance(self.formulas, (tuple, list)) or not 2 <= len(self.formulas) <= MAX_AXES
                              or not all(isinstance(f, QuasiAffine) for f in self.formulas)):
            raise CertificateError(f"length claim: the formulas per axis {self.formulas!r} must be 2 to {MAX_AXES} "
                                   f"QuasiAffine formulas (a 1-D claim gives one formula)")
        object.__setattr__(self, "formulas", tuple(self.formulas))
        if self.chain is not None and not isinstance(self.chain, str):
            raise CertificateError(f"length claim: the second chain {self.chain!r} is not DSL text")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (self.min_n, self.modulus)) \
                or self.min_n < 0 or self.modulus < 1:
            raise CertificateError(f"length claim: min_n {self.min_n!r} must be an integer >= 0 and modulus "
                                   f"{self.modulus!r} an integer >= 1")
        residues = tuple(self.residues) if isinstance(self.residues, (list, tuple)) else None
        if (not residues or any(not isinstance(r, int) or isinstance(r, bool) or not 0 <= r < self.modulus
                                for r in residues) or list(residues) != sorted(set(residues))):
            raise CertificateError(f"length claim: residues {self.residues!r} must be a non-empty increasing list "
                                   f"of integers in [0, {self.modulus})")
        object.__setattr__(self, "residues", residues)

    def claims(self, n: int) -> bool:
        """Whether the claim covers input length ``n`` (on each axis)."""
        return n >= self.min_n and n % self.modulus in self.residues

    def axis(self, a: int) -> "LengthClaim":
        """Axis ``a``'s 1-D claim (0-based): its formula with the common scope; the claim itself without formulas."""
        if not self.formulas:
            return self
        return LengthClaim(self.formulas[a], self.min_n, self.modulus, self.residues)

    def variables(self) -> str:
        """The input lengths the claim is about: ``n``, or ``n1, n2`` for one formula per axis."""
        return ", ".join(f"n{a + 1}" for a in range(len(self.formulas))) if self.formulas else "n"

    def scope(self) -> str:
        """``every n >= 3 with n mod 2 in {0}`` (``every n1, n2 >= 3 ...`` per axis)."""
        names = self.variables()
        text = f"every {names} >= {self.min_n}"
        if len(self.residues) < self.modulus:
            text += f" with {names} mod {self.modulus} in {{{', '.join(map(str, self.residues))}}}"
        return text

    def right(self) -> str:
        """The right side: the formula's text, ``(F1(n1), F2(n2))`` per axis, or ``len(D)(n)``."""
        if self.formulas:
            return "(" + ", ".join(f.text(f"n{a + 1}") for a, f in enumerate(self.formulas)) + ")"
        return self.formula.text() if self.formula is not None else f"len({self.chain})(n)"

    def text(self) -> str:
        """The right side and the scope (the certificate's ``rhs``)."""
        return f"{self.right()} for {self.scope().removeprefix('every ')}"

    def to_json(self) -> dict:
        if self.formulas:
            right = {"formulas": [f.to_json() for f in self.formulas]}
        else:
            right = {"formula": self.formula.to_json()} if self.formula is not None else {"chain": self.chain}
        return {**right, "min_n": self.min_n, "modulus": self.modulus, "residues": list(self.residues)}

    @staticmethod
    def from_json(obj: object) -> "LengthClaim":
        keys, sides = {"min_n", "modulus", "residues"}, {"formula", "formulas", "chain"}
        if not isinstance(obj, dict) or len(set(obj) & sides) != 1 or set(obj) - sides != keys:
            raise CertificateError(f"length claim {obj!r}: expected an object with exactly the keys "
                                   f"{sorted(keys)} and one of 'formula', 'formulas', 'chain'")
        formula = QuasiAffine.from_json(obj["formula"]) if "formula" in obj else None
        formulas = obj.get("formulas", [])
        if not isinstance(formulas, list):
            raise CertificateError(f"length claim: formulas {formulas!r} is not a list of formulas, one per axis")
        return LengthClaim(formula, obj["min_n"], obj["modulus"], obj["residues"], obj.get("chain"),
                           tuple(QuasiAffine.from_json(f) for f in formulas))


def _rate(layer: Layer) -> Fraction:
    return Fraction(RATE_TABLE[type(layer)](layer))


#: Output samples per input sample of each layer the rule knows; each row's length is non-decreasing
#: in its input length and, once it is at least 1, grows by ``rate * t`` when the input grows by a
#: multiple t of the rate's denominator.
RATE_TABLE = {
    Conv: lambda layer: Fraction(1, layer.stride),
    AvgPool: lambda layer: Fraction(1, layer.stride),
    MaxPool: lambda layer: Fraction(1, layer.stride),
    L2Pool: lambda layer: Fraction(1, layer.stride),
    Down: lambda layer: Fraction(1, layer.factor),
    Up: lambda layer: Fraction(layer.factor),
    ConvTranspose: lambda layer: Fraction(layer.stride),
    Pad: lambda layer: Fraction(1),
    Crop: lambda layer: Fraction(1),
    Flip: lambda layer: Fraction(1),
    ReLU: lambda layer: Fraction(1),
    Affine: lambda layer: Fraction(1),
}


def _steps(layer: Layer, where: str) -> tuple[Layer, ...]:
    steps = layer.layers()
    for step in steps:
        if not isinstance(step, Parallel) and type(step) not in RATE_TABLE:
            raise CertificateError(f"{where}: the length rule has no row for {step!r}")
    return steps


def length_shift(layer: Layer, period: int, where: str) -> int:
    """Q: the output length's growth when the input grows by ``period`` (hypothesis 1 of the lemma)."""
    shift = Fraction(period)
    for step in _steps(layer, where):
        if isinstance(step, Parallel):  # the core's length of a sum is its first branch's
            shift = Fraction(length_shift(step.branches[0], int(shift), where))
            continue
        rate = _rate(step)
        if (shift * rate).denominator != 1:
            raise CertificateError(f"{where}: {period} is not a period of {layer!r}: it does not move {step!r} "
                                   f"rigidly")
        shift *= rate
    return int(shift)


def _smallest_length(layer: Layer, n: int, where: str) -> int:
    """The smallest intermediate length of ``layer`` at input length n (first branches of sums included)."""
    smallest, m = n, n
    for step in _steps(layer, where):
        if isinstance(step, Parallel):
            smallest = min(smallest, _smallest_length(step.branches[0], m, where))
        m = output_length(step, m)
        if not isinstance(m, int):
            raise CertificateError(f"{where}: the length of {step!r} is not a number ({m}); give every size")
        smallest = min(smallest, m)
    return smallest


def _natural(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def rule_length_formula(chain: Layer, claim: LengthClaim, step, where: str, other: Optional[Layer] = None) -> str:
    """Hypotheses 1-4 of the lemma for ``chain`` and ``claim``; the scope it closes.

    ``other``: the claim's second chain D, parsed with ``chain`` (its length plays the formula's
    part: hypotheses 1 and 2 for D give ``len(D)(n + P) = len(D)(n) + Q_D`` from ``start`` on).

    An N-D chain's output shape is the 1-D length table per axis on the axis projection
    (:func:`symconv.core.layers_nd.output_shape`), so the claim holds iff axis a's 1-D claim
    (:meth:`LengthClaim.axis`) holds for ``axis_chain(chain, a)``, for every a: the lemma runs
    once per axis with the step's period, start and limit.
    """
    ndim = chain.ndim
    given = len(claim.formulas) if claim.formulas else (1 if claim.formula is not None else ndim)
    if given != ndim:
        raise CertificateError(f"{where}: the claim gives {given} formula(s) for the {ndim}-D chain {chain!r}; "
                               f"expected one per axis")
    if ndim == 1:
        return _rule_length_formula_1d(chain, claim, step, where, other)
    from symconv.core.layers_nd import axis_chain

    if other is not None and other.ndim != ndim:
        raise CertificateError(f"{where}: the chains {chain!r} and {other!r} have {ndim} and {other.ndim} axes")
    for a in range(ndim):
        _rule_length_formula_1d(axis_chain(chain, a), claim.axis(a), step, f"{where}, axis {a + 1}",
                                None if other is None else axis_chain(other, a), f"n{a + 1}")
    return claim.scope()


def _rule_length_formula_1d(chain: Layer, claim: LengthClaim, step, where: str, other: Optional[Layer],
                            variable: str = "n") -> str:
    """The lemma for a 1-D chain (or one axis of an N-D chain, its input length ``variable``); the scope it closes."""
    period, start, limit = step.get("period"), step.get("start"), step.get("limit")
    if not (all(_natural(v) for v in (period, start, limit)) and period >= 1):
        raise CertificateError(f"{where}: expected integers period >= 1, start >= 0 and limit")
    if start < claim.min_n:
        raise CertificateError(f"{where}: start {start} is below the claim's min_n {claim.min_n}")
    if limit < start + period:
        raise CertificateError(f"{where}: limit {limit} cuts the window: it must be at least start + period = "
                               f"{start + period}")
    if limit > MAX_LENGTH_LIMIT:
        raise CertificateError(f"{where}: limit {limit} exceeds what the checker evaluates ({MAX_LENGTH_LIMIT})")
    if period % claim.modulus:
        raise CertificateError(f"{where}: period {period} is not a multiple of the claim's modulus {claim.modulus}")
    chain_growth = length_shift(chain, period, where)
    if _smallest_length(chain, start, where) < 1:
        raise CertificateError(f"{where}: an intermediate length of {chain!r} is 0 at {variable} = start = {start}")
    if other is None:
        formula_growth, what = claim.formula.shift(period, where), "the formula"
        right = claim.formula.at
    else:
        formula_growth, what = length_shift(other, period, where), f"the length of {other!r}"
        if _smallest_length(other, start, where) < 1:
            raise CertificateError(f"{where}: an intermediate length of {other!r} is 0 at {variable} = start = {start}")
        right = lambda n: output_length(other, n)  # noqa: E731
    if formula_growth != chain_growth:
        raise CertificateError(f"{where}: {what} grows by {formula_growth} per period {period}, the length of "
                               f"{chain!r} by {chain_growth}")
    for n in range(claim.min_n, limit):
        if not claim.claims(n):
            continue
        length, value = output_length(chain, n), right(n)
        if length != value:
            raise CertificateError(f"{where}: at {variable} = {n} the length is {length}, "
                                   f"{'the formula gives' if other is None else 'the second chain has'} {value}")
    return claim.scope()
