"""Tolerances through relu() and max-pool layers (:mod:`symconv.prover.tolerance_network`).

A PyTorch Conv2d-BN-ReLU-Conv2d-BN block against its fusion (``fuse_conv_bn_eval``) is proved
within 1e-5 for every input shape; a too-small atol gives ``unknown`` (the bound may be loose)
or ``refuted`` (an input exceeding atol, confirmed exactly).
"""

from __future__ import annotations

import copy
import json
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn as nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from symconv import prove
from symconv.checker import Certificate, replay
from symconv.errors import NotInFragment
from symconv.numeric import evaluate_nd_numeric, evaluate_numeric
from symconv.prover.tolerance_network import network_bound


def _trained_block(seed: int = 0) -> nn.Sequential:
    """Conv2d(2, 3) - BatchNorm2d - ReLU - Conv2d(3, 2) - BatchNorm2d with running statistics, in eval mode."""
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                          nn.Conv2d(3, 2, 3, padding=1), nn.BatchNorm2d(2))
    with torch.no_grad():
        for bn in (model[1], model[4]):
            bn.running_mean.normal_()
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.normal_()
            bn.bias.normal_()
    return model.eval()


def _fused(model: nn.Sequential) -> nn.Sequential:
    return nn.Sequential(fuse_conv_bn_eval(copy.deepcopy(model[0]), copy.deepcopy(model[1])), nn.ReLU(),
                         fuse_conv_bn_eval(copy.deepcopy(model[3]), copy.deepcopy(model[4]))).eval()


@pytest.fixture(scope="module")
def block():
    model = _trained_block()
    return model, _fused(model)


def test_a_conv_bn_relu_conv_bn_block_is_proved_within_1e_5_of_its_fusion_for_every_shape(block):
    proof = prove(*block, atol="1e-5")
    assert proof.verdict == "proved", proof.note
    assert proof.rests_on == ("tolerance: atol=1/100000, rtol=0",)
    step = proof.certificate.steps[0]
    assert step.rule.value == "tolerance_network" and len(step.get("axes")) == 2
    bound = Fraction(step.get("bound"))
    assert 0 < bound <= Fraction(1, 100000)
    assert proof.numeric.max_abs_error <= float(bound)
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))  # from the text alone
    assert theorem.scope == "every input shape and every input with |x| <= 1, within atol=1/100000, rtol=0"


def test_a_too_small_atol_is_unknown_when_no_input_exceeds_it_and_refuted_when_one_does(block):
    model, fused = block
    loose = prove(model, fused, atol="1e-6")  # the bound is about 1.2e-6; the gaps seen about 1e-7
    assert loose.verdict == "unknown"
    assert "exceeds atol = 1/1000000, and no input tried exceeds atol" in loose.note
    tight = prove(model, fused, atol="1e-9")
    assert tight.verdict == "refuted"
    example = tight.counterexample
    x = np.array([[[Fraction(v) for v in row] for row in channel] for channel in example.input], dtype=object)
    lhs, rhs = (evaluate_nd_numeric(side, x, exact=True) for side in (tight.lhs, tight.rhs))
    assert max(abs(Fraction(p) - Fraction(q)) for p, q in zip(lhs.ravel(), rhs.ravel())) > Fraction(1, 10**9)


def test_a_bound_past_atol_with_a_smaller_true_gap_is_unknown():
    # L - R = relu(t) - relu(t + e) + e lies in [0, e]: e = 1/100 is the gap, 2e the bound, atol between
    lhs = "conv([1, -1]) >> relu() >> conv([1])"
    rhs = "conv([1, -1], bias=[1/100]) >> relu() >> conv([1], bias=[-1/100])"
    proof = prove(lhs, rhs, atol="3/200")
    assert proof.verdict == "unknown"
    assert proof.note.startswith("the bound |L x - R x| <= 1/50 ~ 0.02 exceeds atol = 3/200, and no input tried "
                                 "exceeds atol (largest seen 0.01)")
    assert prove(lhs, rhs, atol="1/50").verdict == "proved"


def test_an_input_past_atol_refutes_with_its_exact_gap():
    lhs, rhs = "conv([1, 1/2]) >> relu() >> conv([1, -1])", "conv([1, 501/1000]) >> relu() >> conv([1, -1])"
    proof = prove(lhs, rhs, atol="1/1000")
    assert proof.verdict == "refuted"
    assert "differ by 1/500 ~ 0.002, more than atol = 1/1000 (exact evaluation)" in proof.note
    x = np.array(proof.counterexample.input, dtype=object)
    a, b = evaluate_numeric(proof.lhs, x, exact=True), evaluate_numeric(proof.rhs, x, exact=True)
    assert max(abs(Fraction(p) - Fraction(q)) for p, q in zip(a.ravel(), b.ravel())) == Fraction(1, 500)


@pytest.mark.parametrize("lhs, rhs, bound", [
    ("conv([1, 2]) >> maxpool(2) >> conv([1, 1])", "conv([1, 2001/1000]) >> maxpool(2) >> conv([1, 1])", "1/500"),
    ("conv2d([[1, 2]]) >> maxpool2d(2) >> relu()", "conv2d([[1, 2001/1000]]) >> maxpool2d(2) >> relu()", "1/1000"),
    ("relu() >> conv([1, 1])", "relu() >> conv([1, 1], bias=[1/1000])", "1/1000"),
])
def test_max_pool_and_relu_networks_are_proved_with_the_chained_bound(lhs, rhs, bound):
    proof = prove(lhs, rhs, atol="1/100")
    assert proof.verdict == "proved", proof.note
    assert proof.certificate.steps[0].get("bound") == bound


def test_a_relative_tolerance_through_a_relu_is_refused():
    with pytest.raises(NotInFragment, match=r"^rtol=1/10 with relu\(\) / max-pool layers, in conv\(\[1, 2\]\) >> "
                                            r"relu\(\) == conv\(\[1, 2\]\) >> relu\(\): a tolerance through nonlinear "
                                            r"layers is proved for atol only \(rtol=0\)$"):
        prove("conv([1, 2]) >> relu()", "conv([1, 2]) >> relu()", atol="1e-5", rtol="0.1")


def test_a_max_pool_with_padding_is_refused_naming_it():
    with pytest.raises(NotInFragment, match=r"maxpool\(2, padding=1\) in lhs is neither affine nor a relu\(\) or a "
                                            r"max-pool without padding between affine blocks; expected only those$"):
        prove("conv([1, 2]) >> maxpool(2, padding=1)", "conv([1, 2]) >> maxpool(2, padding=1)", atol=1)


def test_blocks_of_different_output_lengths_give_unknown_naming_the_block():
    proof = prove("conv([1, 2]) >> relu()", "conv([1, 2, 3]) >> relu()", atol=1)
    assert proof.verdict == "unknown"
    assert proof.note.startswith("block 1 (conv([1, 2]) against conv([1, 2, 3])): output lengths differ")


def test_a_block_with_a_flip_gives_unknown():
    proof = prove("flip() >> conv([1, 2]) >> relu()", "flip() >> conv([1, 2001/1000]) >> relu()", atol="1/100")
    assert proof.verdict == "unknown"
    assert proof.note == ("block 1 (flip() >> conv([1, 2]) against flip() >> conv([1, 2001/1000])) has a flip(); a "
                          "tolerance through relu() / max-pool layers is proved for flip-free blocks")


def test_the_messages_quote_a_large_network_by_its_head_and_tail():
    torch.manual_seed(0)
    wide = nn.Sequential(nn.Conv2d(4, 8, 3), nn.ReLU())
    with pytest.raises(NotInFragment) as caught:
        prove(wide, nn.Sequential(copy.deepcopy(wide[0])), atol="1e-5")
    assert "..." in str(caught.value) and len(str(caught.value)) < 800
    summed = nn.Sequential(nn.Conv2d(4, 8, 3))
    from symconv.interop import as_layer

    layer = as_layer(summed, "lhs")
    with pytest.raises(NotInFragment) as caught:
        prove(layer + (layer >> as_layer(nn.ReLU(), "relu")), layer, atol="1e-5")
    assert "[a sum of 2 branches] against []" in str(caught.value) and len(str(caught.value)) < 800


def test_network_bound_gives_each_block_its_sups():
    from symconv.dsl import parse_statement

    bound = network_bound(*parse_statement("conv([1, 1/2]) >> relu() >> conv([1, -1])",
                                           "conv([1, 501/1000]) >> relu() >> conv([1, -1])"))
    assert [(b.difference, b.reach, b.lipschitz) for b in bound.blocks] == [
        (Fraction(1, 1000), Fraction(3, 2), Fraction(1501, 1000)), (Fraction(0), Fraction(3), Fraction(2))]
    assert bound.bound == Fraction(1, 500)


class BasicBlock(nn.Module):
    """A ResNet basic block: relu(bn2(conv2(relu(bn1(conv1(x))))) + x), written with a forward method."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        return self.relu(self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x))))) + x)


class FusedBasicBlock(nn.Module):
    """The same block with each convolution fused with its batch norm (``fuse_conv_bn_eval``)."""

    def __init__(self, block: BasicBlock):
        super().__init__()
        self.conv1 = fuse_conv_bn_eval(copy.deepcopy(block.conv1), copy.deepcopy(block.bn1))
        self.conv2 = fuse_conv_bn_eval(copy.deepcopy(block.conv2), copy.deepcopy(block.bn2))
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(self.conv2(self.relu(self.conv1(x))) + x)


@pytest.fixture(scope="module")
def residual():
    torch.manual_seed(1)
    model = BasicBlock(2)
    with torch.no_grad():
        for bn in (model.bn1, model.bn2):
            bn.running_mean.normal_()
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.normal_()
            bn.bias.normal_()
    model.eval()
    return model, FusedBasicBlock(model).eval()


def test_a_resnet_basic_block_is_proved_within_1e_6_of_its_fusion_for_every_shape(residual):
    proof = prove(*residual, atol="1e-6")
    assert proof.verdict == "proved", proof.note
    assert proof.rests_on == ("tolerance: atol=1/1000000, rtol=0",)
    step = proof.certificate.steps[0]
    total = step.get("sums")[0]
    assert len(total["branches"]) == 2
    assert (total["branches"][1]["difference"], total["branches"][1]["lipschitz"]) == (["0"], ["1"])  # x itself
    bound = Fraction(step.get("bound"))
    assert bound == Fraction(total["error"])  # the sum's error, through the last relu()
    assert 0 < bound <= Fraction(1, 10**6)
    assert proof.numeric.max_abs_error <= float(bound)
    theorem = replay(Certificate.from_json(json.loads(proof.certificate.dumps())))  # from the text alone
    assert theorem.scope == "every input shape and every input with |x| <= 1, within atol=1/1000000, rtol=0"


def test_a_resnet_basic_block_within_a_too_small_atol_is_refuted(residual):
    proof = prove(*residual, atol="1e-12")
    assert proof.verdict == "refuted"
    example = proof.counterexample
    x = np.array([[[Fraction(v) for v in row] for row in channel] for channel in example.input], dtype=object)
    lhs, rhs = (evaluate_nd_numeric(side, x, exact=True) for side in (proof.lhs, proof.rhs))
    assert max(abs(Fraction(p) - Fraction(q)) for p, q in zip(lhs.ravel(), rhs.ravel())) > Fraction(1, 10**12)


def test_a_residual_network_is_proved_with_the_summed_bound():
    # (conv >> relu() >> conv) + pad(0): the branch's e_2 = D_2 + Lip_2 D_1 = 0 + 2 * 1/1000, the identity's 0
    lhs = "(conv([1, 1/2], padding=(1, 0)) >> relu() >> conv([1, -1], padding=(0, 1))) + pad(0)"
    rhs = "(conv([1, 501/1000], padding=(1, 0)) >> relu() >> conv([1, -1], padding=(0, 1))) + pad(0)"
    proof = prove(lhs, rhs, atol="1/100")
    assert proof.verdict == "proved", proof.note
    step = proof.certificate.steps[0]
    assert (step.get("bound"), step.get("sums")[0]["error"], step.get("sums")[0]["reach"]) == ("1/500", "1/500", "4")
    from symconv.dsl import parse_statement

    bound = network_bound(*parse_statement(lhs, rhs))
    assert [branch.bound for branch in bound.sums[0].branches] == [Fraction(1, 500), Fraction(0)]


def test_a_residual_sum_against_a_chain_is_refused_naming_both_structures():
    with pytest.raises(NotInFragment, match=r"the sides apply different relu\(\) / max-pool layers, \[a sum of 2 "
                                            r"branches\] against \[relu\(\)\]; expected the same ones in the same "
                                            r"order on both sides \(a sum with as many branches\)$"):
        prove("(conv([2]) >> relu()) + pad(0)", "conv([2]) >> relu()", atol=1)


def test_a_resnet_block_against_its_fusion_without_the_shortcut_is_refused(residual):
    model, fused = residual
    plain = nn.Sequential(fused.conv1, nn.ReLU(), fused.conv2, nn.ReLU())
    with pytest.raises(NotInFragment, match=r"\[a sum of 2 branches, relu\(\)\] against \[relu\(\), relu\(\)\]"):
        prove(model, plain, atol="1e-6")
