"""The matrix of a linear layer on inputs of one length, exactly or in floating point.

A linear layer on ``C`` channels of length ``n`` is a matrix with rows
``o * m + i`` (output channel o, position i) and columns ``c * n + u``
(input channel c, position u): ``y = A x + b`` with x flattened channel by
channel. :func:`exact_matrix` reads ``A`` and ``b`` off the exact semantics
(:func:`symconv.core.semantics.evaluate` on symbolic inputs), so its
entries are expressions in the kernel taps; :func:`numeric_matrix` applies
the numpy evaluator to the unit vectors, for given kernel values.

>>> from symconv.core.layers import conv
>>> from symconv.core.kernel import kernel
>>> A, b = exact_matrix(conv(kernel("k", 2)), 3)
>>> A
Matrix([
[k_0, k_1,   0],
[  0, k_0, k_1]])
"""

from __future__ import annotations

from typing import Mapping, Optional

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.core.semantics import evaluate, symbolic_input
from symconv.errors import NotInFragment
from symconv.numeric import evaluate_numeric

__all__ = ["exact_matrix", "numeric_matrix", "operator_norm"]


def exact_matrix(layer: Layer, n: int, channels: Optional[int] = None,
                 sizes: Optional[Mapping[str, int]] = None) -> tuple[sympy.Matrix, sympy.Matrix]:
    """``(A, b)`` with ``layer(x) = A x + b`` on ``channels`` channels of length ``n``.

    Raises :class:`~symconv.errors.NotInFragment` when the layer is not affine in x.
    """
    channels = channels or layer.in_channels or 1
    x = symbolic_input(n, channels, name="xin")
    column = {v: j for j, v in enumerate(v for ch in x for v in ch)}
    flat_y = [v for ch in evaluate(layer, x, sizes) for v in ch]
    A = [[sympy.Integer(0)] * len(column) for _ in flat_y]
    b = [sympy.Integer(0)] * len(flat_y)
    for row, value in enumerate(flat_y):
        # Each term of an expanded affine output is (weights) * x_j or a constant.
        for term in sympy.Add.make_args(sympy.expand(value)):
            inputs = [f for f in sympy.Mul.make_args(term) if f.free_symbols & column.keys()]
            if not inputs:
                b[row] += term
            elif len(inputs) == 1 and inputs[0] in column:
                A[row][column[inputs[0]]] += term / inputs[0]
            else:
                raise NotInFragment(f"{layer!r} is not affine in its input ({term} in output {row}); "
                                    f"its matrix is undefined")
    return sympy.Matrix(len(flat_y), len(column), [v for r in A for v in r]), sympy.Matrix(b)


def numeric_matrix(layer: Layer, n: int, bindings: Optional[Mapping[str, object]] = None,
                   channels: Optional[int] = None) -> np.ndarray:
    """The float64 matrix of a linear layer (no bias) for the kernel values in ``bindings``."""
    channels = channels or layer.in_channels or 1
    basis = np.eye(channels * n).reshape(channels * n, channels, n)
    out = evaluate_numeric(layer, basis, bindings)  # (C n, C_out, m): column j is out[j]
    return out.reshape(channels * n, -1).T.copy()


def operator_norm(matrix: np.ndarray) -> float:
    """Largest singular value (the l2 operator norm); 0 for an empty matrix."""
    if matrix.size == 0:
        return 0.0
    return float(np.linalg.norm(matrix, 2))
