r"""The steps of the interior arguments as mathematics: the factored deep-chain proof and the kernel rules that
replay it (``factored_interior``, ``length_formula``); the N-D generic-size proof is
:mod:`symconv.report.generic_nd_steps`.

These steps carry no ``ProofStep.data``; the report sets them from the proof's core objects (its two chains)
and the certificate's data, never from the step's prose:

* factored chains: every output is :math:`y[i] = \sum_a E[a]\,\bar x[S i - p + a]` with
  :math:`E(z) = \prod_l K_l(z^{d_l S_{l-1}})`, :math:`S_l = s_1 \cdots s_l`; ``convolve`` multiplies and
  ``dilate`` substitutes, so equal multisets of factors :math:`A(z^f)` give equal kernels without expanding.

Each function returns ``{"title", "body", "display", "after"}`` (as :mod:`symconv.report.network_steps`)
or None when the objects do not fit (the step then keeps its prose).

>>> FACTORED_PRODUCT
'E(z) = \\prod_{l} K_l\\bigl(z^{d_l S_{l-1}}\\bigr), \\qquad S_l = s_1 \\cdots s_l,\\ S_0 = 1'
"""

from __future__ import annotations

from typing import Optional

from symconv.errors import SymconvError
from symconv.report.kernel_math import kernel_math
from symconv.report.tex_escape import Tex

__all__ = ["FACTORED_PRODUCT", "CERTIFICATE_TITLES", "proof_step", "certificate_body", "factor_product"]

FACTORED_PRODUCT = Tex(r"E(z) = \prod_{l} K_l\bigl(z^{d_l S_{l-1}}\bigr), \qquad S_l = s_1 \cdots s_l,\ S_0 = 1")

#: Distinct factors shown in a product before it is cut with ``\cdots``.
MAX_FACTORS = 8

#: The certificate steps' titles.
CERTIFICATE_TITLES = {"factored_interior": "Equal products of factors",
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
    biased = bool(left.constant or right.constant)
    constant = r" + C" if biased else ""
    body = (rf"Both sides are chains of {kind} that pad only in their first "
            rf"layer. With $s_l$ and $d_l$ the stride and dilation of layer $l$, every output is "
            rf"$y[i] = \sum_a E[a]\, \bar x[{left.stride if left.stride != 1 else ''}i{offset} + a]{constant}$, "
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
    if biased:  # Lemma C: the biases give one constant vector, carried through the later layers' tap sums
        after += (rf" The biases add the same constant vector on both sides, $C = K_L(1)\, C_{{L-1}} + b_L$ "
                  rf"with $C_0 = 0$ ($K_l(1)$ the sums of the taps of layer $l$), computed factor by factor.")
    display = (rf"{FACTORED_PRODUCT}, \\ E_L(z) = {_product(left)}, \qquad "
               rf"E_R(z) = {_product(right)}")
    return _step("Equal products of factors", body, rf"\begin{{gathered}} {display} \end{{gathered}}", after)


def proof_step(rule: str, step, proof) -> Optional[dict]:
    """The step of ``rule`` (one of this module's) as mathematics, or None when it is not one or does not fit."""
    try:
        if rule == "factored_interior":
            return _factored(proof)
    except SymconvError:  # a formula cannot be set: the step keeps its prose
        return None
    return None


def certificate_body(rule: str, data: dict) -> Optional[str]:
    """The body of a certificate step of the rules this module describes, or None."""
    if rule == "factored_interior" and {"limit", "period", "start"} <= set(data):
        return (rf"The core reads both sides as chains of convolutions that pad only "
                rf"in their first layer (their biases adding one constant vector, compared as well), and writes each as $y[i] = \sum_a E[a]\, \bar x[S i - p + a]$ with "
                rf"$E(z) = \prod_l K_l(z^{{d_l S_{{l-1}}}})$, $S_l = s_1 \cdots s_l$. "
                rf"It collects the factors $A(z^f)$ of each $E$ through "
                rf"$\operatorname{{convolve}}$ (the exponent kept) and $\operatorname{{dilate}}_m$ (the exponent "
                rf"times $m$), checks equal multisets of the one-channel (scalar) factors and equal sequences of the "
                rf"matrix factors (kernels with channels, in the order of the layers), equal $S$ and $p$, "
                rf"and equal output lengths for every "
                rf"$n < {data['limit']}$ with the same growth per period $P = {data['period']}$ past "
                rf"$n_0 = {data['start']}$. Nothing is expanded.")
    if rule == "length_formula" and {"limit", "period", "start"} <= set(data):
        return (rf"The core checks that the output length of the chain equals the claimed quasi-affine formula "
                rf"$F(n) = \kappa + \lambda n + \sum_i c_i \lfloor a_i n + b_i \rfloor + \sum_j c_j \lceil a_j n + "
                rf"b_j \rceil$ for every claimed $n < {data['limit']}$, and that past $n_0 = {data['start']}$ both "
                rf"grow by the same amount per period $P = {data['period']}$, so they agree for every claimed $n$. "
                rf"An N-D claim has one formula $F_a(n_a)$ per axis, each checked on that axis's projection.")
    return None
