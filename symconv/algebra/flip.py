"""Moving every ``flip()`` of a linear chain to its input (flip conjugation).

``flip >> L == mirror(L) >> flip`` holds for every n when ``mirror(L)`` is:

* ``conv(W, stride=1, padding=(l, r))``  ->  ``conv(flip(W), padding=(r, l))``
* ``conv_transpose(W, s, p)`` (no output_padding) -> ``conv_transpose(flip(W), s, p)``
* ``pad(l, r)`` -> ``pad(r, l)``, ``crop(l, r)`` -> ``crop(r, l)``, ``up(s)`` -> ``up(s)``
* ``avgpool(size, 1, p)`` -> itself, ``down(1)`` -> itself, sums branch by branch.

Strided layers are not flip-symmetric: the phase of the subsampling grid
depends on the length. At a known input length n (``mirror(layer, n)``):

* ``down(s, q)``  ->  ``down(s, (n - 1 - q) mod s)``;
* ``conv(W, stride=s, padding=(l, r))``  ->  ``conv(flip(W), padding=(r, l)) >> down(s, (n1 - 1) mod s)``
  with n1 the stride-1 output length (likewise ``avgpool``);
* ``conv_transpose(W, s, p, output_padding=o)`` -> ``conv_transpose(flip(W), s) >> crop(p - o, p)``
  when o <= p, and ``conv_transpose(padk(flip(W), o, 0), s, p)`` when o > p (dilation 1;
  see :func:`_mirror_conv_transpose`): for every n, n = 0 included.

Proof of the first: ``flip >> down(s, q) >> flip`` maps x to
``y[j] = x[n - 1 - q - s (m - 1 - j)] = x[s j + (n - 1 - q - s (m - 1))]`` with
``m = ceil((n - q) / s)``, and ``n - 1 - q - s (m - 1) = (n - 1 - q) mod s``;
a strided layer is its stride-1 layer then ``down``. Without n a flip that
must cross a strided layer is reported as :class:`FlipNotMovable`.

>>> from symconv.core.layers import conv, flip
>>> from symconv.core.kernel import kernel
>>> move_flips_to_input(flip() >> conv(kernel("k", 3), padding=(0, 1)) >> flip())
(False, (conv(flip(k[3]), padding=(1, 0)),))
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Optional

from symconv.core.geometry import is_whole_flip
from symconv.core.kernel import FlipKernel, PadKernel
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
from symconv.core.output_length import output_length, resolve_size
from symconv.errors import RuleError

__all__ = ["FlipNotMovable", "mirror", "move_flips_to_input", "cancel_flip_pairs", "as_single_layer"]


class FlipNotMovable(RuleError):
    """A flip cannot be moved across a layer without an n-dependent phase."""


def _flip_kernel(k):
    return k.kernel if isinstance(k, FlipKernel) else FlipKernel(k)


def _strided(layer: Layer, unit: Layer, stride: int, n: Optional[int], sizes) -> Layer:
    """``mirror(unit >> down(stride))`` at input length n (module docstring)."""
    if n is None:
        raise FlipNotMovable(f"flip() cannot cross {layer!r}: stride {stride} > 1")
    n1 = output_length(unit, n, sizes)
    if n1 == 0:
        return mirror(unit, n, sizes)
    return Chain((mirror(unit, n, sizes), Down(stride, (n1 - 1) % stride)))


def mirror(layer: Layer, n: Optional[int] = None, sizes: Optional[Mapping[str, int]] = None) -> Layer:
    """``flip >> layer >> flip`` as a flip-free layer: for every n, or at input length ``n`` when given."""
    if isinstance(layer, Chain):
        steps, length = [], n
        for step in layer.steps:
            steps.append(mirror(step, length, sizes))
            length = None if length is None else output_length(step, length, sizes)
        return Chain(tuple(steps))
    if isinstance(layer, Conv):
        if layer.stride != 1:
            return _strided(layer, replace(layer, strides=1), layer.stride, n, sizes)
        left, right = (resolve_size(p, sizes) for p in layer.padding_pair())
        if not (isinstance(left, int) and isinstance(right, int)):
            # padding='same' with a generic length: the odd zero goes right, so the mirror's
            # padding (right, left) depends on the parity of d*(c - 1) and is no layer of its own
            raise FlipNotMovable(f"flip() cannot cross {layer!r} for every length of its kernel: "
                                 f"its padding is uneven when {left} != {right}")
        padding = layer.padding if isinstance(layer.padding, str) else (right, left)
        if padding != "same" and padding[0] == padding[1]:
            padding = padding[0]
        if padding == "same" and left != right:
            padding = (right, left)
        return replace(layer, weight=_flip_kernel(layer.weight), paddings=padding)
    if isinstance(layer, ConvTranspose):
        return _mirror_conv_transpose(layer)
    if isinstance(layer, Pad):
        return Pad(layer.right, layer.left)
    if isinstance(layer, Crop):
        return Crop(layer.right, layer.left)
    if isinstance(layer, (Up, ReLU, Affine)):
        return layer
    if isinstance(layer, AvgPool) and layer.stride != 1:
        return _strided(layer, AvgPool(layer.size, 1, layer.padding), layer.stride, n, sizes)
    if isinstance(layer, Down) and layer.factor != 1:
        if n is None:
            raise FlipNotMovable(f"flip() cannot cross {layer!r}: stride {layer.factor} > 1")
        return Down(layer.factor, (n - 1 - layer.phase) % layer.factor) if n > layer.phase else layer
    if isinstance(layer, (AvgPool, Down)):
        return layer
    if isinstance(layer, Parallel):
        branches = []
        for b in layer.branches:
            flipped, steps = move_flips_to_input(Chain((Flip(),) + b.layers() + (Flip(),)), n, sizes)
            if flipped:
                raise FlipNotMovable(f"flip() cannot cross {layer!r}")
            branches.append(as_single_layer(steps))
        return Parallel(tuple(branches))
    raise FlipNotMovable(f"flip() cannot cross {layer!r}")


def _mirror_conv_transpose(layer: ConvTranspose) -> Layer:
    """``flip >> conv_transpose(W, s, p, o, d) >> flip`` for every n, the empty input included.

    With F the full scattered output of ``flip(W)`` (padding 0), the mirror is
    ``(zeros(o) ++ F)[p : len(F) + o - p]``. For o <= p that is
    ``crop(p - o, p)`` after F. For o > p the o leading zeros come from the
    kernel instead: ``a = ceil(o/d)`` zero taps before ``flip(W)`` shift F by
    ``a*d = o + e`` and padding ``p + e``, output_padding ``e`` take the e
    extra samples back. Its length is the table's at every n, n = 0
    included (a pad after F would add o zeros to an empty F).
    """
    s, p, o, d = layer.stride, layer.padding, layer.output_padding, layer.dilation
    flipped = _flip_kernel(layer.weight)
    if o == 0:
        return replace(layer, weight=flipped)
    if o <= p:
        full = replace(layer, weight=flipped, paddings=0, output_paddings=0)
        return Chain((full, Crop(p - o, p)))
    zero_taps = -(-o // d)
    extra = zero_taps * d - o
    return replace(layer, weight=PadKernel(flipped, zero_taps, 0), paddings=p + extra, output_paddings=extra)


def as_single_layer(steps: tuple[Layer, ...]) -> Layer:
    """The chain of ``steps`` as one layer; no steps is the identity ``pad(0)``."""
    if not steps:
        return Pad(0, 0)
    return steps[0] if len(steps) == 1 else Chain(steps)


def cancel_flip_pairs(steps: tuple[Layer, ...]) -> tuple[Layer, ...]:
    """Drop adjacent ``flip() >> flip()`` pairs (a flip is its own inverse for every n)."""
    out: list[Layer] = []
    for step in steps:
        if is_whole_flip(step) and out and is_whole_flip(out[-1]):
            out.pop()
        else:
            out.append(step)
    return tuple(out)


def move_flips_to_input(layer: Layer, n: Optional[int] = None,
                        sizes: Optional[Mapping[str, int]] = None) -> tuple[bool, tuple[Layer, ...]]:
    """Rewrite ``layer`` as ``flip^p >> G`` with G flip-free; returns ``(p == 1, G's layers)``.

    Without ``n`` the rewrite holds for every input length and raises
    :class:`FlipNotMovable` when a flip meets a strided layer; with ``n`` it
    holds at that input length and crosses strided layers too.
    """
    flipped = False
    done: list[Layer] = []
    starts: list[Optional[int]] = []  # the input length of each layer in done

    def flip_done() -> list[Layer]:
        return [mirror(s, start, sizes) for s, start in zip(done, starts)]

    length = n
    for step in cancel_flip_pairs(layer.layers()):
        if is_whole_flip(step):
            done = flip_done()
            flipped = not flipped
            continue
        if isinstance(step, Parallel):
            parities, branches = set(), []
            for b in step.branches:
                p, steps = move_flips_to_input(b, length, sizes)
                parities.add(p)
                branches.append(as_single_layer(steps))
            if parities == {True}:
                # (G_1 + G_2) o flip: the branch flips come before the sum
                done = flip_done()
                flipped = not flipped
            elif len(parities) > 1:
                raise FlipNotMovable(f"the branches of {step!r} flip a different number of times")
            done.append(Parallel(tuple(branches)))
        else:
            done.append(step)
        starts.append(length)
        length = None if length is None else output_length(step, length, sizes)
    return flipped, tuple(part for step in done for part in step.layers())
