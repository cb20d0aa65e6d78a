"""Conv2d + BatchNorm2d against ``fuse_conv_bn_eval``, proved within a tolerance for every input size.

Fusion rounds the folded weights ``W * s`` and bias ``b * s + t`` to float32, so the exact proof
refutes the refactor (``fuse_conv_bn.py``). Within ``atol=1e-5`` it is proved: for every input shape
and every input with ``|x| <= 1``, every output of the fused layer is within 1e-5 of the unfused
model's. The proof states the exact worst-case gain of the difference (the largest
``sum |dW| + |db|`` over every output, boundary outputs included) and where it is attained, and
the certificate is replayed by the checker from the core semantics.

A fused bias that is off by 1000 float32 ulps is refuted: the proof gives an input with
``|x| <= 1`` on which one output differs by more than 1e-5, confirmed by exact evaluation.

Run: python examples/conv_bn_tolerance.py, or from the command line:
symconv prove --torch examples/conv_bn_tolerance.py:trained_conv_bn examples/conv_bn_tolerance.py:fused_conv --atol 1e-5
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

import symconv


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


def fused_conv() -> nn.Conv2d:
    """``fuse_conv_bn_eval`` of :func:`trained_conv_bn` (a FACTORY for ``symconv prove --torch``)."""
    model = trained_conv_bn()
    return fuse_conv_bn_eval(copy.deepcopy(model[0]), copy.deepcopy(model[1]))


def off_by_ulps(fused: nn.Conv2d, ulps: int = 1000) -> nn.Conv2d:
    """A copy of ``fused`` whose first bias entry is ``ulps`` float32 ulps larger."""
    broken = copy.deepcopy(fused)
    with torch.no_grad():
        b = np.float32(broken.bias[0].item())
        broken.bias[0] = float(b + np.float32(ulps) * np.spacing(b))
    return broken


def main() -> dict:
    model, fused = trained_conv_bn(), fused_conv()
    within = symconv.prove(model, fused, atol="1e-5")
    print(f"Conv2d + BatchNorm2d == fuse_conv_bn_eval(...) within atol=1e-5: {within.verdict}")
    print(f"  {within.steps[2].statement}")
    print(f"  rests on: {', '.join(within.rests_on)}")
    broken = symconv.prove(model, off_by_ulps(fused), atol="1e-5")
    print(f"with the fused bias off by 1000 ulps: {broken.verdict}")
    print(f"  {broken.note}")
    return {"within": within.verdict, "perturbed": broken.verdict, "proof": within, "refutation": broken}


if __name__ == "__main__":
    main()
