"""The kernel: the one place a ``proved`` verdict is made.

The search proposes a :class:`~symconv.checker.certificate.Certificate`;
:func:`replay` parses its statement with the DSL parser (or takes the core
objects the statement was printed from, when it is given them and their
``repr`` is the certificate's text), replays every step with the rules of
:data:`symconv.checker.rules.RULES` and returns a :class:`Theorem`. A
``Theorem`` cannot be made anywhere else: its constructor wants a token that
only this module holds (as knuckledragger's ``kernel.py`` does), so a Proof
whose verdict is ``proved`` (which needs a Theorem) exists only after a
replay.

Before the steps, a statement with a sum whose branch lengths are not decided
equal for every input and every value of the generic sizes is refused
(:mod:`symconv.checker.sum_lengths`): such a sum may be no network.

What a theorem rests on beyond the replayed steps is its ``rests_on`` tuple,
drawn from a small fixed vocabulary (:data:`RESTS_ON`):

* ``assumption: <bound>`` -- a declared input bound (``--assume``);
* ``generic_argument`` -- the step from c = 1..C to every generic length c (a ``generic_instances``
  certificate; the rule ``generic_argument`` replays it and rests on nothing);
* ``interval_lemma`` -- relu() layers the kernel's ``relu_identity`` and
  ``relu_identity_at`` cannot replay (a flip after a stride before the relu()),
  dropped by the search's interval bounds under an assumption (the
  certificate then states the linear chains left);
* ``tolerance: <atol, rtol>`` -- a numeric tolerance;
* ``argument: <name>``, ``sympy: <computation>``, ``computation: <what>`` -- the steps of a library claim
  that its fact certificates (``polynomial_identity``, ``gaussian_moment``, ``no_real_root``,
  ``rational_sign``, ``nonnegative_combination``, whose state is the statement's two texts) do not cover: a hand argument, a SymPy
  computation, an exact computation of the claim's check that the kernel does not redo.

>>> from symconv.checker.certificate import Certificate, CertificateStep
>>> from symconv.checker.rules import Rule
>>> step = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 3), ("period", 1), ("start", 2)))
>>> theorem = replay(Certificate("conv([1, 2]) >> conv([3])", "conv([3, 6])", (step,)))
>>> theorem.scope, theorem.rests_on
('every input length', ())
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from symconv.checker.certificate import Certificate, schema_violations
from symconv.checker.rules import FACT_RULES, RULES, Rule
from symconv.checker.sum_lengths import refuse_undecided_sums
from symconv.core.layers import Layer
from symconv.core.output_length import generic_sizes
from symconv.errors import CertificateError, SymconvError

__all__ = ["Verdict", "Theorem", "replay", "weaken", "check_certificate", "RESTS_ON", "GENERIC_ARGUMENT",
           "INTERVAL_LEMMA", "assumption", "tolerance", "valid_rests_on"]


class Verdict(enum.StrEnum):
    """The four verdicts (DESIGN §4); a str, so ``verdict == "proved"`` and JSON keep working."""

    PROVED = "proved"
    REFUTED = "refuted"
    CHECKED = "checked"
    UNKNOWN = "unknown"

    def __repr__(self) -> str:  # as the text it equals, so printed results paste back
        return repr(self.value)


GENERIC_ARGUMENT = "generic_argument"
INTERVAL_LEMMA = "interval_lemma"
#: The vocabulary of ``rests_on``: exact entries, and prefixes followed by the declared text.
RESTS_ON = (GENERIC_ARGUMENT, INTERVAL_LEMMA, "assumption: ", "tolerance: ", "argument: ", "sympy: ", "computation: ")


def assumption(text: str) -> str:
    """The ``rests_on`` entry of a declared input bound: ``assumption: abs(x) <= B``."""
    return f"assumption: {text}"


def tolerance(atol: float, rtol: float) -> str:
    """The ``rests_on`` entry of a numeric tolerance."""
    return f"tolerance: atol={atol:g}, rtol={rtol:g}"


def valid_rests_on(entry: object) -> bool:
    """Whether ``entry`` is in the vocabulary (an exact entry, or a prefix with text after it)."""
    return isinstance(entry, str) and any(
        entry == word if not word.endswith(": ") else entry.startswith(word) and len(entry) > len(word)
        for word in RESTS_ON)


_TOKEN = object()


@dataclass(frozen=True)
class Theorem:
    """``certificate``'s statement, established for ``scope`` by a replay, resting on ``rests_on``."""

    certificate: Certificate
    scope: str
    rests_on: tuple[str, ...]
    token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.token is not _TOKEN:
            raise CertificateError("a Theorem is made only by symconv.checker.replay, after the certificate was "
                                   "replayed; the search cannot make one")

    @property
    def statement(self) -> str:
        if self.certificate.length is not None:  # the claimed n are the scope
            claim = self.certificate.length
            return f"len({self.certificate.lhs})({claim.variables()}) == {claim.right()}"
        return f"{self.certificate.lhs} == {self.certificate.rhs}"


class _State(list):
    """``[lhs, rhs]`` during a replay, with the certificate's declared input bounds (``bounds``).

    A length certificate's state is ``[chain, None]`` (``[chain, second chain]`` for a claim
    ``len(C) == len(D)``) with its claim in ``length_claim``.
    """

    bounds: tuple = ()
    length_claim: object = None
    #: Goals ``[lhs, rhs]`` still to prove after the current one (a ``congruence`` split opens them).
    pending: list


def _bounds(certificate: Certificate) -> tuple:
    if not certificate.assumptions:
        return ()
    from symconv.dsl_assumptions import parse_assumptions

    try:
        return tuple(b.bound for b in parse_assumptions(list(certificate.assumptions)))
    except SymconvError as err:
        raise CertificateError(f"the assumptions {list(certificate.assumptions)} do not parse: "
                               f"{' '.join(str(err).split())}") from None


def _sides(certificate: Certificate, sides: Optional[tuple[Layer, Layer]]) -> list[Layer]:
    if certificate.length is not None:  # len(lhs)(n) == a formula (or a second chain's length)
        return _length_sides(certificate)
    if all(step.rule.value in FACT_RULES for step in certificate.steps):  # a fact: its state is the two texts
        for index, step in enumerate(certificate.steps[1:], 1):
            raise CertificateError(f"step {index} ({step.rule.value}): a fact certificate has one step")
        if sides is not None and certificate.steps:
            raise CertificateError(f"a fact certificate ({certificate.steps[0].rule.value}) states no chains; it "
                                   f"cannot prove {sides[0]!r} == {sides[1]!r}")
        return [certificate.lhs, certificate.rhs]
    for index, step in enumerate(certificate.steps):
        if step.rule.value in FACT_RULES:
            raise CertificateError(f"step {index} ({step.rule.value}): a fact rule closes a fact certificate, "
                                   f"whose only step it is")
    if sides is not None:
        texts = (repr(sides[0]), repr(sides[1]))
        if texts != (certificate.lhs, certificate.rhs):
            raise CertificateError(f"the certificate states {certificate.lhs} == {certificate.rhs}, not "
                                   f"{texts[0]} == {texts[1]}")
        return list(sides)
    from symconv.dsl import parse_statement

    try:
        return list(parse_statement(certificate.lhs, certificate.rhs))
    except SymconvError as err:
        raise CertificateError(f"the statement {certificate.lhs} == {certificate.rhs} does not parse: "
                               f"{' '.join(str(err).split())}") from None


def _length_sides(certificate: Certificate) -> list:
    from symconv.dsl import parse_statement

    for index, step in enumerate(certificate.steps):
        if step.rule is not Rule.LENGTH_FORMULA:
            raise CertificateError(f"step {index} ({step.rule.value}): a length certificate closes with "
                                   f"length_formula only")
    texts = (certificate.lhs,) + ((certificate.length.chain,) if certificate.length.chain is not None else ())
    try:
        return list(parse_statement(*texts)) + [None] * (2 - len(texts))
    except SymconvError as err:
        raise CertificateError(f"the chains {' and '.join(texts)} do not parse: {' '.join(str(err).split())}") from None


#: The rules that handle a generic size in an N-D kernel (``k[c, 3]``); every other rule reads concrete sizes.
#: The rewrites and splits read no kernel size as a number, so their lemmas hold for every value of c:
#: ``merge_branches`` compares weight shapes as expressions; ``drop_identity_layers`` reads pad/crop/down/up
#: values only; ``padding_as_pad`` rewrites integer paddings only (a generic 'same' padding stays), and its
#: lemma holds for every kernel, of any size; ``congruence`` compares the shared layer as an object (equal
#: objects are one function for each c: sizes and taps are the same expressions) and uses of it only that it is
#: a function of its input; the goals it opens are closed by steps that this same check also covers.
GENERIC_ND_RULES = frozenset({"generic_interior_nd", "merge_branches", "drop_identity_layers", "padding_as_pad",
                              "congruence"})


def _refuse_generic_nd_sizes(goal: list, step, where: str) -> None:
    """CertificateError when the goal ``step`` applies to is N-D with a generic size and the step's rule is not in
    :data:`GENERIC_ND_RULES`: that rule would read the sizes as numbers (and so could not be replayed). A goal
    that a ``congruence`` split left without the generic size (``A >> M >> S == A >> M' >> S``, the shared ``A``
    and ``S`` holding c, gives ``M == M'``) is a concrete statement, which every rule replays: the lemma of the
    split composes its proof with the shared layers for each value of c."""
    chains = [side for side in goal if isinstance(side, Layer)]
    names = generic_sizes(*chains)
    if names and max(side.ndim for side in chains) >= 2 and step.rule.value not in GENERIC_ND_RULES:
        raise CertificateError(f"{where}: the statement has the generic size {', '.join(names)} in an N-D kernel; "
                               f"rules other than {', '.join(sorted(GENERIC_ND_RULES))} need concrete sizes")


def replay(certificate: Certificate, sides: Optional[tuple[Layer, Layer]] = None,
           rests_on: Sequence[str] = ()) -> Theorem:
    """Replay every step of ``certificate``; the Theorem it establishes, or CertificateError naming the step.

    ``sides``: the core objects of the statement (used when their ``repr`` is the
    certificate's text; closed-form kernels of the search print as tap lists
    that need not read back). ``rests_on``: further vocabulary entries the
    caller's verdict rests on (the kernel adds those of the certificate).
    """
    for entry in rests_on:
        if not valid_rests_on(entry):
            raise CertificateError(f"rests_on entry {entry!r} is not in the vocabulary {list(RESTS_ON)}")
    state = _State(_sides(certificate, sides))
    refuse_undecided_sums(state)  # a statement about a sum whose branches may differ is about no network
    sizes = [] if certificate.length is not None or not all(isinstance(side, Layer) for side in state) \
        else generic_sizes(*state)
    state.bounds = _bounds(certificate)
    state.length_claim = certificate.length
    state.pending = []
    scope, closed, needs = "", [], [assumption(a) for a in certificate.assumptions]
    for index, step in enumerate(certificate.steps):
        where = f"step {index} ({step.rule.value})"
        if scope and not state.pending:
            raise CertificateError(f"{where} comes after the statement was closed")
        if scope:  # the goal is closed: the next open goal of a congruence split is current
            closed.append(scope)
            state[:] = state.pending.pop(0)
            scope = ""
        _refuse_generic_nd_sizes(state, step, where)
        entry = RULES[step.rule]
        try:
            scope = entry.check(state, step, where) or ""
        except KeyError as err:
            raise CertificateError(f"{where}: missing field {err}") from None
        except CertificateError:
            raise
        except (SymconvError, ValueError, TypeError, ArithmeticError, AttributeError) as err:  # an N-D layer
            raise CertificateError(f"{where}: cannot be replayed ({type(err).__name__}: "
                                   f"{' '.join(str(err).split())})") from None
        needs.extend(entry.rests_on + (entry.step_rests_on(step) if entry.step_rests_on else ()))
    if not scope:
        raise CertificateError("the certificate ends before the statement is closed: its last step must be "
                               "a closing rule (eventual_periodicity, residue_classes, product_bound, "
                               "flip_product_bound, interior_operator, factored_interior, generic_instances, "
                               "generic_argument, generic_interior_nd, tolerance, tolerance_network, "
                               "length_formula, polynomial_identity, gaussian_moment, no_real_root, rational_sign, "
                               "nonnegative_combination, or a "
                               "congruence whose halves are the same layers)")
    if state.pending:
        raise CertificateError(f"the certificate ends before the statement is closed: {len(state.pending)} goal(s) "
                               f"of a congruence split still open, the first {state.pending[0][0]!r} == "
                               f"{state.pending[0][1]!r}")
    scope = _one_scope(closed + [scope])
    if sizes and not any(re.search(rf"\b{name}\b", scope) for name in sizes):
        # every rule that accepts a generic length replays it symbolically (the others refuse it), so a scope
        # that does not name it, such as a congruence whose halves are the same layers, holds for every value
        scope = f"every {', '.join(sizes)} >= 1 and {scope}"
    broken = schema_violations(certificate.to_json())  # what the rules accepted must also be the published format
    if broken:
        raise CertificateError(f"the certificate does not follow certificate.schema.json: {'; '.join(broken[:3])}")
    return Theorem(certificate, scope, tuple(dict.fromkeys(needs + list(rests_on))), _TOKEN)


def _one_scope(scopes: list[str]) -> str:
    """The scope of a statement whose goals (one, or those of a congruence split) closed with ``scopes``."""
    if len(scopes) > 1 and any("within" in scope for scope in scopes):
        raise CertificateError("a goal of a congruence split is closed within a tolerance; the split composes exact "
                               "equalities only")
    if len(set(scopes)) > 1:
        raise CertificateError(f"the goals of a congruence split are closed for different scopes: "
                               f"{'; '.join(dict.fromkeys(scopes))}")
    return scopes[0]


def weaken(theorem: Theorem, rests_on: Sequence[str]) -> Theorem:
    """The same theorem resting on more vocabulary entries (adding hypotheses only weakens it; no replay)."""
    if not isinstance(theorem, Theorem):
        raise CertificateError(f"weaken needs a Theorem of the kernel, not {theorem!r}")
    for entry in rests_on:
        if not valid_rests_on(entry):
            raise CertificateError(f"rests_on entry {entry!r} is not in the vocabulary {list(RESTS_ON)}")
    return Theorem(theorem.certificate, theorem.scope, tuple(dict.fromkeys(tuple(rests_on) + theorem.rests_on)),
                   _TOKEN)


def check_certificate(certificate: Certificate) -> str:
    """Replay the certificate; returns what it established (statement, scope, what it rests on)."""
    theorem = replay(certificate)
    rests = f"; rests on {', '.join(theorem.rests_on)}" if theorem.rests_on else ""
    return f"{theorem.statement} for {theorem.scope}{rests}"
