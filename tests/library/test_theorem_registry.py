"""Declarations: immutable records, checked arguments, collection scoped to a load."""

from __future__ import annotations

import dataclasses

import pytest
import sympy

from symconv.errors import InvalidArgument
from symconv.library import expectation, inequality, shapes, theorem
from symconv.library.instances import generic_sizes, instantiate
from symconv.library.registry import CustomSpec, IdentitySpec, Theorem, collecting
from symconv.dsl import parse_chain

LHS = "conv(k[3], stride=2) >> conv(k, stride=2)"
RHS = "conv(convolve(k, dilate(k, 2)), stride=4)"


def test_theorem_declares_an_identity_expected_proved_by_default():
    t = theorem("stride", lhs=LHS, rhs=RHS, claims=["C1.1"], source="seed 001")
    assert isinstance(t, Theorem) and t.kind == "identity" and t.expect == "proved"
    assert t.claims == ("C1.1",) and t.source == "seed 001" and t.file is None
    assert t.spec == IdentitySpec(LHS, RHS)
    assert t.statement == f"{LHS}  ==  {RHS}"


def test_theorem_records_are_immutable():
    t = theorem("stride", lhs=LHS, rhs=RHS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.expect = "refuted"  # type: ignore[misc]
    assert t.located("proofs/x.py").file == "proofs/x.py" and t.file is None


def test_theorem_accepts_layer_objects_as_sides():
    t = theorem("objects", lhs=parse_chain("conv(k[3])"), rhs=parse_chain("conv(k[3]) >> pad(0)"))
    assert t.spec.lhs == "conv(k[3])"


def test_sizes_are_recorded_as_instances_in_the_statement():
    t = theorem("generic", lhs="conv(k[c], stride=2)", rhs="conv(k) >> down(2)", sizes={"c": [3, 4]})
    assert t.spec.sizes == (("c", (3, 4)),)
    assert t.statement.endswith("for c in {3, 4}")


@pytest.mark.parametrize("expect", ["maybe", "", None, "error"])
def test_an_unknown_expected_verdict_is_refused(expect):
    with pytest.raises(InvalidArgument, match=r"expect=.* is invalid; expected one of 'proved', 'refuted'"):
        theorem("bad", lhs=LHS, rhs=RHS, expect=expect)


@pytest.mark.parametrize("name", ["", "two words", "1st", None])
def test_a_name_that_is_not_an_identifier_is_refused(name):
    with pytest.raises(InvalidArgument, match="name="):
        theorem(name, lhs=LHS, rhs=RHS)


def test_a_missing_side_is_refused():
    with pytest.raises(InvalidArgument, match="rhs=None is invalid; expected a chain in the DSL"):
        theorem("half", lhs=LHS)


@pytest.mark.parametrize("sizes", [{"c": []}, {"c": [0]}, {"c": ["3"]}, [3, 4]])
def test_bad_sizes_are_refused(sizes):
    with pytest.raises(InvalidArgument, match="sizes="):
        theorem("bad", lhs="conv(k[c])", rhs="conv(k)", sizes=sizes)


def test_a_custom_check_needs_a_statement():
    with pytest.raises(InvalidArgument, match="statement="):
        theorem("custom", check=lambda: None)
    t = theorem("custom", check=lambda: None, statement="something exact")
    assert isinstance(t.spec, CustomSpec)


def test_shapes_needs_exactly_one_target():
    n = sympy.Symbol("n")
    with pytest.raises(InvalidArgument, match="exactly one of rhs="):
        shapes("none", "conv(k[3])")
    with pytest.raises(InvalidArgument, match="exactly one of rhs="):
        shapes("two", "conv(k[3])", rhs="conv(k)", length=n)
    t = shapes("valid", "conv(k[3])", length=n - 2, min_n=3)
    assert t.statement == "len(conv(k[3])) = n - 2 for n >= 3"


def test_shapes_length_must_be_an_expression_in_n():
    m = sympy.Symbol("m")
    with pytest.raises(InvalidArgument, match="length="):
        shapes("other_symbol", "conv(k[3])", length=m - 2)


def test_inequality_and_expectation_need_a_statement_and_default_to_checked():
    with pytest.raises(InvalidArgument, match="statement="):
        inequality("i", abs, abs, [1])
    assert inequality("i", abs, abs, [1], statement="|x| <= |x|").expect == "checked"
    assert expectation("e", lambda rng, size: rng.normal(size=size), 0.0, statement="E g = 0").expect == "checked"
    proved = expectation("p", lambda rng, size: rng.normal(size=size), 0.0, statement="E g = 0",
                         symbolic=lambda: True)
    assert proved.expect == "proved"


def test_declarations_are_collected_only_inside_a_load():
    with collecting() as declared:
        theorem("a", lhs=LHS, rhs=RHS)
        shapes("b", "conv(k[3])", rhs="conv(k)")
    assert [t.name for t in declared] == ["a", "b"]
    with collecting() as again:
        pass
    assert again == []  # nothing global carried over


def test_a_name_declared_twice_in_one_file_is_refused():
    with collecting():
        theorem("same", lhs=LHS, rhs=RHS)
        with pytest.raises(InvalidArgument, match="a name not yet used in this file"):
            theorem("same", lhs=LHS, rhs=RHS)


def test_instantiate_replaces_generic_lengths_everywhere():
    lhs = parse_chain("conv(k[c], stride=2) >> conv(convolve(k, dilate(k, 2)), padding='same')")
    assert generic_sizes(lhs) == {"c"}
    concrete = instantiate(lhs, {"c": 4})
    assert repr(concrete) == "conv(k[4], stride=2) >> conv(convolve(k[4], dilate(k[4], 2)), padding=(4, 5))"
    assert generic_sizes(concrete) == set()
