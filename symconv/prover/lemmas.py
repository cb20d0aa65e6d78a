"""The lemmas of the engine: its axioms, each with a generic z-domain proof and a finite check grid.

Notation of the reports: signals are 0-based, ``x[0..n-1]``, zero outside;
a kernel ``k[c]`` has the polynomial ``K(z) = sum_j k_j z^j``; the layer
``conv(k, stride=s, padding=(l, r), dilation=d)`` is the cross-correlation
``y[i] = sum_j k_j x[s i + d j - l]`` of length
``floor((n + l + r - d(c-1) - 1)/s) + 1`` (0 below 1, and 0 at n = 0). A
chain of correlations with no padding inside is one correlation
``y[i] = sum_t E_t x[S i + t]``, given by its stride S and its polynomial
E(z): two sides with the same S, E(z) and left padding agree on every sample
both have, so a proof compares E(z) as a polynomial in the taps and then the
output lengths. Lengths are quasi-polynomials in n (linear plus a periodic
part through floor and ceil); each proof shows that the two closed forms are
the same function of n before the clamp ``max(0, .)``, hence after it.

Each lemma's statement is a schema in the DSL with integer parameters;
:func:`instances` enumerates the grid that ``tests/prover/test_lemmas.py``
checks exhaustively against the exact semantics (and with ``prove``). ``pad(0)``
writes the identity.

>>> lemma("noble_decimation").instance(s=2, c=3)
('down(2) >> conv(k[3])', 'conv(dilate(k, 2)) >> down(2)')
>>> next(instances("transposed_is_upsampling", limit=1)).rhs
'pad(0, 1) >> up(1) >> conv(flip(k), padding=(0, 0), dilation=1) >> crop(0, 1)'
"""

from __future__ import annotations

from typing import Iterator, Optional, Union

from symconv.errors import InvalidArgument
from symconv.prover.lemma_schemas import KINDS, Instance, Lemma, Parameter

__all__ = ["Lemma", "Parameter", "Instance", "KINDS", "LEMMAS", "lemma", "instances"]


def _proof(*lines: str) -> str:
    return "\n".join(lines)


def _avg_taps(m: int) -> str:
    tap = "1" if m == 1 else f"1/{m}"
    return "[" + ", ".join([tap] * m) + "]"


LEMMAS: tuple[Lemma, ...] = (
    Lemma(
        name="noble_decimation",
        statement="down(s) >> conv(k[c]) == conv(dilate(k, s)) >> down(s)",
        parameters=(Parameter("s", 1, 4), Parameter("c", 1, 4)),
        schema=lambda s, c: (f"down({s}) >> conv(k[{c}])", f"conv(dilate(k, {s})) >> down({s})"),
        proof=_proof(
            "Taps: the left computes u[i] = x[s i], then y[i] = sum_j k_j u[i + j] = sum_j k_j x[s i + s j]. "
            "The right correlates with dilate(k, s), whose polynomial is K(z^s): v[t] = sum_j k_j x[t + s j], "
            "and keeps y[i] = v[s i], the same sum. Both are the stride-s correlation with E(z) = K(z^s).",
            "Lengths: ceil(n/s) - (c - 1) on the left, ceil((n - s(c - 1))/s) on the right; ceil(n/s - m) = "
            "ceil(n/s) - m for every integer m, so the closed forms are equal for every n, and so are their "
            "clamps (0 at n = 0).",
        ),
    ),
    Lemma(
        name="noble_interpolation",
        statement="conv(k[c]) >> up(s) == up(s) >> conv(dilate(k, s))",
        parameters=(Parameter("s", 1, 4), Parameter("c", 1, 4)),
        schema=lambda s, c: (f"conv(k[{c}]) >> up({s})", f"up({s}) >> conv(dilate(k, {s}))"),
        proof=_proof(
            "Taps: up(s) maps X(z) to X(z^s). The right computes y[t] = sum_j k_j u[t + s j] with u[s i] = x[i] "
            "and zeros between: u[t + s j] is zero unless s divides t, so y[t] = 0 off the grid and y[s i] = "
            "sum_j k_j x[i + j], which is the left's v[i] placed at s i. In z: the correlation with K(z^s) "
            "after X(z) -> X(z^s) is the correlation with K(z) followed by z -> z^s.",
            "Lengths: the left has (n - c)s + 1 for n >= c (up(s) of n - c + 1 samples) and 0 below; the right "
            "has ((n - 1)s + 1) - s(c - 1) = (n - c)s + 1, which is <= 1 - s <= 0 exactly when n < c (and 0 at "
            "n = 0).",
        ),
    ),
    Lemma(
        name="stride_composition",
        statement="conv(a[c], stride=s) >> conv(b[e], stride=t) == conv(convolve(a, dilate(b, s)), stride=s*t)",
        parameters=(Parameter("s", 1, 3), Parameter("t", 1, 3), Parameter("c", 1, 3), Parameter("e", 1, 3)),
        schema=lambda s, t, c, e: (f"conv(a[{c}], stride={s}) >> conv(b[{e}], stride={t})",
                                   f"conv(convolve(a, dilate(b, {s})), stride={s * t})"),
        proof=_proof(
            "Taps: u[i] = sum_j a_j x[s i + j], y[i] = sum_l b_l u[t i + l] = sum_{j,l} a_j b_l x[s t i + s l + "
            "j]: the stride-st correlation with E(z) = sum_{j,l} a_j b_l z^{j + s l} = A(z) B(z^s), the "
            "polynomial of convolve(a, dilate(b, s)) (c + s(e - 1) taps).",
            "Lengths: with N = n - c >= 0 the left has floor((floor(N/s) - (e - 1))/t) + 1; floor(N/s) - (e - "
            "1) = floor((N - s(e - 1))/s) and floor(floor(x/s)/t) = floor(x/(s t)), so it is floor((N - s(e - "
            "1))/(s t)) + 1, the right's closed form. Both are positive exactly when N >= s(e - 1) (the left "
            "needs N >= 0 and floor(N/s) >= e - 1), so the clamps agree; n < c empties both.",
        ),
    ),
    Lemma(
        name="strided_conv_is_conv_then_down",
        statement="conv(k[c], stride=s, padding=p, dilation=d) == conv(k, padding=p, dilation=d) >> down(s)",
        parameters=(Parameter("s", 1, 4), Parameter("c", 1, 3), Parameter("p", 0, 2), Parameter("d", 1, 2)),
        schema=lambda s, c, p, d: (f"conv(k[{c}], stride={s}, padding={p}, dilation={d})",
                                   f"conv(k, padding={p}, dilation={d}) >> down({s})"),
        proof=_proof(
            "Taps: with xp the input padded by p on each side, the left computes y[i] = sum_j k_j xp[s i + d "
            "j]; the right computes v[t] = sum_j k_j xp[t + d j] and keeps v[s i], the same sum. Both are the "
            "stride-s correlation with E(z) = K(z^d).",
            "Lengths: with M = n + 2p - d(c - 1) the left has floor((M - 1)/s) + 1 and the right ceil(M/s) "
            "(down(s) of M samples); floor((M - 1)/s) + 1 = ceil(M/s) for every integer M, and both are <= 0 "
            "when M <= 0.",
        ),
    ),
    Lemma(
        name="dilation_is_kernel_upsampling",
        statement="conv(k[c], stride=s, padding=p, dilation=d) == conv(dilate(k, d), stride=s, padding=p)",
        parameters=(Parameter("d", 1, 4), Parameter("c", 1, 3), Parameter("s", 1, 2), Parameter("p", 0, 1)),
        schema=lambda d, c, s, p: (f"conv(k[{c}], stride={s}, padding={p}, dilation={d})",
                                   f"conv(dilate(k, {d}), stride={s}, padding={p})"),
        proof=_proof(
            "Taps: dilate(k, d) has the tap k_j at d j and zeros between: its polynomial is K(z^d). Its "
            "correlation reads xp[s i + d j] with the weight k_j, exactly the samples and weights of the "
            "dilated layer.",
            "Lengths: conv's length depends on the kernel only through its extent d(c - 1) + 1, which is the "
            "length of dilate(k, d): floor((n + 2p - d(c - 1) - 1)/s) + 1 on both sides, the same expression.",
        ),
    ),
    Lemma(
        name="transposed_is_upsampling",
        statement="conv_transpose(k[c], stride=s, padding=p, output_padding=o, dilation=d) == "
                  "pad(0, 1) >> up(s) >> conv(flip(k), padding=(d*(c-1)-p, d*(c-1)-p+o), dilation=d) >> crop(0, s)",
        condition="p <= d*(c-1) (else the left zeros become a crop) and o < max(s, d) (PyTorch)",
        parameters=(Parameter("s", 1, 3), Parameter("c", 1, 3), Parameter("d", 1, 2),
                    Parameter("p", 0, 2, "d*(c-1)", lambda d, c, **_: d * (c - 1)),
                    Parameter("o", 0, 2, "max(s, d)-1", lambda s, d, **_: max(s, d) - 1)),
        schema=lambda s, c, d, p, o: (
            f"conv_transpose(k[{c}], stride={s}, padding={p}, output_padding={o}, dilation={d})",
            f"pad(0, 1) >> up({s}) >> conv(flip(k), padding=({d * (c - 1) - p}, {d * (c - 1) - p + o}), "
            f"dilation={d}) >> crop(0, {s})"),
        proof=_proof(
            "Taps: conv_transpose scatters y[s i + d j - p] += k_j x[i], i.e. Y(z) = z^{-p} K(z^d) X(z^s), a "
            "convolution. With u = up(s) x (U(z) = X(z^s)) and D = d(c - 1): y[t] = sum_j k_j u[t + p - d j]; "
            "put j = c - 1 - j' to get y[t] = sum_j' k_{c-1-j'} u[t + d j' - (D - p)]: the correlation with "
            "flip(k), polynomial z^{c-1} K(1/z), dilation d, on u padded by D - p in front (a pad because p <= "
            "D). Behind, the o zeros of output_padding follow the last sample reached, (n - 1)s + D - p. "
            "pad(0, 1) >> up(s) is up(s) followed by s zeros, which give s more outputs, and crop(0, s) "
            "drops them.",
            "Lengths: the left has (n - 1)s - 2p + D + o + 1; the right (ns + 1) + (D - p) + (D - p + o) "
            "- D - s, the same expression for every n >= 0, the empty input included (pad(0, 1) >> up(s) "
            "gives it one zero, where up(s) alone gives none and (0 - 1)s + 1 would be negative), so the "
            "clamps agree.",
        ),
    ),
    Lemma(
        name="avgpool_is_conv",
        statement="avgpool(m, stride=s, padding=p) == conv([1/m]*m, stride=s, padding=p)",
        condition="2p <= m (PyTorch's condition on the pooling padding)",
        parameters=(Parameter("m", 1, 4), Parameter("s", 1, 3),
                    Parameter("p", 0, 2, "floor(m/2)", lambda m, **_: m // 2)),
        schema=lambda m, s, p: (f"avgpool({m}, stride={s}, padding={p})",
                                f"conv({_avg_taps(m)}, stride={s}, padding={p})"),
        proof=_proof(
            "Taps: avg_pool1d with count_include_pad=True divides the sum of the zero-padded window by m: y[i] "
            "= (1/m) sum_{j<m} xp[s i + j], the correlation with K(z) = (1 + z + ... + z^{m-1})/m = (1 - "
            "z^m)/(m(1 - z)).",
            "Lengths: both floor((n + 2p - m)/s) + 1, clamped at 0: PyTorch's pooling length (ceil_mode=False) "
            "is conv's with c = m and d = 1.",
        ),
    ),
    Lemma(
        name="associativity",
        statement="conv(a[c]) >> conv(b[e]) == conv(convolve(a, b))",
        parameters=(Parameter("c", 1, 4), Parameter("e", 1, 4)),
        schema=lambda c, e: (f"conv(a[{c}]) >> conv(b[{e}])", "conv(convolve(a, b))"),
        proof=_proof(
            "Taps: u[i] = sum_j a_j x[i + j], y[i] = sum_l b_l u[i + l] = sum_{j,l} a_j b_l x[i + j + l]: the "
            "correlation with E(z) = A(z) B(z), the polynomial of convolve(a, b) (stride composition with s = t "
            "= 1).",
            "Lengths: (n - c + 1) - e + 1 = n - (c + e - 1) + 1 on the left and convolve(a, b) has c + e - 1 "
            "taps; the left is positive exactly when n >= c + e - 1, like the right.",
        ),
    ),
    Lemma(
        name="commutativity",
        statement="conv(a[c]) >> conv(b[e]) == conv(b) >> conv(a)",
        parameters=(Parameter("c", 1, 4), Parameter("e", 1, 4)),
        schema=lambda c, e: (f"conv(a[{c}]) >> conv(b[{e}])", "conv(b) >> conv(a)"),
        proof=_proof(
            "Taps: by associativity the sides are the correlations with A(z) B(z) and B(z) A(z), equal because "
            "polynomials commute (single-channel kernels; products of weight matrices of polynomials do not).",
            "Lengths: n - c - e + 2 is symmetric in c and e; the intermediate lengths n - c + 1 and n - e + 1 "
            "differ, but either side is empty exactly when n < c + e - 1.",
        ),
    ),
    Lemma(
        name="flip_conjugation",
        statement="flip() >> conv(k[c], padding=(l, r), dilation=d) >> flip() == "
                  "conv(flip(k), padding=(r, l), dilation=d)",
        parameters=(Parameter("c", 1, 3), Parameter("l", 0, 2), Parameter("r", 0, 2), Parameter("d", 1, 2)),
        schema=lambda c, l, r, d: (f"flip() >> conv(k[{c}], padding=({l}, {r}), dilation={d}) >> flip()",
                                   f"conv(flip(k), padding=({r}, {l}), dilation={d})"),
        proof=_proof(
            "Taps: flip maps X(z) to z^{n-1} X(1/z). With D = d(c - 1) and M = n + l + r - D, the left computes "
            "w[i] = v[M - 1 - i] with v[t] = sum_j k_j x[n - 1 - (t + d j - l)], so w[i] = sum_j k_j x[i - r + "
            "D - d j]; put j = c - 1 - j' to get sum_j' k_{c-1-j'} x[i + d j' - r]: the correlation with "
            "flip(k), polynomial z^{c-1} K(1/z), dilation d, with r zeros in front (and so l behind).",
            "Lengths: flip keeps the length; both sides have n + l + r - D, clamped at 0.",
        ),
    ),
    Lemma(
        name="repvgg_branch_merging",
        statement="conv(a[3], stride=s, padding=1) + conv(b[1], stride=s) == "
                  "conv(a + padk(b, 1, 1), stride=s, padding=1)",
        parameters=(Parameter("s", 1, 3),),
        schema=lambda s: (f"conv(a[3], stride={s}, padding=1) + conv(b[1], stride={s})",
                          f"conv(a + padk(b, 1, 1), stride={s}, padding=1)"),
        proof=_proof(
            "Taps: with xp the input padded by 1, the 1-tap branch reads b_0 x[s i] = b_0 xp[s i + 1], the "
            "middle of the 3-tap window; the sum is the correlation with A(z) + z B(z) = a_0 + (a_1 + b_0) z + "
            "a_2 z^2, the polynomial of a + padk(b, 1, 1).",
            "Lengths: floor((n + 2 - 3)/s) + 1 and floor((n - 1)/s) + 1 are the same expression: the branches "
            "have equal lengths (as + requires) and so has the merged layer.",
        ),
    ),
    Lemma(
        name="branch_merging",
        statement="conv(a[c], stride=s, padding=(u+q, v+c-e-q)) + conv(b[e], stride=s, padding=(u, v)) == "
                  "conv(a + padk(b, q, c-e-q), stride=s, padding=(u+q, v+c-e-q))",
        condition="e <= c and q <= c-e (b fits inside a's window at offset q)",
        parameters=(Parameter("c", 1, 3), Parameter("e", 1, 3, "c", lambda c, **_: c),
                    Parameter("q", 0, 2, "c-e", lambda c, e, **_: c - e),
                    Parameter("u", 0, 1), Parameter("v", 0, 1), Parameter("s", 1, 2)),
        schema=lambda c, e, q, u, v, s: (
            f"conv(a[{c}], stride={s}, padding=({u + q}, {v + c - e - q})) "
            f"+ conv(b[{e}], stride={s}, padding=({u}, {v}))",
            f"conv(a + padk(b, {q}, {c - e - q}), stride={s}, padding=({u + q}, {v + c - e - q}))"),
        proof=_proof(
            "Taps: let L = u + q be the a-branch's left padding. The b-branch reads x[s i + j - u] = x[s i + (j "
            "+ q) - L]: its taps sit at positions q .. q + e - 1 of the a-branch's window. The sum is the "
            "correlation with A(z) + z^q B(z), the polynomial of a + padk(b, q, c - e - q) (c taps), with the "
            "a-branch's padding.",
            "Lengths: n + (u + q) + (v + c - e - q) - c = n + u + v - e on the a-branch, on the b-branch and on "
            "the merged layer: floor((n + u + v - e)/s) + 1 on all three, clamped at 0.",
        ),
    ),
    Lemma(
        name="pad_crop_cancellation",
        statement="pad(l, r) >> crop(l, r) == pad(0)",
        parameters=(Parameter("l", 0, 3), Parameter("r", 0, 3)),
        schema=lambda l, r: (f"pad({l}, {r}) >> crop({l}, {r})", "pad(0)"),
        proof=_proof(
            "Taps: pad multiplies X(z) by z^l and appends r zeros; crop(l, r) keeps y[i] = xp[i + l] = x[i] for "
            "0 <= i < n, i.e. multiplies by z^{-l} and truncates: Y(z) = X(z), the identity pad(0).",
            "Lengths: n + l + r - l - r = n; at n = 0 both are empty (every layer maps an empty input to an "
            "empty one).",
        ),
    ),
    Lemma(
        name="up_down_cancellation",
        statement="up(s) >> down(s) == pad(0)",
        parameters=(Parameter("s", 1, 5),),
        schema=lambda s: (f"up({s}) >> down({s})", "pad(0)"),
        proof=_proof(
            "Taps: up(s) gives U(z) = X(z^s); down(s) keeps the coefficients of z^{s i}: y[i] = u[s i] = x[i], "
            "Y(z) = X(z).",
            "Lengths: ceil(((n - 1)s + 1)/s) = n - 1 + ceil(1/s) = n for n >= 1, and 0 at n = 0.",
        ),
    ),
    Lemma(
        name="adjoint_of_strided_conv",
        kind="adjoint",
        statement="<conv(W[K, M, c], stride=s, padding=p) x, y> == "
                  "<x, conv_transpose(W, stride=s, padding=p, output_padding=r) y>",
        condition="for every input length n >= 1 with n + 2p - c >= 0 and n + 2p - c = r (mod s), r < s; the "
                  "transposed weight W' is W itself (conv_transpose reads its weight as (in, out, c))",
        parameters=(Parameter("K", 1, 2), Parameter("M", 1, 2), Parameter("c", 1, 3), Parameter("s", 1, 3),
                    Parameter("p", 0, 1), Parameter("r", 0, 2, "s-1", lambda s, **_: s - 1)),
        schema=lambda K, M, c, s, p, r: (f"conv(W[{K}, {M}, {c}], stride={s}, padding={p})",
                                         f"conv_transpose(W, stride={s}, padding={p}, output_padding={r})"),
        proof=_proof(
            "Matrices: conv gives y[o, i] = sum_{m,j} W[o, m, j] x[m, s i + j - p], so its matrix A has the "
            "entry A[(o, i), (m, t)] = sum of W[o, m, j] over j = t + p - s i. conv_transpose with the same "
            "array scatters w[m, s i + j - p] += W[o, m, j] y[o, i] (weight dim 0 is its input channel o), so "
            "its matrix B has B[(m, t), (o, i)] = the same sum: B = A^T. In z, per channel pair: the adjoint of "
            "the stride-s correlation with W_om(z) is Y(z) -> z^{-p} W_om(z) Y(z^s) (up-sampling, then the "
            "convolution with W_om, then p samples dropped at each end), which is conv_transpose.",
            "Lengths: conv gives q = floor((n + 2p - c)/s) + 1 outputs and conv_transpose maps them to (q - 1)s "
            "- 2p + c + r = n - ((n + 2p - c) mod s) + r samples: n exactly when r = (n + 2p - c) mod s "
            "(output_padding restores the samples no window reaches).",
        ),
    ),
)

_BY_NAME = {entry.name: entry for entry in LEMMAS}
assert len(_BY_NAME) == len(LEMMAS), "lemma names must be unique"


def lemma(name: str) -> Lemma:
    """The lemma called ``name``.

    >>> lemma("up_down_cancellation").statement
    'up(s) >> down(s) == pad(0)'
    """
    return _find(name)


def _find(name: str) -> Lemma:
    if name not in _BY_NAME:
        raise InvalidArgument("lemma", "name", name, "one of the known lemmas: " + ", ".join(_BY_NAME))
    return _BY_NAME[name]


def instances(lemma: Union[Lemma, str], limit: Optional[int] = None) -> Iterator[Instance]:
    """The members of a lemma on its exhaustive grid, at most ``limit`` of them (all when None).

    >>> [i.lhs for i in instances("up_down_cancellation", limit=2)]
    ['up(1) >> down(1)', 'up(2) >> down(2)']
    """
    entry = _find(lemma) if isinstance(lemma, str) else lemma
    for count, values in enumerate(entry.grid()):
        if limit is not None and count >= limit:
            return
        lhs, rhs = entry.schema(**values)
        yield Instance(entry.name, tuple(values.items()), lhs, rhs)
