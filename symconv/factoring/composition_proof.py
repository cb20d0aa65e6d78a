"""The proof that a two-layer network equals ``conv(q)``: ``conv(F) >> conv(S) == conv(q)`` for every n.

Nothing here decides the identity; the prover does:

* rational weights (a literal ``q``) are ``Literal`` kernels and weights
  written in the taps of a symbolic ``q`` are ``DerivedKernel`` closed forms
  over ``q``'s symbols; :func:`symconv.prover.prove` decides the statement
  exactly in the taps and checks it numerically (a closed-form kernel prints
  as a tap list such as ``[q_0/2, q_1]``, which reads back as DSL, so those
  proofs carry a certificate too).
* algebraic (irrational) weights of a one-channel factorization are outside
  the prover's ring (QQ[taps]). ``prove`` then establishes the lemma
  ``conv(a[N]) >> conv(b[M]) == conv(convolve(a, b))`` for symbolic ``a``,
  ``b``; ``convolve(A, B) = q`` holds because ``A B`` is ``Q``'s
  factorization into its exact roots (:mod:`symconv.factoring.single_channel`),
  which the note records together with a 60-digit check of every tap and a
  float64 check of the network on random inputs.

>>> from symconv.core.kernel import literal
>>> prove_factorization(literal([[[1, 0]], [[0, 1]]]), literal([[[1, 2], [0, 3]]]), literal([1, 2, 3])).verdict
'proved'
"""

from __future__ import annotations

import dataclasses
from typing import Mapping, Sequence

import numpy as np
from symconv.lazy_import import sympy

from symconv.core.kernel import (
    DerivedKernel,
    Kernel,
    KernelSymbol,
    Literal,
    convolve,
    exact_number,
    full_convolution,
    kernel,
)
from symconv.core.layers import conv
from symconv.errors import KernelError
from symconv.factoring.single_channel import approximate
from symconv.numeric.check import compare_chains
from symconv.prover.proof import Proof, prove

__all__ = ["prove_factorization", "weight_kernel", "substitute_taps", "source_values", "is_rational"]

Taps3 = tuple[tuple[tuple[sympy.Expr, ...], ...], ...]


def is_rational(taps: Taps3) -> bool:
    """True when every tap is a rational number."""
    return all(isinstance(v, sympy.Rational) for row in taps for t in row for v in t)


def weight_kernel(taps: Taps3, sources: Sequence[KernelSymbol]) -> Kernel:
    """A ``Literal`` for numeric taps, a ``DerivedKernel`` over ``sources`` otherwise."""
    if not sources:
        return Literal(taps)
    return DerivedKernel(taps, tuple(sources))


def source_values(sources: Sequence[KernelSymbol], values: Mapping[str, object]) -> dict[sympy.Symbol, sympy.Expr]:
    """``{tap symbol: exact value}`` from ``{kernel name: its taps}`` (numbers become exact rationals).

    >>> source_values([kernel("q", 2)], {"q": [1, 0.5]})
    {q_0: 1, q_1: 1/2}
    """
    table = {}
    for s in sources:
        if s.name not in values:
            raise KernelError(f"no values for the kernel {s!r}; expected values={{{s.name!r}: [...]}}")
        given = [v.item() if isinstance(v, np.generic) else v
                 for v in np.asarray(values[s.name], dtype=object).reshape(-1)]
        taps = [t for row in s.taps() for ts in row for t in ts]
        if len(given) != len(taps):
            raise KernelError(f"{len(given)} value(s) for the kernel {s!r}; expected {len(taps)}")
        table.update({t: exact_number(v, f"a value of {s.name}") for t, v in zip(taps, given)})
    return table


def substitute_taps(taps: Taps3, table: Mapping[sympy.Symbol, sympy.Expr]) -> Literal:
    """The weight with every tap symbol replaced by its value (a literal kernel)."""
    return Literal(tuple(tuple(tuple(sympy.expand(v.subs(table)) for v in t) for t in row) for row in taps))


def _approximate_kernel(k: Kernel, digits: int = 30) -> Literal:
    return Literal(tuple(tuple(tuple(approximate(v, digits) for v in t) for t in row) for row in k.taps()))


def _prove_algebraic(first: Kernel, second: Kernel, q: Kernel, seed: int) -> Proof:
    n, m = first.length, second.length
    a, b = kernel("a", n), kernel("b", m)
    lemma = prove(conv(a) >> conv(b), conv(convolve(a, b)), seed=seed)
    product = full_convolution(first.taps()[0][0], second.taps()[0][0])
    error = max(abs(approximate(p - t, 60)) for p, t in zip(product, q.taps()[0][0]))
    assert error < sympy.Float(10) ** -40, f"the algebraic factorization is off by {error}"
    network = conv(_approximate_kernel(first)) >> conv(_approximate_kernel(second))
    numeric = compare_chains(network, conv(q), range(1, 2 * q.length + 3), seed=seed)
    assert numeric.agrees, f"the algebraic factorization differs numerically: {numeric.mismatch}"
    note = (f"{lemma.note}; the weights are real algebraic numbers A, B with A(z) B(z) = Q(z) by construction "
            f"(Q's exact roots, with multiplicity, shared between A and B), so convolve(A, B) = q; "
            f"60-digit check: every tap of convolve(A, B) - q is below 1e-40 in absolute value; numeric: the "
            f"network with 30-digit weights against conv(q)")
    return dataclasses.replace(lemma, numeric=numeric, note=note)


def prove_factorization(first: Kernel, second: Kernel, q: Kernel, seed: int = 0) -> Proof:
    """The verdict on ``conv(first) >> conv(second) == conv(q)`` for every n (module docstring).

    ``first`` and ``second`` are ``Literal`` or ``DerivedKernel`` weights;
    ``q`` is the kernel as the user gave it.
    """
    if isinstance(first, DerivedKernel) or is_rational(first.taps()) and is_rational(second.taps()):
        return prove(conv(first) >> conv(second), conv(q), seed=seed)
    return _prove_algebraic(first, second, q, seed)
