"""``symconv report``: one report per theorem and an index, deterministic, compiling, with check's exit codes.

The library here is a small theorem file (a proved identity with two instances,
a refuted identity, a shapes claim), not proofs/: the whole library takes
minutes. Whether the committed reports/ is up to date is checked by
regenerating it (reports/README.md), not here.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from symconv.cli import main
from symconv.report import pdf as pdf_module
from symconv.report import library_graph
from symconv.report.library import MARKER, plain_number, round_numbers, write_library

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")

HOSTILE = r"\input{/etc/passwd} $x^2$ & #1 a_b 50% ~ {braces} ((( x ))) ((* if *))"

SMALL = f'''
"""Three theorems for the report tests."""
import sympy
from symconv.library import shapes, theorem

n = sympy.Symbol("n")
theorem("stride_composition", lhs="conv(k[c], stride=2) >> conv(k, stride=2)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4)", sizes={{"c": [2, 3]}}, claims=["C1.1"],
        source="seed 001 & co_50%")
theorem("padding_between_breaks", lhs="conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)", expect="refuted", claims=["C1.1", "C1.2"],
        source="seed 001 & co_50%", note={HOSTILE!r})
shapes("valid_length", "conv(k[3])", length=n - 2, min_n=3, claims=["C1.2"], source="classics")
'''

WRONG = '''
from symconv.library import theorem
theorem("claimed_but_false", lhs="conv(k[2])", rhs="conv(flip(k))", expect="proved", claims=["C9.1"])
'''

NAMES = ("stride_composition", "padding_between_breaks", "valid_length")


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    source = tmp_path_factory.mktemp("proofs")
    (source / "small.py").write_text(SMALL)
    out = tmp_path_factory.mktemp("reports")
    return source, out, write_library([source], out)


def test_report_writes_an_index_and_one_tex_per_theorem_in_a_folder_per_file(library):
    _, out, written = library
    assert written.index == out / "index.tex"
    assert sorted(_tree(out)) == ["index.tex"] + sorted(f"small/{name}.tex" for name in NAMES)
    assert all(p.read_text().startswith(MARKER) for p in [written.index, *written.reports])
    assert written.passed and [e.result.verdict for e in written.entries] == ["proved", "refuted", "proved"]


def test_index_lists_each_theorem_with_its_status_claims_and_names_its_report(library):
    _, out, written = library
    index = (out / "index.tex").read_text()
    assert r"\texttt{<file>/<theorem>.tex} beside this index" in index and ".pdf}" not in index
    linked = library_graph.index_latex(list(written.entries), pdf=True)  # compiled reports: links to the PDFs
    for name in NAMES:
        assert rf"\href{{small/{name}.pdf}}" in linked
    rows = {line.split(" & ")[1]: line for line in index.splitlines() if r"\hypertarget{thm." in line}
    assert len(rows) == 3
    statuses = [line.split(" & ")[3] for line in rows.values()]
    assert statuses == [r"\textcolor{proved}{proved} \ok", r"\textcolor{refuted}{refuted} \ok",
                        r"\textcolor{proved}{proved} \ok"]
    assert "C1.1, C1.2" in index and r"seed 001 \& co\_50\%" in index
    assert r"\begin{tikzpicture}" in index and "(t1.east) -- (l" in index  # the dependency graph
    assert r"\hyperlink{lemma." in index and "counterexample" in index and "length" in index


def test_identity_reports_embed_the_proof_of_every_instance_and_others_their_evidence(library):
    _, out, _ = library
    stride = (out / "small" / "stride_composition.tex").read_text()
    assert stride.count(r"\section*{Instance c = ") == 2 and r"\subsection*{Certificate}" in stride
    assert "cert:eventual" in stride.replace(r"\char95{}", "_")
    refuted = (out / "small" / "padding_between_breaks.tex").read_text()
    body = refuted.split(r"\let\section\subsection", 1)[1]  # the proof's sections, one level down in TeX
    assert r"\section*{Counterexample}" in body and r"\textbf{not} as expected" not in refuted
    shape = (out / "small" / "valid_length.tex").read_text()
    assert r"\section*{Length argument}" in shape and r"$P = 1$" in shape


def test_user_text_is_escaped_and_no_timing_is_written(library):
    _, out, _ = library
    text = (out / "small" / "padding_between_breaks.tex").read_text()
    assert r"\textbackslash{}input\{/" in text and r"\ensuremath{\$}$x^{2}$\ensuremath{\$}" in text
    assert r"\input{" not in text and "((( x )))" not in text
    everything = "".join(p.read_text() for p in out.rglob("*.tex"))
    assert "seconds" not in everything and str(out) not in everything


def test_regenerating_in_another_process_gives_byte_identical_files(library, tmp_path):
    source, out, _ = library
    again = tmp_path / "again"
    env = dict(os.environ, PYTHONHASHSEED="12345")
    done = subprocess.run([sys.executable, "-m", "symconv.cli", "report", str(source), "-o", str(again)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert _tree(again) == _tree(out)


def test_stale_reports_are_removed_and_other_files_kept(tmp_path):
    source = tmp_path / "proofs"
    source.mkdir()
    (source / "small.py").write_text(SMALL)
    out = tmp_path / "out"
    write_library([source], out)
    (out / "small" / "notes.tex").write_text("my own notes\n")
    (source / "small.py").write_text(SMALL.replace('shapes("valid_length"', 'shapes("valid_length_renamed"'))
    write_library([source], out)
    assert sorted(p.name for p in (out / "small").iterdir()) == [
        "notes.tex", "padding_between_breaks.tex", "stride_composition.tex", "valid_length_renamed.tex"]


def test_numbers_that_depend_on_the_machine_are_rounded():
    assert plain_number(2.1035488291591244) == "2.104" and plain_number(3.552713678800501e-15) == "< 1e-14"
    assert plain_number(0.0) == "0" and plain_number(True) == "yes" and plain_number(154587) == "154587"
    assert round_numbers("tightest quantity/bound = 0.8499123 at C1.1, conv5_3, n = 20, 1e-3") == \
        "tightest quantity/bound = 0.8499 at C1.1, conv5_3, n = 20, 0.001"


@needs_tex
@needs_pdftotext
def test_index_and_a_report_compile_with_pdflatex_and_read_back(library, tmp_path):
    from symconv.report import build_pdf

    _, out, _ = library
    index = build_pdf(out / "index.tex", tmp_path / "index.pdf")
    report = build_pdf(out / "small" / "padding_between_breaks.tex", tmp_path / "padding.pdf")
    text = subprocess.run(["pdftotext", str(index), "-"], capture_output=True, text=True, check=True).stdout
    assert "stride_composition" in text and "Dependency graphs" in text and "length_argument" in text
    assert "3 theorem(s) in 1 file(s): 2 proved, 1 refuted" in text
    text = subprocess.run(["pdftotext", str(report), "-"], capture_output=True, text=True, check=True).stdout
    assert "\\input{/etc/passwd}" in text and "Counterexample" in text


CUSTOM = '''
from symconv.library import Evidence, theorem

def _table():
    rows = [{"q": [1, 0, -1], "sizes": [2, 2], "minimal": 1}, {"q": "[1, 0, 2]", "ratio": 2.0 / 3}]
    verdicts = {f"c={c},p={p}": "proved" for c in range(1, 7) for p in range(7)}
    ci = {"mean": 0.4656217, "low": -0.12002, "high": 1.0512, "n": 16, "level": 0.99}
    return Evidence("checked", "max |difference| 3.552713678800501e-15 over 4 lengths",
                    {"rows": rows * 15, "verdicts": verdicts, "error": {"16": ci, "64": ci}, "tiny": 1.2e-17})

theorem("custom_evidence", check=_table, statement="every row [as listed] & 100% #fine", expect="checked")
'''


@needs_tex
def test_custom_evidence_becomes_rounded_tables_that_compile(tmp_path):
    from symconv.report import build_pdf

    (tmp_path / "custom.py").write_text(CUSTOM)
    written = write_library([tmp_path / "custom.py"], tmp_path / "r")
    tex = written.reports[0].read_text()
    assert "max |difference| < 1e-14 over 4 lengths".replace("|", r"\textbar{}").replace("<", r"\textless{}") in tex
    assert r"{}16 & {}0.4656 & {}-0.12 & {}1.051 & {}16 & {}0.99 \\" in tex
    assert r"\texttt{tiny} & \textless{} 1e-16 \\" in tex
    assert tex.count(r"\begin{tabular}") >= 4 and "more rows are not shown" not in tex  # 30 rows: two tabulars
    assert r"\texttt{c=6,\allowbreak{}p=6}: proved." in tex
    build_pdf(written.reports[0], tmp_path / "custom.pdf")


def test_cli_exits_0_when_every_verdict_is_expected(library, tmp_path, capsys):
    source, _, _ = library
    assert main(["report", str(source), "-o", str(tmp_path / "r")]) == 0
    assert "index of 3 report(s)" in capsys.readouterr().out


def test_cli_exits_1_when_a_verdict_is_not_the_expected_one(tmp_path, capsys):
    (tmp_path / "wrong.py").write_text(WRONG)
    assert main(["report", str(tmp_path / "wrong.py"), "-o", str(tmp_path / "r")]) == 1
    out = capsys.readouterr().out
    assert "1 not as expected" in out and "FAILED claimed_but_false" in out
    index = (tmp_path / "r" / "index.tex").read_text()
    assert r"\notok{proved}" in index and "miss" in index


def test_cli_exits_2_on_a_path_that_does_not_exist(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nowhere"), "-o", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symconv report: theorem file") and "does not exist" in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


def test_cli_pdf_without_tex_writes_the_sources_and_exits_2(library, tmp_path, capsys, monkeypatch):
    source, _, _ = library
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    assert main(["report", str(source), "-o", str(tmp_path / "r"), "--pdf"]) == 2
    assert "apt-get install" in capsys.readouterr().err
    assert (tmp_path / "r" / "index.tex").exists() and not list((tmp_path / "r").rglob("*.pdf"))
