"""``symconv homework``: seeded sheets whose answers come from symconv, that compile, and a CLI that teaches."""

import os
import random
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from symconv.cli import main
from symconv.errors import InvalidArgument, ToolMissing
from symconv.report import pdf as pdf_module
from symconv.report.homework import TOPICS, StrideVariant, find_topic, homework, render_sheets, write_homework
from symconv.report.homework_topics import ChainVariant, DilationVariant, FactorVariant, TransposedVariant

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")

SEED = 7
#: A closed form each topic's solution PDF must show (read back with pdftotext).
CLOSED_FORM = {"stride-composition": "K[0] =", "factorization": "Q(z) =", "output-size": "m(n) =",
               "transposed": "m(n) =", "dilation": "K[0] ="}


@pytest.fixture(scope="module")
def sheets():
    """Two variants of every topic, drawn once for the whole module (the expensive part)."""
    return {name: homework(name, seed=SEED, count=2) for name in TOPICS}


@pytest.fixture(scope="module")
def note_001():
    """Note 001's own problem (c = 3, s = t = 2) with a symbolic filter and with k = (1, 2, -1)."""
    variants = [StrideVariant("k", 3, 2, 2, None), StrideVariant("k", 3, 2, 2, (1, 2, -1))]
    return render_sheets("stride-composition", variants)


def _stride_length(n: int, total: int, c: int = 3, s: int = 2, t: int = 2) -> int:
    """PyTorch's output length of conv(stride=s, padding total) >> conv(stride=t), written out independently."""
    first = max(0, (n + total - c) // s + 1) if n + total >= c else 0
    return max(0, (first - c) // t + 1) if first >= c else 0


# ---------------------------------------------------------------- seeds

@pytest.mark.parametrize("topic", list(TOPICS))
def test_the_same_seed_gives_byte_identical_sheets(sheets, topic):
    again = homework(topic, seed=SEED, count=2)
    assert (again.problems, again.solutions) == (sheets[topic].problems, sheets[topic].solutions)


def test_the_same_seed_gives_byte_identical_files_across_processes(tmp_path):
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run([sys.executable, "-m", "symconv.cli", "homework", "dilation", "--seed", "3",
                               "--count", "2", "-o", str(out)], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        outputs.append([(out / name).read_bytes() for name in ("dilation-problems.tex", "dilation-solutions.tex")])
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("topic", list(TOPICS))
def test_different_seeds_draw_different_variants(sheets, topic):
    other = [TOPICS[topic].draw(random.Random(SEED + 1)) for _ in range(1)]
    assert sheets[topic].variants[0] != other[0] or sheets[topic].variants[1] != other[0]
    assert [TOPICS[topic].draw(random.Random(seed)) for seed in range(6)] != \
           [TOPICS[topic].draw(random.Random(seed + 6)) for seed in range(6)]


def test_different_seeds_give_different_sheets():
    assert homework("dilation", seed=1, count=2).solutions != homework("dilation", seed=2, count=2).solutions


def test_the_variants_of_one_sheet_are_distinct(sheets):
    for topic, sheet in sheets.items():
        assert len(set(sheet.variants)) == len(sheet.variants), topic


# ---------------------------------------------------------------- what the sheets say

@pytest.mark.parametrize("topic", list(TOPICS))
def test_each_topic_renders_a_problem_sheet_and_a_solution_sheet(sheets, topic):
    sheet = sheets[topic]
    for document in (sheet.problems, sheet.solutions):
        assert document.startswith("% symconv report") and document.rstrip().endswith(r"\end{document}")
        assert r"\section*{Problem 1}" in document and r"\section*{Problem 2}" in document
    assert r"\subsection*{Solution}" not in sheet.problems
    assert sheet.solutions.count(r"\subsection*{Solution}") == 2
    assert f"--seed {SEED}" in sheet.problems


def test_note_001_solution_gives_every_tap_of_k4_in_closed_form(note_001):
    _, solutions = note_001
    assert r"K[3] = \sum_{b=1}^{1} k_{b}\, k_{3 - 2b} = k_{1}\,k_{1} = k_{1}^{2}$" in solutions
    assert r"= k_{0}\,k_{2} + k_{1}\,k_{0} = k_{0} k_{1} + k_{0} k_{2}$" in solutions
    assert r"K = k * \operatorname{dilate}_{2}{(}k)" in solutions
    assert "m = \\infty" not in solutions.replace("from $m = \\infty$", "")


def test_numeric_filter_taps_equal_numpy_convolve_of_k_and_its_dilation(note_001):
    _, solutions = note_001
    numeric = solutions[solutions.index("k = (1,"):]
    taps = {int(j): int(v) for j, v in re.findall(r"\$K\[(\d+)\] = \\sum.*?= (-?\d+)\$\\par", numeric, re.S)[:7]}
    assert [taps[j] for j in range(7)] == list(np.convolve([1, 2, -1], [1, 0, 2, 0, -1]))


def test_note_001_solution_states_the_exact_padding_for_n_over_4(note_001):
    _, solutions = note_001
    assert r"\text{here}\qquad 3 \le p_l + p_r \le 6" in solutions
    assert r"$p \in \{2, 3\}$" in solutions
    assert "$6$ & $0$" in solutions and "$7$ & $1$" in solutions and "$2$ & $-1$" in solutions
    # the claim, checked with PyTorch's length formula written out here
    exact = [total for total in range(10) if all(_stride_length(4 * m, total) == m for m in range(1, 12))]
    assert exact == [3, 4, 5, 6]
    assert r"m(n) = \left\lfloor{\frac{n}{4} + \frac{1}{4}}\right\rfloor$ for $n \ge 3" in solutions


def test_note_001_solution_has_the_proved_verdict_and_the_inner_padding_counterexample(note_001):
    _, solutions = note_001
    assert solutions.count(r"symconv's verdict: \textbf{proved}") >= 6
    assert r"$K = (k_{0}^{2},\allowbreak k_{0} k_{1}," in solutions and "every $n$: yes (decided" in solutions
    assert "symconv refutes" in solutions and "two layers & $(" in solutions and r"\boxed{" in solutions


def test_factorization_solution_gives_the_weights_and_the_fewest_channels():
    _, solutions = render_sheets("factorization", [FactorVariant(5, 2, None), FactorVariant(3, 2, (1, 2, 1))])
    assert r"S = \begin{pmatrix} q_{0} & 0 & 0 & 0 \\ q_{1} & q_{2} & q_{3} & q_{4} \end{pmatrix}" in solutions
    assert r"\frac{q_{1}}{2} & \frac{q_{2}}{2} & \frac{q_{3}}{2} & q_{4}" in solutions  # minimum norm
    assert r"\sum_{r=0}^{1} w_r[1 - r] = q_{1}" in solutions
    assert "symconv finds that $2 $ channel(s)" in solutions and "symconv finds that $1 $ channel(s)" in solutions
    assert r"F = \begin{pmatrix} 1 & 1 \end{pmatrix}, \qquad S = \begin{pmatrix} 1 & 1 \end{pmatrix}" in solutions
    assert solutions.count(r"\textbf{proved}") == 5


def test_output_size_solution_gives_lengths_and_the_receptive_field():
    chain = ("conv(a[3], stride=2, padding=1)", "maxpool(2)", "conv(b[3], dilation=2)")
    _, solutions = render_sheets("output-size", [ChainVariant(chain, 64)])
    assert "$r = 1 + 2 + 2 + 16 = 21$" in solutions  # 1 + sum d_l (k_l - 1) prod_{i<l} s_i
    lengths = [64]
    for size, stride, padding, dilation in ((3, 2, 1, 1), (2, 2, 0, 1), (3, 1, 0, 2)):
        lengths.append((lengths[-1] + 2 * padding - dilation * (size - 1) - 1) // stride + 1)
    assert f"the output has ${lengths[-1]}$ samples" in solutions and lengths[-1] == 12
    assert r"$m(n) = \left\lfloor{\frac{n}{4} - \frac{15}{4}}\right\rfloor$ for $n \ge 19$" in solutions


def test_transposed_solution_gives_the_length_the_settings_for_s_n_and_the_flipped_filter():
    _, solutions = render_sheets("transposed", [TransposedVariant("k", 3, 2, 1, 1, 1, None)])
    assert "symconv's formula $m(n) = 2 n$" in solutions
    assert r"$(p, o) \in \{{(}1, 1)\}$" in solutions
    assert r"$q = (k_{2},\allowbreak k_{1},\allowbreak k_{0})$" in solutions
    assert r"symconv's verdict: \textbf{proved}, with a certificate" in solutions


def test_dilation_solution_gives_the_dilated_filter_receptive_field_and_proof():
    stack = DilationVariant((("a", 3, 1), ("b", 3, 2), ("e", 3, 4)), 32)
    _, solutions = render_sheets("dilation", [stack])
    assert "= 1 + 2 + 4 + 8 = 15$" in solutions
    assert r"$q = (e_{0},\allowbreak 0,\allowbreak 0,\allowbreak 0,\allowbreak e_{1}," in solutions
    assert r"$K[0] = a_{0} b_{0} e_{0}$" in solutions and "the output has $18$ samples" in solutions
    assert r"symconv's verdict: \textbf{proved}" in solutions


# ---------------------------------------------------------------- PDFs

@needs_tex
@pytest.mark.parametrize("topic", list(TOPICS))
def test_both_sheets_of_every_topic_compile_and_show_a_closed_form(sheets, topic, tmp_path):
    for kind in ("problems", "solutions"):
        (tmp_path / f"{kind}.tex").write_text(getattr(sheets[topic], kind))
        subprocess.run(["pdflatex", "-interaction=batchmode", "-halt-on-error", "-no-shell-escape", f"{kind}.tex"],
                       cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, timeout=180)
        log = (tmp_path / f"{kind}.log").read_text(errors="replace")
        assert (tmp_path / f"{kind}.pdf").exists(), re.findall(r"^!.*$", log, re.M)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "solutions.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert CLOSED_FORM[topic] in text and "Problem 2" in text
        assert topic == "output-size" or "proved" in text


# ---------------------------------------------------------------- command line and errors

def test_list_prints_every_topic_with_a_description(capsys):
    assert main(["homework", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(TOPICS) and all(len(line.split()) > 3 for line in lines)


def test_cli_writes_both_sheets_and_prints_their_paths(tmp_path, capsys):
    assert main(["homework", "dilation", "--seed", "4", "--count", "1", "-o", str(tmp_path / "hw")]) == 0
    written = capsys.readouterr().out.split()
    out = tmp_path / "hw"
    assert written == [str(out / "dilation-problems.tex"), str(out / "dilation-solutions.tex")]
    assert (tmp_path / "hw" / "dilation-solutions.tex").read_text() == homework("dilation", 4, 1).solutions


@pytest.mark.parametrize("argv, message", [
    (["homework", "stride-compositon"], "did you mean 'stride-composition'?"),
    (["homework", "tranposed"], "did you mean 'transposed'?"),
    (["homework", "dilation", "--count", "0"], "count=0 is invalid; expected an integer from 1 to 50"),
    (["homework", "dilation", "--count", "51"], "count=51 is invalid"),
    (["homework"], "a TOPIC is needed"),
])
def test_bad_input_exits_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("symconv homework: ")


def test_unwritable_directory_exits_2_before_any_work(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["homework", "dilation", "-o", str(blocker / "sub")]) == 2
    err = capsys.readouterr().err
    assert "cannot write the homework to" in err and err.count("\n") == 1


def test_pdf_without_tex_writes_the_tex_files_and_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(pdf_module.shutil, "which", lambda name: None)
    assert main(["homework", "dilation", "--count", "1", "-o", str(tmp_path), "--pdf"]) == 2
    err = capsys.readouterr().err
    assert "apt-get install texlive-latex-base" in err and err.count("\n") == 1
    assert (tmp_path / "dilation-problems.tex").exists() and (tmp_path / "dilation-solutions.tex").exists()
    with pytest.raises(ToolMissing):
        write_homework("dilation", tmp_path, count=1, pdf=True)


@needs_tex
def test_pdf_flag_builds_both_pdfs(tmp_path, capsys):
    assert main(["homework", "dilation", "--count", "1", "-o", str(tmp_path), "--pdf"]) == 0
    assert (tmp_path / "dilation-problems.pdf").stat().st_size > 0
    assert (tmp_path / "dilation-solutions.pdf").stat().st_size > 0


def test_python_api_errors_name_the_argument_and_what_is_accepted():
    with pytest.raises(InvalidArgument, match=r"topic='factorisation' is invalid; expected one of .*"
                                              r"did you mean 'factorization'\?"):
        find_topic("factorisation")
    with pytest.raises(InvalidArgument, match=r"count=True is invalid"):
        homework("dilation", count=True)
    with pytest.raises(InvalidArgument, match=r"seed='1' is invalid; expected an integer"):
        homework("dilation", seed="1")
