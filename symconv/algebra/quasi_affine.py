"""Eventually quasi-affine functions of one integer ``c >= 1``, exactly.

A :class:`QuasiAffine` ``f`` is given by an onset ``c0``, a period ``pi``, the
values ``f(1), ..., f(c0 - 1)``, and one affine piece per residue: for
``c = c0 + pi q + r`` (``0 <= r < pi``, ``q >= 0``)

    f(c) = A_r q + B_r        (A_r, B_r integers).

Sums, integer multiples, ``floor(f / D)``, ``ceil(f / D)``, ``max`` and ``min``
stay in the class (floor refines the period until ``D`` divides every slope;
max and min move the onset past the last crossing), and two functions are
equal for every ``c >= 1`` exactly when their common refinements agree, so
:meth:`QuasiAffine.first_difference` decides equality and names a witness.

>>> c = QuasiAffine.affine(1, 0)             # f(c) = c
>>> half = (c + 1).floordiv(2)               # floor((c + 1) / 2)
>>> [half(v) for v in range(1, 7)]
[1, 1, 2, 2, 3, 3]
>>> half.period
2
>>> QuasiAffine.maximum(c - 3, QuasiAffine.constant(1)).first_difference(c - 3)
1
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd, lcm
from typing import Optional, Union

__all__ = ["QuasiAffine"]


@dataclass(frozen=True)
class QuasiAffine:
    """``f(c)`` for integers ``c >= 1``; see the module docstring."""

    onset: int
    period: int
    prefix: tuple[int, ...]
    pieces: tuple[tuple[int, int], ...]

    @staticmethod
    def affine(slope: int, intercept: int) -> "QuasiAffine":
        """``f(c) = slope c + intercept``."""
        return QuasiAffine(1, 1, (), ((slope, slope + intercept),))

    @staticmethod
    def constant(value: int) -> "QuasiAffine":
        return QuasiAffine.affine(0, value)

    def __call__(self, c: int) -> int:
        if c < 1:
            raise ValueError(f"c = {c}: quasi-affine functions are defined for c >= 1")
        if c < self.onset:
            return self.prefix[c - 1]
        q, r = divmod(c - self.onset, self.period)
        slope, start = self.pieces[r]
        return slope * q + start

    def refined(self, period: int, onset: int) -> "QuasiAffine":
        """The same function with a multiple of the period and a later onset."""
        if period % self.period or onset < self.onset:
            raise ValueError(f"cannot refine period {self.period}/onset {self.onset} to {period}/{onset}")
        if period == self.period and onset == self.onset:
            return self
        prefix = tuple(self(c) for c in range(1, onset))
        pieces = tuple((self(onset + r + period) - self(onset + r), self(onset + r)) for r in range(period))
        return QuasiAffine(onset, period, prefix, pieces)

    def _aligned(self, other: "QuasiAffine") -> tuple["QuasiAffine", "QuasiAffine"]:
        period, onset = lcm(self.period, other.period), max(self.onset, other.onset)
        return self.refined(period, onset), other.refined(period, onset)

    def _pointwise(self, other: "QuasiAffine", op) -> "QuasiAffine":
        a, b = self._aligned(other)
        return QuasiAffine(
            a.onset,
            a.period,
            tuple(op(x, y) for x, y in zip(a.prefix, b.prefix)),
            tuple((op(p[0], r[0]), op(p[1], r[1])) for p, r in zip(a.pieces, b.pieces)),
        )

    def __add__(self, other: Union["QuasiAffine", int]) -> "QuasiAffine":
        other = other if isinstance(other, QuasiAffine) else QuasiAffine.constant(other)
        return self._pointwise(other, lambda x, y: x + y)

    __radd__ = __add__

    def __neg__(self) -> "QuasiAffine":
        return self.scaled(-1)

    def __sub__(self, other: Union["QuasiAffine", int]) -> "QuasiAffine":
        other = other if isinstance(other, QuasiAffine) else QuasiAffine.constant(other)
        return self + (-other)

    def __rsub__(self, other: int) -> "QuasiAffine":
        return QuasiAffine.constant(other) - self

    def scaled(self, factor: int) -> "QuasiAffine":
        """``factor f(c)``."""
        return QuasiAffine(
            self.onset,
            self.period,
            tuple(factor * v for v in self.prefix),
            tuple((factor * a, factor * b) for a, b in self.pieces),
        )

    def floordiv(self, divisor: int) -> "QuasiAffine":
        """``floor(f(c) / D)``: the period grows until ``D`` divides every slope."""
        if divisor < 1:
            raise ValueError(f"divisor {divisor}: expected a positive integer")
        growth = 1
        for slope, _ in self.pieces:
            growth = lcm(growth, divisor // gcd(slope, divisor))
        f = self.refined(self.period * growth, self.onset)
        return QuasiAffine(
            f.onset,
            f.period,
            tuple(v // divisor for v in f.prefix),
            tuple((a // divisor, b // divisor) for a, b in f.pieces),
        )

    def ceildiv(self, divisor: int) -> "QuasiAffine":
        """``ceil(f(c) / D)``."""
        return -((-self).floordiv(divisor))

    @staticmethod
    def maximum(f: "QuasiAffine", g: "QuasiAffine") -> "QuasiAffine":
        """``max(f, g)``; the onset moves past the last crossing of the pieces."""
        return QuasiAffine._extremum(f, g, larger=True)

    @staticmethod
    def minimum(f: "QuasiAffine", g: "QuasiAffine") -> "QuasiAffine":
        """``min(f, g)``."""
        return QuasiAffine._extremum(f, g, larger=False)

    @staticmethod
    def _extremum(f: "QuasiAffine", g: "QuasiAffine", larger: bool) -> "QuasiAffine":
        f, g = f._aligned(g)
        later = 0
        for (a1, b1), (a2, b2) in zip(f.pieces, g.pieces):
            if a1 != a2:
                # the steeper piece wins from q >= ceil((b_other - b_steep) / (a_steep - a_other)) on
                (a_hi, b_hi), (a_lo, b_lo) = sorted([(a1, b1), (a2, b2)], reverse=True)
                later = max(later, -((b_hi - b_lo) // (a_hi - a_lo)))
        onset = f.onset + f.period * later
        f, g = f.refined(f.period, onset), g.refined(g.period, onset)
        pick = max if larger else min
        pieces = []
        for p, r in zip(f.pieces, g.pieces):
            if p[0] == r[0]:
                pieces.append(pick(p, r, key=lambda piece: piece[1]))
            else:
                steep, shallow = (p, r) if p[0] > r[0] else (r, p)
                pieces.append(steep if larger else shallow)
        prefix = tuple(pick(x, y) for x, y in zip(f.prefix, g.prefix))
        return QuasiAffine(onset, f.period, prefix, tuple(pieces))

    def first_difference(self, other: "QuasiAffine") -> Optional[int]:
        """The least ``c >= 1`` with ``f(c) != g(c)``, or None when they are equal everywhere."""
        f, g = self._aligned(other)
        for c, (x, y) in enumerate(zip(f.prefix, g.prefix), start=1):
            if x != y:
                return c
        witnesses = []
        for r, (p, s) in enumerate(zip(f.pieces, g.pieces)):
            if p[1] != s[1]:
                witnesses.append(f.onset + r)
            elif p[0] != s[0]:
                witnesses.append(f.onset + f.period + r)
        return min(witnesses) if witnesses else None

    def affine_from(self) -> Optional[tuple[int, int, int]]:
        """``(start, u, v)`` with ``f(c) = u c + v`` for every ``c >= start``, start as small as the
        pieces allow; None when ``f`` is not eventually affine."""
        first, second = self(self.onset), self(self.onset + 1)
        u, v = second - first, first - (second - first) * self.onset
        if any(a != u * self.period or b != u * (self.onset + r) + v for r, (a, b) in enumerate(self.pieces)):
            return None
        start = self.onset
        while start > 1 and self(start - 1) == u * (start - 1) + v:
            start -= 1
        return start, u, v

    def describe(self) -> str:
        """``f(c)`` as text: an affine formula where there is one, else the pieces."""
        fit = self.affine_from()
        if fit is not None:
            start, u, v = fit
            formula = _affine_text(u, v)
            if start == 1:
                return formula
            return f"{formula} for c >= {start}, {list(self(c) for c in range(1, start))} before"
        parts = [f"c = {self.onset + r} + {self.period}q: {_affine_text(a, b, 'q')}"
                 for r, (a, b) in enumerate(self.pieces)]
        head = f"values {list(self.prefix)} for c < {self.onset}; " if self.prefix else ""
        return head + "; ".join(parts)


def _affine_text(slope: int, intercept: int, name: str = "c") -> str:
    if slope == 0:
        return str(intercept)
    head = name if slope == 1 else f"-{name}" if slope == -1 else f"{slope}{name}"
    if intercept == 0:
        return head
    return f"{head} {'+' if intercept > 0 else '-'} {abs(intercept)}"
