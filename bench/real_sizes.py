"""Benchmark: what a user runs at the sizes of real networks, whole process, against baselines of the same run.

Each row is one `symconv` command run as a separate process (start-up,
parsing, the work, the printing: what the user waits for) and the same
statement through the Python API, including the conversion of its result to
what a user reads (``str``/``to_json``). Baselines, measured in this run:

* ``python -c pass`` and ``python -c "import sympy"`` (interpreter start-up),
* for the effective kernels, the naive SymPy route: evaluate the chain on a
  symbolic input with SymPy and expand (``--naive``),
* optionally the previous release of symconv (``--previous REV``: the tree
  at git revision REV, run from a temporary copy), where it answers in time.

Times are CPU seconds of the child process (user + system), the median of
``--repeat`` runs; a row that runs past ``--timeout`` prints ``>T``, one that does not answer
(an error, a traceback) ``failed``.

    python bench/real_sizes.py [--repeat 3] [--timeout 60] [--previous 3790cb8] [--only derive_k129]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent


def _chain(n: int, layer: str, first: str) -> str:
    return " >> ".join([first] + [layer] * (n - 1))


def _nested_convolve(depth: int) -> str:
    k = "k"
    for _ in range(depth - 1):
        k = f"convolve({k}, k)"
    return k


def _chain_of_weights(n: int) -> str:
    return " >> ".join(f"conv(W{i}[4, 4, 3])" for i in range(n))


def _nested_weights(n: int, swap: bool = False) -> str:
    k = "convolve(W1, W0)" if swap else "convolve(W0, W1)"
    for i in range(2, n):
        k = f"convolve({k}, W{i})"
    return k


#: name -> (argv after `symconv`, target seconds, naive SymPy statement or None)
ROWS: dict[str, tuple[list[str], float, Optional[str]]] = {
    "version": (["--version"], 0.3, None),
    "readme_prove": (["prove", "conv(k[3], stride=2) >> conv(k, stride=2)",
                      "conv(convolve(k, dilate(k, 2)), stride=4)"], 0.8, None),
    "derive_k129": (["derive", "conv(k[129], stride=2) >> conv(k, stride=2)", "--json"], 1.0, "129"),
    "derive_k257": (["derive", "conv(k[257], stride=2) >> conv(k, stride=2)", "--json"], 1.0, "257"),
    "derive_k513": (["derive", "conv(k[513], stride=2) >> conv(k, stride=2)", "--json"], 3.0, None),
    "prove_W16": (["prove", "conv(W[16, 16, 3], stride=2) >> conv(V[16, 16, 3], stride=2)",
                   "conv(convolve(W, dilate(V, 2)), stride=4)"], 5.0, None),
    "prove_W64": (["prove", "conv(W[64, 64, 3], stride=2) >> conv(V[64, 64, 3], stride=2)",
                   "conv(convolve(W, dilate(V, 2)), stride=4)"], 20.0, None),
    "derive_W64": (["derive", "conv(W[64, 64, 3]) >> conv(V[64, 64, 3])", "--json"], 5.0, None),
    "prove_32_layers": (["prove", _chain(32, "conv(k)", "conv(k[3])"), f"conv({_nested_convolve(32)})"],
                        5.0, None),
    "prove_k7x7": (["prove", "conv2d(k[7, 7]) >> conv2d(k)", "conv2d(convolve(k, k))"], 2.0, None),
    "generic_4_layers": (["prove", _chain(4, "conv(k, stride=2)", "conv(k[c], stride=2)"),
                          "conv(convolve(convolve(convolve(k, dilate(k, 2)), dilate(k, 4)), dilate(k, 8)), "
                          "stride=16)"], 2.0, None),
    "generic_6_layers": (["prove", _chain(6, "conv(k)", "conv(k[c])"), f"conv({_nested_convolve(6)})"],
                         5.0, None),
    "torch_padded_8ch": (["prove", "--torch", "examples/padded_convs.py:padded_convs",
                          "examples/padded_convs.py:explicit_pads"], 5.0, None),
    "generic_readme": (["prove", "conv(k[c], stride=2) >> conv(k, stride=2)",
                        "conv(convolve(k, dilate(k, 2)), stride=4)"], 0.8, None),
    "torch_resnet_16ch": (["prove", "--torch", "examples/resnet_block.py:basic_block",
                           "examples/resnet_block.py:fused_block", "--atol", "1e-4"], 10.0, None),
    "torch_5x5_16ch": (["prove", "--torch", "examples/resnet_block.py:two_convs",
                        "examples/resnet_block.py:one_conv", "--atol", "1e-4"], 5.0, None),
    "deep_W4_16": (["prove", _chain_of_weights(16), f"conv({_nested_weights(16)})"], 5.0, None),
    "deep_W4_16_false": (["prove", _chain_of_weights(16), f"conv({_nested_weights(16, swap=True)})"], 5.0, None),
    "depthwise_64ch_2d": (["prove", "conv2d(W[64, 1, 3, 3], groups=64, stride=2, padding=1) >> conv2d(V[128, 64, 1, 1])",
                           "conv2d(W, groups=64, padding=1) >> down((2, 2)) >> conv2d(V)"], 5.0, None),
    "depthwise_64ch_2d_false": (["prove",
                                 "conv2d(W[64, 1, 3, 3], groups=64, stride=2, padding=1) >> conv2d(V[128, 64, 1, 1])",
                                 "conv2d(W, groups=64, padding=1) >> down((2, 2), (1, 0)) >> conv2d(V)"], 5.0, None),
    "prove_W16_2d": (["prove", "conv2d(W[16, 16, 3, 3], stride=2) >> conv2d(V[16, 16, 3, 3], stride=2)",
                      "conv2d(convolve(W, dilate(V, 2)), stride=4)"], 20.0, None),
    "prove_W16_2d_false": (["prove", "conv2d(W[16, 16, 3, 3], stride=2) >> conv2d(V[16, 16, 3, 3], stride=2)",
                            "conv2d(convolve(V, dilate(W, 2)), stride=4)"], 20.0, None),
    "prove_W64_2d": (["prove", "conv2d(W[64, 64, 3, 3], stride=2) >> conv2d(V[64, 64, 3, 3], stride=2)",
                      "conv2d(convolve(W, dilate(V, 2)), stride=4)"], 10.0, None),
    "prove_W64_2d_false": (["prove", "conv2d(W[64, 64, 3, 3], stride=2) >> conv2d(V[64, 64, 3, 3], stride=2)",
                            "conv2d(convolve(W, dilate(V, 3)), stride=4)", "--json"], 20.0, None),
}

NAIVE = """
import sympy, sys
c = int(sys.argv[1])
k = sympy.symbols(f"k_0:{c}")
n = 3 * c - 2
x = sympy.symbols(f"x_0:{n}")
h = [sum(k[j] * x[2 * i + j] for j in range(c)) for i in range((n - c) // 2 + 1)]
y = sympy.expand(sum(k[j] * h[j] for j in range(c)))
print([str(y.coeff(v)) for v in x])
"""


def cpu_seconds(argv: list[str], timeout: float, env: Optional[dict] = None) -> Optional[float] | str:
    """CPU time (user + system) of one child process, None past ``timeout`` seconds of wall time, or
    "failed" when it did not answer (exit status 2 and above, or a traceback; 1 is a refutation).

    With ``env`` (another tree on PYTHONPATH) the child runs in that tree's folder: ``python -m``
    puts the working directory first on sys.path, which would otherwise pick this checkout.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    cwd = env.get("PYTHONPATH") if env else None
    try:
        done = subprocess.run(argv, capture_output=True, timeout=timeout, env=env, check=False, cwd=cwd)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode >= 2 or b"Traceback (most recent call last)" in done.stderr:
        return "failed"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median(argv: list[str], repeat: int, timeout: float, env: Optional[dict] = None) -> Optional[float]:
    times = []
    for _ in range(repeat):
        t = cpu_seconds(argv, timeout, env)
        if t is None or isinstance(t, str):
            return t
        times.append(t)
    return statistics.median(times)


def api_seconds(argv: list[str], timeout: float) -> Optional[float] | str:
    """The same statement through the Python API, result converted to what the user reads ("n/a": no API)."""
    if argv[0] not in ("prove", "derive"):
        return "n/a"
    args, keywords, rest = [], {}, iter(argv[1:])
    for a in rest:
        if a in ("--atol", "--rtol"):  # options with a value; the others (--json, --torch) are flags
            keywords[a[2:]] = next(rest)
        elif not a.startswith("--"):
            args.append(a)
    read = "args = [load_model(spec) for spec in args]\n" if "--torch" in argv else ""
    code = (
        "import time, symconv\n"
        "from symconv.interop.user_file import load_model\n"
        f"args = {args!r}\n"
        "start = time.process_time()\n"
        f"{read}"
        f"result = symconv.{argv[0]}(*args, **{keywords!r})\n"
        "str(result); result.to_json()\n"
        "print(time.process_time() - start)\n"
    )
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return "failed"


def previous_release(rev: str) -> Path:
    """The tree at ``rev``, unpacked into a temporary folder (nothing is installed)."""
    target = Path(tempfile.mkdtemp(prefix="symconv-previous-"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "symconv"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def fmt(t: Optional[float] | str, timeout: float) -> str:
    if isinstance(t, str):
        return t
    return f">{timeout:g}" if t is None else f"{t:.2f}"


def ratio(a: Optional[float] | str, b: Optional[float] | str) -> str:
    if not isinstance(a, float) or not isinstance(b, float) or a == 0:
        return "-"
    return f"{b / a:.1f}x"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--previous", metavar="REV", help="also time the tree at this git revision")
    parser.add_argument("--only", action="append", help="run only these rows (repeatable)")
    parser.add_argument("--naive", action="store_true", help="also time the naive SymPy expansion")
    args = parser.parse_args()

    cli = [sys.executable, "-m", "symconv.cli"]
    start_up = median([sys.executable, "-c", "pass"], args.repeat, args.timeout)
    sympy_up = median([sys.executable, "-c", "import sympy"], args.repeat, args.timeout)
    print(f"baseline: python -c pass {start_up:.3f} s, python -c 'import sympy' {sympy_up:.3f} s (CPU)")
    env_previous = None
    if args.previous:
        env_previous = dict(os.environ, PYTHONPATH=str(previous_release(args.previous)))
    header = f"{'row':<18} {'target':>7} {'cli':>7} {'api':>7} {'x sympy-import':>15}"
    if args.naive:
        header += f" {'naive sympy':>12} {'speed-up':>9}"
    if args.previous:
        header += f" {'previous':>9} {'speed-up':>9}"
    print(header)
    for name, (argv, target, naive) in ROWS.items():
        if args.only and name not in args.only:
            continue
        t_cli = median(cli + argv, args.repeat, args.timeout)
        t_api = api_seconds(argv, args.timeout)
        line = (f"{name:<18} {target:>7.1f} {fmt(t_cli, args.timeout):>7} {fmt(t_api, args.timeout):>7} "
                f"{(t_cli / sympy_up if isinstance(t_cli, float) else float('nan')):>14.1f}x")
        if args.naive:
            t_naive = median([sys.executable, "-c", NAIVE, naive], 1, args.timeout) if naive else None
            line += f" {fmt(t_naive, args.timeout) if naive else '-':>12} {ratio(t_cli, t_naive):>9}"
        if args.previous:
            t_prev = median(cli + argv, 1, args.timeout, env_previous)
            line += f" {fmt(t_prev, args.timeout):>9} {ratio(t_cli, t_prev):>9}"
        print(line, flush=True)


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"(bench took {time.perf_counter() - started:.0f} s wall)")
