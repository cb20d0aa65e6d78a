"""Solving for unknown kernels: ``prove(lhs, rhs, solve=["q"])``.

The taps of each unknown kernel are unknowns. The interior operators of the
two sides (:mod:`symconv.algebra.normal_form`) must be equal, which is a
system of polynomial equations, one per coefficient of every polyphase
branch; when the unknowns appear linearly it is solved exactly
(``sympy.linsolve`` over the field of the other taps). The solution is then
substituted and the identity decided as usual, so lengths and the ends are
checked too: ``proved`` with the closed forms, or ``refuted`` with the reason.

>>> p = prove_with_unknowns("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(q[7], stride=4)", ["q"])
>>> p.verdict, [str(t) for t in p.solutions["q"]][:2]
('proved', ['k_0**2', 'k_0*k_1'])
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.kernel import DerivedKernel, Kernel, KernelSymbol
from symconv.core.layers import Layer
from symconv.errors import SymconvError
from symconv.prover.decide import normal_forms

__all__ = ["prove_with_unknowns", "substitute_kernel", "with_solutions", "named_kernels", "solve_linear", "SolveError"]


class SolveError(SymconvError):
    """``--solve`` was asked for something it cannot do (unknown name, nonlinear unknown)."""


def substitute_kernel(obj, name: str, replacement: Kernel):
    """``obj`` (a layer or kernel) with every use of the named kernel replaced."""
    if isinstance(obj, KernelSymbol):
        return replacement if obj.name == name else obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(substitute_kernel(o, name, replacement) for o in obj)
    if dataclasses.is_dataclass(obj) and isinstance(obj, (Kernel, Layer)):
        changes = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, (Kernel, Layer)) or (
                    isinstance(value, tuple) and value and isinstance(value[0], (Kernel, Layer))):
                changes[f.name] = substitute_kernel(value, name, replacement)
        return dataclasses.replace(obj, **changes) if changes else obj
    return obj


def named_kernels(lhs: Layer, rhs: Layer, names: Sequence[str]) -> dict:
    """``{name: kernel symbol}`` for each name to solve for; SolveError naming the first one the statement lacks."""
    found = {s.name: s for layer in (lhs, rhs) for k in layer.kernels() for s in k.symbols()}
    missing = [n for n in names if n not in found]
    if missing:
        raise SolveError(f"--solve {missing[0]!r}: no kernel of that name in the statement; "
                         f"expected one of {sorted(found)}")
    return {n: found[n] for n in names}


def _unknown_symbols(lhs: Layer, rhs: Layer, names: Sequence[str]) -> dict[str, KernelSymbol]:
    found = named_kernels(lhs, rhs, names)
    for n in names:
        if not isinstance(found[n].length, int):
            raise SolveError(f"--solve {n!r}: give the unknown kernel a concrete length, e.g. {n}[7]")
    return found


def prove_with_unknowns(lhs: Union[str, Layer], rhs: Union[str, Layer], names: Sequence[str], seed: int = 0):
    """Solve for the named kernels, then prove the identity with the solution substituted."""
    from symconv.prover.proof import Proof, as_layers, prove

    lhs, rhs = as_layers(lhs, rhs)
    if max(lhs.ndim, rhs.ndim) >= 2:
        from symconv.prover.generic_nd import refuse_generic_nd
        from symconv.prover.solve_nd import prove_nd_with_unknowns

        refuse_generic_nd(lhs, rhs, "solve")

        return prove_nd_with_unknowns(lhs, rhs, names, seed=seed)
    original = (lhs, rhs)
    unknowns = _unknown_symbols(lhs, rhs, names)
    lnf, rnf = normal_forms(lhs, rhs)
    hl, hr = lnf.interior(), rnf.interior()
    if hl.rate != hr.rate:
        return Proof(lhs, rhs, "refuted", note=f"no kernel makes the sides equal: they run at different rates "
                                               f"{hl.rate} and {hr.rate} (outputs per inputs)")
    a, b = hl._common(hr)
    equations = []
    for pa, pb in zip(a.phases + (), b.phases):
        for ra, rb in zip(pa, pb):
            for ea, eb in zip(ra, rb):
                for coeff in (ea - eb).terms.values():
                    equations.append(lnf.ring.to_expr(coeff))
    for ba, bb in zip(a.bias, b.bias):
        equations.extend(lnf.ring.to_expr(x) - lnf.ring.to_expr(y) for x, y in zip(ba, bb))
    taps = {n: s.taps() for n, s in unknowns.items()}
    variables = [t for n in names for out in taps[n] for row in out for t in row]
    values = solve_linear(equations, variables, names)
    if values is None:
        return Proof(lhs, rhs, "refuted", note=f"no {', '.join(names)} makes the interior operators equal: "
                                               f"the {len(equations)} coefficient equations are inconsistent")
    sources = tuple({s.name: s for layer in (lhs, rhs) for k in layer.kernels() for s in k.symbols()}.values())
    substituted = rhs
    solutions = {}
    for n in names:
        solved = tuple(tuple(tuple(sympy.expand(values[t]) for t in row) for row in out) for out in taps[n])
        substituted = substitute_kernel(substituted, n, DerivedKernel(solved, sources))
        lhs = substitute_kernel(lhs, n, DerivedKernel(solved, sources))
        solutions[n] = [v for out in solved for row in out for v in row]
    return with_solutions(original, (lhs, substituted), prove(lhs, substituted, seed=seed), names, solutions,
                          "the interior operators match")


def solve_linear(equations: Sequence[sympy.Expr], variables: Sequence[sympy.Symbol],
                 names: Sequence[str]) -> Optional[dict]:
    """``{unknown tap: value}`` solving ``eq = 0`` for every equation (exactly, ``sympy.linsolve``; a free tap
    stays itself), or None when they are inconsistent; SolveError when an unknown appears nonlinearly."""
    for eq in equations:
        if eq != 0 and sympy.Poly(eq, *variables).total_degree() > 1:
            raise SolveError(f"--solve {', '.join(names)}: the unknowns appear nonlinearly ({eq} = 0); "
                             f"expected each unknown kernel to be used once, linearly")
    solution = sympy.linsolve(equations, variables) if equations else sympy.FiniteSet(tuple(variables))
    if solution == sympy.EmptySet:
        return None
    return dict(zip(variables, next(iter(solution))))


def with_solutions(original: tuple[Layer, Layer], sides: tuple[Layer, Layer], proof, names: Sequence[str],
                   solutions: dict, matched: str):
    """The proof of the statement ``original`` from the ``proof`` of its ``sides`` with the solutions written in.

    A proved one is replayed by the kernel once more, on the statement with the solutions written in, and its
    certificate names the solved kernels; ``matched`` says what the solutions were read from.
    """
    from symconv.prover.proof import proved_by_kernel

    note = proof.note
    if proof.verdict == "refuted":
        note = f"{matched} with {solutions}, but the identity still fails: {note}"
    if proof.verdict != "proved":
        return dataclasses.replace(proof, lhs=original[0], rhs=original[1], solutions=solutions, note=note)
    certificate = dataclasses.replace(proof.certificate, solved=tuple(names))
    fields = {f.name: getattr(proof, f.name) for f in dataclasses.fields(proof)
              if f.name not in ("lhs", "rhs", "verdict", "theorem", "certificate", "rests_on")}
    return proved_by_kernel(original[0], original[1], certificate, proof.rests_on, sides=sides,
                            **dict(fields, solutions=solutions, note=note))
