"""A d-D chain whose other axes are trivial (kernel size 1, stride 1, no padding) has the 1-D chain's verdict.

The 1-D engine (its own decision procedure) labels each generated 1-D
identity; the same identity written in 2-D or 3-D, with the 1-D arguments on
the first axis and trivial ones elsewhere, must get the same decision, and a
refutation a counterexample that is trivial on the other axes' arithmetic.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import prove
from symconv.dsl import parse_statement
from symconv.prover.decide_nd import decide_nd


def _axes(value: int, d: int, rest: int) -> str:
    return str(value) if d == 1 else "(" + ", ".join([str(value)] + [str(rest)] * (d - 1)) + ")"


def statement(d: int, s: int, t: int, c: int, p: int, between: bool, wrong: int) -> tuple[str, str]:
    """A stride composition in d axes (d = 1: the 1-D DSL), padded in front or between, perhaps mutated."""
    conv = "conv" if d == 1 else f"conv{d}d"
    k = f"k[{_axes(c, d, 1)[1:-1] if d > 1 else c}]"
    if between:
        lhs = (f"{conv}({k}, stride={_axes(s, d, 1)}, padding={_axes(p, d, 0)}) >> "
               f"{conv}(k, stride={_axes(t, d, 1)}, padding={_axes(p, d, 0)})")
        padding = p * (1 + s)
    else:
        lhs = f"pad({_axes(p, d, 0)}) >> {conv}({k}, stride={_axes(s, d, 1)}) >> {conv}(k, stride={_axes(t, d, 1)})"
        padding = p
    rhs = (f"{conv}(convolve(k, dilate(k, {_axes(s + wrong, d, 1)})), stride={_axes(s * t, d, 1)}, "
           f"padding={_axes(padding, d, 0)})")
    return lhs, rhs


@settings(max_examples=20, deadline=None)
@given(st.sampled_from([2, 3]), st.sampled_from([1, 2, 3]), st.sampled_from([1, 2]), st.integers(1, 3),
       st.integers(0, 1), st.booleans(), st.sampled_from([0, 0, 1]))
def test_a_chain_with_trivial_extra_axes_gets_the_1d_verdict(d, s, t, c, p, between, wrong):
    one = prove(*statement(1, s, t, c, p, between, wrong))
    assert one.verdict in ("proved", "refuted"), one.note
    lhs, rhs = statement(d, s, t, c, p, between, wrong)
    decision = decide_nd(*parse_statement(lhs, rhs))
    assert decision.verdict == one.verdict, (lhs, rhs, decision.reason, one.note)
    if one.verdict == "refuted":
        many = prove(lhs, rhs)
        assert many.verdict == "refuted" and len(many.counterexample.n) == d
