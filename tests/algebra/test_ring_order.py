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


@given(st.lists(names, min_size=1, max_size=12, unique=True))
def test_a_ring_made_from_names_equals_the_ring_of_their_plain_symbols(chosen):
    from symconv.algebra.tap_poly import TapRing

    by_names = TapRing.of_names(sorted(chosen))
    by_symbols = _ring_for_symbols([sympy.Symbol(n) for n in chosen])
    assert by_names == by_symbols and hash(by_names) == hash(by_symbols)
    assert by_names.symbols == by_symbols.symbols


def test_a_ring_made_from_names_differs_from_one_with_an_assumption_on_a_variable():
    from symconv.algebra.tap_poly import TapRing

    assert TapRing.of_names(["c"]) != TapRing((sympy.Symbol("c", positive=True),))
    assert TapRing.of_names(["c"]) != TapRing.of_names(["d"])
    assert repr(TapRing.of_names(["k_0", "k_1"])) == "TapRing(k_0, k_1)"
    assert repr(TapRing.of_names([f"k_{j}" for j in range(9)])) == "TapRing(k_0, k_1, k_2, ..., k_8; 9 variables)"


def test_the_ring_of_named_kernels_has_their_taps_in_sympy_order():
    from symconv.algebra.kernel_poly import ring_for_kernels
    from symconv.core.kernel import kernel

    kernels = [kernel("k", 12), kernel("W", 2, 1, 3)]
    ring = ring_for_kernels(kernels)
    taps = [t for k in kernels for out in k.taps() for row in out for t in row]
    assert list(ring.symbols) == sorted(taps, key=sympy.default_sort_key)
