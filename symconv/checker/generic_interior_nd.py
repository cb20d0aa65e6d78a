"""The checker's rule ``generic_interior_nd``: linear N-D chains with one generic size c, for every c >= 1.

Rule data: ``symbol`` (the generic size c), ``period`` (a hint ``P``; every
divisibility it needs is re-checked) and, optionally, ``prefix`` (a count p).
The fragment: both sides are d-D chains (d >= 2) of ``pad``, ``crop``,
``down``, ``up``, ``conv{d}d`` and ``conv_transpose{d}d`` (groups and bias
allowed), linear ``avgpool{d}d`` and sums of such chains (``A + B``, each branch
giving the same shape), meeting the hypotheses of Lemma Z of
:mod:`symconv.checker.zero_extension_nd` (a layer that reads outside its
input's window on an axis, such as a padded convolution, comes only where the
signal is still zero outside the window on that axis and no bias was added; a
bias comes after every up-sampling); each named kernel's spatial sizes are
integers or c itself (``k[c, 3]``, ``W[2, 2, c, c]``); kernels are built by
``convolve``, ``dilate``, ``flip``, ``padk``, sums and multiples. Anything
else is refused, naming it. Write ``c = P q + rho + 1`` (``q >= 0``,
``0 <= rho < P``).

**(0) Shared prefix** (only with ``prefix`` p >= 1). Both sides are rewritten by
the lemma of :mod:`symconv.checker.padding_as_pad` (a concrete convolution
padding is a ``pad`` before the unpadded convolution, an equivalence), and
their first p layers must then be equal objects ``A``; the statement
``A >> L' == A >> R'`` follows from ``L' == R'`` for every input of every shape
(the congruence lemma of :mod:`symconv.checker.congruence`), which (1)-(3)
prove for the rests ``L'`` and ``R'``, with the input channels A gives. This is
sufficient, not necessary: a failure concludes nothing.

**(1) Lengths.** The output shape is the 1-D length table per axis
(:func:`symconv.core.layers_nd.output_shape` of the projections
:func:`~symconv.core.layers_nd.axis_chain`), so the shapes agree for every
shape and every c iff each axis's two projections have equal lengths for every
``n_a >= 0`` and c >= 1: the lemma of :mod:`symconv.checker.generic_argument`
(1), :func:`~symconv.checker.generic_argument.compare_lengths`, on each axis
(an axis without c is the same lemma with no q).

**(2) Form.** For each c, by Lemma Z each side's output is ``T(xbar) + B`` on
its window: ``xbar`` the input extended by zeros, T the composition of the
layers' bi-infinite operators without their biases, B the constant (per
channel) the biases add; by Lemma S a shift of the input by ``t* u`` moves T's
output by ``t* r u``, r the position rates, checked equal on both sides.

**(3) Polyphase atoms.** Every kernel of size c is a finite sum in formal atoms
``A_{r,a}(z_G^P)`` that do not depend on c, so T's responses to impulses and B
are finite formal sums whose equality holds at every c (for each rho where a
flip or a generic padding needs it). The operators' formulas, the atoms and
why the computation commutes with evaluating them at a c are in
:mod:`symconv.checker.impulse_responses_nd`, which computes and compares them
(:func:`~symconv.checker.impulse_responses_nd.compare_responses`).

**Theorem.** If the lengths agree (1), both sides meet Lemma Z and have the
same position rates, the responses of the two sides' T to the impulses
``z^t``, ``0 <= t_j < t*_j`` (the shifts of Lemma S), of every input channel
are equal formal sums, and their constants B are equal formal sums, then
``lhs == rhs`` for every input shape and every c >= 1. *Proof.* Fix c. By (3)
the responses to those ``z^t`` agree; a shift by ``t* u`` moves both outputs
by ``t* r u`` (Lemma S, the same r), so the responses to every impulse agree,
and by linearity ``T_L = T_R`` on every finitely supported signal; so do
``B_L = B_R``. By (2) each side's output is ``T(xbar) + B`` on its window,
and by (1) the windows are equal. With a prefix, (0). QED.

Edge-free chains (padding only in front, no ``up``, transposed convolution or
bias) are the case ``t* = S_tot``, the product of the strides
(:func:`total_strides`).
"""

from __future__ import annotations

import math
from typing import Optional

from symconv.checker.congruence import chain_of
from symconv.checker.generic_argument import MAX_PERIOD, compare_lengths
from symconv.checker.impulse_responses_nd import MAX_IMPULSES, compare_responses
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.checker.zero_extension_nd import check_zero_extension, impulse_shifts, linear_steps, position_rates
from symconv.core.convolution import Conv
from symconv.core.layers import Layer
from symconv.core.layers_nd import AvgPool, Down, axis_chain
from symconv.errors import CertificateError

__all__ = ["rule_generic_interior_nd", "total_strides"]


def _split_prefix(state: list[Layer], prefix: object, d: int, where: str) -> tuple[list[Layer], Optional[int]]:
    """(0): the rests after the first ``prefix`` layers, equal on both sides once padding is written as pad, and
    the number of channels the prefix gives (None: any); the sides themselves when ``prefix`` is 0."""
    if type(prefix) is not int or prefix < 0:
        raise CertificateError(f"{where}: prefix must be a count of layers (an integer >= 0), not {prefix!r}")
    if prefix == 0:
        return list(state), None
    layers = [padding_as_pad(side).layers() for side in state]
    if prefix > min(len(x) for x in layers) or layers[0][:prefix] != layers[1][:prefix]:
        raise CertificateError(f"{where}: with every convolution's padding written as pad(), the sides do not "
                               f"begin with the same {prefix} layer(s)")
    shared = chain_of(layers[0][:prefix], d)
    return [chain_of(x[prefix:], d) for x in layers], shared.out_channels(state[0].in_channels or state[1].in_channels)


def total_strides(steps: tuple, d: int) -> tuple[int, ...]:
    """``S_tot`` per axis: the product of the window layers' strides (a crop or pad has stride 1)."""
    strides = [1] * d
    for step in steps:
        factors = (step.strides if isinstance(step, Conv) else step.strides if isinstance(step, AvgPool)
                   else step.factors if isinstance(step, Down) else (1,) * d)
        strides = [s * f for s, f in zip(strides, factors)]
    return tuple(strides)


def rule_generic_interior_nd(state: list[Layer], step, where: str) -> str:
    """Close ``lhs == rhs`` for every shape and every c >= 1 by (1)-(3) of the module docstring."""
    lhs, rhs = state
    name, period = step.get("symbol"), step.get("period")
    if not isinstance(name, str) or type(period) is not int or not 1 <= period <= MAX_PERIOD:
        raise CertificateError(f"{where}: expected symbol (a name) and period (an integer in 1..{MAX_PERIOD})")
    d = lhs.ndim
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: the generic_interior_nd rule is for two N-D chains with the same axes; "
                               f"the sides have {lhs.ndim} and {rhs.ndim}")
    symbols = {s for side in state for k in side.kernels() for s in k.length_symbols()}
    if {s.name for s in symbols} != {name} or len(symbols) != 1:
        raise CertificateError(f"{where}: the statement has the generic sizes {sorted(map(str, symbols))}; "
                               f"the rule takes exactly one, {name}")
    symbol = symbols.pop()
    sides, given = _split_prefix(state, dict(step.data).get("prefix", 0), d, where)
    steps = [linear_steps(side, where) for side in sides]
    for side in sides:
        check_zero_extension(side, where)
    for axis in range(d):
        compare_lengths([axis_chain(side, axis) for side in sides], period, symbol, f"{where}, axis {axis + 1}")
    rates = [position_rates(s, d, where) for s in steps]
    if rates[0] != rates[1]:
        raise CertificateError(f"{where}: the sides move positions at the rates {[str(r) for r in rates[0]]} and "
                               f"{[str(r) for r in rates[1]]} per axis")
    shifts = tuple(map(math.lcm, impulse_shifts(steps[0], d, where), impulse_shifts(steps[1], d, where)))
    wanted = [side.in_channels for side in sides if side.in_channels] + ([given] if given else [])
    if len(set(wanted)) > 1:
        raise CertificateError(f"{where}: the sides take {' and '.join(map(str, dict.fromkeys(wanted)))} input "
                               f"channels")
    channels = wanted[0] if wanted else 1
    if channels * math.prod(shifts) > MAX_IMPULSES:
        raise CertificateError(f"{where}: {channels} channel(s) and the shifts {list(shifts)} need more than "
                               f"{MAX_IMPULSES} impulse responses")
    compare_responses(steps, period, symbol, d, channels, shifts, where)
    return f"every {name} >= 1 and every input shape"
