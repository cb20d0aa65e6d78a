"""Two stride-2 ``Conv1d`` layers are one stride-4 ``Conv1d`` with the composed weights, for every input length.

In the correlation orientation of ``conv1d``, ``conv(a, stride=2) >> conv(b, stride=2)`` is
``conv(convolve(a, dilate(b, 2)), stride=4)``; with channels the composed weight is

    W[o, i, t] = sum_m sum_{j + 2u = t} A[m, i, j] B[o, m, u],   bias[o] = b2[o] + sum_m b1[m] sum_u B[o, m, u].

The weights are quantized to multiples of 1/256 (as an int8 model's), so the composed weights are exact
float32 numbers and the refactor is exact: symconv proves it for every input length. Forgetting the
dilation (``convolve(a, b)``) is refuted with a counterexample.

Run: python examples/stride_composition.py
"""

from __future__ import annotations

import torch
import torch.nn as nn

import symconv


def quantized(module: nn.Module, step: float = 1 / 256) -> nn.Module:
    """``module`` with every parameter rounded to a multiple of ``step``."""
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.round(p / step) * step)
    return module


def two_stride_2(seed: int = 0) -> nn.Sequential:
    torch.manual_seed(seed)
    return quantized(nn.Sequential(nn.Conv1d(1, 4, 3, stride=2), nn.Conv1d(4, 2, 3, stride=2)))


def one_stride_4(two: nn.Sequential, dilation: int = 2) -> nn.Conv1d:
    """The single layer with the composed weights (``dilation=1`` forgets the stride of the first layer)."""
    a, b = two[0].weight.detach(), two[1].weight.detach()  # (m, i, j) and (o, m, u)
    taps = a.shape[2] + dilation * (b.shape[2] - 1)
    weight = torch.zeros(b.shape[0], a.shape[1], taps)
    for u in range(b.shape[2]):
        weight[:, :, dilation * u:dilation * u + a.shape[2]] += torch.einsum("om,mij->oij", b[:, :, u], a)
    one = nn.Conv1d(a.shape[1], b.shape[0], taps, stride=4)
    with torch.no_grad():
        one.weight.copy_(weight)
        one.bias.copy_(two[1].bias + torch.einsum("omu,m->o", b, two[0].bias))
    return one


def main() -> dict:
    two = two_stride_2()
    proof = symconv.prove(two, one_stride_4(two))
    print(f"two stride-2 Conv1d == one stride-4 Conv1d (composed weights): {proof.verdict}")
    wrong = symconv.prove(two, one_stride_4(two, dilation=1))
    example = wrong.counterexample
    print(f"without dilating the second kernel: {wrong.verdict} ({wrong.note}); at n = {example.n} the two layers "
          f"give {[list(map(str, c)) for c in example.lhs]} and one gives {[list(map(str, c)) for c in example.rhs]}")
    return {"composed": proof.verdict, "undilated": wrong.verdict}


if __name__ == "__main__":
    main()
