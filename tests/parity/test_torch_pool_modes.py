"""PyTorch parity of ``ceil_mode`` and ``count_include_pad=False`` pooling, every combination on a small grid.

For each size, stride, padding, (dilation), ``ceil_mode`` and ``count_include_pad`` and each input length
(shape), symconv's length table, the numeric evaluator (float64 and exact Fractions) and the exact
semantics give what ``torch.nn.functional.{avg,max}_pool{1,2,3}d`` gives; where torch raises (an input too
small for one window, an empty input, a 3-D input smaller than the window before padding) the length
table decides, and the evaluators follow it. The grid holds the lengths where
PyTorch drops a last ``ceil_mode`` window that would start in the right padding.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pytest

from symconv.core.layers import avgpool, maxpool
from symconv.core.layers_nd import avgpool2d, avgpool3d, maxpool2d, maxpool3d, output_shape
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate
from symconv.core.semantics_nd import evaluate_nd
from symconv.numeric import evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric

torch = pytest.importorskip("torch")
F = torch.nn.functional

FLAGS = list(itertools.product((False, True), (False, True)))  # (ceil_mode, count_include_pad)
#: (size, stride, padding) with padding <= size / 2, as PyTorch requires.
WINDOWS_1D = [(k, s, p) for k in range(1, 5) for s in range(1, 4) for p in range(k // 2 + 1)]


def _torch(run) -> np.ndarray | None:
    """torch's output as float64, or None where torch raises (symconv then gives an empty output)."""
    try:
        with torch.no_grad():
            return run().numpy()
    except RuntimeError:
        return None


def _input(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(-5, 6, size=n)


def _same(ours: np.ndarray, theirs: np.ndarray | None) -> bool:
    """Equal shapes and values; where torch raises, the table decides (checked against the lengths apart)."""
    if theirs is None:
        return True
    return ours.shape == theirs.shape and np.allclose(ours.astype(float), theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("ceil_mode, count_include_pad", FLAGS)
def test_avgpool_matches_avg_pool1d_in_length_and_values_for_every_window_and_length(ceil_mode, count_include_pad):
    for (size, stride, padding), n in itertools.product(WINDOWS_1D, range(0, 11)):
        x = _input(n, n)
        theirs = _torch(lambda: F.avg_pool1d(torch.tensor(x, dtype=torch.float64)[None, None], size, stride, padding,
                                             ceil_mode=ceil_mode, count_include_pad=count_include_pad)[0, 0])
        layer = avgpool(size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        where = f"{layer!r} at n = {n}"
        ours = evaluate_numeric(layer, x.astype(float))[0]
        assert output_length(layer, n) == len(ours if theirs is None else theirs), where
        assert _same(ours, theirs), where
        exact = evaluate_numeric(layer, [Fraction(int(v)) for v in x], exact=True)[0]
        assert all(isinstance(v, Fraction) for v in exact) and _same(exact, theirs), where


@pytest.mark.parametrize("ceil_mode", [False, True])
def test_maxpool_matches_max_pool1d_in_length_and_values_for_every_window_dilation_and_length(ceil_mode):
    for (size, stride, padding), dilation, n in itertools.product(WINDOWS_1D, (1, 2), range(0, 11)):
        x = _input(n, n)
        theirs = _torch(lambda: F.max_pool1d(torch.tensor(x, dtype=torch.float64)[None, None], size, stride, padding,
                                             dilation=dilation, ceil_mode=ceil_mode)[0, 0])
        layer = maxpool(size, stride, padding, dilation, ceil_mode=ceil_mode)
        where = f"{layer!r} at n = {n}"
        ours = evaluate_numeric(layer, x.astype(float))[0]
        assert output_length(layer, n) == len(ours if theirs is None else theirs), where
        assert _same(ours, theirs), where


@pytest.mark.parametrize("ceil_mode, count_include_pad", FLAGS)
def test_exact_semantics_of_both_pools_match_pytorch_on_the_small_grid(ceil_mode, count_include_pad):
    for (size, stride, padding), n in itertools.product([(2, 2, 1), (3, 2, 1), (3, 3, 0), (4, 3, 2)], range(0, 8)):
        x = _input(n, n + 1)
        signal = (tuple(int(v) for v in x),)
        t = torch.tensor(x, dtype=torch.float64)[None, None]
        avg = avgpool(size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        theirs = _torch(lambda: F.avg_pool1d(t, size, stride, padding, ceil_mode=ceil_mode,
                                             count_include_pad=count_include_pad)[0, 0])
        assert _same(np.array(evaluate(avg, signal)[0], dtype=object), theirs), f"{avg!r} at n = {n}"
        big = maxpool(size, stride, padding, ceil_mode=ceil_mode)
        theirs = _torch(lambda: F.max_pool1d(t, size, stride, padding, ceil_mode=ceil_mode)[0, 0])
        assert _same(np.array(evaluate(big, signal)[0], dtype=object), theirs), f"{big!r} at n = {n}"


def test_a_ceil_mode_window_that_would_start_in_the_right_padding_is_dropped_as_in_pytorch():
    # n = 3, size 2, stride 2, padding 1: floor((3 + 2 - 2 + 1) / 2) + 1 = 3 windows, but the third would
    # start at 4 >= n + p = 4, inside the right padding: PyTorch keeps 2.
    layer = avgpool(2, stride=2, padding=1, ceil_mode=True)
    theirs = F.avg_pool1d(torch.tensor([[[1.0, 2.0, 4.0]]], dtype=torch.float64), 2, 2, 1, ceil_mode=True)[0, 0]
    assert output_length(layer, 3) == len(theirs) == 2
    assert evaluate(layer, ((1, 2, 4),))[0] == (Fraction(1, 2), 3)


def test_the_last_ceil_mode_divisor_is_the_window_clipped_to_the_right_padding():
    # n = 4, size 3, stride 2, padding 1: the last window covers samples 3 and 4 (4 is right padding), so it
    # divides by 2 with the padding counted, by 1 without.
    x = ((1, 2, 4, 8),)
    assert evaluate(avgpool(3, 2, 1, ceil_mode=True), x)[0] == (1, Fraction(14, 3), 4)
    assert evaluate(avgpool(3, 2, 1, ceil_mode=True, count_include_pad=False), x)[0] == (Fraction(3, 2),
                                                                                         Fraction(14, 3), 8)


def test_an_empty_input_gives_zeros_with_the_padding_counted_and_nothing_without():
    # DESIGN section 1: the table holds at n = 0 (where torch raises); an average over no input sample is
    # undefined, so count_include_pad=False gives an empty output, as maxpool does.
    counted, excluded = avgpool(2, stride=2, padding=1, ceil_mode=True), avgpool(2, 2, 1, True, False)
    assert output_length(counted, 0) == 1 and evaluate(counted, ((),)) == ((0,),)
    assert evaluate_numeric(counted, np.zeros(0)).tolist() == [[0.0]]
    assert output_length(excluded, 0) == 0 and evaluate(excluded, ((),)) == ((),)
    assert evaluate_numeric(excluded, np.zeros(0)).shape == (1, 0)
    assert output_length(maxpool(2, padding=1, ceil_mode=True), 0) == 0
    assert output_shape(avgpool2d(2, padding=1, count_include_pad=False), (0, 3)) == (0, 2)


SHAPES_2D = [(1, 1), (2, 3), (3, 2), (4, 5), (5, 7)]
WINDOWS_2D = [((2, 3), (2, 2), (1, 1)), ((3, 2), (2, 1), (1, 0)), ((3, 3), (3, 2), (0, 1)), ((2, 2), (1, 3), (0, 0))]


@pytest.mark.parametrize("ceil_mode, count_include_pad", FLAGS)
def test_avgpool2d_and_maxpool2d_match_pytorch_in_both_evaluators(ceil_mode, count_include_pad):
    for (size, stride, padding), shape in itertools.product(WINDOWS_2D, SHAPES_2D):
        x = np.random.default_rng(sum(shape)).integers(-5, 6, size=(2, *shape))
        t = torch.tensor(x, dtype=torch.float64)[None]
        avg = avgpool2d(size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        big = maxpool2d(size, stride, padding, ceil_mode=ceil_mode)
        for layer, run in ((avg, lambda: F.avg_pool2d(t, size, stride, padding, ceil_mode=ceil_mode,
                                                       count_include_pad=count_include_pad)[0]),
                           (big, lambda: F.max_pool2d(t, size, stride, padding, ceil_mode=ceil_mode)[0])):
            theirs = _torch(run)
            where = f"{layer!r} on {shape}"
            ours = evaluate_nd_numeric(layer, x.astype(float))
            assert _same(ours, theirs), where
            assert _same(np.array(evaluate_nd(layer, x.tolist()), dtype=object), theirs), where
            assert output_shape(layer, shape) == (ours if theirs is None else theirs).shape[1:], where


@pytest.mark.parametrize("ceil_mode, count_include_pad", FLAGS)
def test_avgpool3d_and_maxpool3d_match_pytorch(ceil_mode, count_include_pad):
    for shape in [(1, 2, 3), (3, 4, 2), (4, 3, 5)]:
        x = np.random.default_rng(sum(shape)).integers(-5, 6, size=(1, *shape))
        t = torch.tensor(x, dtype=torch.float64)[None]
        size, stride, padding = (2, 3, 2), (2, 2, 3), (1, 1, 0)
        avg = avgpool3d(size, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad)
        big = maxpool3d(size, stride, padding, ceil_mode=ceil_mode)
        for layer, run in ((avg, lambda: F.avg_pool3d(t, size, stride, padding, ceil_mode=ceil_mode,
                                                       count_include_pad=count_include_pad)[0]),
                           (big, lambda: F.max_pool3d(t, size, stride, padding, ceil_mode=ceil_mode)[0])):
            theirs = _torch(run)
            ours = evaluate_nd_numeric(layer, x.astype(float))
            assert _same(ours, theirs), f"{layer!r} on {shape}"
            assert _same(evaluate_nd_numeric(layer, x.astype(object) * Fraction(1), exact=True), theirs)
            assert _same(np.array(evaluate_nd(layer, x.tolist()), dtype=object), theirs), f"{layer!r} on {shape}"
            assert output_shape(layer, shape) == (ours if theirs is None else theirs).shape[1:]
