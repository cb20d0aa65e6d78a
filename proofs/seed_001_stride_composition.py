"""Seed 001: two stride-2 convolutions equal one stride-4 convolution (claims C1.1-C1.3).

The note pads the input once, before both layers, and asks for the filter
k4 of a single stride-4 layer. Conventions are PyTorch's: ``conv`` is
cross-correlation, ``y[i] = sum_j k[j] x[2 i + j]``. The note's written
solution has index errors (sums "from m = infinity", a stray t, a kernel
indexed by u - t - m); the statements below are the corrected ones:

* k4 = convolve(k, dilate(k, 2)) (length 3c - 2), with taps
  k4[u] = sum over a + 2 b = u of k[a] k[b];
* the identity holds for every input length and with any padding applied
  once before both layers; padding *between* the layers breaks it near the
  ends as soon as c >= 3;
* with a total padding P applied once, the final length is exactly n/4 for
  every n divisible by 4 iff 3c - 6 <= P <= 3c - 3 (P = 3c - 3 gives
  ceil(n/4) for every n).

Generic c: the identities about k[c] are proved for every c >= 1 at once
(the generic-length argument of ``symconv prove``); the checks that need
concrete lengths (the tap table, the padding conditions) list their c.
"""

import sympy

from symconv import derive, output_length, prove, theorem
from symconv.core.kernel import DerivedKernel, kernel
from symconv.core.layers import conv
from symconv.dsl import parse_statement
from symconv.library import Evidence, run_theorem, shapes
from symconv.library.evidence import replayed_by_kernel

SOURCE = "seed 001 (Lutsker, DL4CV Ex3)"
C = [1, 2, 3, 4, 5, 6]
GENERIC = "checked per c: this check needs concrete kernel lengths"
EVERY_C = "proved for every kernel length c >= 1 at once, not per c"
n = sympy.Symbol("n")

# --- C1.1 -------------------------------------------------------------------------------------

theorem("stride2_twice_is_stride4",
        lhs="conv(k[c], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
        claims=["C1.1"], source=SOURCE, note=EVERY_C)

theorem("stride2_twice_is_stride4_padded_once",
        lhs="pad(2, 1) >> conv(k[c], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=(2, 1))",
        claims=["C1.1"], source=SOURCE,
        note="the note's setting: zero padding once, before both layers, equals the same padding "
             "on the single stride-4 layer; " + EVERY_C)

theorem("stride2_twice_is_stride4_multichannel",
        lhs="conv(W[3, 2, 3], stride=2) >> conv(V[2, 3, 3], stride=2)",
        rhs="conv(convolve(W, dilate(V, 2)), stride=4)",
        claims=["C1.1"], source=SOURCE,
        note="beyond the note: different filters and several channels (the kernels compose as matrices)")

theorem("stride2_twice_is_stride4_multichannel_every_c",
        lhs="conv(W[3, 2, c], stride=2) >> conv(V[2, 3, c], stride=2)",
        rhs="conv(convolve(W, dilate(V, 2)), stride=4)",
        claims=["C1.1"], source=SOURCE,
        note="several channels and every kernel length c at once: K(z) = V(z^2) W(z) as matrices; " + EVERY_C)


def _k4_closed_form() -> Evidence:
    """derive's taps against the closed form, and the chain == conv(<closed form>, stride=4) proved (and replayed
    by the kernel) for every input length."""
    rows, proofs = [], []
    for c in C:
        lhs, _ = parse_statement(f"conv(k[{c}], stride=2) >> conv(k, stride=2)", "conv(k)")
        taps = derive(lhs).kernel
        k = sympy.symbols(f"k_0:{c}")
        closed = [sympy.expand(sum(k[a] * k[b] for a in range(c) for b in range(c) if a + 2 * b == u))
                  for u in range(3 * c - 2)]
        derived = [sympy.expand(t) for t in taps]
        rows.append({"c": c, "k4": [str(t) for t in derived]})
        if derived != closed:
            return Evidence("refuted", f"derive's k4 differs from the closed form at c = {c}", {"k4": rows},
                            {"c": c, "derived": [str(t) for t in derived], "closed_form": [str(t) for t in closed]})
        proof = prove(lhs, conv(DerivedKernel(((tuple(closed),),), (kernel("k", c),)), stride=4))
        if proof.verdict != "proved":
            return Evidence(proof.verdict, f"c = {c}: the chain == conv(k4, stride=4): {proof.note}", {"k4": rows})
        proofs.append(proof)
    return Evidence("proved", f"derive's effective kernel equals the closed form exactly for c in {C}, and the "
                              f"chain == conv(k4, stride=4) is proved for every n", {"k4": rows,
                                                                                    **replayed_by_kernel(proofs)})


theorem("k4_taps_closed_form", check=_k4_closed_form,
        statement="derive(conv(k[c], stride=2) >> conv(k, stride=2)).kernel = k4 with "
                  "k4[u] = sum_{a + 2b = u} k[a] k[b], u = 0..3c-3, for c in {1..6}",
        claims=["C1.1"], source=SOURCE, note="exact polynomial identity of the derived taps. " + GENERIC)

def _k4_generating_polynomial() -> Evidence:
    """derive with a generic c: K(z) = k(z) k(z^2), i.e. k4[u] = sum_{a + 2b = u} k[a] k[b] for every c."""
    d = derive("conv(k[c], stride=2) >> conv(k, stride=2)")
    z, k = sympy.Symbol("z"), sympy.Function("k")
    expected = k(z) * k(z**2)
    data = {"kernel": d.kernel, "receptive_field": str(d.receptive_field), "exact": d.exact}
    if d.generating is None or sympy.expand(d.generating - expected) != 0 or not d.exact:
        return Evidence("refuted", f"derive gives K(z) = {d.generating} (exact: {d.exact})", data)
    return Evidence("proved", "derive's single layer for a generic c has K(z) = k(z) k(z^2), receptive field "
                              f"{d.receptive_field}, and is exact for every n and c", data)


STRIDE4 = ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")

theorem("k4_generating_polynomial_every_c", check=_k4_generating_polynomial, certify=[STRIDE4],
        statement="derive(conv(k[c], stride=2) >> conv(k, stride=2)) = conv(k4, stride=4) with "
                  "k4(z) = k(z) k(z^2) (so k4[u] = sum_{a + 2b = u} k[a] k[b]) and receptive field 3c - 2, "
                  "for every c",
        claims=["C1.1"], source=SOURCE, note=EVERY_C)

# --- C1.2 -------------------------------------------------------------------------------------

shapes("stride2_twice_lengths_agree_for_every_n",
       "conv(k[c], stride=2) >> conv(k, stride=2)",
       rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
       sizes={"c": C}, claims=["C1.2"], source=SOURCE,
       note="floor((floor((n - c)/2) + 1 - c)/2) + 1 = floor((n - 3c + 2)/4) + 1 for every n >= 3c - 2 "
            "(and both 0 below). " + GENERIC)

def _half(v: sympy.Expr) -> sympy.Expr:
    return sympy.floor(v / sympy.Integer(2))


def _floor_identity_every_c() -> Evidence:
    """floor((floor((n - c)/2) + 1 - c)/2) + 1 = floor((n - 3c + 2)/4) + 1 for every c >= 1 and n >= 3c - 2,
    and both lengths are 0 below (n < 3c - 2), by SymPy with n = 3c - 2 + 4q + r, r = 0..3."""
    c = sympy.Symbol("c", integer=True, positive=True)
    q = sympy.Symbol("q", integer=True, nonnegative=True)
    rows = {}
    for r in range(4):
        a = 4 * q + r  # a = n - 3c + 2 >= 0
        first = _half(a + 2 * c - 2) + 1  # floor((n - c)/2) + 1
        second = _half(first - c) + 1
        rows[r] = {"first_length": str(sympy.simplify(first)),
                   "difference": str(sympy.simplify(second - (sympy.floor(a / sympy.Integer(4)) + 1)))}
        if sympy.simplify(first - c).is_nonnegative is not True or rows[r]["difference"] != "0":
            return Evidence("refuted", f"residue {r}: {rows[r]}", {"residues": rows})
    # below the threshold, n <= 3c - 3: floor((n - c)/2) + 1 <= floor((2c - 3)/2) + 1 = c - 1 < c (floor is monotone)
    below = sympy.simplify(_half(2 * c - 3) + 1 - c)
    if below != -1:
        return Evidence("refuted", f"floor((2c - 3)/2) + 1 - c = {below}", {"residues": rows})
    # the engine's own lengths agree with the two closed forms (a check of the reading of the length table)
    for cc in range(1, 9):
        chain, _ = parse_statement(f"conv(k[{cc}], stride=2) >> conv(k, stride=2)", "conv(k)")
        for nn in range(0, 48):
            want = (nn - 3 * cc + 2) // 4 + 1 if nn >= 3 * cc - 2 else 0
            if output_length(chain, nn) != want:
                return Evidence("refuted", f"the engine gives {output_length(chain, nn)} at c = {cc}, n = {nn}")
    return Evidence("proved", "SymPy: with n = 3c - 2 + 4q + r the first layer has c + floor(r/2) + 2q >= c "
                              "outputs and the second floor(a/4) + 1 for each r; below 3c - 2 the first layer has "
                              "at most c - 1 < c outputs; the engine's lengths agree for c <= 8, n < 48",
                    {"residues": rows})


shapes("stride2_twice_lengths_agree_every_c", check=_floor_identity_every_c, certify=[STRIDE4],
       statement="for every c >= 1 and every n >= 0: len(conv(k[c], stride=2) >> conv(k, stride=2)) = "
                 "floor((n - 3c + 2)/4) + 1 when n >= 3c - 2, else 0 (= len of conv(k4, stride=4)): "
                 "floor((floor((n - c)/2) + 1 - c)/2) = floor((n - 3c + 2)/4)",
       claims=["C1.2"], source=SOURCE,
       note="the floor identity in closed form, for every c at once (SymPy); the equality of the two lengths for "
            "every c and n is part of the certified identity of the two chains")


def _padding_rule_every_c() -> Evidence:
    """With total padding P = 3c + e, the length at n = 4m is m + floor((e + 2)/4) + 1 (floor identity at n + P):
    = m for every m >= 1 iff floor((e + 2)/4) = -1 iff -6 <= e <= -3. floor is monotone, so the values at
    e = -7, -6, -3, -2 decide every e."""
    m, c = sympy.symbols("m c", integer=True, positive=True)
    values = {}
    for e in (-7, -6, -5, -4, -3, -2):
        length = sympy.floor((4 * m + 3 * c + e - 3 * c + 2) / sympy.Integer(4)) + 1
        values[e] = str(sympy.simplify(length - m))
    if [values[e] for e in (-7, -6, -5, -4, -3, -2)] != ["-1", "0", "0", "0", "0", "1"]:
        return Evidence("refuted", f"length - n/4 at P = 3c + e: {values}", {"length_minus_quarter": values})
    return Evidence("proved", "len - n/4 = floor((e + 2)/4) + 1 with P = 3c + e: -1 at e = -7, 0 for e = -6..-3, 1 at "
                              "e = -2 (SymPy), and monotone in e; at e = -6, n + P = 4m + 3c - 6 >= 3c - 2 for m >= 1, "
                              "so the closed form applies", {"length_minus_quarter": values})


shapes("quarter_length_padding_rule_every_c", check=_padding_rule_every_c, certify=[STRIDE4],
       statement="for every c >= 1: a total padding P applied once before conv(k[c], stride=2) >> conv(k, stride=2) "
                 "gives length exactly n/4 for every n divisible by 4 iff 3c - 6 <= P <= 3c - 3 (P >= 0)",
       claims=["C1.2"], source=SOURCE,
       note="the rule in closed form for every c (the split of P between the ends does not change lengths); "
            "quarter_length_padding_condition decides the same per c with the engine. The closed form of the "
            "length, floor((n + P - 3c + 2)/4) + 1, is the length of conv(k4, stride=4) with k4 of size 3c - 2: "
            "the certified identity of the two chains gives it for every c and n; the rule's case analysis in e "
            "rests on SymPy")


shapes("quarter_length_with_padding_3c_minus_3",
       "pad(3, 3) >> conv(k[c], stride=2) >> conv(k, stride=2)",
       length=n / 4, modulus=4, residues=[0], min_n=4, sizes={"c": [3]},
       claims=["C1.2"], source=SOURCE,
       note="c = 3, total padding P = 6 = 3c - 3, split (3, 3): the output length is exactly n/4 for every "
            "n divisible by 4")

shapes("padding_3c_minus_3_gives_ceil_quarter",
       "pad(4, 5) >> conv(k[c], stride=2) >> conv(k, stride=2)",
       length=sympy.ceiling(n / 4), sizes={"c": [4]}, claims=["C1.2"], source=SOURCE,
       note="c = 4, P = 9 = 3c - 3: length ceil(n/4) for every n >= 1, hence n/4 whenever 4 | n")


def _quarter_padding_condition() -> Evidence:
    """For every c <= 6 and every total padding P <= 3c + 2: exactly n/4 for all 4 | n iff 3c-6 <= P <= 3c-3."""
    found, replayed = {}, []
    for c in C:
        good = []
        for total in range(0, 3 * c + 3):
            left, right = total // 2, total - total // 2
            ev = run_theorem(shapes(f"quarter_c{c}_P{total}",
                                    f"pad({left}, {right}) >> conv(k[{c}], stride=2) >> conv(k, stride=2)",
                                    length=n / 4, modulus=4, residues=[0], min_n=4))
            if ev.verdict not in ("proved", "refuted"):
                return Evidence("unknown", f"c = {c}, P = {total}: {ev.detail}")
            if ev.verdict == "proved":  # a length formula, replayed by the kernel; a refutation has its n
                good.append(total)
                replayed.append(ev.data.get("replayed") is True)
        expected = [p for p in range(max(0, 3 * c - 6), 3 * c - 2)]
        found[c] = good
        if good != expected:
            return Evidence("refuted", f"c = {c}: paddings {good}, not {expected}", {"paddings": found},
                            {"c": c, "paddings": good, "claimed": expected})
    return Evidence("proved", "for each c the paddings giving n/4 are exactly 3c-6..3c-3 (each decided for "
                              "every n by the length argument)",
                    {"paddings": found, "replayed": bool(replayed) and all(replayed)})


shapes("quarter_length_padding_condition", check=_quarter_padding_condition,
       statement="pad(P) once before conv(k[c], stride=2) >> conv(k, stride=2) gives length n/4 for every n "
                 "divisible by 4 iff 3c - 6 <= P <= 3c - 3 (decided for c in {1..6}, 0 <= P <= 3c + 2; "
                 "P split as (floor(P/2), ceil(P/2)))",
       claims=["C1.2"], source=SOURCE,
       note="the note says the padding makes the length 'exactly 1/4 of the input size': that is only "
            "possible for n divisible by 4, and only for these P. " + GENERIC)

# --- C1.3 -------------------------------------------------------------------------------------

for c in [1, 2, 3, 4, 5]:
    theorem(f"conv_is_correlation_valid_part_of_true_convolution_c{c}",
            lhs=f"conv(k[{c}])",
            rhs=f"conv_transpose(flip(k)) >> crop({c - 1})",
            claims=["C1.3"], source=SOURCE,
            note="conv_transpose with stride 1 is the full true convolution (numpy.convolve 'full'); its "
                 "valid part, with the flipped filter, is the layer: a convolution layer is a "
                 "cross-correlation")

theorem("true_convolution_is_correlation_with_flipped_filter",
        lhs="conv_transpose(k[4])", rhs="pad(3) >> conv(flip(k))", claims=["C1.3"], source=SOURCE,
        note="full true convolution with k (c = 4) = zero padding c - 1 then correlation with flip(k)")

theorem("stride_s_is_stride_1_then_subsample",
        lhs="conv(k[c], stride=2)", rhs="conv(k) >> down(2)",
        claims=["C1.3"], source=SOURCE, note=EVERY_C)

for s in [3, 4]:
    theorem(f"stride_{s}_is_stride_1_then_subsample",
            lhs=f"conv(k[c], stride={s}, padding=2)", rhs=f"pad(2) >> conv(k) >> down({s})",
            claims=["C1.3"], source=SOURCE, note=EVERY_C)

for c in [2, 3, 4, 5]:
    theorem(f"note_guidance_formula_full_convolutions_c{c}",
            lhs=f"conv_transpose(flip(k[{c}])) >> down(2) >> conv_transpose(flip(k)) >> down(2)",
            rhs="conv_transpose(flip(convolve(k, dilate(k, 2)))) >> down(4)",
            claims=["C1.1", "C1.3"], source=SOURCE,
            note="the note's guidance read literally, with * the full true convolution (conv_transpose) and "
                 "~k the flipped filter: ((x * ~k2) down 2) * ~k2 down 2 = (x * ~k4) down 4. It holds although "
                 "each full convolution pads c - 1 zeros between the layers: a full convolution keeps its "
                 "whole support, so those zeros are the true values of the zero-extended signal")
    theorem(f"note_guidance_formula_valid_convolutions_c{c}",
            lhs=f"conv_transpose(flip(k[{c}])) >> crop({c - 1}) >> down(2) >> conv_transpose(flip(k)) "
                f">> crop({c - 1}) >> down(2)",
            rhs=f"conv_transpose(flip(convolve(k, dilate(k, 2)))) >> crop({3 * c - 3}) >> down(4)",
            claims=["C1.1", "C1.3"], source=SOURCE,
            note="the same with valid true convolutions (crop c - 1 at each end), i.e. the layers themselves")

theorem("note_guidance_with_flips",
        lhs="flip() >> conv(flip(k[3])) >> flip() >> down(2) >> flip() >> conv(flip(k)) >> flip() >> down(2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
        claims=["C1.3"], source=SOURCE,
        note="a true convolution written with flips: flip() >> conv(flip(k)) >> flip() is the convolution with k "
             "reversed in time; a flip meets down(2) as down(2, phase (m - 1) mod 2), so the proof runs once per "
             "residue of n mod 4")

# --- the refuted variant ------------------------------------------------------------------------

theorem("padding_between_layers_breaks_the_identity",
        lhs="conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)",
        sizes={"c": [3, 4, 5, 6]}, expect="refuted", claims=["C1.1"], source=SOURCE,
        note="padding each layer (as 'same'-style layers do) puts zeros between the layers: interior outputs "
             "agree but outputs near the ends do not, so the identity of the note needs the padding applied "
             "once, before both layers")

def _padding_between_condition() -> Evidence:
    table, wrong, proofs = {}, None, []
    for c in C:
        for p in range(0, 7):
            proof = prove(f"conv(k[{c}], stride=2, padding={p}) >> conv(k, stride=2, padding={p})",
                          f"conv(convolve(k, dilate(k, 2)), stride=4, padding={3 * p})")
            if proof.verdict not in ("proved", "refuted"):
                return Evidence("unknown", f"c = {c}, p = {p}: {proof.note}")
            holds = proof.verdict == "proved"
            if holds:
                proofs.append(proof)
            table[f"c={c},p={p}"] = proof.verdict
            if holds != (p == 0 or p >= c - 1) and wrong is None:
                wrong = {"c": c, "p": p, "verdict": proof.verdict}
    if wrong:
        return Evidence("refuted", f"the condition fails at {wrong}", {"verdicts": table}, wrong)
    return Evidence("proved", "decided for each (c, p), c <= 6, p <= 6: holds exactly when p = 0 or p >= c - 1",
                    {"verdicts": table, **replayed_by_kernel(proofs)})


theorem("padding_between_layers_condition", check=_padding_between_condition,
        statement="conv(k[c], stride=2, padding=p) >> conv(k, stride=2, padding=p) == "
                  "conv(convolve(k, dilate(k, 2)), stride=4, padding=3p) for every n iff p = 0 or p >= c - 1 "
                  "(each pair c <= 6, p <= 6 decided by the prover)",
        claims=["C1.1"], source=SOURCE,
        note="the corrected version of 'padding between the layers': with p >= c - 1 the first layer computes "
             "its whole support (a full correlation), so the zeros padded between the layers are true values; "
             "with 0 < p < c - 1 it cuts real values off and the ends differ. " + GENERIC)
