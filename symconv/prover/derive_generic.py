"""``derive`` for chains with a generic kernel length c: the closed forms as expressions in c.

For a chain of ``conv``, ``avgpool``, ``maxpool``, ``down``, ``pad`` and ``crop``
layers (and elementwise layers), with ``S_l = prod_{i<l} s_i``:

    stride           S   = prod_l s_l
    receptive field  RF  = 1 + sum_l d_l (k_l - 1) S_l
    padding          p   = (sum_l pl_l S_l,  sum_l pr_l S_l)      (a crop counts as negative padding)
    kernel           E(z) = prod_l K_l(z^(d_l S_l))

(``down(s, q)`` is a window of one sample at offset q: padding ``(-q, 0)``)
    output length    floor((n + pl + pr - RF) / S) + 1   for n >= T(c), 0 below,

with ``T`` the exact threshold of :mod:`symconv.prover.generic_lengths`. The
single layer ``conv(E, stride=S, padding=p)`` is a DSL kernel expression
(``convolve``/``dilate``/``padk``), and ``exact`` is decided by the generic
argument of :mod:`symconv.prover.generic` for every n and every c.
"""

from __future__ import annotations

from typing import Optional, Union

import sympy

from symconv.core.kernel import Kernel, KernelSymbol, Literal, literal
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled, convolve, dilate
from symconv.core.layers import AvgPool, Conv, Crop, Down, Layer, Pad
from symconv.core.nonlinear import Affine, MaxPool, ReLU
from symconv.core.output_length import length_symbol
from symconv.errors import InvalidArgument
from symconv.prover.generic import OutsideGenericFragment, decide_generic
from symconv.prover.generic_lengths import common_period, length_form

__all__ = ["derive_generic", "generating_function"]

Z = sympy.Symbol("z")


def generating_function(k: Kernel) -> Union[sympy.Expr, sympy.Matrix]:
    """``K(z) = sum_j k_j z^j``; a generic kernel ``k[c]`` is the formal ``k(z)``, and a weight
    ``W[out, in, c]`` the matrix of ``W_o_i(z)`` (``convolve(a, b)`` is the product ``B(z) A(z)``)."""
    matrix = _generating_matrix(k)
    return matrix[0, 0] if matrix.shape == (1, 1) else matrix


def _polynomials(taps) -> sympy.Matrix:
    return sympy.Matrix([[sum((t * Z**j for j, t in enumerate(entry)), sympy.Integer(0)) for entry in row]
                         for row in taps])


def _generating_matrix(k: Kernel) -> sympy.Matrix:
    if isinstance(k, KernelSymbol):
        if isinstance(k.length, int):
            return _polynomials(k.taps())
        if len(k.dims) == 1:
            return sympy.Matrix([[sympy.Function(k.name)(Z)]])
        out, inp, _ = k.shape
        return sympy.Matrix(out, inp, lambda o, i: sympy.Function(f"{k.name}_{o}_{i}")(Z))
    if isinstance(k, Literal):
        return _polynomials(k.values)
    if isinstance(k, Dilate):
        return _generating_matrix(k.kernel).subs(Z, Z**k.factor)
    if isinstance(k, Convolve):
        return _generating_matrix(k.b) * _generating_matrix(k.a)
    if isinstance(k, FlipKernel):
        return Z ** (k.kernel.length - 1) * _generating_matrix(k.kernel).subs(Z, 1 / Z)
    if isinstance(k, PadKernel):
        return Z**k.left * _generating_matrix(k.kernel)
    if isinstance(k, KernelSum):
        return _generating_matrix(k.a) + _generating_matrix(k.b)
    if isinstance(k, Scaled):
        return k.scalar * _generating_matrix(k.kernel)
    raise TypeError(f"no generating function for {k!r}")


def _window(step: Layer) -> Optional[tuple[object, int, tuple[object, object], Optional[Kernel], int]]:
    """``(extent, stride, (pl, pr), kernel, dilation)`` of a window layer; None for elementwise layers."""
    if isinstance(step, Conv):
        if step.padding == "same" and step.weight.length_symbols():
            raise _unsupported(step, "padding='same' with a generic length")
        single = step.groups == 1 and step.bias is None
        extent = step.dilation * (step.weight.length - 1) + 1
        return extent, step.stride, step.padding_pair(), step.weight if single else None, step.dilation
    if isinstance(step, AvgPool):
        ones = literal([sympy.Rational(1, step.size)] * step.size)
        return step.size, step.stride, (step.padding, step.padding), ones, 1
    if isinstance(step, MaxPool):
        return step.dilation * (step.size - 1) + 1, step.stride, (step.padding, step.padding), None, 1
    if isinstance(step, Down):
        return 1, step.factor, (-step.phase, 0), literal([1]), 1
    if isinstance(step, Pad):
        return 1, 1, (step.left, step.right), literal([1]), 1
    if isinstance(step, Crop):
        return 1, 1, (-step.left, -step.right), literal([1]), 1
    if isinstance(step, (ReLU, Affine)):
        return None
    raise _unsupported(step, "it is outside conv, avgpool, maxpool, down, pad and crop")


def _unsupported(step: Layer, why: str) -> InvalidArgument:
    return InvalidArgument("derive", "chain", repr(step),
                           f"a layer whose closed forms are known for a generic length ({why}); "
                           f"give the kernel a length, e.g. k[5]")


def _length_text(offset: sympy.Expr, stride: int, form, symbol: sympy.Symbol) -> str:
    """``floor((n + offset) / S) + 1 for n >= T(c) (0 below)``; below T the length is that or the
    length of the empty input, whichever is larger, when a pad gives an empty signal samples."""
    n = length_symbol()
    formula = f"floor(({n + offset})/{stride}) + 1" if stride > 1 else str(n + offset + 1)
    return f"{formula} for {form.threshold_text(symbol)} {form.below_text(symbol)}"


def derive_generic(chain: Layer):
    """The closed forms of ``chain`` as expressions in its generic length (module docstring)."""
    from symconv.prover.derive import Derivation

    symbols = {s for k in chain.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        raise InvalidArgument("derive", "chain", repr(chain), "at most one generic length")
    symbol = symbols.pop()
    stride, field, left, right = 1, sympy.Integer(1), sympy.Integer(0), sympy.Integer(0)
    parts: list[Kernel] = []
    linear = True
    for step in chain.layers():
        window = _window(step)
        if window is None:
            linear = False
            continue
        extent, s, (pl, pr), kernel, dilation = window
        field += (extent - 1) * stride
        left, right = left + pl * stride, right + pr * stride
        if kernel is None:
            linear = False
        elif not isinstance(step, (Pad, Crop, Down)):
            parts.append(dilate(kernel, dilation * stride) if dilation * stride > 1 else kernel)
        stride *= s
    output_length = _length_text(sympy.expand(left + right - field), stride,
                                 length_form(chain, common_period(chain), symbol), symbol)
    arithmetic = dict(stride=stride, padding=(sympy.simplify(left), sympy.simplify(right)),
                      receptive_field=sympy.expand(field), output_length=output_length, branches=1)
    if not linear or not chain.linear:
        return Derivation(chain, None, exact=False, boundary=None, **arithmetic)
    kernel = parts[0] if parts else literal([1])
    for part in parts[1:]:
        kernel = convolve(kernel, part)
    generating = generating_function(kernel)
    if isinstance(generating, sympy.MatrixBase):
        generating = generating.applyfunc(lambda e: sympy.powsimp(sympy.expand(e)))
        taps = [[str(e) for e in row] for row in generating.tolist()]
    else:
        generating = sympy.powsimp(sympy.expand(generating))
        taps = [str(generating)]
    if not (left.is_number and right.is_number and left >= 0 and right >= 0):
        return Derivation(chain, taps, exact=False, boundary=None, generating=generating, **arithmetic)
    single = Conv(kernel, stride=stride, padding=(int(left), int(right)))
    try:
        exact = decide_generic(chain, single).verdict == "proved"
    except OutsideGenericFragment:
        exact = False
    return Derivation(chain, taps, exact=exact, boundary=None, layer=single, generating=generating, **arithmetic)
