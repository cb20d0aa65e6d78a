"""Print the README's library tables (per file, per claim, every theorem) from a run of ``symconv check``.

Usage: ``python tools/library_tables.py [PATH...]`` (default ``proofs/``); paste the
output over the tables under "The theorem library" in README.md.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from symconv.library.run import check

VERDICTS = ("proved", "checked", "refuted", "unknown")

#: How general each claim's proof is (kept beside the verdict counts in README's per-claim table).
SCOPE = {
    "C0.1": "eq. 10 for every second-layer size M (generic c) at N = 1..5, and for L <= 6 by derive; closed-form "
            "weights (simplest, minimum-norm) for symbolic q, L = 2..5; 2-D 5x5 = two 3x3 for symbolic q",
    "C0.2": "the note's signed q = [1, -2, 3, 0, 4], and symbolic q[5]",
    "C0.3": "bounded inputs: symbolic q[5], every B; any input (existence): symbolic q, N = 4, 5, L = N..N+3 and "
            "q[7] with 4 channels; N = 3 for the note's q = [1, -2, 3, 0, 4] (real quadratic factors); N = 2 for "
            "q with a real root, and impossible for q = [1, -2, 3, 0, 4] (kink case analysis mechanised, three "
            "standard reductions by hand)",
    "C1.1": "every kernel length c (generic), every n; several channels; padding between the layers decided "
            "for c, p <= 6",
    "C1.2": "the floor identity and the padding rule 3c - 6 <= P <= 3c - 3 for every c and n (SymPy); engine "
            "cross-checks for c <= 6",
    "C1.3": "strides 2, 3, 4 for every c; the correlation / flipped-filter forms for c <= 5",
    "C2.1": "Toeplitz structure for every n and c, weights (1, 1), (2, 3), (3, 2) channels, strides 1..3; "
            "explicit entries for n <= 8",
    "C2.2": "symbolic W[2, 3, 3] and a signed literal weight, every n",
    "C2.3": "every input shape, symbolic 3x3 weights",
    "C2.4": "exact counts on listed (K, M, c, n) and (K, M, k, N)",
    "C2.5": "every weight, length and input (standard steps, the computational ones exact); numeric instances "
            "agree",
    "C3.1": "adjoint for every D via the lemma schema, (K, M) in {(1,1), (2,3), (3,2), (1,4)}, l, t <= 3; "
            "lengths for every D",
    "C3.2": "tail bound P(delta_2 >= d) <= 3K(K-1)/(M l d^2) for t = l, all sizes (proved); the 1/sqrt(M l) "
            "decay checked; t < l bracketed by a sampled and a Gershgorin bound",
    "C3.3": "every model-1-sparse input for 8 banks with t = l (exact); the note's 'every input' refuted",
    "C4.1": "symbolic angle, Gaussian and isotropic weights (a rotation step by hand)",
    "C4.2": "routes exact for every n; the limit's constant checked (an identity exact at every K)",
    "C4.3": "(pi - 1)/K and the Markov bound for every K and delta; the 1/K rate checked inside Theorem 5.3's "
            "one-route hypothesis",
    "C4.4": "Theorem 5.4's bound for every n and positive x, k = 3, 5, 7; Pearson on 8 listed images",
    "C4.5": "checked (constant exact at every K, convergence rate)",
    "C4.6": "the 227-input table exactly; ceil-mode pooling for every side; PyTorch agreement checked",
}


def _verdict_order(verdict: str) -> tuple:
    return (VERDICTS.index(verdict) if verdict in VERDICTS else len(VERDICTS), verdict)


def tables(paths: list[str]) -> str:
    report = check(paths or None).to_json()
    by_file: dict[str, Counter] = defaultdict(Counter)
    by_claim: dict[str, Counter] = defaultdict(Counter)
    for t in report["theorems"]:
        by_file[t["file"]][t["verdict"]] += 1
        for claim in t["claims"]:
            by_claim[claim][t["verdict"]] += 1
    lines = ["| file | theorems | " + " | ".join(VERDICTS) + " |", "| --- " * (len(VERDICTS) + 2) + "|"]
    for name in sorted(by_file):
        counts = by_file[name]
        lines.append(f"| `{name}` | {sum(counts.values())} | " + " | ".join(str(counts[v]) for v in VERDICTS) + " |")
    lines += ["", "| claim | verdicts of its theorems | how general the proof is |", "| --- | --- | --- |"]
    for claim in sorted(by_claim, key=lambda c: tuple(int(p) for p in c[1:].split("."))):
        counts = by_claim[claim]
        verdicts = ", ".join(f"{counts[v]} {v}" for v in sorted(counts, key=_verdict_order) if counts[v])
        lines.append(f"| {claim} | {verdicts} | {SCOPE.get(claim, '-')} |")
    lines += ["", "<details><summary>Every theorem and its verdict</summary>", "",
              "| file | theorem | claims | verdict |", "| --- | --- | --- | --- |"]
    for t in report["theorems"]:
        claims = ", ".join(t["claims"]) or "-"
        lines.append(f"| `{t['file'].rsplit('/', 1)[-1]}` | `{t['name']}` | {claims} | {t['verdict']} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


if __name__ == "__main__":
    print(tables(sys.argv[1:]))
