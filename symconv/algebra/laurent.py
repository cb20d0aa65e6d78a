"""Laurent polynomials ``sum_t c_t z^t`` with exact coefficients.

The coefficients are sparse polynomials in the kernel taps
(:mod:`symconv.algebra.tap_poly`) or plain rationals, so products of
symbolic kernels stay fast instead of growing SymPy expression trees. A kernel with taps
``k_0 .. k_{c-1}`` is ``K(z) = sum_j k_j z^j``; in the correlation
orientation a layer reading ``x[i*s + t]`` with weight ``h_t`` is the Laurent
polynomial ``h(z) = sum_t h_t z^t``.

>>> from symconv.algebra.tap_poly import TapRing
>>> a, b = TapRing.of_names("ab").gens
>>> K = Laurent({0: a, 1: b})
>>> K * K.upsample(2)
Laurent({0: a**2, 1: a*b, 2: a*b, 3: b**2})
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from symconv.algebra.tap_poly import TapPoly, TapRing

__all__ = ["Laurent", "Matrix", "mat_mul", "mat_add", "mat_identity", "mat_zero", "mat_map", "mat_is_zero"]

Coeff = Any  # a TapPoly, or a plain int/Fraction for constants


class Laurent:
    """An immutable Laurent polynomial: exponent -> non-zero coefficient."""

    __slots__ = ("terms", "_hash")

    def __init__(self, terms: Mapping[int, Coeff] | Iterable[tuple[int, Coeff]] = ()):
        items = terms.items() if isinstance(terms, Mapping) else terms
        clean: dict[int, Coeff] = {}
        for t, c in items:
            if c:
                clean[t] = c
        self.terms = dict(sorted(clean.items()))
        self._hash = None

    @staticmethod
    def monomial(t: int, c: Coeff) -> "Laurent":
        """``c z^t``."""
        return Laurent({t: c})

    def is_zero(self) -> bool:
        return not self.terms

    def support(self) -> tuple[int, int] | None:
        """``(min t, max t)`` over non-zero coefficients, or None for 0."""
        if not self.terms:
            return None
        keys = list(self.terms)
        return keys[0], keys[-1]

    def __add__(self, other: "Laurent") -> "Laurent":
        out = dict(self.terms)
        for t, c in other.terms.items():
            out[t] = out[t] + c if t in out else c
        return Laurent(out)

    def __neg__(self) -> "Laurent":
        return Laurent({t: -c for t, c in self.terms.items()})

    def __sub__(self, other: "Laurent") -> "Laurent":
        return self + (-other)

    def __mul__(self, other: "Laurent | Coeff") -> "Laurent":
        if not isinstance(other, Laurent):
            return Laurent({t: c * other for t, c in self.terms.items()})
        out: dict[int, Coeff] = {}
        for t1, c1 in self.terms.items():
            for t2, c2 in other.terms.items():
                t = t1 + t2
                out[t] = out[t] + c1 * c2 if t in out else c1 * c2
        return Laurent(out)

    def shift(self, m: int) -> "Laurent":
        """``z^m h(z)``: coefficient ``t`` moves to ``t + m``."""
        return Laurent({t + m: c for t, c in self.terms.items()})

    def upsample(self, d: int) -> "Laurent":
        """``h(z^d)``: ``d - 1`` zeros between coefficients (kernel dilation)."""
        return Laurent({t * d: c for t, c in self.terms.items()})

    def component(self, phase: int, period: int) -> "Laurent":
        """Polyphase component: ``sum_t h_{period*t + phase} z^t``, so ``h = sum_r z^r H_r(z^period)``."""
        return Laurent({(t - phase) // period: c for t, c in self.terms.items() if (t - phase) % period == 0})

    def reverse(self) -> "Laurent":
        """``h(1/z)``."""
        return Laurent({-t: c for t, c in self.terms.items()})

    def at_one(self) -> Coeff:
        """``h(1)``: the sum of the coefficients."""
        total = 0
        for c in self.terms.values():
            total = c + total
        return total

    def coefficients(self, start: int, stop: int) -> list[Coeff]:
        """Dense coefficients for ``start <= t < stop`` (zeros included)."""
        return [self.terms.get(t, 0) for t in range(start, stop)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Laurent):
            return NotImplemented
        return self.terms == other.terms

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(tuple(self.terms.items()))
        return self._hash

    def __repr__(self) -> str:
        return "Laurent({" + ", ".join(f"{t}: {c}" for t, c in self.terms.items()) + "})"


Matrix = tuple[tuple[Laurent, ...], ...]
_ZERO = Laurent()


def mat_zero(rows: int, cols: int) -> Matrix:
    return tuple(tuple(_ZERO for _ in range(cols)) for _ in range(rows))


def mat_identity(size: int, entry: Laurent | None = None) -> Matrix:
    """``entry`` (default 1) on the diagonal."""
    entry = Laurent({0: 1}) if entry is None else entry
    return tuple(tuple(entry if i == j else _ZERO for j in range(size)) for i in range(size))


def _flat(entry: "Laurent") -> list[tuple[int, tuple, Coeff]]:
    """``[(t, monomial, coefficient)]`` of an entry whose coefficients are TapPolys or numbers."""
    out = []
    for t, c in entry.terms.items():
        if isinstance(c, TapPoly):
            out.extend((t, m, k) for m, k in c.terms.items())
        else:
            out.append((t, (), c))
    return out


#: Below this many coefficient pairs a product of integer entries is summed pair by pair.
_PACKED_FROM = 4096


def _packed(entry: list, start: int, width: int) -> tuple[int, int]:
    """The positive and the negative part of an integer entry (:func:`_flat`, no monomials) as two integers
    whose ``width``-byte digits, lowest first, are the coefficients of ``z^start``, ``z^(start + 1)``, ..."""
    stop = max(t for t, _, _ in entry) + 1
    positive, negative = bytearray((stop - start) * width), bytearray((stop - start) * width)
    for t, _, c in entry:
        at = (t - start) * width
        if c > 0:
            positive[at:at + width] = c.to_bytes(width, "little")
        else:
            negative[at:at + width] = (-c).to_bytes(width, "little")
    return int.from_bytes(positive, "little"), int.from_bytes(negative, "little")


def _integer_entry_product(pairs: list[tuple[list, list]]) -> dict[int, int]:
    """``{t: c}`` of ``sum_m x_m y_m`` for integer entries, by Kronecker substitution: an entry is packed into
    one integer with a digit per power of z (base ``2^(8 width)``, more than any coefficient of the result
    can reach), so a polynomial product is one integer product (Karatsuba, in C); the positive and negative
    parts are packed apart, so no digit borrows."""
    bound = sum(sum(abs(c) for _, _, c in x) * sum(abs(c) for _, _, c in y) for x, y in pairs)
    width = bound.bit_length() // 8 + 1
    starts = [(min(t for t, _, _ in x), min(t for t, _, _ in y)) for x, y in pairs]
    lowest = min(a + b for a, b in starts)
    positive = negative = 0
    for (x, y), (x_start, y_start) in zip(pairs, starts):
        x_plus, x_minus = _packed(x, x_start, width)
        y_plus, y_minus = _packed(y, y_start, width)
        shift = (x_start + y_start - lowest) * width * 8
        positive += (x_plus * y_plus + x_minus * y_minus) << shift
        negative += (x_plus * y_minus + x_minus * y_plus) << shift
    digits = max(positive.bit_length(), negative.bit_length()) // (8 * width) + 1
    plus, minus = positive.to_bytes(digits * width, "little"), negative.to_bytes(digits * width, "little")
    out = {}
    for k in range(digits):
        c = (int.from_bytes(plus[k * width:(k + 1) * width], "little")
             - int.from_bytes(minus[k * width:(k + 1) * width], "little"))
        if c:
            out[lowest + k] = c
    return out


def _is_integer_entry(entry: list) -> bool:
    return all(type(c) is int and not m for _, m, c in entry)


def _entry_product(xs: list[list], ys: list[list], ring: "TapRing | None") -> "Laurent":
    """``sum_m x_m y_m`` for flattened entries (:func:`_flat`) ``xs[m]``, ``ys[m]``, accumulated in one dict
    keyed by ``(power of z, monomial)`` (no partial sum is copied); long integer entries (the windows of a
    chain's skeleton, integer kernels) by :func:`_integer_entry_product`."""
    pairs = [(x, y) for x, y in zip(xs, ys) if x and y]
    if (sum(len(x) * len(y) for x, y in pairs) >= _PACKED_FROM
            and all(_is_integer_entry(x) and _is_integer_entry(y) for x, y in pairs)):
        return Laurent(_integer_entry_product(pairs)) if pairs else _ZERO
    acc: dict = {}
    get = acc.get
    for x, y in zip(xs, ys):
        if not x or not y:
            continue
        for t1, m1, c1 in x:
            last = m1[-1] if m1 else -1
            for t2, m2, c2 in y:
                key = (t1 + t2, m1 + m2 if not m2 or last <= m2[0] else tuple(sorted(m1 + m2)))
                acc[key] = get(key, 0) + c1 * c2
    by_power: dict[int, dict] = {}
    for (t, m), c in acc.items():
        if c:
            terms = by_power.get(t)
            if terms is None:
                by_power[t] = {m: c}
            else:
                terms[m] = c
    if not by_power:
        return _ZERO
    if ring is None:
        return Laurent({t: terms.get((), 0) for t, terms in by_power.items()})
    return Laurent({t: TapPoly(terms, ring) for t, terms in by_power.items()})


def mat_mul(a: Matrix, b: Matrix) -> Matrix:
    """Matrix product with Laurent entries: ``(ab)[o][i] = sum_m a[o][m] b[m][i]``.

    The entries are flattened once to ``(t, monomial, coefficient)`` triples and
    each product entry is accumulated in one dict (:func:`_entry_product`), so a
    product costs the number of term pairs. Equal rows of ``a`` and equal
    columns of ``b`` (the all-ones weights of a window skeleton) are multiplied once.
    """
    inner = len(b)
    cols = len(b[0]) if b else 0
    ring = next((c.ring for m in (a, b) for row in m for entry in row for c in entry.terms.values()
                 if isinstance(c, TapPoly)), None)
    column_of: dict = {}  # equal columns (and rows) get one number and are multiplied once
    column_numbers = [column_of.setdefault(tuple(b[m][i] for m in range(inner)), len(column_of)) for i in range(cols)]
    row_of: dict = {}
    row_numbers = [row_of.setdefault(row, len(row_of)) for row in a]
    flat_columns = [[_flat(e) for e in column] for column in column_of]
    products = []
    for row in row_of:
        flat_row = [_flat(e) for e in row]
        products.append([_entry_product(flat_row, ys, ring) for ys in flat_columns])
    return tuple(tuple(products[r][c] for c in column_numbers) for r in row_numbers)


def mat_add(a: Matrix, b: Matrix) -> Matrix:
    return tuple(tuple(x + y for x, y in zip(ra, rb)) for ra, rb in zip(a, b))


def mat_map(a: Matrix, f) -> Matrix:
    return tuple(tuple(f(x) for x in row) for row in a)


def mat_is_zero(a: Matrix) -> bool:
    return all(x.is_zero() for row in a for x in row)
