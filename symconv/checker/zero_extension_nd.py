"""Zero extension and shift invariance of linear N-D chains, axis by axis (the kernel's ``generic_interior_nd``).

Notation of the reports (0-based, cross-correlation). A linear N-D chain of
``pad``, ``crop``, ``down``, ``up``, ``conv{d}d`` (groups, bias),
``conv_transpose{d}d`` (groups, bias), linear ``avgpool{d}d`` and sums of such
chains (``A + B``: the sum of the branches' outputs, of one shape) acts on a
signal on the box ``W = [0, n_1) x ... x [0, n_d)``. Its *bi-infinite operator*
acts on signals on ``Z^d``: each layer's formula (DESIGN section 1) with every
padding zero replaced by the value of the input there. Write ``xbar`` for the
input extended by zeros and ``u_t`` for the bi-infinite signal after layer t
(``u_0 = xbar``); a bias makes ``u_t = T_t(xbar) + B_t``, ``B_t`` constant per
channel.

**Per-axis reading.** Every layer's index map is separable: output i reads (or,
transposed, receives from) input positions whose coordinate on axis a depends on
``i_a`` alone, as in the 1-D layer of the same window arithmetic on that axis
(:func:`symconv.core.layers_nd.axis_layer`). So on axis a the layer

* *reads outside* (some output in its window reads an input coordinate
  ``j_a`` outside ``[0, n_a)``) only if its 1-D projection does: ``pad`` with
  a nonzero width, a convolution or average pool padded on that axis, a
  transposed convolution unless its size there is an integer l with
  ``d (l - 1) + op < s + p`` (then ``s i + d a - p = t`` with t in the output
  window forces ``0 <= i < n``);
* *keeps zero* on axis a (an input zero at every coordinate outside
  ``[0, n_a)`` on that axis gives an output zero at every coordinate outside the
  output's ``[0, m_a)``) when the projection is ``pad``, ``up``, ``down``
  (phase < s), a transposed convolution with padding 0 there (t outside
  ``[0, m_a)`` receives only from i outside ``[0, n_a)``) or ``crop(0, 0)``.

**Lemma Z (zero extension).** Let ``Z_a(t)`` say that ``u_t`` is zero wherever its
axis-a coordinate is outside its window, and set ``Z_a(0)`` true, ``Z_a(t+1) =
Z_a(t)`` and (layer t+1 keeps zero on a). If every layer that reads outside on
an axis a has ``Z_a(t)`` and no bias before it, then for every shape the chain's
output is ``u_L`` restricted to its window. *Proof.* Induction on t: the true
signal after layer t is ``u_t`` on its window. Layer t+1's true output at i is
its formula applied to the true input extended by its padding zeros; the
bi-infinite output applies the same formula to ``u_t``. They differ only where
i reads a position p outside the input window, i.e. with some coordinate
``p_a`` outside ``[0, n_a)``; that happens only on an axis a where the layer
reads outside, where ``u_t(p) = 0`` by ``Z_a(t)`` and ``B_t = 0``. The d
per-axis conditions suffice because a position outside the box is outside on
at least one axis, and on that axis alone the layer's reading is decided by
its 1-D projection. ``Z_a`` propagates by the keeps-zero property, which
looks at axis a only. A sum ``A + B`` is the sum of its branches' outputs on one
window: each branch starts from the flags (and bias) of the sum's input, the
true output of each is its bi-infinite one on the window by the same
induction, and after the sum ``Z_a`` holds when it holds after every branch
(a sum of signals zero there is zero there), a bias of any branch counting as
a bias before what follows. QED.

**Lemma S (shifts).** Shifting ``xbar`` by ``t`` (per axis) shifts ``u_L`` by ``t r``,
``r`` the product of the up-sampling factors over that of the down-sampling
strides, when ``t r_j / s`` is an integer before every layer j of stride s
(:func:`impulse_shifts` gives the least such t, per axis). *Proof.*
``down_s(z^(s v) X) = z^v down_s(X)``; ``up`` and a transposed convolution of
stride s map ``z^v`` to ``z^(s v)``; the other layers commute with every shift;
a sum shifts its output by the branches' common ``t r`` (the branches' rates
are checked equal). QED. A constant B passes a later layer as a constant only when that layer
does not up-sample (checked: a bias before ``up(s)`` or a strided transposed
convolution is refused).
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Optional, Sequence

from symconv.core.composite import Parallel
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up
from symconv.core.layers_nd import axis_layer
from symconv.errors import CertificateError

__all__ = ["linear_steps", "check_zero_extension", "impulse_shifts", "position_rates", "reads_outside", "keeps_zero",
           "WINDOW_LAYERS"]

#: The layers of the fragment.
WINDOW_LAYERS = (Conv, ConvTranspose, AvgPool, Pad, Crop, Down, Up)


def linear_steps(side: Layer, where: str) -> tuple[Layer, ...]:
    """The layers of ``side``; CertificateError naming the first one outside the fragment (module docstring)."""
    steps = side.layers()
    for number, step in enumerate(steps, 1):
        if isinstance(step, Parallel):
            for branch in step.branches:
                linear_steps(branch, where)
            continue
        if not isinstance(step, WINDOW_LAYERS):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, is not pad, crop, down, up, conv, "
                                   f"conv_transpose, avgpool or a sum of such chains; the rule is for linear N-D "
                                   f"chains")
        if not step.is_linear:
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, divides its edge windows by "
                                   f"fewer samples (ceil_mode or count_include_pad=False); the rule is for linear "
                                   f"N-D chains")
    return steps


def reads_outside(step: Layer) -> bool:
    """Whether a 1-D layer (or an N-D layer's projection on one axis) reads outside its input's window (module
    docstring)."""
    if isinstance(step, Pad):
        return bool(step.left or step.right)
    if isinstance(step, Conv):
        return step.padding_pair() != (0, 0)
    if isinstance(step, AvgPool):
        return bool(step.padding)
    if isinstance(step, ConvTranspose):
        length = step.weight.length
        return not isinstance(length, int) or (
            step.dilation * (length - 1) + step.output_padding >= step.stride + step.padding)
    return False


def keeps_zero(step: Layer) -> bool:
    """Whether a 1-D layer (or projection) maps a signal zero outside its window to one zero outside its window."""
    return (isinstance(step, (Pad, Up, Down))
            or isinstance(step, ConvTranspose) and step.padding == 0
            or isinstance(step, Crop) and step.left == step.right == 0)


def _upsamples(step: Layer) -> bool:
    return (isinstance(step, Up) and any(f != 1 for f in step.factors)
            or isinstance(step, ConvTranspose) and any(s != 1 for s in step.strides))


def _zero_walk(side: Layer, zero: list[bool], biased: Optional[Layer], where: str) -> tuple[list, Optional[Layer]]:
    """Lemma Z along ``side`` from the flags ``Z_a`` and the first bias before it; the flags and bias after it. A
    sum's branches start from its input's flags; after it ``Z_a`` holds when it holds after every branch."""
    d = len(zero)
    for number, step in enumerate(side.layers(), 1):
        if isinstance(step, Parallel):
            after = [_zero_walk(branch, list(zero), biased, where) for branch in step.branches]
            zero = [all(flags[axis] for flags, _ in after) for axis in range(d)]
            biased = next((bias for _, bias in after if bias is not None), None)
            continue
        projections = [axis_layer(step, axis) for axis in range(d)]
        for axis, projection in enumerate(projections):
            if not reads_outside(projection):
                continue
            if biased is not None:
                raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, reads outside its input's "
                                       f"window on axis {axis + 1}, where the bias of {biased!r} is not zero")
            if not zero[axis]:
                raise CertificateError(f"{where}: zero extension fails: layer {number} of {side!r}, {step!r}, reads "
                                       f"outside its input's window on axis {axis + 1}, where the signal need not "
                                       f"be zero (an earlier layer reads a window there)")
        if biased is not None and _upsamples(step):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, up-samples the constant that the "
                                   f"bias of {biased!r} adds; the rule needs a bias after every up-sampling")
        zero = [z and keeps_zero(p) for z, p in zip(zero, projections)]
        if getattr(step, "bias", None) is not None:
            biased = biased or step
    return zero, biased


def check_zero_extension(side: Layer, where: str) -> None:
    """Lemma Z's hypotheses along ``side`` (and a bias never before an up-sampling); else CertificateError."""
    _zero_walk(side, [True] * side.ndim, None, where)


def _down_factors(step: Layer, d: int) -> tuple[int, ...]:
    if isinstance(step, Conv):
        return tuple(step.strides)
    if isinstance(step, AvgPool):
        return tuple(step.strides)
    return tuple(step.factors) if isinstance(step, Down) else (1,) * d


def _up_factors(step: Layer, d: int) -> tuple[int, ...]:
    if isinstance(step, ConvTranspose):
        return tuple(step.strides)
    return tuple(step.factors) if isinstance(step, Up) else (1,) * d


def _shift_walk(steps: Sequence[Layer], d: int, shifts: list[int], rates: list[Fraction],
                where: str) -> list[Fraction]:
    """Lemma S along ``steps`` from the position rates ``rates``: ``shifts`` takes the lcm with each denominator of
    ``r / s``; the rates after. A sum's branches must end with the same rates (else CertificateError)."""
    for step in steps:
        if isinstance(step, Parallel):
            after = [_shift_walk(branch.layers(), d, shifts, list(rates), where) for branch in step.branches]
            if any(other != after[0] for other in after[1:]):
                raise CertificateError(f"{where}: the branches of {step!r} move positions at different rates "
                                       f"{[[str(r) for r in rate] for rate in after]} per axis")
            rates = after[0]
            continue
        for axis, (down, up) in enumerate(zip(_down_factors(step, d), _up_factors(step, d))):
            shifts[axis] = math.lcm(shifts[axis], (rates[axis] / down).denominator)
            rates[axis] = rates[axis] * up / down
    return rates


def impulse_shifts(steps: Sequence[Layer], d: int, where: str = "impulse_shifts") -> tuple[int, ...]:
    """Lemma S's least shift t per axis: the lcm of the denominators of ``r_j / s`` over the down-sampling layers."""
    shifts = [1] * d
    _shift_walk(steps, d, shifts, [Fraction(1)] * d, where)
    return tuple(shifts)


def position_rates(steps: Sequence[Layer], d: int, where: str = "position_rates") -> tuple[Fraction, ...]:
    """Lemma S's r per axis: up-sampling factors over down-sampling strides."""
    return tuple(_shift_walk(steps, d, [1] * d, [Fraction(1)] * d, where))
