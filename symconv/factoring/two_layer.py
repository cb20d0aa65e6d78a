r"""Two-layer factorizations with two or more channels (OS-CNN appendix A, claim C0.1).

Weights are in PyTorch's layout: the first layer ``F`` has shape ``(C, 1, N)``,
the second ``S`` shape ``(1, C, M)``. With ``F_c(z) = sum_j F[c, 0, j] z^j``
and ``S_c(z) = sum_j S[0, c, j] z^j``,

    conv(F) >> conv(S) = conv(q)   iff   sum_c F_c(z) S_c(z) = Q(z) = sum_l q_l z^l,

because in the correlation orientation ``conv(a) >> conv(b) = conv(convolve(a, b))``
(DESIGN §1) and ``convolve`` multiplies generating polynomials.

**Shift selection** (the note's construction, ``C = N``): ``F[n, 0, j] = 1``
iff ``j = n``, i.e. ``F_n(z) = z^n``; channel ``n`` carries ``x[i + n]``. With
``w[n][j] = S[0, n, j]`` the output is

    y[i] = sum_{n, j} w[n][j] x[i + n + j] = sum_l x[i + l] (sum_{n + j = l} w[n][j]),

so the network equals ``conv(q)`` iff every anti-diagonal of ``w`` sums to its
tap: ``sum_{n + j = l} w[n][j] = q_l`` (the note's eq. 10, 0-based). The
anti-diagonal ``l`` has ``count(l) = min(l + 1, N, M, L - l)`` entries.

* simplest solution: ``q_l`` on one entry of its anti-diagonal, the one in
  row ``n = min(l, N - 1)``: column 0 holds ``q_0 .. q_{N-1}``, the last row
  holds ``q_{N-1} .. q_{L-1}``;
* minimum-norm solution: ``w[n][j] = q_{n+j} / count(n + j)`` (the anti-diagonals
  are disjoint, and on each the least-norm vector with a given sum is constant);
* all solutions: ``(N - 1)(M - 1)`` free parameters ``t_n_j`` (``n < N - 1``,
  ``j >= 1``), the entry in row ``min(l, N - 1)`` taking ``q_l`` minus the others.

**Fewer channels** (``2 <= C <= N``): the simplest solution's channels
``0 .. N - 2`` have constant second-layer kernels ``q_n``, and channels with
constant kernels merge: ``sum_{n <= N-C} z^n q_n = (q_0 + ... + q_{N-C} z^{N-C}) * 1``.
Keeping shifts ``N-C+1 .. N-1`` apart gives ``C`` channels; with ``C = 2``,

    Q(z) = (q_0 + q_1 z + ... + q_{N-2} z^{N-2}) * 1 + z^{N-1} * (q_{N-1} + ... + q_{L-1} z^{M-1}),

so **two channels always suffice**, for every ``q`` and all ``N, M >= 1``.

>>> q = sympy.symbols("q_0:5")
>>> shift_selection(q, 2, 4, "simplest").second[0]
((q_0, 0, 0, 0), (q_1, q_2, q_3, q_4))
>>> merged(q, 3, 3, 2).first
(((q_0, q_1, 0),), ((0, 0, 1),))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from symconv.lazy_import import sympy

__all__ = [
    "Weights",
    "SolutionFamily",
    "anti_diagonal_count",
    "shift_selection",
    "shift_selection_family",
    "merged",
    "with_zero_channels",
    "SOLUTIONS",
]

#: The named solutions of the shift-selection construction.
SOLUTIONS = ("simplest", "min_norm")

#: ``(C, 1, N)`` or ``(1, C, M)`` nested tuples of taps.
Taps3 = tuple[tuple[tuple[object, ...], ...], ...]

_ZERO = sympy.Integer(0)
_ONE = sympy.Integer(1)


@dataclass(frozen=True)
class Weights:
    """First-layer ``(C, 1, N)`` and second-layer ``(1, C, M)`` taps, and the construction's name."""

    first: Taps3
    second: Taps3
    construction: str

    @property
    def channels(self) -> int:
        return len(self.first)


@dataclass(frozen=True)
class SolutionFamily:
    """Every factorization of a construction: closed forms in ``parameters`` and what they mean.

    ``first`` and ``second`` are the weights with the free ``parameters``
    (SymPy symbols); setting them to 0 gives the simplest solution.
    """

    parameters: tuple[sympy.Symbol, ...]
    first: Taps3
    second: Taps3
    description: str

    @property
    def dimension(self) -> int:
        """The number of free parameters."""
        return len(self.parameters)


def anti_diagonal_count(l: int, n: int, m: int) -> int:
    """``min(l + 1, N, M, L - l)``: the entries ``(i, j)`` of an ``N x M`` matrix with ``i + j = l``.

    >>> [anti_diagonal_count(l, 2, 4) for l in range(5)]
    [1, 2, 2, 2, 1]
    """
    return min(l + 1, n, m, n + m - 1 - l)


def _pivot_row(l: int, n: int) -> int:
    """The row that holds ``q_l`` in the simplest solution: ``min(l, N - 1)``."""
    return min(l, n - 1)


def _shift_first(n: int) -> Taps3:
    """``F[c, 0, j] = 1`` iff ``j = c``: channel ``c`` selects ``x[i + c]``."""
    return tuple(((tuple(_ONE if j == c else _ZERO for j in range(n)),)) for c in range(n))


def shift_selection(taps: Sequence[sympy.Expr], n: int, m: int, solution: str = "simplest") -> Weights:
    """The note's construction with ``C = N`` channels; see the module docstring.

    ``solution`` is ``"simplest"`` (``q_l`` in row ``min(l, N - 1)``) or
    ``"min_norm"`` (``w[i][j] = q_{i+j} / count(i + j)``).

    >>> shift_selection(sympy.symbols("q_0:3"), 2, 2, "min_norm").second
    (((q_0, q_1/2), (q_1/2, q_2)),)
    """
    if solution not in SOLUTIONS:
        raise ValueError(f"unknown solution {solution!r}")  # checked by the public entry point
    w = []
    for i in range(n):
        row = []
        for j in range(m):
            value = taps[i + j]
            if solution == "min_norm":
                row.append(value / anti_diagonal_count(i + j, n, m))
            else:
                row.append(value if _pivot_row(i + j, n) == i else _ZERO)
        w.append(tuple(row))
    name = "shift selection, minimum-norm second layer" if solution == "min_norm" else \
        "shift selection, simplest second layer"
    return Weights(_shift_first(n), (tuple(w),), name)


def shift_selection_family(taps: Sequence[sympy.Expr], n: int, m: int, parameter: str = "t") -> SolutionFamily:
    """All second layers for the shift-selecting first layer: ``(N - 1)(M - 1)`` parameters.

    ``w[i][j] = t_i_j`` for ``i < N - 1, j >= 1``; the pivot entry of
    anti-diagonal ``l`` (row ``min(l, N - 1)``) is ``q_l`` minus the others.

    >>> f = shift_selection_family(sympy.symbols("q_0:3"), 2, 2)
    >>> f.parameters, f.second[0]
    ((t_0_1,), ((q_0, t_0_1), (q_1 - t_0_1, q_2)))
    """
    params = {(i, j): sympy.Symbol(f"{parameter}_{i}_{j}") for i in range(n - 1) for j in range(1, m)}
    w = [[_ZERO] * m for _ in range(n)]
    for (i, j), t in params.items():
        w[i][j] = t
    for l in range(n + m - 1):
        p = _pivot_row(l, n)
        others = [params[(i, l - i)] for i in range(n) if (i, l - i) in params]
        w[p][l - p] = taps[l] - sympy.Add(*others)
    description = (
        f"first layer: channel n selects x[i + n] (F[n, 0, j] = 1 iff j = n); second layer: any w whose "
        f"anti-diagonals sum to the taps, sum over i + j = l of w[i][j] = q_l, which leaves "
        f"(N - 1)(M - 1) = {len(params)} free parameter(s) {parameter}_i_j (i < N - 1, j >= 1); "
        f"{parameter} = 0 is the simplest solution. Any invertible C x C matrix G gives another "
        f"factorization, F -> G F and S -> S G^-1."
    )
    return SolutionFamily(tuple(params.values()), _shift_first(n), (tuple(tuple(r) for r in w),), description)


def merged(taps: Sequence[sympy.Expr], n: int, m: int, channels: int) -> Weights:
    """``2 <= C <= N`` channels: shifts ``0 .. N-C`` merged into one channel (module docstring).

    Channel 0: first ``q_0 .. q_{N-C}`` then zeros, second ``[1, 0, ...]``;
    channel ``c >= 1`` selects shift ``s = N - C + c``: second ``[q_s, 0, ...]``
    for ``s < N - 1`` and ``q_{N-1} .. q_{L-1}`` for ``s = N - 1``.

    >>> merged(sympy.symbols("q_0:5"), 2, 4, 2).second
    (((1, 0, 0, 0), (q_1, q_2, q_3, q_4)),)
    """
    if not 2 <= channels <= n:
        raise ValueError(f"merged needs 2 <= C <= N, got C={channels}, N={n}")  # internal invariant
    low = n - channels  # shifts 0 .. low share channel 0
    first = [((tuple(taps[j] if j <= low else _ZERO for j in range(n))),)]
    second = [tuple(_ONE if j == 0 else _ZERO for j in range(m))]
    for s in range(low + 1, n):
        first.append((tuple(_ONE if j == s else _ZERO for j in range(n)),))
        if s < n - 1:
            second.append(tuple(taps[s] if j == 0 else _ZERO for j in range(m)))
        else:
            second.append(tuple(taps[n - 1 + j] for j in range(m)))
    name = "two-part split: low part times 1 plus z^(N-1) times high part" if channels == 2 else \
        f"shift selection with shifts 0..{low} merged into one channel"
    return Weights(tuple(first), (tuple(second),), name)


def with_zero_channels(weights: Weights, channels: int) -> Weights:
    """``weights`` padded with all-zero channels up to ``channels`` (they contribute nothing)."""
    extra = channels - weights.channels
    if extra <= 0:
        return weights
    n, m = len(weights.first[0][0]), len(weights.second[0][0])
    first = weights.first + tuple(((_ZERO,) * n,) for _ in range(extra))
    second = (weights.second[0] + tuple((_ZERO,) * m for _ in range(extra)),)
    return Weights(first, second, f"{weights.construction}, plus {extra} zero channel(s)")
