"""ZeroPad/ConstantPad modules and F.pad in traced code: from_torch gives the layers torch computes.

PyTorch's pad tuple lists (left, right) pairs from the last axis back and crops where an entry is
negative; symconv's ``pad``/``crop`` take per-axis tuples in axis order (``pad(before, after)``).
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

import symconv  # noqa: E402
from symconv import from_torch  # noqa: E402
from symconv.errors import UnsupportedModule  # noqa: E402
from symconv.interop.modules import SUPPORTED  # noqa: E402


class _Pad(nn.Module):
    """``F.pad(x, pad, **options)``, after a 1x1 convolution that fixes the number of axes."""

    def __init__(self, ndim: int, pad: tuple, **options):
        super().__init__()
        self.c = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[ndim - 1](1, 1, 1, bias=False)
        with torch.no_grad():
            self.c.weight.fill_(1.0)
        self.pad, self.options = pad, options

    def forward(self, x):
        return F.pad(self.c(x), self.pad, **self.options)


def _input(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(-5, 6, size=(2, *shape)).astype(float)


#: (module, expected symconv layer, input shape); negative entries crop, as in torch
MODULES = {
    "zero1d": (lambda: nn.ZeroPad1d(2), "pad(2)", (4,)),
    "zero1d_asymmetric": (lambda: nn.ZeroPad1d((0, 3)), "pad(0, 3)", (4,)),
    "zero1d_negative": (lambda: nn.ZeroPad1d((-1, 2)), "crop(1, 0) >> pad(0, 2)", (4,)),
    "constant1d": (lambda: nn.ConstantPad1d((1, -2), 0.0), "crop(0, 2) >> pad(1, 0)", (5,)),
    "zero2d": (lambda: nn.ZeroPad2d(1), "pad((1, 1))", (3, 4)),
    "zero2d_last_axis_first": (lambda: nn.ZeroPad2d((1, 2, 3, 0)), "pad((3, 1), (0, 2))", (3, 4)),
    "zero2d_negative": (lambda: nn.ZeroPad2d((-1, 0, 2, -2)), "crop((0, 1), (2, 0)) >> pad((2, 0), (0, 0))",
                        (4, 5)),
    "constant2d": (lambda: nn.ConstantPad2d((0, 1, 2, 3), 0), "pad((2, 0), (3, 1))", (2, 3)),
    "zero3d": (lambda: nn.ZeroPad3d((1, 0, 0, 2, 3, 1)), "pad((3, 0, 1), (1, 2, 0))", (2, 3, 2)),
    "constant3d_negative": (lambda: nn.ConstantPad3d((-1, 1, 0, 0, 1, -1), 0.0),
                            "crop((0, 0, 1), (1, 0, 0)) >> pad((1, 0, 0), (0, 0, 1))", (3, 2, 4)),
}


@pytest.mark.parametrize("case", sorted(MODULES))
def test_zero_and_constant_pad_modules_are_pad_and_crop_per_axis_and_agree_with_torch(case, agree):
    build, expected, shape = MODULES[case]
    module = build()
    layer = from_torch(nn.Sequential(module))
    assert repr(layer) == expected
    agree(module, layer, _input(shape))


#: (axes, F.pad's pad, expected layer after the 1x1 convolution, input shape)
FUNCTIONAL = {
    "1d": (1, (2, 1), "pad(2, 1)", (3,)),
    "1d_negative": (1, (-2, 1), "crop(2, 0) >> pad(0, 1)", (4,)),
    "2d_last_axis_only": (2, (1, 2), "pad((0, 1), (0, 2))", (3, 3)),
    "2d_both_axes": (2, (1, 0, 0, 2), "pad((0, 1), (2, 0))", (3, 2)),
    "2d_negative": (2, (0, -1, -1, 1), "crop((1, 0), (0, 1)) >> pad((0, 0), (1, 0))", (3, 4)),
    "3d": (3, (1, 1, 0, 2, 1, 0), "pad((1, 0, 1), (0, 2, 1))", (2, 2, 3)),
    "3d_negative": (3, (-1, 0, 0, 0, 0, -1), "crop((0, 0, 1), (1, 0, 0))", (3, 2, 3)),
}


@pytest.mark.parametrize("case", sorted(FUNCTIONAL))
def test_functional_pad_with_zeros_is_pad_and_crop_per_axis_and_agrees_with_torch(case, agree):
    ndim, pad, expected, shape = FUNCTIONAL[case]
    module = _Pad(ndim, pad)
    layer = from_torch(module)
    conv, padding = repr(from_torch(module, weights="symbolic")).split(" >> ", 1)
    assert (conv.startswith("conv"), padding) == (True, expected)
    agree(module, layer, _input(shape)[:1])


@pytest.mark.parametrize("options", [dict(mode="constant", value=0.0), dict(value=None), {}])
def test_functional_pad_takes_mode_constant_and_value_zero_given_or_by_default(options):
    assert repr(from_torch(_Pad(2, (1, 1), **options), weights="symbolic")) == "conv2d(c[1, 1]) >> pad((0, 1))"


def test_positional_mode_and_value_and_torch_constant_pad_nd_are_read_too(agree):
    class Net(nn.Module):
        def forward(self, x):
            return torch.constant_pad_nd(F.pad(x, (1, 0, 0, 1), "constant", 0), (0, -1))

    layer = from_torch(Net())
    assert repr(layer) == "pad((0, 1), (1, 0)) >> crop((0, 0), (0, 1))"
    agree(Net(), layer, _input((3, 3)))


def test_a_model_of_paddings_alone_takes_its_axes_from_the_widest_pad(agree):
    class Net(nn.Module):
        def forward(self, x):
            return F.pad(F.pad(x, (1, 1)), (0, 0, 2, 0))

    layer = from_torch(Net())
    assert repr(layer) == "pad((0, 1)) >> pad((2, 0), (0, 0))"
    agree(Net(), layer, _input((2, 3)))


def test_zero_padding_of_zero_width_is_the_identity():
    assert repr(from_torch(nn.Sequential(nn.Conv2d(1, 1, 1, bias=False), nn.ZeroPad2d(0)),
                           weights="symbolic")) == "conv2d(m0[1, 1])"
    assert repr(from_torch(nn.ZeroPad3d(0))) == "pad((0, 0, 0))"


def _message(path: str, module_type: str, reason: str) -> str:
    where = f"module {path!r}" if path else "the model itself"
    return f"from_torch: {where} ({module_type}) {reason}; supported: {SUPPORTED}"


REFUSED = {
    "constant_value": (lambda: nn.Sequential(nn.ConstantPad2d(1, 2.5)), "0", "ConstantPad2d",
                       "has value=2.5; symconv pads with zeros only (value=0)"),
    "constant_value_3d": (lambda: nn.ConstantPad3d(1, -1.0), "", "ConstantPad3d",
                          "has value=-1.0; symconv pads with zeros only (value=0)"),
    "reflect": (lambda: _Pad(2, (1, 1), mode="reflect"), "", "_Pad",
                "calls torch.nn.functional.pad with mode='reflect'; symconv pads with zeros only "
                "(mode='constant', value=0)"),
    "replicate": (lambda: _Pad(1, (1, 1), mode="replicate"), "", "_Pad",
                  "calls torch.nn.functional.pad with mode='replicate'; symconv pads with zeros only "
                  "(mode='constant', value=0)"),
    "circular": (lambda: _Pad(3, (1, 1), mode="circular"), "", "_Pad",
                 "calls torch.nn.functional.pad with mode='circular'; symconv pads with zeros only "
                 "(mode='constant', value=0)"),
    "value": (lambda: _Pad(2, (1, 1), value=0.5), "", "_Pad",
              "calls torch.nn.functional.pad with value=0.5; symconv pads with zeros only (mode='constant', "
              "value=0)"),
    "odd_pad": (lambda: _Pad(2, (1, 1, 1)), "", "_Pad",
                "calls torch.nn.functional.pad with pad=(1, 1, 1), an odd number of entries; expected (left, "
                "right) pairs, last axis first"),
    "channel_axis": (lambda: _Pad(1, (1, 1, 1, 1)), "", "_Pad",
                     "calls torch.nn.functional.pad with pad=(1, 1, 1, 1), which pads 2 axes; the model's signals "
                     "have 1 spatial axes, and symconv cannot pad the batch or channel axis"),
    "float_pad": (lambda: _Pad(1, (1.5, 1)), "", "_Pad",
                  "calls torch.nn.functional.pad with pad=(1.5, 1); expected a tuple of ints (left, right pairs, "
                  "last axis first)"),
    "mixed_dimensions": (lambda: nn.Sequential(nn.ZeroPad2d(1), nn.Conv1d(1, 1, 1)), "", "Sequential",
                         "mixes layers of different dimensions ('1' is 1-D, '0' is 2-D)"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_padding_other_than_zeros_is_refused_naming_the_mode_or_value(case):
    build, path, module_type, reason = REFUSED[case]
    with pytest.raises(UnsupportedModule) as caught:
        from_torch(build())
    assert str(caught.value) == _message(path, module_type, reason)


def _same_weights(channels: int, layers: int, explicit: bool) -> nn.Sequential:
    torch.manual_seed(3)
    convs = [nn.Conv2d(channels, channels, 3, padding=1) for _ in range(layers)]
    if not explicit:
        return nn.Sequential(*convs)
    steps = []
    for conv in convs:
        plain = nn.Conv2d(channels, channels, 3)
        plain.load_state_dict(conv.state_dict())
        steps += [nn.ZeroPad2d(1), plain]
    return nn.Sequential(*steps)


def test_conv2d_padding_1_is_zero_pad_2d_then_an_unpadded_conv2d_for_every_input_size():
    proof = symconv.prove(_same_weights(2, 2, explicit=False), _same_weights(2, 2, explicit=True))
    assert proof.verdict == "proved"


def test_a_zero_pad_on_one_side_only_is_refuted_against_conv2d_padding_1():
    torch.manual_seed(3)
    conv = nn.Conv2d(1, 1, 3, padding=1)
    plain = nn.Conv2d(1, 1, 3)
    plain.load_state_dict(conv.state_dict())
    proof = symconv.prove(nn.Sequential(conv), nn.Sequential(nn.ZeroPad2d((1, 1, 2, 0)), plain))
    assert proof.verdict == "refuted"
