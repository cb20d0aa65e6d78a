"""The checker's rule ``tolerance``: two affine chains differ by at most ``atol + rtol * R`` on ``|x| <= 1``.

Statement (numeric weights, any number d of spatial axes). For every input
shape n, every input with ``|x[m, j]| <= 1`` and every output ``(o, i)``:

    |lhs(x)[o, i] - rhs(x)[o, i]| <= atol + rtol * R[o, i](n),

where ``R[o, i](n) = sum_{m, j} |r_{o,i;m,j}| + |r_{o,i}|`` is the right-hand
output's own bound (its coefficients r and constant). Every output is affine
in x, so the difference is ``sum d_{m,j} x[m, j] + delta`` and its largest
absolute value on the box is exactly

    G[o, i](n) = sum_{m, j} |d_{m,j}| + |delta|,

attained at ``x[m, j] = sign(delta) sign(d_{m,j})`` (a sign of 0 read as 1).
The rule's data: ``atol``, ``rtol`` and the claimed worst-case gain
``gain = max over n, o, i of G[o, i](n)`` as exact rationals ``p/q``;
``attained`` = ``[[n1, ..., nd], [o, i1, ..., id]]`` where it is reached
(``[]`` when no shape has an output); ``axes``, one ``[start, period, limit]``
per spatial axis, as for the rules ``eventual_periodicity`` (d = 1) and
``product_bound``.

**Lemma (finite horizon).** Under the hypotheses of the eventual-periodicity
lemma (:mod:`symconv.checker.periodicity`, checked here on both sides
together: on the sides themselves for d = 1, on their projections on each
axis for d >= 2), for n >= n0 every output row at n + P is, on both sides at
once, either the row of the same index at n with the same coefficients (rows
left of the first right-edge row at n), or the row Q = m(n + P) - m(n) rows
earlier at n with its coefficients moved by P input samples (rows past the
last left-edge row plus Q); the run of Q interior rows between the edges
makes these two cases cover every row. Moving coefficients changes neither
G nor R. So every pair ``(G, R)`` met at some n >= n0 is met at some
n in [n0, n0 + P). For d >= 2 the same holds along each axis with the other
axes as channels (their cones along that axis are the projection's), so
every pair met at some shape is met at a shape with ``n_k < limit_k`` on every
axis: checking every row of those shapes bounds every row of every shape and
gives the maximum of G over all shapes.

The checker recomputes every row's coefficients from the core exact
semantics (:func:`symconv.core.semantics_nd.outputs_exact_forms`: the exact
polynomials of :func:`symconv.core.semantics.evaluate` and
:func:`symconv.core.semantics_nd.run_nd` on a symbolic input, without SymPy),
each sum over the integers: a row ``(sum_v P_v x_v + P_0) / d`` has
``sum |coefficients| = sum_v |P_v| / d`` and ``|constant| = |P_0| / d``; ``affine``
layers are read as the grouped 1x1 convolution they are
(``y[m, i] = s_m x[m, i] + t_m`` either way) for the cone and period checks.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from symconv.checker.periodicity import check_window, periodic_structure
from symconv.core.exact_poly import Poly, affine_integer_form, to_sympy
from symconv.core.kernel import Literal
from symconv.core.layers import Affine, Chain, Conv, Layer, Parallel
from symconv.errors import CertificateError, shorten

__all__ = ["rule_tolerance", "tolerance_entry", "tolerance_rests_on", "as_convolutions", "row_gains",
           "row_norms", "RowNorms", "check_horizon", "rational", "refuse_split_goal", "MAX_CHECK_SHAPES"]

#: The checker evaluates at most this many input shapes.
MAX_CHECK_SHAPES = 400


def tolerance_entry(atol: Fraction, rtol: Fraction) -> str:
    """The ``rests_on`` entry of a tolerance, exactly: ``tolerance: atol=1/100000, rtol=0``."""
    return f"tolerance: atol={atol}, rtol={rtol}"


def rational(value: object, name: str, where: str) -> Fraction:
    """A non-negative rational written ``p`` or ``p/q`` in lowest terms."""
    parts = value.split("/") if isinstance(value, str) else []
    if not 1 <= len(parts) <= 2 or not all(part.isdigit() and part.isascii() for part in parts) \
            or (len(parts) == 2 and int(parts[1]) == 0):
        raise CertificateError(f"{where}: {name} {value!r} is not an exact rational; expected 'p' or 'p/q'")
    number = Fraction(value)
    if str(number) != value:
        raise CertificateError(f"{where}: {name} {value!r} is not in lowest terms; expected {str(number)!r}")
    return number


def _affine_as_conv(layer: Affine, channels: int, ndim: int) -> Layer:
    scale, shift = layer.per_channel(channels)
    if ndim == 1:
        return Conv(Literal(tuple(((s,),) for s in scale)), groups=channels, bias=tuple(shift))
    from symconv.core.layers_nd import conv_nd

    def nest(value, depth: int):
        return value if depth == 0 else [nest(value, depth - 1)]

    return conv_nd([nest(s, ndim + 1) for s in scale], ndim, groups=channels, bias=list(shift))


def as_convolutions(layer: Layer, channels: int, ndim: int = 1) -> Layer:
    """``layer`` with every ``affine(s, t)`` on C channels replaced by the grouped 1x1 convolution
    ``conv([[[s_0]], ...], groups=C, bias=t)`` (``conv{d}d`` for ``ndim = d``)."""
    if isinstance(layer, Affine):
        return _affine_as_conv(layer, channels, ndim)
    if isinstance(layer, Parallel):
        return Parallel(tuple(as_convolutions(b, channels, ndim) for b in layer.branches))
    if isinstance(layer, Chain):
        steps = []
        for step in layer.steps:
            steps.append(as_convolutions(step, channels, ndim))
            channels = step.out_channels(channels) or channels
        return Chain(tuple(steps))
    return layer


def _affine_form(p: Poly, inputs: frozenset, where: str) -> tuple[Poly, int]:
    """``(P, d)`` with ``p = (sum_v P[(v,)] x_v + P[()]) / d``, integers (:func:`exact_poly.affine_integer_form`), of
    an output that must be affine in the input with rational coefficients."""
    form = affine_integer_form(p, inputs)
    if form is None:
        raise CertificateError(f"{where}: the output {shorten(str(to_sympy(p)))} is not affine in the input with "
                               f"rational coefficients; a tolerance is checked for numeric weights only")
    return form


@dataclass(frozen=True)
class RowNorms:
    """One output ``(o, *i)`` of both sides on one input shape: with ``d, delta`` the coefficients and constant
    of ``lhs - rhs``, ``a, a_0`` those of lhs and ``r, r_0`` those of rhs, the sums ``sum |d|``, ``|delta|``,
    ``sum |a|``, ``|a_0|``, ``sum |r|`` and ``|r_0|``."""

    output: tuple
    difference: Fraction
    offset: Fraction
    lhs_sum: Fraction
    lhs_constant: Fraction
    rhs_sum: Fraction
    rhs_constant: Fraction


def _norms(output: tuple, left: tuple[Poly, int], right: tuple[Poly, int]) -> RowNorms:
    """The sums of one output from the integer forms ``(A, a)``, ``(B, b)`` of its two sides (``lhs = A / a``,
    ``rhs = B / b``): over the integers with ``c = lcm(a, b)``, ``lhs - rhs = ((c/a) A - (c/b) B) / c``, and
    ``sum |coefficients| = sum_{m != ()} |P[m]| / d`` for ``P / d`` (the constant's entry is the monomial ``()``)."""
    def split(P: Poly, d: int) -> tuple[Fraction, Fraction]:
        constant = abs(P.get((), 0))
        return Fraction(sum(map(abs, P.values())) - constant, d), Fraction(constant, d)

    (A, a), (B, b) = left, right
    common = math.lcm(a, b)
    left_scale, right_scale = common // a, common // b
    difference = {m: c * left_scale for m, c in A.items()} if left_scale != 1 else dict(A)
    for m, c in B.items():
        difference[m] = difference.get(m, 0) - c * right_scale
    return RowNorms(output, *split(difference, common), *split(A, a), *split(B, b))


def _outputs(layer: Layer, shape: tuple[int, ...], channels: int) -> tuple[tuple, dict, frozenset]:
    """``(output shape with channels first, {(o, *i): exact polynomial}, input variables)`` from the core semantics
    (:func:`symconv.core.semantics_nd.outputs_exact_forms`)."""
    from symconv.core.semantics_nd import outputs_exact_forms

    return outputs_exact_forms(layer, shape, channels)


def row_norms(lhs: Layer, rhs: Layer, shape: tuple[int, ...], where: str,
              channels: Optional[int] = None) -> list[RowNorms]:
    """The :class:`RowNorms` of every output on an input of ``shape`` (``channels``: the sides' own when None),
    from the core semantics."""
    channels = channels or lhs.in_channels or rhs.in_channels or 1
    left_shape, left, inputs = _outputs(lhs, shape, channels)
    right_shape, right, _ = _outputs(rhs, shape, channels)
    if left_shape != right_shape:
        raise CertificateError(f"{where}: the output shapes differ at input shape {list(shape)}: "
                               f"{list(left_shape)} against {list(right_shape)}")
    if len(left_shape) != len(shape) + 1:  # 1-D channels of different lengths: cannot happen, refuse anyway
        raise CertificateError(f"{where}: ragged output at input shape {list(shape)}")
    zero = ({}, 1)
    left_forms = {key: _affine_form(p, inputs, where) for key, p in left.items()}
    right_forms = {key: _affine_form(p, inputs, where) for key, p in right.items()}
    return [_norms(key, left_forms.get(key, zero), right_forms.get(key, zero))
            for key in itertools.product(*(range(m) for m in left_shape))]


def row_gains(lhs: Layer, rhs: Layer, shape: tuple[int, ...], where: str) -> list[tuple[tuple, Fraction, Fraction]]:
    """``((o, *i), G, R)`` for every output on an input of ``shape``, from the core semantics (module doc)."""
    return [(row.output, row.difference + row.offset, row.rhs_sum + row.rhs_constant)
            for row in row_norms(lhs, rhs, shape, where)]


def _projection(layer: Layer, axis: int, channels: int, ndim: int) -> Layer:
    """The chain whose cones and lengths the periodicity hypotheses are checked on, along one axis."""
    rewritten = as_convolutions(layer, channels, ndim)
    if ndim == 1:
        return rewritten
    from symconv.core.layers_nd import axis_chain

    return axis_chain(rewritten, axis)


def _axes(value: object, ndim: int, where: str) -> list[tuple[int, int, int]]:
    if not (isinstance(value, list) and len(value) == ndim and all(isinstance(a, list) and len(a) == 3 for a in value)):
        raise CertificateError(f"{where}: expected axes [[start, period, limit], ...], one per axis ({ndim})")
    return [tuple(a) for a in value]


def check_horizon(lhs: Layer, rhs: Layer, axes: list[tuple[int, int, int]], channels: int, where: str) -> None:
    """The hypotheses of the finite-horizon lemma (module doc) for ``axes``, one ``(start, period, limit)`` per
    spatial axis: every row of every shape is, up to a move of its coefficients, a row of a shape below the
    limits, on both sides at once."""
    ndim = len(axes)
    for axis, (start, period, limit) in enumerate(axes):
        here = where if ndim == 1 else f"{where}, axis {axis + 1}"
        check_window(period, start, limit, here)
        try:
            left, right = (_projection(side, axis, channels, ndim) for side in (lhs, rhs))
        except (ValueError, TypeError) as err:
            raise CertificateError(f"{here}: a tolerance is checked for numeric weights only "
                                   f"({' '.join(str(err).split())})") from None
        periodic_structure(left, right, period, start, here)


def _attained(value: object, ndim: int, where: str) -> Optional[tuple[tuple, tuple]]:
    def naturals(v: object, count: int) -> bool:
        return isinstance(v, list) and len(v) == count and all(
            isinstance(k, int) and not isinstance(k, bool) and k >= 0 for k in v)

    if value == []:
        return None
    if not (isinstance(value, list) and len(value) == 2 and naturals(value[0], ndim) and naturals(value[1], ndim + 1)):
        raise CertificateError(f"{where}: attained must be [[n1, ..., nd], [channel, i1, ..., id]] (or [] when no "
                               f"output exists), not {value!r}")
    return tuple(value[0]), tuple(value[1])


def refuse_split_goal(state: list[Layer], where: str) -> None:
    """A goal of a ``congruence`` split is not closed within a tolerance: an error in ``A x`` goes through the
    shared layer and the layers after it unbounded, and those layers see inputs past ``|x| <= 1``."""
    if getattr(state, "split", False):
        raise CertificateError(f"{where}: a goal of a congruence split is not closed within a tolerance; the split "
                               f"composes exact equalities only")


def rule_tolerance(state: list[Layer], step, where: str) -> str:
    """Check every row of every shape below the limits against the tolerance and the claimed gain; close
    every shape (module doc)."""
    refuse_split_goal(state, where)
    atol, rtol, gain = (rational(step.get(name), name, where) for name in ("atol", "rtol", "gain"))
    lhs, rhs = state
    ndim = max(lhs.ndim, rhs.ndim)
    axes = _axes(step.get("axes"), ndim, where)
    attained = _attained(step.get("attained"), ndim, where)
    if math.prod(a[2] for a in axes if isinstance(a[2], int)) > MAX_CHECK_SHAPES:
        raise CertificateError(f"{where}: {' x '.join(str(a[2]) for a in axes)} shapes exceed what the checker "
                               f"evaluates ({MAX_CHECK_SHAPES})")
    check_horizon(lhs, rhs, axes, lhs.in_channels or rhs.in_channels or 1, where)
    worst: Optional[Fraction] = None
    seen = False
    for shape in itertools.product(*(range(a[2]) for a in axes)):
        for output, row_gain, bound in row_gains(lhs, rhs, shape, where):
            allowed = atol + rtol * bound
            if row_gain > allowed:
                raise CertificateError(f"{where}: at input shape {list(shape)}, output {list(output)} the two sides "
                                       f"differ by up to {row_gain}, more than atol + rtol * {bound} = {allowed}")
            worst = row_gain if worst is None else max(worst, row_gain)
            if (shape, output) == attained:
                if row_gain != gain:
                    raise CertificateError(f"{where}: at input shape {list(shape)}, output {list(output)} the gain "
                                           f"is {row_gain}, not the claimed {gain}")
                seen = True
    if worst is None:
        if attained is not None or gain:
            raise CertificateError(f"{where}: no output exists below the limits; the gain is 0, attained []")
    else:
        if worst != gain:
            raise CertificateError(f"{where}: the worst-case gain over every shape is {worst}, not the claimed {gain}")
        if not seen:
            raise CertificateError(f"{where}: attained {step.get('attained')} is not an output below the limits")
    scope = "every input length" if ndim == 1 else "every input shape"
    return f"{scope} and every input with |x| <= 1, within atol={atol}, rtol={rtol}"


def tolerance_rests_on(step) -> tuple[str, ...]:
    """What a theorem closed by ``step`` rests on: its tolerance."""
    return (tolerance_entry(rational(step.get("atol"), "atol", "tolerance"),
                            rational(step.get("rtol"), "rtol", "tolerance")),)
