r"""One-channel factorizations: ``Q(z) = A(z) B(z)``, first layer ``A``, second layer ``B``.

With one channel ``conv(A) >> conv(B) = conv(convolve(A, B))`` (DESIGN §1), so
a split of the generating polynomial ``Q(z) = sum_l q_l z^l`` into a factor
``A`` of degree ``a <= N - 1`` and a cofactor ``B`` of degree ``D - a <= M - 1``
is exactly a one-channel network (taps in ascending powers, zero-padded to
sizes ``N`` and ``M``). :mod:`symconv.factoring.minimal_channels` decides
whether one exists; this module builds it:

* from the factorization ``Q = content * prod f^e`` over QQ (or in
  QQ[taps, z] for a symbolic kernel) when some sub-product has a suitable
  degree: ``A = prod f^k`` and ``B = content * prod f^(e - k)``, rational
  (or polynomial in the taps);
* otherwise (literal kernels only) from the roots: the fewest irreducible
  factors ``f = lc * prod (z - rho)`` are split, ``A`` takes some of their
  real roots ``(z - r)`` and conjugate pairs ``z^2 - 2 Re(w) z + |w|^2`` and
  ``B`` the rest. The roots are SymPy's exact ``CRootOf`` (or radicals), so
  the taps are exact real algebraic numbers, and ``A B = Q`` holds because
  the roots of each ``f`` are all its roots, with multiplicity.

>>> from symconv.factoring.request import factor_request
>>> from symconv.factoring.minimal_channels import analyse_channels
>>> r = factor_request([1, 0, -1], (2, 2))
>>> single_channel(r, analyse_channels(r)).first, single_channel(r, analyse_channels(r)).second
((((1, 1),),), (((1, -1),),))
"""

from __future__ import annotations

from typing import Sequence

from symconv.lazy_import import sympy
from sympy import QQ, Poly

from symconv.factoring.minimal_channels import MinimalChannels
from symconv.factoring.request import Z, FactorRequest
from symconv.factoring.two_layer import Weights

__all__ = ["single_channel", "ascending_taps", "approximate"]


def ascending_taps(polynomial: sympy.Expr, size: int) -> tuple[sympy.Expr, ...]:
    """The coefficients of ``z^0 .. z^{size-1}`` (the taps of a kernel of that size).

    >>> ascending_taps(1 + 2*Z**2, 4)
    (1, 0, 2, 0)
    """
    coeffs = Poly(polynomial, Z).all_coeffs()[::-1]
    assert len(coeffs) <= size, f"{polynomial} does not fit {size} taps"
    zero = sympy.Integer(0)
    return tuple(sympy.expand(c) for c in coeffs) + (zero,) * (size - len(coeffs))


def approximate(value: sympy.Expr, digits: int = 30) -> sympy.Expr:
    """``value`` to ``digits`` significant digits, its ``CRootOf`` atoms approximated first.

    SymPy's ``evalf`` refines a ``CRootOf`` by exact interval arithmetic, which is
    very slow at high precision and never ends well on a sum that cancels to 0;
    ``eval_approx`` (mpmath, from the isolating interval) is fast.

    >>> approximate(sympy.CRootOf(Z**3 - 2, 0) ** 3 - 2, 20)
    0
    """
    table = {r: r.eval_approx(digits + 10) for r in value.atoms(sympy.CRootOf)}
    result = sympy.N(value.xreplace(table), digits)
    return sympy.Integer(0) if result.is_Number and abs(result) < sympy.Float(10) ** (5 - digits) else result


def _weights(a: sympy.Expr, b: sympy.Expr, n: int, m: int, construction: str) -> Weights:
    return Weights(((ascending_taps(a, n),),), ((ascending_taps(b, m),),), construction)


def _from_split(request: FactorRequest, analysis: MinimalChannels) -> Weights:
    n, m = request.sizes
    a = sympy.Mul(*(f**k for (f, _), k in zip(analysis.factors, analysis.split)))
    b = sympy.Mul(analysis.content, *(f**(e - k) for (f, e), k in zip(analysis.factors, analysis.split)))
    kind = "rational" if request.is_literal else "polynomial in the taps"
    return _weights(a, b, n, m, f"one channel: Q = A B with A of degree {Poly(a, Z).degree()}, {kind}")


def _options(real: int, pairs: int, degree: int) -> list[tuple[int, int, int]]:
    """``(x, y, cost)``: take x real roots and y pairs of one copy; splitting costs 1."""
    return [(x, y, 0 if (x, y) in ((0, 0), (real, pairs)) else 1)
            for x in range(real + 1) for y in range(pairs + 1)]


def _choose_roots(copies: Sequence[tuple[int, int, int]], target: int) -> list[tuple[int, int]]:
    """For each copy ``(real, pairs, degree)`` how many real roots and pairs go to A: degree ``target``
    with the fewest split copies (dynamic programming over the copies)."""
    best: dict[int, tuple[int, list[tuple[int, int]]]] = {0: (0, [])}
    for real, pairs, degree in copies:
        step: dict[int, tuple[int, list[tuple[int, int]]]] = {}
        for total, (cost, picks) in best.items():
            for x, y, c in _options(real, pairs, degree):
                key = total + x + 2 * y
                if key <= target and (key not in step or step[key][0] > cost + c):
                    step[key] = (cost + c, picks + [(x, y)])
        best = step
    assert target in best, "minimal_channels promised a real factor of this degree"
    return best[target][1]


def _linear_and_quadratic(f: sympy.Expr) -> tuple[list[sympy.Expr], list[sympy.Expr], sympy.Expr]:
    """``f = lc * prod (z - r) * prod (z^2 - 2 Re(w) z + |w|^2)``: the real and the pair factors."""
    poly = Poly(f, Z, domain=QQ)
    roots = poly.all_roots()
    real = [Z - r for r in roots if r.is_real]
    upper = [w for w in roots if not w.is_real and sympy.im(approximate(w, 15)) > 0]
    pairs = [Z**2 - 2 * sympy.re(w) * Z + sympy.re(w)**2 + sympy.im(w)**2 for w in upper]
    return real, pairs, sympy.sympify(poly.LC())  # safe: a polynomial's leading coefficient


def _from_roots(request: FactorRequest, analysis: MinimalChannels) -> Weights:
    n, m = request.sizes
    copies, polys = [], []
    for f, e in analysis.factors:
        real = Poly(f, Z, domain=QQ).count_roots()
        degree = Poly(f, Z).degree()
        for _ in range(e):
            copies.append((real, (degree - real) // 2, degree))
            polys.append(f)
    picks = _choose_roots(copies, analysis.degree)
    a_parts, b_parts = [], [analysis.content]
    for f, (x, y), (real, pairs, _) in zip(polys, picks, copies):
        if (x, y) == (0, 0):
            b_parts.append(f)
        elif (x, y) == (real, pairs):
            a_parts.append(f)
        else:
            linear, quadratic, lc = _linear_and_quadratic(f)
            a_parts += linear[:x] + quadratic[:y]
            b_parts += [lc] + linear[x:] + quadratic[y:]
    a = sympy.expand(sympy.Mul(*a_parts))
    b = sympy.expand(sympy.Mul(*b_parts))
    return _weights(a, b, n, m, f"one channel: Q = A B with A a real factor of degree {analysis.degree}, "
                                f"algebraic coefficients")


def single_channel(request: FactorRequest, analysis: MinimalChannels) -> Weights:
    """The one-channel weights (module docstring); ``analysis.count`` must be 1."""
    assert analysis.count == 1, "one channel was asked for where it does not suffice"
    if analysis.split is not None:
        return _from_split(request, analysis)
    return _from_roots(request, analysis)
