"""Theorem declarations: the four ways to make a :class:`~symconv.library.specs.Theorem`, and their collection.

A theorem file (``proofs/*.py``, DESIGN §6) is a Python module that calls

* :func:`theorem` -- an identity of two chains, ``lhs == rhs`` for every input
  length, decided by :func:`symconv.prove`;
* :func:`shapes` -- layer arithmetic: output lengths of two chains, or of a
  chain against a closed form in ``n``, for every ``n`` (in a residue class);
* :func:`inequality` -- ``quantity(case) <= bound(case)`` on a list of cases
  (a Lipschitz constant against its bound, ...), evaluated in floating point;
* :func:`expectation` -- ``E[X] = value`` for a random variable given by a
  sampler: proved symbolically where a SymPy argument is supplied, and
  checked by seeded Monte Carlo with a confidence interval.

Every declaration states the verdict it expects (``expect=``, default
``"proved"`` for identities and shapes, ``"checked"`` for numeric claims): a
false claim of a source note stays in the library as ``expect="refuted"``
with a ``note`` saying what the correct statement is. Declaring does no
work; :mod:`symconv.library.run` runs a theorem, and
:mod:`symconv.library.load` collects the declarations of a file. Outside a
load the declarations are simply returned, so importing a theorem file as an
ordinary module has no effect.

Any declaration may instead carry ``check=``: a function of no argument
returning an :class:`~symconv.library.evidence.Evidence`, for claims whose
test does not fit the four shapes. Such a check may report ``proved`` only
from exact (rational or symbolic) computation. A ``checked`` custom check
also carries ``perturbed=``: the same check with its constant (or claimed
limit) scaled by 1.05 or 0.95, which must come out ``refuted``
(:mod:`symconv.library.perturbation`). A custom check whose claim contains
identities of chains or length formulas names them in ``certify=[(lhs, rhs),
(chain, length)]``: they are proved and replayed by the kernel
(:mod:`symconv.checker`) before the check runs, and the theorem counts as
certified only when every one is (a check that proves identities itself
reports them with :func:`~symconv.library.evidence.replayed_by_kernel`).

>>> t = theorem("stride_composition", lhs="conv(k[3], stride=2) >> conv(k, stride=2)",
...             rhs="conv(convolve(k, dilate(k, 2)), stride=4)", claims=["C1.1"], source="seed 001")
>>> t.kind, t.expect, t.claims
('identity', 'proved', ('C1.1',))
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence, Union

from symconv.lazy_import import sympy

from symconv.core.layers import Layer
from symconv.errors import InvalidArgument, SymconvError
from symconv.library.arguments import (
    chain_text,
    check_callable,
    check_certify,
    check_claims,
    check_expect,
    check_name,
    check_perturbed,
    check_sizes,
)
from symconv.library.specs import (
    VERDICTS,
    CustomSpec,
    ExpectationSpec,
    IdentitySpec,
    InequalitySpec,
    ShapesSpec,
    Spec,
    Theorem,
)

__all__ = [
    "VERDICTS",
    "Theorem",
    "IdentitySpec",
    "ShapesSpec",
    "InequalitySpec",
    "ExpectationSpec",
    "CustomSpec",
    "TheoremFileError",
    "theorem",
    "shapes",
    "inequality",
    "expectation",
    "collecting",
]

#: The theorems a load is collecting (None outside a load): scoped, never global.
_COLLECTOR: contextvars.ContextVar[Optional[list]] = contextvars.ContextVar("symconv_theorems", default=None)


class TheoremFileError(SymconvError):
    """A theorem file cannot be found, imported or declares something twice.

    ``path`` is the file and ``reason`` what went wrong (with the line when known).
    """

    def __init__(self, path: str, reason: str):
        self.path = path
        self.reason = reason
        super().__init__(f"theorem file {path!r}: {reason}")


def _declare(t: Theorem) -> Theorem:
    collected = _COLLECTOR.get()
    if collected is not None:
        if any(other.name == t.name for other in collected):
            raise InvalidArgument(t.kind, "name", t.name, "a name not yet used in this file")
        collected.append(t)
    return t


@contextlib.contextmanager
def collecting() -> Iterator[list]:
    """Collect every declaration made inside the block into a fresh list."""
    collected: list = []
    token = _COLLECTOR.set(collected)
    try:
        yield collected
    finally:
        _COLLECTOR.reset(token)


# --- the declarations -----------------------------------------------------------------------

def theorem(name: str, lhs: Union[str, Layer, None] = None, rhs: Union[str, Layer, None] = None, *,
            claims: Sequence[str] = (), source: str = "", expect: str = "proved", note: str = "",
            sizes: Optional[Mapping[str, Sequence[int]]] = None, seed: int = 0,
            statement: str = "", check: Optional[Callable[[], Any]] = None,
            assume: Sequence[str] = (), perturbed: Any = None, certify: Optional[Sequence[tuple]] = None) -> Theorem:
    """Declare the identity ``lhs == rhs`` (two chains, every input length).

    ``sizes={"c": [3, 4, 5]}`` proves one instance per value of a generic
    length (the prover needs concrete kernel lengths). ``check=`` replaces the
    identity by a custom check (then ``statement`` says what it establishes);
    ``certify=[(lhs, rhs), ...]`` names the parts of such a claim that are
    identities (or ``(chain, length)`` length formulas), replayed by the kernel.
    ``assume=["abs(x) <= B"]`` restricts the claim to bounded inputs (the
    assumption is parsed now, so a malformed one fails at declaration).

    >>> theorem("noble", lhs="down(2) >> conv(k[3])", rhs="conv(dilate(k, 2)) >> down(2)").statement
    'down(2) >> conv(k[3])  ==  conv(dilate(k, 2)) >> down(2)'
    """
    name = check_name("theorem", name)
    common = dict(claims=check_claims("theorem", claims), source=str(source),
                  expect=check_expect("theorem", expect), note=str(note),
                  perturbed=check_perturbed("theorem", perturbed))
    if check is not None:
        if not statement:
            raise InvalidArgument("theorem", "statement", statement, "the statement a custom check= establishes")
        spec: Spec = CustomSpec(check_callable("theorem", "check", check), check_certify("theorem", certify))
        return _declare(Theorem(name, "identity", spec, statement=statement, **common))
    if certify is not None:
        raise InvalidArgument("theorem", "certify", certify, "nothing without check= (an identity theorem is "
                                                            "certified itself)")
    left, right = chain_text("theorem", "lhs", lhs), chain_text("theorem", "rhs", rhs)
    if isinstance(assume, str):
        assume = [assume]
    from symconv.dsl_assumptions import parse_assumptions

    parse_assumptions(assume)
    spec = IdentitySpec(left, right, check_sizes("theorem", sizes), int(seed), tuple(assume))
    instances = ""
    if spec.sizes:
        instances = " for " + ", ".join(f"{k} in {{{', '.join(map(str, v))}}}" for k, v in spec.sizes)
    condition = f" when {' and '.join(spec.assume)}" if spec.assume else ""
    text = statement or f"{left}  ==  {right}{instances}{condition}"
    return _declare(Theorem(name, "identity", spec, statement=text, **common))


def shapes(name: str, lhs: Union[str, Layer, None] = None, rhs: Union[str, Layer, None] = None, *,
           length: Optional[sympy.Expr] = None, at: Optional[Mapping[int, int]] = None,
           modulus: int = 1, residues: Optional[Sequence[int]] = None, min_n: int = 1,
           sizes: Optional[Mapping[str, Sequence[int]]] = None,
           claims: Sequence[str] = (), source: str = "", expect: str = "proved", note: str = "",
           statement: str = "", check: Optional[Callable[[], Any]] = None,
           certify: Optional[Sequence[tuple]] = None) -> Theorem:
    """Declare layer arithmetic: the output length of ``lhs`` equals that of ``rhs``, or ``length``.

    ``length`` is a SymPy expression in the symbol ``n`` (``floor`` and
    ``ceiling`` allowed); the claim covers every ``n >= min_n`` with
    ``n % modulus`` in ``residues`` (default: all residues). ``at={227: 114}``
    claims lengths at given inputs instead.

    >>> n = sympy.Symbol("n")
    >>> shapes("valid", "conv(k[3])", length=n - 2, min_n=3).statement
    'len(conv(k[3])) = n - 2 for n >= 3'
    """
    name = check_name("shapes", name)
    common = dict(claims=check_claims("shapes", claims), source=str(source),
                  expect=check_expect("shapes", expect), note=str(note))
    if check is not None:
        if not statement:
            raise InvalidArgument("shapes", "statement", statement, "the statement a custom check= establishes")
        spec = CustomSpec(check_callable("shapes", "check", check), check_certify("shapes", certify))
        return _declare(Theorem(name, "shapes", spec, statement=statement, **common))
    if certify is not None:
        raise InvalidArgument("shapes", "certify", certify, "nothing without check= (a length theorem is "
                                                          "certified itself)")
    left = chain_text("shapes", "lhs", lhs)
    given = [x for x in (rhs, length, at) if x is not None]
    if len(given) != 1:
        raise InvalidArgument("shapes", "rhs", rhs, "exactly one of rhs= (a chain), length= (a SymPy "
                                                    "expression in n) or at= (a mapping n -> length)")
    if not isinstance(modulus, int) or isinstance(modulus, bool) or modulus < 1:
        raise InvalidArgument("shapes", "modulus", modulus, "a positive integer")
    residues = tuple(range(modulus)) if residues is None else tuple(int(r) % modulus for r in residues)
    right = chain_text("shapes", "rhs", rhs) if rhs is not None else None
    points: tuple[tuple[int, int], ...] = ()
    if at is not None:
        if not isinstance(at, Mapping) or not at:
            raise InvalidArgument("shapes", "at", at, "a non-empty mapping input length -> output length")
        points = tuple(sorted((int(k), int(v)) for k, v in at.items()))
    if length is not None:
        length = sympy.sympify(length) if isinstance(length, int) else length  # safe: an int
        if not isinstance(length, sympy.Expr) or any(s.name != "n" for s in length.free_symbols):
            raise InvalidArgument("shapes", "length", length, "a SymPy expression in the symbol n only")
    spec = ShapesSpec(left, right, length, points, modulus, residues, int(min_n), check_sizes("shapes", sizes))
    return _declare(Theorem(name, "shapes", spec, statement=statement or _shapes_statement(spec), **common))


def _shapes_statement(spec: ShapesSpec) -> str:
    if spec.at:
        return "; ".join(f"len({spec.lhs})({n}) = {m}" for n, m in spec.at)
    target = f"len({spec.rhs})" if spec.rhs is not None else str(spec.length)
    scope = f"n >= {spec.min_n}"
    if spec.modulus > 1 and len(spec.residues) < spec.modulus:
        scope += f" with n mod {spec.modulus} in {{{', '.join(map(str, spec.residues))}}}"
    instances = ""
    if spec.sizes:
        instances = ", " + ", ".join(f"{k} in {{{', '.join(map(str, v))}}}" for k, v in spec.sizes)
    return f"len({spec.lhs}) = {target} for {scope}{instances}"


def inequality(name: str, quantity: Optional[Callable[[Any], float]] = None,
               bound: Optional[Callable[[Any], float]] = None, cases: Sequence = (), *,
               statement: str = "", rtol: float = 1e-9, claims: Sequence[str] = (), source: str = "",
               expect: str = "checked", note: str = "", check: Optional[Callable[[], Any]] = None,
               perturbed: Any = None) -> Theorem:
    """Declare ``quantity(case) <= bound(case)`` for every case (floating point: verdict ``checked``).

    >>> inequality("young", lambda c: abs(c), lambda c: c * c + 1, cases=[0.5, 2.0],
    ...            statement="|x| <= x^2 + 1").kind
    'inequality'
    """
    name = check_name("inequality", name)
    if not statement:
        raise InvalidArgument("inequality", "statement", statement, "the inequality in words or formulas")
    common = dict(claims=check_claims("inequality", claims), source=str(source),
                  expect=check_expect("inequality", expect), note=str(note), statement=statement,
                  perturbed=check_perturbed("inequality", perturbed))
    if check is not None:
        return _declare(Theorem(name, "inequality", CustomSpec(check_callable("inequality", "check", check)),
                                **common))
    cases = tuple(cases)
    if not cases:
        raise InvalidArgument("inequality", "cases", cases, "at least one case")
    spec = InequalitySpec(check_callable("inequality", "quantity", quantity),
                          check_callable("inequality", "bound", bound), cases, float(rtol))
    return _declare(Theorem(name, "inequality", spec, **common))


def expectation(name: str, sample: Optional[Callable[[Any, int], Any]] = None,
                value: Union[float, Callable[[], float], None] = None, *, statement: str = "",
                samples: int = 20_000, seed: int = 0, level: float = 0.999,
                symbolic: Optional[Callable[[], Any]] = None, claims: Sequence[str] = (),
                source: str = "", expect: Optional[str] = None, note: str = "",
                check: Optional[Callable[[], Any]] = None, perturbed: Any = None) -> Theorem:
    """Declare ``E[X] = value``: ``sample(rng, size)`` draws ``size`` independent copies of ``X``.

    The seeded Monte-Carlo mean must hold ``value`` inside its ``level``
    confidence interval (verdict ``checked``); with ``symbolic=`` (a function
    returning True when SymPy establishes the closed form exactly, or the
    :class:`~symconv.library.facts.KernelFacts` of
    :func:`~symconv.library.facts.replay_facts`, every fact replayed) the
    verdict is ``proved``. ``expect`` defaults accordingly.

    >>> expectation("mean_of_uniform", lambda rng, size: rng.uniform(size=size), 0.5,
    ...             statement="E[U] = 1/2").expect
    'checked'
    """
    name = check_name("expectation", name)
    if not statement:
        raise InvalidArgument("expectation", "statement", statement, "the expectation as a formula")
    if expect is None:
        expect = "proved" if symbolic is not None else "checked"
    common = dict(claims=check_claims("expectation", claims), source=str(source),
                  expect=check_expect("expectation", expect), note=str(note), statement=statement,
                  perturbed=check_perturbed("expectation", perturbed))
    if check is not None:
        return _declare(Theorem(name, "expectation", CustomSpec(check_callable("expectation", "check", check)),
                                **common))
    if not (0.5 < level < 1):
        raise InvalidArgument("expectation", "level", level, "a confidence level in (0.5, 1), e.g. 0.999")
    if not isinstance(samples, int) or samples < 100:
        raise InvalidArgument("expectation", "samples", samples, "an integer of at least 100")
    if value is None or not (callable(value) or isinstance(value, (int, float))):
        raise InvalidArgument("expectation", "value", value, "the closed form as a number or a function")
    spec = ExpectationSpec(check_callable("expectation", "sample", sample), value, samples, int(seed),
                           float(level), symbolic)
    return _declare(Theorem(name, "expectation", spec, **common))
