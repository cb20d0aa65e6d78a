"""The checker's rule ``padding_as_pad``: a convolution's zero padding written as a ``pad`` layer before it.

Rule data: none. Both sides are rewritten, through chains and the branches of sums.

**Lemma.** For every kernel, stride, dilation, groups and bias,

    conv(k, padding=(l, r)) = pad(l, r) >> conv(k, padding=0)

for every input length n >= 0, and per axis in N-D:
``conv{d}d(W, padding=((l1, r1), ..., (ld, rd))) = pad((l1, ..., ld), (r1, ..., rd)) >> conv{d}d(W)``.

*Proof.* A convolution is defined on the padded input (DESIGN section 1):
``y[o, i] = b[o] + sum_{m, j} W[o, m, j] xp[m, s i + d j]``, where ``xp`` is x with
l zeros before it and r after it, which is the output of ``pad(l, r)``; its length
``floor((n + l + r - d (c - 1) - 1) / s) + 1`` (clamped at 0) is that of
``conv(k)`` on the ``n + l + r`` samples of ``xp``. At n = 0 the padding still
supplies its l + r zeros (the length table holds at every n >= 0). Per axis in
N-D the same, axis by axis. QED. (``tests/checker/test_padding_as_pad.py``
compares both forms at every n <= 9 for every small kernel, stride, dilation
and padding.)

Only concrete paddings are rewritten (a ``'same'`` padding of a generic
length ``c`` stays as it is). The rule is an equivalence, so the statement
after it is equal iff the one before it is; a step that rewrites nothing is
refused (it proves nothing and hides a mistaken certificate).
"""

from __future__ import annotations

from dataclasses import replace

from symconv.core.composite import Chain, Parallel
from symconv.core.layers import Conv, Layer, Pad
from symconv.errors import CertificateError

__all__ = ["rule_padding_as_pad", "padding_as_pad"]


def _conv_as_pad(layer: Layer) -> Layer:
    """``conv(W, padding=((l1, r1), ...))`` as ``pad((l1, ...), (r1, ...)) >> conv(W)`` when every amount is an
    integer and one is not 0."""
    if (isinstance(layer, Conv) and any(p for pair in layer.paddings for p in pair)
            and all(type(p) is int for pair in layer.paddings for p in pair)):
        before, after = (tuple(pair[k] for pair in layer.paddings) for k in (0, 1))
        return Chain((Pad(before, after), replace(layer, paddings=0)))
    return layer


def padding_as_pad(layer: Layer) -> Layer:
    """``layer`` with every convolution's concrete zero padding written as a pad layer before it (the lemma)."""
    if isinstance(layer, Chain):
        steps = tuple(padding_as_pad(step) for step in layer.steps)
        return layer if steps == layer.steps else replace(layer, steps=steps)
    if isinstance(layer, Parallel):
        branches = tuple(padding_as_pad(branch) for branch in layer.branches)
        return layer if branches == layer.branches else replace(layer, branches=branches)
    return _conv_as_pad(layer)


def rule_padding_as_pad(state: list[Layer], step, where: str) -> None:
    """Rewrite both sides by the lemma (module docstring)."""
    rewritten = [padding_as_pad(side) for side in state]
    if rewritten == list(state):
        raise CertificateError(f"{where}: no convolution of either side has zero padding to write as pad()")
    state[:] = rewritten
