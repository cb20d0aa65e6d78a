"""The checker's rule ``generic_instances``: a generic-length statement replayed at concrete lengths.

A proof for every kernel length c (:mod:`symconv.prover.generic`) rests on
formal algebra the checker does not repeat. What the checker can do with the
core alone is close the statement for every n at each listed c: it writes
the value into the statement's sizes (``k[c]`` becomes ``k[5]``), reads it
back, moves every flip to the input (its own flip conjugation; a flip on
both inputs is stripped), and applies the eventual-periodicity rule with that instance's
``(c, start, period, limit)``. The rule closes the statement *for the listed
c*, and says so; the step to every c is the search's generic argument.
"""

from __future__ import annotations

import re

from symconv.core.layers import Layer
from symconv.errors import CertificateError

__all__ = ["rule_generic_instances", "instantiate_text"]

#: How many instances a certificate may ask the checker to replay.
MAX_INSTANCES = 16


def instantiate_text(text: str, name: str, value: int) -> str:
    """The DSL ``text`` with the size ``name`` given the value: ``k[c]`` -> ``k[5]`` (tap lists untouched)."""
    word = re.compile(rf"\b{re.escape(name)}\b")
    return re.sub(r"(?<=\w)\[([^\[\]]*)\]", lambda m: "[" + word.sub(str(value), m.group(1)) + "]", text)


def rule_generic_instances(state: list[Layer], step, where: str) -> str:
    """Close the statement for every n at each listed value of the generic length (module docstring)."""
    from symconv.dsl import parse_statement
    from symconv.prover.certificate import CertificateStep, Rule, _as_layer, _flips_to_input, _rule_eventual_periodicity

    name, instances = step.get("symbol"), step.get("instances")
    if not isinstance(name, str) or not name.isidentifier():
        raise CertificateError(f"{where}: symbol must be the name of a generic length, not {name!r}")
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_INSTANCES:
        raise CertificateError(f"{where}: expected 1 to {MAX_INSTANCES} instances [c, start, period, limit]")
    texts = [repr(side) for side in state]
    if not any(re.search(rf"\w\[[^\[\]]*\b{re.escape(name)}\b", t) for t in texts):
        raise CertificateError(f"{where}: the statement has no generic length {name}")
    values = []
    for instance in instances:
        if not (isinstance(instance, list) and len(instance) == 4 and all(type(v) is int for v in instance)):
            raise CertificateError(f"{where}: an instance must be [c, start, period, limit] (integers)")
        value, start, period, limit = instance
        if value < 1:
            raise CertificateError(f"{where}: {name} = {value}; expected a length >= 1")
        concrete = list(parse_statement(*(instantiate_text(t, name, value) for t in texts)))
        flips = [_flips_to_input(side, where) for side in concrete]  # the checker's own flip conjugation
        if flips[0][0] != flips[1][0]:
            raise CertificateError(f"{where}: a flip() of the input on one side only")
        concrete = [_as_layer(False, steps) for _, steps in flips]
        window = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", limit), ("period", period), ("start", start)))
        _rule_eventual_periodicity(concrete, window, f"{where}, {name} = {value}")
        values.append(value)
    return f" at {name} in {sorted(set(values))} (every {name} rests on the generic-length argument, not replayed)"
