"""Tolerances through ``relu()``, max-pool layers and residual sums: ``prove(L, R, atol=...)``.

``L`` and ``R`` are trees of affine blocks (``A_j`` on the lhs, ``B_j`` on the
rhs) joined by the same ``relu()`` or padding-free max-pool layers and by sums
of branches paired in order (a residual block ``f + pad(0)``). The bound of
:mod:`symconv.checker.tolerance_network`, on ``|x| <= 1``, carries ``(e, r)``
from ``(0, 1)``: a block gives ``(D(r) + Lip e, N(r))``, a relu() / max-pool
keeps it, a sum gives the sums of its branches' values; for a chain

    e_0 = 0, r_0 = 1,   e_j = D_j(r_{j-1}) + Lip_j e_{j-1},   r_j = N_j(r_{j-1}),

``D_j(r) = sup (r sum |d| + |delta|)`` over the rows of ``A_j - B_j``,
``N_j(r) = sup (r sum |a| + |a_0|)`` over those of ``A_j``, ``Lip_j = sup sum |b|``
over those of ``B_j``, each sup over every input shape (the finite-horizon
lemma of :mod:`symconv.prover.worst_case` per block). ``|L x - R x| <= e``:
``e <= atol`` proves the tolerance (through the kernel's rule
``tolerance_network``). ``e > atol`` says nothing (the bound may be loose):
an input exceeding atol, found numerically and confirmed exactly, refutes it;
otherwise the verdict is ``unknown`` with the bound in the note.

>>> p = prove_network("conv([1, 1/2]) >> relu()", "conv([1, 501/1000]) >> relu()", atol="1/1000")
>>> p.verdict, p.rests_on
('proved', ('tolerance: atol=1/1000, rtol=0',))
>>> r = prove_network("(conv([1/2]) >> relu()) + pad(0)", "(conv([501/1000]) >> relu()) + pad(0)", atol="1/1000")
>>> r.verdict, r.certificate.steps[0].get("sums")[0]["error"]
('proved', '1/1000')
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.tolerance import tolerance_entry
from symconv.checker.tolerance_network import NetworkTree, network_tree
from symconv.core.layers import Flip, Layer, MaxPool, ReLU
from symconv.errors import CertificateError, NotInFragment, shorten
from symconv.numeric.check import NumericReport
from symconv.prover.proof import Proof, ProofStep, ToleranceBound, proved_by_kernel
from symconv.prover.worst_case import Outcome, analyse, leaf_layers, nested_tuple, quote_statement, row_sums

__all__ = ["is_network", "network_bound", "NetworkBound", "BlockBound", "SumBound", "prove_network"]

#: Random inputs tried per shape when the bound exceeds atol (the search for an input that does).
SEARCH_TRIALS = 64


@dataclass(frozen=True)
class BlockBound:
    """One block's exact sups for the reach ``r`` of its input (module doc) and its per-axis ``[start, period,
    limit]`` windows."""

    difference: Fraction
    reach: Fraction
    lipschitz: Fraction
    axes: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True)
class NetworkBound:
    """A sequence's blocks' sups, its sums' bounds in order, and its value ``(e, r)``: ``bound`` = e bounds
    ``|L x - R x|`` over every shape and ``|x| <= 1`` (for the whole sides), ``reach`` = r bounds ``|L x|``."""

    blocks: tuple[BlockBound, ...]
    bound: Fraction
    reach: Fraction
    sums: tuple["SumBound", ...] = ()

    def all_blocks(self) -> tuple[BlockBound, ...]:
        """The blocks of the sequence and of every branch under it."""
        return self.blocks + tuple(block for s in self.sums for branch in s.branches for block in branch.all_blocks())


@dataclass(frozen=True)
class SumBound:
    """A sum's branches' bounds and its value ``(e, r) = (sum_b e_b, sum_b r_b)``."""

    branches: tuple[NetworkBound, ...]
    error: Fraction
    reach: Fraction


def is_network(lhs: Layer, rhs: Layer) -> bool:
    """Whether a side applies a ``relu()`` or max-pool anywhere (between its layers or inside a sum)."""
    return any(isinstance(layer, (ReLU, MaxPool)) for side in (lhs, rhs) for layer in leaf_layers(side))


def _sequence_bound(tree: NetworkTree, error: Fraction, reach: Fraction, ndim: int,
                    context: str) -> Union[NetworkBound, Outcome]:
    """The value of a sequence from ``(error, reach)`` at its input, with every block's sups and every sum's."""
    found, sums = [], []
    for j, (a, b, channels) in enumerate(tree.blocks):
        if j and isinstance(tree.joints[j - 1], tuple):
            branches = [_sequence_bound(t, error, reach, ndim, f"{context}sum {len(sums) + 1}, branch {i + 1}, ")
                        for i, t in enumerate(tree.joints[j - 1])]
            failed = [branch for branch in branches if isinstance(branch, Outcome)]
            if failed:
                return failed[0]
            error = sum((branch.bound for branch in branches), Fraction(0))
            reach = sum((branch.reach for branch in branches), Fraction(0))
            sums.append(SumBound(tuple(branches), error, reach))
        def name() -> str:  # printed only in a note: a block's repr lists its weights
            return f"{context}block {j + 1} ({shorten(repr(a))} against {shorten(repr(b))})"

        if any(isinstance(layer, Flip) for side in (a, b) for layer in leaf_layers(side)):
            return Outcome(f"{name()} has a flip(); a tolerance through relu() / max-pool layers is proved for "
                           f"flip-free blocks")
        sides = analyse(a, b, channels, ndim)
        if isinstance(sides, Outcome):
            return Outcome(f"{name()}: {sides.note}")
        rows = row_sums(sides)
        difference = max((reach * d + delta for d, delta, _, _, _ in rows), default=Fraction(0))
        own = max((reach * s + a_0 for _, _, s, a_0, _ in rows), default=Fraction(0))
        lipschitz = max((s for _, _, _, _, s in rows), default=Fraction(0))
        found.append(BlockBound(difference, own, lipschitz, tuple((x.start, x.period, x.limit) for x in sides.axes)))
        error, reach = difference + lipschitz * error, own
    return NetworkBound(tuple(found), error, reach, tuple(sums))


def network_bound(lhs: Layer, rhs: Layer) -> Union[NetworkBound, Outcome]:
    """The exact bound e and every block's and sum's values, or why a block's rows cannot be compared."""
    try:
        tree = network_tree(lhs, rhs, "a tolerance through relu() / max-pool layers")
    except CertificateError as err:
        raise NotInFragment(f"{quote_statement(lhs, rhs)}: {err}") from None
    return _sequence_bound(tree, Fraction(0), Fraction(1), max(lhs.ndim, rhs.ndim), "")


def _sequence_fields(bound: NetworkBound) -> dict:
    """A sequence's claims (:mod:`symconv.checker.tolerance_network`): ``sums`` only where it adds branches."""
    fields = {"axes": [[list(a) for a in block.axes] for block in bound.blocks],
              "difference": [str(block.difference) for block in bound.blocks],
              "lipschitz": [str(block.lipschitz) for block in bound.blocks],
              "reach": [str(block.reach) for block in bound.blocks]}
    if bound.sums:
        fields["sums"] = [{"branches": [_sequence_fields(branch) for branch in s.branches], "error": str(s.error),
                           "reach": str(s.reach)} for s in bound.sums]
    return fields


def _certificate(lhs: Layer, rhs: Layer, bound: NetworkBound, atol: Fraction) -> Certificate:
    data = tuple(sorted({"atol": str(atol), "bound": str(bound.bound), **_sequence_fields(bound)}.items()))
    where = f"{len(bound.blocks)} affine blocks between the same relu() / max-pool layers" if not bound.sums else \
        f"{len(bound.all_blocks())} affine blocks between the same relu() / max-pool layers and sums of branches"
    statement = f"{where}: |L x - R x| <= {'e' if bound.sums else 'e_k'} = {bound.bound} <= atol on |x| <= 1 for " \
                f"every shape"
    return Certificate(repr(lhs), repr(rhs), (CertificateStep(Rule.TOLERANCE_NETWORK, data, statement),))


def _steps(bound: NetworkBound, atol: Fraction) -> tuple[ProofStep, ...]:
    chain = "; ".join(f"block {j + 1}: D = {float(b.difference):.6g}, Lip = {float(b.lipschitz):.6g}, "
                      f"N = {float(b.reach):.6g}" for j, b in enumerate(bound.blocks))
    sums = f", and {len(bound.sums)} sum{'s' if len(bound.sums) > 1 else ''} of branches paired in order, each " \
           f"branch the same way" if bound.sums else ""
    steps = [
        ProofStep("network_blocks", f"both sides apply the same relu() / max-pool layers between {len(bound.blocks)} "
                                    f"affine blocks A_j (lhs) and B_j (rhs){sums}"),
        ProofStep("block_sups", f"over every input shape of each block (finite horizon per block), with r the "
                                f"reach of its input: D = sup r sum|d| + |delta| of A_j - B_j, N = sup r sum|a| + "
                                f"|a_0| of A_j, Lip = sup sum|b| of B_j ({chain})"),
    ]
    if bound.sums:
        values = "; ".join(f"sum {i + 1}: e = {float(s.error):.6g}, r = {float(s.reach):.6g}"
                           for i, s in enumerate(bound.sums))
        steps.append(ProofStep("branch_sums", f"a sum of branches paired in order adds their bounds (the sup norm of "
                                              f"a sum is at most the sum of the sup norms): e = sum e_b, r = sum r_b "
                                              f"({values})"))
    steps.append(ProofStep("lipschitz_chain", f"relu() and max-pool are 1-Lipschitz in the sup norm: e_j = D_j + "
                                              f"Lip_j e_(j-1) bounds |L x - R x|: {'e' if bound.sums else 'e_k'} = "
                                              f"{bound.bound} ~ "
                                              f"{float(bound.bound):.6g} ({'<=' if bound.bound <= atol else '>'} "
                                              f"atol = {atol})"))
    return tuple(steps)


def _shapes(bound: NetworkBound, ndim: int) -> list[tuple[int, ...]]:
    """A few input shapes: those at the largest limits of the blocks and past them."""
    blocks = bound.all_blocks()
    limits = [max(block.axes[axis][2] for block in blocks) for axis in range(ndim)] if blocks else [4] * ndim
    return list(dict.fromkeys([tuple(limit for limit in limits), tuple(limit + 3 for limit in limits),
                               tuple(max(limit - 1, 1) for limit in limits)]))


def _search(lhs: Layer, rhs: Layer, bound: NetworkBound, channels: int, ndim: int, seed: int):
    """The largest ``|L x - R x|`` seen at random corners and points of the box (float64), its input and shape
    (``0.0, None, None`` when no output exists), and the number of inputs tried."""
    from symconv.numeric import evaluate_nd_numeric, evaluate_numeric

    run = evaluate_numeric if ndim == 1 else evaluate_nd_numeric
    rng = np.random.default_rng(seed)
    best, trials = (0.0, None, None), 0
    for shape in _shapes(bound, ndim):
        candidates = [np.ones((channels, *shape)), -np.ones((channels, *shape))]
        candidates += [rng.choice([-1.0, 1.0], size=(channels, *shape)) for _ in range(SEARCH_TRIALS)]
        candidates += [rng.uniform(-1.0, 1.0, size=(channels, *shape)) for _ in range(SEARCH_TRIALS // 4)]
        for x in candidates:
            a, b = run(lhs, x), run(rhs, x)
            trials += 1
            if a.size and a.shape == b.shape:
                seen = float(np.max(np.abs(a - b)))
                if seen > best[0]:
                    best = (seen, x, shape)
    return (*best, trials)


def _exact_sample(value: float):
    """A sample of a float input as an exact number in [-1, 1]: an int, or a rational near it."""
    q = Fraction(float(value)).limit_denominator(2 ** 20)
    return int(q) if q.denominator == 1 else sympy.Rational(q.numerator, q.denominator)


def _refutation(lhs: Layer, rhs: Layer, x: np.ndarray, shape: tuple, atol: Fraction):
    """The counterexample at ``x`` when the exact outputs differ by more than atol somewhere, else None."""
    from symconv.prover.tolerance import tolerance_counterexample, exact_outputs

    exact = nested_tuple(np.vectorize(_exact_sample, otypes=[object])(x).tolist())
    a, b = exact_outputs(lhs, rhs, exact, shape)
    if a.shape != b.shape or not a.size:
        return None, Fraction(0)
    gaps = np.vectorize(lambda p, q: abs(Fraction(p) - Fraction(q)), otypes=[object])(a, b)
    output = np.unravel_index(int(np.argmax(gaps)), gaps.shape)
    gap = gaps[output]
    if gap <= atol:
        return None, gap
    return tolerance_counterexample(lhs, rhs, shape, exact, a, b, tuple(int(i) for i in output)), gap


def prove_network(lhs: Union[str, Layer], rhs: Union[str, Layer], atol: object = None, rtol: object = None,
                  seed: int = 0) -> Proof:
    """``proved`` when the bound e_k (module doc) is at most ``atol``; ``refuted`` with an input exceeding atol
    (confirmed exactly); else ``unknown``. ``rtol`` must be 0: a relative tolerance is refused."""
    from symconv.prover.tolerance import tolerance_value
    from symconv.prover.worst_case import read_sides

    atol_q = tolerance_value(0 if atol is None else atol, "atol")
    rtol_q = tolerance_value(0 if rtol is None else rtol, "rtol")
    lhs, rhs = read_sides(lhs, rhs)
    if rtol_q:
        raise NotInFragment(f"rtol={rtol_q} with relu() / max-pool layers, in {quote_statement(lhs, rhs)}: a "
                            f"tolerance through nonlinear layers is proved for atol only (rtol=0)")
    rests_on = (tolerance_entry(atol_q, rtol_q),)
    stated = ToleranceBound(atol_q, rtol_q)
    bound = network_bound(lhs, rhs)
    if isinstance(bound, Outcome):
        return Proof(lhs, rhs, "unknown", note=bound.note, rests_on=rests_on, tolerance=stated)
    ndim, channels = max(lhs.ndim, rhs.ndim), lhs.in_channels or rhs.in_channels or 1
    steps = _steps(bound, atol_q)
    seen, x, shape, trials = _search(lhs, rhs, bound, channels, ndim, seed)
    if seen > bound.bound * (1 + 1e-9) + 1e-12:
        raise AssertionError(f"an input with |x| <= 1 gives |L x - R x| = {seen}, above the bound {bound.bound}")
    if bound.bound <= atol_q:
        report = NumericReport(trials, seen, float(atol_q), None, trials)
        return proved_by_kernel(lhs, rhs, _certificate(lhs, rhs, bound, atol_q), rests_on=rests_on, steps=steps,
                                numeric=report, tolerance=stated,
                                note=f"|L x - R x| <= {bound.bound} ~ {float(bound.bound):.6g} on |x| <= 1")
    example, gap = (None, Fraction(0)) if x is None or seen <= float(atol_q) * 0.999 else \
        _refutation(lhs, rhs, x, shape, atol_q)
    if example is not None:
        return Proof(lhs, rhs, "refuted", steps=steps, counterexample=example, rests_on=rests_on, tolerance=stated,
                     note=f"at input shape {list(shape)} an input with |x| <= 1 makes the sides differ by {gap} ~ "
                          f"{float(gap):.6g}, more than atol = {atol_q} (exact evaluation)")
    return Proof(lhs, rhs, "unknown", steps=steps, rests_on=rests_on, tolerance=stated,
                 note=f"the bound |L x - R x| <= {bound.bound} ~ {float(bound.bound):.6g} exceeds atol = {atol_q}, "
                      f"and no input tried exceeds atol (largest seen {seen:.6g}); the bound may be loose")
