"""Numeric evaluation: the independent numpy witness of the exact semantics.

``numeric`` imports only the operator objects of :mod:`symconv.core` (kernels,
layers) and :mod:`symconv.errors`; it re-implements every layer from its
PyTorch definition so that agreement with :mod:`symconv.core.semantics` is
evidence, not a tautology. The PyTorch oracle in
:mod:`symconv.numeric.torch_oracle` is optional and imports torch lazily.

>>> from symconv.core.layers import avgpool
>>> from symconv.numeric import evaluate_numeric
>>> evaluate_numeric(avgpool(2), [[1, 3, 5, 7]]).tolist()
[[2.0, 6.0]]
"""

import importlib

#: Public name -> the module that defines it; each is imported on first use (PEP 562), so a 1-D proof does not
#: load the N-D evaluator or the PyTorch oracle.
_PUBLIC = {
    "evaluate_numeric": "symconv.numeric.evaluate",
    "evaluate_nd_numeric": "symconv.numeric.evaluate_nd",
    "random_bindings_nd": "symconv.numeric.symbols_nd",
    "kernel_array_nd": "symconv.numeric.kernels_nd",
    "random_bindings": "symconv.numeric.symbols",
    "evaluate_torch": "symconv.numeric.torch_oracle",
    "torch_available": "symconv.numeric.torch_oracle",
    "kernel_array": "symconv.numeric.bindings",
    "resolve_sizes": "symconv.numeric.bindings",
    "Bindings": "symconv.numeric.bindings",
    "MAX_OUTPUT_LENGTH": "symconv.numeric.evaluate",
    "MAX_ELEMENTS": "symconv.numeric.evaluate",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str):
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'symconv.numeric' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
