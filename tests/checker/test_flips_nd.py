"""The checker's N-D flip conjugation, exhaustively at small shapes: ``flip_F >> L >> flip_F == mirror_F(L)``."""

from __future__ import annotations

import itertools

import pytest

from symconv.checker.flips_nd import as_layer_nd, flips_to_input_nd, mirror_nd, strip_input_flips
from symconv.core.layers_nd import Flip
from symconv.core.semantics_nd import every_output_exact
from symconv.dsl import parse_chain, parse_statement
from symconv.errors import CertificateError

LAYERS = [
    "conv2d(k[2, 3], padding=((1, 0), (0, 2)))",
    "conv2d(k[2, 2], stride=(1, 2), dilation=(2, 1))",
    "conv2d(W[2, 2, 2, 1], bias=[1, 2])",
    "conv_transpose2d(k[2, 3], stride=(2, 1), padding=(1, 0))",
    "pad((1, 0), (0, 2))",
    "crop((1, 0), (0, 1))",
    "up((2, 3))",
    "down((1, 2), (0, 1))",
    "avgpool2d(3, stride=(1, 2), padding=1)",
    "conv2d(k[2, 2]) + (pad((0, 1), (1, 0)) >> crop((0, 1), (2, 1)))",
]
AXES = [frozenset({0}), frozenset({1}), frozenset({0, 1})]


def _same(lhs, rhs, channels: int, sizes=range(0, 6)) -> bool:
    return all(every_output_exact(lhs, shape, channels) == every_output_exact(rhs, shape, channels)
               for shape in itertools.product(sizes, repeat=2))


@pytest.mark.parametrize("text", LAYERS)
@pytest.mark.parametrize("axes", AXES, ids=lambda a: "axes" + "".join(map(str, sorted(a))))
def test_mirror_is_the_conjugate_by_the_flip_at_every_small_shape(text, axes):
    layer = parse_chain(text)
    flip = Flip(tuple(sorted(axes)))
    try:
        mirrored = mirror_nd(layer, axes, "test")
    except CertificateError as err:  # refused only where a stride sits on a flipped axis
        assert "does not apply" in str(err)
        assert any(s > 1 for step in layer.layers()
                   for s in getattr(step, "strides", None) or getattr(step, "stride", getattr(step, "factors", ()))
                   if isinstance(s, int)), text
        return
    assert _same(flip >> layer >> flip, mirrored, layer.in_channels or 1)


def test_flips_move_to_the_input_at_every_small_shape():
    layer = parse_chain("conv2d(k[2, 2]) >> flip(axes=(0,)) >> pad((1, 0), (0, 1)) >> flip() >> conv2d(j[1, 2])")
    head, rest = flips_to_input_nd(layer, "test")
    assert head == frozenset({1})
    assert _same(layer, as_layer_nd(head, rest, 2), 1)


def test_stripping_different_input_flips_leaves_their_difference():
    lhs, rhs = parse_statement("flip(axes=(0,)) >> conv2d(k[2, 2])", "flip() >> conv2d(k)")
    a, b = strip_input_flips(lhs, rhs, "test")
    assert repr(a) == "conv2d(k[2, 2])" and repr(b) == "flip(axes=(1,)) >> conv2d(k[2, 2])"


def test_mirror_refuses_a_stride_on_a_flipped_axis():
    with pytest.raises(CertificateError, match=r"test: flip conjugation on axes \[1\] does not apply to "
                                               r"conv2d\(k\[2, 2\], stride=\(1, 2\)\)"):
        mirror_nd(parse_chain("conv2d(k[2, 2], stride=(1, 2))"), frozenset({1}), "test")
