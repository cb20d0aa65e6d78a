"""Theorem declarations: the immutable :class:`Theorem` record and the four ways to make one.

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
import re
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping, Optional, Sequence, Union

import sympy

from symconv.core.layers import Layer
from symconv.errors import InvalidArgument, SymconvError

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

#: The verdicts a theorem can expect (DESIGN §4); ``error`` is only ever a result.
VERDICTS = ("proved", "refuted", "checked", "unknown")

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

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

    Only ``n >= min_n`` with ``n % modulus`` in ``residues`` are claimed.
    """

    lhs: str
    rhs: Optional[str] = None
    length: Optional[sympy.Expr] = None
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
    symbolic: Optional[Callable[[], bool]] = None


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


# --- argument checks ------------------------------------------------------------------------

def _check_name(what: str, name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgument(what, "name", name, "an identifier such as 'stride_composition' (letters, digits, _ . -)")
    return name


def _check_expect(what: str, expect: object) -> str:
    if expect not in VERDICTS:
        raise InvalidArgument(what, "expect", expect, "one of " + ", ".join(map(repr, VERDICTS)))
    return expect  # type: ignore[return-value]


def _check_claims(what: str, claims: object) -> tuple[str, ...]:
    if isinstance(claims, str):
        claims = [claims]
    if not isinstance(claims, (list, tuple)) or not all(isinstance(c, str) and c for c in claims):
        raise InvalidArgument(what, "claims", claims, "a list of claim labels such as ['C1.1']")
    return tuple(claims)


def _chain_text(what: str, argument: str, value: object) -> str:
    if isinstance(value, Layer):
        return repr(value)
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(what, argument, value, "a chain in the DSL, e.g. 'conv(k[3], stride=2)'")
    return value


def _check_sizes(what: str, sizes: object) -> Sizes:
    if sizes is None:
        return ()
    if not isinstance(sizes, Mapping):
        raise InvalidArgument(what, "sizes", sizes, "a mapping such as {'c': [3, 4, 5]}")
    out = []
    for key, values in sizes.items():
        if isinstance(values, int):
            values = [values]
        values = tuple(values)
        if not (isinstance(key, str) and key.isidentifier()) or not values or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values
        ):
            raise InvalidArgument(what, "sizes", dict(sizes), "a mapping from size names to positive integers, "
                                                              "e.g. {'c': [3, 4, 5]}")
        out.append((key, values))
    return tuple(out)


def _check_callable(what: str, argument: str, value: object) -> Callable:
    if not callable(value):
        raise InvalidArgument(what, argument, value, "a function")
    return value  # type: ignore[return-value]


def _check_perturbed(what: str, perturbed: object) -> tuple[Callable[[], Any], ...]:
    if perturbed is None:
        return ()
    if callable(perturbed):
        perturbed = (perturbed,)
    if not isinstance(perturbed, (list, tuple)) or not all(callable(f) for f in perturbed):
        raise InvalidArgument(what, "perturbed", perturbed, "a function (or a list of functions) of no argument "
                                                            "returning the Evidence of the check with its constant "
                                                            "perturbed")
    return tuple(perturbed)


def _check_certify(what: str, certify: object) -> tuple:
    """``certify=[(lhs, rhs), (chain, length), (chain, length, min_n)]``: identities and length formulas."""
    if certify is None:
        return ()
    expected = ("a list of (lhs, rhs) chain pairs (identities) or (chain, length) pairs with length a SymPy "
                "expression in n (length formulas), optionally (chain, length, min_n)")
    if not isinstance(certify, (list, tuple)):
        raise InvalidArgument(what, "certify", certify, expected)
    parts = []
    for entry in certify:
        if not isinstance(entry, tuple) or len(entry) not in (2, 3):
            raise InvalidArgument(what, "certify", certify, expected)
        chain, target = _chain_text(what, "certify", entry[0]), entry[1]
        if isinstance(target, sympy.Expr):
            if any(s.name != "n" for s in target.free_symbols):
                raise InvalidArgument(what, "certify", certify, expected)
            min_n = entry[2] if len(entry) == 3 else 1
            if not isinstance(min_n, int) or isinstance(min_n, bool) or min_n < 1:
                raise InvalidArgument(what, "certify", certify, expected)
            parts.append(ShapesSpec(chain, length=target, min_n=min_n))
        elif len(entry) == 2:
            parts.append(IdentitySpec(chain, _chain_text(what, "certify", target)))
        else:
            raise InvalidArgument(what, "certify", certify, expected)
    return tuple(parts)


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
    name = _check_name("theorem", name)
    common = dict(claims=_check_claims("theorem", claims), source=str(source),
                  expect=_check_expect("theorem", expect), note=str(note),
                  perturbed=_check_perturbed("theorem", perturbed))
    if check is not None:
        if not statement:
            raise InvalidArgument("theorem", "statement", statement, "the statement a custom check= establishes")
        spec: Spec = CustomSpec(_check_callable("theorem", "check", check), _check_certify("theorem", certify))
        return _declare(Theorem(name, "identity", spec, statement=statement, **common))
    if certify is not None:
        raise InvalidArgument("theorem", "certify", certify, "nothing without check= (an identity theorem is "
                                                            "certified itself)")
    left, right = _chain_text("theorem", "lhs", lhs), _chain_text("theorem", "rhs", rhs)
    if isinstance(assume, str):
        assume = [assume]
    from symconv.dsl_assumptions import parse_assumptions

    parse_assumptions(assume)
    spec = IdentitySpec(left, right, _check_sizes("theorem", sizes), int(seed), tuple(assume))
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
    name = _check_name("shapes", name)
    common = dict(claims=_check_claims("shapes", claims), source=str(source),
                  expect=_check_expect("shapes", expect), note=str(note))
    if check is not None:
        if not statement:
            raise InvalidArgument("shapes", "statement", statement, "the statement a custom check= establishes")
        spec = CustomSpec(_check_callable("shapes", "check", check), _check_certify("shapes", certify))
        return _declare(Theorem(name, "shapes", spec, statement=statement, **common))
    if certify is not None:
        raise InvalidArgument("shapes", "certify", certify, "nothing without check= (a length theorem is "
                                                          "certified itself)")
    left = _chain_text("shapes", "lhs", lhs)
    given = [x for x in (rhs, length, at) if x is not None]
    if len(given) != 1:
        raise InvalidArgument("shapes", "rhs", rhs, "exactly one of rhs= (a chain), length= (a SymPy "
                                                    "expression in n) or at= (a mapping n -> length)")
    if not isinstance(modulus, int) or isinstance(modulus, bool) or modulus < 1:
        raise InvalidArgument("shapes", "modulus", modulus, "a positive integer")
    residues = tuple(range(modulus)) if residues is None else tuple(int(r) % modulus for r in residues)
    right = _chain_text("shapes", "rhs", rhs) if rhs is not None else None
    points: tuple[tuple[int, int], ...] = ()
    if at is not None:
        if not isinstance(at, Mapping) or not at:
            raise InvalidArgument("shapes", "at", at, "a non-empty mapping input length -> output length")
        points = tuple(sorted((int(k), int(v)) for k, v in at.items()))
    if length is not None:
        length = sympy.sympify(length) if isinstance(length, int) else length  # safe: an int
        if not isinstance(length, sympy.Expr) or any(s.name != "n" for s in length.free_symbols):
            raise InvalidArgument("shapes", "length", length, "a SymPy expression in the symbol n only")
    spec = ShapesSpec(left, right, length, points, modulus, residues, int(min_n), _check_sizes("shapes", sizes))
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
    name = _check_name("inequality", name)
    if not statement:
        raise InvalidArgument("inequality", "statement", statement, "the inequality in words or formulas")
    common = dict(claims=_check_claims("inequality", claims), source=str(source),
                  expect=_check_expect("inequality", expect), note=str(note), statement=statement,
                  perturbed=_check_perturbed("inequality", perturbed))
    if check is not None:
        return _declare(Theorem(name, "inequality", CustomSpec(_check_callable("inequality", "check", check)),
                                **common))
    cases = tuple(cases)
    if not cases:
        raise InvalidArgument("inequality", "cases", cases, "at least one case")
    spec = InequalitySpec(_check_callable("inequality", "quantity", quantity),
                          _check_callable("inequality", "bound", bound), cases, float(rtol))
    return _declare(Theorem(name, "inequality", spec, **common))


def expectation(name: str, sample: Optional[Callable[[Any, int], Any]] = None,
                value: Union[float, Callable[[], float], None] = None, *, statement: str = "",
                samples: int = 20_000, seed: int = 0, level: float = 0.999,
                symbolic: Optional[Callable[[], bool]] = None, claims: Sequence[str] = (),
                source: str = "", expect: Optional[str] = None, note: str = "",
                check: Optional[Callable[[], Any]] = None, perturbed: Any = None) -> Theorem:
    """Declare ``E[X] = value``: ``sample(rng, size)`` draws ``size`` independent copies of ``X``.

    The seeded Monte-Carlo mean must hold ``value`` inside its ``level``
    confidence interval (verdict ``checked``); with ``symbolic=`` (a function
    returning True when SymPy establishes the closed form exactly) the
    verdict is ``proved``. ``expect`` defaults accordingly.

    >>> expectation("mean_of_uniform", lambda rng, size: rng.uniform(size=size), 0.5,
    ...             statement="E[U] = 1/2").expect
    'checked'
    """
    name = _check_name("expectation", name)
    if not statement:
        raise InvalidArgument("expectation", "statement", statement, "the expectation as a formula")
    if expect is None:
        expect = "proved" if symbolic is not None else "checked"
    common = dict(claims=_check_claims("expectation", claims), source=str(source),
                  expect=_check_expect("expectation", expect), note=str(note), statement=statement,
                  perturbed=_check_perturbed("expectation", perturbed))
    if check is not None:
        return _declare(Theorem(name, "expectation", CustomSpec(_check_callable("expectation", "check", check)),
                                **common))
    if not (0.5 < level < 1):
        raise InvalidArgument("expectation", "level", level, "a confidence level in (0.5, 1), e.g. 0.999")
    if not isinstance(samples, int) or samples < 100:
        raise InvalidArgument("expectation", "samples", samples, "an integer of at least 100")
    if value is None or not (callable(value) or isinstance(value, (int, float))):
        raise InvalidArgument("expectation", "value", value, "the closed form as a number or a function")
    spec = ExpectationSpec(_check_callable("expectation", "sample", sample), value, samples, int(seed),
                           float(level), symbolic)
    return _declare(Theorem(name, "expectation", spec, **common))
