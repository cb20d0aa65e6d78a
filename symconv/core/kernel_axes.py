"""Kernel expressions as the user writes them: ``dilate``, ``convolve``, ``flip``, ``padk``, read with the axes
they are meant for.

A kernel's number of axes is read from its sizes (``k[3, 3]``: 2), but a name with 3 sizes (``k[3, 3, 3]``) is
a 1-D weight until its layer says otherwise; a per-axis tuple of 2 or more factors also gives the axes
(``dilate(k, (2, 1))``). :func:`as_kernel_nd` re-reads a kernel, a nested list or an expression over such names
with the axes of its layer (``conv3d``).

>>> from symconv.core.kernel import kernel
>>> dilate(kernel("k", 2, 2), (2, 1)).shape
(1, 1, 3, 2)
>>> as_kernel_nd(kernel("k", 3, 3, 3), 3).shape
(1, 1, 3, 3, 3)
"""

from __future__ import annotations

from symconv.core.axes import Axes, per_axis
from symconv.core.kernel import Kernel, KernelSymbol, Literal, as_kernel, literal, nesting_depth
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled
from symconv.errors import InvalidArgument, KernelError, quote

__all__ = ["dilate", "convolve", "flipk", "padk", "as_kernel_nd"]


def _axes_asked(*kernels: object, factors: tuple = ()) -> int:
    """The spatial axes an expression is written with: a kernel of 2+ axes, or a per-axis tuple of 2+ factors
    (0: read as 1-D)."""
    for k in kernels:
        if isinstance(k, Kernel) and k.ndim >= 2:
            return k.ndim
    for f in factors:
        if isinstance(f, (tuple, list)) and len(f) >= 2:
            return len(f)
    return 0


def _axes_of(value: object, ndim: int, what: str) -> Axes:
    try:
        return per_axis(value, ndim, what, "factor")
    except InvalidArgument:
        raise KernelError(f"{what}: {quote(value)} is not one number or {ndim} (one per axis)") from None


def dilate(k: object, d: object) -> Dilate:
    """``dilate(k, d)``: ``d - 1`` zeros between taps; a kernel of d axes takes ``d`` or ``(d1, ..., dd)``."""
    axes = _axes_asked(k, factors=(d,))
    if axes:
        k = as_kernel_nd(k, axes, "dilate")
        return Dilate(k, _axes_of(d, axes, f"dilate({quote(k)}, ...)"))
    return Dilate(as_kernel(k), d)


def convolve(a: object, b: object) -> Convolve:
    """``convolve(a, b)``: full convolution of tap sequences, as ``numpy.convolve`` (per axis for N-D kernels)."""
    axes = _axes_asked(a, b)
    if axes:
        return Convolve(as_kernel_nd(a, axes, "convolve"), as_kernel_nd(b, axes, "convolve"))
    return Convolve(as_kernel(a), as_kernel(b))


def flipk(k: object, axes: object = None) -> FlipKernel:
    """``flip(k)``: reversed taps (every axis); ``flip(k, axes=(0,))`` reverses the given axes of an N-D kernel."""
    if axes is not None:
        if not (isinstance(k, Kernel) and k.ndim >= 2):
            raise KernelError(f"flip({quote(k)}, axes={quote(axes)}): per-axis flips are for N-D kernels (k[3, 3] "
                              f"inside conv2d); flip a 1-D kernel with flip(k)")
        return FlipKernel(k, axes)
    axes_asked = _axes_asked(k)
    return FlipKernel(as_kernel_nd(k, axes_asked, "flip") if axes_asked else as_kernel(k))


def padk(k: object, left: object, right: object = None) -> PadKernel:
    """``padk(k, left, right)``: zeros around the taps (``right`` defaults to ``left``); per-axis tuples for N-D."""
    axes = _axes_asked(k, factors=(left, right))
    if axes:
        k = as_kernel_nd(k, axes, "padk")
        first = _axes_of(left, axes, f"padk({quote(k)}, ...)")
        return PadKernel(k, first, first if right is None else _axes_of(right, axes, f"padk({quote(k)}, ...)"))
    return PadKernel(as_kernel(k), left, left if right is None else right)


def as_kernel_nd(k: object, ndim: int, what: str = "an N-D layer") -> Kernel:
    """``k`` read as a kernel of ``ndim`` spatial axes: a kernel of ``ndim`` axes as it is; a name with 3 sizes
    (``k[3, 3, 3]``), a nested list or an expression over such names, read first as 1-D, is re-read."""
    if isinstance(k, (list, tuple)):
        return literal(k, ndim)
    if not isinstance(k, Kernel):
        raise KernelError(f"{what}: {quote(k)} is not a {ndim}-D kernel; expected e.g. "
                          f"k[{', '.join(['3'] * ndim)}]")
    if k.ndim == ndim:
        return k
    if k.ndim != 1:
        raise KernelError(f"{what}: {quote(k)} is a {k.ndim}-D kernel; expected a {ndim}-D kernel")
    if isinstance(k, KernelSymbol):
        if len(k.dims) not in (ndim, ndim + 2):
            raise KernelError(f"{what}: {quote(k)} has {len(k.dims)} sizes; a {ndim}-D kernel has {ndim} "
                              f"(one channel) or {ndim + 2} (out, in, sizes)")
        return KernelSymbol(k.name, tuple(k.dims), ndim)
    if isinstance(k, Literal):
        if nesting_depth(k.values) != ndim:  # [out][in][taps] read as one channel of a 3-D kernel
            raise KernelError(f"{what}: {quote(k)} is a 1-D kernel; expected a {ndim}-D kernel")
        return literal(k.values, ndim)
    if isinstance(k, Dilate):
        return Dilate(as_kernel_nd(k.kernel, ndim, what), (k.factor,) * ndim)
    if isinstance(k, Convolve):
        return Convolve(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, FlipKernel):
        return FlipKernel(as_kernel_nd(k.kernel, ndim, what))
    if isinstance(k, PadKernel):
        return PadKernel(as_kernel_nd(k.kernel, ndim, what), (k.left,) * ndim, (k.right,) * ndim)
    if isinstance(k, KernelSum):
        return KernelSum(as_kernel_nd(k.a, ndim, what), as_kernel_nd(k.b, ndim, what))
    if isinstance(k, Scaled):
        return Scaled(k.scalar, as_kernel_nd(k.kernel, ndim, what))
    raise KernelError(f"{what}: {quote(k)} is a 1-D kernel; expected a {ndim}-D kernel such as "
                      f"k[{', '.join(['3'] * ndim)}]")
