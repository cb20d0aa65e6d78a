r"""``factor(q, sizes=(N, M), channels=C)``: a kernel as a proved two-layer CNN (claims C0.1, C0.2).

Given ``q`` of ``L = N + M - 1`` taps, find weights ``F`` of shape ``(C, 1, N)``
and ``S`` of shape ``(1, C, M)`` (PyTorch's layout) with

    conv(F) >> conv(S) = conv(q)        for every input length,

i.e. ``sum_c F_c(z) S_c(z) = Q(z) = sum_l q_l z^l`` (DESIGN §1: in the
correlation orientation ``conv(a) >> conv(b) = conv(convolve(a, b))``). The
construction depends on ``C``:

* ``C >= N`` (default ``C = N``): the note's shift selection, ``F[n, 0, j] = 1``
  iff ``j = n``, and a second layer ``w[n][j]`` whose anti-diagonals sum to the
  taps, ``sum_{n + j = l} w[n][j] = q_l``; ``solution="simplest"`` or
  ``"min_norm"`` (``w[n][j] = q_{n+j} / min(n + j + 1, N, M, L - n - j)``);
  channels past ``N`` are zero;
* ``2 <= C < N``: shifts ``0 .. N - C`` merged into one channel, down to
  ``Q = (q_0 + ... + q_{N-2} z^{N-2}) * 1 + z^{N-1} (q_{N-1} + ... + q_{L-1} z^{M-1})``
  for ``C = 2``;
* ``C = 1``: ``Q = A B``, when such a real factor exists
  (:mod:`symconv.factoring.minimal_channels`); otherwise
  :class:`~symconv.errors.TooFewChannels`.

Every result carries the prover's proof of the identity (``.proof.verdict ==
'proved'``).

>>> f = factor("q[5]", sizes=(2, 4))
>>> f.channels, f.second[0], f.minimal_channels, f.proof.verdict
(2, ((q_0, 0, 0, 0), (q_1, q_2, q_3, q_4)), 2, 'proved')
>>> factor("q[5]", sizes=(2, 4), solution="min_norm").second[0]
((q_0, q_1/2, q_2/2, q_3/2), (q_1/2, q_2/2, q_3/2, q_4))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from symconv.lazy_import import sympy

from symconv.core.kernel import Kernel, KernelSymbol
from symconv.core.layers import Layer, conv
from symconv.errors import InvalidArgument, TooFewChannels
from symconv.factoring.composition_proof import prove_factorization, source_values, substitute_taps, weight_kernel
from symconv.factoring.minimal_channels import MinimalChannels, analyse_channels
from symconv.factoring.request import FactorRequest, check_channels, factor_request
from symconv.factoring.single_channel import single_channel
from symconv.factoring.two_layer import (
    SOLUTIONS,
    SolutionFamily,
    Taps3,
    Weights,
    merged,
    shift_selection,
    shift_selection_family,
    with_zero_channels,
)
from symconv.prover.proof import Proof

__all__ = ["Factorization", "factor"]


@dataclass(frozen=True, repr=False)
class Factorization:
    """A proved two-layer factorization of ``kernel``; see the module docstring.

    ``first`` has shape ``(C, 1, N)`` and ``second`` ``(1, C, M)``: exact SymPy
    closed forms in the kernel's taps. ``family`` describes every other
    solution of the same construction, ``minimal`` the fewest channels and why.
    """

    kernel: Kernel
    taps: tuple[sympy.Expr, ...]
    sizes: tuple[int, int]
    channels: int
    first: Taps3
    second: Taps3
    construction: str
    solution: str
    family: SolutionFamily
    minimal: MinimalChannels
    proof: Proof
    sources: tuple[KernelSymbol, ...] = ()

    @property
    def minimal_channels(self) -> int:
        """The fewest channels any factorization with these sizes needs (1 or 2)."""
        return self.minimal.count

    @property
    def first_kernel(self) -> Kernel:
        """The first layer's weight as a kernel (``Literal`` or ``DerivedKernel``)."""
        return weight_kernel(self.first, self.sources)

    @property
    def second_kernel(self) -> Kernel:
        """The second layer's weight as a kernel (``Literal`` or ``DerivedKernel``)."""
        return weight_kernel(self.second, self.sources)

    def layers(self, values: Optional[Mapping[str, object]] = None) -> Layer:
        """``conv(first) >> conv(second)``; with ``values`` (``{"q": [taps]}``) every weight is a literal.

        >>> factor("q[3]", (2, 2)).layers({"q": [1, 2, 3]})
        conv([[[1, 0]], [[0, 1]]]) >> conv([[[1, 0], [2, 3]]])
        """
        if values is None:
            return conv(self.first_kernel) >> conv(self.second_kernel)
        table = source_values(self.sources, values)
        return conv(substitute_taps(self.first, table)) >> conv(substitute_taps(self.second, table))

    def to_json(self) -> dict:
        """DESIGN §5: ``first[c]`` and ``second[c]`` are the taps of channel ``c`` as strings."""
        return {
            "kernel": [str(t) for t in self.taps],
            "sizes": list(self.sizes),
            "channels": self.channels,
            "first": [[str(v) for v in row[0]] for row in self.first],
            "second": [[str(v) for v in taps] for taps in self.second[0]],
            "minimal_channels": self.minimal_channels,
            "construction": self.construction,
            "reason": self.minimal.reason,
            "family": {"parameters": [str(p) for p in self.family.parameters],
                       "description": self.family.description},
            "verdict": self.proof.verdict,
        }

    def __str__(self) -> str:
        n, m = self.sizes
        c = self.channels
        lines = [f"{self.kernel!r} = conv(F) >> conv(S), sizes {n},{m}, {c} channel(s): {self.construction}"]
        lines.append(f"  F, shape ({c}, 1, {n}):")
        lines += [f"    channel {i}: [{', '.join(map(str, row[0]))}]" for i, row in enumerate(self.first)]
        lines.append(f"  S, shape (1, {c}, {m}):")
        lines += [f"    channel {i}: [{', '.join(map(str, taps))}]" for i, taps in enumerate(self.second[0])]
        lines.append(f"  minimal channels: {self.minimal_channels} ({self.minimal.reason})")
        lines.append(f"  solutions: {self.family.description}")
        lines.append(f"  proof: {self.proof.verdict} ({self.proof.note})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        """The ``factor(...)`` call that gives it back, or a one-line summary past 200 characters."""
        from symconv.prover.notebook import factorization_repr

        n, m = self.sizes
        return factorization_repr(self, f"factor({repr(self.kernel)!r}, sizes=({n}, {m}), channels={self.channels}, "
                                        f"solution={self.solution!r})")

    def _repr_latex_(self) -> str:
        """Jupyter: the two layers and the kernel they compose to, as display math."""
        from symconv.prover.notebook import factorization_math

        return factorization_math(self)

    def _repr_html_(self) -> str:
        from symconv.prover.notebook import factorization_html

        return factorization_html(self)


def _parameter_name(request: FactorRequest) -> str:
    """A name for the family's free parameters that no tap symbol starts with."""
    names = [s.name for s in request.tap_symbols()]
    return next(p for p in ("t", "u", "v", "s", "r", "p") if not any(n.startswith(p + "_") for n in names))


def _scaling_family(weights: Weights) -> SolutionFamily:
    lam = sympy.Symbol("lambda_", nonzero=True)
    first = tuple(tuple(tuple(lam * v for v in t) for t in row) for row in weights.first)
    second = tuple(tuple(tuple(v / lam for v in t) for t in row) for row in weights.second)
    description = (
        "one channel: first = lambda_ A, second = B / lambda_ for any lambda_ != 0, and likewise for every "
        "other split of Q's real roots between A and B with deg A <= N - 1 and deg B <= M - 1"
    )
    return SolutionFamily((lam,), first, second, description)


def _fixed_family(weights: Weights) -> SolutionFamily:
    description = (
        f"{weights.construction}; any invertible C x C matrix G gives another factorization "
        f"(F -> G F, S -> S G^-1), and every factorization is sum_c F_c(z) S_c(z) = Q(z)"
    )
    return SolutionFamily((), weights.first, weights.second, description)


def _weights(request: FactorRequest, analysis: MinimalChannels, channels: int, solution: str):
    n, m = request.sizes
    if channels < n and solution != "simplest":
        raise InvalidArgument("factor", "solution", solution,
                              f"'simplest' with channels={channels} < N={n}: the minimum-norm solution "
                              f"belongs to the note's construction, which has C >= N channels")
    if channels == 1:
        weights = single_channel(request, analysis)
        return weights, _scaling_family(weights)
    if channels >= n:
        weights = with_zero_channels(shift_selection(request.taps, n, m, solution), channels)
        family = shift_selection_family(request.taps, n, m, _parameter_name(request))
        if channels > n:
            family = SolutionFamily(family.parameters, family.first, family.second,
                                    family.description + f" Channels {n} .. {channels - 1} are zero.")
        return weights, family
    weights = merged(request.taps, n, m, channels)
    return weights, _fixed_family(weights)


def factor(kernel: object, sizes: object, channels: Optional[int] = None, solution: str = "simplest",
           seed: int = 0) -> Factorization:
    """Split ``kernel`` (``q``) into two proved convolution layers of sizes ``sizes = (N, M)``.

    ``kernel`` is a Kernel, a DSL string (``"q[5]"``, ``"[1, -2, 3, 0, 4]"``) or
    a list of numbers; ``sizes`` a pair or the text ``"N,M"`` with
    ``N + M - 1 = L``; ``channels`` the channel count ``C`` (default ``N``, the
    note's construction); ``solution`` ``"simplest"`` or ``"min_norm"`` for
    ``C >= N``; ``seed`` seeds the numeric check. Raises
    :class:`~symconv.errors.TooFewChannels` when ``C`` is below the minimum,
    and the errors of :mod:`symconv.factoring.request` for bad input.

    >>> f = factor([1, 2, 1], sizes=(2, 2), channels=1)
    >>> f.first, f.second, f.proof.verdict
    ((((1, 1),),), (((1, 1),),), 'proved')
    """
    request = factor_request(kernel, sizes)
    n, m = request.sizes
    if solution not in SOLUTIONS:
        raise InvalidArgument("factor", "solution", solution, " or ".join(map(repr, SOLUTIONS)))
    channels = n if channels is None else check_channels(channels)
    analysis = analyse_channels(request)
    if channels < analysis.count:
        raise TooFewChannels(request.text, request.sizes, channels, analysis.count, analysis.reason)
    weights, family = _weights(request, analysis, channels, solution)
    proof = prove_factorization(weight_kernel(weights.first, request.sources),
                                weight_kernel(weights.second, request.sources), request.kernel, seed)
    assert proof.verdict == "proved", f"the factorization was not proved: {proof.note}"
    return Factorization(request.kernel, request.taps, request.sizes, channels, weights.first,
                         weights.second, weights.construction, solution if channels >= n else "simplest",
                         family, analysis, proof, request.sources)
