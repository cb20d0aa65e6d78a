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

An N-D statement with a generic size (``k[c, 3]``) is split at its shared
suffix only (the rule ``generic_interior_nd`` splits a shared prefix itself),
when the middle keeps that size, and the middle is proved only by that rule
(:func:`symconv.prover.generic_nd.prove_for_every_size`):
the kernel replays such a statement with the rules of
:data:`symconv.checker.kernel.GENERIC_ND_RULES` alone (``padding_as_pad``,
``congruence``, ``generic_interior_nd``, ...), so a middle proved by a rule
that reads concrete sizes, or value by value, would give a certificate the
kernel rejects.
"""

from __future__ import annotations

from symconv.checker import Certificate, CertificateStep, Rule
from symconv.checker.congruence import chain_of
from symconv.checker.padding_as_pad import padding_as_pad
from symconv.core.layers import Layer
from symconv.core.output_length import generic_sizes
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


def _prove_middle(middle: tuple[Layer, Layer], generic_nd: bool, seed: int):
    """The proof of ``A == B``: by :func:`~symconv.prover.proof.prove`, or, for a generic N-D statement, by the
    kernel rule ``generic_interior_nd`` alone (None when the middle lost the generic size or the rule fails)."""
    from symconv.prover.proof import prove

    if not generic_nd:
        return prove(middle[0], middle[1], seed=seed)
    if not generic_sizes(*middle):  # its proof would read concrete sizes: the kernel would reject the whole
        return None
    from symconv.prover.generic_nd import prove_for_every_size

    return prove_for_every_size(middle[0], middle[1], seed)


def prove_by_shared_layers(lhs: Layer, rhs: Layer, seed: int = 0):
    """``proved`` by the steps of the module docstring, or None when they do not prove it."""
    from symconv.prover.proof import ProofStep, proved_by_kernel

    sides = padding_as_pad(lhs), padding_as_pad(rhs)
    left, right = (side.layers() for side in sides)
    p, s = shared_ends(left, right)
    ndim = max(lhs.ndim, rhs.ndim)
    generic_nd = ndim >= 2 and bool(generic_sizes(lhs, rhs))
    if generic_nd:  # the rule generic_interior_nd splits a shared prefix itself (its prefix): the suffix only
        p = 0
    if p + s == 0:
        return None
    steps: list[CertificateStep] = []
    if sides != (lhs, rhs):
        steps.append(CertificateStep(Rule.PADDING_AS_PAD, (), "every convolution's zero padding as a pad() layer"))
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
        inner = _prove_middle(middle, generic_nd, seed)
    except SymconvError:  # a middle the prover cannot state on its own (say, flips only): decide the whole
        return None
    if inner is None:
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
