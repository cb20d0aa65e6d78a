"""Issue 14, "found by trying to break it": each finding with the behaviour PyTorch gives.

Where PyTorch answers (``torch.nn.functional``, float64) the outputs are compared
with it; where it raises (a convolution of an empty input) the length table
of DESIGN section 1 decides.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy

import symconv.cli as cli
from symconv.core.layers import avgpool, conv, conv_transpose, crop, flip, pad, relu
from symconv.core.semantics import as_signal, evaluate
from symconv.dsl import parse_statement
from symconv.numeric import evaluate_numeric
from symconv.prover import prove
from symconv.prover.derive import derive

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _torch_rows(t) -> list:
    return t[0].tolist()


def _rows(signal) -> list:
    return [[float(v) for v in channel] for channel in signal]


# --- empty signals ------------------------------------------------------------------------------


def test_crop_then_pad_differs_from_a_padded_convolution_only_on_the_empty_input():
    lhs, rhs = "crop(0, 1) >> pad(1, 0)", "conv([1, 0], padding=(1, 0))"
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    example = proof.counterexample
    assert example.n == 0 and [list(r) for r in example.lhs] == [[0]] and [list(r) for r in example.rhs] == [[]]
    # PyTorch: pad of the empty crop is one zero (the lhs); conv1d of the one padded zero raises
    assert _torch_rows(F.pad(torch.zeros(1, 1, 0), (1, 0))) == [[0.0]]
    with pytest.raises(RuntimeError):
        F.conv1d(F.pad(torch.zeros(1, 1, 0), (1, 0)), torch.tensor([[[1.0, 0.0]]]))
    left, right = parse_statement(lhs, rhs)
    for n in range(1, 9):  # PyTorch answers on both sides, and they agree
        x = torch.arange(1.0, n + 1).view(1, 1, n)
        expected = _torch_rows(F.conv1d(F.pad(x, (1, 0)), torch.tensor([[[1.0, 0.0]]])))
        assert _torch_rows(F.pad(x[..., :n - 1], (1, 0))) == expected
        signal = as_signal(list(range(1, n + 1)))
        assert _rows(evaluate(left, signal)) == _rows(evaluate(right, signal)) == expected


def test_a_padded_convolution_is_pad_then_convolution_on_the_empty_input_too():
    assert prove("conv(k[3], padding=(2, 1))", "pad(2, 1) >> conv(k)").verdict == "proved"
    assert evaluate(conv([1, 2, 3], padding=(2, 1), bias=[5]), ((),)) == ((5,),)


# --- flip conjugation of conv_transpose with output_padding > padding ----------------------------

CT = "conv_transpose(k[1], stride=3, padding=1, output_padding=2) >> flip()"


def test_flipped_transposed_convolution_with_crop_then_pad_is_refuted_at_the_empty_input():
    proof = prove(CT, "flip() >> conv_transpose(flip(k), stride=3) >> crop(0, 1) >> pad(1, 0)")
    assert proof.verdict == "refuted"
    assert proof.counterexample.n == 0
    assert [list(r) for r in proof.counterexample.lhs] == [[]]
    assert [list(r) for r in proof.counterexample.rhs] == [[0]]


def test_flipped_transposed_convolution_with_pad_then_shift_is_proved_and_agrees_with_torch():
    rhs = "flip() >> conv_transpose(flip(k), stride=3) >> pad(1, 0) >> conv([1, 0])"
    proof = prove(CT, rhs)
    assert proof.verdict == "proved", proof.note
    left, right = parse_statement(CT.replace("k[1]", "[2]"), rhs.replace("flip(k)", "flip([2])"))
    for n in range(1, 9):
        x = torch.arange(1.0, n + 1).view(1, 1, n)
        expected = torch.flip(F.conv_transpose1d(x, torch.tensor([[[2.0]]]), stride=3, padding=1, output_padding=2),
                              dims=(-1,))
        y = evaluate_numeric(right, x[0].numpy())
        assert y.tolist() == _torch_rows(expected)
        assert evaluate_numeric(left, x[0].numpy()).tolist() == _torch_rows(expected)


# --- internal errors are never verdicts ------------------------------------------------------------


@pytest.mark.parametrize("lhs, rhs, fragment", [
    ("conv(k[c]) + conv(k, padding=(1, 0))", "conv(k)", "expected every branch to give the same length"),
    ("down(3) + conv(k[c], stride=2)", "down(3)", "expected every branch to give the same length"),
])
def test_sums_whose_branches_never_have_equal_lengths_exit_2_with_one_line(capsys, lhs, rhs, fragment):
    assert cli.main(["prove", lhs, rhs]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and fragment in err and "Traceback" not in err


def test_an_unexpected_exception_in_a_command_exits_2_not_1(capsys, monkeypatch):
    def broken(args):
        raise IndexError("list index out of range")

    monkeypatch.setitem(cli.COMMANDS, "prove", broken)
    assert cli.main(["prove", "conv(k[3])", "conv(k)"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "symconv prove: internal error (IndexError: list index out of range); please report it with the command line"
    ]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
def test_flipped_same_padding_with_a_generic_length_is_refuted_at_c_2():
    proof = prove("flip() >> conv(k[c], padding='same') >> flip()", "conv(flip(k), padding='same')")
    assert proof.verdict == "refuted"
    example = proof.counterexample
    assert dict(example.sizes) == {"c": 2}
    taps = [float(v) for v in example.kernels["k"]]
    x = torch.tensor([[list(map(float, example.input[0]))]], dtype=torch.float64)
    w = torch.tensor([[taps]], dtype=torch.float64)
    lhs = torch.flip(F.conv1d(torch.flip(x, dims=(-1,)), w, padding="same"), dims=(-1,))
    rhs = F.conv1d(x, torch.flip(w, dims=(-1,)), padding="same")
    assert _torch_rows(lhs) == [[float(sympy.Rational(v)) for v in example.lhs[0]]]
    assert _torch_rows(rhs) == [[float(sympy.Rational(v)) for v in example.rhs[0]]]
    assert _torch_rows(lhs) != _torch_rows(rhs)


# --- derive: outputs that differ at the ends ------------------------------------------------------


def _ends_that_differ(chain_out: np.ndarray, single_out: np.ndarray) -> dict:
    differ = np.flatnonzero(np.abs(chain_out - single_out).max(axis=0) > 1e-9)
    m = chain_out.shape[-1]
    return {"left": max((int(i) + 1 for i in differ if i < m / 2), default=0),
            "right": max((m - int(i) for i in differ if i >= m / 2), default=0)}


def test_derive_counts_the_last_two_outputs_as_differing_as_torch_shows():
    d = derive("conv([1, 1]) >> conv(k[3], padding=(0, 2))")
    assert d.boundary == {"left": 0, "right": 2}
    k = torch.tensor([[[1.0, 2.0, 4.0]]], dtype=torch.float64)
    x = torch.linspace(-1, 2, 12, dtype=torch.float64).view(1, 1, 12)
    chain = F.conv1d(F.pad(F.conv1d(x, torch.ones(1, 1, 2, dtype=torch.float64)), (0, 2)), k)
    single = F.conv1d(F.pad(x, (0, 2)), torch.tensor([[[1.0, 3.0, 6.0, 4.0]]], dtype=torch.float64))
    assert _ends_that_differ(chain[0].numpy(), single[0].numpy()) == {"left": 0, "right": 2}


@pytest.mark.parametrize("seed", range(12))
def test_derive_boundary_counts_match_torch_on_random_padded_chains(seed):
    rng = np.random.default_rng(seed)
    steps = []
    for _ in range(int(rng.integers(2, 4))):
        taps = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(1, 4)))]  # no zero tap
        steps.append(conv(taps, padding=(int(rng.integers(0, 3)), int(rng.integers(0, 3)))))
    chain = steps[0]
    for s in steps[1:]:
        chain = chain >> s
    d = derive(chain)
    n = 40
    x = rng.uniform(-1, 1, size=(1, n))
    out = evaluate_numeric(chain, x)
    if d.exact:
        assert np.allclose(evaluate_numeric(d.layer, x), out)
        return
    weights = [float(sympy.Rational(v)) for v in d.kernel]
    reference = evaluate_numeric(conv(weights, padding=d.padding), x)
    assert _ends_that_differ(out, reference) == d.boundary, chain


# --- numeric evidence: sizes past the receptive field, corners of a declared box -------------------


def test_a_pool_wider_than_every_small_input_is_refuted_past_its_receptive_field():
    proof = prove("avgpool(34) >> relu()", "avgpool(34)")
    assert proof.verdict == "refuted"
    example = proof.counterexample
    assert example.n >= 34
    x = torch.tensor([[list(map(float, example.input[0]))]], dtype=torch.float64)
    assert _torch_rows(F.relu(F.avg_pool1d(x, 34))) != _torch_rows(F.avg_pool1d(x, 34))


WEIGHT = "[[[3, 0, 1], [1, 2, -2]], [[1, -1, 1], [2, 0, 0]]]"
BOUNDED = f"down(3, phase=1) >> conv({WEIGHT}) >> affine(2, 17)"


def test_a_relu_that_clips_at_a_corner_of_the_declared_box_is_refuted():
    # the samples read (1, 4, 7) at -sign of the first output channel's taps: PyTorch at n = 8 gives
    # [0, 9] with the relu and [-1, 9] without
    x = torch.tensor([[[0, -1, 0, 0, 0, 0, 0, -1], [0, -1, 0, 0, -1, 0, 0, 1]]], dtype=torch.float64)
    w = torch.tensor([[[3, 0, 1], [1, 2, -2]], [[1, -1, 1], [2, 0, 0]]], dtype=torch.float64)
    without = 2 * F.conv1d(x[..., 1::3], w) + 17
    assert _torch_rows(F.relu(without)) == [[0.0], [9.0]] and _torch_rows(without) == [[-1.0], [9.0]]
    proof = prove(BOUNDED + " >> relu()", BOUNDED, assume=["abs(x) <= 1"])
    assert proof.verdict == "refuted"
    example = proof.counterexample
    assert all(abs(v) <= 1 for row in example.input for v in row)
    xe = torch.tensor([[list(map(float, row)) for row in example.input]], dtype=torch.float64)
    lhs = F.relu(2 * F.conv1d(xe[..., 1::3], w) + 17)
    rhs = 2 * F.conv1d(xe[..., 1::3], w) + 17
    assert _torch_rows(lhs) != _torch_rows(rhs)


def test_a_checked_verdict_counts_the_non_empty_outputs_it_compared():
    proof = prove("relu() >> relu()", "relu()")
    assert proof.verdict == "checked"
    numeric = proof.to_json()["numeric"]
    assert numeric["compared"] > 0 and numeric["compared"] <= numeric["trials"]
    assert set(numeric) >= {"trials", "max_abs_error", "tolerance", "compared"}
    assert json.loads(json.dumps(numeric)) == numeric


def test_a_check_that_compared_no_non_empty_output_is_unknown():
    proof = prove("avgpool(4000) >> avgpool(4000) >> relu()", "avgpool(4000) >> avgpool(4000)")  # n >= 7999
    assert proof.verdict == "unknown"
    assert proof.numeric.compared == 0
    assert "no trial gave a non-empty output" in proof.note


def test_relu_and_flip_commute_under_numeric_evidence_that_includes_the_empty_input():
    proof = prove(flip() >> relu(), relu() >> flip())
    assert proof.verdict == "checked" and proof.numeric.compared > 0


def test_the_empty_input_gives_zeros_for_pad_and_nothing_for_crop_in_every_evaluator():
    for layer, length in ((pad(1, 2), 3), (crop(1), 0), (conv_transpose([1, 2, 3], stride=2), 1),
                          (avgpool(2, stride=1, padding=1), 1)):
        assert len(evaluate(layer, ((),))[0]) == length
        assert evaluate_numeric(layer, [[]]).shape == (1, length)
