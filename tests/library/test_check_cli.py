"""`symconv check`: the table, --json, exit codes, default paths, and the whole library."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

import symconv
from symconv.checker import valid_rests_on
from symconv.cli import main

GOOD = """
from symconv import theorem
from symconv.library import shapes

theorem("stride", lhs="conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
        claims=["C1.1"], source="seed 001")
theorem("padded", lhs="conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)", expect="refuted", claims=["C1.1"],
        note="padding between the layers breaks the identity")
shapes("lengths", "conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
       claims=["C1.2"])
"""

FAILING = """
from symconv import theorem

theorem("false_claim", lhs="conv(k[5], stride=2, padding=1) >> conv(k, stride=2, padding=1)",
        rhs="conv(convolve(k, dilate(k, 2)), stride=4, padding=3)", claims=["C1.1"])
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_check_prints_a_table_and_exits_0_when_every_verdict_is_expected(tmp_path, capsys):
    code = main(["check", str(write(tmp_path / "good.py", GOOD))])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["theorem", "claims", "verdict", "seconds"]
    assert any(line.split()[:3] == ["stride", "C1.1", "proved"] for line in lines)
    assert any(line.split()[:3] == ["padded", "C1.1", "refuted"] for line in lines)
    assert "3 theorem(s) in 1 file(s): 2 proved, 1 refuted; 0 not as expected" in out


def test_check_json_is_one_object_with_theorems_and_summary(tmp_path, capsys):
    code = main(["check", str(write(tmp_path / "good.py", GOOD)), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 0
    assert set(obj) == {"theorems", "summary"}
    names = [t["name"] for t in obj["theorems"]]
    assert names == ["stride", "padded", "lengths"]
    for t in obj["theorems"]:
        assert {"name", "file", "claims", "verdict", "seconds", "note"} <= set(t)
        assert t["file"].endswith("good.py") and isinstance(t["seconds"], float)
    assert obj["theorems"][1]["note"] == "padding between the layers breaks the identity"
    assert obj["theorems"][1]["counterexample"]["n"] >= 1
    summary = obj["summary"]
    assert (summary["total"], summary["passed"], summary["failed"], summary["files"]) == (3, 3, 0, 1)
    assert summary["verdicts"] == {"proved": 2, "refuted": 1}


def test_a_verdict_other_than_the_expected_one_exits_1_and_shows_the_counterexample(tmp_path, capsys):
    code = main(["check", str(write(tmp_path / "failing.py", FAILING))])
    out = capsys.readouterr().out
    assert code == 1
    assert "refuted (expected proved)  FAIL" in out
    assert "FAILED false_claim" in out and "counterexample: n=" in out


def test_json_reports_failures_too(tmp_path, capsys):
    code = main(["check", str(write(tmp_path / "failing.py", FAILING)), "--json"])
    obj = json.loads(capsys.readouterr().out)
    assert code == 1
    (t,) = obj["theorems"]
    assert (t["verdict"], t["expected"], t["passed"]) == ("refuted", "proved", False)
    assert obj["summary"]["failed"] == 1


def test_directories_are_searched_and_all_files_run(tmp_path, capsys):
    write(tmp_path / "lib" / "a.py", GOOD)
    write(tmp_path / "lib" / "b.py", FAILING)
    assert main(["check", str(tmp_path / "lib"), "--json"]) == 1
    obj = json.loads(capsys.readouterr().out)
    assert obj["summary"]["files"] == 2 and obj["summary"]["total"] == 4


def test_an_unloadable_file_is_bad_input_exit_2_on_one_line(tmp_path, capsys):
    code = main(["check", str(write(tmp_path / "broken.py", "raise ValueError('no')\n"))])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith("symconv check: theorem file") and "ValueError (line 1): no" in captured.err
    assert len(captured.err.strip().splitlines()) == 1


def test_a_missing_path_is_bad_input(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_default_is_proofs_in_the_current_directory(tmp_path, capsys, monkeypatch):
    write(tmp_path / "proofs" / "mine.py", GOOD)
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert {t["file"] for t in obj["theorems"]} == {str(Path("proofs") / "mine.py")}


def test_check_is_importable_as_a_function(tmp_path):
    report = symconv.check(write(tmp_path / "good.py", GOOD))
    assert report.passed and [r.verdict for r in report.results] == ["proved", "refuted", "proved"]


LIBRARY = Path(__file__).resolve().parents[2] / "proofs"

#: Proved claims whose exact facts the kernel replays (fact certificates), resting on named arguments beyond them.
FACT_CERTIFIED = [
    "min_norm_weights_every_L", "batchnorm_relu_two_channels_impossible_without_real_root",
    "model_rip_delta2_tail_bound", "relu_cross_moment_gaussian", "relu_second_moment_gaussian",
    "relu_cross_moment_isotropic", "two_layer_variance_is_pi_minus_one_over_K", "two_layer_angle_markov_bound",
    "limit_correlates_with_input", "reconstruction_error_bound_sparse_inputs",
    "strided_layer_norm_below_transfer_sup", "transfer_sup_below_young_bound",  # polyphase identities
    "relu_network_jacobian_below_product_of_norms", "relu_network_difference_quotients_below_product",  # sign cases
    "limit_pearson_with_smooth_input",  # signs of exact bounds of rho's sums
]


@pytest.mark.skipif(not LIBRARY.is_dir(), reason="the theorem library is not in this checkout")
def test_every_theorem_of_the_library_has_its_expected_verdict():
    report = symconv.check(LIBRARY)
    failures = [f"{r.name}: expected {r.expected}, got {r.verdict}: {r.detail}" for r in report.failures]
    assert not failures, "\n".join(failures)
    summary = report.summary()  # every proved identity and length formula was replayed by the kernel
    assert summary["replayed"] == summary["certified"] > summary["proved_identities"] > 0
    replayed = [r.name for r in report.results if r.verdict == "proved" and r.data.get("replayed") is True]
    assert len(replayed) == summary["certified"] == summary["verdicts"]["proved"] == 187
    # every proved claim is replayed: none rests on a check= function or a symbolic argument alone
    assert summary["proved_without_certificate"] == 0
    assert (summary["proved_by_custom_check"], summary["proved_by_exact_argument"]) == (0, 0)
    assert summary["certified_with_custom_check"] == 35
    assert summary["proved_without_certificate_names"] == []
    # a claim proved from fact certificates: every fact replayed, the rest named in its rests_on
    with_facts = {r.name: r.data for r in report.results if r.data.get("replayed_facts")}
    assert sorted(with_facts) == sorted(FACT_CERTIFIED)
    assert all(data["replayed"] is True and data["rests_on"] and all(valid_rests_on(e) for e in data["rests_on"])
               for data in with_facts.values())
    assert summary["proved_with_fact_certificates"] == len(FACT_CERTIFIED)
    claims = {c for r in report.results for c in r.claims}
    seeds = {f"C{s}.{i}" for s, count in [(0, 3), (1, 3), (2, 5), (3, 3), (4, 6)] for i in range(1, count + 1)}
    assert seeds <= claims, f"claims without a theorem: {sorted(seeds - claims)}"
