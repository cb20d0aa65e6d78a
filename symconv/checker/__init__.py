"""The trusted kernel: replays certificates with the core semantics; the one place ``proved`` is made.

It imports :mod:`symconv.core`, the DSL parser and :mod:`symconv.errors`, nothing
of the search (``prover``, ``algebra``, ``numeric``, ``factoring``, ``report``,
``library``). The rules it accepts are the table :data:`RULES`
(:mod:`symconv.checker.rules`); :func:`replay` returns a :class:`Theorem`.
"""

from symconv.checker.certificate import FORMAT, VERSION, Certificate, CertificateStep, schema, statement_hash
from symconv.checker.kernel import (
    GENERIC_ARGUMENT,
    INTERVAL_LEMMA,
    RESTS_ON,
    Theorem,
    Verdict,
    assumption,
    check_certificate,
    replay,
    tolerance,
    valid_rests_on,
    weaken,
)
from symconv.checker.rules import RULES, Rule

__all__ = ["Certificate", "CertificateStep", "Rule", "RULES", "Theorem", "Verdict", "replay", "check_certificate",
           "FORMAT", "VERSION", "schema", "statement_hash", "RESTS_ON", "GENERIC_ARGUMENT", "INTERVAL_LEMMA",
           "assumption", "tolerance", "valid_rests_on", "weaken"]
