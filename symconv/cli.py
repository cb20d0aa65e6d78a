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
    from symconv.prover import prove

    paths = _report_paths(args)
    proof = prove(args.lhs, args.rhs, solve=args.solve, seed=args.seed, assume=args.assume)
    _emit(args, proof, str(proof))
    _write_reports(paths, proof)
    if args.certificate:
        if proof.certificate is None:
            why = (proof.note.split("no certificate: ", 1)[1].split(")")[0] if "no certificate: " in proof.note
                   else f"the verdict is {proof.verdict}, and only proved statements have certificates")
            raise SymconvError(f"no certificate to write to {args.certificate!r}: {why}")
        _write(Path(args.certificate), proof.certificate.dumps() + "\n")
    return proof.exit_code


def _cmd_recheck(args) -> int:
    """Re-check a certificate with the core semantics only: exit 0 valid, 1 rejected, 2 unreadable."""
    from symconv.errors import CertificateError
    from symconv.prover.certificate import Certificate, check_certificate

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as err:
        raise SymconvError(f"cannot read certificate {args.file!r}: {err.strerror}") from err
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise SymconvError(f"certificate {args.file!r} is not JSON: {err.msg} at line {err.lineno}") from err
    certificate = Certificate.from_json(obj)
    try:
        statement = check_certificate(certificate)
    except CertificateError as err:
        print(f"rejected: {err}")
        return 1
    scope = "shape" if any(step.rule.value == "product_bound" for step in certificate.steps) else "length"
    print(f"valid: {statement} for every input {scope} ({len(certificate.steps)} step(s) re-checked)")
    return 0


def _cmd_derive(args) -> int:
    from symconv.prover.derive import derive

    paths = _report_paths(args)
    derivation = derive(args.chain)
    _emit(args, derivation, str(derivation))
    _write_reports(paths, derivation)
    return 0


def _cmd_factor(args) -> int:
    from symconv.errors import TooFewChannels
    from symconv.factoring import factor, parse_sizes
    from symconv.factoring.request import factor_request

    paths = _report_paths(args)
    sizes = parse_sizes(args.sizes)
    try:
        if args.assume:
            from symconv.factoring import batchnorm_relu_factorization
            from symconv.prover.assumptions import parse_assumptions

            bound = parse_assumptions(args.assume)[0]
            result = batchnorm_relu_factorization(args.kernel, sizes, bound, channels=args.channels)
        else:
            result = factor(args.kernel, sizes, channels=args.channels)
    except TooFewChannels as err:  # a refutation: exit 1, with the reason
        if args.json:
            taps = [str(t) for t in factor_request(args.kernel, sizes).taps]
            print(json.dumps({"kernel": taps, "sizes": list(err.sizes), "channels": err.channels,
                              "first": None, "second": None, "minimal_channels": err.minimum,
                              "verdict": "refuted", "reason": err.reason}, indent=2))
        else:
            print(f"refuted: {' '.join(str(err).split())}")
        return 1
    _emit(args, result, str(result))
    _write_reports(paths, result)
    return result.proof.exit_code


def _check_progress(i: int, total: int, theorem, result) -> None:
    """Live progress on stderr (only on a terminal, so logs and --json stay clean)."""
    if result is None:
        sys.stderr.write(f"\r\033[K[{i + 1}/{total}] {theorem.name} ...")
    elif i + 1 == total:
        sys.stderr.write("\r\033[K")
    sys.stderr.flush()


def _cmd_check(args) -> int:
    """Run theorem files (default: ./proofs, else the source checkout's proofs/); exit 1 on any surprise."""
    from symconv.library.run import check, format_table

    progress = _check_progress if sys.stderr.isatty() else None
    report = check(args.paths or None, progress=progress)
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(format_table(report))
    return 0 if report.passed else 1


def _cmd_homework(args) -> int:
    """``<topic>-problems.tex`` and ``<topic>-solutions.tex`` in DIR (and PDFs); ``--list``: the topics."""
    from symconv.report.homework import topic_listing, write_homework

    if args.list:
        print(topic_listing())
        return 0
    if args.topic is None:
        raise SymconvError("a TOPIC is needed, e.g. `symconv homework stride-composition`; "
                           "`symconv homework --list` prints the topics")
    for path in write_homework(args.topic, Path(args.out), seed=args.seed, count=args.count, pdf=args.pdf):
        print(path)
    return 0


def _cmd_report(args) -> int:
    """``DIR/index.tex`` and one ``DIR/<file>/<theorem>.tex`` per theorem; exit 1 on any unexpected verdict."""
    from symconv.report.library import write_library
    from symconv.library.run import format_failure

    progress = _check_progress if sys.stderr.isatty() else None
    written = write_library(args.paths or None, Path(args.out), pdf=args.pdf, progress=progress)
    counts: dict[str, int] = {}
    for entry in written.entries:
        counts[entry.result.verdict] = counts.get(entry.result.verdict, 0) + 1
    summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(counts.items()))
    print(f"{written.index}: index of {len(written.reports)} report(s) ({summary}); "
          f"{len(written.failures)} not as expected" + (f"; {len(written.pdfs)} PDF(s) built" if args.pdf else ""))
    for failure in written.failures:
        print()
        print(format_failure(failure))
    return 0 if written.passed else 1


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
    p.add_argument("--assume", action="append", default=[], metavar="TEXT", help="an input bound the statement holds under, e.g. 'abs(x) <= B' (B a number or a name)")
    p.add_argument("--seed", type=int, default=0, help="seed of the numeric check and counterexample search")
    p.add_argument("--certificate", metavar="FILE", help="write the certificate of a proof (JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    p.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    p.set_defaults(run=_cmd_prove)

    rc = sub.add_parser("recheck", help="re-check a proof certificate with the core semantics only")
    rc.add_argument("file", help="a certificate written by `symconv prove --certificate FILE`")
    rc.set_defaults(run=_cmd_recheck)

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
    f.add_argument("--assume", action="append", default=[], metavar="TEXT",
                   help="an input bound, e.g. 'abs(x) <= B': put batch norm and ReLU between the layers (C0.3)")
    f.add_argument("--tex", metavar="FILE", help=_TEX_HELP)
    f.add_argument("--pdf", metavar="FILE", help=_PDF_HELP)
    f.set_defaults(run=_cmd_factor)

    c = sub.add_parser("check", help="run the theorems of proofs/")
    c.add_argument("paths", nargs="*", metavar="PATH",
                   help="theorem files or directories (default: ./proofs, else the source checkout's proofs/)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(run=_cmd_check)

    r = sub.add_parser("report", help="LaTeX reports for the theorem library")
    r.add_argument("paths", nargs="*", metavar="PATH",
                   help="theorem files or directories (default: ./proofs, else the source checkout's proofs/)")
    r.add_argument("-o", dest="out", default="reports", metavar="DIR",
                   help="where to write index.tex and <file>/<theorem>.tex (default: reports)")
    r.add_argument("--pdf", action="store_true", help="also compile every report (needs latexmk or pdflatex)")
    r.set_defaults(run=_cmd_report)

    h = sub.add_parser("homework", help="problem and solution sheets")
    h.add_argument("topic", nargs="?", help="a topic of --list, e.g. stride-composition")
    h.add_argument("--list", action="store_true", help="print the topics, one line each, and exit")
    h.add_argument("--seed", type=int, default=0, help="seed of the variants (same seed, same sheets)")
    h.add_argument("--count", type=int, default=5, help="variants per sheet, 1 to 50")
    h.add_argument("-o", dest="out", default="homework", metavar="DIR", help="directory of the sheets")
    h.add_argument("--pdf", action="store_true", help="also compile both sheets (needs latexmk or pdflatex)")
    h.set_defaults(run=_cmd_homework)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except BrokenPipeError:  # e.g. `symconv prove ... | head`
        sys.stderr.close()
        return 0
    except SymconvError as err:
        print(f"symconv {args.command}: {' '.join(str(err).split())}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
