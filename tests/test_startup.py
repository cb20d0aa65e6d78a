"""What a command loads: start-up and ``derive`` of named kernels need neither SymPy nor numpy."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from symconv.lazy_import import LazyModule

RUN = """
import json, sys
from symconv.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "loaded": sorted(m for m in ("sympy", "numpy") if m in sys.modules)}),
      file=sys.stderr)
"""


def _run(*argv: str) -> tuple[str, dict]:
    done = subprocess.run([sys.executable, "-c", RUN, *argv], capture_output=True, text=True, check=True)
    return done.stdout, json.loads(done.stderr.strip().splitlines()[-1])


def test_importing_symconv_loads_neither_sympy_nor_numpy():
    probe = "import sys, symconv; print(sorted(m for m in ('sympy', 'numpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_version_loads_neither_sympy_nor_numpy():
    probe = ("import sys\nfrom symconv.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in ('sympy', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("chain", [
    "conv(k[9], stride=2) >> conv(k, stride=2)",
    "conv(k[5], stride=2, padding=2) >> conv(g[3], dilation=2)",
    "conv(W[2, 1, 3], stride=2) >> conv(V[1, 2, 3])",
    "pad(1, 2) >> conv(k[4]) >> up(2) >> conv(k, stride=2)",
])
def test_derive_of_named_kernels_loads_neither_sympy_nor_numpy_and_prints_what_the_api_gives(chain):
    from symconv import derive

    text, state = _run("derive", chain)
    assert state == {"code": 0, "loaded": []}
    assert text.rstrip("\n") == str(derive(chain))
    text, state = _run("derive", chain, "--json")
    assert state == {"code": 0, "loaded": []}
    assert json.loads(text) == json.loads(json.dumps(derive(chain).to_json()))


def test_derive_of_a_literal_kernel_loads_sympy_for_its_numbers():
    text, state = _run("derive", "conv([1, 2, 1], stride=2) >> conv(k[3], stride=2)")
    assert state["code"] == 0 and "sympy" in state["loaded"]
    assert "stride:          4" in text


def test_a_lazy_module_imports_at_the_first_attribute_read():
    lazy = LazyModule("symconv.errors")
    assert repr(lazy) == "<lazy module 'symconv.errors' (not loaded yet)>"
    from symconv.errors import KernelError

    assert lazy.KernelError is KernelError
    assert repr(lazy) == "<lazy module 'symconv.errors' (loaded)>"
    with pytest.raises(AttributeError):
        lazy.no_such_name
