r"""The steps of the interior arguments as mathematics: the factored deep-chain proof, the N-D generic-size proof,
and the kernel rules that replay them (``factored_interior``, ``generic_interior_nd``, ``length_formula``).

These steps carry no ``ProofStep.data``; the report sets them from the proof's core objects (its two chains)
and the certificate's data, never from the step's prose:

* factored chains: every output is :math:`y[i] = \sum_a E[a]\,\bar x[S i - p + a]` with
  :math:`E(z) = \prod_l K_l(z^{d_l S_{l-1}})`, :math:`S_l = s_1 \cdots s_l`; ``convolve`` multiplies and
  ``dilate`` substitutes, so equal multisets of factors :math:`A(z^f)` give equal kernels without expanding;
* N-D generic sizes: with :math:`c = P q + \rho + 1`, the per-axis output lengths as functions of
  :math:`n_a` and c, and the polyphase atoms :math:`A_{r,a}(w) = \sum_j K[P j + r, a]\, w^j` of the kernels.

Each function returns ``{"title", "body", "display", "after"}`` (as :mod:`symconv.report.network_steps`)
or None when the objects do not fit (the step then keeps its prose).

>>> FACTORED_PRODUCT
'E(z) = \\prod_{l} K_l\\bigl(z^{d_l S_{l-1}}\\bigr), \\qquad S_l = s_1 \\cdots s_l,\\ S_0 = 1'
"""

from __future__ import annotations

from typing import Optional

from symconv.core.layers import Layer
from symconv.errors import SymconvError
from symconv.report.kernel_math import kernel_math
from symconv.report.symbol_math import name_math
from symconv.report.tex_escape import Tex

__all__ = ["FACTORED_PRODUCT", "polyphase_atoms", "CERTIFICATE_TITLES", "proof_step", "certificate_body",
           "factor_product"]

FACTORED_PRODUCT = Tex(r"E(z) = \prod_{l} K_l\bigl(z^{d_l S_{l-1}}\bigr), \qquad S_l = s_1 \cdots s_l,\ S_0 = 1")


def polyphase_atoms(period: object = "P") -> Tex:
    r"""``K(z) = sum_(r, a) z^(r, a) A_(r,a)(z_G^P)`` with ``A_(r,a)(w) = sum_j K[P j + r, a] w^j``, P the period."""
    return Tex(rf"K(z) = \sum_{{r, a}} z^{{(r, a)}}\, A_{{r,a}}\bigl(z_G^{{{period}}}\bigr), \qquad "
               rf"A_{{r,a}}(w) = \sum_{{j \ge 0}} K[{period} j + r, a]\, w^j")

#: Distinct factors shown in a product before it is cut with ``\cdots``.
MAX_FACTORS = 8

#: The certificate steps' titles.
CERTIFICATE_TITLES = {"factored_interior": "Equal products of factors",
                      "generic_interior_nd": "The generic argument in N-D",
                      "length_formula": "Length formula"}


def _step(title: str, body: str, display: Optional[str] = None, after: Optional[str] = None) -> dict:
    return {"title": Tex(title), "body": Tex(body), "display": Tex(display) if display is not None else None,
            "after": Tex(after) if after is not None else None}


def _certificate_data(proof, rule: str) -> Optional[dict]:
    """The data of the certificate's step of ``rule``, or None."""
    for step in getattr(getattr(proof, "certificate", None), "steps", ()):
        if str(getattr(step.rule, "value", step.rule)) == rule:
            return dict(step.data)
    return None


# ---------------------------------------------------------------- factored chains

def factor_product(factors) -> Tex:
    r"""``k(z)^{12}\, k(z^{2})``: a multiset of ``((atom, exponent), multiplicity)`` as a product, by exponent."""
    ordered = sorted(factors, key=lambda item: (item[0][1], repr(item[0][0])))
    parts = []
    for (atom, exponent), multiplicity in ordered[:MAX_FACTORS]:
        z = "z" if exponent == 1 else f"z^{{{exponent}}}"
        power = "" if multiplicity == 1 else f"^{{{multiplicity}}}"
        parts.append(rf"{kernel_math(atom)}({z}){power}")
    if len(ordered) > MAX_FACTORS:
        parts.append(rf"\cdots\ (\text{{{len(ordered)} factors}})")
    return Tex(r"\, ".join(parts))


def matrix_product(sequence) -> Tex:
    r"""``W_2(z^{2})\, W_1(z)``: matrix factors ``(atom, exponent)`` in the order they apply, written as their
    product (the last layer's on the left)."""
    ordered = list(reversed(sequence))
    parts = []
    for atom, exponent in ordered[:MAX_FACTORS]:
        z = "z" if exponent == 1 else f"z^{{{exponent}}}"
        parts.append(rf"{kernel_math(atom)}({z})")
    if len(ordered) > MAX_FACTORS:
        parts.append(rf"\cdots\ (\text{{{len(ordered)} matrix factors}})")
    return Tex(r"\, ".join(parts))


def _product(form) -> Tex:
    """The scalar factors, then the matrix factors in order."""
    parts = [part for part in (factor_product(form.factors) if form.factors else "",
                               matrix_product(form.sequence) if form.sequence else "") if part]
    return Tex(r"\, ".join(parts) if parts else "1")


def _factored(proof) -> Optional[dict]:
    from symconv.checker.factored_interior import factored_form
    from symconv.errors import CertificateError

    try:
        forms = [factored_form(side, name) for side, name in ((proof.lhs, "lhs"), (proof.rhs, "rhs"))]
    except CertificateError:
        return None
    data = _certificate_data(proof, "factored_interior") or {}
    left, right = forms
    same = left.factors == right.factors and left.sequence == right.sequence
    read = (rf"the output lengths agree for every $n < {data['limit']}$ and grow alike by period "
            rf"$P = {data['period']}$ past $n_0 = {data['start']}$, so they agree for every $n$"
            if {"limit", "period", "start"} <= set(data) else "the output lengths agree for every $n$")
    offset = "" if left.offset == 0 else rf" - {left.offset}"
    count = sum(m for _, m in left.factors)
    channels = bool(left.sequence or right.sequence)
    kind = "convolutions" if channels else "single-channel convolutions"
    body = (rf"Both sides are chains of {kind} without bias that pad only in their first "
            rf"layer. With $s_l$ and $d_l$ the stride and dilation of layer $l$, every output is "
            rf"$y[i] = \sum_a E[a]\, \bar x[{left.stride if left.stride != 1 else ''}i{offset} + a]$, "
            rf"$\bar x$ the input extended by zeros, where")
    if channels:
        body += (
            r" each $K_l$ is a matrix of polynomials (output channels by input channels) and the product is "
            r"taken with the last layer on the left:")
        after = (rf"Since $\operatorname{{convolve}}(a, b)(z) = b(z)\, a(z)$ for matrices and "
                 rf"$\operatorname{{dilate}}_m(W)(z) = W(z^m)$, each kernel splits into factors $A(z^f)$. "
                 rf"Factors with one channel in and out are scalars and commute with everything; the others are "
                 rf"matrices, which do not commute. The two sides have the {'same' if same else 'different'} "
                 rf"scalar factors ({count}) and the {'same' if same else 'different'} sequence of "
                 rf"{len(left.sequence)} matrix factors, so $E_L = E_R$ without expanding. Both have total "
                 rf"stride $S = {left.stride}$; {read}. Hence $L = R$.")
    else:
        after = (rf"Since $\operatorname{{convolve}}(a, b)(z) = a(z)\, b(z)$ and $\operatorname{{dilate}}_m(k)(z) = "
                 rf"k(z^m)$, each kernel splits into factors $A(z^f)$; the two sides have the "
                 rf"{'same' if same else 'different'} multiset of {count} factors, so, the taps commuting, "
                 rf"$E_L = E_R$ without expanding. Both have total stride $S = {left.stride}$; {read}. Hence $L = R$.")
    display = (rf"{FACTORED_PRODUCT}, \\ E_L(z) = {_product(left)}, \qquad "
               rf"E_R(z) = {_product(right)}")
    return _step("Equal products of factors", body, rf"\begin{{gathered}} {display} \end{{gathered}}", after)


# ---------------------------------------------------------------- N-D generic sizes

def _generic(proof) -> Optional[tuple]:
    """``(symbol, period, strides, ndim)`` of an N-D generic proof, or None."""
    from symconv.checker.generic_interior_nd import total_strides

    data = _certificate_data(proof, "generic_interior_nd")
    if data is None or not isinstance(data.get("period"), int):
        return None
    symbols = {s for layer in (proof.lhs, proof.rhs) for k in layer.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        return None
    return symbols.pop(), data["period"], total_strides(proof.lhs.layers(), proof.lhs.ndim), proof.lhs.ndim


def _axis_lengths(proof, symbol, period: int, ndim: int) -> Optional[dict]:
    from symconv.core.layers_nd import axis_chain
    from symconv.prover.generic_lengths import OutsideGenericFragment, length_form
    from symconv.report import notation
    from symconv.report.length_math import generic_length_cases

    names = notation.symbol_names((proof.lhs, proof.rhs))
    rows = []
    for axis in range(ndim):
        try:
            cases = generic_length_cases(length_form(axis_chain(proof.lhs, axis), period, symbol), symbol, names)
        except (OutsideGenericFragment, SymconvError):
            return None
        if cases is None:
            return None
        rows.append(rf"m_{{{axis + 1}}}(n) = {cases}")
    c = name_math(str(symbol))
    shape = ", ".join(f"n_{{{a + 1}}}" for a in range(ndim))
    outputs = ", ".join(f"m_{{{a + 1}}}(n_{{{a + 1}}})" for a in range(ndim))
    return _step("Output lengths on each axis",
                 rf"The output shape is the 1-D length on each axis projection: an input of shape $({shape})$ gives "
                 rf"$({outputs})$ outputs. On each axis both sides give, for every ${c} \ge 1$,",
                 r"\begin{gathered} " + r" \\[1ex] ".join(rows) + r" \end{gathered}",
                 rf"outputs for an input length $n$ along that axis: the same eventually quasi-affine function of "
                 rf"$n$ and ${c}$ (compared on the classes of $n$ and ${c}$ modulo ${period}$), so the shapes agree "
                 rf"for every input shape and every ${c}$.")


def _generic_axes(proof, symbol, ndim: int) -> Tex:
    """``\\{1\\}``: the axes (1-based) on which some kernel has the generic size, read from the axis projections."""
    from symconv.core.layers_nd import axis_chain

    axes = [str(a + 1) for a in range(ndim) if any(symbol in k.length_symbols() for side in (proof.lhs, proof.rhs)
                                                  for k in axis_chain(side, a).kernels())]
    return Tex(r"\{" + ", ".join(axes) + r"\}")


def _generic_step(rule: str, proof) -> Optional[dict]:
    found = _generic(proof)
    if found is None:
        return None
    symbol, period, strides, ndim = found
    c = name_math(str(symbol))
    strides_tex = "(" + ", ".join(str(s) for s in strides) + ")"
    if rule == "axis_lengths":
        return _axis_lengths(proof, symbol, period, ndim)
    if rule == "edge_free":
        return _step("No edge inside",
                     rf"Both sides pad only in front (a $\operatorname{{pad}}$ or the first layer's padding; the "
                     rf"later convolutions, average pools, $\downarrow$ and crops read inside their input). So for "
                     rf"every ${c}$ each output is the side's interior operator applied to $\bar x$, the input "
                     rf"extended by zeros: with total strides $S = {strides_tex}$ per axis,",
                     r"y[i] = T(\bar x)[i] = \sum_a E[a]\, \bar x[S i - O + a],",
                     rf"with $i$, $a$ indices in $\mathbb{{Z}}^{{{ndim}}}$, $S i$ taken axis by axis and $O$ the "
                     rf"padding in front; so a shift of the input by $S u$ shifts the output by $u$.")
    if rule == "polyphase_responses":
        impulses = r" \times ".join(f"[0, {s})" for s in strides)
        return _step("Polyphase responses",
                     rf"Write ${c} = {period} q + \rho + 1$ with $q \ge 0$ and $0 \le \rho < {period}$. A kernel of "
                     rf"size ${c}$ on the axes $G = {_generic_axes(proof, symbol, ndim)}$ is a sum of polyphase atoms, "
                     rf"formal series that do not depend on ${c}$ ($r \in [0, {period})$ on the axes of $G$, $a$ the "
                     rf"tap index on the others):",
                     polyphase_atoms(period),
                     rf"Both interior operators have the total strides $S = {strides_tex}$. Their responses to the "
                     rf"impulses at $t \in {impulses}$ of every input channel are equal finite sums of terms "
                     rf"$z^{{\beta + \alpha q}} \prod A(z^m)$ (for each $\rho$ where a flip or a generic padding "
                     rf"needs it); by shift invariance and linearity the operators are equal for every ${c} \ge 1$.")
    return None


def proof_step(rule: str, step, proof) -> Optional[dict]:
    """The step of ``rule`` (one of this module's) as mathematics, or None when it is not one or does not fit."""
    try:
        if rule == "factored_interior":
            return _factored(proof)
        if rule in ("axis_lengths", "edge_free", "polyphase_responses"):
            return _generic_step(rule, proof)
    except SymconvError:  # a formula cannot be set: the step keeps its prose
        return None
    return None


def certificate_body(rule: str, data: dict) -> Optional[str]:
    """The body of a certificate step of the rules this module describes, or None."""
    if rule == "factored_interior" and {"limit", "period", "start"} <= set(data):
        return (rf"The core reads both sides as chains of convolutions without bias that pad only "
                rf"in their first layer, and writes each as $y[i] = \sum_a E[a]\, \bar x[S i - p + a]$ with "
                rf"$E(z) = \prod_l K_l(z^{{d_l S_{{l-1}}}})$, $S_l = s_1 \cdots s_l$. "
                rf"It collects the factors $A(z^f)$ of each $E$ through "
                rf"$\operatorname{{convolve}}$ (the exponent kept) and $\operatorname{{dilate}}_m$ (the exponent "
                rf"times $m$), checks equal multisets of the one-channel (scalar) factors and equal sequences of the "
                rf"matrix factors (kernels with channels, in the order of the layers), equal $S$ and $p$, "
                rf"and equal output lengths for every "
                rf"$n < {data['limit']}$ with the same growth per period $P = {data['period']}$ past "
                rf"$n_0 = {data['start']}$. Nothing is expanded.")
    if rule == "generic_interior_nd" and "period" in data:
        c = name_math(str(data.get("symbol", "c")))
        p = data["period"]
        return (rf"The core replays the generic argument in N-D from the statement, for every ${c} \ge 1$ and every "
                rf"input shape, with ${c} = {p} q + \rho + 1$: (1)~\emph{{lengths}}: on each axis projection the "
                rf"two output lengths are equal for every $n_a$ and ${c}$ (the 1-D generic length lemma); "
                rf"(2)~\emph{{no edge inside}}: both sides pad only in front, so each output is the interior "
                rf"operator on the zero-extended input; (3)~\emph{{polyphase responses}}: the responses to the "
                rf"impulses at $0 \le t_j < S_j$ of every input channel are equal formal sums over the polyphase "
                rf"atoms $A_{{r,a}}(z_G^{{{p}}})$ of the kernels of size ${c}$.")
    if rule == "length_formula" and {"limit", "period", "start"} <= set(data):
        return (rf"The core checks that the output length of the chain equals the claimed quasi-affine formula "
                rf"$F(n) = \kappa + \lambda n + \sum_i c_i \lfloor a_i n + b_i \rfloor + \sum_j c_j \lceil a_j n + "
                rf"b_j \rceil$ for every claimed $n < {data['limit']}$, and that past $n_0 = {data['start']}$ both "
                rf"grow by the same amount per period $P = {data['period']}$, so they agree for every claimed $n$. "
                rf"An N-D claim has one formula $F_a(n_a)$ per axis, each checked on that axis's projection.")
    return None
