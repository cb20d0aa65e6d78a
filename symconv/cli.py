"""The ``symconv`` command line (DESIGN §5).

Exit codes: 0 proved / success, 1 refuted or a failing check, 2 bad input,
3 unknown. ``--json`` prints exactly one JSON object on stdout. Bad input is
reported on one line of stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Optional, Sequence

from symconv import __version__
from symconv.errors import SymconvError

__all__ = ["main"]

EXAMPLES = """\
examples:
  symconv prove "conv(k[3], stride=2) >> conv(k, stride=2)" "conv(convolve(k, dilate(k, 2)), stride=4)"
  symconv prove "conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)" \\
                "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"      # refuted, with a counterexample
  symconv derive "conv(k[3], stride=2, padding=1) >> maxpool(2) >> conv(k, dilation=2)" --json
"""

EXIT_BAD_INPUT = 2

_TEX_HELP = "write the LaTeX report to FILE"
_PDF_HELP = ("write the PDF report to FILE, and its LaTeX source beside it (FILE with .tex); "
             "needs latexmk or pdflatex, else exits 2 after writing the .tex")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"symconv: {message} (see `symconv --help`)\n")


def _emit(args, obj, text: str) -> None:
    if args.json:
        print(json.dumps(obj.to_json(), indent=2, sort_keys=False))
    else:
        print(text)


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise SymconvError(f"cannot write the report {str(path)!r}: {err.strerror or err}") from err


def _report_paths(args) -> tuple[Optional[Path], Optional[Path], Optional[Path]]:
    """``(tex, pdf, source of the pdf)`` from ``--tex``/``--pdf``; checked before any work is done."""
    tex = Path(args.tex) if getattr(args, "tex", None) else None
    pdf = Path(args.pdf) if getattr(args, "pdf", None) else None
    if pdf is not None and pdf.suffix.lower() == ".tex":
        raise SymconvError(f"--pdf {args.pdf!r} names a .tex file; expected a PDF name such as 'report.pdf' "
                           f"(use --tex for the LaTeX source)")
    return tex, pdf, (pdf.with_suffix(".tex") if pdf is not None else None)


def _write_reports(paths, obj) -> None:
    """``--tex FILE``: the LaTeX report; ``--pdf FILE``: the PDF, with its .tex written beside it first.

    Without a TeX engine the .tex is still written and :class:`ToolMissing` is raised (exit 2).
    """
    tex, pdf, source = paths
    if tex is None and pdf is None:
        return
    from symconv.report import build_pdf, latex

    document = latex(obj)
    if tex is not None:
        _write(tex, document)
    if pdf is not None:
        if tex is None or tex.resolve() != source.resolve():
            _write(source, document)
        build_pdf(source, pdf)


def _cmd_prove(args) -> int:
    from symconv.prove import prove

    paths = _report_paths(args)
    if args.solve:
        raise SymconvError("--solve is not available yet: solving for unknown kernels is tracked in issue 3")
    if args.assume:
        raise SymconvError("--assume is not available yet: assumptions are tracked in issue 4 (C0.3)")
    proof = prove(args.lhs, args.rhs, seed=args.seed)
    _emit(args, proof, str(proof))
    _write_reports(paths, proof)
    return proof.exit_code


def _cmd_derive(args) -> int:
    from symconv.prove.derive import derive

    paths = _report_paths(args)
    derivation = derive(args.chain)
    _emit(args, derivation, str(derivation))
    _write_reports(paths, derivation)
    return 0


def _not_yet(command: str, issue: int):
    def run(args) -> int:
        raise SymconvError(f"`symconv {command}` is not available in this version yet (issue {issue})")

    return run


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="symconv",
        description="Prove, refute and derive convolution identities for every input length.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"symconv {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("prove", help="prove or refute LHS == RHS for every input length",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("lhs", help="left-hand chain, e.g. \"conv(k[3], stride=2) >> conv(k, stride=2)\"")
    p.add_argument("rhs", help="right-hand chain; names are shared with LHS")
    p.add_argument("--solve", action="append", default=[], metavar="NAME", help="solve for the kernel NAME")
    p.add_argument("--assume", action="append", default=[], metavar="TEXT", help="an assumption, e.g. 'abs(x) <= B'")
    p.add_argument("--seed", type=int, default=0, help="seed of the numeric check and counterexample search")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    p.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    p.set_defaults(run=_cmd_prove)

    d = sub.add_parser("derive", help="the single equivalent layer and receptive field of a chain")
    d.add_argument("chain")
    d.add_argument("--json", action="store_true")
    d.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    d.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    d.set_defaults(run=_cmd_derive)

    f = sub.add_parser("factor", help="split a kernel into a two-layer CNN")
    f.add_argument("kernel")
    f.add_argument("--sizes", required=True)
    f.add_argument("--channels", type=int)
    f.add_argument("--json", action="store_true")
    f.add_argument("--tex", metavar="FILE")
    f.set_defaults(run=_not_yet("factor", 4))

    c = sub.add_parser("check", help="run the theorems of proofs/")
    c.add_argument("paths", nargs="*")
    c.add_argument("--json", action="store_true")
    c.set_defaults(run=_not_yet("check", 6))

    r = sub.add_parser("report", help="LaTeX reports for the theorem library")
    r.add_argument("paths", nargs="*")
    r.add_argument("-o", dest="out", default="reports")
    r.add_argument("--pdf", action="store_true")
    r.set_defaults(run=_not_yet("report", 5))

    h = sub.add_parser("homework", help="problem and solution sheets")
    h.add_argument("topic")
    h.add_argument("--seed", type=int, default=0)
    h.add_argument("--count", type=int, default=5)
    h.add_argument("-o", dest="out", default="homework")
    h.add_argument("--pdf", action="store_true")
    h.set_defaults(run=_not_yet("homework", 5))
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except SymconvError as err:
        print(f"symconv {args.command}: {' '.join(str(err).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
