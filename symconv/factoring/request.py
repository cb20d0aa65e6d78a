"""A factorization request: the kernel ``q`` and the layer sizes ``(N, M)``, checked once.

Two stacked stride-1 convolutions of sizes ``N`` and ``M`` see
``L = N + M - 1`` input samples, so a kernel ``q`` of ``L`` taps can only be
split into layers with ``N + M - 1 = L``, ``N, M >= 1``. A request is refused
here, before any algebra, with an error that quotes the input:

* :class:`~symconv.errors.InvalidSizes` when the sizes are not two integers >= 1,
* :class:`~symconv.errors.SizesDoNotAddUp` when ``N + M - 1 != L``,
* :class:`~symconv.errors.InvalidChannels` when a channel count is not an integer >= 1,
* :class:`~symconv.errors.ZeroKernel` when every tap is zero,
* :class:`~symconv.errors.KernelError` for a multi-channel or generic-length kernel.

The kernel's generating polynomial is ``Q(z) = sum_l q_l z^l``: with the
correlation orientation of ``conv``, ``conv(a) >> conv(b) = conv(convolve(a, b))``
and ``convolve`` multiplies these polynomials (DESIGN §1).

>>> r = factor_request("[1, 2, 3]", (2, 2))
>>> r.taps, r.sizes, r.polynomial
((1, 2, 3), (2, 2), 3*z**2 + 2*z + 1)
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Sequence

from symconv.lazy_import import sympy

from symconv.core.kernel import MAX_CHANNELS, Kernel, KernelSymbol, as_kernel
from symconv.errors import (
    InvalidChannels,
    InvalidSizes,
    KernelError,
    SizeLimitError,
    SizesDoNotAddUp,
    ZeroKernel,
)

__all__ = ["FactorRequest", "factor_request", "parse_sizes", "check_channels", "Z", "MAX_FACTOR_LENGTH"]

#: The variable of generating polynomials, ``Q(z) = sum_l q_l z^l``.
Z = sympy.Symbol("z")

#: Longest kernel ``factor`` accepts (refused before any algebra).
MAX_FACTOR_LENGTH = 64


@dataclass(frozen=True)
class FactorRequest:
    """A checked request: ``kernel`` with exact ``taps`` ``q_0 .. q_{L-1}`` and ``sizes = (N, M)``.

    ``sources`` are the named kernels the taps are written in (empty for a
    literal kernel); ``text`` is the kernel as shown in messages.
    """

    kernel: Kernel
    taps: tuple[sympy.Expr, ...]
    sizes: tuple[int, int]
    sources: tuple[KernelSymbol, ...]
    text: str

    @property
    def length(self) -> int:
        """``L``, the number of taps."""
        return len(self.taps)

    @property
    def is_literal(self) -> bool:
        """True when every tap is a number (no kernel symbol)."""
        return not self.sources

    @property
    def polynomial(self) -> sympy.Expr:
        """``Q(z) = sum_l q_l z^l``."""
        return sympy.Add(*(t * Z**l for l, t in enumerate(self.taps)))

    def tap_symbols(self) -> tuple[sympy.Symbol, ...]:
        """The SymPy symbols the taps depend on, sorted."""
        found = set().union(*(t.free_symbols for t in self.taps))
        return tuple(sorted(found, key=sympy.default_sort_key))


def _kernel(kernel: object) -> Kernel:
    if isinstance(kernel, str):
        from symconv.dsl import parse_kernel  # the DSL is the one parser of user text

        return parse_kernel(kernel)
    return as_kernel(kernel)


def _size(value: object, sizes: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, sympy.Integer)):
        raise InvalidSizes(sizes, f"{value!r} is not an integer")
    value = int(value)
    if value < 1:
        raise InvalidSizes(sizes, f"a layer of size {value} has no taps")
    return value


def parse_sizes(text: str) -> tuple[int, int]:
    """``"N,M"`` (the CLI's ``--sizes``) as two integers; refuses anything else.

    >>> parse_sizes("2, 4")
    (2, 4)
    """
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 2:
        raise InvalidSizes(text, f"{len(parts)} size(s) given")
    values = []
    for p in parts:
        try:
            values.append(int(p))
        except ValueError:
            raise InvalidSizes(text, f"{p!r} is not an integer") from None
    return _size(values[0], text), _size(values[1], text)


def check_sizes(sizes: object) -> tuple[int, int]:
    """Two integers ``N, M >= 1`` from a pair or from the text ``"N,M"``."""
    if isinstance(sizes, str):
        return parse_sizes(sizes)
    if not isinstance(sizes, Sequence) or len(sizes) != 2:
        raise InvalidSizes(sizes, "not a pair of layer sizes")
    return _size(sizes[0], sizes), _size(sizes[1], sizes)


def check_channels(channels: object) -> int:
    """A channel count: an integer ``C >= 1`` (at most ``MAX_CHANNELS``).

    >>> check_channels(2)
    2
    """
    if isinstance(channels, bool) or not isinstance(channels, (numbers.Integral, sympy.Integer)):
        raise InvalidChannels(channels)
    channels = int(channels)
    if channels < 1:
        raise InvalidChannels(channels)
    if channels > MAX_CHANNELS:
        raise SizeLimitError(f"channels={channels}; symconv refuses more than {MAX_CHANNELS} channels")
    return channels


def factor_request(kernel: object, sizes: object) -> FactorRequest:
    """Check ``kernel`` (a Kernel, a DSL string such as ``"q[5]"`` or a list of numbers) and ``sizes``.

    See the module docstring for what is refused and why.
    """
    k = _kernel(kernel)
    text = repr(k)
    if k.ndim != 1:
        raise KernelError(
            f"the kernel {text} has {k.ndim} spatial axes; --sizes N,M splits a 1-D kernel such as q[5] "
            f"into two layers; a 2-D or 3-D kernel is split into one layer per axis with --separable"
        )
    if not k.is_single_channel:
        raise KernelError(
            f"the kernel {text} has shape {k.shape}; expected a single-channel kernel such as q[5]"
        )
    if not isinstance(k.length, int):
        raise KernelError(
            f"the kernel {text} has the generic length {k.length}; expected a concrete length such as q[5]"
        )
    if k.length > MAX_FACTOR_LENGTH:
        raise SizeLimitError(f"the kernel {text} has {k.length} taps; symconv factors at most {MAX_FACTOR_LENGTH}")
    n, m = check_sizes(sizes)
    if n + m - 1 != k.length:
        raise SizesDoNotAddUp((n, m), text, k.length)
    taps = tuple(sympy.expand(t) for t in k.taps()[0][0])
    if all(t == 0 for t in taps):
        raise ZeroKernel(text)
    sources = k.symbols() if any(t.free_symbols for t in taps) else ()
    return FactorRequest(k, taps, (n, m), tuple(sources), text)
