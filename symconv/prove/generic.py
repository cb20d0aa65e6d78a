"""Identities with a generic kernel length ``c``, proved for every c and every n at once.

The fragment: single-channel chains whose padding all comes before the first
layer that reads a kernel (leading ``pad``, and the padding of the first
``conv``/``avgpool``), followed by ``conv``, ``avgpool`` and ``down`` layers
without padding. Such a chain never reads across an inner window edge, so
every output is ``y[i] = sum_t E[t] x[S i + t - p]`` with x zero-extended,
for the effective kernel

    E(z) = z^{S_l phase_l} ...  prod_l K_l(z^{S_{l-1} d_l})        (S_l = prod of strides so far)

and the output length is ``floor((n + e(c)) / S) + 1`` (0 when negative),
with ``e`` affine in c: a layer of extent ``X = d (L - 1) + 1`` after the
prefix ``(S, e)`` gives ``(S s, e + S (1 - X))`` because
``floor((floor((n + e)/S) + 1 - X)/s) = floor((n + e + S (1 - X))/(S s))``.

A generic kernel ``K`` is a formal polynomial ``K(z)`` (an undefined function
of z in SymPy); dilation substitutes ``z^d``, convolution multiplies, flipping
gives ``z^{c-1} K(1/z)``. Two sides are equal for every c when their strides
and offsets ``e(c)`` agree as affine functions and their formal kernels
``z^{-p} E(z)`` agree as expressions in the formal atoms — a sufficient
condition; when it fails, concrete lengths c are searched for a refutation.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symconv.core.kernel import (
    Convolve,
    Dilate,
    FlipKernel,
    Kernel,
    KernelSum,
    KernelSymbol,
    Literal,
    PadKernel,
    Scaled,
)
from symconv.core.layers import AvgPool, Conv, Down, Layer, Pad

__all__ = ["GenericForm", "generic_form", "OutsideGenericFragment"]

Z = sympy.Symbol("z")


class OutsideGenericFragment(Exception):
    """The chain is not in the fragment this module decides (internal signal, not a user error)."""


def _formal(k: Kernel) -> sympy.Expr:
    """``K(z) = sum_j k_j z^j``; generic named kernels stay formal atoms."""
    if isinstance(k, KernelSymbol):
        if len(k.dims) != 1:
            raise OutsideGenericFragment(f"{k!r} has several channels")
        if isinstance(k.dims[0], int):
            return sum((tap * Z**j for j, tap in enumerate(k.taps()[0][0])), sympy.Integer(0))
        return sympy.Function(k.name)(Z)
    if isinstance(k, Literal):
        if not k.is_single_channel:
            raise OutsideGenericFragment(f"{k!r} has several channels")
        return sum((v * Z**j for j, v in enumerate(k.values[0][0])), sympy.Integer(0))
    if isinstance(k, Dilate):
        return _formal(k.kernel).subs(Z, Z**k.factor)
    if isinstance(k, Convolve):
        return _formal(k.a) * _formal(k.b)
    if isinstance(k, FlipKernel):
        return Z ** (k.kernel.length - 1) * _formal(k.kernel).subs(Z, 1 / Z)
    if isinstance(k, PadKernel):
        return Z**k.left * _formal(k.kernel)
    if isinstance(k, KernelSum):
        return _formal(k.a) + _formal(k.b)
    if isinstance(k, Scaled):
        return k.scalar * _formal(k.kernel)
    raise OutsideGenericFragment(f"no formal polynomial for {k!r}")


@dataclass(frozen=True)
class GenericForm:
    """``y[i] = sum_t E[t] x[S i + t]`` with ``z^{-p} E(z)`` as ``kernel``; length ``floor((n + offset)/S) + 1``.

    The length is 0 for n = 0 and whenever the formula gives less than 1.
    """

    stride: int
    offset: sympy.Expr
    kernel: sympy.Expr

    def same_as(self, other: "GenericForm") -> bool:
        return (
            self.stride == other.stride
            and sympy.expand(self.offset - other.offset) == 0
            and sympy.expand(self.kernel - other.kernel, power_exp=True) == 0
        )


def generic_form(layer: Layer) -> GenericForm:
    """The formal normal form of a chain in the fragment (see the module docstring)."""
    stride, offset = 1, sympy.Integer(-1)  # floor((n - 1)/1) + 1 = n
    kernel = sympy.Integer(1)
    padding_allowed = True
    for step in layer.layers():
        if isinstance(step, Pad):
            if not padding_allowed:
                raise OutsideGenericFragment(f"{step!r} pads inside the chain")
            offset += step.left + step.right
            kernel *= Z ** (-step.left)
            continue
        if isinstance(step, Conv):
            if step.groups != 1 or step.bias is not None or not step.weight.is_single_channel:
                raise OutsideGenericFragment(f"{step!r} is not a plain single-channel convolution")
            if step.padding == "same":
                raise OutsideGenericFragment("padding='same' with a generic length")
            left, right = step.padding_pair()
            taps, s, d = _formal(step.weight), step.stride, step.dilation
            extent = d * (step.weight.length - 1) + 1
        elif isinstance(step, AvgPool):
            left = right = step.padding
            taps = sum((sympy.Rational(1, step.size) * Z**j for j in range(step.size)), sympy.Integer(0))
            s, d, extent = step.stride, 1, step.size
        elif isinstance(step, Down):
            left = right = 0
            taps, s, d, extent = Z**step.phase, step.factor, 1, step.phase + 1
        else:
            raise OutsideGenericFragment(f"{step!r} is outside the generic-length fragment")
        if (left or right) and not padding_allowed:
            raise OutsideGenericFragment(f"{step!r} pads inside the chain")
        offset += left + right
        kernel *= Z ** (-left) if left else 1
        kernel *= taps.subs(Z, Z ** (stride * d))
        offset += stride * (1 - extent)
        stride *= s
        padding_allowed = False
    return GenericForm(stride, sympy.expand(offset), sympy.expand(kernel))
