"""Inline identities in a test suite: ``assert_identity(lhs, rhs)``.

>>> proof = assert_identity("conv(k[3], stride=2)", "conv(k) >> down(2)")
>>> proof.verdict == "proved"
True
>>> assert_identity("conv(k[3]) >> conv(j[2])", "conv(k)")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: conv(k[3]) >> conv(j[2])  ==  conv(k[3]) is not an identity (refuted): output lengths differ ...
counterexample: n=3, input=[[...]], kernels={'k': [...], 'j': [...]}, lhs=[[...]], rhs=[[...]], index=0

In a pytest failure only the verdict and the counterexample are shown, not
this function's source (``__tracebackhide__``).
"""

from __future__ import annotations

from typing import Mapping, Optional, Sequence, Union

from symconv.core.layers import Layer

__all__ = ["assert_identity"]


def _example_lines(example: dict) -> list[str]:
    from symconv.prover.display import example_lines

    return example_lines(example)


def assert_identity(lhs: Union[str, Layer], rhs: Union[str, Layer], *, numeric: bool = False,
                    sizes: Optional[Mapping[str, Sequence[int]]] = None, seed: int = 0):
    """Assert that ``lhs == rhs`` for every input length; return the :class:`~symconv.prover.proof.Proof`.

    Raises ``AssertionError`` naming the verdict, the reason and, when
    refuted, the counterexample (sizes, input, kernel values, both outputs,
    first differing index). ``numeric=True`` also accepts ``checked`` (chains
    with nonlinear layers can only be checked numerically). ``sizes`` proves
    one instance per value of a generic length, e.g. ``{"c": [3, 4, 5]}``;
    the proof of the last instance is returned.
    """
    __tracebackhide__ = True  # pytest: show the message, not this function
    from symconv.dsl import parse_statement
    from symconv.prover import prove
    from symconv.library.instances import instantiate, size_grid

    if isinstance(lhs, str) or isinstance(rhs, str):
        lhs, rhs = parse_statement(lhs if isinstance(lhs, str) else repr(lhs),
                                   rhs if isinstance(rhs, str) else repr(rhs))
    accepted = ("proved", "checked") if numeric else ("proved",)
    grid = list(size_grid(tuple((k, tuple(v)) for k, v in sizes.items()))) if sizes else [{}]
    proof = None
    for instance in grid:
        left, right = instantiate(lhs, instance), instantiate(rhs, instance)
        proof = prove(left, right, seed=seed)
        if proof.verdict in accepted:
            continue
        where = (" at " + ", ".join(f"{k} = {v}" for k, v in instance.items())) if instance else ""
        lines = [f"{left!r}  ==  {right!r} is not an identity{where} ({proof.verdict}): {proof.note}"]
        if proof.counterexample is not None:
            lines += _example_lines(proof.counterexample.to_json())
        elif proof.numeric is not None and proof.numeric.mismatch:
            lines += _example_lines(proof.numeric.mismatch)
        raise AssertionError("\n".join(lines))
    return proof
