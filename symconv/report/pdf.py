"""``build_pdf``: compile a report with ``latexmk`` or ``pdflatex``, whichever is installed.

The engine runs in a scratch directory (never beside the user's files), in
batch mode with shell escape off and stdin closed, so a broken document
fails instead of waiting for input. Only the PDF is copied out.

>>> import shutil, tempfile, pathlib
>>> if shutil.which("pdflatex") or shutil.which("latexmk"):
...     with tempfile.TemporaryDirectory() as d:
...         tex = pathlib.Path(d, "r.tex")
...         _ = tex.write_text(r"\\documentclass{article}\\begin{document}x\\end{document}")
...         build_pdf(tex, pathlib.Path(d, "r.pdf")).exists()
... else:
...     True
True
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional, Union

from symconv.errors import LatexFailed, ToolMissing

__all__ = ["build_pdf", "tex_engine", "TEX_PACKAGES"]

#: What to install on Debian or Ubuntu for every package the reports use.
TEX_PACKAGES = ("texlive-latex-base", "texlive-latex-recommended", "texlive-pictures", "latexmk")

#: Seconds one engine run may take.
TIMEOUT = 180


def tex_engine() -> Optional[str]:
    """``"latexmk"`` or ``"pdflatex"`` (the first installed), or None."""
    if shutil.which("latexmk") and shutil.which("pdflatex"):
        return "latexmk"
    if shutil.which("pdflatex"):
        return "pdflatex"
    return None


def _first_error(log: str) -> str:
    """The first ``! ...`` line of a TeX log and the line number it names, else a short tail."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!"):
            where = next((m.group(0) for m in (re.match(r"l\.\d+", x) for x in lines[i:i + 12]) if m), "")
            return f"{line[1:].strip()}{f' ({where})' if where else ''}"
    return " ".join(lines[-3:]).strip() or "no log was written"


def build_pdf(tex_path: Union[str, Path], pdf_path: Union[str, Path]) -> Path:
    """Compile ``tex_path`` to ``pdf_path``; return ``pdf_path``.

    Raises :class:`~symconv.errors.ToolMissing` when neither ``latexmk`` nor
    ``pdflatex`` is installed and :class:`~symconv.errors.LatexFailed` when the
    engine gives no PDF (the message quotes TeX's first error; the log is kept
    beside ``pdf_path`` as ``<name>.log``).
    """
    tex_path, pdf_path = Path(tex_path), Path(pdf_path)
    engine = tex_engine()
    if engine is None:
        raise ToolMissing(("latexmk", "pdflatex"), TEX_PACKAGES, f"building {pdf_path} from {tex_path}")
    with tempfile.TemporaryDirectory(prefix="symconv-tex-") as work:
        source = Path(work, "report.tex")
        shutil.copyfile(tex_path, source)
        common = ["-interaction=batchmode", "-halt-on-error", "-no-shell-escape"]
        if engine == "latexmk":
            runs = [["latexmk", "-pdf", "-quiet", f"-pdflatex=pdflatex {' '.join(common)} %O %S", "report.tex"]]
        else:
            runs = [["pdflatex", *common, "report.tex"]] * 2  # twice: hyperref's references settle
        timed_out = failed = False
        for command in runs:
            try:
                done = subprocess.run(command, cwd=work, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL, timeout=TIMEOUT, check=False)
            except subprocess.TimeoutExpired:
                timed_out = failed = True
                break
            failed = done.returncode != 0
            if failed:
                break
        built, log = Path(work, "report.pdf"), Path(work, "report.log")
        if failed or not built.exists():
            log_text = log.read_text(errors="replace") if log.exists() else ""
            reason = f"no result after {TIMEOUT} s" if timed_out else _first_error(log_text)
            kept = pdf_path.with_suffix(".log")
            if log.exists():
                pdf_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(log, kept)
            raise LatexFailed(str(tex_path), engine, reason, str(kept))
        pdf_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built, pdf_path)
    return pdf_path
