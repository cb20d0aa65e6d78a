"""The kernel's rewrite ``merge_branches``: conv(a, ...) + conv(b, ...) = conv(a + b, ...) for the same stride,
padding, dilation, groups and weight shape, and after aligning different paddings with padk, checked exhaustively
at small sizes in 1-D and 2-D by the core's exact semantics, and refused where it merges nothing."""

from __future__ import annotations

import itertools

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.branch_merging import merge_branches
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.core.semantics_nd import every_output_exact
from symconv.dsl import parse_chain
from symconv.errors import CertificateError

PADDINGS = ("0", "(1, 0)", "2", "'same'")
BIASES = (("", ""), (", bias=[1, -2]", ""), (", bias=[1, -2]", ", bias=[3, 1/2]"))


@pytest.mark.parametrize("size, stride, dilation", list(itertools.product((1, 2, 3), (1, 2), (1, 2))))
def test_a_sum_of_two_convolutions_is_the_convolution_of_the_summed_weight_at_every_small_length(size, stride,
                                                                                                  dilation):
    for padding, groups, (bias_a, bias_b) in itertools.product(PADDINGS, (1, 2), BIASES):
        if padding == "'same'" and stride != 1:
            continue
        options = f"stride={stride}, padding={padding}, dilation={dilation}, groups={groups}"
        layer = parse_chain(f"conv(W[2, {2 // groups}, {size}], {options}{bias_a}) + "
                            f"conv(V[2, {2 // groups}, {size}], {options}{bias_b})")
        merged = merge_branches(layer)
        assert repr(merged).startswith(f"conv(W[2, {2 // groups}, {size}] + V[2, {2 // groups}, {size}]"), merged
        for n in range(9):
            x = exact_input(n, 2)
            assert evaluate_exact(layer, x) == evaluate_exact(merged, x), (padding, groups, bias_a, bias_b, n)


@pytest.mark.parametrize("stride, dilation", list(itertools.product((1, 2, 3), (1, 2))))
def test_convolutions_with_different_paddings_and_lengths_merge_aligned_at_every_small_length(stride, dilation):
    merged_count = 0
    for c1, c2, l1, r1, l2, r2 in itertools.product((1, 2, 3), (1, 2, 3), *(range(3),) * 4):
        if l1 + r1 - dilation * c1 != l2 + r2 - dilation * c2 or (c1, l1, r1) >= (c2, l2, r2):
            continue
        layer = parse_chain(f"conv(W[2, 1, {c1}], stride={stride}, padding=({l1}, {r1}), dilation={dilation}) + "
                            f"conv(V[2, 1, {c2}], stride={stride}, padding=({l2}, {r2}), dilation={dilation}, "
                            f"bias=[1, -1])")
        merged = merge_branches(layer)
        aligned = all((max(a, b) - a) % dilation == 0 for a, b in ((l1, l2), (l2, l1), (r1, r2), (r2, r1)))
        assert (merged != layer) == aligned and (not aligned or "+" not in repr(merged).split("], ")[-1]), merged
        merged_count += aligned
        for n in range(8):
            x = exact_input(n)
            assert evaluate_exact(layer, x) == evaluate_exact(merged, x), (layer, n)
    assert merged_count >= 6


@pytest.mark.parametrize("padding", ["0", "((1, 0), (0, 2))", "'same'"])
def test_a_sum_of_2d_convolutions_is_one_convolution_at_every_small_shape(padding):
    layer = parse_chain(f"conv2d(W[2, 1, 3, 2], padding={padding}, groups=2, bias=[1, 2]) + "
                        f"conv2d(flip(W), padding={padding}, groups=2) + conv2d(V[2, 1, 3, 2], padding={padding}, "
                        f"groups=2, bias=[0, -1])")
    merged = merge_branches(layer)
    assert repr(merged).startswith("conv2d(W[2, 1, 3, 2] + flip(W[2, 1, 3, 2]) + V[2, 1, 3, 2]"), merged
    for shape in itertools.product(range(5), range(5)):
        assert every_output_exact(layer, shape, 2) == every_output_exact(merged, shape, 2), shape


def test_only_convolutions_with_the_same_parameters_and_shape_merge_and_inside_chains():
    layer = parse_chain("avgpool(2) >> (conv(k[3]) + conv(j[3], dilation=1) + conv(h[5], padding=1) + "
                        "conv(g[3], bias=[2]) + conv(e[2], dilation=2) + (relu() >> conv(f[3])))")
    assert repr(merge_branches(layer)) == ("avgpool(2) >> (conv(padk(k[3] + j[3], 1, 1) + h[5] + padk(g[3], 1, 1), "
                                           "padding=1, bias=[2]) + conv(e[2], dilation=2) + (relu() >> conv(f[3])))")
    named = parse_chain("conv(W[2, 1, 3], bias=b) + conv(V[2, 1, 3])")
    assert merge_branches(named) == named  # a named bias is a name, not numbers to add
    strided = parse_chain("conv(k[3], stride=2, padding=1) + conv(j[3], stride=2, padding=(0, 2))")
    assert repr(merge_branches(strided)) == "conv(padk(k[3], 0, 1) + padk(j[3], 1, 0), stride=2, padding=(1, 2))"
    dilated = parse_chain("conv(k[3], dilation=2) + conv(j[4], dilation=2, padding=(1, 1))")
    assert merge_branches(dilated) == dilated  # a zero tap is 2 samples wide: padding 1 is no whole tap


def _certificate(lhs: str, rhs: str, steps: list) -> Certificate:
    data = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "lhs": lhs, "rhs": rhs,
            "steps": steps}
    data["statement_hash"] = statement_hash(lhs, rhs, (), ())
    return Certificate.from_json(data)


def test_the_kernel_proves_a_sum_equal_to_its_merged_convolution_by_the_rewrite_and_congruence():
    theorem = replay(_certificate("conv(k[3]) + conv(flip(k))", "conv(k + flip(k))",
                                  [{"rule": "merge_branches"}, {"rule": "congruence", "lhs": 0, "rhs": 0}]))
    assert theorem.scope == "every input length" and theorem.rests_on == ()


def test_a_merge_that_changes_nothing_is_refused_and_a_wrong_sum_is_found_by_the_next_step():
    with pytest.raises(CertificateError, match=r"step 0 \(merge_branches\): no sum of either side has two "
                                               r"convolutions with the same stride, dilation and groups and aligned "
                                               r"paddings to merge"):
        replay(_certificate("conv(k[3]) + conv(j[3], stride=1, padding=(1, 1), dilation=2)", "conv(k[3] + j[3])",
                            [{"rule": "merge_branches"}]))
    with pytest.raises(CertificateError, match=r"step 1 \(congruence\): layer 0 of lhs, conv\(k\[3\] \+ flip\(k\[3\]\)"
                                               r"\), and layer 0 of rhs, conv\(k\[3\] \+ k\[3\]\), differ"):
        replay(_certificate("conv(k[3]) + conv(flip(k))", "conv(k + k)",
                            [{"rule": "merge_branches"}, {"rule": "congruence", "lhs": 0, "rhs": 0}]))
