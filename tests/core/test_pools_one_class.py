"""AvgPool, MaxPool and L2Pool are one class each for every number of axes (symconv.core.pools)."""

from __future__ import annotations

import pytest

from symconv.core.layers import avgpool, l2pool, maxpool, pad
from symconv.core.layers_nd import avgpool2d, l2pool3d, maxpool2d
from symconv.core.pools import AvgPool, L2Pool, MaxPool
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument


@pytest.mark.parametrize("one_d, per_axis", [
    (avgpool(3, 2, 1, True, False), AvgPool((3,), (2,), (1,), True, False)),
    (maxpool(3, 1, 1, 2), MaxPool((3,), (1,), (1,), (2,))),
    (l2pool(2), L2Pool((2,))),
])
def test_an_int_and_a_one_axis_tuple_build_the_same_pool(one_d, per_axis):
    assert one_d == per_axis and hash(one_d) == hash(per_axis) and type(one_d) is type(per_axis)
    assert one_d.ndim == 1 and repr(per_axis) == repr(one_d)


@pytest.mark.parametrize("text, cls", [
    ("avgpool(3, stride=2, padding=1, ceil_mode=True)", AvgPool), ("avgpool2d(2, stride=(2, 1))", AvgPool),
    ("avgpool3d(3, padding=1, count_include_pad=False)", AvgPool), ("maxpool(2, dilation=2)", MaxPool),
    ("maxpool2d(3, padding=1, dilation=(1, 2))", MaxPool), ("l2pool(2, stride=1)", L2Pool),
    ("l2pool3d(2, ceil_mode=True)", L2Pool),
])
def test_the_dsl_builds_one_class_per_pool_whatever_the_axes(text, cls):
    layer = parse_chain(text)
    assert type(layer) is cls and repr(layer) == text


def test_a_1d_pool_answers_the_1d_names_and_every_pool_the_per_axis_ones():
    layer = maxpool(3, 2, 1, 2)
    assert (layer.size, layer.stride, layer.padding, layer.dilation) == (3, 2, 1, 2)
    assert (layer.sizes, layer.strides, layer.paddings, layer.dilations) == ((3,), (2,), (1,), (2,))
    assert avgpool2d((2, 3), stride=1).strides == (1, 1) and l2pool3d(2).paddings == (0, 0, 0)


@pytest.mark.parametrize("layer, name", [(avgpool2d(2), "size"), (maxpool2d(2), "dilation"), (l2pool3d(2), "stride"),
                                         (avgpool2d(3, padding=1), "padding")])
def test_an_nd_pool_has_no_1d_names(layer, name):
    with pytest.raises(AttributeError, match=f"has {layer.ndim} axes: `{name}` names the one axis of a 1-D layer "
                                             rf"\(read `{name}s\[a\]` per axis\)"):
        getattr(layer, name)


@pytest.mark.parametrize("build, message", [
    (lambda: avgpool(3, padding=2), "avgpool: padding=2 is invalid; expected at most size/2 = 1.5 (as PyTorch)"),
    (lambda: avgpool((2, 3)), "avgpool: size=(2, 3) is invalid; expected a positive integer"),
    (lambda: maxpool(2, stride=(1,)), "maxpool: stride=(1,) is invalid; expected a positive integer"),
    (lambda: avgpool2d(3, padding=(1, 2)),
     "avgpool2d: padding=(1, 2) is invalid; expected at most size/2 on each axis (as PyTorch)"),
    (lambda: avgpool2d((2, 2, 2)), "avgpool2d: size=(2, 2, 2) is invalid; expected an int or a tuple of 2 values "
                                   "(one per axis)"),
    (lambda: l2pool(0), "l2pool: size=0 is invalid; expected a positive integer"),
    (lambda: maxpool2d(2, dilation=0), "maxpool2d: dilation=0 is invalid; expected a positive integer"),
])
def test_bad_pool_arguments_keep_their_messages(build, message):
    with pytest.raises(InvalidArgument) as err:
        build()
    assert str(err.value) == message


def test_a_pool_projects_to_its_axis():
    chain = avgpool(2) >> maxpool(3, 1, 1) >> l2pool(2)
    assert (chain >> pad(1)).ndim == 1
    assert avgpool2d((2, 3), stride=(1, 2), padding=(1, 0)).on_axis(1) == avgpool(3, 2, 0)
    assert maxpool2d(2).ndim == 2


@pytest.mark.parametrize("text, tex", [
    ("avgpool(3, stride=2, padding=1)", r"\operatorname{avgpool}_{s=2,\,p=1}(3)"),
    ("maxpool2d((2, 3), stride=1)", r"\operatorname{maxpool}_{s=1}(2 \times 3)"),
])
def test_reports_write_a_pool_with_its_axes(text, tex):
    from symconv.report.layer_math import layer_math

    assert layer_math(parse_chain(text)) == tex
