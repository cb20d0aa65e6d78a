"""Benchmark: wall time of the README's `symconv prove` and of deriving an 8-layer chain.

Each is measured against a baseline run in the same process tree: starting a
bare Python interpreter that imports SymPy (the unavoidable start-up cost),
and printing the ratio. Targets: the README example under 1 s wall including
start-up, the 8-layer k[3] stride-2 chain derived under 1 s.

    python bench/cli_latency.py
"""

from __future__ import annotations

import subprocess
import sys
import time

README = ["prove", "conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"]
EIGHT_LAYERS = " >> ".join(["conv(k[3], stride=2)"] + ["conv(k, stride=2)"] * 7)


def wall(argv: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    baseline = wall([sys.executable, "-c", "import sympy, numpy"])
    readme = wall([sys.executable, "-m", "symconv.cli", *README])
    print(f"python + import sympy, numpy   {baseline:7.3f} s")
    print(f"symconv prove (README example)  {readme:7.3f} s   ratio {readme / baseline:5.2f}x of start-up")

    from symconv.prover.derive import derive

    start = time.perf_counter()
    d = derive(EIGHT_LAYERS)
    elapsed = time.perf_counter() - start
    assert d.stride == 256 and d.receptive_field == 511 and d.exact
    start = time.perf_counter()
    derive("conv(k[3], stride=2)")
    single = time.perf_counter() - start
    print(f"derive 1 layer                  {single:7.3f} s")
    print(f"derive 8 stride-2 layers        {elapsed:7.3f} s   ratio {elapsed / single:5.1f}x of one layer")


if __name__ == "__main__":
    main()
