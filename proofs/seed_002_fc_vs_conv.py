"""Seed 002: fully connected versus convolutional layers, and L2 stability (claims C2.1-C2.5).

Conventions: a 1-D layer on M channels of length n is a matrix with rows
(output channel, position) and columns (input channel, position); ``conv`` is
cross-correlation, so the note's ``W(u', u) = W(u' - u)`` is exactly
``A[i, u'] = k[u' - i]`` (stride 1) and ``A[i, u'] = k[u' - s i]`` (stride s).

Toeplitz structure for *every* n follows from two identities the prover
decides (shift equivariance at both ends): cropping s inputs on the left
(right) crops one output on the left (right). Hence
``A_n[i + 1, u + s] = A_{n-s}[i, u] = A_n[i, u]``.

The 2-D statements (C2.3, and the 2-D parameter count of C2.4) use
``conv2d``; 2-D identities are decided for every shape by the product bound.
"""

import numpy as np
import sympy

from symconv import theorem
from symconv.checker import Certificate
from symconv.core.kernel import kernel
from symconv.core.layers_nd import conv2d
from symconv.core.semantics_nd import evaluate_nd, symbolic_input_nd
from symconv.core.layers import conv, relu
from symconv.numeric import evaluate_numeric
from symconv.library import Evidence, inequality, shapes
from symconv.library import facts as kernel_facts
from symconv.library.matrices import exact_matrix, numeric_matrix, operator_norm

SOURCE = "seed 002 (Cheng, lecture notes on CNNs)"

# --- C2.1: a convolution is a banded Toeplitz fully connected layer ---------------------------

SHAPES_21 = [(1, 1), (2, 3), (3, 2)]  # (out, in) channels; the kernel length c is generic

for s in (1, 2, 3):
    for K, M in SHAPES_21:
        suffix = "" if (K, M) == (2, 3) else f"_w{K}x{M}"
        theorem(f"conv_left_crop_equivariance_stride{s}{suffix}",
                lhs=f"crop({s}, 0) >> conv(W[{K}, {M}, c], stride={s})", rhs=f"conv(W, stride={s}) >> crop(1, 0)",
                claims=["C2.1"], source=SOURCE,
                note="shift equivariance at the left end: A_{n-s}[i, u] = A_n[i + 1, u + s] for every n and every "
                     "kernel length c")
        theorem(f"conv_right_crop_equivariance_stride{s}{suffix}",
                lhs=f"crop(0, {s}) >> conv(W[{K}, {M}, c], stride={s})", rhs=f"conv(W, stride={s}) >> crop(0, 1)",
                claims=["C2.1"], source=SOURCE,
                note="at the right end: A_{n-s}[i, u] = A_n[i, u]; with the left-end identity, A_n[i + 1, u + s] "
                     "= A_n[i, u] for every n: the matrix is Toeplitz (block Toeplitz over channels), for every "
                     "kernel length c")


def _toeplitz_formula() -> Evidence:
    """A_n[(o, i), (m, u)] = W[o, m, u - s i] (0 <= u - s i < c), else 0: the note's W(u' - u)."""
    checked = 0
    for s in (1, 2):
        for n in range(1, 9):
            layer = conv(kernel("W", 2, 3, 3), stride=s)
            A, b = exact_matrix(layer, n)
            m = A.rows // 2
            for o in range(2):
                for i in range(m):
                    for mm in range(3):
                        for u in range(n):
                            j = u - s * i
                            want = sympy.Symbol(f"W_{o}_{mm}_{j}") if 0 <= j < 3 else 0
                            if A[o * m + i, mm * n + u] != want:
                                return Evidence("refuted", f"entry ((o={o}, i={i}), (m={mm}, u={u})) at n = {n}, "
                                                           f"s = {s} is {A[o * m + i, mm * n + u]}, not {want}",
                                                counterexample={"n": n, "stride": s, "o": o, "i": i, "m": mm, "u": u})
            if any(v != 0 for v in b):
                return Evidence("refuted", f"non-zero constant term at n = {n}")
            checked += 1
    return Evidence("proved", f"the exact matrix has exactly these entries for {checked} (n, stride) pairs",
                    {"lengths": list(range(1, 9)), "strides": [1, 2]})


#: Shift equivariance at both ends for W[2, 3, 3]: A_n[i + 1, u + s] = A_n[i, u] for every n (Toeplitz).
TOEPLITZ_IDENTITIES = [pair for s in (1, 2) for pair in (
    (f"crop({s}, 0) >> conv(W[2, 3, 3], stride={s})", f"conv(W, stride={s}) >> crop(1, 0)"),
    (f"crop(0, {s}) >> conv(W[2, 3, 3], stride={s})", f"conv(W, stride={s}) >> crop(0, 1)"))]

theorem("conv_matrix_is_banded_toeplitz", check=_toeplitz_formula, certify=TOEPLITZ_IDENTITIES,
        statement="the matrix of conv(W[2, 3, 3], stride=s) on length n has entries "
                  "A[(o, i), (m, u)] = W[o, m, u - s i] when 0 <= u - s i < 3 and 0 otherwise "
                  "(exact, n = 1..8, s = 1, 2); for every n it is Toeplitz, A_n[i + 1, u + s] = A_n[i, u] "
                  "(crop(s, 0) >> conv == conv >> crop(1, 0) and crop(0, s) >> conv == conv >> crop(0, 1))",
        claims=["C2.1"], source=SOURCE,
        note="the explicit form at small n (exact matrices); the Toeplitz structure for every n is the two crop "
             "identities, replayed by the kernel for s = 1, 2")

# --- C2.2: multichannel layer, bias constant in space -----------------------------------------

# Signed integer weights (cancelling taps prove fine now).
W_LIT = "[[[1, -2, 0], [0, 4, -1], [3, 0, 1]], [[0, -1, 1], [2, 0, -5], [-1, 1, 0]]]"
SELECT = ["[[[1], [0], [0]]]", "[[[0], [1], [0]]]", "[[[0], [0], [1]]]"]
PER_INPUT = ["[[[1, -2, 0]], [[0, -1, 1]]]", "[[[0, 4, -1]], [[2, 0, -5]]]", "[[[3, 0, 1]], [[-1, 1, 0]]]"]

theorem("multichannel_layer_is_sum_over_input_channels",
        lhs=f"conv({W_LIT}, padding=1)",
        rhs=" + ".join(f"(conv({sel}) >> conv({f}, padding=1))" for sel, f in zip(SELECT, PER_INPUT)),
        claims=["C2.2"], source=SOURCE,
        note="h(., l) = sum_l' F_{l', l} * x(., l'): a 3 -> 2 channel layer (concrete integer weights) equals "
             "the sum over input channels of single-input layers, for every n")

EMBED = ["[[[1]], [[0]], [[0]]]", "[[[0]], [[1]], [[0]]]", "[[[0]], [[0]], [[1]]]"]

theorem("multichannel_layer_is_sum_over_input_channels_symbolic",
        lhs="conv(W[2, 3, 3], padding=1)",
        rhs=" + ".join(f"(conv({sel}) >> conv(convolve({e}, W), padding=1))" for sel, e in zip(SELECT, EMBED)),
        claims=["C2.2"], source=SOURCE,
        note="the same for a symbolic W: convolve(E_l, W) is W[:, l, :] as a one-input weight (E_l puts one channel "
             "on input l), so h(., l) = sum_l' W(., l', l) * x(., l') for every W and every n")

theorem("bias_is_constant_in_space",
        lhs="conv(W[2, 3, 3], padding=1, bias=b)",
        rhs="conv(W, padding=1) + conv([[[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]], "
            "padding=1, bias=b)",
        claims=["C2.2"], source=SOURCE,
        note="the bias adds the signal b(l) at every position, padded ends included (a zero-weight layer with "
             "bias b outputs the constant b)")

theorem("bias_commutes_with_subsampling",
        lhs="conv(W[2, 3, 3], bias=b) >> down(2)", rhs="conv(W, stride=2, bias=b)",
        claims=["C2.2"], source=SOURCE)

# --- C2.3: the 2-D version -----------------------------------------------------------------------
# Decided for every input shape (n1, n2) by the product bound of symconv.prover.decide2d.

theorem("conv2d_stride_is_conv_then_subsample",
        lhs="conv2d(k[3, 3], stride=2)", rhs="conv2d(k) >> down((2, 2))",
        claims=["C2.3"], source=SOURCE,
        note="a strided 2-D layer is the stride-1 layer subsampled on both axes, for every shape (n1, n2)")

theorem("conv2d_is_block_toeplitz",
        lhs="crop((1, 0), (0, 0)) >> conv2d(W[2, 3, 3, 3])", rhs="conv2d(W) >> crop((1, 0), (0, 0))",
        claims=["C2.3"], source=SOURCE,
        note="shift equivariance along the rows: h(u, l) = sum_{l'} sum_{u'} W_{l', l}(u' - u) x(u', l') depends "
             "on u' - u only, so the matrix is block Toeplitz (with the next theorem, in both axes)")

theorem("conv2d_is_block_toeplitz_columns",
        lhs="crop((0, 1), (0, 0)) >> conv2d(W[2, 3, 3, 3])", rhs="conv2d(W) >> crop((0, 1), (0, 0))",
        claims=["C2.3"], source=SOURCE)

theorem("conv2d_bias_is_constant_in_space",
        lhs="conv2d(W[2, 1, 2, 2], bias=[1, -2]) >> down((2, 1))", rhs="conv2d(W, stride=(2, 1), bias=[1, -2])",
        claims=["C2.3"], source=SOURCE,
        note="the bias b(l) is added at every position, so it commutes with subsampling")

theorem("conv2d_stride_with_padding_is_not_padding_then_stride",
        lhs="conv2d(k[3, 3], stride=2, padding=1)", rhs="pad((1, 1)) >> conv2d(k) >> down((2, 2)) >> crop((0, 0), (1, 1))",
        expect="refuted", claims=["C2.3"], source=SOURCE,
        note="a mutation: the crop removes the last row and column, which the strided layer keeps for odd sizes")

# --- C2.4: parameter counts -------------------------------------------------------------------

COUNT_CASES = [(1, 1, 3, 8), (2, 3, 3, 7), (4, 2, 5, 9), (3, 3, 1, 5)]


def _parameter_counts() -> Evidence:
    rows = []
    for K, M, c, n in COUNT_CASES:
        A, _ = exact_matrix(conv(kernel("W", K, M, c)), n)
        m = n - c + 1
        symbols = A.free_symbols
        occurrences = {s: 0 for s in symbols}
        for entry in A:
            if entry != 0:
                occurrences[entry] += 1
        row = {"K": K, "M": M, "c": c, "n": n, "dense": A.rows * A.cols, "conv": len(symbols)}
        rows.append(row)
        if A.shape != (K * m, M * n) or len(symbols) != K * M * c or set(occurrences.values()) != {m}:
            return Evidence("refuted", f"counts differ at {row}", {"cases": rows}, row)
    return Evidence("proved", "exact counts on every listed case", {"cases": rows})


shapes("parameter_counts_dense_vs_conv_1d", check=_parameter_counts,
       certify=[(f"conv(W[{K}, {M}, {c}])", sympy.Symbol("n") - c + 1, c) for K, M, c, _ in COUNT_CASES],
       statement="the matrix of conv(W[K, M, c]) on length n is (K m) x (M n), m = n - c + 1 (a dense layer "
                 "between these shapes has K m M n weights), but it holds only K M c distinct weights, each in "
                 "exactly m entries (weight sharing); exact for (K, M, c, n) in "
                 + ", ".join(map(str, COUNT_CASES)) + ", and m = len(conv(W[K, M, c]))(n) = n - c + 1 for every "
                 "n >= c",
       claims=["C2.4"], source=SOURCE,
       note="1-D analogue of the note's N^2 N^2 M' M (dense) against k^2 M' M (convolution); the 2-D count "
            "is the next theorem. The output length m is a length formula replayed by the kernel; the counts of "
            "weights rest on the exact matrices")

COUNT_CASES_2D = [(1, 1, 3, 5), (2, 3, 3, 4), (3, 2, 2, 4)]


def _parameter_counts_2d() -> Evidence:
    rows = []
    for K, M, k, N in COUNT_CASES_2D:
        layer = conv2d(kernel("W", K, M, k, k))
        x = symbolic_input_nd((N, N), M)
        inputs = set(x.values.values())
        y = evaluate_nd(layer, x)
        m = N - k + 1
        occurrences: dict = {}
        for plane in y:
            for line in plane:
                for value in line:
                    for term in sympy.Add.make_args(value):
                        weight = [f for f in sympy.Mul.make_args(term) if f not in inputs]
                        occurrences[weight[0]] = occurrences.get(weight[0], 0) + 1
        row = {"K": K, "M": M, "k": k, "N": N, "dense": (K * m * m) * (M * N * N), "conv": len(occurrences)}
        rows.append(row)
        if len(occurrences) != K * M * k * k or set(occurrences.values()) != {m * m}:
            return Evidence("refuted", f"counts differ at {row}", {"cases": rows}, row)
    return Evidence("proved", "exact counts on every listed case", {"cases": rows})


shapes("parameter_counts_dense_vs_conv_2d", check=_parameter_counts_2d,
       certify=[(f"conv2d(W[{K}, {M}, {k}, {k}])", (sympy.Symbol("n") - k + 1,) * 2, k)
                for K, M, k, _ in COUNT_CASES_2D],
       statement="the matrix of conv2d(W[K, M, k, k]) on N x N inputs maps M N^2 inputs to K m^2 outputs, "
                 "m = N - k + 1 (a dense layer between these shapes has K m^2 M N^2 weights, the note's "
                 "N^2 N^2 M' M for m = N), but it holds only K M k^2 distinct weights, each in exactly m^2 entries; "
                 "exact for (K, M, k, N) in " + ", ".join(map(str, COUNT_CASES_2D)) + ", and the output shape "
                 "len(conv2d(W[K, M, k, k]))(n1, n2) = (n1 - k + 1, n2 - k + 1) for every n1, n2 >= k",
       claims=["C2.4"], source=SOURCE,
       note="the output shape (one length formula per axis) is replayed by the kernel; the counts of weights "
            "rest on the exact symbolic outputs")

# --- C2.5: L2 stability -----------------------------------------------------------------------

LAYERS = [dict(K=K, M=M, c=c, s=s, n=n, seed=seed)
          for seed, (K, M, c, s, n) in enumerate([(1, 1, 3, 1, 32), (2, 3, 3, 1, 24), (3, 2, 5, 2, 40),
                                                  (4, 4, 3, 2, 32), (2, 2, 4, 3, 48), (3, 1, 7, 1, 64),
                                                  (1, 3, 2, 2, 20), (4, 2, 3, 1, 64)])]


def _weights(case) -> np.ndarray:
    return np.random.default_rng(1000 + case["seed"]).normal(size=(case["K"], case["M"], case["c"]))


def _layer_norm(case) -> float:
    layer = conv(kernel("W", case["K"], case["M"], case["c"]), stride=case["s"])
    return operator_norm(numeric_matrix(layer, case["n"], {"W": _weights(case)}))


def _young_bound(case) -> float:
    # ||y_o|| <= sum_m ||W_om||_1 ||x_m||, so ||y|| <= ||B||_2 ||x|| with B[o, m] = ||W_om||_1.
    return float(np.linalg.norm(np.abs(_weights(case)).sum(axis=2), 2))


def _polyphase_slots(c: int, s: int) -> dict:
    """Where the polyphase bookkeeping puts each tap: tap j of W[o, m] goes to phase p = j mod s, slot
    b = j div s of P[o, m s + p] (``{(p, b): [j]}``, one tap per slot)."""
    slots = {}
    for j in range(c):
        slots.setdefault((j % s, j // s), []).append(j)
    return slots


def _transfer_bound(case, grid: int = 2048) -> float:
    """sup_w ||H(w)||_2 of the polyphase transfer matrix, bounded from above (grid max + slope * step / 2)."""
    W, s = _weights(case), case["s"]
    K, M, c = W.shape
    taps = -(-c // s)
    P = np.zeros((K, M * s, taps))
    for (p, b), js in _polyphase_slots(c, s).items():
        for j in js:
            P[:, np.arange(M) * s + p, b] += W[:, :, j]
    w = np.linspace(0, 2 * np.pi, grid, endpoint=False)
    H = np.einsum("kra,wa->wkr", P, np.exp(1j * np.outer(w, np.arange(taps))))
    peak = float(np.linalg.svd(H, compute_uv=False)[:, 0].max())
    slope = float(np.sum(np.abs(P) * np.arange(taps)))  # >= |d/dw ||H(w)|||
    return float(peak + slope * (2 * np.pi / grid) / 2)


# Each C2.5 inequality holds for every weight, length and input by standard steps. Its exact steps are kernel
# facts (symconv.library.facts: polynomial identities and nonnegative_combination), the other steps are named
# in rests_on, and the numeric instances must agree (a violation would refute the theorem, and tests/library
# shows the comparison is tight enough to see one).


def _polyphase_identity(c: int, s: int) -> Certificate:
    """The fact W(z) = sum_p z^p P_p(z^s) in the taps W0..W(c-1) and z, P_p the taps the bookkeeping
    (:func:`_polyphase_slots`) puts on phase p: an identity in independent taps holds only when every tap
    lands once, on the exponent j = p + s b (so the taps of P[o, (m, .)] are those of W[o, m], each once)."""
    taps = [f"W{j}" for j in range(c)]
    lhs = " + ".join(f"{w}*z**{j}" for j, w in enumerate(taps))
    phases = {}
    for (p, b), js in sorted(_polyphase_slots(c, s).items()):
        phases.setdefault(p, []).extend(f"{taps[j]}*(z**{s})**{b}" for j in js)
    rhs = " + ".join(f"z**{p}*({' + '.join(terms)})" for p, terms in sorted(phases.items()))
    return kernel_facts.identity(lhs, rhs, taps + ["z"])


TRANSFER_STEPS = [
    "argument: A_n is a compression of the bi-infinite block Toeplitz operator T of conv(W, stride=s) (entries "
    "W[o, m, u - s i]: conv_matrix_is_banded_toeplitz and the crop identities), so ||A_n||_2 <= ||T||_2",
    "argument: on the polyphase components x_(m, p)[t] = x_m[s t + p], T is the K x (M s) filter matrix "
    "P[o, (m, p)] (the polyphase identity W_om(z) = sum_p z^p P_(o, (m, p))(z^s)); by Parseval ||T||_2 = "
    "sup_w ||H(w)||_2",
    "computation: numeric instances (8 random Gaussian layers): ||A_n||_2 by SVD against sup_w ||H(w)||_2, "
    "bounded above by its maximum on a 2048-point grid plus its slope bound times half the step",
]
YOUNG_STEPS = [
    "argument: |H(w)[o, (m, p)]| <= sum_b |P[o, (m, p), b]| (triangle inequality); with the polyphase identity "
    "(every tap of W[o, m] on one phase, once) sum_p |H(w)[o, (m, p)]| <= sum_j |W[o, m, j]| = B[o, m]",
    "argument: |x_(m, p)| <= ||x_m||, so |(H(w) x)_o| <= sum_m B[o, m] ||x_m|| and ||H(w) x|| <= ||B||_2 ||x|| "
    "(entrywise domination by a non-negative matrix)",
    "computation: numeric instances (the same 8 layers): sup_w ||H(w)||_2 bounded above as for the previous "
    "theorem against ||B||_2 by SVD",
]


def _phases_partition_the_taps() -> list[Certificate]:
    """The polyphase identity of every layer shape of LAYERS, replayed by the kernel."""
    shapes_cs = dict.fromkeys((case["c"], case["s"]) for case in LAYERS)
    return [_polyphase_identity(c, s) for c, s in shapes_cs]


#: The sign cases of a >= b (u, v >= 0; the inequality is symmetric in a and b): a, b as texts, and whether relu
#: keeps each of them (relu(t) = t, which needs t >= 0) or makes it 0 (which needs -t >= 0).
RELU_CASES = [("v + u", "v", True, True),          # a >= b >= 0
              ("u", "-v", True, False),            # a >= 0 >= b
              ("-u", "-u - v", False, False)]      # 0 >= a >= b


def _relu_is_one_lipschitz() -> list[Certificate]:
    """|relu(a) - relu(b)| <= |a - b| for all real a, b, as facts in u, v >= 0 for each sign case with a >= b:
    the signs of a and b that give relu's values, a - b >= 0 and relu(a) - relu(b) >= 0 (so both |.| drop), and
    the gap (a - b) - (relu(a) - relu(b)) >= 0."""
    facts = []
    for a, b, keeps_a, keeps_b in RELU_CASES:
        ra, rb = (a if keeps_a else "0"), (b if keeps_b else "0")
        signs = [t if keeps else f"-({t})" for t, keeps in ((a, keeps_a), (b, keeps_b))]
        texts = signs + [f"({a}) - ({b})", f"({ra}) - ({rb})", f"(({a}) - ({b})) - (({ra}) - ({rb}))"]
        facts += [kernel_facts.nonnegative(text, ["u", "v"], ["u", "v"]) for text in texts]
    return facts


LIPSCHITZ_STEPS = [
    "argument: relu(t) = t for t >= 0 and 0 for t <= 0; the three sign cases of a >= b cover every pair, and "
    "|relu(a) - relu(b)| <= |a - b| is symmetric in a and b",
    "argument: f(x + dx) - f(x) = A2 (relu(a') - relu(a)) with a' - a = A1 dx (the biases cancel); entrywise "
    "|relu(a') - relu(a)| <= |a' - a| gives ||f(x + dx) - f(x)|| <= ||A2|| ||A1 dx|| <= ||A2|| ||A1|| ||dx||",
    "computation: numeric instances (4 random networks, 50 pairs (x, dx) each): difference quotients against "
    "||A2||_2 ||A1||_2 by SVD",
]


def _relu_derivative_within_one() -> list[Certificate]:
    """d relu(t)/dt is 1 for t > 0 and 0 for t < 0 (difference quotients for |h| < |t|, identities in t, h), so
    D(x) = diag(relu'(h)) has entries d in {0, 1} and ||D y||^2 = sum d_i^2 y_i^2 <= ||y||^2: y^2 - (d y)^2
    >= 0 for each d."""
    return [kernel_facts.identity("((t + h) - t)/h", "1", ["t", "h"]),
            kernel_facts.identity("(0 - 0)/h", "0", ["h"])] + [
        kernel_facts.nonnegative(f"y**2 - ({d}*y)**2", ["y"], []) for d in (1, 0)]


JACOBIAN_STEPS = [
    "argument: relu(t + h) = t + h when t > 0 and |h| < t, and 0 when t < 0 and |h| < -t, so relu'(t) is the "
    "limit of those difference quotients as h -> 0",
    "argument: J_f(x) = A2 D(x) A1 with D(x) = diag(relu'(h)) (chain rule where f is differentiable; the biases "
    "are constant); ||D(x) y||^2 = sum d_i^2 y_i^2 <= ||y||^2, and ||A2 D A1|| <= ||A2|| ||D|| ||A1|| "
    "(submultiplicativity)",
    "computation: numeric instances (4 random networks, 20 inputs each): ||J_f(x)||_2 against ||A2||_2 ||A1||_2 "
    "by SVD",
]


def _by_steps(steps: str, facts, rests_on: list, quantity, bound, cases):
    """A check: proved when the kernel replays every exact fact (``facts()``, the claim's exact steps; the rest
    of the argument is ``rests_on``) and every numeric instance agrees (quantity <= bound)."""
    def check() -> Evidence:
        replayed = kernel_facts.replay_facts(facts(), rests_on)
        if not replayed.replayed:
            return Evidence("unknown", f"an exact step is not established: {replayed.describe()}", replayed.data())
        rows, tightest = [], 0.0
        for case in cases:
            q, b = float(quantity(case)), float(bound(case))
            rows.append({"case": case, "quantity": q, "bound": b})
            if not q <= b * (1 + 1e-9):
                return Evidence("refuted", f"{q:.6g} > {b:.6g} at {case!r}", {"cases": rows},
                                {"case": dict(case), "quantity": q, "bound": b})
            tightest = max(tightest, q / b if b else 0.0)
        return Evidence("proved", f"{steps}; exact steps: {replayed.describe()}; {len(rows)} numeric instances agree "
                                  f"(tightest quantity/bound {tightest:.4g})",
                        {"cases": rows, "tightest_ratio": tightest, **replayed.data()})
    return check


inequality("strided_layer_norm_below_transfer_sup", expect="proved",
           check=_by_steps("A_n is a compression of the bi-infinite block Toeplitz operator T (its entries are "
                           "W[o, m, u - s i], conv_matrix_is_banded_toeplitz and the crop identities), so ||A_n|| "
                           "<= ||T||; and ||T|| = sup_w ||H(w)||_2 by Parseval on the polyphase components",
                           _phases_partition_the_taps, TRANSFER_STEPS, _layer_norm, _transfer_bound, LAYERS),
           statement="for every W[K, M, c], stride s and length n: ||conv(W, stride=s)||_{2 -> 2} <= sup_w "
                     "||H(w)||_2, H the K x (M s) polyphase transfer matrix (the exact norm on l2(Z)); "
                     "numeric instances: random Gaussian W, 8 shapes",
           claims=["C2.5"], source=SOURCE,
           note="proved for every W and n by compression (a finite section has norm at most that of the operator) "
                "and Parseval; the polyphase bookkeeping is checked exactly on symbolic W. The numeric side computes "
                "the sup on a grid plus a slope bound (an upper bound), and must agree")

inequality("transfer_sup_below_young_bound", expect="proved",
           check=_by_steps("|H(w)[o, (m, p)]| <= sum_b |P[o, (m, p), b]| (triangle inequality), and the phases "
                           "partition the taps, so sum_p |H(w)[o, (m, p)]| <= B[o, m]; with |x_(m, p)| <= ||x_m||, "
                           "|(H x)_o| <= sum_m B[o, m] ||x_m||, hence ||H(w) x|| <= ||B||_2 ||x|| (entrywise "
                           "domination by a non-negative matrix)",
                           _phases_partition_the_taps, YOUNG_STEPS, _transfer_bound, _young_bound, LAYERS),
           statement="for every W[K, M, c] and stride s: sup_w ||H(w)||_2 <= ||B||_2 with B[o, m] = "
                     "sum_j |W[o, m, j]| (Young's inequality per channel pair, Cauchy-Schwarz across channels); "
                     "numeric instances: the same layers",
           claims=["C2.5"], source=SOURCE,
           note="explicit constant independent of n: bounded taps |W| <= w give Lipschitz <= c w sqrt(K M), "
                "whereas a dense layer with |W_ij| <= w only gets w sqrt(d_x d_h), which grows with the size: "
                "the note's Proposition 1 holds for every fixed size, with constants that explode for dense layers")

NETWORKS = [dict(seed=seed, n=n) for seed, n in enumerate([16, 24, 33, 40])]


def _network(case):
    rng = np.random.default_rng(2000 + case["seed"])
    W1, W2 = rng.normal(size=(4, 2, 3)), rng.normal(size=(3, 4, 5))
    b1, b2 = rng.normal(size=4), rng.normal(size=3)
    first = conv(kernel("W1", 4, 2, 3), stride=2, padding=1, bias="b1")
    second = conv(kernel("W2", 3, 4, 5), padding=2, bias="b2")
    return first, second, {"W1": W1, "W2": W2, "b1": b1, "b2": b2}


def _local_lipschitz(case) -> float:
    """max over random inputs of ||J_f(x)||_2 = ||A2 D(x) A1||_2 (D: the ReLU's 0/1 pattern)."""
    first, second, values = _network(case)
    n = case["n"]
    lin1 = conv(kernel("W1", 4, 2, 3), stride=2, padding=1)
    lin2 = conv(kernel("W2", 3, 4, 5), padding=2)
    A1, A2 = numeric_matrix(lin1, n, values), numeric_matrix(lin2, (n + 1) // 2, values)
    rng = np.random.default_rng(case["seed"])
    worst = 0.0
    for _ in range(20):
        x = rng.normal(size=(2, n))
        h = evaluate_numeric(first, x, values).ravel()
        J = A2 @ (np.diag((h > 0).astype(float)) @ A1)
        worst = max(worst, operator_norm(J))
    return worst


def _product_bound(case) -> float:
    first, second, values = _network(case)
    n = case["n"]
    A1 = numeric_matrix(conv(kernel("W1", 4, 2, 3), stride=2, padding=1), n, values)
    A2 = numeric_matrix(conv(kernel("W2", 3, 4, 5), padding=2), (n + 1) // 2, values)
    return operator_norm(A2) * operator_norm(A1)


def _difference_quotient(case) -> float:
    first, second, values = _network(case)
    net = first >> relu() >> second
    rng = np.random.default_rng(10 + case["seed"])
    worst = 0.0
    for _ in range(50):
        x, dx = rng.normal(size=(2, case["n"])), rng.normal(size=(2, case["n"])) * 10.0 ** rng.uniform(-3, 0)
        num = np.linalg.norm(evaluate_numeric(net, x + dx, values) - evaluate_numeric(net, x, values))
        worst = max(worst, num / np.linalg.norm(dx))
    return worst


inequality("relu_network_jacobian_below_product_of_norms", expect="proved",
           check=_by_steps("J_f(x) = A2 D(x) A1 with D(x) = diag(relu'(h)) (chain rule; the biases are constant), "
                           "||D(x)||_2 <= 1, and ||A2 D A1|| <= ||A2|| ||D|| ||A1|| (submultiplicativity)",
                           _relu_derivative_within_one, JACOBIAN_STEPS, _local_lipschitz, _product_bound, NETWORKS),
           statement="for all weights and biases and every x where f is differentiable: f = conv(W1, stride=2, "
                     "padding=1, bias) >> relu >> conv(W2, padding=2, bias) has ||J_f(x)||_2 <= ||A2|| ||A1|| "
                     "(A1, A2 the layers' matrices); numeric instances: 4 networks, 20 inputs each",
           claims=["C2.5"], source=SOURCE)

inequality("relu_network_difference_quotients_below_product", expect="proved",
           check=_by_steps("f(x + dx) - f(x) = A2 (relu(a') - relu(a)) with a' - a = A1 dx (the biases cancel), "
                           "|relu(a') - relu(a)| <= |a' - a| entrywise, so ||f(x + dx) - f(x)|| <= ||A2|| ||A1 dx|| "
                           "<= ||A2|| ||A1|| ||dx||",
                           _relu_is_one_lipschitz, LIPSCHITZ_STEPS, _difference_quotient, _product_bound, NETWORKS),
           statement="for all weights, biases, x and dx: ||f(x + dx) - f(x)|| <= ||A2|| ||A1|| ||dx|| (the note's "
                     "L2 stability with an explicit constant); numeric instances: the same networks, 50 pairs each",
           claims=["C2.5"], source=SOURCE)
