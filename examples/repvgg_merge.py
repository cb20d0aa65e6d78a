"""A RepVGG block (3x3 conv + BN, 1x1 conv + BN, identity BN, summed) against its merged 3x3 conv.

RepVGG trains three branches and deploys one convolution: each branch's batch norm is folded into
its kernel, the 1x1 kernel is padded to 3x3, the identity becomes a 3x3 kernel with a 1 at the
centre of each channel's own tap, and the three kernels and biases are added (in float32, as the
RepVGG code does). The training-time block is read by ``symconv.from_torch`` through ``torch.fx``
(the ``+`` of the branches is a sum), and the merge is proved within ``atol=1e-5`` for every input
size and every input with ``|x| <= 1``, with the exact worst-case gain of the difference.

Run: python examples/repvgg_merge.py
"""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

import symconv


class RepVGGBlock(nn.Module):
    """The training-time block: ``bn3(conv3(x)) + bn1(conv1(x)) + bn_id(x)`` (stride 1, C in = C out)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv3, self.bn3 = nn.Conv2d(channels, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels)
        self.conv1, self.bn1 = nn.Conv2d(channels, channels, 1, bias=False), nn.BatchNorm2d(channels)
        self.bn_id = nn.BatchNorm2d(channels)

    def forward(self, x):
        return self.bn3(self.conv3(x)) + self.bn1(self.conv1(x)) + self.bn_id(x)


def trained_block(channels: int = 2, seed: int = 0) -> RepVGGBlock:
    """A block whose batch norms have running statistics as after training, in eval mode."""
    torch.manual_seed(seed)
    block = RepVGGBlock(channels)
    with torch.no_grad():
        for bn in (block.bn3, block.bn1, block.bn_id):
            bn.running_mean.normal_()
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.normal_()
            bn.bias.normal_()
    return block.eval()


def _fold(kernel: torch.Tensor, bn: nn.BatchNorm2d) -> tuple[torch.Tensor, torch.Tensor]:
    """``(W * gamma / std, beta - mean * gamma / std)``: a batch norm folded into the kernel before it."""
    std = (bn.running_var + bn.eps).sqrt()
    return kernel * (bn.weight / std).reshape(-1, 1, 1, 1), bn.bias - bn.running_mean * bn.weight / std


def merged_conv(block: RepVGGBlock) -> nn.Conv2d:
    """The deploy-time 3x3 convolution (RepVGG's ``get_equivalent_kernel_bias``)."""
    channels = block.conv3.weight.shape[0]
    identity = torch.zeros(channels, channels, 3, 3)
    for c in range(channels):
        identity[c, c, 1, 1] = 1
    k3, b3 = _fold(block.conv3.weight, block.bn3)
    k1, b1 = _fold(F.pad(block.conv1.weight, [1, 1, 1, 1]), block.bn1)
    k_id, b_id = _fold(identity, block.bn_id)
    conv = nn.Conv2d(channels, channels, 3, padding=1)
    with torch.no_grad():
        conv.weight.copy_(k3 + k1 + k_id)
        conv.bias.copy_(b3 + b1 + b_id)
    return conv.eval()


def main() -> dict:
    block = trained_block()
    merged = merged_conv(block)
    proof = symconv.prove(block, merged, atol="1e-5")
    print(f"RepVGG block == merged 3x3 conv within atol=1e-5: {proof.verdict}")
    print(f"  {proof.steps[2].statement}")
    exact = symconv.prove(block, merged)
    print(f"exactly (no tolerance): {exact.verdict}")
    return {"within": proof.verdict, "exact": exact.verdict, "proof": proof}


if __name__ == "__main__":
    main()
