"""The kernel's rule ``generic_interior_nd`` beyond edge-free chains: zero extension per axis (Lemma Z of
``checker/zero_extension_nd.py``), ``up``, transposed convolutions, biases and a shared prefix, for every c >= 1."""

from __future__ import annotations

import itertools
import random
from fractions import Fraction

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.checker.zero_extension_nd import check_zero_extension, impulse_shifts, position_rates
from symconv.core.semantics_nd import every_output_exact
from symconv.core.sizes_nd import with_sizes
from symconv.dsl import parse_chain, parse_statement
from symconv.errors import CertificateError, SymconvError


def _certificate(lhs: str, rhs: str, period: int, prefix: int = 0, symbol: str = "c") -> Certificate:
    data = (("period", period),) + ((("prefix", prefix),) if prefix else ()) + (("symbol", symbol),)
    return Certificate(lhs, rhs, (CertificateStep(Rule.GENERIC_INTERIOR_ND, data),))


def _equal_at_small_sizes(lhs: str, rhs: str, values=range(1, 4), limit: int = 6) -> bool:
    """Every output equal as exact polynomials (the core's semantics) at c in ``values`` and shapes below limit."""
    left, right = parse_statement(lhs, rhs)
    channels = left.in_channels or right.in_channels or 1
    for c, shape in itertools.product(values, itertools.product(range(limit), repeat=left.ndim)):
        if (every_output_exact(with_sizes(left, {"c": c}), shape, channels)
                != every_output_exact(with_sizes(right, {"c": c}), shape, channels)):
            return False
    return True


#: (lhs, rhs, period, prefix): true for every c, outside the edge-free fragment.
TRUE = [
    # a transposed convolution, then a convolution (the same on both sides but for an identity pad, dropped)
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[3, 3])", "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g)",
     2, 0),
    # the noble identity for up-sampling: up then a dilated kernel is the convolution then up
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2))", "conv2d(k[c, 3]) >> up((2, 2))", 2, 0),
    ("up((2, 1)) >> conv2d(dilate(k[c, c], (2, 1)))", "conv2d(k[c, c]) >> up((2, 1))", 2, 0),
    # an up-sampling keeps the zeros outside the window: a padding after it reads zeros (not at n = 0, where
    # up gives no sample and the pad its 4 zeros: see FALSE)
    ("pad((1, 1)) >> up((2, 2)) >> pad((2, 2)) >> conv2d(dilate(k[c, 3], 2))",
     "pad((2, 2)) >> conv2d(k[c, 3]) >> up((2, 2))", 2, 0),
    # a transposed convolution of stride 2 then down(2) keeps the even taps: a convolution of the flipped kernel
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2]) >> down((2, 2))", 2, 0),
    ("conv_transpose3d(k[c, 2, 1], stride=(2, 1, 2)) >> conv3d(g[2, 2, 2])",
     "conv_transpose3d(k[c, 2, 1], stride=(2, 1, 2)) >> conv3d(g)", 2, 0),
    # biases: a constant through an average pool, a down-sampling, a convolution
    ("conv2d(k[c, 3], bias=[b]) >> avgpool2d(2)", "conv2d(convolve(k, [[1/4, 1/4], [1/4, 1/4]]), stride=2, bias=[b])",
     2, 0),
    ("conv2d(k[c, 3], bias=[b]) >> down((2, 2))", "conv2d(k[c, 3], stride=2, bias=[b])", 2, 0),
    ("conv_transpose2d(k[c, 3], stride=2, bias=[b])", "conv_transpose2d(k[c, 3], stride=2) >> conv2d([[1]], bias=[b])",
     2, 0),
    ("conv2d(k[c, 3], bias=[b]) >> conv2d([[1, 1]])", "conv2d(convolve(k, [[1, 1]]), bias=[2*b])", 1, 0),
    ("conv2d(W[2, 1, c, 2], bias=[a, b]) >> conv2d(V[1, 2, 1, 1], bias=[e])",
     "conv2d(W[2, 1, c, 2], bias=[a, b]) >> conv2d(V[1, 2, 1, 1], bias=[e])", 1, 0),
    # groups with a transposed convolution
    ("conv_transpose2d(W[2, 1, c, 2], stride=2, groups=2) >> conv2d(V[2, 1, 2, 2], groups=2)",
     "conv_transpose2d(W[2, 1, c, 2], stride=2, groups=2) >> pad((0, 0)) >> conv2d(V[2, 1, 2, 2], groups=2)", 2, 0),
    # 'same' padding with a generic size, then up-sampling
    ("conv2d(k[c, c], padding='same') >> up((2, 2))", "conv2d(k[c, c], padding='same') >> up((2, 2))", 2, 0),
    # sums: a residual branch, distributivity over a sum, biases summed
    ("(pad((0, 0)) + conv2d(k[c, c], padding='same')) >> up((2, 2))",
     "up((2, 2)) + (conv2d(k[c, c], padding='same') >> up((2, 2)))", 2, 0),
    ("(conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2])) + (conv_transpose2d(k, stride=2) >> conv2d(h[2, 2]))",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g + h)", 2, 0),
    ("conv2d(k[c, 3], bias=[b]) + conv2d(g[c, 3], bias=[e])", "conv2d(k[c, 3] + g[c, 3], bias=[b + e])", 1, 0),
    # padding inside the chain after a shared prefix (padding written as pad())
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 1)) >> conv2d(g[3, 3])", 1, 4),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)", 2, 3),
    ("conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1))", "conv2d(k[c, 3])", 1, 1),
    ("conv3d(k[c, 3, 2], padding=1) >> conv3d(g[3, 3, 3], padding=1)",
     "conv3d(k[c, 3, 2], padding=1) >> pad((1, 1, 1)) >> conv3d(g[3, 3, 3])", 1, 4),
]


@pytest.mark.parametrize("lhs, rhs, period, prefix", TRUE)
def test_true_identities_beyond_edge_free_chains_are_closed_for_every_c_resting_on_nothing(lhs, rhs, period, prefix):
    theorem = replay(_certificate(lhs, rhs, period, prefix))
    assert theorem.scope == "every c >= 1 and every input shape" and theorem.rests_on == ()


@pytest.mark.parametrize("lhs, rhs, period, prefix", TRUE[:12:3] + TRUE[-3:-2])
def test_the_identities_the_rule_closes_hold_at_small_c_and_every_small_shape(lhs, rhs, period, prefix):
    assert _equal_at_small_sizes(lhs, rhs, values=range(1, 3), limit=5)


#: (lhs, rhs, period, prefix, message): false statements (or a wrong prefix), refused naming why.
FALSE = [
    ("(conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2])) + (conv_transpose2d(k, stride=2) >> conv2d(h[2, 2]))",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g + flip(h))", 2, 0,
     "step 0 (generic_interior_nd): the interior operators differ"),
    ("conv2d(k[c, 3], bias=[b]) + conv2d(g[c, 3], bias=[e])", "conv2d(k[c, 3] + g[c, 3], bias=[b + 2*e])", 1, 0,
     "step 0 (generic_interior_nd): the constants the biases add differ in output channel 0"),
    ("up((2, 1)) >> pad((2, 1)) >> conv2d(dilate(k[c, c], (2, 1)))", "pad((1, 1)) >> conv2d(k[c, c]) >> up((2, 1))",
     2, 0, "step 0 (generic_interior_nd), axis 1: the output lengths differ at n = 0, c = 1: 4 and 3"),
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2))", "conv2d(k[c, 3]) >> up((2, 1))", 2, 0,
     "step 0 (generic_interior_nd), axis 2: the output lengths differ"),
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2))", "conv2d(flip(k[c, 3], axes=(1,))) >> up((2, 2))", 2, 0,
     "step 0 (generic_interior_nd): the interior operators differ"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2]) >> down((2, 2), phase=(1, 1))", 2, 0,
     "step 0 (generic_interior_nd), axis 1: the output lengths differ at n = 4, c = 2: 4 and 3"),
    ("conv2d(k[c, 3], bias=[b]) >> down((2, 2))", "conv2d(k[c, 3], stride=2, bias=[2*b])", 2, 0,
     "step 0 (generic_interior_nd): the constants the biases add differ in output channel 0"),
    ("conv2d(k[c, 3], bias=[b]) >> conv2d([[1, 1]])", "conv2d(convolve(k, [[1, 1]]), bias=[b])", 1, 0,
     "step 0 (generic_interior_nd): the constants the biases add differ in output channel 0: the term z^[0, 0] "
     "has 2*b on the left, b on the right"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)", 2, 1,
     "step 0 (generic_interior_nd): zero extension fails: layer 2 of"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)", 2, 4,
     "step 0 (generic_interior_nd): with every convolution's padding written as pad(), the sides do not begin with "
     "the same 4 layer(s)"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 0)) >> conv2d(g[3, 3])", 1, 2,
     "step 0 (generic_interior_nd), axis 2: the output lengths differ"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 1)) >> conv2d(g[3, 3])", 1, 0,
     "step 0 (generic_interior_nd): zero extension fails: layer 2 of conv2d(k[c, 3], padding=1) >> "
     "conv2d(g[3, 3], padding=1), conv2d(g[3, 3], padding=1), reads outside its input's window on axis 1"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 1)) >> conv2d(g[3, 3])", 1, 40,
     "the sides do not begin with the same 40 layer(s)"),
    ("conv2d(k[c, 3], stride=2) >> up((2, 2))", "conv2d(k[c, 3]) >> down((2, 2)) >> up((2, 2))", 1, 0,
     "step 0 (generic_interior_nd), axis 1: period 1 is not a multiple of the strides"),
    ("conv2d(k[c, 3], stride=2) >> up((2, 2))", "conv2d(flip(k[c, 3], axes=(1,)), stride=2) >> up((2, 2))", 2, 0,
     "step 0 (generic_interior_nd): the interior operators differ: the responses to the impulse at [0, 0] (input "
     "channel 0) differ in output channel 0: the term z^[0, -2] k[0,0]_[0, 0](z^[-2, 0]) has 0 on the left, 1 on "
     "the right"),
]


@pytest.mark.parametrize("lhs, rhs, period, prefix, message", FALSE)
def test_false_statements_and_wrong_prefixes_are_refused_naming_the_failing_part(lhs, rhs, period, prefix, message):
    with pytest.raises(CertificateError) as caught:
        replay(_certificate(lhs, rhs, period, prefix))
    assert message in str(caught.value)


def test_a_refused_statement_that_is_false_at_some_c_differs_there():
    # 'same' pads floor((c - 1) / 2) in front: the rule's claim c = 2 mod 2 is where the instances differ
    lhs, rhs = "conv2d(k[c, 3], padding='same') >> up((2, 2))", "conv2d(k[c, 3], padding=1) >> up((2, 2))"
    with pytest.raises(CertificateError):
        replay(_certificate(lhs, rhs, 2))
    assert _equal_at_small_sizes(lhs, rhs, values=[3], limit=5)
    assert not _equal_at_small_sizes(lhs, rhs, values=[2], limit=5)


OUTSIDE = [
    ("conv2d(k[c, 3], bias=[b]) >> pad((0, 1))", "conv2d(k[c, 3], bias=[b]) >> pad((0, 1))",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3], bias=[b]) >> pad((0, 1)), pad((0, 1)), reads outside "
     "its input's window on axis 2, where the bias of conv2d(k[c, 3], bias=[b]) is not zero"),
    ("conv2d(k[c, 3], bias=[b]) >> conv_transpose2d(g[2, 2], stride=2)",
     "conv2d(k[c, 3], bias=[b]) >> conv_transpose2d(g[2, 2], stride=2)",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3], bias=[b]) >> conv_transpose2d(g[2, 2], stride=2), "
     "conv_transpose2d(g[2, 2], stride=2), up-samples the constant that the bias of conv2d(k[c, 3], bias=[b]) adds"),
    ("conv_transpose2d(k[c, 3], stride=2, padding=1) >> conv_transpose2d(g[3, 3])",
     "conv_transpose2d(k[c, 3], stride=2, padding=1) >> conv_transpose2d(g[3, 3])",
     "step 0 (generic_interior_nd): zero extension fails: layer 2 of conv_transpose2d(k[c, 3], stride=2, padding=1) "
     ">> conv_transpose2d(g[3, 3]), conv_transpose2d(g[3, 3]), reads outside its input's window on axis 1"),
    ("conv2d(k[c, 3]) >> maxpool2d(2)", "conv2d(k[c, 3]) >> maxpool2d(2)",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3]) >> maxpool2d(2), maxpool2d(2), is not pad, crop, "
     "down, up, conv, conv_transpose, avgpool or a sum of such chains; the rule is for linear N-D chains"),
    ("conv2d(k[c, 3]) >> avgpool2d(2, ceil_mode=True)", "conv2d(k[c, 3]) >> avgpool2d(2, ceil_mode=True)",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3]) >> avgpool2d(2, ceil_mode=True), avgpool2d(2, "
     "ceil_mode=True), divides its edge windows by fewer samples"),
]


@pytest.mark.parametrize("lhs, rhs, message", OUTSIDE)
def test_chains_outside_lemma_z_are_refused_naming_the_layer(lhs, rhs, message):
    with pytest.raises(CertificateError) as caught:
        replay(_certificate(lhs, rhs, 2))
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("prefix", ["1", 1.5, -1, True])
def test_a_prefix_that_is_not_a_count_is_refused(prefix):
    step = CertificateStep(Rule.GENERIC_INTERIOR_ND, (("period", 1), ("prefix", prefix), ("symbol", "c")))
    with pytest.raises(CertificateError) as caught:
        replay(Certificate("conv2d(k[c, 3])", "conv2d(k[c, 3])", (step,)), parse_statement("conv2d(k[c, 3])",
                                                                                             "conv2d(k[c, 3])"))
    assert f"prefix must be a count of layers (an integer >= 0), not {prefix!r}" in str(caught.value)


def test_zero_extension_allows_a_padding_only_while_the_signal_is_zero_outside_on_that_axis():
    # a transposed convolution padded on axis 2 only keeps the zeros outside its window on axis 1 only
    side = parse_chain("conv_transpose2d(k[c, 3], padding=(0, 1)) >> pad((1, 0))")
    check_zero_extension(side, "here")
    side = parse_chain("conv_transpose2d(k[c, 3], padding=(0, 1)) >> pad((0, 1))")
    with pytest.raises(CertificateError) as caught:
        check_zero_extension(side, "here")
    assert str(caught.value) == ("here: zero extension fails: layer 2 of conv_transpose2d(k[c, 3], padding=(0, 1)) >> "
                                 "pad((0, 1)), pad((0, 1)), reads outside its input's window on axis 2, where the "
                                 "signal need not be zero (an earlier layer reads a window there)")
    # up and down keep the zeros outside the window: a later padding reads zeros
    side = parse_chain("pad((1, 1)) >> up((2, 2)) >> down((2, 1)) >> pad((1, 1)) >> conv2d(k[c, 3], padding=1)")
    check_zero_extension(side, "here")


def test_impulse_shifts_are_the_least_shifts_that_commute_with_every_down_sampling():
    steps = parse_chain("conv2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=(3, 1))").layers()
    assert impulse_shifts(steps, 2) == (6, 2)
    assert position_rates(steps, 2) == (Fraction(1, 6), Fraction(1, 2))
    steps = parse_chain("up((2, 3)) >> conv2d(k[c, 3], stride=(4, 3))").layers()
    assert impulse_shifts(steps, 2) == (2, 1)
    assert position_rates(steps, 2) == (Fraction(1, 2), Fraction(1))
    steps = parse_chain("conv_transpose2d(k[c, 3], stride=2) >> down((2, 2))").layers()
    assert impulse_shifts(steps, 2) == (1, 1) and position_rates(steps, 2) == (1, 1)


def _random_layer(rng: random.Random, kernel: str) -> str:
    s, t, p = rng.choice((1, 2)), rng.choice((1, 2)), rng.choice((0, 0, 1))
    bias = rng.choice(("", "", ", bias=[b]"))
    return rng.choice([f"conv2d({kernel}, stride=({s}, {t}), padding={p}{bias})",
                       f"conv_transpose2d({kernel}, stride=({s}, {t}), padding={p}{bias})",
                       f"up(({s}, {t}))", f"down(({s}, {t}))", f"pad(({p}, {rng.choice((0, 1))}))", "avgpool2d(2)",
                       f"crop(({p}, {rng.choice((0, 1))}))"])


def _random_pair(rng: random.Random) -> tuple[str, str]:
    """A random chain with k[c, 3] first, and the same chain with one layer rewritten: padding as pad() or a stride
    as down() (true), a pad((0, 0)) inserted (true), or a pad, stride, kernel or bias changed (false in general)."""
    s, p, bias = rng.choice((1, 2)), rng.choice((0, 1)), rng.choice(("", ", bias=[b]"))
    first = f"conv2d(k[c, 3], stride=({s}, {s}), padding={p}{bias})"
    lhs = " >> ".join([first] + [_random_layer(rng, "g[2, 2]") for _ in range(rng.randint(1, 2))])
    parts = lhs.split(" >> ")
    i = rng.randrange(len(parts))
    part = parts[i]
    changes = [part + " >> pad((0, 0))", part.replace("(1, 1)", "(1, 0)", 1), part.replace("stride=(2", "stride=(1", 1),
               part.replace("g[2, 2]", "flip(g[2, 2])").replace("k[c, 3]", "flip(k[c, 3], axes=(0,))"),
               part.replace("bias=[b]", "bias=[2*b]")]
    if part.startswith("conv2d(") and "padding=1" in part:
        changes += ["pad((1, 1)) >> " + part.replace("padding=1", "padding=0")] * 3
    if part.startswith("conv2d(") and "stride=(2, 2), padding=0" in part:
        changes += [part.replace("stride=(2, 2)", "stride=(1, 1)") + " >> down((2, 2))"] * 3
    parts[i] = rng.choice(changes)
    return lhs, " >> ".join(parts)


def test_whenever_the_rule_accepts_random_pairs_the_chains_agree_exactly_at_small_c_and_shapes():
    from symconv.prover.generic_nd import _period, _shared_prefix

    rng = random.Random(11)
    accepted = refused = 0
    for _ in range(40):
        lhs, rhs = _random_pair(rng)
        try:
            left, right = parse_statement(lhs, rhs)
        except SymconvError:  # a changed layer that does not fit (a stride of 0 in a transposed convolution)
            continue
        period, prefix = _period(left, right)[0], _shared_prefix(left, right)
        for given in dict.fromkeys((0, prefix)):
            try:
                replay(_certificate(repr(left), repr(right), period, given), (left, right))
            except CertificateError:
                refused += 1
                continue
            accepted += rhs.replace(" >> pad((0, 0))", "") != lhs
            assert _equal_at_small_sizes(lhs, rhs, values=range(1, 3), limit=4), (lhs, rhs, given)
            break
    assert accepted >= 5 and refused >= 5, (accepted, refused)
