"""Turn a ``proved`` decision of the search into a certificate for the kernel (:mod:`symconv.checker`) to replay."""

from __future__ import annotations

from fractions import Fraction
from typing import Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.layers import Flip, Layer
from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.length_formula import LengthClaim, QuasiAffine
from symconv.prover.decide import Decision

__all__ = ["certificate_for", "quasi_affine", "length_certificate", "factored_interior_certificate",
           "first_positive_length"]


def has_flip(layer) -> bool:
    """Whether a flip() occurs anywhere in the layer, branches of sums included."""
    inner = getattr(layer, "branches", None) or getattr(layer, "steps", None) or ()
    return isinstance(layer, Flip) and layer.axes is None or any(has_flip(s) for s in inner)


def certificate_for(decision: Decision) -> Certificate:
    """The certificate of a proved decision: flip steps, then eventual periodicity."""
    assert decision.verdict == "proved", "only proved decisions have certificates"
    if decision.residue_classes:
        return _residue_certificate(decision)
    lnf, rnf, bound = decision.lhs, decision.rhs, decision.bound
    steps = []
    for side, nf in (("lhs", lnf), ("rhs", rnf)):
        if has_flip(nf.source):
            steps.append(CertificateStep(Rule.FLIP_CONJUGATION, (("side", side),),
                                         f"{side}: every flip() moved to the input"))
    if lnf.input_flip and rnf.input_flip:
        steps.append(CertificateStep(Rule.STRIP_INPUT_FLIP, (), "flip() >> A == flip() >> B iff A == B"))
    start, limit = bound.start, bound.limit
    steps.append(CertificateStep(
        Rule.EVENTUAL_PERIODICITY,
        (("limit", limit), ("period", bound.period), ("start", start)),
        f"both sides agree for every n < {limit}; past n0 = {start} they are periodic with period "
        f"{bound.period}, so they agree for every n",
    ))
    return Certificate(repr(lnf.source), repr(rnf.source), tuple(steps))


def first_positive_length(sides: tuple[Layer, ...], bound: int) -> Optional[int]:
    """The least n <= ``bound`` at which every intermediate length of every side is at least 1, by bisection
    (lengths never decrease with n); None when even ``bound`` is too short."""
    from symconv.checker.cones import min_intermediate_length

    def positive(n: int) -> bool:
        return min(min_intermediate_length(side, n) for side in sides) >= 1

    if not positive(bound):
        return None
    low, first = 0, bound
    while first - low > 1:
        middle = (low + first) // 2
        low, first = (low, middle) if positive(middle) else (middle, first)
    return first


def factored_interior_certificate(lhs: Layer, rhs: Layer) -> Optional[Certificate]:
    """The one-step certificate ``factored_interior`` of ``lhs == rhs`` (:mod:`symconv.checker.factored_interior`),
    or None when the sides are not plain chains with equal geometry and factors (then the caller decides).

    Lemma B's window: ``period`` the total stride (it moves every layer rigidly), ``start`` the first n at
    which every intermediate length of both sides is at least 1, ``limit = start + period``; None past the
    checker's bound.
    """
    from symconv.checker.factored_interior import factored_form
    from symconv.checker.periodicity import MAX_CHECK_LENGTH
    from symconv.core.output_length import output_length
    from symconv.errors import CertificateError

    try:
        left, right = factored_form(lhs, "lhs"), factored_form(rhs, "rhs")
    except CertificateError:
        return None
    if left != right:
        return None
    period = left.stride
    start = first_positive_length((lhs, rhs), MAX_CHECK_LENGTH)
    if start is None or start + period > MAX_CHECK_LENGTH:
        return None
    limit = start + period
    # equal geometry and right padding give equal lengths (the windows that fit); a few spot checks, as the
    # kernel's own check of every n < limit is what the proof rests on
    if (lhs.layers()[0].padding_pair()[1] != rhs.layers()[0].padding_pair()[1]
            or any(output_length(lhs, n) != output_length(rhs, n) for n in (0, start - 1, start, limit))):
        return None
    step = CertificateStep(Rule.FACTORED_INTERIOR, (("limit", limit), ("period", period), ("start", start)),
                           f"both sides are convolution chains whose interior kernels are the same "
                           f"product {left.describe()}, read at stride {left.stride}; their lengths agree for every "
                           f"n < {limit} and grow alike per period {period}, so they agree for every n")
    return Certificate(repr(lhs), repr(rhs), (step,))


def _residue_certificate(decision: Decision) -> Certificate:
    """One ``residue_classes`` step: the checker re-derives each class's flip-free chains itself."""
    classes = decision.residue_classes
    first = classes[0]
    data = (("classes", [[c.residue, c.periodic_from, c.chain_period, c.limit] for c in classes]),
            ("period", first.period), ("start", first.start))
    statement = (f"equal for every n < {first.start}; for each residue of n mod {first.period} the flips move to "
                 f"the input with fixed phases, and eventual periodicity closes the class")
    lhs, rhs = decision.sides
    return Certificate(repr(lhs), repr(rhs), (CertificateStep(Rule.RESIDUE_CLASSES, data, statement),))


def _fraction(value: sympy.Expr) -> Optional[Fraction]:
    return Fraction(int(value.p), int(value.q)) if isinstance(value, sympy.Rational) else None


def quasi_affine(expr: sympy.Expr) -> Optional[QuasiAffine]:
    """``expr`` (in one symbol n) as the kernel's data: ``c0 + c1 n + sum c floor(a n + b) + sum c ceiling(a n + b)``.

    None when ``expr`` has another shape (a product of floors, an irrational coefficient, ...).

    >>> n = sympy.Symbol("n")
    >>> quasi_affine(sympy.floor(n / 2 - sympy.Rational(3, 2)) + 1).text()
    'floor(n/2 - 3/2) + 1'
    """
    symbols = list(expr.free_symbols)
    if len(symbols) > 1:
        return None
    n = symbols[0] if symbols else sympy.Symbol("n")
    constant, slope, floors, ceilings = Fraction(0), Fraction(0), [], []
    for term in sympy.Add.make_args(sympy.expand(expr)):
        coefficient, rest = term.as_coeff_Mul()
        c = _fraction(coefficient)
        if c is None:
            return None
        if rest == 1:
            constant += c
        elif rest == n:
            slope += c
        elif isinstance(rest, (sympy.floor, sympy.ceiling)):
            try:
                poly = sympy.Poly(rest.args[0], n)
            except sympy.PolynomialError:
                return None
            if poly.degree() > 1:
                return None
            a, b = (_fraction(poly.coeff_monomial(m)) for m in (n, 1))
            if a is None or b is None:
                return None
            (floors if isinstance(rest, sympy.floor) else ceilings).append((c, a, b))
        else:
            return None
    return QuasiAffine(constant, slope, tuple(floors), tuple(ceilings))


def length_certificate(chain: Layer, length: Union[sympy.Expr, Layer, Sequence[sympy.Expr]], *, period: int,
                       start: int, min_n: int = 0, modulus: int = 1,
                       residues: Sequence[int] = (0,)) -> Optional[Certificate]:
    """The certificate of ``len(chain)(n) == length(n)`` for ``n >= min_n``, ``n mod modulus`` in ``residues``.

    ``length``: a SymPy expression in n, a second chain (``len(chain) == len(length)``), or for an N-D
    chain a tuple of SymPy expressions, axis a's output length in that axis's input length (written n):
    ``len(chain)(n1, ..., nd) == (length[0](n1), ..., length[d-1](nd))``, each n_a claimed; ``period``
    and ``start`` then serve every axis.

    ``period`` and ``start`` are the search's (:func:`symconv.library.lengths.compare_lengths`): the
    kernel's rule ``length_formula`` checks the lengths on ``[min_n, start + period)`` and that both
    sides grow by the same amount per period from ``start`` on. None when ``length`` is not quasi-affine
    in the kernel's sense (:func:`quasi_affine`).
    """
    other = repr(length) if isinstance(length, Layer) else None
    per_axis = isinstance(length, (tuple, list))
    formulas = tuple(quasi_affine(expr) for expr in length) if per_axis else ()
    formula = None if other is not None or per_axis else quasi_affine(length)
    if (formula is None and other is None and not per_axis) or None in formulas:
        return None
    min_n = max(min_n, 0)
    claim = LengthClaim(formula, min_n, modulus, tuple(sorted({r % modulus for r in residues})), other, formulas)
    start = max(start, min_n)
    step = CertificateStep(Rule.LENGTH_FORMULA, (("limit", start + period), ("period", period), ("start", start)),
                           f"equal for every claimed n < {start + period}; from n = {start} both sides grow by the "
                           f"same amount per period {period}, so they agree for every claimed n")
    return Certificate(repr(chain), claim.text(), (step,), length=claim)
