"""Composite layers: chains ``A >> B`` and sums of branches ``A + B``.

>>> from symconv.core.layers import pad, crop
>>> (pad(1) >> crop(1)).layers()
(pad(1), crop(1))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from symconv.core.kernel import Kernel
from symconv.core.layers import Layer
from symconv.errors import ChainError, ChannelMismatch, LengthMismatch, quote

__all__ = ["Chain", "Parallel", "on_statement_axes"]

def _flatten(layers: Sequence[Layer]) -> tuple[Layer, ...]:
    flat: list[Layer] = []
    for layer in layers:
        if not isinstance(layer, Layer):
            raise ChainError(f"{quote(layer)} is not a layer; expected e.g. conv(k[3])")
        flat.extend(layer.layers())
    return tuple(flat)


def _propagate_channels(layers: Sequence[Layer], channels: Optional[int]) -> Optional[int]:
    """The channels after ``layers`` on an input of ``channels`` (None: any); ChannelMismatch naming the two
    layers that disagree (their reprs are built only then: a repr prints every weight)."""
    producer: Optional[Layer] = None
    for layer in layers:
        need = layer.in_channels
        if need is not None and channels is not None and need != channels:
            raise ChannelMismatch("the input" if producer is None else repr(producer), channels, repr(layer), need)
        channels = layer.out_channels(channels if channels is not None else need)
        producer = layer
    return channels


def _spatial_ndims(layers: Sequence[Layer]) -> set[int]:
    """The ``ndim`` of the layers that have one (sample-by-sample layers fit either)."""
    return {layer.ndim for layer in layers if not layer.axes_free}


@dataclass(frozen=True, repr=False)
class Chain(Layer):
    """``A >> B >> ...``: run the layers one after the other.

    ``axes_given``: the spatial axes of a chain whose layers all fit any number of them (flips, relu, affine),
    given by the other side of its statement (:func:`on_statement_axes`); 0 when none did (then it is 1-D).
    """

    steps: tuple[Layer, ...]
    axes_given: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", _flatten(self.steps))
        if not self.steps:
            raise ChainError("an empty chain has no meaning; expected at least one layer")
        if len(_spatial_ndims(self.steps)) > 1:
            dims = " and ".join(f"{d}-D" for d in sorted(_spatial_ndims(self.steps)))
            raise ChainError(f"{quote(self)} mixes {dims} layers; expected one kind (conv2d with pad((1, 1)), "
                             f"down((2, 2)), ...)")
        from symconv.core.layers_nd import check_flip_axes

        check_flip_axes(self.steps)
        _propagate_channels(self.steps, None)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return max(_spatial_ndims(self.steps), default=self.axes_given or 1)

    @property
    def axes_free(self) -> bool:  # type: ignore[override]
        return not self.axes_given and all(s.axes_free for s in self.steps)

    def layers(self) -> tuple[Layer, ...]:
        return self.steps

    @property
    def in_channels(self) -> Optional[int]:
        for layer in self.steps:
            if layer.in_channels is not None:
                return layer.in_channels
            if layer.out_channels(None) is not None:
                return None
        return None

    def out_channels(self, in_channels: Optional[int]) -> Optional[int]:
        return _propagate_channels(self.steps, in_channels)

    def kernels(self) -> tuple[Kernel, ...]:
        return tuple(k for layer in self.steps for k in layer.kernels())

    @property
    def linear(self) -> bool:
        return all(layer.linear for layer in self.steps)

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        return self.linear

    def __repr__(self) -> str:
        if len(self.steps) == 1:  # a sum given its axes (on_statement_axes) prints as the sum
            return repr(self.steps[0])
        return " >> ".join(f"({s!r})" if isinstance(s, Parallel) else repr(s) for s in self.steps)


def _sizes_text(sizes: Sequence[tuple[str, int]]) -> str:
    return " when " + ", ".join(f"{name} = {value}" for name, value in sizes) if sizes else ""


@dataclass(frozen=True, repr=False)
class Parallel(Layer):
    """``A + B``: run every branch on the same input and add the outputs.

    The branches must give equal lengths at every input length n >= 0 (on every axis): LengthMismatch
    quoting the sum and a counterexample ``(n, c)`` otherwise
    (:func:`symconv.core.output_length.branch_length_difference`, integers only, no SymPy simplification).
    Without generic sizes, and with one generic size ``c`` (``k[c]``, ``k[c, 3]``) whose length offsets are
    integer-affine in c (every layer of the linear fragment), the check is exact for every n and every c:
    a periodicity bound reduces it to finitely many c (at most 256), each decided exactly in n. Otherwise
    (several generic sizes, or a maxpool whose formula gives an empty input samples) it is sound but
    incomplete: refused only on a counterexample at small sizes (c = 1 .. 16 for one size), accepted else.
    Deciding those for every value needs the quasi-affine algebra, which the core may not import; the
    prover compares the branch lengths of the sums it rewrites itself.
    """

    branches: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if len(self.branches) < 2:
            raise ChainError("a sum needs at least two branches")
        ins = {b.in_channels for b in self.branches} - {None}
        if len(ins) > 1:
            raise ChainError(f"the branches of {quote(self)} take different channel counts {sorted(ins)}")
        known_in = ins.pop() if ins else None
        outs = {b.out_channels(known_in) for b in self.branches} - {None}
        if len(outs) > 1:
            raise ChainError(f"the branches of {quote(self)} give different channel counts {sorted(outs)}")
        if len(_spatial_ndims(self.branches)) > 1:
            dims = " and ".join(f"{d}-D" for d in sorted(_spatial_ndims(self.branches)))
            raise ChainError(f"{quote(self)} adds {dims} branches; expected one kind")
        from symconv.core.layers_nd import check_flip_axes

        check_flip_axes(self.branches)
        self._check_branch_lengths()

    def length_projections(self) -> list[tuple[Optional[int], tuple[Layer, ...]]]:
        """``(axis, branches)`` whose lengths must agree: per axis when a branch is N-D, else
        ``(None, branches)``; none when every branch acts sample by sample (they keep the length)."""
        from symconv.core.layers_nd import axis_chain

        if self.ndim >= 2:
            return [(axis, tuple(axis_chain(b, axis) for b in self.branches)) for axis in range(self.ndim)]
        return [] if self.axes_free else [(None, self.branches)]

    def _check_branch_lengths(self) -> None:
        """LengthMismatch where the branches' lengths differ (see the class docstring)."""
        from symconv.core.output_length import branch_length_difference

        for axis, branches in self.length_projections():
            found = branch_length_difference(branches)
            if found is None:
                continue
            if axis is not None:
                raise LengthMismatch(f"the branches of {quote(self)} give different sizes {list(found.lengths)} "
                                     f"on axis {axis + 1} for an input of size {found.n}"
                                     f"{_sizes_text(found.sizes)}; expected the same shape")
            raise LengthMismatch(
                f"the branches of {quote(self)} give different lengths {list(found.lengths)} for an input of "
                f"length {found.n}{_sizes_text(found.sizes)}; expected every branch to give the same length"
            )

    @property
    def in_channels(self) -> Optional[int]:
        for b in self.branches:
            if b.in_channels is not None:
                return b.in_channels
        return None

    def out_channels(self, in_channels: Optional[int]) -> Optional[int]:
        for b in self.branches:
            c = b.out_channels(in_channels)
            if c is not None:
                return c
        return in_channels

    def kernels(self) -> tuple[Kernel, ...]:
        return tuple(k for b in self.branches for k in b.kernels())

    @property
    def linear(self) -> bool:
        return all(b.linear for b in self.branches)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return max(_spatial_ndims(self.branches), default=1)

    @property
    def axes_free(self) -> bool:  # type: ignore[override]
        return all(b.axes_free for b in self.branches)

    @property
    def is_linear(self) -> bool:  # type: ignore[override]
        return self.linear

    def __repr__(self) -> str:
        return " + ".join(f"({b!r})" if isinstance(b, (Chain, Parallel)) else repr(b) for b in self.branches)


def _named_flip_axes(layers: Sequence[Layer]) -> set[int]:
    """The axes the ``flip(axes=...)`` layers among ``layers`` (inside chains and sums too) name."""
    from symconv.core.geometry import Flip

    named: set[int] = set()
    for layer in layers:
        if isinstance(layer, Flip) and layer.axes is not None:
            named |= set(layer.axes)
        elif isinstance(layer, (Chain, Parallel)):
            named |= _named_flip_axes(layer.layers() if isinstance(layer, Chain) else layer.branches)
    return named


def _whole_flips(layers: Sequence[Layer]) -> bool:
    """Whether a ``flip()`` (every axis reversed) is among ``layers`` (inside chains and sums too)."""
    from symconv.core.geometry import is_whole_flip

    return any(is_whole_flip(layer) or isinstance(layer, Chain) and _whole_flips(layer.layers())
               or isinstance(layer, Parallel) and _whole_flips(layer.branches) for layer in layers)


def _axes_named_by_flips(sides: Sequence[Layer]) -> int:
    """``d = max(2, a + 1)``, ``a`` the largest axis a ``flip(axes=...)`` of the sides names: the fewest axes such
    a statement has when no side fixes them (0: no axis is named). Sample-by-sample layers and the named flips
    act alike for every larger d, so the verdict at this d holds for each; a ``flip()``, which reverses every
    axis, does not (``flip()`` is ``flip(axes=(0, 1))`` in 2-D only): then ChainError."""
    named = _named_flip_axes(sides)
    if not named:
        return 0
    d = max(2, max(named) + 1)
    if _whole_flips(sides):
        statement = " == ".join(repr(side) for side in sides)
        raise ChainError(f"{quote(statement)}: no layer fixes the number of spatial axes d, and flip() reverses "
                         f"every axis while flip(axes=...) reverses the axes it names, so the statement depends on "
                         f"d; expected a layer that fixes d on one side, e.g. pad({(0,) * d}) for d = {d}")
    return d


def on_statement_axes(sides: Sequence[Layer]) -> tuple[Layer, ...]:
    """The sides of one statement on its spatial axes: a side made only of layers that fit any number of axes
    (``flip()``, ``flip(axes=...)``, ``relu()``, ``affine``) takes the ``d`` of the sides that fix it, as a
    :class:`Chain` with ``axes_given = d``; with no side fixing it, the fewest axes the sides' ``flip(axes=...)``
    name (``max(2, a + 1)`` for a largest named axis a; ChainError when a ``flip()`` is there too), else the
    sides are left as they are (1-D).

    A ``flip(axes=...)`` naming an axis the statement lacks is refused (InvalidArgument); sides that fix
    different ``d`` are left as they are for the prover to refuse.

    >>> from symconv.core.layers_nd import flip, pad
    >>> lhs, rhs = on_statement_axes([flip() >> flip(), pad((0, 0))])
    >>> lhs, lhs.ndim
    (flip() >> flip(), 2)
    >>> [side.ndim for side in on_statement_axes([flip(axes=(2,)), flip(axes=(2,))])]
    [3, 3]
    """
    from symconv.core.layers_nd import check_flip_axes

    dims = {side.ndim for side in sides if not side.axes_free}
    if not dims:
        dims = {_axes_named_by_flips(sides)} - {0}
    if len(dims) != 1:
        return tuple(sides)
    d = dims.pop()
    check_flip_axes(tuple(sides), d)
    if d == 1:
        return tuple(sides)
    return tuple(Chain(side.layers(), axes_given=d) if side.axes_free else side for side in sides)
