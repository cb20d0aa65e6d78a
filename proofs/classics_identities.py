"""Classic identities of convolution layers, each decided for every input length.

Noble identities, polyphase decomposition, transposed convolution as
up-sampling plus convolution, dilation, commutativity of stride-1 layers,
RepVGG branch merging, folding batch norm into a convolution and weight
sharing across layers. A statement about k[c] is proved for every kernel
length c at once (the generic-length argument of ``symconv prove``).
"""

import numpy as np

from symconv import theorem
from symconv.core.kernel import kernel
from symconv.core.layers import conv
from symconv.numeric import evaluate_numeric
from symconv.library import Evidence
from symconv.library.optional import require

SOURCE = "classics"

# --- noble identities ----------------------------------------------------------------------------

theorem("noble_decimation", lhs="down(2) >> conv(k[c])", rhs="conv(dilate(k, 2)) >> down(2)",
        source=SOURCE,
        note="subsampling by 2 then filtering = filtering with the kernel dilated by 2, then subsampling")
theorem("noble_decimation_3", lhs="down(3) >> conv(k[c])", rhs="conv(dilate(k, 3)) >> down(3)",
        source=SOURCE)
theorem("noble_interpolation", lhs="conv(k[c]) >> up(2)", rhs="up(2) >> conv(dilate(k, 2))",
        source=SOURCE,
        note="filtering then up-sampling by 2 = up-sampling then filtering with the dilated kernel")
theorem("noble_interpolation_3", lhs="conv(k[c]) >> up(3)", rhs="up(3) >> conv(dilate(k, 3))",
        source=SOURCE)

# --- polyphase decomposition ---------------------------------------------------------------------

theorem("polyphase_stride2",
        lhs="conv(padk(dilate(a[2], 2), 0, 1) + padk(dilate(b[2], 2), 1, 0), stride=2)",
        rhs="(crop(0, 1) >> down(2) >> conv(a)) + (down(2, phase=1) >> conv(b))",
        source=SOURCE,
        note="a stride-2 layer with kernel [a0, b0, a1, b1] is the sum of its even and odd phases, each a "
             "stride-1 layer on the even / odd samples (crop(0, 1) only equalises the branch lengths)")
theorem("polyphase_stride3",
        lhs="conv(padk(dilate(a[2], 3), 0, 2) + padk(dilate(b[2], 3), 1, 1) + padk(dilate(e[2], 3), 2, 0), "
            "stride=3)",
        rhs="(crop(0, 2) >> down(3) >> conv(a)) + (crop(0, 1) >> down(3, phase=1) >> conv(b)) "
            "+ (down(3, phase=2) >> conv(e))",
        source=SOURCE)
theorem("polyphase_multichannel",
        lhs="conv(padk(dilate(A[2, 3, 2], 2), 0, 1) + padk(dilate(B[2, 3, 2], 2), 1, 0), stride=2)",
        rhs="(crop(0, 1) >> down(2) >> conv(A)) + (down(2, phase=1) >> conv(B))",
        source=SOURCE)

# --- transposed convolution ----------------------------------------------------------------------

for c, s in [(2, 2), (3, 2), (4, 2), (3, 3), (5, 4)]:
    theorem(f"transposed_is_upsample_then_conv_c{c}_s{s}",
            lhs=f"conv_transpose(k[{c}], stride={s})",
            rhs=f"pad(0, 1) >> up({s}) >> pad({c - 1}) >> conv(flip(k)) >> crop(0, {s})",
            source=SOURCE,
            note="conv_transpose = zeros between the samples, full zero padding c - 1, correlation with the "
                 "flipped kernel; pad(0, 1) ... crop(0, s) makes it hold on the empty input too (DESIGN section 1: "
                 "up(s) of an empty signal is empty, conv_transpose's table gives c - s zeros)")
theorem("transposed_is_upsample_then_stride1_transposed",
        lhs="conv_transpose(k[c], stride=2)", rhs="pad(0, 1) >> up(2) >> conv_transpose(k) >> crop(0, 2)",
        source=SOURCE,
        note="for every kernel length c: the stride of a transposed layer is an up-sampling in front of it "
             "(with one zero more in and s outputs fewer out, which the empty input needs)")
theorem("transposed_padding_is_a_crop",
        lhs="conv_transpose(k[c], stride=3, padding=1)", rhs="pad(0, 1) >> up(3) >> conv_transpose(k) >> crop(1, 4)",
        source=SOURCE, note="for every kernel length c: padding p of a transposed layer crops p outputs at each end "
                            "(and the s outputs of the extra zero behind)")
theorem("transposed_padding_is_not_a_pad",
        lhs="conv_transpose(k[c], stride=3, padding=1)", rhs="up(3) >> pad(1) >> conv_transpose(k)",
        expect="refuted", source=SOURCE, note="the padding of a transposed layer removes outputs; it adds no zeros")
theorem("polyphase_stride2_every_length",
        lhs="conv(padk(dilate(a[c], 2), 0, 1) + padk(dilate(b[c], 2), 1, 0), stride=2)",
        rhs="(crop(0, 1) >> down(2) >> conv(a)) + (down(2, phase=1) >> conv(b))",
        source=SOURCE, note="the polyphase split of a stride-2 layer, for phase kernels of every length c")
theorem("flip_conjugation_every_length",
        lhs="flip() >> conv(k[c], padding=(0, 2)) >> flip()", rhs="conv(flip(k), padding=(2, 0))", source=SOURCE,
        note="for every kernel length c: reversing the signal around a stride-1 layer flips its kernel and swaps "
             "its paddings")
theorem("transposed_with_padding_and_output_padding",
        lhs="conv_transpose(k[4], stride=3, padding=1, output_padding=2)",
        rhs="pad(0, 1) >> up(3) >> pad(2, 4) >> conv(flip(k)) >> crop(0, 3)",
        source=SOURCE, note="padding p removes p samples at each end: pad(c - 1 - p, c - 1 - p + output_padding)")

# --- dilation ------------------------------------------------------------------------------------

for d in (2, 3):
    theorem(f"dilation_{d}_is_dilated_kernel", lhs=f"conv(k[c], dilation={d})", rhs=f"conv(dilate(k, {d}))",
            source=SOURCE)
theorem("dilated_strided", lhs="conv(k[3], dilation=2, stride=2, padding=2)",
        rhs="pad(2) >> conv(dilate(k, 2)) >> down(2)", source=SOURCE)

# --- composition ---------------------------------------------------------------------------------

theorem("stride1_layers_commute", lhs="conv(a[c]) >> conv(b[3])", rhs="conv(b) >> conv(a)",
        source=SOURCE, note="single-channel stride-1 correlations commute")
theorem("composition_is_convolution_of_kernels", lhs="conv(a[3]) >> conv(b[4])", rhs="conv(convolve(a, b))",
        source=SOURCE)
theorem("strided_layers_do_not_commute", lhs="conv(a[2], stride=2) >> conv(b[2])", rhs="conv(b) >> conv(a, stride=2)",
        expect="refuted", source=SOURCE,
        note="with a stride the order matters: the second kernel sees the first layer's output grid")
theorem("weight_sharing_across_layers", lhs="conv(k[3]) >> conv(k)", rhs="conv(convolve(k, k))", source=SOURCE,
        note="one kernel used by two layers: the equivalent kernel is k convolved with itself (quadratic in k)")

# --- RepVGG --------------------------------------------------------------------------------------

theorem("repvgg_branch_merging",
        lhs="conv(k[3], padding=1) + conv(j[1]) + pad(0)",
        rhs="conv(k + padk(j, 1, 1) + padk([1], 1, 1), padding=1)",
        source=SOURCE, note="3x3 + 1x1 + identity branches merge into one 3x3 layer (1-D version)")
theorem("repvgg_branch_merging_2d",
        lhs="conv2d(k[3, 3], padding=1) + conv2d(j[1, 1])",
        rhs="conv2d(k + padk(j, 1), padding=1)",
        source=SOURCE, note="RepVGG as published, in 2-D: a 3x3 and a 1x1 branch merge into one 3x3 layer, for "
                            "every input shape")
theorem("stride_composition_2d",
        lhs="conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)",
        rhs="conv2d(convolve(k, dilate(k, 2)), stride=4)",
        source=SOURCE, note="the stride-2-twice identity on images: one 7x7 layer of stride 4")
theorem("avgpool2d_is_conv2d",
        lhs="avgpool2d(2)", rhs="conv2d([[1/4, 1/4], [1/4, 1/4]], stride=2)",
        source=SOURCE, note="2-D average pooling (count_include_pad) is a strided convolution with equal weights")
theorem("repvgg_branch_merging_multichannel",
        lhs="conv(W[2, 2, 3], padding=1) + conv(V[2, 2, 1]) + pad(0)",
        rhs="conv(W + padk(V, 1, 1) + [[[0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 1, 0]]], padding=1)",
        source=SOURCE)
theorem("repvgg_branch_merging_with_biases",
        lhs="conv(k[3], padding=1, bias=[1]) + conv(j[1], bias=[2]) + pad(0)",
        rhs="conv(k + padk(j, 1, 1) + padk([1], 1, 1), padding=1, bias=[3])",
        source=SOURCE, note="biases (batch norms folded into each branch) add up")

# --- batch norm folding --------------------------------------------------------------------------

theorem("batchnorm_folding_as_biased_1tap_layer",
        lhs="conv(k[3], bias=[1]) >> conv([2], bias=[3])", rhs="conv(2 * k, bias=[5])", source=SOURCE,
        note="eval-mode batch norm is y -> g y + h; written as the linear layer conv([g], bias=[h]) it folds into "
             "the convolution: kernel g k, bias g b + h")
theorem("batchnorm_folding_multichannel",
        lhs="conv(W[2, 3, 3], bias=[1, -1]) >> conv([[[2], [0]], [[0], [3]]], bias=[5, 7])",
        rhs="conv(convolve(W, [[[2], [0]], [[0], [3]]]), bias=[7, 4])", source=SOURCE,
        note="per-channel scale g = (2, 3), shift h = (5, 7): kernel g_o W_o, bias g_o b_o + h_o")


theorem("batchnorm_affine_is_biased_1tap_layer", lhs="affine(2, 3)", rhs="conv([2], bias=[3])",
        statement="affine(2, 3) == conv([2], bias=[3]) for every input length", source=SOURCE,
        note="the bridge to the folding above: the kernel reads affine() as the 1x1 convolution it is "
             "(affine_as_convolution), so the identity is proved and replayed for every n")
theorem("batchnorm_folding_with_affine", lhs="conv(k[3], bias=[1]) >> affine(2, 3)", rhs="conv(2 * k, bias=[5])",
        statement="conv(k[3], bias=[1]) >> affine(2, 3) == conv(2 * k, bias=[5]) for every input length",
        source=SOURCE,
        note="symbolic k, every n: affine() is a 1x1 convolution, which folds into the layer (kernel 2k, bias "
             "2 * 1 + 3)")


def _fold_against_torch(scale_error: float = 1.0) -> Evidence:
    require("torch", "the BatchNorm1d comparison")
    import torch
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3, 3)), rng.normal(size=4)
    mean, var = rng.normal(size=4), rng.uniform(0.5, 2, size=4)
    gamma, beta, eps = rng.normal(size=4), rng.normal(size=4), 1e-5
    bn = torch.nn.BatchNorm1d(4, eps=eps).double().eval()
    with torch.no_grad():
        bn.running_mean.copy_(torch.tensor(mean))
        bn.running_var.copy_(torch.tensor(var))
        bn.weight.copy_(torch.tensor(gamma))
        bn.bias.copy_(torch.tensor(beta))
    scale = scale_error * gamma / np.sqrt(var + eps)
    folded = conv(kernel("F", 4, 3, 3), padding=1, bias="c")
    worst = 0.0
    for length in (1, 5, 16, 33):
        x = rng.normal(size=(2, 3, length))
        with torch.no_grad():
            reference = bn(torch.nn.functional.conv1d(torch.tensor(x), torch.tensor(W), torch.tensor(b), padding=1))
        ours = evaluate_numeric(folded, x, {"F": W * scale[:, None, None], "c": (b - mean) * scale + beta})
        worst = max(worst, float(np.abs(ours - reference.numpy()).max()))
    if worst > 1e-10:
        return Evidence("refuted", f"max |difference| {worst:.3g}", counterexample={"max_abs_difference": worst})
    return Evidence("checked", f"max |difference| {worst:.3g} over 4 lengths", {"max_abs_difference": worst})


theorem("batchnorm_folding_matches_pytorch", check=_fold_against_torch,
        perturbed=[lambda: _fold_against_torch(1.05), lambda: _fold_against_torch(0.95)],
        statement="BatchNorm1d(eval) after conv1d(W, b, padding=1) = conv(W * s, bias=(b - mu) s + beta) with "
                  "s = gamma / sqrt(var + eps) (PyTorch against symconv's numeric evaluator, float64)",
        expect="checked", source=SOURCE)
