"""The kernel replays statements about networks only: a sum ``A + B`` whose branch lengths are not decided equal.

A sum is a network when its branches give equal lengths at every input length n >= 0 (DESIGN §1), for every
value of the generic sizes. Its constructor (:class:`symconv.core.composite.Parallel`) refuses it on a difference
found by :func:`symconv.core.output_length.branch_length_difference`, but that search is exhaustive only in some
cases (:func:`symconv.core.output_length.undecided_branch_lengths` names them); elsewhere (two generic sizes on one
axis, a max-pool that samples an empty input, periods past the scan limit) a sum may be built whose branches differ
at sizes it did not try, and a rule that splits off such a sum (``congruence``) would prove a statement about no
network. So before the steps, every sum of the statement (nested ones too, per axis as its constructor compares
them: :meth:`Parallel.length_projections`) must be one whose construction decided its lengths: the constructor found no difference, and
``undecided_branch_lengths`` says that finding none was a proof.

>>> from symconv.dsl import parse_statement
>>> refuse_undecided_sums(parse_statement("conv(k[c], padding=1) + (pad(1) >> conv(h[c]))", "conv(w[3])"))
>>> two_sizes = parse_statement("(conv(k[c]) >> conv(h[d])) + conv(convolve(h, k))", "conv(w[3])")
>>> refuse_undecided_sums(two_sizes)  # doctest: +ELLIPSIS
Traceback (most recent call last):
  ...
symconv.errors.CertificateError: the branch lengths of the sum (conv(k[c]) >> conv(h[d])) + ... several generic sizes (c, d) on one axis; ...
"""

from __future__ import annotations

from typing import Iterator, Sequence

from symconv.core.layers import Chain, Layer, Parallel
from symconv.core.output_length import undecided_branch_lengths
from symconv.errors import CertificateError

__all__ = ["refuse_undecided_sums", "sums_of"]


def sums_of(layer: Layer) -> Iterator[Parallel]:
    """Every sum in ``layer``, nested ones included."""
    if isinstance(layer, Parallel):
        yield layer
        for branch in layer.branches:
            yield from sums_of(branch)
    elif isinstance(layer, Chain):
        for step in layer.steps:
            yield from sums_of(step)


def refuse_undecided_sums(sides: Sequence[object]) -> None:
    """CertificateError naming the first sum of the chains among ``sides`` whose branch lengths are not decided
    equal for every input length and every value of the generic sizes, and why."""
    for side in sides:
        if not isinstance(side, Layer):  # a fact's text, or the missing second chain of a length claim
            continue
        for total in sums_of(side):
            for axis, branches in total.length_projections():
                why = undecided_branch_lengths(branches)
                if why:
                    on_axis = "" if axis is None else f" on axis {axis + 1}"
                    raise CertificateError(
                        f"the branch lengths of the sum {total!r}{on_axis} are not decided equal for every input "
                        f"length and every value of the generic sizes: {why}; a sum whose branches may differ is no "
                        f"network, so the kernel replays no statement about it")
