"""Moving every ``flip()`` of a linear chain to its input (flip conjugation).

``flip >> L == mirror(L) >> flip`` holds for every n when ``mirror(L)`` is:

* ``conv(W, stride=1, padding=(l, r))``  ->  ``conv(flip(W), padding=(r, l))``
* ``conv_transpose(W, s, p)`` (no output_padding) -> ``conv_transpose(flip(W), s, p)``
* ``pad(l, r)`` -> ``pad(r, l)``, ``crop(l, r)`` -> ``crop(r, l)``, ``up(s)`` -> ``up(s)``
* ``avgpool(size, 1, p)`` -> itself, ``down(1)`` -> itself, sums branch by branch.

Strided layers are not flip-symmetric (the phase of the subsampling grid
depends on n mod s), so a flip that must cross one is reported as
:class:`FlipNotMovable` and the chain is left to the bounded check.

>>> from symconv.core.layers import conv, flip
>>> from symconv.core.kernel import kernel
>>> move_flips_to_input(flip() >> conv(kernel("k", 3), padding=(0, 1)) >> flip())
(False, (conv(flip(k[3]), padding=(1, 0)),))
"""

from __future__ import annotations

from dataclasses import replace

from symconv.core.kernel import FlipKernel
from symconv.core.layers import (
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Crop,
    Down,
    Affine,
    Flip,
    Layer,
    ReLU,
    Pad,
    Parallel,
    Up,
)
from symconv.errors import RuleError

__all__ = ["FlipNotMovable", "mirror", "move_flips_to_input", "cancel_flip_pairs", "as_single_layer"]


class FlipNotMovable(RuleError):
    """A flip cannot be moved across a layer without an n-dependent phase."""


def _flip_kernel(k):
    return k.kernel if isinstance(k, FlipKernel) else FlipKernel(k)


def mirror(layer: Layer) -> Layer:
    """``flip >> layer >> flip`` as a single flip-free layer, when one exists."""
    if isinstance(layer, Conv):
        if layer.stride != 1:
            raise FlipNotMovable(f"flip() cannot cross {layer!r}: stride {layer.stride} > 1")
        left, right = layer.padding_pair()
        padding = layer.padding if isinstance(layer.padding, str) else (right, left)
        if padding != "same" and padding[0] == padding[1]:
            padding = padding[0]
        if padding == "same" and left != right:
            padding = (right, left)
        return replace(layer, weight=_flip_kernel(layer.weight), padding=padding)
    if isinstance(layer, ConvTranspose):
        if layer.output_padding:
            raise FlipNotMovable(f"flip() cannot cross {layer!r}: output_padding is one-sided")
        return replace(layer, weight=_flip_kernel(layer.weight))
    if isinstance(layer, Pad):
        return Pad(layer.right, layer.left)
    if isinstance(layer, Crop):
        return Crop(layer.right, layer.left)
    if isinstance(layer, (Up, ReLU, Affine)):
        return layer
    if isinstance(layer, (AvgPool, Down)):
        if (layer.stride if isinstance(layer, AvgPool) else layer.factor) != 1:
            raise FlipNotMovable(f"flip() cannot cross {layer!r}: stride > 1")
        return layer
    if isinstance(layer, Parallel):
        branches = []
        for b in layer.branches:
            flipped, steps = move_flips_to_input(Chain((Flip(),) + b.layers() + (Flip(),)))
            if flipped:
                raise FlipNotMovable(f"flip() cannot cross {layer!r}")
            branches.append(as_single_layer(steps))
        return Parallel(tuple(branches))
    raise FlipNotMovable(f"flip() cannot cross {layer!r}")


def as_single_layer(steps: tuple[Layer, ...]) -> Layer:
    """The chain of ``steps`` as one layer; no steps is the identity ``pad(0)``."""
    if not steps:
        return Pad(0, 0)
    return steps[0] if len(steps) == 1 else Chain(steps)


def cancel_flip_pairs(steps: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """Drop adjacent ``flip() >> flip()`` pairs (a flip is its own inverse for every n)."""
    out: list[Layer] = []
    for step in steps:
        if isinstance(step, Flip) and out and isinstance(out[-1], Flip):
            out.pop()
        else:
            out.append(step)
    return tuple(out)


def move_flips_to_input(layer: Layer) -> tuple[bool, tuple[Layer, ...]]:
    """Rewrite ``layer`` as ``flip^p >> G`` with G flip-free; returns ``(p == 1, G's layers)``.

    Raises :class:`FlipNotMovable` when a flip meets a strided layer.
    """
    flipped = False
    done: list[Layer] = []
    for step in cancel_flip_pairs(layer.layers()):
        if isinstance(step, Flip):
            done = [mirror(s) for s in done]
            flipped = not flipped
        elif isinstance(step, Parallel):
            parities, branches = set(), []
            for b in step.branches:
                p, steps = move_flips_to_input(b)
                parities.add(p)
                branches.append(as_single_layer(steps))
            if parities == {True}:
                # (G_1 + G_2) o flip: the branch flips come before the sum
                done = [mirror(s) for s in done]
                flipped = not flipped
            elif len(parities) > 1:
                raise FlipNotMovable(f"the branches of {step!r} flip a different number of times")
            done.append(Parallel(tuple(branches)))
        else:
            done.append(step)
    return flipped, tuple(done)
