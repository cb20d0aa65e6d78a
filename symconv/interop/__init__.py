"""PyTorch models in: :func:`from_torch` turns an ``nn.Module`` into a symconv layer (torch.fx).

torch is optional: it is imported only when a function here is called, so
``import symconv.interop`` works without it. Modules:

* :mod:`~symconv.interop.graph`: tracing with ``torch.fx`` and the graph walk (sums of branches),
* :mod:`~symconv.interop.modules`: the table of supported modules, one converter each,
* :mod:`~symconv.interop.weights`: exact weights (``values``) or named symbols (``symbolic``),
* :mod:`~symconv.interop.user_file`: ``FILE:FACTORY`` for ``symconv ... --torch``.
"""

from __future__ import annotations

from symconv.interop.graph import as_layer, from_torch

__all__ = ["from_torch", "as_layer"]
