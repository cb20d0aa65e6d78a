"""symconv: prove, refute and derive convolution identities for every input length.

>>> import symconv
>>> symconv.prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)").verdict
'proved'

Importing the package loads nothing heavy: each public name below is imported
from its module on first use (PEP 562), so ``symconv --version`` and
``import symconv`` start without SymPy or numpy.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_PUBLIC = {
    "prove": "symconv.prover.proof",
    "derive": "symconv.prover.derive",
    "factor": "symconv.factoring.factorization",
    "latex": "symconv.report.latex",
    "theorem": "symconv.library.registry",
    "check": "symconv.library.run",
    "kernel": "symconv.core.kernel",
    "literal": "symconv.core.kernel",
    "convolve": "symconv.core.kernel",
    "dilate": "symconv.core.kernel",
    "flipk": "symconv.core.kernel",
    "padk": "symconv.core.kernel",
    "conv": "symconv.core.layers",
    "conv_transpose": "symconv.core.layers",
    "pad": "symconv.core.layers",
    "crop": "symconv.core.layers",
    "down": "symconv.core.layers",
    "up": "symconv.core.layers",
    "flip": "symconv.core.layers_nd",
    "avgpool": "symconv.core.layers",
    "maxpool": "symconv.core.layers",
    "l2pool": "symconv.core.layers",
    "relu": "symconv.core.layers",
    "affine": "symconv.core.layers",
    "conv2d": "symconv.core.layers_nd",
    "conv3d": "symconv.core.layers_nd",
    "conv_transpose2d": "symconv.core.layers_nd",
    "conv_transpose3d": "symconv.core.layers_nd",
    "avgpool2d": "symconv.core.layers_nd",
    "avgpool3d": "symconv.core.layers_nd",
    "maxpool2d": "symconv.core.layers_nd",
    "maxpool3d": "symconv.core.layers_nd",
    "l2pool2d": "symconv.core.layers_nd",
    "l2pool3d": "symconv.core.layers_nd",
    "output_shape": "symconv.core.layers_nd",
    "output_length": "symconv.lengths",
    "evaluate": "symconv.core.semantics",
    "evaluate_numeric": "symconv.numeric.evaluate",
    "from_torch": "symconv.interop.graph",
    "Verdict": "symconv.checker.kernel",
}

__all__ = list(_PUBLIC)


def __getattr__(name: str):
    """Import a public name from its module on first use and keep it."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'symconv' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
