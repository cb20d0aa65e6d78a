"""``symconv.output_length``: the output length of a chain given as DSL text or as layers.

The formulas live in :mod:`symconv.core.output_length` (one definition); this
is the public edge that parses text first, as ``prove`` and ``derive`` do.

>>> output_length("conv(k[3], stride=2) >> conv(k, stride=2)", 15)
3
>>> from symconv.core.output_length import length_symbol
>>> output_length("up(2) >> conv(k[3])", length_symbol())
Max(0, Max(0, 2*n - 1) - 2)
"""

from __future__ import annotations

from typing import Mapping, Optional, Union

from symconv.core.layers import Layer
from symconv.core.output_length import Length
from symconv.core.output_length import output_length as _core_output_length
from symconv.errors import InvalidArgument

__all__ = ["output_length"]


def output_length(chain: Union[str, Layer], n: Length, sizes: Optional[Mapping[str, int]] = None) -> Length:
    """Length of ``chain``'s output for an input of length ``n`` (an int, or a SymPy expression).

    ``chain`` is a layer or DSL text such as ``"conv(k[3], stride=2)"``;
    ``sizes`` gives values to generic kernel lengths, e.g. ``{"c": 5}``.
    """
    if isinstance(chain, str):
        from symconv.dsl import parse_chain

        chain = parse_chain(chain)
    if isinstance(chain, Layer) and chain.ndim >= 2:
        raise InvalidArgument("output_length", "chain", chain, "a 1-D chain; the output shape of an N-D chain is "
                                                               "output_shape(chain, shape)")
    return _core_output_length(chain, n, sizes)
