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
flip_axes_conjugation  side                                        rewrite (N-D): every flip of that side to its
                                                                   input, per axis (stride 1 on flipped axes)
strip_input_flip_axes  (none)                                      rewrite (N-D): ``flip_F >> A == flip_G >> B``
                                                                   iff ``A == flip_{F xor G} >> B``
eventual_periodicity   period, start, limit                        close every n (1-D, flip-free)
residue_classes        period, start, classes                      close every n (flips across strided layers)
product_bound          axes                                        close every shape (2-D)
flip_product_bound     axes                                        close every shape (N-D, flips across strides:
                                                                   per-axis residue classes)
interior_operator      axes, shape                                 close every shape (N-D, edge-free sides)
factored_interior      period, start, limit                        close every n (conv chains, 1-D or N-D, one
                                                                   window for every axis: equal scalar factors and
                                                                   equal sequences of matrix factors of the
                                                                   interior kernel,
                                                                   :mod:`.factored_interior`)
generic_instances      symbol, instances                           close c = 1..C and every n
generic_argument       symbol, period                              close every c >= 1 and every n: lengths,
                                                                   zero extension, impulse responses in z
                                                                   (:mod:`.generic_argument`)
generic_interior_nd    symbol, period, [prefix]                    close every c >= 1 and every shape (N-D,
                                                                   linear sides, zero extension per axis, after
                                                                   a shared prefix): per-axis lengths, polyphase
                                                                   impulse responses and bias constants
                                                                   (:mod:`.generic_interior_nd`)
relu_identity          side, index, period, start, limit           rewrite: drop a relu() whose input is >= 0
                                                                   under the declared bound (affine as conv)
relu_identity_at       side, path, axes                            rewrite: the same for a relu() in any d and
                                                                   inside sums (path through the branches)
length_formula         period, start, limit                        close a length claim: len(lhs)(n) equals
                                                                   the certificate's quasi-affine formula
                                                                   for every claimed n (one per axis on an
                                                                   N-D chain) (:mod:`.length_formula`)
tolerance              atol, rtol, gain, attained, axes            close every shape within atol + rtol * R
                                                                   on ``|x| <= 1`` (numeric weights)
tolerance_network      atol, axes, bound, difference, lipschitz,   close every shape within atol on ``|x| <= 1``:
                       reach, [sums]                               affine blocks between the same relu() /
                                                                   max-pool layers and sums of branches, e of
                                                                   a sum the sum of its branches' (nested per
                                                                   sum in sums) (:mod:`.tolerance_network`)
affine_as_convolution  (none)                                      rewrite: every affine(s, t) of both sides as
                                                                   its grouped 1x1 convolution with bias t
congruence             lhs, rhs                                    split at a layer both sides apply: the
                                                                   chains before it, then those after it, are
                                                                   the next goals (:mod:`.congruence`)
padding_as_pad         (none)                                      rewrite: every convolution's zero padding
                                                                   as a pad() layer before it, both sides
                                                                   (:mod:`.padding_as_pad`)
relu_pairing           side, index, pairs                          rewrite: conv >> [affine] >> relu() >> conv
                                                                   with negated channel pairs as two convs
                                                                   (relu(u) - relu(-u) = u, :mod:`.relu_pairing`)
merge_branches         (none)                                      rewrite: every sum of convolutions with the
                                                                   same stride, padding, dilation, groups and
                                                                   weight shape as one convolution with the
                                                                   summed weight and bias, both sides
                                                                   (:mod:`.branch_merging`)
drop_identity_layers   (none)                                      rewrite: every pad(0, 0), crop(0, 0), down(1)
                                                                   and up(1) (per axis in N-D) left out, both
                                                                   sides (:mod:`.identity_layers`)
polynomial_identity    symbols                                     close a fact: two rational expressions in
                                                                   the real symbols (with sqrt) are equal
                                                                   (:mod:`.polynomial_identity`)
gaussian_moment        power, domain                               close a fact: E[relu(g)**k] or E[g**k] of a
                                                                   standard normal (:mod:`.gaussian_moment`)
no_real_root           variable, sign_changes                      close a fact: an integer polynomial has no
                                                                   real root (Sturm, :mod:`.real_roots`)
rational_sign          value                                       close a fact: the sign of an exact rational
                                                                   expression (:mod:`.rational_sign`)
nonnegative_combination symbols, nonnegative                      close a fact: a polynomial is >= 0, every
                                                                   term's coefficient >= 0 and odd powers only
                                                                   of symbols declared >= 0
                                                                   (:mod:`.nonnegative_combination`)
=====================  ==========================================  ===========================================

A *fact* certificate (one step of a rule in :data:`FACT_RULES`) states an exact fact of a library
claim instead of an identity of chains: its state is the statement's two texts ``[lhs, rhs]``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Callable, Optional

from symconv.checker.branch_merging import rule_merge_branches
from symconv.checker.congruence import rule_congruence
from symconv.checker.factored_interior import rule_factored_interior
from symconv.checker.flips import as_layer, flips_to_input
from symconv.checker.flip_classes_nd import rule_flip_product_bound
from symconv.checker.flips_nd import conjugated, strip_input_flips
from symconv.checker.gaussian_moment import rule_gaussian_moment
from symconv.checker.generic_argument import rule_generic_argument
from symconv.checker.generic_instances import rule_generic_instances
from symconv.checker.generic_interior_nd import rule_generic_interior_nd
from symconv.checker.identity_layers import rule_drop_identity_layers
from symconv.checker.interior import rule_interior_operator
from symconv.checker.length_formula import rule_length_formula
from symconv.checker.nonnegative_combination import rule_nonnegative_combination
from symconv.checker.padding_as_pad import rule_padding_as_pad
from symconv.checker.periodicity import close_by_periodicity
from symconv.checker.polynomial_identity import rule_polynomial_identity
from symconv.checker.rational_sign import rule_rational_sign
from symconv.checker.real_roots import rule_no_real_root
from symconv.checker.relu_bound import rule_relu_identity, rule_relu_identity_at
from symconv.checker.relu_pairing import rule_relu_pairing
from symconv.checker.residue_classes import rule_product_bound, rule_residue_classes
from symconv.checker.tolerance import as_convolutions, rule_tolerance, tolerance_rests_on
from symconv.checker.tolerance_network import rule_tolerance_network, tolerance_network_rests_on
from symconv.core.geometry import is_whole_flip
from symconv.core.layers import Layer
from symconv.errors import CertificateError

__all__ = ["Rule", "RULES", "FIELDS", "OPTIONAL_FIELDS", "RuleEntry", "FACT_RULES"]


class Rule(enum.Enum):
    """The names of the rules; :data:`RULES` gives each one's fields and checking function."""

    FLIP_CONJUGATION = "flip_conjugation"
    STRIP_INPUT_FLIP = "strip_input_flip"
    FLIP_AXES_CONJUGATION = "flip_axes_conjugation"
    STRIP_INPUT_FLIP_AXES = "strip_input_flip_axes"
    EVENTUAL_PERIODICITY = "eventual_periodicity"
    RESIDUE_CLASSES = "residue_classes"
    PRODUCT_BOUND = "product_bound"
    FLIP_PRODUCT_BOUND = "flip_product_bound"
    INTERIOR_OPERATOR = "interior_operator"
    FACTORED_INTERIOR = "factored_interior"
    GENERIC_INSTANCES = "generic_instances"
    GENERIC_ARGUMENT = "generic_argument"
    GENERIC_INTERIOR_ND = "generic_interior_nd"
    TOLERANCE = "tolerance"
    TOLERANCE_NETWORK = "tolerance_network"
    RELU_IDENTITY = "relu_identity"
    RELU_IDENTITY_AT = "relu_identity_at"
    LENGTH_FORMULA = "length_formula"
    CONGRUENCE = "congruence"
    AFFINE_AS_CONVOLUTION = "affine_as_convolution"
    PADDING_AS_PAD = "padding_as_pad"
    RELU_PAIRING = "relu_pairing"
    MERGE_BRANCHES = "merge_branches"
    DROP_IDENTITY_LAYERS = "drop_identity_layers"
    POLYNOMIAL_IDENTITY = "polynomial_identity"
    GAUSSIAN_MOMENT = "gaussian_moment"
    NO_REAL_ROOT = "no_real_root"
    RATIONAL_SIGN = "rational_sign"
    NONNEGATIVE_COMBINATION = "nonnegative_combination"


def flip_conjugation(state: list[Layer], step, where: str) -> None:
    """``flip >> flip == id`` and ``flip >> L >> flip == mirror(L)`` (:mod:`symconv.checker.flips`) on one side."""
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    index = 0 if side == "lhs" else 1
    if state[index].ndim >= 2:
        raise CertificateError(f"{where}: flip_conjugation is for 1-D chains; N-D uses flip_axes_conjugation")
    state[index] = as_layer(*flips_to_input(state[index], where))


def strip_input_flip(state: list[Layer], step, where: str) -> None:
    """``flip >> A == flip >> B`` iff ``A == B``: flip is a bijection of the inputs of each length."""
    if not all(is_whole_flip(side.layers()[0]) for side in state):
        raise CertificateError(f"{where}: both sides must start with flip()")
    state[:] = [as_layer(False, side.layers()[1:]) for side in state]


def flip_axes_conjugation(state: list[Layer], step, where: str) -> None:
    """N-D: ``flip_P >> D >> flip_F == flip_{P xor F} >> mirror_F(D)`` on one side (:mod:`symconv.checker.flips_nd`)."""
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    index = 0 if side == "lhs" else 1
    if state[index].ndim < 2:
        raise CertificateError(f"{where}: flip_axes_conjugation is for N-D chains; 1-D uses flip_conjugation")
    state[index] = conjugated(state[index], where)


def strip_input_flip_axes(state: list[Layer], step, where: str) -> None:
    """N-D: ``flip_F >> A == flip_G >> B`` iff ``A == flip_{F xor G} >> B`` (a flip is a bijection per shape)."""
    state[:] = list(strip_input_flips(state[0], state[1], where))


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


def flip_product_bound(state: list[Layer], step, where: str) -> str:
    """Per-axis residue classes of the projections and every shape below the bounds (:mod:`.flip_classes_nd`)."""
    rule_flip_product_bound(state, step, where)
    return "every input shape"


def interior_operator(state: list[Layer], step, where: str) -> str:
    """Edge-free sides, equal lengths per axis, equal outputs at one interior shape (:mod:`.interior`)."""
    rule_interior_operator(state, step, where)
    return "every input shape"


def generic_instances(state: list[Layer], step, where: str) -> str:
    """Eventual periodicity at c = 1 .. C (:mod:`symconv.checker.generic_instances`)."""
    return rule_generic_instances(state, step, where) + " and every input length"


def length_formula(state: list[Layer], step, where: str) -> str:
    """The quasi-affine length lemma (:mod:`symconv.checker.length_formula`) for the certificate's length claim."""
    claim = getattr(state, "length_claim", None)
    if claim is None:
        raise CertificateError(f"{where}: the certificate states an identity, not a length claim")
    return rule_length_formula(state[0], claim, step, where, state[1])


def affine_as_convolution(state: list[Layer], step, where: str) -> None:
    """Every ``affine(s, t)`` on C channels as ``conv([[[s_0]], ...], groups=C, bias=t)`` (``conv{d}d`` in N-D):
    both give ``y[m, i] = s_m x[m, i] + t_m`` (:func:`symconv.checker.tolerance.as_convolutions`)."""
    channels = state[0].in_channels or state[1].in_channels or 1
    ndim = max(side.ndim for side in state)
    rewritten = [as_convolutions(side, channels, ndim) for side in state]
    if rewritten == list(state):
        raise CertificateError(f"{where}: neither side has an affine() layer to rewrite")
    state[:] = rewritten


@dataclass(frozen=True)
class RuleEntry:
    """A rule's fields, its checking function, and what a theorem it closes rests on beyond the replay."""

    fields: tuple[str, ...]
    check: Callable[[list, object, str], Optional[str]]
    rests_on: tuple[str, ...] = ()
    #: Entries read off the step's own fields (a tolerance), added to ``rests_on``.
    step_rests_on: Optional[Callable[[object], tuple[str, ...]]] = None
    #: Fields a step may leave out (a later extension of the rule's data, absent in earlier certificates).
    optional: tuple[str, ...] = ()


#: The whole trusted rule set.
RULES: dict[Rule, RuleEntry] = {
    Rule.FLIP_CONJUGATION: RuleEntry(("side",), flip_conjugation),
    Rule.STRIP_INPUT_FLIP: RuleEntry((), strip_input_flip),
    Rule.FLIP_AXES_CONJUGATION: RuleEntry(("side",), flip_axes_conjugation),
    Rule.STRIP_INPUT_FLIP_AXES: RuleEntry((), strip_input_flip_axes),
    Rule.EVENTUAL_PERIODICITY: RuleEntry(("limit", "period", "start"), eventual_periodicity),
    Rule.RESIDUE_CLASSES: RuleEntry(("classes", "period", "start"), residue_classes),
    Rule.PRODUCT_BOUND: RuleEntry(("axes",), product_bound),
    Rule.FLIP_PRODUCT_BOUND: RuleEntry(("axes",), flip_product_bound),
    Rule.INTERIOR_OPERATOR: RuleEntry(("axes", "shape"), interior_operator),
    Rule.FACTORED_INTERIOR: RuleEntry(("limit", "period", "start"), rule_factored_interior),
    Rule.GENERIC_INSTANCES: RuleEntry(("instances", "symbol"), generic_instances, ("generic_argument",)),
    Rule.GENERIC_ARGUMENT: RuleEntry(("period", "symbol"), rule_generic_argument),
    Rule.GENERIC_INTERIOR_ND: RuleEntry(("period", "symbol"), rule_generic_interior_nd, optional=("prefix",)),
    Rule.TOLERANCE: RuleEntry(("atol", "attained", "axes", "gain", "rtol"), rule_tolerance,
                              step_rests_on=tolerance_rests_on),
    Rule.TOLERANCE_NETWORK: RuleEntry(("atol", "axes", "bound", "difference", "lipschitz", "reach"),
                                      rule_tolerance_network, step_rests_on=tolerance_network_rests_on,
                                      optional=("sums",)),
    Rule.RELU_IDENTITY: RuleEntry(("index", "limit", "period", "side", "start"), rule_relu_identity),
    Rule.RELU_IDENTITY_AT: RuleEntry(("axes", "path", "side"), rule_relu_identity_at),
    Rule.LENGTH_FORMULA: RuleEntry(("limit", "period", "start"), length_formula),
    Rule.CONGRUENCE: RuleEntry(("lhs", "rhs"), rule_congruence),
    Rule.AFFINE_AS_CONVOLUTION: RuleEntry((), affine_as_convolution),
    Rule.PADDING_AS_PAD: RuleEntry((), rule_padding_as_pad),
    Rule.RELU_PAIRING: RuleEntry(("index", "pairs", "side"), rule_relu_pairing),
    Rule.MERGE_BRANCHES: RuleEntry((), rule_merge_branches),
    Rule.DROP_IDENTITY_LAYERS: RuleEntry((), rule_drop_identity_layers),
    Rule.POLYNOMIAL_IDENTITY: RuleEntry(("symbols",), rule_polynomial_identity),
    Rule.GAUSSIAN_MOMENT: RuleEntry(("domain", "power"), rule_gaussian_moment),
    Rule.NO_REAL_ROOT: RuleEntry(("sign_changes", "variable"), rule_no_real_root),
    Rule.RATIONAL_SIGN: RuleEntry(("value",), rule_rational_sign),
    Rule.NONNEGATIVE_COMBINATION: RuleEntry(("nonnegative", "symbols"), rule_nonnegative_combination),
}

#: The rules of fact certificates (their state is the statement's two texts, not two chains).
FACT_RULES = frozenset({"polynomial_identity", "gaussian_moment", "no_real_root", "rational_sign",
                        "nonnegative_combination"})

#: The fields each rule takes (a certificate step has exactly these, besides ``rule`` and ``statement``).
FIELDS: dict[Rule, tuple[str, ...]] = {rule: entry.fields for rule, entry in RULES.items()}
#: The fields a step of each rule may also have (``sums`` of ``tolerance_network``).
OPTIONAL_FIELDS: dict[Rule, tuple[str, ...]] = {rule: entry.optional for rule, entry in RULES.items()}
