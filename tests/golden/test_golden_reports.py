"""Golden reports: the rendered .tex of every template, byte for byte.

proof.tex.j2 (proved and refuted), derivation.tex.j2, factor.tex.j2, library_theorem.tex.j2 and
index.tex.j2 (a two-theorem file), and homework_sheet.tex.j2 with each topic's template (problems and
solutions of one seeded variant).

The golden files change only on purpose: run

    SYMCONV_UPDATE_GOLDEN=1 python -m pytest tests/golden

which rewrites them (those tests then skip, so an update never passes as a check),
and review the diff. The numeric check is pinned to fixed numbers: its last
digits depend on the floating-point hardware, and it is not what these files test.
"""

import dataclasses
import os
from pathlib import Path

import pytest

from symconv import derive, factor, latex, prove
from symconv.numeric.check import NumericReport

GOLDEN = Path(__file__).parent
UPDATE = os.environ.get("SYMCONV_UPDATE_GOLDEN") == "1"
PINNED_NUMERIC = NumericReport(trials=26, max_abs_error=1.1102230246251565e-16, tolerance=3.0e-14)


def _pinned(proof):
    return dataclasses.replace(proof, numeric=PINNED_NUMERIC) if proof.numeric is not None else proof


def _pinned_factorization(factorization):
    return dataclasses.replace(factorization, proof=_pinned(factorization.proof))


REPORTS = {
    "prove_stride_composition": lambda: _pinned(prove(
        "conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")),
    "prove_padded_stride_composition_refuted": lambda: _pinned(prove(
        "conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")),
    "derive_padded_chain": lambda: derive("conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)"),
    "factor_q5_sizes_2_4": lambda: _pinned_factorization(factor("q[5]", sizes=(2, 4))),
}


LIBRARY = '''
"""Two theorems for the golden library reports."""
from symconv.library import theorem

theorem("stride_composition", lhs="conv(k[c], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)", sizes={"c": [3]}, claims=["C1.1"], source="seed 001")
theorem("padding_between_breaks", lhs="conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)", expect="refuted", source="seed 001")
'''
TOPICS = ("stride-composition", "factorization", "output-size", "transposed", "dilation")


def _library(tmp_path_factory):
    from symconv.report.library import write_library

    out = tmp_path_factory.mktemp("golden_library")
    (out / "theorems_golden.py").write_text(LIBRARY)
    write_library([out / "theorems_golden.py"], out / "reports")
    return {"library_index": (out / "reports" / "index.tex").read_text(),
            "library_theorem_padding_between_breaks":
                (out / "reports" / "theorems_golden" / "padding_between_breaks.tex").read_text()}


def _homework():
    from symconv.report.homework import homework

    out = {}
    for topic in TOPICS:
        sheets = homework(topic, seed=1, count=1)
        out[f"homework_{topic.replace('-', '_')}_problems"] = sheets.problems
        out[f"homework_{topic.replace('-', '_')}_solutions"] = sheets.solutions
    return out


RENDERED = ["library_index", "library_theorem_padding_between_breaks"] + [
    f"homework_{t.replace('-', '_')}_{kind}" for t in TOPICS for kind in ("problems", "solutions")]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    return {**_library(tmp_path_factory), **_homework()}


@pytest.mark.parametrize("name", RENDERED)
def test_library_and_homework_match_their_golden_files(rendered, name):
    _compare(name, rendered[name])


def _compare(name, text):
    path = GOLDEN / f"{name}.tex"
    if UPDATE:
        path.write_text(text)
        pytest.skip(f"golden file {path.name} rewritten (SYMCONV_UPDATE_GOLDEN=1)")
    assert path.exists(), f"{path.name} is missing; create it with SYMCONV_UPDATE_GOLDEN=1"
    assert text == path.read_text(), (
        f"{path.name} differs from the rendered report; if the change is intended, "
        f"rerun with SYMCONV_UPDATE_GOLDEN=1 and review the diff")


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_report_matches_its_golden_file(name):
    path = GOLDEN / f"{name}.tex"
    rendered = latex(REPORTS[name]())
    if UPDATE:
        path.write_text(rendered)
        pytest.skip(f"golden file {path.name} rewritten (SYMCONV_UPDATE_GOLDEN=1)")
    assert path.exists(), f"{path.name} is missing; create it with SYMCONV_UPDATE_GOLDEN=1"
    assert rendered == path.read_text(), (
        f"{path.name} differs from the rendered report; if the change is intended, "
        f"rerun with SYMCONV_UPDATE_GOLDEN=1 and review the diff")


def test_golden_directory_holds_no_stale_reports():
    assert {p.stem for p in GOLDEN.glob("*.tex")} <= set(REPORTS) | set(RENDERED)
