"""The exact semantics and the numeric evaluator agree exactly on random small chains.

The exact side runs :func:`symconv.core.semantics.evaluate` on a symbolic
input (and symbolic kernels), then substitutes integer values; the numeric
side runs :func:`evaluate_numeric` with ``exact=True`` on the same values.
Outputs must be equal as rationals, and lengths equal (0 included).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symconv.core.kernel import convolve, dilate, flipk, kernel, literal, padk, tap_symbol
from symconv.core.layers import (
    Chain,
    affine,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    maxpool,
    pad,
    relu,
    up,
)
from symconv.core.semantics import evaluate, symbolic_input
from symconv.numeric import evaluate_numeric, random_bindings

EXAMPLES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- random chains -------------------------------------------------------------------------

class Names:
    """Fresh kernel, bias and affine names within one chain."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


SAME_LENGTH = ["symbol", "literal", "flip", "sum", "scaled"]
ANY_LENGTH = SAME_LENGTH + ["dilate", "padk", "convolve"]


def draw_weight(draw, names: Names, out: int, inp: int, c: int | None = None):
    """A weight of shape (out, in, c'): a symbol, a literal, or a kernel expression around a symbol.

    With ``c`` given, the weight has exactly ``c`` taps.
    """
    symbol_c = c if c is not None else draw(st.integers(1, 3))
    symbol = kernel(names("k"), symbol_c) if out == inp == 1 else kernel(names("W"), out, inp, symbol_c)
    form = draw(st.sampled_from(SAME_LENGTH if c is not None else ANY_LENGTH))
    c = symbol_c
    if form == "literal":
        return literal(draw(arrays(np.int64, (out, inp, c), elements=st.integers(-3, 3))).tolist())
    if form == "dilate":
        return dilate(symbol, draw(st.integers(1, 3)))
    if form == "flip":
        return flipk(symbol)
    if form == "padk":
        return padk(symbol, draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    if form == "sum":
        return symbol + literal(draw(arrays(np.int64, (out, inp, c), elements=st.integers(-3, 3))).tolist())
    if form == "scaled":
        return sympy.Rational(draw(st.integers(-3, 3)), draw(st.integers(1, 3))) * symbol
    if form == "convolve":
        mid = draw(st.integers(1, 2))
        return convolve(kernel(names("A"), mid, inp, draw(st.integers(1, 2))),
                        kernel(names("B"), out, mid, draw(st.integers(1, 2))))
    return symbol


def divisors(c: int) -> list[int]:
    return [g for g in range(1, c + 1) if c % g == 0]


def draw_layer(draw, names: Names, channels: int, nonlinear: bool):
    """One layer taking ``channels`` channels, and the channels it gives."""
    kinds = ["conv", "conv_transpose", "pad", "crop", "down", "up", "flip", "avgpool", "sum"]
    if nonlinear:
        kinds += ["relu", "affine", "maxpool"]
    kind = draw(st.sampled_from(kinds))
    if kind == "conv":
        groups = draw(st.sampled_from(divisors(channels)))
        out = groups * draw(st.integers(1, 2))
        weight = draw_weight(draw, names, out, channels // groups)
        padding = draw(st.integers(0, 2) | st.tuples(st.integers(0, 2), st.integers(0, 2)) | st.just("same"))
        stride = 1 if padding == "same" else draw(st.integers(1, 3))
        bias = draw(st.sampled_from([None, names("b")]))
        return conv(weight, stride=stride, padding=padding, dilation=draw(st.integers(1, 2)), groups=groups,
                    bias=bias), out
    if kind == "conv_transpose":
        groups = draw(st.sampled_from(divisors(channels)))
        out_g = draw(st.integers(1, 2))
        stride, dilation = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        layer = conv_transpose(draw_weight(draw, names, channels, out_g), stride=stride,
                               padding=draw(st.integers(0, 2)),
                               output_padding=draw(st.integers(0, max(stride, dilation) - 1)),
                               dilation=dilation, groups=groups, bias=draw(st.sampled_from([None, names("b")])))
        return layer, out_g * groups
    if kind == "sum":
        return draw_sum(draw, names, channels), channels
    pair = st.integers(0, 2)
    return {
        "pad": lambda: pad(draw(pair), draw(pair)),
        "crop": lambda: crop(draw(pair), draw(pair)),
        "down": lambda: (lambda s: down(s, draw(st.integers(0, s - 1))))(draw(st.integers(1, 3))),
        "up": lambda: up(draw(st.integers(1, 3))),
        "flip": flip,
        "avgpool": lambda: (lambda size: avgpool(size, stride=draw(st.integers(1, 3)),
                                                    padding=draw(st.integers(0, size // 2))))(
            draw(st.integers(1, 3))),
        "relu": relu,
        "affine": lambda: affine(names("g"), [draw(st.integers(-2, 2)) for _ in range(channels)]),
        "maxpool": lambda: maxpool(draw(st.integers(1, 3)), stride=draw(st.integers(1, 2)),
                                   dilation=draw(st.integers(1, 2))),
    }[kind](), channels


def draw_sum(draw, names: Names, channels: int):
    """Two branches that give equal lengths for every input length (and the same channels)."""
    form = draw(st.sampled_from(["conv+conv", "down+conv", "avgpool+conv", "flip+shift", "pad+conv", "convT+convT"]))
    depthwise = lambda c: draw_weight(draw, names, channels, 1, c)  # noqa: E731
    if form == "conv+conv":
        c, stride, padding = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(0, 2))
        return (conv(kernel(names("W"), channels, channels, c), stride=stride, padding=padding)
                + conv(kernel(names("W"), channels, channels, c), stride=stride, padding=padding))
    if form == "down+conv":
        s = draw(st.integers(1, 3))
        return down(s) + conv(kernel(names("W"), channels, 1, 1), stride=s, groups=channels)
    if form == "avgpool+conv":
        size, stride = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        padding = draw(st.integers(0, size // 2))
        return avgpool(size, stride=stride, padding=padding) + conv(
            kernel(names("W"), channels, 1, size), stride=stride, padding=padding, groups=channels)
    if form == "flip+shift":
        return flip() + (pad(1, 0) >> crop(0, 1))
    if form == "pad+conv":
        left, right, c, s = (draw(st.integers(0, 2)), draw(st.integers(0, 2)), draw(st.integers(1, 3)),
                             draw(st.integers(1, 3)))
        return (conv(kernel(names("W"), channels, channels, c), stride=s, padding=(left, right))
                + (pad(left, right) >> conv(kernel(names("W"), channels, channels, c), stride=s)))
    stride, padding = draw(st.integers(1, 3)), draw(st.integers(0, 2))
    return (conv_transpose(depthwise(2), stride=stride, padding=padding, groups=channels)
            + conv_transpose(kernel(names("W"), channels, 1, 2), stride=stride, padding=padding, groups=channels))


@st.composite
def chains(draw, nonlinear: bool = False):
    names = Names()
    channels = start = draw(st.integers(1, 2))
    steps = []
    for _ in range(draw(st.integers(2, 4))):
        layer, channels = draw_layer(draw, names, channels, nonlinear)
        steps.append(layer)
    return Chain(tuple(steps)), start, draw(st.integers(0, 10))


# --- comparing the two evaluations ---------------------------------------------------------

def substitution(bindings: dict, layer, x: np.ndarray) -> dict:
    """SymPy symbols of taps, biases, affine symbols and input samples -> their integer values."""
    values: dict = {}
    kernels = {symbol.name: symbol for k in layer.kernels() for symbol in k.symbols()}
    for name, v in bindings.items():
        if name in kernels:  # k[c]: k_j; W[out, in, c]: W_o_i_j
            symbol = kernels[name]
            for index, tap in np.ndenumerate(np.asarray(v).reshape(symbol.shape[:2] + (np.shape(v)[-1],))):
                values[tap_symbol(name, *(index[2:] if len(symbol.dims) == 1 else index))] = sympy.Integer(int(tap))
        elif np.ndim(v) == 0:  # an affine symbol
            values[sympy.Symbol(name)] = sympy.Integer(int(v))
        else:  # a named bias b: b_0, b_1, ...
            values.update({sympy.Symbol(f"{name}_{o}"): sympy.Integer(int(b)) for o, b in enumerate(v)})
    channels, n = x.shape
    for m in range(channels):
        for i in range(n):
            symbol = sympy.Symbol(f"x_{i}" if channels == 1 else f"x_{m}_{i}")
            values[symbol] = sympy.Integer(int(x[m, i]))
    return values


def as_fraction(value: sympy.Expr) -> Fraction | float:
    if value == -sympy.oo:
        return float("-inf")
    assert value.is_Rational, f"not a number after substitution: {value}"
    return Fraction(int(value.p), int(value.q))


def assert_exact_agreement(layer, channels: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    bindings = random_bindings(layer, rng)
    x = rng.integers(-3, 4, size=(channels, n))
    exact = evaluate(layer, symbolic_input(n, channels))
    values = substitution(bindings, layer, x)
    expected = [[as_fraction(v.xreplace(values)) for v in ch] for ch in exact]
    numeric = evaluate_numeric(layer, x, bindings, exact=True)
    assert numeric.shape == (len(expected), len(expected[0]) if expected else 0), (numeric.shape, expected)
    assert numeric.tolist() == expected


@EXAMPLES
@given(chains(), st.integers(0, 2**32 - 1))
def test_exact_semantics_and_numeric_evaluator_agree_on_random_linear_chains(chain, seed):
    layer, channels, n = chain
    assert_exact_agreement(layer, channels, n, seed)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(nonlinear=True), st.integers(0, 2**32 - 1))
def test_exact_semantics_and_numeric_evaluator_agree_on_chains_with_relu_affine_maxpool(chain, seed):
    layer, channels, n = chain
    assert_exact_agreement(layer, channels, n, seed)


# --- the composition rule of DESIGN section 1 ----------------------------------------------

def taps(low: int = 1, high: int = 4):
    return st.lists(st.integers(-3, 3), min_size=low, max_size=high)


# Integer kernels and inputs keep every float64 sum exact (far below 2**53), so the
# sweeps over n compare floats with == and run in float mode for speed.

@settings(max_examples=150, deadline=None)
@given(taps(), taps(), st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_strided_conv_then_conv_is_one_conv_with_kernel_a_convolved_with_b_dilated_by_s(a, b, s, t, seed):
    lhs = conv(a, stride=s) >> conv(b, stride=t)
    rhs = conv(convolve(a, dilate(b, s)), stride=s * t)
    x = np.random.default_rng(seed).integers(-5, 6, size=(3, 1, 48))
    for n in range(0, 49):
        left, right = evaluate_numeric(lhs, x[:, :, :n]), evaluate_numeric(rhs, x[:, :, :n])
        assert left.shape == right.shape and np.array_equal(left, right)


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3),
       st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_composition_rule_holds_for_multichannel_weights(inp, mid, out, ca, cb, s, t, seed):
    a, b = kernel("A", mid, inp, ca), kernel("B", out, mid, cb)
    lhs = conv(a, stride=s) >> conv(b, stride=t)
    rhs = conv(convolve(a, dilate(b, s)), stride=s * t)
    rng = np.random.default_rng(seed)
    bindings = random_bindings([lhs, rhs], rng)
    x = rng.integers(-5, 6, size=(4, inp, 40))
    for n in range(0, 41):
        left, right = evaluate_numeric(lhs, x[:, :, :n], bindings), evaluate_numeric(rhs, x[:, :, :n], bindings)
        assert left.shape == right.shape and np.array_equal(left, right)
    small = x[:, :, :9]
    assert (evaluate_numeric(lhs, small, bindings, exact=True).tolist()
            == evaluate_numeric(rhs, small, bindings, exact=True).tolist())


@settings(max_examples=40, deadline=None)
@given(taps(1, 3), taps(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(0, 9))
def test_composition_rule_holds_in_the_exact_semantics_too(a, b, s, t, n):
    ka, kb = kernel("a", len(a)), kernel("b", len(b))
    lhs = evaluate(conv(ka, stride=s) >> conv(kb, stride=t), symbolic_input(n))
    rhs = evaluate(conv(convolve(ka, dilate(kb, s)), stride=s * t), symbolic_input(n))
    assert lhs == rhs


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 3), st.integers(1, 3), st.integers(0, 8), st.integers(0, 2**32 - 1))
def test_generic_kernel_lengths_agree_once_sizes_are_given(c, dilation, stride, n, seed):
    k = kernel("k", "c")
    layer = conv(k, padding="same", dilation=dilation) >> conv_transpose(k, stride=stride) >> conv(dilate(k, 2))
    rng = np.random.default_rng(seed)
    bindings = random_bindings(layer, rng, sizes={"c": c})
    x = rng.integers(-3, 4, size=(1, n))
    exact = evaluate(layer, symbolic_input(n), sizes={"c": c})
    values = substitution(bindings, layer, x)
    expected = [[as_fraction(v.xreplace(values)) for v in ch] for ch in exact]
    assert evaluate_numeric(layer, x, bindings, exact=True).tolist() == expected
    assert evaluate_numeric(layer, x, bindings, sizes={"c": c}, exact=True).tolist() == expected
