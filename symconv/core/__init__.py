"""The trusted core: kernels, layers, their exact semantics and output lengths.

The public names of :mod:`symconv.core.kernel`, :mod:`symconv.core.layers`,
``output_length``, ``length_symbol``, ``evaluate``, ``symbolic_input`` and
``as_signal`` are served from here on first use (PEP 562): importing one core
module loads only what that module imports.
"""

from __future__ import annotations

import importlib

#: Modules whose ``__all__`` is served from here, searched in this order.
_WHOLE_MODULES = ("symconv.core.kernel", "symconv.core.layers")
#: Single names served from here -> their module.
_NAMES = {
    "output_length": "symconv.core.output_length",
    "length_symbol": "symconv.core.output_length",
    "evaluate": "symconv.core.semantics",
    "symbolic_input": "symconv.core.semantics",
    "as_signal": "symconv.core.semantics",
}


def __getattr__(name: str) -> object:
    modules = (_NAMES[name],) if name in _NAMES else _WHOLE_MODULES
    for module_name in modules:
        module = importlib.import_module(module_name)
        if name in _NAMES or name in getattr(module, "__all__", ()):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
