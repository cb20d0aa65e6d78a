"""The kernel's rule ``generic_interior_nd`` on edge-free N-D statements with a generic size c, for every c >= 1
(the wider fragment, inner padding, up-sampling and biases: ``test_generic_interior_nd_wider.py``)."""

from __future__ import annotations

import itertools
import random

import pytest

from symconv.checker import Certificate, CertificateStep, Rule, replay
from symconv.core.semantics_nd import every_output_exact
from symconv.core.sizes_nd import with_sizes
from symconv.dsl import parse_statement
from symconv.errors import CertificateError

STRIDES = ("conv2d(k[c, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)")


def _certificate(lhs: str, rhs: str, period: int, symbol: str = "c") -> Certificate:
    step = CertificateStep(Rule.GENERIC_INTERIOR_ND, (("period", period), ("symbol", symbol)))
    return Certificate(lhs, rhs, (step,))


def _outputs(side, c: int, shape: tuple, channels: int):
    """Every output of the instance at c, as exact polynomials in the taps and the input (the core's semantics)."""
    return every_output_exact(with_sizes(side, {"c": c}), shape, channels)


def _equal_at_small_sizes(lhs: str, rhs: str, values=range(1, 6), limit: int = 9) -> bool:
    left, right = parse_statement(lhs, rhs)
    channels = left.in_channels or right.in_channels or 1
    return all(_outputs(left, c, shape, channels) == _outputs(right, c, shape, channels)
               for c in values for shape in itertools.product(range(limit), repeat=left.ndim))


TRUE = [
    (*STRIDES, 4),
    ("conv2d(k[c, c], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)", 4),
    ("conv3d(k[c, 2, 1], stride=2) >> conv3d(k, stride=(2, 1, 1))",
     "conv3d(convolve(k, dilate(k, 2)), stride=(4, 2, 2))", 4),
    ("conv2d(W[2, 3, c, 2]) >> conv2d(V[2, 2, 2, c])", "conv2d(convolve(W, V))", 1),
    ("conv2d(W[2, 1, c, 2], stride=(2, 1)) >> conv2d(V[3, 2, 2, 2], stride=(2, 1))",
     "conv2d(convolve(W, dilate(V, (2, 1))), stride=(4, 1))", 4),
    ("pad((1, 1)) >> conv2d(W[4, 2, c, 2], groups=2)", "conv2d(W[4, 2, c, 2], groups=2, padding=1)", 1),
    ("pad((1, 2)) >> conv2d(k[c, 3]) >> down((2, 2))", "conv2d(k[c, 3], stride=2, padding=((1, 1), (2, 2)))", 2),
    ("conv2d(k[c, 3]) >> avgpool2d(2)", "conv2d(convolve(k, [[1/4, 1/4], [1/4, 1/4]]), stride=2)", 2),
    ("conv2d(k[c, 3]) >> conv2d(k, dilation=2)", "conv2d(convolve(k, dilate(k, 2)))", 1),
    ("conv2d(k[c, 3]) >> conv2d(j[c, 2])", "conv2d(j) >> conv2d(k)", 1),
    # a flipped generic kernel: checked for each residue of c - 1 mod 2
    ("conv2d(flip(k[c, 3]), stride=2) >> conv2d(k)", "conv2d(convolve(flip(k), dilate(k, 2)), stride=2)", 2),
    # 'same' with a generic size pads floor((c - 1) / 2) in front: per residue too
    ("conv2d(k[c, 3], padding='same') >> conv2d(k)", "conv2d(k[c, 3], padding='same') >> conv2d(flip(flip(k)))", 2),
]


@pytest.mark.parametrize("lhs, rhs, period", TRUE)
def test_true_generic_nd_identities_are_closed_for_every_c_and_shape_resting_on_nothing(lhs, rhs, period):
    theorem = replay(_certificate(lhs, rhs, period))
    assert theorem.scope == "every c >= 1 and every input shape" and theorem.rests_on == ()
    assert _equal_at_small_sizes(lhs, rhs, values=range(1, 4), limit=7)  # and they are true


FALSE = [
    (STRIDES[0], "conv2d(convolve(k, dilate(k, 3)), stride=4)", 4,
     "step 0 (generic_interior_nd), axis 1: the output lengths differ at n = 20, c = 5: 2 and 1"),
    ("pad((1, 2)) >> conv2d(k[c, 3]) >> down((2, 2))", "conv2d(k[c, 3], stride=2, padding=((1, 1), (2, 1)))", 2,
     "step 0 (generic_interior_nd), axis 2: the output lengths differ at n = 1, c = 1: 2 and 1"),
    ("conv2d(W[4, 2, c, 3], groups=2)", "conv2d(V[4, 4, c, 3])", 1,
     "step 0 (generic_interior_nd): the interior operators differ: the responses to the impulse at [0, 0] (input "
     "channel 0) differ in output channel 0: the term z^[0, -1] V[0,0]_[0, 1](z^[-1, 0]) has 0 on the left, 1 on "
     "the right"),
    ("conv2d(k[c, 3], padding='same') >> conv2d(k)", "conv2d(k[c, 3], padding='same') >> conv2d(flip(k, axes=(0,)))",
     2, "step 0 (generic_interior_nd): the interior operators differ for c = 1 mod 2: the responses to the impulse "
        "at [0, 0]"),
    ("conv2d(k[c, 3], stride=2)", "conv2d(k[c, 3]) >> down((2, 1)) >> down((1, 2))", 1,
     "period 1 is not a multiple of the strides"),
    (*STRIDES, 2, "step 0 (generic_interior_nd), axis 1: period 2 is not a multiple of the strides"),
]


@pytest.mark.parametrize("lhs, rhs, period, message", FALSE)
def test_false_generic_nd_identities_are_refused_naming_the_failing_part(lhs, rhs, period, message):
    with pytest.raises(CertificateError) as caught:
        replay(_certificate(lhs, rhs, period))
    assert message in str(caught.value)


OUTSIDE = [
    ("conv2d(k[c, 3], padding='same')", "flip() >> conv2d(flip(k), padding='same') >> flip()", 2, "c",
     "step 0 (generic_interior_nd): layer 1 of flip() >> conv2d(flip(k[c, 3]), padding='same') >> flip(), flip(), is "
     "not pad, crop, down, up, conv, conv_transpose, avgpool or a sum of such chains; the rule is for linear N-D "
     "chains"),
    ("conv2d(k[c, 3]) >> pad((1, 1)) >> conv2d(k)", "conv2d(k[c, 3]) >> pad((1, 1)) >> conv2d(k)", 1, "c",
     "step 0 (generic_interior_nd): zero extension fails: layer 2 of conv2d(k[c, 3]) >> pad((1, 1)) >> "
     "conv2d(k[c, 3]), pad((1, 1)), reads outside its input's window on axis 1, where the signal need not be zero"),
    ("conv2d(k[c, 3], bias=[1]) >> pad((1, 1))", "conv2d(k[c, 3], bias=[1]) >> pad((1, 1))", 1, "c",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3], bias=[1]) >> pad((1, 1)), pad((1, 1)), reads outside "
     "its input's window on axis 1, where the bias of conv2d(k[c, 3], bias=[1]) is not zero"),
    ("conv2d(k[c, 3]) >> conv2d(j[d, 3])", "conv2d(k[c, 3]) >> conv2d(j[d, 3])", 1, "c",
     "step 0 (generic_interior_nd): the statement has the generic sizes ['c', 'd']; the rule takes exactly one, c"),
    ("conv2d(k[c, 3])", "conv2d(k[c, 3])", 1, "d",
     "step 0 (generic_interior_nd): the statement has the generic sizes ['c']; the rule takes exactly one, d"),
    ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)", 4, "c",
     "step 0 (generic_interior_nd): the generic_interior_nd rule is for two N-D chains with the same axes; the sides "
     "have 1 and 1"),
    ("conv2d(k[c, 3], bias=[1]) >> up((2, 2))", "conv2d(k[c, 3], bias=[1]) >> up((2, 2))", 2, "c",
     "step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3], bias=[1]) >> up((2, 2)), up((2, 2)), up-samples the "
     "constant that the bias of conv2d(k[c, 3], bias=[1]) adds"),
]


@pytest.mark.parametrize("lhs, rhs, period, symbol, message", OUTSIDE)
def test_statements_outside_the_fragment_are_refused_naming_why(lhs, rhs, period, symbol, message):
    with pytest.raises(CertificateError) as caught:
        replay(_certificate(lhs, rhs, period, symbol))
    assert str(caught.value).startswith(message)


def test_a_hand_made_certificate_for_a_relu_chain_is_refused_with_a_clear_message():
    obj = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [],
           "lhs": "conv2d(k[c, 3]) >> relu()", "rhs": "conv2d(k[c, 3]) >> relu()",
           "steps": [{"rule": "generic_interior_nd", "symbol": "c", "period": 1}]}
    from symconv.checker import statement_hash

    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], [], [])
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    assert str(caught.value) == ("step 0 (generic_interior_nd): layer 2 of conv2d(k[c, 3]) >> relu(), relu(), is not "
                                 "pad, crop, down, up, conv, conv_transpose, avgpool or a sum of such chains; the rule "
                                 "is for linear N-D chains")


def _random_pair(rng: random.Random) -> tuple[str, str, int]:
    """``conv2d(k, s1, p, d1) >> conv2d(j, s2, d2) >> tail`` against its one-layer form, often changed to be false.

    The first layer is written either with its stride and padding or as ``pad >> conv2d >> down``; k may be
    flipped on both sides; a tail (an average, a down-sampling, a crop) may follow on both."""
    sizes = rng.choice(["c, 2", "c, c", "2, c", "c, 1"])
    j = rng.choice([f"j[{rng.choice(['c', '2'])}, 2]", "k"])
    s1, s2, d1, d2 = (rng.choice((1, 2)) for _ in range(4))
    pad = rng.choice((0, 1))
    k = rng.choice([f"k[{sizes}]", f"flip(k[{sizes}])"])
    if rng.random() < 0.5:
        first = f"conv2d({k}, stride={s1}, padding={pad}, dilation={d1})"
    else:
        first = f"pad(({pad}, {pad})) >> conv2d({k}, dilation={d1}) >> down(({s1}, {s1}))"
    tail, tail_stride = rng.choice([("", 1), (" >> avgpool2d(2)", 2), (" >> down((1, 2))", 2), (" >> crop((1, 0))", 1)])
    lhs = f"{first} >> conv2d({j}, stride={s2}, dilation={d2}){tail}"
    a = f"dilate({'flip(k)' if k.startswith('flip') else 'k'}, {d1})"
    b, stride = f"dilate({j.split('[')[0]}, {s1 * d2})", s1 * s2
    change = rng.choice(["none", "none", "factor", "stride", "order", "flip", "pad", "tail"])
    if change == "factor":
        b = f"dilate({j.split('[')[0]}, {s1 * d2 + 1})"
    elif change == "stride":
        stride = max(1, stride // 2) if stride > 1 else 2
    elif change == "order":  # convolve is commutative on one channel: still true
        a, b = b, a
    elif change == "flip":
        a = f"flip({a})"
    rhs = f"conv2d(convolve({a}, {b}), stride={stride}, padding={pad + (change == 'pad')})"
    rhs += " >> crop((0, 1))" if change == "tail" and tail == " >> crop((1, 0))" else tail
    return lhs, rhs, s1 * s2 * tail_stride


def test_whenever_the_rule_accepts_random_pairs_the_instances_agree_at_every_small_c_and_shape():
    rng = random.Random(7)
    accepted = refused = 0
    for _ in range(30):
        lhs, rhs, period = _random_pair(rng)
        try:
            replay(_certificate(lhs, rhs, period))
        except CertificateError:
            refused += 1
            continue
        accepted += 1
        assert _equal_at_small_sizes(lhs, rhs), (lhs, rhs)
    assert accepted >= 5 and refused >= 5, (accepted, refused)
