"""``derive`` for N-D chains: the arithmetic axis by axis, and the effective N-D kernel.

Each axis is a 1-D chain (:func:`symconv.core.layers_nd.axis_chain`): its
stride, effective padding, receptive field and output length are those of
the 1-D derivation. When every axis has one polyphase branch (no
up-sampling), every interior output is ``y[o, i] = sum E[o, m, a]
x[m, S i + a - p]`` (per axis); ``E`` is read off the exact linear form of
one output whose window lies inside the input.

>>> d = derive_nd_text("conv2d(a[3, 3]) >> conv2d(b[3, 3])")
>>> d.stride, d.receptive_field, len(d.kernel), len(d.kernel[0])
((1, 1), (5, 5), 5, 5)
>>> derive_nd_text("conv2d(k[3, 3], stride=(2, 1), padding=1) >> conv2d(k, stride=2)").to_json()["stride"]
[4, 2]
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Callable

import numpy as np

from symconv.core.kernel_nd import DerivedKernelNd
from symconv.core.layers import Layer
from symconv.core.layers_nd import ConvNd, axis_chain
from symconv.prover.decide_nd import decide_nd
from symconv.prover.derive import Derivation, _json_size
from symconv.prover.forms_nd import forms_nd, ring_nd

__all__ = ["DerivationNd", "derive_nd", "derive_nd_text"]


@dataclasses.dataclass(frozen=True)
class DerivationNd(Derivation):
    """A :class:`Derivation` whose stride, padding and receptive field are per axis (tuples)."""

    def to_json(self) -> dict:
        def text(v):
            return [text(x) for x in v] if isinstance(v, (list, tuple)) else str(v)

        return {
            "chain": repr(self.chain),
            "kernel": text(self.kernel) if self.kernel is not None else None,
            "stride": list(self.stride),
            "padding": [[_json_size(p) for p in pair] for pair in self.padding],
            "dilation": self.dilation,
            "receptive_field": [_json_size(f) for f in self.receptive_field],
            "output_length": self.output_length,
            "branches": self.branches,
            "exact": self.exact,
            "boundary": self.boundary,
        }

    def __str__(self) -> str:
        text = super().__str__()
        return text.replace(f"padding:         {list(self.padding)}",
                            f"padding:         {[list(p) for p in self.padding]}")


def _axis_text(text: str, axis: int) -> str:
    return re.sub(r"\bn\b", f"n{axis + 1}", text)


def _kernel(chain: Layer, strides, lefts, fields) -> list:
    """``E[o][m][a1]...[ad]`` read off one interior output (a single channel gives ``E[a1]...[ad]``)."""
    ring = ring_nd(chain)
    channels = chain.in_channels or 1
    shape = tuple(2 * f + 2 * s + 2 * p for f, s, p in zip(fields, strides, lefts))
    _, forms = forms_nd(chain, shape, ring, channels)
    first = tuple(-(-p // s) + 1 for p, s in zip(lefts, strides))  # first outputs past the left padding
    origin = tuple(s * i - p for s, i, p in zip(strides, first, lefts))
    out_channels = chain.out_channels(channels) or channels
    grid = np.zeros((out_channels, channels) + tuple(fields), dtype=object)
    for o in range(out_channels):
        form = forms.get((o, *first), {})
        for m in range(channels):
            for a in itertools.product(*(range(f) for f in fields)):
                grid[(o, m) + a] = ring.to_expr(form.get((m, *(r + aa for r, aa in zip(origin, a))), 0))
    values = grid.tolist()
    return values[0][0] if out_channels == 1 and channels == 1 else values


def derive_nd(chain: Layer, derive: Callable) -> DerivationNd:
    """The derivation of an N-D chain; ``derive`` is the 1-D one, applied to each axis."""
    axes = [derive(axis_chain(chain, a)) for a in range(chain.ndim)]
    strides = tuple(d.stride for d in axes)
    paddings = tuple(tuple(d.padding) for d in axes)
    fields = tuple(d.receptive_field for d in axes)
    single = chain.linear and all(d.branches == 1 for d in axes) and all(p[0] >= 0 for p in paddings)
    kernel = _kernel(chain, strides, tuple(p[0] for p in paddings), fields) if single else None
    length = " x ".join(f"({_axis_text(d.output_length, a)})" for a, d in enumerate(axes))
    exact, layer = False, None
    if kernel is not None:
        layer = _single_layer(chain, kernel, strides, paddings)
        exact = decide_nd(chain, layer).verdict == "proved"
    return DerivationNd(chain, kernel, strides, paddings, fields, length, max(d.branches for d in axes), exact, None,
                        layer=layer if exact else None)


def _depth(values: object) -> int:
    return 1 + _depth(values[0]) if isinstance(values, (list, tuple)) and values else 0


def _frozen(values: object) -> object:
    return tuple(_frozen(v) for v in values) if isinstance(values, list) else values


def _single_layer(chain: Layer, kernel: list, strides, paddings) -> Layer:
    """``conv{d}d(E, stride=S, padding=((p1, r1), ...))`` with E as a closed-form kernel."""
    sources = tuple({s.name: s for step in chain.layers() for k in step.kernels() for s in k.symbols()}.values())
    values = kernel if _depth(kernel) == len(strides) + 2 else [[kernel]]
    return ConvNd(DerivedKernelNd(_frozen(values), sources), strides, paddings)


def derive_nd_text(text: str) -> DerivationNd:
    """:func:`derive_nd` of a DSL text (for the doctest)."""
    from symconv.dsl import parse_chain
    from symconv.prover.derive import derive

    return derive(parse_chain(text))
