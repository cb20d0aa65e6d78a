"""The checker's rule ``generic_instances``: a generic-length statement replayed at c = 1 .. C.

Rule data: ``symbol`` (the generic length, e.g. ``c``) and ``instances``, one
``[c, start, period, limit]`` per value. The checker requires the values to
be exactly ``1, 2, ..., C`` with ``C >= MIN_INSTANCES``, and for each one it
writes the value into the statement's sizes (``k[c]`` becomes ``k[5]``, on the
core objects, never on DSL text), moves every flip to the input with its own
flip conjugation (a flip on both inputs is stripped) and closes the instance
with the eventual-periodicity lemma
(:func:`symconv.checker.periodicity.close_by_periodicity`: its hypotheses,
then equality for every ``n < limit``).

Equality for every ``n < limit`` is checked with the prefix lemma where it
applies (:func:`symconv.checker.periodicity.equal_below`): a chain of layers that read no sample past
their input's end (``conv`` without right padding, ``pad`` without right
zeros, ``crop``, ``down``, ``up``) maps ``x_0 .. x_{n-1}`` to the first
``L(n)`` outputs of what it makes of ``x_0 .. x_{N-1}`` for every ``n <= N``,
so equal lengths at every n and equal outputs at ``N = limit - 1`` give equal
outputs at every ``n < limit``. Any other chain is evaluated at every n.

What this closes is the statement for ``c = 1 .. C`` and every n. The step to
every c is the search's generic argument (generating polynomials in
``k(z^a)`` and quasi-affine lengths), which the kernel does not replay: a
theorem closed by this rule rests on ``generic_argument``
(:data:`symconv.checker.kernel.GENERIC_ARGUMENT`), and says so.
"""

from __future__ import annotations

from typing import Mapping

from symconv.checker.flips import as_layer, flips_to_input
from symconv.checker.periodicity import check_window, equal_below, periodic_structure
from symconv.core.layers import Layer
from symconv.core.sizes_nd import with_sizes
from symconv.errors import CertificateError, SymconvError

__all__ = ["rule_generic_instances", "instantiate", "MIN_INSTANCES", "MAX_INSTANCES"]

#: How many instances a certificate may ask the checker to replay.
MAX_INSTANCES = 16
#: A generic certificate must close at least c = 1 .. MIN_INSTANCES.
MIN_INSTANCES = 6


def instantiate(layer: Layer, sizes: Mapping[str, int]) -> Layer:
    """``layer`` rebuilt through the core constructors with each generic size in ``sizes`` given its value
    (:func:`symconv.core.sizes_nd.with_sizes`)."""
    return with_sizes(layer, sizes)


def _length_names(layer: Layer) -> set[str]:
    return {s.name for k in layer.kernels() for s in k.length_symbols()}


def rule_generic_instances(state: list[Layer], step, where: str) -> str:
    """Close the statement for every n at c = 1 .. C (module docstring); returns what it closed."""
    name, instances = step.get("symbol"), step.get("instances")
    if not isinstance(name, str) or not name.isidentifier():
        raise CertificateError(f"{where}: symbol must be the name of a generic length, not {name!r}")
    names = _length_names(state[0]) | _length_names(state[1])
    if name not in names:
        raise CertificateError(f"{where}: the statement has no generic length {name}")
    if names != {name}:
        raise CertificateError(f"{where}: the statement has the generic lengths {sorted(names)}; expected one")
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_INSTANCES:
        raise CertificateError(f"{where}: expected 1 to {MAX_INSTANCES} instances [c, start, period, limit]")
    for instance in instances:
        if not (isinstance(instance, list) and len(instance) == 4 and all(type(v) is int for v in instance)):
            raise CertificateError(f"{where}: an instance must be [c, start, period, limit] (integers)")
        if instance[0] < 1:
            raise CertificateError(f"{where}: {name} = {instance[0]}; expected a length >= 1")
    values = [instance[0] for instance in instances]
    if values != list(range(1, len(values) + 1)) or len(values) < MIN_INSTANCES:
        raise CertificateError(f"{where}: the instances cover {name} in {values}; the statement is about every "
                               f"{name} >= 1, so the certificate must close {name} = 1, 2, ..., C in order with "
                               f"C >= {MIN_INSTANCES}")
    for value, start, period, limit in instances:
        here = f"{where}, {name} = {value}"
        try:
            concrete = [instantiate(side, {name: value}) for side in state]
        except SymconvError as err:
            raise CertificateError(f"{here}: the statement has no instance there ({err})") from None
        flips = [flips_to_input(side, here) for side in concrete]
        if flips[0][0] != flips[1][0]:
            raise CertificateError(f"{here}: a flip() of the input on one side only")
        lhs, rhs = (as_layer(False, steps) for _, steps in flips)
        # close_by_periodicity, with equality below the limit by the prefix lemma where it applies
        check_window(period, start, limit, here)
        periodic_structure(lhs, rhs, period, start, here)
        equal_below(lhs, rhs, limit, here)
    return f"{name} = 1..{len(values)}"
