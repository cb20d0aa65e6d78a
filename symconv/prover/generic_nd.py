"""``prove`` for N-D statements with a generic kernel size (``conv2d(k[c, 3])``): for every c, or value by value.

First, for linear chains with one generic size (``pad``, ``crop``, ``down``,
``up``, ``conv{d}d`` and ``conv_transpose{d}d`` with groups and biases, linear
``avgpool{d}d``; a sum of convolutions, ``conv2d(a) + conv2d(b)``, is made one,
``conv2d(a + b)``, before (:mod:`symconv.prover.rewrites`)), the kernel rule
``generic_interior_nd`` (:mod:`symconv.checker.generic_interior_nd`) is offered
a certificate with the period ``P`` (the lcm of the products of the
down-sampling strides, doubled for a generic 'same' padding or flip): it
shows equal per-axis lengths for every ``n_a`` and c, zero extension per axis
(:mod:`symconv.checker.zero_extension_nd`: every padding reads zeros), and
equal operators and bias constants as formal series in polyphase atoms mod P,
so the verdict is ``proved`` for every c. When the sides as given pad inside
the chain, the certificate is offered again with ``prefix``: the number of
layers both sides begin with once every concrete convolution padding is
written as ``pad()`` (``conv2d(k[c, 3], padding=1) >> conv2d(g, padding=1)``
against ``... >> pad((1, 1)) >> conv2d(g)``), the rule then proving what
follows them. When the sides end with the same layers (a shared ``relu()``),
they are split off by the kernel's ``congruence`` and the rule is offered what
comes before them (:mod:`symconv.prover.shared_layers`). Otherwise (outside that fragment, or a false statement) each instance is
decided: for c = 1, ..., C
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
  note says for which values it was proved and why the kernel rule does not
  apply, and a numeric check of the generic chains themselves (evaluated
  with ``sizes={c: value}``) is attached.

``proved`` comes only from the ``generic_interior_nd`` certificate, which the
kernel replays; the instances proved one by one never give it.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from typing import Optional

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.generic_argument import MAX_PERIOD
from symconv.checker.congruence import chain_of
from symconv.checker.generic_interior_nd import total_strides
from symconv.checker.interior import edge_free_steps
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.checker.zero_extension_nd import impulse_shifts
from symconv.core.composite import Parallel
from symconv.core.convolution import Conv
from symconv.core.kernel_expr import FlipKernel
from symconv.core.kernel import is_generic
from symconv.core.layers import Layer
from symconv.core.layers_nd import output_shape
from symconv.core.output_length import generic_sizes
from symconv.core.sizes_nd import with_sizes
from symconv.errors import CertificateError, InvalidArgument, SymconvError
from symconv.numeric.check import NumericReport
from symconv.prover.shared_layers import prove_by_shared_layers, shared_ends

__all__ = ["prove_generic_nd", "prove_for_every_size", "refuse_generic_nd", "INSTANCE_VALUES", "JOINT_LIMIT"]

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


def _flips_generic_axis(k) -> bool:
    """Whether the kernel expression flips an axis whose size is generic (its shift then depends on c mod P)."""
    if isinstance(k, FlipKernel) and any(is_generic(k.kernel.spatial[a]) for a in k.axes):
        return True
    return any(_flips_generic_axis(getattr(k, f)) for f in ("kernel", "a", "b") if hasattr(k, f))


def _down_sampling(layers: tuple, d: int) -> tuple[int, ...]:
    """The product of the down-sampling strides per axis, through sums (the lcm of their branches')."""
    product = [1] * d
    for step in layers:
        factors = (tuple(map(math.lcm, *(_down_sampling(b.layers(), d) for b in step.branches)))
                   if isinstance(step, Parallel) else total_strides((step,), d))
        product = [p * f for p, f in zip(product, factors)]
    return tuple(product)


def _steps_within(layers: tuple) -> list:
    """The layers, those inside sums included."""
    return [inner for step in layers
            for inner in ([x for b in step.branches for x in _steps_within(b.layers())]
                          if isinstance(step, Parallel) else [step])]


def _period(lhs: Layer, rhs: Layer) -> tuple[int, bool]:
    """``(P, residues)``: the lcm of both sides' per-axis total strides (even when a generic 'same' padding halves
    ``d (c - 1)``), and whether the argument is made per residue of ``c - 1 mod P``."""
    steps = [step for side in (lhs, rhs) for step in _steps_within(side.layers())]
    period = math.lcm(*(s for side in (lhs, rhs) for s in _down_sampling(side.layers(), side.ndim)))
    same = any(isinstance(s, Conv) and any(is_generic(p) for pair in s.paddings for p in pair) for s in steps)
    flips = any(_flips_generic_axis(k) for side in (lhs, rhs) for k in side.kernels())
    return (math.lcm(period, 2) if same else period), same or flips


def _edge_free(lhs: Layer, rhs: Layer) -> bool:
    """Whether both sides pad only in front, with no up-sampling, transposed convolution or bias."""
    for side in (lhs, rhs):
        try:
            steps = edge_free_steps(side, "")
        except CertificateError:
            return False
        if any(getattr(step, "bias", None) is not None for step in steps):
            return False
    return True


def _shared_prefix(lhs: Layer, rhs: Layer) -> int:
    """How many leading layers the sides share once every convolution's padding is written as pad()."""
    return shared_ends(padding_as_pad(lhs).layers(), padding_as_pad(rhs).layers())[0]


def _replayed(lhs: Layer, rhs: Layer, name: str, period: int, prefix: int):
    """The kernel's Theorem for the ``generic_interior_nd`` step, or the reason it refuses it."""
    data = (("period", period),) + ((("prefix", prefix),) if prefix else ()) + (("symbol", name),)
    said = f"after the {prefix} layer(s) both sides begin with, " if prefix else ""
    step = CertificateStep(Rule.GENERIC_INTERIOR_ND, data,
                           f"for every {name} >= 1: {said}equal lengths per axis, equal interior operators")
    try:
        return replay(Certificate(repr(lhs), repr(rhs), (step,)), (lhs, rhs)), ""
    except CertificateError as err:
        return None, str(err).removeprefix(f"step 0 ({Rule.GENERIC_INTERIOR_ND.value}): ")


def _argument_steps(lhs: Layer, rhs: Layer, name: str, period: int, residues: bool, prefix: int) -> tuple:
    """The proof's steps: edge-free sides as before; otherwise zero extension and the shifts of Lemma S."""
    from symconv.prover.proof import ProofStep

    per_residue = f" for each residue of {name} - 1 mod {period}" if residues else ""
    lengths = ProofStep("axis_lengths", f"on each axis the two sides' output lengths are equal for every input "
                                        f"length and every {name} >= 1 (the 1-D length lemma on the classes mod "
                                        f"{period})")
    if _edge_free(lhs, rhs) and not prefix:
        strides = total_strides(lhs.layers(), lhs.ndim)
        return (lengths,
                ProofStep("edge_free", f"both sides pad only in front, so for every {name} each output is the "
                                       f"side's interior operator applied to the input extended by zeros"),
                ProofStep("polyphase_responses",
                          f"both interior operators have the strides {strides}; their responses to the impulses at "
                          f"{' x '.join(f'[0, {s})' for s in strides)} are equal formal series in z whose atoms "
                          f"are the polyphase components mod {period} of the generic kernels{per_residue}"))
    sides = [lhs, rhs]
    if prefix:
        sides = [chain_of(padding_as_pad(side).layers()[prefix:], lhs.ndim) for side in sides]
    shifts = tuple(map(math.lcm, *(impulse_shifts(side.layers(), lhs.ndim) for side in sides)))
    rest = (f"so what follows them, {sides[0]!r} == {sides[1]!r}, is proved below" if sides[0] != sides[1] else
            "and nothing but the identity follows them on either side")
    shared = (ProofStep("shared_layers", f"with every convolution's padding written as pad(), both sides begin with "
                                         f"the same {prefix} layer(s); equal inputs give equal outputs, {rest}"),
              ) if prefix else ()
    return shared + (
        lengths,
        ProofStep("zero_extension", f"on each axis, every layer that reads outside its input's window (a padding, "
                                    f"a transposed convolution) reads a signal that is zero outside the window there, "
                                    f"with no bias added before it, so for every {name} each output is the side's "
                                    f"bi-infinite "
                                    f"operator applied to the input extended by zeros, plus the constant the biases "
                                    f"add"),
        ProofStep("impulse_responses",
                  f"a shift of the input by {shifts} shifts both sides' outputs alike; their responses to the "
                  f"impulses at {' x '.join(f'[0, {s})' for s in shifts)} and their bias constants are equal formal "
                  f"series in z whose atoms are the polyphase components mod {period} of the generic "
                  f"kernels{per_residue}"),
    )


def _interior_argument(lhs: Layer, rhs: Layer, name: str, seed: int):
    """The ``generic_interior_nd`` certificate replayed by the kernel: ``(proved Proof, "")``, or ``(None, why)``
    when the rule does not apply (outside its fragment, or the statement is false). The sides as given first,
    then after the layers they share (padding written as pad())."""
    from symconv.prover.proof import Proof, Verdict

    if lhs.ndim != rhs.ndim:
        return None, f"the sides have {lhs.ndim} and {rhs.ndim} axes"
    period, residues = _period(lhs, rhs)
    if period > MAX_PERIOD:
        return None, f"the strides need the period {period} > {MAX_PERIOD}"
    prefix = 0
    theorem, why = _replayed(lhs, rhs, name, period, prefix)
    if theorem is None and _shared_prefix(lhs, rhs):
        prefix = _shared_prefix(lhs, rhs)
        theorem, after = _replayed(lhs, rhs, name, period, prefix)
        why = f"{why}; after the {prefix} layer(s) both sides begin with (padding written as pad()): {after}"
    if theorem is None:
        return None, why
    steps = _argument_steps(lhs, rhs, name, period, residues, prefix)
    channels = lhs.in_channels or rhs.in_channels or 1
    numeric = _numeric(lhs, rhs, [{name: value} for value in (1, 2, 3)], seed, channels)
    if not numeric.agrees:  # the kernel proved it for every c: a numeric gap is a bug
        raise AssertionError(f"proved for every {name} but the chains differ numerically: {numeric.mismatch}")
    how = "the generic interior argument" if steps[1].rule == "edge_free" else "the generic zero-extension argument"
    note = f"proved for every {name} >= 1 and every input shape by {how}"
    if prefix:
        note += f" after the {prefix} layer(s) both sides begin with"
    return Proof(lhs, rhs, Verdict.PROVED, theorem=theorem, steps=steps, numeric=numeric, note=note), ""


def prove_for_every_size(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` for every value of the one generic size by the kernel rule ``generic_interior_nd``, or None
    (several sizes, outside its fragment, or a false statement); decides no instance."""
    names = generic_sizes(lhs, rhs)
    return _interior_argument(lhs, rhs, names[0], seed)[0] if len(names) == 1 else None


def prove_generic_nd(lhs: Layer, rhs: Layer, seed: int = 0):
    """``lhs == rhs`` for N-D chains with generic sizes: proved for every c, refuted at a value, else unknown
    (module docstring)."""
    from symconv.prover.proof import Proof, ProofStep, prove

    names = generic_sizes(lhs, rhs)
    argument, why = None, "it takes one generic size"
    if len(names) == 1:
        argument, why = _interior_argument(lhs, rhs, names[0], seed)
        if argument is not None:
            return argument
        shared = prove_by_shared_layers(lhs, rhs, seed)  # the same layers around a middle the rule proves
        if shared is not None and shared.verdict == "proved":
            return shared
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
    outside = f"the N-D argument for every {every} (generic_interior_nd) does not apply: {why}"
    if open_notes:
        note = f"not decided for every value checked: {'; '.join(open_notes)}; {outside}"
    else:
        note = (f"the identity was proved for {_span(names)} (each value proved as a concrete statement, its "
                f"certificate replayed by the kernel); {outside}, so this is not a proof for every {every}")
    return Proof(lhs, rhs, "unknown", steps=tuple(steps), numeric=numeric, note=note)


def refuse_generic_nd(lhs: Layer, rhs: Layer, option: str) -> None:
    """InvalidArgument when an N-D statement has a generic size: ``option`` (``--solve``, ``--assume``) needs
    concrete sizes there."""
    names = generic_sizes(lhs, rhs)
    if names and max(lhs.ndim, rhs.ndim) >= 2:
        raise InvalidArgument("prove", option, f"{lhs!r} == {rhs!r}",
                              f"an N-D statement with concrete sizes: {option} is not available with the generic "
                              f"size {', '.join(names)} in N-D; give it a value, e.g. k[3, 3]")
