"""``derive``, numeric evaluation and ``prove`` for N-D chains with a generic size (``k[c, 3]``).

``prove`` proves edge-free statements for every c through the kernel rule ``generic_interior_nd``; otherwise it
decides each c = 1..8 as a concrete statement: a false instance refutes with its counterexample and the value of c,
and otherwise the verdict is ``unknown`` (instances proved one by one never give ``proved``).
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from symconv import derive, prove
from symconv.checker import Certificate, replay
from symconv.cli import main
from symconv.dsl import parse_chain, parse_statement
from symconv.errors import InvalidArgument, KernelError
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, random_bindings_nd

STRIDES = ("conv2d(k[c, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)")
#: True at odd c ('same' pads symmetrically), false at even c (the extra zero goes to the right).
SAME_UNDER_FLIPS = ("conv2d(k[c, 3], padding='same')", "flip() >> conv2d(flip(k), padding='same') >> flip()")


def test_derive_text_gives_per_axis_arithmetic_in_c_and_the_kernel_expression(capsys):
    assert main(["derive", STRIDES[0]]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:8] == [
        "kernel:          convolve(k[c, 3], dilate(k[c, 3], 2))",
        "stride:          (4, 4)",
        "padding:         [[0, 0], [0, 0]]",
        "receptive field: (3*c - 2, 7)",
        "output length:   (floor((-3*c + n1 + 2)/4) + 1 for n1 >= 3*c - 2 (0 below)) x "
        "(floor(n2/4 - 3/4) for n2 >= 7 (0 below))",
        "branches:        1",
        "exact:           False",
    ]
    assert lines[8].startswith("note:            the single layer conv2d(kernel, stride, padding) equals the "
                               "chain for c = 1..5")


def test_derive_json_lists_per_axis_values_and_says_what_is_not_given(capsys):
    chain = "conv3d(k[c, 3, c], stride=(2, 1, 1), padding=1) >> relu() >> maxpool3d(2)"
    assert main(["derive", chain, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["stride"] == [4, 2, 2] and out["padding"] == [[1, 1], [1, 1], [1, 1]]
    assert out["receptive_field"] == ["c + 2", 4, "c + 1"]  # at c = 3: (5, 4, 4), as derive of k[3, 3, 3]
    assert out["kernel"] is None and out["exact"] is False
    assert out["note"].startswith("kernel: not given for a generic c in N-D")


def test_derive_kernel_expression_is_the_concrete_derivations_kernel():
    generic = derive(STRIDES[0])
    for c in (1, 3):
        concrete = derive(f"conv2d(k[{c}, 3], stride=2) >> conv2d(k, stride=2)")
        assert concrete.exact
        kernel = re.sub(r"\bc\b", str(c), generic.kernel)  # convolve(k[3, 3], dilate(k[3, 3], 2)) at c = 3
        written = derive(f"conv2d({kernel}, stride=4)")
        assert written.kernel == concrete.kernel


def test_derive_says_when_the_single_layer_is_not_the_chain_at_some_c():
    d = derive("conv2d(k[c, 3], padding=1) >> conv2d(k, padding=1)")
    assert d.kernel == "convolve(k[c, 3], k[c, 3])" and d.padding == ((2, 2), (2, 2)) and not d.exact
    assert d.note == ("the single layer conv2d(kernel, stride, padding) is not the chain at c = 1 (it differs there, "
                      "or has no instance): not exact")


def test_derive_gives_same_padding_with_a_generic_size_per_axis_in_closed_form():
    data = derive("conv2d(k[c, 3], padding='same')").to_json()
    assert data["padding"] == [["floor(c/2 - 1/2)", "c - floor(c/2 - 1/2) - 1"], [1, 1]]
    assert data["receptive_field"] == ["c", 3] and data["stride"] == [1, 1]


@pytest.mark.parametrize("text, shape", [
    ("conv2d(k[{c}, 3], padding='same') >> relu() >> down((2, 1)) >> conv2d(k)", (9, 7)),
    ("conv2d(W[2, 1, {c}, 2], padding=(1, 0)) >> avgpool2d(2) >> conv_transpose2d(V[2, 1, 2, {c}], stride=2)", (8, 9)),
    ("conv3d(k[{c}, 2, {c}], stride=(1, 2, 1)) >> conv3d(k)", (7, 6, 8)),
])
def test_numeric_evaluation_with_sizes_equals_the_concrete_chain(text, shape):
    generic = parse_chain(text.format(c="c"))
    rng = np.random.default_rng(1)
    for c in (1, 2, 3):
        concrete = parse_chain(text.format(c=c))
        bindings = random_bindings_nd(generic, rng, sizes={"c": c})
        assert sorted(bindings) == sorted(random_bindings_nd(concrete, 0))
        x = rng.integers(-3, 4, size=(generic.in_channels or 1,) + shape).astype(object)
        got = evaluate_nd_numeric(generic, x, bindings, exact=True, sizes={"c": c})
        want = evaluate_nd_numeric(concrete, x, bindings, exact=True)
        assert got.shape == want.shape and (got == want).all()


def test_random_bindings_with_sizes_have_the_instance_shapes():
    bindings = random_bindings_nd(parse_chain("conv2d(W[2, 1, c, 3]) >> conv2d(V[1, 2, 2, c])"), 0, sizes={"c": 4})
    assert bindings["W"].shape == (2, 1, 4, 3) and bindings["V"].shape == (1, 2, 2, 4)


def test_numeric_evaluation_without_a_value_for_c_asks_for_one():
    with pytest.raises(KernelError, match=re.escape("conv2d(k[c, 3]) has the generic size c; give it a value, "
                                                    "e.g. sizes={'c': 3}")):
        evaluate_nd_numeric(parse_chain("conv2d(k[c, 3])"), np.zeros((1, 5, 5)), {"k": np.ones((2, 3))})


def test_prove_refutes_at_the_first_false_c_with_its_counterexample():
    proof = prove(*SAME_UNDER_FLIPS)
    assert proof.verdict == "refuted"
    assert proof.note.startswith("with c = 2: conv2d(k[2, 3], padding=((0, 1), (1, 1))) != ")
    assert [s.statement.split(":")[0] for s in proof.steps] == ["c = 1", "c = 2"]
    assert proof.steps[0].statement.startswith("c = 1: proved")
    example = proof.counterexample.to_json()
    assert example["sizes"] == {"c": 2} and np.array(example["kernels"]["k"]).shape == (2, 3)
    assert example["lhs"] != example["rhs"]
    # the counterexample is one of the instance at c = 2: its outputs are the concrete chains' outputs
    x = np.array(example["input"], dtype=object)
    instance = parse_statement(SAME_UNDER_FLIPS[0].replace("k[c, 3]", "k[2, 3]"), SAME_UNDER_FLIPS[1])
    for side, outputs in zip(instance, (example["lhs"], example["rhs"])):
        assert evaluate_nd_numeric(side, x, example["kernels"], exact=True).tolist() == outputs


def test_prove_cli_refutation_prints_the_value_of_c_and_exits_1(capsys):
    assert main(["prove", *SAME_UNDER_FLIPS, "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["verdict"] == "refuted" and out["counterexample"]["sizes"] == {"c": 2}
    assert out["replayed"] is False


def test_prove_a_true_edge_free_generic_statement_is_proved_for_every_c_by_the_kernel_rule():
    proof = prove(*STRIDES)
    assert proof.verdict == "proved" and proof.theorem.scope == "every c >= 1 and every input shape"
    assert proof.note == "proved for every c >= 1 and every input shape by the generic interior argument"
    assert [s.rule for s in proof.steps] == ["axis_lengths", "edge_free", "polyphase_responses"]
    assert "the strides (4, 4); their responses to the impulses at [0, 4) x [0, 4) are" in proof.steps[2].statement
    assert proof.numeric.agrees and proof.numeric.compared == 9  # c = 1, 2, 3, three shapes each
    # the certificate is one generic_interior_nd step, and replays from its JSON alone
    obj = json.loads(proof.certificate.dumps())
    assert obj["steps"] == [{"rule": "generic_interior_nd", "period": 4, "symbol": "c",
                             "statement": "for every c >= 1: equal lengths per axis, equal interior operators"}]
    assert replay(Certificate.from_json(obj)).scope == "every c >= 1 and every input shape"


@pytest.mark.parametrize("lhs, rhs, residues", [
    ("conv2d(k[c, c], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)", False),
    ("conv2d(W[2, 3, c, 2]) >> conv2d(V[2, 2, 2, c])", "conv2d(convolve(W, V))", False),
    ("conv2d(flip(k[c, 3]), stride=2) >> conv2d(k)", "conv2d(convolve(flip(k), dilate(k, 2)), stride=2)", True),
    ("conv2d(k[c, 3], padding='same')", "conv2d(flip(flip(k)), padding=1)", None),
])
def test_prove_generic_nd_statements_in_the_fragment_are_proved_or_refused(lhs, rhs, residues):
    proof = prove(lhs, rhs)
    if residues is None:  # 'same' pads floor((c - 1) / 2) on axis 1, not 1: false at c = 1
        assert proof.verdict == "refuted" and proof.note.startswith("with c = 1: ")
        return
    assert proof.verdict == "proved"
    assert ("for each residue of c - 1 mod 2" in proof.steps[2].statement) == residues


def test_prove_a_true_generic_statement_outside_the_fragment_is_unknown_naming_why():
    # an inner pad that is neither in front nor after layers both sides share: outside the kernel rule
    proof = prove("conv2d(k[c, 3]) >> pad((1, 1)) >> crop((1, 1))", "pad((1, 1)) >> crop((1, 1)) >> conv2d(k[c, 3])")
    assert proof.verdict == "unknown" and proof.theorem is None
    assert proof.note == ("the identity was proved for c = 1..8 (each value proved as a concrete statement, its "
                          "certificate replayed by the kernel); the N-D argument for every c (generic_interior_nd) "
                          "does not apply: zero extension fails: layer 2 of conv2d(k[c, 3]) >> pad((1, 1)) >> "
                          "crop((1, 1)), pad((1, 1)), reads outside its input's window on axis 1, where the signal "
                          "need not be zero (an earlier layer reads a window there), so this is not a proof for "
                          "every c")
    assert [s.statement.split(":")[0] for s in proof.steps] == [f"c = {c}" for c in range(1, 9)]
    assert all("proved (certificate replayed by the kernel" in s.statement for s in proof.steps)


def test_prove_cli_true_generic_3d_statement_is_proved_and_exits_0(capsys):
    assert main(["prove", "conv3d(k[c, 2, 1], stride=2) >> conv3d(k, stride=(2, 1, 1))",
                 "conv3d(convolve(k, dilate(k, 2)), stride=(4, 2, 2))"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("proved: ") and "for every c >= 1 and every input shape" in out


@pytest.mark.parametrize("option, kwargs", [("solve", {"solve": ["q"]}), ("assume", {"assume": ["abs(x) <= 1"]})])
def test_solve_and_assume_refuse_a_generic_size_in_nd(option, kwargs):
    rhs = "conv2d(q[3, 3])" if option == "solve" else "relu() >> conv2d(k)"
    lhs = "conv2d(k[c, 3])"
    with pytest.raises(InvalidArgument) as info:
        prove(lhs, rhs, **kwargs)
    shown = str(info.value).split("=", 1)[1].split(" is invalid")[0]
    assert str(info.value) == (f"prove: {option}={shown} is invalid; expected an N-D statement with concrete sizes: "
                               f"{option} is not available with the generic size c in N-D; give it a value, e.g. "
                               f"k[3, 3]")
    assert shown.startswith("'conv2d(k[c, 3]) == ")
