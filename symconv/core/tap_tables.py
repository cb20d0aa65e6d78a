"""A convolution's taps arranged by output channel, read once per layer object, and the integer forms of the
samples they multiply: what :mod:`symconv.core.semantics_nd` sums for every output.

A tap ``W[o, m, a]`` of ``conv{d}d`` feeds output channel ``o`` from input channel ``g(o) in/groups + m`` at
offset ``d a - pl``; a tap of ``conv_transpose{d}d`` feeds output ``r`` from input ``(r + p - d a) / s``. Numeric
taps (trained weights) are kept apart from symbolic ones, so that they are summed as integers over one
denominator (:func:`symconv.core.exact_poly.linear_combination`).
"""

from __future__ import annotations

from typing import Union

from symconv.lazy_import import sympy

from symconv.core.convolution import Conv, ConvTranspose
from symconv.core.exact_poly import Poly, from_sympy, integer_form, linear_combination

__all__ = ["weights_by_out", "tap_tables", "IntegerForms"]


def weights_by_out(entries) -> tuple[dict, dict]:
    """``(symbolic, numbers)`` from ``(o, m, shift, w)`` with w an exact polynomial: each output channel's
    ``(m, shift, w)`` taps, w a Poly (a tap with a symbol) or a rational number; zero taps are left out."""
    symbolic: dict = {}
    numbers: dict = {}
    for o, m, shift, p in entries:
        if not p:
            continue
        if len(p) == 1 and () in p:
            numbers.setdefault(o, []).append((m, shift, p[()]))
        else:
            symbolic.setdefault(o, []).append((m, shift, p))
    return symbolic, numbers


#: :func:`tap_tables` by ``id(layer)``: ``(layer, tables)``, the layer kept so that its id is not reused.
_TAP_TABLES: dict[int, tuple] = {}
#: At most this many layers' tables are kept (the whole memo is dropped past it): a 64-channel 3x3 layer's take
#: about 10 MB; a checker rule evaluates the few layers of one block at every shape, then moves on.
_MAX_TAP_TABLES = 16


def tap_tables(layer: Union[Conv, ConvTranspose]) -> tuple[dict, dict, list]:
    """``(symbolic, numbers, bias)`` of a (transposed) convolution: :func:`weights_by_out` of its taps by output
    channel and its bias as polynomials. Made once per layer object (layers are immutable), not once per input
    shape: reading a trained model's taps into the ring costs more than a small shape's outputs.

    A tap ``W[o, m, a]`` of a convolution is kept as ``(g(o) in/groups + m, d a - pl, w)``: output ``i`` reads the
    input channel ``g(o) in/groups + m`` at ``s i + d a - pl``. A tap ``W[m, o, a]`` of a transposed one is kept as
    ``(m, p - d a, w)`` under output channel ``g(m) out/groups + o``: output ``r`` reads input ``(r + p - d a) / s``.
    """
    kept = _TAP_TABLES.get(id(layer))
    if kept is not None and kept[0] is layer:
        return kept[1]
    if isinstance(layer, Conv):
        opg, ipg = layer.weight.out_channels // layer.groups, layer.weight.in_channels
        lefts = tuple(p for p, _ in layer.paddings)
        entries = ((o, (o // opg) * ipg + m, tuple(d * aa - p for d, aa, p in zip(layer.dilations, a, lefts)), w)
                   for (o, m, *a), w in layer.weight.exact_grid().items())
        out_channels = layer.weight.out_channels
    else:  # W[m, o, a] feeds output channel g out/groups + o, g the group of input channel m
        ipg, opg = layer.weight.shape[0] // layer.groups, layer.weight.shape[1]
        entries = (((m // ipg) * opg + o, m, tuple(p - d * aa for p, d, aa in zip(layer.paddings, layer.dilations, a)),
                    w) for (m, o, *a), w in layer.weight.exact_grid().items())
        out_channels = layer.out_channels(None)
    tables = (*weights_by_out(entries), [from_sympy(b) for b in layer.bias_entries or (sympy.S.Zero,) * out_channels])
    if len(_TAP_TABLES) >= _MAX_TAP_TABLES:
        _TAP_TABLES.clear()
    _TAP_TABLES[id(layer)] = (layer, tables)
    return tables


class IntegerForms:
    """:func:`exact_poly.linear_combination` of numbers and samples, each sample's integer form made once (the
    samples of a level are kept, so a sample read by many outputs is the same object each time)."""

    def __init__(self) -> None:
        self.forms: dict[int, tuple[Poly, Poly, int]] = {}

    def combine(self, pairs) -> Poly:
        """``sum_j a_j x_j`` for numbers a_j and polynomials x_j."""
        terms = []
        for a, x in pairs:
            if not x:
                continue
            form = self.forms.get(id(x))
            if form is None or form[0] is not x:
                form = self.forms[id(x)] = (x, *integer_form(x))  # x is kept, so its id is not reused
            terms.append((a, form[1], form[2]))
        return linear_combination(terms)
