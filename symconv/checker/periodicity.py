"""The eventual-periodicity lemma, as the checker verifies it.

Lemma. Let A and B be flip-free linear chains, P a period that moves every
layer of both rigidly (:func:`symconv.checker.cones.chain_shift`), and n0 a
length from which every intermediate length is positive. If on
``[n0, n0 + P)`` the output lengths agree and grow by the same shift per P, no
output reads across both ends, and between the last output that reads a
left edge and the first that reads a right edge lie at least ``max(shift, 1)``
consecutive interior outputs, then ``A(n) == B(n)`` implies
``A(n + P) == B(n + P)`` for every ``n >= n0``: the left-edge outputs are the
same functions of the same samples, the right-edge ones move rigidly by the
shift, and the interior ones are equal because an interior output at n is
one at n + P. So equality for every ``n < limit`` (``limit >= n0 + P``)
closes the statement for every n.

Equality at one n is decided by the core's exact semantics on a symbolic
input (:func:`equal_at`); equality for every ``n < limit`` by the prefix lemma
where it applies (:func:`equal_below`), else at every n.
"""

from __future__ import annotations

from symconv.checker import cones
from symconv.core.composite import Chain
from symconv.core.geometry import is_whole_flip
from symconv.core.layers import Conv, Crop, Down, Layer, Pad, Up
from symconv.core.output_length import output_length
from symconv.core.exact_poly import has_opaque_atom, to_sympy
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.errors import CertificateError

__all__ = ["MAX_CHECK_LENGTH", "equal_at", "equal_below", "prefix_stable", "check_window", "periodic_structure",
           "close_by_periodicity"]

#: The checker refuses to evaluate past this length (a certificate asking for more is rejected).
MAX_CHECK_LENGTH = 400


def equal_at(lhs: Layer, rhs: Layer, n: int, sizes: dict | None = None) -> bool:
    """Whether both sides give the same exact output on the symbolic input ``x_0 .. x_{n-1}``.

    The outputs are the core's exact polynomials (:func:`symconv.core.semantics.evaluate_exact`),
    compared as polynomials; where they differ and an opaque atom (say ``sqrt(2)``) occurs, the
    two are compared once more as expanded SymPy expressions, which know ``sqrt(2)**2 == 2``.
    """
    channels = lhs.in_channels or rhs.in_channels or 1
    x = exact_input(n, channels)
    a, b = evaluate_exact(lhs, x, sizes), evaluate_exact(rhs, x, sizes)
    if a == b:
        return True
    if len(a) != len(b) or any(len(p) != len(q) for p, q in zip(a, b)):
        return False
    return all(p == q or ((has_opaque_atom(p) or has_opaque_atom(q)) and to_sympy(p) == to_sympy(q))
               for ch_a, ch_b in zip(a, b) for p, q in zip(ch_a, ch_b))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_window(period: object, start: object, limit: object, where: str) -> None:
    """``period, start >= 1`` and ``start + period <= limit <= MAX_CHECK_LENGTH``, all integers."""
    if not all(_is_int(v) and v >= 1 for v in (period, start, limit)) or limit - period < start:
        raise CertificateError(f"{where}: expected integers period, start >= 1 and limit >= start + period")
    if limit > MAX_CHECK_LENGTH:
        raise CertificateError(f"{where}: limit {limit} exceeds what the checker evaluates ({MAX_CHECK_LENGTH})")


def equal_growth(lhs: Layer, rhs: Layer, period: int, start: int, where: str) -> int:
    """``Q``: both output lengths grow by Q when n grows by ``period``, and no intermediate length is 0 at ``start``."""
    shifts = [cones.chain_shift(layer, period, where) for layer in (lhs, rhs)]
    if shifts[0] != shifts[1]:
        raise CertificateError(f"{where}: the output lengths grow by {shifts[0]} and {shifts[1]} per period {period}")
    for layer in (lhs, rhs):
        if cones.min_intermediate_length(layer, start) < 1:
            raise CertificateError(f"{where}: an intermediate length of {layer!r} is 0 at n = {start}")
    return shifts[0]


def periodic_structure(lhs: Layer, rhs: Layer, period: int, start: int, where: str) -> None:
    """The hypotheses of the lemma for two flip-free linear chains on ``[start, start + period)``."""
    for layer in (lhs, rhs):
        if any(is_whole_flip(s) for s in layer.layers()):
            raise CertificateError(f"{where}: {layer!r} still has a flip; conjugate it first")
        if not layer.linear:
            raise CertificateError(f"{where}: {layer!r} is not linear")
    shift = equal_growth(lhs, rhs, period, start, where)
    run = max(shift, 1)
    for n in range(start, start + period):
        m = output_length(lhs, n)
        for layer in (lhs, rhs):
            if output_length(layer, n) != m:
                raise CertificateError(f"{where}: the output lengths differ at n = {n}")
            if output_length(layer, n + period) != m + shift:
                raise CertificateError(f"{where}: the length of {layer!r} is not periodic at n = {n}")
        touches = [[cones.row_touch(layer, row, n, where) for row in range(m)] for layer in (lhs, rhs)]
        if any(t.left and t.right for side in touches for t in side):
            raise CertificateError(f"{where}: an output reads both ends at n = {n}")
        last_left = max((r for r in range(m) if any(side[r].left for side in touches)), default=-1)
        first_right = min((r for r in range(m) if any(side[r].right for side in touches)), default=m)
        streak = best = 0
        for row in range(last_left + 1, first_right):
            streak = streak + 1 if all(side[row].interior for side in touches) else 0
            best = max(best, streak)
        if best < run:
            raise CertificateError(f"{where}: fewer than {run} consecutive interior outputs between the ends "
                                   f"at n = {n}")


def close_by_periodicity(lhs: Layer, rhs: Layer, period: object, start: object, limit: object, where: str) -> None:
    """The lemma's hypotheses, then equality for every ``n < limit``: ``lhs == rhs`` for every n."""
    check_window(period, start, limit, where)
    periodic_structure(lhs, rhs, period, start, where)
    equal_below(lhs, rhs, limit, where)


def prefix_stable(layer: Layer) -> bool:
    """Whether ``layer`` on ``u_0 .. u_{n-1}`` gives the first ``L(n)`` outputs it gives on ``u_0 .. u_{N-1}``
    (``n <= N``, any samples u), by the core semantics of each layer it is made of.

    Each allowed layer reads, for output ``i < L(n)``, only samples it reads the same way at N: ``conv``
    with right padding 0 reads ``x[i s + j d - l]`` with ``(L(n) - 1) s + (c - 1) d - l <= n - 1`` (else a
    left zero); ``pad(l, 0)``, ``crop``, ``down`` and ``up`` move samples by fixed offsets. Their lengths
    never decrease with n, so a chain of them is prefix-stable too. ``pad`` or ``conv`` with right zeros,
    transposed convolutions (an output sums inputs up to the end), pooling and flips are not allowed.

    >>> from symconv.dsl import parse_chain
    >>> prefix_stable(parse_chain("pad(1, 0) >> conv(k[3], stride=2)")), prefix_stable(parse_chain("pad(1)"))
    (True, False)
    """
    if type(layer) is Chain:
        return all(prefix_stable(step) for step in layer.steps)
    if type(layer) is Conv:
        return layer.padding_pair()[1] == 0
    if layer.ndim != 1:
        return False  # the lemma is 1-D
    if type(layer) is Pad:
        return layer.right == 0
    return type(layer) in (Crop, Down, Up)


def _chain_length(layer: Layer, n: int) -> int:
    """The output length as the exact semantics reaches it: step by step through a chain."""
    if type(layer) is Chain:
        for step in layer.steps:
            n = _chain_length(step, n)
        return n
    return output_length(layer, n)


def equal_below(lhs: Layer, rhs: Layer, limit: int, where: str) -> None:
    """``lhs == rhs`` on ``x_0 .. x_{n-1}`` for every ``n < limit`` (else a CertificateError naming the first n).

    For two prefix-stable chains (:func:`prefix_stable`): equal output lengths at every ``n < limit`` and
    equal outputs at ``N = limit - 1`` (:func:`symconv.checker.periodicity.equal_at`), since each output at
    n is the first ``L(n)`` samples of the one at N. Otherwise, or to name where they differ, every n.
    """
    by_prefix = limit >= 1 and prefix_stable(lhs) and prefix_stable(rhs)
    if by_prefix and all(_chain_length(lhs, n) == _chain_length(rhs, n) for n in range(limit)) \
            and equal_at(lhs, rhs, limit - 1):
        return
    for n in range(0, limit):
        if not equal_at(lhs, rhs, n):
            raise CertificateError(f"{where}: the two sides differ at n = {n}")
    assert not by_prefix, f"{where}: equal at every n < {limit} but not at n = {limit - 1}"
