"""``derive(chain)``: the single equivalent layer of a chain, with receptive-field arithmetic.

For a linear chain with one polyphase branch the interior operator is one
strided correlation: ``y[i] = sum_t K[t] x[S i + t - p_l]``. Its effective
kernel K, stride ``S = prod s_l``, effective padding ``p_l = sum_l p_l
prod_{i<l} s_i`` and receptive field ``1 + sum_l d_l (k_l - 1) prod_{i<l}
s_i`` are read off the normal form; ``exact`` says whether the chain equals
``conv(K, stride=S, padding=(p_l, p_r))`` for every n (decided, not sampled),
and ``boundary`` how many outputs at each end differ when it does not. For
chains with nonlinear layers only the arithmetic is given (``kernel`` None),
computed on the chain's window skeleton.

>>> d = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
>>> d.stride, d.receptive_field, d.exact
(4, 7, True)
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Optional, Union

from symconv.lazy_import import sympy

from symconv.algebra.flip import FlipNotMovable, as_single_layer
from symconv.algebra.lazy_taps import LazyTaps
from symconv.algebra.normal_form import LinearChain, Step
from symconv.core.geometry import is_whole_flip
from symconv.core.kernel import DerivedKernel
from symconv.core.layers import MAX_SHIFT, Conv, Layer, Parallel
from symconv.errors import SizeLimitError
from symconv.prover.boundary import find_bound
from symconv.prover.decide import decide_normal_forms
from symconv.prover.describe import closed_length_terms, length_formula

__all__ = ["Derivation", "derive"]


@dataclass(frozen=True)
class Derivation:
    """The single equivalent layer and receptive-field arithmetic of a chain (DESIGN §5 ``derive``)."""

    chain: Layer
    kernel: Optional[list]
    stride: int
    padding: tuple[int, int]
    receptive_field: int
    output_length: str
    branches: int
    exact: bool
    boundary: Optional[dict]
    layer: Optional[Layer] = None
    dilation: int = 1
    #: ``(a, b, c)``: the output length is ``floor((a n + c) / b)`` for ``n >= length_from`` (0 below), when it
    #: has that form (:attr:`length_expr` is the same as a SymPy expression).
    length_terms: Optional[tuple[int, int, int]] = None
    length_from: int = 1
    #: ``K(z) = sum_t K[t] z^t`` with generic kernels as formal ``k(z)``, when a kernel length is generic.
    generating: Optional[sympy.Expr] = None

    def to_json(self) -> dict:
        def text(v):
            if isinstance(v, LazyTaps):
                return v.text_list()
            return [text(x) for x in v] if isinstance(v, list) else str(v)

        return {
            "chain": repr(self.chain),
            "kernel": text(self.kernel) if self.kernel is not None else None,
            "stride": self.stride,
            "padding": [json_size(p) for p in self.padding],
            "dilation": self.dilation,
            "receptive_field": json_size(self.receptive_field),
            "output_length": self.output_length,
            "branches": self.branches,
            "exact": self.exact,
            "boundary": self.boundary,
            "bias": self._bias_text(),
        }

    def _layer_text(self) -> Optional[str]:
        """The single layer as DSL (None without one)."""
        return None if self.layer is None else repr(self.layer)

    def _padding_text(self) -> str:
        """``[p_l, p_r]`` (per axis in N-D: ``[[p_l, p_r], ...]``)."""
        return str(list(self.padding))

    def _bias_text(self) -> Optional[list]:
        """The single layer's bias per output channel (None without one): biases of a chain add up."""
        bias = getattr(self.layer, "bias", None)
        return None if bias is None else [str(b) for b in bias]

    def __str__(self) -> str:
        lines = [f"chain:           {self.chain!r}"]
        layer = self._layer_text()
        if layer is not None:
            lines.append(f"single layer:    {layer}")
        if self.kernel is not None:
            lines.append(f"kernel:          {self.kernel}")
        lines += [
            f"stride:          {self.stride}",
            f"padding:         {self._padding_text()}",
            f"receptive field: {self.receptive_field}",
            f"output length:   {self.output_length}",
            f"branches:        {self.branches}",
            f"exact:           {self.exact}",
        ]
        if self.boundary:
            lines.append(f"boundary:        {self.boundary['left']} output(s) differ at the left end, "
                         f"{self.boundary['right']} at the right end")
        return "\n".join(lines)

    @property
    def length_expr(self) -> Optional[sympy.Expr]:
        """``floor((a n + c) / b)``, the output length for ``n >= length_from`` (0 below), when it has that form.

        >>> derive("conv(k[3], stride=2) >> conv(k, stride=2)").length_expr
        floor(n/4 - 3/4)
        """
        from symconv.prover.describe import floor_affine

        return None if self.length_terms is None else floor_affine(*self.length_terms)

    @property
    def n(self) -> sympy.Symbol:
        """The input length symbol of :attr:`output_length_expr`: ``d.output_length_expr.subs(d.n, 100)``."""
        from symconv.core.output_length import length_symbol

        return length_symbol()

    @property
    def output_length_expr(self) -> Optional[sympy.Expr]:
        """The output length ``m(n)`` as a SymPy expression to substitute into (``output_length`` is its prose).

        ``Piecewise((length_expr, n >= length_from), (0, True))`` when the length has that closed form;
        otherwise the layer-by-layer formula of :func:`symconv.output_length` (in ``n`` and any generic
        kernel length such as ``c``). None for 2-D chains (one length per axis).

        >>> d = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
        >>> d.output_length_expr.subs(d.n, 15)
        3
        """
        from symconv.core.output_length import output_length

        if self.chain.ndim != 1:
            return None
        n = self.n
        if self.length_expr is not None:
            return sympy.Piecewise((self.length_expr, n >= self.length_from), (0, True))
        return output_length(self.chain, n)

    def __repr__(self) -> str:
        """One line: ``<Derivation CHAIN: stride 4, receptive field 7, exact>`` (the whole text is ``str``)."""
        from symconv.prover.notebook import derivation_repr

        return derivation_repr(self)

    def _repr_latex_(self) -> str:
        """Jupyter: the chain, stride, receptive field and m(n) as display math (not a whole document)."""
        from symconv.prover.notebook import derivation_math

        return derivation_math(self)

    def _repr_html_(self) -> str:
        from symconv.prover.notebook import derivation_html

        return derivation_html(self)


def json_size(value: object) -> Union[int, str]:
    """An int, or the SymPy string of a size that depends on a generic length."""
    return int(value) if type(value) is int or not isinstance(value, sympy.Expr) or value.is_Integer else str(value)


def _right_padding(nf: LinearChain, left: int, field: int, stride: int, start: int, horizon: int) -> Optional[int]:
    """The smallest ``p_r >= 0`` with ``floor((n + p_l + p_r - field) / S) + 1 == m(n)`` for every ``n >= start``
    (None if none); below ``start`` an intermediate length may be 0, which the formula does not see.

    At the last n of the range, ``m(n) - 1 = floor((n + p_l + p_r - field) / S)`` leaves
    S candidates; each is checked on the whole range, which covers a period past the bound.
    """
    def single(n: int, right: int) -> int:
        total = n + left + right - field
        return total // stride + 1 if total >= 0 else 0

    last = horizon - 1
    base = stride * (nf.output_length(last) - 1) + field - last - left
    for right in range(max(base, 0), base + stride):
        if all(nf.output_length(n) == single(n, right) for n in range(start, horizon)):
            return right
    return None


def _boundary(lnf: LinearChain, rnf: LinearChain, n_values: range) -> dict:
    """How many outputs at each end differ between the chain and its single layer.

    Past the boundary bound the two have equal interior operators, so an output
    that differs reads across an edge, and none reads across both: it counts at
    the end whose edge it reads (left: ``i + 1`` outputs, right: ``m - i``).
    """
    from symconv.algebra.forms import chain_forms

    left = right = 0
    for n in n_values:
        a, b = chain_forms(lnf, n), chain_forms(rnf, n)
        m = len(a[0]) if a else 0
        for i in range(m):
            if all(ca[i] == cb[i] for ca, cb in zip(a, b)):
                continue
            if lnf.touches(i, n)[0] or rnf.touches(i, n)[0]:
                left = max(left, i + 1)
            else:
                right = max(right, m - i)
    return {"left": left, "right": right}


def _without_flips(layer: Layer) -> Layer:
    """``layer`` with every ``flip()`` dropped (branches included)."""
    if isinstance(layer, Parallel):
        return Parallel(tuple(_without_flips(b) for b in layer.branches))
    steps = tuple(_without_flips(s) if isinstance(s, Parallel) else s for s in layer.layers()
                  if not is_whole_flip(s))
    return as_single_layer(steps)


def _check_composed_stride(chain: Layer, skeleton: LinearChain) -> None:
    """Refuse, before any work, a linear chain whose single layer would need a stride above the DSL's limit.

    Without upsampling (every step reads ``s_l`` inputs per output) the single layer's stride is
    ``S = prod_l s_l``; ``conv`` takes strides up to :data:`~symconv.core.layers.MAX_SHIFT`.
    """
    if not chain.linear:
        return  # only the arithmetic is given, no single layer is built
    strides = []
    for step in skeleton.steps:
        if step.op is None or step.op.out_period != 1:
            return  # branches or upsampling: the stride is read off the interior operator
        if step.op.in_period != 1:
            strides.append(step.op.in_period)
    stride = math.prod(strides)
    if stride > MAX_SHIFT:
        raise SizeLimitError(
            f"{chain!r}: the single layer would need stride {stride} = {' * '.join(map(str, strides))} "
            f"(the product of the layers' strides), above the DSL's limit {MAX_SHIFT}; expected a composed "
            f"stride of at most {MAX_SHIFT}"
        )


def derive(chain: Union[str, Layer]) -> Derivation:
    """The single equivalent layer of ``chain`` (see the module docstring); a ``torch.nn.Module`` is read with
    :func:`symconv.from_torch`."""
    if not isinstance(chain, (str, Layer)):
        from symconv.interop import as_layer

        chain = as_layer(chain, "derive chain")
    if isinstance(chain, str):
        from symconv.dsl import parse_chain

        chain = parse_chain(chain)
    if chain.ndim >= 2:
        from symconv.prover.derive_nd import derive_nd

        return derive_nd(chain, derive)
    if any(k.length_symbols() for k in chain.kernels()):
        from symconv.prover.derive_generic import derive_generic

        return derive_generic(chain)
    try:
        skeleton = LinearChain.of(chain, skeleton=True)
    except FlipNotMovable:
        # A flip meets a strided layer: the phase depends on n, so there is no single layer. Flips
        # change neither the stride, the receptive field nor the output length: give that arithmetic.
        flat = derive(_without_flips(chain))
        return dataclasses.replace(flat, chain=chain, kernel=None, exact=False, boundary=None, layer=None)
    _check_composed_stride(chain, skeleton)
    window = skeleton.interior()
    bound = find_bound([skeleton])
    start, period = (bound.start, bound.period) if bound else (1, skeleton.input_period())
    phase_spans = [s for s in (window.read_span(r, r) for r in range(window.out_period)) if s is not None]
    lo = min(s[0] for s in phase_spans) if phase_spans else 0
    hi = max(s[1] for s in phase_spans) if phase_spans else 0
    field, stride, left = hi - lo + 1, window.in_period, -lo
    formula = length_formula(skeleton, start, period)
    fitted = closed_length_terms(skeleton, start, period)
    length = {"length_terms": fitted[:3], "length_from": fitted[3]} if fitted else {}
    branches = window.out_period
    horizon = start + 2 * period
    right = _right_padding(skeleton, left, field, stride, start, horizon) if branches == 1 else None
    padding = (left, right if right is not None else 0)
    if not chain.linear or branches != 1:
        return Derivation(chain, None, stride, padding, field, formula, branches, False, None, **length)

    nf = LinearChain.of(chain)
    interior = nf.interior().lift(window.out_period) if nf.interior().out_period != 1 else nf.interior()
    # The taps stay engine polynomials: SymPy is built only if someone reads them as SymPy.
    entries = [[e.coefficients(lo, hi + 1) for e in row] for row in interior.phases[0]]
    single_channel = len(entries) == 1 and len(entries[0]) == 1
    kernel = LazyTaps(entries[0][0] if single_channel else entries, kind=list)
    sources = tuple({s.name: s for k in chain.kernels() for s in k.symbols()}.values())
    if right is None or left < 0 or nf.input_flip:
        return Derivation(chain, kernel, stride, padding, field, formula, branches, False, None, **length)
    # The interior operator's bias belongs to the single layer too (b_2 + K_2(1) b_1 for two layers).
    offsets = interior.bias[0]
    bias = [nf.ring.to_expr(b) for b in offsets] if any(offsets) else None
    single = Conv(DerivedKernel(LazyTaps(entries), sources), strides=stride,
                  paddings=left if left == right else (left, right), groups=1,
                  bias=bias)
    # The single layer's operator is the chain's interior operator itself; build its
    # normal form directly instead of converting the taps back from SymPy.
    single_nf = LinearChain(single, False, (Step(single, nf.in_channels, nf.out_channels, op=nf.interior()),),
                            nf.in_channels, nf.out_channels, nf.ring, nf.sizes)
    verdict = decide_normal_forms(nf, single_nf)
    exact = verdict.verdict == "proved"
    window_start = verdict.bound.start if verdict.bound is not None else start
    window_period = verdict.bound.period if verdict.bound is not None else period
    boundary = None if exact else _boundary(nf, single_nf, range(window_start, window_start + window_period))
    return Derivation(chain, kernel, stride, padding, field, formula, branches, exact, boundary, single, **length)
