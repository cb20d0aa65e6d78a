"""Polyphase operators ``y[a q + r] = beta_r + sum_t h_r[t] x[b q + t]`` against their definition.

The reference here is the definition itself, applied row by row: output row
``i`` of an operator is a linear form in the input samples ``x[m, j]`` (plus
a constant), read off the phase matrices. Composition, sums, lifting and
reduction must give operators whose rows are exactly what that direct
computation (a product of the finite matrices involved) gives.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from symconv.algebra.laurent import Laurent, mat_identity
from symconv.algebra.polyphase import Polyphase

CONSTANT = "1"
relaxed = settings(deadline=None, max_examples=60)

laurents = st.dictionaries(st.integers(-3, 3), st.integers(-3, 3), max_size=3).map(Laurent)


@st.composite
def operators(draw, out_channels=None, in_channels=None, bias=None):
    a = draw(st.integers(1, 3))
    b = draw(st.integers(1, 3))
    out = out_channels or draw(st.integers(1, 2))
    inp = in_channels or draw(st.integers(1, 2))
    phases = tuple(
        tuple(tuple(draw(laurents) for _ in range(inp)) for _ in range(out)) for _ in range(a)
    )
    with_bias = draw(st.booleans()) if bias is None else bias
    beta = tuple(tuple(draw(st.integers(-2, 2)) for _ in range(out)) for _ in range(a)) if with_bias else None
    return Polyphase(a, b, phases, beta)


@st.composite
def composable(draw):
    g = draw(operators())
    h = draw(operators(in_channels=g.out_channels))
    return h, g


def row_forms(op: Polyphase, i: int) -> list[dict]:
    """Output row ``i`` per output channel, as ``{(m, j): coefficient, CONSTANT: beta}`` (the definition)."""
    q, r = divmod(i, op.out_period)
    forms = []
    for o in range(op.out_channels):
        form: dict = {}
        if op.bias[r][o]:
            form[CONSTANT] = op.bias[r][o]
        for m, entry in enumerate(op.phases[r][o]):
            for t, c in entry.terms.items():
                key = (m, op.in_period * q + t)
                form[key] = form.get(key, 0) + c
        forms.append({k: v for k, v in form.items() if v})
    return forms


def composed_row_forms(h: Polyphase, g: Polyphase, i: int) -> list[dict]:
    """Row ``i`` of ``h o g`` by substituting g's rows into h's row: a product of finite matrices."""
    out = []
    for form in row_forms(h, i):
        total: dict = {}
        for key, c in form.items():
            if key == CONSTANT:
                total[CONSTANT] = total.get(CONSTANT, 0) + c
                continue
            m, j = key
            for inner_key, d in row_forms(g, j)[m].items():
                total[inner_key] = total.get(inner_key, 0) + c * d
        out.append({k: v for k, v in total.items() if v})
    return out


ROWS = range(-9, 10)


def same_rows(p: Polyphase, q: Polyphase, rows=ROWS) -> bool:
    return all(row_forms(p, i) == row_forms(q, i) for i in rows)


# --- composition ----------------------------------------------------------------------------

@relaxed
@given(composable())
def test_composition_equals_substituting_the_first_operator_into_the_second(pair):
    h, g = pair
    f = h @ g
    for i in ROWS:
        assert row_forms(f, i) == composed_row_forms(h, g, i)


@relaxed
@given(composable())
def test_composition_periods_and_channels(pair):
    h, g = pair
    f = h @ g
    assert (f.out_channels, f.in_channels) == (h.out_channels, g.in_channels)
    assert f.rate == (
        (h.out_period * g.out_period) // math.gcd(h.out_period * g.out_period, h.in_period * g.in_period),
        (h.in_period * g.in_period) // math.gcd(h.out_period * g.out_period, h.in_period * g.in_period),
    )


@relaxed
@given(st.data())
def test_composition_is_associative(data):
    f = data.draw(operators(bias=False))
    g = data.draw(operators(in_channels=f.out_channels, bias=False))
    h = data.draw(operators(in_channels=g.out_channels, bias=False))
    assert ((h @ g) @ f).equals(h @ (g @ f))


@relaxed
@given(operators())
def test_identity_is_neutral_for_composition(op):
    left = Polyphase(1, 1, (mat_identity(op.out_channels),))
    right = Polyphase(1, 1, (mat_identity(op.in_channels),))
    assert (left @ op).equals(op)
    assert (op @ right).equals(op)


def test_two_stride_2_correlations_compose_to_stride_4_with_the_dilated_product():
    h = Laurent({0: 1, 1: 1})
    conv2 = Polyphase(1, 2, (((h,),),))
    f = conv2 @ conv2
    assert (f.out_period, f.in_period) == (1, 4)
    assert f.phases[0][0][0] == h * h.upsample(2)


def test_up_then_down_by_the_same_factor_is_the_identity():
    up3 = Polyphase(3, 1, (mat_identity(1), ((Laurent(),),), ((Laurent(),),)))
    down3 = Polyphase(1, 3, (mat_identity(1),))
    assert (down3 @ up3).reduced() == Polyphase(1, 1, (mat_identity(1),))


def test_down_then_up_keeps_only_phase_zero():
    up2 = Polyphase(2, 1, (mat_identity(1), ((Laurent(),),)))
    down2 = Polyphase(1, 2, (mat_identity(1),))
    f = (up2 @ down2).reduced()
    assert (f.out_period, f.in_period) == (2, 2)
    assert row_forms(f, 4) == [{(0, 4): 1}]
    assert row_forms(f, 5) == [{}]


def test_bias_of_the_first_operator_is_multiplied_by_the_taps_of_the_second():
    g = Polyphase(1, 1, (((Laurent({0: 1}),),),), ((5,),))
    h = Polyphase(1, 2, (((Laurent({0: 2, 1: 3}),),),), ((1,),))
    f = h @ g
    assert f.bias == ((1 + 5 * (2 + 3),),)


# --- sums -----------------------------------------------------------------------------------

@relaxed
@given(st.data())
def test_sum_adds_the_rows(data):
    p = data.draw(operators())
    k = data.draw(st.integers(1, 3))
    # an operator of the same rate, written with other periods
    other = data.draw(operators(out_channels=p.out_channels, in_channels=p.in_channels))
    q = Polyphase(p.out_period, p.in_period, other.phases[:1] * p.out_period, other.bias[:1] * p.out_period).lift(k)
    total = p + q
    for i in ROWS:
        expected = []
        for fp, fq in zip(row_forms(p, i), row_forms(q, i)):
            merged = dict(fp)
            for key, v in fq.items():
                merged[key] = merged.get(key, 0) + v
            expected.append({key: v for key, v in merged.items() if v})
        assert row_forms(total, i) == expected


def test_sum_of_operators_of_different_rates_is_refused():
    p = Polyphase(1, 1, (mat_identity(1),))
    q = Polyphase(1, 2, (mat_identity(1),))
    with pytest.raises(ValueError, match="cannot be aligned"):
        p + q


# --- lifting, reduction, equality -------------------------------------------------------------

@relaxed
@given(operators(), st.integers(1, 4))
def test_lift_writes_the_same_operator_with_k_times_the_periods(op, k):
    lifted = op.lift(k)
    assert (lifted.out_period, lifted.in_period) == (k * op.out_period, k * op.in_period)
    assert same_rows(op, lifted)
    assert lifted.rate == op.rate


@relaxed
@given(operators(), st.integers(1, 4))
def test_reduced_is_the_same_operator_with_periods_no_larger(op, k):
    lifted = op.lift(k)
    reduced = lifted.reduced()
    assert same_rows(reduced, lifted)
    assert reduced.out_period <= op.out_period and reduced.rate == op.rate


@relaxed
@given(operators(), st.integers(2, 4))
def test_reduced_undoes_a_lift_of_a_reduced_operator(op, k):
    base = op.reduced()
    again = base.lift(k).reduced()
    assert (again.out_period, again.in_period) == (base.out_period, base.in_period)
    assert again.phases == base.phases and again.bias == base.bias


@relaxed
@given(operators(), st.integers(1, 3), st.integers(1, 3))
def test_equals_holds_between_liftings_of_one_operator(op, k, l):
    assert op.lift(k).equals(op.lift(l))
    assert op.lift(k).difference(op.lift(l)) is None


@relaxed
@given(operators(), st.data())
def test_equals_fails_after_changing_one_coefficient(op, data):
    r = data.draw(st.integers(0, op.out_period - 1))
    o = data.draw(st.integers(0, op.out_channels - 1))
    i = data.draw(st.integers(0, op.in_channels - 1))
    t = data.draw(st.integers(-3, 3))
    phases = [list(list(row) for row in ph) for ph in op.phases]
    phases[r][o][i] = phases[r][o][i] + Laurent({t: 1})
    changed = Polyphase(op.out_period, op.in_period, tuple(tuple(tuple(row) for row in ph) for ph in phases), op.bias)
    assert not op.equals(changed)
    assert not changed.equals(op)
    witness = op.difference(changed)
    assert witness is not None
    assert witness[4] in (1, -1)


@relaxed
@given(operators(bias=False))
def test_difference_points_at_a_differing_row_coefficient(op):
    other = Polyphase(op.out_period, op.in_period, op.phases, op.bias)
    assert op.difference(other) is None
    shifted = Polyphase(1, 1, (mat_identity(op.out_channels, Laurent({1: 1})),)) @ op
    if op.is_zero():
        assert shifted.is_zero()
        return
    assume(not shifted.equals(op))
    r, o, i, t, diff = op.difference(shifted)
    period = math.lcm(op.out_period, shifted.out_period)
    a, b = op.lift(period // op.out_period), shifted.lift(period // shifted.out_period)
    assert a.phases[r][o][i].terms.get(t, 0) - b.phases[r][o][i].terms.get(t, 0) == diff != 0


def test_operators_of_different_rates_are_equal_only_when_both_are_zero():
    zero = ((Laurent(),),)
    assert Polyphase(1, 1, (zero,)).equals(Polyphase(1, 2, (zero,)))
    assert not Polyphase(1, 1, (mat_identity(1),)).equals(Polyphase(1, 2, (mat_identity(1),)))


def test_operators_with_different_channel_counts_are_not_equal():
    assert not Polyphase(1, 1, (mat_identity(1),)).equals(Polyphase(1, 1, (mat_identity(2),)))


def test_a_bias_makes_an_operator_nonzero_and_different():
    zero = ((Laurent(),),)
    assert not Polyphase(1, 1, (zero,), ((1,),)).is_zero()
    assert not Polyphase(1, 1, (zero,), ((1,),)).equals(Polyphase(1, 1, (zero,)))


def test_rate_is_reduced_by_the_gcd():
    op = Polyphase(2, 4, (mat_identity(1), mat_identity(1)))
    assert op.rate == (1, 2)


# --- read spans -----------------------------------------------------------------------------

@relaxed
@given(operators(), st.integers(-6, 6), st.integers(0, 5))
def test_read_span_is_the_hull_of_the_input_samples_the_rows_read(op, lo, width):
    hi = lo + width
    cols = [j for i in range(lo, hi + 1) for form in row_forms(op, i) for key in form if key != CONSTANT
            for j in [key[1]]]
    # a coefficient that cancels in the row form may still count for the span: only require containment
    span = op.read_span(lo, hi)
    if span is None:
        assert not cols
        return
    assert all(span[0] <= j <= span[1] for j in cols)
    # and the hull is tight with respect to the phase supports
    supports = [e.support() for i in range(lo, hi + 1) for row in op.phases[i % op.out_period] for e in row
                if e.terms]
    reads = [op.in_period * (i // op.out_period) + s for i in range(lo, hi + 1)
             for row in op.phases[i % op.out_period] for e in row if e.terms for s in e.support()]
    assert supports and span == (min(reads), max(reads))


def test_read_range_of_a_stride_2_correlation():
    op = Polyphase(1, 2, (((Laurent({-1: 1, 1: 1}),),),))
    assert op.read_range(3) == (5, 7)
    assert op.read_span(0, 2) == (-1, 5)


def test_read_range_of_the_zero_phase_of_an_upsampler_is_none():
    up2 = Polyphase(2, 1, (mat_identity(1), ((Laurent(),),)))
    assert up2.read_range(1) is None
    assert up2.read_range(4) == (2, 2)

