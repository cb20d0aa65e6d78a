"""Lemma schemas: a named statement with integer parameters, its z-domain proof and its check grid.

A schema states an identity of chains (or, for ``kind="adjoint"``, that the
matrix of one layer is the transpose of another's) for every value of its
integer parameters. ``instance(**values)`` writes one member as a pair of
DSL strings; ``grid()`` enumerates the members the exhaustive small-size
tests check. A parameter may be capped by the earlier ones: the cap is a side
condition of the lemma (``p <= d*(c-1)``), so every grid point satisfies it
and :meth:`Lemma.instance` refuses a value beyond it. The engine's table of
lemmas is :mod:`symconv.prover.lemmas`.

>>> str(Parameter("p", 0, 3, "d*(c-1)", lambda d, c, **_: d * (c - 1)))
'p in 0..min(3, d*(c-1))'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping, Optional

from symconv.errors import InvalidArgument

__all__ = ["Parameter", "Lemma", "Instance", "KINDS"]

#: ``identity``: lhs and rhs are equal chains for every input length n;
#: ``adjoint``: on every admissible n, the matrix of rhs is the transpose of the matrix of lhs.
KINDS = ("identity", "adjoint")


@dataclass(frozen=True)
class Parameter:
    """An integer parameter: ``low <= name``, checked on ``low..high`` (capped by ``cap`` where given).

    ``cap`` is the text of an upper bound in the earlier parameters, a side
    condition of the lemma, and ``cap_value`` computes it from them (keyword
    arguments, one per earlier parameter).
    """

    name: str
    low: int
    high: int
    cap: str = ""
    cap_value: Optional[Callable[..., int]] = field(default=None, compare=False, repr=False)

    def domain_high(self, earlier: Mapping[str, int]) -> Optional[int]:
        """The largest value the lemma allows given the earlier parameters (None: unbounded)."""
        return None if self.cap_value is None else self.cap_value(**earlier)

    def values(self, earlier: Mapping[str, int]) -> range:
        """The values the exhaustive check takes, given the earlier parameters."""
        cap = self.domain_high(earlier)
        return range(self.low, (self.high if cap is None else min(self.high, cap)) + 1)

    def __str__(self) -> str:
        high = f"min({self.high}, {self.cap})" if self.cap else str(self.high)
        return f"{self.name} in {self.low}..{high}"


@dataclass(frozen=True)
class Instance:
    """One member of a lemma: the parameter values and both sides in the DSL."""

    lemma: str
    values: tuple[tuple[str, int], ...]
    lhs: str
    rhs: str

    @property
    def params(self) -> dict[str, int]:
        return dict(self.values)

    def __str__(self) -> str:
        values = ", ".join(f"{k}={v}" for k, v in self.values)
        return f"{self.lemma}({values}): {self.lhs} == {self.rhs}"


@dataclass(frozen=True)
class Lemma:
    """A lemma of the engine: an axiom with its generic proof and its exhaustive check grid.

    ``statement`` is the schema in DSL syntax with the parameter names,
    ``condition`` its side condition in words ('' when there is none),
    ``proof`` the generic z-domain derivation (kernel polynomials
    ``K(z) = sum_j k_j z^j``, cross-correlation ``y[i] = sum_j k_j x[s i + d j]``,
    0-based) with the output-length argument, and ``schema`` maps parameter
    values to the two DSL sides.
    """

    name: str
    statement: str
    parameters: tuple[Parameter, ...]
    proof: str
    schema: Callable[..., tuple[str, str]] = field(compare=False, repr=False)
    condition: str = ""
    kind: str = "identity"

    def __post_init__(self) -> None:
        assert self.kind in KINDS, self.kind
        assert len({p.name for p in self.parameters}) == len(self.parameters), self.name

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def instance(self, **values: int) -> tuple[str, str]:
        """``(lhs, rhs)`` in the DSL for these parameter values; refuses values outside the lemma's domain."""
        names = self.parameter_names
        for name in values:
            if name not in names:
                raise InvalidArgument(self.name, name, values[name], f"only the parameters {', '.join(names)}")
        earlier: dict[str, int] = {}
        for p in self.parameters:
            if p.name not in values:
                raise InvalidArgument(self.name, p.name, None, f"a value for every parameter: {', '.join(names)}")
            value, cap = values[p.name], p.domain_high(earlier)
            if isinstance(value, bool) or not isinstance(value, int) or value < p.low or (cap is not None
                                                                                        and value > cap):
                bound = f"at least {p.low}" if cap is None else f"in {p.low}..{cap} ({p.name} <= {p.cap})"
                raise InvalidArgument(self.name, p.name, value, f"an integer {bound}")
            earlier[p.name] = value
        return self.schema(**earlier)

    def grid(self) -> Iterator[dict[str, int]]:
        """Every parameter assignment of the exhaustive check, in lexicographic order of ``parameters``."""
        def walk(index: int, earlier: dict[str, int]) -> Iterator[dict[str, int]]:
            if index == len(self.parameters):
                yield dict(earlier)
                return
            p = self.parameters[index]
            for value in p.values(earlier):
                yield from walk(index + 1, {**earlier, p.name: value})

        return walk(0, {})

    def __str__(self) -> str:
        condition = f" for {self.condition}" if self.condition else ""
        return f"{self.name}: {self.statement}{condition}; checked on {', '.join(map(str, self.parameters))}"
