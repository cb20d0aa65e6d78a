"""What a theorem states: the immutable :class:`Theorem` record and one spec per kind of claim.

* :class:`IdentitySpec` -- ``lhs == rhs`` for every input length;
* :class:`ShapesSpec` -- ``len(lhs)(n) = len(rhs)(n)`` or ``= length(n)`` for every ``n >= min_n`` with
  ``n % modulus`` in ``residues`` (or at listed ``n``);
* :class:`InequalitySpec` -- ``quantity(case) <= bound(case) * (1 + rtol)`` for every case;
* :class:`ExpectationSpec` -- ``E[X] = value`` with ``X`` drawn by ``sample(rng, size)``;
* :class:`CustomSpec` -- a ``check=`` function returning an :class:`~symconv.library.evidence.Evidence`,
  with the identities and length formulas of its claim (``certify=``).

The declarations that build them are in :mod:`symconv.library.registry`; the
runners that decide them in :mod:`symconv.library.run`.

>>> IdentitySpec("down(2) >> conv(k[3])", "conv(dilate(k, 2)) >> down(2)").sizes
()
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Optional, Union

from symconv.lazy_import import sympy

__all__ = ["VERDICTS", "Sizes", "IdentitySpec", "ShapesSpec", "InequalitySpec", "ExpectationSpec", "CustomSpec",
           "Spec", "Theorem"]

#: The verdicts a theorem can expect (DESIGN §4); ``error`` is only ever a result.
VERDICTS = ("proved", "refuted", "checked", "unknown")

Sizes = tuple[tuple[str, tuple[int, ...]], ...]


@dataclass(frozen=True)
class IdentitySpec:
    """``lhs == rhs`` for every input length; ``sizes`` lists instances of generic lengths."""

    lhs: str
    rhs: str
    sizes: Sizes = ()
    seed: int = 0
    assume: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShapesSpec:
    """Output lengths: ``lhs`` against ``rhs`` (a chain) or ``length`` (SymPy in ``n``), or at given ``n``.

    Only ``n >= min_n`` with ``n % modulus`` in ``residues`` are claimed. For an N-D ``lhs``, ``length``
    may be a tuple of SymPy expressions in ``n``, one per axis: axis a's output length in its input length.
    """

    lhs: str
    rhs: Optional[str] = None
    length: Union[sympy.Expr, tuple[sympy.Expr, ...], None] = None
    at: tuple[tuple[int, int], ...] = ()
    modulus: int = 1
    residues: tuple[int, ...] = (0,)
    min_n: int = 1
    sizes: Sizes = ()


@dataclass(frozen=True)
class InequalitySpec:
    """``quantity(case) <= bound(case) * (1 + rtol)`` for every case."""

    quantity: Callable[[Any], float]
    bound: Callable[[Any], float]
    cases: tuple
    rtol: float = 1e-9


@dataclass(frozen=True)
class ExpectationSpec:
    """``E[X] = value`` with ``X`` drawn by ``sample(rng, size)``; ``symbolic()`` may prove it exactly."""

    sample: Callable[[Any, int], Any]
    value: Union[float, Callable[[], float]]
    samples: int = 20_000
    seed: int = 0
    level: float = 0.999
    #: A SymPy argument (a bool) or the kernel's verdicts on exact facts (symconv.library.facts.KernelFacts).
    symbolic: Optional[Callable[[], object]] = None


@dataclass(frozen=True)
class CustomSpec:
    """A function of no argument returning an :class:`~symconv.library.evidence.Evidence`.

    ``certified`` lists the parts of the claim that are identities of chains or
    length formulas: each is proved and replayed by the kernel (symconv.checker)
    before the check runs, and the theorem counts as certified only when all are.
    """

    check: Callable[[], Any]
    certified: tuple[Union[IdentitySpec, ShapesSpec], ...] = ()


Spec = Union[IdentitySpec, ShapesSpec, InequalitySpec, ExpectationSpec, CustomSpec]


@dataclass(frozen=True)
class Theorem:
    """One declared claim: what it states, where it comes from, what verdict it expects.

    ``file`` is filled in by the loader; ``statement`` is the text shown in
    tables and reports (the identity itself for :func:`theorem`).
    """

    name: str
    kind: str
    spec: Spec
    claims: tuple[str, ...] = ()
    source: str = ""
    expect: str = "proved"
    note: str = ""
    statement: str = ""
    file: Optional[str] = None
    perturbed: tuple[Callable[[], Any], ...] = ()

    def located(self, file: str) -> "Theorem":
        """The same theorem, recorded as declared in ``file``."""
        return replace(self, file=file)

    def __repr__(self) -> str:
        where = f" in {self.file}" if self.file else ""
        return f"<{self.kind} {self.name!r} expect={self.expect}{where}: {self.statement}>"
