"""The checker's rule ``tolerance_network``: networks with the same ReLU / max-pool layers and sums, within atol.

Statement. Each side is a tree: a *sequence* ``A_k g_{k-1} A_{k-1} ... g_1 A_1``
of affine blocks ``A_j`` (lhs; ``B_j`` on the rhs) with numeric weights
(convolutions, transposed convolutions, pad, crop, down, up, affine, average
pooling, sums of those; an empty block is the identity) joined by ``g_j``: the
same layer on both sides, ``relu()`` or a max-pool without padding
(``maxpool``, ``maxpool{d}d``), or a *sum* ``S_1 + ... + S_m`` of sequences
(a sum with a nonlinear layer in a branch; the rhs sum has as many branches,
paired in order, ``T_1 + ... + T_m``). For every input shape, every input
with ``|x| <= 1`` and every output, ``|L(x) - R(x)| <= e`` where ``(e, r)`` is
the value of the whole side from ``(e_in, r_in) = (0, 1)``, computed by

    affine block:  (e, r) -> (D(r) + Lip * e,  N(r)),
    relu / pool:   (e, r) -> (e, r),
    sum:           (e, r) -> (sum_b e_b,  sum_b r_b),   (e_b, r_b) the value of branch b from (e, r),

and a sequence applies its blocks and joints in order. Over every input shape
of a block and every output row of ``A - B`` (coefficients d, constant
delta), of ``A`` (a, a_0) and of ``B`` (b, b_0):

    D(r) = sup (r sum |d| + |delta|),   N(r) = sup (r sum |a| + |a_0|),   Lip = sup sum |b|.

For a plain chain (no sums) this is ``e_0 = 0, r_0 = 1, e_j = D_j(r_{j-1}) +
Lip_j e_{j-1}, r_j = N_j(r_{j-1})``.

**Lemma.** Let a node (block, layer, sum or sequence) of the lhs be applied to
``u`` and its rhs partner to ``v``, with ``|u| <= r_in`` and ``|u - v| <= e_in``
entrywise, ``u`` and ``v`` of the same shape. Then its outputs ``U``, ``V`` have
the same shape, ``|U| <= r`` and ``|U - V| <= e``, with ``(e, r)`` its value above.

*Proof.* By induction on the tree. *Affine block.* ``A`` and ``B`` give the
same output shape for every input shape (checked below). Each output is
affine: ``(A u)[o] = a . u + a_0``, so by the triangle inequality

    |(A u)[o] - (B v)[o]| <= |(A u)[o] - (B u)[o]| + |(B u)[o] - (B v)[o]|
                          =  |d . u + delta| + |b . (u - v)|
                          <= r_in sum |d| + |delta| + sum |b| max |u - v|
                          <= D(r_in) + Lip e_in = e,

and ``|(A u)[o]| <= r_in sum |a| + |a_0| <= N(r_in) = r``. *ReLU and max-pool.*
The same layer on both sides gives the same shape; it is 1-Lipschitz in the sup
norm and shrinks it: ``|relu(s) - relu(t)| <= |s - t|``, ``|relu(t)| <= |t|``; a
max over a window W satisfies ``|max_W s - max_W t| <= max_W |s - t|`` and
``|max_W t| <= max_W |t|``, for a window with at least one input sample: without
padding the first sample of every window is one (a last window of ``ceil_mode``
starts inside the input, as in PyTorch). So ``(e, r) = (e_in, r_in)``. *Sum.*
Every branch gets the node's input: by induction the branch pair b gives
``U_b``, ``V_b`` of one shape with ``|U_b| <= r_b``, ``|U_b - V_b| <= e_b``.
Both sums are built from branch outputs of pairwise equal shapes, so each
output of ``U`` is ``sum_b U_b[o]`` and that of ``V`` is ``sum_b V_b[o]`` at the
same index (the semantics refuses branches of unequal shapes on both sides
alike: then neither side has an output). By the triangle inequality (the sup
norm of a sum is at most the sum of the sup norms)
``|U - V| <= sum_b |U_b - V_b| <= sum_b e_b`` and ``|U| <= sum_b r_b``. An
identity branch (``pad(0)``, an empty block) has ``D = 0``, ``Lip = 1``,
``N(r) = r``: ``(e_in, r_in)``. *Sequence.* Apply the cases in order. The
whole side from ``x`` (``|x| <= 1``, ``x - x = 0``) gives ``|L x - R x| <= e``. QED.

**Finite horizon.** Each sup is over every input shape of the block; by the
lemma of :mod:`symconv.checker.tolerance` (checked per block with
:func:`~symconv.checker.tolerance.check_horizon`), every row of every shape is,
on both sides at once, a row of a shape below the block's limits with its
coefficients moved, which changes none of ``sum |d|, |delta|, sum |a|, |a_0|,
sum |b|``: the sups are maxima over the shapes below the limits, recomputed
here from the core semantics (:func:`~symconv.checker.tolerance.row_norms`).

Rule data: ``atol``; per top-level block j (in order) its ``axes`` (``[[start,
period, limit], ...]``, one per spatial axis) and the claimed exact rationals
``difference`` = D_j(r), ``reach`` = N_j(r), ``lipschitz`` = Lip_j, r the reach
of the block's input; ``sums``, one per sum joint in order (absent: none), each
``{"branches": [...], "error": e, "reach": r}`` with one branch per pair of
branches, a branch holding ``axes``, ``difference``, ``reach``, ``lipschitz``
and ``sums`` for its own blocks and sums the same way; ``bound`` = e of the
whole side, which must be at most atol. Only an absolute tolerance: a relative
one would need a lower bound of R's outputs, which this lemma does not give.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Union

from symconv.checker.congruence import chain_of
from symconv.checker.tolerance import (MAX_CHECK_SHAPES, check_horizon, rational, refuse_split_goal, row_norms,
                                       tolerance_entry)
from symconv.core.composite import Chain, Parallel
from symconv.core.layers import Affine, Layer, MaxPool, ReLU, undecided_layers
from symconv.errors import CertificateError, shorten

__all__ = ["rule_tolerance_network", "tolerance_network_rests_on", "network_tree", "NetworkTree", "block_sups",
           "is_separator", "is_nonlinear_sum", "Block"]

#: A block: the two affine chains and the channels of its input.
Block = tuple[Layer, Layer, int]
#: The fields of a branch's claims (module doc).
BRANCH_FIELDS = ("axes", "difference", "lipschitz", "reach", "sums")
#: The fields of a sum's claims (module doc).
SUM_FIELDS = ("branches", "error", "reach")


@dataclass(frozen=True)
class NetworkTree:
    """One sequence of both sides: its blocks ``(A_j, B_j, channels)`` and the joints between them, each the
    relu() / max-pool layer both sides apply or a sum's paired branches (one :class:`NetworkTree` per pair)."""

    blocks: tuple[Block, ...]
    joints: tuple[Union[Layer, tuple["NetworkTree", ...]], ...]

    @property
    def sums(self) -> tuple[tuple["NetworkTree", ...], ...]:
        """The sums among the joints, in order."""
        return tuple(joint for joint in self.joints if isinstance(joint, tuple))


def is_separator(layer: Layer) -> bool:
    """Whether ``layer`` is a 1-Lipschitz layer the rule passes: ``relu()``, or a max-pool without padding."""
    if isinstance(layer, ReLU):
        return True
    if isinstance(layer, MaxPool):
        return not any(layer.paddings)
    return False


def is_nonlinear_sum(layer: Layer) -> bool:
    """Whether ``layer`` is a sum with a layer other than an affine one in a branch (a joint of the tree)."""
    return isinstance(layer, Parallel) and any(not isinstance(leaf, Affine) for leaf in undecided_layers(layer))


def _flat(layer: Layer) -> tuple[Layer, ...]:
    if isinstance(layer, Chain):
        return tuple(leaf for step in layer.steps for leaf in _flat(step))
    return (layer,)


def _split(side: Layer, name: str, where: str) -> tuple[list[tuple[Layer, ...]], list[Layer]]:
    """The affine blocks of ``side`` and the joints between them (separators and sums with a nonlinear branch);
    any other nonlinear layer is refused."""
    blocks, joints, block = [], [], []
    for layer in _flat(side):
        if is_separator(layer) or is_nonlinear_sum(layer):
            blocks.append(tuple(block))
            joints.append(layer)
            block = []
            continue
        odd = [leaf for leaf in undecided_layers(layer) if not isinstance(leaf, Affine)]
        if odd:
            raise CertificateError(f"{where}: {shorten(repr(odd[0]))} in {name} is neither affine nor a relu() or a "
                                   f"max-pool without padding between affine blocks; expected only those")
        block.append(layer)
    blocks.append(tuple(block))
    return blocks, joints


def _joint_text(joints: list[Layer]) -> str:
    return shorten("[" + ", ".join(f"a sum of {len(j.branches)} branches" if isinstance(j, Parallel) else repr(j)
                                   for j in joints) + "]")


def _same_joint(left: Layer, right: Layer) -> bool:
    if isinstance(left, Parallel):
        return isinstance(right, Parallel) and len(left.branches) == len(right.branches)
    return left == right


def _tree(lhs: Layer, rhs: Layer, channels: int, fixed: bool, ndim: int, where: str, context: str) -> NetworkTree:
    (left, left_joints), (right, right_joints) = _split(lhs, "lhs", where), _split(rhs, "rhs", where)
    if len(left_joints) != len(right_joints) or not all(map(_same_joint, left_joints, right_joints)):
        sums = " (a sum with as many branches)" if any(isinstance(j, Parallel) for j in left_joints + right_joints) \
            else ""
        raise CertificateError(f"{where}: the sides apply different relu() / max-pool layers{context}, "
                               f"{_joint_text(left_joints)} against {_joint_text(right_joints)}; expected the same "
                               f"ones in the same order on both sides{sums}")
    blocks, joints, sums = [], [], 0
    for j, (a, b) in enumerate(zip(left, right)):
        if j and isinstance(left_joints[j - 1], Parallel):
            sums += 1
            pairs = zip(left_joints[j - 1].branches, right_joints[j - 1].branches)
            joints.append(tuple(_tree(p, q, channels, fixed, ndim, where, f"{context} in branch {i + 1} of sum {sums}")
                                for i, (p, q) in enumerate(pairs)))
            given = left_joints[j - 1].out_channels(channels)
            channels, fixed = given or channels, given is not None
        elif j:
            joints.append(left_joints[j - 1])
        first, second = chain_of(a, ndim), chain_of(b, ndim)
        wanted = first.in_channels or second.in_channels
        if wanted and (j or context) and fixed and wanted != channels:
            raise CertificateError(f"{where}: block {j + 1}{context} takes {wanted} channels; the layers before it "
                                   f"give {channels}")
        channels = wanted or channels
        blocks.append((first, second, channels))
        given = first.out_channels(channels)
        channels, fixed = given or channels, given is not None
    return NetworkTree(tuple(blocks), tuple(joints))


def network_tree(lhs: Layer, rhs: Layer, where: str) -> NetworkTree:
    """Both sides split at the same relu() / max-pool layers and sums, into affine blocks ``(A_j, B_j, channels)``
    (module doc); a sum's branches are paired in order."""
    return _tree(lhs, rhs, lhs.in_channels or rhs.in_channels or 1, True, max(lhs.ndim, rhs.ndim), where, "")


def _block_axes(value: object, count: int, ndim: int, where: str) -> list[list[tuple[int, int, int]]]:
    if not (isinstance(value, list) and len(value) == count and all(
            isinstance(block, list) and len(block) == ndim and all(isinstance(a, list) and len(a) == 3 for a in block)
            for block in value)):
        raise CertificateError(f"{where}: expected axes [[[start, period, limit], ...], ...]: per block ({count}) "
                               f"one [start, period, limit] per axis ({ndim})")
    return [[tuple(a) for a in block] for block in value]


def _claims(data: dict, name: str, count: int, where: str) -> list[Fraction]:
    value = data.get(name)
    if not (isinstance(value, list) and len(value) == count):
        raise CertificateError(f"{where}: {name} must be a list of {count} rationals, one per block")
    return [rational(v, f"{name}[{j}]", where) for j, v in enumerate(value)]


def _objects(value: object, count: int, fields: tuple[str, ...], name: str, what: str, where: str) -> list[dict]:
    """``value``: a list of ``count`` objects with exactly ``fields`` (``sums`` may be left out of a branch)."""
    required = set(fields) - {"sums"}
    if not (isinstance(value, list) and len(value) == count and all(
            isinstance(item, dict) and required <= set(item) <= set(fields) for item in value)):
        raise CertificateError(f"{where}: {name} must be a list of {count} objects {{{', '.join(fields)}}}, "
                               f"one per {what}")
    return value


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


def _sum_value(branches: tuple[NetworkTree, ...], claim: dict, error: Fraction, reach: Fraction, ndim: int,
               where: str) -> tuple[Fraction, Fraction]:
    """``(sum_b e_b, sum_b r_b)`` of a sum from ``(error, reach)`` at its input, its claims checked."""
    data = _objects(claim.get("branches"), len(branches), BRANCH_FIELDS, "branches", "pair of branches", where)
    values = [_sequence_value(tree, fields, error, reach, ndim, f"{where}, branch {b + 1}")
              for b, (tree, fields) in enumerate(zip(branches, data))]
    found = {"error": sum((e for e, _ in values), Fraction(0)), "reach": sum((r for _, r in values), Fraction(0))}
    for name, value in found.items():
        stated = rational(claim.get(name), name, where)
        if value != stated:
            raise CertificateError(f"{where}: {name} is {value}, not the claimed {stated}")
    return found["error"], found["reach"]


def _sequence_value(tree: NetworkTree, data: dict, error: Fraction, reach: Fraction, ndim: int,
                    where: str) -> tuple[Fraction, Fraction]:
    """``(e, r)`` of a sequence from ``(error, reach)`` at its input: every block's sups recomputed, every sum's
    branches summed, each against its claim (module doc)."""
    count = len(tree.blocks)
    axes = _block_axes(data.get("axes"), count, ndim, where)
    claimed = {name: _claims(data, name, count, where) for name in ("difference", "reach", "lipschitz")}
    sums = [] if not tree.sums and data.get("sums") in (None, []) else \
        _objects(data.get("sums"), len(tree.sums), SUM_FIELDS, "sums", "sum of branches the sides add", where)
    done = 0
    for j, ((a, b, channels), block_axes) in enumerate(zip(tree.blocks, axes)):
        if j and isinstance(tree.joints[j - 1], tuple):
            error, reach = _sum_value(tree.joints[j - 1], sums[done], error, reach, ndim, f"{where}, sums[{done}]")
            done += 1
        here = f"{where}, block {j + 1}"
        found = dict(zip(("difference", "reach", "lipschitz"), block_sups(a, b, channels, block_axes, reach, here)))
        for name, value in found.items():
            if value != claimed[name][j]:
                raise CertificateError(f"{here}: {name} is {value}, not the claimed {claimed[name][j]}")
        error = found["difference"] + found["lipschitz"] * error
        reach = found["reach"]
    return error, reach


def rule_tolerance_network(state: list[Layer], step, where: str) -> str:
    """Recompute every block's sups, carry ``(e, r)`` through the blocks, layers and sums and check
    ``e <= atol`` (module doc)."""
    refuse_split_goal(state, where)
    data = dict(step.data)
    atol, bound = rational(data.get("atol"), "atol", where), rational(data.get("bound"), "bound", where)
    if getattr(state, "bounds", ()):
        raise CertificateError(f"{where}: the rule bounds the inputs by |x| <= 1 itself; a declared input bound is "
                               f"not used")
    lhs, rhs = state
    tree = network_tree(lhs, rhs, where)
    ndim = max(lhs.ndim, rhs.ndim)
    error, _ = _sequence_value(tree, data, Fraction(0), Fraction(1), ndim, where)
    name = f"e_{len(tree.blocks)}" if not tree.sums else "e"
    if error != bound:
        raise CertificateError(f"{where}: the bound {name} is {error}, not the claimed {bound}")
    if error > atol:
        raise CertificateError(f"{where}: the bound {error} ~ {float(error):.6g} exceeds atol = {atol}")
    scope = "every input length" if ndim == 1 else "every input shape"
    return f"{scope} and every input with |x| <= 1, within atol={atol}, rtol=0"


def tolerance_network_rests_on(step) -> tuple[str, ...]:
    """What a theorem closed by ``step`` rests on: its tolerance (``rtol`` is 0)."""
    return (tolerance_entry(rational(step.get("atol"), "atol", "tolerance_network"), Fraction(0)),)
