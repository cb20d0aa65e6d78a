"""What the step-report tests share: a proof's steps as the report sets them (compared with a golden file in
``golden_steps/``; ``SYMCONV_UPDATE_GOLDEN=1`` rewrites it), and a report compiled with pdflatex and read back."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from symconv.report.argument import certificate_steps, proof_steps

GOLDEN = Path(__file__).parent / "golden_steps"
UPDATE = os.environ.get("SYMCONV_UPDATE_GOLDEN") == "1"

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")


def rendered_steps(proof) -> str:
    """The proof's steps and certificate steps as the report sets them, one field a line."""
    lines = []
    for step in proof_steps(proof):
        lines.append(f"step: {step['title']}")
        lines += [f"  {field}: {step[field]}" for field in ("body", "display", "after") if step.get(field) is not None]
    for step in certificate_steps(proof) or ():
        lines += [f"certificate: {step['title']}", f"  body: {step['body']}"]
    return "\n".join(lines) + "\n"


def assert_golden(text: str, name: str) -> None:
    """``text`` equals the golden file ``name``; with SYMCONV_UPDATE_GOLDEN=1 the file is rewritten (test skipped)."""
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(text)
        pytest.skip(f"rewrote {path.name}")
    assert text == path.read_text()


def compiled_argument(tex: str, tmp_path: Path) -> str:
    """The report ``tex`` compiled with pdflatex (it must build, without an overfull line of 1pt or more) and read
    back with pdftotext, from its "Proof" heading on."""
    (tmp_path / "doc.tex").write_text(tex)
    subprocess.run(["pdflatex", "-interaction=batchmode", "-halt-on-error", "-no-shell-escape", "doc.tex"],
                   cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=180)
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert (tmp_path / "doc.pdf").exists(), re.findall(r"^!.*$", log, re.M)
    assert max((float(w) for w in re.findall(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log)), default=0) < 1.0
    text = subprocess.run(["pdftotext", str(tmp_path / "doc.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text[re.search(r"^\f?Proof$", text, re.M).start():]
