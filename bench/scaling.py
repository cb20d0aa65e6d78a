"""Benchmark: how the time of what a user runs grows with kernel length, channel count and depth.

Each point is one ``symconv`` command run as a separate process (CPU seconds of
the child, user + system, median of ``--repeat`` runs), as in
``bench/real_sizes.py``. Per family the exponent ``e`` of ``time ~ size^e`` is
fitted on a log-log scale (``numpy.polyfit`` of degree 1), once on the whole
process and once on the time above start-up (the median of three runs of the
same command on the family's trivial statement, in the same run), which is the
work itself; points with less than 0.1 s of work are left out of that fit.

    python bench/scaling.py [--repeat 1] [--timeout 60] [--only taps]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Callable, Optional

import numpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_sizes import median  # noqa: E402  (the same child-process timer as the real-size table)


def _derive_taps(c: int) -> list[str]:
    return ["derive", f"conv(k[{c}], stride=2) >> conv(k, stride=2)", "--json"]


def _derive_channels(c: int) -> list[str]:
    return ["derive", f"conv(W[{c}, {c}, 3]) >> conv(V[{c}, {c}, 3])", "--json"]


def _prove_channels(c: int) -> list[str]:
    return ["prove", f"conv(W[{c}, {c}, 3], stride=2) >> conv(V[{c}, {c}, 3], stride=2)",
            "conv(convolve(W, dilate(V, 2)), stride=4)"]


def _prove_depth(depth: int) -> list[str]:
    chain = " >> ".join(["conv(k[3])"] + ["conv(k)"] * (depth - 1))
    kernel = "k"
    for _ in range(depth - 1):
        kernel = f"convolve({kernel}, k)"
    return ["prove", chain, f"conv({kernel})"]


def _conv(d: int) -> str:
    return "conv" if d == 1 else f"conv{d}d"


def _size(d: int, n: int) -> str:
    return ", ".join([str(n)] * d)


def _prove_dimension(d: int) -> list[str]:
    """The stride-4 composition in d axes (decided from one interior shape)."""
    return ["prove", f"{_conv(d)}(k[{_size(d, 3)}], stride=2) >> {_conv(d)}(k, stride=2)",
            f"{_conv(d)}(convolve(k, dilate(k, 2)), stride=4)"]


def _prove_dimension_padded(d: int) -> list[str]:
    """Two padded stride-2 layers against their padding as layers (the product bound, by classes in N-D)."""
    pad = "pad(1)" if d == 1 else f"pad(({_size(d, 1)}))"
    return ["prove", f"{_conv(d)}(k[{_size(d, 3)}], stride=2, padding=1) >> {_conv(d)}(h[{_size(d, 3)}], stride=2, "
                     f"padding=1)",
            f"{pad} >> {_conv(d)}(k, stride=2) >> {pad} >> {_conv(d)}(h, stride=2)"]


#: family -> (what grows, command of one size, sizes, trivial size for the start-up baseline)
FAMILIES: dict[str, tuple[str, Callable[[int], list[str]], list[int], int]] = {
    "taps": ("kernel length c, derive k[c] >> k (stride 2)", _derive_taps, [33, 65, 129, 257, 513], 2),
    "channels": ("channels C, derive W[C, C, 3] >> V[C, C, 3]", _derive_channels, [4, 8, 16, 32, 64], 1),
    "channels_prove": ("channels C, prove the stride composition of W[C, C, 3]", _prove_channels,
                       [4, 8, 16, 32, 64], 1),
    "depth": ("layers L, prove a stride-1 chain of k[3]", _prove_depth, [2, 4, 8, 16, 32, 64], 1),
    "dimension": ("axes d, prove the stride composition of k[3, ..., 3]", _prove_dimension, [1, 2, 3], 1),
    "dimension_padded": ("axes d, prove two padded stride-2 layers against their pads as layers",
                         _prove_dimension_padded, [1, 2, 3], 1),
}


#: Work below this (CPU seconds above start-up) is within the noise of start-up itself and left out of the fit.
MIN_WORK = 0.1


def exponent(sizes: list[int], seconds: list[float], least: float = 0.0) -> Optional[float]:
    """The slope of ``log(seconds)`` against ``log(size)`` over the points above ``least`` (None with fewer than
    two)."""
    points = [(math.log(s), math.log(t)) for s, t in zip(sizes, seconds) if t > least]
    if len(points) < 2:
        return None
    xs, ys = zip(*points)
    return float(numpy.polyfit(xs, ys, 1)[0])


def _cell(value: Optional[float], digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--only", choices=sorted(FAMILIES), action="append")
    args = parser.parse_args()
    symconv = [sys.executable, "-m", "symconv"]
    rows = []
    for name in args.only or list(FAMILIES):
        what, command, sizes, trivial = FAMILIES[name]
        base = median(symconv + command(trivial), max(args.repeat, 3), args.timeout) or 0.0
        times: list[float] = []
        for size in sizes:
            t = median(symconv + command(size), args.repeat, args.timeout)
            if t is None:
                print(f"{name}: size {size} ran past {args.timeout:.0f} s; the fit stops before it", flush=True)
                break
            times.append(t)
            print(f"{name}: size {size}: {t:.2f} s", flush=True)
        fitted = sizes[:len(times)]
        whole = exponent(fitted, times)
        work = exponent(fitted, [t - base for t in times], MIN_WORK)
        rows.append((name, what, fitted, times, base, whole, work))
    print()
    print("| family | what grows | sizes | CPU s (whole process) | start-up s | exponent, whole | exponent, work |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, what, fitted, times, base, whole, work in rows:
        print(f"| {name} | {what} | {', '.join(map(str, fitted))} | {', '.join(f'{t:.2f}' for t in times)} | "
              f"{base:.2f} | {_cell(whole)} | {_cell(work)} |")


if __name__ == "__main__":
    main()
