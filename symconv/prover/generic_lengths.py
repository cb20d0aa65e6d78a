"""Output lengths of a chain for every input length n and every generic kernel length c.

Every layer of the linear fragment (and max-pooling, ReLU and affine, whose
lengths follow the same rule) maps an input of length L >= 0 (the empty one
included, DESIGN section 1) to

    L' = max(0, phi(L)),   phi(L) = floor((a L + b(c)) / D),

with integers ``a, D >= 1`` and ``b`` affine in c (a convolution of extent
``E = d (len - 1) + 1`` with padding ``(pl, pr)`` and stride s has
``a = 1, D = s, b = pl + pr - E + s``, so ``b = 0`` for ``padding='same'`` (stride 1,
``pl + pr = E - 1``) whatever c is; ``up(u)`` has ``a = u, D = 1, b = 1 - u``;
``conv_transpose`` has ``a = s, D = 1, b = E + op - 2p - s``). Composing them,
with ``P`` a multiple of the product of the D's and ``n = P m + sigma``:

    L(n, c) = max(alpha m + g_sigma(c), L(0, c))   for every n >= 0,

where ``alpha m + g_sigma(c)`` is the composition of the phi's without the
clamps (``raw``) and ``L(0, c)`` the chain's length on an empty input. Proof:
clamping only raises a value and every phi is non-decreasing, so
``L(n) >= raw(n)`` and ``L(n) >= L(0)``; if no clamp acts at n then
``L(n) = raw(n)``, and if the last one acts at layer k then that layer gives
0 at n, hence 0 at input 0 too, and the layers after it give ``L(0)``.
Every ``g_sigma`` and ``L(0, c)`` are eventually quasi-affine in c
(:mod:`symconv.algebra.quasi_affine`): the floors are exact in m because D
divides ``a alpha``. Two chains have equal lengths for every n and c exactly
when their ``alpha``, ``g_sigma`` and ``L(0, c)`` agree (the raw parts exceed
``L(0, c)`` for large m), so :meth:`LengthForm.first_difference` decides it.
``T(c)``, the least n from which no layer's output is empty, is kept for
the text: from it on ``L = raw``.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd, lcm
from typing import Optional

from symconv.lazy_import import sympy

from symconv.algebra.quasi_affine import QuasiAffine
from symconv.core.composite import Chain, Parallel
from symconv.core.layers import AvgPool, Conv, ConvTranspose, Crop, Down, Layer, Pad, Up
from symconv.core.nonlinear import Affine, MaxPool, ReLU
from symconv.core.output_length import length_step

__all__ = ["LengthForm", "length_form", "length_period", "affine_length", "OutsideGenericFragment"]


class OutsideGenericFragment(Exception):
    """The chain is outside the fragment the generic-length argument covers (internal signal)."""


def affine_length(length: object, symbol: sympy.Symbol) -> tuple[int, int]:
    """``(u, v)`` with ``length = u c + v``; anything else is outside the fragment."""
    if isinstance(length, int):
        return 0, length
    expr = sympy.expand(length)
    if expr.free_symbols - {symbol}:
        raise OutsideGenericFragment(f"length {length} depends on more than {symbol}")
    poly = sympy.Poly(expr, symbol)
    if poly.degree() > 1 or not all(coeff.is_Integer for coeff in poly.all_coeffs()):
        raise OutsideGenericFragment(f"length {length} is not an integer affine function of {symbol}")
    return int(poly.coeff_monomial(symbol)), int(poly.coeff_monomial(1))


#: The layers whose lengths the argument covers (each of the form ``max(0, phi)`` of the module docstring).
_FRAGMENT = (Conv, ConvTranspose, AvgPool, Pad, Crop, Down, Up, MaxPool, ReLU, Affine)


def _length_step(layer: Layer, symbol: sympy.Symbol) -> tuple[int, int, QuasiAffine]:
    """``(a, D, b)`` of the layer, read from the core's table (:func:`symconv.core.output_length.length_step`)."""
    if not isinstance(layer, _FRAGMENT):
        raise OutsideGenericFragment(f"{layer!r} is outside the generic-length fragment")
    step = length_step(layer)
    if step.empty_stays_empty and affine_length(step.offset, symbol)[1] // step.divisor >= 1:
        # phi(0) >= 1, but a maximum (or average) over no sample gives an empty output: not of the form max(0, phi)
        raise OutsideGenericFragment(f"{layer!r} reads only padding on an empty input")
    slope, intercept = affine_length(step.offset, symbol)
    return step.scale, step.divisor, QuasiAffine.affine(slope, intercept)


def length_period(layer: Layer) -> int:
    """The product of every layer's divisor D: a period in n of every chain length formula."""
    if isinstance(layer, Chain):
        period = 1
        for step in layer.steps:
            period *= length_period(step)
        return period
    if isinstance(layer, Parallel):
        period = 1
        for branch in layer.branches:
            period *= length_period(branch)
        return period
    return length_step(layer).divisor if isinstance(layer, _FRAGMENT) else 1


@dataclass(frozen=True)
class LengthForm:
    """For ``n = P m + sigma``: ``L = max(slope m + offsets[sigma](c), at_zero(c))`` for every n >= 0;
    ``L = slope m + offsets[sigma](c)`` once ``n >= threshold(c)``."""

    period: int
    slope: int
    offsets: tuple[QuasiAffine, ...]
    threshold: QuasiAffine
    #: ``L(0, c)``: the length on an empty input (padding and output_padding supply samples).
    at_zero: QuasiAffine = QuasiAffine.constant(0)

    def raw(self, n: int, c: int) -> int:
        """``slope m + offsets[sigma](c)``: the composition without the clamps at 0."""
        m, sigma = divmod(n, self.period)
        return self.slope * m + self.offsets[sigma](c)

    def __call__(self, n: int, c: int) -> int:
        return max(self.raw(n, c), self.at_zero(c))

    def empty_input_gives_empty_output(self) -> bool:
        """Whether ``L(0, c) = 0`` for every c (then ``L = 0`` below the threshold)."""
        return self.at_zero.first_difference(QuasiAffine.constant(0)) is None

    def first_difference(self, other: "LengthForm") -> Optional[tuple[int, int]]:
        """An ``(n, c)`` where the two lengths differ, or None when they agree for every n and c."""
        assert self.period == other.period, "compare forms built with the same period"
        c = self.at_zero.first_difference(other.at_zero)
        if c is not None:
            return 0, c
        if self.slope != other.slope:
            # the raw parts drift apart by at least 1 per period: past both L(0, 1) they differ
            start = self.period * max(0, self.at_zero(1) - min(g(1) for g in self.offsets + other.offsets) + 1)
            return next((n, 1) for n in range(start, start + 2 * self.period) if self(n, 1) != other(n, 1))
        for sigma, (mine, theirs) in enumerate(zip(self.offsets, other.offsets)):
            c = mine.first_difference(theirs)
            if c is not None:
                # the smallest m at which both raw lengths reach L(0, c): from there L = raw on both sides
                low = self.at_zero(c) - min(mine(c), theirs(c))
                m = max(0, -(-low // self.slope)) if self.slope else 0
                return sigma + self.period * m, c
        return None

    def closed_form(self) -> Optional[tuple[int, int, int, int]]:
        """``(a, u, v, D)`` with ``L = floor((a n + u c + v) / D) + 1`` for ``n >= T(c)``, when L has that form."""
        a, divisor = self.slope // gcd(self.slope, self.period), self.period // gcd(self.slope, self.period)
        offsets = []
        for c in (1, 2):
            first = self.offsets[0](c)
            fits = [e for e in range(divisor * (first - 1), divisor * first)
                    if all((a * sigma + e) // divisor + 1 == g(c) for sigma, g in enumerate(self.offsets))]
            if not fits:
                return None
            offsets.append(fits[0])
        u, v = offsets[1] - offsets[0], 2 * offsets[0] - offsets[1]
        e = QuasiAffine.affine(u, v)
        if any((e + a * sigma).floordiv(divisor).first_difference(g - 1) is not None
               for sigma, g in enumerate(self.offsets)):
            return None
        return a, u, v, divisor

    def formula(self, symbol: sympy.Symbol) -> str:
        """``L(n, c)`` as text: the closed form where there is one, else the pieces."""
        n = sympy.Symbol("n")
        closed = self.closed_form()
        if closed is None:
            return self.describe()
        a, u, v, divisor = closed
        inner = a * n + u * symbol + v
        length = f"floor(({inner})/{divisor}) + 1" if divisor > 1 else str(inner + 1)
        return f"L = {length} for {self.threshold_text(symbol)} {self.below_text(symbol)}"

    def below_text(self, symbol: sympy.Symbol) -> str:
        """What L is below the threshold, as a parenthesis: ``(0 below)``, or the larger of the formula
        and ``L(0, c)`` when a pad gives an empty signal samples."""
        if self.empty_input_gives_empty_output():
            return "(0 below)"
        fit = self.at_zero.affine_from()
        at_zero = fit[1] * symbol + fit[2] if fit is not None and fit[0] == 1 else self.at_zero.describe()
        return f"(below: the larger of that and L(0) = {at_zero})"

    def threshold_text(self, symbol: sympy.Symbol, name: str = "n") -> str:
        """``n >= T(c)`` as text: ``n >= 3*c - 2``, with the first values of c apart when they differ;
        ``name`` is the input length's name (``n1`` on the first axis of an N-D chain)."""
        fit = self.threshold.affine_from()
        if fit is None:
            return f"{name} >= T({symbol}), T: {self.threshold.describe()}"
        start, slope, intercept = fit
        text = f"{name} >= {slope * symbol + intercept}"
        if start > 1:
            early = ", ".join(str(self.threshold(c)) for c in range(1, start))
            text += (f" when {symbol} >= {start} ({name} >= {early} for {symbol} = "
                     f"{', '.join(map(str, range(1, start)))})")
        return text

    def describe(self) -> str:
        """The formula as text, in the notation of the module docstring."""
        offsets = "; ".join(f"sigma = {s}: {g.describe()}" for s, g in enumerate(self.offsets))
        below = "0" if self.empty_input_gives_empty_output() else f"max(that, L(0, c) = {self.at_zero.describe()})"
        return (f"for n = {self.period}m + sigma >= T(c) = {self.threshold.describe()}: "
                f"L = {self.slope}m + g_sigma(c) with {offsets}; else L = {below}")


def _apply(form: LengthForm, step: tuple[int, int, QuasiAffine]) -> LengthForm:
    a, divisor, b = step
    if (a * form.slope) % divisor:
        raise OutsideGenericFragment(f"period {form.period} is not a multiple of the strides")  # internal
    least = None
    zero = QuasiAffine.constant(0)
    for sigma, g in enumerate(form.offsets):
        nonempty = (1 - g).ceildiv(form.slope)
        long_enough = (QuasiAffine.constant(divisor) - b - g.scaled(a)).ceildiv(a * form.slope)
        m = QuasiAffine.maximum(zero, QuasiAffine.maximum(nonempty, long_enough))
        n = m.scaled(form.period) + sigma
        least = n if least is None else QuasiAffine.minimum(least, n)
    offsets = tuple((g.scaled(a) + b).floordiv(divisor) for g in form.offsets)
    at_zero = QuasiAffine.maximum(zero, (form.at_zero.scaled(a) + b).floordiv(divisor))
    return LengthForm(form.period, a * form.slope // divisor, offsets, QuasiAffine.maximum(form.threshold, least),
                      at_zero)


def _through(form: LengthForm, layer: Layer, symbol: sympy.Symbol) -> LengthForm:
    if isinstance(layer, Chain):
        for step in layer.steps:
            form = _through(form, step, symbol)
        return form
    if isinstance(layer, Parallel):
        forms = [_through(form, branch, symbol) for branch in layer.branches]
        if any(f.first_difference(forms[0]) is not None for f in forms[1:]):
            raise OutsideGenericFragment(f"the branches of {layer!r} can have different lengths")
        return forms[0]
    return _apply(form, _length_step(layer, symbol))


def length_form(layer: Layer, period: int, symbol: sympy.Symbol) -> LengthForm:
    """The exact length formula of ``layer`` for every n and c; ``period`` must be a multiple of
    :func:`length_period`."""
    if period % length_period(layer):
        raise ValueError(f"period {period} is not a multiple of {length_period(layer)}")
    start = LengthForm(period, period, tuple(QuasiAffine.constant(s) for s in range(period)),
                       QuasiAffine.constant(0))
    return _through(start, layer, symbol)


def common_period(*layers: Layer) -> int:
    """The least common multiple of the layers' periods."""
    return lcm(*(length_period(layer) for layer in layers))
