"""Periodically shift-invariant operators on infinite sequences, in polyphase form.

A ``Polyphase`` operator with output period ``a``, input period ``b`` and
phase matrices ``h_0 .. h_{a-1}`` maps ``x`` to

    y[a q + r] = beta_r + sum_t h_r[t] x[b q + t]        (0 <= r < a)

with ``h_r`` a matrix (out x in channels) of Laurent polynomials and
``beta_r`` a bias vector. Every linear layer of symconv is such an operator
followed by a restriction to its output window; so is any composition of
them, which is how a chain gets its single-layer ("interior") normal form.
A stride-s correlation is ``a = 1, b = s``; ``up(s)`` is ``a = s, b = 1``.

>>> from symconv.algebra.laurent import Laurent
>>> conv2 = Polyphase(1, 2, ((( Laurent({0: 1, 1: 1}),),),))
>>> (conv2 @ conv2).in_period
4
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from symconv.algebra.laurent import Matrix, mat_add, mat_is_zero, mat_map, mat_mul, mat_zero

__all__ = ["Polyphase"]

Coeff = Any


def _vec_add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def _mat_vec_at_one(m: Matrix, v: tuple) -> tuple:
    """``m(1) v``: each output channel gets ``sum_i h_oi(1) v_i``."""
    out = []
    for row in m:
        acc = 0
        for entry, value in zip(row, v):
            if value and entry.terms:
                acc = entry.at_one() * value + acc
        out.append(acc)
    return tuple(out)


@dataclass(frozen=True)
class Polyphase:
    """``y[a q + r] = beta_r + sum_t h_r[t] x[b q + t]``; see the module docstring."""

    out_period: int
    in_period: int
    phases: tuple[Matrix, ...]
    bias: tuple[tuple[Coeff, ...], ...] | None = None

    def __post_init__(self) -> None:
        assert len(self.phases) == self.out_period, "one phase matrix per output phase"
        if self.bias is None:
            object.__setattr__(self, "bias", tuple(tuple(0 for _ in range(self.out_channels)) for _ in self.phases))

    @property
    def out_channels(self) -> int:
        return len(self.phases[0])

    @property
    def in_channels(self) -> int:
        return len(self.phases[0][0])

    @property
    def rate(self) -> tuple[int, int]:
        """``(a, b)`` reduced: ``a`` outputs per ``b`` inputs."""
        g = math.gcd(self.out_period, self.in_period)
        return self.out_period // g, self.in_period // g

    def lift(self, k: int) -> "Polyphase":
        """The same operator written with periods ``(k a, k b)``: phase ``a q0 + r`` is ``z^{b q0} h_r``."""
        if k == 1:
            return self
        a, b = self.out_period, self.in_period
        phases, bias = [], []
        for q0 in range(k):
            for r in range(a):
                phases.append(mat_map(self.phases[r], lambda h, s=b * q0: h.shift(s)))
                bias.append(self.bias[r])
        return Polyphase(k * a, k * b, tuple(phases), tuple(bias))

    def __matmul__(self, first: "Polyphase") -> "Polyphase":
        """Composition ``self o first`` (apply ``first``, then ``self``).

        With ``L = lcm(a1, b2)`` both are lifted so that ``first`` has output
        period ``L`` and ``self`` input period ``L``; then
        ``f_r(z) = sum_{r1} H_{r,r1}(z^B) g_{r1}(z)`` where ``H_{r,r1}`` are the
        polyphase components of ``h_r`` modulo ``L``.
        """
        period = math.lcm(first.out_period, self.in_period)
        g = first.lift(period // first.out_period)
        h = self.lift(period // self.in_period)
        big_b = g.in_period
        phases, bias = [], []
        for r, h_r in enumerate(h.phases):
            beta = h.bias[r]
            # sum_{r1} H_{r,r1}(z^B) g_{r1} is one product: [H_{r,0} H_{r,1} ...] times [g_0; g_1; ...]
            lefts, rights = [], []
            for r1 in range(period):
                comp = mat_map(h_r, lambda e: e.component(r1, period))
                if mat_is_zero(comp):
                    continue
                lefts.append(mat_map(comp, lambda e: e.upsample(big_b)))
                rights.append(g.phases[r1])
                beta = _vec_add(beta, _mat_vec_at_one(comp, g.bias[r1]))
            if lefts:
                side_by_side = tuple(tuple(e for block in lefts for e in block[o]) for o in range(h.out_channels))
                stacked = tuple(row for block in rights for row in block)
                phases.append(mat_mul(side_by_side, stacked))
            else:
                phases.append(mat_zero(h.out_channels, g.in_channels))
            bias.append(beta)
        return Polyphase(h.out_period, big_b, tuple(phases), tuple(bias))

    def __add__(self, other: "Polyphase") -> "Polyphase":
        a, b = self._common(other)
        return Polyphase(
            a.out_period,
            a.in_period,
            tuple(mat_add(x, y) for x, y in zip(a.phases, b.phases)),
            tuple(_vec_add(x, y) for x, y in zip(a.bias, b.bias)),
        )

    def _common(self, other: "Polyphase") -> tuple["Polyphase", "Polyphase"]:
        if self.rate != other.rate:
            raise ValueError(f"operators of rates {self.rate} and {other.rate} cannot be aligned")
        period = math.lcm(self.out_period, other.out_period)
        return self.lift(period // self.out_period), other.lift(period // other.out_period)

    def is_zero(self) -> bool:
        return all(mat_is_zero(p) for p in self.phases) and not any(v for beta in self.bias for v in beta)

    def equals(self, other: "Polyphase") -> bool:
        """Whether both are the same operator on infinite sequences."""
        if (self.out_channels, self.in_channels) != (other.out_channels, other.in_channels):
            return False
        if self.rate != other.rate:
            return self.is_zero() and other.is_zero()
        a, b = self._common(other)
        return a.phases == b.phases and a.bias == b.bias

    def difference(self, other: "Polyphase") -> tuple[int, int, int, int, Coeff] | None:
        """A witness of inequality ``(phase, out, in, t, coefficient difference)``, or None if equal."""
        a, b = self._common(other)
        for r, (pa, pb) in enumerate(zip(a.phases, b.phases)):
            for o, (ra, rb) in enumerate(zip(pa, pb)):
                for i, (ea, eb) in enumerate(zip(ra, rb)):
                    diff = ea - eb
                    if not diff.is_zero():
                        t = next(iter(diff.terms))
                        return (r, o, i, t, diff.terms[t])
        return None

    def reduced(self) -> "Polyphase":
        """The same operator with the smallest periods."""
        best = self
        g = math.gcd(self.out_period, self.in_period)
        for k in sorted(d for d in range(2, g + 1) if g % d == 0):
            a, b = self.out_period // k, self.in_period // k
            candidate = Polyphase(a, b, self.phases[:a], self.bias[:a])
            if candidate.lift(k).phases == self.phases and candidate.lift(k).bias == self.bias:
                best = candidate.reduced()
                break
        return best

    def read_range(self, row: int) -> tuple[int, int] | None:
        """Input indices ``[lo, hi]`` that output ``row`` reads (None: reads nothing)."""
        return self.read_span(row, row)

    def read_span(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Input indices ``[lo', hi']`` read by the outputs ``lo .. hi`` together (None: nothing)."""
        a, b = self.out_period, self.in_period
        best: tuple[int, int] | None = None
        for r, support in enumerate(self._supports):
            if support is None:
                continue
            first = lo + (r - lo) % a
            last = hi - (hi - r) % a
            if first > hi or last < lo:
                continue
            span = (b * (first // a) + support[0], b * (last // a) + support[1])
            best = span if best is None else (min(best[0], span[0]), max(best[1], span[1]))
        return best

    @property
    def _supports(self) -> tuple[tuple[int, int] | None, ...]:
        cached = self.__dict__.get("_support_cache")
        if cached is None:
            cached = []
            for phase in self.phases:
                spans = [e.support() for line in phase for e in line if e.terms]
                cached.append((min(s[0] for s in spans), max(s[1] for s in spans)) if spans else None)
            cached = tuple(cached)
            object.__setattr__(self, "_support_cache", cached)
        return cached
