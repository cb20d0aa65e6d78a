"""Loading theorem files by path: only the file runs, into a fresh collection."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from symconv.library import TheoremFileError, default_paths, discover, load_file

GOOD = """
from symconv import theorem
from symconv.library import shapes

theorem("stride", lhs="conv(k[3], stride=2) >> conv(k, stride=2)", rhs="conv(convolve(k, dilate(k, 2)), stride=4)",
        claims=["C1.1"])
shapes("valid", "conv(k[3])", rhs="crop(1) >> pad(0)")
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_load_file_returns_the_declared_theorems_in_order_with_their_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = write(tmp_path / "proofs" / "stride.py", GOOD)
    theorems = load_file(f)
    assert [t.name for t in theorems] == ["stride", "valid"]
    assert {t.file for t in theorems} == {str(Path("proofs") / "stride.py")}


def test_loading_twice_gives_fresh_theorems_and_leaves_no_module_behind(tmp_path):
    f = write(tmp_path / "t.py", GOOD)
    first, second = load_file(f), load_file(f)
    assert [t.name for t in first] == [t.name for t in second] and first[0] is not second[0]
    assert not any(m.startswith("_symconv_theorems") for m in sys.modules)


def test_loading_runs_only_the_file_not_its_package_or_conftest(tmp_path):
    marker = tmp_path / "ran.txt"
    for name in ("__init__.py", "conftest.py"):
        write(tmp_path / "proofs" / name, f"open({str(marker)!r}, 'a').write({name!r})\n")
    f = write(tmp_path / "proofs" / "ok.py", GOOD)
    assert len(load_file(f)) == 2
    assert not marker.exists()
    assert str(tmp_path / "proofs") not in sys.path


def test_a_syntax_error_names_the_file_and_the_line(tmp_path):
    f = write(tmp_path / "broken.py", "from symconv import theorem\n\ntheorem('x', lhs='conv(k[3])' rhs='conv(k)')\n")
    with pytest.raises(TheoremFileError, match=r"broken.py'.*SyntaxError \(line 3\)"):
        load_file(f)


def test_an_exception_in_the_file_names_the_line_and_keeps_the_cause(tmp_path):
    f = write(tmp_path / "raises.py", "x = 1\nraise RuntimeError('boom')\n")
    with pytest.raises(TheoremFileError, match=r"RuntimeError \(line 2\): boom") as info:
        load_file(f)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_a_bad_declaration_is_a_file_error(tmp_path):
    f = write(tmp_path / "bad.py", "from symconv import theorem\ntheorem('x', lhs='conv(k[3])', rhs='conv(k)', "
                                   "expect='maybe')\n")
    with pytest.raises(TheoremFileError, match=r"InvalidArgument \(line 2\).*expect='maybe'"):
        load_file(f)


def test_a_missing_file_is_a_file_error(tmp_path):
    with pytest.raises(TheoremFileError, match="does not exist"):
        load_file(tmp_path / "nope.py")


def test_discover_finds_python_files_sorted_and_skips_private_and_hidden(tmp_path):
    for rel in ["b.py", "a.py", "_private.py", "notes.txt", "sub/c.py", ".hidden/d.py", "_skip/e.py"]:
        write(tmp_path / rel, "")
    found = [p.relative_to(tmp_path.resolve()).as_posix() for p in discover([tmp_path])]
    assert found == ["a.py", "b.py", "sub/c.py"]


def test_discover_accepts_files_and_refuses_missing_or_non_python_paths(tmp_path):
    f = write(tmp_path / "x.py", "")
    assert discover([f, f]) == [f.resolve()]
    with pytest.raises(TheoremFileError, match="does not exist"):
        discover([tmp_path / "missing"])
    with pytest.raises(TheoremFileError, match="is not a Python file"):
        discover([write(tmp_path / "x.txt", "")])


def test_default_paths_prefer_the_current_directory(tmp_path):
    (tmp_path / "proofs").mkdir()
    assert default_paths(tmp_path) == [tmp_path / "proofs"]


def test_default_paths_fall_back_to_the_source_checkout(tmp_path):
    paths = default_paths(tmp_path)  # tmp_path has no proofs/: the repository's library
    assert paths[0].name == "proofs" and (paths[0].parent / "pyproject.toml").is_file()
