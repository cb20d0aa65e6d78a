"""``ceil_mode`` and ``count_include_pad``: constructors, reprs, the DSL, and the one length table."""

from __future__ import annotations

import pytest
import sympy

from symconv.core.layers import AvgPool, avgpool, conv, maxpool
from symconv.core.kernel import kernel
from symconv.core.layers_nd import avgpool2d, avgpool3d, maxpool2d, maxpool3d
from symconv.core.output_length import LengthStep, length_step, output_length, pool_window_offset
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument, SemanticInvalidArgument
from symconv.prover.generic_lengths import length_form


def test_the_defaults_keep_the_reprs_and_print_no_flag():
    assert repr(avgpool(3, stride=2, padding=1)) == "avgpool(3, stride=2, padding=1)"
    assert repr(maxpool(3, dilation=2)) == "maxpool(3, dilation=2)"
    assert repr(avgpool2d(2)) == "avgpool2d(2)" and repr(maxpool3d(2, padding=1)) == "maxpool3d(2, padding=1)"
    assert avgpool(3) == avgpool(3, ceil_mode=False, count_include_pad=True)


@pytest.mark.parametrize("text", [
    "avgpool(3, stride=2, ceil_mode=True, count_include_pad=False)",
    "avgpool(3, padding=1, count_include_pad=False)",
    "avgpool2d(3, stride=2, ceil_mode=True, count_include_pad=False)",
    "avgpool3d((2, 3, 2), stride=2, padding=(1, 1, 0), ceil_mode=True)",
    "maxpool(3, stride=2, ceil_mode=True)",
    "maxpool2d(3, stride=2, padding=1, ceil_mode=True)",
    "maxpool3d(2, dilation=2, ceil_mode=True)",
])
def test_a_pool_with_flags_reads_back_from_its_repr(text):
    layer = parse_chain(text)
    assert repr(layer) == text and parse_chain(repr(layer)) == layer


def test_the_dsl_builds_the_layers_of_the_python_constructors():
    assert parse_chain("avgpool(3, 2, 1, True, False)") == AvgPool(3, 2, 1, ceil_mode=True, count_include_pad=False)
    assert parse_chain("maxpool2d(2, ceil_mode=True)") == maxpool2d(2, ceil_mode=True)
    assert parse_chain("avgpool3d(2, count_include_pad=False)") == avgpool3d(2, count_include_pad=False)


@pytest.mark.parametrize("text, message", [
    ("avgpool(3, ceil_mode=1)",
     "avgpool: ceil_mode=1 is invalid; expected True or False at column 12: 'ceil_mode=1' in "
     "'avgpool(3, ceil_mode=1)'"),
    ("maxpool(3, ceil_mode='yes')",
     "maxpool: ceil_mode='yes' is invalid; expected True or False at column 12: \"ceil_mode='yes'\" in "
     "\"maxpool(3, ceil_mode='yes')\""),
    ("avgpool2d(2, count_include_pad=None)",
     "avgpool2d: count_include_pad=None is invalid; expected True or False at column 14: "
     "'count_include_pad=None' in 'avgpool2d(2, count_include_pad=None)'"),
])
def test_a_flag_that_is_not_a_bool_is_refused_quoting_the_input(text, message):
    with pytest.raises(SemanticInvalidArgument) as caught:
        parse_chain(text)
    assert str(caught.value) == message


def test_the_python_constructors_refuse_a_flag_that_is_not_a_bool():
    with pytest.raises(InvalidArgument, match=r"^maxpool3d: ceil_mode=0 is invalid; expected True or False$"):
        maxpool3d(2, ceil_mode=0)
    with pytest.raises(InvalidArgument, match=r"^avgpool: count_include_pad='no' is invalid; expected True or False$"):
        avgpool(2, count_include_pad="no")


def test_ceil_mode_length_is_the_floor_of_n_plus_s_minus_1_limited_by_the_last_start():
    # size 3, stride 2, padding 1: floor((n + 2 - 3 + 1) / 2) + 1 = floor((n + 2) / 2) (every start <= n + p - 1
    # holds), against floor((n + 2 - 3) / 2) + 1 = floor((n + 1) / 2) without ceil_mode
    assert pool_window_offset(1, 1, 3, 2, ceil_mode=True) == 2 and pool_window_offset(1, 1, 3, 2) == 1
    # size 2, stride 2, padding 1: the start limit min(.., p - 1) = 0 acts: floor(n / 2) + 1, not floor((n + 1) / 2) + 1
    assert pool_window_offset(1, 1, 2, 2, ceil_mode=True) == 2
    assert [output_length(avgpool(2, 2, 1, ceil_mode=True), n) for n in range(1, 7)] == [1, 2, 2, 3, 3, 4]
    assert [output_length(avgpool(2, 2, 1), n) for n in range(1, 7)] == [1, 2, 2, 3, 3, 4]
    assert [output_length(maxpool(3, 3, ceil_mode=True), n) for n in range(1, 8)] == [1, 1, 1, 2, 2, 2, 3]
    assert [output_length(maxpool(3, 3), n) for n in range(1, 8)] == [0, 0, 1, 1, 1, 2, 2]


def test_every_layer_states_its_length_as_one_step():
    assert length_step(avgpool(3, stride=2, ceil_mode=True)) == LengthStep(1, 2, 0)  # floor(n / 2)
    assert length_step(avgpool(3, stride=2)) == LengthStep(1, 2, -1)  # floor((n - 1) / 2)
    assert length_step(avgpool(3, 2, 1, count_include_pad=False)) == LengthStep(1, 2, 1, empty_stays_empty=True)
    assert length_step(maxpool(2)) == LengthStep(1, 2, 0, empty_stays_empty=True)
    c = sympy.Symbol("c", integer=True, positive=True)
    assert length_step(conv(kernel("k", c), stride=2)) == LengthStep(1, 2, 2 - c)


def test_the_symbolic_length_of_a_ceil_mode_pool_is_the_table_at_every_n():
    n = sympy.Symbol("n", integer=True, nonnegative=True)
    closed = output_length(maxpool(3, 2, ceil_mode=True), n)
    assert all(closed.subs(n, v) == output_length(maxpool(3, 2, ceil_mode=True), v) for v in range(1, 20))


@pytest.mark.parametrize("chain", [
    "conv(k[c], stride=2) >> avgpool(3, stride=2, padding=1, ceil_mode=True)",
    "conv(k[c]) >> maxpool(2, ceil_mode=True) >> conv(k, stride=3)",
    "avgpool(2, stride=3, ceil_mode=True, count_include_pad=False) >> conv(k[c], padding=1)",
])
def test_the_generic_length_prover_reads_the_same_table(chain):
    layer = parse_chain(chain)
    c = sympy.Symbol("c", integer=True, positive=True)
    form = length_form(layer, 12, c)
    for size in range(1, 5):
        for n in range(0, 30):
            assert form(n, size) == output_length(layer, n, {"c": size}), (chain, n, size)
