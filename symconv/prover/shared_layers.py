"""Proofs by shared layers: two sides that apply the same layers before and after a middle part.

Two stacks read from a model and from its rewritten version are mostly the
same layers: ``conv2d(W1, padding=1) >> conv2d(W2, padding=1)`` against
``pad(1) >> conv2d(W1) >> pad(1) >> conv2d(W2)``, or a network whose one
block was refactored. Deciding such a pair from scratch costs what the whole
network costs (every weight, every class of output positions); here it costs
what the parts that differ cost:

1. every convolution's zero padding is written as a ``pad()`` before it
   (the kernel's rewrite ``padding_as_pad``);
2. the longest common prefix ``P`` and suffix ``S`` of the two layer lists are
   split off by the kernel's ``congruence`` rule (equal inputs give equal
   outputs), leaving the middles ``A`` and ``B``: ``P >> A >> S`` against
   ``P >> B >> S``; identical sides leave nothing to prove;
3. ``A == B`` is proved on its own and its certificate follows.

``A == B`` is sufficient, not necessary (``S`` may hide a difference, as
``down(2)`` hides odd samples), so a middle that is not proved concludes
nothing: the caller goes on with the whole statement.
"""

from __future__ import annotations

from typing import Optional

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.congruence import chain_of
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.core.layers import Layer
from symconv.errors import SymconvError

__all__ = ["prove_by_shared_layers", "shared_ends", "worth_splitting"]

#: Numeric weights (taps, over both sides) from which a shared-layer split is tried before the whole decision.
MIN_SHARED_TAPS = 200


def _taps(layer: Layer) -> int:
    total = 0
    for kernel in layer.kernels():
        shape = getattr(kernel, "shape", ())
        count = 1
        for size in shape:
            if type(size) is not int:
                return 0
            count *= size
        total += count
    return total


def worth_splitting(lhs: Layer, rhs: Layer) -> bool:
    """Whether the sides are large (numeric or symbolic weights with >= MIN_SHARED_TAPS taps together)."""
    return _taps(lhs) + _taps(rhs) >= MIN_SHARED_TAPS


def shared_ends(left: tuple[Layer, ...], right: tuple[Layer, ...]) -> tuple[int, int]:
    """``(p, s)``: the lengths of the longest common prefix and suffix that do not overlap on either side."""
    p = 0
    while p < min(len(left), len(right)) and left[p] == right[p]:
        p += 1
    s = 0
    while s < min(len(left), len(right)) - p and left[-1 - s] == right[-1 - s]:
        s += 1
    return p, s


def prove_by_shared_layers(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by the steps of the module docstring, or None when they do not prove it."""
    from symconv.prover.proof import ProofStep, prove, proved_by_kernel

    sides = padding_as_pad(lhs), padding_as_pad(rhs)
    left, right = (side.layers() for side in sides)
    p, s = shared_ends(left, right)
    if p + s == 0:
        return None
    steps: list[CertificateStep] = []
    if sides != (lhs, rhs):
        steps.append(CertificateStep(Rule.PADDING_AS_PAD, (), "every convolution's zero padding as a pad() layer"))
    ndim = max(lhs.ndim, rhs.ndim)
    count = len(left)  # the layers of a side, padding written as pad()
    if p:  # cut at the last shared layer of the prefix: before it the same layers, after it the rest
        steps.append(CertificateStep(Rule.CONGRUENCE, (("lhs", p - 1), ("rhs", p - 1)),
                                     f"both sides begin with the same {p} layer(s)"))
        left, right = left[p:], right[p:]
    if s and (len(left) > s or len(right) > s):  # cut at the first shared layer of the suffix
        steps.append(CertificateStep(Rule.CONGRUENCE, (("lhs", len(left) - s), ("rhs", len(right) - s)),
                                     f"both sides end with the same {s} layer(s)"))
    middle = chain_of(left[:len(left) - s], ndim), chain_of(right[:len(right) - s], ndim)
    rewritten = "with every convolution's zero padding written as pad(), " if sides != (lhs, rhs) else ""
    data = (("layers", count), ("middle", middle), ("prefix", p), ("rewritten", sides != (lhs, rhs)), ("suffix", s))
    if middle[0] == middle[1]:
        said = f"{rewritten}both sides are the same {p} layer(s)"
        proof_steps = (ProofStep("shared_layers", f"{said}: equal inputs give equal outputs", data=data),)
        return proved_by_kernel(lhs, rhs, Certificate(repr(lhs), repr(rhs), tuple(steps)), steps=proof_steps,
                                note="the same layers on both sides")
    try:
        inner = prove(middle[0], middle[1], seed=seed)
    except SymconvError:  # a middle the prover cannot state on its own (say, flips only): decide the whole
        return None
    if inner.verdict != "proved" or inner.certificate is None or inner.certificate.assumptions:
        return None
    ends = " and ".join(part for part in (f"the first {p}" if p else "", f"the last {s}" if s else "") if part)
    said = f"{rewritten}{ends} layer(s) of both sides are the same"
    proof_steps = (ProofStep("shared_layers", f"{said}; what differs, {middle[0]!r} == {middle[1]!r}, is proved "
                                              f"below, so the sides are equal (equal inputs give equal outputs)",
                             data=data),
                   ) + tuple(inner.steps)
    certificate = Certificate(repr(lhs), repr(rhs), tuple(steps) + tuple(inner.certificate.steps))
    return proved_by_kernel(lhs, rhs, certificate, tuple(inner.rests_on), steps=proof_steps,
                            note=f"by shared layers; between them: {inner.note}")
