"""from_torch reads ``ceil_mode`` and ``count_include_pad``; symbolic weight names that share symbols are refused."""

from __future__ import annotations

import itertools
import re
from collections import OrderedDict

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from symconv import from_torch, prove  # noqa: E402
from symconv.errors import UnsupportedModule  # noqa: E402
from symconv.interop.modules import SUPPORTED  # noqa: E402

SHAPES = {1: [(3,), (5,), (8,)], 2: [(3, 4), (5, 7)], 3: [(3, 4, 5), (4, 4, 4)]}


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("ceil_mode, count_include_pad", list(itertools.product((False, True), (False, True))))
def test_avgpool_with_its_flags_agrees_with_torch(ndim, ceil_mode, count_include_pad, agree):
    kind = {1: nn.AvgPool1d, 2: nn.AvgPool2d, 3: nn.AvgPool3d}[ndim]
    module = kind(3, stride=2, padding=1, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
    layer = from_torch(module)
    assert (layer.ceil_mode, layer.count_include_pad) == (ceil_mode, count_include_pad)
    rng = np.random.default_rng(ndim)
    for shape in SHAPES[ndim]:
        agree(module, layer, rng.standard_normal((2, *shape)))


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_maxpool_with_ceil_mode_agrees_with_torch(ndim, agree):
    kind = {1: nn.MaxPool1d, 2: nn.MaxPool2d, 3: nn.MaxPool3d}[ndim]
    module = kind(2, stride=2, padding=1, ceil_mode=True)
    layer = from_torch(module)
    assert layer.ceil_mode is True
    rng = np.random.default_rng(ndim)
    for shape in SHAPES[ndim]:
        agree(module, layer, rng.standard_normal((1, *shape)))


def test_the_flags_appear_in_the_layer_text():
    assert repr(from_torch(nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False))) == \
        "avgpool2d(3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)"
    assert repr(from_torch(nn.MaxPool1d(3, ceil_mode=True))) == "maxpool(3, ceil_mode=True)"
    assert repr(from_torch(nn.AvgPool1d(3))) == "avgpool(3)"


def test_a_model_with_a_ceil_mode_pool_is_refuted_against_the_plain_pool_and_not_against_itself():
    model = nn.Sequential(nn.Conv1d(1, 1, 3, bias=False), nn.AvgPool1d(2, ceil_mode=True, count_include_pad=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[[1.0, 2.0, 1.0]]]))
    same = prove(model, "conv([1, 2, 1]) >> conv([1]) >> avgpool(2, ceil_mode=True, count_include_pad=False)")
    assert same.verdict in ("unknown", "proved") and (same.verdict == "unknown" or same.theorem is not None)
    assert prove(model, "conv([1, 2, 1]) >> avgpool(2)").verdict == "refuted"


def _message(path: str, module_type: str, name: str, other_name: str, other: str) -> str:
    return (f"from_torch: module {path!r} ({module_type}) has symbolic weights named {name!r}, which clash with "
            f"{other_name!r} of module {other!r} (a weight k owns k and every k_...); rename one of the two modules "
            f"or use weights='values'; supported: {SUPPORTED}")


@pytest.mark.parametrize("children, path, name, other_name, other", [
    # two paths that sanitize to one name
    ([("a_b", nn.Conv1d(1, 1, 3)), ("a", nn.Sequential(OrderedDict(b=nn.Conv1d(1, 1, 3))))],
     "a.b", "a_b", "a_b", "a_b"),
    # conv's taps are conv_0, conv_1, ...: a module conv_1 would share them
    ([("conv", nn.Conv1d(1, 1, 3)), ("relu", nn.ReLU()), ("conv_1", nn.Conv1d(1, 1, 3))],
     "conv_1", "conv_1", "conv", "conv"),
    # conv's bias is conv_b
    ([("conv", nn.Conv1d(1, 1, 3)), ("conv_b", nn.Conv1d(1, 1, 1))], "conv_b", "conv_b", "conv", "conv"),
    # a batch norm's scale bn_scale_0 against a module bn_scale
    ([("bn", nn.BatchNorm1d(1).eval()), ("bn_scale", nn.Conv1d(1, 1, 1))], "bn_scale", "bn_scale", "bn", "bn"),
])
def test_symbolic_names_that_would_share_symbols_are_refused_naming_both_modules(children, path, name, other_name,
                                                                                  other):
    model = nn.Sequential(OrderedDict(children))
    module_type = type(model.get_submodule(path)).__name__
    with pytest.raises(UnsupportedModule, match=re.escape(_message(path, module_type, name, other_name, other))):
        from_torch(model, weights="symbolic")
    from_torch(model)  # exact values carry no names


def test_names_that_only_share_a_prefix_and_a_module_called_twice_are_accepted():
    model = nn.Sequential(OrderedDict(conv1=nn.Conv1d(1, 1, 3), conv10=nn.Conv1d(1, 1, 3), pool=nn.MaxPool1d(2)))
    assert repr(from_torch(model, weights="symbolic")) == \
        "conv(conv1[3], bias=conv1_b) >> conv(conv10[3], bias=conv10_b) >> maxpool(2)"

    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.c = nn.Conv1d(1, 1, 3, bias=False)

        def forward(self, x):
            return self.c(self.c(x))

    assert repr(from_torch(Twice(), weights="symbolic")) == "conv(c[3]) >> conv(c[3])"
