"""ReLU layers whose channels come in negated pairs, proved for every input: ``relu(u) - relu(-u) = u``.

A network ``conv(F) >> affine(g, t) >> relu() >> conv(S)`` whose relu()
channels split into pairs (p, q) with negated inputs (``g_q F_q = -g_p F_p``,
shifts negated too) and negated second-layer taps (``S[:, q] = -S[:, p]``) is
the linear chain ``conv(F') >> conv(S')`` on the channels p (the lemma of the
kernel's rule ``relu_pairing``, :mod:`symconv.checker.relu_pairing`). The
search finds such pairs, rewrites each side with the kernel's own function,
decides the linear chains left, and hands the kernel one certificate: the
``relu_pairing`` steps, then the linear steps. This is the OS-CNN note's
construction for every input (no bound): a C-channel linear factorization
doubled into 2C ReLU channels.

>>> from symconv.dsl import parse_statement
>>> p = prove_by_relu_pairing(*parse_statement(
...     "conv([[[1, 1]], [[-1, -1]]]) >> affine(1, 0) >> relu() >> conv([[[1, 2], [-1, -2]]])", "conv([1, 3, 2])"))
>>> p.verdict, [s.rule.value for s in p.certificate.steps]
('proved', ['relu_pairing', 'eventual_periodicity'])
"""

from __future__ import annotations

from typing import Optional

from symconv.checker import CertificateStep, Rule
from symconv.checker.relu_pairing import negated_pairs, paired_linear, preactivation
from symconv.core.layers import Conv, Layer
from symconv.core.nonlinear import Affine, ReLU
from symconv.errors import CertificateError

__all__ = ["find_pairs", "pairing_steps", "prove_by_relu_pairing"]


def find_pairs(layers: tuple, index: int) -> Optional[list[list[int]]]:
    """``[[p, q], ...]``: the relu() channels at ``index`` of ``layers`` matched into negated pairs, or None.

    Greedy matching is complete: channels with equal (weights, shift, next taps) form classes, a class C can
    only be matched with its negation -C, and a perfect matching exists iff ``|C| = |-C|`` for every class,
    which any greedy choice within the classes preserves."""
    affine = layers[index - 1] if index >= 1 and isinstance(layers[index - 1], Affine) else None
    start = index - 1 - (affine is not None)
    if start < 0 or index + 1 >= len(layers):
        return None
    first, second = layers[start], layers[index + 1]
    if not (type(first) is Conv and type(second) is Conv and first.groups == second.groups == 1):
        return None
    try:
        weights, shifts = preactivation(first, affine)
        taps = second.weight.taps()
    except (CertificateError, ValueError, TypeError, ArithmeticError):
        return None
    if len(weights) != len(taps[0]) or len(weights) % 2:
        return None
    free, pairs = list(range(len(weights))), []
    while free:
        p = free.pop(0)
        q = next((q for q in free if negated_pairs(weights, shifts, taps, p, q) is None), None)
        if q is None:
            return None
        free.remove(q)
        pairs.append([p, q])
    return pairs


def pairing_steps(lhs: Layer, rhs: Layer) -> Optional[tuple[tuple[CertificateStep, ...], tuple[Layer, Layer]]]:
    """``(relu_pairing steps, (lhs', rhs'))`` for every relu() of the chains themselves that pairs (1-D), or None
    when none does."""
    if lhs.ndim >= 2 or rhs.ndim >= 2:
        return None
    state, steps = [lhs, rhs], []
    for which, side in enumerate(("lhs", "rhs")):
        index = 0
        while index < len(layers := state[which].layers()):
            pairs = find_pairs(layers, index) if isinstance(layers[index], ReLU) else None
            if pairs is None:
                index += 1
                continue
            try:
                rewritten = paired_linear(state[which], index, pairs, "relu_pairing")
            except CertificateError:
                index += 1
                continue
            steps.append(CertificateStep(Rule.RELU_PAIRING, (("index", index), ("pairs", pairs), ("side", side)),
                                         f"{side}: the relu() at {index} has {len(pairs)} negated channel pair(s), "
                                         f"relu(u) - relu(-u) = u"))
            state[which] = rewritten
            index = 0
    return (tuple(steps), (state[0], state[1])) if steps else None


def prove_by_relu_pairing(lhs: Layer, rhs: Layer, seed: int = 0):
    """The proof of ``lhs == rhs`` with every paired relu() rewritten (module docstring), when the chains left are
    proved; else None (the caller goes on with numeric evidence)."""
    from symconv.checker import Certificate
    from symconv.numeric.check import compare_chains, evidence_lengths
    from symconv.prover.proof import ProofStep, prove, proved_by_kernel

    found = pairing_steps(lhs, rhs)
    if found is None:
        return None
    steps, (left, right) = found
    try:
        linear = prove(left, right, seed=seed)
    except (TypeError, ValueError, ArithmeticError):  # weights outside the engine's ring (real algebraic numbers)
        return None
    if linear.verdict != "proved" or linear.certificate is None:
        return None
    channels = lhs.in_channels or rhs.in_channels or 1
    report = compare_chains(lhs, rhs, evidence_lengths(lhs, rhs), trials_per_length=1, seed=seed, channels=channels)
    if not report.agrees:
        raise AssertionError(f"proved by relu pairing but numerically different: {report.mismatch}")
    reduced = ProofStep("relu_pairing", f"relu(u) - relu(-u) = u on each negated channel pair: lhs = {left!r}, "
                                        f"rhs = {right!r}",
                        data=(("linear", (left, right)),
                              ("pairs", tuple((pairing.get("side"), pairing.get("index"),
                                               tuple(map(tuple, pairing.get("pairs")))) for pairing in steps))))
    certificate = Certificate(repr(lhs), repr(rhs), steps + linear.certificate.steps)
    return proved_by_kernel(lhs, rhs, certificate, linear.rests_on, steps=(reduced,) + linear.steps,
                            numeric=report, note=f"for every input (relu(u) - relu(-u) = u); linear part: "
                                                 f"{linear.note}", decision=getattr(linear, "decision", None))
