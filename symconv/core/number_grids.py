"""Grids of numbers: the taps of a numeric weight (a model's, a counterexample's) and their full convolution.

An exact grid (:meth:`symconv.core.kernel.Kernel.exact_grid`) whose every tap is a number is read as
``{index: number}`` (:func:`numbers_of`); two such weights are convolved by integer dot products over one
denominator each (:func:`numeric_convolution`): the same exact numbers as one polynomial product per pair of
taps, without a polynomial per product (two 64-channel 3x3 weights: 1.7 s instead of 22 s).

>>> numeric_convolution({(0, 0, 0): 1, (0, 0, 1): 2}, {(0, 0, 0): 1, (0, 0, 1): Fraction(1, 2)}, 1, 1, 1)
{(0, 0, 0): {(): 1}, (0, 0, 1): {(): Fraction(5, 2)}, (0, 0, 2): {(): 1}}
"""

from __future__ import annotations

from fractions import Fraction
from math import lcm
from operator import mul
from typing import Optional

__all__ = ["numbers_of", "numeric_convolution"]


def numbers_of(grid: dict) -> Optional[dict]:
    """``{index: number}`` when every tap of an exact grid is a number (``{(): c}``), else None."""
    values = {}
    for index, p in grid.items():
        if len(p) != 1 or () not in p:
            return None
        values[index] = p[()]
    return values


def _over_one_denominator(values: dict) -> tuple[dict, int]:
    """``({index: integer}, D)`` with ``value = integer / D`` (D the lcm of the denominators)."""
    den = lcm(*(v.denominator for v in values.values())) if values else 1
    return {index: int(v * den) for index, v in values.items()}, den


def numeric_convolution(a: dict, b: dict, inputs: int, middle: int, outputs: int) -> dict:
    """``convolve(a, b)`` of two numeric weights as an exact grid (``a`` of shape ``(middle, inputs, ...)``, ``b``
    of shape ``(outputs, middle, ...)``): for every pair of spatial offsets ``(u, v)``,
    ``E[o, i, u + v] += <b[o, :, v], a[:, i, u]>``, dot products of integers over one denominator."""
    a, den_a = _over_one_denominator(a)
    b, den_b = _over_one_denominator(b)
    columns: dict = {}  # a's offset u -> for each input i, the vector a[:, i, u]
    for (m, i, *u), value in a.items():
        columns.setdefault(tuple(u), [[0] * middle for _ in range(inputs)])[i][m] = value
    rows: dict = {}  # b's offset v -> for each output o, the vector b[o, :, v]
    for (o, m, *v), value in b.items():
        rows.setdefault(tuple(v), [[0] * middle for _ in range(outputs)])[o][m] = value
    sums: dict = {}
    for u, by_input in columns.items():
        for v, by_output in rows.items():
            t = tuple(x + y for x, y in zip(u, v))
            for o, row in enumerate(by_output):
                for i, column in enumerate(by_input):
                    total = sum(map(mul, row, column))
                    if total:
                        key = (o, i) + t
                        sums[key] = sums.get(key, 0) + total
    den = den_a * den_b
    return {key: {(): total // den if total % den == 0 else Fraction(total, den)}
            for key, total in sums.items() if total}
