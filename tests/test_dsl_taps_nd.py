"""N-D tap lists: derived 2-D and 3-D kernels read back as DSL, so their certificates re-check."""

from __future__ import annotations

import json

import pytest

from symconv import derive
from symconv.cli import main
from symconv.core.kernel import DerivedKernel
from symconv.dsl import parse_statement
from symconv.errors import KindError, LiteralError

CHAINS = [
    "conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2)",
    "conv2d([[1, 2], [3, 4]]) >> conv2d(h[2, 1], stride=2)",
    "conv2d(W[2, 1, 2, 2]) >> conv2d(V[1, 2, 1, 2])",
    "conv3d(k[2, 1, 2]) >> conv3d(h[1, 2, 2], stride=2)",
]


@pytest.mark.parametrize("chain", CHAINS)
def test_a_derived_nd_layer_reads_back_with_the_same_taps(chain):
    d = derive(chain)
    _, rhs = parse_statement(repr(d.chain), repr(d.layer))
    assert isinstance(rhs.weight, DerivedKernel)
    assert rhs.weight.values == d.layer.weight.values
    assert [s.name for s in rhs.weight.sources] == sorted(s.name for s in d.layer.weight.sources)


def test_a_2d_derived_certificate_written_by_prove_rechecks(tmp_path, capsys):
    d = derive(CHAINS[0])
    path = tmp_path / "derived2d.json"
    assert main(["prove", repr(d.chain), repr(d.layer), "--certificate", str(path)]) == 0
    assert main(["recheck", str(path)]) == 0
    assert "valid: " in capsys.readouterr().out
    certificate = json.loads(path.read_text())
    certificate["rhs"] = certificate["rhs"].replace("k_0_0**2", "k_0_0**2 + k_1_1", 1)  # a wrong tap
    path.write_text(json.dumps(certificate))
    assert main(["recheck", str(path)]) == 1
    assert "statement hash" in capsys.readouterr().out


@pytest.mark.parametrize("rhs, error, fragment", [
    ("conv2d([[k_0_0, k_2_0]])", KindError, "k_2_0 is not a tap of an N-D kernel of the statement"),
    ("conv2d([[k_0_0, k_0_1], [k_1_0]])", LiteralError, "the rows of a tap list have different lengths"),
    ("conv2d([[k_0_0, k_0_1], k_1_0])", LiteralError, "every level of an N-D tap list must be a non-empty list"),
    ("conv2d([[k_0_0, [k_0_1]], [k_1_0, k_1_1]])", LiteralError, "a tap list nests too deep"),
])
def test_bad_nd_tap_lists_are_refused_with_the_reason(rhs, error, fragment):
    with pytest.raises(error, match=fragment):
        parse_statement("conv2d(k[2, 2])", rhs)
