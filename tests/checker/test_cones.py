"""The kernel's dependency cones are sound: every sample an output reads (core semantics) is inside its cone.

Exhaustive over small layers (kernels with zero taps at either end and inside, strides,
dilations, paddings, transposed layers, resampling) and every input length n = 0..9.
"""

from __future__ import annotations

import pytest

from symconv.checker import cones
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate, symbolic_input
from symconv.dsl import parse_chain

LAYERS = [
    f"conv({k}, stride={s}, padding={p}, dilation={d})"
    for k in ("[1, 2, 3]", "[0, 1]", "[1, 0, 0]", "[0, 2, 0, 1]", "[0, 0]", "k[3]")
    for s in (1, 2) for p in (0, (1, 2)) for d in (1, 2)
] + [
    f"conv_transpose({k}, stride={s}, padding={p})"
    for k in ("[1, 2, 3]", "[0, 1, 0]", "[0, 0, 1]", "k[2]") for s in (1, 2, 3) for p in (0, 1)
] + ["pad(1, 2)", "crop(1, 0)", "down(2, phase=1)", "up(3)", "avgpool(3, stride=2, padding=1)"]


def _read_indices(value) -> set[int]:
    return {int(s.name.split("_")[1]) for s in value.free_symbols if s.name.startswith("x_")}


@pytest.mark.parametrize("text", LAYERS)
def test_every_output_reads_only_samples_inside_its_cone(text):
    layer = parse_chain(text)
    for n in range(10):
        y = evaluate(layer, symbolic_input(n))[0]
        assert len(y) == output_length(layer, n)
        for row, value in enumerate(y):
            read = _read_indices(value)
            span = cones._reads(layer, row, row, "test")
            if span is None:
                assert not read, (text, n, row)
            else:
                assert all(span[0] <= i <= span[1] for i in read), (text, n, row, span, read)


def test_a_zero_tap_at_either_end_narrows_the_cone():
    assert cones._reads(parse_chain("conv([0, 1, 0], padding=1)"), 0, 0, "test") == (0, 0)
    assert cones._reads(parse_chain("conv([0, 0], padding=1)"), 0, 0, "test") is None
    assert cones._reads(parse_chain("conv(k[3], padding=1)"), 0, 0, "test") == (-1, 1)
