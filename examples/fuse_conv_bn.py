"""Conv2d + BatchNorm2d against ``torch.nn.utils.fusion.fuse_conv_bn_eval``: fusion rounds.

Batch norm in eval mode is ``affine(scale, shift)`` with the float32 numbers torch's kernel uses, so
the unfused model is exactly ``conv2d(W, b) >> affine(s, t)``, that is the single layer
``conv2d(W * s, b * s + t)`` in exact arithmetic. The fused layer stores ``W * s`` and ``b * s + t``
rounded to float32, so the exact ``symconv.prove`` refutes the refactor, with a counterexample.

How far apart are they? Both are affine, so the difference is the layer ``conv2d(dW, db)``, and its
largest output over every input with ``|x| <= 1`` (and every input size: an output near the border
sees fewer samples, so an interior one is worst) is, exactly,

    worst = max_o ( sum_{i, a, b} |dW[o, i, a, b]| + |db[o]| ).

A proof "within atol" of exactly this bound is the next step (``prove(..., atol=1e-5)``); here the
bound is computed from the two layers' exact taps and checked against symconv's own evaluation
of both models on the input that attains it.

Run: python examples/fuse_conv_bn.py
"""

from __future__ import annotations

import copy
from fractions import Fraction

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

import symconv
from symconv.core.layers import Layer
from symconv.core.semantics_nd import evaluate_nd


def trained_conv_bn(seed: int = 0) -> nn.Sequential:
    """A Conv2d and a BatchNorm2d with running statistics as after training, in eval mode."""
    torch.manual_seed(seed)
    conv, bn = nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3)
    with torch.no_grad():
        bn.running_mean.normal_()
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.normal_()
        bn.bias.normal_()
    return nn.Sequential(conv, bn).eval()


def _flat(nested) -> list:
    return [v for item in nested for v in _flat(item)] if isinstance(nested, (list, tuple)) else [nested]


def worst_difference(unfused: Layer, fused: Layer) -> tuple[Fraction, int, list[int]]:
    """``(worst, o, signs)``: the bound above, the output channel attaining it and the input window's signs."""
    conv, bn = unfused.layers()
    scale, shift = bn.per_channel(conv.weight.shape[0])
    worst, argmax = Fraction(-1), None
    for o, (w, wf) in enumerate(zip(conv.weight.taps(), fused.weight.taps())):
        exact = [Fraction(str(v * scale[o])) for v in _flat(w)]
        rounded = [Fraction(str(v)) for v in _flat(wf)]
        bias = Fraction(str(conv.bias[o] * scale[o] + shift[o])) - Fraction(str(fused.bias[o]))
        total = sum(abs(e - r) for e, r in zip(exact, rounded)) + abs(bias)
        if total > worst:
            signs = [(1 if e - r > 0 else -1) * (1 if bias >= 0 else -1) for e, r in zip(exact, rounded)]
            worst, argmax = total, (o, signs)
    return worst, argmax[0], argmax[1]


def main() -> dict:
    model = trained_conv_bn()
    fused = fuse_conv_bn_eval(copy.deepcopy(model[0]), copy.deepcopy(model[1]))
    proof = symconv.prove(model, fused)
    print(f"Conv2d + BatchNorm2d == fuse_conv_bn_eval(...), exactly: {proof.verdict}")
    lhs, rhs = symconv.from_torch(model), symconv.from_torch(fused)
    worst, channel, signs = worst_difference(lhs, rhs)
    # the input that attains it: the signs on one 3x3 window, seen whole by the centre output of a 3x3 input
    window = [[signs[9 * i + 3 * a: 9 * i + 3 * a + 3] for a in range(3)] for i in range(2)]
    at_centre = evaluate_nd(lhs, window)[channel][1][1] - evaluate_nd(rhs, window)[channel][1][1]
    assert abs(Fraction(str(at_centre))) == worst
    print(f"worst difference over |x| <= 1 and every input size: {worst} ~ {float(worst):.3g} "
          f"(output channel {channel}), attained; within atol=1e-5: {worst <= Fraction(1, 10**5)}")
    return {"verdict": proof.verdict, "worst": worst}


if __name__ == "__main__":
    main()
