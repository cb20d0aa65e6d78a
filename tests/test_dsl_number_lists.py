"""Lists of numbers in the DSL (trained weights: thousands of them) read exactly as written, by the fast path.

A list holding only numbers (ints, floats, ``a/b``, ``a*b``, signs) is checked and walked once; what it
holds, and every refusal inside or around it, is what the general reader gives.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy

from symconv.dsl import parse_chain, parse_kernel, parse_statement
from symconv.errors import KindError, LiteralError, ParseError, UnknownFunction


def _flat(values: object) -> list:
    return [v for item in values for v in _flat(item)] if isinstance(values, tuple) else [values]


def test_numbers_in_a_list_are_the_exact_rationals_written_with_sympys_classes():
    k = parse_kernel("[-(-3)/-6, +2*3/4, 0.5/3, 3*0.1, 1 / (2/3), 6/3, 1e-400, 1.00000000000000000001, 1_000.5, "
                     "0.1, 7]")
    expected = [sympy.Rational(-1, 2), sympy.Rational(3, 2), sympy.Rational(1, 6), sympy.Rational(3, 10),
                sympy.Rational(3, 2), sympy.Integer(2), sympy.Rational(1, 10 ** 400),
                sympy.Rational(10 ** 20 + 1, 10 ** 20), sympy.Rational(2001, 2), sympy.Rational(1, 10),
                sympy.Integer(7)]
    values = _flat(k.values)
    assert values == expected and [type(v) for v in values] == [type(v) for v in expected]


def test_a_trained_2d_weight_written_as_dyadic_fractions_reads_back_exactly_and_round_trips():
    rng = random.Random(7)
    weights = [[[[Fraction(rng.randint(-2 ** 24, 2 ** 24), 2 ** rng.randint(20, 40)) for _ in range(3)]
                 for _ in range(3)] for _ in range(4)] for _ in range(4)]
    layer = parse_chain(f"conv2d({[[[[str(v) for v in row] for row in k] for k in o] for o in weights]!r}, padding=1)"
                        .replace("'", ""))
    assert _flat(layer.weight.values) == [sympy.Rational(v.numerator, v.denominator)
                                          for o in weights for k in o for row in k for v in row]
    assert parse_chain(repr(layer)) == layer


def test_a_whole_number_with_hundreds_of_digits_in_a_list_is_read_exactly():
    assert _flat(parse_kernel("[1" + "0" * 400 + ", -3]").values) == [sympy.Integer(10) ** 400, sympy.Integer(-3)]


def test_a_division_by_zero_or_an_overflowing_float_in_a_list_is_refused_where_it_is_written():
    with pytest.raises(LiteralError, match=r"^division by zero at column 10: '1/0' in 'conv\(\[1, 1/0\]\)'; "
                                           r"expected a nonzero denominator$"):
        parse_chain("conv([1, 1/0])")
    with pytest.raises(LiteralError, match=r"^division by zero at column 7: '1/\(0\*5\)'"):
        parse_chain("conv([1/(0*5)])")
    with pytest.raises(LiteralError, match=r"^the number 1e999 is not finite \(it overflows a float\) at column 7: "):
        parse_chain("conv([1e999, 1])")


def test_a_construct_outside_the_dsl_is_named_before_a_bad_number_in_a_list_is_read():
    with pytest.raises(UnknownFunction, match=r"^unknown function foo at column 16: 'foo'"):
        parse_chain("conv([1/0]) >> foo(1)")


def test_a_list_with_something_else_than_numbers_is_checked_and_refused_as_before():
    with pytest.raises(ParseError, match=r"^only the signs \+ and - are allowed as unary operators at column 7: '~1'"):
        parse_chain("conv([~1, 2])")
    with pytest.raises(KindError, match=r"^the expression 2\*\*2 is used where a number is expected at column 7"):
        parse_chain("conv([2**2, 1])")
    with pytest.raises(KindError, match=r"^the constant True is used where a number is expected at column 7"):
        parse_chain("conv([True, 1])")


def test_a_tap_list_next_to_a_list_of_numbers_is_still_a_derived_kernel():
    lhs, rhs = parse_statement("conv(k[2]) >> conv([1/2, 1/2])", "conv([k_0/2, (k_0 + k_1)/2, k_1/2])")
    assert _flat(lhs.layers()[1].weight.values) == [sympy.Rational(1, 2)] * 2
    assert type(rhs.weight).__name__ == "DerivedKernel"
    assert [str(v) for v in _flat(rhs.weight.values)] == ["k_0/2", "k_0/2 + k_1/2", "k_1/2"]


def test_columns_count_characters_after_a_long_list_and_after_non_ascii_text():
    long_list = "conv([" + ", ".join(f"{j}/{j + 1}" for j in range(3000)) + "]) >> foo()"
    with pytest.raises(UnknownFunction, match=rf"^unknown function foo at column {long_list.index('foo') + 1}: 'foo'"):
        parse_chain(long_list)
    accented = "conv([1, 2]) >> conv(k[3], padding='\u00e9') >> foo()"
    with pytest.raises(UnknownFunction, match=rf"^unknown function foo at column {accented.index('foo') + 1}: 'foo'"):
        parse_chain(accented)
