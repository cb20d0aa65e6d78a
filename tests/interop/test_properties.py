"""Property: a random small model with integer weights is proved equal to itself, and a one-tap mutation is
refuted with a counterexample that torch confirms (both outputs, and that they differ)."""

from __future__ import annotations

import copy
import random

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import symconv  # noqa: E402
from symconv import from_torch  # noqa: E402

#: Nonzero integer weights: a product of nonzero polynomials is nonzero, so every tap is visible in the output.
WEIGHTS = torch.tensor([-2.0, -1.0, 1.0, 2.0])


class _Residual(nn.Module):
    def __init__(self, body: nn.Module):
        super().__init__()
        self.body = body

    def forward(self, x):
        return x + self.body(x)


def _layer(r: random.Random, channels: int, transposed: bool) -> tuple[nn.Module, int]:
    out = r.choice([1, 2])
    k = r.randint(1, 3)
    if transposed:
        stride = r.randint(1, 2)
        return nn.ConvTranspose1d(channels, out, k, stride=stride, padding=r.randint(0, (k - 1) // 2),
                                  bias=r.random() < 0.5), out
    if r.random() < 0.3:
        body = nn.Conv1d(channels, channels, 3, padding=1, bias=r.random() < 0.5)
        return _Residual(body), channels
    return nn.Conv1d(channels, out, k, stride=r.randint(1, 2), padding=r.randint(0, 1),
                     dilation=r.randint(1, 2), bias=r.random() < 0.5), out


def random_model(seed: int) -> nn.Module:
    """One to three 1-D layers (all convolutions or all transposed), integer weights in {-2, -1, 1, 2}."""
    r = random.Random(seed)
    generator = torch.Generator().manual_seed(seed)
    transposed = seed % 3 == 2
    channels, layers = r.choice([1, 2]), []
    for _ in range(r.randint(1, 3)):
        layer, channels = _layer(r, channels, transposed)
        layers.append(layer)
    if not transposed and r.random() < 0.3:
        layers.append(nn.AvgPool1d(2))
    model = nn.Sequential(*layers)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(WEIGHTS[torch.randint(0, 4, p.shape, generator=generator)])
    return model


def mutate_one_tap(model: nn.Module, seed: int) -> nn.Module:
    """A copy of ``model`` with one weight entry increased by 1."""
    r = random.Random(seed + 1000)
    mutated = copy.deepcopy(model)
    weights = [p for name, p in mutated.named_parameters() if name.endswith("weight")]
    weight = r.choice(weights)
    index = tuple(r.randrange(size) for size in weight.shape)
    with torch.no_grad():
        weight[index] += 1
    return mutated


def _run(model: nn.Module, x) -> list:
    with torch.no_grad():
        return copy.deepcopy(model).double()(torch.tensor([x], dtype=torch.float64))[0].tolist()


@pytest.mark.parametrize("seed", range(10))
def test_random_integer_model_is_proved_equal_to_itself(seed):
    model = random_model(seed)
    assert symconv.prove(from_torch(model), from_torch(model)).verdict == "proved"


@pytest.mark.parametrize("seed", range(10))
def test_one_tap_mutation_is_refuted_with_a_counterexample_torch_confirms(seed):
    model = random_model(seed)
    proof = symconv.prove(from_torch(model), from_torch(mutate_one_tap(model, seed)))
    assert proof.verdict == "refuted", proof
    example = proof.counterexample
    lhs, rhs = _run(model, example.input), _run(mutate_one_tap(model, seed), example.input)
    assert lhs == [[float(v) for v in row] for row in example.lhs]
    assert rhs == [[float(v) for v in row] for row in example.rhs]
    assert lhs != rhs
