r"""The fewest channels of a two-layer factorization of ``q`` with sizes ``(N, M)``.

With ``C`` channels, ``conv(F) >> conv(S) = conv(q)`` iff
``sum_c F_c(z) S_c(z) = Q(z) = sum_l q_l z^l`` with ``deg F_c <= N - 1`` and
``deg S_c <= M - 1`` (:mod:`symconv.factoring.two_layer`). Two channels always
suffice (``Q = low part * 1 + z^{N-1} * high part``), so the question is
whether **one** does: whether ``Q = A B`` with real ``A``, ``B`` of degrees
``a <= N - 1`` and ``D - a <= M - 1``, ``D = deg Q``, i.e.

    a in [max(0, D - M + 1), min(N - 1, D)]     (a single value, N - 1, when q_{L-1} != 0).

**Literal q (decided exactly).** A real factor of ``Q`` is ``lc`` times a product
of ``(z - r)`` over real roots and ``(z - w)(z - conj w)`` over pairs of complex
roots. With ``r`` real roots (counted with multiplicity, ``z = 0`` included when
``q_0 = 0``) and ``p`` pairs, a real factor of degree ``a`` exists iff some
``j <= p`` has ``0 <= a - 2j <= r``; since ``r + 2p = D`` this fails only when
``r = 0`` and ``a`` is odd. ``r`` and ``p`` come from SymPy's factorization over
QQ and exact real-root counting (Sturm sequences) of each irreducible factor.
Hence one channel fails exactly when ``q_{L-1} != 0``, ``Q`` has no real root
and ``N - 1`` (hence also ``M - 1``) is odd.

**Symbolic q (closed forms in the taps).** Weights that are rational functions
of the taps split ``Q`` over ``QQ(taps)``; by Gauss's lemma such a split comes
from the factorization of ``Q`` in ``QQ[taps, z]``, which SymPy computes. For a
named kernel ``q[L]`` (independent taps) ``Q`` is irreducible (it has degree 1
in the taps, with coprime coefficients), so one channel works only when
``N = 1`` or ``M = 1`` and the minimum is 2 otherwise. Pointwise, for real
values of the taps, one channel does for every ``q`` when ``N`` or ``M`` is odd
(by the root count above), but the factor is then an algebraic, piecewise
function of the taps, not a closed form; when ``N`` and ``M`` are both even,
``Q = (1 + z^2)^{(L-1)/2}`` needs two channels.

>>> minimal_channels("[1, 0, 1]", (2, 2)).count
2
>>> minimal_channels("[1, 0, -1]", (2, 2)).count
1
>>> minimal_channels("q[5]", (2, 4)).count
2
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.lazy_import import sympy
from sympy import QQ, Poly

from symconv.factoring.request import Z, FactorRequest, factor_request

__all__ = [
    "MinimalChannels",
    "minimal_channels",
    "first_degree_range",
    "has_real_factor",
    "analyse_channels",
    "two_channel_reason",
]


@dataclass(frozen=True)
class MinimalChannels:
    """The fewest channels ``count`` (1 or 2) and why.

    ``factors`` is ``Q``'s factorization ``content * prod f^e`` (over QQ for a
    literal kernel, in QQ[taps, z] for a symbolic one); ``split`` gives, for
    each factor, how many copies go to the first layer in a one-channel
    factorization with rational (or polynomial-in-the-taps) weights, or is
    None when there is none. ``real_roots``/``complex_pairs`` are counted for
    literal kernels; ``degree`` is the degree a of the first layer's factor of
    a one-channel factorization over the reals (None when there is none).
    """

    count: int
    reason: str
    polynomial_degree: int
    first_degrees: tuple[int, int]
    content: sympy.Expr
    factors: tuple[tuple[sympy.Expr, int], ...]
    split: Optional[tuple[int, ...]]
    degree: Optional[int]
    real_roots: Optional[int] = None
    complex_pairs: Optional[int] = None

    @property
    def rational(self) -> bool:
        """True when a one-channel factorization has weights rational in the taps (or numbers)."""
        return self.split is not None


def first_degree_range(n: int, m: int, degree: int) -> tuple[int, int]:
    """``[max(0, D - M + 1), min(N - 1, D)]``: the degrees the first layer's factor may have.

    >>> first_degree_range(2, 4, 4), first_degree_range(2, 4, 2)
    ((1, 1), (0, 1))
    """
    return max(0, degree - m + 1), min(n - 1, degree)


def has_real_factor(a: int, real_roots: int, pairs: int) -> bool:
    """Whether a real polynomial with ``real_roots`` real roots and ``pairs`` complex pairs has a real
    factor of degree ``a``: some ``j <= pairs`` with ``0 <= a - 2j <= real_roots``.

    >>> [has_real_factor(a, 0, 2) for a in range(5)]
    [True, False, True, False, True]
    """
    return any(0 <= a - 2 * j <= real_roots for j in range(pairs + 1))


def _factorization(request: FactorRequest) -> tuple[sympy.Expr, tuple[tuple[sympy.Expr, int], ...]]:
    """``Q = content * prod f^e`` with irreducible ``f`` of positive degree in ``z``."""
    if request.is_literal:
        content, factors = Poly(request.polynomial, Z, domain=QQ).factor_list()
        return sympy.sympify(content), tuple((f.as_expr(), e) for f, e in factors)  # safe: a ground number
    content, factors = sympy.factor_list(request.polynomial, Z, *request.tap_symbols())
    constant = [f**e for f, e in factors if not f.has(Z)]
    return sympy.Mul(content, *constant), tuple((f, e) for f, e in factors if f.has(Z))


def _z_degree(f: sympy.Expr) -> int:
    return Poly(f, Z).degree()


def _rational_split(factors, lo: int, hi: int) -> Optional[tuple[int, ...]]:
    """Copies of each factor whose degrees sum into ``[lo, hi]`` (the largest such sum), or None."""
    reachable: dict[int, tuple[int, ...]] = {0: ()}
    for f, e in factors:
        d = _z_degree(f)
        step: dict[int, tuple[int, ...]] = {}
        for total, choice in reachable.items():
            for k in range(e + 1):
                step.setdefault(total + k * d, choice + (k,))
        reachable = step
    for a in range(hi, lo - 1, -1):
        if a in reachable:
            return reachable[a]
    return None


def _real_root_counts(factors) -> tuple[int, int]:
    real = sum(e * Poly(f, Z, domain=QQ).count_roots() for f, e in factors)
    total = sum(e * _z_degree(f) for f, e in factors)
    return real, (total - real) // 2


def _show(content: sympy.Expr, factors) -> str:
    parts = [] if content == 1 else [f"({content})"]
    parts += [f"({f})" + (f"^{e}" if e > 1 else "") for f, e in factors]
    return " * ".join(parts) or "1"


def _part(start: int, count: int) -> str:
    """``q_s + q_{s+1} z + ... + q_{s+c-1} z^{c-1}`` as text (``0`` when empty)."""
    terms = [f"q_{start + i}" + ("" if i == 0 else " z" if i == 1 else f" z^{i}") for i in range(count)]
    if len(terms) > 3:
        terms = terms[:2] + ["..."] + terms[-1:]
    return " + ".join(terms) or "0"


def two_channel_reason(n: int, m: int) -> str:
    """Why two channels always suffice, in the notation of the sizes ``(N, M)``.

    >>> two_channel_reason(2, 4)
    'two channels always suffice: Q = (q_0) * 1 + z^1 * (q_1 + q_2 z + ... + q_4 z^3)'
    """
    return f"two channels always suffice: Q = ({_part(0, n - 1)}) * 1 + z^{n - 1} * ({_part(n - 1, m)})"


def analyse_channels(request: FactorRequest) -> MinimalChannels:
    """The decision of the module docstring for a checked request."""
    n, m = request.sizes
    q_poly = Poly(request.polynomial, Z)
    degree = q_poly.degree()
    lo, hi = first_degree_range(n, m, degree)
    content, factors = _factorization(request)
    split = _rational_split(factors, lo, hi)
    shown = _show(content, factors)
    wanted = f"a factor of degree {lo}" if lo == hi else f"a factor of degree in [{lo}, {hi}]"
    two = two_channel_reason(n, m)
    if split is not None:
        a = sum(k * _z_degree(f) for k, (f, _) in zip(split, factors))
        reason = (
            f"one channel suffices: Q(z) = {shown} has a factor of degree {a} <= {n - 1} with "
            f"{'rational coefficients' if request.is_literal else 'coefficients polynomial in the taps'} "
            f"(the first layer, of size {n}) and the rest, of degree {degree - a} <= {m - 1}, is the second layer"
        )
        if request.is_literal:
            real, pairs = _real_root_counts(factors)
            return MinimalChannels(1, reason, degree, (lo, hi), content, factors, split, a, real, pairs)
        return MinimalChannels(1, reason, degree, (lo, hi), content, factors, split, a)
    if not request.is_literal:
        degrees = sorted({_z_degree(f) for f, _ in factors})
        odd = n % 2 == 1 or m % 2 == 1
        pointwise = (
            "every real value of the taps admits one channel (real roots pair up, since N or M is odd), "
            "but the factor is an algebraic, piecewise function of the taps, not a closed form"
            if odd else
            f"values with no real root, e.g. Q = (1 + z^2)^{(n + m - 2) // 2}, need two channels for every "
            f"choice (N - 1 = {n - 1} is odd)"
        )
        reason = (
            f"with closed forms in the taps, one channel needs Q(z) = {shown} to split over QQ(taps) with "
            f"{wanted} (Gauss's lemma: such splits come from factors in QQ[taps, z]), but its irreducible "
            f"factors have z-degrees {degrees}; pointwise, {pointwise}; {two}"
        )
        return MinimalChannels(2, reason, degree, (lo, hi), content, factors, None, None)
    real, pairs = _real_root_counts(factors)
    for a in range(hi, lo - 1, -1):
        if has_real_factor(a, real, pairs):
            j = next(j for j in range(pairs + 1) if 0 <= a - 2 * j <= real)
            reason = (
                f"one channel suffices: Q(z) = {shown} has {real} real root(s) and {pairs} pair(s) of "
                f"complex roots, so it has a real factor of degree {a} ({a - 2 * j} real root(s) and {j} "
                f"pair(s)); no such factor has rational coefficients, so the weights are algebraic numbers"
            )
            return MinimalChannels(1, reason, degree, (lo, hi), content, factors, None, a, real, pairs)
    reason = (
        f"one channel would need Q(z) = A(z) B(z) with deg A = {n - 1} (first layer) and deg B = {m - 1} "
        f"(second layer), but Q(z) = {shown} has degree {degree} and no real root ({pairs} pair(s) of "
        f"complex roots), so each real factor has even degree while {n - 1} is odd; {two}"
    )
    return MinimalChannels(2, reason, degree, (lo, hi), content, factors, None, None, real, pairs)


def minimal_channels(kernel: object, sizes: object) -> MinimalChannels:
    """The fewest channels of ``conv(F) >> conv(S) = conv(kernel)`` with layer sizes ``sizes = (N, M)``.

    ``kernel`` is a Kernel, a DSL string (``"q[5]"``, ``"[1, 2, 1]"``) or a list
    of numbers. The result's ``count`` is 1 or 2 and its ``reason`` says why
    (module docstring).

    >>> minimal_channels([1, 3, 3, 1], (2, 3)).reason.startswith("one channel suffices")
    True
    """
    return analyse_channels(factor_request(kernel, sizes))
