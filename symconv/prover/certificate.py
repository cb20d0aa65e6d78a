"""Certificates: plain-data proofs that the core alone can re-check.

A certificate is the statement ``lhs == rhs`` and a list of steps, each
naming a rule of the table below. The checker replays the steps on the
statement with nothing but the core (layers, exact semantics, output
lengths) and its own cone arithmetic (:mod:`symconv.prover.recheck_cones`);
it never calls the search that produced the certificate. A bug in the
search can make symconv fail to prove something, not accept a false step.

The rules (the whole trusted rule set):

* ``flip_conjugation`` (side): ``flip >> flip`` is the identity and
  ``flip >> L == mirror(L) >> flip``; together they move every flip of that
  side to its input; mirror swaps paddings and flips kernels of
  stride-1 convolutions, pads, crops, stride-1 pools, up-samplings and
  transposed convolutions; one with ``output_padding`` o and padding p is
  its full output (padding 0) cropped by ``(p, p - o)`` (zero-extended when
  o > p, then only without bias), which mirrors to ``crop(p - o, p)``.
* ``strip_input_flip``: ``flip >> A == flip >> B`` iff ``A == B`` (flip is a
  bijection of the inputs of each length).
* ``eventual_periodicity`` (period P, start n0, limit): the lemma of
  :mod:`symconv.prover.boundary`. The checker verifies that P moves every layer
  rigidly, that past n0 every intermediate length is positive and no output
  reads across both ends, that a full period of interior outputs separates
  the outputs that read a left edge from those that read a right edge, and
  that both sides are equal, by exact evaluation, for every ``n < limit``.
  This closes the statement for every n.
* ``residue_classes`` (period P, start N0, one (residue, start, period,
  limit) per class): flips that cross strided layers, decided per residue
  of n mod P (:mod:`symconv.prover.certificate_residue`). This also closes
  the statement.
* ``generic_instances`` (symbol, one (c, start, period, limit) per instance):
  a statement about a generic length c, closed by eventual periodicity at
  each listed c (:mod:`symconv.prover.certificate_generic`); the checker
  says that it closed the statement for those c only.
* ``product_bound`` (per axis: start, period, limit): 2-D chains, closed by
  the per-axis eventual periodicity and exact evaluation of every shape
  below the two limits (:mod:`symconv.prover.certificate_residue`).
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Callable

from symconv.core.kernel import FlipKernel
from symconv.core.layers import AvgPool, Chain, Conv, ConvTranspose, Crop, Down, Flip, Layer, Pad, Parallel, Up
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate, symbolic_input
from symconv.errors import CertificateError
from symconv.prover import recheck_cones as cones

__all__ = ["Rule", "Certificate", "CertificateStep", "check_certificate", "RULES", "FORMAT"]

FORMAT = "symconv-certificate/1"
#: The checker refuses to evaluate past this length (a certificate asking for more is rejected).
MAX_CHECK_LENGTH = 400


class Rule(enum.Enum):
    FLIP_CONJUGATION = "flip_conjugation"
    STRIP_INPUT_FLIP = "strip_input_flip"
    EVENTUAL_PERIODICITY = "eventual_periodicity"
    RESIDUE_CLASSES = "residue_classes"
    PRODUCT_BOUND = "product_bound"
    GENERIC_INSTANCES = "generic_instances"


@dataclass(frozen=True)
class CertificateStep:
    rule: Rule
    data: tuple[tuple[str, object], ...] = ()
    statement: str = ""

    def get(self, key: str):
        return dict(self.data)[key]

    def to_json(self) -> dict:
        return {"rule": self.rule.value, **dict(self.data), "statement": self.statement}


@dataclass(frozen=True)
class Certificate:
    lhs: str
    rhs: str
    steps: tuple[CertificateStep, ...]

    def to_json(self) -> dict:
        return {"format": FORMAT, "lhs": self.lhs, "rhs": self.rhs, "steps": [s.to_json() for s in self.steps]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    @staticmethod
    def from_json(obj: object) -> "Certificate":
        """Validate the shape of a certificate read from JSON."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise CertificateError(f"not a symconv certificate: expected an object with \"format\": \"{FORMAT}\"")
        for key in ("lhs", "rhs", "steps"):
            if key not in obj:
                raise CertificateError(f"certificate without {key!r}; expected keys lhs, rhs, steps")
        if not isinstance(obj["lhs"], str) or not isinstance(obj["rhs"], str) or not isinstance(obj["steps"], list):
            raise CertificateError("certificate fields: lhs and rhs must be strings and steps a list")
        steps = []
        for index, raw in enumerate(obj["steps"]):
            if not isinstance(raw, dict) or "rule" not in raw:
                raise CertificateError(f"certificate step {index} is not an object with a \"rule\"")
            try:
                rule = Rule(raw["rule"])
            except ValueError:
                known = ", ".join(r.value for r in Rule)
                raise CertificateError(f"certificate step {index}: unknown rule {raw['rule']!r}; expected one of {known}") from None
            data = tuple(sorted((k, v) for k, v in raw.items() if k not in ("rule", "statement")))
            steps.append(CertificateStep(rule, data, str(raw.get("statement", ""))))
        return Certificate(obj["lhs"], obj["rhs"], tuple(steps))


# --- the rules ------------------------------------------------------------------------------

def _mirror(layer: Layer, where: str) -> Layer:
    def flipped(k):
        return k.kernel if isinstance(k, FlipKernel) else FlipKernel(k)

    if isinstance(layer, Conv) and layer.stride == 1:
        left, right = layer.padding_pair()
        return Conv(flipped(layer.weight), 1, (right, left), layer.dilation, layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose) and layer.output_padding == 0:
        return ConvTranspose(flipped(layer.weight), layer.stride, layer.padding, 0, layer.dilation,
                             layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose) and (layer.bias is None or layer.output_padding <= layer.padding):
        # the output is the full transposed output (padding 0) from p to p + length, zero-extended
        p, o = layer.padding, layer.output_padding
        full = ConvTranspose(flipped(layer.weight), layer.stride, 0, 0, layer.dilation, layer.groups, layer.bias)
        return Chain((full, Crop(p - o, p)) if o <= p else (full, Crop(0, p), Pad(o - p, 0)))
    if isinstance(layer, (Pad, Crop)):
        return type(layer)(layer.right, layer.left)
    if isinstance(layer, Up) or (isinstance(layer, AvgPool) and layer.stride == 1) or (
            isinstance(layer, Down) and layer.factor == 1):
        return layer
    if isinstance(layer, Parallel):
        branches = []
        for b in layer.branches:
            flip_first, rest = _flips_to_input(Chain((Flip(),) + b.layers() + (Flip(),)), where)
            if flip_first:
                raise CertificateError(f"{where}: flip conjugation does not apply inside {layer!r}")
            branches.append(_as_layer(False, rest))
        return Parallel(tuple(branches))
    raise CertificateError(f"{where}: flip conjugation does not apply to {layer!r}")


def _flips_to_input(layer: Layer, where: str) -> tuple[bool, tuple[Layer, ...]]:
    flipped, done = False, []
    steps: list[Layer] = []
    for step in layer.layers():  # flip >> flip is the identity: cancel adjacent pairs first
        if isinstance(step, Flip) and steps and isinstance(steps[-1], Flip):
            steps.pop()
        else:
            steps.append(step)
    for step in steps:
        if isinstance(step, Flip):
            done = [_mirror(s, where) for s in done]
            flipped = not flipped
        elif isinstance(step, Parallel):
            parts = [_flips_to_input(b, where) for b in step.branches]
            if len({p for p, _ in parts}) != 1:
                raise CertificateError(f"{where}: the branches of {step!r} flip a different number of times")
            if parts[0][0]:
                done = [_mirror(s, where) for s in done]
                flipped = not flipped
            done.append(Parallel(tuple(_as_layer(False, r) for _, r in parts)))
        else:
            done.append(step)
    return flipped, tuple(part for s in done for part in s.layers())


def _as_layer(flip_first: bool, steps: tuple[Layer, ...]) -> Layer:
    steps = ((Flip(),) if flip_first else ()) + tuple(steps)
    if not steps:
        return Pad(0, 0)  # the identity
    return steps[0] if len(steps) == 1 else Chain(steps)


def _rule_flip_conjugation(state: list[Layer], step: CertificateStep, where: str) -> None:
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    index = 0 if side == "lhs" else 1
    state[index] = _as_layer(*_flips_to_input(state[index], where))


def _rule_strip_input_flip(state: list[Layer], step: CertificateStep, where: str) -> None:
    heads = [s.layers()[0] for s in state]
    if not all(isinstance(h, Flip) for h in heads):
        raise CertificateError(f"{where}: both sides must start with flip()")
    state[:] = [_as_layer(False, s.layers()[1:]) for s in state]


def _equal_by_evaluation(lhs: Layer, rhs: Layer, n: int) -> bool:
    channels = lhs.in_channels or rhs.in_channels or 1
    x = symbolic_input(n, channels)
    return evaluate(lhs, x) == evaluate(rhs, x)


def _check_window(period: object, start: object, limit: object, where: str) -> None:
    if not all(isinstance(v, int) and v >= 1 for v in (period, start, limit)) or limit - period < start:
        raise CertificateError(f"{where}: expected integers period, start >= 1 and limit >= start + period")
    if limit > MAX_CHECK_LENGTH:
        raise CertificateError(f"{where}: limit {limit} exceeds what the checker evaluates ({MAX_CHECK_LENGTH})")


def _rule_eventual_periodicity(state: list[Layer], step: CertificateStep, where: str) -> bool:
    lhs, rhs = state
    period, start, limit = (step.get(k) for k in ("period", "start", "limit"))
    _check_window(period, start, limit, where)
    periodic_structure(lhs, rhs, period, start, where)
    for n in range(0, limit):
        if not _equal_by_evaluation(lhs, rhs, n):
            raise CertificateError(f"{where}: the two sides differ at n = {n}")
    return True


def periodic_structure(lhs: Layer, rhs: Layer, period: int, start: int, where: str) -> None:
    """The hypotheses of the eventual-periodicity lemma for two flip-free linear chains, on [start, start + period)."""
    for layer in (lhs, rhs):
        if any(isinstance(s, Flip) for s in layer.layers()):
            raise CertificateError(f"{where}: {layer!r} still has a flip; conjugate it first")
        if not layer.linear:
            raise CertificateError(f"{where}: {layer!r} is not linear")
    shifts = [cones.chain_shift(layer, period) for layer in (lhs, rhs)]
    if shifts[0] != shifts[1]:
        raise CertificateError(f"{where}: the output lengths grow by {shifts[0]} and {shifts[1]} per period")
    for layer in (lhs, rhs):
        if cones.min_intermediate_length(layer, start) < 1:
            raise CertificateError(f"{where}: an intermediate length of {layer!r} is 0 at n = {start}")
    run = max(shifts[0], 1)
    for n in range(start, start + period):
        m = output_length(lhs, n)
        for layer in (lhs, rhs):
            if output_length(layer, n) != m:
                raise CertificateError(f"{where}: the output lengths differ at n = {n}")
            if output_length(layer, n + period) != m + shifts[0]:
                raise CertificateError(f"{where}: the length of {layer!r} is not periodic at n = {n}")
        touches = [[cones.row_touch(layer, row, n) for row in range(m)] for layer in (lhs, rhs)]
        if any(t.left and t.right for side in touches for t in side):
            raise CertificateError(f"{where}: an output reads both ends at n = {n}")
        last_left = max((r for r in range(m) if any(side[r].left for side in touches)), default=-1)
        first_right = min((r for r in range(m) if any(side[r].right for side in touches)), default=m)
        streak = best = 0
        for row in range(last_left + 1, first_right):
            streak = streak + 1 if all(side[row].interior for side in touches) else 0
            best = max(best, streak)
        if best < run:
            raise CertificateError(f"{where}: fewer than {run} consecutive interior outputs between the ends "
                                   f"at n = {n}")


from symconv.prover.certificate_generic import rule_generic_instances  # noqa: E402
from symconv.prover.certificate_residue import rule_product_bound, rule_residue_classes  # noqa: E402 (uses the above)

#: The table of rules the checker accepts: one small function each.
RULES: dict[Rule, Callable] = {
    Rule.FLIP_CONJUGATION: _rule_flip_conjugation,
    Rule.STRIP_INPUT_FLIP: _rule_strip_input_flip,
    Rule.EVENTUAL_PERIODICITY: _rule_eventual_periodicity,
    Rule.RESIDUE_CLASSES: rule_residue_classes,
    Rule.PRODUCT_BOUND: rule_product_bound,
    Rule.GENERIC_INSTANCES: rule_generic_instances,
}


def check_certificate(certificate: Certificate) -> str:
    """Replay the certificate; returns the closed statement or raises CertificateError."""
    from symconv.dsl import parse_statement

    state = list(parse_statement(certificate.lhs, certificate.rhs))
    closed, scope = False, ""
    for index, step in enumerate(certificate.steps):
        if closed:
            raise CertificateError(f"step {index} ({step.rule.value}) comes after the statement was closed")
        where = f"step {index} ({step.rule.value})"
        try:
            closed = RULES[step.rule](state, step, where)
        except KeyError as err:
            raise CertificateError(f"{where}: missing field {err}") from None
        scope = closed if isinstance(closed, str) else ""  # a rule that closes only some instances says which
    if not closed:
        raise CertificateError("the certificate ends before the statement is closed by eventual_periodicity")
    return f"{certificate.lhs} == {certificate.rhs}{scope}"
