"""The rule table: every rule the kernel accepts, its fields and the one function that checks it.

The state of a replay is the pair ``[lhs, rhs]`` of core layers. A rule
either rewrites the state (an equivalence: the new pair is equal iff the old
one is) or closes it (proves the two sides equal); a closing rule returns
the scope it closed. Each rule is a lemma schema with its z-domain or
combinatorial proof in the docstring of the function (or module) that checks
it, and exhaustive small-size tests under ``tests/checker/``.

=====================  ==========================================  ===========================================
rule                   fields                                      effect
=====================  ==========================================  ===========================================
flip_conjugation       side                                        rewrite: every flip of that side to its input
strip_input_flip       (none)                                      rewrite: ``flip >> A == flip >> B`` iff A == B
eventual_periodicity   period, start, limit                        close every n (1-D, flip-free)
residue_classes        period, start, classes                      close every n (flips across strided layers)
product_bound          axes                                        close every shape (2-D)
interior_operator      axes, shape                                 close every shape (N-D, edge-free sides)
generic_instances      symbol, instances                           close c = 1..C and every n
relu_identity          side, index, period, start, limit           rewrite: drop a relu() whose input is >= 0
                                                                   under the declared bound (affine as conv)
tolerance              atol, rtol, gain, attained, axes            close every shape within atol + rtol * R
                                                                   on ``|x| <= 1`` (numeric weights)
=====================  ==========================================  ===========================================
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable, Optional

from symconv.checker.flips import as_layer, flips_to_input
from symconv.checker.generic_instances import rule_generic_instances
from symconv.checker.interior import rule_interior_operator
from symconv.checker.periodicity import close_by_periodicity
from symconv.checker.relu_bound import rule_relu_identity
from symconv.checker.residue_classes import rule_product_bound, rule_residue_classes
from symconv.checker.tolerance import rule_tolerance, tolerance_rests_on
from symconv.core.layers import Flip, Layer
from symconv.errors import CertificateError

__all__ = ["Rule", "RULES", "FIELDS", "RuleEntry"]


class Rule(enum.Enum):
    """The names of the rules; :data:`RULES` gives each one's fields and checking function."""

    FLIP_CONJUGATION = "flip_conjugation"
    STRIP_INPUT_FLIP = "strip_input_flip"
    EVENTUAL_PERIODICITY = "eventual_periodicity"
    RESIDUE_CLASSES = "residue_classes"
    PRODUCT_BOUND = "product_bound"
    INTERIOR_OPERATOR = "interior_operator"
    GENERIC_INSTANCES = "generic_instances"
    TOLERANCE = "tolerance"
    RELU_IDENTITY = "relu_identity"


def flip_conjugation(state: list[Layer], step, where: str) -> None:
    """``flip >> flip == id`` and ``flip >> L >> flip == mirror(L)`` (:mod:`symconv.checker.flips`) on one side."""
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    index = 0 if side == "lhs" else 1
    state[index] = as_layer(*flips_to_input(state[index], where))


def strip_input_flip(state: list[Layer], step, where: str) -> None:
    """``flip >> A == flip >> B`` iff ``A == B``: flip is a bijection of the inputs of each length."""
    if not all(isinstance(side.layers()[0], Flip) for side in state):
        raise CertificateError(f"{where}: both sides must start with flip()")
    state[:] = [as_layer(False, side.layers()[1:]) for side in state]


def eventual_periodicity(state: list[Layer], step, where: str) -> str:
    """The lemma of :mod:`symconv.checker.periodicity`, then equality for every ``n < limit``."""
    close_by_periodicity(state[0], state[1], step.get("period"), step.get("start"), step.get("limit"), where)
    return "every input length"


def residue_classes(state: list[Layer], step, where: str) -> str:
    """Per residue of n mod P (:mod:`symconv.checker.residue_classes`)."""
    rule_residue_classes(state, step, where)
    return "every input length"


def product_bound(state: list[Layer], step, where: str) -> str:
    """Per-axis periodicity and every shape below the product bound (:func:`rule_product_bound`)."""
    rule_product_bound(state, step, where)
    return "every input shape"


def interior_operator(state: list[Layer], step, where: str) -> str:
    """Edge-free sides, equal lengths per axis, equal outputs at one interior shape (:mod:`.interior`)."""
    rule_interior_operator(state, step, where)
    return "every input shape"


def generic_instances(state: list[Layer], step, where: str) -> str:
    """Eventual periodicity at c = 1 .. C (:mod:`symconv.checker.generic_instances`)."""
    return rule_generic_instances(state, step, where) + " and every input length"


@dataclass(frozen=True)
class RuleEntry:
    """A rule's fields, its checking function, and what a theorem it closes rests on beyond the replay."""

    fields: tuple[str, ...]
    check: Callable[[list, object, str], Optional[str]]
    rests_on: tuple[str, ...] = ()
    #: Entries read off the step's own fields (a tolerance), added to ``rests_on``.
    step_rests_on: Optional[Callable[[object], tuple[str, ...]]] = None


#: The whole trusted rule set.
RULES: dict[Rule, RuleEntry] = {
    Rule.FLIP_CONJUGATION: RuleEntry(("side",), flip_conjugation),
    Rule.STRIP_INPUT_FLIP: RuleEntry((), strip_input_flip),
    Rule.EVENTUAL_PERIODICITY: RuleEntry(("limit", "period", "start"), eventual_periodicity),
    Rule.RESIDUE_CLASSES: RuleEntry(("classes", "period", "start"), residue_classes),
    Rule.PRODUCT_BOUND: RuleEntry(("axes",), product_bound),
    Rule.INTERIOR_OPERATOR: RuleEntry(("axes", "shape"), interior_operator),
    Rule.GENERIC_INSTANCES: RuleEntry(("instances", "symbol"), generic_instances, ("generic_argument",)),
    Rule.TOLERANCE: RuleEntry(("atol", "attained", "axes", "gain", "rtol"), rule_tolerance,
                              step_rests_on=tolerance_rests_on),
    Rule.RELU_IDENTITY: RuleEntry(("index", "limit", "period", "side", "start"), rule_relu_identity),
}

#: The fields each rule takes (a certificate step has exactly these, besides ``rule`` and ``statement``).
FIELDS: dict[Rule, tuple[str, ...]] = {rule: entry.fields for rule, entry in RULES.items()}
