"""The kernel shares nothing with the search: importing it, and replaying with it, loads no module of the search."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SEARCH = ("prover", "algebra", "numeric", "factoring", "report", "library")

PROBE = """
import json, sys
import symconv.checker
loaded_on_import = sorted(m for m in sys.modules if m.startswith("symconv."))
from symconv.checker import Certificate, CertificateStep, Rule, replay
step = CertificateStep(Rule.EVENTUAL_PERIODICITY, (("limit", 5), ("period", 1), ("start", 3)))
replay(Certificate("conv([1, 2]) >> conv(k[2])", "conv(convolve([1, 2], k))", (step,)))
print(json.dumps([loaded_on_import, sorted(m for m in sys.modules if m.startswith("symconv."))]))
"""


def _search_modules(names: list[str]) -> list[str]:
    return [m for m in names if m.split(".")[1] in SEARCH]


def test_importing_and_replaying_with_the_kernel_loads_no_module_of_the_search():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    on_import, after_replay = json.loads(out)
    assert "symconv.checker.kernel" in on_import and "symconv.dsl" in after_replay
    assert _search_modules(on_import) == []
    assert _search_modules(after_replay) == []


def test_the_kernel_modules_import_only_core_dsl_errors_lazy_import_and_themselves():
    import ast
    from pathlib import Path

    import symconv.checker

    # symconv.lazy_import defers ``import sympy`` to first use and imports nothing of symconv
    allowed = ("symconv.core", "symconv.dsl", "symconv.errors", "symconv.lazy_import", "symconv.checker")
    for path in Path(symconv.checker.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("symconv"):
                assert node.module.startswith(allowed), f"{path.name} imports {node.module}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert not alias.name.startswith("symconv") or alias.name.startswith(allowed), path.name


def test_the_readme_states_the_kernels_size_to_within_a_tenth():
    import re
    from pathlib import Path

    import symconv.checker

    root = Path(symconv.checker.__file__).parent
    readme = root.parents[1] / "README.md"
    if not readme.is_file():
        pytest.skip("an installed package without the source checkout")
    stated = re.search(r"`symconv/checker/` \(about ([\d,]+) lines", readme.read_text().replace("\n", " "))
    assert stated, "README's trust paragraph must give the kernel's size"
    actual = sum(len(path.read_text().splitlines()) for path in root.glob("*.py"))
    assert abs(actual - int(stated.group(1).replace(",", ""))) <= actual / 10, actual
