"""The structural steps are set from ``ProofStep.data``, never from their prose (report/network_steps.py).

Each kind's step keeps its mathematics when its statement is rewritten, and loses it (falls back to its prose)
when its data is removed: the objects, not the text, are what the report reads.
"""

import ast
import dataclasses
from pathlib import Path

import pytest

from symconv import prove
from symconv.core.layers import ReLU
from symconv.dsl import parse_chain
from symconv.prover.proof import ProofStep
from symconv.report.argument import proof_steps

from tests.report.test_network_steps_latex import KINDS

REPORT = Path(__file__).resolve().parents[2] / "symconv" / "report"

#: The golden statement of each kind, and the rule of its structural step.
STEPS = {"shared_layers_padding": "shared_layers", "shared_layers_middle": "shared_layers",
         "congruence": "congruence", "relu_pairing": "relu_pairing", "relu_reduction": "relu_reduction"}


def _proof(kind: str):
    lhs, rhs, options = KINDS[kind]
    proof = prove(lhs, rhs, **options)
    assert proof.verdict == "proved", proof.note
    return proof


def _with_steps(proof, change):
    """``proof`` with every step passed through ``change``."""
    return dataclasses.replace(proof, steps=tuple(change(step) for step in proof.steps))


def _titles(proof) -> list[str]:
    return [str(step["title"]) for step in proof_steps(proof)]


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_the_step_renders_the_same_mathematics_when_its_prose_is_rewritten(kind):
    proof = _proof(kind)
    prose = "prose rewritten: lhs = ?, rhs = ?"
    rewritten = _with_steps(proof, lambda step: dataclasses.replace(step, statement=prose))
    assert STEPS[kind] in [step.rule for step in proof.steps]
    assert proof_steps(rewritten) == proof_steps(proof)


@pytest.mark.parametrize("kind", sorted(STEPS))
def test_the_step_falls_back_to_its_prose_without_its_data(kind):
    proof = _proof(kind)
    rule = STEPS[kind]
    stripped = _with_steps(proof, lambda step: dataclasses.replace(step, data=()) if step.rule == rule else step)
    at = [step.rule for step in proof.steps].index(rule)
    with_data, without_data = proof_steps(proof)[at], proof_steps(stripped)[at]
    assert with_data["body"] != without_data["body"]
    assert without_data["display"] is None  # the prose fallback: its statement, no display


def test_the_congruence_halves_are_set_from_their_data():
    proof = _proof("congruence")
    after = next(step for step in proof.steps if step.rule == "congruence_after")
    stripped = _with_steps(proof, lambda step: dataclasses.replace(step, data=()) if step is after else step)
    assert "The chains after the shared layer" in _titles(proof)
    assert "The chains after the shared layer" not in _titles(stripped)
    assert "Congruence after" in _titles(stripped)


def test_the_congruence_step_holds_the_shared_layer_its_cut_and_the_proved_halves():
    proof = prove("conv(k[3]) >> relu() >> conv(h[2]) >> conv(g[2])", "conv(k) >> relu() >> conv(convolve(h, g))")
    step = next(step for step in proof.steps if step.rule == "congruence")
    assert (step.get("shared"), step.get("cut"), step.get("proved_halves")) == (ReLU(), (1, 1), ("after",))
    half = next(step for step in proof.steps if step.rule == "congruence_after")
    assert half.get("sides") == (parse_chain("conv(h[2]) >> conv(g[2])"), parse_chain("conv(convolve(h[2], g[2]))"))


def test_proof_step_data_stays_out_of_json_equality_and_repr():
    step = ProofStep("relu_reduction", "text", data=(("chains", (ReLU(), ReLU())),))
    assert step.to_json() == {"rule": "relu_reduction", "statement": "text", "latex": ""}
    assert step == ProofStep("relu_reduction", "text")
    assert "chains" not in repr(step)
    assert step.get("chains") == (ReLU(), ReLU()) and step.get("missing", 7) == 7


@pytest.mark.parametrize("module", ["network_steps.py", "argument.py"])
def test_the_step_modules_of_the_report_import_neither_the_dsl_parser_nor_regular_expressions(module):
    tree = ast.parse((REPORT / module).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not {name for name in imported if name == "re" or name.startswith("symconv.dsl")}
