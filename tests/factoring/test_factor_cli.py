"""`symconv factor KERNEL --sizes N,M [--channels C] [--json]` (DESIGN §5): output, exit codes, one-line errors."""

from __future__ import annotations

import json

import pytest

from symconv.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["factor", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_symbolic_kernel_json_has_the_design_fields(capsys):
    code, out, err = run(capsys, "q[5]", "--sizes", "2,4", "--json")
    assert code == 0 and err == ""
    obj = json.loads(out)
    assert obj["kernel"] == ["q_0", "q_1", "q_2", "q_3", "q_4"]
    assert (obj["sizes"], obj["channels"], obj["minimal_channels"]) == ([2, 4], 2, 2)
    assert obj["first"] == [["1", "0"], ["0", "1"]]
    assert obj["second"] == [["q_0", "0", "0", "0"], ["q_1", "q_2", "q_3", "q_4"]]
    assert obj["verdict"] == "proved"


def test_literal_kernel_with_the_fewest_channels(capsys):
    code, out, _ = run(capsys, "[1, 2, 1]", "--sizes", "2,2", "--channels", "1", "--json")
    obj = json.loads(out)
    assert code == 0 and obj["channels"] == 1 and obj["first"] == [["1", "1"]] and obj["second"] == [["1", "1"]]


def test_text_output_shows_the_layers_and_the_proof(capsys):
    code, out, _ = run(capsys, "[1, -2, 3, 0, 4]", "--sizes", "3,3", "--channels", "2")
    assert code == 0
    assert "F, shape (2, 1, 3)" in out and "S, shape (1, 2, 3)" in out and "proof: proved" in out


def test_fewer_channels_than_the_minimum_is_refuted_with_exit_1(capsys):
    code, out, _ = run(capsys, "[1, -2, 3, 0, 4]", "--sizes", "2,4", "--channels", "1")
    assert code == 1
    assert out.startswith("refuted: ") and "at least 2 are needed" in out and len(out.strip().splitlines()) == 1


def test_refutation_json_gives_the_minimum_and_the_reason(capsys):
    code, out, _ = run(capsys, "q[5]", "--sizes", "3,3", "--channels", "1", "--json")
    obj = json.loads(out)
    assert code == 1
    assert obj["verdict"] == "refuted" and obj["minimal_channels"] == 2 and obj["first"] is None
    assert "Gauss's lemma" in obj["reason"]


@pytest.mark.parametrize("argv,fragment", [
    (["q[5]", "--sizes", "2,5"], "see 6 samples but the kernel q[5] has 5 taps"),
    (["q[5]", "--sizes", "0,6"], "a layer of size 0 has no taps"),
    (["q[5]", "--sizes", "6,0"], "a layer of size 0 has no taps"),
    (["q[5]", "--sizes", "two,4"], "'two' is not an integer"),
    (["q[5]", "--sizes", "2"], "1 size(s) given"),
    (["q[5]", "--sizes", "2,4", "--channels", "0"], "channels=0 is invalid"),
    (["[0, 0, 0]", "--sizes", "2,2"], "is all zeros"),
    (["q[", "--sizes", "2,2"], "q["),
    (["q[5]", "--sizes", "2,4", "--pdf", "out.tex"], "names a .tex file"),
    (["q[5]", "--sizes", "2,4", "--assume", "x <= 1"], "'x <= 1'"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith("symconv factor: ") and fragment in err
    assert len(err.strip().splitlines()) == 1


def test_non_integer_channels_are_refused_by_the_argument_parser(capsys):
    with pytest.raises(SystemExit) as info:
        main(["factor", "q[5]", "--sizes", "2,4", "--channels", "x"])
    err = capsys.readouterr().err
    assert info.value.code == 2 and len(err.strip().splitlines()) == 1


def test_a_2d_kernel_with_sizes_is_bad_input_in_one_line(capsys):
    code, out, err = run(capsys, "[[1, 2, 1], [2, 4, 2], [1, 2, 1]]", "--sizes", "3,3")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "has 2 spatial axes" in err and "Traceback" not in err
