"""The checker's flip conjugation: ``flip >> L >> flip == mirror(L)`` for the layers where that holds at every n.

``mirror`` swaps the paddings and flips the kernel of a stride-1 convolution,
swaps the sides of ``pad``/``crop``, and keeps stride-1 pools and ``up``.
A transposed convolution with padding p and output_padding o is its full
output (padding 0) cropped by ``(p, p - o)``, zero-extended when ``o > p``;
its mirror is the full output of the flipped kernel cropped by
``(p - o, p)``, and when ``o > p`` the transposed convolution of
``padk(flip(W), ceil(o/d), 0)`` (exact at every n, n = 0 included).

Everything here is written from DESIGN §1 with the core's layer objects; it
shares nothing with the search (:mod:`symconv.prover.flip_classes`).
"""

from __future__ import annotations

from symconv.core.geometry import is_whole_flip
from symconv.core.kernel import FlipKernel, PadKernel
from symconv.core.layers import AvgPool, Chain, Conv, ConvTranspose, Crop, Down, Flip, Layer, Pad, Parallel, Up
from symconv.errors import CertificateError

__all__ = ["mirror", "flips_to_input", "as_layer"]


def _flipped(k):
    return k.kernel if isinstance(k, FlipKernel) else FlipKernel(k)


def mirror(layer: Layer, where: str) -> Layer:
    """``flip >> layer >> flip`` as a flip-free layer, for every input length; raises where that is unknown."""
    if isinstance(layer, Conv) and layer.stride == 1:
        left, right = layer.padding_pair()
        return Conv(_flipped(layer.weight), 1, (right, left), layer.dilation, layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose) and layer.output_padding == 0:
        return ConvTranspose(_flipped(layer.weight), layer.stride, layer.padding, 0, layer.dilation,
                             layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose) and layer.output_padding <= layer.padding:
        p, o = layer.padding, layer.output_padding
        full = ConvTranspose(_flipped(layer.weight), layer.stride, 0, 0, layer.dilation, layer.groups, layer.bias)
        return Chain((full, Crop(p - o, p)))
    if isinstance(layer, ConvTranspose):
        # o > p: the o leading zeros come from a = ceil(o/d) zero taps before the flipped kernel (a
        # shift by o + e, taken back by padding p + e and output_padding e); a pad after the full
        # output would add o zeros to an empty one, against the table at n = 0
        o, d = layer.output_padding, layer.dilation
        zero_taps = -(-o // d)
        extra = zero_taps * d - o
        return ConvTranspose(PadKernel(_flipped(layer.weight), zero_taps, 0), layer.stride, layer.padding + extra,
                             extra, d, layer.groups, layer.bias)
    if isinstance(layer, (Pad, Crop)):
        return type(layer)(layer.right, layer.left)
    if isinstance(layer, Up) or (isinstance(layer, AvgPool) and layer.stride == 1) or (
            isinstance(layer, Down) and layer.factor == 1):
        return layer
    if isinstance(layer, Parallel):
        branches = []
        for b in layer.branches:
            flip_first, rest = flips_to_input(Chain((Flip(),) + b.layers() + (Flip(),)), where)
            if flip_first:
                raise CertificateError(f"{where}: flip conjugation does not apply inside {layer!r}")
            branches.append(as_layer(False, rest))
        return Parallel(tuple(branches))
    raise CertificateError(f"{where}: flip conjugation does not apply to {layer!r}")


def cancel_flip_pairs(layer: Layer) -> list[Layer]:
    """The steps of ``layer`` with adjacent ``flip() >> flip()`` pairs removed (flip is an involution)."""
    steps: list[Layer] = []
    for step in layer.layers():
        if is_whole_flip(step) and steps and is_whole_flip(steps[-1]):
            steps.pop()
        else:
            steps.append(step)
    return steps


def flips_to_input(layer: Layer, where: str) -> tuple[bool, tuple[Layer, ...]]:
    """``layer == flip^p >> G`` with G flip-free: returns ``(p == 1, G's steps)``."""
    flipped, done = False, []
    for step in cancel_flip_pairs(layer):
        if is_whole_flip(step):
            done = [mirror(s, where) for s in done]
            flipped = not flipped
        elif isinstance(step, Parallel):
            parts = [flips_to_input(b, where) for b in step.branches]
            if len({p for p, _ in parts}) != 1:
                raise CertificateError(f"{where}: the branches of {step!r} flip a different number of times")
            if parts[0][0]:
                done = [mirror(s, where) for s in done]
                flipped = not flipped
            done.append(Parallel(tuple(as_layer(False, r) for _, r in parts)))
        else:
            done.append(step)
    return flipped, tuple(part for s in done for part in s.layers())


def as_layer(flip_first: bool, steps: tuple[Layer, ...]) -> Layer:
    """``flip() >> steps`` (or just ``steps``) as one layer; no steps is the identity ``pad(0, 0)``."""
    steps = ((Flip(),) if flip_first else ()) + tuple(steps)
    if not steps:
        return Pad(0, 0)
    return steps[0] if len(steps) == 1 else Chain(steps)
