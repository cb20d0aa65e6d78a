r"""The homework topics besides stride composition, and the pieces every topic shares.

A topic is two functions: ``draw(rng)`` picks one variant's parameters with the
sheet's ``random.Random`` (and nothing else), ``solve(variant)`` works it out
with symconv's own machinery (``prove``, ``derive``, ``factor``,
``output_length``) and returns the template context of that variant. Every
value in a context is either a :class:`~symconv.report.notation.Tex` built
here from SymPy objects and escaped text, or plain text and integers that the
templates escape on output.

>>> import random
>>> v = draw_dilation(random.Random(0))
>>> solve_dilation(v)["proof"]["verdict"]
'proved'
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.layers import AvgPool, Conv, MaxPool
from symconv.core.output_length import length_symbol, output_length
from symconv.dsl import parse_chain
from symconv.factoring import factor
from symconv.prover.derive import derive
from symconv.prover.proof import Proof, prove
from symconv.report.taps_latex import polynomial_latex
from symconv.report.argument import proof_steps
from symconv.report.notation import (SymbolNames, Tex, escape_tex, escape_tt, expr_latex, layer_math, name_math,
                                     sequence_latex)

__all__ = ["kernel_text", "proof_summary", "draw_factorization", "solve_factorization", "draw_output_size",
           "solve_output_size", "draw_transposed", "solve_transposed", "draw_dilation", "solve_dilation"]

#: Kernel names a variant may use (never ``c``, the generic length, nor ``q``, the unknown).
NAMES = ("k", "h", "g", "w")


# ---------------------------------------------------------------- shared pieces

def kernel_text(name: str, length: int, taps: Optional[tuple[int, ...]]) -> tuple[str, str]:
    """The DSL of a kernel at its first occurrence and at later ones: ``("k[3]", "k")`` or twice the literal."""
    if taps is None:
        return f"{name}[{length}]", name
    literal = "[" + ", ".join(map(str, taps)) + "]"
    return literal, literal


def small_taps(rng: random.Random, length: int, low: int = -3, high: int = 3) -> tuple[int, ...]:
    """``length`` integers in ``[low, high]``, the first and last non-zero (so the length is the kernel's)."""
    taps = [rng.randint(low, high) for _ in range(length)]
    for end in (0, -1):
        while taps[end] == 0:
            taps[end] = rng.randint(low, high)
    return tuple(taps)


def tap_names(name: str) -> SymbolNames:
    """LaTeX names of the taps of the kernels named ``name`` (``k_2`` as ``k_{2}``)."""
    return SymbolNames(((name, 1),))


def given_kernel(name: str, taps: Optional[tuple[int, ...]], length) -> Tex:
    """``k \\in \\mathbb{R}^{3}`` for a symbolic kernel, ``k = (1, -2, 3)`` for a numeric one."""
    if taps is None:
        return Tex(rf"{name_math(name)} \in \mathbb{{R}}^{{{length}}}")
    return Tex(rf"{name_math(name)} = {sequence_latex(list(taps))}")


def counterexample_rows(proof: Proof, names: SymbolNames) -> Optional[dict]:
    """The counterexample of a refutation: what was chosen, both outputs, the first differing index."""
    example = proof.counterexample
    if example is None:
        return None
    kernels = [(name_math(k), sequence_latex(list(v), None, names)) for k, v in example.kernels.items()]
    return {"n": example.n, "index": example.index, "kernels": kernels,
            "input": sequence_latex(list(example.input[0])),
            "lhs": sequence_latex(list(example.lhs[0]), example.index),
            "rhs": sequence_latex(list(example.rhs[0]), example.index)}


def proof_summary(proof: Proof, names: SymbolNames = SymbolNames()) -> dict:
    """A proof for a solution sheet: verdict, statement, the steps symconv took, certificate, numeric check."""
    numeric = proof.numeric
    certificate = getattr(proof, "certificate", None)
    return {
        "verdict": proof.verdict,
        "lhs": layer_math(proof.lhs), "rhs": layer_math(proof.rhs),
        "steps": proof_steps(proof),
        "certificate": len(certificate.steps) if certificate is not None else None,
        "trials": numeric.trials if numeric is not None else None,
        "error": _scientific(numeric.max_abs_error) if numeric is not None else None,
        "counterexample": counterexample_rows(proof, names),
        "note": escape_tex(proof.note, breakable=True),
        "solutions": [(name_math(k), sequence_latex(list(v), None, names)) for k, v in proof.solutions.items()],
    }


def fewest_reason(fewest, first_size: int, names: SymbolNames = SymbolNames()) -> Tex:
    """Why ``fewest.count`` channels suffice, from the factorization of ``Q`` (not from its prose)."""
    factors = [expr_latex(f, names) if e == 1 else rf"\bigl({expr_latex(f, names)}\bigr)^{{{e}}}"
               for f, e in fewest.factors]
    factors = [f if len(fewest.factors) == 1 or e != 1 or not isinstance(f0, sympy.Add) else rf"\bigl({f}\bigr)"
               for f, (f0, e) in zip(factors, fewest.factors)]
    content = "" if fewest.content == 1 else ("-" if fewest.content == -1 else expr_latex(fewest.content, names) + r"\,")
    shown = Tex(f"Q(z) = {content}" + r"\, ".join(factors))
    if fewest.count == 1 and fewest.split is not None:
        return Tex(rf"one channel suffices: ${shown}$ has a factor of degree ${fewest.degree} \le {first_size - 1}$ "
                   rf"with rational coefficients, the first layer, and the rest is the second layer")
    if fewest.count == 1:
        return Tex(rf"one channel suffices: ${shown}$ has ${fewest.real_roots}$ real root(s) and "
                   rf"${fewest.complex_pairs}$ pair(s) of complex roots, so it has a real factor of degree "
                   rf"${fewest.degree}$; no such factor has rational coefficients, so the weights are algebraic "
                   rf"numbers")
    return Tex(rf"with ${shown}$, no split of $Q$ into a first-layer factor of degree at most ${first_size - 1}$ "
               rf"and a second-layer rest exists, so one channel is not enough")


def _scientific(value: float) -> Tex:
    """``4.4 \\times 10^{-16}`` (two significant digits), ``0`` for zero."""
    if value == 0:
        return Tex("0")
    mantissa, exponent = f"{value:.1e}".split("e")
    return Tex(rf"{mantissa} \times 10^{{{int(exponent)}}}")


def _math(value, names: SymbolNames = SymbolNames()) -> Tex:
    return expr_latex(sympy.sympify(value), names)  # safe: numbers and expressions symconv computed


def _matrix(rows, names: SymbolNames) -> Tex:
    body = r" \\ ".join(" & ".join(expr_latex(sympy.sympify(v), names) for v in row) for row in rows)  # safe: computed values
    return Tex(rf"\begin{{pmatrix}} {body} \end{{pmatrix}}")


# ---------------------------------------------------------------- factorization (note 000)

@dataclass(frozen=True)
class FactorVariant:
    length: int
    first: int
    taps: Optional[tuple[int, ...]]  # None: the symbolic kernel q[L]

    @property
    def second(self) -> int:
        return self.length - self.first + 1


def draw_factorization(rng: random.Random) -> FactorVariant:
    length = rng.randint(3, 6)
    first = rng.randint(2, length - 1)
    kind = rng.choice(("symbolic", "product", "random"))
    if kind == "symbolic":
        return FactorVariant(length, first, None)
    if kind == "product":  # q = a * b: one channel with integer weights
        a, b = small_taps(rng, first, -2, 2), small_taps(rng, length - first + 1, -2, 2)
        return FactorVariant(length, first, tuple(sum(a[i] * b[l - i] for i in range(len(a)) if 0 <= l - i < len(b))
                                                  for l in range(length)))
    return FactorVariant(length, first, small_taps(rng, length))


def _layers(result) -> dict:
    names = tap_names("q")
    return {"channels": result.channels, "construction": escape_tex(result.construction),
            "first": _matrix([row[0] for row in result.first], names),
            "second": _matrix(result.second[0], names), "verdict": result.proof.verdict}


def solve_factorization(v: FactorVariant) -> dict:
    """The shift-selection construction (simplest and minimum-norm), the anti-diagonal sums, the fewest channels."""
    names = tap_names("q")
    text = f"q[{v.length}]" if v.taps is None else "[" + ", ".join(map(str, v.taps)) + "]"
    n_size, m_size = v.first, v.second
    simplest = factor(text, (n_size, m_size))
    min_norm = factor(text, (n_size, m_size), solution="min_norm")
    w = simplest.second[0]
    diagonals = []
    for l, tap in enumerate(simplest.taps):
        lo, hi = max(0, l - m_size + 1), min(n_size - 1, l)
        total = sympy.expand(sum(w[i][l - i] for i in range(lo, hi + 1)))
        assert sympy.expand(total - tap) == 0, f"anti-diagonal {l} of the factorization does not sum to q_{l}"
        diagonals.append({"l": l, "lo": lo, "hi": hi, "tap": _math(tap, names)})
    fewest = simplest.minimal
    # With one channel and no rational split the weights are algebraic numbers, slow to build: only the count.
    rational = v.taps is None or fewest.split is not None or fewest.count > 1
    smallest = factor(text, (n_size, m_size), channels=fewest.count) if fewest.count < n_size and rational else None
    n = length_symbol()
    return {
        "L": v.length, "N": n_size, "M": m_size,
        "kernel": given_kernel("q", v.taps, v.length),
        "Q": polynomial_latex(list(simplest.taps), 0, names),
        "simplest": _layers(simplest), "min_norm": _layers(min_norm), "diagonals": diagonals,
        "family": escape_tex(simplest.family.description.rstrip("."), breakable=True),
        "length_two": _math(output_length(simplest.layers(), n), names),
        "length_one": _math(output_length(parse_chain(f"conv({text})"), n), names),
        "fewest": fewest.count, "reason": fewest_reason(fewest, n_size, names),
        "smallest": _layers(smallest) if smallest is not None else None, "algebraic": not rational,
        "command": escape_tt(f"symconv factor \"{text}\" --sizes {n_size},{m_size} --channels {fewest.count}"),
    }


# ---------------------------------------------------------------- output size and receptive field

def _conv_text(rng: random.Random, name: str) -> str:
    size = rng.choice((1, 3, 3, 5, 7))
    stride, dilation = rng.choice((1, 1, 2)), rng.choice((1, 1, 1, 2))
    padding = rng.choice((0, dilation * (size - 1) // 2))
    options = "".join(f", {key}={value}" for key, value, default in
                      (("stride", stride, 1), ("padding", padding, 0), ("dilation", dilation, 1)) if value != default)
    return f"conv({name}[{size}]{options})"


def _pool_text(rng: random.Random) -> str:
    size = rng.choice((2, 3))
    stride, padding = rng.choice((size, 2)), rng.choice((0, size // 2))
    options = (f", stride={stride}" if stride != size else "") + (f", padding={padding}" if padding else "")
    return f"{rng.choice(('maxpool', 'avgpool'))}({size}{options})"


@dataclass(frozen=True)
class ChainVariant:
    layers: tuple[str, ...]
    n: int

    @property
    def chain(self) -> str:
        return " >> ".join(self.layers)


def draw_output_size(rng: random.Random) -> ChainVariant:
    while True:
        count, texts, names = rng.randint(3, 5), [], iter("abdef")
        for _ in range(count):
            texts.append(_conv_text(rng, next(names)) if rng.random() < 0.6 else _pool_text(rng))
        n = rng.choice((28, 32, 64, 96, 100, 128, 224, 227))
        if output_length(parse_chain(" >> ".join(texts)), n) >= 1:
            return ChainVariant(tuple(texts), n)


def _window(layer) -> tuple[int, int, int, tuple[int, int]]:
    """``(size k, stride s, dilation d, padding)`` of a windowed layer."""
    if isinstance(layer, Conv):
        return layer.weight.length, layer.stride, layer.dilation, layer.padding_pair()
    if isinstance(layer, (MaxPool, AvgPool)):
        return (layer.size, layer.stride or layer.size, getattr(layer, "dilation", 1),
                (layer.padding, layer.padding))
    raise TypeError(f"no window arithmetic for {layer!r}")


def solve_output_size(v: ChainVariant) -> dict:
    """Per-layer lengths and jumps, the receptive field term by term, the closed-form output length."""
    chain = parse_chain(v.chain)
    steps = chain.steps
    d = derive(chain)
    rows, jump, field, length, left = [], 1, 1, v.n, 0
    for text, layer in zip(v.layers, steps):
        size, stride, dilation, padding = _window(layer)
        term = dilation * (size - 1) * jump
        length = output_length(layer, length)
        rows.append({"layer": layer_math(parse_chain(text)), "k": size, "s": stride, "d": dilation, "p": padding[0],
                     "jump": jump, "term": term, "length": length})
        field, left, jump = field + term, left + padding[0] * jump, jump * stride
    assert (field, jump, left) == (d.receptive_field, d.stride, d.padding[0]), "derive disagrees with the layers"
    assert length == output_length(chain, v.n)
    smallest = next(n for n in range(1, d.receptive_field + 1) if output_length(chain, n) >= 1)
    n = length_symbol()
    return {"chain": escape_tt(v.chain), "chain_math": layer_math(parse_chain(v.chain)), "n": v.n, "rows": rows, "field": d.receptive_field,
            "terms": Tex(" + ".join(str(r["term"]) for r in rows)), "stride": d.stride,
            "padding": d.padding, "length": length, "smallest": smallest,
            "closed": _math(d.length_expr) if d.length_expr is not None else escape_tex(d.output_length),
            "closed_from": d.length_from, "nested": _math(output_length(chain, n)), "linear": chain.linear}


# ---------------------------------------------------------------- transposed convolution

@dataclass(frozen=True)
class TransposedVariant:
    name: str
    size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    taps: Optional[tuple[int, ...]]

    @property
    def layer(self) -> str:
        first, _ = kernel_text(self.name, self.size, self.taps)
        return (f"conv_transpose({first}, stride={self.stride}, padding={self.padding}, "
                f"output_padding={self.output_padding}, dilation={self.dilation})")


def draw_transposed(rng: random.Random) -> TransposedVariant:
    size, stride, dilation = rng.randint(2, 5), rng.choice((2, 3)), rng.choice((1, 1, 2))
    padding = rng.randint(0, min(dilation * (size - 1), 3))
    taps = small_taps(rng, size) if rng.random() < 0.4 else None
    return TransposedVariant(rng.choice(NAMES), size, stride, padding,
                             rng.randint(0, max(stride, dilation) - 1), dilation, taps)


def solve_transposed(v: TransposedVariant) -> dict:
    """Output length (formula, values, the settings giving exactly s n) and the up-sampling identity."""
    names = tap_names(v.name)
    first, again = kernel_text(v.name, v.size, v.taps)
    left = v.dilation * (v.size - 1) - v.padding
    right = left + v.output_padding
    tail = f"up({v.stride}) >> pad({left}, {right}) >> conv(%s, dilation={v.dilation})"
    # For n = 0 the up-sampled signal is empty while the transposed convolution may still have outputs: one
    # zero appended before up-sampling, and s samples cropped at the end, make the identity hold for every n.
    every_n = f"pad(0, 1) >> {tail} >> crop(0, {v.stride})"
    flipped = derive(f"conv(flip({first}))").kernel  # the filter of the stride-1 convolution
    identity = prove(v.layer, every_n % f"flip({again})")
    n = length_symbol()
    layer = parse_chain(v.layer)
    formula = output_length(layer, n)
    same = sympy.simplify(output_length(parse_chain(tail % f"flip({first})"), n) - formula) == 0
    exact = []  # m(n) = s n for every n >= 1: m is affine in n past its clamp at 0, so n = 1, 2 settle it
    for p in range(0, v.dilation * (v.size - 1) + 1):
        for o in range(0, max(v.stride, v.dilation)):
            other = parse_chain(f"conv_transpose({first}, stride={v.stride}, padding={p}, output_padding={o}, "
                                f"dilation={v.dilation})")
            if all(output_length(other, i) == v.stride * i for i in (1, 2)):
                exact.append((p, o))
    values = [(m, output_length(layer, m)) for m in (1, 2, 5, 16)]
    return {"layer": escape_tt(v.layer), "layer_math": layer_math(parse_chain(v.layer)), "kernel": given_kernel(v.name, v.taps, v.size),
            "name": name_math(v.name), "c": v.size, "s": v.stride, "p": v.padding, "o": v.output_padding,
            "d": v.dilation, "left": left, "right": right, "formula": _math(formula),
            "same_length": same, "lengths": values, "exact": exact,
            "proof": proof_summary(identity, names), "flipped": sequence_latex(list(flipped), None, names)}


# ---------------------------------------------------------------- dilation

@dataclass(frozen=True)
class DilationVariant:
    layers: tuple[tuple[str, int, int], ...]  # (name, size, dilation)
    n: int

    @property
    def chain(self) -> str:
        return " >> ".join(f"conv({name}[{size}], dilation={d})" for name, size, d in self.layers)


def draw_dilation(rng: random.Random) -> DilationVariant:
    count = rng.choice((2, 2, 3))
    pattern = rng.choice(("powers", "random"))
    dilations = [2 ** i for i in range(count)] if pattern == "powers" else [rng.randint(1, 4) for _ in range(count)]
    if max(dilations) == 1:
        dilations[-1] = 2
    layers = tuple((name, rng.choice((2, 3)), d) for name, d in zip("abe", dilations))
    return DilationVariant(layers, rng.choice((16, 32, 50, 64)))


def solve_dilation(v: DilationVariant) -> dict:
    """One dilated layer as a dilated kernel, the stack's single kernel, receptive field and length."""
    names = SymbolNames(tuple((name, 1) for name, _, _ in v.layers))
    name, size, d1 = max(v.layers, key=lambda layer: layer[2])  # the most dilated layer (the first of them)
    single = derive(f"conv({name}[{size}], dilation={d1})")  # one layer, undilated: its filter is dilate(k, d)
    kernels = [f"dilate({name}, {d})" for name, _, d in v.layers]  # sized on the left-hand side
    product = kernels[0]
    for k in kernels[1:]:
        product = f"convolve({product}, {k})"
    stack = derive(v.chain)
    identity = prove(v.chain, f"conv({product})")
    terms = [d * (size - 1) for _, size, d in v.layers]
    assert 1 + sum(terms) == stack.receptive_field, "derive disagrees with 1 + sum d_l (c_l - 1)"
    n = length_symbol()
    taps = [(j, expr_latex(t, names)) for j, t in enumerate(stack.kernel) if t != 0]
    return {
        "chain": escape_tt(v.chain), "chain_math": layer_math(parse_chain(v.chain)), "n": v.n,
        "count": len(v.layers),
        "layers": [(name_math(name), size, d) for name, size, d in v.layers],
        "first": {"name": name_math(name), "c": size, "d": d1, "exact": single.exact,
                  "taps": sequence_latex(list(single.kernel), None, names)},
        "terms": Tex(" + ".join(str(t) for t in terms)), "field": stack.receptive_field,
        "taps": taps, "taps_total": len(stack.kernel), "zeros": len(stack.kernel) - len(taps),
        "closed": _math(stack.length_expr) if stack.length_expr is not None else escape_tex(stack.output_length),
        "closed_from": stack.length_from, "length": output_length(parse_chain(v.chain), v.n),
        "nested": _math(output_length(parse_chain(v.chain), n)), "exact": stack.exact,
        "proof": proof_summary(identity, names),
    }
