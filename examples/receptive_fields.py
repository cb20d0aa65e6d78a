"""Receptive field, stride and effective padding of a VGG-16 feature extractor and a ResNet-18 stem.

Both are written here as modules (no download). ``symconv.derive`` reads them through
``symconv.from_torch`` and gives, per axis, the receptive field of one output, the product of the
strides and the effective padding (in input samples, as in the receptive-field literature). The
weights do not matter for this arithmetic, so they are read as symbols (``weights="symbolic"``),
which is quicker than converting millions of float32 weights to exact rationals.

Run: python examples/receptive_fields.py
"""

from __future__ import annotations

import torch.nn as nn

import symconv

#: VGG-16's feature extractor (configuration "D" of Simonyan and Zisserman): channels, "M" a 2x2 max-pool.
VGG16 = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]


def vgg16_features() -> nn.Sequential:
    layers, channels = [], 3
    for v in VGG16:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(*layers)


class ResNetStem(nn.Module):
    """ResNet-18 up to its first residual stage: 7x7/2 convolution, batch norm, ReLU, 3x3/2 max-pool."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)

    def forward(self, x):
        return self.maxpool(self.relu(self.bn1(self.conv1(x))))


def arithmetic(model: nn.Module) -> dict:
    """Receptive field, stride and effective padding of ``model``, per axis."""
    derivation = symconv.derive(symconv.from_torch(model.eval(), weights="symbolic"))
    return {"receptive_field": derivation.receptive_field, "stride": derivation.stride,
            "padding": derivation.padding}


def main() -> dict:
    results = {"vgg16_features": arithmetic(vgg16_features()), "resnet18_stem": arithmetic(ResNetStem())}
    for name, r in results.items():
        print(f"{name}: receptive field {r['receptive_field']}, stride {r['stride']}, "
              f"effective padding {r['padding']}")
    return results


if __name__ == "__main__":
    main()
