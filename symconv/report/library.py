r"""``symconv report``: one LaTeX report per theorem of the library, and an index (DESIGN §7, issue 5).

:func:`write_library` loads theorem files (default: the library of
:func:`~symconv.library.load.default_paths`), runs every theorem with
:func:`~symconv.library.run.run_theorem` -- so each report shows the verdict
``symconv check`` gives -- and writes

* ``DIR/index.tex``: every theorem with its status, claims, source and a link
  to its report, and the dependency graph of theorems on lemmas
  (:mod:`symconv.report.library_graph`);
* ``DIR/<file>/<theorem>.tex``: one report per theorem, where ``<file>`` is the
  theorem file's path below the directory given (``seed_001_stride_composition``).

``run_theorem`` keeps only the verdict of an identity, so the instances of an
identity theorem are proved once more here (:func:`identity_instances`) and
their proofs are rendered by :func:`~symconv.report.latex.proof_latex`.

Everything written is deterministic: no dates, no timings, files and theorems
in a fixed order, and every floating-point number rounded
(:mod:`symconv.report.evidence`), so that regenerating on another machine gives
the same bytes.
"""

from __future__ import annotations

import math
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from symconv.errors import SymconvError, ToolMissing
from symconv.prover.proof import Proof
from symconv.report import library_graph
from symconv.report.evidence import evidence_tables, has_floats, plain_number, round_numbers, value_text
from symconv.report.latex import environment, proof_latex
from symconv.report.math_text import prose_math
from symconv.report.notation import Tex, escape_tt
from symconv.report.pdf import TEX_PACKAGES, build_pdf, tex_engine
from symconv.library.load import default_paths, discover, load_file
from symconv.library.results import TheoremResult
from symconv.library.run import run_theorem
from symconv.library.specs import CustomSpec, IdentitySpec, ShapesSpec, Theorem

__all__ = ["LibraryEntry", "Instance", "LibraryReport", "collect", "identity_instances", "theorem_latex",
           "write_library", "plain_number", "round_numbers", "MARKER"]

#: The first line of every generated document (what marks a stale report as safe to delete).
MARKER = "% symconv report"

Progress = Callable[[int, int, Theorem, Optional[TheoremResult]], None]


# ---------------------------------------------------------------- the library

@dataclass(frozen=True)
class Instance:
    """One instance of an identity theorem (``sizes`` of its generic lengths) and its proof."""

    sizes: tuple[tuple[str, int], ...]
    proof: Proof

    @property
    def label(self) -> str:
        return ", ".join(f"{k} = {v}" for k, v in self.sizes)


@dataclass(frozen=True)
class LibraryEntry:
    """A theorem, its result, where its file sits (``file`` as shown, ``group`` its report folder)."""

    theorem: Theorem
    result: TheoremResult
    file: str
    group: str
    instances: tuple[Instance, ...] = ()

    @property
    def slug(self) -> str:
        """The report's path below the output directory, without suffix."""
        return f"{self.group}/{self.theorem.name}"


def _folder(part: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", part) or "_"


def _sources(paths: Sequence[Union[str, Path]]) -> list[tuple[Path, str, str]]:
    """``(file, shown as, report folder)`` for every theorem file: names relative to the PATH given."""
    out: list[tuple[Path, str, str]] = []
    seen: set[Path] = set()
    groups: set[str] = set()
    for raw in paths:
        root = Path(raw)
        for f in discover([root]):
            if f in seen:
                continue
            seen.add(f)
            if root.is_dir():
                inner = f.relative_to(root.resolve())
                shown, parts = f"{root.resolve().name}/{inner.as_posix()}", inner.with_suffix("").parts
            else:
                shown, parts = f.name, (f.stem,)
            group = base = "/".join(_folder(p) for p in parts)
            suffix = 2
            while group in groups:  # the same file name under two PATHs
                group, suffix = f"{base}_{suffix}", suffix + 1
            groups.add(group)
            out.append((f, shown, group))
    return out


def identity_instances(t: Theorem) -> tuple[Instance, ...]:
    """The proof of each instance of an identity theorem, decided in the order ``run_theorem`` decides them.

    Like :func:`~symconv.library.run.run_theorem`, it stops at the first
    refuted or unknown instance. Custom checks and statements that cannot be
    expressed yet have no instances.
    """
    from symconv.dsl import parse_statement
    from symconv.prover import prove
    from symconv.library.instances import generic_sizes, instantiate, size_grid

    spec = t.spec
    if not isinstance(spec, IdentitySpec):
        return ()
    try:
        lhs, rhs = parse_statement(spec.lhs, spec.rhs)
    except SymconvError:  # not expressible yet: run_theorem says unknown, with the reason
        return ()
    if generic_sizes(lhs, rhs) - {name for name, _ in spec.sizes}:
        return ()
    out = []
    for sizes in size_grid(spec.sizes) if spec.sizes else [{}]:
        proof = prove(instantiate(lhs, sizes), instantiate(rhs, sizes), seed=spec.seed)
        out.append(Instance(tuple(sizes.items()), proof))
        if proof.verdict in ("refuted", "unknown"):
            break
    return tuple(out)


def collect(paths: Union[None, str, Path, Sequence[Union[str, Path]]] = None,
            progress: Optional[Progress] = None) -> list[LibraryEntry]:
    """Load and run every theorem of ``paths`` (files or directories; default: the library)."""
    if paths is None or (not isinstance(paths, (str, Path)) and not paths):
        paths = default_paths()
    elif isinstance(paths, (str, Path)):
        paths = [paths]
    loaded = [(t, shown, group) for f, shown, group in _sources(paths) for t in load_file(f)]
    entries = []
    for i, (t, shown, group) in enumerate(loaded):
        if progress:
            progress(i, len(loaded), t, None)
        result = run_theorem(t)
        instances = identity_instances(t) if result.verdict != "error" else ()
        entries.append(LibraryEntry(t, result, shown, group, instances))
        if progress:
            progress(i, len(loaded), t, result)
    return entries


# ---------------------------------------------------------------- one theorem

def _proof_body(proof: Proof) -> Tex:
    """The body of ``proof_latex(proof)`` (what follows ``\\raggedright``), without its numeric table.

    The numeric check is shown, rounded, in the report's own table instead:
    its raw floats depend on the machine.
    """
    return _document_body(proof_latex(replace(proof, numeric=None)))


def _numeric(proof: Proof) -> Optional[dict]:
    report = proof.numeric
    if report is None:
        return None
    tolerance = f"{report.tolerance:.2g}" if report.tolerance and math.isfinite(report.tolerance) else \
        plain_number(report.tolerance)
    return {"trials": report.trials, "difference": plain_number(report.max_abs_error), "tolerance": tolerance,
            "agrees": report.agrees}


def _document_body(document: str) -> Tex:
    """What a report of base.tex.j2 holds between ``\\raggedright`` and ``\\end{document}``."""
    _, begin, rest = document.partition("\\begin{document}")
    _, start, rest = rest.partition("\\raggedright\n")
    body, end, _ = rest.rpartition("\\end{document}")
    assert begin and start and end, "the report no longer has the layout of base.tex.j2"
    return Tex(body.strip("\n") + "\n")


def derived_chain(statement: str) -> Optional[str]:
    """The chain of a statement about ``derive(CHAIN)`` (its balanced argument), else None.

    >>> derived_chain("derive(conv(k[c], stride=2) >> conv(k, stride=2)) = conv(k4, stride=4)")
    'conv(k[c], stride=2) >> conv(k, stride=2)'
    """
    start = statement.find("derive(")
    if start < 0:
        return None
    depth, begin = 0, start + len("derive(")
    for i in range(begin, len(statement)):
        if statement[i] == "(":
            depth += 1
        elif statement[i] == ")":
            if depth == 0:
                return statement[begin:i]
            depth -= 1
    return None


def _derivation(entry: LibraryEntry) -> Optional[Tex]:
    """The derivation report's body for a custom theorem about ``derive(CHAIN)``, else None."""
    from symconv.dsl import parse_chain
    from symconv.prover.derive import derive
    from symconv.report.latex import derivation_latex

    if not isinstance(entry.theorem.spec, CustomSpec):
        return None
    text = derived_chain(entry.theorem.statement)
    if text is None:
        return None
    try:
        derivation = derive(parse_chain(text))
    except SymconvError:  # not a chain the DSL reads: the statement stays as written
        return None
    return _document_body(derivation_latex(derivation))


def _instances(entry: LibraryEntry) -> list[dict]:
    single = len(entry.instances) == 1 and not entry.instances[0].sizes
    return [{"label": "" if single else i.label, "verdict": i.proof.verdict, "numeric": _numeric(i.proof),
             "body": _proof_body(i.proof)} for i in entry.instances]


_LENGTH_KEYS = ("period", "start", "checked_below", "lengths_checked")


def _length_argument(entry: LibraryEntry) -> Optional[dict]:
    """The exact length argument of a shapes theorem (one instance), else None."""
    data = entry.result.data
    if not isinstance(entry.theorem.spec, ShapesSpec) or not all(k in data for k in _LENGTH_KEYS):
        return None
    return {k: data[k] for k in _LENGTH_KEYS}


def _up(group: str) -> str:
    return "../" * (group.count("/") + 1)


def theorem_latex(entry: LibraryEntry, index_pdf: bool = False) -> str:
    """The LaTeX report of one theorem of the library (a complete document).

    ``index_pdf``: the index is compiled beside the reports, so the report links to ``index.pdf``
    (otherwise it names ``index.tex``, the file that exists).
    """
    t, r = entry.theorem, entry.result
    argument = _length_argument(entry)
    skip = ("instances", "numeric") if entry.instances else (_LENGTH_KEYS if argument else ())
    lemmas = library_graph.lemmas(entry)
    # A theorem about derive(CHAIN): its evidence is the derivation itself, rendered from the objects
    # (the check's data holds the same kernel as Python text).
    derivation = _derivation(entry)
    return environment().get_template("library_theorem.tex.j2").render(
        title=Tex(rf"Theorem \texttt{{{library_graph.name_tt(t.name)}}}"),
        name=library_graph.name_tt(t.name), file=escape_tt(entry.file), kind=t.kind,
        claims=", ".join(t.claims) or "none", source=t.source or "not given",
        statement=escape_tt(t.statement), env="theorem" if r.verdict == "proved" else "claim",
        expected=r.expected, verdict=r.verdict, passed=r.passed,
        detail=prose_math(round_numbers(r.detail)), note=prose_math(t.note),
        index=Tex(_up(entry.group) + "index.pdf"), index_pdf=index_pdf,
        lemmas=[(escape_tt(name), library_graph.LEMMAS.get(name, "")) for name in lemmas],
        argument=argument, evidence=[] if derivation is not None else evidence_tables(r.data, skip),
        rounded=derivation is None and has_floats({k: v for k, v in r.data.items() if k not in skip}),
        derivation=derivation,
        counterexample=[(library_graph.name_tt(str(k)), value_text(v)) for k, v in (r.counterexample or {}).items()],
        instances=_instances(entry),
    )


# ---------------------------------------------------------------- the set

@dataclass(frozen=True)
class LibraryReport:
    """What :func:`write_library` wrote: the entries, the index, every report, the PDFs."""

    entries: tuple[LibraryEntry, ...]
    index: Path
    reports: tuple[Path, ...]
    pdfs: tuple[Path, ...] = ()

    @property
    def passed(self) -> bool:
        return all(e.result.passed for e in self.entries)

    @property
    def failures(self) -> tuple[TheoremResult, ...]:
        return tuple(e.result for e in self.entries if not e.result.passed)


def _write(path: Path, text: str) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:  # unchanged files keep their mtime
            path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise SymconvError(f"cannot write the report {str(path)!r}: {err.strerror or err}") from err
    return path


def _remove_stale(folders: set[Path], written: set[Path]) -> None:
    """Delete generated reports (and their PDFs) of theorems no longer in their file."""
    for folder in sorted(folders):
        for tex in sorted(folder.glob("*.tex")):
            if tex in written:
                continue
            with tex.open(encoding="utf-8", errors="replace") as handle:
                generated = handle.readline().startswith(MARKER)
            if generated:
                for path in (tex, tex.with_suffix(".pdf"), tex.with_suffix(".log")):
                    path.unlink(missing_ok=True)


def _build_all(sources: list[Path]) -> tuple[Path, ...]:
    """Compile every source beside itself, several at a time (each engine run has its own scratch folder)."""
    if tex_engine() is None:
        raise ToolMissing(("latexmk", "pdflatex"), TEX_PACKAGES, f"building the PDFs of {sources[0].parent}")
    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return tuple(pool.map(lambda tex: build_pdf(tex, tex.with_suffix(".pdf")), sources))


def write_library(paths: Union[None, str, Path, Sequence[Union[str, Path]]], out: Union[str, Path],
                  pdf: bool = False, progress: Optional[Progress] = None) -> LibraryReport:
    """Run the theorems of ``paths`` and write the index and one report per theorem to ``out``.

    With ``pdf`` every document is compiled beside its source (raises
    :class:`~symconv.errors.ToolMissing` after writing the sources when no
    TeX engine is installed).
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise SymconvError(f"-o {str(out)!r} is a file; expected a directory for the reports")
    entries = collect(paths, progress)
    reports = [_write(out / f"{e.slug}.tex", theorem_latex(e, index_pdf=pdf)) for e in entries]
    index = _write(out / "index.tex", library_graph.index_latex(entries, pdf=pdf))
    _remove_stale({p.parent for p in reports}, set(reports))
    pdfs = _build_all([index, *reports]) if pdf else ()
    return LibraryReport(tuple(entries), index, tuple(reports), pdfs)
