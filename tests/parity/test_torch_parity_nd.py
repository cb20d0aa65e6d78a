"""PyTorch parity of the N-D layers in 2-D and 3-D: conv, conv_transpose, avg/max pooling with per-axis stride,
padding, dilation, output_padding and groups, for the numpy evaluator (float64 and exact) and the core's exact
semantics. Seeded random configurations, small sizes."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from symconv.core.kernel import literal
from symconv.core.layers_nd import (
    avgpool2d, avgpool3d, conv2d, conv3d, conv_transpose2d, conv_transpose3d, maxpool2d, maxpool3d, output_shape,
)
from symconv.core.semantics_nd import SignalNd, run_nd
from symconv.dsl import parse_chain
from symconv.numeric.evaluate_nd import evaluate_nd_numeric

torch = pytest.importorskip("torch")
F = torch.nn.functional

CONV = {2: conv2d, 3: conv3d}
TRANSPOSED = {2: conv_transpose2d, 3: conv_transpose3d}
AVG = {2: (avgpool2d, F.avg_pool2d), 3: (avgpool3d, F.avg_pool3d)}
MAX = {2: (maxpool2d, F.max_pool2d), 3: (maxpool3d, F.max_pool3d)}


def _axes(rng: np.random.Generator, d: int, low: int, high: int) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(low, high + 1, size=d))


def _core(layer, x: np.ndarray) -> np.ndarray:
    """The core's exact semantics on an integer input, as floats."""
    values = {index: sympy.Integer(int(v)) for index, v in np.ndenumerate(x) if v}
    out = run_nd(layer, SignalNd(x.shape[0], x.shape[1:], values))
    result = np.zeros((out.channels,) + out.shape)
    for index, v in out.values.items():
        result[index] = float(v)
    return result


def _conv_case(seed: int, d: int):
    rng = np.random.default_rng(seed)
    groups = int(rng.choice([1, 2]))
    per_in, per_out = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    size = _axes(rng, d, 1, 3)
    stride, dilation, padding = _axes(rng, d, 1, 2), _axes(rng, d, 1, 2), _axes(rng, d, 0, 2)
    w = rng.integers(-3, 4, size=(groups * per_out, per_in) + size)
    b = rng.integers(-3, 4, size=groups * per_out)
    shape = tuple(max(s, dil * (k - 1) + 1 - 2 * p) + int(rng.integers(0, 3))
                  for s, dil, k, p in zip(_axes(rng, d, 1, 3), dilation, size, padding))
    x = rng.integers(-4, 5, size=(groups * per_in,) + shape)
    layer = CONV[d](literal(w.tolist(), d), stride, padding, dilation, groups, bias=b.tolist())
    want = F.__dict__[f"conv{d}d"](torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
                                   torch.tensor(b, dtype=torch.float64), stride, padding, dilation, groups)[0].numpy()
    return layer, x, want


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_conv_with_groups_matches_torch_in_both_evaluators(d, seed):
    layer, x, want = _conv_case(seed, d)
    assert parse_chain(repr(layer)) == layer
    np.testing.assert_array_equal(evaluate_nd_numeric(layer, x), want)
    assert (evaluate_nd_numeric(layer, x.astype(object), exact=True).astype(float) == want).all()
    if seed < 3:
        np.testing.assert_array_equal(_core(layer, x), want)


def _transposed_case(seed: int, d: int):
    """A random conv_transpose with a non-empty output (torch refuses an empty one)."""
    rng = np.random.default_rng(100 + seed)
    while True:
        groups = int(rng.choice([1, 2]))
        per_in, per_out = int(rng.integers(1, 3)), int(rng.integers(1, 3))
        size = _axes(rng, d, 1, 3)
        stride, dilation, padding = _axes(rng, d, 1, 3), _axes(rng, d, 1, 2), _axes(rng, d, 0, 1)
        output_padding = tuple(int(rng.integers(0, max(s, dil))) for s, dil in zip(stride, dilation))
        w = rng.integers(-3, 4, size=(groups * per_in, per_out) + size)
        b = rng.integers(-3, 4, size=groups * per_out)
        shape = _axes(rng, d, 1, 3)
        x = rng.integers(-4, 5, size=(groups * per_in,) + shape)
        layer = TRANSPOSED[d](literal(w.tolist(), d), stride, padding, output_padding, dilation, groups,
                              bias=b.tolist())
        if 0 not in output_shape(layer, shape):
            break
    want = F.__dict__[f"conv_transpose{d}d"](
        torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64),
        torch.tensor(b, dtype=torch.float64), stride, padding, output_padding, groups, dilation)[0].numpy()
    return layer, x, want


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_conv_transpose_with_output_padding_and_groups_matches_torch(d, seed):
    layer, x, want = _transposed_case(seed, d)
    assert parse_chain(repr(layer)) == layer
    np.testing.assert_array_equal(evaluate_nd_numeric(layer, x), want)
    if seed < 3:
        np.testing.assert_array_equal(_core(layer, x), want)


@pytest.mark.parametrize("d", [2, 3])
@pytest.mark.parametrize("seed", range(6))
def test_avg_and_max_pooling_match_torch(d, seed):
    rng = np.random.default_rng(200 + seed)
    size = _axes(rng, d, 1, 3)
    stride = _axes(rng, d, 1, 3)
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in size)
    dilation = _axes(rng, d, 1, 2)
    shape = tuple(dil * (k - 1) + 1 + int(rng.integers(0, 3)) for k, dil in zip(size, dilation))
    x = rng.integers(-4, 5, size=(2,) + shape)
    tx = torch.tensor(x[None], dtype=torch.float64)
    build, reference = AVG[d]
    avg = build(size, stride, padding)
    avg_want = reference(tx, size, stride, padding, count_include_pad=True)[0].numpy()
    np.testing.assert_allclose(evaluate_nd_numeric(avg, x), avg_want, rtol=1e-12)
    assert parse_chain(repr(avg)) == avg
    build, reference = MAX[d]
    pool = build(size, stride, padding, dilation)
    want = reference(tx, size, stride, padding, dilation)[0].numpy()
    np.testing.assert_array_equal(evaluate_nd_numeric(pool, x), want)
    assert parse_chain(repr(pool)) == pool
    if seed < 2:
        np.testing.assert_allclose(_core(avg, x), avg_want, rtol=1e-12)
        np.testing.assert_array_equal(_core(pool, x), want)


def test_depthwise_conv3d_reads_one_channel_per_output():
    w = np.arange(1, 3 * 8 + 1).reshape(3, 1, 2, 2, 2)
    layer = conv3d(literal(w.tolist(), 3), groups=3)
    x = np.random.default_rng(5).integers(-3, 4, size=(3, 3, 3, 3))
    want = F.conv3d(torch.tensor(x[None], dtype=torch.float64), torch.tensor(w, dtype=torch.float64), groups=3)
    np.testing.assert_array_equal(evaluate_nd_numeric(layer, x), want[0].numpy())
    assert layer.in_channels == 3 and layer.out_channels(3) == 3
