"""The command line's grammar: the commands, their arguments and options, and the help texts.

:func:`build_parser` builds the ``argparse`` parser of ``symconv``; the commands
themselves are in :mod:`symconv.cli`, which hands them over by name.
"""

from __future__ import annotations

import argparse
import textwrap
from typing import Callable, Mapping

from symconv import __version__

__all__ = ["build_parser", "EXIT_BAD_INPUT", "EXAMPLES", "EXIT_CODES_HELP"]

EXAMPLES = """\
examples:
  symconv prove "conv(k[3], stride=2) >> conv(k, stride=2)" "conv(convolve(k, dilate(k, 2)), stride=4)"
  symconv prove "conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)" \\
                "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"      # refuted, with a counterexample
  symconv derive "conv(k[3], stride=2, padding=1) >> maxpool(2) >> conv(k, dilation=2)" --json
  symconv derive @chain.txt                # the chain from a file; `-` reads it from stdin
"""

EXIT_CODES_HELP = """\
exit codes:
  0  proved, checked, or the command succeeded
  1  refuted, or a theorem/certificate check failed
  2  bad input (one line on stderr), or a tool the command needs is missing
  3  unknown: the procedure could not decide
  the code is kept when stdout is closed early (`symconv prove ... | head -1`)
"""

EXIT_BAD_INPUT = 2

_TEX_HELP = "write the LaTeX report to FILE"
_PDF_HELP = ("write the PDF report to FILE (its LaTeX source is kept only with --tex); needs latexmk or "
             "pdflatex, else exits 2 after writing the source beside FILE as .tex")
_JSON_HELP = "print one JSON object on stdout instead of text"
_STATEMENT_HELP = "; `-` reads it from stdin, `@FILE` from FILE"
_WEIGHTS_HELP = ("with --torch: read the weights as exact rationals (values, the default) or as symbolic kernels "
                 "named after their module paths (symbolic: a refactor proved for every value of the weights; "
                 "fast for large models when only the layer arithmetic is wanted)")
_TORCH_HELP = ("{} FILE:FACTORY: FACTORY() in the Python file FILE returns a torch.nn.Module, read in eval mode "
               "with symconv.from_torch (needs torch)")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"symconv: {message} (see `symconv --help`)\n")


def _outputs_and_torch(parser: argparse.ArgumentParser, statement: str) -> None:
    """``--json``, ``--tex``, ``--pdf``, and ``--torch``/``--weights`` (``statement`` says which arguments name
    models), as ``prove`` and ``derive`` take them."""
    parser.add_argument("--json", action="store_true", help=_JSON_HELP)
    parser.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    parser.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    parser.add_argument("--torch", action="store_true", help=_TORCH_HELP.format(statement))
    parser.add_argument("--weights", choices=("values", "symbolic"), default="values", help=_WEIGHTS_HELP)


def build_parser(commands: Mapping[str, Callable[[argparse.Namespace], int]]) -> argparse.ArgumentParser:
    """The parser of ``symconv``; each command's ``run`` is ``commands[name]``."""
    parser = _Parser(
        prog="symconv",
        description="Prove, refute and derive convolution identities for every input length.",
        epilog=EXAMPLES + "\n" + EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, epilog: str = EXIT_CODES_HELP) -> argparse.ArgumentParser:
        description = textwrap.fill(help[:1].upper() + help[1:] + ".", 79)
        return sub.add_parser(name, help=help, description=description, epilog=epilog,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("prove", "prove or refute LHS == RHS for every input length", EXAMPLES + "\n" + EXIT_CODES_HELP)
    p.add_argument("lhs", metavar="LHS",
                   help="left-hand chain, e.g. \"conv(k[3], stride=2) >> conv(k, stride=2)\"" + _STATEMENT_HELP)
    p.add_argument("rhs", metavar="RHS", help="right-hand chain; names are shared with LHS" + _STATEMENT_HELP)
    p.add_argument("--solve", action="append", default=[], metavar="NAME", help="solve for the kernel NAME")
    p.add_argument("--assume", action="append", default=[], metavar="TEXT", help="an input bound the statement holds under, e.g. 'abs(x) <= B' (B a number or a name)")
    p.add_argument("--seed", type=int, default=0, help="seed of the numeric check and counterexample search")
    p.add_argument("--atol", metavar="X", help="prove within an absolute tolerance on every input with |x| <= 1, "
                                               "e.g. 1e-5 or 1/100000 (numeric weights only)")
    p.add_argument("--rtol", metavar="X", help="and a relative one, times each rhs output's own bound on |x| <= 1")
    p.add_argument("--certificate", metavar="FILE", help="write the certificate of a proof (JSON)")
    _outputs_and_torch(p, "LHS and RHS are")
    p.set_defaults(run=commands["prove"])

    rc = command("recheck", "re-check a proof certificate with the core semantics only")
    rc.add_argument("file", help="a certificate written by `symconv prove --certificate FILE`")
    rc.set_defaults(run=commands["recheck"])

    d = command("derive", "the single equivalent layer and receptive field of a chain")
    d.add_argument("chain", metavar="CHAIN",
                   help="a chain, e.g. \"conv(k[3], stride=2) >> maxpool(2)\"" + _STATEMENT_HELP)
    _outputs_and_torch(d, "CHAIN is")
    d.set_defaults(run=commands["derive"])

    f = command("factor", "split a kernel into a two-layer CNN")
    f.add_argument("kernel", metavar="KERNEL", help="the kernel to split: taps \"[1, -2, 3, 0, 4]\" or a name "
                                                    "with a length \"q[5]\"; with --separable a 2-D kernel "
                                                    "\"[[1, 2], [2, 4]]\", \"k[3, 3]\" or a conv2d/conv3d layer")
    f.add_argument("--sizes", metavar="N,M",
                   help="the sizes of the two layers' kernels, with N + M - 1 the kernel's length, e.g. 2,4 "
                        "(required for a 1-D kernel)")
    f.add_argument("--separable", action="store_true",
                   help="split a 2-D kernel \"[[1, 2, 1], [2, 4, 2], [1, 2, 1]]\" (or a layer \"conv2d(k[3, 3], "
                        "padding=1)\", or a rank-one conv3d) into one layer per axis, (K1, 1) then (1, K2), with as "
                        "many channels as the kernel's rank")
    f.add_argument("--channels", type=int, metavar="C",
                   help="channels between the layers (default N; with --separable the kernel's rank); below the "
                        "minimum the split is refuted (exit 1)")
    f.add_argument("--json", action="store_true", help=_JSON_HELP)
    f.add_argument("--assume", action="append", default=[], metavar="TEXT",
                   help="an input bound, e.g. 'abs(x) <= B': put batch norm and ReLU between the layers (C0.3)")
    f.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    f.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    f.set_defaults(run=commands["factor"])

    c = command("check", "run the theorems of proofs/ and print a table (a theorem whose evidence needs a "
                         "missing optional package is skipped, with the reason)")
    c.add_argument("paths", nargs="*", metavar="PATH",
                   help="theorem files or directories (default: ./proofs, else the source checkout's proofs/)")
    c.add_argument("--json", action="store_true", help=_JSON_HELP)
    c.set_defaults(run=commands["check"])

    r = command("report", "LaTeX reports for the theorem library")
    r.add_argument("paths", nargs="*", metavar="PATH",
                   help="theorem files or directories (default: ./proofs, else the source checkout's proofs/)")
    r.add_argument("-o", dest="out", default="reports", metavar="DIR",
                   help="where to write index.tex and <file>/<theorem>.tex (default: reports)")
    r.add_argument("--pdf", action="store_true", help="also compile every report (needs latexmk or pdflatex)")
    r.set_defaults(run=commands["report"])

    h = command("homework", "problem and solution sheets")
    h.add_argument("topic", nargs="?", help="a topic of --list, e.g. stride-composition")
    h.add_argument("--list", action="store_true", help="print the topics, one line each, and exit")
    h.add_argument("--seed", type=int, default=0, help="seed of the variants (same seed, same sheets)")
    h.add_argument("--count", type=int, default=5, help="variants per sheet, 1 to 50")
    h.add_argument("-o", dest="out", default="homework", metavar="DIR", help="directory of the sheets")
    h.add_argument("--pdf", action="store_true", help="also compile both sheets (needs latexmk or pdflatex)")
    h.set_defaults(run=commands["homework"])
    return parser
