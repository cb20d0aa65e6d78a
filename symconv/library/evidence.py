"""What a check found: :class:`Evidence`, and the statistics of seeded Monte-Carlo checks.

A Monte-Carlo check never proves anything: its verdict is ``checked`` when
the closed form lies inside the confidence interval of the sample mean, and
``refuted`` (with the measurement as the counterexample) when it does not.
Intervals use the normal approximation ``mean +- z * s / sqrt(N)``, with
``z`` the two-sided quantile of ``level``; proportions use Wilson's score
interval, which stays honest for frequencies near 0 or 1.

>>> ci = mean_ci([1.0, 2.0, 3.0, 4.0], level=0.95)
>>> round(ci.mean, 3), ci.contains(2.5)
(2.5, True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Iterable, Optional

__all__ = ["Evidence", "Interval", "mean_ci", "proportion_ci", "z_value", "replayed_by_kernel"]


@dataclass(frozen=True)
class Evidence:
    """A verdict with what supports it.

    ``detail`` is one line for tables, ``data`` the measured quantities
    (JSON-ready numbers and strings), ``counterexample`` the failing case of
    a ``refuted`` verdict (a JSON-ready dict).
    """

    verdict: str
    detail: str = ""
    data: dict = field(default_factory=dict)
    counterexample: Optional[dict] = None


def replayed_by_kernel(proofs: Iterable) -> dict:
    """Evidence data for a check whose claim rests on identities it proved itself (:func:`symconv.prove`,
    :func:`symconv.factor`): ``replayed`` is true when there is at least one proof and every one is proved,
    i.e. replayed by the kernel (a proved :class:`~symconv.prover.proof.Proof` carries its kernel theorem).
    """
    proofs = list(proofs)
    return {"replayed": bool(proofs) and all(p.theorem is not None for p in proofs),
            "replayed_proofs": sum(p.theorem is not None for p in proofs),
            "rests_on": sorted({entry for p in proofs for entry in p.rests_on})}


@dataclass(frozen=True)
class Interval:
    """A sample mean ``mean`` over ``n`` draws and its confidence interval ``[low, high]``."""

    mean: float
    low: float
    high: float
    n: int
    level: float

    def contains(self, value: float) -> bool:
        return self.low <= value <= self.high

    def to_json(self) -> dict:
        return {"mean": self.mean, "low": self.low, "high": self.high, "n": self.n, "level": self.level}

    def __str__(self) -> str:
        return f"{self.mean:.6g} [{self.low:.6g}, {self.high:.6g}] ({self.level:.3g} CI, N={self.n})"


def z_value(level: float) -> float:
    """The two-sided standard normal quantile: ``z_value(0.95) ~ 1.96``."""
    return NormalDist().inv_cdf(0.5 + level / 2)


def mean_ci(values: Iterable[float], level: float = 0.999) -> Interval:
    """Sample mean and its normal-approximation confidence interval."""
    data = [float(v) for v in values]
    n = len(data)
    if n < 2:
        raise ValueError("a confidence interval needs at least two samples")
    mean = math.fsum(data) / n
    var = math.fsum((v - mean) ** 2 for v in data) / (n - 1)
    half = z_value(level) * math.sqrt(var / n)
    return Interval(mean, mean - half, mean + half, n, level)


def proportion_ci(successes: int, trials: int, level: float = 0.999) -> Interval:
    """Wilson's score interval for a frequency ``successes / trials``.

    >>> ci = proportion_ci(0, 1000, level=0.99)
    >>> ci.low, round(ci.high, 4)
    (0.0, 0.0066)
    """
    if trials < 1:
        raise ValueError("a proportion needs at least one trial")
    z = z_value(level)
    p = successes / trials
    denom = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denom
    return Interval(p, max(0.0, centre - half), min(1.0, centre + half), trials, level)
