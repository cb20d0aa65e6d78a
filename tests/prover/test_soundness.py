"""The prover against brute force on generated identities of known truth.

Every pair below comes from a lemma family (stride composition, noble
identities, transposed convolution as up-sampling plus a flipped correlation,
flip conjugation, branch merging, ...) or from a mutation of one (off-by-one
padding, wrong dilation, swapped layers, a missing flip, a wrong phase,
padding moved inside a chain, a corrupted literal tap, a wrong stride). How a
pair was built is only a hint: its truth label comes from brute force, by
evaluating both sides with the trusted exact semantics
(:func:`symconv.core.semantics.evaluate` on a symbolic input with symbolic
kernels) for every input length n from 0 up to a generous bound that grows
with the strides and the kernel extents.

Then ``prove`` must prove every true pair and refute every false one with a
counterexample that reproduces: it is evaluated again here with the exact
semantics on literal kernels built from ``counterexample.kernels``.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import pytest
import sympy

from symconv.core.kernel import (
    Kernel,
    KernelSymbol,
    convolve,
    dilate,
    flipk,
    kernel,
    literal,
    padk,
)
from symconv.core.layers import (
    AvgPool,
    Chain,
    Conv,
    ConvTranspose,
    Down,
    Layer,
    Parallel,
    Up,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    pad,
    up,
)
from symconv.core.semantics import as_signal, evaluate, symbolic_input
from symconv.errors import CertificateError
from symconv.checker import Certificate, CertificateStep, Rule, check_certificate
from symconv.prover.decide import decide
from symconv.prover.proof import prove

# ---------------------------------------------------------------------------------------------
# Kernels shared by the families (the same name is the same kernel on both sides).

E = kernel("e", 1)
A = kernel("a", 2)
B = kernel("b", 3)
Q = kernel("q", 4)
W = kernel("W", 2, 1, 2)  # 1 -> 2 channels
V = kernel("V", 1, 2, 3)  # 2 -> 1 channel
U = kernel("U", 2, 2, 2)  # 2 -> 2 channels
G = kernel("G", 2, 1, 3)  # depthwise on 2 channels with groups=2

#: Fixed prover bugs; the pairs that once hit them stay in the suite as regression cases.
BOUND_BUG = (
    "regression: find_bound once accepted an n0 with no run of interior outputs between the left and right "
    "blocks, so outputs that read a left edge only at larger n were never compared (a false identity proved)"
)
CERT_FLIP_BUG = (
    "regression: certificate_for once emitted flip_conjugation only for top-level flips, so flips inside the "
    "branches of a sum made the certificate unreplayable"
)


@dataclass(frozen=True)
class Case:
    family: str
    lhs: Layer
    rhs: Layer
    #: Set for the pairs that once hit a (since fixed) prover bug: a regression label.
    known_bug: str = ""

    @property
    def channels(self) -> int:
        return self.lhs.in_channels or self.rhs.in_channels or 1


def _chain(*layers: Layer) -> Layer:
    out = layers[0]
    for layer in layers[1:]:
        out = out >> layer
    return out


# ---------------------------------------------------------------------------------------------
# Lemma families and their mutations.


def stride_composition() -> list[Case]:
    cases = []
    for x, y in ((A, B), (B, A), (A, A)):
        for s, t in ((1, 2), (2, 1), (2, 2), (2, 3), (3, 2)):
            lhs = conv(x, stride=s) >> conv(y, stride=t)
            cases.append(Case("stride_composition", lhs, conv(convolve(x, dilate(y, s)), stride=s * t)))
            if s != t:  # dilation by the wrong factor
                cases.append(Case("stride_composition/wrong_dilation", lhs,
                                  conv(convolve(x, dilate(y, t)), stride=s * t)))
            # wrong stride
            cases.append(Case("stride_composition/wrong_stride", lhs,
                              conv(convolve(x, dilate(y, s)), stride=s + t)))
    # the kernel of the first layer dilated instead of the second
    cases.append(Case("stride_composition/dilated_first", conv(A, stride=2) >> conv(B, stride=2),
                      conv(convolve(dilate(A, 2), B), stride=4)))
    # with dilation inside the layers: conv(x, d) = conv(dilate(x, d))
    cases.append(Case("stride_composition/dilated_layers",
                      conv(A, stride=2, dilation=2) >> conv(A, stride=2),
                      conv(convolve(dilate(A, 2), dilate(A, 2)), stride=4)))
    return cases


def strided_conv_is_conv_then_down() -> list[Case]:
    cases = []
    for s in (2, 3):
        for p in (0, 1, (1, 0)):
            for d in (1, 2):
                lhs = conv(B, stride=s, padding=p, dilation=d)
                cases.append(Case("stride_is_down", lhs, conv(B, padding=p, dilation=d) >> down(s)))
                if p == 1:
                    cases.append(Case("stride_is_down/wrong_phase", lhs,
                                      conv(B, padding=p, dilation=d) >> down(s, phase=1)))
                    cases.append(Case("stride_is_down/off_by_one_padding", lhs,
                                      conv(B, padding=(1, 2), dilation=d) >> down(s)))
    return cases


def dilation_is_kernel_upsampling() -> list[Case]:
    cases = []
    for d in (2, 3):
        for s, p in ((1, 0), (1, 2), (2, 1)):
            lhs = conv(B, stride=s, padding=p, dilation=d)
            cases.append(Case("dilation", lhs, conv(dilate(B, d), stride=s, padding=p)))
            cases.append(Case("dilation/wrong_factor", lhs, conv(dilate(B, d + 1), stride=s, padding=p)))
    cases.append(Case("dilation/applied_twice", conv(A, dilation=2), conv(dilate(A, 2), dilation=2)))
    return cases


def _transposed_as_upsampling(k: Kernel, c: int, s: int, p: int, op: int, d: int, flip_kernel: bool = True,
                              left_shift: int = 0) -> Layer:
    """``pad(0, 1) >> up(s)``, then zeros (or a crop) of ``d(c-1) - p`` left and that plus ``op - s`` right,
    then ``conv(flip(k))``.

    ``pad(0, 1) >> up(s)`` is ``up(s)`` followed by s zeros, so for n >= 1 this is the textbook
    ``up(s) >> pad(d(c-1) - p, d(c-1) - p + op) >> conv(flip(k))``; on an empty input it gives one zero
    where ``up(s)`` gives none, which is what the table's ``(0 - 1)*s + ...`` needs at n = 0.
    """
    left = d * (c - 1) - p + left_shift
    right = d * (c - 1) - p + op - s
    steps: list[Layer] = [pad(0, 1), up(s)]
    if max(left, 0) or max(right, 0):
        steps.append(pad(max(left, 0), max(right, 0)))
    if max(-left, 0) or max(-right, 0):
        steps.append(crop(max(-left, 0), max(-right, 0)))
    steps.append(conv(flipk(k) if flip_kernel else k, dilation=d))
    return _chain(*steps)


def transposed_convolution() -> list[Case]:
    cases = []
    for s, p, op, d in ((1, 0, 0, 1), (2, 0, 0, 1), (2, 1, 0, 1), (2, 1, 1, 1), (3, 1, 2, 1), (2, 2, 1, 1),
                        (3, 4, 0, 1), (2, 1, 0, 2), (2, 3, 1, 2), (1, 1, 1, 2)):
        lhs = conv_transpose(B, stride=s, padding=p, output_padding=op, dilation=d)
        cases.append(Case("transposed", lhs, _transposed_as_upsampling(B, 3, s, p, op, d)))
        if (s, p, op, d) in ((2, 1, 0, 1), (2, 1, 1, 1), (2, 1, 0, 2)):
            cases.append(Case("transposed/missing_flip", lhs,
                              _transposed_as_upsampling(B, 3, s, p, op, d, flip_kernel=False)))
            cases.append(Case("transposed/off_by_one_padding", lhs,
                              _transposed_as_upsampling(B, 3, s, p, op, d, left_shift=1)))
        if op:
            cases.append(Case("transposed/output_padding_dropped", lhs,
                              _transposed_as_upsampling(B, 3, s, p, 0, d)))
    # a literal multi-channel weight (in=1, out=2): the flipped taps form the (out, in) correlation weight
    t = literal([[[1, 2, 3], [4, 5, 6]]])
    cases.append(Case("transposed/multichannel", conv_transpose(t, stride=2),
                      up(2) >> conv(literal([[[3, 2, 1]], [[6, 5, 4]]]), padding=2)))
    cases.append(Case("transposed/multichannel_unflipped", conv_transpose(t, stride=2),
                      up(2) >> conv(literal([[[1, 2, 3]], [[4, 5, 6]]]), padding=2)))
    return cases


def average_pooling() -> list[Case]:
    cases = []
    for size, stride, padding in ((2, 2, 0), (3, 3, 1), (3, 1, 1), (2, 1, 1), (4, 2, 2)):
        taps = [sympy.Rational(1, size)] * size
        lhs = avgpool(size, stride, padding)
        cases.append(Case("avgpool", lhs, conv(literal(taps), stride=stride, padding=padding)))
        cases.append(Case("avgpool/wrong_weight", lhs,
                          conv(literal([sympy.Rational(1, size + 1)] * size), stride=stride, padding=padding)))
        cases.append(Case("avgpool/off_by_one_padding", lhs,
                          conv(literal(taps), stride=stride, padding=(padding, padding + 1))))
        if stride > 1:
            cases.append(Case("avgpool/wrong_stride", lhs, conv(literal(taps), stride=stride - 1, padding=padding)))
    return cases


def associativity_and_commutativity() -> list[Case]:
    return [
        Case("commutativity", conv(A) >> conv(B), conv(B) >> conv(A)),
        Case("associativity", conv(A) >> conv(B) >> conv(E), conv(convolve(convolve(A, B), E))),
        Case("associativity", conv(A) >> conv(B), conv(convolve(A, B))),
        Case("associativity", conv(A) >> conv(B), conv(convolve(B, A))),
        Case("associativity/dilated", conv(A, dilation=2) >> conv(B), conv(convolve(dilate(A, 2), B))),
        Case("associativity/front_padding", pad(2) >> conv(A) >> conv(B), conv(convolve(A, B), padding=2)),
        Case("associativity/inner_padding", conv(A, padding=1) >> conv(B, padding=1),
             conv(convolve(A, B), padding=2)),
        Case("commutativity/inner_padding", conv(A, padding=1) >> conv(B, padding=1),
             conv(B, padding=1) >> conv(A, padding=1)),
        Case("commutativity/same_kernel_padding", conv(A, padding=1) >> conv(A, padding=(0, 1)),
             conv(A, padding=(0, 1)) >> conv(A, padding=1)),
        Case("associativity/strided_swapped", conv(A, stride=2) >> conv(B), conv(B, stride=2) >> conv(A)),
        Case("associativity/corrupted_literal", conv([1, 2, 1]) >> conv([1, 1]), conv([1, 3, 3, 1])),
        Case("associativity/corrupted_literal", conv([1, 2, 1]) >> conv([1, 1]), conv([1, 3, 4, 1])),
        Case("associativity/corrupted_literal", conv([1, 1], stride=2) >> conv([1, -1]),
             conv([1, 1, -1, -1], stride=4)),
        Case("associativity/corrupted_literal", conv([1, 1], stride=2) >> conv([1, -1]),
             conv([1, 1, -1, 1], stride=4)),
    ]


def flip_conjugation() -> list[Case]:
    cases = []
    for left, right in ((0, 0), (0, 1), (2, 1), (1, 1)):
        for d in (1, 2):
            lhs = flip() >> conv(B, padding=(left, right), dilation=d) >> flip()
            cases.append(Case("flip_conjugation", lhs, conv(flipk(B), padding=(right, left), dilation=d)))
            if left != right:
                cases.append(Case("flip_conjugation/unswapped_padding", lhs,
                                  conv(flipk(B), padding=(left, right), dilation=d)))
            if d == 1:
                cases.append(Case("flip_conjugation/kernel_not_flipped", lhs,
                                  conv(B, padding=(right, left), dilation=d)))
                cases.append(Case("flip_conjugation/missing_flip", flip() >> conv(B, padding=(left, right)),
                                  conv(flipk(B), padding=(right, left))))
    cases += [
        Case("flip_conjugation/transposed", flip() >> conv_transpose(B, stride=2, padding=1) >> flip(),
             conv_transpose(flipk(B), stride=2, padding=1)),
        Case("flip_conjugation/transposed_unflipped", flip() >> conv_transpose(B, stride=2, padding=1) >> flip(),
             conv_transpose(B, stride=2, padding=1)),
        Case("flip_conjugation/up", flip() >> up(2) >> flip(), up(2)),
        Case("flip_conjugation/pad", flip() >> pad(1, 2) >> flip(), pad(2, 1)),
        Case("flip_conjugation/pad_unswapped", flip() >> pad(1, 2) >> flip(), pad(1, 2)),
        Case("flip_conjugation/crop", flip() >> crop(0, 1) >> flip(), crop(1, 0)),
        Case("flip_conjugation/multichannel", flip() >> conv(W) >> flip(), conv(flipk(W))),
        Case("flip_conjugation/multichannel_unflipped", flip() >> conv(U) >> flip(), conv(U)),
        Case("flip_conjugation/input_flip_kept", flip() >> conv(A, stride=2), flip() >> conv(A, stride=2)),
        Case("flip_conjugation/double_flip", flip() >> flip() >> conv(A), conv(A)),
        Case("flip_conjugation/flips_in_branches", (flip() >> conv(A)) + (flip() >> conv(A)), flip() >> conv(2 * A),
             known_bug=CERT_FLIP_BUG),
        Case("flip_conjugation/flips_in_branches_wrong", (flip() >> conv(A)) + (flip() >> conv(A)),
             flip() >> conv(3 * A)),
    ]
    return cases


def flips_across_strides() -> list[Case]:
    """A flip that must cross a strided layer: the phase of the grid depends on n mod s."""
    cases = []
    for s, q in ((2, 0), (2, 1), (3, 1)):
        cases += [
            Case("flip_across_stride/down_up", flip() >> down(s, q) >> up(s) >> flip(),
                 flip() >> down(s, q) >> flip() >> up(s)),
            Case("flip_across_stride/down_fixed_phase", flip() >> down(s, q) >> flip(), down(s, q)),
            Case("flip_across_stride/down_twice", flip() >> down(s, q) >> flip() >> flip() >> down(s) >> flip(),
                 flip() >> down(s, q) >> down(s) >> flip()),
        ]
    cases += [
        Case("flip_across_stride/conv", flip() >> conv(B, stride=2) >> flip() >> up(2),
             flip() >> conv(B, stride=2) >> up(2) >> flip()),
        Case("flip_across_stride/conv_as_mirror", flip() >> conv(B, stride=2, padding=1) >> flip(),
             pad(1, 0) >> conv(flipk(B), stride=2, padding=(0, 1))),
        Case("flip_across_stride/conv_then_down", flip() >> conv(A, stride=2) >> flip() >> down(2),
             flip() >> conv(A, stride=2) >> down(2) >> flip()),
        Case("flip_across_stride/avgpool", flip() >> avgpool(2) >> flip(), flip() >> avgpool(2, 2) >> flip()),
        Case("flip_across_stride/avgpool_unflipped", flip() >> avgpool(2) >> flip(), avgpool(2)),
        Case("flip_across_stride/transposed_output_padding",
             flip() >> conv_transpose(B, stride=2, padding=1, output_padding=1) >> flip(),
             conv_transpose(flipk(B), stride=2) >> crop(0, 1)),
        Case("flip_across_stride/transposed_output_padding_as_zero",
             flip() >> conv_transpose(B, stride=2, padding=1, output_padding=1) >> flip(),
             conv_transpose(flipk(B), stride=2, padding=1) >> pad(1, 0)),
        Case("flip_across_stride/transposed_output_padding_wrong_side",
             flip() >> conv_transpose(B, stride=2, padding=1, output_padding=1) >> flip(),
             conv_transpose(flipk(B), stride=2, padding=1) >> pad(0, 1)),
        Case("flip_across_stride/branches", (flip() >> down(2) >> flip()) + (flip() >> down(2) >> flip()),
             flip() >> down(2) >> up(2) >> down(2) >> flip() >> conv(literal([2]))),
    ]
    return cases


def branch_merging() -> list[Case]:
    return [
        Case("branch_merging", conv(B, padding=1) + conv(E), conv(B + padk(E, 1, 1), padding=1)),
        Case("branch_merging/wrong_phase", conv(B, padding=1) + conv(E), conv(B + padk(E, 0, 2), padding=1)),
        Case("branch_merging/wrong_phase", conv(B, padding=1) + conv(E), conv(B + padk(E, 2, 0), padding=1)),
        Case("branch_merging/strided", conv(B, stride=2, padding=1) + conv(E, stride=2),
             conv(B + padk(E, 1, 1), stride=2, padding=1)),
        Case("branch_merging/strided_wrong_phase", conv(B, stride=2, padding=1) + conv(E, stride=2),
             conv(B + padk(E, 2, 0), stride=2, padding=1)),
        Case("branch_merging/uneven", conv(Q, padding=(1, 2)) + conv(A, padding=(0, 1)),
             conv(Q + padk(A, 1, 1), padding=(1, 2))),
        Case("branch_merging/uneven_wrong", conv(Q, padding=(1, 2)) + conv(A, padding=(0, 1)),
             conv(Q + padk(A, 0, 2), padding=(1, 2))),
        Case("branch_merging/scaled", conv(A) + conv(A), conv(2 * A)),
        Case("branch_merging/scaled_wrong", conv(A) + conv(A), conv(3 * A)),
        Case("branch_merging/identity_branch", conv(B, padding=1) + down(1), conv(B + literal([0, 1, 0]), padding=1)),
        Case("branch_merging/identity_branch_shifted", conv(B, padding=1) + down(1),
             conv(B + literal([1, 0, 0]), padding=1)),
        Case("branch_merging/chains", (conv(A) >> conv(A)) + conv(B), conv(convolve(A, A) + B)),
    ]


def noble_identities() -> list[Case]:
    cases = []
    for s in (2, 3):
        for phase in range(s):
            lhs = down(s, phase) >> conv(B)
            cases.append(Case("noble_down", lhs, conv(dilate(B, s)) >> down(s, phase)))
            cases.append(Case("noble_down/wrong_dilation", lhs, conv(dilate(B, s + 1)) >> down(s, phase)))
        cases.append(Case("noble_down/wrong_phase", down(s, 1) >> conv(B), conv(dilate(B, s)) >> down(s, 0)))
        cases.append(Case("noble_down/padding_moved", down(s) >> conv(B, padding=1),
                          pad(s) >> conv(dilate(B, s)) >> down(s)))
        cases.append(Case("noble_down/padding_not_scaled", down(s) >> conv(B, padding=1),
                          pad(1) >> conv(dilate(B, s)) >> down(s)))
        for p in (0, 1):
            lhs = up(s) >> conv(dilate(B, s), padding=s * p)
            cases.append(Case("noble_up", lhs, conv(B, padding=p) >> up(s)))
            if p:
                cases.append(Case("noble_up/padding_not_scaled", up(s) >> conv(dilate(B, s), padding=p),
                                  conv(B, padding=p) >> up(s)))
        cases.append(Case("noble_up/undilated", up(s) >> conv(B), conv(B) >> up(s)))
        cases.append(Case("noble_up/swapped", conv(dilate(B, s)) >> up(s), conv(B) >> up(s)))
        # where lengths do not permit: the trailing zeros of up(s) are not there
        cases.append(Case("noble_up/trailing", up(s) >> conv(dilate(A, s), padding=(0, s - 1)),
                          conv(A) >> up(s) >> pad(0, s - 1)))
        cases.append(Case("noble_up/trailing_phase", up(s) >> conv(dilate(A, s), padding=(s - 1, 0)),
                          pad(1, 0) >> conv(A) >> up(s) >> crop(1, 0)))
    return cases


def cancellations() -> list[Case]:
    identity = down(1)
    return [
        Case("cancel/pad_crop", pad(1, 2) >> crop(1, 2), identity),
        Case("cancel/crop_pad", crop(1, 2) >> pad(1, 2), identity),
        Case("cancel/pad_crop_mismatched", pad(1, 2) >> crop(2, 1), identity),
        Case("cancel/up_down", up(2) >> down(2), identity),
        Case("cancel/up_down", up(3) >> down(3), identity),
        Case("cancel/up_down_phase", up(3) >> down(3, 1) >> pad(0, 1), identity),
        Case("cancel/down_up", down(2) >> up(2), identity),
        Case("cancel/up_up", up(2) >> up(3), up(6)),
        Case("cancel/down_down", down(2) >> down(3), down(6)),
        Case("cancel/down_down_phase", down(2, 1) >> down(3, 1), down(6, 3)),
        Case("cancel/down_down_wrong_phase", down(2, 1) >> down(3, 1), down(6, 2)),
        Case("cancel/pad_pad", pad(1, 2) >> pad(2, 1), pad(3)),
        Case("cancel/crop_crop", crop(1) >> crop(2), crop(3)),
        Case("cancel/pad_then_crop", pad(2) >> crop(1), pad(1)),
        Case("cancel/crop_then_pad", crop(1) >> pad(2), pad(1)),
        Case("cancel/up_conv_down", up(2) >> conv([1, 2], padding=(0, 1)) >> down(2), conv([1])),
        Case("cancel/up_conv_down_wrong_tap", up(2) >> conv([1, 2], padding=(0, 1)) >> down(2), conv([2])),
        Case("cancel/up_conv_down_short", up(2) >> conv([3, 5]) >> down(2), conv([3, 0])),
        Case("cancel/up_conv_down_short_wrong", up(2) >> conv([3, 5]) >> down(2), conv([3, 5])),
    ]


def padding_placement() -> list[Case]:
    cases = [
        Case("padding/front", pad(1) >> conv(A) >> conv(B), conv(A, padding=1) >> conv(B)),
        Case("padding/front_vs_second", pad(1) >> conv(A) >> conv(B), conv(A) >> conv(B, padding=1)),
        Case("padding/split", pad(1) >> conv(A) >> conv(B), conv(A, padding=(1, 0)) >> conv(B, padding=(0, 1))),
        Case("padding/front_strided", pad(2) >> conv(A, stride=2) >> conv(B),
             conv(A, stride=2, padding=2) >> conv(B)),
        Case("padding/strided_moved_inside", pad(2) >> conv(A, stride=2) >> conv(B),
             conv(A, stride=2) >> conv(B, padding=1)),
        Case("padding/inner_equals_single_layer", conv(B, stride=2, padding=1) >> conv(B, stride=2, padding=1),
             conv(convolve(B, dilate(B, 2)), stride=4, padding=3)),
        Case("padding/zeros_invisible", pad(2, 0) >> conv([1, 1]) >> conv([1, 0, 1]),
             pad(1, 0) >> conv([1, 1]) >> pad(1, 0) >> conv([1, 0, 1])),
        Case("padding/moved_before_dilated", conv(A) >> pad(1, 0) >> conv(B, padding=(1, 0), dilation=2),
             pad(1, 0) >> conv(A) >> conv(B, padding=(1, 0), dilation=2), known_bug=BOUND_BUG),
        Case("padding/moved_before_literal", conv([1, 1]) >> pad(1, 0) >> conv([1, 0, 1], padding=(1, 0)),
             pad(1, 0) >> conv([1, 1]) >> conv([1, 0, 1], padding=(1, 0)), known_bug=BOUND_BUG),
        Case("padding/moved_after_literal", pad(0, 1) >> conv([1, 1]) >> conv([1, 0, 1], padding=(0, 1)),
             conv([1, 1]) >> pad(0, 1) >> conv([1, 0, 1], padding=(0, 1)), known_bug=BOUND_BUG),
        Case("padding/moved_inside_both_sides", conv(A, padding=1) >> conv(A, padding=1),
             pad(1) >> conv(A) >> pad(1) >> conv(A)),
        Case("padding/bias_under_padding", conv([1, 2], bias=[1], padding=1), pad(1) >> conv([1, 2], bias=[1])),
        Case("padding/bias_then_padding", conv([1, 2], bias=[1]) >> pad(1), pad(1) >> conv([1, 2], bias=[1])),
        Case("padding/same_odd", conv(B, padding="same"), conv(B, padding=1)),
        Case("padding/same_even", conv(A, padding="same"), conv(A, padding=(0, 1))),
        Case("padding/same_even_wrong_side", conv(A, padding="same"), conv(A, padding=(1, 0))),
        Case("padding/same_dilated", conv(A, padding="same", dilation=3), conv(A, padding=(1, 2), dilation=3)),
    ]
    return cases


def multichannel_and_groups() -> list[Case]:
    swap = literal([[[0], [1]], [[1], [0]]])
    grouped = literal([[[1, 2]], [[3, 4]]])
    return [
        Case("multichannel/associativity", conv(W) >> conv(V), conv(convolve(W, V))),
        Case("multichannel/associativity_square", conv(U) >> conv(U), conv(convolve(U, U))),
        Case("multichannel/stride_composition", conv(W, stride=2) >> conv(V, stride=2),
             conv(convolve(W, dilate(V, 2)), stride=4)),
        Case("multichannel/stride_composition_undilated", conv(W, stride=2) >> conv(V, stride=2),
             conv(convolve(W, V), stride=4)),
        Case("multichannel/associativity", conv(U) >> conv(V), conv(convolve(U, V))),
        Case("multichannel/order_of_products", conv(U) >> conv(swap), conv(swap) >> conv(U)),
        Case("multichannel/noble_down", down(2) >> conv(V), conv(dilate(V, 2)) >> down(2)),
        Case("multichannel/bias_named", conv(W, stride=2, bias="c"), conv(W, bias="c") >> down(2)),
        Case("multichannel/bias_moved", conv([1, 2], bias=[1]) >> conv([1, 1]), conv([1, 3, 2], bias=[2])),
        Case("multichannel/bias_moved_wrong", conv([1, 2], bias=[1]) >> conv([1, 1]), conv([1, 3, 2], bias=[3])),
        Case("groups/stride_is_down", conv(G, groups=2, stride=2), conv(G, groups=2) >> down(2)),
        Case("groups/dilation", conv(G, groups=2, dilation=2), conv(dilate(G, 2), groups=2)),
        Case("groups/channel_swap", conv(G, groups=2) >> conv(swap), conv(G, groups=2)),
        Case("groups/swap_twice", conv(swap) >> conv(G, groups=2) >> conv(swap) >> conv(swap),
             conv(swap) >> conv(G, groups=2)),
        Case("groups/block_diagonal", conv(grouped, groups=2), conv(literal([[[1, 2], [0, 0]], [[0, 0], [3, 4]]]))),
        Case("groups/block_diagonal_corrupted", conv(grouped, groups=2),
             conv(literal([[[1, 2], [0, 1]], [[0, 0], [3, 4]]]))),
        Case("groups/padding", conv(G, groups=2, padding=1), pad(1) >> conv(G, groups=2)),
    ]


def all_cases() -> list[Case]:
    return (
        stride_composition()
        + strided_conv_is_conv_then_down()
        + dilation_is_kernel_upsampling()
        + transposed_convolution()
        + average_pooling()
        + associativity_and_commutativity()
        + flip_conjugation()
        + flips_across_strides()
        + branch_merging()
        + noble_identities()
        + cancellations()
        + padding_placement()
        + multichannel_and_groups()
    )


CASES = all_cases()


# ---------------------------------------------------------------------------------------------
# The brute-force oracle: the exact semantics, sample by sample.

def _rates(layer: Layer) -> int:
    """Product of every stride, up-sampling and down-sampling factor (branches included)."""
    total = 1
    for step in layer.layers():
        if isinstance(step, Parallel):
            total *= max(_rates(b) for b in step.branches)
        elif isinstance(step, (Conv, AvgPool)):
            total *= step.stride
        elif isinstance(step, (ConvTranspose, Up, Down)):
            total *= step.stride if isinstance(step, ConvTranspose) else step.factor
    return total


def _extent(layer: Layer) -> int:
    total = 0
    for step in layer.layers():
        if isinstance(step, Parallel):
            total += max(_extent(b) for b in step.branches)
        elif isinstance(step, (Conv, ConvTranspose)):
            total += step.dilation * (step.weight.length - 1) + 1
        elif isinstance(step, AvgPool):
            total += step.size
        else:
            total += sum(getattr(step, f, 0) or 0 for f in ("left", "right"))
    return total


def brute_force_limit(lhs: Layer, rhs: Layer, channels: int = 1) -> int:
    """Every n up to this is compared: well past every boundary effect of the pairs built here.

    Boundary effects reach about one receptive field (at most ``sum of extents``
    input samples) from each end and repeat with the product of the rates, so
    ``4 * rate + 2 * extent`` is several periods past them. Multi-channel pairs
    (small kernels, exact semantics quadratic in the channel count) use 24
    instead of 40 as the floor.
    """
    rate = max(_rates(lhs), _rates(rhs))
    floor = 40 if channels == 1 and lhs.out_channels(1) == 1 else 24
    return max(floor, 4 * rate + 2 * max(_extent(lhs), _extent(rhs)))


@lru_cache(maxsize=None)
def _exact(layer: Layer, n: int, channels: int):
    return evaluate(layer, symbolic_input(n, channels))


def _differ(a, b) -> bool:
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b)):
        return True
    return any(u != v and sympy.expand(u - v) != 0 for x, y in zip(a, b) for u, v in zip(x, y))


@lru_cache(maxsize=None)
def first_difference(lhs: Layer, rhs: Layer, channels: int, limit: int):
    """The smallest n <= limit at which the exact outputs differ, or None."""
    for n in range(limit + 1):
        if _differ(_exact(lhs, n, channels), _exact(rhs, n, channels)):
            return n
    return None


def truth(case: Case):
    return first_difference(case.lhs, case.rhs, case.channels, brute_force_limit(case.lhs, case.rhs, case.channels))


# ---------------------------------------------------------------------------------------------
# Re-evaluating a counterexample with literal kernels.

def _literal_kernel(k: Kernel, values: dict) -> Kernel:
    if isinstance(k, KernelSymbol):
        return literal(values[k.name])
    changes = {f.name: _literal_kernel(getattr(k, f.name), values)
               for f in dataclasses.fields(k) if isinstance(getattr(k, f.name), Kernel)}
    return dataclasses.replace(k, **changes) if changes else k


def with_literal_kernels(layer: Layer, values: dict) -> Layer:
    """``layer`` with every named kernel (and named bias) replaced by the numbers in ``values``."""
    if isinstance(layer, Chain):
        return Chain(tuple(with_literal_kernels(s, values) for s in layer.steps))
    if isinstance(layer, Parallel):
        return Parallel(tuple(with_literal_kernels(b, values) for b in layer.branches))
    if isinstance(layer, (Conv, ConvTranspose)):
        bias = values[layer.bias] if isinstance(layer.bias, str) else layer.bias
        return dataclasses.replace(layer, weight=_literal_kernel(layer.weight, values), bias=bias)
    return layer


def assert_counterexample_reproduces(lhs: Layer, rhs: Layer, example) -> None:
    x = as_signal([list(channel) for channel in example.input])
    assert len(x[0]) == example.n
    out_l = evaluate(with_literal_kernels(lhs, example.kernels), x)
    out_r = evaluate(with_literal_kernels(rhs, example.kernels), x)
    as_numbers = lambda signal: tuple(tuple(sympy.Rational(v) for v in ch) for ch in signal)  # noqa: E731
    assert as_numbers(out_l) == as_numbers(example.lhs)
    assert as_numbers(out_r) == as_numbers(example.rhs)
    i = example.index
    m_l, m_r = len(out_l[0]), len(out_r[0])
    assert all(ca[:i] == cb[:i] for ca, cb in zip(out_l, out_r)), "index is not the first difference"
    if i < min(m_l, m_r):
        assert any(ca[i] != cb[i] for ca, cb in zip(out_l, out_r))
    else:
        assert m_l != m_r and i == min(m_l, m_r)


# ---------------------------------------------------------------------------------------------
# The tests.

def _param(case: Case, index: int):
    marks = []
    return pytest.param(case, id=f"{index:03d}-{case.family}", marks=marks)


@pytest.mark.parametrize("case", [_param(c, i) for i, c in enumerate(CASES)])
def test_prove_proves_true_identities_and_refutes_false_ones_with_a_reproducible_counterexample(case: Case):
    """True pairs are proved with a certificate the core re-checks; false ones refuted with a counterexample."""
    differs_at = truth(case)
    proof = prove(case.lhs, case.rhs)
    if differs_at is None:
        assert proof.verdict == "proved", (proof.verdict, proof.note)
        assert proof.counterexample is None
        assert proof.certificate is not None
        check_certificate(proof.certificate)
    else:
        assert proof.verdict == "refuted", (proof.verdict, proof.note, differs_at)
        assert proof.counterexample is not None
        assert_counterexample_reproduces(case.lhs, case.rhs, proof.counterexample)


def test_generated_pairs_are_many_and_mixed_true_and_false():
    labels = [truth(c) is None for c in CASES]
    assert len(CASES) >= 150
    assert sum(labels) >= 60 and len(labels) - sum(labels) >= 60


def test_lemma_family_members_are_true_by_brute_force():
    """The plain (unmutated) members of the classical families are identities, as the literature says."""
    plain = {"stride_composition", "stride_is_down", "dilation", "transposed", "avgpool", "flip_conjugation",
             "branch_merging", "noble_down", "noble_up", "multichannel/associativity"}
    for case in CASES:
        if case.family in plain:
            assert truth(case) is None, case


def test_brute_force_oracle_sees_a_difference_that_only_appears_at_a_larger_length():
    """The oracle is not fooled by agreement at small n (the boundary example below differs from n = 30)."""
    lhs, rhs = _late_difference_pair()
    assert first_difference(lhs, rhs, 1, 29) is None
    assert first_difference(lhs, rhs, 1, 40) == 30


# ---------------------------------------------------------------------------------------------
# The boundary bound: minimal inputs of the soundness bug found with the pairs above.

def _late_difference_pair() -> tuple[Layer, Layer]:
    taps = [1] + [0] * 28 + [1]
    return (pad(1, 0) >> conv([1, 1]) >> conv(taps, padding=(25, 0)),
            conv([1, 1]) >> pad(1, 0) >> conv(taps, padding=(25, 0)))


def test_moving_a_left_pad_across_a_correlation_changes_output_one_at_n_3():
    lhs = pad(1, 0) >> conv([1, 1]) >> conv([1, 0, 1], padding=(1, 0))
    rhs = conv([1, 1]) >> pad(1, 0) >> conv([1, 0, 1], padding=(1, 0))
    x0, x1, x2 = sympy.symbols("x_0 x_1 x_2")
    assert evaluate(lhs, symbolic_input(3)) == ((x0 + x1, x0 + x1 + x2),)
    assert evaluate(rhs, symbolic_input(3)) == ((x0 + x1, x1 + x2),)


def test_decide_does_not_prove_a_pad_moved_across_a_correlation():
    lhs = pad(1, 0) >> conv([1, 1]) >> conv([1, 0, 1], padding=(1, 0))
    rhs = conv([1, 1]) >> pad(1, 0) >> conv([1, 0, 1], padding=(1, 0))
    assert decide(lhs, rhs).verdict == "refuted"


def test_decide_does_not_prove_the_mirrored_pad_moved_across_a_correlation():
    lhs = pad(0, 1) >> conv([1, 1]) >> conv([1, 0, 1], padding=(0, 1))
    rhs = conv([1, 1]) >> pad(0, 1) >> conv([1, 0, 1], padding=(0, 1))
    assert decide(lhs, rhs).verdict == "refuted"


def test_prove_does_not_prove_an_identity_that_fails_first_at_n_30():
    lhs, rhs = _late_difference_pair()
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    assert proof.counterexample.n >= 30


def test_certificate_checker_rejects_eventual_periodicity_for_the_late_pair():
    """The core-only checker evaluates up to a limit past a full period of interior outputs, so it
    catches what the decision procedure misses; prove does not run it before answering proved."""
    lhs, rhs = _late_difference_pair()
    claim = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 32), ("period", 1), ("start", 5)))
    with pytest.raises(CertificateError, match="consecutive interior outputs|differ at n = 30"):
        check_certificate(Certificate(repr(lhs), repr(rhs), (claim,)))


def test_certificate_checker_rejects_a_limit_without_a_full_period_of_interior_outputs():
    lhs, rhs = _late_difference_pair()
    claim = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 6), ("period", 1), ("start", 5)))
    with pytest.raises(CertificateError, match="consecutive interior outputs"):
        check_certificate(Certificate(repr(lhs), repr(rhs), (claim,)))


def test_certificate_of_a_sum_of_flipped_branches_rechecks():
    proof = prove((flip() >> conv(A)) + (flip() >> conv(A)), flip() >> conv(2 * A))
    assert proof.verdict == "proved"
    check_certificate(proof.certificate)


# ---------------------------------------------------------------------------------------------
# Flips that meet a strided layer: decided fragment per DESIGN §4, but the procedure gives up.

def test_two_flips_after_a_strided_layer_cancel():
    assert prove(conv(A, stride=2) >> flip() >> flip(), conv(A, stride=2)).verdict == "proved"


def test_a_flip_after_a_strided_layer_is_refuted():
    proof = prove(down(2, 1) >> flip(), down(2, 1))
    assert proof.verdict == "refuted"


def test_a_sum_of_two_flips_is_twice_a_flip():
    assert prove(flip() + flip(), flip() >> conv([2])).verdict == "proved"


def test_counterexample_of_a_wrong_phase_binds_exactly_the_named_kernels():
    proof = prove(conv(A, stride=2), conv(A) >> down(2, 1))
    assert proof.verdict == "refuted"
    assert_counterexample_reproduces(conv(A, stride=2), conv(A) >> down(2, 1), proof.counterexample)
    assert set(proof.counterexample.kernels) == {"a"}


def test_counterexample_names_every_weight_and_bias_with_its_layout():
    lhs = conv(W, stride=2, bias="c")
    rhs = conv(W, bias="c") >> down(2, 1)
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted"
    kernels = proof.counterexample.kernels
    assert len(kernels["W"]) == 2 and len(kernels["W"][0]) == 1 and len(kernels["W"][0][0]) == 2
    assert len(kernels["c"]) == 2
    assert_counterexample_reproduces(lhs, rhs, proof.counterexample)


def test_every_case_has_equal_channel_counts_on_both_sides():
    for case in CASES:
        assert case.lhs.out_channels(case.channels) == case.rhs.out_channels(case.channels)


def test_brute_force_limit_grows_with_the_strides():
    assert brute_force_limit(conv(A, stride=3) >> conv(B, stride=3), conv(A)) >= 4 * 9
    assert brute_force_limit(conv(A), conv(A)) == 40
    assert _rates(down(2) >> up(3)) == math.prod([2, 3])
