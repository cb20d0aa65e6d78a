"""The command line: verdicts, exit codes, JSON, one-line errors (DESIGN §5)."""

from __future__ import annotations

import argparse
import io
import json
import re
import subprocess
import sys

import pytest

from symconv.cli import COMMANDS, main
from symconv.cli_parser import build_parser

STRIDE_LHS = "conv(k[3], stride=2) >> conv(k, stride=2)"
STRIDE_RHS = "conv(convolve(k, dilate(k, 2)), stride=4)"
PADDED_LHS = "conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)"
PADDED_RHS = "conv(convolve(k, dilate(k, 2)), stride=4, padding=3)"


def run_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main([*argv, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out)


def test_prove_stride_composition_is_proved_with_exit_0(capsys):
    code, obj = run_json(capsys, "prove", STRIDE_LHS, STRIDE_RHS)
    assert code == 0
    assert obj["verdict"] == "proved"
    assert obj["counterexample"] is None
    assert obj["steps"] and all({"rule", "statement", "latex"} <= set(s) for s in obj["steps"])
    assert obj["numeric"]["trials"] > 0
    assert obj["numeric"]["max_abs_error"] <= obj["numeric"]["tolerance"]


def test_prove_padding_inside_the_chain_is_refuted_with_exit_1_and_a_counterexample(capsys):
    code, obj = run_json(capsys, "prove", PADDED_LHS, PADDED_RHS)
    assert code == 1
    assert obj["verdict"] == "refuted"
    example = obj["counterexample"]
    assert set(example) == {"n", "input", "kernels", "lhs", "rhs", "index"}
    assert set(example["kernels"]) == {"k"} and len(example["kernels"]["k"]) == 5
    i = example["index"]
    assert example["lhs"][0][i] != example["rhs"][0][i]


def test_prove_pad_once_before_both_layers_is_proved(capsys):
    code, obj = run_json(
        capsys, "prove", "pad(1) >> conv(k[5], stride=2) >> conv(k, stride=2)",
        "conv(convolve(k, dilate(k, 2)), stride=4, padding=1)",
    )
    assert (code, obj["verdict"]) == (0, "proved")


def test_json_output_is_exactly_one_object(capsys):
    main(["prove", STRIDE_LHS, STRIDE_RHS, "--json"])
    out = capsys.readouterr().out
    json.loads(out)  # raises if anything but one JSON document was printed


def test_derive_json_reports_kernel_stride_and_receptive_field(capsys):
    code, obj = run_json(capsys, "derive", STRIDE_LHS)
    assert code == 0
    assert obj["stride"] == 4 and obj["receptive_field"] == 7 and obj["exact"] is True
    assert obj["kernel"][0] == "k_0**2" and len(obj["kernel"]) == 7
    assert obj["padding"] == [0, 0] and obj["branches"] == 1 and obj["boundary"] is None


def test_derive_of_padded_chain_is_not_exact_and_gives_the_boundary(capsys):
    code, obj = run_json(capsys, "derive", PADDED_LHS)
    assert code == 0
    assert obj["exact"] is False
    assert obj["boundary"] == {"left": 1, "right": 1}
    assert obj["padding"][0] == 3


def test_derive_with_nonlinear_layers_gives_arithmetic_only(capsys):
    code, obj = run_json(capsys, "derive", "conv(k[3], padding=1) >> relu() >> maxpool(2) >> conv(k, padding=1)")
    assert code == 0
    assert obj["kernel"] is None
    assert (obj["stride"], obj["receptive_field"], obj["padding"][0]) == (2, 8, 3)


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["prove", "conv(k[3]", "conv(k)"], "conv(k[3]"),
        (["prove", "cnv(k[3])", "conv(k)"], "cnv"),
        (["prove", "conv(k[3], stride=0)", "conv(k)"], "stride"),
        (["prove", "conv(k[3], stride=-1)", "conv(k)"], "stride"),
        (["prove", "conv(k[3]).__class__", "conv(k)"], "__class__"),
        (["prove", "__import__('os')", "conv(k[3])"], "__import__"),
        (["derive", "conv(k)"], "k"),
        (["prove", STRIDE_LHS, STRIDE_RHS, "--solve", "q"], "--solve"),
        (["prove", "conv2d(q[2, 2]) >> conv2d(q)", "conv2d(k[3, 3])", "--solve", "q"], "appear nonlinearly"),
        (["prove", "conv2d(k[3, 3]) >> relu()", "relu() >> conv2d(k)", "--assume", "x < 1"], "'x < 1'"),
        (["derive", "conv(k[c]) >> up(2)"], "give the kernel a length"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(capsys, argv, fragment):
    code = main(argv)
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
    assert "Traceback" not in captured.err


def test_unknown_subcommand_exits_2_in_one_line(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_console_script_runs_the_readme_example():
    result = subprocess.run(
        [sys.executable, "-m", "symconv.cli", "prove", STRIDE_LHS, STRIDE_RHS],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("proved:")


def test_version_flag_prints_the_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("symconv ")


# --- counterexamples as numbers and grids (issue 15) ---------------------------------------------

PADDED_2D_LHS = "conv2d(k[3, 3], stride=2, padding=1) >> conv2d(k, stride=2, padding=1)"
PADDED_2D_RHS = "conv2d(convolve(k, dilate(k, 2)), stride=4, padding=3)"


def test_a_1d_counterexample_prints_its_numbers_without_quotes(capsys):
    assert main(["prove", PADDED_LHS, PADDED_RHS]) == 1
    out = capsys.readouterr().out
    example = next(line for line in out.splitlines() if "counterexample:" in line)
    assert re.search(r"input=\[\[-?\d+(, -?\d+)*\]\], kernels=\{'k': \[-?\d+(, -?\d+){4}\]\}$", example), example
    outputs = [line for line in out.splitlines() if "lhs ->" in line or "rhs ->" in line]
    assert len(outputs) == 2 and not any("'" in line for line in outputs)


def test_a_2d_counterexample_prints_input_kernel_and_outputs_as_aligned_grids(capsys):
    assert main(["prove", PADDED_2D_LHS, PADDED_2D_RHS]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "'" not in "\n".join(lines[1:])
    start = lines.index("    kernel k:")
    rows = lines[start + 1:start + 4]
    assert len({len(row) for row in rows}) == 1, rows  # right-aligned columns: equal widths
    assert [len(row.split()) for row in rows] == [3, 3, 3]
    assert "    input:" in lines and "    lhs ->" in lines and "    rhs ->" in lines
    assert any(line.strip() == "channel 0:" for line in lines)


def test_json_counterexample_numbers_are_json_integers(capsys):
    code, obj = run_json(capsys, "prove", PADDED_2D_LHS, PADDED_2D_RHS)
    example = obj["counterexample"]
    values = [v for row in example["kernels"]["k"] for v in row] + [v for c in example["input"] for r in c for v in r]
    assert code == 1 and all(type(v) is int for v in values)


# --- exit codes through pipes, python -m, statements from files -------------------------------

def _pipeline(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", f"set -o pipefail; {command}"], capture_output=True, text=True,
                          timeout=120)


def test_a_refutation_exits_1_even_when_the_reader_closes_the_pipe_first():
    prove = f"{sys.executable} -m symconv prove '{PADDED_LHS}' '{PADDED_RHS}'"
    closed = _pipeline(f"{prove} | true")  # the reader exits before anything is written
    assert closed.returncode == 1, closed.stderr
    assert "Traceback" not in closed.stderr and "BrokenPipe" not in closed.stderr
    head = _pipeline(f"{prove} | head -1")
    assert head.returncode == 1 and head.stdout.startswith("refuted:")


def test_python_dash_m_symconv_is_the_command_line():
    result = subprocess.run([sys.executable, "-m", "symconv", "prove", STRIDE_LHS, STRIDE_RHS],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("proved:")


def test_statements_are_read_from_a_file_with_at_and_from_stdin_with_a_dash(tmp_path, capsys, monkeypatch):
    (tmp_path / "lhs.txt").write_text("conv(k[3], stride=2)\n   >> conv(k, stride=2)\n")
    monkeypatch.setattr(sys, "stdin", io.StringIO(STRIDE_RHS + "\n"))
    code, obj = run_json(capsys, "prove", f"@{tmp_path / 'lhs.txt'}", "-")
    assert (code, obj["verdict"], obj["lhs"]) == (0, "proved", "conv(k[3], stride=2) >> conv(k[3], stride=2)")


def test_derive_reads_its_chain_from_a_file(tmp_path, capsys):
    (tmp_path / "chain.txt").write_text(STRIDE_LHS)
    code, obj = run_json(capsys, "derive", f"@{tmp_path / 'chain.txt'}")
    assert (code, obj["stride"], obj["receptive_field"]) == (0, 4, 7)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["prove", "-", "-"], "symconv prove: RHS='-' is invalid; expected `-` (stdin) for one statement "
                              "argument only; give the other as text or @FILE"),
        (["derive", "@/nonexistent/chain.txt"], "symconv derive: CHAIN='@/nonexistent/chain.txt' is "
                                                "invalid; expected a readable file after @ (No such file or "
                                                "directory)"),
    ],
)
def test_a_bad_statement_source_is_bad_input_in_one_line(capsys, monkeypatch, argv, message):
    monkeypatch.setattr(sys, "stdin", io.StringIO(STRIDE_RHS))
    assert main(argv) == 2
    assert capsys.readouterr().err == message + "\n"


def _subcommands():
    parser = build_parser(COMMANDS)
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return parser, actions[0].choices


def test_every_option_and_argument_of_every_command_has_help_text():
    parser, commands = _subcommands()
    missing = [(name, action.dest) for name, sub in [("symconv", parser), *commands.items()]
               for action in sub._actions
               if not isinstance(action, argparse._SubParsersAction) and not action.help]
    assert missing == []


@pytest.mark.parametrize("argv", [["--help"], ["prove", "--help"], ["check", "--help"]])
def test_help_lists_the_exit_codes(capsys, argv):
    with pytest.raises(SystemExit):
        main(argv)
    out = capsys.readouterr().out
    assert "exit codes:" in out
    assert [line.split()[0] for line in out.split("exit codes:")[1].splitlines()[1:5]] == ["0", "1", "2", "3"]
