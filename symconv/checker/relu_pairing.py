"""The checker's rule ``relu_pairing``: a ``relu()`` whose channels come in negated pairs is linear.

Rule data: ``side`` (``lhs``/``rhs``), ``index`` (the position of a ``relu()``
among that side's layers) and ``pairs`` ``[[p_0, q_0], [p_1, q_1], ...]``, a
partition of the relu()'s 2K channels into K pairs.

**Lemma.** For every real u, ``relu(u) - relu(-u) = u`` (one of the two is 0,
the other is |u| with the sign of u). Let the layers around the relu() be
(1-D, ``groups=1`` both, the affine optional)

    conv(W, stride=s, padding=P, dilation=d, bias=b) >> affine(g, t) >> relu()
        >> conv(S, stride=s', padding=P', dilation=d', bias=b'),

so that the relu()'s input on channel m is
``u[m, i] = sum_{c, j} A[m, c, j] xp[c, i s + j d] + e_m`` with ``A[m] = g_m W[m]``
and ``e_m = g_m b_m + t_m`` (g = 1, t = 0 without the affine; b = 0 without a
bias). If for every pair (p, q) the taps satisfy exactly ``A[q] = -A[p]``,
``e_q = -e_p`` and ``S[o, q, j] = -S[o, p, j]`` (every o, j), then
``u[q, i] = -u[p, i]`` for every input (both read the same window), and with r
the relu()'s output zero-padded by P' the second layer gives

    y[o, i] = b'_o + sum_{(p, q)} sum_j S[o, p, j] (r_p - r_q)[i s' + j d'],

where ``(r_p - r_q)[k] = relu(u_p) - relu(-u_p) = u_p[k]`` inside and ``0 - 0 = 0``
in the padding: ``r_p - r_q`` is ``u_p`` zero-padded by P'. So the layers equal

    conv(A', stride=s, padding=P, dilation=d, bias=e') >> conv(S', stride=s', padding=P', dilation=d', bias=b'),

``A'[k] = A[p_k]``, ``e'_k = e_{p_k}``, ``S'[o, k] = S[o, p_k]``, for every input
length and every input (no bound is assumed). Output lengths are unchanged:
the same strides, paddings, dilations and kernel lengths. The rule makes this
rewrite (the two new layers replace the three or four); the linear rules then
decide what is left. Equality of taps is checked as exact SymPy expansion to 0.

>>> from symconv.dsl import parse_chain
>>> side = parse_chain("conv([[[1, 2]], [[-1, -2]]]) >> relu() >> conv([[[3], [-3]]])")
>>> paired_linear(side, 1, [[0, 1]], "example")
conv([1, 2]) >> conv([3])
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.checker.flips import as_layer
from symconv.core.kernel import DerivedKernel, Kernel, Literal
from symconv.core.layers import Conv, Layer, bias_values
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import CertificateError

__all__ = ["rule_relu_pairing", "paired_linear", "negated_pairs", "preactivation"]


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _zero(value: sympy.Expr) -> bool:
    return sympy.expand(value) == 0


def preactivation(first: Conv, affine: Optional[Affine]) -> tuple[list, list]:
    """``(A, e)``: the relu() input ``u[m] = A[m] * x + e_m`` of ``first >> affine`` (module docstring)."""
    taps = first.weight.taps()
    channels = len(taps)
    bias = bias_values(first.bias, channels) or (sympy.Integer(0),) * channels
    scale, shift = affine.per_channel(channels) if affine is not None else ((1,) * channels, (0,) * channels)
    if len(scale) != channels or len(shift) != channels:
        raise CertificateError(f"{affine!r} has {len(scale)} scale(s) for the {channels} channels of {first!r}")
    weights = [[[sympy.expand(scale[m] * v) for v in row] for row in taps[m]] for m in range(channels)]
    return weights, [sympy.expand(scale[m] * bias[m] + shift[m]) for m in range(channels)]


def _check_pairs(pairs: object, channels: int, where: str) -> list[tuple[int, int]]:
    if not (isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 and all(map(_is_index, p))
                                            for p in pairs)):
        raise CertificateError(f"{where}: pairs {pairs!r} is not a list [[p, q], ...] of pairs of channel numbers")
    if sorted(c for pair in pairs for c in pair) != list(range(channels)):
        raise CertificateError(f"{where}: pairs {pairs} do not split the relu()'s {channels} channels "
                               f"0..{channels - 1} into pairs")
    return [(p, q) for p, q in pairs]


def negated_pairs(weights: list, shifts: list, second: list, p: int, q: int) -> Optional[str]:
    """Why channels p and q are not a negated pair (first layer, shift, second layer), None when they are."""
    if not all(_zero(a + b) for ra, rb in zip(weights[p], weights[q]) for a, b in zip(ra, rb)):
        return f"the relu() inputs of channels {p} and {q} do not have negated weights"
    if not _zero(shifts[p] + shifts[q]):
        return f"the relu() inputs of channels {p} and {q} have shifts {shifts[p]} and {shifts[q]}, not negated"
    if not all(_zero(a + b) for row in second for a, b in zip(row[p], row[q])):
        return f"the next layer's taps on channels {p} and {q} are not negated"
    return None


def _kernel(values: list, *sources: Kernel) -> Kernel:
    """The taps ``values[o][i][j]`` as a kernel: a literal when they are numbers, else a derived closed form."""
    if all(v.is_Rational for row in values for taps in row for v in taps):
        return Literal(tuple(tuple(tuple(taps) for taps in row) for row in values))
    names = {}
    for source in sources:
        for symbol in source.symbols():
            names.setdefault(symbol.name, symbol)
    return DerivedKernel(tuple(tuple(tuple(taps) for taps in row) for row in values), tuple(names.values()))


def _layers(layers: tuple, index: int, where: str) -> tuple[Conv, Optional[Affine], Conv, int]:
    """``(first, affine or None, second, position of first)`` around the relu() at ``index`` of ``layers``."""
    if not (_is_index(index) and index < len(layers) and isinstance(layers[index], ReLU)):
        raise CertificateError(f"{where}: layer {index!r} of {as_layer(False, layers)!r} is not a relu()")
    affine = layers[index - 1] if index >= 1 and isinstance(layers[index - 1], Affine) else None
    start = index - 1 - (affine is not None)
    first = layers[start] if start >= 0 else None
    second = layers[index + 1] if index + 1 < len(layers) else None
    for layer, place in ((first, "before"), (second, "after")):
        if not (type(layer) is Conv and layer.groups == 1):
            raise CertificateError(f"{where}: the layer {place} the relu() (and its affine) is "
                                   f"{layer!r}; expected a 1-D conv with groups=1")
    return first, affine, second, start


def paired_linear(side: Layer, index: int, pairs: object, where: str) -> Layer:
    """``side`` with its relu() at ``index`` and the layers around it replaced by the two linear layers of the
    lemma (module docstring); CertificateError when a hypothesis fails."""
    layers = side.layers()
    first, affine, second, start = _layers(layers, index, where)
    weights, shifts = preactivation(first, affine)
    taps = second.weight.taps()
    if len(weights) != len(taps[0]):
        raise CertificateError(f"{where}: the relu() has {len(weights)} channels, the next layer reads "
                               f"{len(taps[0])}")
    chosen = []
    for p, q in _check_pairs(pairs, len(weights), where):
        reason = negated_pairs(weights, shifts, taps, p, q)
        if reason is not None:
            raise CertificateError(f"{where}: {reason}")
        chosen.append(p)
    bias = tuple(shifts[p] for p in chosen)
    before = Conv(_kernel([weights[p] for p in chosen], first.weight), first.stride, first.padding,
                  first.dilation, 1, None if all(_zero(v) for v in bias) else bias)
    after = Conv(_kernel([[row[p] for p in chosen] for row in taps], second.weight), second.stride,
                 second.padding, second.dilation, 1, second.bias)
    return as_layer(False, layers[:start] + (before, after) + layers[index + 2:])


def rule_relu_pairing(state: list[Layer], step, where: str) -> None:
    """Replace the relu() at ``index`` of ``side`` and the layers around it by two linear layers (the lemma)."""
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    which = 0 if side == "lhs" else 1
    if state[which].ndim >= 2:
        raise CertificateError(f"{where}: relu_pairing is for 1-D chains")
    state[which] = paired_linear(state[which], step.get("index"), step.get("pairs"), where)
