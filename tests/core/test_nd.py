"""N-D kernels, layers, exact semantics, DSL, derive and prove, checked in 2-D (DESIGN §1 N-D)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv import derive, prove
from symconv.cli import main
from symconv.core.kernel import Literal, Convolve, dilate, kernel, literal
from symconv.core.layers import crop, down, pad, up
from symconv.core.layers_nd import Conv, axis_chain, conv2d, output_shape
from symconv.core.semantics_nd import evaluate_nd, symbolic_input_nd
from symconv.dsl import parse_chain
from symconv.errors import ChainError, DSLError, KernelError


# --- kernels ---------------------------------------------------------------------------------

def test_tap_names_and_shapes():
    assert kernel("k", 2, 3).taps()[0][0][1] == tuple(sympy.symbols("k_1_0 k_1_1 k_1_2"))
    assert kernel("W", 2, 3, 1, 2).taps()[1][2][0] == tuple(sympy.symbols("W_1_2_0_0 W_1_2_0_1"))
    assert literal([[1, 2], [3, 4]]).shape == (1, 1, 2, 2)
    assert kernel("k", 3).ndim == 1 and kernel("k", 3, 3).ndim == 2 and kernel("W", 2, 3, 1, 2).ndim == 2
    with pytest.raises(KernelError):
        literal([[1, 2], [3]])


def _grid(kernel) -> np.ndarray:
    return np.array([[[[int(v) for v in row] for row in t] for t in ch] for ch in kernel.taps()])


def test_convolve_dilate_flip_against_numpy():
    rng = np.random.default_rng(0)
    a, b = rng.integers(-3, 4, size=(2, 3)), rng.integers(-3, 4, size=(3, 2))
    full = np.zeros((4, 4), dtype=int)
    for (i, j), v in np.ndenumerate(a):
        full[i:i + 3, j:j + 2] += v * b
    assert (_grid(Convolve(literal(a.tolist()), literal(b.tolist())))[0, 0] == full).all()
    dilated = _grid(dilate(literal(a.tolist()), (2, 3)))[0, 0]
    assert dilated.shape == (3, 7) and (dilated[::2, ::3] == a).all() and dilated.sum() == a.sum()
    from symconv.core.kernel_expr import flipk
    assert (_grid(flipk(literal(a.tolist())))[0, 0] == a[::-1, ::-1]).all()


# --- layers, shapes and the exact semantics against PyTorch ------------------------------------

CASES = [dict(stride=1, padding=0, dilation=1), dict(stride=2, padding=1, dilation=1),
         dict(stride=(2, 3), padding=(0, 2), dilation=(1, 2)), dict(stride=3, padding=2, dilation=2)]


@pytest.mark.parametrize("args", CASES)
@pytest.mark.parametrize("shape", [(1, 1), (4, 7), (9, 6)])
def test_conv2d_matches_torch(args, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(hash((shape, str(args))) % 2**32)
    w = rng.integers(-3, 4, size=(2, 3, 3, 2))
    b = rng.integers(-3, 4, size=2)
    x = rng.integers(-3, 4, size=(3,) + shape)
    layer = conv2d(literal(w.tolist()), bias=b.tolist(), **args)
    pad_pair = tuple(p for p, _ in layer.paddings)
    try:
        want = torch.nn.functional.conv2d(torch.tensor(x[None], dtype=torch.float64),
                                          torch.tensor(w, dtype=torch.float64), torch.tensor(b, dtype=torch.float64),
                                          stride=layer.strides, padding=pad_pair, dilation=layer.dilations)[0].numpy()
    except RuntimeError:  # torch refuses an output with an empty axis
        want = np.zeros((2,) + output_shape(layer, shape))
    got = evaluate_nd(layer, tuple(tuple(tuple(sympy.Integer(int(v)) for v in r) for r in ch) for ch in x))
    got = np.array([[[float(v) for v in r] for r in ch] for ch in got]).reshape(want.shape)
    assert output_shape(layer, shape) == want.shape[1:]
    assert (got == want).all()


def test_pad_crop_down_up_in_2d():
    x = symbolic_input_nd((3, 4)).nested()
    assert evaluate_nd(pad((1, 0), (0, 2)), x)[0][0] == (x[0][0][0] * 0,) * 6 and output_shape(pad((1, 0), (0, 2)),
                                                                                               (3, 4)) == (4, 6)
    assert evaluate_nd(crop((1, 1)), x)[0] == ((x[0][1][1], x[0][1][2]),)
    assert evaluate_nd(down((2, 3), (1, 0)), x)[0] == ((x[0][1][0], x[0][1][3]),)
    assert evaluate_nd(up((2, 1)), x)[0][1] == (0, 0, 0, 0) and output_shape(up((2, 2)), (3, 4)) == (5, 7)
    assert output_shape(conv2d(kernel("k", 3, 3)), (0, 5)) == (0, 3)


def test_axis_projection_keeps_the_window_arithmetic():
    layer = conv2d(kernel("k", 3, 5), stride=(2, 1), padding=(1, 2), dilation=(1, 2))
    assert repr(axis_chain(layer, 0)) == "conv([1, 1, 1], stride=2, padding=1)"
    assert repr(axis_chain(layer, 1)) == "conv([1, 1, 1, 1, 1], padding=2, dilation=2)"


# --- the DSL -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "conv2d(k[3, 3], stride=2) >> down((1, 2))",
    "pad((1, 1)) >> conv2d(W[4, 3, 3, 3], padding=(1, 0)) >> crop((1, 0), (0, 1))",
    "conv2d(convolve(a[2, 2], dilate(b[3, 3], (2, 1))))",
    "up((2, 2)) >> conv2d(flip(k[2, 2]), bias=[1])",
    "conv2d([[1, 2], [3, 4]], dilation=(2, 1))",
])
def test_2d_statements_read_back(text):
    layer = parse_chain(text)
    assert parse_chain(repr(layer)) == layer


@pytest.mark.parametrize("text, error", [
    ("conv2d(k[3, 3]) >> conv(k)", DSLError),
    ("conv2d(k[3, 3]) >> maxpool(2)", ChainError),
    ("conv2d(k[3])", DSLError),
    ("down((2, 2), (0, 0, 0))", DSLError),
    ("conv2d(k[3, 3], stride=(1, 2, 3))", DSLError),
    ("conv_transpose2d(k[3, 3], output_padding=1)", DSLError),
])
def test_2d_bad_input(text, error):
    with pytest.raises(error):
        parse_chain(text)


# --- derive and prove --------------------------------------------------------------------------

def test_derive_gives_the_composed_kernel_and_per_axis_arithmetic():
    d = derive("conv2d(a[2, 3], stride=(1, 2)) >> conv2d(b[3, 2])")
    a, b = kernel("a", 2, 3), kernel("b", 3, 2)
    dilated_b = dilate(b, (1, 2))
    assert d.kernel == [list(row) for row in Convolve(a, dilated_b).taps()[0][0]]
    assert d.stride == (1, 2) and d.receptive_field == (4, 5) and d.exact
    padded = derive("conv2d(k[3, 3], padding=1) >> conv2d(k, padding=1)")
    assert not padded.exact and padded.padding == ((2, 2), (2, 2))


def test_prove_2d_proved_and_refuted_with_a_reproducing_counterexample():
    assert prove("conv2d(k[3, 3], stride=2) >> conv2d(k, stride=2)",
                 "conv2d(convolve(k, dilate(k, 2)), stride=4)").verdict == "proved"
    p = prove("conv2d(k[3, 3], stride=2, padding=1) >> conv2d(k, stride=2, padding=1)",
              "conv2d(convolve(k, dilate(k, 2)), stride=4, padding=3)")
    assert p.verdict == "refuted"
    c = p.counterexample
    k = Literal(((tuple(tuple(r) for r in c.kernels["k"]),),))
    lhs = conv2d(k, stride=2, padding=1) >> conv2d(k, stride=2, padding=1)
    x = tuple(tuple(tuple(sympy.Integer(v) for v in r) for r in ch) for ch in c.input)
    assert evaluate_nd(lhs, x) == c.lhs and evaluate_nd(lhs, x) != c.rhs
    assert json.loads(json.dumps(p.to_json()))["counterexample"]["n"] == list(c.n)


def test_prove_2d_refuses_mixing_dimensions(capsys):
    assert main(["prove", "conv2d(k[3, 3])", "conv(q[3])"]) == 2
    assert "2-D" in capsys.readouterr().err


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([1, 2]), st.sampled_from([1, 2]), st.integers(0, 1), st.integers(2, 3))
def test_stride_composition_in_2d_for_random_parameters(s, t, p, c):
    lhs = f"pad(({p}, {p})) >> conv2d(k[{c}, {c}], stride={s}) >> conv2d(k, stride={t})"
    rhs = f"conv2d(convolve(k, dilate(k, {s})), stride={s * t}, padding={p})"
    assert prove(lhs, rhs).verdict == "proved"
    wrong = f"conv2d(convolve(k, dilate(k, {s + 1})), stride={s * t}, padding={p})"
    assert prove(lhs, wrong).verdict == "refuted"


def test_conv2d_layer_repr_is_dsl():
    layer = Conv(kernel("k", 3, 3), (2, 1), ((1, 2), (0, 0)))
    assert parse_chain(repr(layer)) == layer


# --- certificates of 2-D proofs ----------------------------------------------------------------

def _certificate_2d() -> dict:
    """A product_bound certificate of a 2-D proof (by hand: the prover closes edge-free sides by interior_operator)."""
    from symconv.checker import Certificate, CertificateStep, Rule

    step = CertificateStep(Rule.PRODUCT_BOUND, (("axes", [[4, 4, 8], [4, 4, 8]]),))
    return json.loads(Certificate("conv2d(k[2, 2], stride=2) >> conv2d(k[2, 2], stride=2)",
                                  "conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), stride=4)", (step,)).dumps())


def test_a_2d_certificate_is_accepted_after_json():
    from symconv.checker import Certificate, check_certificate

    proof = prove("conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)")
    assert proof.verdict == "proved" and proof.theorem is not None
    obj = json.loads(proof.certificate.dumps())
    assert [s["rule"] for s in obj["steps"]] == ["interior_operator"]
    check_certificate(Certificate.from_json(obj))
    check_certificate(Certificate.from_json(_certificate_2d()))


@pytest.mark.parametrize("change, message", [
    (lambda o: o.update(rhs="conv2d(convolve(k, dilate(flip(k), 2)), stride=4)"), "differ at shape"),
    (lambda o: o.update(rhs="conv2d(convolve(k, dilate(k, 2)), stride=4, padding=1)"), "interior outputs"),
    (lambda o: o["steps"][0].update(axes=[[1, 4, 5], [1, 4, 5]]), "intermediate length"),
    (lambda o: o["steps"][0].update(axes=[[4, 4, 8], [4, 4, 7]]), "limit >= start"),
    (lambda o: o["steps"][0].update(axes=[[4, 4, 401], [4, 4, 8]]), "limit 401 exceeds what the checker evaluates"),
    (lambda o: o["steps"][0].update(axes=[[9, 4]]), "expected axes"),
])
def test_tampered_2d_certificates_are_rejected(change, message):
    from symconv.checker import Certificate, check_certificate, statement_hash
    from symconv.errors import CertificateError

    obj = _certificate_2d()
    change(obj)
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"])  # a consistent hash: the replay must catch it
    with pytest.raises(CertificateError, match=message):
        check_certificate(Certificate.from_json(obj))


def test_conv2d_same_padding_named_bias_and_strict_arguments():
    from symconv.core.layers_nd import Down, Pad
    from symconv.errors import ChannelMismatch, InvalidArgument

    same = conv2d(kernel("k", 3, 4), padding="same", dilation=(1, 2))
    assert same.paddings == ((1, 1), (3, 3)) and output_shape(same, (5, 7)) == (5, 7)
    with pytest.raises(InvalidArgument, match="only with stride=1"):
        conv2d(kernel("k", 3, 3), stride=2, padding="same")
    assert parse_chain("conv2d(W[2, 1, 2, 2], bias=b)").bias == sympy.symbols("b_0 b_1")
    for bad in (lambda: conv2d(kernel("k", 1, 1), padding=((1, 2), (3,))), lambda: Pad((1, 2), 3),
                lambda: Down((2, 2), 1)):
        with pytest.raises(InvalidArgument):
            bad()
    with pytest.raises(ChannelMismatch):
        evaluate_nd(conv2d(kernel("W", 1, 2, 1, 1)), symbolic_input_nd((1, 2)).nested())


@pytest.mark.parametrize("size, stride, padding", [(2, None, 0), ((2, 3), 1, (1, 1)), (3, (2, 1), 1)])
@pytest.mark.parametrize("shape", [(1, 1), (5, 6), (8, 3)])
def test_avgpool2d_matches_torch_in_both_evaluators(size, stride, padding, shape):
    torch = pytest.importorskip("torch")
    from fractions import Fraction

    from symconv.core.layers_nd import avgpool2d
    from symconv.numeric.evaluate_nd import evaluate_nd_numeric

    layer = avgpool2d(size, stride, padding)
    assert parse_chain(repr(layer)) == layer
    x = np.random.default_rng(3).integers(-4, 5, size=(2,) + shape)
    try:
        want = torch.nn.functional.avg_pool2d(torch.tensor(x[None], dtype=torch.float64), layer.sizes, layer.strides,
                                              layer.paddings, count_include_pad=True)[0].numpy()
    except RuntimeError:  # torch refuses an empty output
        want = np.zeros((2,) + output_shape(layer, shape))
    exact = evaluate_nd(layer, tuple(tuple(tuple(sympy.Integer(int(v)) for v in r) for r in ch) for ch in x))
    exact = np.array([[[float(v) for v in r] for r in ch] for ch in exact]).reshape(want.shape)
    numeric = evaluate_nd_numeric(layer, x.astype(object), exact=True)
    assert np.allclose(exact, want) and np.array_equal(numeric.astype(float), exact)
    assert all(isinstance(v, Fraction) for v in numeric.flat)


def test_avgpool2d_is_a_convolution_with_equal_weights():
    assert prove("avgpool2d(2)", "conv2d([[1/4, 1/4], [1/4, 1/4]], stride=2)").verdict == "proved"
    assert prove("avgpool2d(2)", "conv2d([[1/4, 1/4], [1/4, 1/4]])").verdict == "refuted"
