"""The core imports one way: numbers, then kernels, then layers, then semantics, with no circle.

Only the imports a module runs while it loads count (its top-level statements): the operators of a
base class (``k + g``, ``a >> b``) and the re-exports of ``core.kernel`` and ``core.layers`` reach
the modules built on them when called, not when loaded.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import symconv.core

CORE = Path(symconv.core.__file__).parent

#: Each core module's level: a module imports only modules of its own level or below.
LEVELS = {
    "numbers": 0, "exact_poly": 0, "axes": 0, "repr_args": 0,
    "arguments": 0,
    "kernel_grid": 0, "number_grids": 0, "kernel": 1, "kernel_expr": 1, "kernel_axes": 1,
    "layers": 2, "geometry": 2, "composite": 2, "nonlinear": 2, "convolution": 2, "pools": 2, "layers_nd": 2,
    "output_length": 2, "sizes_nd": 2,
    "semantics": 3, "semantics_nd": 3, "tap_tables": 3,
}


def _load_time_imports() -> dict[str, set[str]]:
    graph = {}
    for path in CORE.glob("*.py"):
        if path.stem == "__init__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[path.stem] = {node.module.rsplit(".", 1)[1] for node in tree.body
                            if isinstance(node, ast.ImportFrom) and node.module
                            and node.module.startswith("symconv.core.")}
    return graph


def test_every_core_module_has_a_level():
    assert sorted(set(_load_time_imports()) - set(LEVELS)) == []


def test_core_modules_import_only_their_level_and_below():
    wrong = [f"{module} (level {LEVELS[module]}) imports {target} (level {LEVELS[target]})"
             for module, targets in _load_time_imports().items() for target in targets
             if LEVELS[target] > LEVELS[module]]
    assert wrong == []


def test_core_modules_import_each_other_without_a_circle():
    graph = _load_time_imports()
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        assert module not in path, " -> ".join(path + (module,))
        if module not in done:
            for target in graph.get(module, ()):
                visit(target, path + (module,))
            done.add(module)

    for module in graph:
        visit(module, ())


def test_the_reexported_expressions_and_compositions_are_the_defining_modules_objects():
    kernel, kernel_expr, layers, layers_nd, composite, nonlinear = (
        importlib.import_module(f"symconv.core.{name}")
        for name in ("kernel", "kernel_expr", "layers", "layers_nd", "composite", "nonlinear"))
    assert kernel.convolve is kernel_expr.convolve and kernel.Scaled is kernel_expr.Scaled
    assert layers.Chain is composite.Chain and layers.relu is nonlinear.relu and layers.pad is layers_nd.pad
    for module in (kernel, layers):
        try:
            getattr(module, "no_such_name")
        except AttributeError as err:
            assert "no_such_name" in str(err)
        else:
            raise AssertionError(f"{module.__name__} answered an unknown name")


def test_loading_the_kernel_module_alone_loads_no_layer():
    import subprocess
    import sys

    probe = ("import sys, symconv.core.kernel\n"
             "print(sorted(m for m in sys.modules if m.startswith('symconv.core.')))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    loaded = {name.rsplit(".", 1)[1] for name in ast.literal_eval(out.strip())}
    assert "kernel" in loaded and {LEVELS[m] for m in loaded} <= {0, 1}, loaded


def test_the_core_package_serves_the_names_of_its_modules():
    import symconv.core
    from symconv.core.kernel import literal
    from symconv.core.layers import conv
    from symconv.core.semantics import evaluate

    assert symconv.core.literal is literal and symconv.core.conv is conv and symconv.core.evaluate is evaluate
    assert symconv.core.relu is importlib.import_module("symconv.core.nonlinear").relu
    try:
        symconv.core.no_such_name
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("symconv.core answered an unknown name")
