"""Concrete counterexamples: small integer kernels and input on which two chains differ.

A counterexample is found on the normal forms (exact linear forms at one
length n), then re-verified with the independent numeric evaluator before
anyone sees it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy

from symconv.algebra.forms import CONSTANT, chain_forms
from symconv.algebra.normal_form import LinearChain
from symconv.core.kernel import KernelSymbol
from symconv.core.layers import Layer
from symconv.errors import NumericMismatch
from symconv.numeric.symbols import used_symbols

__all__ = ["Counterexample", "find_counterexample", "bindings_of"]


@dataclass(frozen=True)
class Counterexample:
    """Sizes, input, kernel values, both outputs and the first index where they differ."""

    n: int
    input: tuple
    kernels: dict
    lhs: tuple
    rhs: tuple
    index: int
    sizes: tuple[tuple[str, int], ...] = ()

    def to_json(self) -> dict:
        def plain(v):
            if isinstance(v, (list, tuple)):
                return [plain(x) for x in v]
            v = sympy.Rational(v)
            return int(v) if v.q == 1 else str(v)

        return {
            "n": self.n,
            "input": plain(self.input),
            "kernels": {k: plain(v) for k, v in self.kernels.items()},
            "lhs": plain(self.lhs),
            "rhs": plain(self.rhs),
            "index": self.index,
            **({"sizes": dict(self.sizes)} if self.sizes else {}),
        }


def _kernel_symbols(layers: list[Layer]) -> list[KernelSymbol]:
    seen: dict[str, KernelSymbol] = {}
    for layer in layers:
        for k in layer.kernels():
            for s in k.symbols():
                seen.setdefault(s.name, s)
    return list(seen.values())


def bindings_of(layers: list[Layer], values: dict[sympy.Symbol, int], sizes=None) -> dict[str, list]:
    """Kernel and bias values by name (flat for ``k[c]``, nested for ``W[o, i, c]``)."""
    out: dict[str, list] = {}
    for s in _kernel_symbols(layers):
        taps = s.taps(sizes)
        nested = [[[values.get(t, 0) for t in row] for row in o] for o in taps]
        out[s.name] = nested[0][0] if len(s.dims) == 1 else nested
    symbols = used_symbols(layers)
    for name, channels in symbols.biases.items():
        out[name] = [values.get(sympy.Symbol(f"{name}_{o}"), 0) for o in range(channels)]
    for name in symbols.scalars:  # parameters inside biases and affine coefficients
        out[name] = values.get(sympy.Symbol(name), 0)
    return out


def _evaluate(forms, ring, values: list[int], x: list[list[int]]) -> tuple:
    """Substitute tap values (in ring generator order) and the input into the forms."""
    out = []
    for channel in forms:
        row = []
        for form in channel:
            total = sympy.Integer(0)
            for key, coeff in form.items():
                value = ring.value(coeff, values)
                total += value if key is CONSTANT else value * x[key[0]][key[1]]
            row.append(total)
        out.append(tuple(row))
    return tuple(out)


def _first_difference(a: tuple, b: tuple) -> Optional[int]:
    la = len(a[0]) if a else 0
    lb = len(b[0]) if b else 0
    for i in range(min(la, lb)):
        if any(ca[i] != cb[i] for ca, cb in zip(a, b)):
            return i
    return None if la == lb else min(la, lb)


def find_counterexample(lhs: Layer, rhs: Layer, lnf: LinearChain, rnf: LinearChain, n: int,
                        seed: int = 0, trials: int = 200) -> Optional[Counterexample]:
    """Small integers on which the two chains differ at input length ``n`` (re-verified), or None."""
    rng = random.Random(seed)
    ring = lnf.ring
    lforms, rforms = chain_forms(lnf, n), chain_forms(rnf, n)
    symbols = ring.symbols
    for trial in range(trials):
        spread = 2 if trial < trials // 2 else 9
        values = {s: rng.randint(-spread, spread) for s in symbols}
        point = [values[s] for s in symbols]
        x = [[rng.randint(-spread, spread) for _ in range(n)] for _ in range(lnf.in_channels)]
        a = _evaluate(lforms, ring, point, x)
        b = _evaluate(rforms, ring, point, x)
        index = _first_difference(a, b)
        if index is None:
            continue
        bindings = bindings_of([lhs, rhs], values, lnf.sizes)
        sizes = tuple(sorted((lnf.sizes or {}).items()))
        example = Counterexample(n, tuple(tuple(c) for c in x), bindings, a, b, index, sizes)
        _reverify(lhs, rhs, example, lnf.sizes)
        return example
    return None


def _reverify(lhs: Layer, rhs: Layer, example: Counterexample, sizes) -> None:
    """Check with the numeric evaluator (exact mode) that the outputs really differ."""
    import numpy as np
    from fractions import Fraction

    from symconv.numeric import evaluate_numeric

    x = np.array([[Fraction(int(v)) for v in channel] for channel in example.input], dtype=object)
    if x.shape[1] == 0:
        x = np.zeros((len(example.input), 0), dtype=object)
    bindings = {k: np.array(v, dtype=object) for k, v in example.kernels.items()}
    ya = evaluate_numeric(lhs, x, bindings, sizes, exact=True)
    yb = evaluate_numeric(rhs, x, bindings, sizes, exact=True)
    same_shape = ya.shape == yb.shape
    if same_shape and all(
        Fraction(ya[c, i]) == Fraction(yb[c, i]) for c in range(ya.shape[0]) for i in range(ya.shape[1])
    ):
        raise NumericMismatch(
            f"counterexample at n={example.n} for {lhs!r} and {rhs!r} did not reproduce numerically",
            sample=example.to_json(),
        )
    expected = [list(map(sympy.Rational, c)) for c in example.lhs]
    got = [[sympy.Rational(Fraction(v).numerator, Fraction(v).denominator) for v in c] for c in ya]
    if expected != got:
        raise NumericMismatch(
            f"the normal form and the numeric evaluator disagree on {lhs!r} at n={example.n}",
            sample=example.to_json(),
        )


def find_numeric_counterexample(lhs: Layer, rhs: Layer, lengths, seed: int = 0, trials: int = 6,
                                sizes=None) -> Optional[Counterexample]:
    """Small integer kernels and inputs on which the numeric evaluator (exact mode) tells the sides apart.

    For chains the normal form does not cover (nonlinear layers, a flip across a
    strided layer). Returns None when no difference shows up.
    """
    from fractions import Fraction

    import numpy as np

    from symconv.errors import NotInFragment
    from symconv.numeric import evaluate_numeric, random_bindings

    rng = np.random.default_rng(seed)
    channels = lhs.in_channels or rhs.in_channels or 1
    for n in lengths:
        for _ in range(trials):
            bindings = random_bindings([lhs, rhs], rng, low=-3, high=3, sizes=sizes)
            x = rng.integers(-3, 3, size=(channels, n), endpoint=True)
            try:
                a = evaluate_numeric(lhs, x, bindings, sizes, exact=True)
                b = evaluate_numeric(rhs, x, bindings, sizes, exact=True)
            except NotInFragment:
                return None
            if any(isinstance(v, float) for v in (*a.flat, *b.flat)):  # -inf of a max-pool window of padding only,
                continue  # or nan where it met a zero tap: no rational counterexample to state from this draw
            la, lb = a.shape[1], b.shape[1]
            index = None
            for i in range(min(la, lb)):
                if any(Fraction(a[c, i]) != Fraction(b[c, i]) for c in range(min(a.shape[0], b.shape[0]))):
                    index = i
                    break
            if index is None and la != lb:
                index = min(la, lb)
            if index is None:
                continue

            def plain(v):
                return sympy.Rational(Fraction(v).numerator, Fraction(v).denominator)

            kernels = {k: np.asarray(v).tolist() for k, v in bindings.items()}
            return Counterexample(
                n, tuple(tuple(int(v) for v in row) for row in x), kernels,
                tuple(tuple(plain(v) for v in row) for row in a), tuple(tuple(plain(v) for v in row) for row in b),
                index, tuple(sorted((sizes or {}).items())))
    return None
