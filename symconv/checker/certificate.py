"""Certificates: plain data (JSON) that the kernel replays with the core alone.

A certificate states ``lhs == rhs`` (DSL text), the names solved for
(``--solve``; the texts then have the solutions written in) and the declared
input bounds (``--assume``), and lists the steps that close the statement,
each naming a rule of :mod:`symconv.checker.rules` with that rule's fields.
It carries its format version and the SHA-256 of its statement, so that a
certificate edited by hand, or one moved to another statement, is refused
before anything is replayed. A length certificate (``length``: a
:class:`~symconv.checker.length_formula.LengthClaim`) states instead
``len(lhs)(n) == F(n)`` for the claimed n (for an N-D lhs, ``formulas``: one per axis,
``len(lhs)(n1, ..., nd) == (F1(n1), ..., Fd(nd))``); its ``rhs`` is the claim's text, so the
hash covers the formulas. The JSON Schema of the format is shipped as
``certificate.schema.json`` next to this module (:func:`schema`).

>>> c = Certificate("conv(k[3])", "conv(k[3])", ())
>>> c.to_json()["version"], c.to_json()["statement_hash"][:7]
(2, 'sha256:')
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional, Sequence

from symconv.checker.length_formula import LengthClaim
from symconv.checker.rules import FIELDS, OPTIONAL_FIELDS, Rule
from symconv.checker.schema import certificate_schema, violations
from symconv.errors import CertificateError

__all__ = ["Certificate", "CertificateStep", "FORMAT", "VERSION", "statement_hash", "schema",
           "schema_violations"]

FORMAT = "symconv-certificate"
VERSION = 2


def statement_hash(lhs: str, rhs: str, solved: Sequence[str] = (), assumptions: Sequence[str] = ()) -> str:
    """``sha256:`` of the canonical JSON of ``{lhs, rhs, solved, assumptions}``."""
    text = json.dumps({"lhs": lhs, "rhs": rhs, "solved": list(solved), "assumptions": list(assumptions)},
                      sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def schema() -> dict:
    """The JSON Schema of the certificate format (``certificate.schema.json``)."""
    return certificate_schema()


def schema_violations(obj: object) -> list[str]:
    """How the JSON object ``obj`` departs from ``certificate.schema.json`` (empty: it follows it)."""
    return violations(json.loads(json.dumps(obj)), certificate_schema())


@dataclass(frozen=True)
class CertificateStep:
    """One step: a rule and its fields (``data``, sorted pairs); ``statement`` is a comment for readers."""

    rule: Rule
    data: tuple[tuple[str, object], ...] = ()
    statement: str = ""

    def get(self, key: str):
        return dict(self.data)[key]

    def to_json(self) -> dict:
        return {"rule": self.rule.value, **dict(self.data), "statement": self.statement}


@dataclass(frozen=True)
class Certificate:
    """``lhs == rhs`` (with ``solved`` names and ``assumptions``) and the steps that close it.

    With ``length``: the statement is ``len(lhs)(n) == length.formula(n)`` (or ``len(length.chain)(n)``, or
    ``(F1(n1), ..., Fd(nd))`` from ``length.formulas``) for the claimed n, and ``rhs`` must be ``length.text()``.
    """

    lhs: str
    rhs: str
    steps: tuple[CertificateStep, ...]
    solved: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()
    length: Optional[LengthClaim] = None

    def __post_init__(self) -> None:
        if self.length is not None and self.rhs != self.length.text():
            raise CertificateError(f"the length certificate's rhs {self.rhs!r} is not the text of its length claim "
                                   f"{self.length.text()!r}: the statement or the claim was changed")

    @property
    def statement_hash(self) -> str:
        return statement_hash(self.lhs, self.rhs, self.solved, self.assumptions)

    def to_json(self) -> dict:
        length = {} if self.length is None else {"length": self.length.to_json()}
        return {"format": FORMAT, "version": VERSION, "lhs": self.lhs, "rhs": self.rhs,
                "solved": list(self.solved), "assumptions": list(self.assumptions), **length,
                "statement_hash": self.statement_hash, "steps": [s.to_json() for s in self.steps]}

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    @staticmethod
    def from_json(obj: object) -> "Certificate":
        """Validate a certificate read from JSON: format, version, field types, statement hash, rule fields."""
        if not isinstance(obj, dict) or obj.get("format") != FORMAT:
            raise CertificateError(f"not a symconv certificate: expected an object with \"format\": \"{FORMAT}\"")
        if obj.get("version") != VERSION:
            raise CertificateError(f"certificate version {obj.get('version')!r}: this checker reads version "
                                   f"{VERSION}; prove the statement again to get a current certificate")
        for key in ("lhs", "rhs", "solved", "assumptions", "statement_hash", "steps"):
            if key not in obj:
                raise CertificateError(f"certificate without {key!r}; expected keys lhs, rhs, solved, "
                                       f"assumptions, statement_hash, steps")
        if not (isinstance(obj["lhs"], str) and isinstance(obj["rhs"], str) and isinstance(obj["steps"], list)
                and all(isinstance(v, list) and all(isinstance(t, str) for t in v)
                        for v in (obj["solved"], obj["assumptions"]))):
            raise CertificateError("certificate fields: lhs and rhs must be strings, solved and assumptions lists "
                                   "of strings, steps a list")
        extra = sorted(set(obj) - {"format", "version", "lhs", "rhs", "solved", "assumptions", "statement_hash",
                                   "steps", "length"})
        if extra:
            raise CertificateError(f"certificate with unknown key(s) {extra}")
        certificate = Certificate(obj["lhs"], obj["rhs"], (), tuple(obj["solved"]), tuple(obj["assumptions"]))
        if obj["statement_hash"] != certificate.statement_hash:
            raise CertificateError(f"statement hash {obj['statement_hash']!r} is not the hash of the statement "
                                   f"{obj['lhs']} == {obj['rhs']} (solved {obj['solved']}, assumptions "
                                   f"{obj['assumptions']}): the statement or the hash was changed")
        steps = tuple(_step_from_json(index, raw) for index, raw in enumerate(obj["steps"]))
        length = LengthClaim.from_json(obj["length"]) if "length" in obj else None
        return Certificate(obj["lhs"], obj["rhs"], steps, certificate.solved, certificate.assumptions, length)


def _step_from_json(index: int, raw: object) -> CertificateStep:
    if not isinstance(raw, dict) or "rule" not in raw:
        raise CertificateError(f"certificate step {index} is not an object with a \"rule\"")
    try:
        rule = Rule(raw["rule"])
    except ValueError:
        known = ", ".join(r.value for r in Rule)
        raise CertificateError(f"certificate step {index}: unknown rule {raw['rule']!r}; expected one of "
                               f"{known}") from None
    given = set(raw) - {"rule", "statement"}
    if not set(FIELDS[rule]) <= given <= set(FIELDS[rule]) | set(OPTIONAL_FIELDS[rule]):
        also = f" (and optionally {sorted(OPTIONAL_FIELDS[rule])})" if OPTIONAL_FIELDS[rule] else ""
        raise CertificateError(f"step {index} ({rule.value}): fields {sorted(given)}; the rule takes exactly "
                               f"{sorted(FIELDS[rule])}{also}")
    if not isinstance(raw.get("statement", ""), str):
        raise CertificateError(f"step {index} ({rule.value}): its statement must be a string")
    return CertificateStep(rule, tuple(sorted((k, raw[k]) for k in given)), raw.get("statement", ""))
