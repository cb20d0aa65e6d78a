"""symconv.testing.assert_identity: inline identities with counterexamples in the failure."""

from __future__ import annotations

import pytest

from symconv.testing import assert_identity

STRIDE = ("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
PADDED = ("conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
          "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")


def test_assert_identity_returns_the_proof_when_proved():
    assert assert_identity(*STRIDE).verdict == "proved"


def test_assert_identity_raises_with_the_counterexample():
    expected = r"is not an identity \(refuted\): the outputs differ near the ends"
    with pytest.raises(AssertionError, match=expected) as info:
        assert_identity(*PADDED)
    message = str(info.value)
    assert "counterexample: n=" in message and "kernels={'k': [" in message and "index=" in message


def test_assert_identity_proves_each_instance_and_names_the_failing_one():
    generic = ("conv(k[c], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
               "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    assert assert_identity(*generic, sizes={"c": [1, 2]}).verdict == "proved"
    with pytest.raises(AssertionError, match="is not an identity at c = 3"):
        assert_identity(*generic, sizes={"c": [1, 2, 3]})


def test_nonlinear_identities_need_numeric_true():
    lhs, rhs = "conv(k[3]) >> relu()", "conv(k) >> relu() >> relu()"
    with pytest.raises(AssertionError, match=r"\(checked\)"):
        assert_identity(lhs, rhs)
    assert assert_identity(lhs, rhs, numeric=True).verdict == "checked"


def test_assert_identity_accepts_layer_objects():
    from symconv import conv, down, kernel

    k = kernel("k", 3)
    assert assert_identity(conv(k, stride=2), conv(k) >> down(2)).verdict == "proved"
