"""The generic-length forms against the core semantics at concrete lengths c, for random chains.

The length form must equal ``output_length`` for every (n, c) tried, and the
formal impulse responses, with the atoms replaced by the polyphase components
of concrete taps, must equal the core's output on every window.
"""

from __future__ import annotations

import re

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.core.kernel import size_symbol
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate
from symconv.dsl import parse_chain
from symconv.prover.generic_lengths import OutsideGenericFragment, length_form, length_period
from symconv.prover.generic_series import NeedsResidue, SeriesContext, impulse_response

Z = sympy.Symbol("z")
C = size_symbol("c")

KERNELS = ["k", "flip(k)", "dilate(k, 2)", "convolve(k, [1, -1])", "padk(k, 1, 0)"]


@st.composite
def chains(draw):
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "conv", "convt", "down", "up", "pad", "crop", "avgpool"]))
        if kind in ("conv", "convt"):
            kernel = draw(st.sampled_from(KERNELS))
            stride, pad = draw(st.integers(1, 3)), draw(st.integers(0, 2))
            if kind == "conv":
                layers.append(f"conv({kernel}, stride={stride}, padding={pad})")
            else:
                layers.append(f"conv_transpose({kernel}, stride={stride}, padding={pad})")
        elif kind == "down":
            s = draw(st.integers(1, 3))
            layers.append(f"down({s}, phase={draw(st.integers(0, s - 1))})")
        elif kind == "up":
            layers.append(f"up({draw(st.integers(1, 3))})")
        elif kind in ("pad", "crop"):
            layers.append(f"{kind}({draw(st.integers(0, 2))}, {draw(st.integers(0, 2))})")
        else:
            layers.append(f"avgpool(2, stride={draw(st.integers(1, 2))}, padding={draw(st.integers(0, 1))})")
    text = " >> ".join(layers)
    if not re.search(r"\bk\b", text):
        text = "conv(k) >> " + text
    return re.sub(r"\bk\b", "k[c]", text, count=1)


def _concrete(series, modulus, c):
    """The formal series with ``A_r(z^m)`` replaced by the polyphase components of ``k_0 .. k_{c-1}``."""
    q = (c - 1) // modulus
    total = sympy.Integer(0)
    for (beta, alpha, atoms), coeff in series.items():
        term = coeff * Z ** (beta + alpha * q)
        for name, r, m in atoms:
            term *= sum((sympy.Symbol(f"{name}_{j}") * Z ** (m * ((j - r) // modulus))
                         for j in range(r, c, modulus)), sympy.Integer(0))
        total += term
    return sympy.expand(total)


@settings(max_examples=60, deadline=None)
@given(chains())
def test_length_form_equals_output_length(text):
    chain = parse_chain(text)
    period = length_period(chain)
    form = length_form(chain, period, C)
    for c in range(1, 9):
        for n in range(0, 30):
            assert form(n, c) == output_length(chain, n, {"c": c}), (n, c)


def assert_responses_match_the_core(chain, lengths: range) -> None:
    """Each output channel's concrete response to an impulse of input channel 0 equals the core on every window."""
    modulus = length_period(chain)
    for c in (1, 2, 3, 5):
        ctx = SeriesContext(modulus, C, (c - 1) % modulus)
        for position in range(min(modulus, 2)):
            outputs = [_concrete(series, modulus, c) for series in impulse_response(chain, position, ctx)]
            for n in (position + d for d in lengths):
                x = (tuple(1 if i == position else 0 for i in range(n)),)
                y = evaluate(chain, x, {"c": c})
                assert len(y) == len(outputs)
                for out, poly in zip(y, outputs):
                    for i, value in enumerate(out):
                        assert sympy.expand(value - poly.coeff(Z, i)) == 0, (c, n, i)


@settings(max_examples=40, deadline=None)
@given(chains())
def test_impulse_responses_equal_the_core_on_every_window(text):
    chain = parse_chain(text)
    try:
        impulse_response(chain, 0, SeriesContext(length_period(chain), C, 0))
    except OutsideGenericFragment:
        return
    assert_responses_match_the_core(chain, range(1, 9))


def test_a_flipped_generic_kernel_needs_the_residue_of_c():
    chain = parse_chain("conv(flip(k[c]), stride=2)")
    try:
        impulse_response(chain, 0, SeriesContext(2, C))
    except NeedsResidue:
        return
    raise AssertionError("expected NeedsResidue")


@settings(max_examples=40, deadline=None)
@given(chains())
def test_the_closed_length_formula_holds_past_the_threshold(text):
    chain = parse_chain(text)
    form = length_form(chain, length_period(chain), C)
    closed = form.closed_form()
    if closed is None:
        return
    a, u, v, divisor = closed
    for c in range(1, 9):
        for n in range(form.threshold(c), form.threshold(c) + 25):
            assert output_length(chain, n, {"c": c}) == (a * n + u * c + v) // divisor + 1, (n, c)


def test_stride_two_twice_has_the_textbook_length_formula():
    form = length_form(parse_chain("conv(k[c], stride=2) >> conv(k, stride=2)"), 4, C)
    assert form.formula(C) == "L = floor((-3*c + n + 2)/4) + 1 for n >= 3*c - 2 (0 below)"


def test_a_pad_after_an_empty_output_gives_the_length_of_the_empty_input_below_the_threshold():
    chain = parse_chain("conv(k[c]) >> pad(0, 2)")
    form = length_form(chain, 1, C)
    assert [form(n, 4) for n in range(6)] == [2, 2, 2, 2, 3, 4]
    assert form.formula(C) == "L = -c + n + 3 for n >= c (below: the larger of that and L(0) = 2)"


def test_lengths_that_differ_only_on_the_empty_input_are_told_apart_at_n_0():
    padded = length_form(parse_chain("conv(k[c], padding=(1, 2))"), 1, C)
    moved = length_form(parse_chain("pad(1, 1) >> conv(k[c]) >> pad(0, 1)"), 1, C)
    n, c = padded.first_difference(moved)
    assert n == 0 and padded(0, c) != moved(0, c)
    assert padded.first_difference(length_form(parse_chain("pad(1, 2) >> conv(k[c])"), 1, C)) is None


@st.composite
def derivable(draw):
    """Chains whose single equivalent layer derive gives for a generic c (padding only in front)."""
    layers = [f"pad({draw(st.integers(0, 2))}, {draw(st.integers(0, 2))})"] if draw(st.booleans()) else []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["conv", "conv", "down", "avgpool"]))
        if kind == "conv":
            layers.append(f"conv({draw(st.sampled_from(KERNELS))}, stride={draw(st.integers(1, 2))}, "
                          f"dilation={draw(st.integers(1, 2))})")
        elif kind == "down":
            s = draw(st.integers(1, 2))
            layers.append(f"down({s}, phase={draw(st.integers(0, s - 1))})")
        else:
            layers.append("avgpool(2)")
    if not re.search(r"\bk\b", " ".join(layers)):
        layers.append("conv(k)")
    return re.sub(r"\bk\b", "k[c]", " >> ".join(layers), count=1)


@settings(max_examples=25, deadline=None)
@given(derivable(), st.sampled_from(["same", "stride", "padding", "dilate"]))
def test_what_the_generic_argument_proves_holds_at_every_concrete_length(text, mutation):
    from symconv.core.kernel_expr import dilate
    from symconv.core.layers import Conv
    from symconv.prover.decide import decide
    from symconv.prover.derive import derive
    from symconv.prover.generic import decide_generic

    chain = parse_chain(text)
    single = derive(chain).layer
    if single is None:
        return
    if mutation == "stride":
        single = Conv(single.weight, single.stride + 1, single.padding)
    elif mutation == "padding":
        single = Conv(single.weight, single.stride, (single.padding[0] + 1, single.padding[1]))
    elif mutation == "dilate":
        single = Conv(dilate(single.weight, 2), single.stride, single.padding)
    try:
        generic = decide_generic(chain, single).verdict
    except OutsideGenericFragment:  # a mutated stride can push the period past MAX_PERIOD
        assert mutation == "stride"
        return
    concrete = {c: decide(chain, single, {"c": c}).verdict for c in range(1, 6)}
    if generic == "proved":
        assert set(concrete.values()) == {"proved"}, concrete
    if mutation == "same":
        assert generic == "proved"


@pytest.mark.parametrize("text", [
    "conv(W[2, 1, c], stride=2) >> conv(V[1, 2, c])",
    "conv_transpose(T[1, 2, c], stride=2, padding=1) >> conv(U[2, 2, 2], stride=3)",
    "conv(flip(W[2, 1, c]), stride=2, padding=1) >> up(2) >> conv(convolve(dilate(V[2, 2, c], 2), U[2, 2, 1]))",
])
def test_multichannel_impulse_responses_equal_the_core(text):
    assert_responses_match_the_core(parse_chain(text), range(1, 7))


def test_differing_responses_are_printed_with_the_fixed_taps_gathered_per_term():
    from symconv.dsl import parse_statement
    from symconv.prover.generic import decide_generic

    lhs, rhs = parse_statement("conv(k[c], stride=2) >> conv(1/2 * h[2] + [1, 3])",
                               "conv(convolve(k, dilate(h, 2)), stride=2)")
    decision = decide_generic(lhs, rhs)
    assert decision.verdict == "different"
    assert decision.impulse == ("output channel 0: lhs: (h_1/2 + 3) z^-1 k_0(z^-1) + (h_0/2 + 1) z^0 k_0(z^-1); "
                                "rhs: (h_1) z^-1 k_0(z^-1) + (h_0) z^0 k_0(z^-1)")
