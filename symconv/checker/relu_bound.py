"""The checker's rule ``relu_identity``: under a declared bound ``|x| <= B`` a ``relu()`` is the identity.

Rule data: ``side`` (``lhs``/``rhs``), ``index`` (the position of the
``relu()`` among that side's layers), and ``period``, ``start``, ``limit`` for
the linear layers before it (its *prefix*).

**Lemma.** Let the prefix A be linear up to ``affine`` layers (each
``affine(s, t)`` on C channels is the grouped 1x1 convolution
``conv([[[s_0]], ..., [[s_{C-1}]]], groups=C, bias=t)``: both give
``y[m, i] = s_m x[m, i] + t_m``). Every output of A is affine in the input,
``v = sum_j a_j x_j + t``, and its least value on the box ``|x_j| <= B`` is
exactly ``t - B sum_j |a_j|``. If that is ``>= 0`` for every output of every
input length, then ``relu(v) = v`` on every input that meets the bound, so the
``relu()`` can be dropped. For ``n >= n0`` every output row of A at ``n + P``
is a row at n with its coefficients moved by P input samples or unchanged
(the finite-horizon lemma of :mod:`symconv.checker.tolerance`, under the
eventual-periodicity hypotheses of A with itself), and moving coefficients
does not change ``t - B sum |a_j|``; so checking every row of every
``n < limit`` (``limit >= n0 + P``) checks every n. ``B`` is the certificate's
one declared bound: a positive number, or a name that stands for every
positive number (then the least value, ``p + q B``, needs ``p, q >= 0``).

The rule drops the ``relu()`` and writes every ``affine`` of both sides as its
convolution, so that the linear rules apply to what is left.
"""

from __future__ import annotations

import sympy

from symconv.checker.flips import as_layer
from symconv.checker.periodicity import check_window, periodic_structure
from symconv.core.kernel import Literal
from symconv.core.layers import Affine, Chain, Conv, Layer, Parallel, ReLU
from symconv.core.semantics import evaluate, symbolic_input
from symconv.errors import CertificateError

__all__ = ["rule_relu_identity", "affine_as_convolution", "least_value"]


def affine_as_convolution(layer: Layer, channels: int) -> Layer:
    """``layer`` with every ``affine(s, t)`` (on ``channels`` channels) written as its grouped 1x1 convolution."""
    if isinstance(layer, Affine):
        scales, shifts = layer.per_channel(channels)
        return Conv(Literal(tuple(((s,),) for s in scales)), groups=channels, bias=tuple(shifts))
    if isinstance(layer, Parallel):
        return Parallel(tuple(affine_as_convolution(b, channels) for b in layer.branches))
    if isinstance(layer, Chain):
        steps = []
        for step in layer.steps:
            steps.append(affine_as_convolution(step, channels))
            channels = step.out_channels(channels) or channels
        return Chain(tuple(steps))
    return layer


def least_value(value: sympy.Expr, inputs: set, bound: sympy.Expr, where: str) -> sympy.Expr:
    """``t - B sum |a_j|`` for ``value = sum a_j x_j + t`` with rational ``a_j``."""
    value = sympy.expand(value)
    spread = sympy.Integer(0)
    for x in inputs & value.free_symbols:
        coefficient = value.coeff(x)
        if not coefficient.is_Rational:
            raise CertificateError(f"{where}: the input {x} enters a relu() input with the coefficient {coefficient}; "
                                   f"expected a number (numeric weights before the relu())")
        spread += abs(coefficient)
    constant = value.subs({x: 0 for x in inputs})
    return sympy.expand(constant - bound * spread)


def _nonnegative(least: sympy.Expr, bound: sympy.Expr) -> bool:
    """``least >= 0`` for the bound's value, or for every positive value of a named bound."""
    if least.is_Rational:
        return least >= 0
    if bound.is_Symbol and least.free_symbols == {bound}:
        poly = sympy.Poly(least, bound)
        return poly.degree() <= 1 and all(c.is_Rational and c >= 0 for c in poly.all_coeffs())
    return False


def rule_relu_identity(state: list[Layer], step, where: str) -> None:
    """Drop the ``relu()`` at ``index`` of ``side`` after checking the lemma (module docstring)."""
    bounds = getattr(state, "bounds", ())
    if len(bounds) != 1:
        raise CertificateError(f"{where}: the certificate declares {len(bounds)} input bound(s) (assumptions); "
                               f"a relu() is dropped under exactly one, e.g. 'abs(x) <= B'")
    bound = bounds[0]
    side, index = step.get("side"), step.get("index")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    which = 0 if side == "lhs" else 1
    layers = list(state[which].layers())
    if not (type(index) is int and 0 <= index < len(layers) and isinstance(layers[index], ReLU)):
        raise CertificateError(f"{where}: layer {index!r} of {state[which]!r} is not a relu()")
    channels = state[0].in_channels or state[1].in_channels or 1
    prefix = affine_as_convolution(as_layer(False, tuple(layers[:index])), channels)
    if not prefix.linear:
        raise CertificateError(f"{where}: the layers before the relu(), {prefix!r}, are not linear; drop the "
                               f"relu() layers before it first")
    period, start, limit = step.get("period"), step.get("start"), step.get("limit")
    check_window(period, start, limit, where)
    periodic_structure(prefix, prefix, period, start, where)
    for n in range(limit):
        x = symbolic_input(n, channels)
        inputs = {s for channel in x for s in channel}
        for o, row in enumerate(evaluate(prefix, x)):
            for i, value in enumerate(row):
                least = least_value(value, inputs, bound, where)
                if not _nonnegative(least, bound):
                    raise CertificateError(f"{where}: at n = {n} the relu() input [{o}, {i}] = {value} can be "
                                           f"{least} < 0 under |x| <= {bound}")
    state[which] = as_layer(False, tuple(layers[:index] + layers[index + 1:]))
    state[:] = [affine_as_convolution(s, channels) for s in state]
