"""Checks that can fail: a ``checked`` theorem run again with its constant off by 5 %.

A ``checked`` verdict rests on statistics or floating point, so it says
something only if the same check *refutes* the statement with a wrong
constant. :func:`perturbations` lists the perturbed runs of a theorem:

* an expectation (Monte Carlo): the closed form ``v`` replaced by ``1.05 v``
  and by ``0.95 v``;
* an inequality ``q <= b``: the bound replaced by ``0.95 b`` (so the check
  must come within 5 % of the bound on some case, or it cannot tell a wrong
  constant from a right one);
* any other check: the functions its declaration gives as ``perturbed=``
  (the same check with its constant, or its claimed limit, scaled by 1.05
  or 0.95).

Every perturbed run must end ``refuted``; ``tests/library`` runs them for
every ``checked`` theorem of ``proofs/``.

>>> from symconv.library.registry import expectation
>>> t = expectation("half", lambda rng, size: rng.uniform(size=size), 0.5, statement="E[U] = 1/2")
>>> [p.label for p in perturbations(t)]
['value x 1.05', 'value x 0.95']
>>> [p.run().verdict for p in perturbations(t)]
['refuted', 'refuted']
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from symconv.library.evidence import Evidence
from symconv.library.specs import ExpectationSpec, InequalitySpec, Theorem

__all__ = ["RELATIVE", "Perturbation", "perturbations"]

#: The relative error every ``checked`` theorem must be able to detect.
RELATIVE = 0.05


@dataclass(frozen=True)
class Perturbation:
    """One perturbed run: ``label`` says what was changed, ``run()`` returns the Evidence."""

    label: str
    run: Callable[[], Evidence]


def _as_evidence(t: Theorem) -> Callable[[], Evidence]:
    def run() -> Evidence:
        from symconv.library.run import run_theorem

        r = run_theorem(t)
        return Evidence(r.verdict, r.detail, r.data, r.counterexample)
    return run


def _scaled_value(spec: ExpectationSpec, factor: float) -> ExpectationSpec:
    value = spec.value
    scaled = (lambda: factor * float(value())) if callable(value) else factor * float(value)
    return replace(spec, value=scaled, symbolic=None)


def _scaled_bound(spec: InequalitySpec, factor: float) -> InequalitySpec:
    bound = spec.bound
    return replace(spec, bound=lambda case: factor * float(bound(case)))


def perturbations(t: Theorem) -> tuple[Perturbation, ...]:
    """The perturbed runs of ``t`` (see the module docstring); empty when it declares none."""
    found = []
    if isinstance(t.spec, ExpectationSpec):
        for factor in (1 + RELATIVE, 1 - RELATIVE):
            found.append(Perturbation(f"value x {factor:g}",
                                      _as_evidence(replace(t, spec=_scaled_value(t.spec, factor)))))
    elif isinstance(t.spec, InequalitySpec):
        factor = 1 - RELATIVE
        found.append(Perturbation(f"bound x {factor:g}", _as_evidence(replace(t, spec=_scaled_bound(t.spec, factor)))))
    for i, run in enumerate(t.perturbed):
        found.append(Perturbation(f"declared perturbation {i + 1}", run))
    return tuple(found)
