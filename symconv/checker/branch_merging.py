"""The checker's rule ``merge_branches``: a sum of convolutions with the same stride, dilation and groups is one
convolution.

Rule data: none. Both sides are rewritten, through chains and the branches of sums.

**Lemma 1 (branch merging).** Let ``f_1 = conv(W_1, s, p, d, g, b_1)`` and
``f_2 = conv(W_2, s, p, d, g, b_2)`` be convolutions of the same kind (``conv``
or ``conv{d}d``) with the same stride, padding, dilation and groups, whose
weights have the same shape (out channels, in channels per group, every spatial
size; a generic size the same expression). Then for every input x of every size

    f_1(x) + f_2(x) = conv(W_1 + W_2, s, p, d, g, b_1 + b_2)(x),

a missing bias counting as 0 (no bias when neither has one).

*Proof.* By the definition (DESIGN section 1), per axis,
``f(x)[o, i] = b[o] + sum_{m in group(o), j} W[o, m, j] xp[m, s i + d j]`` where ``xp``
is x zero-padded by p (for ``'same'`` the split of ``d (c - 1)``, which depends only
on the shape and d) and ``i`` runs over ``0 .. L - 1``, L given by the length table
from n, p, d, s and the spatial sizes. The two convolutions share ``xp``, the index
sets and L, so their outputs have the same shape and add entry by entry; the sum is
linear in ``(W, b)``: ``(b_1 + b_2)[o] + sum (W_1 + W_2)[o, m, j] xp[m, s i + d j]``,
the convolution with the summed weight and bias. The weight ``W_1 + W_2`` is the
kernel expression ``a + b`` of the DSL (tap-wise sum), with the same shape. QED.

**Lemma 2 (alignment).** With integer padding, per axis,
``conv(W, s, (l, r), d) = conv(padk(W, a, b), s, (l + d a, r + d b), d)`` for
every ``a, b >= 0``. *Proof.* ``W'[j] = W[j - a]`` (0 outside), so
``y'[i] = sum_t W[t] xp'[s i + d t + d a]``; ``xp'`` has ``l + d a`` zeros ahead,
so ``xp'[s i + d t + d a] = xbar[s i + d t - l] = xp[s i + d t]`` (``xbar``: x
extended by zeros; every index read lies inside both padded windows), and the
length ``n + l + r + d (a + b) - d (c + a + b - 1) - 1`` over s is unchanged. QED.

So two convolutions with the same stride, dilation, groups and channel counts and
integer paddings ``(l_k, r_k)`` with ``e_k = l_k + r_k - d (c_k - 1)`` (per axis) and
``e_1 = e_2`` (as they are when the sum's branches have equal lengths) merge: with
``l = max(l_1, l_2)``, ``r = max(r_1, r_2)`` and d dividing every ``l - l_k``,
``r - r_k``, Lemma 2 gives both the padding ``(l, r)`` and weights
``padk(W_k, (l - l_k) / d, (r - r_k) / d)`` of equal shape, and Lemma 1 adds them.
``'same'`` with a generic size merges only by Lemma 1.

In a sum of several branches every bare convolution is merged into the first earlier
one it can be merged with (the sum is commutative and associative); a sum left with
one branch is that branch. The rule is an equivalence, so the statement after it is
equal iff the one before it is; a step that merges nothing is refused.
(``tests/checker/test_branch_merging.py`` compares both forms at every small size
for small kernels, strides, paddings, dilations, groups and biases.)
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.composite import Chain, Parallel
from symconv.core.kernel_expr import PadKernel
from symconv.core.layers import Conv, Layer
from symconv.errors import CertificateError, SymconvError

__all__ = ["rule_merge_branches", "merge_branches"]


def _parameters(layer: Layer) -> Optional[tuple]:
    """What must agree for two convolutions to merge (besides paddings and spatial sizes), or None."""
    if not isinstance(layer, Conv) or isinstance(layer.bias, str):
        return None
    return type(layer), layer.strides, layer.dilations, layer.groups, tuple(layer.weight.shape[:2])


def _per_axis(layer: Layer) -> Optional[tuple[tuple, tuple, tuple]]:
    """``(pads, sizes, dilations)`` per axis when every padding is an integer; None for a generic ``'same'``."""
    pads, sizes, dilations = tuple(layer.paddings), tuple(layer.weight.spatial), tuple(layer.dilations)
    if not all(type(p) is int for pair in pads for p in pair):
        return None
    return pads, sizes, dilations


def _bias_sum(a: Optional[tuple], b: Optional[tuple]) -> Optional[tuple]:
    if a is None or b is None:
        return a if b is None else b
    return tuple(x + y for x, y in zip(a, b))


def _aligned(first: Layer, second: Layer) -> Optional[tuple[Layer, Layer]]:
    """Both convolutions with one padding, by Lemma 2 (their weights then have the same shape), or None."""
    geometry = _per_axis(first), _per_axis(second)
    if geometry[0] is None or geometry[1] is None:
        return (first, second) if first.paddings == second.paddings else None
    (pads_1, sizes_1, dilations), (pads_2, sizes_2, _) = geometry
    grown: list[list[tuple[int, int]]] = [[], []]
    common = []
    for (l1, r1), (l2, r2), c1, c2, d in zip(pads_1, pads_2, sizes_1, sizes_2, dilations):
        if sympy.expand(l1 + r1 - d * (c1 - 1) - (l2 + r2 - d * (c2 - 1))) != 0:  # e_1 == e_2
            return None
        left, right = max(l1, l2), max(r1, r2)
        for k, (lk, rk) in enumerate(((l1, r1), (l2, r2))):
            if (left - lk) % d or (right - rk) % d:
                return None
            grown[k].append(((left - lk) // d, (right - rk) // d))
        common.append((left, right))
    return tuple(_padded(layer, amounts, common) for layer, amounts in zip((first, second), grown))


def _padded(layer: Layer, amounts: list[tuple[int, int]], common: list[tuple[int, int]]) -> Layer:
    """``layer`` with the padding ``common`` and its weight padded by ``amounts`` (Lemma 2)."""
    if not any(a or b for a, b in amounts):
        weight = layer.weight
    else:
        weight = PadKernel(layer.weight, tuple(a for a, _ in amounts), tuple(b for _, b in amounts))
    return replace(layer, weight=weight, paddings=tuple(common))


def _merged(first: Layer, second: Layer) -> Optional[Layer]:
    """``conv(W_1' + W_2', ..., b_1 + b_2)`` (module docstring), or None when the two cannot be merged."""
    if _parameters(first) is None or _parameters(first) != _parameters(second):
        return None
    aligned = _aligned(first, second)
    if aligned is None:
        return None
    try:
        return replace(aligned[0], weight=aligned[0].weight + aligned[1].weight,
                       bias=_bias_sum(first.bias, second.bias))
    except SymconvError:  # the weights' shapes differ after all (a generic size): not merged
        return None


def _merge_sum(layer: Parallel) -> Layer:
    branches: list[Layer] = []
    for branch in (merge_branches(b) for b in layer.branches):
        for index, earlier in enumerate(branches):
            merged = _merged(earlier, branch)
            if merged is not None:
                branches[index] = merged
                break
        else:
            branches.append(branch)
    if len(branches) == 1:
        return branches[0]
    branches_tuple = tuple(branches)
    return layer if branches_tuple == layer.branches else replace(layer, branches=branches_tuple)


def merge_branches(layer: Layer) -> Layer:
    """``layer`` with every sum of convolutions with the same parameters merged into one (the lemma)."""
    if isinstance(layer, Chain):
        steps = tuple(merge_branches(step) for step in layer.steps)
        return layer if steps == layer.steps else replace(layer, steps=steps)
    if isinstance(layer, Parallel):
        return _merge_sum(layer)
    return layer


def rule_merge_branches(state: list[Layer], step, where: str) -> None:
    """Rewrite both sides by the lemma (module docstring)."""
    rewritten = [merge_branches(side) for side in state]
    if rewritten == list(state):
        raise CertificateError(f"{where}: no sum of either side has two convolutions with the same stride, dilation "
                               f"and groups and aligned paddings to merge")
    state[:] = rewritten
