"""PyTorch parity of ``l2pool2d``/``l2pool3d`` with ``lp_pool2d``/``lp_pool3d`` (``norm_type=2``) and of
``from_torch`` on ``nn.LPPool1d/2d/3d``.

PyTorch computes ``sqrt(K avg_pool{d}d(x^2, k, s, 0, ceil_mode))`` (``K = prod k``), so a last window that
``ceil_mode`` clips to q samples is scaled by ``K / q``. For every window, stride, ``ceil_mode`` and input shape
on a small grid, the length table, the numpy evaluator and the exact semantics give what torch gives; where
torch raises (an input smaller than one window; in 3-D with ``ceil_mode`` too) the length table decides and
both evaluators follow it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from symconv.core.layers_nd import l2pool2d, l2pool3d, output_shape
from symconv.core.semantics_nd import evaluate_nd
from symconv.errors import UnsupportedModule
from symconv.numeric.evaluate_nd import evaluate_nd_numeric

torch = pytest.importorskip("torch")
F = torch.nn.functional

SHAPES_2D = [(1, 1), (1, 4), (2, 3), (3, 2), (4, 5), (5, 7)]
#: (size, stride): stride None is the window, as PyTorch's default.
WINDOWS_2D = [(2, None), ((2, 3), (2, 2)), ((3, 2), (2, 1)), ((3, 3), (3, 2)), ((1, 2), (1, 3)), (3, 1)]


def _torch(run) -> np.ndarray | None:
    """torch's output as float64, or None where torch raises (symconv then gives an empty output)."""
    try:
        with torch.no_grad():
            return run().numpy()
    except RuntimeError:
        return None


def _exact_floats(layer, x: np.ndarray) -> np.ndarray:
    return np.array(evaluate_nd(layer, x.tolist()), dtype=object).astype(float)


def _agrees(layer, x: np.ndarray, theirs: np.ndarray | None) -> None:
    shape = x.shape[1:]
    ours = evaluate_nd_numeric(layer, x.astype(float))
    where = f"{layer!r} on {shape}"
    if theirs is None:  # torch raises (a 3-D input smaller than the window too): the table decides
        assert ours.shape[1:] == output_shape(layer, shape), where
        assert np.allclose(_exact_floats(layer, x).reshape(ours.shape), ours, rtol=1e-12, atol=1e-12), where
        return
    assert output_shape(layer, shape) == theirs.shape[1:] == ours.shape[1:], where
    assert np.allclose(ours, theirs, rtol=1e-12, atol=1e-12), where
    assert np.allclose(_exact_floats(layer, x), theirs, rtol=1e-12, atol=1e-12), where


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_l2pool2d_matches_lp_pool2d_in_shape_and_values(ceil_mode):
    for (size, stride), shape in itertools.product(WINDOWS_2D, SHAPES_2D):
        x = np.random.default_rng(sum(shape)).integers(-5, 6, size=(2, *shape))
        t = torch.tensor(x, dtype=torch.float64)[None]
        theirs = _torch(lambda: F.lp_pool2d(t, 2, size, stride, ceil_mode)[0])
        _agrees(l2pool2d(size, stride, ceil_mode), x, theirs)


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_l2pool3d_matches_lp_pool3d_in_shape_and_values(ceil_mode):
    windows = [(2, None), ((2, 1, 3), (1, 2, 2)), ((1, 2, 2), 2)]
    for (size, stride), shape in itertools.product(windows, [(1, 2, 3), (3, 4, 2), (4, 3, 5)]):
        x = np.random.default_rng(sum(shape)).integers(-5, 6, size=(1, *shape))
        t = torch.tensor(x, dtype=torch.float64)[None]
        theirs = _torch(lambda: F.lp_pool3d(t, 2, size, stride, ceil_mode)[0])
        _agrees(l2pool3d(size, stride, ceil_mode), x, theirs)


def test_a_ceil_mode_window_is_scaled_as_pytorch_scales_it():
    x = np.ones((1, 3, 3))
    theirs = F.lp_pool2d(torch.ones(1, 1, 3, 3, dtype=torch.float64), 2, 2, ceil_mode=True)[0].numpy()
    assert theirs.tolist() == [[[2.0, 2.0], [2.0, 2.0]]]  # sqrt(4 / q * q): every window gives 2
    assert evaluate_nd_numeric(l2pool2d(2, ceil_mode=True), x).tolist() == theirs.tolist()
    assert evaluate_nd(l2pool2d(2, ceil_mode=True), x.astype(int).tolist()) == (((2, 2), (2, 2)),)


@pytest.mark.parametrize("module, expected", [
    (lambda nn: nn.LPPool2d(2, 3, stride=2, ceil_mode=True), "l2pool2d(3, stride=2, ceil_mode=True)"),
    (lambda nn: nn.LPPool2d(2.0, (2, 3)), "l2pool2d((2, 3))"),
    (lambda nn: nn.LPPool3d(2, (2, 1, 2), stride=1), "l2pool3d((2, 1, 2), stride=1)"),
    (lambda nn: nn.LPPool1d(2, 3), "l2pool(3)"),
])
def test_from_torch_reads_lppool_with_norm_2_as_l2pool(module, expected):
    import symconv

    assert repr(symconv.from_torch(module(torch.nn))) == expected


def test_from_torch_of_an_lppool2d_model_agrees_with_torch():
    import symconv

    model = torch.nn.Sequential(torch.nn.Conv2d(1, 1, 2, bias=False), torch.nn.LPPool2d(2, 2, ceil_mode=True))
    model = model.double().eval()
    x = np.random.default_rng(3).integers(-4, 5, size=(1, 5, 6)).astype(float)
    with torch.no_grad():
        theirs = model(torch.tensor(x)[None])[0].numpy()
    assert np.allclose(evaluate_nd_numeric(symconv.from_torch(model), x), theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("module, reason", [
    (lambda nn: nn.LPPool2d(3, 2), r"has norm_type=3; symconv's l2pool is the norm_type=2 case only"),
    (lambda nn: nn.LPPool3d(1, 2), r"has norm_type=1; symconv's l2pool is the norm_type=2 case only"),
    (lambda nn: nn.LPPool1d(2, 2, ceil_mode=True),
     r"has ceil_mode=True, which symconv's 1-D l2pool does not take; use ceil_mode=False"),
])
def test_from_torch_refuses_other_lppool_norms_with_a_clear_error(module, reason):
    import symconv

    with pytest.raises(UnsupportedModule, match=r"^from_torch: the model itself \(LPPool[123]d\) " + reason):
        symconv.from_torch(module(torch.nn))
