"""The kernel's rewrite ``padding_as_pad``: conv(k, padding=(l, r)) = pad(l, r) >> conv(k), checked exhaustively
at small sizes in 1-D and 2-D by the core's exact semantics, and refused where it rewrites nothing."""

from __future__ import annotations

import itertools

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.core.semantics_nd import every_output_exact
from symconv.dsl import parse_chain
from symconv.errors import CertificateError


@pytest.mark.parametrize("size, stride, dilation", list(itertools.product((1, 2, 3), (1, 2, 3), (1, 2))))
def test_a_padded_convolution_is_pad_then_the_unpadded_one_at_every_small_length(size, stride, dilation):
    for left, right in itertools.product(range(3), range(3)):
        padded = parse_chain(f"conv(W[2, 1, {size}], stride={stride}, padding=({left}, {right}), "
                             f"dilation={dilation}, bias=b)")
        rewritten = padding_as_pad(padded)
        plain = parse_chain(f"conv(W[2, 1, {size}], stride={stride}, dilation={dilation}, bias=b)")
        pad = f"pad({left}) >> " if left == right else f"pad({left}, {right}) >> "
        assert rewritten == padded if not (left or right) else repr(rewritten) == pad + repr(plain)
        for n in range(10):
            x = exact_input(n)
            assert evaluate_exact(padded, x) == evaluate_exact(rewritten, x), (left, right, n)


@pytest.mark.parametrize("padding", ["((1, 0), (0, 2))", "((2, 2), (1, 1))", "((0, 0), (1, 0))", "'same'"])
def test_a_padded_2d_convolution_is_pad_then_the_unpadded_one_at_every_small_shape(padding):
    padded = parse_chain(f"conv2d(W[2, 2, 3, 2], stride=(1, 2), padding={padding}, groups=1, bias=b)"
                         if padding != "'same'" else "conv2d(W[2, 2, 3, 2], padding='same')")
    rewritten = padding_as_pad(padded)
    assert rewritten != padded and repr(rewritten).startswith("pad(")
    for shape in itertools.product(range(5), range(5)):
        assert every_output_exact(padded, shape, 2) == every_output_exact(rewritten, shape, 2), shape


def test_the_rewrite_goes_through_chains_and_sums_and_leaves_other_layers_alone():
    layer = parse_chain("avgpool(3, stride=1, padding=1) >> (conv(k[3], padding=1) + (relu() >> conv(j[3], "
                        "padding=(0, 2))))")
    assert repr(padding_as_pad(layer)) == ("avgpool(3, stride=1, padding=1) >> ((pad(1) >> conv(k[3])) + "
                                           "(relu() >> pad(0, 2) >> conv(j[3])))")
    generic = parse_chain("conv(k[c], padding='same')")
    assert padding_as_pad(generic) == generic  # a padding that depends on c is not rewritten


def _certificate(lhs: str, rhs: str, steps: list) -> Certificate:
    data = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "lhs": lhs, "rhs": rhs,
            "steps": steps}
    data["statement_hash"] = statement_hash(lhs, rhs, (), ())
    return Certificate.from_json(data)


def test_the_kernel_proves_a_padded_chain_equal_to_its_pads_by_the_rewrite_and_congruence():
    lhs, rhs = "conv(k[3], padding=1) >> conv(h[2], padding=(0, 1))", "pad(1) >> conv(k[3]) >> pad(0, 1) >> conv(h[2])"
    theorem = replay(_certificate(lhs, rhs, [{"rule": "padding_as_pad"}, {"rule": "congruence", "lhs": 0, "rhs": 0}]))
    assert theorem.scope == "every input length" and theorem.rests_on == ()


def test_a_rewrite_that_changes_nothing_is_refused_and_a_wrong_pad_is_found_by_the_next_step():
    with pytest.raises(CertificateError, match=r"step 0 \(padding_as_pad\): no convolution of either side has zero "
                                               r"padding to write as pad\(\)"):
        replay(_certificate("conv(k[3])", "conv(k[3])", [{"rule": "padding_as_pad"}]))
    with pytest.raises(CertificateError, match=r"step 1 \(congruence\): layer 0 of lhs, pad\(1\), and layer 0 of rhs, "
                                               r"pad\(2, 1\), differ"):
        replay(_certificate("conv(k[3], padding=1)", "pad(2, 1) >> conv(k[3])",
                            [{"rule": "padding_as_pad"}, {"rule": "congruence", "lhs": 0, "rhs": 0}]))
