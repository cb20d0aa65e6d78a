"""Proofs by shared layers: two sides that apply the same layers before and after a middle part.

Two stacks read from a model and from its rewritten version are mostly the
same layers: ``conv2d(W1, padding=1) >> conv2d(W2, padding=1)`` against
``pad(1) >> conv2d(W1) >> pad(1) >> conv2d(W2)``, or a network whose one
block was refactored. Deciding such a pair from scratch costs what the whole
network costs (every weight, every class of output positions); here it costs
what the parts that differ cost:

1. every convolution's zero padding is written as a ``pad()`` before it
   (the kernel's rewrite ``padding_as_pad``);
2. the longest common prefix ``P`` and suffix ``S`` of the two layer lists are
   split off by the kernel's ``congruence`` rule (equal inputs give equal
   outputs), leaving the middles ``A`` and ``B``: ``P >> A >> S`` against
   ``P >> B >> S``; identical sides leave nothing to prove;
3. ``A == B`` is proved on its own and its certificate follows.

``A == B`` is sufficient, not necessary (``S`` may hide a difference, as
``down(2)`` hides odd samples), so a middle that is not proved concludes
nothing: the caller goes on with the whole statement.

The split holds for networks only: a sum ``A + B`` must give equal lengths
on every input (DESIGN §1), and its check when it was built
(:func:`symconv.core.output_length.branch_length_difference`) is exact for
one generic size only. With several generic sizes on one axis, or a
max-pool whose window samples an empty input, it tried small values alone.
Before anything is claimed, every sum of both sides is compared again
(:func:`check_sum_lengths`): a difference found (one size at a time, over
every value where the one-size check is exact, else 1..64, the others 1..4)
raises LengthMismatch, as the sum's constructor and the normal forms do; a
sum still undecided makes the verdict ``unknown``, never ``proved``.

An N-D statement with a generic size (``k[c, 3]``): the kernel replays a goal
that has the generic size with the rules of
:data:`symconv.checker.kernel.GENERIC_ND_RULES` alone (``padding_as_pad``,
``congruence``, ``generic_interior_nd``, ...), and a goal without it (what a
split left between shared generic layers) with every rule. So the statement
is split first at its shared suffix only (the rule ``generic_interior_nd``
splits a shared prefix itself), a middle that keeps the size being proved by
that rule alone (:func:`symconv.prover.generic_nd.prove_for_every_size`);
then, when the middle between both shared ends has concrete sizes only
(``conv2d(k[c, 3]) >> M >> conv2d(k)`` against ``conv2d(k[c, 3]) >> M' >>
conv2d(k)``), at both ends, ``M == M'`` being proved once as a concrete
statement: for a fixed concrete middle the whole is equal for every c when
the middles are equal on every input shape (congruence). A middle proved
value by value never gives ``proved``.
"""

from __future__ import annotations

from itertools import product
from typing import Sequence

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.congruence import chain_of
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.checker.sum_lengths import sums_of
from symconv.core.layers import Layer
from symconv.core.output_length import (MAX_GENERIC_SIZE, branch_length_difference, generic_sizes,
                                        undecided_branch_lengths)
from symconv.core.sizes_nd import with_sizes
from symconv.errors import LengthMismatch, SymconvError, quote

__all__ = ["prove_by_shared_layers", "shared_ends", "worth_splitting", "check_sum_lengths"]

#: Numeric weights (taps, over both sides) from which a shared-layer split is tried before the whole decision.
MIN_SHARED_TAPS = 200


def _taps(layer: Layer) -> int:
    total = 0
    for kernel in layer.kernels():
        shape = getattr(kernel, "shape", ())
        count = 1
        for size in shape:
            if type(size) is not int:
                return 0
            count *= size
        total += count
    return total


def worth_splitting(lhs: Layer, rhs: Layer) -> bool:
    """Whether the sides are large (numeric or symbolic weights with >= MIN_SHARED_TAPS taps together)."""
    return _taps(lhs) + _taps(rhs) >= MIN_SHARED_TAPS


def shared_ends(left: tuple[Layer, ...], right: tuple[Layer, ...]) -> tuple[int, int]:
    """``(p, s)``: the lengths of the longest common prefix and suffix that do not overlap on either side."""
    p = 0
    while p < min(len(left), len(right)) and left[p] == right[p]:
        p += 1
    s = 0
    while s < min(len(left), len(right)) - p and left[-1 - s] == right[-1 - s]:
        s += 1
    return p, s


#: Values of the other generic sizes on each line of :func:`_difference_on_lines` (one size runs, the others fixed).
LINE_OTHER_VALUES = range(1, 5)

#: Values of the running size where its line is not decided exactly (a max-pool sampling an empty input).
LINE_SCAN_VALUES = range(1, 65)


def _decided(branches: Sequence[Layer]) -> bool:
    """Whether ``branch_length_difference(branches) is None`` means equal lengths for every n and every value
    of the generic sizes (:func:`symconv.core.output_length.undecided_branch_lengths`)."""
    return not undecided_branch_lengths(branches)


def _difference_on_lines(branches: Sequence[Layer], names: Sequence[str]):
    """``(sizes, n, lengths)`` where the branches' lengths differ, searched on lines: one size runs (over every
    value where the one-size check is exact, else over LINE_SCAN_VALUES), the others take LINE_OTHER_VALUES;
    None when none is found (which proves nothing)."""
    for running in names:
        others = [name for name in names if name != running]
        for values in product(LINE_OTHER_VALUES, repeat=len(others)):
            fixed = dict(zip(others, values))
            line = [with_sizes(branch, fixed) for branch in branches]
            found = branch_length_difference(line)
            if found is not None:
                return {**fixed, **dict(found.sizes)}, found.n, found.lengths
            if _decided(line):
                continue
            for value in LINE_SCAN_VALUES:
                found = branch_length_difference([with_sizes(branch, {running: value}) for branch in line])
                if found is not None:
                    return {**fixed, running: value}, found.n, found.lengths
    return None


def check_sum_lengths(*sides: Layer) -> str:
    """'' when every sum of the sides gives equal branch lengths for every input and every value of the generic
    sizes; else why that is not decided. LengthMismatch (with the sizes, the input length and the lengths) when
    a difference is found: such a sum is no network at those sizes (DESIGN §1)."""
    for side in sides:
        for total in sums_of(side):
            for axis, branches in total.length_projections():
                undecided = undecided_branch_lengths(branches)
                if not undecided:  # the sum's own check was exact
                    continue
                on_axis = "" if axis is None else f" on axis {axis + 1}"
                names = generic_sizes(*branches)
                try:
                    found = _difference_on_lines(branches, names) if names else None
                except LengthMismatch as err:  # a sum inside a branch differs at the fixed sizes
                    raise LengthMismatch(f"in {quote(total)}: {err}") from err
                if found is not None:
                    sizes, n, lengths = found
                    where = ", ".join(f"{name} = {value}" for name, value in sorted(sizes.items()))
                    raise LengthMismatch(f"the branches of {quote(total)} give different lengths {list(lengths)}"
                                         f"{on_axis} for an input of length {n} when {where}; expected every "
                                         f"branch to give the same length for every value of "
                                         f"{', '.join(names)}")
                if not names:  # concrete lengths whose period runs past the scan
                    return (f"the branches of {quote(total)} give equal lengths{on_axis} at every input length "
                            f"compared, but {undecided}: that is not decided for every input length, and a sum whose "
                            f"branches differ is no network")
                why = (f"several generic sizes ({', '.join(names)})" if len(names) > 1 else
                       f"the generic size {names[0]} outside the exact one-size check (a max-pool that samples an "
                       f"empty input, or a size bound past {MAX_GENERIC_SIZE})")
                return (f"the branches of {quote(total)} give equal lengths{on_axis} at every size tried, but with "
                        f"{why} that is not decided for every value, and a sum whose branches differ is no network")
    return ""


def _prove_middle(middle: tuple[Layer, Layer], generic_nd: bool, seed: int):
    """The proof of ``A == B``: by :func:`~symconv.prover.proof.prove` when the middle has concrete sizes (for a
    generic N-D statement too: its certificate's rules read no generic size), or, for a generic N-D middle, by the
    kernel rule ``generic_interior_nd`` alone (None when the rule fails)."""
    from symconv.prover.proof import prove

    if not generic_nd or not generic_sizes(*middle):
        return prove(middle[0], middle[1], seed=seed)
    from symconv.prover.generic_nd import prove_for_every_size

    return prove_for_every_size(middle[0], middle[1], seed)


def _splits(left: tuple[Layer, ...], right: tuple[Layer, ...], generic_nd: bool) -> list[tuple[int, int]]:
    """The ``(prefix, suffix)`` splits to try. A generic N-D statement: the shared suffix first (the rule
    generic_interior_nd splits a shared prefix itself), then both ends when the middle between them has concrete
    sizes only (proved once, as a concrete statement)."""
    p, s = shared_ends(left, right)
    if not generic_nd:
        return [(p, s)] if p + s else []
    splits = [(0, s)] if s else []
    if p and not generic_sizes(*left[p:len(left) - s], *right[p:len(right) - s]):
        splits.append((p, s))
    return splits


def prove_by_shared_layers(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by the steps of the module docstring, or None when they do not prove it; ``unknown`` when a sum's
    branch lengths are not decided for every generic size, LengthMismatch when they differ
    (:func:`check_sum_lengths`)."""
    sides = padding_as_pad(lhs), padding_as_pad(rhs)
    left, right = (side.layers() for side in sides)
    ndim = max(lhs.ndim, rhs.ndim)
    generic_nd = ndim >= 2 and bool(generic_sizes(lhs, rhs))
    splits = _splits(left, right, generic_nd)
    if not splits:
        return None
    undecided = check_sum_lengths(lhs, rhs)
    if undecided:  # the split would claim a statement about chains that may be no network
        from symconv.prover.proof import Proof

        return Proof(lhs, rhs, "unknown", note=f"{undecided}; so the shared layers prove nothing")
    for p, s in splits:
        proof = _proved_by_split(lhs, rhs, sides, p, s, generic_nd, seed)
        if proof is not None:
            return proof
    return None


def _proved_by_split(lhs: Layer, rhs: Layer, sides: tuple[Layer, Layer], p: int, s: int, generic_nd: bool,
                     seed: int):
    """``proved`` by splitting off the first ``p`` and the last ``s`` layers of ``sides`` (the statement with
    padding written as pad()) and proving the middle, or None."""
    from symconv.prover.proof import ProofStep, proved_by_kernel

    left, right = (side.layers() for side in sides)
    ndim = max(lhs.ndim, rhs.ndim)
    steps: list[CertificateStep] = []
    if sides != (lhs, rhs):
        steps.append(CertificateStep(Rule.PADDING_AS_PAD, (), "every convolution's zero padding as a pad() layer"))
    count = len(left)  # the layers of a side, padding written as pad()
    if p:  # cut at the last shared layer of the prefix: before it the same layers, after it the rest
        steps.append(CertificateStep(Rule.CONGRUENCE, (("lhs", p - 1), ("rhs", p - 1)),
                                     f"both sides begin with the same {p} layer(s)"))
        left, right = left[p:], right[p:]
    if s and (len(left) > s or len(right) > s):  # cut at the first shared layer of the suffix
        steps.append(CertificateStep(Rule.CONGRUENCE, (("lhs", len(left) - s), ("rhs", len(right) - s)),
                                     f"both sides end with the same {s} layer(s)"))
    middle = chain_of(left[:len(left) - s], ndim), chain_of(right[:len(right) - s], ndim)
    rewritten = "with every convolution's zero padding written as pad(), " if sides != (lhs, rhs) else ""
    data = (("layers", count), ("middle", middle), ("prefix", p), ("rewritten", sides != (lhs, rhs)), ("suffix", s))
    if middle[0] == middle[1]:
        said = f"{rewritten}both sides are the same {p} layer(s)"
        proof_steps = (ProofStep("shared_layers", f"{said}: equal inputs give equal outputs", data=data),)
        return proved_by_kernel(lhs, rhs, Certificate(repr(lhs), repr(rhs), tuple(steps)), steps=proof_steps,
                                note="the same layers on both sides")
    try:
        inner = _prove_middle(middle, generic_nd, seed)
    except SymconvError:  # a middle the prover cannot state on its own (say, flips only): decide the whole
        return None
    if inner is None:
        return None
    if inner.verdict != "proved" or inner.certificate is None or inner.certificate.assumptions:
        return None
    ends = " and ".join(part for part in (f"the first {p}" if p else "", f"the last {s}" if s else "") if part)
    said = f"{rewritten}{ends} layer(s) of both sides are the same"
    proof_steps = (ProofStep("shared_layers", f"{said}; what differs, {middle[0]!r} == {middle[1]!r}, is proved "
                                              f"below, so the sides are equal (equal inputs give equal outputs)",
                             data=data),
                   ) + tuple(inner.steps)
    certificate = Certificate(repr(lhs), repr(rhs), tuple(steps) + tuple(inner.certificate.steps))
    return proved_by_kernel(lhs, rhs, certificate, tuple(inner.rests_on), steps=proof_steps,
                            note=f"by shared layers; between them: {inner.note}")
