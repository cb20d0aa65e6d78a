"""``prove`` of N-D statements with a generic size outside edge-free chains: padding inside the chain after layers
both sides share, ``up``, transposed convolutions, biases and 'same' padding, proved for every c by the kernel rule
``generic_interior_nd``; their mutations refuted at a concrete c; what stays outside is ``unknown`` saying why."""

from __future__ import annotations

import json

import numpy as np
import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from symconv.cli import main
from symconv.dsl import parse_statement
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.numeric.symbols_nd import random_bindings_nd

QUARTERS = "[[1/4, 1/4], [1/4, 1/4]]"
EIGHTHS = "[[[1/8, 1/8], [1/8, 1/8]], [[1/8, 1/8], [1/8, 1/8]]]"

#: True for every c >= 1 and every input shape; each proved by the kernel rule.
TRUE = [
    # the issue's examples: padding inside the chain (after the layers both sides share), a transposed convolution
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 1)) >> conv2d(g[3, 3])"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[3, 3])",
     "conv_transpose2d(k[c, 3], stride=2) >> pad((0, 0)) >> conv2d(g[3, 3])"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)"),
    ("conv2d(k[c, c], padding='same') >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, c], padding='same') >> pad((1, 1)) >> conv2d(g[3, 3])"),
    ("conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1))", "conv2d(k[c, 3])"),
    # up-sampling before a generic kernel (the noble identity), a transposed convolution before a strided one
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2))", "conv2d(k[c, 3]) >> up((2, 2))"),
    ("pad((1, 1)) >> up((2, 2)) >> pad((2, 2)) >> conv2d(dilate(k[c, 3], 2))",
     "pad((2, 2)) >> conv2d(k[c, 3]) >> up((2, 2))"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2]) >> down((2, 2))"),
    # biases on generic layers
    ("conv2d(k[c, 3], bias=[b]) >> avgpool2d(2)", f"conv2d(convolve(k, {QUARTERS}), stride=2, bias=[b])"),
    ("conv2d(k[c, 3], bias=[b]) >> down((2, 2))", "conv2d(k[c, 3], stride=2, bias=[b])"),
    ("conv_transpose2d(k[c, 3], stride=2, bias=[b])", "conv_transpose2d(k[c, 3], stride=2) >> conv2d([[1]], bias=[b])"),
    # channels: a prefix that changes them, grouped transposed convolutions with a bias per channel
    ("conv2d(W[2, 1, c, 3], padding=1) >> conv2d(V[3, 2, 3, 3], padding=1) >> down((2, 1))",
     "conv2d(W[2, 1, c, 3], padding=1) >> pad((1, 1)) >> conv2d(V[3, 2, 3, 3], stride=(2, 1))"),
    ("conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, f]) >> conv2d(V[1, 4, 2, 2], stride=2)",
     "conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, f]) >> conv2d(V[1, 4, 2, 2]) >> down((2, 2))"),
    # sums: a residual branch with 'same' padding, distributivity over a sum, biases of a sum
    ("(pad((0, 0)) + conv2d(k[c, c], padding='same')) >> up((2, 2))",
     "up((2, 2)) + (conv2d(k[c, c], padding='same') >> up((2, 2)))"),
    ("(conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2])) + (conv_transpose2d(k, stride=2) >> conv2d(h[2, 2]))",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g + h)"),
    # 'same' padding with a generic size before an up-sampling
    ("conv2d(k[c, c], padding='same') >> up((2, 2))", "conv2d(k[c, c], padding='same') >> pad((0, 0)) >> up((2, 2))"),
    # 3-D
    ("conv3d(k[c, 3, 2], padding=1) >> conv3d(g[3, 3, 3], padding=1)",
     "conv3d(k[c, 3, 2], padding=1) >> pad((1, 1, 1)) >> conv3d(g[3, 3, 3])"),
    ("conv_transpose3d(k[c, 2, 2], stride=2) >> conv3d(g[2, 2, 2])",
     "conv_transpose3d(k[c, 2, 2], stride=2) >> pad((0, 0, 0)) >> conv3d(g[2, 2, 2])"),
    ("up((2, 1, 2)) >> conv3d(dilate(k[c, 2, c], (2, 1, 2)))", "conv3d(k[c, 2, c]) >> up((2, 1, 2))"),
    ("conv3d(k[c, 2, 2], bias=[b]) >> avgpool3d(2)", f"conv3d(convolve(k, {EIGHTHS}), stride=2, bias=[b])"),
]

#: Mutations of TRUE (a changed pad, stride or phase, a swapped or flipped kernel, a changed bias): all false.
FALSE = [
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 0)) >> conv2d(g[3, 3])"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, 3], padding=1) >> pad((1, 1)) >> conv2d(flip(g[3, 3]))"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1)",
     "conv2d(g[3, 3], padding=1) >> pad((1, 1)) >> conv2d(k[c, 3])"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[3, 3])",
     "conv_transpose2d(k[c, 3], stride=(2, 1)) >> pad((0, 0)) >> conv2d(g[3, 3])"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[3, 3])",
     "conv_transpose2d(k[c, 3], stride=2) >> pad((1, 0)) >> conv2d(g[3, 3])"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=(2, 1))"),
    ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2), phase=(1, 1))",
     "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)"),
    ("conv2d(k[c, c], padding='same') >> conv2d(g[3, 3], padding=1)",
     "conv2d(k[c, c], padding=1) >> pad((1, 1)) >> conv2d(g[3, 3])"),
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], 2))", "conv2d(flip(k[c, 3])) >> up((2, 2))"),
    ("up((2, 2)) >> conv2d(dilate(k[c, 3], (2, 1)))", "conv2d(k[c, 3]) >> up((2, 2))"),
    ("up((2, 2)) >> conv2d(k[c, 3])", "conv2d(k[c, 3]) >> up((2, 2))"),
    ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2]) >> down((2, 2), phase=(0, 1))"),
    ("conv2d(k[c, 3], bias=[b]) >> avgpool2d(2)", f"conv2d(convolve(k, {QUARTERS}), stride=2, bias=[2*b])"),
    ("conv2d(k[c, 3], bias=[b]) >> down((2, 2))", "conv2d(k[c, 3], stride=2)"),
    ("conv_transpose2d(k[c, 3], stride=2, bias=[b])",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d([[1]], bias=[b]) >> conv2d([[1]], bias=[b])"),
    ("conv3d(k[c, 3, 2], padding=1) >> conv3d(g[3, 3, 3], padding=1)",
     "conv3d(k[c, 3, 2], padding=1) >> pad((1, 1, 0)) >> conv3d(g[3, 3, 3])"),
    ("(conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2])) + (conv_transpose2d(k, stride=2) >> conv2d(h[2, 2]))",
     "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g + flip(h))"),
    ("(pad((0, 0)) + conv2d(k[c, c], padding='same')) >> up((2, 2))",
     "up((2, 2)) + (conv2d(flip(k[c, c]), padding='same') >> up((2, 2)))"),
    ("conv2d(W[2, 1, c, 3], padding=1) >> conv2d(V[3, 2, 3, 3], padding=1) >> down((2, 1))",
     "conv2d(W[2, 1, c, 3], padding=1) >> pad((1, 1)) >> conv2d(V[3, 2, 3, 3], stride=(1, 2))"),
    ("conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, f]) >> conv2d(V[1, 4, 2, 2], stride=2)",
     "conv_transpose2d(W[2, 2, c, 2], stride=2, groups=2, bias=[a, b, e, e]) >> conv2d(V[1, 4, 2, 2]) >> down((2, 2))"),
    ("up((2, 1, 2)) >> conv3d(dilate(k[c, 2, c], (2, 1, 2)))", "conv3d(k[c, 2, c]) >> up((2, 2, 1))"),
    ("conv3d(k[c, 2, 2], bias=[b]) >> avgpool3d(2)", f"conv3d(convolve(k, {EIGHTHS}), stride=2)"),
]


def _outputs_agree_numerically(lhs: str, rhs: str, values=range(1, 7), seed: int = 0) -> bool:
    """Both sides evaluated exactly with random integer taps, biases and inputs at c in ``values``, several shapes."""
    left, right = parse_statement(lhs, rhs)
    rng = np.random.default_rng(seed)
    shapes = [(4, 5), (7, 6), (9, 8)] if left.ndim == 2 else [(4, 5, 3), (6, 4, 5)]
    channels = left.in_channels or right.in_channels or 1
    for c in values:
        bindings = random_bindings_nd([left, right], rng, sizes={"c": c})
        for shape in shapes:
            x = rng.integers(-3, 4, size=(channels, *shape))
            outputs = [evaluate_nd_numeric(side, x, bindings, exact=True, sizes={"c": c}) for side in (left, right)]
            if outputs[0].shape != outputs[1].shape or outputs[0].tolist() != outputs[1].tolist():
                return False
    return True


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_true_generic_nd_statements_are_proved_for_every_c_by_a_certificate_the_kernel_replays(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.theorem.scope == "every c >= 1 and every input shape" and proof.theorem.rests_on == ()
    rules = [step["rule"] for step in json.loads(proof.certificate.dumps())["steps"]]
    assert rules[-1] == "generic_interior_nd" and set(rules) <= {"generic_interior_nd", "drop_identity_layers"}
    assert replay(Certificate.from_json(json.loads(proof.certificate.dumps()))).scope == proof.theorem.scope


@pytest.mark.parametrize("lhs, rhs", TRUE)
def test_every_statement_proved_for_every_c_holds_numerically_at_c_1_to_6(lhs, rhs):
    assert _outputs_agree_numerically(lhs, rhs)


@pytest.mark.parametrize("lhs, rhs", FALSE)
def test_mutations_of_the_true_statements_are_refuted_with_a_concrete_c_and_shape(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", proof.note
    example = proof.counterexample
    assert dict(example.sizes).keys() == {"c"} and f"with c = {dict(example.sizes)['c']}: " in proof.note
    assert not _outputs_agree_numerically(lhs, rhs, values=[dict(example.sizes)["c"]])


def test_the_issue_example_with_padding_inside_says_which_layers_both_sides_share():
    proof = prove(*TRUE[0])
    assert [s.rule for s in proof.steps] == ["shared_layers", "axis_lengths", "zero_extension", "impulse_responses"]
    assert proof.steps[0].statement.startswith("with every convolution's padding written as pad(), both sides begin "
                                               "with the same 4 layer(s)")
    assert proof.note == ("proved for every c >= 1 and every input shape by the generic zero-extension argument "
                          "after the 4 layer(s) both sides begin with")
    step = json.loads(proof.certificate.dumps())["steps"][0]
    assert (step["period"], step["prefix"], step["symbol"]) == (1, 4, "c")


def test_a_transposed_convolution_is_proved_with_the_shifts_of_its_up_sampling():
    proof = prove(*TRUE[7])
    assert TRUE[7][0].startswith("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)")
    assert [s.rule for s in proof.steps] == ["axis_lengths", "zero_extension", "impulse_responses"]
    assert proof.steps[2].statement.startswith("a shift of the input by (1, 1) shifts both sides' outputs alike")


def test_cli_proves_the_issue_example_and_exits_0(capsys):
    assert main(["prove", *TRUE[1]]) == 0
    assert "for every c >= 1 and every input shape" in capsys.readouterr().out


def test_padding_inside_that_is_not_after_shared_layers_stays_unknown_naming_the_layer():
    proof = prove("conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1))", "pad((1, 1)) >> crop((1, 1)) >> conv2d(k[c, 3])")
    assert proof.verdict == "unknown"
    assert "zero extension fails: layer 2 of conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1)), pad((1, 1)), reads " \
           "outside its input's window on axis 1" in proof.note
    assert proof.note.endswith("so this is not a proof for every c")
