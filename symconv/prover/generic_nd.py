"""``prove`` for N-D statements with a generic kernel size (``conv2d(k[c, 3])``): every value of c up to a bound.

The 1-D generic argument (generating polynomials in ``k(z^a)`` and
quasi-affine lengths, :mod:`symconv.prover.generic_proof`) has no N-D
counterpart yet. What is decided here is each instance: for c = 1, ..., C
(:data:`INSTANCE_VALUES`; with several generic sizes, every combination up
to :data:`JOINT_LIMIT`) the sizes are given their value on the core objects
(:func:`symconv.core.sizes_nd.with_sizes`, never on DSL text) and the
concrete statement goes through :func:`symconv.prover.proof.prove`, as if it
had been written with that value:

* an instance refuted gives ``refuted``, with that instance's exact,
  re-verified counterexample and the value (``with c = 2``): the generic
  statement claims every c, so one c that fails refutes it;
* otherwise the verdict is ``unknown``: each instance proved (its
  certificate replayed by the kernel) says nothing about the next c. The
  note says for which values it was proved, and a numeric check of the
  generic chains themselves (evaluated with ``sizes={c: value}``) is attached.

Never ``proved``: that verdict comes only from a certificate the kernel
replays, and no N-D certificate covers every c.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Optional

from symconv.core.layers import Layer
from symconv.core.layers_nd import output_shape
from symconv.core.output_length import generic_sizes
from symconv.core.sizes_nd import with_sizes
from symconv.errors import InvalidArgument, SymconvError
from symconv.numeric.check import NumericReport

__all__ = ["prove_generic_nd", "refuse_generic_nd", "INSTANCE_VALUES", "JOINT_LIMIT"]

#: The values of a single generic size decided one by one.
INSTANCE_VALUES = range(1, 9)
#: With several generic sizes, each runs over 1..JOINT_LIMIT (every combination).
JOINT_LIMIT = 3
#: Largest input size per axis the numeric check looks at for a non-empty output.
MAX_CHECK_SIZE = 48


def _instances(names: list[str]) -> list[dict[str, int]]:
    """The assignments decided: c = 1..8 for one size, every combination of 1..JOINT_LIMIT for several."""
    values = INSTANCE_VALUES if len(names) == 1 else range(1, JOINT_LIMIT + 1)
    return [dict(zip(names, combo)) for combo in itertools.product(values, repeat=len(names))]


def _where(sizes: dict[str, int]) -> str:
    """``c = 2`` (``c = 2, d = 1`` for several)."""
    return ", ".join(f"{k} = {v}" for k, v in sizes.items())


def _span(names: list[str]) -> str:
    values = INSTANCE_VALUES if len(names) == 1 else range(1, JOINT_LIMIT + 1)
    return ", ".join(f"{k} = {values[0]}..{values[-1]}" for k in names)


def _check_shapes(lhs: Layer, rhs: Layer, sizes: dict[str, int]) -> list[tuple[int, ...]]:
    """The cube shapes ``(m, ..., m)`` from the first with non-empty outputs on both sides: that one and two past."""
    d = max(lhs.ndim, rhs.ndim)
    for m in range(1, MAX_CHECK_SIZE + 1):
        shape = (m,) * d
        if all(0 not in output_shape(side, shape, sizes) for side in (lhs, rhs)):
            return [shape, (m + 1,) * d, (m + 3,) * d]
    return [(MAX_CHECK_SIZE,) * d]


def _numeric(lhs: Layer, rhs: Layer, assignments: list[dict[str, int]], seed: int,
             channels: int) -> Optional[NumericReport]:
    """The generic chains evaluated with ``sizes`` at each assignment, exactly; one report (the first mismatch)."""
    from symconv.prover.proof_nd import numeric_check_nd

    trials, compared, worst = 0, 0, 0.0
    for sizes in assignments:
        report = numeric_check_nd(lhs, rhs, _check_shapes(lhs, rhs, sizes), seed, channels, sizes)
        trials, compared = trials + report.trials, compared + report.compared
        worst = max(worst, report.max_abs_error)
        if not report.agrees:
            return NumericReport(trials, worst, 0.0, dict(report.mismatch, sizes=sizes), compared)
    return NumericReport(trials, worst, 0.0, compared=compared)


def prove_generic_nd(lhs: Layer, rhs: Layer, seed: int = 0):
    """``lhs == rhs`` for N-D chains with generic sizes: refuted at a value, else unknown (module docstring)."""
    from symconv.prover.proof import Proof, ProofStep, prove

    names = generic_sizes(lhs, rhs)
    assignments = _instances(names)
    proved, open_notes, steps = [], [], []
    for sizes in assignments:
        try:
            instance = [with_sizes(side, sizes) for side in (lhs, rhs)]
            result = prove(*instance, seed=seed)
        except SymconvError as err:  # no instance at this size, or one prove refuses (a limit)
            open_notes.append(f"{_where(sizes)}: not decided ({err})")
            steps.append(ProofStep("instance", f"{_where(sizes)}: not decided ({err})"))
            continue
        if result.verdict == "refuted":
            example = result.counterexample
            if example is not None and hasattr(example, "sizes"):
                example = dataclasses.replace(example, sizes=tuple(sizes.items()))
            note = f"with {_where(sizes)}: {instance[0]!r} != {instance[1]!r}" + (
                f" ({result.note})" if result.note else "")
            steps.append(ProofStep("instance", f"{_where(sizes)}: refuted, the instance {instance[0]!r} == "
                                               f"{instance[1]!r} is false"))
            return Proof(lhs, rhs, "refuted", steps=tuple(steps), counterexample=example, numeric=result.numeric,
                         note=note)
        rules = ", ".join(dict.fromkeys(s.rule for s in result.steps)) or "no steps"
        if result.verdict == "proved":
            proved.append(sizes)
            steps.append(ProofStep("instance", f"{_where(sizes)}: proved (certificate replayed by the kernel: "
                                               f"{rules})"))
        else:
            open_notes.append(f"{_where(sizes)}: {result.verdict} ({result.note})")
            steps.append(ProofStep("instance", f"{_where(sizes)}: {result.verdict}"))
    channels = lhs.in_channels or rhs.in_channels or 1
    numeric = _numeric(lhs, rhs, proved, seed, channels) if proved and lhs.linear and rhs.linear else None
    if numeric is not None and not numeric.agrees:  # the instances were proved equal: a numeric gap is a bug
        raise AssertionError(f"instances proved but the generic chains differ numerically: {numeric.mismatch}")
    every = ", ".join(names)
    if open_notes:
        note = (f"not decided for every value checked: {'; '.join(open_notes)}; the generic argument for every "
                f"{every} is not yet available in N-D")
    else:
        note = (f"the identity was proved for {_span(names)} (each value proved as a concrete statement, its "
                f"certificate replayed by the kernel); the generic argument for every {every} is not yet "
                f"available in N-D, so this is not a proof for every {every}")
    return Proof(lhs, rhs, "unknown", steps=tuple(steps), numeric=numeric, note=note)


def refuse_generic_nd(lhs: Layer, rhs: Layer, option: str) -> None:
    """InvalidArgument when an N-D statement has a generic size: ``option`` (``--solve``, ``--assume``) needs
    concrete sizes there."""
    names = generic_sizes(lhs, rhs)
    if names and max(lhs.ndim, rhs.ndim) >= 2:
        raise InvalidArgument("prove", option, f"{lhs!r} == {rhs!r}",
                              f"an N-D statement with concrete sizes: {option} is not available with the generic "
                              f"size {', '.join(names)} in N-D; give it a value, e.g. k[3, 3]")
