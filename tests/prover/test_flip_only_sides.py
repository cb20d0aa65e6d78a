"""A side made only of flips (issue #11) takes the number of axes of the other side.

``flip()`` and ``flip(axes=...)`` fit a chain of any d (above the axes they name), so in
``flip(axes=(0,)) >> flip(axes=(0,)) == pad((0, 0), (0, 0))`` the left side is 2-D because the right side is;
with no side fixing d the statement stays 1-D, unless a ``flip(axes=...)`` names an axis
(tests/prover/test_flip_axes_fix_d.py).
"""

from __future__ import annotations

import json

import pytest

from symconv import prove
from symconv.checker import Certificate, check_certificate
from symconv.cli import main
from symconv.core.composite import on_statement_axes
from symconv.core.layers_nd import flip, pad
from symconv.dsl import parse_statement
from symconv.errors import InvalidArgument

IDENTITY_2D = "pad((0, 0), (0, 0))"
IDENTITY_3D = "pad((0, 0, 0), (0, 0, 0))"


@pytest.mark.parametrize("lhs, rhs", [
    ("flip(axes=(0,)) >> flip(axes=(0,))", IDENTITY_2D),
    ("flip(axes=(1,)) >> flip(axes=(1,))", IDENTITY_2D),
    ("flip() >> flip()", IDENTITY_2D),
    ("flip(axes=(0,)) >> flip(axes=(1,))", f"flip() >> {IDENTITY_2D}"),
    ("flip()", "flip(axes=(0, 1)) >> pad((0, 0))"),
    ("flip(axes=(0, 2)) >> flip(axes=(0, 2))", IDENTITY_3D),
    ("flip() >> flip()", IDENTITY_3D),
    ("flip(axes=(1,)) + flip(axes=(1,))", "conv2d([[2]]) >> flip(axes=(1,))"),
])
def test_a_flip_only_side_that_is_the_other_side_is_proved_in_its_dimension(lhs, rhs):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    assert proof.lhs.ndim == proof.rhs.ndim >= 2


@pytest.mark.parametrize("lhs, rhs, shape_axes", [
    ("flip(axes=(0,))", IDENTITY_2D, 2),
    ("flip(axes=(1,)) >> flip(axes=(0,))", IDENTITY_2D, 2),
    ("flip(axes=(2,))", IDENTITY_3D, 3),
    ("flip()", IDENTITY_3D, 3),
    ("flip() >> flip()", "conv2d(k[3, 3]) >> conv2d(flip(k))", 2),
])
def test_a_flip_only_side_that_differs_from_the_other_side_is_refuted_at_a_shape_of_its_dimension(lhs, rhs,
                                                                                                    shape_axes):
    proof = prove(lhs, rhs)
    assert proof.verdict == "refuted", proof.note
    assert len(proof.counterexample.n) == shape_axes


def test_the_certificate_of_a_flip_only_side_replays_from_its_text_alone():
    proof = prove("flip() >> flip()", "pad((0, 0, 0))")
    text = json.dumps(proof.certificate.to_json())
    established = check_certificate(Certificate.from_json(json.loads(text)))
    assert established == "flip() >> flip() == pad((0, 0, 0)) for every input shape"


def test_a_flip_only_side_takes_the_axes_of_the_other_side_given_as_objects():
    lhs, rhs = on_statement_axes([flip() >> flip(), pad((0, 0, 0))])
    assert (lhs.ndim, lhs.axes_free, repr(lhs)) == (3, False, "flip() >> flip()")
    assert prove(flip(axes=(1,)) >> flip(axes=(1,)), pad((0, 0))).verdict == "proved"


def test_flip_only_sides_on_both_sides_stay_1d():
    lhs, rhs = parse_statement("flip() >> flip()", "flip()")
    assert (lhs.ndim, rhs.ndim, lhs.axes_free) == (1, 1, True)
    assert prove("flip() >> flip()", "pad(0)").verdict == "proved"


def test_a_flip_of_an_axis_the_other_side_lacks_is_refused():
    with pytest.raises(InvalidArgument, match=r"flip: axes=\(2,\) is invalid; expected axes below 2 "
                                              r"\(the chain is 2-D\)"):
        parse_statement("flip(axes=(2,))", IDENTITY_2D)


@pytest.mark.parametrize("lhs, rhs, code", [
    ("flip(axes=(0,)) >> flip(axes=(0,))", IDENTITY_2D, 0),
    ("flip() >> flip()", IDENTITY_3D, 0),
    ("flip(axes=(0,))", IDENTITY_2D, 1),
    ("flip(axes=(2,))", IDENTITY_2D, 2),
])
def test_prove_of_a_flip_only_side_exits_with_the_verdicts_code(capsys, lhs, rhs, code):
    assert main(["prove", lhs, rhs]) == code
    captured = capsys.readouterr()
    if code == 2:
        assert captured.err.count("\n") == 1 and "expected axes below 2" in captured.err
    else:
        assert captured.out.startswith("proved:" if code == 0 else "refuted:")
