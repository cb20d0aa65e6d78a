"""The checker's rule ``factored_interior``: two 1-D convolution chains whose interior kernels have the same factors.

Notation of the reports (0-based, cross-correlation); a kernel ``K`` of
length c is the polynomial ``K(z) = sum_j K[j] z^j`` in the commuting taps.
The rule is for *plain chains*: 1-D chains of ``conv`` layers, each with a
single-channel kernel of integer length and ``groups = 1`` (a bias allowed), of which
only the first may pad (Lemma M: kernels with channels, ``groups = 1``); layer l has stride ``s_l`` and dilation ``d_l``, and
``S_l = s_1 ... s_l`` (``S_0 = 1``).

**Lemma A (form).** A plain chain of L layers whose first layer pads ``pl``
on the left gives, for every input length n and every output i,

    y[i] = sum_a E[a] xbar[S_L i - pl + a],   E(z) = prod_l K_l(z^(d_l S_(l-1))),

``xbar`` being x extended by zeros. *Proof.* By induction on L. The first
layer reads ``xbar[s_1 i - pl + d_1 j]``, ``0 <= j < c_1``: its padded input.
Layer ``l > 1`` pads nothing and its output length counts exactly the windows
that fit, so it reads ``y_(l-1)[s_l i + d_l j]`` inside its input, where the
form of ``y_(l-1)`` holds; substituting it gives
``sum_(j, a) K_l[j] E_(l-1)[a] xbar[S_l i - pl + S_(l-1) d_l j + a]``, whose
polynomial in z is ``E_(l-1)(z) K_l(z^(S_(l-1) d_l))``. QED. (This is
:mod:`symconv.checker.interior`'s Lemma A on one axis and one channel,
with the kernel kept as a product.)

**Lemma F (factors).** ``convolve(a, b)(z) = a(z) b(z)`` (the full
convolution ``(a * b)[m] = sum_j a[j] b[m - j]`` is the product of the
polynomials) and ``dilate(k, m)(z) = k(z^m)`` (tap j moves to ``m j``), for
single-channel a, b and k. So a kernel expression is, as a polynomial,
``K(z^e) = prod_(A, f) A(z^(e f))`` over its *factors*: the multiset of
pairs (atom A, exponent f) met by descending through ``convolve`` (the
exponent is kept) and ``dilate(., m)`` (it is multiplied by m) of
single-channel kernels; any other kernel (a named kernel, a literal, a flip,
a sum, ...) is an atom, a polynomial of its own. Two atoms that are equal
as objects have the same taps. *Proof.* The two identities, by induction on
the expression. QED.

**Lemma M (channels).** With channels a kernel ``W`` of shape
``(out, in, c)`` is the polynomial matrix ``W(z)[o, i] = sum_j W[o, i, j] z^j``,
and Lemma A holds with ``E(z) = K_L(z^(d_L S_(L-1))) ... K_1(z)``, a matrix
product taken in the reverse order of the layers (layer l reads every
channel of layer ``l - 1``: ``y_l[o] = sum_m K_l[o, m] * y_(l-1)[m]``, the
same substitution as in Lemma A for each pair of channels). Lemma F holds
for matrices: ``convolve(a, b)(z) = b(z) a(z)`` (its taps are
``E[o, i] = sum_m convolve(a[m, i], b[o, m])``) and
``dilate(W, m)(z) = W(z^m)`` entry by entry. A factor with one input and one
output channel is a scalar polynomial, which commutes with every matrix of
polynomials (the entries commute); the other factors do not commute. So a
kernel is ``(prod of its scalar factors) x M_r(z^(f_r)) ... M_1(z^(f_1))``:
a multiset of scalar factors and a *sequence* of matrix factors in the
order they apply. *Proof.* The two identities entry by entry, by induction
on the expression; a 1 x 1 polynomial factor s gives ``A s B = s A B``. QED.

**Lemma C (biases).** Let ``K_l(1)`` be the sum of the taps of layer l's
kernel (an ``out x in`` matrix: Lemma M at ``z = 1``) and ``b_l`` its bias
(zero without one). A plain chain gives ``y[i] = sum_a E[a] xbar[S_L i - pl +
a] + C_L`` with the constant vector ``C_0 = 0``, ``C_l = K_l(1) C_(l-1) +
b_l``. *Proof.* Lemma A's induction with one more term: layer 1 adds ``b_1``
after reading its padded input, and a layer ``l > 1`` pads nothing, so every
tap of every window reads the constant ``C_(l-1)`` of its input, and
``sum_j K_l[o, m, j] C_(l-1)[m]`` summed over m is ``K_l(1) C_(l-1)``. QED.
By Lemmas F and M at ``z = 1``, ``K_l(1)`` is the product of the tap sums of
the kernel's factors (``s_1 ... M_r(1) ... M_1(1)``), which is how ``C`` is
computed: a vector through each factor, never a composed kernel's taps.

**Theorem.** Let lhs and rhs be plain chains with the same total stride
``S_L``, the same left padding ``pl`` of their first layers, the same
multiset of scalar factors and the same sequence of matrix factors of ``E``
(each layer's kernel with the exponent ``d_l S_(l-1)``, Lemmas F and M), the
same constant ``C_L`` as exact polynomials (Lemma C), and
equal output lengths for every n (Lemma B of
:mod:`symconv.checker.interior`: equal lengths for every ``n < limit``,
every intermediate length at least 1 at ``start``, and the same growth per
``period``). Then ``lhs == rhs`` for every n. *Proof.* The taps commute, so
equal multisets of scalar factors and equal sequences of matrix factors give
``E_lhs(z) = E_rhs(z)`` (Lemmas F and M); by
Lemmas A and C both sides are then the same function of ``xbar`` at every output
i of every n, and they have the same outputs. QED.

Nothing is expanded: the check costs what the layers' count costs (a
32-layer chain is 32 factors), besides the length window of Lemma B.
Grouped convolutions and inner padding are refused (an inner zero breaks the
form: an edge output would read it instead of ``C``), and so are flips and every other layer: those
statements keep the other certificates. N-D chains: the same
lemmas per axis, :mod:`symconv.checker.factored_nd`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from symconv.checker.factored_nd import factored_parts_nd
from symconv.checker.periodicity import check_window, equal_growth
from symconv.core.exact_poly import add_into, add_product, from_sympy, times
from symconv.core.kernel_expr import Convolve, Dilate
from symconv.core.layers import Conv, Layer
from symconv.core.layers_nd import axis_chain
from symconv.core.output_length import output_length
from symconv.errors import CertificateError

__all__ = ["FactoredForm", "factored_form", "matrix_factors", "rule_factored_interior"]


@dataclass(frozen=True)
class FactoredForm:
    """Lemma A of a plain chain: ``y[i] = sum_a E[a] xbar[stride i - offset + a]``, ``E`` the product of ``factors``.

    ``factors``: the scalar factors, pairs ``((atom, exponent), multiplicity)`` of Lemma F;
    ``sequence``: the matrix factors ``(atom, exponent)`` of Lemma M in the order the layers apply them, so
    ``E(z) = prod A(z^f)^multiplicity x M_r(z^(f_r)) ... M_1(z^(f_1))``.
    N-D chains: ``stride``, ``offset`` and each exponent are tuples, one entry per axis.
    """

    stride: int | tuple[int, ...]
    offset: int | tuple[int, ...]
    factors: frozenset
    sequence: tuple = ()
    constant: tuple = ()  # Lemma C's C_L, one frozen polynomial per output channel; () when it is zero

    def describe(self) -> str:
        """The factors as ``k(z^2)^3 * j(z)`` (N-D: ``k(z1^2, z2)``), in a fixed order (by text)."""
        def power(name: str, e: int) -> str:
            return name if e == 1 else f"{name}^{e}"

        def variables(e: int | tuple[int, ...]) -> str:
            if isinstance(e, int):
                return power("z", e)
            return ", ".join(power(f"z{a}", f) for a, f in enumerate(e, 1))

        words = sorted(f"{atom!r}({variables(e)}){'' if m == 1 else f'^{m}'}" for (atom, e), m in self.factors)
        words += [f"{atom!r}({variables(e)})" for atom, e in reversed(self.sequence)]
        return " * ".join(words)


def matrix_factors(kernel, exponent=1) -> tuple[Counter, list]:
    """Lemmas F and M: ``(scalars, sequence)`` with ``kernel(z^exponent) = prod scalars x M_r ... M_1``.

    ``scalars``: the multiset of one-channel factors ``(atom, exponent)``; ``sequence``: the matrix factors in
    the order they apply (``convolve(a, b)``: a's before b's). 1-D kernels take an int exponent, N-D ones
    (``Convolve``, ``Dilate``) an exponent per axis, multiplied axis by axis by ``dilate``.

    >>> from symconv.core.kernel import kernel as named
    >>> k, a, b = named("k", 2), named("A", 2, 2, 3), named("B", 2, 2, 1)
    >>> sorted((repr(atom), e, m) for (atom, e), m in matrix_factors(Convolve(k, Dilate(k, 2)))[0].items())
    [('k[2]', 1, 1), ('k[2]', 2, 1)]
    >>> scalars, sequence = matrix_factors(Convolve(a, Dilate(b, 2)))
    >>> (dict(scalars), [(repr(atom), e) for atom, e in sequence])
    ({}, [('A[2, 2, 3]', 1), ('B[2, 2, 1]', 2)])
    """
    scalars: Counter = Counter()
    sequence: list = []
    pending = [(kernel, exponent)]
    while pending:  # a stack, not recursion (nested convolve() may be hundreds deep); b is pushed first so
        node, e = pending.pop()  # that a's factors come out first
        if isinstance(node, Convolve):
            pending += [(node.b, e), (node.a, e)]
        elif isinstance(node, Dilate):  # an exponent is an int in 1-D, one per axis in N-D
            pending.append((node.kernel, e * node.factors[0] if isinstance(e, int)
                            else tuple(f * m for f, m in zip(e, node.factors))))
        elif node.is_single_channel:
            scalars[(node, e)] += 1
        else:
            sequence.append((node, e))
    return scalars, sequence


def _tap_sums(atom) -> dict:
    """``A(1)``: for each pair ``(o, i)`` of an atom's channels, the sum of its taps (an exact polynomial)."""
    sums: dict = {}
    for (o, i, *_), p in atom.exact_grid().items():
        add_into(sums.setdefault((o, i), {}), p)
    return sums


def layer_constant(step: Layer, scalars: Counter, matrices: list, before: list | None) -> list | None:
    """Lemma C: ``C_l = K_l(1) C_(l-1) + b_l`` (None for the zero vector), ``K_l(1)`` applied factor by factor:
    the matrix factors in the order they apply, then the scalar ones."""
    vector = before
    if vector is not None:
        for atom, _ in matrices:
            out: list = [{} for _ in range(atom.out_channels)]
            for (o, i), total in _tap_sums(atom).items():
                if vector[i]:
                    add_product(out[o], total, vector[i])
            vector = out
        for (atom, _), multiplicity in scalars.items():
            total = _tap_sums(atom).get((0, 0), {})
            for _ in range(multiplicity):
                vector = [times(total, v) for v in vector]
    bias = step.bias_entries
    if bias is not None:
        vector = [dict(v) for v in vector] if vector is not None else [{} for _ in bias]
        for o, b in enumerate(bias):
            add_into(vector[o], from_sympy(b))
    return vector


def frozen_constant(vector: list | None) -> tuple:
    """Lemma C's constant as a comparable value: one frozen polynomial per channel, ``()`` when it is zero."""
    if vector is None or not any(vector):
        return ()
    return tuple(frozenset(p.items()) for p in vector)


def _not_plain(step: Layer) -> str:
    """Why ``step`` cannot be a layer of a plain chain (padding aside), or ``""``."""
    if type(step) is not Conv:
        return "is not a conv; the rule is for chains of convolutions"
    if step.groups != 1:
        return "is a grouped convolution; the rule is for convolutions with groups = 1"
    if type(step.weight.length) is not int:
        return "has a kernel of generic length; the rule needs integer lengths"
    return ""


def factored_form(side: Layer, where: str) -> FactoredForm:
    """Lemma A of the plain chain ``side`` (module docstring; N-D: :mod:`.factored_nd`), or a CertificateError
    naming the layer that is not plain."""
    if side.ndim != 1:
        stride, offset, factors, sequence, constant = factored_parts_nd(side, where)
        return FactoredForm(stride, offset, frozenset(factors.items()), tuple(sequence), constant)
    stride, offset, factors, sequence, constant = 1, 0, Counter(), [], None
    for number, step in enumerate(side.layers(), 1):
        reason = _not_plain(step)
        if reason:  # the message is built only here: a repr of the side per layer would cost O(L^2)
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, {reason}")
        left, right = step.padding_pair()
        if number > 1 and (left, right) != (0, 0):
            raise CertificateError(f"{where}: layer {number} of {side!r}, {step!r}, pads after the first layer, so an "
                                   f"output can read across an inner edge; the rule needs every padding in front")
        if number == 1:
            offset = left
        scalars, matrices = matrix_factors(step.weight, step.dilation * stride)
        constant = layer_constant(step, scalars, matrices, constant)
        factors += scalars
        sequence += matrices
        stride *= step.stride
    return FactoredForm(stride, offset, frozenset(factors.items()), tuple(sequence), frozen_constant(constant))


def _equal_lengths(lhs: Layer, rhs: Layer, period: object, start: object, limit: object, where: str) -> None:
    """Lemma B: equal lengths for every ``n < limit`` and the same growth per ``period`` from ``start`` on."""
    check_window(period, start, limit, where)
    equal_growth(lhs, rhs, period, start, where)
    for n in range(limit):
        left, right = output_length(lhs, n), output_length(rhs, n)
        if left != right:
            raise CertificateError(f"{where}: the output lengths differ at n = {n}: {left} against {right}")


def rule_factored_interior(state: list[Layer], step, where: str) -> str:
    """``factored_interior`` (``period``, ``start``, ``limit``: Lemma B's window) closes a statement for every n.

    The theorem of the module docstring (N-D: of :mod:`symconv.checker.factored_nd`, the window on every
    axis), every hypothesis re-derived from the core layers.
    """
    if getattr(state, "length_claim", None) is not None:
        raise CertificateError(f"{where}: the certificate states a length claim, not an identity")
    lhs, rhs = state
    if lhs.ndim != rhs.ndim:
        raise CertificateError(f"{where}: the sides have {lhs.ndim} and {rhs.ndim} axes")
    left, right = factored_form(lhs, where), factored_form(rhs, where)
    if (left.stride, left.offset) != (right.stride, right.offset):
        raise CertificateError(f"{where}: the sides read output i at stride {left.stride}, offset {left.offset} and "
                               f"at stride {right.stride}, offset {right.offset}")
    if left.factors != right.factors or left.sequence != right.sequence:
        raise CertificateError(f"{where}: the interior kernels have different factors: {left.describe()} against "
                               f"{right.describe()}")
    if left.constant != right.constant:
        raise CertificateError(f"{where}: the sides add different constants (the biases carried through the "
                               f"layers' tap sums, Lemma C)")
    window = step.get("period"), step.get("start"), step.get("limit")
    if lhs.ndim == 1:
        _equal_lengths(lhs, rhs, *window, where)
    else:
        for axis in range(lhs.ndim):  # Lemma B on each axis projection, one window for all
            _equal_lengths(axis_chain(lhs, axis), axis_chain(rhs, axis), *window, f"{where}, axis {axis + 1}")
    return "every input length"
