"""The boundary bound: past it, an identity of linear chains is decided by one period.

**Lemma (eventual periodicity).** Let a linear chain have input period P
(every intermediate length grows by an integer when n grows by P) and let
n0 be such that for every n in [n0, n0 + P): every intermediate length is
at least 1, no output's dependency cone crosses a left edge *and* a right
edge, and for two chains compared together every output whose cone crosses
a left edge comes before every output whose cone crosses a right edge. Then
for all n >= n0:

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


def _classify(chain: LinearChain, n: int) -> tuple[bool, int, int, bool]:
    """``(no two-sided row, last top-anchored row, first bottom-anchored row, any inner edge read)``."""
    m = chain.output_length(n)
    last_top, first_bottom = -1, m
    one_sided = True
    inner_any = False
    for row in range(m):
        left, right, inner = chain.touches(row, n)
        one_sided = one_sided and not (left and right)
        if left:
            last_top = row
        if right and first_bottom == m:
            first_bottom = row
        inner_any = inner_any or inner
    return one_sided, last_top, first_bottom, inner_any


def find_bound(chains: list[LinearChain], limit: int = MAX_BOUND) -> Bound | None:
    """The smallest n0 of the lemma for the chains together (None past ``limit``)."""
    period = math.lcm(*(c.input_period() for c in chains))
    inner = [False] * len(chains)
    streak = 0
    for n in range(1, limit + 1):
        good = True
        last_top, first_bottom = -1, None
        for index, chain in enumerate(chains):
            ok, top, bottom, edge = _classify(chain, n)
            inner[index] = inner[index] or edge
            good = good and ok and chain.min_length(n) >= 1
            last_top = max(last_top, top)
            first_bottom = bottom if first_bottom is None else min(first_bottom, bottom)
        if good and first_bottom is not None and last_top >= first_bottom:
            good = False
        streak = streak + 1 if good else 0
        if streak == period:
            return Bound(n - period + 1, period, tuple(inner))
    return None
