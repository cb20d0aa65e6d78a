"""A trained ResNet basic block against its batch-norm fusion, proved within a tolerance for every input shape.

``basic_block(channels)`` is conv3x3-BN-ReLU-conv3x3-BN plus the identity shortcut, then ReLU, with
batch-norm statistics as after training, in eval mode; ``fused_block(channels)`` is the same block with
each BN folded into its convolution by ``torch.nn.utils.fusion.fuse_conv_bn_eval`` (float32 weights, so
not exactly equal). symconv proves that for every input shape and every input with ``|x| <= 1`` the two
differ by at most ``atol`` (a Lipschitz chain through the ReLUs and the residual sum, every block's
worst-case row sums recomputed by the kernel from the exact weights):

    symconv prove --torch examples/resnet_block.py:basic_block examples/resnet_block.py:fused_block --atol 1e-4

``two_convs``/``one_conv`` are two 3x3 convolutions (16 channels, no bias) and the single 5x5
convolution they compose to, computed in float64 and rounded to float32:

    symconv prove --torch examples/resnet_block.py:two_convs examples/resnet_block.py:one_conv --atol 1e-4
"""

from __future__ import annotations

import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval


def _trained_bn(channels: int, seed: int) -> nn.BatchNorm2d:
    g = torch.Generator().manual_seed(seed)
    bn = nn.BatchNorm2d(channels)
    with torch.no_grad():
        bn.running_var.copy_(torch.rand(channels, generator=g) + 0.5)
        bn.running_mean.copy_(torch.randn(channels, generator=g))
        bn.weight.copy_(torch.rand(channels, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(channels, generator=g))
    return bn


class BasicBlock(nn.Module):
    """torchvision's BasicBlock without down-sampling: relu(bn2(conv2(relu(bn1(conv1(x))))) + x)."""

    def __init__(self, channels: int, seed: int = 0) -> None:
        super().__init__()
        torch.manual_seed(seed)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = _trained_bn(channels, seed + 1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = _trained_bn(channels, seed + 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x))))) + x)


class FusedBlock(nn.Module):
    """The same block with each batch norm folded into its convolution."""

    def __init__(self, block: BasicBlock) -> None:
        super().__init__()
        self.conv1 = fuse_conv_bn_eval(block.conv1, block.bn1)
        self.conv2 = fuse_conv_bn_eval(block.conv2, block.bn2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.relu(self.conv2(torch.relu(self.conv1(x))) + x)


def basic_block(channels: int = 16) -> BasicBlock:
    """A FACTORY for ``symconv prove --torch``: the trained block, in eval mode."""
    return BasicBlock(channels).eval()


def fused_block(channels: int = 16) -> FusedBlock:
    """A FACTORY: :func:`basic_block` with its batch norms fused."""
    return FusedBlock(basic_block(channels)).eval()


def two_convs(channels: int = 16) -> nn.Sequential:
    """Two 3x3 convolutions without bias or padding."""
    torch.manual_seed(3)
    return nn.Sequential(nn.Conv2d(channels, channels, 3, bias=False),
                         nn.Conv2d(channels, channels, 3, bias=False)).eval()


def one_conv(channels: int = 16) -> nn.Conv2d:
    """The 5x5 convolution equal to :func:`two_convs`: W[o, i, a + p, b + q] = sum_m W2[o, m, p, q] W1[m, i, a, b]."""
    first, second = (layer.weight.detach().double() for layer in two_convs(channels))
    weight = torch.zeros(channels, channels, 5, 5, dtype=torch.float64)
    for a in range(3):
        for b in range(3):
            weight[:, :, a:a + 3, b:b + 3] += torch.einsum("ompq,mi->oipq", second, first[:, :, a, b])
    conv = nn.Conv2d(channels, channels, 5, bias=False)
    with torch.no_grad():
        conv.weight.copy_(weight.float())
    return conv.eval()


def main(channels: int = 16) -> dict:
    """Prove the block against its fusion within 1e-4 and the two 3x3 convolutions against their 5x5; print and
    return the verdicts (the exact statements are refuted: fusion and composition round to float32)."""
    import time

    import symconv

    verdicts = {}
    for name, (lhs, rhs) in {"fused_block": (basic_block(channels), fused_block(channels)),
                             "one_conv": (two_convs(channels), one_conv(channels))}.items():
        for atol in (1e-4, 1e-9):
            start = time.perf_counter()
            proof = symconv.prove(lhs, rhs, atol=atol)
            verdicts[f"{name} atol={atol:g}"] = proof.verdict
            print(f"{name}, {channels} channels, atol={atol:g}: {proof.verdict} "
                  f"({time.perf_counter() - start:.1f} s)")
    return verdicts


if __name__ == "__main__":
    main()
