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

Biases add up through the layers: the single layer's bias is
``B = b_L + K_L(1) (b_{L-1} + K_{L-1}(1) (...))``, ``K(1) = sum_j K[j]`` (the
formal ``k(1)`` for a generic kernel). An affine chain is its linear part plus
its output for the zero input, and that output is ``B`` at every position
while no padding follows a bias; so the chain equals the single layer with
bias ``B`` when that holds and the linear parts are decided equal.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, replace
from functools import reduce
from typing import Optional, Union

from symconv.lazy_import import sympy
from sympy.core.function import AppliedUndef

from symconv.core.kernel import Kernel, KernelSymbol, Literal, literal
from symconv.core.kernel_expr import Convolve, Dilate, FlipKernel, KernelSum, PadKernel, Scaled, convolve, dilate
from symconv.core.layers import AvgPool, Conv, Crop, Down, Layer, Pad, bias_values
from symconv.core.nonlinear import Affine, MaxPool, ReLU
from symconv.core.output_length import length_step, length_symbol
from symconv.errors import InvalidArgument
from symconv.prover.derive import Derivation
from symconv.prover.generic import OutsideGenericFragment, decide_generic
from symconv.prover.generic_lengths import common_period, length_form

__all__ = ["GenericDerivation", "derive_generic", "generating_function"]

Z = sympy.Symbol("z")


@dataclass(frozen=True, repr=False)
class GenericDerivation(Derivation):
    """A :class:`Derivation` of a biased chain: ``bias`` is the single layer's bias per output channel,
    ``b_L + K_L(1) (b_{L-1} + K_{L-1}(1) (...))`` with ``K(1) = sum_j K[j]`` (a generic kernel's tap sum
    is the formal ``k(1)``). :class:`Conv` cannot hold such a sum: then ``layer`` is None and the single
    layer is ``linear_layer`` (``conv(E, stride=S, padding=p)``) plus ``bias``.
    """

    bias: Optional[tuple[sympy.Expr, ...]] = None
    linear_layer: Optional[Layer] = None

    def _bias_text(self) -> Optional[list]:
        return None if self.bias is None else [str(b) for b in self.bias]

    def _layer_text(self) -> Optional[str]:
        if self.layer is not None or self.linear_layer is None or self.bias is None:
            return super()._layer_text()
        return f"{self.linear_layer!r} + bias {list(self.bias)}"


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
        single = step.groups == 1
        extent = step.dilation * (step.weight.length - 1) + 1
        return extent, step.stride, step.padding_pair(), step.weight if single else None, step.dilation
    if isinstance(step, AvgPool):
        ones = literal([sympy.Rational(1, step.size)] * step.size)
        return step.size, step.stride, (step.padding, _pool_right(step, step.size)), ones, 1
    if isinstance(step, MaxPool):
        extent = step.dilation * (step.size - 1) + 1
        return extent, step.stride, (step.padding, _pool_right(step, extent)), None, 1
    if isinstance(step, Down):
        return 1, step.factor, (-step.phase, 0), literal([1]), 1
    if isinstance(step, Pad):
        return 1, 1, (step.left, step.right), literal([1]), 1
    if isinstance(step, Crop):
        return 1, 1, (-step.left, -step.right), literal([1]), 1
    if isinstance(step, (ReLU, Affine)):
        return None
    raise _unsupported(step, "it is outside conv, avgpool, maxpool, down, pad and crop")


def _pool_right(step: Layer, extent: int) -> int:
    """A pool's right padding as its length reads (the core's table): ``p``, and with ``ceil_mode`` the
    samples its last window may read past it, ``p + min(s - 1, E - 1 - p)``."""
    return length_step(step).offset - step.stride - step.padding + extent


def _unsupported(step: Layer, why: str) -> InvalidArgument:
    return InvalidArgument("derive", "chain", repr(step),
                           f"a layer whose closed forms are known for a generic length ({why}); "
                           f"give the kernel a length, e.g. k[5]")


def _length_text(offset: sympy.Expr, stride: int, form, symbol: sympy.Symbol, name: str = "n") -> str:
    """``floor((n + offset) / S) + 1 for n >= T(c) (0 below)``; below T the length is that or the
    length of the empty input, whichever is larger, when a pad gives an empty signal samples. ``name``
    is the input length's name (``n1`` on the first axis of an N-D chain)."""
    n = length_symbol(name)
    formula = f"floor(({n + offset})/{stride}) + 1" if stride > 1 else str(n + offset + 1)
    return f"{formula} for {form.threshold_text(symbol, name)} {form.below_text(symbol)}"


def generic_length_text(derivation: Derivation, name: str = "n") -> str:
    """The output length of a generic derivation's chain as text in the input length ``name``."""
    chain = derivation.chain
    (symbol,) = {s for k in chain.kernels() for s in k.length_symbols()}
    form = length_form(chain, common_period(chain), symbol)
    offset = sympy.expand(sum(derivation.padding) - derivation.receptive_field)
    return _length_text(offset, derivation.stride, form, symbol, name)


def _without_bias(chain: Layer) -> Layer:
    """``chain`` with every convolution's bias dropped: its linear part."""
    steps = [replace(step, bias=None) if isinstance(step, Conv) else step for step in chain.layers()]
    return reduce(operator.rshift, steps)


def _sum_at_one(kernel: Kernel) -> sympy.Matrix:
    """``K(1) = sum_j K[j]`` (per channel pair): a constant input ``v`` gives ``K(1) v`` at every output."""
    return _generating_matrix(kernel).subs(Z, 1)


def _layer_bias(bias: Optional[tuple]) -> Optional[tuple]:
    """``bias`` when :class:`Conv` can hold it (polynomials in named symbols), else None (a tap sum ``k(1)``)."""
    if bias is None or any(e.has(AppliedUndef) for e in bias):
        return None
    return bias


def derive_generic(chain: Layer) -> Derivation:
    """The closed forms of ``chain`` as expressions in its generic length (module docstring)."""
    symbols = {s for k in chain.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        raise InvalidArgument("derive", "chain", repr(chain), "at most one generic length")
    symbol = symbols.pop()
    stride, field, left, right = 1, sympy.Integer(1), sympy.Integer(0), sympy.Integer(0)
    parts: list[Kernel] = []
    linear = True
    # The chain's output for the zero input: constant per channel while no padding follows a bias.
    response: Optional[sympy.Matrix] = None
    constant = True
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
        if linear and response is not None:
            constant = constant and pl <= 0 and pr <= 0
            if isinstance(step, Conv):
                at_one = _sum_at_one(kernel)
                response = at_one[0, 0] * response if at_one.shape == (1, 1) else at_one * response
        if linear and isinstance(step, Conv) and step.bias is not None:
            own = sympy.Matrix(bias_values(step.bias, step.weight.out_channels))
            response = own if response is None else response + own
            if all(sympy.expand(e) == 0 for e in response):
                response = None  # a zero bias: the zero input still gives zeros, padding or not
        stride *= s
    bias = None if response is None else tuple(sympy.expand(e) for e in response)
    return _derivation(chain, symbol, parts, (stride, field, left, right), linear, bias, constant)


def _derivation(chain: Layer, symbol: sympy.Symbol, parts: list, arithmetic: tuple, linear: bool,
                bias: Optional[tuple], constant: bool) -> Derivation:
    """The :class:`Derivation` from the arithmetic ``(S, RF, p_l, p_r)``, the dilated kernels and the bias."""
    stride, field, left, right = arithmetic
    try:
        form = length_form(chain, common_period(chain), symbol)
    except OutsideGenericFragment as err:  # a maximum over padding only on an empty input: no max(0, phi) form
        raise _unsupported(chain, str(err)) from err
    output_length = _length_text(sympy.expand(left + right - field), stride, form, symbol)
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
        # a padding that depends on c (padding='same'): no single layer with integer padding; one conv is itself
        alone = isinstance(chain, Conv) and chain.bias is None and chain.groups == 1
        return Derivation(chain, taps, exact=alone, boundary=None, layer=chain if alone else None,
                          generating=generating, **arithmetic)
    single = Conv(kernel, strides=stride, paddings=(int(left), int(right)))
    # An affine chain is its linear part plus its output for the zero input; that output is the constant
    # ``bias`` when no padding follows a bias, so the chain is the single layer with that bias exactly
    # when the linear parts are equal.
    try:
        exact = constant and decide_generic(_without_bias(chain), single).verdict == "proved"
    except OutsideGenericFragment:
        exact = False
    if bias is None:
        return Derivation(chain, taps, exact=exact, boundary=None, layer=single, generating=generating, **arithmetic)
    held = _layer_bias(bias)
    layer = replace(single, bias=held) if held is not None else None
    return GenericDerivation(chain, taps, exact=exact, boundary=None, layer=layer, generating=generating,
                             bias=bias, linear_layer=single, **arithmetic)
