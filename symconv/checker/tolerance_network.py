"""The checker's rule ``tolerance_network``: two networks with the same ReLU / max-pool layers differ by at most atol.

Statement. ``L = A_k f_{k-1} A_{k-1} ... f_1 A_1`` and ``R = B_k f_{k-1} ... f_1 B_1``,
where ``A_j``, ``B_j`` are affine chains with numeric weights (convolutions,
transposed convolutions, pad, crop, down, up, affine, average pooling; an empty
block is the identity) and ``f_j`` is the same layer on both sides, ``relu()``
or a max-pool without padding (``maxpool``, ``maxpool{d}d``). For every input
shape, every input with ``|x| <= 1`` and every output:

    |L(x) - R(x)| <= e_k,    e_0 = 0, r_0 = 1,
    e_j = D_j(r_{j-1}) + Lip_j * e_{j-1},    r_j = N_j(r_{j-1}),

with, over every input shape of the block and every output row of ``A_j - B_j``
(coefficients d, constant delta), of ``A_j`` (a, a_0) and of ``B_j`` (b, b_0):

    D_j(r) = sup (r sum |d| + |delta|),   N_j(r) = sup (r sum |a| + |a_0|),   Lip_j = sup sum |b|.

**Lemma.** Let u_j, v_j be the inputs of block j + 1 on the two sides
(``u_0 = v_0 = x``). Then ``|u_j| <= r_j`` and ``|u_j - v_j| <= e_j`` entrywise,
and ``|A_{j+1} u_j - B_{j+1} v_j| <= e_{j+1}``.

*Proof.* By induction; j = 0 holds (``|x| <= 1``, ``u_0 - v_0 = 0``). The two
sides have the same shapes at every stage (each pair ``A_j``, ``B_j`` gives the
same output shape for every input shape, checked below, and ``f_j`` is the same
layer). Each output of block j is affine: ``(A u)[o] = a . u + a_0``, so

    |(A u)[o] - (B v)[o]| <= |(A u)[o] - (B u)[o]| + |(B u)[o] - (B v)[o]|
                          =  |d . u + delta| + |b . (u - v)|
                          <= r sum |d| + |delta| + sum |b| max |u - v|
                          <= D_j(r_{j-1}) + Lip_j e_{j-1} = e_j,

and ``|(A u)[o]| <= r sum |a| + |a_0| <= N_j(r_{j-1}) = r_j``. ``f`` is
1-Lipschitz in the sup norm and shrinks it: ``|relu(s) - relu(t)| <= |s - t|``,
``|relu(t)| <= |t|``; a max over a window W satisfies
``|max_W s - max_W t| <= max_W |s - t|`` and ``|max_W t| <= max_W |t|``, for a
window with at least one input sample: without padding the first sample of
every window is one (a last window of ``ceil_mode`` starts inside the input, as
in PyTorch). So ``u_j = f(A_j u_{j-1})`` and ``v_j = f(B_j v_{j-1})`` satisfy
``|u_j| <= r_j`` and ``|u_j - v_j| <= e_j``. The last block gives
``|L x - R x| <= e_k``. QED.

**Finite horizon.** Each sup is over every input shape of the block; by the
lemma of :mod:`symconv.checker.tolerance` (checked per block with
:func:`~symconv.checker.tolerance.check_horizon`), every row of every shape is,
on both sides at once, a row of a shape below the block's limits with its
coefficients moved, which changes none of ``sum |d|, |delta|, sum |a|, |a_0|,
sum |b|``: the sups are maxima over the shapes below the limits, recomputed
here from the core semantics (:func:`~symconv.checker.tolerance.row_norms`).

Rule data: ``atol``; per block j (in order) its ``axes`` (``[[start, period,
limit], ...]``, one per spatial axis) and the claimed exact rationals
``difference`` = D_j(r_{j-1}), ``reach`` = N_j(r_{j-1}) = r_j, ``lipschitz`` = Lip_j;
``bound`` = e_k, which must be at most atol. Only an absolute tolerance: a
relative one would need a lower bound of R's outputs, which this lemma does not give.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from symconv.checker.congruence import chain_of
from symconv.checker.tolerance import (MAX_CHECK_SHAPES, check_horizon, rational, refuse_split_goal, row_norms,
                                       tolerance_entry)
from symconv.core.composite import Chain
from symconv.core.layers import Affine, Layer, MaxPool, ReLU, undecided_layers
from symconv.core.pools_nd import MaxPoolNd
from symconv.errors import CertificateError, shorten

__all__ = ["rule_tolerance_network", "tolerance_network_rests_on", "network_blocks", "block_sups", "is_separator",
           "Block"]

#: A block: the two affine chains and the channels of its input.
Block = tuple[Layer, Layer, int]


def is_separator(layer: Layer) -> bool:
    """Whether ``layer`` is a 1-Lipschitz layer the rule passes: ``relu()``, or a max-pool without padding."""
    if isinstance(layer, ReLU):
        return True
    if isinstance(layer, MaxPool):
        return layer.padding == 0
    if isinstance(layer, MaxPoolNd):
        return not any(layer.padding)
    return False


def _flat(layer: Layer) -> tuple[Layer, ...]:
    if isinstance(layer, Chain):
        return tuple(leaf for step in layer.steps for leaf in _flat(step))
    return (layer,)


def _split(side: Layer, name: str, where: str) -> tuple[list[tuple[Layer, ...]], list[Layer]]:
    """The affine blocks of ``side`` and the separators between them; any other nonlinear layer is refused."""
    blocks, separators, block = [], [], []
    for layer in _flat(side):
        if is_separator(layer):
            blocks.append(tuple(block))
            separators.append(layer)
            block = []
            continue
        odd = [leaf for leaf in undecided_layers(layer) if not isinstance(leaf, Affine)]
        if odd:
            raise CertificateError(f"{where}: {shorten(repr(odd[0]))} in {name} is neither affine nor a relu() or a "
                                   f"max-pool without padding between affine blocks; expected only those")
        block.append(layer)
    blocks.append(tuple(block))
    return blocks, separators


def network_blocks(lhs: Layer, rhs: Layer, where: str) -> list[Block]:
    """``(A_j, B_j, channels)`` for every block: both sides split at the same relu() / max-pool layers."""
    (left, left_separators), (right, right_separators) = _split(lhs, "lhs", where), _split(rhs, "rhs", where)
    if left_separators != right_separators:
        raise CertificateError(f"{where}: the sides apply different relu() / max-pool layers, "
                               f"{shorten(repr(left_separators))} against {shorten(repr(right_separators))}; "
                               f"expected the same ones in the same order on both sides")
    ndim = max(lhs.ndim, rhs.ndim)
    channels, fixed = lhs.in_channels or rhs.in_channels or 1, True
    blocks = []
    for j, (a, b) in enumerate(zip(left, right)):
        first, second = chain_of(a, ndim), chain_of(b, ndim)
        wanted = first.in_channels or second.in_channels
        if wanted and j and fixed and wanted != channels:
            raise CertificateError(f"{where}: block {j + 1} takes {wanted} channels; block {j} gives {channels}")
        channels = wanted or channels
        blocks.append((first, second, channels))
        given = first.out_channels(channels)
        channels, fixed = given or channels, given is not None
    return blocks


def _block_axes(value: object, count: int, ndim: int, where: str) -> list[list[tuple[int, int, int]]]:
    if not (isinstance(value, list) and len(value) == count and all(
            isinstance(block, list) and len(block) == ndim and all(isinstance(a, list) and len(a) == 3 for a in block)
            for block in value)):
        raise CertificateError(f"{where}: expected axes [[[start, period, limit], ...], ...]: per block ({count}) "
                               f"one [start, period, limit] per axis ({ndim})")
    return [[tuple(a) for a in block] for block in value]


def _claims(step, name: str, count: int, where: str) -> list[Fraction]:
    value = step.get(name)
    if not (isinstance(value, list) and len(value) == count):
        raise CertificateError(f"{where}: {name} must be a list of {count} rationals, one per block")
    return [rational(v, f"{name}[{j}]", where) for j, v in enumerate(value)]


def block_sups(lhs: Layer, rhs: Layer, channels: int, axes: list[tuple[int, int, int]], reach: Fraction,
               where: str) -> tuple[Fraction, Fraction, Fraction]:
    """``(D(r), N(r), Lip)`` of one block for ``r = reach``, over every shape below the limits (module doc)."""
    check_horizon(lhs, rhs, axes, channels, where)  # first: it checks that every window holds integers
    if math.prod(a[2] for a in axes) > MAX_CHECK_SHAPES:
        raise CertificateError(f"{where}: {' x '.join(str(a[2]) for a in axes)} shapes exceed what the checker "
                               f"evaluates ({MAX_CHECK_SHAPES})")
    difference = own = lipschitz = Fraction(0)
    for shape in itertools.product(*(range(a[2]) for a in axes)):
        for row in row_norms(lhs, rhs, shape, where, channels):
            difference = max(difference, reach * row.difference + row.offset)
            own = max(own, reach * row.lhs_sum + row.lhs_constant)
            lipschitz = max(lipschitz, row.rhs_sum)
    return difference, own, lipschitz


def rule_tolerance_network(state: list[Layer], step, where: str) -> str:
    """Recompute every block's sups, chain them into e_k and check ``e_k <= atol`` (module doc)."""
    refuse_split_goal(state, where)
    atol, bound = rational(step.get("atol"), "atol", where), rational(step.get("bound"), "bound", where)
    if getattr(state, "bounds", ()):
        raise CertificateError(f"{where}: the rule bounds the inputs by |x| <= 1 itself; a declared input bound is "
                               f"not used")
    lhs, rhs = state
    blocks = network_blocks(lhs, rhs, where)
    ndim = max(lhs.ndim, rhs.ndim)
    axes = _block_axes(step.get("axes"), len(blocks), ndim, where)
    claimed = {name: _claims(step, name, len(blocks), where) for name in ("difference", "reach", "lipschitz")}
    error, reach = Fraction(0), Fraction(1)
    for j, ((a, b, channels), block_axes) in enumerate(zip(blocks, axes)):
        here = f"{where}, block {j + 1}"
        found = dict(zip(("difference", "reach", "lipschitz"), block_sups(a, b, channels, block_axes, reach, here)))
        for name, value in found.items():
            if value != claimed[name][j]:
                raise CertificateError(f"{here}: {name} is {value}, not the claimed {claimed[name][j]}")
        error = found["difference"] + found["lipschitz"] * error
        reach = found["reach"]
    if error != bound:
        raise CertificateError(f"{where}: the bound e_{len(blocks)} is {error}, not the claimed {bound}")
    if error > atol:
        raise CertificateError(f"{where}: the bound {error} ~ {float(error):.6g} exceeds atol = {atol}")
    scope = "every input length" if ndim == 1 else "every input shape"
    return f"{scope} and every input with |x| <= 1, within atol={atol}, rtol=0"


def tolerance_network_rests_on(step) -> tuple[str, ...]:
    """What a theorem closed by ``step`` rests on: its tolerance (``rtol`` is 0)."""
    return (tolerance_entry(rational(step.get("atol"), "atol", "tolerance_network"), Fraction(0)),)
