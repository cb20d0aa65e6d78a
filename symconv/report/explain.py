"""Why a counterexample is one: the ReLU inputs it produces and the constant the biases leave.

For a refuted identity with nonlinear layers the report does not repeat the
search's guess (a ReLU *may* clip); it replays the counterexample layer by
layer with the exact semantics and says what happened:

* each ReLU of either side, with the values it receives and whether any is
  negative (clipped to 0);
* when nothing clips, both sides act as their linear parts plus a constant,
  and the constant is read off the zero input of the same length: where the
  two constants differ, the shifts and biases do not cancel.

>>> from symconv import prove
>>> p = prove("conv([1, -2]) >> affine(1, 2*B) >> relu() >> conv([1, 1], bias=[-6*B])", "conv([1, -1, -2])",
...           assume=["abs(x) <= B"])
>>> [e["clipped"] for e in relu_inputs(p.lhs, p.counterexample)]
[False]
"""

from __future__ import annotations

from typing import Optional

from symconv.lazy_import import sympy

from symconv.core.layers import Chain, Layer, ReLU
from symconv.core.semantics import as_signal, evaluate
from symconv.report.notation import Tex, sequence_latex

__all__ = ["relu_inputs", "explanation"]


def _bindings(example) -> dict:
    """SymPy symbol -> value for every name the counterexample fixes (taps ``k_0``, scalars ``B``)."""
    out: dict = {}
    for name, value in example.kernels.items():
        if isinstance(value, (list, tuple)):
            flat = _flatten(value)
            for index, v in flat:
                out[sympy.Symbol(name + "".join(f"_{i}" for i in index))] = sympy.Rational(v)
        else:
            out[sympy.Symbol(name)] = sympy.Rational(value)
    return out


def _flatten(values, prefix=()) -> list:
    if isinstance(values, (list, tuple)):
        return [item for i, v in enumerate(values) for item in _flatten(v, prefix + (i,))]
    return [(prefix, values)]


def _substituted(signal, bindings: dict):
    return tuple(tuple(sympy.sympify(v).subs(bindings) for v in channel) for channel in signal)  # safe: computed


def relu_inputs(side: Layer, example) -> list[dict]:
    """``{"position", "values", "clipped"}`` for each ReLU of the top-level chain ``side`` on the example."""
    steps = side.steps if isinstance(side, Chain) else (side,)
    bindings = _bindings(example)
    x = as_signal([list(channel) for channel in example.input])
    out = []
    for position, step in enumerate(steps, start=1):
        if isinstance(step, ReLU):
            values = [v for channel in x for v in channel]
            out.append({"position": position, "values": x,
                        "clipped": any(v.is_negative for v in values)})
        x = _substituted(evaluate(step, x), bindings)
    return out


def _zero_output(side: Layer, example):
    bindings = _bindings(example)
    x = as_signal([[0] * example.n for _ in example.input])
    steps = side.steps if isinstance(side, Chain) else (side,)
    for step in steps:
        x = _substituted(evaluate(step, x), bindings)
    return x


def explanation(proof) -> Optional[list[Tex]]:
    """Sentences (LaTeX) saying why the counterexample of a refuted nonlinear identity is one, else None."""
    example = proof.counterexample
    if example is None or proof.lhs.linear and proof.rhs.linear:
        return None
    if max(proof.lhs.ndim, proof.rhs.ndim) >= 2:  # the ReLU inputs are read off 1-D signals only (so far)
        return None
    sentences, clipped = [], False
    for symbol, side in (("L", proof.lhs), ("R", proof.rhs)):
        for entry in relu_inputs(side, example):
            values = entry["values"][0] if len(entry["values"]) == 1 else entry["values"]
            what = ("some are negative and are clipped to $0$" if entry["clipped"] else
                    "none is negative, so this ReLU clips nothing")
            sentences.append(Tex(rf"The ReLU at layer ${entry['position']}$ of ${symbol}$ receives "
                                 rf"${sequence_latex(list(values))}$: {what}."))
            clipped = clipped or entry["clipped"]
    if not sentences or clipped:
        return sentences or None
    left, right = _zero_output(proof.lhs, example), _zero_output(proof.rhs, example)
    i = example.index
    if len(left[0]) > i and len(right[0]) > i:
        gap = sympy.nsimplify(left[0][i] - right[0][i])
        difference = sympy.nsimplify(example.lhs[0][i] - example.rhs[0][i])
        if gap != 0 and gap == difference:
            sentences.append(Tex(
                rf"So both sides act linearly on this input, and they differ by a constant: on the zero input of "
                rf"the same length, $L\,0 = {sequence_latex(list(left[0]))}$ and "
                rf"$R\,0 = {sequence_latex(list(right[0]))}$. The shift and the bias do not cancel; the "
                rf"difference ${sympy.latex(difference)}$ at index $i = {i}$ is exactly that constant."))
            return sentences
    sentences.append(Tex("So nothing clips on this input, and the sides differ in their linear parts."))
    return sentences
