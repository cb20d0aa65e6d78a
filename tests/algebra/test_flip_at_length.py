"""Flips moved across strided layers at a known input length (``move_flips_to_input(layer, n)``)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.algebra.flip import FlipNotMovable, as_single_layer, move_flips_to_input
from symconv.core.layers import Flip
from symconv.dsl import parse_chain
from symconv.numeric import evaluate_numeric

import pytest

PARTS = ["flip()", "flip()", "down(2)", "down(3, 1)", "conv([1, 2, -1], stride=2)", "conv([1, -3], stride=3, padding=(2, 0))",
         "avgpool(3, 2, 1)", "conv_transpose([1, 2, 3], stride=2, padding=1, output_padding=1)",
         "conv_transpose([2, -1], stride=3, output_padding=2)", "pad(1, 2)", "crop(0, 1)", "up(2)",
         "conv([1, 1, 2], padding=(0, 2))", "conv([1, 2], dilation=2, stride=2, padding=1)"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PARTS), min_size=1, max_size=6), st.integers(1, 30), st.integers(0, 2**31 - 1))
def test_moved_chain_equals_the_chain_at_that_length(parts, n, seed):
    chain = parse_chain(" >> ".join(parts))
    flipped, steps = move_flips_to_input(chain, n)
    assert not any(isinstance(s, Flip) for s in steps)
    layers = ((Flip(),) if flipped else ()) + steps
    moved = as_single_layer(layers) if len(layers) != 1 else layers[0]
    x = np.random.default_rng(seed).integers(-5, 5, size=(1, 1, n))
    assert np.array_equal(evaluate_numeric(chain, x, exact=True), evaluate_numeric(moved, x, exact=True))


def test_without_a_length_a_strided_layer_still_stops_the_flip():
    with pytest.raises(FlipNotMovable):
        move_flips_to_input(parse_chain("flip() >> down(2) >> flip()"))
    assert move_flips_to_input(parse_chain("flip() >> down(2) >> flip()"), 5)[1] == (parse_chain("down(2)"),)
    assert move_flips_to_input(parse_chain("flip() >> down(2) >> flip()"), 6)[1] == (parse_chain("down(2, 1)"),)
