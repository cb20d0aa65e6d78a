"""The kernel's ``product_bound`` rule on chains that pad inside: one output per combination of per-axis classes.

The kernel compares, in the core's exact ring, one output per combination of the per-axis classes of output
positions below the bounds (:mod:`symconv.checker.axis_classes`), which must decide exactly what comparing every
shape below the bounds decides.
"""

from __future__ import annotations

import json

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.errors import CertificateError
from symconv.prover import prove

A, B = "[[1, 2, 0], [3, 4, 1], [0, 1, 1]]", "[[1, -1, 0], [2, 1, 1], [0, 1, 2]]"
#: Two stride-3 layers that both pad: the per-axis bound is 23, so 529 shapes are compared.
PADDED = f"conv2d({A}, stride=3, padding=1) >> conv2d({B}, stride=3, padding=1)"
#: The same chain with its padding as layers.
PAD_LAYERS = f"pad((1, 1)) >> conv2d({A}, stride=3) >> pad((1, 1)) >> conv2d({B}, stride=3)"


@pytest.fixture(scope="module")
def proof():
    return prove(PADDED, PAD_LAYERS)


def test_a_padded_chain_with_more_than_400_shapes_is_proved_and_replayed(proof):
    assert proof.verdict == "proved", proof.note
    [step] = json.loads(proof.certificate.dumps())["steps"]
    assert step["rule"] == "product_bound" and [a[2] for a in step["axes"]] == [23, 23]


def test_a_changed_tap_of_the_padded_chain_is_refuted():
    proof = prove(PADDED, PAD_LAYERS.replace("[0, 1, 2]]", "[0, 1, 3]]"))
    assert proof.verdict == "refuted"


def _certificate(lhs: str, rhs: str, axes: list) -> Certificate:
    obj = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "lhs": lhs, "rhs": rhs,
           "steps": [{"rule": "product_bound", "axes": axes}]}
    obj["statement_hash"] = statement_hash(lhs, rhs, [], [])
    return Certificate.from_json(obj)


def test_a_certificate_claiming_a_true_padded_identity_with_a_changed_tap_is_rejected(proof):
    axes = json.loads(proof.certificate.dumps())["steps"][0]["axes"]
    changed = PAD_LAYERS.replace("[0, 1, 2]]", "[0, 1, 3]]")
    with pytest.raises(CertificateError, match=r"the two sides differ at shape \(4, 4\), output \(0, 0\)"):
        replay(_certificate(PADDED, changed, axes))


def test_more_class_combinations_than_the_kernel_compares_are_refused(monkeypatch, proof):
    from symconv.checker import axis_classes

    monkeypatch.setattr(axis_classes, "MAX_CHECK_COMBINATIONS", 10)
    axes = json.loads(proof.certificate.dumps())["steps"][0]["axes"]
    with pytest.raises(CertificateError, match=r"\d+ x \d+ classes of output positions exceed what the checker "
                                               r"compares \(10\)"):
        replay(_certificate(PADDED, PAD_LAYERS, axes))


def _chains(text: str):
    from symconv.dsl import parse_statement

    return parse_statement(*text.split(" == "))


def test_a_padded_stride_3_chain_has_few_classes_per_axis():
    from symconv.checker.axis_classes import class_representatives

    lhs, rhs = _chains(f"{PADDED} == {PAD_LAYERS}")
    found = class_representatives(lhs, rhs, 0, 23, "here")
    assert len(found) < sum(max(0, (n + 2 - 3) // 3 + 1) for n in range(23)) / 3  # far fewer than the outputs


def test_a_class_that_appears_only_after_the_limit_is_rejected():
    from symconv.checker.axis_classes import class_representatives

    lhs, rhs = _chains(f"{PADDED} == {PAD_LAYERS}")
    with pytest.raises(CertificateError, match=r"here, axis 1: output \d+ at n = \d+ is of a class not met below 3"):
        class_representatives(lhs, rhs, 0, 3, "here, axis 1", period=9)


#: Pairs of 2-D chains, true and false, with padding inside: the class comparison must agree with comparing
#: every output of every shape below the bounds.
PAIRS = [
    (PADDED, PAD_LAYERS),
    (PADDED, PAD_LAYERS.replace("[0, 1, 2]]", "[0, 1, 3]]")),
    ("conv2d([[1, 2], [3, 4]], padding=1) >> conv2d([[1, -1]], padding=(0, 1))",
     "pad((1, 1)) >> conv2d([[1, 2], [3, 4]]) >> pad((0, 1)) >> conv2d([[1, -1]])"),
    ("conv2d([[1, 2], [3, 4]], padding=1) >> conv2d([[1, -1]], padding=(0, 1))",
     "pad((1, 1)) >> conv2d([[1, 2], [3, 4]]) >> pad((0, 1), (0, 0)) >> conv2d([[1, -1]]) >> pad((0, 0), (0, 1))"),
    ("up((2, 1)) >> conv2d([[1, 2], [0, 1]], padding=1, bias=[1])",
     "up((2, 1)) >> conv2d([[1, 2], [0, 1]], padding=1, bias=[1])"),
    ("conv_transpose2d([[1, 2], [3, 1]], stride=2, padding=1) >> conv2d([[1, 1]], padding=(0, 1))",
     "conv_transpose2d([[1, 2], [3, 1]], stride=2, padding=1) >> conv2d([[1, 1]], padding=(0, 1))"),
    ("conv_transpose2d([[1, 2], [3, 1]], stride=2, padding=1) >> conv2d([[1, 1]], padding=(0, 1))",
     "conv_transpose2d([[1, 2], [3, 1]], stride=2) >> crop((1, 1)) >> conv2d([[1, 1]], padding=(0, 1))"),
    ("avgpool2d(2, stride=1, padding=1) >> conv2d([[2]], bias=[1])",
     "avgpool2d(2, stride=1, padding=1) >> affine(2, 1)"),
]


@pytest.mark.parametrize("lhs, rhs", PAIRS)
def test_comparing_one_output_per_class_combination_agrees_with_comparing_every_shape(lhs, rhs):
    import itertools

    from symconv.checker.axis_classes import class_representatives, first_difference
    from symconv.core.output_length import output_length
    from symconv.core.layers_nd import axis_chain
    from symconv.core.semantics_nd import every_output_exact
    from symconv.dsl import parse_statement

    left, right = parse_statement(lhs, rhs)
    limits = (12, 12)
    if any(output_length(axis_chain(left, k), n) != output_length(axis_chain(right, k), n)
           for k in range(2) for n in range(20)):
        pytest.skip("the lengths differ: decided before any output is compared")
    exhaustive = all(every_output_exact(left, shape, 1) == every_output_exact(right, shape, 1)
                     for shape in itertools.product(*(range(n) for n in limits)))
    found = [class_representatives(left, right, k, limits[k], "here") for k in range(2)]
    assert (first_difference(left, right, found, 1) is None) == exhaustive
