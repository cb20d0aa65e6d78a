"""``symconv prove/derive --tex/--pdf``: files written, exit codes kept, missing TeX reported in one line."""

import json
import shutil

import pytest

from symconv.cli import main
from symconv.report import pdf as pdf_module

STRIDE = ["conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"]
PADDED = ["conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
          "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"]
CHAIN = "conv(k[3], stride=2, padding=1) >> conv(k, stride=2, padding=1)"
PACKAGES = "texlive-latex-base texlive-latex-recommended texlive-pictures latexmk"

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


@pytest.fixture
def no_tex(monkeypatch):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)


def test_prove_tex_writes_the_report_and_exits_0_when_proved(tmp_path, capsys):
    out = tmp_path / "proof.tex"
    assert main(["prove", *STRIDE, "--tex", str(out)]) == 0
    assert r"\begin{theorem}" in out.read_text() and "proved:" in capsys.readouterr().out


def test_refuted_prove_writes_the_report_and_keeps_exit_code_1(tmp_path):
    out = tmp_path / "refuted.tex"
    assert main(["prove", *PADDED, "--tex", str(out)]) == 1
    assert r"\section*{Counterexample}" in out.read_text()


def test_derive_tex_with_json_still_prints_exactly_one_json_object(tmp_path, capsys):
    out = tmp_path / "derive.tex"
    assert main(["derive", CHAIN, "--json", "--tex", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["stride"] == 4
    assert r"\section*{Receptive-field arithmetic}" in out.read_text()


def test_pdf_without_tex_writes_the_tex_beside_it_and_exits_2_with_one_line(tmp_path, capsys, no_tex):
    pdf = tmp_path / "proof.pdf"
    assert main(["prove", *STRIDE, "--pdf", str(pdf)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("symconv prove: building ")
    assert PACKAGES in err and str(tmp_path / "proof.tex") in err
    assert (tmp_path / "proof.tex").read_text().startswith("% symconv report") and not pdf.exists()


def test_pdf_without_tex_exits_2_even_for_a_refuted_claim(tmp_path, capsys, no_tex):
    assert main(["prove", *PADDED, "--json", "--pdf", str(tmp_path / "r.pdf")]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["verdict"] == "refuted"
    assert (tmp_path / "r.tex").exists() and "symconv prove: building" in captured.err


def test_tex_and_pdf_together_keep_the_source_only_where_tex_says(tmp_path, capsys, no_tex):
    assert main(["derive", CHAIN, "--tex", str(tmp_path / "a.tex"), "--pdf", str(tmp_path / "b.pdf")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"symconv derive: wrote {tmp_path / 'a.tex'} (LaTeX)" and str(tmp_path / "a.tex") in err[1]
    assert (tmp_path / "a.tex").exists() and not (tmp_path / "b.tex").exists()


def test_pdf_naming_a_tex_file_is_refused_before_any_work(tmp_path, capsys):
    assert main(["derive", CHAIN, "--pdf", str(tmp_path / "r.tex")]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "names a .tex file; expected a PDF name" in captured.err


def test_unwritable_report_path_is_bad_input_in_one_line(tmp_path, capsys):
    assert main(["derive", CHAIN, "--tex", str(tmp_path / "missing" / "r.tex")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot write the report" in err and "No such file or directory" in err


@needs_tex
def test_pdf_is_built_and_a_refutation_keeps_exit_code_1(tmp_path, capsys):
    pdf = tmp_path / "refuted.pdf"
    assert main(["prove", *PADDED, "--pdf", str(pdf)]) == 1
    assert pdf.read_bytes().startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refuted.pdf"]  # no stray .tex beside it
    assert capsys.readouterr().err == f"symconv prove: wrote {pdf} (PDF)\n"


def test_tex_says_on_stderr_what_it_wrote(tmp_path, capsys):
    out = tmp_path / "proof.tex"
    assert main(["prove", *STRIDE, "--tex", str(out)]) == 0
    assert capsys.readouterr().err == f"symconv prove: wrote {out} (LaTeX)\n"


@needs_tex
def test_derive_pdf_is_built(tmp_path):
    pdf = tmp_path / "derive.pdf"
    assert main(["derive", CHAIN, "--pdf", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")


@needs_tex
def test_prove_pdf_of_the_noble_interpolation_identity_builds_the_pdf(tmp_path):
    pdf = tmp_path / "noble.pdf"
    assert main(["prove", "up(2) >> conv(dilate(k[3], 2))", "conv(k) >> up(2)", "--pdf", str(pdf)]) == 0
    assert pdf.stat().st_size > 1000
