"""The decision procedure for identities of linear chains, for every input length n.

``decide(lhs, rhs)`` brings both sides to their normal forms and returns
``proved`` exactly when (1) the interior operators are equal as exact
polynomials in the kernel taps, (2) the output lengths agree for all n
(equal on one period past the bound and with equal slopes), and (3) the
outputs agree for every n below the bound of
:mod:`symconv.prover.boundary` (skipped when no output of either side ever
reads across an inner window edge, since then every output is ``(H x)[i]``).
Otherwise it returns ``refuted`` with the length n at which the sides differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from symconv.algebra.flip import FlipNotMovable
from symconv.algebra.forms import chain_forms
from symconv.algebra.kernel_poly import ring_for_layers
from symconv.algebra.normal_form import LinearChain
from symconv.core.layers import Layer
from symconv.errors import ChannelMismatch
from symconv.prover.boundary import MAX_BOUND, Bound, find_bound

__all__ = ["Decision", "decide", "decide_normal_forms", "normal_forms"]


@dataclass(frozen=True)
class Decision:
    """What the procedure concluded and why."""

    verdict: str  # "proved" | "refuted" | "unknown"
    reason: str
    lhs: Optional[LinearChain]
    rhs: Optional[LinearChain]
    bound: Optional[Bound] = None
    witness_n: Optional[int] = None
    checked_lengths: int = 0
    brute_force: bool = False
    #: Flips across strided layers: one flip-free pair per residue class (:mod:`symconv.prover.flip_classes`).
    residue_classes: tuple = ()
    #: The statement's two sides when ``lhs``/``rhs`` are normal forms of rewritten chains (residue classes).
    sides: tuple = ()


def normal_forms(lhs: Layer, rhs: Layer, sizes: Optional[Mapping[str, int]] = None) -> tuple[LinearChain, LinearChain]:
    """Normal forms of both sides over one tap ring and one input channel count."""
    need = {c for c in (lhs.in_channels, rhs.in_channels) if c is not None}
    if len(need) > 1:
        raise ChannelMismatch("the left-hand side's input", lhs.in_channels, "the right-hand side", rhs.in_channels)
    channels = need.pop() if need else 1
    out_l, out_r = lhs.out_channels(channels), rhs.out_channels(channels)
    if out_l != out_r:
        raise ChannelMismatch(f"{lhs!r}", out_l, f"an identity with {rhs!r} (which gives {out_r})", out_l)
    ring = ring_for_layers([lhs, rhs], sizes)
    return (LinearChain.of(lhs, ring, channels, sizes), LinearChain.of(rhs, ring, channels, sizes))


def _forms_differ(lnf: LinearChain, rnf: LinearChain, n: int) -> bool:
    return chain_forms(lnf, n) != chain_forms(rnf, n)


def decide(lhs: Layer, rhs: Layer, sizes: Optional[Mapping[str, int]] = None) -> Decision:
    """Decide ``lhs == rhs`` for every input length (see the module docstring)."""
    try:
        lnf, rnf = normal_forms(lhs, rhs, sizes)
    except FlipNotMovable:
        from symconv.prover.flip_classes import decide_by_residue

        return decide_by_residue(lhs, rhs, None, lhs.in_channels or rhs.in_channels or 1, sizes)
    return decide_normal_forms(lnf, rnf)


def decide_normal_forms(lnf: LinearChain, rnf: LinearChain) -> Decision:
    """:func:`decide` on normal forms that share one tap ring."""
    bound = find_bound([lnf, rnf])
    if bound is None:
        return Decision("unknown", f"no boundary bound below n = {MAX_BOUND}", lnf, rnf)

    # (2) output lengths: one period past the bound, then equal slopes.
    horizon = bound.limit + bound.period
    for n in range(0, horizon):
        if lnf.output_length(n) != rnf.output_length(n):
            return Decision(
                "refuted",
                f"output lengths differ at n = {n}: {lnf.output_length(n)} against {rnf.output_length(n)}",
                lnf, rnf, bound, witness_n=n, checked_lengths=n + 1,
            )

    if lnf.input_flip != rnf.input_flip:
        for n in range(0, horizon):
            if _forms_differ(lnf, rnf, n):
                return Decision("refuted", f"the outputs differ at n = {n} (one side reverses its input)",
                                lnf, rnf, bound, witness_n=n, brute_force=True)
        return Decision("unknown", "one side reverses its input and the other does not", lnf, rnf, bound)

    # (1) interior operators.
    hl, hr = lnf.interior(), rnf.interior()
    if not hl.equals(hr):
        for n in range(bound.start, bound.start + 4 * bound.period + 64):
            if _forms_differ(lnf, rnf, n):
                return Decision("refuted", "the interior operators differ", lnf, rnf, bound,
                                witness_n=n, checked_lengths=horizon)
        return Decision("unknown", "interior operators differ but no differing length was found",
                        lnf, rnf, bound)

    # (3) the ends, below the bound.
    if not any(bound.inner_edges):
        return Decision("proved", "equal interior operators, lengths for all n, and no inner edge is read",
                        lnf, rnf, bound, checked_lengths=horizon)
    for n in range(0, bound.limit):
        if _forms_differ(lnf, rnf, n):
            return Decision("refuted", f"the outputs differ near the ends at n = {n}", lnf, rnf, bound,
                            witness_n=n, checked_lengths=horizon, brute_force=True)
    return Decision("proved", f"equal interior operators and equal outputs for every n < {bound.limit}",
                    lnf, rnf, bound, checked_lengths=horizon, brute_force=True)
