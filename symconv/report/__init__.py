"""LaTeX reports: ``latex(obj)`` renders a proof, a derivation or a factorization, ``build_pdf`` compiles it.

>>> from symconv.report import latex, escape_tex
>>> escape_tex("a_b")
'a\\\\_b'
"""

from symconv.report.latex import derivation_latex, escape_tex, escape_tt, latex, proof_latex
from symconv.report.factor_report import factorization_latex
from symconv.report.pdf import build_pdf

__all__ = ["latex", "proof_latex", "derivation_latex", "factorization_latex", "escape_tex", "escape_tt", "build_pdf"]
