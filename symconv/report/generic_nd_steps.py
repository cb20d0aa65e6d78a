r"""The steps of the N-D generic-size proof as mathematics (kernel rule ``generic_interior_nd``).

For N-D chains with one generic size ``c`` (``conv2d(k[c, 3])``) the prover's steps are ``shared_layers`` (a
shared prefix), ``axis_lengths``, then either ``edge_free`` and ``polyphase_responses`` (both sides pad only
in front) or ``zero_extension`` and ``impulse_responses``. The last two share their names with the 1-D generic
argument; in N-D they are set here, axis by axis:

* *separable index maps*: output ``i`` of every layer reads input coordinates on axis ``a`` that depend on
  ``i_a`` alone, as in the layer's 1-D projection, and a position outside the box is outside on at least one
  axis, so d per-axis conditions suffice;
* *Lemma Z per axis* (:mod:`symconv.checker.zero_extension_nd`): a layer that reads outside its window on axis
  ``a`` meets a signal zero outside the window there, with no bias before it, so each output is
  :math:`T(\bar x) + B` on its window;
* *Lemma S*: a shift of the input by ``t`` moves the output by ``t r`` (``r`` the position rates), so the
  responses to the impulses at :math:`[0, t^*_1) \times \dots \times [0, t^*_d)` decide ``T``; with
  :math:`c = P q + \rho + 1` they are finite sums in the polyphase atoms :math:`A_{r,a}(z_G^P)`.

With a prefix, the sides after the ``p`` layers both begin with (padding written as ``pad()``) are named
``L'`` and ``R'`` and the later steps are about them. The steps carry no ``ProofStep.data`` the report needs:
everything is set from the proof's chains and the certificate's data (``symbol``, ``period``, ``prefix``).

Each function returns ``{"title", "body", "display", "after"}`` or None when the proof is not such a proof.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from symconv.core.layers import Layer
from symconv.errors import SymconvError
from symconv.report.layer_math import layer_math
from symconv.report.symbol_math import name_math
from symconv.report.tex_escape import Tex

__all__ = ["GenericNd", "generic_nd", "polyphase_atoms", "proof_step", "certificate_body", "CERTIFICATE_TITLES",
           "RULES"]

#: The proof steps this module sets (for an N-D generic proof only).
RULES = ("shared_layers", "axis_lengths", "edge_free", "polyphase_responses", "zero_extension", "impulse_responses")

CERTIFICATE_TITLES = {"generic_interior_nd": "The generic argument in N-D"}


def polyphase_atoms(period: object = "P") -> Tex:
    r"""``K(z) = sum_(r, a) z^(r, a) A_(r,a)(z_G^P)`` with ``A_(r,a)(w) = sum_j K[P j + r, a] w^j``, P the period."""
    return Tex(rf"K(z) = \sum_{{r, a}} z^{{(r, a)}}\, A_{{r,a}}\bigl(z_G^{{{period}}}\bigr), \qquad "
               rf"A_{{r,a}}(w) = \sum_{{j \ge 0}} K[{period} j + r, a]\, w^j")


@dataclass(frozen=True)
class GenericNd:
    """An N-D generic proof: the size ``symbol``, the ``period`` P, the ``prefix`` count p, the shared first
    layers ``shared`` (None without a prefix) and the two sides the argument is about (``L', R'`` after a
    prefix, else the statement's sides), named ``names``."""

    symbol: object
    period: int
    prefix: int
    ndim: int
    shared: Optional[Layer]
    sides: tuple[Layer, Layer]
    names: tuple[str, str]
    #: The names of the sides the prefix is split from: ``L, R``, or ``L', R'`` (the middle of shared layers).
    outer: tuple[str, str] = ("L", "R")


def _certificate_data(proof, rule: str) -> Optional[dict]:
    for step in getattr(getattr(proof, "certificate", None), "steps", ()):
        if str(getattr(step.rule, "value", step.rule)) == rule:
            return dict(step.data)
    return None


def generic_nd(proof) -> Optional[GenericNd]:
    """The N-D generic argument of ``proof`` (from its chains and its ``generic_interior_nd`` step), or None."""
    from symconv.checker.congruence import chain_of
    from symconv.checker.padding_as_pad import padding_as_pad

    data = _certificate_data(proof, "generic_interior_nd")
    if data is None or not isinstance(data.get("period"), int) or min(proof.lhs.ndim, proof.rhs.ndim) < 2:
        return None
    symbols = {s for layer in (proof.lhs, proof.rhs) for k in layer.kernels() for s in k.length_symbols()}
    if len(symbols) != 1:
        return None
    prefix, d = data.get("prefix", 0), proof.lhs.ndim
    sides, outer = (proof.lhs, proof.rhs), ("L", "R")
    middle = next((step.get("middle") for step in proof.steps if step.rule == "shared_layers"), None)
    if isinstance(middle, tuple) and len(middle) == 2 and all(isinstance(side, Layer) for side in middle):
        sides, outer = middle, ("L'", "R'")  # the kernel rule proved what differs between shared layers
    if not prefix:
        return GenericNd(symbols.pop(), data["period"], 0, d, None, sides, outer, outer)
    layers = [padding_as_pad(side).layers() for side in sides]
    rests = (chain_of(layers[0][prefix:], d), chain_of(layers[1][prefix:], d))
    return GenericNd(symbols.pop(), data["period"], prefix, d, chain_of(layers[0][:prefix], d), rests,
                     tuple(name + "'" for name in outer), outer)


def _step(title: str, body: str, display: Optional[str] = None, after: Optional[str] = None) -> dict:
    return {"title": Tex(title), "body": Tex(body), "display": Tex(display) if display is not None else None,
            "after": Tex(after) if after is not None else None}


def _tuple(values) -> str:
    return "(" + ", ".join(str(v) for v in values) + ")"


def _split(c: str, period: int) -> str:
    r"""``c = 4 q + \rho + 1`` (``c = q + 1`` for the period 1, where every residue is 0)."""
    return rf"{c} = q + 1" if period == 1 else rf"{c} = {period} q + \rho + 1"


def _both(g: GenericNd) -> str:
    """``L' and R'``, or ``both sides``."""
    return rf"${g.names[0]}$ and ${g.names[1]}$" if g.names != ("L", "R") else "both sides"


# ---------------------------------------------------------------- the steps

def _shared(g: GenericNd) -> dict:
    left, right = g.names
    whole_left, whole_right = g.outer
    body = (rf"Write every convolution's concrete padding as a $\operatorname{{pad}}$ before the unpadded "
            rf"convolution, $\operatorname{{conv}}_{{p=(l,r)}}(W) = \operatorname{{conv}}(W) \circ "
            rf"\operatorname{{pad}}(l;\, r)$ per axis, an equality for every input shape and every kernel size. "
            rf"Then both sides begin with the same {g.prefix} layer{'s' if g.prefix != 1 else ''} $A$:")
    if g.outer != ("L", "R"):  # the padding was written as pad() by the split of shared layers before
        body = (rf"With the padding written as $\operatorname{{pad}}$, ${whole_left}$ and ${whole_right}$ begin with "
                rf"the same {g.prefix} layer{'s' if g.prefix != 1 else ''} $A$:")
    display = (rf"\begin{{gathered}} {whole_left} = {left} \circ A, \qquad {whole_right} = {right} \circ A, \qquad "
               rf"A = {layer_math(g.shared)}, \\ {left} = {layer_math(g.sides[0])}, \qquad "
               rf"{right} = {layer_math(g.sides[1])}. \end{{gathered}}")
    after = (rf"Equal inputs give equal outputs (congruence): if ${left} y = {right} y$ for every input $y$ of every "
             rf"shape (with the channels $A$ gives), then ${whole_left} x = {left}(A x) = {right}(A x) = "
             rf"{whole_right} x$. The steps below "
             rf"prove ${left} = {right}$ for every ${name_math(str(g.symbol))} \ge 1$; this reduction is sufficient, "
             rf"not necessary.")
    return _step("Shared first layers", body, display, after)


def _axis_lengths(g: GenericNd) -> dict:
    from symconv.core.layers_nd import axis_chain
    from symconv.prover.generic_lengths import OutsideGenericFragment, length_form
    from symconv.report import notation
    from symconv.report.length_math import generic_length_cases

    c = name_math(str(g.symbol))
    shape = ", ".join(f"n_{{{a + 1}}}" for a in range(g.ndim))
    outputs = ", ".join(f"m_{{{a + 1}}}(n_{{{a + 1}}})" for a in range(g.ndim))
    classes = "" if g.period == 1 else rf" (compared on the classes of $n$ and ${c}$ modulo ${g.period}$)"
    body = (rf"The output shape is the 1-D length on each axis projection: an input of shape $({shape})$ gives "
            rf"$({outputs})$ outputs.")
    modulo = "" if g.period == 1 else rf", on the classes of $n_a$ and ${c}$ modulo ${g.period}$"
    names = notation.symbol_names(g.sides)
    rows = []
    for axis in range(g.ndim):
        try:
            cases = generic_length_cases(length_form(axis_chain(g.sides[0], axis), g.period, g.symbol), g.symbol,
                                         names)
        except (OutsideGenericFragment, SymconvError):
            cases = None
        if cases is None:  # a layer the closed form does not cover (a transposed convolution): the lemma, unset
            return _step("Output lengths on each axis",
                         rf"{body} On each axis the output lengths of {_both(g)} are the same eventually "
                         rf"quasi-affine function of the input length $n_a$ and ${c}$ (the 1-D generic length "
                         rf"lemma{modulo}), so the "
                         rf"shapes agree for every input shape and every ${c} \ge 1$.")
        rows.append(rf"m_{{{axis + 1}}}(n) = {cases}")
    return _step("Output lengths on each axis",
                 rf"{body} On each axis {_both(g)} give, for every ${c} \ge 1$,",
                 r"\begin{gathered} " + r" \\[1ex] ".join(rows) + r" \end{gathered}",
                 rf"outputs for an input length $n$ along that axis: the same eventually quasi-affine function of "
                 rf"$n$ and ${c}${classes}, so the shapes agree for every input shape and every ${c}$.")


def _generic_axes(g: GenericNd) -> Tex:
    """``\\{1\\}``: the axes (1-based) on which some kernel has the generic size, read from the axis projections."""
    from symconv.core.layers_nd import axis_chain

    axes = [str(a + 1) for a in range(g.ndim)
            if any(g.symbol in k.length_symbols() for side in g.sides for k in axis_chain(side, a).kernels())]
    return Tex(r"\{" + ", ".join(axes) + r"\}")


def _has_bias(layer: Layer) -> bool:
    """Whether some layer of ``layer`` (through the branches of sums) adds a bias."""
    from symconv.core.composite import Parallel

    return any(any(map(_has_bias, step.branches)) if isinstance(step, Parallel)
               else getattr(step, "bias", None) is not None for step in layer.layers())


def _per_residue(g: GenericNd) -> str:
    return "" if g.period == 1 else r" (for each $\rho$ where a flip or a generic padding needs it)"


def _atoms_sentence(g: GenericNd) -> str:
    c = name_math(str(g.symbol))
    if str(_generic_axes(g)) == r"\{\}":
        return (rf"No kernel of {_both(g)} has the size ${c}$, so these responses are polynomials in $z$ with "
                rf"coefficients in the taps, the same for every ${c}$.")
    if g.period == 1:
        return (rf"A kernel of size ${c}$ on the axes $G = {_generic_axes(g)}$ is, with $P = 1$, a sum of formal "
                rf"series that do not depend on ${c}$ ($a$ the tap index on the other axes):")
    return (rf"Write ${_split(c, g.period)}$ with $q \ge 0$ and $0 \le \rho < {g.period}$. A kernel of size ${c}$ "
            rf"on the axes $G = {_generic_axes(g)}$ is a sum of polyphase atoms, formal series that do not depend "
            rf"on ${c}$ ($r \in [0, {g.period})$ on the axes of $G$, $a$ the tap index on the others):")


def _edge_free(g: GenericNd) -> dict:
    from symconv.checker.generic_interior_nd import total_strides

    strides = _tuple(total_strides(g.sides[0].layers(), g.ndim))
    return _step("No edge inside",
                 rf"Both sides pad only in front (a $\operatorname{{pad}}$ or the first layer's padding; the later "
                 rf"convolutions, average pools, $\downarrow$ and crops read inside their input). So for every "
                 rf"${name_math(str(g.symbol))}$ each output is the side's interior operator applied to $\bar x$, "
                 rf"the input extended by zeros: with total strides $S = {strides}$ per axis,",
                 r"y[i] = T(\bar x)[i] = \sum_a E[a]\, \bar x[S i - O + a],",
                 rf"with $i$, $a$ indices in $\mathbb{{Z}}^{{{g.ndim}}}$, $S i$ taken axis by axis and $O$ the "
                 rf"padding in front; so a shift of the input by $S u$ shifts the output by $u$.")


def _polyphase(g: GenericNd) -> dict:
    from symconv.checker.generic_interior_nd import total_strides

    strides = total_strides(g.sides[0].layers(), g.ndim)
    impulses = r" \times ".join(f"[0, {s})" for s in strides)
    return _step("Polyphase responses", _atoms_sentence(g), polyphase_atoms(g.period),
                 rf"Both interior operators have the total strides $S = {_tuple(strides)}$. Their responses to the "
                 rf"impulses at $t \in {impulses}$ of every input channel are equal finite sums of terms "
                 rf"$z^{{\beta + \alpha q}} \prod A(z^m)${_per_residue(g)}; by shift invariance and linearity the "
                 rf"operators are equal for every "
                 rf"${name_math(str(g.symbol))} \ge 1$.")


def _zero_extension(g: GenericNd) -> dict:
    c, d = name_math(str(g.symbol)), g.ndim
    bias = _has_bias(g.sides[0]) or _has_bias(g.sides[1])
    biases = ", and after no bias; and every bias comes after every up-sampling" if bias else ""
    box = r" \times ".join(f"[0, n_{{{a + 1}}})" for a in range(d))
    body = (rf"Let $\bar x$ be the input extended by zeros to $\mathbb{{Z}}^{{{d}}}$, and let each side's "
            rf"bi-infinite operator apply every layer's formula with each padding zero replaced by the value of the "
            rf"signal there. \emph{{Separable index maps}}: output $i$ of every layer (convolution, transposed "
            rf"convolution, average pool, $\operatorname{{pad}}$, $\operatorname{{crop}}$, $\downarrow$, "
            rf"$\uparrow$) reads input coordinates on axis $a$ that depend on $i_a$ alone, exactly as in the "
            rf"layer's 1-D projection on that axis. A position outside the window ${box}$ is outside on at least "
            rf"one axis, so it suffices to check each axis alone. \emph{{Zero extension per axis}} (on each of the "
            rf"{d} axes $a$): every layer that reads outside its input's window on axis $a$ (a padding, a transposed "
            rf"convolution) comes where every earlier layer keeps the signal zero outside the window on that axis "
            rf"($\operatorname{{pad}}$, $\uparrow$, $\downarrow$, a transposed convolution without padding "
            rf"there){biases}; this was checked on {_both(g)}. Hence, for every ${c} \ge 1$ and every input "
            rf"shape, each side's output is")
    if not bias:
        return _step("Zero extension, axis by axis", body, r"y = T(\bar x)\big|_{W},",
                     r"its bi-infinite operator $T$ applied to $\bar x$, on its output window $W$.")
    after = (r"on its output window $W$, where $T$ is the side's bi-infinite operator without its biases and $B$ the "
             r"constant (one value per output channel) the biases add: a bias $b$ after a constant "
             r"$B_{\mathrm{in}}$ gives $B_o = b_o + \sum_i K_{oi}(1)\, B_{\mathrm{in},i}$, and the other layers "
             r"pass a constant unchanged.")
    return _step("Zero extension, axis by axis", body, r"y = \bigl(T(\bar x) + B\bigr)\big|_{W},", after)


def _impulse_responses(g: GenericNd) -> Optional[dict]:
    from symconv.checker.zero_extension_nd import impulse_shifts, position_rates

    c = name_math(str(g.symbol))
    try:
        shifts = tuple(map(math.lcm, *(impulse_shifts(side.layers(), g.ndim) for side in g.sides)))
        rates = position_rates(g.sides[0].layers(), g.ndim)
    except SymconvError:
        return None
    impulses = r" \times ".join(f"[0, {s})" for s in shifts)
    rate = _tuple(rf"\tfrac{{{r.numerator}}}{{{r.denominator}}}" if r.denominator != 1 else r.numerator
                  for r in rates)
    left, right = g.names
    body = (rf"\emph{{Shifts}}: for $t$ a multiple of $t^* = {_tuple(shifts)}$ (axis by axis), shifting $\bar x$ by "
            rf"$t$ shifts the output of $T$ by $t \cdot r$, where $r = {rate}$, the up-sampling factors over the "
            rf"strides per axis, is the same on both sides (each strided layer then meets a shift it divides). So "
            rf"every impulse is such a shift of one at $t \in {impulses}$, and by linearity $T$ is decided by its "
            rf"responses to those impulses, of every input channel. {_atoms_sentence(g)}")
    bias = bool(_has_bias(g.sides[0]) or _has_bias(g.sides[1]))
    constants = (", and each constant $B$ (the kernels evaluated term by term at $z = 1$)," if bias else "")
    equal_b = rf" and $B_{{{left}}} = B_{{{right}}}$" if bias else ""
    after = (rf"Each response{constants} is a finite sum of terms $z^{{\beta + \alpha q}} \prod A(z^m)$ with "
             rf"integer vectors $\beta$, $\alpha$, $m${_per_residue(g)}. The two sides' sums are equal term by term, "
             rf"so $T_{{{left}}} = T_{{{right}}}${equal_b} for every ${c} \ge 1$; with equal windows (the lengths "
             rf"above) the outputs are equal for every input shape.")
    if str(_generic_axes(g)) == r"\{\}":
        after = (rf"The two sides' responses{constants.replace('each constant', 'their constants')} are equal, so "
                 rf"$T_{{{left}}} = T_{{{right}}}${equal_b}; with equal windows (the lengths above) the outputs are "
                 rf"equal for every input shape.")
        return _step("Impulse responses, axis by axis", body + " " + after)
    return _step("Impulse responses, axis by axis", body, polyphase_atoms(g.period), after)


def proof_step(rule: str, step, proof) -> Optional[dict]:
    """The step of ``rule`` (one of :data:`RULES`) of an N-D generic proof, or None (another proof, or a step
    that cannot be set)."""
    if rule not in RULES:
        return None
    try:
        g = generic_nd(proof)
        if g is None or (rule == "shared_layers" and (not g.prefix or step.get("middle") is not None)):
            return None  # no prefix, or the split of shared layers around the middle (report.network_steps)
        return {"shared_layers": _shared, "axis_lengths": _axis_lengths, "edge_free": _edge_free,
                "polyphase_responses": _polyphase, "zero_extension": _zero_extension,
                "impulse_responses": _impulse_responses}[rule](g)
    except SymconvError:  # a formula cannot be set: the step keeps its prose
        return None


def certificate_body(rule: str, data: dict) -> Optional[str]:
    """The body of the ``generic_interior_nd`` certificate step, or None."""
    if rule != "generic_interior_nd" or not isinstance(data.get("period"), int):
        return None
    c = name_math(str(data.get("symbol", "c")))
    p, prefix = data["period"], data.get("prefix", 0)
    shared = (rf"(0)~\emph{{shared prefix}}: with every concrete convolution padding written as "
              rf"$\operatorname{{pad}}$, both sides begin with the same {prefix} layer(s), and equal inputs give "
              rf"equal outputs, so (1)--(3) are checked on what follows them; " if prefix else "")
    return (rf"The core replays the generic argument in N-D from the statement, for every ${c} \ge 1$ and every "
            rf"input shape, with ${_split(c, p)}$: {shared}(1)~\emph{{lengths}}: on each axis projection the two "
            rf"output lengths are equal for every $n_a$ and ${c}$ (the 1-D generic length lemma); "
            rf"(2)~\emph{{zero extension per axis}}: the index maps are separable, and on each axis every layer "
            rf"that reads outside its window meets a signal zero outside it there, with no bias before it, so each "
            rf"output is $T(\bar x) + B$ on its window; a shift of the input by $t^*$ moves both outputs alike; "
            rf"(3)~\emph{{responses}}: the responses to the impulses at $0 \le t_j < t^*_j$ of every input channel, "
            rf"and the bias constants $B$, are equal formal sums over the polyphase atoms "
            rf"$A_{{r,a}}(z_G^{{{p}}})$ of the kernels of size ${c}$.")
