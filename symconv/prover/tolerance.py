"""Proofs within a tolerance: ``prove(lhs, rhs, atol=..., rtol=...)`` for linear and affine sides.

Statement. For every input shape n (a length in 1-D, ``(n1, ..., nd)`` in N-D),
every input with ``|x[m, j]| <= 1`` and every output ``(o, i)``:

    |lhs(x)[o, i] - rhs(x)[o, i]| <= atol + rtol * R[o, i](n),

with ``R[o, i](n) = sum_{m, j} |r_{o,i;m,j}| + |r_{o,i}|`` the right-hand
output's own bound (the induced infinity-norm of its row plus its |bias|).
The proof states the worst-case gain ``G*`` of ``lhs - rhs`` (the induced
infinity-norm of the difference over all input sizes, boundary outputs
included) exactly, and where it is attained; that gain, and the lemma that
bounds the shapes to compare, are :mod:`symconv.prover.worst_case`. This
module states the tolerance, refutes it with a re-verified input or proves it
through the kernel.

Symbolic kernels cannot be bounded: a tolerance with symbolic taps is an error.
Sides with the same ``relu()`` / max-pool layers between affine blocks are
bounded by a Lipschitz chain instead (:mod:`symconv.prover.tolerance_network`).

>>> p = prove_within("conv([1, 1/2])", "conv([1, 501/1000])", atol="1/1000", rtol=0)
>>> p.verdict, p.rests_on
('proved', ('tolerance: atol=1/1000, rtol=0',))
>>> p.tolerance
ToleranceBound(atol=Fraction(1, 1000), rtol=Fraction(0, 1), gain=Fraction(1, 1000))
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from typing import Optional, Union

import numpy as np
from symconv.lazy_import import sympy

from symconv.algebra.flip import FlipNotMovable
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.flips_nd import has_flips
from symconv.checker.tolerance import MAX_CHECK_SHAPES, tolerance_entry
from symconv.core.layers import Layer
from symconv.errors import InvalidArgument, NumericMismatch
from symconv.numeric.check import NumericReport
from symconv.prover.counterexample import Counterexample
from symconv.prover.proof import Proof, ProofStep, ToleranceBound, proved_by_kernel
from symconv.prover.tolerance_network import is_network, prove_network
from symconv.prover.worst_case import (Outcome, RowGain, Sides, WorstCase, analyse, nested_tuple, quote_statement,
                                       read_sides, worst_case_gain, worst_of)

__all__ = ["tolerance_value", "RowGain", "WorstCase", "worst_case_gain", "prove_within"]

Tolerance = Union[int, float, str, Fraction, Decimal, "sympy.Rational"]


def tolerance_value(value: Tolerance, name: str) -> Fraction:
    """``atol`` or ``rtol`` as an exact rational >= 0.

    Text is read by :class:`fractions.Fraction` (``"1e-5"``, ``"0.00001"``,
    ``"1/100000"``), never evaluated; a float by its shortest decimal
    (``1e-05`` is 1/100000, what was typed); ints, Fractions, Decimals and SymPy
    rationals exactly.

    >>> tolerance_value("1e-5", "atol"), tolerance_value(1e-05, "atol")
    (Fraction(1, 100000), Fraction(1, 100000))
    """
    number: Optional[Fraction] = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, (int, Fraction)):
        number = Fraction(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Fraction(repr(value))
    elif isinstance(value, Decimal) and value.is_finite():
        number = Fraction(value)
    elif isinstance(value, sympy.Rational):
        number = Fraction(int(value.p), int(value.q))
    elif isinstance(value, str):
        try:
            number = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            number = None
    if number is None or number < 0:
        raise InvalidArgument("prove", name, value, "a number >= 0 such as 1e-5, 0.00001 or 1/100000")
    return number


def exact_outputs(lhs: Layer, rhs: Layer, x: tuple, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Both sides on ``x`` (``channels x shape``) with the numeric evaluator in exact (Fraction) mode."""
    from symconv.numeric import evaluate_nd_numeric, evaluate_numeric

    channels = len(x)
    array = np.array([Fraction(v) for v in np.array(x, dtype=object).ravel()] or [], dtype=object)
    array = array.reshape((channels, *shape))
    if max(lhs.ndim, rhs.ndim) == 1:
        return evaluate_numeric(lhs, array, exact=True), evaluate_numeric(rhs, array, exact=True)
    return evaluate_nd_numeric(lhs, array, exact=True), evaluate_nd_numeric(rhs, array, exact=True)


def _rationals(array) -> tuple:
    """An exact object array as nested tuples of SymPy rationals."""
    if isinstance(array, np.ndarray):
        return tuple(_rationals(v) for v in array)
    value = Fraction(array)
    return sympy.Rational(value.numerator, value.denominator)


def tolerance_counterexample(lhs: Layer, rhs: Layer, shape: tuple, x: tuple, a: np.ndarray, b: np.ndarray, output: tuple):
    if len(shape) == 1:
        return Counterexample(shape[0], x, {}, _rationals(a), _rationals(b), output[1])
    from symconv.prover.proof_nd import CounterexampleNd

    return CounterexampleNd(shape, x, {}, _rationals(a), _rationals(b), output)


def _exceeding(lhs: Layer, rhs: Layer, row: RowGain, atol: Fraction, rtol: Fraction,
               input_flip: frozenset = frozenset()):
    """The maximising input of ``row`` (a row of the sides with their input flip on ``input_flip`` stripped: then
    flipped back), re-verified on ``lhs`` and ``rhs``: the outputs there differ by G > atol + rtol * R."""
    x = row.input
    if input_flip:
        x = nested_tuple(np.flip(np.array(x, dtype=object), tuple(a + 1 for a in sorted(input_flip))).tolist())
    a, b = exact_outputs(lhs, rhs, x, row.shape)
    difference = abs(Fraction(a[row.output]) - Fraction(b[row.output]))
    if difference != row.gain or difference <= row.allowed(atol, rtol):
        raise NumericMismatch(f"the input at {row.where()} should make {quote_statement(lhs, rhs)} differ by "
                              f"{row.gain}; the numeric evaluator gives {difference}")
    return tolerance_counterexample(lhs, rhs, row.shape, x, a, b, row.output)


def _shape_counterexample(lhs: Layer, rhs: Layer, shape: tuple[int, ...], channels: int):
    x = nested_tuple(np.ones((channels, *shape), dtype=int).tolist())
    a, b = exact_outputs(lhs, rhs, x, shape)
    if a.shape == b.shape:
        raise NumericMismatch(f"the output shapes of {quote_statement(lhs, rhs)} should differ at input shape "
                              f"{shape}")
    first = tuple(min(p, q) for p, q in zip(a.shape, b.shape))
    return tolerance_counterexample(lhs, rhs, shape, x, a, b, (0, *first[1:]))


def _numeric(sides: Sides, worst: WorstCase, atol: Fraction, rtol: Fraction, seed: int) -> NumericReport:
    """Evidence: the maximising input (exact) and random inputs with |x| <= 1 (float64), also past the limits."""
    from symconv.numeric import evaluate_nd_numeric, evaluate_numeric

    run = evaluate_numeric if sides.ndim == 1 else evaluate_nd_numeric
    trials, compared, observed = 0, 0, 0.0
    if worst.attained is not None:
        a, b = exact_outputs(sides.lhs, sides.rhs, worst.attained.input, worst.attained.shape)
        observed = float(abs(Fraction(a[worst.attained.output]) - Fraction(b[worst.attained.output])))
        trials, compared = 1, 1
    rng = np.random.default_rng(seed)
    limits = [b.limit for b in worst.axes]
    shapes = [tuple(min(n, limit) for limit in limits) for n in range(1, 13)]
    shapes += [tuple(limit + 3 for limit in limits), tuple(2 * limit + 5 for limit in limits)]
    for shape in dict.fromkeys(shapes):
        x = rng.uniform(-1.0, 1.0, size=(sides.channels, *shape))
        a, b = run(sides.lhs, x), run(sides.rhs, x)
        trials += 1
        if a.size:
            compared += 1
            observed = max(observed, float(np.max(np.abs(a - b))))
    gain = float(worst.gain)
    if observed > gain * (1 + 1e-9) + 1e-12:
        raise AssertionError(f"an input with |x| <= 1 gives |lhs - rhs| = {observed}, above the worst-case gain {gain}")
    at = worst.attained
    return NumericReport(trials, observed, float(at.allowed(atol, rtol) if at else atol), None, compared)


def _flip_steps(sides: Sides) -> list[CertificateStep]:
    if sides.forms is None:
        return []
    from symconv.prover.certify import has_flip

    lnf, rnf = sides.forms
    steps = [CertificateStep(Rule.FLIP_CONJUGATION, (("side", side),), f"{side}: every flip() moved to the input")
             for side, layer in (("lhs", sides.lhs), ("rhs", sides.rhs)) if has_flip(layer)]
    if lnf.input_flip and rnf.input_flip:
        steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP, (), "flip() >> A == flip() >> B iff A == B"))
    return steps


def _certificate(sides: Sides, worst: WorstCase, atol: Fraction, rtol: Fraction,
                 statement: Optional[tuple[Layer, Layer]] = None, rewrites: tuple = ()) -> Certificate:
    """The certificate of ``statement`` (``sides``' own by default): ``rewrites`` (the N-D flip conjugations that
    turn it into ``sides``), or the 1-D flip steps, then the rule ``tolerance`` on ``sides``."""
    at = worst.attained
    axes = [[b.start, b.period, b.limit] for b in worst.axes]
    data = (("atol", str(atol)), ("attained", [list(at.shape), list(at.output)] if at else []),
            ("axes", axes), ("gain", str(worst.gain)), ("rtol", str(rtol)))
    limits = " x ".join(str(b.limit) for b in worst.axes)
    statement_text = (f"every output of every shape below {limits} differs by at most atol + rtol * R on |x| <= 1; "
                      f"past the per-axis bounds the rows repeat; worst-case gain {worst.gain}")
    lhs, rhs = statement or (sides.lhs, sides.rhs)
    return Certificate(repr(lhs), repr(rhs), tuple(rewrites or _flip_steps(sides))
                       + (CertificateStep(Rule.TOLERANCE, data, statement_text),))


def _steps(worst: WorstCase, atol: Fraction, rtol: Fraction) -> tuple[ProofStep, ...]:
    at = worst.attained
    attained = f", attained at {at.where()}" if at else " (no input shape has an output)"
    if len(worst.axes) == 1:
        bound = worst.axes[0]
        periodic = (f"past n0 = {bound.start} every output row is a left-boundary, interior or right-boundary row, "
                    f"periodic with period {bound.period}: the rows of every n are those of some n < {bound.limit}")
        below = f"n < {bound.limit}"
    else:
        per_axis = ", ".join(f"axis {k + 1}: n0 = {b.start}, period {b.period}" for k, b in enumerate(worst.axes))
        limits = tuple(b.limit for b in worst.axes)
        periodic = (f"along each axis, with the other axes as channels, the rows repeat past the axis bound "
                    f"({per_axis}): the rows of every shape are those of some shape below {limits}")
        below = f"shape below {limits}"
    return (
        ProofStep("affine_difference", "every output of lhs - rhs is sum_j d_j x_j + delta; on |x| <= 1 its largest "
                                       "absolute value is G = sum_j |d_j| + |delta| (x_j = sign(delta) sign(d_j))"),
        ProofStep("boundary_bound", periodic),
        ProofStep("worst_case_gain", f"worst-case gain of lhs - rhs over every input shape (its induced "
                                     f"infinity-norm): {worst.gain} ~ {float(worst.gain):.6g}{attained}"),
        ProofStep("tolerance", f"every output of every {below} has G <= atol + rtol * R (atol = {atol}, "
                               f"rtol = {rtol}, R the rhs output's own bound), so every output of every shape does"),
    )


def prove_within(lhs: Union[str, Layer], rhs: Union[str, Layer], atol: Optional[Tolerance] = None,
                 rtol: Optional[Tolerance] = None, seed: int = 0) -> Proof:
    """``proved`` when every output differs by at most ``atol + rtol * R`` for every shape and every |x| <= 1.

    The Proof's ``tolerance`` holds ``atol``, ``rtol`` and the worst-case gain (when rows were compared).

    ``refuted`` carries the input (signs, |x| <= 1) of the output that exceeds
    the tolerance most, re-verified with the numeric evaluator in exact mode;
    the worst-case gain and where it is attained are in the steps either way.
    A missing ``atol`` or ``rtol`` is 0.
    """
    atol_q = tolerance_value(0 if atol is None else atol, "atol")
    rtol_q = tolerance_value(0 if rtol is None else rtol, "rtol")
    rests_on = (tolerance_entry(atol_q, rtol_q),)
    lhs, rhs = read_sides(lhs, rhs)
    if is_network(lhs, rhs):  # relu() / max-pool layers between affine blocks
        return prove_network(lhs, rhs, atol_q, rtol_q, seed)
    try:
        sides = analyse(lhs, rhs)
    except FlipNotMovable as err:  # N-D: a flip meets a stride on a flipped axis (1-D says so in analyse)
        sides = Outcome(f"flips are outside the tolerance fragment here: the rows are compared for chains whose "
                        f"flips move to the input, and on one axis {' '.join(str(err).split())}")
    if isinstance(sides, Outcome):
        stated = ToleranceBound(atol_q, rtol_q)
        if sides.shape is None:
            return Proof(lhs, rhs, "unknown", note=sides.note, rests_on=rests_on, tolerance=stated)
        example = _shape_counterexample(lhs, rhs, sides.shape, lhs.in_channels or rhs.in_channels or 1)
        return Proof(lhs, rhs, "refuted", counterexample=example, note=sides.note, rests_on=rests_on,
                     tolerance=stated)
    rewrites, input_flip = (), frozenset()
    if sides.ndim > 1 and (has_flips(lhs) or has_flips(rhs)):
        moved = _flip_free_sides(sides)
        if isinstance(moved, str):
            return _outside_the_fragment(sides, moved, atol_q, rtol_q)
        sides, rewrites, input_flip = moved
    worst = worst_of(sides)
    stated = ToleranceBound(atol_q, rtol_q, worst.gain)
    steps = tuple(ProofStep(step.rule.value, step.statement) for step in rewrites) + _steps(worst, atol_q, rtol_q)
    exceeding = [row for row in worst.rows if row.gain > row.allowed(atol_q, rtol_q)]
    if exceeding:
        row = max(exceeding, key=lambda r: r.gain - r.allowed(atol_q, rtol_q))
        example = _exceeding(lhs, rhs, row, atol_q, rtol_q, input_flip)
        return Proof(lhs, rhs, "refuted", steps=steps[:len(rewrites) + 3], counterexample=example, rests_on=rests_on,
                     tolerance=stated,
                     note=f"at {row.where()} the sides differ by {row.gain} ~ {float(row.gain):.6g}, more than "
                          f"atol + rtol * R = {row.allowed(atol_q, rtol_q)}; worst-case gain {worst.gain}")
    report = _numeric(sides, worst, atol_q, rtol_q, seed)
    note = f"worst-case gain {worst.gain} ~ {float(worst.gain):.6g}"
    certificate = _certificate(sides, worst, atol_q, rtol_q, (lhs, rhs), rewrites)
    return proved_by_kernel(lhs, rhs, certificate, rests_on=rests_on, steps=steps, numeric=report, tolerance=stated,
                            note=f"{note}; the flips moved to the input first" if rewrites else note)


def _flip_free_sides(sides: Sides) -> Union[tuple[Sides, tuple, frozenset], str]:
    """N-D sides with flips: ``(flip-free Sides, the certificate steps that move every flip to the input and strip
    it, the axes F of the stripped input flip)``, as exact proofs do (:func:`symconv.prover.proof_nd.flip_free_sides`):
    ``flip_F >> A`` and ``flip_F >> B`` differ on x as A and B on ``flip_F x``, a bijection of the box ``|x| <= 1``;
    else why the tolerance rule, which compares flip-free chains, cannot be used."""
    from symconv.checker.flips_nd import conjugated
    from symconv.core.layers_nd import flipped_axes
    from symconv.prover.proof_nd import flip_free_sides

    moved = flip_free_sides(sides.lhs, sides.rhs)
    if moved is None:
        return ("flips are outside the tolerance fragment here: the kernel's tolerance rule compares flip-free "
                "chains, and these flips do not all move to the input and cancel (a stride on a flipped axis, or "
                "one side reverses its input and the other does not)")
    a, b, rewrites = moved
    flip_free = analyse(a, b, sides.channels, sides.ndim)
    if isinstance(flip_free, Outcome):
        return f"flips are outside the tolerance fragment here: with them moved to the input, {flip_free.note}"
    first = conjugated(sides.lhs, "lhs").layers()[0] if has_flips(sides.lhs) else None
    stripped = any(step.rule is Rule.STRIP_INPUT_FLIP_AXES for step in rewrites)
    input_flip = (flipped_axes(first, sides.ndim) or frozenset()) if stripped and first is not None else frozenset()
    return flip_free, tuple(rewrites), input_flip


#: How many more samples per axis than the (flip-blind) bounds a tolerance with flips outside the fragment tries.
FLIP_SEARCH_MARGIN = 2


def _outside_the_fragment(sides: Sides, reason: str, atol: Fraction, rtol: Fraction) -> Proof:
    """``refuted`` by a row that exceeds the tolerance (each row's gain is exact at its shape, re-verified; the
    shapes go :data:`FLIP_SEARCH_MARGIN` past the flip-blind bounds, since a flip shows on an axis of length >= 2
    only), else ``unknown`` saying why: with flips that do not move to the input the shapes are not bounded."""
    lhs, rhs = sides.lhs, sides.rhs
    rests_on, stated = (tolerance_entry(atol, rtol),), ToleranceBound(atol, rtol)
    wider = tuple(replace(b, start=b.start + FLIP_SEARCH_MARGIN) for b in sides.axes)
    if math.prod(b.limit for b in wider) <= MAX_CHECK_SHAPES:
        sides = replace(sides, axes=wider)
    exceeding = [row for row in worst_of(sides).rows if row.gain > row.allowed(atol, rtol)]
    if exceeding:
        row = max(exceeding, key=lambda r: r.gain - r.allowed(atol, rtol))
        return Proof(lhs, rhs, "refuted", counterexample=_exceeding(lhs, rhs, row, atol, rtol), rests_on=rests_on,
                     tolerance=stated, note=f"at {row.where()} the sides differ by {row.gain} ~ {float(row.gain):.6g}, "
                                            f"more than atol + rtol * R = {row.allowed(atol, rtol)}; {reason}")
    return Proof(lhs, rhs, "unknown", rests_on=rests_on, tolerance=stated,
                 note=f"no output of the shapes compared exceeds the tolerance, but {reason}")
