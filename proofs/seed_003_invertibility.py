"""Seed 003: invertibility of CNNs (Gilbert et al., 2017), claims C3.1-C3.3.

Setting (fixed here because the note leaves it implicit). An input x has M
channels of length D; a filter bank has K filters w_k of shape M x l, entries
i.i.d. N(0, 1/(M l)); the stride is t and n = (D - l)/t + 1 the number of
positions. The layer is ``W = conv(W[K, M, l], stride=t)``, a Kn x MD
matrix with ``(W x)[k, i] = <w_k, x[:, t i : t i + l]>``. A hidden vector
z in R^{Kn} is *model-k-sparse* when at each position i at most k of the K
entries z[:, i] are non-zero; ``M(h, k)`` keeps the k entries of largest
magnitude at each position (the note's max pooling over channels, k <= K).
W^T has the model-RIP with constant delta_k when
``(1 - delta_k) |z|^2 <= |W^T z|^2 <= (1 + delta_k) |z|^2`` for every
model-k-sparse z.

With t = l the positions do not overlap and the constant is exact:
delta_k = max over k-subsets S of the filters of ||G_S - I||_2, G the Gram
matrix of the filters (independent of n). With t < l it is estimated from
below by sampling supports.

Correction: the note states Theorem 3.3 for every input x. For an x in the
kernel of W (non-trivial whenever Kn < MD) the reconstruction is 0 and the
error is |x|, which exceeds the bound whenever the bound is below 1. The
theorem needs x = W^T z with z model-k-sparse; that version is checked.
"""

import itertools
import math

import numpy as np
import sympy

from symconv import theorem
from symconv.core.kernel import kernel
from symconv.core.layers import conv, conv_transpose
from symconv.numeric import evaluate_numeric
from symconv.library import Evidence, inequality, mean_ci, shapes
from symconv.library.matrices import exact_matrix

SOURCE = "seed 003 (Gilbert et al. 2017, invertibility of CNNs)"
n = sympy.Symbol("n")

# --- C3.1: the layer as a matrix, its transpose, its size --------------------------------------

ADJOINT_SIZES = [(K, M, l, t) for K, M in [(1, 1), (2, 3)] for l in (1, 2, 3) for t in (1, 2, 3)]


def _adjoint() -> Evidence:
    count = 0
    for K, M, l, t in ADJOINT_SIZES:
        W = kernel("W", K, M, l)
        for D in range(l, 11):
            A, _ = exact_matrix(conv(W, stride=t), D)
            positions = (D - l) // t + 1
            B, _ = exact_matrix(conv_transpose(W, stride=t, output_padding=(D - l) % t), positions, channels=K)
            if B != A.T:
                return Evidence("refuted", f"conv_transpose differs from the transpose at K={K}, M={M}, l={l}, "
                                           f"t={t}, D={D}", counterexample={"K": K, "M": M, "l": l, "t": t, "D": D})
            count += 1
    return Evidence("proved", f"matrix of conv_transpose = transpose of the matrix of conv, exactly, in {count} "
                              f"cases", {"cases": count})


theorem("conv_transpose_is_the_adjoint", check=_adjoint,
        statement="<conv(W, stride=t) x, y> = <x, conv_transpose(W, stride=t, output_padding=(D - l) mod t) y> "
                  "for symbolic W[K, M, l]: the exact matrices are transposes, for (K, M) in {(1, 1), (2, 3)}, "
                  "l, t in {1, 2, 3} and every D from l to 10",
        claims=["C3.1"], source=SOURCE,
        note="exact over the listed sizes (a finite scope); every D needs an adjoint rule in the prover "
             "(pending). output_padding restores the (D - l) mod t input samples no window reaches")

for l, t in [(3, 1), (4, 2), (5, 3), (3, 3)]:
    shapes(f"output_positions_l{l}_t{t}", f"conv(W[4, 3, {l}], stride={t})", length=(n - l) / t + 1,
           modulus=t, residues=[l % t], min_n=l, claims=["C3.1"], source=SOURCE,
           note="the note's n = (D - l)/t + 1 holds exactly when t divides D - l (else floor((D - l)/t) + 1)")
    shapes(f"output_positions_general_l{l}_t{t}", f"conv(W[4, 3, {l}], stride={t})",
           length=sympy.floor((n - l) / t) + 1, min_n=l, claims=["C3.1"], source=SOURCE)

for r in range(3):
    shapes(f"transpose_restores_the_input_length_r{r}",
           f"conv(W[2, 3, 4], stride=3) >> conv_transpose(W, stride=3, output_padding={r})",
           length=n, modulus=3, residues=[(4 + r) % 3], min_n=4, claims=["C3.1"], source=SOURCE,
           note=f"W^T W maps R^(MD) to itself when output_padding = (D - l) mod t, here {r}")

# --- the random filter bank --------------------------------------------------------------------


def _filters(K: int, M: int, l: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(scale=1 / math.sqrt(M * l), size=(K, M, l))


def _layer_matrix(w: np.ndarray, D: int, t: int) -> np.ndarray:
    """The Kn x MD matrix, rows (k, i) -> k n + i, columns (m, u) -> m D + u; checked against symconv."""
    K, M, l = w.shape
    positions = (D - l) // t + 1
    A = np.zeros((K * positions, M * D))
    for k in range(K):
        for i in range(positions):
            for m in range(M):
                A[k * positions + i, m * D + t * i: m * D + t * i + l] = w[k, m]
    x = np.random.default_rng(0).normal(size=(M, D))
    y = evaluate_numeric(conv(kernel("W", K, M, l), stride=t), x, {"W": w})
    if not np.allclose(A @ x.ravel(), y.ravel()):
        raise AssertionError("the layer matrix disagrees with symconv's conv")
    return A


def _rip_exact(w: np.ndarray, k: int) -> float:
    """delta_k for t = l: max over k-subsets S of filters of ||G_S - I||_2."""
    flat = w.reshape(w.shape[0], -1)
    G = flat @ flat.T
    worst = 0.0
    for S in itertools.combinations(range(len(G)), k):
        eig = np.linalg.eigvalsh(G[np.ix_(S, S)])
        worst = max(worst, abs(eig[0] - 1), abs(eig[-1] - 1))
    return worst


def _rip_sampled(A: np.ndarray, K: int, positions: int, k: int, rng, draws: int = 60) -> float:
    """A lower estimate of delta_k: exact extremes over random supports (k filters at every position)."""
    gram, worst = A @ A.T, 0.0
    for _ in range(draws):
        rows = [f * positions + i for i in range(positions) for f in rng.choice(K, size=k, replace=False)]
        eig = np.linalg.eigvalsh(gram[np.ix_(rows, rows)])
        worst = max(worst, abs(eig[0] - 1), abs(eig[-1] - 1))
    return worst


# --- C3.2: model-RIP constants -----------------------------------------------------------------

def _rip_scaling() -> Evidence:
    K, l, k, seeds = 8, 4, 2, range(12)
    rows, means = [], {}
    for M in (4, 16, 64):
        deltas = [_rip_exact(_filters(K, M, l, seed), k) for seed in seeds]
        ci = mean_ci(deltas, 0.99)
        means[M] = ci
        rows.append({"M": M, "delta_2": ci.to_json(), "sqrt(M l) * delta_2": ci.mean * math.sqrt(M * l)})
    decreasing = means[4].mean > means[16].mean > means[64].mean
    holds = means[64].high < 1
    # Overlapping windows (t < l) have larger constants: sampled lower estimates for t = 1.
    rng = np.random.default_rng(7)
    w = _filters(K, 16, l, 99)
    A = _layer_matrix(w, D=24, t=1)
    overlap = _rip_sampled(A, K, 21, k, rng)
    rows.append({"M": 16, "t": 1, "delta_2_sampled_lower_estimate": overlap,
                 "delta_2_same_filters_t_equals_l": _rip_exact(w, k)})
    if decreasing and holds:
        return Evidence("checked", "delta_2 (exact for t = l, 12 seeds) " + "; ".join(
            f"M={M}: {means[M]}" for M in means) + "; it falls like 1/sqrt(M l) and stays below 1",
            {"rows": rows})
    return Evidence("refuted", "delta_2 does not decrease with M, or is not below 1 at M = 64", {"rows": rows},
                    {"rows": rows})


theorem("random_filters_model_rip_constants", check=_rip_scaling,
        statement="for K = 8 Gaussian filters of size M x 4 (variance 1/(M l)) and t = l, the model-RIP constant "
                  "delta_2 of W^T is below 1 with high probability and decreases like 1/sqrt(M l) "
                  "(M = 4, 16, 64; 12 seeds; 99% CI)",
        expect="checked", claims=["C3.2"], source=SOURCE,
        note="Theorem 3.1 asks for M l^2 / D >= C k (log K + log n) / delta^2, which grows with n; with t = l the "
             "exact delta_k does not depend on n at all (positions decouple), so the sufficient condition is "
             "loose in n. Overlapping windows (t < l) raise delta (see data: sampled lower estimate)")

# --- C3.3: reconstruction error ------------------------------------------------------------------

RECON = dict(K=4, M=64, l=8, t=8, positions=6, k=1)


def _recon_setup(seed: int):
    K, M, l, t, positions, k = (RECON[key] for key in ("K", "M", "l", "t", "positions", "k"))
    w = _filters(K, M, l, 500 + seed)
    D = (positions - 1) * t + l
    A = _layer_matrix(w, D, t)
    d1, d2 = _rip_exact(w, k), _rip_exact(w, 2 * k)
    bound = 5 * d2 / (1 - d1) * math.sqrt((1 + d2) / (1 - d2))
    return A, bound


def _pool(h: np.ndarray, K: int, positions: int, k: int) -> np.ndarray:
    """M(h, k): the k entries of largest magnitude at each position, the rest set to 0."""
    blocks = h.reshape(K, positions)
    keep = np.argsort(-np.abs(blocks), axis=0)[:k]
    out = np.zeros_like(blocks)
    np.put_along_axis(out, keep, np.take_along_axis(blocks, keep, axis=0), axis=0)
    return out.ravel()


def _sparse_input(A: np.ndarray, rng) -> np.ndarray:
    K, positions, k = RECON["K"], RECON["positions"], RECON["k"]
    z = np.zeros((K, positions))
    for i in range(positions):
        z[rng.choice(K, size=k, replace=False), i] = rng.normal(size=k)
    return A.T @ z.ravel()


def _recon_error(x: np.ndarray, A: np.ndarray) -> float:
    x_hat = A.T @ _pool(A @ x, RECON["K"], RECON["positions"], RECON["k"])
    return float(np.linalg.norm(x_hat - x) / np.linalg.norm(x))


def _error_on_sparse_inputs(seed: int) -> float:
    A, _ = _recon_setup(seed)
    rng = np.random.default_rng(seed)
    return max(_recon_error(_sparse_input(A, rng), A) for _ in range(20))


def _bound(seed: int) -> float:
    return _recon_setup(seed)[1]


inequality("reconstruction_error_bound_sparse_inputs", _error_on_sparse_inputs, _bound, list(range(8)),
           statement="x = W^T z with z model-1-sparse: |W^T M(W x, 1) - x| / |x| <= 5 d2/(1 - d1) "
                     "sqrt((1 + d2)/(1 - d2)), with the exact model-RIP constants d1, d2 of the random filters "
                     "(K = 4, M = 64, l = t = 8, 6 positions; 8 filter banks x 20 inputs)",
           claims=["C3.3"], source=SOURCE,
           note="the corrected hypothesis: the input is the image of a model-sparse code; the bound is below 1 "
                "here, so it says something")


def _error_on_kernel_vector(seed: int) -> float:
    A, _ = _recon_setup(seed)
    r = np.random.default_rng(seed).normal(size=A.shape[1])
    x = r - A.T @ np.linalg.solve(A @ A.T, A @ r)  # the projection of r on ker W (Kn = 24 < MD = 3072)
    return _recon_error(x, A)


inequality("reconstruction_error_bound_any_input_as_stated", _error_on_kernel_vector, _bound, list(range(3)),
           statement="the note's Theorem 3.3 for every x: |W^T M(W x, 1) - x| <= bound |x| (same filter banks)",
           expect="refuted", claims=["C3.3"], source=SOURCE,
           note="false as stated: for x in ker W the reconstruction is 0 and the relative error is 1, above the "
                "bound (< 1 here). The theorem needs x = W^T z with z model-k-sparse")
