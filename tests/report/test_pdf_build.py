"""Compiling reports: they build with a plain TeX Live, say clearly when TeX is missing, and escape hostile text."""

import dataclasses
import re
import shutil
import subprocess

import pytest
import sympy

from symconv import derive, prove
from symconv.errors import LatexFailed, SymconvError, ToolMissing
from symconv.numeric.check import NumericReport
from symconv.prover.proof import ProofStep
from symconv.report import build_pdf, latex
from symconv.report import pdf as pdf_module

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
needs_pdffonts = pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts is not installed")

HOSTILE = ("\\input{/etc/passwd} \\end{document} $x^2$ & #1 a_b 50% ~ {braces} \\\\ <tag> | `q' "
           "\u03b1\u2211 caf\u00e9\n\npara\x00 ((( x ))) ((* if *)) {{ y }} "
           + "".join(chr(i) for i in range(32, 127)))


def _pdflatex(tex: str, tmp_path) -> str:
    """Run pdflatex once on ``tex``; return its log (the test fails if no PDF was made)."""
    source = tmp_path / "doc.tex"
    source.write_text(tex)
    subprocess.run(["pdflatex", "-interaction=batchmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
                   cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=180)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert (tmp_path / "doc.pdf").exists(), re.findall(r"^!.*$", log, re.M)
    return log


def _overfull(log: str) -> list[float]:
    return [float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)]


def _pdftext(pdf) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def test_missing_tex_raises_tool_missing_naming_the_debian_packages(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    tex = tmp_path / "r.tex"
    tex.write_text("x")
    with pytest.raises(ToolMissing, match="apt-get install texlive-latex-base texlive-latex-recommended "
                                          "texlive-pictures latexmk") as info:
        build_pdf(tex, tmp_path / "r.pdf")
    assert isinstance(info.value, SymconvError)
    assert info.value.tools == ("latexmk", "pdflatex") and "r.tex" in str(info.value)
    assert not (tmp_path / "r.pdf").exists()


@needs_tex
def test_broken_document_raises_latex_failed_quoting_the_tex_error(tmp_path):
    tex = tmp_path / "bad.tex"
    tex.write_text("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}\n")
    with pytest.raises(LatexFailed, match="Undefined control sequence") as info:
        build_pdf(tex, tmp_path / "bad.pdf")
    assert (tmp_path / "bad.log").exists() and not (tmp_path / "bad.pdf").exists()
    assert info.value.log == str(tmp_path / "bad.log")


@needs_tex
@pytest.mark.parametrize("engine", ["latexmk", "pdflatex"])
def test_build_pdf_works_with_latexmk_and_with_plain_pdflatex(engine, tmp_path, monkeypatch):
    if engine == "latexmk" and shutil.which("latexmk") is None:
        pytest.skip("latexmk is not installed")
    monkeypatch.setattr(pdf_module, "tex_engine", lambda: engine)
    tex = tmp_path / "r.tex"
    tex.write_text(latex(derive("conv(k[3], stride=2) >> conv(k, stride=2)")))
    assert build_pdf(tex, tmp_path / "out" / "r.pdf").stat().st_size > 1000


@needs_tex
@needs_pdftotext
def test_stride_composition_pdf_contains_the_closed_form(tmp_path):
    proof = prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)")
    tex = tmp_path / "proof.tex"
    tex.write_text(latex(proof))
    text = _pdftext(build_pdf(tex, tmp_path / "proof.pdf"))
    assert re.search(r"K\[1\]\s*=\s*k0\s*k1", text)
    assert re.search(r"K\[2\]\s*=\s*k0\s*k1\s*\+\s*k0\s*k2", text)
    assert re.search(r"stride\s*4", text)
    assert "proved" in text


@needs_tex
def test_refutation_and_derivation_reports_compile_without_overfull_lines(tmp_path):
    refuted = prove("conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
                    "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    for i, obj in enumerate([refuted, derive("conv(k[3], stride=2, padding=1) >> maxpool(2) >> conv(k, dilation=2)")]):
        folder = tmp_path / str(i)
        folder.mkdir()
        assert max(_overfull(_pdflatex(latex(obj), folder)), default=0) < 1.0


@needs_tex
def test_a_thirteen_tap_kernel_does_not_overflow_the_page(tmp_path):
    proof = prove("conv(w[13], stride=2) >> conv(w, stride=3)", "conv(convolve(w, dilate(w, 2)), stride=6)")
    tex = latex(proof)
    assert r"$K[36] = w_{12}^{2}$" in tex
    assert max(_overfull(_pdflatex(tex, tmp_path)), default=0) < 1.0


def _hostile_proof():
    """A proof whose every free-text field (and kernel names) carries LaTeX specials."""
    proof = prove("conv(k_\u03b1[3], stride=2, bias=b_1) >> conv(k_\u03b1, stride=2)",
                  "conv(convolve(k_\u03b1, dilate(k_\u03b1, 2)), stride=4, bias=b_1)")
    mismatch = {"reason": HOSTILE, HOSTILE[:12]: HOSTILE}
    return dataclasses.replace(
        proof, note=HOSTILE, steps=proof.steps + (ProofStep("rule_" + HOSTILE[:20], HOSTILE),),
        numeric=NumericReport(3, float("inf"), 1e-14, mismatch),
        solutions={"k_\u03b1": [sympy.Symbol("k_\u03b1_0") / 2, sympy.Symbol("my_k")]})


def test_hostile_text_is_escaped_everywhere_in_the_report():
    tex = latex(_hostile_proof())
    assert "\\input{" not in tex and "\\end{document} $x" not in tex
    assert tex.count("\\end{document}") == 1
    assert "((( x ))) ((* if *)) \\{\\{ y \\}\\}" in tex  # template syntax in data stays data
    assert "\x00" not in tex and "\u03b1" not in tex and "\\unichar{03B1}" in tex
    assert r"\mathit{k\_\unichar{03B1}}_{0}" in tex  # the tap k_alpha_0 of the kernel named k_alpha


@needs_tex
@needs_pdftotext
def test_report_with_hostile_text_compiles_and_shows_the_text_literally(tmp_path):
    tex = tmp_path / "hostile.tex"
    tex.write_text(latex(_hostile_proof()))
    text = _pdftext(build_pdf(tex, tmp_path / "hostile.pdf"))
    flat = " ".join(text.split())
    assert "input{/etc/passwd}" in flat and "50%" in flat and "[U+03B1]" in flat


@needs_tex
@needs_pdffonts
def test_escaped_characters_need_no_bitmap_fonts(tmp_path):
    """Every escape stays in the Type 1 Computer Modern fonts of a plain TeX Live (no TS1 bitmaps)."""
    tex = tmp_path / "hostile.tex"
    tex.write_text(latex(_hostile_proof()))
    fonts = subprocess.run(["pdffonts", str(build_pdf(tex, tmp_path / "hostile.pdf"))],
                           capture_output=True, text=True, check=True).stdout
    assert "Type 3" not in fonts, fonts


NOBLE = ("up(2) >> conv(dilate(k[3], 2))", "conv(k) >> up(2)")  # the odd outputs of both sides are zero


def test_an_output_phase_without_taps_is_said_to_be_zero_instead_of_an_empty_list():
    tex = latex(prove(*NOBLE))
    assert "\\begin{itemize}\n\\end{itemize}" not in tex  # an empty list is a LaTeX error
    assert ("\\[ y[2 i + 1] = \\sum_{t} K_{1}[t]\\, x[i + t] \\]\n"
            "Every tap is zero: this output phase is identically zero.\n") in tex


@needs_tex
@needs_pdftotext
def test_noble_interpolation_report_compiles_although_a_phase_has_no_taps(tmp_path):
    tex = tmp_path / "noble.tex"
    tex.write_text(latex(prove(*NOBLE)))
    text = " ".join(_pdftext(build_pdf(tex, tmp_path / "noble.pdf")).split())
    assert "this output phase is identically zero" in text and "proved" in text
