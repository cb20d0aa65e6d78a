"""``prove`` for N-D chains: the decision of :mod:`symconv.prover.decide_nd`, with counterexamples.

A refutation carries a :class:`CounterexampleNd` (the shape ``n`` as one
size per axis, input, kernel and parameter values, both outputs, the first
differing ``(channel, i1, ..., id)``), found on the exact linear forms and
re-verified with the numeric evaluator (exact mode) and the core's exact
semantics before it is reported. A ``proved`` verdict is made only by the
kernel (:func:`symconv.prover.proof.proved_by_kernel`) replaying the
certificate: ``interior_operator`` when the interior-operator shortcut
decided (both sides edge-free), ``product_bound`` otherwise, after
``flip_axes_conjugation`` and ``strip_input_flip_axes`` steps when the sides
have flips (moved to the inputs per axis and stripped).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from typing import Optional

import numpy as np
from symconv.lazy_import import sympy

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.core.layers import Layer
from symconv.core.semantics_nd import run_nd, signal_nd
from symconv.errors import ChainError, NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.numeric.symbols_nd import random_bindings_nd
from symconv.prover.decide_nd import DecisionNd, decide_flip_classes_nd, decide_nd
from symconv.prover.forms_nd import CONSTANT, forms_nd, ring_nd

__all__ = ["CounterexampleNd", "prove_nd", "numeric_check_nd", "refute_numerically_nd"]


def _plain(v: object) -> object:
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, sympy.Expr) and not v.is_Rational:
        return str(v)  # an exact real such as an l2pool's square root
    v = sympy.Rational(v)
    return int(v) if v.q == 1 else str(v)


@dataclass(frozen=True)
class CounterexampleNd:
    """``n`` is the input shape ``(n1, ..., nd)``; ``index`` the first differing ``(channel, i1, ..., id)``."""

    n: tuple[int, ...]
    input: tuple
    kernels: dict
    lhs: tuple
    rhs: tuple
    index: tuple[int, ...]
    sizes: tuple = ()

    def to_json(self) -> dict:
        return {"n": list(self.n), "input": _plain(self.input),
                "kernels": {k: _plain(v) for k, v in self.kernels.items()},
                "lhs": _plain(self.lhs), "rhs": _plain(self.rhs), "index": list(self.index),
                **({"sizes": dict(self.sizes)} if self.sizes else {})}


def _nested_array(values: object) -> object:
    """An object array as nested tuples of SymPy rationals."""
    if isinstance(values, np.ndarray):
        return tuple(_nested_array(v) for v in values) if values.ndim else _nested_array(values.item())
    return sympy.Rational(values)


def _values_by_name(ring, point: dict, layers) -> dict:
    """Kernel arrays and parameters by name, from tap values."""
    out: dict = {}
    taps_seen: set = set()
    for layer in layers:
        for step in layer.layers():
            for k in step.kernels():
                for s in k.symbols():
                    grid = s.grid()
                    taps_seen.update(grid.values())
                    array = np.zeros(s.shape, dtype=object)
                    for index, v in grid.items():
                        array[index] = point.get(v, 0)
                    out[s.name] = (array[0, 0] if len(s.dims) == s.axes else array).tolist()
    for symbol in ring.symbols:
        if symbol not in taps_seen:  # a parameter of a bias
            out[symbol.name] = point.get(symbol, 0)
    return out


def _evaluate(forms: dict, out_shape: tuple, channels: int, ring, values: list, x: np.ndarray) -> np.ndarray:
    """The outputs of the forms at tap values ``values`` and input ``x`` (exact), as an object array."""
    y = np.zeros((channels,) + out_shape, dtype=object)
    y[...] = sympy.Integer(0)
    for key, form in forms.items():
        total = sympy.Integer(0)
        for source, coeff in form.items():
            value = ring.value(coeff, values)
            total += value if source == CONSTANT else value * x[source]
        y[key] = total
    return y


def _first_difference(a: np.ndarray, b: np.ndarray) -> Optional[tuple[int, ...]]:
    if a.shape != b.shape:
        return (0,) + tuple(min(p, q) for p, q in zip(a.shape[1:], b.shape[1:]))
    for index in itertools.product(*(range(n) for n in a.shape)):
        if a[index] != b[index]:
            return index
    return None


def _counterexample(lhs: Layer, rhs: Layer, shape: tuple[int, ...], channels: int, seed: int,
                    trials: int = 200) -> Optional[CounterexampleNd]:
    rng = random.Random(seed)
    ring = ring_nd(lhs, rhs)
    (lshape, lforms), (rshape, rforms) = forms_nd(lhs, shape, ring, channels), forms_nd(rhs, shape, ring, channels)
    out_channels = lhs.out_channels(channels) or channels
    for trial in range(trials):
        spread = 2 if trial < trials // 2 else 9
        point = {s: rng.randint(-spread, spread) for s in ring.symbols}
        values = [point[s] for s in ring.symbols]
        x = np.array([sympy.Integer(rng.randint(-spread, spread)) for _ in range(channels * int(np.prod(shape)))],
                     dtype=object).reshape((channels,) + shape)
        a = _evaluate(lforms, lshape, out_channels, ring, values, x)
        b = _evaluate(rforms, rshape, out_channels, ring, values, x)
        index = _first_difference(a, b)
        if index is None:
            continue
        example = CounterexampleNd(shape, _nested_array(x), _values_by_name(ring, point, (lhs, rhs)),
                                   _nested_array(a), _nested_array(b), index)
        _reverify(lhs, rhs, example, point, x)
        return example
    return None


def _with_values(side: Layer, bindings: dict) -> Optional[Layer]:
    """``side`` with every named kernel replaced by the literal of its bound values (kernel expressions kept, so
    the core still computes ``convolve``/``dilate``/...) and every named bias parameter by its bound number,
    or None for a step this does not cover (a sum, a derived kernel, a bias in taps)."""
    import dataclasses

    from symconv.core.convolution import Conv, ConvTranspose
    from symconv.core.kernel import DerivedKernel, Kernel, KernelSymbol, Literal, literal

    def kernel(k: Kernel) -> Optional[Kernel]:
        if isinstance(k, KernelSymbol):
            return literal(np.asarray(bindings[k.name], dtype=object).tolist(), ndim=k.ndim)
        if isinstance(k, Literal):
            return k
        if isinstance(k, DerivedKernel) or not dataclasses.is_dataclass(k):
            return None
        changes = {}
        for f in dataclasses.fields(k):
            value = getattr(k, f.name)
            if isinstance(value, Kernel):
                changes[f.name] = kernel(value)
                if changes[f.name] is None:
                    return None
        return dataclasses.replace(k, **changes)

    def bias(entries: Optional[tuple]) -> Optional[tuple]:
        """The bias with each named parameter (``b_0``) given its bound number; None when an entry names
        something unbound (a tap inside a derived bias)."""
        if entries is None:
            return None
        symbols = {s for b in entries if isinstance(b, sympy.Expr) for s in b.free_symbols}
        if any(s.name not in bindings or np.ndim(bindings[s.name]) != 0 for s in symbols):
            return None
        values = {s: sympy.nsimplify(bindings[s.name]) for s in symbols}
        return tuple(sympy.sympify(b).xreplace(values) for b in entries)  # safe: exact entries of the layer

    steps = []
    for step in side.layers():
        if isinstance(step, (Conv, ConvTranspose)):
            entries = bias(step.bias_entries)
            if step.bias is not None and entries is None:
                return None
            weight = kernel(step.weight)
            if weight is None:
                return None
            step = dataclasses.replace(step, weight=weight, bias=entries)
        elif step.kernels() or len(step.layers()) != 1:
            return None
        steps.append(step)
    chain = steps[0]
    for step in steps[1:]:
        chain = chain >> step
    return chain


def refute_numerically_nd(lhs: Layer, rhs: Layer, channels: int, seed: int = 0) -> Optional[CounterexampleNd]:
    """A counterexample found by evaluating both sides exactly on small integer kernels and inputs at a few
    shapes past the receptive fields (no symbolic expansion), re-verified as every N-D counterexample is; or
    None. For deep chains with channels, whose exact decision expands every path through the channels."""
    from symconv.core.layers_nd import axis_chain, output_shape
    from symconv.numeric.check import evidence_lengths

    per_axis = [evidence_lengths(axis_chain(lhs, a), axis_chain(rhs, a)) for a in range(lhs.ndim)]
    shapes = [tuple(lengths[int(len(lengths) * f)] for lengths in per_axis) for f in (0.25, 0.5, 0.99)]
    rng = np.random.default_rng(seed)
    for shape in shapes:
        out = output_shape(lhs, shape)
        if out != output_shape(rhs, shape) or 0 in out:
            continue  # the lengths differ (the decision says where) or nothing to compare
        for _ in range(2):
            bindings = random_bindings_nd([lhs, rhs], rng)
            concrete = [_with_values(side, bindings) for side in (lhs, rhs)]
            if None in concrete:
                return None
            x = np.vectorize(sympy.Integer, otypes=[object])(rng.integers(-3, 4, size=(channels,) + shape))
            a, b = (evaluate_nd_numeric(side, x, bindings, exact=True) for side in (lhs, rhs))
            index = _first_difference(a, b)
            if index is None:
                continue
            kernels = {name: (np.asarray(v).tolist() if isinstance(v, np.ndarray) else v)
                       for name, v in bindings.items()}
            lhs_out, rhs_out = (_nested_array(np.vectorize(sympy.Rational, otypes=[object])(v)) for v in (a, b))
            example = CounterexampleNd(shape, _nested_array(x), kernels, lhs_out, rhs_out, index)
            signal = signal_nd(example.input, len(shape), shape)
            for side, expected in zip(concrete, (lhs_out, rhs_out)):  # the core's exact semantics, on numbers
                if _dense(run_nd(side, signal)) != expected:
                    raise NumericMismatch(f"N-D counterexample not confirmed by the exact semantics for {side!r}")
            return example
    return None


def _dense(signal, value=lambda v: v) -> tuple:
    """Every output of ``signal`` (a core SignalNd, which leaves zeros out), each through ``value``, as nested
    tuples of SymPy rationals."""
    dense = np.zeros((signal.channels,) + signal.shape, dtype=object)
    dense[...] = sympy.Integer(0)
    for key, v in signal.values.items():
        dense[key] = value(v)
    return _nested_array(dense)


def _reverify(lhs: Layer, rhs: Layer, example: CounterexampleNd, point: dict, x: np.ndarray) -> None:
    """The independent numeric evaluator (exact mode) and the core's exact semantics must give both outputs."""
    signal = signal_nd(example.input, len(example.n)) if 0 not in example.n else None
    for layer, expected in ((lhs, example.lhs), (rhs, example.rhs)):
        numeric = evaluate_nd_numeric(layer, x, example.kernels, exact=True)
        if _nested_array(np.vectorize(sympy.Rational, otypes=[object])(numeric)) != expected:
            raise NumericMismatch(f"N-D counterexample not confirmed by the numeric evaluator for {layer!r}")
        if signal is None:
            continue
        concrete = _with_values(layer, example.kernels)  # the kernels' values first: no expansion in the taps
        got = (_dense(run_nd(concrete, signal)) if concrete is not None else
               _dense(run_nd(layer, signal), lambda v: sympy.expand(v.xreplace(point))))
        if got != expected:
            raise NumericMismatch(f"N-D counterexample not confirmed by the exact semantics for {layer!r}")


def numeric_check_nd(lhs: Layer, rhs: Layer, shapes, seed: int = 0, channels: int = 1,
                     sizes: Optional[dict] = None) -> NumericReport:
    """Both sides in exact arithmetic (``Fraction``) on random integer kernels and inputs, for each shape;
    ``sizes`` gives generic sizes their values (``{"c": 3}``)."""
    rng = np.random.default_rng(seed)

    def draws():
        for shape in shapes:
            bindings = random_bindings_nd([lhs, rhs], rng, sizes=sizes)
            x = rng.integers(-3, 4, size=(channels,) + tuple(shape)).astype(object)
            yield shape, *(evaluate_nd_numeric(side, x, bindings, exact=True, sizes=sizes) for side in (lhs, rhs))

    return report_of(draws(), seed)


def report_of(draws, seed: int) -> NumericReport:
    """The report of exact draws ``(shape, lhs(x), rhs(x))``; the first difference is its mismatch."""
    worst, trials, compared = 0.0, 0, 0
    for shape, a, b in draws:
        trials += 1
        if a.shape != b.shape:
            return NumericReport(trials, float("inf"), 0.0, {"n": list(shape), "reason": "output shapes differ"},
                                 compared)
        if a.size:
            compared += 1
            worst = max(worst, float(max(abs(v) for v in (a - b).flat)))
            if worst > 0:
                index = [int(i) for i in np.argwhere(a != b)[0]]
                return NumericReport(trials, worst, 0.0, {"n": list(shape), "index": index, "seed": seed}, compared)
    return NumericReport(trials, worst, 0.0, compared=compared)


def _check_shapes(limits: tuple[int, ...], interior: Optional[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """A few shapes per axis around the bounds (and the interior shape): the numeric spot check."""
    per_axis = [sorted({1, 2, max(1, b - 1), b + 3}) for b in limits]
    shapes = [tuple(p[min(j, len(p) - 1)] for p in per_axis) for j in range(max(len(p) for p in per_axis))]
    if interior is not None:
        shapes.append(tuple(interior))
    return shapes


def flip_free_sides(lhs: Layer, rhs: Layer) -> Optional[tuple[Layer, Layer, list]]:
    """``(A, B, certificate steps)``: the flips of both sides moved to their inputs per axis and stripped
    (:mod:`symconv.checker.flips_nd`), so that ``lhs == rhs`` iff ``A == B``; None where a flip cannot cross a
    layer (a stride on a flipped axis) or one side still reverses its input after the strip."""
    from symconv.checker.flips_nd import conjugated, has_flips, strip_input_flips
    from symconv.errors import SymconvError

    sides, steps = [lhs, rhs], []
    try:
        for index, name in enumerate(("lhs", "rhs")):
            if has_flips(sides[index]):
                sides[index] = conjugated(sides[index], name)
                steps.append(CertificateStep(Rule.FLIP_AXES_CONJUGATION, (("side", name),),
                                             f"the flips of the {name} moved to its input: {sides[index]!r}"))
        a, b = sides
        if has_flips(a) or has_flips(b):
            a, b = strip_input_flips(a, b, "strip")
            steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP_AXES, (), f"the input flips stripped: {a!r} == "
                                                                         f"{b!r}"))
    except SymconvError:  # CertificateError: a flip meets a stride on a flipped axis
        return None
    return None if has_flips(b) else (a, b, steps)


def _decide_with_flips(lhs: Layer, rhs: Layer, channels: int, seed: int):
    """Flip-free sides by conjugation, decided by :func:`decide_nd`; ``(decision, sides, steps)`` or a Proof."""
    from symconv.prover.proof import Proof

    moved = flip_free_sides(lhs, rhs)
    if moved is None:
        decision = decide_flip_classes_nd(lhs, rhs)
        if decision.verdict != "unknown":
            return decision, (lhs, rhs), []
        shape = _differing_shape(lhs, rhs, channels)
        if shape is None:
            return Proof(lhs, rhs, "unknown", note=f"{decision.reason}; no shape up to {FLIP_SEARCH_SIZE} per axis, "
                                                   f"nor up to {FLIP_SEARCH_DIAGONAL} on the diagonal, differs")
        example = _counterexample(lhs, rhs, shape, channels, seed)
        if example is None:
            return Proof(lhs, rhs, "unknown", note=f"the outputs differ at shape {shape}, but no small "
                                                   f"counterexample was found")
        return Proof(lhs, rhs, "refuted", counterexample=example, note=f"the outputs differ at shape {shape}")
    a, b, steps = moved
    return decide_nd(a, b), (a, b), steps


#: When flips cannot be decided, every shape up to this size per axis is compared (a refutation search) ...
FLIP_SEARCH_SIZE = 7
#: ... and the shapes ``(m, ..., m)`` up to this m.
FLIP_SEARCH_DIAGONAL = 32


def _differing_shape(lhs: Layer, rhs: Layer, channels: int) -> Optional[tuple[int, ...]]:
    """The first shape where the exact outputs differ: every axis up to :data:`FLIP_SEARCH_SIZE`, then the
    diagonal up to :data:`FLIP_SEARCH_DIAGONAL`."""
    from symconv.core.layers_nd import output_shape
    from symconv.prover.decide_nd import same_outputs

    ring = ring_nd(lhs, rhs)
    cube = sorted(itertools.product(range(0, FLIP_SEARCH_SIZE + 1), repeat=lhs.ndim), key=lambda s: (max(s), s))
    diagonal = [(m,) * lhs.ndim for m in range(FLIP_SEARCH_SIZE + 1, FLIP_SEARCH_DIAGONAL + 1)]
    for shape in cube + diagonal:
        if output_shape(lhs, shape) != output_shape(rhs, shape) or not same_outputs(lhs, rhs, shape, ring, channels):
            return shape
    return None


def prove_nd(lhs: Layer, rhs: Layer, seed: int = 0):
    """``lhs == rhs`` for every input shape, both sides chains with the same number (2 or more) of axes.

    Flips (``flip()``, ``flip(axes=...)``) are first moved to the inputs per axis and stripped
    (:func:`flip_free_sides`); the flip-free sides are then decided.
    """
    from symconv.checker.flips_nd import has_flips
    from symconv.prover.proof import Proof

    if lhs.ndim != rhs.ndim:
        raise ChainError(f"{lhs!r} and {rhs!r}: one side is {lhs.ndim}-D and the other {rhs.ndim}-D; expected two "
                         f"chains with the same number of axes")
    channels = lhs.in_channels or rhs.in_channels or 1
    if not (lhs.linear and rhs.linear):
        from symconv.prover.nonlinear_nd import prove_nonlinear_nd

        return prove_nonlinear_nd(lhs, rhs, channels, seed)
    flip_steps: list = []
    if has_flips(lhs) or has_flips(rhs):
        decided = _decide_with_flips(lhs, rhs, channels, seed)
        if isinstance(decided, Proof):
            return decided
        decision, _, flip_steps = decided
    else:
        decision = decide_nd(lhs, rhs, compare_shapes=False)
    proof = _verdict(lhs, rhs, decision, flip_steps, channels, seed)
    if decision.deferred and proof.verdict != "proved":  # the kernel found a difference: the search finds its witness
        proof = _verdict(lhs, rhs, decide_nd(lhs, rhs), flip_steps, channels, seed)
    return proof


def _verdict(lhs: Layer, rhs: Layer, decision: DecisionNd, flip_steps: list, channels: int, seed: int):
    """The Proof of a decision: a counterexample for ``refuted``, the kernel's replay for ``proved``."""
    from symconv.prover.proof import Proof, ProofStep, proved_by_kernel

    if decision.verdict == "refuted":  # the rewrites are equivalences at each shape: the witness shape stands
        example = _counterexample(lhs, rhs, decision.witness, channels, seed)
        if example is None:
            return Proof(lhs, rhs, "unknown", note=f"{decision.reason}, but no small counterexample was found")
        return Proof(lhs, rhs, "refuted", counterexample=example, note=decision.reason)
    if decision.verdict == "unknown":
        return Proof(lhs, rhs, "unknown", note=decision.reason)
    limits = decision.limits
    report = numeric_check_nd(lhs, rhs, _check_shapes(limits, decision.interior_shape), seed, channels)
    if not report.agrees and decision.deferred:  # the shapes were left to the kernel: prove_nd compares them now
        return Proof(lhs, rhs, "unknown", numeric=report, note=f"numerically different: {report.mismatch}")
    if not report.agrees:
        raise AssertionError(f"proved but numerically different: {report.mismatch}")
    bounds = " x ".join(map(str, limits))
    steps = [ProofStep(step.rule.value, step.statement) for step in flip_steps]
    steps.append(ProofStep("axis_projection", f"on each axis the output lengths of both sides agree for every n "
                                              f"(the 1-D projections, boundary bounds {bounds})"))
    if decision.flip_axes:
        steps.append(ProofStep("flip_product_bound", f"on each axis, per residue class of n mod the strides, the "
                                                     f"flips move to the inputs with fixed phases; by the product "
                                                     f"bound the sides agree for every shape iff they agree for "
                                                     f"every shape below ({bounds.replace(' x ', ', ')})"))
        steps.append(ProofStep("shapes_equal", f"the exact outputs agree for all {decision.shapes_checked} shapes "
                                               f"below ({bounds.replace(' x ', ', ')}), as polynomials in the taps"))
    elif decision.interior_shape is not None:
        steps.append(ProofStep("interior_operator", f"both sides are edge-free (padding only in front): by the "
                                                    f"interior-operator lemma they agree for every shape iff they "
                                                    f"agree at the interior shape {decision.interior_shape}, where "
                                                    f"the exact outputs are equal as polynomials in the taps"))
    else:
        steps.append(ProofStep("product_bound", f"by the product bound, the sides agree for every shape iff they "
                                                f"agree for every shape below ({bounds.replace(' x ', ', ')})"))
        below = f"{decision.shapes_checked} shapes below ({bounds.replace(' x ', ', ')}), as polynomials in the taps"
        steps.append(ProofStep("shapes_equal", f"the kernel compares the exact outputs at all {below}"
                               if decision.deferred else f"the exact outputs agree for all {below}"))
    if decision.flip_axes:
        step = CertificateStep(Rule.FLIP_PRODUCT_BOUND, (("axes", [list(a) for a in decision.flip_axes]),),
                               f"per-axis residue classes of the projections, and equal outputs for every shape "
                               f"below ({bounds.replace(' x ', ', ')})")
    elif decision.interior_shape is not None:
        # the kernel's interior_operator compares the lengths below start + period and the outputs at n* only
        axes = [[start, period, start + period] for start, period, _ in decision.axes]
        step = CertificateStep(Rule.INTERIOR_OPERATOR, (("axes", axes), ("shape", list(decision.interior_shape))),
                               f"both sides edge-free, per-axis eventual periodicity of the lengths, and equal "
                               f"outputs at the interior shape {decision.interior_shape}")
    else:
        step = CertificateStep(Rule.PRODUCT_BOUND, (("axes", [list(a) for a in decision.axes]),),
                               f"per-axis eventual periodicity, and equal outputs for every shape below "
                               f"({bounds.replace(' x ', ', ')})")
    certificate = Certificate(repr(lhs), repr(rhs), tuple(flip_steps) + (step,))
    return proved_by_kernel(lhs, rhs, certificate, steps=tuple(steps), note=decision.reason, numeric=report)
