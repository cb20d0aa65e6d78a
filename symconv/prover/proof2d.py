"""``prove`` for 2-D chains: the product-bound decision of :mod:`symconv.prover.decide2d`, with counterexamples.

A refutation carries a :class:`Counterexample2d` (shape, input, kernel and
parameter values, both outputs, the first differing ``(channel, row,
column)``), found on the exact linear forms and re-verified with the core's
exact 2-D semantics before it is reported.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

import numpy as np
import sympy

from symconv.core.layers import Layer
from symconv.core.semantics2d import evaluate2d
from symconv.errors import CertificateError, ChainError, NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate2d import evaluate2d_numeric, random_bindings2d
from symconv.prover.certificate import Certificate, CertificateStep, Rule, check_certificate
from symconv.prover.decide2d import CONSTANT, decide2d, forms2d, ring2d

__all__ = ["Counterexample2d", "prove_2d"]


@dataclass(frozen=True)
class Counterexample2d:
    """``n`` is the input shape ``(n1, n2)``; ``index`` the first differing ``(channel, row, column)``."""

    n: tuple[int, int]
    input: tuple
    kernels: dict
    lhs: tuple
    rhs: tuple
    index: tuple[int, int, int]
    sizes: tuple = ()

    def to_json(self) -> dict:
        def plain(v):
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            v = sympy.Rational(v)
            return int(v) if v.q == 1 else str(v)

        return {"n": list(self.n), "input": plain(self.input), "kernels": {k: plain(v) for k, v in self.kernels.items()},
                "lhs": plain(self.lhs), "rhs": plain(self.rhs), "index": list(self.index)}


def _values_by_name(ring, point: dict, layers) -> dict:
    """Kernel arrays and parameters by name, from tap values."""
    out: dict = {}
    taps_seen: set = set()
    for layer in layers:
        for step in layer.layers():
            for k in step.kernels():
                for s in k.symbols():
                    taps = s.taps()
                    taps_seen.update(v for ch in taps for t in ch for row in t for v in row)
                    grid = [[[[point.get(v, 0) for v in row] for row in t] for t in ch] for ch in taps]
                    out[s.name] = grid[0][0] if len(s.dims) == 2 else grid
    for symbol in ring.symbols:
        if symbol not in taps_seen:  # a parameter of a bias
            out[symbol.name] = point.get(symbol, 0)
    return out


def _evaluate(forms, ring, values: list, x) -> tuple:
    out = []
    for plane in forms:
        rows = []
        for line in plane:
            row = []
            for form in line:
                total = sympy.Integer(0)
                for key, coeff in form.items():
                    value = ring.value(coeff, values)
                    total += value if key == CONSTANT else value * x[key[0]][key[1]][key[2]]
                row.append(total)
            rows.append(tuple(row))
        out.append(tuple(rows))
    return tuple(out)


def _shape_difference(a: tuple, b: tuple) -> Optional[tuple[int, int, int]]:
    """Where the output shapes part: ``(0, rows, 0)`` or ``(0, 0, columns)`` of the smaller one; None if equal."""
    rows = [len(p) for p in a], [len(p) for p in b]
    cols = [len(p[0]) if p else 0 for p in a], [len(p[0]) if p else 0 for p in b]
    if rows[0] != rows[1]:
        return (0, min(rows[0][0], rows[1][0]), 0)
    if cols[0] != cols[1]:
        return (0, 0, min(cols[0][0], cols[1][0]))
    return None


def _first_difference(a: tuple, b: tuple) -> Optional[tuple[int, int, int]]:
    for o, (pa, pb) in enumerate(zip(a, b)):
        for r, (ra, rb) in enumerate(zip(pa, pb)):
            for c, (u, v) in enumerate(zip(ra, rb)):
                if u != v:
                    return (o, r, c)
    return None


def _counterexample(lhs: Layer, rhs: Layer, shape: tuple[int, int], channels: int, seed: int,
                    trials: int = 200) -> Optional[Counterexample2d]:
    rng = random.Random(seed)
    ring = ring2d(lhs, rhs)
    lforms, rforms = forms2d(lhs, shape, ring, channels), forms2d(rhs, shape, ring, channels)
    for trial in range(trials):
        spread = 2 if trial < trials // 2 else 9
        point = {s: rng.randint(-spread, spread) for s in ring.symbols}
        values = [point[s] for s in ring.symbols]
        x = [[[rng.randint(-spread, spread) for _ in range(shape[1])] for _ in range(shape[0])]
             for _ in range(channels)]
        a, b = _evaluate(lforms, ring, values, x), _evaluate(rforms, ring, values, x)
        index = _shape_difference(a, b) or _first_difference(a, b)
        if index is None:
            continue
        example = Counterexample2d(shape, tuple(tuple(map(tuple, ch)) for ch in x),
                                   _values_by_name(ring, point, (lhs, rhs)), a, b, index)
        _reverify(lhs, rhs, example, point)
        return example
    return None


def _reverify(lhs: Layer, rhs: Layer, example: Counterexample2d, point: dict) -> None:
    """The independent numeric evaluator (exact mode) and the core's exact semantics must give both outputs."""
    x = tuple(tuple(tuple(sympy.Integer(v) for v in row) for row in ch) for ch in example.input)
    for layer, expected in ((lhs, example.lhs), (rhs, example.rhs)):
        numeric = evaluate2d_numeric(layer, np.array(example.input, dtype=object), example.kernels, exact=True)
        if tuple(tuple(tuple(sympy.Rational(v) for v in row) for row in plane) for plane in numeric) != expected:
            raise NumericMismatch(f"2-D counterexample not confirmed by the numeric evaluator for {layer!r}")
        got = evaluate2d(layer, x)
        got = tuple(tuple(tuple(sympy.expand(v.xreplace(point)) for v in row) for row in plane) for plane in got)
        if got != expected:
            raise NumericMismatch(f"2-D counterexample not confirmed by the exact semantics for {layer!r}")


def numeric_check_2d(lhs: Layer, rhs: Layer, shapes, seed: int = 0, channels: int = 1) -> NumericReport:
    """Both sides in exact arithmetic (``Fraction``) on random integer kernels and inputs, for each shape."""
    rng = np.random.default_rng(seed)
    worst, trials = 0.0, 0
    for shape in shapes:
        bindings = random_bindings2d([lhs, rhs], rng)
        x = rng.integers(-3, 4, size=(channels,) + tuple(shape)).astype(object)
        a = evaluate2d_numeric(lhs, x, bindings, exact=True)
        b = evaluate2d_numeric(rhs, x, bindings, exact=True)
        trials += 1
        if a.shape != b.shape:
            return NumericReport(trials, float("inf"), 0.0, {"n": list(shape), "reason": "output shapes differ"})
        if a.size:
            worst = max(worst, float(max(abs(v) for v in (a - b).flat)))
            if worst > 0:
                index = [int(i) for i in np.argwhere(a != b)[0]]
                return NumericReport(trials, worst, 0.0, {"n": list(shape), "index": index, "seed": seed})
    return NumericReport(trials, worst, 0.0)


def prove_2d(lhs: Layer, rhs: Layer, seed: int = 0):
    """``lhs == rhs`` for every input shape, both sides 2-D chains."""
    from symconv.prover.proof import Proof, ProofStep, _expressible

    if lhs.ndim != rhs.ndim:
        raise ChainError(f"{lhs!r} and {rhs!r}: one side is 2-D and the other 1-D; expected two 2-D chains")
    channels = lhs.in_channels or rhs.in_channels or 1
    if not (lhs.linear and rhs.linear):
        from symconv.prover.nonlinear2d import prove_nonlinear_2d

        return prove_nonlinear_2d(lhs, rhs, channels, seed)
    decision = decide2d(lhs, rhs)
    if decision.verdict == "refuted":
        example = _counterexample(lhs, rhs, decision.witness, channels, seed)
        if example is None:
            return Proof(lhs, rhs, "unknown", note=f"{decision.reason}, but no small counterexample was found")
        return Proof(lhs, rhs, "refuted", counterexample=example, note=decision.reason)
    if decision.verdict == "unknown":
        return Proof(lhs, rhs, "unknown", note=decision.reason)
    b1, b2 = decision.limits
    shapes = [(n1, n2) for n1 in (1, 2, b1 - 1, b1 + 3, 2 * b1 + 5) for n2 in (1, b2 - 1, 2 * b2 + 5)]
    report = numeric_check_2d(lhs, rhs, shapes, seed, channels)
    if not report.agrees:
        raise AssertionError(f"proved but numerically different: {report.mismatch}")
    steps = (
        ProofStep("axis_projection", f"on each axis the output lengths of both sides agree for every n (the 1-D "
                                     f"projections, boundary bounds {b1} and {b2})"),
        ProofStep("product_bound", f"by the product bound, the sides agree for every shape iff they agree for "
                                   f"every shape below ({b1}, {b2})"),
        ProofStep("shapes_equal", f"the exact outputs agree for all {decision.shapes_checked} shapes (n1, n2) "
                                  f"with 1 <= n1 < {b1}, 1 <= n2 < {b2}, as polynomials in the taps"),
    )
    certificate = Certificate(repr(lhs), repr(rhs), (CertificateStep(
        Rule.PRODUCT_BOUND, (("axes", [list(a) for a in decision.axes]),),
        f"per-axis eventual periodicity, and equal outputs for every shape below ({b1}, {b2})"),))
    note = decision.reason
    if not _expressible(lhs, rhs):
        return Proof(lhs, rhs, "proved", steps=steps, numeric=report,
                     note=note + "; no certificate: a side uses a derived closed-form kernel, which the DSL cannot read")
    if b1 * b2 <= MAX_REPLAYED_SHAPES:
        try:
            check_certificate(certificate)
        except CertificateError as err:
            return Proof(lhs, rhs, "unknown", numeric=report,
                         note=f"the decision said proved but its certificate was rejected ({err}); please report this")
        note += "; certificate replayed with the core semantics"
    else:
        note += f"; certificate not replayed here ({b1} x {b2} shapes; use symconv recheck)"
    return Proof(lhs, rhs, "proved", steps=steps, note=note, certificate=certificate, numeric=report)


#: ``prove`` replays a 2-D certificate itself up to this many shapes.
MAX_REPLAYED_SHAPES = 150

