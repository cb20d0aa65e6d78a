"""The checker's flips in N-D chains: ``flip_F >> L >> flip_F == mirror_F(L)`` for a set F of axes, per axis.

``flip_F`` reverses the spatial axes in F (``flip(axes=F)``; ``flip()`` is F =
every axis). Every N-D layer acts on each axis with the index arithmetic of a
1-D layer, so conjugating it by ``flip_F`` only changes its arithmetic on the
axes in F, exactly as the 1-D conjugation of :mod:`symconv.checker.flips`
does on one axis, and leaves the others alone. ``mirror_F``, exact for every
shape (empty axes included):

* ``conv{d}d`` with stride 1 on every axis of F: the kernel flipped on F
  (``flip(W, axes=F)``) and the padding pair ``(l, r)`` swapped on F. On one
  axis (``M = n + l + r - d (k - 1)``): ``y[M - 1 - i] = sum_a W[a] xp[M - 1 - i + d a]
  = sum_b W[k - 1 - b] xf[i + d b - r]`` with ``xf[j] = x[n - 1 - j]``;
* ``conv_transpose{d}d`` with output_padding 0 on F: the kernel flipped on F
  (the 1-D rule, any stride);
* ``pad``/``crop``: ``before`` and ``after`` swapped on F; ``up``: itself
  (``(n - 1) s - j s = (n - 1 - j) s``); ``down`` with factor 1 on F: itself;
* ``avgpool{d}d`` with stride 1 on F: itself (its windows are symmetric:
  window i reflects onto window ``M - 1 - i``); ``relu``, ``affine``: themselves;
* a sum: each branch conjugated (``flip_F (A + B) flip_F = flip_F A flip_F + flip_F B flip_F``).

Any other layer on a flipped axis (a stride above 1 after the flip, an
output_padding) is refused: its phase depends on the size (1-D residue classes).

Moving flips to the input: ``flip_P >> D >> flip_F == flip_{P xor F} >> mirror_F(D)``
(flips on different axes commute and each is an involution), so a side
becomes ``flip_H >> G`` with G flip-free. Stripping: ``flip_F >> A == flip_G >> B``
for every input iff ``A == flip_{F xor G} >> B``, ``flip_F`` being a bijection of
the inputs of each shape. Everything here is written from DESIGN §1 with the
core's layer objects.
"""

from __future__ import annotations

from symconv.core.composite import Chain, Parallel
from symconv.core.geometry import identity_pad
from symconv.core.kernel import FlipKernel, Kernel
from symconv.core.layers import Layer
from symconv.core.layers_nd import (
    AvgPool, Conv, ConvTranspose, Crop, Down, Flip, Pad, Up, flipped_axes,
)
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import CertificateError

__all__ = ["mirror_nd", "flips_to_input_nd", "as_layer_nd", "has_flips", "strip_input_flips", "conjugated"]


def _flipped_kernel(k: Kernel, axes: frozenset[int]) -> Kernel:
    """``flip(k, axes)``, cancelling with a flip already on ``k`` (flip is an involution per axis)."""
    if isinstance(k, FlipKernel):
        left = frozenset(k.axes) ^ axes
        return FlipKernel(k.kernel, tuple(sorted(left))) if left else k.kernel
    return FlipKernel(k, tuple(sorted(axes)))


def _swap(pairs, axes: frozenset[int]):
    return tuple((r, l) if a in axes else (l, r) for a, (l, r) in enumerate(pairs))


def mirror_nd(layer: Layer, axes: frozenset[int], where: str) -> Layer:
    """``flip_F >> layer >> flip_F`` as a flip-free layer for every shape (module docstring); raises elsewhere."""
    if not axes:
        return layer
    on = sorted(axes)
    if isinstance(layer, Conv) and all(layer.strides[a] == 1 for a in on):
        return Conv(_flipped_kernel(layer.weight, axes), layer.strides, _swap(layer.paddings, axes),
                      layer.dilations, layer.groups, layer.bias)
    if isinstance(layer, ConvTranspose) and all(layer.output_paddings[a] == 0 for a in on):
        return ConvTranspose(_flipped_kernel(layer.weight, axes), layer.strides, layer.paddings,
                               layer.output_paddings, layer.dilations, layer.groups, layer.bias)
    if isinstance(layer, (Pad, Crop)):
        pairs = _swap(tuple(zip(layer.before, layer.after)), axes)
        return type(layer)(tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
    if isinstance(layer, (Up, ReLU, Affine)):
        return layer
    if isinstance(layer, Down) and all(layer.factors[a] == 1 for a in on):
        return layer
    if isinstance(layer, AvgPool) and all(layer.strides[a] == 1 for a in on):
        return layer
    if isinstance(layer, Parallel):
        branches = []
        for branch in layer.branches:
            first, rest = flips_to_input_nd(branch, where, axes)
            if first != axes:
                raise CertificateError(f"{where}: the branches of {layer!r} do not all flip the same axes")
            branches.append(as_layer_nd(frozenset(), tuple(mirror_nd(s, axes, where) for s in rest), layer.ndim))
        return Parallel(tuple(branches))
    raise CertificateError(f"{where}: flip conjugation on axes {on} does not apply to {layer!r} (a stride or an "
                           f"output_padding on a flipped axis)")


def flips_to_input_nd(layer: Layer, where: str, prefix: frozenset[int] = frozenset()) -> tuple[frozenset[int],
                                                                                                tuple[Layer, ...]]:
    """``layer == flip_H >> G`` with G flip-free: returns ``(H, G's steps)``; ``prefix`` is a flip read before it
    (as in a branch of a sum), whose axes then count in H."""
    d = layer.ndim
    flipped, done = frozenset(prefix), []
    for step in _merged_flips(layer.layers(), d):
        axes = flipped_axes(step, d)
        if axes is not None:
            done = [mirror_nd(s, axes, where) for s in done]
            flipped ^= axes
        elif isinstance(step, Parallel) and has_flips(step):
            parts = [flips_to_input_nd(b, where) for b in step.branches]
            heads = {h for h, _ in parts}
            if len(heads) != 1:
                raise CertificateError(f"{where}: the branches of {step!r} flip different axes")
            head = heads.pop()
            done = [mirror_nd(s, head, where) for s in done]
            flipped ^= head
            done.append(Parallel(tuple(as_layer_nd(frozenset(), r, d) for _, r in parts)))
        else:
            done.append(step)
    return flipped, tuple(part for s in done for part in s.layers())


def _merged_flips(steps: tuple[Layer, ...], ndim: int) -> list[Layer]:
    """``steps`` with adjacent flips merged (``flip_F >> flip_G == flip_{F xor G}``, none when that is empty)."""
    out: list[Layer] = []
    for step in steps:
        axes = flipped_axes(step, ndim)
        last = flipped_axes(out[-1], ndim) if out else None
        if axes is not None and last is not None:
            out.pop()
            axes = last ^ axes
            if axes:
                out.append(Flip(tuple(sorted(axes))))
        else:
            out.append(step)
    return out


def has_flips(layer: Layer) -> bool:
    """Whether a flip layer occurs in ``layer`` (inside sums too)."""
    if isinstance(layer, Parallel):
        return any(has_flips(b) for b in layer.branches)
    if isinstance(layer, Chain):
        return any(has_flips(s) for s in layer.steps)
    return flipped_axes(layer, 1) is not None


def as_layer_nd(flipped: frozenset[int], steps: tuple[Layer, ...], ndim: int) -> Layer:
    """``flip(axes=flipped) >> steps`` as one layer; no steps and no flip is the identity ``pad((0, ..., 0))``."""
    steps = ((Flip(tuple(sorted(flipped))),) if flipped else ()) + tuple(steps)
    if not steps:
        return identity_pad(ndim)
    return steps[0] if len(steps) == 1 else Chain(steps)


def _input_flip(layer: Layer) -> tuple[frozenset[int], tuple[Layer, ...]]:
    steps = layer.layers()
    axes = flipped_axes(steps[0], layer.ndim)
    return (axes, steps[1:]) if axes is not None else (frozenset(), steps)


def strip_input_flips(lhs: Layer, rhs: Layer, where: str) -> tuple[Layer, Layer]:
    """``flip_F >> A == flip_G >> B`` as ``A == flip_{F xor G} >> B`` (module docstring)."""
    d = lhs.ndim
    if d < 2 or rhs.ndim != d:
        raise CertificateError(f"{where}: expected two N-D chains with the same number of axes")
    (f, a), (g, b) = _input_flip(lhs), _input_flip(rhs)
    if not f and not g:
        raise CertificateError(f"{where}: neither side starts with a flip")
    for side in (a, b):
        if any(has_flips(s) for s in side):
            raise CertificateError(f"{where}: a side has a flip after its first layer; conjugate it first")
    return as_layer_nd(frozenset(), a, d), as_layer_nd(f ^ g, b, d)


def conjugated(layer: Layer, where: str) -> Layer:
    """``layer`` with every flip moved to its input (``flip(axes=H) >> G``)."""
    head, rest = flips_to_input_nd(layer, where)
    return as_layer_nd(head, rest, layer.ndim)
