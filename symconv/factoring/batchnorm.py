r"""Batch norm and ReLU between the two layers (claim C0.3), on inputs bounded by ``B``.

The note says batch norm and ReLU "do not influence the conclusion". That is
true exactly when the ReLU never clips, which a batch-norm shift (its
trainable bias) can guarantee for bounded inputs. Let ``conv(F) >> conv(S) =
conv(q)`` be a factorization (:func:`symconv.factoring.factor`) and

    t = B * max_c sum_j |F[c, 0, j]|,        b = -t * sum_{c, j} S[0, c, j].

**Theorem.** For every input ``x`` with ``|x_i| <= B`` for all ``i``,

    conv(F) >> affine(1, t) >> relu() >> conv(S, bias=[b])  =  conv(q)   on x.

**Proof.** Let ``h_c[i] = sum_j F[c, 0, j] x[i + j]``. Then
``|h_c[i]| <= sum_j |F[c, 0, j]| |x[i + j]| <= B sum_j |F[c, 0, j]| <= t``, so
``h_c[i] + t >= 0`` and ``relu(h_c[i] + t) = h_c[i] + t``. The second layer
gives ``sum_{c, j} S[0, c, j] (h_c[i + j] + t) + b = sum_{c, j} S[0, c, j] h_c[i + j]``,
which is ``(conv(F) >> conv(S))(x)[i] = conv(q)(x)[i]``. QED.

The bound is what makes it work: an input beyond it (a spike of size
``K > t / |F[c, 0, j]|`` against the sign of a tap) drives some ``h_c + t``
below zero, the ReLU clips it and the output differs from ``conv(q)``;
:meth:`BoundedReluFactorization.counterexample` finds such an input.

>>> r = batchnorm_relu_factorization([1, -2, 3], (2, 2), bound=1)
>>> r.shift, r.bias
(1, -2)
>>> r.layers()
conv([[[1, 0]], [[0, 1]]]) >> affine(1, 1) >> relu() >> conv([[[1, 0], [-2, 3]]], bias=[-2])
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping, Optional

from symconv.lazy_import import sympy

from symconv.core.kernel import Literal, exact_number
from symconv.core.layers import Layer, affine, conv, relu
from symconv.errors import InvalidArgument, KernelError
from symconv.factoring.composition_proof import is_rational, source_values, substitute_taps, weight_kernel
from symconv.factoring.factorization import Factorization, factor
from symconv.numeric import evaluate_numeric
from symconv.dsl_assumptions import InputBound, bound_symbol
from symconv.prover.proof import Proof, prove

__all__ = ["BoundedReluFactorization", "BoundedCounterexample", "batchnorm_relu_factorization"]


@dataclass(frozen=True)
class BoundedCounterexample:
    """An input (beyond the bound) on which the network with batch norm and ReLU differs from ``conv(q)``."""

    input: tuple[Fraction, ...]
    network: tuple[Fraction, ...]
    kernel: tuple[Fraction, ...]
    index: int


@dataclass(frozen=True)
class BoundedReluFactorization:
    """``conv(F) >> affine(1, t) >> relu() >> conv(S, bias=[b])``, equal to ``conv(q)`` when ``|x| <= bound``.

    ``shift`` is ``t = B max_c sum_j |F[c, 0, j]|`` and ``bias`` is
    ``b = -t sum S``, closed forms in the kernel's taps (module docstring).
    """

    factorization: Factorization
    bound: sympy.Expr
    shift: sympy.Expr
    bias: sympy.Expr
    #: The prover's verdict on :meth:`network` against :meth:`reference` under ``|x_i| <= bound``.
    proof: Optional[Proof] = None

    def network(self) -> Layer:
        """``conv(F) >> affine(1, t) >> relu() >> conv(S, bias=[b])`` with closed-form weights."""
        f = self.factorization
        return conv(f.first_kernel) >> affine(1, self.shift) >> relu() >> conv(f.second_kernel, bias=[self.bias])

    def reference(self) -> Layer:
        """``conv(q)``."""
        f = self.factorization
        return conv(weight_kernel(((tuple(f.taps),),), f.sources))

    def assumption(self) -> InputBound:
        """``|x_i| <= B`` as the prover reads it."""
        return InputBound(self.bound, f"abs(x) <= {self.bound}")

    def to_json(self) -> dict:
        """The factorization's JSON plus the assumption, ``t``, ``b`` and the verdict under the bound."""
        return {**self.factorization.to_json(), "assumption": self.assumption().text, "shift": str(self.shift),
                "bias": str(self.bias), "verdict": self.proof.verdict if self.proof else "unknown"}

    def __str__(self) -> str:
        lines = [str(self.factorization), f"  with batch norm and ReLU: {self.statement()}",
                 f"  argument: {self.argument()}"]
        if self.proof is not None:
            lines.append(f"  proof under {self.assumption()}: {self.proof.verdict} ({self.proof.note})")
        return "\n".join(lines)

    def statement(self) -> str:
        """The theorem in words."""
        return (f"for every input x with |x_i| <= {self.bound}: conv(F) >> affine(1, {self.shift}) >> relu() >> "
                f"conv(S, bias=[{self.bias}]) equals conv({self.factorization.kernel!r})")

    def argument(self) -> str:
        """The proof of :meth:`statement`, with this factorization's numbers."""
        return (
            f"let h_c[i] = sum_j F[c, 0, j] x[i + j]; for |x_i| <= {self.bound}, |h_c[i]| <= {self.bound} "
            f"sum_j |F[c, 0, j]| <= t = {self.shift}, so h_c[i] + t >= 0 and relu(h_c[i] + t) = h_c[i] + t; "
            f"the second layer gives sum_(c, j) S[0, c, j] (h_c[i + j] + t) + ({self.bias}) = "
            f"sum_(c, j) S[0, c, j] h_c[i + j], which is conv(F) >> conv(S) = conv(q) "
            f"({self.factorization.proof.verdict} by the prover)"
        )

    def _values(self, values: Optional[Mapping[str, object]]) -> dict:
        sources = self.factorization.sources
        if sources and values is None:
            names = ", ".join(repr(s.name) for s in sources)
            raise KernelError(f"the kernel {self.factorization.kernel!r} is symbolic; give values for {names}, "
                              f"e.g. values={{{sources[0].name!r}: [...]}}")
        return source_values(sources, values) if sources else {}

    def layers(self, values: Optional[Mapping[str, object]] = None) -> Layer:
        """The network with numbers for every weight (``values`` gives a symbolic kernel's taps)."""
        table = self._values(values)
        first = substitute_taps(self.factorization.first, table)
        second = substitute_taps(self.factorization.second, table)
        shift, bias = sympy.expand(self.shift.subs(table)), sympy.expand(self.bias.subs(table))
        return conv(first) >> affine(1, shift) >> relu() >> conv(second, bias=[bias])

    def kernel_layer(self, values: Optional[Mapping[str, object]] = None) -> Layer:
        """``conv(q)`` with numbers for the taps."""
        table = self._values(values)
        return conv(Literal(((tuple(sympy.expand(t.subs(table)) for t in self.factorization.taps),),)))

    def counterexample(self, values: Optional[Mapping[str, object]] = None) -> Optional[BoundedCounterexample]:
        """A spike input beyond the bound on which the network and ``conv(q)`` differ (None if none is found).

        Candidates: one sample ``+-K`` at one position, zeros elsewhere, with
        ``K = 2 (t + 1) / min |F| + B`` (large enough to clip a channel), then the
        constant inputs ``+-K``; both sides are evaluated exactly (``Fraction``)
        by the numeric evaluator.
        """
        network, reference = self.layers(values), self.kernel_layer(values)
        first = substitute_taps(self.factorization.first, self._values(values)).values
        taps = [abs(v) for row in first for v in row[0] if v != 0]
        shift = sympy.expand(self.shift.subs(self._values(values)))
        size = 2 * (shift + 1) / min(taps) + self.bound
        length = len(self.factorization.taps)
        candidates = []
        for p in range(length):
            for sign in (-1, 1):
                x = [0] * length
                x[p] = sign * size
                candidates.append(x)
        candidates += [[size] * length, [-size] * length]
        for x in candidates:
            exact_x = [Fraction(str(v)) for v in x]
            y = evaluate_numeric(network, exact_x, exact=True)[0]
            z = evaluate_numeric(reference, exact_x, exact=True)[0]
            differ = [i for i in range(len(y)) if y[i] != z[i]]
            if differ:
                return BoundedCounterexample(tuple(exact_x), tuple(y), tuple(z), differ[0])
        return None


def _bound(bound: object) -> sympy.Expr:
    if isinstance(bound, InputBound):
        return bound.bound
    if isinstance(bound, sympy.Symbol) or isinstance(bound, str) and bound.isidentifier():
        return bound_symbol(str(bound))
    try:
        value = exact_number(bound, "bound")
    except KernelError:
        raise InvalidArgument("batchnorm_relu_factorization", "bound", bound, "a positive number B or a name for one") from None
    if not value.is_positive:
        raise InvalidArgument("batchnorm_relu_factorization", "bound", bound, "a positive number B or a name for one")
    return value


def batchnorm_relu_factorization(kernel: object, sizes: object, bound: object, channels: Optional[int] = None,
                                 solution: str = "simplest", seed: int = 0,
                                 prove_bound: bool = True) -> BoundedReluFactorization:
    """The factorization of ``kernel`` with ``affine(1, t) >> relu()`` between the layers (module docstring).

    ``bound`` is ``B`` in ``|x_i| <= B``: a positive number, or a name for any
    positive number. The other arguments are those of
    :func:`symconv.factoring.factor`. With ``prove_bound`` the prover checks the
    network against ``conv(q)`` under the bound (``.proof``).

    >>> batchnorm_relu_factorization("q[3]", (2, 2), bound=2).bias
    -2*q_0 - 2*q_1 - 2*q_2
    """
    b = _bound(bound)
    f = factor(kernel, sizes, channels=channels, solution=solution, seed=seed)
    if f.sources == () and not (is_rational(f.first) and is_rational(f.second)):
        raise InvalidArgument(
            "batchnorm_relu_factorization", "channels", channels,
            f"a channel count with rational weights, e.g. {f.minimal_channels + 1}: the one-channel "
            f"factorization of {f.kernel!r} has irrational taps, and affine shifts and biases are rationals")
    norms = [sympy.Add(*(sympy.Abs(v) for v in row[0])) for row in f.first]
    shift = b * (norms[0] if len(norms) == 1 else sympy.Max(*norms))
    shift = sympy.simplify(shift)
    if shift.has(sympy.Abs, sympy.Max):
        raise InvalidArgument(
            "batchnorm_relu_factorization", "channels", channels,
            f"a channel count whose first layer has numeric taps, e.g. {f.sizes[0]} (shift selection, t = B): "
            f"with symbolic first-layer taps the shift t = {shift} is not a polynomial in the taps")
    total = sympy.Add(*(v for taps in f.second[0] for v in taps))
    result = BoundedReluFactorization(f, b, shift, sympy.expand(-shift * total))
    if not prove_bound:
        return result
    proof = prove(result.network(), result.reference(), assume=[result.assumption()], seed=seed)
    return dataclasses.replace(result, proof=proof)
