"""The kernel's ``interior_operator`` rule: edge-free N-D sides, equal lengths, equal outputs at one interior shape."""

from __future__ import annotations

import json
import re

import pytest
import sympy

from symconv.checker import Certificate, CertificateStep, Rule, replay, statement_hash
from symconv.checker.interior import edge_free_steps, _geometry, _outputs
from symconv.core.exact_poly import to_sympy
from symconv.cli import main
from symconv.core.semantics_nd import outputs_at, symbolic_input_nd
from symconv.dsl import parse_chain
from symconv.errors import CertificateError
from symconv.prover import prove

STRIDE_4_7X7 = ("conv2d(k[7, 7], stride=4) >> conv2d(k, stride=4)", "conv2d(convolve(k, dilate(k, 4)), stride=16)")
STRIDE_2_3D = ("conv3d(k[3, 3, 3], stride=2) >> conv3d(k, stride=2)", "conv3d(convolve(k, dilate(k, 2)), stride=4)")
FOUR_LAYERS = ("conv2d(a[3, 3], stride=2) >> conv2d(b[3, 3], stride=2) >> conv2d(c[3, 3], stride=2) >> "
               "conv2d(e[3, 3], stride=2)",
               "conv2d(convolve(convolve(convolve(a[3, 3], dilate(b[3, 3], 2)), dilate(c[3, 3], 4)), "
               "dilate(e[3, 3], 8)), stride=16)")
SMALL = ("conv2d(k[2, 2], stride=2) >> conv2d(k[2, 2], stride=2)", "conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), "
                                                                     "stride=4)")


def _certificate(lhs: str, rhs: str, axes: list, shape: list) -> Certificate:
    return Certificate(lhs, rhs, (CertificateStep(Rule.INTERIOR_OPERATOR, (("axes", axes), ("shape", shape))),))


def _rejection(certificate: Certificate) -> str:
    with pytest.raises(CertificateError) as caught:
        replay(certificate)
    return str(caught.value)


@pytest.mark.parametrize("lhs, rhs, shape", [
    (*STRIDE_4_7X7, [47, 47]),
    (*STRIDE_2_3D, [11, 11, 11]),
    (*FOUR_LAYERS, [47, 47]),
], ids=["7x7-stride-4-twice", "3d-3x3x3-stride-2-twice", "four-3x3-stride-2-layers"])
def test_edge_free_compositions_are_proved_by_the_interior_operator_and_replayed(lhs, rhs, shape):
    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    obj = json.loads(proof.certificate.dumps())
    assert [s["rule"] for s in obj["steps"]] == ["interior_operator"] and obj["steps"][0]["shape"] == shape
    theorem = replay(Certificate.from_json(obj))
    assert theorem.scope == "every input shape" and theorem.rests_on == ()


def test_the_rule_alone_closes_a_hand_written_certificate_with_padding_in_front_bias_and_channels():
    # avgpool >> down(2, phase 1) is a crop of 2 >> avgpool of stride 4 on axis 1; pad >> conv is a padded conv
    lhs = "pad((1, 1)) >> conv2d(W[2, 1, 2, 2], bias=b) >> avgpool2d(2) >> down((2, 1), (1, 0))"
    rhs = "conv2d(W[2, 1, 2, 2], padding=1, bias=b) >> crop((2, 0), (0, 0)) >> avgpool2d(2, stride=(4, 2))"
    assert replay(_certificate(lhs, rhs, [[4, 4, 8], [4, 2, 6]], [12, 6])).scope == "every input shape"
    wrong = rhs.replace("crop((2, 0), (0, 0))", "crop((1, 0), (1, 0))")
    assert "differ at output [1, 1] of channel 0" in _rejection(_certificate(lhs, wrong, [[4, 4, 8], [4, 2, 6]],
                                                                             [12, 6]))


@pytest.mark.parametrize("lhs, rhs, layer", [
    ("conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2, padding=1)",
     "conv2d(convolve(k, dilate(k, 2)), stride=4, padding=2)", "layer 2 of conv2d(k[2, 2], stride=2) >> "
                                                               "conv2d(k[2, 2], stride=2, padding=1), conv2d("),
    ("conv2d(k[1, 1]) >> pad((1, 1))", "pad((1, 1)) >> conv2d(k[1, 1])", "layer 2 of conv2d(k[1, 1]) >> "
                                                                         "pad((1, 1)), pad((1, 1)), pads"),
])
def test_a_side_that_pads_inside_is_rejected_naming_the_step_and_the_layer(lhs, rhs, layer):
    message = _rejection(_certificate(lhs, rhs, [[8, 4, 12], [8, 4, 12]], [20, 20]))
    assert message.startswith("step 0 (interior_operator): ") and layer in message
    assert "pads after a window layer, so an output can read across an inner edge" in message


def test_the_inner_pad_is_refused_even_when_the_statement_is_true():
    # a 1x1 convolution without bias commutes with zero padding: true, but not the rule's business
    proof = prove("conv2d(k[1, 1]) >> pad((1, 1))", "pad((1, 1)) >> conv2d(k[1, 1])")
    assert proof.verdict == "proved" and proof.certificate.steps[0].rule is Rule.PRODUCT_BOUND


def test_a_layer_outside_the_fragment_is_rejected_naming_it():
    message = _rejection(_certificate("conv2d(k[2, 2]) >> up((2, 2))", "up((2, 2)) >> conv2d(k[2, 2])",
                                      [[8, 4, 12], [8, 4, 12]], [20, 20]))
    assert message.startswith("step 0 (interior_operator): layer 2 of conv2d(k[2, 2]) >> up((2, 2)), up((2, 2)), is "
                              "not pad, conv, avgpool, down or crop")


@pytest.mark.parametrize("axes, shape, message", [
    ([[4, 4, 8], [4, 4, 8]], [5, 8], r"the shape \[5, 8\] is not interior on axis 1: output 1 of .* reads up to "
                                     r"sample 7 of 5"),
    ([[4, 4, 8], [4, 4, 8]], [8, 7], "not interior on axis 2"),
    ([[1, 4, 5], [4, 4, 8]], [8, 8], r"axis 1: an intermediate length of .* is 0 at n = 1"),
    ([[4, 2, 8], [4, 4, 8]], [8, 8], r"axis 1: 2 is not a period of"),
    ([[4, 4, 7], [4, 4, 8]], [8, 8], "limit >= start \\+ period"),
    ([[4, 4, 401], [4, 4, 8]], [8, 8], "exceeds what the checker evaluates"),
    ([[4, 4, 8], [4, 4, 8]], [8, 401], r"expected shape \[n1, ..., n2\], 2 integers from 1 to 400"),
    ([[4, 4, 8]], [8, 8], "expected axes"),
    ([[4, 4, 8], [4, 4, 8]], [8], "expected shape"),
    ([[4, 4, 8], [4, 4, True]], [8, 8], "expected axes"),
])
def test_a_mutated_step_is_rejected_naming_what_failed(axes, shape, message):
    text = _rejection(_certificate(*SMALL, axes, shape))
    assert text.startswith("step 0 (interior_operator)")
    assert re.search(message, text), text


@pytest.mark.parametrize("rhs, message", [
    ("conv2d(convolve(k[2, 2], dilate(flip(k[2, 2]), 2)), stride=4)", "the two sides differ at output [0, 0] of "
                                                                      "channel 0 at the shape [8, 8]"),
    ("conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), stride=4, bias=[1])", "differ at output [0, 0]"),
    ("conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), stride=(4, 2))", "axis 2: the output lengths grow by"),
    ("conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), stride=4, padding=(1, 0))",
     "axis 1: the output lengths differ at n = 2: 0 against 1"),
    ("conv2d(convolve(k[2, 2], dilate(k[2, 2], 3)), stride=4)", "axis 1: an intermediate length of conv([1, 1, 1, 1, "
                                                                "1], stride=4) is 0 at n = 4"),
    ("conv2d(W[2, 1, 4, 4], stride=4)", "the sides give 1 and 2 output channels"),
])
def test_a_false_statement_is_rejected_by_the_replay(rhs, message):
    text = _rejection(_certificate(SMALL[0], rhs, [[4, 4, 8], [4, 4, 8]], [8, 8]))
    assert text.startswith("step 0 (interior_operator)") and message in text, text


def test_a_crop_moved_past_a_convolution_is_proved_and_a_shifted_one_refused():
    cropped = "crop((1, 0), (0, 0)) >> conv2d(k[2, 2])"
    assert replay(_certificate(cropped, "conv2d(k[2, 2]) >> crop((1, 0), (0, 0))", [[4, 1, 6], [4, 1, 6]], [6, 6]))
    text = _rejection(_certificate(cropped, "conv2d(k[2, 2]) >> crop((0, 0), (1, 0))", [[4, 1, 6], [4, 1, 6]], [6, 6]))
    assert "the two sides differ at output [0, 0] of channel 0" in text


def test_the_geometry_is_the_window_each_output_reads_in_the_core_semantics():
    chain = parse_chain("pad((1, 0)) >> conv2d(k[3, 2], stride=(2, 1), padding=(1, (0, 1)), dilation=(1, 2)) >> "
                        "conv2d(j[2, 3], stride=2)")
    g = _geometry(edge_free_steps(chain, "test"), 2)
    (_, values) = outputs_at(chain, symbolic_input_nd((30, 30)), [(0, 3, 4)])
    read = [tuple(int(p) for p in s.name.split("_")[2:]) for s in values[(0, 3, 4)].free_symbols
            if s.name.startswith("x_")]
    for axis, i in enumerate((3, 4)):
        assert min(r[axis] for r in read) == g.stride[axis] * i - g.offset[axis]
        assert max(r[axis] for r in read) == g.stride[axis] * i - g.offset[axis] + g.extent[axis] - 1
    assert (g.stride, g.offset, g.extent) == ((4, 2), (2, 0), (5, 5))


@pytest.mark.parametrize("text, shape, indices", [
    ("pad((1, 2)) >> conv2d(W[2, 2, 2, 3], stride=(2, 1), padding=((1, 0), (0, 2)), bias=b) >> avgpool2d(2) >> "
     "down((2, 1), (1, 0)) >> crop((0, 1), (1, 0))", (2, 30, 11), [(0, 0), (1, 2), (2, 5)]),
    ("conv2d(W[4, 1, 2, 2], groups=2, padding=1) >> conv2d(V[2, 2, 1, 1], groups=2, bias=[1, 1/2])", (2, 5, 4),
     [(0, 0), (2, 1), (5, 3)]),
    ("avgpool3d(2, padding=1) >> conv3d(convolve(k[2, 2, 2], dilate(k[2, 2, 2], 2)), stride=(1, 2, 1))",
     (1, 9, 10, 8), [(0, 0, 0), (1, 1, 1), (1, 0, 1)]),
])
def test_the_checkers_evaluation_equals_the_core_semantics(text, shape, indices):
    chain = parse_chain(text)
    channels, spatial = shape[0], tuple(shape[1:])
    out_channels, mine = _outputs(chain, edge_free_steps(chain, "test"), spatial, channels, indices, "test")
    keys = [(o, *i) for o in range(out_channels) for i in indices]
    _, core = outputs_at(chain, symbolic_input_nd(spatial, channels), keys)
    assert out_channels == chain.out_channels(channels)
    for o in range(out_channels):
        for i in indices:
            assert core[(o, *i)] != 0 and sympy.expand(_to_sympy(mine[(o, i)]) - core[(o, *i)]) == 0, (o, i)


def _to_sympy(poly: dict) -> sympy.Expr:
    """The checker's polynomial in the core's names: ``("x", m, j...)`` is ``x_m_j...``, a tap is its symbol."""
    return to_sympy(poly)


def test_symconv_recheck_accepts_the_written_certificate(tmp_path, capsys):
    path = tmp_path / "cert.json"
    assert main(["prove", *STRIDE_2_3D, "--certificate", str(path)]) == 0
    assert main(["recheck", str(path)]) == 0
    assert "valid: " in capsys.readouterr().out
    obj = json.loads(path.read_text())
    obj["steps"][0]["shape"] = [11, 11, 10]
    path.write_text(json.dumps(obj))
    assert main(["recheck", str(path)]) == 1


def test_a_rehashed_statement_cannot_reuse_the_certificate():
    obj = json.loads(_certificate(*SMALL, [[4, 4, 8], [4, 4, 8]], [8, 8]).dumps())
    obj["rhs"] = obj["rhs"].replace("stride=4", "stride=(4, 2)")
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"])
    assert "the output lengths grow by" in _rejection(Certificate.from_json(obj))
