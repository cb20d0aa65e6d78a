"""Proofs within a tolerance (:mod:`symconv.prover.tolerance`) and the checker's rule ``tolerance``.

The worst-case gain is checked against two brute forces: the largest row sum computed from the
core's exact semantics (:func:`symconv.checker.tolerance.row_gains`) at every length up to well
past the bound (which also tests the finite-horizon lemma), and the exact numeric evaluation of
every sign pattern at small lengths (which tests ``G = sum |d| + |delta|``).
"""

from __future__ import annotations

import copy
import itertools
import json
import random
import re
import runpy
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from symconv import prove
from symconv.checker import Certificate, replay
from symconv.checker.tolerance import row_gains
from symconv.cli import main
from symconv.dsl import parse_statement
from symconv.errors import CertificateError, InvalidArgument, NotInFragment
from symconv.numeric import evaluate_numeric
from symconv.prover.tolerance import tolerance_value, worst_case_gain

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _taps(rng: random.Random, length: int) -> str:
    return "[" + ", ".join(str(Fraction(rng.randint(-4, 4), rng.choice([1, 2, 4]))) for _ in range(length)) + "]"


def _random_pair(seed: int) -> tuple[str, str]:
    """A random small affine chain and the same chain with one number changed (equal output lengths)."""
    rng = random.Random(seed)
    layers = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["conv", "conv", "conv", "pad", "affine", "down"])
        if kind == "conv":
            stride, padding = rng.choice([1, 1, 2]), rng.randint(0, 2)
            bias = f", bias=[{Fraction(rng.randint(-3, 3), 2)}]" if rng.random() < 0.5 else ""
            layers.append(f"conv({_taps(rng, rng.randint(1, 3))}, stride={stride}, padding={padding}{bias})")
        elif kind == "pad":
            layers.append(f"pad({rng.randint(0, 2)}, {rng.randint(0, 2)})")
        elif kind == "affine":
            layers.append(f"affine([{Fraction(rng.randint(-3, 3), 2)}], [{Fraction(rng.randint(-3, 3), 4)}])")
        else:
            layers.append(f"down(2, {rng.randint(0, 1)})")
    lhs = " >> ".join(layers)
    inside = [lhs[:i].count("[") > lhs[:i].count("]") for i in range(len(lhs))]  # taps and biases only
    numbers = [i for i, c in enumerate(lhs) if c.isdigit() and lhs[i - 1] in "[ -/" and inside[i]]
    where = rng.choice(numbers) if numbers else None
    if where is None or rng.random() < 0.2:
        return lhs, lhs + " >> conv([1], bias=[1/64])"
    return lhs, lhs[:where] + str(int(lhs[where]) + 1) + lhs[where + 1:]


def _signs(n: int) -> np.ndarray:
    """Every input in {-1, 1}^n, as a batch ``(2^n, 1, n)`` of exact numbers."""
    patterns = np.array(list(itertools.product([-1, 1], repeat=n)), dtype=int).reshape(-1, 1, n)
    return np.vectorize(Fraction, otypes=[object])(patterns)


SEEDS = range(12)


@pytest.mark.parametrize("seed", SEEDS)
def test_worst_case_gain_is_the_largest_row_sum_of_the_core_semantics_at_every_length_past_the_bound(seed):
    lhs, rhs = parse_statement(*_random_pair(seed))
    worst = worst_case_gain(lhs, rhs)
    bound = worst.axes[0]
    brute = Fraction(0)
    for n in range(bound.limit + 3 * bound.period + 4):
        brute = max([brute] + [gain for _, gain, _ in row_gains(lhs, rhs, (n,), "brute force")])
    assert worst.gain == brute


@pytest.mark.parametrize("seed", SEEDS)
def test_row_gain_is_the_largest_difference_over_every_sign_pattern(seed):
    lhs, rhs = parse_statement(*_random_pair(seed))
    worst = worst_case_gain(lhs, rhs)
    for n in range(1, 7):
        a, b = evaluate_numeric(lhs, _signs(n), exact=True), evaluate_numeric(rhs, _signs(n), exact=True)
        brute = {(o, i): max(abs(Fraction(v)) for v in (a - b)[:, o, i]) for o in range(a.shape[1])
                 for i in range(a.shape[2])}
        assert brute == {output: gain for output, gain, _ in row_gains(lhs, rhs, (n,), "brute force")}
        if n < worst.axes[0].limit:
            assert brute == {row.output: row.gain for row in worst.rows if row.shape == (n,)}


@pytest.mark.parametrize("seed", SEEDS)
def test_a_tolerance_at_the_gain_is_proved_and_just_below_it_refuted(seed):
    lhs, rhs = _random_pair(seed)
    gain = worst_case_gain(lhs, rhs).gain
    assert gain > 0
    proof = prove(lhs, rhs, atol=gain)
    assert proof.verdict == "proved", proof.note
    assert proof.rests_on == (f"tolerance: atol={gain}, rtol=0",)
    below = prove(lhs, rhs, atol=gain - Fraction(1, 10**9))
    assert below.verdict == "refuted"
    example = below.counterexample
    x = np.array([[Fraction(v) for v in c] for c in example.input], dtype=object).reshape(len(example.input), example.n)
    a, b = evaluate_numeric(below.lhs, x, exact=True), evaluate_numeric(below.rhs, x, exact=True)
    assert all(abs(v) <= 1 for c in example.input for v in c)
    assert max(abs(Fraction(v)) for v in (a - b).ravel()) == gain


def test_the_gain_counts_boundary_outputs_where_padding_inside_the_chain_hides_samples():
    # DESIGN section 4: the two sides agree on every interior output and differ near the ends only
    lhs = "conv([1, 2, 3], stride=2, padding=1) >> conv([1, 2, 3], stride=2, padding=1)"
    rhs = "conv(convolve([1, 2, 3], dilate([1, 2, 3], 2)), stride=4, padding=3)"
    worst = worst_case_gain(lhs, rhs)
    assert worst.gain == 3
    assert (worst.attained.shape, worst.attained.output, worst.attained.input) == ((2,), (0, 0), ((1, -1),))
    interior = [row.gain for row in worst.rows if row.shape == (9,)]
    assert interior == [0, 0, 0]
    assert prove(lhs, rhs, atol=3).verdict == "proved" and prove(lhs, rhs, atol="2.999").verdict == "refuted"


def test_rtol_scales_each_output_by_the_right_hand_sides_own_bound():
    # lhs - rhs = x[i] and the rhs row bound is 1 at every output
    assert prove("conv([2])", "conv([1])", rtol=1).verdict == "proved"
    assert prove("conv([2])", "conv([1])", rtol="99/100").verdict == "refuted"
    assert prove("conv([2])", "conv([1])", atol="1/2", rtol="1/2").verdict == "proved"
    assert prove("conv([2])", "conv([1])", atol="1/2", rtol="49/100").verdict == "refuted"


def test_different_output_lengths_are_refuted_with_the_lengths_in_the_counterexample():
    proof = prove("conv([1, 1])", "conv([1, 1], padding=1)", atol=1)
    assert proof.verdict == "refuted"
    assert len(proof.counterexample.lhs[0]) != len(proof.counterexample.rhs[0])


def test_two_dimensional_gain_is_the_largest_row_sum_of_the_core_semantics_past_the_bound():
    k = "[[1, 2, 3], [2, 1, 1]]"  # padding inside the chain: only outputs near the ends of axis 2 differ
    step = f"conv2d({k}, stride=(1, 2), padding=(0, 1))"
    lhs, rhs = parse_statement(f"{step} >> {step}",
                               f"conv2d(convolve({k}, dilate({k}, (1, 2))), stride=(1, 4), padding=(0, 3))")
    worst = worst_case_gain(lhs, rhs)
    limits = [b.limit + b.period for b in worst.axes]
    brute = max(gain for shape in itertools.product(*(range(n) for n in limits))
                for _, gain, _ in row_gains(lhs, rhs, shape, "brute force"))
    assert worst.gain == brute == 12
    proof = prove(lhs, rhs, atol=12)
    assert proof.verdict == "proved" and proof.theorem.scope.startswith("every input shape")
    refuted = prove(lhs, rhs, atol="11.99")
    assert refuted.verdict == "refuted" and refuted.counterexample.n == (3, 2)


def test_two_dimensional_affine_sides_within_a_tolerance():
    lhs = "conv2d([[1, 1/2], [1, 1]], padding=1) >> affine(2, 1/3)"
    rhs = "conv2d([[2, 1], [2, 17/8]], padding=1, bias=[1/3])"
    assert worst_case_gain(lhs, rhs).gain == Fraction(1, 8)
    assert prove(lhs, rhs, atol="1/8").verdict == "proved"
    assert prove(lhs, rhs, atol="1/9").verdict == "refuted"


def test_three_dimensional_sides_within_a_tolerance():
    lhs = "conv3d([[[1, 2], [3, 4]], [[1, 1], [1, 1]]], padding=1) >> affine(1/2, 1)"
    rhs = "conv3d([[[1/2, 1], [3/2, 2]], [[1/2, 1/2], [1/2, 513/1024]]], padding=1, bias=[1])"
    proof = prove(lhs, rhs, atol="1/1024")
    assert proof.verdict == "proved" and proof.note == "worst-case gain 1/1024 ~ 0.000976562"
    refuted = prove(lhs, rhs, atol="1/2048")
    assert refuted.verdict == "refuted" and refuted.counterexample.input == ((((-1,),),),)


# --- the checker --------------------------------------------------------------------------------

def _certificate(lhs: str, rhs: str, **tolerance) -> dict:
    return json.loads(prove(lhs, rhs, **tolerance).certificate.dumps())


def test_the_certificate_replays_from_json_and_rests_on_its_tolerance():
    obj = _certificate("conv([1, 2], padding=1) >> conv([1, 1], stride=2)",
                       "conv([1, 2001/1000], padding=1) >> conv([1, 1], stride=2)", atol="1e-2", rtol="1/1000")
    step = obj["steps"][-1]
    assert step["rule"] == "tolerance" and step["atol"] == "1/100" and step["gain"] == "1/500"
    theorem = replay(Certificate.from_json(obj))
    assert theorem.rests_on == ("tolerance: atol=1/100, rtol=1/1000",)
    assert theorem.scope == "every input length and every input with |x| <= 1, within atol=1/100, rtol=1/1000"


@pytest.mark.parametrize("field, value, message", [
    ("atol", "1/2000", "at input shape \\[1\\], output \\[0, 0\\] the two sides differ by up to 1/1000, more "
                      "than atol \\+ rtol \\* 2001/1000 = 1/2000"),
    ("gain", "1/2000", "the gain is 1/1000, not the claimed 1/2000"),
    ("attained", [[7], [0, 1]], "attained \\[\\[7\\], \\[0, 1\\]\\] is not an output below the limits"),
    ("attained", [[1], [0]], "attained must be \\[\\[n1, ..., nd\\], \\[channel, i1, ..., id\\]\\]"),
    ("gain", "2/2000", "gain '2/2000' is not in lowest terms; expected '1/1000'"),
    ("rtol", "-1", "rtol '-1' is not an exact rational"),
    ("axes", [[1, 1, 2]], "fewer than 1 consecutive interior outputs between the ends at n = 1"),
])
def test_a_certificate_with_a_false_tolerance_field_is_rejected(field, value, message):
    obj = _certificate("conv([1, 2], padding=1)", "conv([1, 2001/1000], padding=1)", atol="1/1000")
    obj["steps"][-1][field] = value
    with pytest.raises(CertificateError, match=f"^step 0 \\(tolerance\\): .*{message}"):
        replay(Certificate.from_json(obj))


def test_the_checker_refuses_a_tolerance_with_symbolic_taps():
    obj = _certificate("conv([1, 2])", "conv([1, 2])", atol="0")
    obj["lhs"] = obj["rhs"] = "conv(k[2])"
    obj["statement_hash"] = Certificate("conv(k[2])", "conv(k[2])", ()).statement_hash
    with pytest.raises(CertificateError, match="is not affine in the input with rational coefficients"):
        replay(Certificate.from_json(obj))


# --- errors ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["1e-5", "0.00001", "1/100000", " 1E-5 ", 1e-5, Decimal("0.00001"),
                                  Fraction(1, 100000)])
def test_tolerances_are_read_exactly_as_written(text):
    assert tolerance_value(text, "atol") == Fraction(1, 100000)


@pytest.mark.parametrize("text", ["abc", "-1e-5", "nan", "inf", "1/0", "2**-5", True, [1]])
def test_a_tolerance_that_is_not_a_number_at_least_0_is_refused(text):
    message = f"prove: atol={text!r} is invalid; expected a number >= 0 such as 1e-5, 0.00001 or 1/100000"
    with pytest.raises(InvalidArgument, match=f"^{re.escape(message)}$"):
        prove("conv([1])", "conv([1])", atol=text)


def test_symbolic_kernels_cannot_be_bounded():
    with pytest.raises(NotInFragment) as caught:
        prove("conv(k[2]) >> conv([1, 1], bias=b)", "conv(k) >> conv([1, 1])", atol="1e-5")
    assert str(caught.value) == ("conv(k[2]) >> conv([1, 1], bias=b) == conv(k[2]) >> conv([1, 1]) has symbolic b, k: "
                                 "a symbolic kernel cannot be bounded; give numeric weights for a tolerance, or prove "
                                 "it exactly without atol/rtol")


def test_a_nonlinear_layer_is_outside_the_tolerance_fragment():
    with pytest.raises(NotInFragment, match=r"^l2pool\(1\) in conv\(\[2\]\) \+ l2pool\(1\) == conv\(\[3\]\) is not "
                                            r"linear or affine; a tolerance is proved for linear layers, biases and "
                                            r"affine\(\) \(and for relu\(\) or max-pool layers that both sides apply "
                                            r"in the same order, between affine blocks\)$"):
        prove("conv([2]) + l2pool(1)", "conv([3])", atol=1)  # (a relu() in a sum: tests/prover/test_tolerance_network)


def test_a_relu_on_one_side_only_is_outside_the_tolerance_fragment():
    with pytest.raises(NotInFragment, match=r"^conv\(\[1, 2\]\) >> relu\(\) == conv\(\[1, 2\]\): a tolerance through "
                                            r"relu\(\) / max-pool layers: the sides apply different relu\(\) / "
                                            r"max-pool layers, \[relu\(\)\] against \[\]; expected the same ones in "
                                            r"the same order on both sides$"):
        prove("conv([1, 2]) >> relu()", "conv([1, 2])", atol=1)


def test_a_tolerance_does_not_combine_with_unknowns():
    with pytest.raises(InvalidArgument, match=r"^prove: solve=\['k'\] is invalid; expected nothing together with "
                                              r"atol/rtol$"):
        prove("conv(k[2])", "conv([1, 2])", solve=["k"], atol=1)


# --- command line ------------------------------------------------------------------------------------

def test_cli_prove_within_atol_prints_the_tolerance_in_rests_on_and_the_numeric_check(capsys):
    code = main(["prove", "conv([1, 1/2], padding=1)", "conv([1, 501/1000], padding=1)", "--atol", "1e-3", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "proved"
    assert out["rests_on"] == ["tolerance: atol=1/1000, rtol=0"]
    assert out["numeric"]["max_abs_error"] == pytest.approx(1e-3) and out["numeric"]["tolerance"] == pytest.approx(1e-3)


def test_cli_prove_below_the_gain_exits_1_with_a_counterexample(capsys):
    code = main(["prove", "conv([1, 1/2], padding=1)", "conv([1, 501/1000], padding=1)", "--atol", "1/10000",
                 "--rtol", "0", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and out["verdict"] == "refuted" and out["counterexample"]["input"] == [[-1]]


def test_cli_tolerance_with_symbolic_taps_exits_2_with_one_line(capsys):
    assert main(["prove", "conv(k[2])", "conv(k)", "--atol", "1/100000"]) == 2
    err = capsys.readouterr().err
    assert err == ("symconv prove: conv(k[2]) == conv(k[2]) has symbolic k: a symbolic kernel cannot be bounded; give "
                   "numeric weights for a tolerance, or prove it exactly without atol/rtol\n")


def test_cli_prove_torch_models_within_atol(tmp_path, capsys):
    pytest.importorskip("torch")
    models = tmp_path / "models.py"
    models.write_text(
        "import copy\n"
        "import torch\n"
        "from torch.nn.utils.fusion import fuse_conv_bn_eval\n"
        "def unfused():\n"
        "    torch.manual_seed(0)\n"
        "    bn = torch.nn.BatchNorm1d(3)\n"
        "    with torch.no_grad():\n"
        "        bn.running_mean.normal_(); bn.running_var.uniform_(0.5, 2.0)\n"
        "    return torch.nn.Sequential(torch.nn.Conv1d(2, 3, 3, padding=1), bn).eval()\n"
        "def fused():\n"
        "    m = unfused()\n"
        "    return fuse_conv_bn_eval(copy.deepcopy(m[0]), copy.deepcopy(m[1]))\n")
    code = main(["prove", "--torch", f"{models}:unfused", f"{models}:fused", "--atol", "1e-5", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["verdict"] == "proved" and out["rests_on"] == ["tolerance: atol=1/100000, rtol=0"]


def test_cli_unreadable_atol_exits_2(capsys):
    assert main(["prove", "conv([1])", "conv([1])", "--atol", "1e-5x"]) == 2
    assert "atol='1e-5x' is invalid; expected a number >= 0" in capsys.readouterr().err


# --- PyTorch refactors -------------------------------------------------------------------------------

def _trained(torch, module, bns):
    with torch.no_grad():
        for bn in bns:
            bn.running_mean.normal_()
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.normal_()
            bn.bias.normal_()
    return module.eval()


def test_conv1d_batchnorm1d_against_torch_fusion_is_proved_within_1e_5_and_a_perturbed_bias_refuted():
    torch = pytest.importorskip("torch")
    from torch.nn.utils.fusion import fuse_conv_bn_eval

    torch.manual_seed(1)
    conv, bn = torch.nn.Conv1d(3, 4, 3, padding=1, stride=2), torch.nn.BatchNorm1d(4)
    model = _trained(torch, torch.nn.Sequential(conv, bn), [bn])
    fused = fuse_conv_bn_eval(copy.deepcopy(conv), copy.deepcopy(bn))
    assert prove(model, fused).verdict == "refuted"  # fusion rounds to float32
    proof = prove(model, fused, atol="1e-5")
    assert proof.verdict == "proved"
    assert 0 < worst_case_gain(proof.lhs, proof.rhs).gain < Fraction(1, 10**6)
    with torch.no_grad():
        b = np.float32(fused.bias[2].item())
        fused.bias[2] = float(b + np.float32(1000) * np.spacing(b))
    broken = prove(model, fused, atol="1e-5")
    assert broken.verdict == "refuted"
    assert "output [2, " in broken.note


def test_example_conv2d_batchnorm2d_fusion_is_proved_within_1e_5_and_refuted_off_by_1000_ulps(capsys):
    pytest.importorskip("torch")
    results = runpy.run_path(str(EXAMPLES / "conv_bn_tolerance.py"))["main"]()
    assert (results["within"], results["perturbed"]) == ("proved", "refuted")
    gain = Fraction(results["proof"].steps[2].statement.split(": ")[1].split(" ~")[0])
    worst = runpy.run_path(str(EXAMPLES / "fuse_conv_bn.py"))["worst_difference"](results["proof"].lhs,
                                                                                 results["proof"].rhs)[0]
    assert gain == worst  # the interior closed form of fuse_conv_bn.py: with padding 1 no row sees more taps
    assert "within atol=1e-5: proved" in capsys.readouterr().out


def test_repvgg_1d_block_is_proved_within_a_tolerance_against_its_merged_conv():
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv3, self.bn3 = torch.nn.Conv1d(2, 2, 3, padding=1, bias=False), torch.nn.BatchNorm1d(2)
            self.conv1, self.bn1 = torch.nn.Conv1d(2, 2, 1, bias=False), torch.nn.BatchNorm1d(2)
            self.bn_id = torch.nn.BatchNorm1d(2)

        def forward(self, x):
            return self.bn3(self.conv3(x)) + self.bn1(self.conv1(x)) + self.bn_id(x)

    def fold(kernel, bn):
        std = (bn.running_var + bn.eps).sqrt()
        return kernel * (bn.weight / std).reshape(-1, 1, 1), bn.bias - bn.running_mean * bn.weight / std

    torch.manual_seed(2)
    block = Block()
    block = _trained(torch, block, [block.bn3, block.bn1, block.bn_id])
    k3, b3 = fold(block.conv3.weight, block.bn3)
    k1, b1 = fold(F.pad(block.conv1.weight, [1, 1]), block.bn1)
    k_id, b_id = fold(torch.eye(2).reshape(2, 2, 1).repeat(1, 1, 3) * torch.tensor([0.0, 1.0, 0.0]), block.bn_id)
    merged = torch.nn.Conv1d(2, 2, 3, padding=1)
    with torch.no_grad():
        merged.weight.copy_(k3 + k1 + k_id)
        merged.bias.copy_(b3 + b1 + b_id)
    proof = prove(block, merged, atol="1e-5")
    assert proof.verdict == "proved"
    gain = worst_case_gain(proof.lhs, proof.rhs).gain
    assert 0 < gain < Fraction(1, 10**5)
    assert prove(block, merged, atol=gain).verdict == "proved"
    assert prove(block, merged, atol=gain * Fraction(99, 100)).verdict == "refuted"


def test_example_repvgg_2d_block_is_proved_within_1e_5_and_refuted_exactly():
    pytest.importorskip("torch")
    results = runpy.run_path(str(EXAMPLES / "repvgg_merge.py"))["main"]()
    assert (results["within"], results["exact"]) == ("proved", "refuted")


def test_the_proof_carries_its_tolerance_and_worst_case_gain_as_exact_rationals():
    from symconv.prover.proof import ToleranceBound

    proved = prove("conv([1, 1/2])", "conv([1, 501/1000])", atol="1/1000", rtol="1/2")
    refuted = prove("conv([1, 1/2])", "conv([1, 51/100])", atol="1e-3")
    lengths = prove("conv([1, 1/2], stride=2)", "conv([1, 1/2])", atol="1/1000")
    assert proved.tolerance == ToleranceBound(Fraction(1, 1000), Fraction(1, 2), Fraction(1, 1000))
    assert (refuted.verdict, refuted.tolerance) == ("refuted", ToleranceBound(Fraction(1, 1000), Fraction(0),
                                                                              Fraction(1, 100)))
    assert (lengths.verdict, lengths.tolerance) == ("refuted", ToleranceBound(Fraction(1, 1000), Fraction(0)))
    assert prove("conv([1, 1/2])", "conv([1, 1/2])").tolerance is None
