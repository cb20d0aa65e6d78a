r"""The steps of the structural arguments as mathematics: shared layers, congruence, ReLU pairs, ReLUs dropped
under a bound, tolerances through networks, and the kernel rules that replay them.

A step of these provers carries its plain-text statement (for the terminal) and
its objects in ``ProofStep.data`` (the shared ends and middles, a congruence's
shared layer and halves, the ReLU pairs and the chains left); the report sets
them from those objects, never from the text, and the tolerance chain from the
certificate's exact sups. Each function returns the step as
``{"title", "body", "display", "after"}`` (see :func:`symconv.report.argument.proof_steps`)
or None when the data is not there (the step then keeps its prose).

The formulas, in the report's composition order (``B \circ A``: A first):

* padding as pad: :math:`\operatorname{conv}_{p=(l,r)}(k) = \operatorname{conv}(k) \circ \operatorname{pad}(l, r)`;
* congruence: :math:`L_1 = R_1` and :math:`L_2 = R_2` give :math:`L_2 \circ f \circ L_1 = R_2 \circ f \circ R_1`;
* ReLU pairs: :math:`\operatorname{relu}(u) - \operatorname{relu}(-u) = u`;
* tolerance network: :math:`e_j = D_j(r_{j-1}) + \operatorname{Lip}(B_j)\, e_{j-1}`,
  :math:`r_j = N_j(r_{j-1})`, :math:`e_0 = 0`, :math:`r_0 = 1`, and :math:`|L x - R x| \le e_k`.

>>> decimal_math(Fraction(1, 100000)), decimal_math(Fraction(1, 500)), decimal_math(Fraction(3001, 1000))
('10^{-5}', '\\tfrac{1}{500}', '3.001')
>>> decimal_math(Fraction(25401, 1003)), decimal_math(Fraction(1, 3 * 10 ** 6))
('25.3', '3.33 \\times 10^{-7}')
>>> PAD_IDENTITY
'\\operatorname{conv}_{p=(l,r)}(k) = \\operatorname{conv}(k) \\circ \\operatorname{pad}(l, r)'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Optional

from symconv.core.layers import Layer
from symconv.errors import SymconvError
from symconv.report.layer_math import layer_math
from symconv.report.symbol_math import name_math
from symconv.report.tex_escape import Tex

__all__ = ["PAD_IDENTITY", "PAIRING_IDENTITY", "LIPSCHITZ_RECURSION", "proof_step", "sub_statement", "certificate_body",
           "CERTIFICATE_TITLES",
           "decimal_math"]

PAD_IDENTITY = Tex(r"\operatorname{conv}_{p=(l,r)}(k) = \operatorname{conv}(k) \circ \operatorname{pad}(l, r)")
PAIRING_IDENTITY = Tex(r"\operatorname{relu}(u) - \operatorname{relu}(-u) = \max(u, 0) - \max(-u, 0) = u")
LIPSCHITZ_RECURSION = Tex(r"e_j = D_j(r_{j-1}) + \operatorname{Lip}(B_j)\, e_{j-1}, \qquad r_j = N_j(r_{j-1}), "
                          r"\qquad e_0 = 0,\ r_0 = 1")
_CONGRUENCE = Tex(r"L_1 = R_1 \text{ and } L_2 = R_2 \implies L_2 \circ f \circ L_1 = R_2 \circ f \circ R_1")


def _step(title: str, body: str, display: Optional[str] = None, after: Optional[str] = None) -> dict:
    return {"title": Tex(title), "body": Tex(body), "display": Tex(display) if display is not None else None,
            "after": Tex(after) if after is not None else None}


#: A chain whose formula is longer than this (LaTeX characters) is set in the text, where it can break at
#: its compositions, rather than in a display.
DISPLAY_CHARACTERS = 110


def _sides_step(title: str, body: str, names: tuple[str, str], sides: tuple[Layer, Layer], end: str,
                after: Optional[str] = None) -> dict:
    """A step stating two chains: one above the other in a display, or in the text when one is long."""
    formulas = [layer_math(side) for side in sides]
    if max(len(f) for f in formulas) > DISPLAY_CHARACTERS:
        text = (rf"{body} ${names[0]} = {formulas[0]}$ and ${names[1]} = {formulas[1]}${end}"
                + (" " + after if after else ""))
        return _step(title, text)
    return _step(title, body, rf"\begin{{gathered}} {names[0]} = {formulas[0]}, \\ {names[1]} = {formulas[1]}{end} "
                              rf"\end{{gathered}}", after)


def _short_decimal(value: Fraction, digits: int = 6) -> Optional[str]:
    """``3.001`` when ``value`` is a decimal of at most ``digits`` significant digits (and 10^-3 <= |value| < 10^6)."""
    if not 1e-3 <= abs(value) < 1e6:
        return None
    for places in range(digits + 1):
        scaled = value * 10 ** places
        if scaled.denominator == 1:
            if len(str(abs(scaled.numerator))) > digits:
                return None
            return f"{float(value):.{places}f}"
    return None


def decimal_math(value: Fraction) -> Tex:
    r"""An exact rational as a reader takes it in: small fractions exact (``\tfrac{1}{500}``), a power of ten
    or a short decimal exact (``10^{-5}``, ``3.001``), anything else to three significant digits
    (``1.25 \times 10^{-6}``, ``25.3``)."""
    numerator, denominator = value.numerator, value.denominator
    if denominator == 1 and abs(numerator) < 10 ** 6:
        return Tex(str(numerator))
    if numerator == 1 and str(denominator).strip("0") == "1":
        return Tex(rf"10^{{-{len(str(denominator)) - 1}}}")
    if denominator <= 1000 and abs(numerator) <= 1000:
        return Tex(rf"{'-' if numerator < 0 else ''}\tfrac{{{abs(numerator)}}}{{{denominator}}}")
    exact = _short_decimal(value)
    if exact is not None:
        return Tex(exact)
    if 1e-3 <= abs(value) < 1e4:
        return Tex(f"{float(value):.3g}")
    mantissa, exponent = f"{float(value):.2e}".split("e")
    return Tex(rf"{mantissa} \times 10^{{{int(exponent)}}}")


def _layers_word(count: int) -> str:
    """``the same layer`` / ``the same 3 layers``."""
    return "the same layer" if count == 1 else f"the same {count} layers"


def _pair(step, name: str) -> Optional[tuple[Layer, Layer]]:
    """The two chains a step's ``data`` holds under ``name``, or None when the step lacks them."""
    sides = step.get(name)
    if not (isinstance(sides, tuple) and len(sides) == 2 and all(isinstance(side, Layer) for side in sides)):
        return None
    return sides


def _shared_layers(step) -> Optional[dict]:
    middle = _pair(step, "middle")
    if middle is None:
        return None
    rewritten, p, s, count = (step.get(name) for name in ("rewritten", "prefix", "suffix", "layers"))
    first = "" if not rewritten else (
        rf"Every convolution's zero padding is written as a $\operatorname{{pad}}$ layer before it, "
        rf"${PAD_IDENTITY}$ (the padded input is the output of $\operatorname{{pad}}(l, r)$). ")
    if middle[0] == middle[1]:
        return _step("Shared layers", first + rf"Then both sides are {_layers_word(count)}, applied in the "
                                              r"same order, and equal inputs give equal outputs: $L = R$.")
    ends = " and ".join(part for part in (f"begin with {_layers_word(p)}" if p else "",
                                          f"end with {_layers_word(s)}" if s else "") if part)
    return _sides_step("Shared layers", first + rf"Both sides {ends}; they differ only between them, in",
                       ("L'", "R'"), middle, ",",
                       r"which are proved equal below. Equal layers applied to equal signals give equal outputs, so "
                 r"$L' = R'$ gives $L = R$.")


def _congruence(step, symbols: tuple[str, str]) -> Optional[dict]:
    shared, cut, proved = step.get("shared"), step.get("cut"), step.get("proved_halves", ())
    if not isinstance(shared, Layer) or cut is None:
        return None
    said = {where: "equal (proved below)" if where in proved else "the same layers on both sides"
            for where in ("before", "after")}
    halves = (f"The chains before it and after it are {said['before']}" if said["before"] == said["after"] else
              f"The chains before it are {said['before']}, the chains after it {said['after']}")
    return _step("Congruence at a shared layer",
                 rf"Both sides apply $f = {layer_math(shared)}$ (layer {cut[0] + 1} of the left-hand side, layer "
                 rf"{cut[1] + 1} of the right-hand side): ${symbols[0]} = L_2 \circ f \circ L_1$ and "
                 rf"${symbols[1]} = R_2 \circ f \circ R_1$. "
                 rf"{halves}, and",
                 _CONGRUENCE, "since equal inputs give equal outputs (whatever $f$ is, linear or not).")


def _congruence_half(step) -> Optional[dict]:
    sides, where = _pair(step, "sides"), step.get("where")
    if sides is None or where not in ("before", "after"):
        return None
    index, verdict = 1 if where == "before" else 2, step.get("verdict")
    return _sides_step(f"The chains {where} the shared layer", rf"The chains {where} $f$ are",
                       (f"L_{index}", f"R_{index}"), sides, ",", f"{verdict} equal by the steps that follow.")


def _relu_pairing(step) -> Optional[dict]:
    linear = _pair(step, "linear")
    if linear is None:
        return None
    pairs = sum(len(channels) for _, _, channels in step.get("pairs", ()))
    return _sides_step("ReLU pairs",
                 rf"For every real $u$, ${PAIRING_IDENTITY}$. The convolution before a ReLU gives its channels in "
                 rf"pairs $u$, $-u$ (equal taps and bias up to sign) and the convolution after it weighs them by "
                 rf"$w$ and $-w$, so a pair contributes $w\,\operatorname{{relu}}(u) - w\,\operatorname{{relu}}(-u) = "
                 rf"w\, u$: the ReLU drops out and one channel of each pair is kept ({pairs} "
                 rf"pair{'s' if pairs != 1 else ''} in all). For every input the sides are the linear chains",
                 ("L'", "R'"), linear, ",", "decided below.")


def _relu_reduction(step) -> Optional[dict]:
    sides = _pair(step, "chains")
    if sides is None:
        return None
    return _sides_step("The chains left", r"With those ReLUs dropped the two sides are the chains",
                       ("L'", "R'"), sides, ",",
                       r"which the steps below prove equal for every input, so in particular for every input within "
                 r"the bound.")


def _network_data(proof) -> Optional[dict]:
    certificate = getattr(proof, "certificate", None)
    for step in getattr(certificate, "steps", ()):
        if str(getattr(step.rule, "value", step.rule)) == "tolerance_network":
            data = dict(step.data)
            try:
                return {"atol": Fraction(data["atol"]), "bound": Fraction(data["bound"]),
                        "difference": [Fraction(v) for v in data["difference"]],
                        "lipschitz": [Fraction(v) for v in data["lipschitz"]],
                        "reach": [Fraction(v) for v in data["reach"]]}
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                return None
    return None


def _separators(proof) -> list[Tex]:
    """The ReLU and max-pool layers of the left-hand side, in order (those both sides share)."""
    from symconv.core.layers import MaxPool, ReLU

    return [layer_math(layer) for layer in proof.lhs.layers() if isinstance(layer, (ReLU, MaxPool))]


def _network_step(rule: str, proof) -> Optional[dict]:
    data = _network_data(proof)
    if data is None:
        return None
    k = len(data["difference"])
    if rule == "network_blocks":
        between = ", ".join(f"$f_{{{i + 1}}} = {f}$" for i, f in enumerate(_separators(proof))) or "none"
        chain = r" \circ f_{k-1} \circ \cdots \circ f_1 \circ " if k > 2 else r" \circ f_1 \circ " if k == 2 else ""
        return _step("Affine blocks between shared nonlinear layers",
                     rf"Both sides apply the same nonlinear layers ({between}) between {k} affine blocks "
                     rf"(convolutions, affine maps and linear layers), $A_j$ on the left and $B_j$ on the right:",
                     rf"L = A_{{{k}}}{chain}A_1, \qquad R = B_{{{k}}}{chain}B_1." if k > 1
                     else r"L = A_1, \qquad R = B_1.")
    if rule == "block_sups":
        rows = r" \\ ".join(rf"{j + 1} & {decimal_math(d)} & {decimal_math(lip)} & {decimal_math(r)}"
                            for j, (d, lip, r) in enumerate(zip(data["difference"], data["lipschitz"], data["reach"])))
        return _step("The sups of each block",
                     r"Every output of a block is $\sum_t a_t v_t + a_0$ over its input $v$. With $r$ the largest "
                     r"$|v_t|$ the block can receive, over every input shape (a finite horizon per block, as for the "
                     r"tolerance of a linear chain): $D_j(r) = \sup\,(r \sum_t |d_t| + |\delta|)$ over the rows "
                     r"$(d, \delta)$ of $A_j - B_j$, $N_j(r) = \sup\,(r \sum_t |a_t| + |a_0|)$ over those of $A_j$, "
                     r"and $\operatorname{Lip}(B_j) = \sup \sum_t |b_t|$ over those of $B_j$. Computed exactly "
                     r"(a long value shown to three digits):",
                     rf"\begin{{array}}{{cccc}} j & D_j(r_{{j-1}}) & \operatorname{{Lip}}(B_j) & r_j = N_j(r_{{j-1}}) "
                     rf"\\ \hline \noalign{{\smallskip}} {rows} \end{{array}}")
    if rule == "lipschitz_chain":
        holds = r"\le" if data["bound"] <= data["atol"] else ">"
        return _step("The Lipschitz chain",
                     r"ReLU and max-pool are 1-Lipschitz in the largest absolute value "
                     r"($\max_i |f(u)_i - f(v)_i| \le \max_i |u_i - v_i|$), and "
                     r"$|A_j u - B_j v| \le |A_j u - B_j u| + |B_j u - B_j v|$; so, on $|x| \le 1$, the outputs of "
                     r"block $j$ differ by at most $e_j$ and have $|\cdot| \le r_j$, where",
                     LIPSCHITZ_RECURSION,
                     rf"Hence $|L x - R x| \le e_{{{k}}} = {decimal_math(data['bound'])} {holds} "
                     rf"\mathrm{{atol}} = {decimal_math(data['atol'])}$ for every input shape (exact value in the "
                     rf"certificate).")
    return None


def _tolerance_data(proof) -> Optional[dict]:
    """The data of the certificate's ``tolerance`` step (a linear chain's tolerance), exact, or None."""
    certificate = getattr(proof, "certificate", None)
    for step in getattr(certificate, "steps", ()):
        if str(getattr(step.rule, "value", step.rule)) == "tolerance":
            data = dict(step.data)
            try:
                return {"atol": Fraction(data["atol"]), "rtol": Fraction(data["rtol"]), "gain": Fraction(data["gain"]),
                        "axes": [tuple(int(v) for v in axis) for axis in data["axes"]],
                        "attained": data.get("attained") or []}
            except (KeyError, TypeError, ValueError, ZeroDivisionError):
                return None
    return None


def _below(axes: list[tuple[int, int, int]]) -> str:
    """``input length n < 3`` (1-D) or ``input shape with (n_1, n_2) < (3, 4)`` (N-D, entrywise)."""
    if len(axes) == 1:
        return rf"input length $n < {axes[0][2]}$"
    names = ", ".join(f"n_{{{k + 1}}}" for k in range(len(axes)))
    return rf"input shape with $({names}) < ({', '.join(str(axis[2]) for axis in axes)})$ (entrywise)"


def _tolerance_step(rule: str, proof) -> Optional[dict]:
    data = _tolerance_data(proof)
    if data is None:
        return None
    axes = data["axes"]
    if rule == "affine_difference":
        return _step("The difference is affine",
                     r"Every output of $L - R$ is an affine form $\sum_j d_j x_j + \delta$ of the input; on "
                     r"$|x| \le 1$ its largest absolute value is",
                     r"G = \sum_j |d_j| + |\delta|,", r"attained at $x_j = \operatorname{sign}(\delta)\,"
                     r"\operatorname{sign}(d_j)$.")
    if rule == "boundary_bound" and axes:
        if len(axes) == 1:
            start, period, limit = axes[0]
            return _step("The rows repeat",
                         rf"Past $n_0 = {start}$ every output row of $L - R$ is a left-boundary, interior or "
                         rf"right-boundary row, periodic with period $P = {period}$: the rows of every $n$ are those "
                         rf"of some $n < {limit}$.")
        per_axis = "; ".join(rf"axis {k + 1}: $n_0 = {a[0]}$, $P = {a[1]}$" for k, a in enumerate(axes))
        return _step("The rows repeat",
                     rf"Along each axis, with the other axes as channels, the rows of $L - R$ repeat past the axis "
                     rf"bound ({per_axis}): the rows of every shape are those of some {_below(axes)}.")
    if rule == "worst_case_gain":
        shape = data["attained"][0] if data["attained"] else None
        at = ("" if not shape else rf", attained at input length $n = {shape[0]}$" if len(shape) == 1
              else rf", attained at input shape $({', '.join(str(v) for v in shape)})$")
        return _step("Worst-case gain",
                     rf"The largest $G$ over every output of every input shape (the induced $\infty$-norm of "
                     rf"$L - R$) is $g = {decimal_math(data['gain'])}${at}.")
    if rule == "tolerance":
        relative = r" + \mathrm{rtol} \cdot R" if data["rtol"] else ""
        own = r", $R$ the largest $|R x|$ of that output on $|x| \le 1$" if data["rtol"] else ""
        return _step("Within the tolerance",
                     rf"Every output, for every {_below(axes)}, has $G \le \mathrm{{atol}}{relative}$ "
                     rf"($\mathrm{{atol}} = {decimal_math(data['atol'])}$, $\mathrm{{rtol}} = "
                     rf"{decimal_math(data['rtol'])}${own}), so, the rows repeating, every output of every shape "
                     rf"does: $|L x - R x| \le \mathrm{{atol}}{relative}$ on $|x| \le 1$.")
    return None


#: The data field holding the chains each sub-proof opening step states, by rule.
_SUB_SIDES = {"shared_layers": "middle", "relu_pairing": "linear", "congruence_before": "sides",
              "congruence_after": "sides", "relu_reduction": "chains"}


def sub_statement(rule: str, step) -> Optional[tuple[tuple[Layer, Layer], tuple[str, str]]]:
    """``((lhs, rhs), (name of lhs, name of rhs))``: the statement the steps after this one prove (the middle of
    shared layers ``L', R'``, a half of a congruence ``L_1, R_1`` or ``L_2, R_2``, the chains left by the ReLU
    pairs or by dropping ReLUs ``L', R'``), read from the step's ``data``, or None when the step opens no
    sub-proof."""
    sides = _pair(step, _SUB_SIDES[rule]) if rule in _SUB_SIDES else None
    if sides is None or (rule == "shared_layers" and sides[0] == sides[1]):
        return None
    index = {"congruence_before": "_1", "congruence_after": "_2"}.get(rule, "'")
    return sides, (f"L{index}", f"R{index}")


def proof_step(rule: str, step, proof, symbols: tuple[str, str] = ("L", "R")) -> Optional[dict]:
    """The step of ``rule`` (one of this module's) as mathematics, or None when it is not one or lacks its data;
    ``symbols`` name the two sides the step is about (``L', R'`` inside a sub-proof)."""
    try:
        if rule == "shared_layers":
            return _shared_layers(step)
        if rule == "congruence":
            return _congruence(step, symbols)
        if rule in ("congruence_before", "congruence_after"):
            return _congruence_half(step)
        if rule == "relu_pairing":
            return _relu_pairing(step)
        if rule == "relu_reduction":
            return _relu_reduction(step)
        if rule in ("network_blocks", "block_sups", "lipschitz_chain"):
            return _network_step(rule, proof)
        if rule in ("affine_difference", "boundary_bound", "worst_case_gain", "tolerance"):
            return _tolerance_step(rule, proof)
    except SymconvError:  # a formula cannot be set (a layer without LaTeX): the step keeps its prose
        return None
    return None


#: The certificate steps' titles (the other rules are titled by their names).
CERTIFICATE_TITLES = {"padding_as_pad": "Padding as a pad layer", "relu_pairing": "ReLU pairs",
                      "tolerance": "Tolerance of a linear chain",
                      "generic_argument": "The generic argument", "tolerance_network": "Tolerance through the network"}


def certificate_body(rule: str, data: dict) -> Optional[str]:
    """The body of a certificate step of the rules this module describes, or None."""
    if rule == "padding_as_pad":
        return (rf"On both sides every convolution's zero padding becomes a $\operatorname{{pad}}$ layer before it, "
                rf"${PAD_IDENTITY}$ (per axis in N-D); the core makes the rewrite itself, and the statement after "
                rf"it is equal iff the one before it is.")
    if rule == "congruence" and {"lhs", "rhs"} <= set(data):
        return (rf"The core splits the left-hand side at its layer {int(data['lhs']) + 1} and the right-hand side at "
                rf"its layer {int(data['rhs']) + 1}, after checking they are the same layer $f$; the chains before "
                rf"it and the chains after it are the next goals (identical chains need none): "
                rf"${_CONGRUENCE}$.")
    if rule == "relu_pairing" and {"side", "index", "pairs"} <= set(data):
        side = "left-hand side" if data["side"] == "lhs" else "right-hand side"
        pairs = ", ".join(f"$({p}, {q})$" for p, q in data["pairs"])
        return (rf"On the {side}, the ReLU at layer {int(data['index']) + 1} has the negated channel pairs {pairs}: "
                rf"the core checks exactly that channel $q$ of the convolution before it (taps and bias, after the "
                rf"affine map) is minus channel $p$ and that the convolution after it weighs $q$ by minus the weight "
                rf"of $p$, then replaces the layers by two convolutions, by "
                rf"$\operatorname{{relu}}(u) - \operatorname{{relu}}(-u) = u$.")
    if rule == "generic_argument":
        c = name_math(str(data.get("symbol", "c")))
        period = data.get("period")
        p = int(period) if isinstance(period, int) else "P"
        last = p - 1 if isinstance(p, int) else "P - 1"
        return (rf"The core replays the whole generic argument from the statement, for every ${c} \ge 1$ and every "
                rf"$n$, with $n = {p} m + \sigma$ and ${c} = {p} q + \rho + 1$: (1)~\emph{{lengths}}: on each class "
                rf"$(\sigma, \rho)$ both output lengths are the maximum of affine pieces in $(m, q)$, compared as "
                rf"forms and at the crossing points; (2)~\emph{{zero extension}}: every layer reads a signal that is "
                rf"zero outside its window, so its output is its bi-infinite operator on the window; "
                rf"(3)~\emph{{impulse responses}}: both operators commute with shifting the input by ${p}$ samples, "
                rf"and their responses to the impulses at $0, \dots, {last}$ are equal formal series in $z$ over "
                rf"the polyphase components $A_r(z^{{{p}}})$ of the generic kernels.")
    if rule == "tolerance" and {"atol", "rtol", "gain", "axes"} <= set(data):
        try:
            atol, rtol, gain = (Fraction(str(data[name])) for name in ("atol", "rtol", "gain"))
            axes = [tuple(int(v) for v in axis) for axis in data["axes"]]
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        relative = r" + \mathrm{rtol} \cdot R" if rtol else ""
        return (rf"The core computes $L - R$ exactly for every {_below(axes)}, where the rows start "
                rf"to repeat (per-axis windows in the certificate), and checks every output within "
                rf"$\mathrm{{atol}}{relative}$ on $|x| \le 1$ ($\mathrm{{atol}} = {decimal_math(atol)}$, "
                rf"$\mathrm{{rtol}} = {decimal_math(rtol)}$; worst-case gain $g = {decimal_math(gain)}$).")
    if rule == "tolerance_network" and {"atol", "bound", "difference"} <= set(data):
        try:
            bound, atol = Fraction(str(data["bound"])), Fraction(str(data["atol"]))
        except (ValueError, ZeroDivisionError):
            return None
        k = len(data["difference"])
        return (rf"The core splits both sides into the same {k} affine blocks between equal ReLU / max-pool "
                rf"layers, recomputes every block's $D_j$, $\operatorname{{Lip}}(B_j)$ and $r_j$ exactly over every "
                rf"input shape (per-axis windows in the certificate), and checks "
                rf"$e_j = D_j(r_{{j-1}}) + \operatorname{{Lip}}(B_j)\, e_{{j-1}}$ up to "
                rf"$e_{{{k}}} = {decimal_math(bound)} \le \mathrm{{atol}} = {decimal_math(atol)}$ on $|x| \le 1$.")
    return None
