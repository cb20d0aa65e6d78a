"""Start-up of ``symconv prove`` (issue #12): a statement loads only the machinery its verdict uses.

Each probe runs in a fresh interpreter and lists the ``symconv`` modules loaded after one ``symconv prove``.
"""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import contextlib, io, json, sys
from symconv.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["prove", *sys.argv[1:]])
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith("symconv"))]))
"""

#: Loaded only by the statements that need them: generic lengths, N-D evaluation, the PyTorch oracle,
#: counterexamples, assumptions, and the packages above the prover. (The numpy operators,
#: symconv.numeric.operators_nd and kernels_nd, serve every d: the 1-D numeric check runs through them.)
NOT_FOR_A_PROVED_1D_IDENTITY = ("symconv.prover.generic_proof", "symconv.prover.generic",
                                "symconv.prover.generic_series", "symconv.prover.counterexample",
                                "symconv.numeric.evaluate_nd", "symconv.numeric.symbols_nd",
                                "symconv.numeric.torch_oracle",
                                "symconv.dsl_assumptions", "symconv.report", "symconv.library",
                                "symconv.factoring", "symconv.interop")


def _prove_in_a_fresh_interpreter(lhs: str, rhs: str) -> tuple[int, list[str]]:
    out = subprocess.run([sys.executable, "-c", PROBE, lhs, rhs], capture_output=True, text=True, check=True).stdout
    code, modules = json.loads(out)
    return code, modules


def test_a_proved_1d_identity_does_not_load_the_generic_length_machinery_or_the_nd_evaluator():
    code, modules = _prove_in_a_fresh_interpreter("conv(k[3], stride=2) >> conv(k, stride=2)",
                                                  "conv(convolve(k, dilate(k, 2)), stride=4)")
    assert code == 0
    assert "symconv.prover.proof" in modules and "symconv.numeric.check" in modules
    assert [m for m in modules if m.startswith(NOT_FOR_A_PROVED_1D_IDENTITY)] == []


def test_a_generic_length_still_loads_the_generic_proof_when_it_needs_it():
    code, modules = _prove_in_a_fresh_interpreter("conv(k[c], stride=2) >> conv(k, stride=2)",
                                                  "conv(convolve(k, dilate(k, 2)), stride=4)")
    assert code == 0
    assert "symconv.prover.generic_proof" in modules


def test_a_refuted_identity_loads_the_counterexample_search():
    code, modules = _prove_in_a_fresh_interpreter("conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                                                  "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    assert code == 1
    assert "symconv.prover.counterexample" in modules


def test_import_symconv_loads_no_subpackage_and_neither_sympy_nor_numpy():
    probe = ("import json, sys, symconv; print(json.dumps(sorted(m for m in sys.modules "
             "if m.split('.')[0] in ('symconv', 'sympy', 'numpy'))))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == ["symconv"]
