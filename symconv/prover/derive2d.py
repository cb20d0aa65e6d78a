"""``derive`` for 2-D chains: the arithmetic axis by axis, and the effective 2-D kernel.

Each axis is a 1-D chain (:func:`symconv.core.layers2d.axis_chain`): its
stride, effective padding, receptive field and output length are those of
the 1-D derivation. When both axes have one polyphase branch (no
up-sampling), every interior output is ``y[o, i1, i2] = sum E[o, m, a, b]
x[m, S1 i1 + a - p1, S2 i2 + b - p2]``; ``E`` is read off the exact linear
form of one output whose window lies inside the input.

>>> d = derive2d_text("conv2d(a[3, 3]) >> conv2d(b[3, 3])")
>>> d.stride, d.receptive_field, len(d.kernel), len(d.kernel[0])
((1, 1), (5, 5), 5, 5)
"""

from __future__ import annotations

import re
from typing import Callable

from symconv.core.kernel2d import DerivedKernel2d
from symconv.core.layers import Layer
from symconv.core.layers2d import Conv2d, axis_chain
from symconv.prover.decide2d import decide2d, forms2d, ring2d

__all__ = ["derive2d", "derive2d_text"]


def _axis_text(text: str, axis: int) -> str:
    return re.sub(r"\bn\b", f"n{axis + 1}", text)


def _kernel(chain: Layer, strides, lefts, fields) -> list:
    """``E[o][m][a][b]`` read off one interior output (a single channel gives ``E[a][b]``)."""
    ring = ring2d(chain)
    channels = chain.in_channels or 1
    shape = tuple(2 * f + 2 * s + 2 * p for f, s, p in zip(fields, strides, lefts))
    forms = forms2d(chain, shape, ring, channels)
    i1, i2 = (-(-p // s) + 1 for p, s in zip(lefts, strides))  # first outputs past the left padding
    r0, c0 = strides[0] * i1 - lefts[0], strides[1] * i2 - lefts[1]
    out = []
    for plane in forms:
        form = plane[i1][i2]
        out.append([[[ring.to_expr(form.get((m, r0 + a, c0 + b), 0)) for b in range(fields[1])]
                     for a in range(fields[0])] for m in range(channels)])
    return out[0][0] if len(out) == 1 and channels == 1 else out


def derive2d(chain: Layer, derive: Callable) -> object:
    """The Derivation of a 2-D chain; ``derive`` is the 1-D one, applied to each axis."""
    from symconv.prover.derive import Derivation

    axes = [derive(axis_chain(chain, a)) for a in (0, 1)]
    strides = tuple(d.stride for d in axes)
    paddings = tuple(tuple(d.padding) for d in axes)
    fields = tuple(d.receptive_field for d in axes)
    single = chain.linear and all(d.branches == 1 for d in axes) and all(p[0] >= 0 for p in paddings)
    kernel = _kernel(chain, strides, tuple(p[0] for p in paddings), fields) if single else None
    length = " x ".join(f"({_axis_text(d.output_length, a)})" for a, d in enumerate(axes))
    exact, layer = False, None
    if kernel is not None:
        layer = _single_layer(chain, kernel, strides, paddings)
        exact = decide2d(chain, layer).verdict == "proved"
    return Derivation(chain, kernel, strides, paddings, fields, length, max(d.branches for d in axes), exact, None,
                      layer=layer if exact else None)


def _single_layer(chain: Layer, kernel: list, strides, paddings) -> Layer:
    """``conv2d(E, stride=(S1, S2), padding=((p1, r1), (p2, r2)))`` with E as a closed-form kernel."""
    sources = tuple({s.name: s for step in chain.layers() for k in step.kernels() for s in k.symbols()}.values())
    values = kernel if isinstance(kernel[0][0], list) and isinstance(kernel[0][0][0], list) else [[kernel]]
    taps = tuple(tuple(tuple(tuple(row) for row in t) for t in ch) for ch in values)
    return Conv2d(DerivedKernel2d(taps, sources), strides, paddings)


def derive2d_text(text: str) -> object:
    """:func:`derive2d` of a DSL text (for the doctest)."""
    from symconv.dsl import parse_chain
    from symconv.prover.derive import derive

    return derive(parse_chain(text))
