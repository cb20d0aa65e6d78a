"""The ``symconv`` command line (DESIGN §5).

Exit codes (:data:`symconv.cli_parser.EXIT_CODES_HELP`): 0 proved / checked / success, 1 refuted
or a failing check, 2 bad input, 3 unknown; the code survives a closed pipe
(``symconv prove ... | head -1``). ``--json`` prints exactly one JSON object
on stdout. Bad input is reported on one line of stderr, never as a traceback.
A statement argument ``-`` is read from stdin and ``@FILE`` from FILE.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from symconv.cli_parser import EXIT_BAD_INPUT, build_parser
from symconv.errors import InvalidArgument, SymconvError, quote

__all__ = ["main"]

def _print(text: str = "") -> None:
    """``print`` to stdout that survives a reader closing the pipe (``| head -1``).

    The rest of the output goes to /dev/null, so the command still finishes and
    returns its verdict's exit code instead of dying with BrokenPipeError.
    """
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _say(args, message: str) -> None:
    """One line on stderr about a side effect (a file written), so stdout stays the result."""
    print(f"symconv {args.command}: {message}", file=sys.stderr)


def _emit(args, obj) -> None:
    """The result as one JSON object (``--json``) or as text; only the one asked for is computed."""
    if args.json:
        _print(json.dumps(obj.to_json(), indent=2, sort_keys=False))
    else:
        _print(str(obj))


def _torch_layer(spec: str, weights: str):
    """The symconv layer of the model that FILE:FACTORY builds, its weights read as ``weights``."""
    from symconv.interop.graph import from_torch
    from symconv.interop.user_file import load_model

    return from_torch(load_model(spec), weights=weights)


def _statement(text: str, what: str, stdin_used: list) -> str:
    """The statement argument itself, ``-`` (stdin, once) or ``@FILE``; lines are joined with spaces."""
    if text == "-":
        if stdin_used:
            raise InvalidArgument("symconv", what, text, "`-` (stdin) for one statement argument only; "
                                  "give the other as text or @FILE")
        stdin_used.append(what)
        read = sys.stdin.read()
    elif text.startswith("@") and len(text) > 1:
        try:
            read = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as err:
            raise InvalidArgument("symconv", what, text, f"a readable file after @ ({err.strerror or err})") from err
    else:
        return text
    joined = " ".join(read.split())
    if not joined:
        raise InvalidArgument("symconv", what, text, "a statement, e.g. \"conv(k[3], stride=2)\"; the input is empty")
    return joined


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise SymconvError(f"cannot write the report {str(path)!r}: {err.strerror or err}") from err


def _report_paths(args) -> tuple[Optional[Path], Optional[Path]]:
    """``(tex, pdf)`` from ``--tex``/``--pdf``; checked before any work is done."""
    tex = Path(args.tex) if getattr(args, "tex", None) else None
    pdf = Path(args.pdf) if getattr(args, "pdf", None) else None
    if pdf is not None and pdf.suffix.lower() == ".tex":
        raise SymconvError(f"--pdf {args.pdf!r} names a .tex file; expected a PDF name such as 'report.pdf' "
                           f"(use --tex for the LaTeX source)")
    return tex, pdf


def _write_reports(args, paths, obj) -> None:
    """``--tex FILE``: the LaTeX report; ``--pdf FILE``: the PDF, compiled from ``--tex``'s file or a
    temporary copy of the source, so no stray .tex is left beside it. Each file written is said on stderr.

    Without a TeX engine the source is kept beside the PDF (FILE with .tex) and :class:`ToolMissing`
    is raised (exit 2); when TeX fails it is kept there too, for the log to refer to.
    """
    tex, pdf = paths
    if tex is None and pdf is None:
        return
    from symconv.errors import LatexFailed
    from symconv.report import build_pdf, latex
    from symconv.report.pdf import tex_engine

    document = latex(obj)
    if tex is not None:
        _write(tex, document)
        _say(args, f"wrote {tex} (LaTeX)")
    if pdf is None:
        return
    if tex is not None:
        build_pdf(tex, pdf)
    elif tex_engine() is None:
        kept = pdf.with_suffix(".tex")
        _write(kept, document)
        build_pdf(kept, pdf)  # raises ToolMissing, naming the kept source
    else:
        import tempfile  # only a PDF without its .tex needs a scratch folder

        with tempfile.TemporaryDirectory(prefix="symconv-") as work:
            source = Path(work, pdf.with_suffix(".tex").name)
            _write(source, document)
            try:
                build_pdf(source, pdf)
            except LatexFailed as err:
                kept = pdf.with_suffix(".tex")
                _write(kept, document)
                raise LatexFailed(str(kept), err.tool, err.first_error, err.log) from err
    _say(args, f"wrote {pdf} (PDF)")


def _cmd_prove(args) -> int:
    from symconv.prover import prove

    paths = _report_paths(args)
    stdin_used: list = []
    if args.torch:  # LHS and RHS are FILE:FACTORY, models from the user's own Python files
        lhs, rhs = _torch_layer(args.lhs, args.weights), _torch_layer(args.rhs, args.weights)
    else:
        lhs, rhs = _statement(args.lhs, "LHS", stdin_used), _statement(args.rhs, "RHS", stdin_used)
    proof = prove(lhs, rhs, solve=args.solve, seed=args.seed, assume=args.assume, atol=args.atol, rtol=args.rtol)
    _emit(args, proof)
    _write_reports(args, paths, proof)
    if args.certificate:
        if proof.certificate is None:
            raise SymconvError(f"no certificate to write to {args.certificate!r}: the verdict is {proof.verdict}, "
                               f"and only proved statements have certificates")
        _write(Path(args.certificate), proof.certificate.dumps() + "\n")
        _say(args, f"wrote {args.certificate} (certificate)")
    return proof.exit_code


def _cmd_recheck(args) -> int:
    """Replay a certificate in the kernel (core semantics only): exit 0 valid, 1 rejected, 2 unreadable."""
    from symconv.checker import Certificate, replay
    from symconv.errors import CertificateError

    try:
        text = Path(args.file).read_text(encoding="utf-8")
    except OSError as err:
        raise SymconvError(f"cannot read certificate {args.file!r}: {err.strerror}") from err
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as err:
        raise SymconvError(f"certificate {args.file!r} is not JSON: {err.msg} at line {err.lineno}") from err
    try:
        certificate = Certificate.from_json(obj)
        theorem = replay(certificate)
    except CertificateError as err:
        _print(f"rejected: {err}")
        return 1
    solved = f" (with {', '.join(certificate.solved)} solved)" if certificate.solved else ""
    rests = f"; rests on {', '.join(theorem.rests_on)} (not replayed)" if theorem.rests_on else ""
    _print(f"valid: {theorem.statement}{solved} for {theorem.scope}{rests} ({len(certificate.steps)} step(s) "
           f"replayed by the kernel)")
    return 0


def _cmd_derive(args) -> int:
    from symconv.prover.derive import derive

    paths = _report_paths(args)
    if args.torch:  # CHAIN is FILE:FACTORY, a model from the user's own Python file
        derivation = derive(_torch_layer(args.chain, args.weights))
    else:
        derivation = derive(_statement(args.chain, "CHAIN", []))
    _emit(args, derivation)
    _write_reports(args, paths, derivation)
    return 0


def _cmd_factor(args) -> int:
    from symconv.errors import TooFewChannels
    from symconv.factoring import factor, parse_sizes
    from symconv.factoring.request import factor_request

    paths = _report_paths(args)
    if args.separable:
        return _cmd_factor_separable(args, paths)
    if args.sizes is None:
        raise SymconvError(f"--sizes N,M is missing for the kernel {quote(args.kernel)}; expected e.g. --sizes 2,4 for "
                           f"a 1-D kernel, or --separable for a 2-D kernel such as [[1, 2, 1], [2, 4, 2], [1, 2, 1]]")
    sizes = parse_sizes(args.sizes)
    try:
        if args.assume:
            from symconv.factoring import batchnorm_relu_factorization
            from symconv.dsl_assumptions import parse_assumptions

            bound = parse_assumptions(args.assume)[0]
            result = batchnorm_relu_factorization(args.kernel, sizes, bound, channels=args.channels)
        else:
            result = factor(args.kernel, sizes, channels=args.channels)
    except TooFewChannels as err:  # a refutation: exit 1, with the reason
        if args.json:
            taps = [str(t) for t in factor_request(args.kernel, sizes).taps]
            _print(json.dumps({"kernel": taps, "sizes": list(err.sizes), "channels": err.channels,
                               "first": None, "second": None, "minimal_channels": err.minimum,
                               "verdict": "refuted", "reason": err.reason}, indent=2))
        else:
            _print(f"refuted: {' '.join(str(err).split())}")
        return 1
    _emit(args, result)
    _write_reports(args, paths, result)
    return result.proof.exit_code


def _cmd_factor_separable(args, paths) -> int:
    """``factor KERNEL --separable``: a 2-D kernel as a (K1, 1) layer then a (1, K2) layer, as many channels as
    its rank (:mod:`symconv.factoring.separable`); ``--channels`` below the rank is refuted (exit 1)."""
    from symconv.errors import TooFewChannels
    from symconv.factoring.separable import factor_separable

    for flag, value in (("--sizes", args.sizes), ("--assume", args.assume)):
        if value:
            raise InvalidArgument("factor", flag, value, "no value with --separable (the split is per axis: its "
                                                         "sizes are the kernel's, and no ReLU goes between)")
    try:
        result = factor_separable(args.kernel, channels=args.channels)
    except TooFewChannels as err:  # a refutation: exit 1, with the reason
        if args.json:
            _print(json.dumps({"kernel": err.kernel, "rank": err.minimum, "channels": err.channels, "factors": None,
                               "chain": None, "minimal_channels": err.minimum, "verdict": "refuted",
                               "reason": err.reason}, indent=2))
        else:
            _print(f"refuted: {' '.join(str(err).split())}")
        return 1
    _emit(args, result)
    _write_reports(args, paths, result)
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
    from symconv.library.results import format_table
    from symconv.library.run import check

    progress = _check_progress if sys.stderr.isatty() else None
    report = check(args.paths or None, progress=progress)
    if args.json:
        _print(json.dumps(report.to_json(), indent=2))
    else:
        _print(format_table(report))
    return 0 if report.passed else 1


def _cmd_homework(args) -> int:
    """``<topic>-problems.tex`` and ``<topic>-solutions.tex`` in DIR (and PDFs); ``--list``: the topics."""
    from symconv.report.homework import topic_listing, write_homework

    if args.list:
        _print(topic_listing())
        return 0
    if args.topic is None:
        raise SymconvError("a TOPIC is needed, e.g. `symconv homework stride-composition`; "
                           "`symconv homework --list` prints the topics")
    for path in write_homework(args.topic, Path(args.out), seed=args.seed, count=args.count, pdf=args.pdf):
        _print(str(path))
    return 0


def _cmd_report(args) -> int:
    """``DIR/index.tex`` and one ``DIR/<file>/<theorem>.tex`` per theorem; exit 1 on any unexpected verdict."""
    from symconv.report.library import write_library
    from symconv.library.results import format_failure

    progress = _check_progress if sys.stderr.isatty() else None
    written = write_library(args.paths or None, Path(args.out), pdf=args.pdf, progress=progress)
    counts: dict[str, int] = {}
    for entry in written.entries:
        counts[entry.result.verdict] = counts.get(entry.result.verdict, 0) + 1
    summary = ", ".join(f"{count} {verdict}" for verdict, count in sorted(counts.items()))
    _print(f"{written.index}: index of {len(written.reports)} report(s) ({summary}); "
           f"{len(written.failures)} not as expected" + (f"; {len(written.pdfs)} PDF(s) built" if args.pdf else ""))
    for failure in written.failures:
        _print()
        _print(format_failure(failure))
    return 0 if written.passed else 1


#: Each command's function, called with the parsed arguments; it returns the exit code.
COMMANDS = {"prove": _cmd_prove, "recheck": _cmd_recheck, "derive": _cmd_derive, "factor": _cmd_factor,
            "check": _cmd_check, "report": _cmd_report, "homework": _cmd_homework}


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser(COMMANDS)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.run(args)
    except BrokenPipeError:  # stderr closed too: nothing more can be said; not a pass
        sys.stderr.close()
        return 1
    except SymconvError as err:
        message = " ".join(str(err).split())
        for said in (f"{args.command}: ", "symconv: "):  # the API's own prefix, said once already
            message = message[len(said):] if message.startswith(said) else message
        print(f"symconv {args.command}: {message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as err:  # a bug, never a verdict: exit 1 would read as "refuted"
        print(f"symconv {args.command}: internal error ({type(err).__name__}: {' '.join(str(err).split())}); "
              f"please report it with the command line", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
