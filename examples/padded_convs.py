"""``Conv2d(padding=1)`` is ``ZeroPad2d(1)`` followed by an unpadded ``Conv2d``, layer by layer, for every input size.

``nn.Conv2d(C, C, 3, padding=1)`` pads its input with one zero on every side and then correlates, so a stack
of them computes exactly what the same weights compute after explicit ``nn.ZeroPad2d(1)`` modules:

    conv2d(W, padding=1) = pad((1, 1)) >> conv2d(W).

``padded_convs()`` is three such layers (8 channels, seeded weights); ``explicit_pads()`` the same weights
with explicit pads. symconv reads both exactly (every float32 weight is a dyadic rational) and proves the
identity for every input size:

    symconv prove --torch examples/padded_convs.py:padded_convs examples/padded_convs.py:explicit_pads

``main()`` proves the same identity for a smaller stack (2 channels, 2 layers) and refutes a pad on the
wrong side (``ZeroPad2d((2, 0, 1, 1))``: two zeros on the left, none on the right).

Run: python examples/padded_convs.py
"""

from __future__ import annotations

import torch
import torch.nn as nn

import symconv


def padded_convs(channels: int = 8, layers: int = 3, seed: int = 0) -> nn.Sequential:
    """``layers`` times ``nn.Conv2d(channels, channels, 3, padding=1)``, weights from ``torch.manual_seed(seed)``."""
    torch.manual_seed(seed)
    return nn.Sequential(*(nn.Conv2d(channels, channels, 3, padding=1) for _ in range(layers))).eval()


def explicit_pads(channels: int = 8, layers: int = 3, seed: int = 0, pad: object = 1) -> nn.Sequential:
    """The weights of :func:`padded_convs`, each layer as ``nn.ZeroPad2d(pad)`` + ``nn.Conv2d(C, C, 3)``."""
    steps = []
    for padded in padded_convs(channels, layers, seed):
        conv = nn.Conv2d(channels, channels, 3)
        conv.load_state_dict(padded.state_dict())
        steps += [nn.ZeroPad2d(pad), conv]
    return nn.Sequential(*steps).eval()


def main() -> dict:
    small = dict(channels=2, layers=2)
    proof = symconv.prove(padded_convs(**small), explicit_pads(**small))
    print(f"Conv2d(padding=1) x 2 == (ZeroPad2d(1) + Conv2d) x 2: {proof.verdict}")
    wrong = symconv.prove(padded_convs(**small), explicit_pads(**small, pad=(2, 0, 1, 1)))
    print(f"with ZeroPad2d((2, 0, 1, 1)) instead: {wrong.verdict} (at input size {wrong.counterexample.n})")
    return {"explicit_pads": proof.verdict, "wrong_side": wrong.verdict}


if __name__ == "__main__":
    main()
