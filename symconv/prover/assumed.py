"""``prove(lhs, rhs, assume=["abs(x) <= B"])``: identities that hold on bounded inputs.

The argument has two parts. First the ReLU lemma of
:mod:`symconv.prover.interval` drops every ``relu()`` whose inputs stay
non-negative under the bound (with ``affine`` read as a 1x1 convolution with
bias); then the linear chains that remain are decided for every input shape,
as any other identity, in 1-D and in N-D. The statement proved is: for every
shape and every input with ``|x_i| <= B`` both sides agree (for every positive
``B`` when ``B`` is a name).

The kernel replays each dropped ``relu()`` (:mod:`symconv.checker.relu_bound`:
``relu_identity`` for a 1-D relu() of the chain itself, ``relu_identity_at``
in N-D and inside sums, with the path through the branches), then the linear
certificate. Only where it cannot (a layer before the relu() that is not
linear once the earlier relu() layers are dropped, such as ``l2pool``; a flip
before it that cannot reach the input (a stride on a flipped axis); weights
that are not numbers; or a prefix whose periodicity window exceeds what the
kernel evaluates) does the proof rest on the search's ``interval_lemma``, with
a certificate for the linear chains left.

When every relu() is dropped but other nonlinear layers remain (an ``l2pool``,
whose outputs are ``>= 0`` for every input and at most ``sqrt(K) B``, exact
square roots), the chains left are proved equal by congruence where they apply
the same nonlinear layers (:mod:`symconv.prover.congruence`); the proof rests
on ``interval_lemma`` for the dropped relu() layers.

What holds for every input holds within the bound: sides that apply the same
layers, or the same nonlinear layers between equal linear chains (congruence),
are proved so even where a relu() may clip. A statement with a generic kernel
length (``k[c]``) has no taps for the interval bounds or the bounded search:
it is proved only when it holds for every input, and refused (InvalidArgument,
naming the length) otherwise.

A refutation needs an input that meets the bound: it is searched for on the
original chains (exact rational arithmetic, inputs at the corners of the box
``[-B, B]`` and inside it, ``B`` set to a small positive number when it is a
name) and re-verified there (:mod:`symconv.prover.bounded_nd` in N-D).
Square roots (``l2pool``) are not rational: such chains are compared in
float64 (evidence only); in N-D a difference is a counterexample once the
core's exact outputs (SymPy square roots) differ, and in 1-D no exact search
is made (the verdict is ``checked`` or ``unknown``, and the note says why).

>>> p = prove_assuming("conv([1, -2]) >> affine(1, B) >> relu() >> conv([1, 1], bias=[-2 * B])",
...                    "conv([1, -1, -2])", ["abs(x) <= B"]) # doctest: +SKIP
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional, Sequence, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.layers import Layer, ReLU
from symconv.core.output_length import generic_sizes
from symconv.errors import ChainError, InvalidArgument
from symconv.numeric.symbols import random_bindings
from symconv.numeric.check import compare_chains, evidence_lengths
from symconv.numeric.evaluate import evaluate_numeric
from symconv.dsl_assumptions import InputBound, parse_assumptions
from symconv.prover.counterexample import Counterexample
from symconv.prover.interval import Elimination, eliminate_relus
from symconv.prover.bounded_nd import bounded_counterexample_nd, bounded_evidence_nd
from symconv.prover.congruence import prove_by_congruence
from symconv.prover.nonlinear_nd import takes_square_roots

__all__ = ["prove_assuming", "bounded_counterexample"]

#: The value a named bound takes in numeric checks and counterexample searches.
NAMED_BOUND_VALUE = 2


def _bound_values(bound: InputBound) -> tuple[Fraction, dict]:
    """``(B as a number, bindings that fix a named B)``."""
    if bound.bound.is_number:
        value = Fraction(int(bound.bound.p), int(bound.bound.q))
        return value, {}
    return Fraction(NAMED_BOUND_VALUE), {s.name: NAMED_BOUND_VALUE for s in bound.bound.free_symbols}


def bounded_counterexample(lhs: Layer, rhs: Layer, bound: InputBound, lengths=None, trials: int = 4,
                           seed: int = 0, channels: int = 1, corners: int = 4) -> Union[Counterexample, None]:
    """An input with ``|x_i| <= B`` and kernel values on which the chains differ, in exact arithmetic.

    Per length, ``corners`` inputs at corners of the box (every sample ``+-B``, where a bound such as
    a relu() input's is reached) and ``trials`` on a grid inside it; lengths default to
    :func:`~symconv.numeric.check.evidence_lengths` (past the receptive fields).
    """
    rng = np.random.default_rng(seed)
    limit, fixed = _bound_values(bound)
    for n in evidence_lengths(lhs, rhs) if lengths is None else lengths:
        for trial in range(corners + trials):
            bindings = random_bindings([lhs, rhs], rng)
            bindings.update(fixed)
            steps = 2 * int(limit) if limit >= 1 else 2
            if trial < corners:
                x = [[limit if v else -limit for v in rng.integers(0, 1, size=n, endpoint=True)]
                     for _ in range(channels)]
            else:
                x = [[Fraction(int(v), steps) * 2 * limit - limit
                      for v in rng.integers(0, steps, size=n, endpoint=True)] for _ in range(channels)]
            try:
                a = evaluate_numeric(lhs, np.array([x], dtype=object), bindings, exact=True)[0]
                b = evaluate_numeric(rhs, np.array([x], dtype=object), bindings, exact=True)[0]
            except ValueError:
                continue
            if a.shape != b.shape:
                return Counterexample(n, tuple(map(tuple, x)), _plain(bindings), _rows(a), _rows(b), 0)
            differ = np.argwhere(a != b)
            if differ.size:
                return Counterexample(n, tuple(map(tuple, x)), _plain(bindings), _rows(a), _rows(b),
                                      int(differ[0][1]))
    return None


def _rows(y: np.ndarray) -> tuple:
    return tuple(tuple(row) for row in y)


def _plain(bindings: dict) -> dict:
    return {k: (np.asarray(v).tolist() if np.ndim(v) else v) for k, v in bindings.items()}


def _relu_steps(side: str, elimination: Elimination, bound: InputBound):
    from symconv.prover.proof import ProofStep

    for step in elimination.steps:
        lower = step.lower
        chain = ">= 0" if lower == 0 else f">= {lower} >= 0"
        yield ProofStep(
            "relu_identity_under_bound",
            f"{side}: under {bound} every input of the relu() at {step.position} is {chain} "
            f"(interval bounds through the layers before it), so that relu() is the identity",
            f"{bound.latex()} \\implies v \\ge {sympy.latex(lower)} \\ge 0 \\implies \\max(v, 0) = v",
            data=(("position", step.position), ("side", side)),
        )


def _first_relu(layer: Layer) -> Optional[list[int]]:
    """The path ``[i_0, b_1, i_1, ...]`` of the first relu() in evaluation order (inside the sums before it too),
    None when there is none: every relu() in the layers before it comes earlier."""
    for index, step in enumerate(layer.layers()):
        if isinstance(step, ReLU):
            return [index]
        for branch_index, branch in enumerate(getattr(step, "branches", ())):
            inner = _first_relu(branch)
            if inner is not None:
                return [index, branch_index] + inner
    return None


def _window(prefix: Layer, ndim: int) -> Optional[list[list[int]]]:
    """``[[start, period, limit], ...]``: the eventual-periodicity window of the prefix with itself, per axis."""
    from symconv.core.layers_nd import axis_chain
    from symconv.errors import SymconvError
    from symconv.prover.decide import decide

    axes = []
    for axis in range(ndim):
        projection = prefix if ndim == 1 else axis_chain(prefix, axis)
        try:
            window = decide(projection, projection).bound
        except (SymconvError, ValueError, TypeError):
            return None
        if window is None:
            return None
        axes.append([window.start, window.period, window.limit])
    return axes


def kernel_relu_steps(lhs: Layer, rhs: Layer, bound: InputBound, channels: int, ndim: int):
    """``(certificate steps, (lhs', rhs'))``: one ``relu_identity`` step (1-D, a relu() of the chain itself) or
    ``relu_identity_at`` step (N-D, or inside a sum) per relu(), in the order the kernel can replay them, and the
    linear sides left (affine as convolutions, as the kernel rewrites them); None when a relu() cannot be
    replayed (the layers before it are not linear, or no window was found that the kernel evaluates)."""
    from symconv.checker import CertificateStep, Rule
    from symconv.checker.relu_bound import MAX_RELU_SHAPES, linear_prefix, without_relu
    from symconv.checker.tolerance import as_convolutions
    from symconv.errors import CertificateError

    state, steps = [lhs, rhs], []
    for which, side in enumerate(("lhs", "rhs")):
        while (path := _first_relu(state[which])) is not None:
            try:
                axes = _window(linear_prefix(state[which], path, ndim, channels), ndim)
            except CertificateError:  # not linear, or a flip that cannot reach the input
                return None
            if axes is None or np.prod([a[2] for a in axes]) > MAX_RELU_SHAPES:
                return None
            text = f"{side}: the relu() at {path} is the identity under {bound.text}"
            if ndim == 1 and len(path) == 1:
                (start, period, limit), = axes
                data = (("index", path[0]), ("limit", limit), ("period", period), ("side", side), ("start", start))
                steps.append(CertificateStep(Rule.RELU_IDENTITY, data, text))
            else:
                steps.append(CertificateStep(Rule.RELU_IDENTITY_AT, (("axes", axes), ("path", path), ("side", side)),
                                             text))
            state[which] = without_relu(state[which], path, ndim)
            state = [as_convolutions(s, channels, ndim) for s in state]
    return tuple(steps), tuple(state)


def _proved_by_congruence(lhs: Layer, rhs: Layer, congruent, steps: tuple, bound: InputBound, report):
    """``proved`` under ``bound``: the relu() layers the interval lemma dropped, then the kernel's congruence
    proof of the nonlinear chains left (equal for every input, so for those within the bound too)."""
    from symconv.checker import INTERVAL_LEMMA, assumption as assumption_entry, weaken
    from symconv.prover.proof import Proof, ProofStep

    if not report.agrees:
        raise AssertionError(f"proved under {bound} but numerically different: {report.mismatch}")
    reduced = ProofStep("relu_reduction", f"with those relu() dropped: lhs = {congruent.lhs!r}, rhs = "
                                          f"{congruent.rhs!r}, equal for every input",
                        data=(("chains", (congruent.lhs, congruent.rhs)),))
    dropped = (INTERVAL_LEMMA,) if steps else ()
    return Proof(lhs, rhs, "proved", steps=steps + (reduced,) + congruent.steps, numeric=report,
                 assumptions=(bound,), theorem=weaken(congruent.theorem, (assumption_entry(bound.text),) + dropped),
                 note=f"assuming {bound}, for every input within the bound; {congruent.note}")


def _holding_for_every_input(lhs: Layer, rhs: Layer, bound: InputBound, proof, report=None):
    """``proof`` (of ``lhs == rhs`` for every input, ``proved``) as a proof under ``bound``: the inputs within
    the bound are some of every input, so only the hypothesis is added; ``report`` the evidence within the
    bound, when there is some."""
    from symconv.checker import assumption as assumption_entry, weaken
    from symconv.prover.proof import Proof

    return Proof(lhs, rhs, "proved", steps=proof.steps, numeric=report or proof.numeric, decision=proof.decision,
                 assumptions=(bound,), theorem=weaken(proof.theorem, (assumption_entry(bound.text),)),
                 note=f"assuming {bound}: it holds for every input, so for every input within the bound; "
                      f"{proof.note}")


def _shared_nonlinear_layers(lhs: Layer, rhs: Layer, seed: int):
    """``proved`` for every input by the structural arguments (the same layers, congruence at the same
    nonlinear layers), or None."""
    from symconv.prover.shared_layers import prove_by_shared_layers

    proof = prove_by_shared_layers(lhs, rhs, seed) if lhs == rhs else prove_by_congruence(lhs, rhs, seed)
    return proof if proof is not None and proof.verdict == "proved" else None


def _proved_for_every_input(lhs: Layer, rhs: Layer, bound: InputBound, seed: int):
    """``proved`` under ``bound`` for a statement with a generic kernel length (``k[c]``), when it holds for every
    input (shared layers, congruence at shared nonlinear layers, a linear identity); else InvalidArgument:
    the interval bounds of the ReLU lemma and the bounded counterexample search need concrete taps."""
    from symconv.prover.proof import prove

    proof = prove(lhs, rhs, seed=seed)
    if proof.verdict == "proved":
        return _holding_for_every_input(lhs, rhs, bound, proof)
    names = ", ".join(generic_sizes(lhs, rhs))
    raise InvalidArgument("prove", "assume", bound.text,
                          f"a statement with concrete kernel lengths: with the generic length {names}, an input "
                          f"bound is used only for identities that hold for every input ({lhs!r} == {rhs!r} is "
                          f"{proof.verdict} without it); give {names} a value, e.g. k[3]")


def _ndim(lhs: Layer, rhs: Layer) -> int:
    """The spatial axes of the statement (a side of sample-by-sample layers fits any)."""
    dims = {side.ndim for side in (lhs, rhs) if not side.axes_free}
    if len(dims) > 1:
        raise ChainError(f"{lhs!r} and {rhs!r}: one side is {lhs.ndim}-D and the other {rhs.ndim}-D; expected two "
                         f"chains with the same number of axes")
    return dims.pop() if dims else 1


def prove_assuming(lhs: Union[str, Layer], rhs: Union[str, Layer], assume: Sequence[Union[str, InputBound]],
                   seed: int = 0):
    """Prove or refute ``lhs == rhs`` on every input meeting the declared bound (module docstring)."""
    from symconv.checker import INTERVAL_LEMMA, Certificate, assumption as assumption_entry, weaken
    from symconv.prover.proof import Proof, ProofStep, as_layers, prove, proved_by_kernel

    lhs, rhs = as_layers(lhs, rhs)
    ndim = _ndim(lhs, rhs)
    from symconv.prover.generic_nd import refuse_generic_nd

    refuse_generic_nd(lhs, rhs, "assume")
    bounds = tuple(a for a in assume if isinstance(a, InputBound)) + parse_assumptions(
        [a for a in assume if isinstance(a, str)])
    bound = bounds[0] if len({b.bound for b in bounds}) == 1 else min(bounds, key=lambda b: b.bound)
    if generic_sizes(lhs, rhs):  # no interval bounds or bounded search without taps: only what holds for every input
        return _proved_for_every_input(lhs, rhs, bound, seed)
    channels = lhs.in_channels or rhs.in_channels or 1
    limit, fixed = _bound_values(bound)
    if ndim == 1:
        report = compare_chains(lhs, rhs, evidence_lengths(lhs, rhs), trials_per_length=2, seed=seed,
                                channels=channels, input_scale=float(limit), fixed=fixed, corners=2)
    else:
        report = bounded_evidence_nd(lhs, rhs, limit, fixed, ndim, channels, seed)

    roots = takes_square_roots(lhs) or takes_square_roots(rhs)

    def counterexample():
        if ndim == 1:  # the 1-D search is exact in rationals only: none with square roots (l2pool)
            return None if roots else bounded_counterexample(lhs, rhs, bound, seed=seed, channels=channels)
        return bounded_counterexample_nd(lhs, rhs, limit, fixed, ndim, channels, seed)

    left, right = (eliminate_relus(side, bound.bound, channels, ndim) for side in (lhs, rhs))
    steps = tuple(_relu_steps("lhs", left, bound)) + tuple(_relu_steps("rhs", right, bound))
    assumption = f"assuming {bound}"
    rests_on = (assumption_entry(bound.text),)
    if not (left.complete and right.complete):
        # every relu() dropped, other nonlinear layers (l2pool, maxpool) left: equal as chains, by congruence
        congruent = None if left.reason or right.reason else prove_by_congruence(left.chain, right.chain, seed)
        if congruent is not None and congruent.verdict == "proved":
            return _proved_by_congruence(lhs, rhs, congruent, steps, bound, report)
        shared = _shared_nonlinear_layers(lhs, rhs, seed)  # a relu() that may clip, applied by both sides
        if shared is not None:
            return _holding_for_every_input(lhs, rhs, bound, shared, report)
        example = counterexample()
        reason = left.reason or right.reason or "a nonlinear layer remains"
        if example is not None:
            search = "a float64 search confirmed exactly" if roots else "exact search"
            return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                         rests_on=rests_on,
                         note=f"{assumption}: found by {search} on inputs within the bound ({reason})")
        verdict = "checked" if report.is_evidence and report.agrees else "unknown"
        evidence = "numeric evidence only on inputs within the bound"
        if roots:
            evidence = (f"l2pool takes square roots, which exact rational arithmetic cannot hold: float64 evidence "
                        f"only on inputs within the bound{'' if ndim > 1 else ', and no exact counterexample search'}")
        return Proof(lhs, rhs, verdict, steps=steps, numeric=report, assumptions=(bound,), rests_on=rests_on,
                     note=f"{assumption}: {reason}; {evidence}")
    replayable = kernel_relu_steps(lhs, rhs, bound, channels, ndim)
    reduced_sides = replayable[1] if replayable is not None else (left.chain, right.chain)
    linear = prove(*reduced_sides, seed=seed)
    if linear.verdict == "proved":
        if not report.agrees:
            raise AssertionError(f"proved under {bound} but numerically different: {report.mismatch}")
        reduced = ProofStep("linear_reduction", f"with those relu() dropped and affine(a, t) read as its 1x1 "
                                                f"convolution with bias t: lhs = {reduced_sides[0]!r}, rhs = "
                                                f"{reduced_sides[1]!r}")
        scope = "every n" if ndim == 1 else "every input shape"
        fields = dict(steps=steps + (reduced,) + linear.steps, numeric=report, decision=linear.decision,
                      assumptions=(bound,), note=f"{assumption}, for {scope} and every such input; linear part: "
                                                 f"{linear.note}")
        if replayable is not None and replayable[0]:  # the kernel replays the relu() steps too
            certificate = Certificate(repr(lhs), repr(rhs), replayable[0] + linear.certificate.steps,
                                      assumptions=(bound.text,))
            proof = proved_by_kernel(lhs, rhs, certificate, linear.rests_on, **dict(fields))
            if proof.verdict == "proved":
                return proof
        # the kernel could not replay the relu() steps: the certificate covers the linear chains left
        dropped = (INTERVAL_LEMMA,) if steps else ()
        return Proof(lhs, rhs, "proved", theorem=weaken(linear.theorem, rests_on + dropped), **fields)
    example = counterexample()
    if example is not None:
        return Proof(lhs, rhs, "refuted", counterexample=example, numeric=report, assumptions=(bound,),
                     rests_on=rests_on,
                     note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}); "
                          f"counterexample within the bound found by exact search")
    return Proof(lhs, rhs, "unknown", steps=steps, numeric=report, assumptions=(bound,), rests_on=rests_on,
                 note=f"{assumption}: the reduced linear chains are {linear.verdict} ({linear.note}), but no "
                      f"counterexample within the bound was found")
