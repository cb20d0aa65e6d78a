"""The boundary bound: past it, an identity of linear chains is decided by one period.

**Lemma (eventual periodicity).** Let a linear chain have input period P
(every intermediate length grows by an integer when n grows by P) and let
n0 be such that for every n in [n0, n0 + P): every intermediate length is
at least 1, no output's dependency cone crosses a left edge *and* a right
edge, and (for all chains compared together) a run of Q = m(n + P) - m(n)
consecutive outputs crosses no edge at all, with every output whose cone
crosses a left edge before the run and every output whose cone crosses a
right edge after it. (Cones move by Q rows for P inputs, so past a run of Q
outputs that miss the left edges no later output reaches them.) Then for
all n >= n0:

* outputs whose cones cross a left edge do not depend on n (their cones and
  the left edges, all at 0, are the same for every n);
* outputs whose cones cross a right edge at n + P are those at n, moved by
  Q = m(n + P) - m(n) rows and P columns (cones and right edges all move by
  the per-layer periods, and left edges stay out of reach);
* every other output is ``(H x)[i]`` for the interior operator H.

Hence two chains with equal interior operators, equal output lengths on
[0, n0 + P) and equal slopes Q agree for every n iff they agree for every
n < n0 + P. The search for n0 below is exact integer arithmetic; its result
is recorded in the certificate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from symconv.algebra.normal_form import LinearChain

__all__ = ["Bound", "find_bound", "MAX_BOUND"]

#: Give up (verdict unknown) when n0 + P would exceed this.
MAX_BOUND = 20_000


@dataclass(frozen=True)
class Bound:
    """``start`` = n0 and ``period`` = P of the lemma; ``inner_edges`` per chain."""

    start: int
    period: int
    inner_edges: tuple[bool, ...]

    @property
    def limit(self) -> int:
        """Every n below this is checked directly."""
        return self.start + self.period


def _row_flags(chain: LinearChain, n: int) -> list[tuple[bool, bool, bool]]:
    """``(left, right, inner)`` edge flags of every output row at input length n."""
    return [chain.touches(row, n) for row in range(chain.output_length(n))]


def _separated(flags: list[list[tuple[bool, bool, bool]]], run: int) -> bool:
    """Whether ``run`` consecutive rows touch no edge in any chain, with every row that
    touches a left edge before them and every row that touches a right edge after them."""
    rows = min(len(f) for f in flags)  # unequal lengths are refuted by the length check, not here
    if any(left and right for f in flags for left, right, _ in f):
        return False
    clear = [not any(f[row][0] or f[row][1] for f in flags) for row in range(rows)]
    last_left = max((r for r in range(rows) if any(f[r][0] for f in flags)), default=-1)
    first_right = min((r for r in range(rows) if any(f[r][1] for f in flags)), default=rows)
    streak = 0
    for row in range(last_left + 1, first_right):
        streak = streak + 1 if clear[row] else 0
        if streak >= run:
            return True
    return False


def find_bound(chains: list[LinearChain], limit: int = MAX_BOUND) -> Bound | None:
    """The smallest n0 of the lemma for the chains together (None past ``limit``).

    At every n in [n0, n0 + P) every intermediate length is positive, no output reads both ends, and a full
    period of outputs (Q = m(n + P) - m(n) of them) reads no edge at all,
    with every output that reads a left edge before it and every output that
    reads a right edge after it. That run is what makes each output at
    n + P either a left output of n, a right output of n moved by Q, or
    an interior one.
    """
    period = math.lcm(*(c.input_period() for c in chains))
    inner = [False] * len(chains)
    streak = 0
    for n in range(0, limit + 1):  # n = 0 too: its outputs may read padding across an inner edge
        flags = [_row_flags(chain, n) for chain in chains]
        for index, f in enumerate(flags):
            inner[index] = inner[index] or any(edge for _, _, edge in f)
        run = max(max(c.output_length(n + period) - c.output_length(n) for c in chains), 1)
        good = all(c.min_length(n) >= 1 for c in chains) and _separated(flags, run)
        streak = streak + 1 if good else 0
        if streak == period:
            return Bound(n - period + 1, period, tuple(inner))
    return None
