"""Numeric evaluation: the independent numpy witness of the exact semantics.

``numeric`` imports only the operator objects of :mod:`symconv.core` (kernels,
layers) and :mod:`symconv.errors`; it re-implements every layer from its
PyTorch definition so that agreement with :mod:`symconv.core.semantics` is
evidence, not a tautology. The PyTorch oracle in
:mod:`symconv.numeric.torch_oracle` is optional and imports torch lazily.

>>> from symconv.core.layers import avgpool
>>> evaluate_numeric(avgpool(2), [[1, 3, 5, 7]]).tolist()
[[2.0, 6.0]]
"""

from symconv.numeric.bindings import Bindings, kernel_array, random_bindings, resolve_sizes
from symconv.numeric.evaluate import MAX_ELEMENTS, MAX_OUTPUT_LENGTH, evaluate_numeric
from symconv.numeric.evaluate_nd import evaluate_nd_numeric, kernel_array_nd, random_bindings_nd
from symconv.numeric.torch_oracle import evaluate_torch, torch_available

__all__ = [
    "evaluate_numeric",
    "evaluate_nd_numeric",
    "random_bindings_nd",
    "kernel_array_nd",
    "random_bindings",
    "evaluate_torch",
    "torch_available",
    "kernel_array",
    "resolve_sizes",
    "Bindings",
    "MAX_OUTPUT_LENGTH",
    "MAX_ELEMENTS",
]
