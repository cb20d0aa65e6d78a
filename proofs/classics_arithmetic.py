"""Convolution arithmetic (Dumoulin & Visin, 2016) and the receptive-field formula.

Output lengths are decided for every input length n by the length argument
of :mod:`symconv.library.lengths` (quasi-linear past the last clamp, equal
on two periods). PyTorch's conventions: ``padding='same'`` puts the extra
zero on the right; lengths below 1 are 0. Square 2-D layers act per axis, so
the 1-D relations are the 2-D ones axis by axis.
"""

import dataclasses

import sympy

from symconv import derive, theorem
from symconv.dsl import parse_chain
from symconv.library import Evidence, shapes

SOURCE = "classics (Dumoulin & Visin, A guide to convolution arithmetic)"
n = sympy.Symbol("n")

# --- direct convolutions -------------------------------------------------------------------------

for c in (1, 3, 4, 7):
    shapes(f"no_padding_unit_stride_c{c}", f"conv(k[{c}])", length=n - c + 1, min_n=c, source=SOURCE,
           note="relationship 1: o = i - k + 1 (for i >= k; 0 below)")
for c, p in [(3, 2), (4, 1), (5, 3)]:
    shapes(f"zero_padding_unit_stride_c{c}_p{p}", f"conv(k[{c}], padding={p})", length=n - c + 2 * p + 1,
           min_n=max(1, c - 2 * p), source=SOURCE, note="relationship 2: o = i - k + 2p + 1")
for c in (1, 2, 3, 4, 5):
    shapes(f"half_padding_c{c}", f"conv(k[{c}], padding='same')", length=n, source=SOURCE,
           note="relationship 3 ('same'): o = i for every k; for even k PyTorch puts the extra zero on the right")
for c in (2, 3, 5):
    shapes(f"full_padding_c{c}", f"conv(k[{c}], padding={c - 1})", length=n + c - 1, source=SOURCE,
           note="relationship 4 (full padding p = k - 1): o = i + k - 1")
for c, s in [(3, 2), (4, 3), (2, 2)]:
    shapes(f"no_padding_strided_c{c}_s{s}", f"conv(k[{c}], stride={s})", length=sympy.floor((n - c) / s) + 1,
           min_n=c, source=SOURCE, note="relationship 5: o = floor((i - k)/s) + 1")
for c, s, p in [(3, 2, 1), (5, 2, 2), (4, 3, 1), (7, 2, 3)]:
    shapes(f"padded_strided_c{c}_s{s}_p{p}", f"conv(k[{c}], stride={s}, padding={p})",
           length=sympy.floor((n + 2 * p - c) / s) + 1, min_n=max(1, c - 2 * p), source=SOURCE,
           note="relationship 6: o = floor((i + 2p - k)/s) + 1")
shapes("pooling_same_arithmetic", "maxpool(3, stride=2, padding=1)", length=sympy.floor((n - 1) / 2) + 1,
       source=SOURCE, note="pooling follows the same arithmetic (here a 3/2 max pool with padding 1)")

# --- transposed convolutions ---------------------------------------------------------------------

for c, s, p, a in [(3, 1, 0, 0), (3, 1, 1, 0), (4, 2, 1, 0), (3, 2, 1, 1), (5, 3, 2, 2)]:
    shapes(f"transposed_length_c{c}_s{s}_p{p}_a{a}",
           f"conv_transpose(k[{c}], stride={s}, padding={p}, output_padding={a})",
           length=s * (n - 1) + c - 2 * p + a, min_n=1 if c - 2 * p + a >= 1 else 2, source=SOURCE,
           note="relationships 7-14: o' = s (i' - 1) + k - 2p + a")
for c, s, p in [(3, 2, 1), (4, 2, 1), (3, 3, 0)]:
    for a in range(s):
        shapes(f"transpose_restores_length_c{c}_s{s}_p{p}_a{a}",
               f"conv(k[{c}], stride={s}, padding={p}) "
               f">> conv_transpose(k, stride={s}, padding={p}, output_padding={a})",
               length=n, modulus=s, residues=[(c - 2 * p + a) % s], min_n=max(1, c - 2 * p), source=SOURCE,
               note="the transposed layer gives back the input size exactly when a = (i + 2p - k) mod s")
for c in (2, 3, 5):
    theorem(f"transpose_of_full_padding_is_valid_conv_c{c}",
            lhs=f"conv_transpose(k[{c}], padding={c - 1})", rhs="conv(flip(k))", source=SOURCE,
            note="relationship 9: the transpose of a fully padded convolution is a convolution without padding "
                 "(with the flipped kernel)")
for c in (3, 5):
    theorem(f"transpose_of_half_padding_is_half_padding_c{c}",
            lhs=f"conv_transpose(k[{c}], padding={(c - 1) // 2})", rhs="conv(flip(k), padding='same')",
            source=SOURCE, note="relationship 8: half padding is its own transpose (odd k)")

# --- receptive fields ----------------------------------------------------------------------------

RF_CHAINS = [
    "conv(k[3]) >> conv(k)",
    "conv(k[3], stride=2) >> conv(k, stride=2)",
    "conv(k[5], padding=2) >> maxpool(2) >> conv(j[3], dilation=2) >> relu() >> conv(h[3], stride=2)",
    "conv(k[7], stride=2, padding=3) >> maxpool(3, stride=2, padding=1) >> conv(j[3], padding=1) "
    ">> conv(j, padding=1)",  # a ResNet stem and its first block
    " >> ".join(["conv(k[3], padding=1) >> relu()"] * 2 + ["maxpool(2)"] + ["conv(k, padding=1) >> relu()"] * 2
                + ["maxpool(2)"] + ["conv(k, padding=1) >> relu()"] * 3 + ["maxpool(2)"]
                + ["conv(k, padding=1) >> relu()"] * 3 + ["maxpool(2)"] + ["conv(k, padding=1) >> relu()"] * 3),
]


def _windows(chain):
    """(extent, stride) of every windowed layer, read off the layer objects."""
    out = []
    for layer in chain.layers():
        if hasattr(layer, "weight"):
            out.append((layer.dilation * (layer.weight.length - 1) + 1, layer.stride))
        elif hasattr(layer, "size"):
            out.append((getattr(layer, "dilation", 1) * (layer.size - 1) + 1, layer.stride))
    return out


def _field_and_jump(chain) -> tuple[int, int]:
    """The formula: R = 1 + sum_l (e_l - 1) prod_{i<l} s_i and J = prod_l s_l."""
    field, jump = 1, 1
    for extent, stride in _windows(chain):
        field += (extent - 1) * jump
        jump *= stride
    return field, jump


def _unpadded(layer):
    """The layer without its padding (per axis, ``paddings``, for pools and convolutions alike)."""
    return dataclasses.replace(layer, paddings=0) if hasattr(layer, "paddings") else layer


def _field_length(text: str) -> tuple:
    """``(chain without padding, floor((n - R)/J) + 1, R - J)``: the length formula that pins R and J down.

    Padding changes neither the windows nor the strides, so the chain without it has the same R and J; its
    first output needs exactly R samples and each further one J more. Claimed from n = R - J (value 0 up to
    n = R - 1, then 1 at n = R), the formula says that n = R is the first length with an output and that the
    outputs then grow by one every J samples, so a certificate of it certifies R and J."""
    chain = parse_chain(text)
    field, jump = _field_and_jump(chain)
    unpadded = " >> ".join(repr(_unpadded(layer)) for layer in chain.layers())
    return unpadded, sympy.floor((n - field) / jump) + 1, max(1, field - jump)


def _receptive_fields() -> Evidence:
    rows = []
    for text in RF_CHAINS:
        chain = parse_chain(text)
        field, jump = _field_and_jump(chain)
        d = derive(chain)
        rows.append({"chain": text[:60] + ("..." if len(text) > 60 else ""), "formula": field,
                     "derive": d.receptive_field, "stride": d.stride})
        if d.receptive_field != field or d.stride != jump:
            return Evidence("refuted", f"derive gives {d.receptive_field} (stride {d.stride}), the formula {field} "
                                       f"(stride {jump}) for {text}", {"rows": rows}, rows[-1])
    return Evidence("proved", "derive's receptive field and stride equal the formula on every chain "
                              f"(VGG16 conv5_3: {rows[-1]['derive']})", {"rows": rows})


shapes("receptive_field_formula", check=_receptive_fields, certify=[_field_length(text) for text in RF_CHAINS],
       statement="derive(chain).receptive_field = 1 + sum_l (e_l - 1) prod_{i<l} s_i and derive(chain).stride = "
                 "prod_l s_l, e_l = d_l (k_l - 1) + 1 the extent of layer l, for 5 chains (with pooling, dilation, "
                 "a ResNet stem and VGG16 up to conv5_3, whose field is 196); the formula's R and J are the "
                 "chain's: without its padding, its length is floor((n - R)/J) + 1 for every n >= R - J",
       source=SOURCE,
       note="the length formulas of the chains without padding (which changes no window or stride) are replayed "
            "by the kernel: 0 outputs at n = R - 1, 1 at n = R, one more every J samples; derive's values are "
            "compared with the formula by the check")
