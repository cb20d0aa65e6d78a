"""Long integer products by Kronecker substitution equal the pair-by-pair products."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.algebra import laurent
from symconv.algebra.laurent import Laurent, _entry_product, _flat, _integer_entry_product, mat_mul

coefficients = st.integers(min_value=-10**30, max_value=10**30)
entries = st.dictionaries(st.integers(min_value=-6, max_value=12), coefficients, max_size=9).map(Laurent)


def _pair_by_pair(pairs) -> dict:
    out: dict = {}
    for x, y in pairs:
        for t1, _, c1 in x:
            for t2, _, c2 in y:
                out[t1 + t2] = out.get(t1 + t2, 0) + c1 * c2
    return {t: c for t, c in out.items() if c}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(entries, entries), min_size=1, max_size=4))
def test_the_packed_product_of_integer_entries_equals_the_sum_of_pair_products(entries_pairs):
    pairs = [(_flat(x), _flat(y)) for x, y in entries_pairs if x.terms and y.terms]
    if pairs:
        assert _integer_entry_product(pairs) == _pair_by_pair(pairs)


def test_coefficients_that_cancel_leave_no_term():
    x, y = Laurent({0: 1, 1: 1}), Laurent({0: 1, 1: -1})
    assert _integer_entry_product([(_flat(x), _flat(y))]) == {0: 1, 2: -1}  # (1 + z)(1 - z) = 1 - z^2


def test_long_integer_entries_take_the_packed_route_and_agree_with_short_ones(monkeypatch):
    a = ((Laurent({t: (t % 7) - 3 for t in range(100)}), Laurent({t: 1 for t in range(0, 200, 2)})),)
    b = ((Laurent({t: 2 * t - 150 for t in range(-5, 150)}),), (Laurent({t: -1 for t in range(60)}),))
    packed = mat_mul(a, b)
    calls = []
    monkeypatch.setattr(laurent, "_integer_entry_product", lambda pairs: calls.append(pairs) or {})
    mat_mul(a, b)
    assert calls, "the long product did not take the packed route"
    monkeypatch.undo()
    monkeypatch.setattr(laurent, "_PACKED_FROM", 10**12)  # every product pair by pair
    assert mat_mul(a, b) == packed


def test_an_entry_with_a_fraction_is_multiplied_pair_by_pair():
    from fractions import Fraction

    x = Laurent({t: Fraction(1, 3) if t == 0 else 1 for t in range(80)})
    y = Laurent({t: 1 for t in range(80)})
    product = _entry_product([_flat(x)], [_flat(y)], None)
    assert product.terms[0] == Fraction(1, 3)
    assert product.terms == _pair_by_pair([(_flat(x), _flat(y))])
