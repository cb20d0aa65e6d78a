"""Identities with a generic kernel length ``c``, decided for every c and every n at once.

Two single-channel linear chains with one generic length c are equal for
every input length n and every ``c >= 1`` when (after flip conjugation: every
``flip()`` moved to the input across stride-1 layers, and ``flip >> A == flip
>> B`` iff ``A == B``)

1. their output lengths agree for every n and c — decided exactly by
   :mod:`symconv.prover.generic_lengths` (a difference names the n and c);
2. each layer's finite output is the bi-infinite operator restricted to its
   window (no padding or transposed layer reads a signal that is not zero
   outside its window; :mod:`symconv.prover.generic_series`);
3. the bi-infinite operators agree. Both commute with shifting the input by
   ``P`` (a multiple of every product of strides), so they agree when their
   responses to the impulses at ``0, ..., P - 1`` do; those responses are
   formal series in z whose atoms are the polyphase components ``A_r(z^m)`` of
   the generic kernels, equal as formal expressions (for every residue of
   ``c - 1`` mod P when a generic kernel is flipped or has ``padding='same'``,
   P then even if the padding ``floor(d (l - 1) / 2)`` needs it).

(1)-(3) is a proof; when (3) fails the chains may still agree on their
windows, so the caller searches concrete lengths c for a counterexample.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import lcm
from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.prover.generic_lengths import LengthForm, OutsideGenericFragment, common_period, length_form
from symconv.prover.generic_series import (NeedsResidue, SeriesContext, exact_impulse_response, exact_series_text,
                                           same_padding_modulus)

__all__ = ["GenericDecision", "decide_generic", "OutsideGenericFragment", "MAX_PERIOD"]

#: Largest period P (product of strides) the argument is tried with; beyond it the work grows as P^2.
MAX_PERIOD = 64


@dataclass(frozen=True)
class GenericDecision:
    """``proved``, or ``different`` with where the two sides first differ (``witness_c``: a c to try)."""

    verdict: str
    reason: str
    symbol: sympy.Symbol
    period: int
    lengths: tuple[LengthForm, LengthForm]
    residues: tuple[int, ...] = ()
    witness_c: tuple[int, ...] = ()
    impulse: Optional[str] = None


def _symbol(lhs: Layer, rhs: Layer) -> sympy.Symbol:
    symbols = {s for layer in (lhs, rhs) for k in layer.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        raise OutsideGenericFragment(f"{len(symbols)} generic lengths {sorted(map(str, symbols))}; expected one")
    return symbols.pop()


def _without_flips(lhs: Layer, rhs: Layer) -> tuple[Layer, Layer]:
    """Flip conjugation: every ``flip()`` moved to the input, then ``flip >> A == flip >> B`` iff ``A == B``."""
    from symconv.algebra.flip import FlipNotMovable, as_single_layer, move_flips_to_input

    try:
        (lflip, lsteps), (rflip, rsteps) = move_flips_to_input(lhs), move_flips_to_input(rhs)
    except FlipNotMovable as err:
        raise OutsideGenericFragment(f"a flip() cannot be moved to the input ({err})") from None
    if lflip != rflip:
        raise OutsideGenericFragment("a flip() of the input on one side only")
    return as_single_layer(lsteps), as_single_layer(rsteps)


def decide_generic(lhs: Layer, rhs: Layer) -> GenericDecision:
    """Decide ``lhs == rhs`` for every n and every value of the generic length (module docstring)."""
    symbol = _symbol(lhs, rhs)
    lhs, rhs = _without_flips(lhs, rhs)
    period = lcm(common_period(lhs, rhs), same_padding_modulus(lhs), same_padding_modulus(rhs))
    if period > MAX_PERIOD:
        raise OutsideGenericFragment(f"the strides multiply to {period} > {MAX_PERIOD}")
    lengths = (length_form(lhs, period, symbol), length_form(rhs, period, symbol))
    witness = lengths[0].first_difference(lengths[1])
    if witness is not None:
        n, c = witness
        return GenericDecision("different", f"the output lengths differ at n = {n}, {symbol} = {c}",
                               symbol, period, lengths, witness_c=(c,))
    contexts = [SeriesContext(period, symbol)]
    try:
        first = _compare_responses(lhs, rhs, contexts[0])
    except NeedsResidue:
        contexts, first = [SeriesContext(period, symbol, rho) for rho in range(period)], None
    for ctx in contexts:
        mismatch = first if ctx.residue is None else _compare_responses(lhs, rhs, ctx)
        if mismatch is not None:
            position, text = mismatch
            rho = ctx.residue
            where = "" if rho is None else f" for {symbol} = {rho + 1} mod {period}"
            start = 1 if rho is None else rho + 1
            return GenericDecision("different", f"the responses to the impulse at {position} differ{where}",
                                   symbol, period, lengths,
                                   witness_c=tuple(range(start, start + 3 * period, period)),
                                   impulse=text)
    residues = tuple(ctx.residue for ctx in contexts if ctx.residue is not None)
    return GenericDecision("proved", "", symbol, period, lengths, residues=residues)


def _compare_responses(lhs: Layer, rhs: Layer, ctx: SeriesContext) -> Optional[tuple[str, str]]:
    channels = lhs.in_channels or rhs.in_channels or 1
    for channel in range(channels):
        for position in range(ctx.modulus):
            left = exact_impulse_response(lhs, position, ctx, channel, channels)
            right = exact_impulse_response(rhs, position, ctx, channel, channels)
            if len(left) != len(right):
                raise OutsideGenericFragment(f"the sides give {len(left)} and {len(right)} output channels")
            for o, (a, b) in enumerate(zip(left, right)):
                if a != b:  # exact series without zero entries: equal iff equal as dicts
                    where = f"{position}" if channels == 1 else f"{position} of input channel {channel}"
                    return where, f"output channel {o}: lhs: {exact_series_text(a)}; rhs: {exact_series_text(b)}"
    return None
