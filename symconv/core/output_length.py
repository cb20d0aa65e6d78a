"""Output lengths of every layer: the one place these formulas live.

Lengths follow PyTorch; where PyTorch raises for a too-small input, the
length is 0. The table holds at every n >= 0, n = 0 included (clamped at 0):
``pad(l, r)`` of an empty signal has l + r samples and ``conv(k, padding=p)``
is ``pad(p) >> conv(k)`` there too, as ``torch.nn.functional.pad`` gives.
The exceptions are ``maxpool`` and ``avgpool(..., count_include_pad=False)``:
a maximum or an average over no sample is undefined, so their output on an
empty input is empty. Every layer states its length as one
:class:`LengthStep` (:func:`length_step`), which the generic-length prover
reads too. For an integer ``n`` the result is an
``int``; for a SymPy ``n`` it is the closed form valid while every
intermediate length is positive.

>>> from symconv.core.layers import conv, down
>>> from symconv.core.kernel import kernel
>>> output_length(conv(kernel("k", 3), stride=2, padding=1), 10)
5
>>> output_length(down(3, phase=1), 8)
3
>>> output_length(conv(kernel("k", 3), padding=2), 0)
2
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from math import lcm, prod
from typing import Mapping, Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.kernel import Size, size_symbol
from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Flip,
    L2Pool,
    Layer,
    MaxPool,
    Pad,
    Parallel,
    ReLU,
    Up,
)
from symconv.errors import InvalidArgument

__all__ = ["output_length", "resolve_size", "length_symbol", "generic_sizes", "LengthStep", "length_step",
           "pool_window_offset", "length_steps", "LengthDifference", "branch_length_difference",
           "undecided_branch_lengths", "GENERIC_SIZE_VALUATIONS", "MAX_GENERIC_SIZE", "MAX_LENGTH_SCAN"]

Length = Union[int, "sympy.Expr"]


def length_symbol(name: str = "n") -> sympy.Symbol:
    """The non-negative integer symbol used for input lengths."""
    return sympy.Symbol(name, integer=True, nonnegative=True)


def resolve_size(value: Size, sizes: Optional[Mapping[str, int]]) -> Size:
    """Replace generic sizes (``c`` in ``k[c]``) by the integers in ``sizes`` where given."""
    if isinstance(value, int) or not sizes:
        return value
    value = value.subs({size_symbol(k): v for k, v in sizes.items()})
    return int(value) if value.is_Integer else value


def generic_sizes(*layers: Layer) -> list[str]:
    """The names of the generic kernel lengths (``c`` in ``k[c]``) the layers use, sorted.

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers import conv
    >>> generic_sizes(conv(kernel("k", "c")), conv(kernel("w", 3)))
    ['c']
    """
    return sorted({s.name for layer in layers for k in layer.kernels() for s in k.length_symbols()})


def _is_int(*values: Length) -> bool:
    return all(isinstance(v, int) for v in values)


def _clamp(value: Length) -> Length:
    return max(0, value) if _is_int(value) else sympy.Max(0, value)


@dataclass(frozen=True)
class LengthStep:
    """One layer's length rule: ``L' = max(0, floor((scale L + offset) / divisor))`` at every ``L >= 0``.

    ``offset`` is an int, or a SymPy expression in generic kernel lengths. ``empty_stays_empty``: the
    output of an empty input is empty whatever the formula gives (a maximum, or an average without the
    padding, over no sample is undefined). A ceiling is the floor ``ceil(x / s) = floor((x + s - 1) / s)``.

    >>> LengthStep(1, 2, 1).apply(7)
    4
    """

    scale: int
    divisor: int
    offset: Length
    empty_stays_empty: bool = False

    def apply(self, n: Length) -> Length:
        """The length after this step for an input of length ``n`` (an int, or a SymPy expression)."""
        if _is_int(n) and n == 0 and self.empty_stays_empty:
            return 0
        total = self.scale * n + self.offset
        if _is_int(total):
            return max(0, total // self.divisor)
        if self.divisor == 1:
            return _clamp(total)
        # written floor((x - D) / D) + 1: the form of the window lengths, ``floor((n + pl + pr - E) / s) + 1``
        return _clamp(sympy.floor(sympy.Rational(1, self.divisor) * (total - self.divisor)) + 1)


def pool_window_offset(left: int, right: int, extent: Length, stride: int, ceil_mode: bool = False) -> Length:
    """``offset`` of a window layer (``divisor`` = stride): ``floor((n + pl + pr - E) / s) + 1`` windows.

    With ``ceil_mode`` (PyTorch's pooling) the last window may run past the right padding by up to
    ``s - 1`` samples but must start inside the input or the left padding, so the count is
    ``floor((n + min(pl + pr - E + s - 1, pl - 1)) / s) + 1``.

    >>> pool_window_offset(0, 0, 2, 2), pool_window_offset(0, 0, 2, 2, ceil_mode=True)
    (0, 1)
    """
    fitted = left + right - extent
    if ceil_mode:
        fitted = min(fitted + stride - 1, left - 1)
    return fitted + stride


def length_step(layer: Layer, sizes: Optional[Mapping[str, int]] = None) -> LengthStep:
    """The :class:`LengthStep` of a single layer (not a chain or a sum): the one length table."""
    if isinstance(layer, Conv):
        c = resolve_size(layer.weight.length, sizes)
        left, right = (resolve_size(p, sizes) for p in layer.padding_pair())
        return LengthStep(1, layer.stride, pool_window_offset(left, right, layer.dilation * (c - 1) + 1, layer.stride))
    if isinstance(layer, ConvTranspose):
        c = resolve_size(layer.weight.length, sizes)
        extent = layer.dilation * (c - 1) + 1
        return LengthStep(layer.stride, 1, extent + layer.output_padding - 2 * layer.padding - layer.stride)
    if isinstance(layer, Pad):
        return LengthStep(1, 1, layer.left + layer.right)
    if isinstance(layer, Crop):
        return LengthStep(1, 1, -layer.left - layer.right)
    if isinstance(layer, Down):
        return LengthStep(1, layer.factor, layer.factor - 1 - layer.phase)
    if isinstance(layer, Up):
        return LengthStep(layer.factor, 1, 1 - layer.factor)
    if isinstance(layer, (Flip, ReLU, Affine)):
        return LengthStep(1, 1, 0)
    if isinstance(layer, AvgPool):
        offset = pool_window_offset(layer.padding, layer.padding, layer.size, layer.stride, layer.ceil_mode)
        return LengthStep(1, layer.stride, offset, empty_stays_empty=not layer.count_include_pad)
    if isinstance(layer, MaxPool):
        extent = layer.dilation * (layer.size - 1) + 1
        offset = pool_window_offset(layer.padding, layer.padding, extent, layer.stride, layer.ceil_mode)
        return LengthStep(1, layer.stride, offset, empty_stays_empty=True)
    if isinstance(layer, L2Pool):
        return LengthStep(1, layer.stride, pool_window_offset(0, 0, layer.size, layer.stride))
    raise TypeError(f"no output length for {layer!r}")


def _layer_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]]) -> Length:
    if isinstance(layer, Chain):
        for step in layer.steps:
            n = output_length(step, n, sizes)
        return n
    if isinstance(layer, Parallel):
        return output_length(layer.branches[0], n, sizes)
    return length_step(layer, sizes).apply(n)


def output_length(layer: Layer, n: Length, sizes: Optional[Mapping[str, int]] = None) -> Length:
    """Length of ``layer``'s output for an input of length ``n`` (the table, at every n >= 0).

    ``sizes`` gives values to generic kernel lengths, e.g. ``{"c": 5}``.
    """
    if _is_int(n) and n < 0:
        raise InvalidArgument("output_length", "n", n, "a non-negative input length")
    result = _layer_length(layer, n, sizes)
    if type(result) is not int and isinstance(result, sympy.Expr) and result.is_Integer:
        return int(result)
    return result


def length_steps(layer: Layer) -> tuple[LengthStep, ...]:
    """The :class:`LengthStep` of every layer of ``layer`` in order (a sum: its first branch's, as
    :func:`output_length`; its branches' lengths were compared when it was built)."""
    if isinstance(layer, Chain):
        return tuple(row for step in layer.steps for row in length_steps(step))
    if isinstance(layer, Parallel):
        return length_steps(layer.branches[0])
    return (length_step(layer),)


#: Most valuations of the generic sizes :func:`branch_length_difference` tries where it cannot bound them
#: (several sizes): each size takes the values ``1 .. B`` with ``B ** (number of sizes)`` within it, ``B <= 16``.
GENERIC_SIZE_VALUATIONS = 64

#: Largest value of a single generic size compared (past the bound of :func:`_size_bound` the check is partial).
MAX_GENERIC_SIZE = 256

#: Most input lengths compared at one valuation (``T + P`` below; past it the comparison stops there).
MAX_LENGTH_SCAN = 200_000


@dataclass(frozen=True)
class LengthDifference:
    """Branches giving different ``lengths`` for an input of length ``n`` when the generic sizes are ``sizes``
    (``(name, value)`` pairs, empty without generic sizes)."""

    n: int
    sizes: tuple[tuple[str, int], ...]
    lengths: tuple[int, ...]


def _apply_all(rows: Sequence[tuple[int, int, int, bool]], n: int) -> tuple[int, int]:
    """``(L, least)``: the length after every row for an input of length n, and the least length after a row."""
    least = n
    for scale, divisor, offset, empty_stays_empty in rows:
        n = 0 if n == 0 and empty_stays_empty else max(0, (scale * n + offset) // divisor)
        least = min(least, n)
    return n, least


def _first_difference_at(chains: Sequence[Sequence[tuple[int, int, int, bool]]]) -> Optional[tuple[int, tuple]]:
    """The least n where the chains' lengths differ (integer rows), or None when they agree at every n >= 0.

    Exact: every row maps ``L >= 0`` to ``max(0, floor((a L + b) / D))`` (0 for ``L = 0`` when
    ``empty_stays_empty``), non-decreasing in L; so the least length after a row is non-decreasing in n and
    there is a least ``T >= 1`` from which every length after every row is >= 1. From T on no clamp acts and a
    chain's length is the composition of the floors, which gains ``S`` when n gains ``P``, ``P`` a multiple of
    the product of its D's (D divides ``a P / D_before``). So equal lengths at ``n = 0 .. T + P`` are equal
    lengths at every n. Past :data:`MAX_LENGTH_SCAN` the scan stops (None: no difference found).
    """
    period = lcm(*(prod(row[1] for row in rows) for rows in chains))

    def reached(n: int) -> bool:
        return all(_apply_all(rows, n)[1] >= 1 for rows in chains)

    high = 1
    while not reached(high) and high <= MAX_LENGTH_SCAN:
        high *= 2
    low = high // 2  # not reached at low (or low = 0); reached at high
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if reached(middle) else (middle, high)
    for n in range(min(high + period, MAX_LENGTH_SCAN) + 1):
        lengths = tuple(_apply_all(rows, n)[0] for rows in chains)
        if len(set(lengths)) > 1:
            return n, lengths
    return None


def _valuations(symbols: Sequence["sympy.Symbol"]) -> list[dict]:
    """The values ``1 .. B`` of every generic size (see :data:`GENERIC_SIZE_VALUATIONS`), smallest first."""
    bound = max(b for b in range(1, 17) if b ** len(symbols) <= GENERIC_SIZE_VALUATIONS or b == 1)
    return [dict(zip(symbols, values)) for values in product(range(1, bound + 1), repeat=len(symbols))]


def _affine_offset(offset: Length, symbol: "sympy.Symbol") -> Optional[tuple[int, int]]:
    """``(b1, b0)`` with ``offset = b1 c + b0`` (integers), else None."""
    if isinstance(offset, int) or offset.is_Integer:
        return 0, int(offset)
    if offset.free_symbols != {symbol}:
        return None
    poly = sympy.Poly(offset, symbol)
    if poly.degree() > 1 or not all(t.is_Integer for t in poly.all_coeffs()):
        return None
    return int(poly.coeff_monomial(symbol)), int(poly.coeff_monomial(1))


def _raw_length(rows: Sequence[tuple[int, int, int, int, bool]], c: int) -> int:
    """The composition of the rows' floors ``floor((a L + b1 c + b0) / D)`` from ``L = 0``, no clamp."""
    length = 0
    for scale, divisor, b1, b0, _ in rows:
        length = (scale * length + b1 * c + b0) // divisor
    return length


def _size_bound(chains: Sequence[Sequence[LengthStep]], symbol: "sympy.Symbol") -> Optional[int]:
    """A C such that chains with equal lengths at every n >= 0 for c = 1 .. C have equal lengths for every
    c >= 1; None outside the fragment (an offset not integer-affine in c, or a pool whose formula gives an
    empty input samples).

    With every row ``max(0, phi)``, ``phi(L) = floor((a L + b1 c + b0) / D)`` non-decreasing, and ``n = P m +
    sigma`` (P the lcm of the chains' products of D's), a chain's length is ``max(alpha m + g_sigma(c), L(0, c))``
    (:mod:`symconv.prover.generic_lengths` proves it), so two chains agree everywhere iff alpha, every
    ``g_sigma`` and ``L(0, c)`` agree. A composition of the floors gains a constant when c gains P (D divides
    what it divides, as for n), so ``g_sigma`` is affine on each class of c mod P: c = 1 .. 2P decide it.
    ``L(0, c)`` is the maximum of the pieces ``raw(rows[j:])`` (a clamp acted before row j; phi commutes with
    max), each affine in q on a class ``c = r + P q``: past the last crossing ``q*`` of two pieces of either
    chain each ``L(0, .)`` is one piece, so equality at ``q* + 1`` and ``q* + 2`` decides the rest.
    ``C = P (q* + 3)``.
    """
    affine_chains = []
    for chain in chains:
        rows = []
        for row in chain:
            offset = _affine_offset(row.offset, symbol)
            if offset is None or row.empty_stays_empty and (offset[0] or offset[1] // row.divisor >= 1):
                return None
            rows.append((row.scale, row.divisor, *offset, row.empty_stays_empty))
        affine_chains.append(rows)
    period = lcm(*(prod(row[1] for row in rows) for rows in affine_chains))
    pieces = [rows[j:] for rows in affine_chains for j in range(len(rows) + 1)]
    last_crossing = 0
    for r in range(1, period + 1):
        lines = [(_raw_length(p, r), _raw_length(p, r + period) - _raw_length(p, r)) for p in pieces]
        for i, (start1, slope1) in enumerate(lines):
            for start2, slope2 in lines[i + 1:]:
                if slope1 != slope2:
                    last_crossing = max(last_crossing, -((start1 - start2) // (slope1 - slope2)))
    return period * (last_crossing + 3)


def branch_length_difference(branches: Sequence[Layer]) -> Optional[LengthDifference]:
    """An input length (and values of the generic sizes) where the branches' lengths differ, or None.

    Each valuation is decided exactly for every n >= 0 (:func:`_first_difference_at`), so a difference is a
    true counterexample. Without generic sizes, and with one generic size whose offsets are integer-affine
    (:func:`_size_bound`, compared up to :data:`MAX_GENERIC_SIZE`), None means equal lengths for every n and c.
    Otherwise (several sizes, an offset outside that form) the sizes run over :func:`_valuations` only: None
    means no difference there, and the prover, which compares lengths itself, decides the other values.
    """
    rows = [length_steps(branch) for branch in branches]
    if all(chain == rows[0] for chain in rows[1:]):
        return None  # the same rows: the same lengths
    symbols = sorted({s for chain in rows for row in chain if not isinstance(row.offset, int)
                      for s in row.offset.free_symbols}, key=lambda s: s.name)
    bound = _size_bound(rows, symbols[0]) if len(symbols) == 1 else None
    valuations = ([{symbols[0]: c} for c in range(1, min(bound, MAX_GENERIC_SIZE) + 1)] if bound is not None
                  else _valuations(symbols))
    for valuation in valuations:
        chains = []
        for chain in rows:
            integer_rows = []
            for row in chain:
                offset = row.offset if isinstance(row.offset, int) else row.offset.xreplace(valuation)
                if not (isinstance(offset, int) or offset.is_Integer):
                    return None
                integer_rows.append((row.scale, row.divisor, int(offset), row.empty_stays_empty))
            chains.append(integer_rows)
        found = _first_difference_at(chains)
        if found is not None:
            sizes = tuple((s.name, v) for s, v in valuation.items())
            return LengthDifference(found[0], sizes, found[1])
    return None


def _scanned_past_period(chains: Sequence[Sequence[tuple[int, int, int, bool]]]) -> bool:
    """Whether :func:`_first_difference_at` compares the chains at every n = 0 .. T + P (its None is then exact):
    ``T + P <= MAX_LENGTH_SCAN``, that is every length after every row >= 1 at ``n = MAX_LENGTH_SCAN - P`` (the least
    such length is non-decreasing in n). P and T as there."""
    period = lcm(*(prod(row[1] for row in rows) for rows in chains))
    start = MAX_LENGTH_SCAN - period
    return start >= 1 and all(_apply_all(rows, start)[1] >= 1 for rows in chains)


def undecided_branch_lengths(branches: Sequence[Layer]) -> str:
    """'' when ``branch_length_difference(branches) is None`` proves equal lengths at every n >= 0 for every value
    of the generic sizes; else why it does not (None then says: no difference at the values compared).

    Exact are: the same length rows; else no generic size, or one whose offsets are integer-affine with a
    :func:`_size_bound` within :data:`MAX_GENERIC_SIZE`, provided each valuation compared was scanned in n past
    one full period after the last clamp (within :data:`MAX_LENGTH_SCAN`).

    >>> from symconv.core.kernel import kernel
    >>> from symconv.core.layers import conv, down, pad
    >>> undecided_branch_lengths([conv(kernel("k", "c"), padding=1), pad(1) >> conv(kernel("h", "c"))])
    ''
    >>> undecided_branch_lengths([conv(kernel("k", "c")), conv(kernel("h", "d"))])
    'several generic sizes (c, d) on one axis'
    >>> undecided_branch_lengths([down(4096) >> down(64) >> down(5), down(4096) >> down(64) >> down(6)])
    'input lengths compared up to 200000 only, short of one period past the last clamp'
    """
    rows = [length_steps(branch) for branch in branches]
    if all(chain == rows[0] for chain in rows[1:]):
        return ""
    symbols = sorted({s for chain in rows for row in chain if not isinstance(row.offset, int)
                      for s in row.offset.free_symbols}, key=lambda s: s.name)
    if len(symbols) > 1:
        return f"several generic sizes ({', '.join(s.name for s in symbols)}) on one axis"
    valuations: list[dict] = [{}]
    if symbols:
        bound = _size_bound(rows, symbols[0])
        if bound is None:
            return (f"the generic size {symbols[0]} in a length offset that is not integer-affine in it, or with a "
                    f"max-pool that samples an empty input")
        if bound > MAX_GENERIC_SIZE:
            return f"the generic size {symbols[0]} with a periodicity bound {bound} past {MAX_GENERIC_SIZE}"
        valuations = [{symbols[0]: c} for c in range(1, bound + 1)]
    for valuation in valuations:
        chains = [[(row.scale, row.divisor, int(row.offset if isinstance(row.offset, int) else
                                                row.offset.xreplace(valuation)), row.empty_stays_empty)
                   for row in chain] for chain in rows]
        if not _scanned_past_period(chains):
            at = "".join(f" when {s} = {v}" for s, v in valuation.items())
            return f"input lengths compared up to {MAX_LENGTH_SCAN} only, short of one period past the last clamp{at}"
    return ""
