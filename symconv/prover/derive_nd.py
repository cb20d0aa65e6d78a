"""``derive`` for N-D chains: the arithmetic axis by axis, and the effective N-D kernel.

Each axis is a 1-D chain (:func:`symconv.core.layers_nd.axis_chain`): its
stride, effective padding and receptive field are those of the 1-D
derivation, and its output length is that derivation's closed form (fitted
on the length table), else the length table's formula, in ``n1``, ``n2``,
... (:func:`symconv.prover.describe.length_text`). When every axis has one
polyphase branch (no up-sampling), every interior output is
``y[o, i] = b[o] + sum E[o, m, a] x[m, S i + a - p]`` (per axis); ``E`` and
the bias ``b`` (biases add up through the layers: ``b_2 + K_2(1) b_1`` for
two) are read off the exact affine form of one output whose window lies
inside the input.

>>> d = derive_nd_text("conv2d(a[3, 3]) >> conv2d(b[3, 3])")
>>> d.stride, d.receptive_field, len(d.kernel), len(d.kernel[0])
((1, 1), (5, 5), 5, 5)
>>> derive_nd_text("conv2d(k[3, 3], stride=(2, 1), padding=1) >> conv2d(k, stride=2)").to_json()["stride"]
[4, 2]
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Callable, Optional

import numpy as np

from symconv.core.kernel import DerivedKernel, Kernel
from symconv.core.kernel_expr import Convolve, Dilate
from symconv.core.layers import Layer
from symconv.core.layers_nd import Conv, axis_chain
from symconv.core.output_length import generic_sizes, resolve_size
from symconv.core.sizes_nd import with_sizes
from symconv.errors import InvalidArgument, SymconvError
from symconv.prover.decide_nd import decide_nd
from symconv.prover.derive import Derivation, json_size
from symconv.prover.describe import length_text
from symconv.prover.forms_nd import CONSTANT, forms_nd, ring_nd

__all__ = ["DerivationNd", "derive_nd", "derive_nd_text"]


@dataclasses.dataclass(frozen=True, repr=False)
class DerivationNd(Derivation):
    """A :class:`Derivation` whose stride, padding and receptive field are per axis (tuples; lists in JSON);
    ``axes`` holds the 1-D derivation of each axis's chain (its output length in ``n``)."""

    axes: tuple[Derivation, ...] = ()
    #: What holds only at some values of a generic size, or is not given for it (None for concrete sizes).
    note: Optional[str] = None

    def to_json(self) -> dict:
        def text(v):
            return [text(x) for x in v] if isinstance(v, (list, tuple)) else str(v)

        extra = {} if self.note is None else {"note": self.note}
        return extra | {
            "chain": repr(self.chain),
            "kernel": text(self.kernel) if self.kernel is not None else None,
            "stride": list(self.stride),
            "padding": [[json_size(p) for p in pair] for pair in self.padding],
            "dilation": self.dilation,
            "receptive_field": [json_size(f) for f in self.receptive_field],
            "output_length": self.output_length,
            "branches": self.branches,
            "exact": self.exact,
            "boundary": self.boundary,
            "bias": self._bias_text(),
        }

    def _padding_text(self) -> str:
        return str([list(pair) for pair in self.padding])

    def __str__(self) -> str:
        text = super().__str__()
        return text if self.note is None else f"{text}\nnote:            {self.note}"


def _axis_length(derivation: Derivation, axis: int) -> str:
    """The output length on one axis, in ``n{axis + 1}``: the 1-D closed form, else the length table's."""
    if derivation.chain.kernels() and any(k.length_symbols() for k in derivation.chain.kernels()):
        from symconv.prover.derive_generic import generic_length_text

        return generic_length_text(derivation, f"n{axis + 1}")
    fitted = (derivation.length_expr, derivation.length_from) if derivation.length_expr is not None else None
    return length_text(derivation.chain, fitted, f"n{axis + 1}")


@dataclasses.dataclass(frozen=True)
class _Interior:
    """``E[o][m][a1]...[ad]`` (a single channel: ``E[a1]...[ad]``) and the bias per output channel (None if 0)."""

    kernel: list
    bias: Optional[tuple]


def _interior(chain: Layer, strides, lefts, fields) -> _Interior:
    """The kernel and bias read off one interior output's affine form, every output channel."""
    ring = ring_nd(chain)
    channels = chain.in_channels or 1
    shape = tuple(2 * f + 2 * s + 2 * p for f, s, p in zip(fields, strides, lefts))
    _, forms = forms_nd(chain, shape, ring, channels)
    first = tuple(-(-p // s) + 1 for p, s in zip(lefts, strides))  # first outputs past the left padding
    origin = tuple(s * i - p for s, i, p in zip(strides, first, lefts))
    out_channels = chain.out_channels(channels) or channels
    grid = np.zeros((out_channels, channels) + tuple(fields), dtype=object)
    constants = []
    for o in range(out_channels):
        form = forms.get((o, *first), {})
        constants.append(form.get(CONSTANT, 0))
        for m in range(channels):
            for a in itertools.product(*(range(f) for f in fields)):
                grid[(o, m) + a] = ring.to_expr(form.get((m, *(r + aa for r, aa in zip(origin, a))), 0))
    values = grid.tolist()
    kernel = values[0][0] if out_channels == 1 and channels == 1 else values
    bias = tuple(ring.to_expr(c) for c in constants) if any(constants) else None
    return _Interior(kernel, bias)


def derive_nd(chain: Layer, derive: Callable) -> DerivationNd:
    """The derivation of an N-D chain; ``derive`` is the 1-D one, applied to each axis."""
    if generic_sizes(chain):
        return _derive_generic_nd(chain, [_generic_axis(chain, a, derive) for a in range(chain.ndim)])
    axes = [derive(axis_chain(chain, a)) for a in range(chain.ndim)]
    strides = tuple(d.stride for d in axes)
    paddings = tuple(tuple(d.padding) for d in axes)
    fields = tuple(d.receptive_field for d in axes)
    single = chain.linear and all(d.branches == 1 for d in axes) and all(p[0] >= 0 for p in paddings)
    reversed_axes = _input_flip(chain)
    note = None
    if reversed_axes:
        single = False
        note = (f"kernel: none; with every flip moved to the input the chain begins with "
                f"flip(axes={tuple(sorted(reversed_axes))}), which reverses its input: no single convolution is it")
    interior = _interior(chain, strides, tuple(p[0] for p in paddings), fields) if single else None
    length = " x ".join(f"({_axis_length(d, a)})" for a, d in enumerate(axes))
    exact, layer = False, None
    if interior is not None:
        layer = _single_layer(chain, interior, strides, paddings)
        exact = decide_nd(chain, layer).verdict == "proved"
    kernel = interior.kernel if interior is not None else None
    return DerivationNd(chain, kernel, strides, paddings, fields, length, max(d.branches for d in axes), exact, None,
                        layer=layer if exact else None, axes=tuple(axes), note=note)


def _input_flip(chain: Layer) -> frozenset[int]:
    """The axes the chain reverses once its flips are moved to the input (empty when they cancel or none is
    there; every axis when a flip cannot be moved, so that no kernel is read off the chain)."""
    from symconv.checker.flips_nd import flips_to_input_nd, has_flips

    if not has_flips(chain):
        return frozenset()
    try:
        head, _ = flips_to_input_nd(chain, "derive")
    except SymconvError:
        return frozenset(range(chain.ndim))
    return head


#: A derivation with a generic size checks the single layer at each of these values.
GENERIC_VALUES = range(1, 6)


def _composed_kernel(chain: Layer) -> Optional[Kernel]:
    """``E = convolve(dilate(K_1, d_1), dilate(K_2, d_2 S_2), ...)`` with ``S_l`` the product of the strides
    before layer l, for a chain of convolutions without groups or bias (None otherwise): then
    ``y[i] = sum_a E[a] x[S i + a - p]`` in the interior, per axis, as the 1-D generic derivation."""
    steps = chain.layers()
    if not all(isinstance(s, Conv) and s.groups == 1 and s.bias is None for s in steps):
        return None
    kernel: Optional[Kernel] = None
    before = (1,) * chain.ndim
    for step in steps:
        factors = tuple(d * s for d, s in zip(step.dilations, before))
        term = step.weight if all(f == 1 for f in factors) else Dilate(step.weight, factors)
        kernel = term if kernel is None else Convolve(kernel, term)
        before = tuple(b * s for b, s in zip(before, step.strides))
    return kernel


def _single_at(chain: Layer, kernel: Kernel, strides, paddings, value: dict) -> Optional[bool]:
    """Whether ``conv(E, stride=S, padding=p)`` equals the chain at these sizes (None: no such layer there)."""
    pairs = tuple(tuple(resolve_size(p, value) for p in pair) for pair in paddings)
    try:
        single = Conv(with_sizes(kernel, value), strides, pairs)
        return decide_nd(with_sizes(chain, value), single).verdict == "proved"
    except SymconvError:
        return None


def _generic_axis(chain: Layer, axis: int, derive: Callable) -> Derivation:
    """The 1-D derivation of one axis of a chain with a generic size; refuses naming the N-D chain."""
    projected = axis_chain(chain, axis)
    try:
        return derive(projected)
    except InvalidArgument as err:
        raise InvalidArgument("derive", "chain", repr(chain),
                              f"a chain whose closed forms are known for its generic size on every axis; on axis "
                              f"{axis + 1} it is {projected!r}, which is not ({err.expected})") from None


def _derive_generic_nd(chain: Layer, axes: list) -> DerivationNd:
    """Per-axis arithmetic in the generic sizes (each axis's 1-D generic derivation); the kernel as an N-D
    kernel expression, checked against the chain at each value in :data:`GENERIC_VALUES`, never claimed
    exact for every value (the generic argument is 1-D only)."""
    strides = tuple(d.stride for d in axes)
    paddings = tuple(tuple(d.padding) for d in axes)
    fields = tuple(d.receptive_field for d in axes)
    length = " x ".join(f"({_axis_length(d, a)})" for a, d in enumerate(axes))
    names = ", ".join(generic_sizes(chain))
    equal = " = ".join(generic_sizes(chain))  # several sizes are checked on the diagonal c = d = 1, 2, ...
    kernel = _composed_kernel(chain) if all(d.branches == 1 for d in axes) else None
    if kernel is None:
        note = (f"kernel: not given for a generic {names} in N-D (only for a chain of convolutions without "
                f"groups or bias); stride, padding, receptive field and output length hold for every {names}")
    else:
        values = [dict.fromkeys(generic_sizes(chain), v) for v in GENERIC_VALUES]
        failed = [v for v in values if not _single_at(chain, kernel, strides, paddings, v)]
        span = f"{GENERIC_VALUES[0]}..{GENERIC_VALUES[-1]}"
        if failed:
            note = (f"the single layer conv{chain.ndim}d(kernel, stride, padding) is not the chain at "
                    f"{', '.join(f'{k} = {x}' for k, x in failed[0].items())} (it differs there, or has no "
                    f"instance): not exact")
        else:
            note = (f"the single layer conv{chain.ndim}d(kernel, stride, padding) equals the chain for {equal} = "
                    f"{span} (decided at each value); not proved for every {names} (the generic argument is 1-D "
                    f"only), so exact is false")
    return DerivationNd(chain, None if kernel is None else repr(kernel), strides, paddings, fields, length,
                        max(d.branches for d in axes), False, None, axes=tuple(axes), note=note)


def _depth(values: object) -> int:
    return 1 + _depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


def _frozen(values: object) -> object:
    return tuple(_frozen(v) for v in values) if isinstance(values, list) else values


def _single_layer(chain: Layer, interior: _Interior, strides, paddings) -> Layer:
    """``conv{d}d(E, stride=S, padding=((p1, r1), ...), bias=b)`` with E and b as closed forms."""
    sources = tuple({s.name: s for step in chain.layers() for k in step.kernels() for s in k.symbols()}.values())
    kernel = interior.kernel
    values = kernel if _depth(kernel) == len(strides) + 2 else [[kernel]]
    return Conv(DerivedKernel(_frozen(values), sources), strides, paddings, bias=interior.bias)


def derive_nd_text(text: str) -> DerivationNd:
    """:func:`derive_nd` of a DSL text (for the doctest)."""
    from symconv.dsl import parse_chain
    from symconv.prover.derive import derive

    return derive(parse_chain(text))
