"""``derive(chain)``: receptive-field arithmetic, the single equivalent layer and whether it is exact.

For a chain of correlation and pooling layers with strides ``s_l``,
dilations ``d_l``, kernel sizes ``k_l`` and paddings ``(pl_l, pr_l)``, with
``J_l = prod_{i<l} s_i`` the jump before layer l (the receptive-field
literature, e.g. Araujo et al., "Computing receptive fields of convolutional
neural networks", 2019):

* stride ``S = prod_l s_l``;
* receptive field ``1 + sum_l d_l (k_l - 1) J_l``;
* effective padding ``sum_l pl_l J_l`` on the left (and ``sum_l pr_l J_l`` on
  the right when the output length is that of one layer);
* ``exact`` is True exactly when the chain equals the single layer
  ``conv(K, stride=S, padding=(p_l, p_r))`` for every n, which is checked here
  by brute force with the exact semantics.
"""

from __future__ import annotations

import math
import re

import pytest
import sympy
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symconv.core.kernel import kernel, literal, padk
from symconv.core.layers import (
    Affine,
    AvgPool,
    Chain,
    Conv,
    Layer,
    MaxPool,
    ReLU,
    affine,
    avgpool,
    conv,
    maxpool,
    relu,
)
from symconv.core.output_length import length_symbol, output_length
from symconv.core.semantics import evaluate, symbolic_input
from symconv.errors import SizeLimitError
from symconv.prover.derive import derive

arithmetic = settings(deadline=None, max_examples=60, database=None, derandomize=True,
                      suppress_health_check=[HealthCheck.too_slow])
brute = settings(deadline=None, max_examples=15, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])

BOUND_BUG = (
    "derive decides exactness with decide(chain, single layer), and boundary.find_bound accepts an n0 "
    "at which every output row is left-anchored, so a chain that differs from its single layer "
    "from n = 5 on is reported exact"
)


# --- the literature's arithmetic ------------------------------------------------------------

def window(layer: Layer) -> tuple[int, int, int, int, int]:
    """``(stride, dilation, size, left padding, right padding)`` of one layer."""
    if isinstance(layer, Conv):
        left, right = layer.padding_pair()
        return layer.stride, layer.dilation, layer.weight.length, left, right
    if isinstance(layer, AvgPool):
        return layer.stride, 1, layer.size, layer.padding, layer.padding
    if isinstance(layer, MaxPool):
        return layer.stride, layer.dilation, layer.size, layer.padding, layer.padding
    if isinstance(layer, (ReLU, Affine)):
        return 1, 1, 1, 0, 0
    raise TypeError(layer)


def expected_arithmetic(chain: Layer) -> dict:
    jump, field, left, right = 1, 1, 0, 0
    for layer in chain.layers():
        s, d, k, pl, pr = window(layer)
        field += d * (k - 1) * jump
        left += pl * jump
        right += pr * jump
        jump *= s
    return {"stride": jump, "receptive_field": field, "left": left, "right": right}


def one_layer_length(n: int, arithmetic_: dict) -> int:
    total = n + arithmetic_["left"] + arithmetic_["right"] - arithmetic_["receptive_field"]
    return total // arithmetic_["stride"] + 1 if total >= 0 else 0  # the table, n = 0 included


# --- random chains ----------------------------------------------------------------------------

@st.composite
def linear_layers(draw, index: int, strides=(1, 2, 3)):
    if draw(st.integers(0, 3)) == 0:
        size = draw(st.integers(2, 3))
        return avgpool(size, draw(st.sampled_from([s for s in strides if s <= size])), draw(st.integers(0, size // 2)))
    return conv(kernel(f"k{index}", draw(st.integers(1, 3))), stride=draw(st.sampled_from(strides)),
                padding=(draw(st.integers(0, 2)), draw(st.integers(0, 2))), dilation=draw(st.integers(1, 2)))


@st.composite
def linear_chains(draw, strides=(1, 2, 3), max_layers=3):
    count = draw(st.integers(1, max_layers))
    return Chain(tuple(draw(linear_layers(i, strides)) for i in range(count)))


@st.composite
def chains_with_nonlinear_layers(draw):
    steps = []
    for i in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["linear", "relu", "affine", "maxpool"]))
        if kind == "linear":
            steps.append(draw(linear_layers(i)))
        elif kind == "relu":
            steps.append(relu())
        elif kind == "affine":
            steps.append(affine(2, 1))
        else:
            size = draw(st.integers(1, 3))
            steps.append(maxpool(size, draw(st.integers(1, 3)), draw(st.integers(0, size // 2)),
                                 draw(st.integers(1, 2))))
    if all(s.is_linear for s in steps):
        steps.append(relu())
    return Chain(tuple(steps))


# --- arithmetic -----------------------------------------------------------------------------

@arithmetic
@given(linear_chains())
def test_stride_is_the_product_of_strides_and_receptive_field_and_left_padding_follow_the_jumps(chain):
    d = derive(chain)
    expected = expected_arithmetic(chain)
    assert d.stride == expected["stride"]
    assert d.receptive_field == expected["receptive_field"]
    assert d.padding[0] == expected["left"]
    assert d.branches == 1
    assert d.dilation == 1


@arithmetic
@given(linear_chains())
def test_effective_kernel_spans_the_receptive_field(chain):
    d = derive(chain)
    assert d.kernel is not None and len(d.kernel) == d.receptive_field


RIGHT_PADDING_BUG = (
    "derive._right_padding only tries right paddings below receptive_field + stride + left + 1, so a larger "
    "right padding (conv(e[1], padding=(0, 3))) is not found: padding (0, 0), no single layer, exact False"
)


def _lengths_are_one_layer(chain: Layer, expected: dict) -> bool:
    return all(output_length(chain, n) == one_layer_length(n, expected) for n in range(0, 80))


@arithmetic
@given(linear_chains())
def test_right_padding_is_the_sum_of_right_paddings_times_the_jumps_when_lengths_allow(chain):
    """Checked where derive searches (right padding at most receptive field + stride + left); the
    larger right paddings are tested below."""
    d = derive(chain)
    expected = expected_arithmetic(chain)
    if not _lengths_are_one_layer(chain, expected):
        assert not d.exact
    elif expected["right"] <= expected["receptive_field"] + expected["stride"] + expected["left"]:
        assert d.padding == (expected["left"], expected["right"])
        assert d.layer is not None


@settings(deadline=None, max_examples=40, database=None, derandomize=True, report_multiple_bugs=False,
          suppress_health_check=[HealthCheck.too_slow])
@example(Chain((conv(kernel("e", 1), padding=(0, 3)),)))
@given(linear_chains())
def test_right_padding_is_found_however_large(chain):
    d = derive(chain)
    expected = expected_arithmetic(chain)
    if _lengths_are_one_layer(chain, expected):
        assert d.padding == (expected["left"], expected["right"])
        assert d.layer is not None


def test_a_single_layer_with_a_large_right_padding_is_exactly_itself():
    d = derive(conv(kernel("k", 3), padding=(0, 5)))
    assert d.padding == (0, 5) and d.exact


@arithmetic
@given(chains_with_nonlinear_layers())
def test_chains_with_relu_and_maxpool_have_no_kernel_but_the_same_arithmetic(chain):
    d = derive(chain)
    expected = expected_arithmetic(chain)
    assert d.kernel is None and d.layer is None
    assert not d.exact and d.boundary is None
    assert d.stride == expected["stride"]
    assert d.receptive_field == expected["receptive_field"]
    assert d.padding[0] == expected["left"]


def _formula_lengths(text: str, n_values) -> list[int]:
    """Evaluate derive's output-length text (``EXPR`` or ``EXPR for n >= N (0 below)``)."""
    match = re.fullmatch(r"(.*) for n >= (\d+) \(0 below\)", text)
    expr_text, start = (match.group(1), int(match.group(2))) if match else (text, 0)
    n = length_symbol()
    expr = sympy.sympify(expr_text, locals={"n": n})  # our own output, not user text
    return [int(expr.subs(n, v)) if v >= start else 0 for v in n_values]


@arithmetic
@given(st.one_of(linear_chains(), chains_with_nonlinear_layers()))
def test_output_length_formula_gives_the_output_length_for_every_positive_n(chain):
    d = derive(chain)
    n_values = range(1, 90)
    assert _formula_lengths(d.output_length, n_values) == [output_length(chain, v) for v in n_values]


# --- exactness by brute force -------------------------------------------------------------

def brute_force_equal(lhs: Layer, rhs: Layer, limit: int) -> bool:
    for n in range(limit + 1):
        a, b = evaluate(lhs, symbolic_input(n)), evaluate(rhs, symbolic_input(n))
        if len(a[0]) != len(b[0]) or any(u != v and sympy.expand(u - v) != 0 for u, v in zip(a[0], b[0])):
            return False
    return True


def brute_force_limit(d) -> int:
    return max(30, 4 * d.stride + 2 * d.receptive_field)


@brute
@example(Chain((conv(kernel("k0", 3), stride=2, padding=1), conv(kernel("k0", 3), stride=2, padding=1))))
@example(Chain((avgpool(3, 2, 1), conv(kernel("k1", 2), stride=2))))
@example(Chain((conv(kernel("k0", 3), padding=1), conv(kernel("k1", 3), padding=1))))
@example(Chain((conv(kernel("k0", 2), stride=2), avgpool(2), conv(kernel("k2", 2), padding=(1, 0)))))
@given(linear_chains(strides=(1, 2), max_layers=3))
def test_exact_holds_exactly_when_the_chain_equals_its_single_layer_by_brute_force(chain):
    d = derive(chain)
    if d.layer is None:
        assert not d.exact
        return
    assert isinstance(d.layer, Conv) and d.layer.stride == d.stride and d.layer.padding_pair() == d.padding
    assert d.exact == brute_force_equal(chain, d.layer, brute_force_limit(d))
    if d.exact:
        assert d.boundary is None
    else:
        assert d.boundary is not None and d.boundary["left"] >= 0 and d.boundary["right"] >= 0


def test_single_layer_of_two_padded_stride_2_layers_differs_only_at_the_right_end():
    k = kernel("k", 3)
    d = derive(conv(k, stride=2, padding=1) >> conv(k, stride=2, padding=1))
    assert (d.stride, d.receptive_field, d.padding) == (4, 7, (3, 3))
    assert not d.exact
    assert d.boundary == {"left": 0, "right": 1}
    # for even n the last output reads the chain's right padding and differs; for odd n none does
    for n, agree in ((13, [True] * 4), (14, [True, True, True, False])):
        a, b = evaluate(d.chain, symbolic_input(n)), evaluate(d.layer, symbolic_input(n))
        assert [sympy.expand(u - v) == 0 for u, v in zip(a[0], b[0])] == agree


def test_unpadded_stride_chain_is_exactly_its_single_layer():
    k = kernel("k", 3)
    d = derive(conv(k, stride=2) >> conv(k, stride=2))
    assert (d.stride, d.receptive_field, d.padding, d.exact, d.boundary) == (4, 7, (0, 0), True, None)
    k0, k1, k2 = sympy.symbols("k_0 k_1 k_2")
    assert [sympy.expand(t) for t in d.kernel] == [k0**2, k0 * k1, k0 * k1 + k0 * k2, k1**2, k0 * k2 + k1 * k2,
                                                  k1 * k2, k2**2]


def test_exact_is_false_for_a_literal_chain_that_differs_from_its_single_layer_at_n_5():
    chain = conv([1, 2], padding=(1, 0), dilation=2) >> conv([1, 0, 1], padding=(2, 0)) >> conv([1, 2], dilation=2)
    d = derive(chain)
    assert not brute_force_equal(chain, d.layer, 5)
    assert not d.exact


def test_a_single_layer_with_a_leading_zero_tap_is_its_own_single_layer():
    d = derive(conv([0, 1, 1]))
    assert (d.receptive_field, d.padding, d.exact) == (3, (0, 0), True)


def test_a_padded_kernel_keeps_its_receptive_field():
    d = derive(conv(padk(kernel("k", 3), 1, 0)))
    assert d.receptive_field == 4 and d.padding == (0, 0) and d.exact


def test_literal_zero_taps_inside_the_kernel_are_kept():
    d = derive(conv([1, 0, 1]))
    assert d.kernel == [1, 0, 1] and d.receptive_field == 3 and d.exact


# --- a long chain: VGG16 ----------------------------------------------------------------------

def vgg16(pool: Layer) -> list[Layer]:
    k = kernel("k", 3)
    layers: list[Layer] = []
    for convs in (2, 2, 3, 3, 3):
        for _ in range(convs):
            layers += [conv(k, padding=1), relu()]
        layers.append(pool)
    return layers


def test_vgg16_feature_maps_for_227_with_3_wide_stride_2_pooling_are_227_114_57_29_15():
    """With maxpool(3, stride=2, padding=1), every pooling is ceil(n / 2) (a 3x3 conv with padding 1
    keeps the length), so the inputs of the five blocks have the sizes quoted for VGG16 on 227."""
    pool = maxpool(3, stride=2, padding=1)
    sizes, n = [227], 227
    for layer in vgg16(pool):
        n = output_length(layer, n)
        if layer is pool:
            sizes.append(n)
    assert sizes == [227, 114, 57, 29, 15, 8]
    assert output_length(Chain(tuple(vgg16(pool))), 227) == 8


def test_vgg16_with_2_wide_pooling_floors_instead():
    pool = maxpool(2)
    sizes, n = [227], 227
    for layer in vgg16(pool):
        n = output_length(layer, n)
        if layer is pool:
            sizes.append(n)
    assert sizes == [227, 113, 56, 28, 14, 7]


def test_vgg16_receptive_field_is_212_with_stride_32_and_padding_90():
    """The published values for VGG16's pool5 (2x2 max-pooling, 3x3 convolutions with padding 1)."""
    d = derive(Chain(tuple(vgg16(maxpool(2)))))
    assert (d.stride, d.receptive_field, d.padding[0]) == (32, 212, 90)
    assert d.kernel is None and not d.exact
    assert _formula_lengths(d.output_length, [31, 32, 227, 500]) == [0, 1, 7, 15]


def test_derive_accepts_dsl_text():
    d = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
    assert (d.stride, d.receptive_field, d.exact) == (4, 7, True)
    assert math.prod([2, 2]) == d.stride


def test_derivation_json_has_the_documented_keys():
    d = derive(conv(kernel("k", 3), stride=2, padding=1) >> conv(kernel("k", 3), stride=2, padding=1))
    data = d.to_json()
    assert set(data) == {"chain", "kernel", "stride", "padding", "dilation", "receptive_field", "output_length",
                         "branches", "exact", "boundary", "bias"}
    assert data["padding"] == [3, 3] and data["boundary"] == {"left": 0, "right": 1}
    assert all(isinstance(t, str) for t in data["kernel"])


def test_literal_kernels_give_numeric_taps():
    d = derive(conv([1, 1]) >> conv([1, 1]))
    assert d.kernel == [1, 2, 1] and d.exact
    assert d.layer.weight.taps() == ((tuple(sympy.Integer(v) for v in (1, 2, 1)),),)
    assert literal([1, 2, 1]).taps() == d.layer.weight.taps()


def test_a_flip_across_a_strided_layer_gives_the_arithmetic_without_a_kernel():
    d = derive("flip() >> conv(k[3], stride=2) >> flip() >> conv(k, stride=2)")
    plain = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
    assert d.kernel is None and not d.exact and d.boundary is None
    assert (d.stride, d.receptive_field, d.output_length) == (plain.stride, plain.receptive_field,
                                                              plain.output_length)
    assert d.to_json()["chain"].startswith("flip() >> conv(k[3], stride=2) >> flip()")


@pytest.mark.parametrize("chain, bias", [
    ("conv([1, 2], bias=[3]) >> conv([1, 1])", ["6"]),
    ("conv(k[3], stride=2, bias=[1/2]) >> conv(k, stride=2, bias=[-1])", ["k_0/2 + k_1/2 + k_2/2 - 1"]),
    ("conv(W[2, 1, 2], bias=b) >> conv(V[1, 2, 2], bias=c)",
     ["V_0_0_0*b_0 + V_0_0_1*b_0 + V_0_1_0*b_1 + V_0_1_1*b_1 + c_0"]),
])
def test_the_single_layer_of_a_biased_chain_carries_the_chains_bias(chain, bias):
    """Biases add up through the layers (b_2 + K_2(1) b_1): the single layer has that bias and equals the chain."""
    d = derive(chain)
    assert d.exact and d.to_json()["bias"] == bias
    for n in range(12):
        assert evaluate(d.chain, symbolic_input(n)) == evaluate(d.layer, symbolic_input(n))


def test_a_chain_without_bias_derives_a_single_layer_without_one():
    d = derive("conv(k[3], stride=2) >> conv(k, stride=2)")
    assert d.layer.bias is None and d.to_json()["bias"] is None


def test_a_chain_whose_single_layer_needs_a_stride_above_the_limit_is_refused_with_the_arithmetic():
    """13 layers of stride 2 compose to stride 2^13 = 8192 > 4096: refused from the layers' strides, before any work."""
    chain = " >> ".join(["conv(k[2], stride=2)"] + ["conv(k, stride=2)"] * 12)
    with pytest.raises(SizeLimitError) as info:
        derive(chain)
    assert str(info.value) == (
        " >> ".join(["conv(k[2], stride=2)"] * 13) + ": the single layer would need stride 8192 = "
        + " * ".join(["2"] * 13) + " (the product of the layers' strides), above the DSL's limit 4096; "
        "expected a composed stride of at most 4096"
    )


def test_a_chain_at_the_stride_limit_still_derives_its_single_layer():
    d = derive("conv(k[1], stride=64) >> conv(k, stride=64)")
    assert d.stride == 4096 and d.layer.stride == 4096
