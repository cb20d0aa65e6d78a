"""The tap ring orders its variables as SymPy's default sort key does (printing and certificates rely on it)."""

import sympy
from hypothesis import given
from hypothesis import strategies as st

from symconv.algebra.kernel_poly import _ring_for_symbols

names = st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,2}(_[0-9]{1,2}){0,3}", fullmatch=True)


@given(st.lists(names, min_size=1, max_size=12, unique=True))
def test_ring_variables_follow_sympy_default_sort_key(chosen):
    symbols = [sympy.Symbol(n) for n in chosen]
    ring = _ring_for_symbols(symbols)
    assert list(ring.symbols) == sorted(symbols, key=sympy.default_sort_key)


def test_symbols_with_one_name_and_other_assumptions_stay_two_variables():
    plain, positive = sympy.Symbol("c"), sympy.Symbol("c", positive=True)
    ring = _ring_for_symbols([positive, plain])
    assert len(ring.symbols) == 2 and set(ring.symbols) == {plain, positive}
