"""Benchmark: deciding N-D stride compositions, against evaluating both sides on one symbolic input with SymPy.

For a 2-D chain of four 3x3 stride-2 layers, the 2-D stride-4 composition of
7x7 kernels and a 3-D stride composition, it times the whole ``symconv prove``
process (start-up included) and the decision alone (``decide_nd``, every input
shape), against the baseline of evaluating both sides once, with the core's
SymPy semantics, on the one interior input shape the decision compares (what a
user checking a single shape by hand would run). The ratio is printed.

    python bench/nd_decision.py
"""

from __future__ import annotations

import subprocess
import sys
import time

CASES = [
    ("2-D, four 3x3 stride-2 layers",
     " >> ".join(["conv2d(k[3, 3], stride=2)"] + ["conv2d(k, stride=2)"] * 3),
     "conv2d(convolve(convolve(convolve(k, dilate(k, 2)), dilate(k, 4)), dilate(k, 8)), stride=16)"),
    ("2-D, 7x7 stride 4 twice",
     "conv2d(k[7, 7], stride=4) >> conv2d(k, stride=4)", "conv2d(convolve(k, dilate(k, 4)), stride=16)"),
    ("3-D, 3x3x3 stride 2 twice",
     "conv3d(k[3, 3, 3], stride=2) >> conv3d(k, stride=2)", "conv3d(convolve(k, dilate(k, 2)), stride=4)"),
]


def wall(argv: list[str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout.split(":", 1)[0]


def main() -> None:
    from symconv.core.semantics_nd import outputs_at, run_nd, symbolic_input_nd
    from symconv.dsl import parse_statement
    from symconv.prover.decide_nd import decide_nd

    for title, lhs, rhs in CASES:
        process, verdict = wall([sys.executable, "-m", "symconv.cli", "prove", lhs, rhs])
        left, right = parse_statement(lhs, rhs)
        start = time.perf_counter()
        decision = decide_nd(left, right)
        decided = time.perf_counter() - start
        start = time.perf_counter()
        x = symbolic_input_nd(decision.interior_shape)
        same = run_nd(left, x) == run_nd(right, x)
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        i0 = decision.interior_index
        wanted = [(0, *i0)] + [(0, *(i + (j == k) for j, i in enumerate(i0))) for k in range(len(i0))]
        cones = outputs_at(left, x, wanted) == outputs_at(right, x, wanted)
        cone = time.perf_counter() - start
        print(f"{title}\n  prove (whole process) {process:6.2f} s [{verdict}]\n  decide_nd {decided:6.2f} s "
              f"[{decision.verdict}]\n  baseline: SymPy semantics on the interior shape {decision.interior_shape} "
              f"{baseline:6.2f} s [{same}]   ratio decide/baseline {decided / baseline:5.3f}\n"
              f"  SymPy semantics on the {len(wanted)} interior outputs only (outputs_at) {cone:6.2f} s [{cones}]")


if __name__ == "__main__":
    main()
