r"""LaTeX report of a factorization: ``conv(q) = conv(F) >> conv(S)``, proved, with closed-form weights.

The first layer's weight ``F`` has shape ``(C, 1, N)``, the second's ``S`` shape
``(1, C, M)`` (PyTorch's layout) and, with ``F_c(z) = sum_j F[c, 0, j] z^j``,
``S_c(z) = sum_j S[0, c, j] z^j`` and ``Q(z) = sum_l q_l z^l``,

    conv(F) >> conv(S) = conv(q)   iff   sum_c F_c(z) S_c(z) = Q(z).

The report states that theorem, the conventions, the construction and why it
applies, every coefficient of both layers in closed form, the family of
solutions, the fewest channels and why, and the prover's proof (rendered by the
same template macros as ``symconv prove``). A
:class:`~symconv.factoring.batchnorm.BoundedReluFactorization` adds claim C0.3:
batch norm (an affine shift ``t``) and ReLU between the layers, a bias ``b``,
and the argument that nothing is clipped when ``|x[i]| <= B``.

>>> from symconv.factoring import factor
>>> tex = factorization_latex(factor("q[5]", sizes=(2, 4)))
>>> r"S = \begin{pmatrix} q_{0} & 0 & 0 & 0 \\ q_{1} & q_{2} & q_{3} & q_{4} \end{pmatrix}" in tex
True
"""

from __future__ import annotations

import re
from typing import Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.kernel import KernelSymbol
from symconv.core.layers import conv
from symconv.factoring import BoundedReluFactorization, Factorization, SeparableFactorization
from symconv.factoring.request import Z
from symconv.report import notation
from symconv.report.latex import (polynomial_latex, assumptions_latex, environment, proof_sections,
                                  verdict_text)
from symconv.report.notation import SymbolNames, Tex, escape_tex, escape_tt, expr_latex, sequence_latex

__all__ = ["factorization_latex", "separable_latex"]

#: Widest weight shown as a matrix (columns, and characters of LaTeX per entry); wider ones are listed by channel.
MATRIX_COLUMNS, MATRIX_ENTRY = 8, 28

#: Most free parameters named one by one.
LISTED_PARAMETERS = 12


def _names(f: Factorization) -> SymbolNames:
    """Tap ``q_3`` as ``q_{3}``, parameter ``t_0_1`` as ``t_{0,1}``, ``lambda_`` as ``\\lambda``."""
    indexed = dict(notation.symbol_names([conv(f.kernel)]).indexed)
    fixed = []
    for p in f.family.parameters:
        match = re.fullmatch(r"([A-Za-z]+)((?:_\d+)+)", p.name)
        if match:
            indexed.setdefault(match.group(1), match.group(2).count("_"))
        elif p.name == "lambda_":
            fixed.append((p.name, r"\lambda"))
    return SymbolNames(tuple(sorted(indexed.items(), key=lambda item: -len(item[0]))), tuple(fixed))


def _is_algebraic(f: Factorization) -> bool:
    """True when the weights are irrational numbers (a one-channel split of a literal ``q``)."""
    values = [v for layer in (f.first, f.second) for row in layer for taps in row for v in taps]
    return not f.sources and not all(isinstance(v, sympy.Rational) for v in values)


def _is_numeric(f: Factorization) -> bool:
    """True when every weight is a rational number, so the network has DSL text."""
    return not f.sources and not _is_algebraic(f)


def _matrix(rows: Sequence[Sequence[object]], names: SymbolNames) -> Optional[Tex]:
    """``\\begin{pmatrix} ... \\end{pmatrix}`` of ``rows``, or None when it would not fit the line."""
    entries = [[expr_latex(v, names) for v in row] for row in rows]
    if len(entries[0]) > MATRIX_COLUMNS or any(len(e) > MATRIX_ENTRY for row in entries for e in row):
        return None
    return Tex(r"\begin{pmatrix} " + r" \\ ".join(" & ".join(row) for row in entries) + r" \end{pmatrix}")


def _layer(rows: Sequence[Sequence[object]], index: str, names: SymbolNames) -> dict:
    """A weight as a matrix (row c = channel c) and, when that is too wide, channel by channel."""
    listed = [Tex(rf"{index.format(c=c)} = {sequence_latex(list(row), None, names)}") for c, row in enumerate(rows)]
    return {"matrix": _matrix(rows, names), "channels": listed}


def _polynomials(f: Factorization, names: SymbolNames) -> dict:
    """``F_c(z)``, ``S_c(z)`` and their products (None for algebraic weights, whose products do not simplify)."""
    firsts = [row[0] for row in f.first]
    seconds = list(f.second[0])
    products = None
    if not _is_algebraic(f):
        products = [polynomial_latex(_coefficients(_series(a) * _series(b)), 0, names) for a, b in zip(firsts, seconds)]
    rows = [{"c": c, "first": polynomial_latex(list(a), 0, names), "second": polynomial_latex(list(b), 0, names),
             "product": products[c] if products is not None else None}
            for c, (a, b) in enumerate(zip(firsts, seconds))]
    return {"rows": rows, "Q": polynomial_latex(list(f.taps), 0, names)}


def _series(taps: Sequence[object]) -> sympy.Expr:
    """``sum_j taps[j] z^j``."""
    return sympy.Add(*(t * Z**j for j, t in enumerate(taps)))


def _coefficients(polynomial: sympy.Expr) -> list:
    """The coefficients of ``z^0, z^1, ...`` (ascending)."""
    return list(sympy.Poly(sympy.expand(polynomial), Z).all_coeffs()[::-1])


def _anti_diagonals(f: Factorization, names: SymbolNames) -> list[dict]:
    """Shift selection: for each tap ``l``, ``sum_{c + j = l} S[0, c, j] = q_l`` with this ``S``'s entries."""
    n, m = f.sizes
    w = f.second[0]
    rows = []
    for l, tap in enumerate(f.taps):
        cells = [(c, l - c) for c in range(n) if 0 <= l - c < m]
        rows.append({"l": l, "entries": Tex(" + ".join(f"S[0, {c}, {j}]" for c, j in cells)),
                     "summands": Tex(" + ".join(_grouped(w[c][j], names) for c, j in cells)),
                     "tap": expr_latex(tap, names)})
    return rows


def _grouped(value: object, names: SymbolNames) -> str:
    """A summand: parenthesised when it is a sum or negative."""
    text = expr_latex(value, names)
    value = sympy.sympify(value)  # safe: a tap expression symconv computed
    return rf"\bigl({text}\bigr)" if isinstance(value, sympy.Add) or value.could_extract_minus_sign() else text


def _construction(f: Factorization) -> str:
    """Which construction ``factor`` uses: ``"single"`` for C = 1, ``"shift"`` for C >= N, else ``"merged"``."""
    if f.channels == 1:
        return "single"
    return "shift" if f.channels >= f.sizes[0] else "merged"


def _family(f: Factorization, names: SymbolNames) -> dict:
    """The construction's free parameters and its weights written with them (matrices, when they fit)."""
    params = f.family.parameters
    shown = [expr_latex(p, names) for p in params]
    if len(shown) > LISTED_PARAMETERS:
        shown = shown[:3] + [Tex(r"\dots")] + shown[-1:]
    first = _matrix([row[0] for row in f.family.first], names) if params else None
    second = _matrix(f.family.second[0], names) if params else None
    prefix = re.fullmatch(r"([A-Za-z]+)(?:_\d+)+", params[0].name) if params else None
    return {"dimension": len(params), "parameters": Tex(r",\allowbreak ".join(shown)),
            "symbol": Tex(prefix.group(1)) if prefix else None, "first": first, "second": second,
            "shown_channels": len(f.family.first)}


_FEWEST = {1: "One channel suffices", 2: "Two channels suffice, and no fewer"}


def _minimal(f: Factorization, names: SymbolNames) -> dict:
    """The fewest channels and the facts its reason rests on (``MinimalChannels``' fields), as LaTeX."""
    m = f.minimal
    n, size_m = f.sizes
    parts = ([] if m.content == 1 else [m.content]) + [g**e for g, e in m.factors]
    product = sympy.Mul(*parts, evaluate=False) if len(parts) > 1 else parts[0]
    if m.count == 1:
        case = "rational" if m.split is not None else "algebraic"
    else:
        case = "no_real_root" if m.real_roots is not None else "symbolic"
    lo, hi = m.first_degrees
    out = {"count": m.count, "case": case, "verdict": _FEWEST.get(m.count, f"{m.count} channels suffice"),
           "allowed": Tex(rf"\deg A = {lo}" if lo == hi else rf"\deg A \in [{lo}, {hi}]"),
           "factored": expr_latex(product, names), "degree": m.polynomial_degree, "a": m.degree,
           "literal": not f.sources, "real_roots": m.real_roots, "pairs": m.complex_pairs,
           "A": None, "B": None, "cofactor": None,
           "z_degrees": ", ".join(str(sympy.Poly(g, Z).degree()) for g, _ in m.factors),
           "odd": n % 2 == 1 or size_m % 2 == 1, "power": (n + size_m - 2) // 2,
           "low": polynomial_latex(list(f.taps[:n - 1]), 0, names), "high": polynomial_latex(list(f.taps[n - 1:]), 0, names)}
    if m.split is not None:
        a = sympy.Mul(*(g**k for (g, _), k in zip(m.factors, m.split)))
        b = sympy.Mul(m.content, *(g**(e - k) for (g, e), k in zip(m.factors, m.split)))
        out.update(A=expr_latex(a, names), B=expr_latex(b, names), cofactor=m.polynomial_degree - out["a"])
    return out


def _statement(f: Factorization, names: SymbolNames) -> dict:
    """The kernel as a formula, in the DSL and tap by tap; the network in the DSL when its weights are numbers."""
    k = f.kernel
    named = isinstance(k, KernelSymbol)
    return {
        "kernel": notation.kernel_math(k) if not named else notation.name_math(k.name),
        "named_q": named and k.name == "q",
        "declarations": notation.declarations([conv(k)]),
        "kernel_tt": escape_tt(repr(k)),
        "network_tt": escape_tt(repr(f.layers())) if _is_numeric(f) else None,
        "taps": [Tex(rf"q_{{{l}}} = {expr_latex(t, names)}") for l, t in enumerate(f.taps)],
    }


def _relu(r: BoundedReluFactorization, names: SymbolNames) -> dict:
    """Claim C0.3: ``t``, ``b``, the channel sums they come from, and the prover's verdict under the bound."""
    f = r.factorization
    norms = [expr_latex(sympy.Add(*(sympy.Abs(v) for v in row[0])), names) for row in f.first]
    total = sympy.expand(sympy.Add(*(v for taps in f.second[0] for v in taps)))
    proof = r.proof  # the prover's verdict under the bound (None with prove_bound=False)
    rational = _is_numeric(f)
    example = r.counterexample() if rational and r.bound.is_number else None
    return {
        "bound": expr_latex(r.bound, names), "shift": expr_latex(r.shift, names), "bias": expr_latex(r.bias, names),
        "norms": norms, "total": expr_latex(total, names),
        "network_tt": escape_tt(repr(r.layers())) if rational else None,
        "counterexample": None if example is None else {
            "input": sequence_latex(list(example.input), None, names),
            "network": sequence_latex(list(example.network), example.index, names),
            "kernel": sequence_latex(list(example.kernel), example.index, names), "index": example.index},
        "proof": None if proof is None else {
            "sections": proof_sections(proof), "verdict": proof.verdict, "verdict_text": verdict_text(proof),
            "assumptions": assumptions_latex(proof), "note": escape_tex(proof.note, breakable=True)},
    }


def factorization_latex(obj: Union[Factorization, BoundedReluFactorization]) -> str:
    """A complete LaTeX document reporting a :class:`Factorization` (``conv(q) = conv(F) >> conv(S)``).

    A :class:`BoundedReluFactorization` gets the same report plus claim C0.3:
    ``conv(F) >> affine(1, t) >> relu() >> conv(S, bias=[b]) = conv(q)`` (in the DSL) when ``|x[i]| <= B``.

    >>> from symconv.factoring import factor
    >>> r"\\operatorname{conv}(S) \\circ \\operatorname{conv}(F)" in factorization_latex(factor("[1, 2, 1]", (2, 2)))
    True
    """
    relu = obj if isinstance(obj, BoundedReluFactorization) else None
    f = relu.factorization if relu is not None else obj
    if not isinstance(f, Factorization):
        raise TypeError(f"factorization_latex takes a Factorization (from symconv.factor), not {type(obj).__name__}")
    names = _names(f)
    n, m = f.sizes
    proof = f.proof
    context = dict(
        title="Factorization of a kernel as a two-layer network"
              + (" with batch norm and ReLU" if relu is not None else ""),
        N=n, M=m, L=len(f.taps), C=f.channels, env="theorem" if proof.verdict == "proved" else "claim",
        statement=_statement(f, names), construction=_construction(f), construction_name=f.construction,
        solution=f.solution, algebraic=_is_algebraic(f),
        first=_layer([row[0] for row in f.first], "F[{c}, 0, \\cdot]", names),
        second=_layer(f.second[0], "S[0, {c}, \\cdot]", names),
        polynomials=_polynomials(f, names),
        anti_diagonals=_anti_diagonals(f, names) if _construction(f) == "shift" else None,
        family=_family(f, names), minimal=_minimal(f, names),
        proof=proof_sections(proof), verdict=proof.verdict, verdict_text=verdict_text(proof),
        note=escape_tex(proof.note, breakable=True),
        relu=_relu(relu, names) if relu is not None else None,
    )
    return environment().get_template("factor.tex.j2").render(**context)


def _vector_latex(name: str, values: object, names: SymbolNames) -> Tex:
    """``u_0 = (1, 2, 1)``; a multi-channel factor (rows per channel) as a matrix."""
    if values and isinstance(values[0], (list, tuple)):
        matrix = _matrix(values, names)
        shown = matrix if matrix is not None else Tex(r",\ ".join(sequence_latex(list(r), None, names) for r in values))
        return Tex(f"{name} = {shown}")
    return Tex(f"{name} = {sequence_latex(list(values), None, names)}")


def separable_latex(s: SeparableFactorization) -> str:
    r"""A complete LaTeX document reporting a :class:`~symconv.factoring.separable.SeparableFactorization`.

    >>> from symconv.factoring import factor_separable
    >>> tex = separable_latex(factor_separable("[[1, 0, -1], [2, 0, -2], [1, 0, -1]]"))
    >>> print(next(line.strip() for line in tex.splitlines() if line.lstrip().startswith(r"\item $u_")))
    \item $u_{0} = (1,\allowbreak 2,\allowbreak 1)$, $v_{0} = (1,\allowbreak 0,\allowbreak -1)$
    """
    if not isinstance(s, SeparableFactorization):
        raise TypeError(f"separable_latex takes a SeparableFactorization, not {type(s).__name__}")
    names = notation.symbol_names([s.layer])
    ndim = s.layer.ndim
    out_c, in_c = s.kernel.out_channels, s.kernel.in_channels
    single = s.kernel.is_single_channel
    letters = ("u", "v", "w")
    terms = [Tex(", ".join(f"${_vector_latex(f'{letter}_{{{c}}}' if ndim == 2 else letter, values, names)}$"
                           for letter, values in zip(letters, term))) for c, term in enumerate(s.factors)]
    proof = s.proof
    spatial = s.kernel.spatial
    context = dict(
        title=f"Separable factorization of a {ndim}-D convolution",
        ndim=ndim, K1=spatial[0], K2=spatial[1], C=s.channels, rank=s.rank, single=single,
        out_channels=out_c, in_channels=in_c, rows=in_c * spatial[0], cols=out_c * spatial[-1],
        env="theorem" if proof.verdict == "proved" else "claim",
        layer_tt=escape_tt(repr(s.layer)), chain_tt=escape_tt(repr(s.chain)),
        matrix=_matrix(s.kernel.taps()[0][0], names) if ndim == 2 and single else None,
        reason=escape_tex(s.reason[0].upper() + s.reason[1:], breakable=True), terms=terms,
        bias=s.layer.bias is not None,
        proof=proof_sections(proof), verdict=proof.verdict, verdict_text=verdict_text(proof),
        note=escape_tex(proof.note, breakable=True),
    )
    return environment().get_template("separable.tex.j2").render(**context)
