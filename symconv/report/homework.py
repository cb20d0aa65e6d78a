r"""``symconv homework``: seeded problem sheets with worked solutions (DESIGN §5, issue 5).

``homework(topic, seed, count)`` draws ``count`` variants of a topic with
``random.Random(seed)`` (the only source of randomness, so the same seed gives
byte-identical sheets), works every answer out with symconv's own machinery
(``prove``, ``derive``, ``factor``, ``output_length``: no number in a solution
is typed by hand) and renders two LaTeX documents, the problems and the worked
solutions. ``write_homework`` writes them to ``DIR/<topic>-problems.tex`` and
``DIR/<topic>-solutions.tex`` and, with ``pdf=True``, compiles both.

The topic ``stride-composition`` is note 001's homework, generalised: two
strided layers with one filter ``k`` (strides ``s, t``, length ``c``) equal
one layer of stride ``S = s t`` with the filter ``K = k * dilate(k, s)``,

    K[j] = sum_{b = max(0, ceil((j - c + 1)/s))}^{min(c - 1, floor(j/s))} k[b] k[j - s b],

when the input is padded once, before both layers; the output length is then
exactly ``n / S`` for every ``n`` divisible by ``S`` iff the total padding
``P`` satisfies ``E - S <= P <= E - 1`` with ``E = (s + 1)(c - 1) + 1``.

>>> sheets = homework("stride-composition", seed=3, count=1)
>>> r"\section*{Problem 1}" in sheets.problems and "proved" in sheets.solutions
True
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional, Union

from symconv.lazy_import import sympy

from symconv.core.output_length import length_symbol, output_length
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument, SymconvError
from symconv.prover.derive import derive
from symconv.prover.proof import prove
from symconv.report import homework_topics as topics
from symconv.report.homework_topics import NAMES, given_kernel, kernel_text, proof_summary, small_taps, tap_names
from symconv.report.latex import boundary_text, environment
from symconv.report.notation import Tex, escape_tt, expr_latex, layer_math, name_math, sequence_latex
from symconv.report.pdf import build_pdf

__all__ = ["Topic", "HomeworkSheets", "TOPICS", "MAX_COUNT", "homework", "write_homework", "render_sheets",
           "topic_listing", "find_topic"]

#: The most variants one sheet may hold.
MAX_COUNT = 50


# ---------------------------------------------------------------- stride composition (note 001)

@dataclass(frozen=True)
class StrideVariant:
    name: str
    size: int
    first: int  # stride s of the first layer
    second: int  # stride t of the second layer
    taps: Optional[tuple[int, ...]]  # None: the symbolic kernel name[size]


def draw_stride_composition(rng: random.Random) -> StrideVariant:
    first, second, size = rng.choice((2, 3)), rng.choice((2, 3)), rng.randint(2, 5)
    taps = small_taps(rng, size) if rng.random() < 0.5 else None
    return StrideVariant(rng.choice(NAMES), size, first, second, taps)


def _tap_rows(v: StrideVariant, derived: list, names) -> list[dict]:
    """Each tap of K: the range of b, the products ``k[b] k[j - s b]``, symconv's closed form."""
    k = [sympy.Symbol(f"{v.name}_{i}") for i in range(v.size)]
    values = dict(zip(k, v.taps)) if v.taps is not None else {}
    rows = []
    for j, tap in enumerate(derived):
        lo, hi = max(0, -((v.size - 1 - j) // v.first)), min(v.size - 1, j // v.first)
        pairs = [(k[b], k[j - v.first * b]) for b in range(lo, hi + 1)]
        assert sympy.expand(sympy.Add(*(a * b for a, b in pairs)).subs(values) - tap) == 0, f"K[{j}] differs"
        products = " + ".join(rf"{expr_latex(a, names)}\,{expr_latex(b, names)}" for a, b in pairs) or "0"
        numbers = None
        if values and pairs:
            numbers = Tex(" + ".join(rf"({values[a]})({values[b]})" for a, b in pairs))
        value = expr_latex(tap, names)
        # One equation per tap: each side once (an empty range says its value directly, no "= 0 = 0").
        sides = [Tex(rf"\sum_{{b={lo}}}^{{{hi}}} {name_math(v.name)}_{{b}}\, {name_math(v.name)}_{{{j} - {v.first}b}}")]
        sides += [Tex(products)] + ([numbers] if numbers is not None else []) + [value]
        chain_of = [side for i, side in enumerate(sides) if i == 0 or side != sides[i - 1]]
        rows.append({"j": j, "empty": lo > hi, "equation": Tex(" = ".join(chain_of)), "value": value})
    return rows


def solve_stride_composition(v: StrideVariant) -> dict:
    """The padding for ``n / S`` outputs, every tap of K, the proofs, and the refutation of inner padding."""
    names = tap_names(v.name)
    first, again = kernel_text(v.name, v.size, v.taps)
    s, t = v.first, v.second

    def chain(padding: object) -> str:
        return f"conv({first}, stride={s}, padding={padding}) >> conv({again}, stride={t})"

    bare = derive(chain(0))
    stride, extent = bare.stride, bare.receptive_field
    assert (stride, extent) == (s * t, (s + 1) * (v.size - 1) + 1), "derive disagrees with S = s t, E = (s+1)(c-1)+1"
    low, high = max(0, extent - stride), extent - 1
    # The length at n = S m, minus m, for each total padding P around [low, high] (it is monotone in P).
    m = sympy.Symbol("m", integer=True, positive=True)
    excess = {}
    for total in range(max(0, low - 2), extent + 1):
        padded = parse_chain(chain(f"(0, {total})"))
        excess[total] = sympy.simplify(sympy.sympify(output_length(padded, stride * m)) - m)  # safe: a length
        assert all(output_length(padded, stride * i) - i == excess[total].subs(m, i) for i in range(1, 2 * stride))
    valid = [total for total, e in excess.items() if e == 0]
    assert valid == list(range(low, high + 1)), f"paddings {valid} give n/S outputs, expected {low}..{high}"
    symmetric = [p for p in range(extent) if 2 * p in valid]
    p = symmetric[0]
    lhs, single = chain(p), f"conv(convolve({first}, dilate({again}, {s})), stride={stride}, padding={p})"
    identity = prove(lhs, single)
    generic = prove(f"conv(k[c], stride={s}, padding={p}) >> conv(k, stride={t})",
                    f"conv(convolve(k, dilate(k, {s})), stride={stride}, padding={p})")
    subsample = prove(f"conv({first}, stride={s})", f"conv({again}) >> down({s})")
    n = length_symbol()
    d = derive(lhs)  # the single equivalent layer: K, its stride and padding, exact for every n or not
    assert d.kernel is not None and len(d.kernel) == extent, f"derive found no single layer for {lhs}"
    between = _between(v, first, again)
    return {
        "s": s, "t": t, "S": stride, "c": v.size, "E": extent, "name": name_math(v.name),
        "kernel": given_kernel(v.name, v.taps, v.size), "numeric": v.taps is not None,
        "lhs": layer_math(parse_chain(lhs)), "single": layer_math(parse_chain(single)),
        "excess": [(total, expr_latex(e, names)) for total, e in excess.items()],
        "low": low, "high": high, "symmetric": symmetric, "p": p,
        "m1": expr_latex(output_length(parse_chain(f"conv({first}, stride={s}, padding={p})"), n), names),
        "m2": expr_latex(output_length(parse_chain(lhs), n), names),
        "closed": expr_latex(d.length_expr, names) if d.length_expr is not None else None,
        "closed_from": d.length_from,
        "single_length": expr_latex(output_length(parse_chain(single), n), names),
        "taps": _tap_rows(v, list(d.kernel), names), "derived": sequence_latex(list(d.kernel), None, names),
        "derived_padding": d.padding, "derived_exact": d.exact,
        "proof": proof_summary(identity, names), "generic": proof_summary(generic, tap_names("k")),
        "subsample": proof_summary(subsample, names), "between": between,
    }


def _between(v: StrideVariant, first: str, again: str) -> dict:
    """Padding inside the chain: ``padding=1`` in each layer against one layer with the effective padding."""
    s, t = v.first, v.second

    def attempt(k1: str, k2: str):
        lhs = f"conv({k1}, stride={s}, padding=1) >> conv({k2}, stride={t}, padding=1)"
        return lhs, prove(lhs, f"conv(convolve({k2}, dilate({k2}, {s})), stride={s * t}, padding={1 + s})")

    lhs, proof = attempt(first, again)
    holds = None
    if proof.verdict != "refuted":  # short kernels: the inner zeros replace values that are zero anyway
        holds = proof_summary(proof, tap_names(v.name))
        wider = max(3, v.size)
        lhs, proof = attempt(f"{v.name}[{wider}]", v.name)
    assert proof.verdict == "refuted", f"padding between the layers was not refuted: {proof.note}"
    d = derive(lhs)
    return {"holds": holds, "proof": proof_summary(proof, tap_names(v.name)), "lhs": layer_math(parse_chain(lhs)),
            "exact": d.exact, "boundary": d.boundary, "boundary_text": boundary_text(d.boundary), "padding": 1 + s}


# ---------------------------------------------------------------- topics

@dataclass(frozen=True)
class Topic:
    """A homework topic: ``draw(rng)`` one variant, ``solve(variant)`` its template context."""

    name: str
    summary: str
    title: str
    draw: Callable[[random.Random], object]
    solve: Callable[[object], dict]

    @property
    def template(self) -> str:
        return f"homework_{self.name.replace('-', '_')}.tex.j2"


TOPICS: dict[str, Topic] = {t.name: t for t in (
    Topic("stride-composition", "two strided layers with one filter as one layer (note 001): closed-form taps, "
          "padding for n/S outputs, proof, refutation of inner padding",
          "Two strided convolutions as one", draw_stride_composition, solve_stride_composition),
    Topic("factorization", "a kernel of size L as two layers of sizes N and M (note 000): closed-form weights, "
          "fewest channels", "A kernel as a two-layer CNN", topics.draw_factorization, topics.solve_factorization),
    Topic("output-size", "output length and receptive field of a chain of convolution and pooling layers",
          "Output size and receptive field", topics.draw_output_size, topics.solve_output_size),
    Topic("transposed", "transposed convolution: output length, and up-sampling plus a flipped convolution",
          "Transposed convolution", topics.draw_transposed, topics.solve_transposed),
    Topic("dilation", "dilated convolution as convolution with a dilated kernel; stacked dilated layers",
          "Dilated convolution", topics.draw_dilation, topics.solve_dilation),
)}


def topic_listing() -> str:
    """One line per topic: its name and what it asks.

    >>> print(topic_listing().splitlines()[0][:40])
    stride-composition  two strided layers w
    """
    width = max(map(len, TOPICS))
    return "\n".join(f"{name.ljust(width)}  {topic.summary}" for name, topic in TOPICS.items())


def find_topic(name: str) -> Topic:
    """The topic called ``name``; an unknown name raises :class:`InvalidArgument` naming the nearest topic.

    >>> find_topic("dilation").title
    'Dilated convolution'
    """
    if name in TOPICS:
        return TOPICS[name]
    nearest = difflib.get_close_matches(str(name), list(TOPICS), n=1, cutoff=0.0)[0]
    raise InvalidArgument("homework", "topic", name, f"one of {', '.join(TOPICS)} (did you mean {nearest!r}? "
                                                     f"`symconv homework --list` describes them)")


def _check_count(count: object) -> int:
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise InvalidArgument("homework", "count", count, f"an integer from 1 to {MAX_COUNT}")
    return count


def _variants(topic: Topic, rng: random.Random, count: int) -> list:
    """``count`` variants, distinct while the topic has enough of them (a bounded number of redraws)."""
    drawn: list = []
    for _ in range(count):
        variant = topic.draw(rng)
        for _ in range(20):
            if variant not in drawn:
                break
            variant = topic.draw(rng)
        drawn.append(variant)
    return drawn


@dataclass(frozen=True)
class HomeworkSheets:
    """Both sheets of one ``symconv homework`` run, as LaTeX documents."""

    topic: str
    seed: int
    count: int
    variants: tuple
    problems: str
    solutions: str

    def files(self) -> dict[str, str]:
        """``{file name: document}``: ``<topic>-problems.tex`` and ``<topic>-solutions.tex``."""
        return {f"{self.topic}-problems.tex": self.problems, f"{self.topic}-solutions.tex": self.solutions}


def render_sheets(topic: str, variants, command: str = "") -> tuple[str, str]:
    """The problem and the solution sheet of the given ``variants`` of ``topic`` (each solved here)."""
    chosen = find_topic(topic)
    contexts = [chosen.solve(v) for v in variants]
    command = command or f"symconv homework {chosen.name}"
    return tuple(environment().get_template("homework_sheet.tex.j2").render(
        title=f"{chosen.title}: {'worked solutions' if solutions else 'problems'}", topic_template=chosen.template,
        command=escape_tt(command), variants=contexts, solutions=solutions) for solutions in (False, True))


def homework(topic: str, seed: int = 0, count: int = 5) -> HomeworkSheets:
    """Draw ``count`` variants of ``topic`` with ``random.Random(seed)``; render problems and solutions."""
    chosen, count = find_topic(topic), _check_count(count)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InvalidArgument("homework", "seed", seed, "an integer")
    variants = _variants(chosen, random.Random(seed), count)
    problems, solutions = render_sheets(chosen.name, variants,
                                        f"symconv homework {chosen.name} --seed {seed} --count {count}")
    return HomeworkSheets(chosen.name, seed, count, tuple(variants), problems, solutions)


def _prepare(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        probe = directory / ".symconv-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as err:
        raise SymconvError(f"cannot write the homework to {str(directory)!r}: {err.strerror or err}; "
                           f"expected a directory that can be created and written") from err


def write_homework(topic: str, directory: Union[str, Path], seed: int = 0, count: int = 5,
                   pdf: bool = False) -> list[Path]:
    """Write both sheets to ``directory`` (and their PDFs with ``pdf``); return the paths written.

    The arguments are checked before any work; without a TeX engine the .tex files are
    written and :class:`~symconv.errors.ToolMissing` is raised.
    """
    find_topic(topic), _check_count(count)
    directory = Path(directory)
    _prepare(directory)
    sheets = homework(topic, seed, count)
    written = []
    for name, document in sheets.files().items():
        path = directory / name
        try:
            path.write_text(document, encoding="utf-8")
        except OSError as err:
            raise SymconvError(f"cannot write the homework sheet {str(path)!r}: {err.strerror or err}") from err
        written.append(path)
    if pdf:
        written += [build_pdf(path, path.with_suffix(".pdf")) for path in list(written)]
    return written
