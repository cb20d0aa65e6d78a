"""Numerical comparison of two chains with rounding-error tolerances.

``compare_chains`` evaluates both sides in float64 on seeded random kernels
and inputs. The tolerance of every output sample comes from a forward error
bound: with N multiply-adds along the longest path, the rounding error of a
sum of products is at most ``gamma_N * sum |products|`` (``gamma_N = N u /
(1 - N u)``, u the unit roundoff); ``sum |products|`` is what the same chain
computes on ``|kernel|`` and ``|x|``. A sample differs only when the
difference exceeds the sum of both sides' bounds.

Evidence only counts where there is something to compare: the report counts
the trials whose outputs were non-empty (``compared``), and
:func:`evidence_lengths` draws input lengths well past the shortest input
that gives every side a non-empty output (a receptive field of 34 samples
needs inputs longer than 33).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.kernel import DerivedKernel, Kernel, Literal, Scaled
from symconv.core.layers import Affine, Chain, Conv, ConvTranspose, Layer, Parallel
from symconv.core.output_length import output_length
from symconv.numeric.symbols import random_bindings
from symconv.numeric.evaluate import evaluate_numeric

__all__ = ["NumericReport", "compare_chains", "evidence_lengths"]

_UNIT_ROUNDOFF = np.finfo(np.float64).eps / 2


@dataclass(frozen=True)
class NumericReport:
    """``trials`` evaluations, ``compared`` of them with non-empty outputs; worst absolute difference;
    the tolerance it was held to."""

    trials: int
    max_abs_error: float
    tolerance: float
    mismatch: Optional[dict] = None
    compared: int = 0

    @property
    def agrees(self) -> bool:
        return self.mismatch is None

    @property
    def is_evidence(self) -> bool:
        """Whether the sides agreed on at least one non-empty output (else nothing was checked)."""
        return self.agrees and self.compared > 0

    def to_json(self) -> dict:
        return {"trials": self.trials, "compared": self.compared, "max_abs_error": self.max_abs_error,
                "tolerance": self.tolerance}


#: Longest input :func:`evidence_lengths` looks at for a first non-empty output.
MAX_EVIDENCE_START = 4096


def evidence_lengths(*layers: Layer, sizes: Optional[Mapping[str, int]] = None, small: int = 6,
                     run: int = 24) -> tuple[int, ...]:
    """Input lengths for numeric evidence: ``0 .. small - 1``, then ``n0 .. n0 + run - 1`` and
    ``2 n0 + 7``, ``3 n0 + 13``, with ``n0`` the shortest input on which every layer gives a
    non-empty output (its receptive field); only the small lengths when there is no such n0.

    >>> from symconv.core.layers import avgpool
    >>> evidence_lengths(avgpool(34))[6:8], evidence_lengths(avgpool(34))[-2:]
    ((34, 35), (75, 115))
    """
    start = next((n for n in range(MAX_EVIDENCE_START + 1)
                  if all(output_length(layer, n, sizes) > 0 for layer in layers)), None)
    lengths = set(range(small))
    if start is not None:
        lengths |= set(range(start, start + run)) | {2 * start + 7, 3 * start + 13}
    return tuple(sorted(lengths))


def _path_length(layer: Layer) -> int:
    """A bound on the multiply-adds along one path from input to output."""
    total = 1
    for step in layer.layers():
        branches = getattr(step, "branches", None)
        if branches:
            total += max(_path_length(b) for b in branches) + len(branches)
            continue
        for k in step.kernels():
            length = k.length if isinstance(k.length, int) else 64
            total += length * max(1, k.in_channels)
        total += getattr(step, "size", 0) or 0
        total += 1
    return total


def _positive(expr: sympy.Expr) -> sympy.Expr:
    """``sum |c_m| m`` for ``expr = sum c_m m``: on ``|bindings|`` it bounds ``|expr|`` term by term."""
    expr = sympy.expand(expr)
    return sum((abs(c) * m for m, c in expr.as_coefficients_dict().items()), sympy.Integer(0))


def _abs_kernel(k: Kernel) -> Kernel:
    """A kernel whose taps bound ``|taps|`` of ``k`` entry by entry (literals and scales made non-negative)."""
    if isinstance(k, Literal):
        return Literal(tuple(tuple(tuple(abs(v) for v in taps) for taps in row) for row in k.values))
    if isinstance(k, Scaled):
        return Scaled(abs(k.scalar), _abs_kernel(k.kernel))
    if isinstance(k, DerivedKernel):
        values = tuple(tuple(tuple(_positive(v) for v in taps) for taps in row) for row in k.values)
        return DerivedKernel(values, k.sources)
    changes = {f.name: _abs_kernel(getattr(k, f.name)) for f in dataclasses.fields(k)
               if isinstance(getattr(k, f.name), Kernel)}
    return dataclasses.replace(k, **changes) if changes else k


def _absolute(layer: Layer) -> Layer:
    """The chain with every kernel, bias and affine coefficient replaced by its absolute value.

    Evaluated on ``|x|`` with ``|bindings|`` it bounds ``sum |products|`` of the original chain.
    """
    if isinstance(layer, (Chain, Parallel)):
        field = "steps" if isinstance(layer, Chain) else "branches"
        return dataclasses.replace(layer, **{field: tuple(_absolute(s) for s in getattr(layer, field))})
    changes = {}
    if isinstance(layer, (Conv, ConvTranspose)):
        changes["weight"] = _abs_kernel(layer.weight)
        if isinstance(layer.bias, tuple):
            changes["bias"] = tuple(_positive(b) for b in layer.bias)
    if isinstance(layer, Affine):
        def positive(v):
            return tuple(positive(x) for x in v) if isinstance(v, tuple) else _positive(v)
        changes = {"scale": positive(layer.scale), "shift": positive(layer.shift)}
    return dataclasses.replace(layer, **changes) if changes else layer


def _abs_bindings(bindings: Mapping[str, object]) -> dict:
    return {name: np.abs(np.asarray(value, dtype=float)) for name, value in bindings.items()}


def compare_chains(
    lhs: Layer,
    rhs: Layer,
    lengths: Iterable[int],
    trials_per_length: int = 2,
    seed: int = 0,
    sizes: Optional[Mapping[str, int]] = None,
    channels: int = 1,
    input_scale: float = 1.0,
    fixed: Optional[Mapping[str, object]] = None,
    corners: int = 0,
) -> NumericReport:
    """Compare ``lhs`` and ``rhs`` in float64 on random data for each input length.

    Inputs are uniform in ``[-input_scale, input_scale)``; ``fixed`` pins the
    values of some names (e.g. a declared input bound ``B``). ``corners``
    more trials per length put every sample at ``+-input_scale`` (random
    signs): the corners of a declared box, where a bound is reached.
    """
    rng = np.random.default_rng(seed)
    gamma_steps = max(_path_length(lhs), _path_length(rhs))
    gamma = gamma_steps * _UNIT_ROUNDOFF / (1 - gamma_steps * _UNIT_ROUNDOFF)
    worst, tolerance, trials, compared = 0.0, 0.0, 0, 0
    abs_lhs, abs_rhs = _absolute(lhs), _absolute(rhs)
    for n in lengths:
        for trial in range(trials_per_length + corners):
            bindings = random_bindings([lhs, rhs], rng, low=-1, high=1, sizes=sizes, integer=False)
            bindings.update(fixed or {})
            if trial < corners:
                x = input_scale * rng.choice([-1.0, 1.0], size=(1, channels, n))
            else:
                x = input_scale * rng.uniform(-1, 1, size=(1, channels, n))
            a = evaluate_numeric(lhs, x, bindings, sizes)
            b = evaluate_numeric(rhs, x, bindings, sizes)
            trials += 1
            if a.shape != b.shape:
                return NumericReport(trials, float("inf"), tolerance, {
                    "n": n, "reason": f"output shapes differ: {a.shape[1:]} against {b.shape[1:]}"}, compared)
            if a.size == 0:
                continue
            compared += 1
            abs_bindings = _abs_bindings(bindings)
            scale = evaluate_numeric(abs_lhs, np.abs(x), abs_bindings, sizes) + evaluate_numeric(
                abs_rhs, np.abs(x), abs_bindings, sizes)
            bound = 4 * gamma * scale + 1e-300
            diff = np.abs(a - b)
            worst = max(worst, float(diff.max()))
            tolerance = max(tolerance, float(bound.max()))
            bad = np.argwhere(diff > bound)
            if bad.size:
                _, c, i = bad[0]
                return NumericReport(trials, worst, tolerance, {
                    "n": n, "channel": int(c), "index": int(i),
                    "lhs": float(a[0, c, i]), "rhs": float(b[0, c, i]), "seed": seed}, compared)
    return NumericReport(trials, worst, tolerance, compared=compared)
