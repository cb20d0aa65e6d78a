"""Benchmark: the effective kernel of two stride-2 layers with a symbolic k[c].

symconv's normal form (Laurent polynomials over QQ[taps]) against the
straightforward SymPy approach: evaluate both layers on a symbolic input with
the exact semantics and read the coefficients of the first output off the
expression. Both are measured in this run; the script prints the ratio.

    python bench/effective_kernel.py [--max-baseline-c 129]
"""

from __future__ import annotations

import argparse
import time

import sympy

from symconv.algebra.normal_form import LinearChain
from symconv.core.kernel import kernel
from symconv.core.layers import conv
from symconv.core.semantics import evaluate, symbolic_input


def chain(c: int):
    k = kernel("k", c)
    return conv(k, stride=2) >> conv(k, stride=2)


def with_symconv(c: int) -> list:
    """The 3c - 2 taps as exact polynomials in k_0 .. k_{c-1} (symconv's representation)."""
    nf = LinearChain.of(chain(c))
    return nf.interior().phases[0][0][0].coefficients(0, 3 * c - 2)


def as_sympy(taps: list) -> list:
    return [sympy.expand(v.as_expr()) if hasattr(v, "as_expr") else sympy.Integer(v) for v in taps]


def with_sympy(c: int) -> list:
    n = 3 * c - 2
    y = evaluate(chain(c), symbolic_input(n))[0][0]
    expr = sympy.expand(y)
    return [expr.coeff(sympy.Symbol(f"x_{j}")) for j in range(n)]


def best_of(f, c: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f(c)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-baseline-c", type=int, default=129)
    args = parser.parse_args()
    print(f"{'c':>5} {'symconv [s]':>12} {'sympy [s]':>10} {'ratio':>8}")
    for c in (3, 9, 17, 33, 65, 129, 257):
        fast = best_of(with_symconv, c, 3)
        if c <= args.max_baseline_c:
            assert as_sympy(with_symconv(c)) == [sympy.expand(v) for v in with_sympy(c)]
            slow = best_of(with_sympy, c, 1)
            print(f"{c:>5} {fast:>12.4f} {slow:>10.3f} {slow / fast:>8.1f}x")
        else:
            print(f"{c:>5} {fast:>12.4f} {'-':>10} {'-':>8}")


if __name__ == "__main__":
    main()
