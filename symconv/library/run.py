"""Running theorems: one :class:`~symconv.library.results.TheoremResult` per theorem, and :func:`check` for a
library (the results, their summary and text are in :mod:`symconv.library.results`).

A theorem *passes* when its verdict is the verdict it expects. Verdicts:

* identities (:func:`~symconv.library.registry.theorem`): the verdict of
  :func:`symconv.prove` -- ``proved`` only from the decision procedure, for
  every input length; with ``sizes`` every listed instance must be proved
  (one refuted instance refutes the theorem). A statement the DSL cannot
  express yet (N-D layers) is ``unknown``, with the parser's reason.
* shapes: :func:`~symconv.library.lengths.compare_lengths` (exact, every n).
* inequalities: ``checked`` when ``quantity <= bound`` holds on every case,
  else ``refuted`` with the worst case.
* expectations: ``proved`` when the symbolic argument succeeds -- a SymPy
  bool, or :class:`~symconv.library.facts.KernelFacts` whose every fact the
  kernel replayed (the Monte Carlo check must then agree), else ``checked``
  when the closed form lies in the confidence interval, ``refuted`` when it
  does not.
* ``check=`` functions: their own verdict, once the identities and length
  formulas named in ``certify=`` are proved and replayed by the kernel (one
  that is not proved gives the theorem its verdict); a ``proved`` whose data
  holds a fact the kernel rejected (``rejected_facts``) is ``unknown``.

Every proved identity and length formula carries ``data["replayed"]`` (the
kernel replayed its certificate); :meth:`CheckReport.summary` counts the
proved claims without one, by what they rest on.

Any exception inside a check is the verdict ``error`` (never a pass), except
one: evidence that needs an optional package which is not installed (PyTorch,
scikit-image; :mod:`symconv.library.optional`) is the verdict ``skipped``,
with the reason. A skipped theorem is not a failure, and not a pass of its claim.

>>> from symconv.library.registry import theorem
>>> r = run_theorem(theorem("noble", lhs="down(2) >> conv(k[3])", rhs="conv(dilate(k, 2)) >> down(2)"))
>>> r.verdict, r.passed
('proved', True)
"""

from __future__ import annotations

import math
import time
import traceback
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Union

import numpy as np

from symconv.core.layers import Layer
from symconv.errors import PythonPackageMissing, SymconvError
from symconv.library.evidence import Evidence, mean_ci
from symconv.library.facts import KernelFacts
from symconv.library.optional import OPTIONAL_PACKAGES
from symconv.library.specs import (
    CustomSpec,
    ExpectationSpec,
    IdentitySpec,
    InequalitySpec,
    ShapesSpec,
    Theorem,
    VERDICTS,
)
from symconv.library.results import SKIPPED, CheckReport, TheoremResult, format_failure, format_table, jsonable

__all__ = ["TheoremResult", "CheckReport", "run_theorem", "run_theorems", "check", "format_table",
           "format_failure", "SKIPPED"]


# --- identities -------------------------------------------------------------------------------

def _not_yet_expressible(err: SymconvError) -> bool:
    # The parser says "not supported yet" for planned features (N-D layers and kernels).
    return "not supported yet" in str(err)


def _run_identity(spec: IdentitySpec) -> Evidence:
    from symconv.dsl import parse_statement
    from symconv.prover import prove
    from symconv.library.instances import instantiate, size_grid

    lhs, rhs = parse_statement(spec.lhs, spec.rhs)
    # Lengths without listed instances stay generic: prove decides them for every value at once.
    proofs = []
    for sizes in size_grid(spec.sizes) if spec.sizes else [{}]:
        proof = prove(instantiate(lhs, sizes), instantiate(rhs, sizes), seed=spec.seed, assume=spec.assume)
        proofs.append((sizes, proof))
        if proof.verdict in ("refuted", "unknown"):
            break
    sizes, last = proofs[-1]
    where = (" at " + ", ".join(f"{k} = {v}" for k, v in sizes.items())) if sizes else ""
    data = {"instances": [{"sizes": s, "verdict": p.verdict} for s, p in proofs],
            # every instance's certificate replayed by the kernel (symconv.checker), and what the proofs rest on
            "replayed": all(p.theorem is not None for _, p in proofs),
            "rests_on": sorted({entry for _, p in proofs for entry in p.rests_on})}
    if last.verdict == "refuted":
        if last.counterexample is not None:
            example = last.counterexample.to_json()
        else:  # nonlinear chains: the numeric mismatch is the witness
            example = dict((last.numeric.mismatch or {}) if last.numeric else {})
        if sizes:
            example["sizes"] = dict(sizes)
        return Evidence("refuted", f"refuted{where}: {last.note}", data, example)
    if last.verdict == "unknown":
        return Evidence("unknown", f"unknown{where}: {last.note}", data)
    verdicts = {p.verdict for _, p in proofs}
    verdict = "checked" if "checked" in verdicts else "proved"
    scope = (f" for {len(proofs)} instance(s) " + "; ".join(
        ", ".join(f"{k}={v}" for k, v in s.items()) for s, _ in proofs)) if spec.sizes else ""
    detail = f"{verdict}{scope}: {last.note}" if scope else last.note
    if last.numeric is not None:
        data["numeric"] = last.numeric.to_json()
    return Evidence(verdict, detail, data)


# --- shapes -----------------------------------------------------------------------------------

def _run_shapes(spec: ShapesSpec) -> Evidence:
    from symconv.dsl import parse_statement
    from symconv.library.instances import instantiate, size_grid
    from symconv.library.lengths import compare_lengths, lengths_at

    texts = [spec.lhs] + ([spec.rhs] if spec.rhs is not None else [])
    layers = parse_statement(*texts)
    outcomes = []
    for sizes in size_grid(spec.sizes) if spec.sizes else [{}]:
        lhs = instantiate(layers[0], sizes)
        if spec.at:
            ev = lengths_at(lhs, spec.at)
        else:
            target = instantiate(layers[1], sizes) if spec.rhs is not None else spec.length
            ev = compare_lengths(lhs, target, modulus=spec.modulus, residues=spec.residues, min_n=spec.min_n)
            if ev.verdict == "proved":
                ev = _replay_length(lhs, target, spec, ev)
        outcomes.append((sizes, ev))
        if ev.verdict != "proved":
            where = (" at " + ", ".join(f"{k} = {v}" for k, v in sizes.items())) if sizes else ""
            example = dict(ev.counterexample or {}, **({"sizes": sizes} if sizes else {})) or None
            return Evidence(ev.verdict, ev.detail + where, ev.data, example)
    if len(outcomes) == 1:
        return outcomes[0][1]
    data = {"instances": [dict(sizes=s, **ev.data) for s, ev in outcomes]}
    if all("replayed" in ev.data for _, ev in outcomes):
        data.update(replayed=all(ev.data["replayed"] is True for _, ev in outcomes), rests_on=[])
    return Evidence("proved", f"{outcomes[-1][1].detail}; for each of {len(outcomes)} instance(s)", data)


def _replay_length(chain: Layer, target, spec: ShapesSpec, evidence: Evidence) -> Evidence:
    """A proved length claim (``target``: a formula or a chain), replayed by the kernel's ``length_formula``
    rule (``data["replayed"]``).

    A formula the kernel's data cannot state (not quasi-affine) keeps its verdict without a
    certificate; a certificate the kernel rejects makes the verdict ``unknown``.
    """
    from symconv.checker import replay
    from symconv.errors import CertificateError
    from symconv.prover.certify import length_certificate

    certificate = length_certificate(chain, target, period=evidence.data["period"],
                                     start=evidence.data["start"], min_n=spec.min_n, modulus=spec.modulus,
                                     residues=spec.residues)
    if certificate is None:
        return evidence
    try:
        theorem = replay(certificate)
    except CertificateError as err:
        return Evidence("unknown", f"the search found {evidence.detail}, but the kernel rejected its certificate: "
                                   f"{' '.join(str(err).split())}", dict(evidence.data, replayed=False))
    return Evidence(evidence.verdict, f"{evidence.detail}; replayed by the kernel for {theorem.scope}",
                    dict(evidence.data, replayed=True, rests_on=list(theorem.rests_on)))


# --- inequalities and expectations ------------------------------------------------------------

def _run_inequality(spec: InequalitySpec) -> Evidence:
    worst_ratio, worst_case, rows = -math.inf, None, []
    for case in spec.cases:
        q, b = float(spec.quantity(case)), float(spec.bound(case))
        rows.append({"case": case, "quantity": q, "bound": b})
        if not (math.isfinite(q) and math.isfinite(b)):
            return Evidence("refuted", f"non-finite value at case {case!r}: {q} against {b}", {"cases": rows},
                            {"case": jsonable(case), "quantity": q, "bound": b})
        if q > b + spec.rtol * abs(b):
            return Evidence("refuted", f"{q:.6g} > {b:.6g} at case {case!r}", {"cases": rows},
                            {"case": jsonable(case), "quantity": q, "bound": b})
        ratio = q / b if b else (0.0 if q <= 0 else math.inf)
        if ratio > worst_ratio:
            worst_ratio, worst_case = ratio, case
    return Evidence("checked", f"holds on {len(rows)} case(s); tightest quantity/bound = {worst_ratio:.4g} "
                               f"at {worst_case!r}", {"cases": rows, "tightest_ratio": worst_ratio})


def _run_expectation(spec: ExpectationSpec) -> Evidence:
    value = float(spec.value() if callable(spec.value) else spec.value)
    rng = np.random.default_rng(spec.seed)
    draws = np.asarray(spec.sample(rng, spec.samples), dtype=float).ravel()
    ci = mean_ci(draws, spec.level)
    data = {"value": value, "monte_carlo": ci.to_json(), "seed": spec.seed}
    inside = ci.contains(value)
    if spec.symbolic is not None:
        # a symbolic argument is a bool (SymPy), or the kernel's verdicts on its exact facts (KernelFacts)
        outcome = spec.symbolic()
        facts = outcome if isinstance(outcome, KernelFacts) else None
        exact = facts.replayed if facts is not None else bool(outcome)
        data["symbolic"] = exact
        if facts is not None:
            data.update(facts.data())
        if exact and not inside:
            raise AssertionError(f"symbolic proof succeeded but Monte Carlo {ci} excludes {value:.6g}")
        if exact:
            how = "SymPy proves the closed form" if facts is None else facts.describe() + (
                f", resting on {len(facts.rests_on)} step(s) outside the kernel (rests_on)" if facts.rests_on else "")
            return Evidence("proved", f"{how}; Monte Carlo {ci} contains {value:.6g}", data)
        if facts is not None and inside:
            return Evidence("checked", f"not proved ({facts.describe()}); Monte Carlo mean {ci} contains the closed "
                                       f"form {value:.6g}", data)
    if inside:
        return Evidence("checked", f"Monte Carlo mean {ci} contains the closed form {value:.6g}", data)
    return Evidence("refuted", f"Monte Carlo mean {ci} excludes the closed form {value:.6g}", data,
                    {"value": value, "monte_carlo": ci.to_json(), "seed": spec.seed})


def _run_certified_part(part) -> Evidence:
    return _run_identity(part) if isinstance(part, IdentitySpec) else _run_shapes(part)


def _run_custom(spec: CustomSpec) -> Evidence:
    """The check's verdict, after the parts of the claim in ``certify=`` are proved and replayed.

    A part that is not proved gives the theorem its verdict (the claim fails with it). ``data["replayed"]``
    is set when the claim has certified parts (declared, or reported by the check from its own proofs,
    :func:`~symconv.library.evidence.replayed_by_kernel`): true only when every one was replayed.
    """
    parts = []
    for part in spec.certified:
        ev = _run_certified_part(part)
        statement = f"{part.lhs}  ==  {part.rhs}" if isinstance(part, IdentitySpec) else \
            f"len({part.lhs}) = {part.length} for n >= {part.min_n}"
        parts.append({"statement": statement, "verdict": ev.verdict, "replayed": ev.data.get("replayed") is True})
        if ev.verdict != "proved":
            return Evidence(ev.verdict, f"certified part {statement}: {ev.detail}",
                            {"custom_check": True, "certified_parts": parts, "replayed": False}, ev.counterexample)
    evidence = spec.check()
    if not isinstance(evidence, Evidence):
        raise TypeError(f"a check= function must return an Evidence, not {type(evidence).__name__}")
    if evidence.verdict not in VERDICTS:
        raise ValueError(f"a check returned the verdict {evidence.verdict!r}; expected one of {VERDICTS}")
    data = dict(evidence.data, custom_check=True)
    if evidence.verdict == "proved" and data.get("rejected_facts"):  # a fact the kernel refused proves nothing
        return Evidence("unknown", f"the check's argument needs exact facts the kernel rejected: "
                                   f"{data['rejected_facts'][0]}", dict(data, replayed=False), evidence.counterexample)
    if parts:
        data["certified_parts"] = parts
        data["replayed"] = all(p["replayed"] for p in parts) and data.get("replayed", True) is True
    detail = evidence.detail
    if parts and evidence.verdict == "proved":
        identities = sum(isinstance(part, IdentitySpec) for part in spec.certified)
        counts = ((identities, "identity", "identities"),
                  (len(parts) - identities, "length formula", "length formulas"))
        named = [f"{k} {one if k == 1 else many}" for k, one, many in counts if k]
        detail += f"; {' and '.join(named)} of the claim replayed by the kernel"
    return Evidence(evidence.verdict, detail, data, evidence.counterexample)


_RUNNERS: dict[type, Callable] = {
    IdentitySpec: _run_identity,
    ShapesSpec: _run_shapes,
    InequalitySpec: _run_inequality,
    ExpectationSpec: _run_expectation,
    CustomSpec: _run_custom,
}


def run_theorem(t: Theorem) -> TheoremResult:
    """Run one theorem; exceptions become the verdict ``error`` with the message as detail."""
    start = time.perf_counter()
    try:
        try:
            evidence = _RUNNERS[type(t.spec)](t.spec)
        except PythonPackageMissing as err:
            evidence = Evidence(SKIPPED, " ".join(str(err).split()))
        except ModuleNotFoundError as err:
            module = (err.name or "").split(".")[0]
            if module not in OPTIONAL_PACKAGES:
                raise
            evidence = Evidence(SKIPPED, f"needs the Python module {module}, which is not installed; install it "
                                         f"with `pip install {OPTIONAL_PACKAGES[module]}`")
        except SymconvError as err:
            if not _not_yet_expressible(err):
                raise
            evidence = Evidence("unknown", f"cannot be stated yet: {' '.join(str(err).split())}")
    except Exception as err:  # a broken check must fail loudly, never pass
        where = traceback.extract_tb(err.__traceback__)[-1]
        message = " ".join(str(err).split())
        evidence = Evidence("error", f"{type(err).__name__}: {message} ({Path(where.filename).name}:{where.lineno})")
    seconds = time.perf_counter() - start
    return TheoremResult(t.name, t.file, t.claims, t.expect, evidence.verdict, seconds, t.note, t.kind,
                         t.statement, evidence.detail, evidence.counterexample, dict(evidence.data))


# --- libraries --------------------------------------------------------------------------------

def run_theorems(theorems: Iterable[Theorem],
                 progress: Optional[Callable[[int, int, Theorem, Optional[TheoremResult]], None]] = None
                 ) -> list[TheoremResult]:
    """Run theorems in order; ``progress(i, total, theorem, result)`` is called before and after each."""
    theorems = list(theorems)
    results = []
    for i, t in enumerate(theorems):
        if progress:
            progress(i, len(theorems), t, None)
        result = run_theorem(t)
        results.append(result)
        if progress:
            progress(i, len(theorems), t, result)
    return results


def check(paths: Union[None, str, Path, Sequence[Union[str, Path]]] = None,
          progress: Optional[Callable[[int, int, Theorem, Optional[TheoremResult]], None]] = None) -> CheckReport:
    """Run every theorem in ``paths`` (files or directories; default: :func:`default_paths`).

    >>> report = check(Path(__file__).parents[2] / "proofs" / "classics_identities.py")  # doctest: +SKIP
    >>> report.passed  # doctest: +SKIP
    True
    """
    from symconv.library.load import default_paths, discover, load_file

    if paths is None:
        paths = default_paths()
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    start = time.perf_counter()
    files = discover(paths)
    theorems = [t for f in files for t in load_file(f)]
    results = run_theorems(theorems, progress)
    return CheckReport(tuple(results), time.perf_counter() - start, tuple(str(f) for f in files))
