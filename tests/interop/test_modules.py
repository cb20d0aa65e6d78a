"""Every supported module: the symconv layer from_torch gives computes what torch computes.

Random configurations (seeded, small), each on several input sizes; weights
are torch's float32 initialisation read exactly, so symconv (float64 over
exact weights) and the module made float64 differ only by rounding.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from symconv import from_torch  # noqa: E402


def _input(rng: np.random.Generator, channels: int, shape: tuple[int, ...], integer: bool = False) -> np.ndarray:
    if integer:
        return rng.integers(-3, 4, size=(channels, *shape)).astype(float)
    return rng.standard_normal((channels, *shape))


def _conv_config(r: random.Random, transposed: bool, ndim: int) -> dict:
    groups = r.choice([1, 1, 2])
    config = dict(in_channels=groups * r.choice([1, 2]), out_channels=groups * r.choice([1, 2]), groups=groups,
                  kernel_size=tuple(r.randint(1, 3) for _ in range(ndim)),
                  stride=tuple(r.randint(1, 3) for _ in range(ndim)),
                  dilation=tuple(r.randint(1, 2) for _ in range(ndim)), bias=r.random() < 0.7)
    if transposed:
        config["padding"] = tuple(r.randint(0, 1) for _ in range(ndim))
        config["output_padding"] = tuple(r.randint(0, max(s, d) - 1) for s, d in zip(config["stride"],
                                                                                    config["dilation"]))
    else:
        config["padding"] = r.choice([0, 1, 2, "valid", "same", tuple(r.randint(0, 2) for _ in range(ndim))])
        if config["padding"] == "same":
            config["stride"] = 1
    return config


def _sizes(ndim: int, count: int, low: int = 7) -> list[tuple[int, ...]]:
    r = random.Random(ndim * 100 + count)
    return [tuple(r.randint(low, low + 5) for _ in range(ndim)) for _ in range(count)]


@pytest.mark.parametrize("seed", range(12))
def test_conv1d_with_every_argument_agrees_with_torch(seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    torch.manual_seed(seed)
    module = nn.Conv1d(**_conv_config(r, False, 1))
    layer = from_torch(module)
    for (n,) in _sizes(1, 3):
        agree(module, layer, _input(rng, module.in_channels, (n,)))


@pytest.mark.parametrize("seed", range(12))
def test_conv_transpose1d_with_every_argument_agrees_with_torch(seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    torch.manual_seed(seed)
    module = nn.ConvTranspose1d(**_conv_config(r, True, 1))
    layer = from_torch(module)
    for (n,) in _sizes(1, 3, low=2):
        agree(module, layer, _input(rng, module.in_channels, (n,)))


@pytest.mark.parametrize("seed", range(5))
def test_conv2d_with_every_argument_agrees_with_torch(seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    torch.manual_seed(seed)
    module = nn.Conv2d(**_conv_config(r, False, 2))
    layer = from_torch(module)
    for shape in _sizes(2, 2):
        agree(module, layer, _input(rng, module.in_channels, shape, integer=True))


@pytest.mark.parametrize("seed", range(4))
def test_conv_transpose2d_with_every_argument_agrees_with_torch(seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    torch.manual_seed(seed)
    module = nn.ConvTranspose2d(**_conv_config(r, True, 2))
    layer = from_torch(module)
    for shape in _sizes(2, 2, low=2):
        agree(module, layer, _input(rng, module.in_channels, shape, integer=True))


@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("seed", range(3))
def test_maxpool_agrees_with_torch(ndim, seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    size = tuple(r.randint(1, 3) for _ in range(ndim))
    kind = nn.MaxPool1d if ndim == 1 else nn.MaxPool2d
    module = kind(size if ndim > 1 else size[0], stride=r.randint(1, 3), padding=r.randint(0, min(size) // 2),
                  dilation=r.randint(1, 2))
    layer = from_torch(module)
    for shape in _sizes(ndim, 3):
        agree(module, layer, _input(rng, 2, shape, integer=ndim > 1))


@pytest.mark.parametrize("ndim", [1, 2])
@pytest.mark.parametrize("seed", range(3))
def test_avgpool_agrees_with_torch(ndim, seed, agree):
    r, rng = random.Random(seed), np.random.default_rng(seed)
    size = tuple(r.randint(1, 3) for _ in range(ndim))
    kind = nn.AvgPool1d if ndim == 1 else nn.AvgPool2d
    padding = r.randint(0, min(size) // 2)
    module = kind(size if ndim > 1 else size[0], stride=r.randint(1, 3), padding=padding,
                  count_include_pad=True if padding else r.random() < 0.5)
    layer = from_torch(module)
    for shape in _sizes(ndim, 3):
        agree(module, layer, _input(rng, 2, shape, integer=ndim > 1))


def _batch_norm(kind, channels: int, seed: int):
    torch.manual_seed(seed)
    module = kind(channels, eps=[1e-5, 1e-3][seed % 2], affine=seed % 3 != 2)
    with torch.no_grad():
        module.running_mean.normal_()
        module.running_var.uniform_(0.2, 3.0)
        if module.affine:
            module.weight.normal_()
            module.bias.normal_()
    return module.eval()


@pytest.mark.parametrize("seed", range(3))
def test_batch_norm_agrees_with_torch(seed, agree):
    rng = np.random.default_rng(seed)
    agree(m := _batch_norm(nn.BatchNorm1d, 3, seed), from_torch(m), _input(rng, 3, (9,)), rtol=1e-6, atol=1e-6)
    agree(m := _batch_norm(nn.BatchNorm2d, 2, seed), from_torch(m), _input(rng, 2, (4, 5), integer=True),
          rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("seed", range(3))
def test_batch_norm_is_torch_float32_computation_before_its_final_rounding(seed):
    """torch's CPU kernel computes fma(x, scale, shift) in float32: our exact affine, rounded once."""
    import symconv

    module = _batch_norm(nn.BatchNorm1d, 4, seed)
    x = torch.randn(1, 4, 50, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        expected = module(x)[0].numpy()
    exact = symconv.evaluate_numeric(from_torch(module), x[0].double().numpy(), exact=True)
    rounded = np.array([[np.float32(float(v)) for v in row] for row in exact])
    assert (rounded == expected).all()


def test_relu_module_functional_and_method_agree_with_torch(agree):
    class Three(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(2, 2, 3)
            self.act = nn.ReLU(inplace=True)

        def forward(self, x):
            return torch.nn.functional.relu(self.act(self.conv(x))).relu()

    torch.manual_seed(0)
    module = Three()
    layer = from_torch(module)
    assert repr(layer).count("relu()") == 3
    agree(module, layer, np.random.default_rng(0).standard_normal((2, 11)))


def test_identity_and_dropout_in_eval_mode_are_the_identity(agree):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Dropout(0.5), nn.Conv1d(1, 2, 2), nn.Identity(), nn.Dropout(0.1)).eval()
    layer = from_torch(module)
    assert repr(layer).startswith("conv(") and ">>" not in repr(layer)
    agree(module, layer, np.random.default_rng(1).standard_normal((1, 8)))


def test_a_model_of_identities_is_pad_zero():
    assert repr(from_torch(nn.Sequential(nn.Identity(), nn.Dropout().eval()))) == "pad(0)"


@pytest.mark.parametrize("seed", range(4))
def test_residual_block_x_plus_f_x_agrees_with_torch(seed, agree):
    class Residual(nn.Module):
        def __init__(self, ndim: int):
            super().__init__()
            conv, bn = (nn.Conv1d, nn.BatchNorm1d) if ndim == 1 else (nn.Conv2d, nn.BatchNorm2d)
            self.conv1, self.bn1 = conv(2, 2, 3, padding=1, bias=False), bn(2)
            self.conv2 = conv(2, 2, 3, padding=1)

        def forward(self, x):
            y = torch.relu(self.bn1(self.conv1(x)))
            return x + self.conv2(y)

    torch.manual_seed(seed)
    ndim = 1 + seed % 2
    module = Residual(ndim).eval()
    layer = from_torch(module)
    assert repr(layer).startswith("pad(0)" if ndim == 1 else "pad((0, 0))") or "+" in repr(layer)
    shape = (9,) if ndim == 1 else (5, 6)
    # torch's float64 copy recomputes the batch norm's scale in float64; ours is the float32 one
    agree(module, layer, _input(np.random.default_rng(seed), 2, shape, integer=ndim == 2), rtol=1e-6, atol=1e-6)


def test_shared_prefix_of_two_branches_is_computed_once():
    class Fork(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem, self.a, self.b = nn.Conv1d(1, 1, 2), nn.Conv1d(1, 1, 3, padding=1), nn.Conv1d(1, 1, 1)

        def forward(self, x):
            y = self.stem(x)
            return self.a(y) + self.b(y)

    layer = from_torch(Fork(), weights="symbolic")
    assert repr(layer) == "conv(stem[2], bias=stem_b) >> (conv(a[3], padding=1, bias=a_b) + conv(b[1], bias=b_b))"


def test_three_dimensional_modules_use_the_core_3d_layers_or_say_they_are_missing(agree):
    from symconv.dsl_grammar import LAYERS
    from symconv.errors import UnsupportedModule

    torch.manual_seed(0)
    module = nn.Sequential(nn.Conv3d(1, 2, 2, padding=1), _batch_norm(nn.BatchNorm3d, 2, 0), nn.ReLU(),
                           nn.MaxPool3d(2), nn.ConvTranspose3d(2, 1, 2, stride=2), nn.AvgPool3d((1, 2, 1)))
    if "conv3d" not in LAYERS:
        with pytest.raises(UnsupportedModule, match=r"needs the layer conv3d\(\.\.\.\)"):
            from_torch(module)
        return
    layer = from_torch(module)
    assert repr(layer).startswith("conv3d(")
    agree(module, layer, _input(np.random.default_rng(0), 1, (3, 4, 3), integer=True), rtol=1e-6, atol=1e-6)


def test_functional_dropout_in_eval_mode_is_the_identity(agree):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv1d(1, 1, 2)

        def forward(self, x):
            return torch.nn.functional.dropout(self.conv(x), 0.5, self.training)

    torch.manual_seed(0)
    module = Net().eval()
    layer = from_torch(module)
    assert repr(layer).startswith("conv(") and ">>" not in repr(layer)
    agree(module, layer, np.random.default_rng(2).standard_normal((1, 6)))
