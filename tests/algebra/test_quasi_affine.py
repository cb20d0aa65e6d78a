"""QuasiAffine against plain integer arithmetic, for random compositions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.algebra.quasi_affine import QuasiAffine

affine = st.tuples(st.integers(-4, 4), st.integers(-9, 9))
divisor = st.integers(1, 5)


@settings(max_examples=150, deadline=None)
@given(affine, affine, divisor, divisor, st.integers(-3, 3))
def test_operations_agree_with_integers(f, g, d, e, k):
    F, G = QuasiAffine.affine(*f), QuasiAffine.affine(*g)

    def fv(c):
        return f[0] * c + f[1]

    def gv(c):
        return g[0] * c + g[1]

    built = QuasiAffine.minimum(QuasiAffine.maximum(F.floordiv(d), G.ceildiv(e)) + F.scaled(k), G - 1)
    for c in range(1, 80):
        expected = min(max(fv(c) // d, -(-gv(c) // e)) + k * fv(c), gv(c) - 1)
        assert built(c) == expected


@settings(max_examples=150, deadline=None)
@given(affine, affine, divisor)
def test_first_difference_is_the_least_differing_c(f, g, d):
    F = QuasiAffine.maximum(QuasiAffine.affine(*f).floordiv(d), QuasiAffine.constant(0))
    G = QuasiAffine.affine(*g).floordiv(d)
    witness = F.first_difference(G)
    brute = next((c for c in range(1, 400) if F(c) != G(c)), None)
    assert witness == brute
    assert F.first_difference(F) is None


def test_pieces_and_description():
    half = (QuasiAffine.affine(1, 0) + 1).floordiv(2)
    assert half.period == 2 and half.describe().startswith("c = 1 + 2q")
    assert QuasiAffine.affine(3, -2).describe() == "3c - 2"
    clipped = QuasiAffine.maximum(QuasiAffine.affine(3, -12), QuasiAffine.constant(1))
    assert clipped.describe() == "3c - 12 for c >= 5, [1, 1, 1, 1] before"
