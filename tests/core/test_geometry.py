"""Pad, crop, down and up are one class each for every number of axes (symconv.core.geometry)."""

from __future__ import annotations

import pytest

from symconv.core.geometry import Crop, Down, Pad, Up
from symconv.core.kernel import kernel
from symconv.core.layers import conv, crop, down, pad, up
from symconv.core.layers_nd import axis_layer, conv2d
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument


@pytest.mark.parametrize("one_d, per_axis", [
    (pad(1, 2), Pad((1,), (2,))), (crop(0, 3), Crop((0,), (3,))), (down(3, 2), Down((3,), (2,))), (up(4), Up((4,))),
])
def test_an_int_and_a_one_axis_tuple_build_the_same_layer(one_d, per_axis):
    assert one_d == per_axis and hash(one_d) == hash(per_axis) and type(one_d) is type(per_axis)
    assert one_d.ndim == 1 and repr(per_axis) == repr(one_d)


@pytest.mark.parametrize("text, cls", [
    ("pad(1, 2)", Pad), ("pad((1, 0), (2, 2))", Pad), ("crop(1)", Crop), ("crop((1, 1, 0))", Crop),
    ("down(2, phase=1)", Down), ("down((2, 1), (1, 0))", Down), ("up(2)", Up), ("up((2, 3))", Up),
])
def test_the_dsl_builds_one_class_per_operator_whatever_the_axes(text, cls):
    layer = parse_chain(text)
    assert type(layer) is cls and repr(layer) == text


def test_a_1d_layer_answers_the_1d_names():
    assert (Pad(1, 2).left, Pad(1, 2).right, Crop(3, 0).left) == (1, 2, 3)
    assert (Down(4, 3).factor, Down(4, 3).phase, Up(5).factor) == (4, 3, 5)


@pytest.mark.parametrize("layer, name, message", [
    (Pad((1, 2), (0, 0)), "left", "pad((1, 2), (0, 0)) has 2 axes: `left` names the one axis of a 1-D layer "
                                  "(read `before[a]` per axis)"),
    (Crop((1, 2, 3), (0, 0, 0)), "right", "`right` names the one axis"),
    (Down((2, 2), (1, 0)), "phase", "read `phases[a]` per axis"),
    (Up((2, 2)), "factor", "up((2, 2)) has 2 axes"),
])
def test_an_nd_layer_has_no_1d_names(layer, name, message):
    with pytest.raises(AttributeError, match=message.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        getattr(layer, name)
    assert not hasattr(layer, name)


@pytest.mark.parametrize("build, message", [
    (lambda: pad(-1), "pad: left=-1 is invalid; expected a non-negative integer"),
    (lambda: Down(2, 2), "down: phase=2 is invalid; expected 0 <= phase < s = 2"),
    (lambda: Down((2, 3), (0, 3)), "down: phase=(0, 3) is invalid; expected 0 <= phase < s on each axis"),
    (lambda: Pad((1, 2), (0,)), "pad: after=(0,) is invalid; expected as many values as the other arguments (2 axes)"),
    (lambda: Up((2, 0)), "up: factors=0 is invalid; expected a positive integer"),
])
def test_bad_arguments_are_named_as_given_one_value_in_1d_per_axis_otherwise(build, message):
    with pytest.raises(InvalidArgument) as err:
        build()
    assert str(err.value) == message


def test_the_dsl_still_refuses_a_tuple_of_one_value():
    with pytest.raises(InvalidArgument, match="2 or more axes"):
        parse_chain("pad((1,))")


def test_a_geometry_layer_projects_to_its_axis():
    layer = Pad((1, 0), (2, 5))
    assert axis_layer(layer, 1) == Pad(0, 5) and axis_layer(Down((2, 3), (1, 2)), 1) == Down(3, 2)


def test_a_chain_has_the_axes_of_its_layers():
    assert (pad(1) >> down(2) >> up(2) >> crop(1)).ndim == 1
    assert (pad((1, 1)) >> crop((1, 1))).ndim == 2
    assert (pad(1) >> conv(kernel("k", 3))).ndim == 1
    assert (pad((0, 0)) + conv2d(kernel("k", 3, 3), padding=1)).ndim == 2


@pytest.mark.parametrize("text, tex", [
    ("down((2, 2), (1, 0))", r"{\downarrow}_{2}^{(1, 0)}"),  # the phases of an N-D down are shown (they were dropped)
    ("down((2, 3))", r"{\downarrow}_{(2, 3)}"),
    ("down(2, phase=1)", r"{\downarrow}_{2}^{(1)}"),
    ("pad((1, 0), (2, 2))", r"\operatorname{pad}((1, 0);\, 2)"),
    ("crop(1, 2)", r"\operatorname{crop}(1, 2)"),
])
def test_reports_write_each_geometry_layer_with_its_axes(text, tex):
    from symconv.report.layer_math import layer_math

    assert layer_math(parse_chain(text)) == tex


def test_flip_is_one_class_for_every_axis_and_for_listed_axes():
    from symconv.core.geometry import Flip, is_whole_flip
    from symconv.core.layers_nd import flip, flipped_axes

    whole, listed = parse_chain("flip()"), parse_chain("conv2d(k[3, 3]) >> flip(axes=(1,))").layers()[1]
    assert type(whole) is type(listed) is Flip and (whole.axes, listed.axes) == (None, (1,))
    assert (repr(whole), repr(listed), repr(flip(axes=(1, 0)))) == ("flip()", "flip(axes=(1,))", "flip(axes=(0, 1))")
    assert flipped_axes(whole, 3) == {0, 1, 2} and flipped_axes(listed, 3) == {1} and flipped_axes(pad(1), 1) is None
    assert is_whole_flip(whole) and not is_whole_flip(listed) and not is_whole_flip(Flip((0, 1)))


def test_the_kernel_does_not_strip_a_flip_of_listed_axes_as_a_whole_flip():
    """``flip >> A == flip >> B`` iff ``A == B`` needs the same flip on both sides: strip_input_flip takes flip()
    only (a flip of listed axes became the same class as flip(), so the rule must ask which one it is)."""
    from symconv.checker.rules import strip_input_flip
    from symconv.errors import CertificateError

    state = [parse_chain("flip(axes=(0,)) >> conv2d(k[3, 3])"), parse_chain("flip() >> conv2d(k[3, 3])")]
    with pytest.raises(CertificateError, match="both sides must start with flip()"):
        strip_input_flip(state, {}, "step 0")
