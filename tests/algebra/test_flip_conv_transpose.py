"""Flip conjugation of conv_transpose holds at every n, the empty input included (DESIGN section 1)."""

import itertools

import pytest

from symconv.algebra.flip import mirror
from symconv.checker.flips import mirror as checker_mirror
from symconv.core.kernel import kernel
from symconv.core.layers import Chain, Flip, conv_transpose
from symconv.core.semantics import evaluate, symbolic_input


def _cases():
    for c, s, p, o, d in itertools.product((1, 2, 3), (1, 2, 3), (0, 1, 2), (0, 1, 2), (1, 2)):
        if o < max(s, d):
            yield c, s, p, o, d


@pytest.mark.parametrize("c, s, p, o, d", list(_cases()))
def test_conv_transpose_mirror_equals_flip_conjugate_at_every_small_n(c, s, p, o, d):
    layer = conv_transpose(kernel("k", c), stride=s, padding=p, output_padding=o, dilation=d)
    conjugate = Chain((Flip(), layer, Flip()))
    mirrored = mirror(layer)
    for n in range(0, 6):
        x = symbolic_input(n)
        assert evaluate(mirrored, x) == evaluate(conjugate, x), (mirrored, n)


@pytest.mark.parametrize("c, s, p, o, d", list(_cases()))
def test_checker_conv_transpose_mirror_equals_flip_conjugate_at_every_small_n(c, s, p, o, d):
    layer = conv_transpose(kernel("k", c), stride=s, padding=p, output_padding=o, dilation=d)
    conjugate = Chain((Flip(), layer, Flip()))
    mirrored = checker_mirror(layer, "test")
    for n in range(0, 6):
        x = symbolic_input(n)
        assert evaluate(mirrored, x) == evaluate(conjugate, x), (mirrored, n)


def test_conv_transpose_with_output_padding_past_padding_mirrors_to_zero_taps_in_front():
    layer = conv_transpose(kernel("k", 1), stride=3, padding=1, output_padding=2)
    assert repr(mirror(layer)) == "conv_transpose(padk(flip(k[1]), 2, 0), stride=3, padding=1)"


def test_conv_transpose_mirror_keeps_the_bias_when_output_padding_exceeds_padding():
    layer = conv_transpose([1, 2], stride=2, output_padding=1, bias=[3])
    conjugate = Chain((Flip(), layer, Flip()))
    for n in range(0, 5):
        x = symbolic_input(n)
        assert evaluate(mirror(layer), x) == evaluate(conjugate, x)
