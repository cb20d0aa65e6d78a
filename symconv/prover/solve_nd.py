"""Solving for unknown N-D kernels: ``prove(lhs, rhs, solve=["q"])`` with ``q[7, 7]`` or ``Q[o, i, 3, 3]``.

The taps of each unknown kernel are unknowns. If the sides agree for every
input shape they agree at one shape ``n*``: every coefficient of every output
there gives an equation. ``n*`` is the interior shape of the interior-operator
lemma (:mod:`symconv.prover.decide_nd`) when both sides are edge-free, where
the outputs read the whole interior operator; otherwise it is the largest
shape the product bound compares. When the unknowns appear linearly the
equations are solved exactly (``sympy.linsolve`` over the field of the other
taps); the solution is substituted and the identity decided as usual, so only
a solution that makes it hold at *every* shape comes out ``proved``.

>>> p = prove_nd_with_unknowns("conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2)", "conv2d(q[4, 4], stride=4)", ["q"])
>>> p.verdict, p.solutions["q"][0]
('proved', [k_0_0**2, k_0_0*k_0_1, k_0_0*k_0_1, k_0_1**2])
"""

from __future__ import annotations

import math
from typing import Sequence

from symconv.lazy_import import sympy

from symconv.core.kernel import DerivedKernel, KernelSymbol, nested
from symconv.core.layers import Layer
from symconv.core.layers_nd import output_shape
from symconv.prover.decide_nd import axis_limit, statement_channels, interior_shape_of, edge_free_geometry
from symconv.prover.forms_nd import forms_nd, ring_nd
from symconv.prover.solve import SolveError, named_kernels, solve_linear, substitute_kernel, with_solutions

__all__ = ["prove_nd_with_unknowns", "solving_shape"]

#: The most input samples (per channel) the equations are read from.
MAX_SOLVE_SAMPLES = 4096


def _unknowns(lhs: Layer, rhs: Layer, names: Sequence[str]) -> dict[str, KernelSymbol]:
    found = named_kernels(lhs, rhs, names)
    for n in names:
        if not isinstance(found[n], KernelSymbol):
            raise SolveError(f"--solve {n!r}: {found[n]!r} is a 1-D kernel in an N-D statement; expected the "
                             f"unknown kernel to have one size per axis, e.g. {n}[7, 7]")
    return found


def solving_shape(lhs: Layer, rhs: Layer) -> tuple[int, ...]:
    """``n*``: the interior shape of two edge-free sides, else the per-axis bounds of the product bound."""
    geometries = [edge_free_geometry(side) for side in (lhs, rhs)]
    if all(geometries):
        return interior_shape_of(geometries)[0]
    limits = []
    for axis in range(lhs.ndim):
        bound, differ, reason = axis_limit(lhs, rhs, axis)
        if bound is None:
            raise SolveError(f"--solve: {reason}; no shape to read equations from")
        limits.append(bound.limit)
    return tuple(limits)


def _as_written(values: tuple, kernel: KernelSymbol) -> list:
    """The solved taps nested as the DSL writes the kernel: ``[a1][a2]...`` for ``k[3, 3]``, ``[o][i][a1]...``
    for ``W[o, i, 3, 3]``."""
    def lists(v: object) -> object:
        return [lists(x) for x in v] if isinstance(v, tuple) else v

    return lists(values[0][0] if len(kernel.dims) == kernel.axes else values)


def _equations(lhs: Layer, rhs: Layer, shape: tuple[int, ...], channels: int) -> list[sympy.Expr]:
    """``L - R`` for every coefficient of every output of both sides on an input of ``shape``."""
    ring = ring_nd(lhs, rhs)
    (_, left), (_, right) = (forms_nd(side, shape, ring, channels) for side in (lhs, rhs))
    zero = sympy.Integer(0)
    equations = []
    for out in sorted(set(left) | set(right)):
        a, b = left.get(out, {}), right.get(out, {})
        for key in sorted(set(a) | set(b)):
            difference = sympy.expand((ring.to_expr(a[key]) if key in a else zero)
                                      - (ring.to_expr(b[key]) if key in b else zero))
            if difference != 0:
                equations.append(difference)
    return equations


def prove_nd_with_unknowns(lhs, rhs, names: Sequence[str], seed: int = 0):
    """Solve the N-D statement for the named kernels, then prove it with the solution substituted."""
    from symconv.prover.proof import Proof, as_layers, prove

    lhs, rhs = as_layers(lhs, rhs)
    original = (lhs, rhs)
    unknowns = _unknowns(lhs, rhs, names)
    for side in (lhs, rhs):
        nonlinear = [layer for layer in side.layers() if not layer.linear]
        if nonlinear:
            raise SolveError(f"--solve {', '.join(names)}: {side!r} has the nonlinear layer {nonlinear[0]!r}; "
                             f"expected two linear chains (solving reads the coefficients of linear forms)")
    channels = statement_channels(lhs, rhs)
    shape = solving_shape(lhs, rhs)
    if math.prod(shape) > MAX_SOLVE_SAMPLES:
        raise SolveError(f"--solve {', '.join(names)}: the equations would be read from an input of shape {shape}, "
                         f"more than {MAX_SOLVE_SAMPLES} samples")
    if output_shape(lhs, shape) != output_shape(rhs, shape):
        return prove(lhs, rhs, seed=seed)  # no kernel changes a length: the lengths refute it
    taps = {n: s.grid() for n, s in unknowns.items()}
    variables = [t for n in names for t in taps[n].values()]
    equations = _equations(lhs, rhs, shape, channels)
    values = solve_linear(equations, variables, names)
    if values is None:
        return Proof(lhs, rhs, "refuted", note=f"no {', '.join(names)} makes the sides agree at the shape {shape}: "
                                               f"the {len(equations)} coefficient equations are inconsistent")
    sources = tuple(s for layer in (lhs, rhs) for k in layer.kernels() for s in k.symbols() if s.name not in names)
    sources = tuple({s.name: s for s in sources}.values())
    solutions = {}
    for n in names:
        solved = {index: sympy.expand(values[t]) for index, t in taps[n].items()}
        replacement = DerivedKernel(nested(solved, unknowns[n].shape), sources)
        lhs, rhs = substitute_kernel(lhs, n, replacement), substitute_kernel(rhs, n, replacement)
        solutions[n] = _as_written(replacement.values, unknowns[n])
    return with_solutions(original, (lhs, rhs), prove(lhs, rhs, seed=seed), names, solutions,
                          f"the sides agree at the shape {shape}")
