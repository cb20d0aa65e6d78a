"""The notation of the reports, gathered: every name below is importable from here.

Each idea has its own module:

* :mod:`symconv.report.tex_escape` -- user text and engine prose as LaTeX (:class:`Tex`, :func:`escape_tex`,
  :func:`escape_tt`, :func:`prose`);
* :mod:`symconv.report.symbol_math` -- names, tap symbols, expressions, sequences, declarations;
* :mod:`symconv.report.kernel_math` -- kernel expressions as formulas;
* :mod:`symconv.report.layer_math` -- chains as compositions, ``B \\circ A`` meaning "A, then B";
* :mod:`symconv.report.length_math` -- output lengths with their case split;
* :mod:`symconv.report.composition_math` -- the generating polynomial of a chain of convolutions and its
  derivation.

>>> escape_tt("conv(k_1, stride=2)")
'conv(k\\\\char95{}1,\\\\allowbreak{} stride=2)'
>>> from symconv.dsl import parse_chain
>>> layer_math(parse_chain("conv(k[3], stride=2) >> conv(k, stride=3)"))
'\\\\operatorname{conv}_{s=3}(k) \\\\circ \\\\operatorname{conv}_{s=2}(k)'
"""

from symconv.report.composition_math import chain_generating, composition_derivation, generating_value
from symconv.report.kernel_math import kernel_math
from symconv.report.layer_math import layer_math
from symconv.report.length_math import generic_length_cases, length_cases
from symconv.report.symbol_math import (SymbolNames, declarations, expr_latex, name_math, sequence_latex,
                                        symbol_names, theorem_parts)
from symconv.report.tex_escape import Tex, escape_tex, escape_tt, prose

__all__ = ["Tex", "escape_tex", "escape_tt", "SymbolNames", "symbol_names", "expr_latex", "name_math",
           "sequence_latex", "declarations", "layer_math", "kernel_math", "length_cases", "generic_length_cases",
           "chain_generating", "generating_value", "composition_derivation", "prose", "theorem_parts"]
