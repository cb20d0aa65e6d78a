"""The DSL parser: every construct, the naming rule, repr round trips, and every refusal."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import sys
from fractions import Fraction

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symconv.dsl
import symconv.dsl_grammar
from symconv.core.kernel import (
    KernelSum,
    Scaled,
    convolve,
    dilate,
    flipk,
    kernel,
    literal,
    padk,
    size_symbol,
)
from symconv.core.layers import (
    Chain,
    Parallel,
    affine,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    l2pool,
    maxpool,
    pad,
    relu,
    up,
)
from symconv.dsl import parse_chain, parse_kernel, parse_statement
from symconv.errors import (
    ArgumentError,
    ChainError,
    ChannelMismatch,
    DSLError,
    InvalidArgument,
    KernelError,
    KindError,
    LengthMismatch,
    LiteralError,
    NamingError,
    ParseError,
    SemanticChainError,
    SemanticChannelMismatch,
    SemanticError,
    SemanticInvalidArgument,
    SemanticKernelError,
    SemanticLengthMismatch,
    SemanticSizeLimitError,
    SizeLimitError,
    UnknownFunction,
)

R = sympy.Rational
k3 = kernel("k", 3)
h2 = kernel("h", 2)


def located(error: DSLError, text: str, column: int, fragment: str) -> None:
    """The error quotes the statement, the column and the fragment, in its fields and its message."""
    assert (error.text, error.column, error.fragment) == (text, column, fragment)
    assert text[column - 1 : column - 1 + len(fragment)] == fragment
    assert f"at column {column}: {fragment!r} in {text!r}" in str(error)


# --- constructs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("conv(k[3])", conv(k3)),
        ("conv(k[3], 2, 1, 2, 1, [5])", conv(k3, 2, 1, 2, 1, [5])),
        ("conv(weight=k[3], stride=2, padding=(1, 2), dilation=2)", conv(k3, stride=2, padding=(1, 2), dilation=2)),
        ("conv(k[3], padding='same')", conv(k3, padding="same")),
        ("conv(k[3], padding='valid')", conv(k3, padding="valid")),
        ("conv(k[3], bias=b)", conv(k3, bias="b")),
        ("conv(k[3], bias=[1/2])", conv(k3, bias=[R(1, 2)])),
        ("conv(k[3], bias=None)", conv(k3)),
        ("conv(W[2, 4, 3], groups=2)", conv(kernel("W", 2, 4, 3), groups=2)),
        ("conv_transpose(k[3], 2, 1, 1)", conv_transpose(k3, 2, 1, 1)),
        ("conv_transpose(k[3], stride=3, output_padding=2, dilation=2, bias=b)",
         conv_transpose(k3, stride=3, output_padding=2, dilation=2, bias="b")),
        ("pad(1)", pad(1)),
        ("pad(1, 2)", pad(1, 2)),
        ("pad(left=1, right=0)", pad(1, 0)),
        ("crop(2)", crop(2)),
        ("crop(1, right=3)", crop(1, 3)),
        ("down(2)", down(2)),
        ("down(3, phase=2)", down(3, 2)),
        ("down(s=3, phase=1)", down(3, 1)),
        ("up(2)", up(2)),
        ("flip()", flip()),
        ("avgpool(3)", avgpool(3)),
        ("avgpool(3, 2, 1)", avgpool(3, 2, 1)),
        ("avgpool(size=4, stride=1, padding=2)", avgpool(4, 1, 2)),
        ("maxpool(3, stride=2, padding=1, dilation=2)", maxpool(3, 2, 1, 2)),
        ("l2pool(2)", l2pool(2)),
        ("l2pool(3, stride=1)", l2pool(3, 1)),
        ("relu()", relu()),
        ("affine()", affine()),
        ("affine(gamma, beta)", affine("gamma", "beta")),
        ("affine(2, -1/2)", affine(2, R(-1, 2))),
        ("affine(scale=[1, gamma], shift=[0.5, 0])", affine([1, "gamma"], [R(1, 2), 0])),
    ],
)
def test_each_layer_parses_to_its_python_constructor(text, expected):
    assert parse_chain(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("k[3]", k3),
        ("k[c]", kernel("k", "c")),
        ("W[8, 4, 3]", kernel("W", 8, 4, 3)),
        ("W[8, 4, c]", kernel("W", 8, 4, "c")),
        ("[1, 2, 1]", literal([1, 2, 1])),
        ("[1/2, 1/2]", literal([Fraction(1, 2), Fraction(1, 2)])),
        ("[-1, 0.5]", literal([-1, Fraction(1, 2)])),
        ("[2/4, -3/6, 1.25, 1/3]", literal(["1/2", "-1/2", "5/4", "1/3"])),
        ("[[[1, 2]], [[3, 4]]]", literal([[[1, 2]], [[3, 4]]])),
        ("dilate(k[3], 2)", dilate(k3, 2)),
        ("dilate(k=k[3], d=3)", dilate(k3, 3)),
        ("convolve(k[3], h[2])", convolve(k3, h2)),
        ("convolve(b=h[2], a=k[3])", convolve(k3, h2)),
        ("flip(k[3])", flipk(k3)),
        ("flip(k=k[3])", flipk(k3)),
        ("padk(k[3], 1, 2)", padk(k3, 1, 2)),
        ("padk(k[3], 1)", padk(k3, 1, 1)),
        ("k[3] + flip(k)", KernelSum(k3, flipk(k3))),
        ("k[3] + k + k", KernelSum(KernelSum(k3, k3), k3)),
        ("2 * k[3]", Scaled(2, k3)),
        ("k[3] * 2", Scaled(2, k3)),
        ("(1/2) * k[3]", Scaled(R(1, 2), k3)),
        ("1/2 * k[3]", Scaled(R(1, 2), k3)),
        ("0.25 * k[3]", Scaled(R(1, 4), k3)),
        ("-k[3]", Scaled(-1, k3)),
        ("+k[3]", k3),
        ("-2 * (k[3] + flip(k))", Scaled(-2, KernelSum(k3, flipk(k3)))),
    ],
)
def test_each_kernel_expression_parses_to_its_python_constructor(text, expected):
    assert parse_kernel(text) == expected


def test_decimal_literals_are_exact_rationals_not_floats():
    taps = parse_kernel("[0.1, 1/3, 0.5]").taps()[0][0]
    assert taps == (R(1, 10), R(1, 3), R(1, 2))
    assert all(isinstance(t, sympy.Rational) for t in taps)


def test_generic_length_is_a_positive_integer_symbol():
    (k,) = parse_chain("conv(k[c])").kernels()
    assert k.length == size_symbol("c")
    assert k.length.is_integer and k.length.is_positive


def test_flip_without_argument_is_the_layer_and_with_one_the_kernel():
    assert parse_chain("flip() >> conv(flip(k[3]))") == flip() >> conv(flipk(k3))


def test_chain_operator_builds_a_flat_chain_whatever_the_grouping():
    expected = Chain((pad(1), conv(k3), relu()))
    assert parse_chain("pad(1) >> conv(k[3]) >> relu()") == expected
    assert parse_chain("pad(1) >> (conv(k[3]) >> relu())") == expected


def test_plus_of_layers_is_a_parallel_sum_and_plus_of_kernels_a_kernel_sum():
    layers = parse_chain("conv(k[3]) + conv(flip(k))")
    assert layers == conv(k3) + conv(flipk(k3))
    assert isinstance(layers, Parallel)
    assert isinstance(parse_chain("conv(k[3] + flip(k))").weight, KernelSum)


def test_plus_binds_tighter_than_chain_as_in_python():
    text = "pad(1) >> conv(k[3]) + conv(flip(k)) >> relu()"
    assert parse_chain(text) == pad(1) >> (conv(k3) + conv(flipk(k3))) >> relu()
    grouped = parse_chain("(pad(1) >> conv(k[3])) + conv(k, padding=(1, 1))")
    assert grouped == (pad(1) >> conv(k3)) + conv(k3, padding=(1, 1))


def test_multichannel_chain_and_nested_literal_weight():
    text = "conv(W[2, 1, 3]) >> conv([[[1, 2], [3, 4]]])"
    assert parse_chain(text) == conv(kernel("W", 2, 1, 3)) >> conv(literal([[[1, 2], [3, 4]]]))


def test_integer_valued_fraction_is_an_int_argument():
    assert parse_chain("conv(k[3], stride=4/2)") == conv(k3, stride=2)


def test_leading_blanks_and_line_breaks_inside_parentheses_are_allowed():
    assert parse_chain("  conv(k[3],\n       stride=2)") == conv(k3, stride=2)


# --- naming rule --------------------------------------------------------------------------------


def test_bare_name_may_come_before_its_sized_occurrence():
    assert parse_chain("conv(k) >> conv(convolve(k, k[3]))") == conv(k3) >> conv(convolve(k3, k3))


def test_repeating_the_same_sizes_is_allowed():
    assert parse_chain("conv(k[3]) >> conv(k[3])") == conv(k3) >> conv(k3)


def test_statement_sides_share_one_naming_scope():
    lhs, rhs = parse_statement("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
    kc = kernel("k", "c")
    assert lhs == conv(kc, stride=2) >> conv(kc, stride=2)
    assert rhs == conv(convolve(kc, dilate(kc, 2)), stride=4)


def test_bare_name_in_first_side_resolves_to_size_in_second_side():
    lhs, rhs = parse_statement("conv(h)", "conv(h[2])")
    assert lhs == rhs == conv(h2)


def test_parse_statement_of_one_text_is_parse_chain():
    assert parse_statement("conv(k[3])") == (parse_chain("conv(k[3])"),)


def test_parse_kernel_scope_gives_sizes_to_bare_names():
    assert parse_kernel("convolve(k, h)", scope=[k3, h2]) == convolve(k3, h2)
    assert parse_kernel("dilate(g, 2)", scope={"g": dilate(kernel("g", "c"), 3)}) == dilate(kernel("g", "c"), 2)
    chain = parse_chain("conv(k[3]) >> conv(h[2])")
    assert parse_kernel("convolve(k, h)", scope=chain.kernels()) == convolve(k3, h2)


def test_scope_sizes_conflicting_with_text_are_refused():
    with pytest.raises(NamingError, match=r"gets the sizes \[4\] here but \[3\] in the scope") as info:
        parse_kernel("k[4]", scope=[k3])
    located(info.value, "k[4]", 1, "k[4]")


def test_scope_must_hold_kernels():
    with pytest.raises(TypeError, match="a scope holds kernels"):
        parse_kernel("k", scope=["k"])


def test_bias_and_affine_names_are_shared_across_a_statement():
    lhs, rhs = parse_statement("conv(k[3], bias=b) >> affine(gamma, beta)", "conv(k, bias=b) >> affine(gamma, beta)")
    assert lhs == rhs


# --- repr round trip ----------------------------------------------------------------------------

NAMED = st.sampled_from([k3, h2, kernel("g", "c")])
RATIONAL = st.fractions(min_value=-3, max_value=3, max_denominator=4)
LITERAL = st.lists(RATIONAL, min_size=1, max_size=4).map(literal)
SCALAR = RATIONAL.filter(lambda q: q != 1).map(lambda q: sympy.Rational(q.numerator, q.denominator))


def _kernel_steps(children):
    plain = children.filter(lambda k: not isinstance(k, Scaled))
    return st.one_of(
        st.builds(dilate, children, st.integers(1, 3)),
        st.builds(convolve, children, children),
        st.builds(flipk, children),
        st.builds(padk, children, st.integers(0, 2), st.integers(0, 2)),
        st.builds(lambda k: k + flipk(k), children),
        st.builds(lambda q, k: k + Scaled(q, k), SCALAR, plain),
        st.builds(Scaled, SCALAR, plain),
    )


KERNELS = st.recursive(st.one_of(NAMED, LITERAL), _kernel_steps, max_leaves=6)


@st.composite
def layers(draw):
    k = draw(KERNELS)
    bias = draw(st.sampled_from([None, "b", [draw(RATIONAL)]]))
    which = draw(st.integers(0, 11))
    if which == 0:
        stride = draw(st.integers(1, 3))
        paddings = [0, 1, (0, 2), "valid"] + (["same"] if stride == 1 else [])
        return conv(k, stride, draw(st.sampled_from(paddings)), draw(st.integers(1, 2)), 1, bias)
    if which == 1:
        s, d = draw(st.integers(1, 3)), draw(st.integers(1, 2))
        return conv_transpose(k, s, draw(st.integers(0, 2)), draw(st.integers(0, max(s, d) - 1)), d, 1, bias)
    if which in (2, 3):
        return (pad, crop)[which - 2](draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    if which == 4:
        s = draw(st.integers(1, 3))
        return down(s, draw(st.integers(0, s - 1)))
    if which == 5:
        return up(draw(st.integers(1, 3)))
    if which == 6:
        size = draw(st.integers(1, 4))
        return avgpool(size, draw(st.integers(1, 3)), draw(st.integers(0, size // 2)))
    if which == 7:
        size = draw(st.integers(1, 4))
        return maxpool(size, draw(st.integers(1, 3)), draw(st.integers(0, size // 2)), draw(st.integers(1, 2)))
    if which == 8:
        return l2pool(draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    if which == 9:
        scalar = st.one_of(RATIONAL, st.sampled_from(["gamma", "beta"]), st.lists(RATIONAL, min_size=1, max_size=1))
        return affine(draw(scalar), draw(scalar))
    return draw(st.sampled_from([relu(), flip()]))


@st.composite
def chains(draw):
    steps = draw(st.lists(layers(), min_size=1, max_size=4))
    chain = steps[0]
    for step in steps[1:]:
        chain = chain >> step
    twin = draw(st.sampled_from([None, chain, chain >> relu(), chain >> flip()]))
    return chain if twin is None else chain + twin


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(KERNELS)
def test_parse_kernel_of_repr_gives_the_same_kernel(k):
    assert parse_kernel(repr(k)) == k


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_parse_chain_of_repr_gives_the_same_chain(chain):
    assert parse_chain(repr(chain)) == chain


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), chains())
def test_parse_statement_of_reprs_gives_both_sides(lhs, rhs):
    assert parse_statement(repr(lhs), repr(rhs)) == (lhs, rhs)


@pytest.mark.parametrize(
    "obj",
    [
        conv(kernel("W", 4, 2, 3), stride=2, groups=2, bias=[1, R(-1, 2), 0, 3]),
        conv(kernel("W", 2, 1, "c"), padding="same", bias="b") >> conv(literal([[[1, 2], [3, 4]]])),
        conv_transpose(kernel("V", 4, 1, 3), stride=2, output_padding=1, groups=2, bias="b"),
        affine([1, "gamma"], [R(1, 2), "beta"]) >> relu(),
        conv(kernel("g", "c")) + conv(flipk(kernel("g", "c"))),
        avgpool(3, stride=1, padding=1) >> maxpool(2) >> l2pool(2, stride=1) >> down(2, 1) >> up(3),
    ],
)
def test_parse_chain_of_repr_gives_the_same_multichannel_and_named_layers(obj):
    assert parse_chain(repr(obj)) == obj


def test_right_nested_kernel_sum_round_trips():
    k = k3 + (k3 + k3)
    assert parse_kernel(repr(k)) == k


def test_nested_scaling_round_trips():
    k = 2 * (3 * k3)
    assert parse_kernel(repr(k)) == k


# --- refusals: syntax and code ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(k[3]", 5, "(", r"invalid syntax \('\(' was never closed\)"),
        ("conv(k[3]))", 11, ")", r"invalid syntax \(unmatched '\)'\)"),
        ("conv(k[3]) >>", 14, "", r"the statement ends too early"),
        ("conv(k[3]) >> $", 15, "$", r"invalid syntax"),
        ("", 1, "", r"the statement is empty"),
    ],
)
def test_syntax_errors_are_parse_errors_located_in_the_text(text, column, fragment, message):
    with pytest.raises(ParseError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(k[3]).weight", 1, "conv(k[3]).weight", "attribute access is not allowed"),
        ("k.__class__", 1, "k.__class__", "attribute access is not allowed"),
        ("__import__('os').system('ls')", 1, "__import__('os').system",
         "only the layer and kernel functions can be called"),
        ("conv(__k[3])", 6, "__k", "the name __k is not allowed"),
        ("conv([t for t in [1, 2]])", 6, "[t for t in [1, 2]]", "comprehensions are not allowed"),
        ("conv((lambda: k[3])())", 7, "lambda: k[3]", "only the layer and kernel functions can be called"),
        ("conv(lambda: 1)", 6, "lambda: 1", "lambdas are not allowed"),
        ("conv(k[3])[0]", 1, "conv(k[3])[0]", "only a kernel name can take sizes"),
        ("conv(k[3][0])", 6, "k[3][0]", "only a kernel name can take sizes"),
        ("conv(k[1:3])", 8, "1:3", "slices are not allowed"),
        ("conv(*[k[3]])", 6, "*[k[3]]", "starred arguments are not allowed"),
        ("conv(k[3], **{'stride': 2})", 12, "**{'stride': 2}", r"'\*\*' unpacking is not allowed"),
        ("conv(k[3], padding=f'{1}')", 20, "f'{1}'", "f-strings are not allowed"),
        ("conv((k := [1]))", 7, "k := [1]", r"assignment expressions \(:=\) are not allowed"),
        ("a = 1", 1, "a = 1", r"a statement \(assign\) is not allowed"),
        ("import os", 1, "import os", r"a statement \(import\) is not allowed"),
        ("conv(k[3]); relu()", 13, "relu()", "a second statement is not allowed"),
        ("conv(k[10**9])", 8, "10**9", "the operator Pow is not allowed"),
        ("conv(k[3] % k)", 6, "k[3] % k", "the operator Mod is not allowed"),
        ("conv(k[3]) if 1 else relu()", 1, "conv(k[3]) if 1 else relu()", "conditional expressions are not allowed"),
        ("conv(k[3], bias=b'x')", 17, "b'x'", "the constant b'x' is not allowed"),
        ("not relu()", 1, "not relu()", r"only the signs \+ and - are allowed"),
    ],
)
def test_any_attempt_to_run_code_is_a_parse_error(text, column, fragment, message):
    with pytest.raises(ParseError, match=message) as info:
        parse_chain(text)
    assert type(info.value) is ParseError
    located(info.value, text, column, fragment)


def test_call_of_a_name_outside_the_whitelist_is_an_unknown_function():
    with pytest.raises(UnknownFunction, match="unknown function __import__") as info:
        parse_chain("__import__('os')")
    located(info.value, "__import__('os')", 1, "__import__")


def test_unknown_function_suggests_the_nearest_dsl_function():
    with pytest.raises(UnknownFunction, match=r"unknown function convv .*did you mean conv\? known: affine") as info:
        parse_chain("pad(1) >> convv(k[3])")
    located(info.value, "pad(1) >> convv(k[3])", 11, "convv")


def test_planned_nd_layers_are_named_as_not_supported_yet(monkeypatch):
    monkeypatch.setattr("symconv.dsl_source.PLANNED", frozenset({"conv3d"}))
    with pytest.raises(UnknownFunction, match="conv3d is not supported yet"):
        parse_chain("conv3d(W[1, 1, 3])")
    with pytest.raises(DSLError, match="a 2-D kernel such as k"):
        parse_chain("conv2d(k[3])")


def test_parser_only_ever_compiles_to_an_ast_and_never_evaluates(monkeypatch):
    calls = []
    real_compile = builtins.compile

    def only_ast(source, filename, mode, flags=0, *args, **kwargs):
        calls.append(mode)
        assert flags & ast.PyCF_ONLY_AST, "the DSL text was compiled to code"
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    def forbidden(*args, **kwargs):
        raise AssertionError("the DSL text was evaluated")

    monkeypatch.setattr(builtins, "compile", only_ast)
    for name in ("eval", "exec"):
        monkeypatch.setattr(builtins, name, forbidden)
    monkeypatch.setattr(sympy, "sympify", forbidden)
    parse_statement("conv(k[c], stride=2, bias=[1/2]) >> affine(g, 0.5)", "conv(convolve(k, dilate(k, 2)), stride=4)")
    with pytest.raises(ParseError):
        parse_chain("a = 1")
    assert calls


def test_parser_source_mentions_no_evaluator():
    for module in (symconv.dsl, symconv.dsl_grammar):
        source = inspect.getsource(module)
        assert not re.search(r"\b(eval|exec|sympify|parse_expr)\(", source)


def test_absurdly_deep_statement_is_a_parse_error_not_a_crash():
    with pytest.raises(ParseError, match="cannot be read|nested too deeply|too many nested"):
        parse_kernel("+".join(["k[3]"] * 50_000))


# --- refusals: arguments ------------------------------------------------------------------------


def test_unknown_keyword_argument_lists_the_accepted_ones():
    text = "conv(k[3], strides=2)"
    with pytest.raises(ArgumentError, match=r"conv has no argument strides.*did you mean stride\? "
                       r"accepted: weight, stride, padding, dilation, groups, bias") as info:
        parse_chain(text)
    located(info.value, text, 12, "strides=2")


def test_too_many_positional_arguments_point_at_the_first_extra_one():
    text = "pad(1, 2, 3)"
    message = r"pad takes at most 2 argument\(s\) but 3 were given.*expected pad\(left, right=None\)"
    with pytest.raises(ArgumentError, match=message) as info:
        parse_chain(text)
    located(info.value, text, 11, "3")


def test_missing_required_argument_names_it():
    with pytest.raises(ArgumentError, match=r"dilate needs the argument\(s\) d.*expected dilate\(k, d\)") as info:
        parse_chain("conv(dilate(k[3]))")
    located(info.value, "conv(dilate(k[3]))", 6, "dilate(k[3])")


def test_argument_given_twice_is_refused():
    text = "conv(k[3], 2, stride=2)"
    with pytest.raises(ArgumentError, match="conv got stride twice") as info:
        parse_chain(text)
    located(info.value, text, 15, "stride=2")


def test_layer_called_with_an_argument_it_does_not_take():
    with pytest.raises(ArgumentError, match=r"relu takes at most 0 argument\(s\) but 1 were given"):
        parse_chain("relu(1)")


# --- refusals: kinds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(relu())", 6, "relu()", "the layer relu\\(\\) is used where a kernel is expected"),
        ("conv(flip())", 6, "flip()", r"the layer flip\(\) is used where a kernel is expected.*flip\(\) is the layer"),
        ("conv(2)", 6, "2", "the number 2 is used where a kernel is expected.*\\[2\\]"),
        ("conv(k[3] * h[3])", 6, "k[3] * h[3]", "'\\*' scales a kernel by a number.*convolve"),
        ("conv(k[3] / 2)", 6, "k[3] / 2", "used where a kernel is expected.*\\(1/2\\) \\* k"),
    ],
)
def test_layer_or_number_where_a_kernel_is_expected_is_a_kind_error(text, column, fragment, message):
    with pytest.raises(KindError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(k[3]) >> k", 15, "k", "the kernel k is used where a layer is expected.*conv\\(\\.\\.\\.\\)"),
        ("k[3] + h[3]", 1, "k[3]", "the kernel k\\[3\\] is used where a layer is expected"),
        ("flip(k[3])", 1, "flip(k[3])", "the kernel flip\\(k\\[3\\]\\) is used where a layer is expected"),
        ("relu() >> [1, 2]", 11, "[1, 2]", "the kernel \\[1, 2\\] is used where a layer is expected"),
        ("relu() >> 2", 11, "2", "the number 2 is used where a layer is expected"),
        ("2 * conv(k[3])", 1, "2 * conv(k[3])", "a layer cannot be scaled"),
    ],
)
def test_kernel_or_number_where_a_layer_is_expected_is_a_kind_error(text, column, fragment, message):
    with pytest.raises(KindError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(k[3], stride=s)", 19, "s", "the name s is given for stride.*stride takes a number"),
        ("conv(k[3], bias='b')", 17, "'b'", "the string 'b' is given for bias.*None, a name or a list of numbers"),
        ("affine('g')", 8, "'g'", "the string 'g' is given for scale"),
        ("conv([h, 1])", 7, "h", "the name h is used where a number or a tap is expected"),
        ("conv(k[3], bias=['b'])", 18, "'b'", "the string 'b' is not a coefficient"),
    ],
)
def test_name_or_string_where_a_number_is_expected_is_a_kind_error(text, column, fragment, message):
    with pytest.raises(KindError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


# --- refusals: literals -------------------------------------------------------------------------


@pytest.mark.parametrize("size", ["2.5", "'a'", "c + 1", "True", "[3]", "1/1"])
def test_non_integer_size_is_a_literal_error(size):
    text = f"conv(k[{size}])"
    with pytest.raises(LiteralError, match="a size of kernel k must be an integer or a size name") as info:
        parse_chain(text)
    located(info.value, text, 8, size)


@pytest.mark.parametrize("text, fragment", [("conv([1e999])", "1e999"), ("conv([-1e999, 1])", "1e999"),
                                            ("conv(k[3], bias=[1e999])", "1e999"), ("affine(1e999)", "1e999")])
def test_infinite_number_is_a_literal_error(text, fragment):
    with pytest.raises(LiteralError, match="the number 1e999 is not finite") as info:
        parse_chain(text)
    located(info.value, text, text.index(fragment) + 1, fragment)


def test_division_by_zero_is_a_literal_error():
    with pytest.raises(LiteralError, match="division by zero") as info:
        parse_chain("conv([1/0])")
    located(info.value, "conv([1/0])", 7, "1/0")


# --- refusals: naming rule ----------------------------------------------------------------------


def test_name_with_two_sizes_in_one_text_is_a_naming_error():
    text = "conv(k[3]) >> conv(k[4])"
    with pytest.raises(NamingError, match=r"kernel k gets the sizes \[4\] here but \[3\] \(column 6\)") as info:
        parse_chain(text)
    located(info.value, text, 20, "k[4]")


def test_name_with_two_sizes_across_the_sides_quotes_both():
    with pytest.raises(NamingError, match=r"\[c\] here but \[3\] \(column 6 of 'conv\(k\[3\]\)'\)") as info:
        parse_statement("conv(k[3])", "conv(k[c])")
    located(info.value, "conv(k[c])", 6, "k[c]")


def test_name_never_given_a_size_is_a_naming_error():
    text = "conv(k) >> conv(h[2])"
    with pytest.raises(NamingError, match=r"kernel k never gets a size.*e\.g\. k\[3\] or k\[c\]") as info:
        parse_chain(text)
    located(info.value, text, 6, "k")


def test_name_never_given_a_size_on_either_side():
    with pytest.raises(NamingError, match="kernel h never gets a size"):
        parse_statement("conv(k[3])", "conv(h)")


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(c[3]) >> conv(k[c])", 22, "c", r"c is used as a size here but as a kernel \(column 6\)"),
        ("conv(k[c]) >> conv(c[3])", 20, "c", r"c is used as a kernel here but as a size \(column 8\)"),
        ("conv(k[c]) >> conv(c)", 20, "c", r"c is used as a kernel here but as a size"),
        ("conv(k[3], bias=k)", 17, "k", r"k is used as a bias here but as a kernel"),
        ("conv(k[3], bias=b) >> affine(b)", 30, "b", r"b is used as a parameter here but as a bias"),
    ],
)
def test_name_with_two_roles_is_a_naming_error(text, column, fragment, message):
    with pytest.raises(NamingError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


@pytest.mark.parametrize(
    "text, column, fragment, message",
    [
        ("conv(conv[3])", 6, "conv", r"conv is reserved for the function conv\(\.\.\.\)"),
        ("conv(k[3]) >> relu", 15, "relu", r"relu is reserved for the function relu\(\.\.\.\).*call it: relu\(\)"),
        ("conv(dilate)", 6, "dilate", r"dilate is reserved"),
        ("conv(k[n])", 8, "n", r"n is reserved for the input length n"),
        ("conv(x[3])", 6, "x", r"x is reserved for the input signal"),
        ("affine(flip)", 8, "flip", r"flip is reserved"),
    ],
)
def test_name_shadowing_a_reserved_name_is_a_naming_error(text, column, fragment, message):
    with pytest.raises(NamingError, match=message) as info:
        parse_chain(text)
    located(info.value, text, column, fragment)


def test_name_that_prints_like_a_tap_symbol_is_a_naming_error():
    text = "conv(k[3]) >> affine(k_1)"
    with pytest.raises(NamingError, match="the parameter k_1 would clash with a tap symbol of k") as info:
        parse_chain(text)
    located(info.value, text, 22, "k_1")


# --- refusals from the core, located --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, column, fragment, semantic, core, message",
    [
        ("conv(k[3], stride=-1)", 12, "stride=-1", SemanticInvalidArgument, InvalidArgument,
         r"conv: stride=-1 is invalid; expected a positive integer"),
        ("conv(k[3], -2)", 12, "-2", SemanticInvalidArgument, InvalidArgument, r"conv: stride=-2 is invalid"),
        ("pad(-1)", 5, "-1", SemanticInvalidArgument, InvalidArgument, r"pad: left=-1 is invalid"),
        ("down(2, phase=3)", 9, "phase=3", SemanticInvalidArgument, InvalidArgument, r"phase=3 is invalid"),
        ("conv(dilate(k[3], d=0))", 19, "d=0", SemanticInvalidArgument, InvalidArgument, r"dilate: d=0 is invalid"),
        ("conv(k[3], padding='full')", 12, "padding='full'", SemanticInvalidArgument, InvalidArgument,
         r"'same' or 'valid'"),
        ("conv(k[3], stride=2.0)", 12, "stride=2.0", SemanticInvalidArgument, InvalidArgument,
         r"stride=2.0 is invalid"),
        ("conv(k[3], bias=[1, 2])", 12, "bias=[1, 2]", SemanticInvalidArgument, InvalidArgument,
         r"1 number\(s\), one per output channel"),
        ("conv(k[0])", 6, "k[0]", SemanticKernelError, KernelError, r"kernel k has length 0"),
        ("conv(k[-3])", 6, "k[-3]", SemanticKernelError, KernelError, r"kernel k has length -3"),
        ("conv(k[3, 3])", 6, "k[3, 3]", SemanticInvalidArgument, InvalidArgument, r"2-D kernel, use conv2d"),
        ("conv([])", 6, "[]", SemanticKernelError, KernelError, r"literal kernel \[\] is empty"),
        ("conv([[[1, 2]], [[3]]])", 6, "[[[1, 2]], [[3]]]", SemanticKernelError, KernelError, r"is ragged"),
        ("conv(k[3] + h[2])", 13, "h[2]", SemanticKernelError, KernelError,
         r"shapes \(1, 1, 3\) and \(1, 1, 2\) differ"),
        ("conv(k[1000000000])", 6, "k[1000000000]", SemanticSizeLimitError, SizeLimitError,
         r"symconv refuses kernels longer than 4096"),
        ("conv(W[100000, 1, 3])", 6, "W[100000, 1, 3]", SemanticSizeLimitError, SizeLimitError,
         r"symconv refuses more than 1024"),
        ("pad(1000000000)", 1, "pad(1000000000)", SemanticSizeLimitError, SizeLimitError, r"exceeds the limit"),
        ("conv(W[8, 4, 3]) >> conv(V[2, 4, 3])", 21, "conv(V[2, 4, 3])", SemanticChannelMismatch, ChannelMismatch,
         r"conv\(W\[8, 4, 3\]\) gives 8 channel\(s\) but conv\(V\[2, 4, 3\]\) expects 4"),
        ("conv([1, 2]) + conv([1, 2, 3])", 16, "conv([1, 2, 3])", SemanticLengthMismatch, LengthMismatch,
         r"give different lengths"),
        ("conv(W[2, 1, 3]) + relu()", 20, "relu()", SemanticChainError, ChainError, r"different channel counts"),
    ],
)
def test_core_refusals_keep_their_class_and_gain_the_location(text, column, fragment, semantic, core, message):
    with pytest.raises(core, match=message) as info:
        parse_chain(text)
    error = info.value
    assert type(error) is semantic
    assert isinstance(error, SemanticError) and isinstance(error, DSLError)
    assert type(error.__cause__) is core and error.cause is error.__cause__
    assert error.reason == str(error.__cause__)
    located(error, text, column, fragment)


def test_wrapped_invalid_argument_keeps_its_named_fields():
    with pytest.raises(InvalidArgument) as info:
        parse_chain("conv(k[3], stride=0)")
    assert (info.value.what, info.value.argument, info.value.value) == ("conv", "stride", 0)


def test_absurd_size_is_refused_before_any_tap_is_built(monkeypatch):
    def no_taps(*args):
        raise AssertionError("a tap was allocated")

    monkeypatch.setattr(sys.modules["symconv.core.kernel"], "tap_symbol", no_taps)
    with pytest.raises(SizeLimitError):
        parse_chain("conv(k[1000000000]) >> conv(k)")


def test_columns_count_characters_across_lines_and_leading_blanks():
    text = "  pad(1) >> conv(\n  k[3], stride=0)"
    with pytest.raises(InvalidArgument) as info:
        parse_chain(text)
    located(info.value, text, text.index("stride=0") + 1, "stride=0")


def test_columns_count_characters_not_utf8_bytes():
    text = "affine(γ) >> conv(k[3], stride=0)"
    with pytest.raises(InvalidArgument) as info:
        parse_chain(text)
    located(info.value, text, text.index("stride=0") + 1, "stride=0")
