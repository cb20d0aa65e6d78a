"""PyTorch parity: the numeric evaluator and the exact semantics against torch.nn.functional.

Every property draws random configurations (strides, paddings, dilations,
groups, biases, channels, lengths) and compares outputs, lengths included.
Where PyTorch raises because the output would be empty, symconv must give
length 0. The refusal tests check that symconv's layers refuse exactly the
argument combinations PyTorch refuses.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from symconv.core.kernel import kernel, literal
from symconv.core.layers import (
    affine,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    l2pool,
    maxpool,
    pad,
    relu,
    up,
)
from symconv.core.output_length import output_length
from symconv.core.semantics import as_signal, evaluate
from symconv.errors import InvalidArgument
from symconv.numeric import evaluate_numeric, evaluate_torch, random_bindings, torch_available

torch = pytest.importorskip("torch")
F = torch.nn.functional
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """Tiny convolutions run far faster on one thread than with a contended thread pool."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ints(shape, low=-3, high=3):
    return arrays(np.int64, shape, elements=st.integers(low, high))


def t64(a) -> "torch.Tensor":
    return torch.tensor(np.asarray(a, dtype=np.float64))


def run_torch(call):
    """PyTorch's output as numpy, or None where PyTorch raises (an empty or too-small output)."""
    try:
        return call().numpy()
    except RuntimeError:
        return None


def assert_parity(ours: np.ndarray, theirs, atol: float = 1e-9) -> None:
    """``ours`` equals PyTorch's output; where PyTorch refuses (``None``), ours is empty.

    Inputs whose padding PyTorch would refuse to read on an empty signal are handed to it
    padded first (``F.pad`` of an empty signal is zeros), as DESIGN §1 defines them.
    """
    if theirs is None:
        assert ours.shape[-1] == 0, f"PyTorch refuses this input; symconv gives length {ours.shape[-1]}, not 0"
        return
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.astype(np.float64), theirs, rtol=1e-12, atol=atol)


def core_values(layer, x: np.ndarray) -> np.ndarray:
    """The exact semantics on one (C, n) integer input, as floats of shape (C_out, m)."""
    y = evaluate(layer, as_signal(x.tolist()))
    return np.array([[float(sympy.N(v)) if v != -sympy.oo else -np.inf for v in ch] for ch in y],
                    dtype=np.float64).reshape(len(y), -1)


# --- configurations ------------------------------------------------------------------------

@st.composite
def conv_cases(draw, small=False):
    groups = draw(st.integers(1, 2 if small else 3))
    in_g, out_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    c = draw(st.integers(1, 4 if small else 5))
    stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    kind = draw(st.sampled_from(["int", "pair", "same", "valid"]))
    padding = {"int": draw(st.integers(0, 4)), "pair": (draw(st.integers(0, 4)), draw(st.integers(0, 4))),
               "same": "same", "valid": "valid"}[kind]
    if padding == "same":
        stride = 1
    w = draw(ints((out_g * groups, in_g, c)))
    bias = draw(st.none() | ints((out_g * groups,)))
    n = draw(st.integers(0, 10 if small else 20))
    x = draw(ints((1 if small else draw(st.integers(1, 3)), in_g * groups, n), -5, 5))
    return dict(w=w, stride=stride, padding=padding, dilation=dilation, groups=groups, bias=bias, x=x)


def padding_pair(padding, dilation: int, c: int) -> tuple[int, int]:
    """``(left, right)`` zeros as conv1d adds them (``'same'``: the extra zero on the right)."""
    if padding == "same":
        total = dilation * (c - 1)
        return total // 2, total - total // 2
    if padding == "valid":
        return 0, 0
    return padding if isinstance(padding, tuple) else (padding, padding)


def torch_conv(case):
    """conv1d on the input zero-padded first: at every n, n = 0 included, what the layer means (DESIGN §1)."""
    x = F.pad(t64(case["x"]), padding_pair(case["padding"], case["dilation"], case["w"].shape[-1]))
    bias = None if case["bias"] is None else t64(case["bias"])
    return run_torch(lambda: F.conv1d(x, t64(case["w"]), bias, case["stride"], 0, case["dilation"],
                                      case["groups"]))


@st.composite
def conv_transpose_cases(draw, small=False):
    groups = draw(st.integers(1, 2 if small else 3))
    in_g, out_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    c = draw(st.integers(1, 4 if small else 5))
    stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    padding = draw(st.integers(0, 6))
    w = draw(ints((in_g * groups, out_g, c)))
    bias = draw(st.none() | ints((out_g * groups,)))
    n = draw(st.integers(0, 8 if small else 16))
    x = draw(ints((1 if small else draw(st.integers(1, 3)), in_g * groups, n), -5, 5))
    return dict(w=w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation,
                groups=groups, bias=bias, x=x)


def torch_conv_transpose(case):
    """conv_transpose1d; on an empty input (which PyTorch refuses) the length table decides (DESIGN §1):
    ``max(0, -s - 2p + d (c - 1) + op + 1)`` outputs, each the bias (or 0), as no input sample reaches them."""
    bias = None if case["bias"] is None else t64(case["bias"])
    x = t64(case["x"])
    if x.shape[-1] == 0:
        w = case["w"]
        m = max(0, -case["stride"] - 2 * case["padding"] + case["dilation"] * (w.shape[-1] - 1)
                + case["output_padding"] + 1)
        channels = w.shape[1] * case["groups"]
        values = np.zeros((x.shape[0], channels, m)) + (0 if bias is None else bias.numpy()[None, :, None])
        return values if m else None
    return run_torch(lambda: F.conv_transpose1d(
        x, t64(case["w"]), bias, case["stride"], case["padding"], case["output_padding"],
        case["groups"], case["dilation"]))


@st.composite
def pool_cases(draw, padding=True, dilation=False, small=False):
    size = draw(st.integers(1, 5))
    stride = draw(st.none() | st.integers(1, 5))
    n = draw(st.integers(0, 10 if small else 20))
    return dict(size=size, stride=stride, padding=draw(st.integers(0, size // 2)) if padding else 0,
                dilation=draw(st.integers(1, 3)) if dilation else 1,
                x=draw(ints((1 if small else draw(st.integers(1, 3)), draw(st.integers(1, 3)), n), -5, 5)))


# --- conv1d --------------------------------------------------------------------------------

def numeric_conv(case, exact=False):
    layer = conv(kernel("W", *case["w"].shape), stride=case["stride"], padding=case["padding"],
                 dilation=case["dilation"], groups=case["groups"], bias=None if case["bias"] is None else "b")
    return evaluate_numeric(layer, case["x"], {"W": case["w"], "b": case["bias"]}, exact=exact)


@FAST
@given(conv_cases())
def test_numeric_conv_matches_conv1d(case):
    assert_parity(numeric_conv(case), torch_conv(case))


@SLOW
@given(conv_cases(small=True))
def test_exact_numeric_conv_matches_conv1d(case):
    assert_parity(numeric_conv(case, exact=True), torch_conv(case), atol=0)


@SLOW
@given(conv_cases(small=True))
def test_exact_semantics_conv_matches_conv1d(case):
    layer = conv(literal(case["w"].tolist()), stride=case["stride"], padding=case["padding"],
                 dilation=case["dilation"], groups=case["groups"],
                 bias=None if case["bias"] is None else case["bias"].tolist())
    theirs = torch_conv(case)
    assert_parity(core_values(layer, case["x"][0]), None if theirs is None else theirs[0], atol=0)


@SLOW
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 3), st.integers(0, 12))
def test_padding_same_keeps_the_length_as_conv1d(c, dilation, channels, n):
    w = np.arange(1, channels * c + 1).reshape(channels, 1, c)
    x = np.arange(channels * n).reshape(1, channels, n) % 7 - 3
    layer = conv(literal(w.tolist()), padding="same", dilation=dilation, groups=channels)
    theirs = run_torch(lambda: F.conv1d(t64(x), t64(w), padding="same", dilation=dilation, groups=channels))
    ours = evaluate_numeric(layer, x)
    assert_parity(ours, theirs)
    assert ours.shape[-1] == n
    if n <= 8:
        assert_parity(core_values(layer, x[0]), None if theirs is None else theirs[0])


# --- conv_transpose1d ----------------------------------------------------------------------

def transposed_layer(case, named=True):
    weight = kernel("T", *case["w"].shape) if named else literal(case["w"].tolist())
    bias = None if case["bias"] is None else ("b" if named else case["bias"].tolist())
    return conv_transpose(weight, stride=case["stride"], padding=case["padding"],
                          output_padding=case["output_padding"], dilation=case["dilation"], groups=case["groups"],
                          bias=bias)


@FAST
@given(conv_transpose_cases())
def test_numeric_conv_transpose_matches_conv_transpose1d(case):
    ours = evaluate_numeric(transposed_layer(case), case["x"], {"T": case["w"], "b": case["bias"]})
    assert_parity(ours, torch_conv_transpose(case))


@SLOW
@given(conv_transpose_cases(small=True))
def test_exact_semantics_conv_transpose_matches_conv_transpose1d(case):
    theirs = torch_conv_transpose(case)
    assert_parity(core_values(transposed_layer(case, named=False), case["x"][0]),
                  None if theirs is None else theirs[0], atol=0)


def test_conv_transpose_with_more_inputs_than_outputs_matches_in_both_semantics():
    w = np.array([[[1, 2]], [[3, 4]]])  # (in=2, out=1, c=2)
    x = np.array([[1, 2, 3], [4, 5, 6]])
    theirs = F.conv_transpose1d(t64(x[None]), t64(w))[0].numpy()
    assert_parity(evaluate_numeric(conv_transpose(w.tolist()), x), theirs)
    assert_parity(core_values(conv_transpose(w.tolist()), x), theirs)


# --- pools ---------------------------------------------------------------------------------

@FAST
@given(pool_cases())
def test_numeric_avgpool_matches_avg_pool1d(case):
    # count_include_pad=True: the padding is zeros read like samples, so pad first (n = 0 included)
    padded = F.pad(t64(case["x"]), (case["padding"], case["padding"]))
    theirs = run_torch(lambda: F.avg_pool1d(padded, case["size"], case["stride"], 0, ceil_mode=False,
                                            count_include_pad=True))
    layer = avgpool(case["size"], stride=case["stride"], padding=case["padding"])
    assert_parity(evaluate_numeric(layer, case["x"]), theirs)


@FAST
@given(pool_cases(dilation=True))
def test_numeric_maxpool_matches_max_pool1d(case):
    layer = maxpool(case["size"], stride=case["stride"], padding=case["padding"], dilation=case["dilation"])
    theirs = run_torch(lambda: F.max_pool1d(t64(case["x"]), case["size"], case["stride"], case["padding"],
                                            dilation=case["dilation"]))
    assert_parity(evaluate_numeric(layer, case["x"]), theirs)


@FAST
@given(pool_cases(padding=False))
def test_numeric_l2pool_matches_lp_pool1d_with_p_2(case):
    theirs = run_torch(lambda: F.lp_pool1d(t64(case["x"]), 2, case["size"], case["stride"]))
    assert_parity(evaluate_numeric(l2pool(case["size"], stride=case["stride"]), case["x"]), theirs)


@SLOW
@given(pool_cases(dilation=True, small=True), st.sampled_from(["avg", "max", "l2"]))
def test_exact_semantics_pools_match_pytorch(case, kind):
    x, size, stride, padding, dilation = (case[k] for k in ("x", "size", "stride", "padding", "dilation"))
    if kind == "avg":
        layer = avgpool(size, stride=stride, padding=padding)
        padded = F.pad(t64(x), (padding, padding))  # count_include_pad: zeros read like samples, n = 0 included
        theirs = run_torch(lambda: F.avg_pool1d(padded, size, stride, 0, count_include_pad=True))
    elif kind == "max":
        layer = maxpool(size, stride=stride, padding=padding, dilation=dilation)
        theirs = run_torch(lambda: F.max_pool1d(t64(x), size, stride, padding, dilation=dilation))
    else:
        layer = l2pool(size, stride=stride)
        theirs = run_torch(lambda: F.lp_pool1d(t64(x), 2, size, stride))
    assert_parity(core_values(layer, x[0]), None if theirs is None else theirs[0])


# --- the oracle itself ---------------------------------------------------------------------

@st.composite
def mixed_chains(draw):
    channels = start = draw(st.integers(1, 3))
    steps = []
    for index in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["conv", "convT", "pad", "crop", "down", "up", "flip", "avg", "max", "l2",
                                     "relu", "affine"]))
        if kind == "conv":
            out = draw(st.integers(1, 3))
            steps.append(conv(kernel(f"w{index}", out, channels, draw(st.integers(1, 3))),
                              stride=draw(st.integers(1, 3)), padding=draw(st.integers(0, 2) | st.just((1, 0))),
                              bias=f"b{index}"))
            channels = out
        elif kind == "convT":
            out = draw(st.integers(1, 3))
            steps.append(conv_transpose(kernel(f"w{index}", channels, out, draw(st.integers(1, 3))),
                                        stride=draw(st.integers(1, 3)), padding=draw(st.integers(0, 1))))
            channels = out
        else:
            steps.append({"pad": lambda: pad(draw(st.integers(0, 2)), draw(st.integers(0, 2))),
                          "crop": lambda: crop(draw(st.integers(0, 2)), draw(st.integers(0, 2))),
                          "down": lambda: down(2, draw(st.integers(0, 1))), "up": lambda: up(2),
                          "flip": flip, "avg": lambda: avgpool(2, stride=1, padding=1),
                          "max": lambda: maxpool(3, stride=2, padding=1, dilation=2),
                          "l2": lambda: l2pool(2), "relu": relu,
                          "affine": lambda: affine(f"g{index}", [f"h{index}_{m}" for m in range(channels)])}[kind]())
    layer = steps[0]
    for step in steps[1:]:
        layer = layer >> step
    return layer, draw(ints((2, start, draw(st.integers(0, 12))), -4, 4))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mixed_chains(), st.integers(0, 2**32 - 1))
def test_torch_oracle_agrees_with_the_numeric_evaluator(chain_and_input, seed):
    layer, x = chain_and_input
    bindings = random_bindings(layer, seed)
    try:
        theirs = evaluate_torch(layer, x, bindings)
    except RuntimeError:
        # PyTorch refuses a convolution or pool of an empty signal, where the length table decides
        # (DESIGN §1); the values there are held against the exact semantics in test_exact_vs_numeric.
        assert reads_an_empty_signal(layer, x.shape[-1]), "PyTorch refused a chain that never reads an empty signal"
        return
    assert_parity(evaluate_numeric(layer, x, bindings), theirs)


def reads_an_empty_signal(layer, n: int) -> bool:
    """Whether some layer of the chain gets an empty input or gives an empty output (by the length table)."""
    for step in layer.layers():
        m = output_length(step, n)
        if n == 0 or m == 0:
            return True
        n = m
    return False


def test_torch_is_reported_available_when_it_imports():
    assert torch_available()


def test_torch_oracle_adds_the_branches_of_a_sum():
    layer = conv([1, 2]) + (pad(1, 0) >> conv([1, 1, 1]))
    x = np.array([[3, -1, 4, 1, -5]])
    assert_parity(evaluate_torch(layer, x), evaluate_numeric(layer, x))


def test_torch_oracle_passes_on_pytorchs_error_for_an_empty_output():
    with pytest.raises(RuntimeError, match=r"Kernel size can't be greater than actual input size"):
        evaluate_torch(conv([1, 1, 1]), [1, 2])


# --- refusals ------------------------------------------------------------------------------

def refused_by_torch(call) -> bool:
    try:
        call()
    except (RuntimeError, ValueError):
        return True
    return False


def refused_by_symconv(build) -> bool:
    try:
        build()
    except InvalidArgument:
        return True
    return False


X = t64(np.arange(64.0).reshape(1, 1, 64) % 5)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 4))
def test_padding_same_is_refused_exactly_when_pytorch_refuses(stride, dilation, c):
    w = np.ones((1, 1, c))
    assert refused_by_symconv(lambda: conv(w.tolist(), stride=stride, padding="same", dilation=dilation)) == \
        refused_by_torch(lambda: F.conv1d(X, t64(w), stride=stride, padding="same", dilation=dilation))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 5), st.integers(1, 4), st.integers(1, 4))
def test_output_padding_is_refused_exactly_when_pytorch_refuses(output_padding, stride, dilation):
    w = np.ones((1, 1, 2))
    assert refused_by_symconv(lambda: conv_transpose(w.tolist(), stride=stride, output_padding=output_padding,
                                                     dilation=dilation)) == \
        refused_by_torch(lambda: F.conv_transpose1d(X, t64(w), None, stride, 0, output_padding, 1, dilation))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 6), st.integers(0, 4), st.integers(1, 3), st.integers(1, 3))
def test_pool_padding_is_refused_exactly_when_pytorch_refuses(size, padding, stride, dilation):
    assert refused_by_symconv(lambda: avgpool(size, stride=stride, padding=padding)) == \
        refused_by_torch(lambda: F.avg_pool1d(X, size, stride, padding))
    assert refused_by_symconv(lambda: maxpool(size, stride=stride, padding=padding, dilation=dilation)) == \
        refused_by_torch(lambda: F.max_pool1d(X, size, stride, padding, dilation=dilation))


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 2), st.booleans())
def test_groups_are_refused_exactly_when_pytorch_refuses(dim0, groups, dim1, transposed):
    w = np.ones((dim0, dim1, 2))
    if transposed:
        x = t64(np.ones((1, dim0, 8)))
        torch_call = lambda: F.conv_transpose1d(x, t64(w), groups=groups)  # noqa: E731
        build = lambda: conv_transpose(w.tolist(), groups=groups)  # noqa: E731
    else:
        x = t64(np.ones((1, dim1 * groups, 8)))
        torch_call = lambda: F.conv1d(x, t64(w), groups=groups)  # noqa: E731
        build = lambda: conv(w.tolist(), groups=groups)  # noqa: E731
    assert refused_by_symconv(build) == refused_by_torch(torch_call)


@pytest.mark.parametrize(
    "build, torch_call",
    [
        (lambda: conv([1, 1], stride=0), lambda: F.conv1d(X, t64([[[1, 1]]]), stride=0)),
        (lambda: conv([1, 1], dilation=0), lambda: F.conv1d(X, t64([[[1, 1]]]), dilation=0)),
        (lambda: conv([1, 1], padding=-1), lambda: F.conv1d(X, t64([[[1, 1]]]), padding=-1)),
        (lambda: conv_transpose([1, 1], padding=-1), lambda: F.conv_transpose1d(X, t64([[[1, 1]]]), padding=-1)),
        (lambda: conv_transpose([1, 1], stride=2, output_padding=-1),
         lambda: F.conv_transpose1d(X, t64([[[1, 1]]]), stride=2, output_padding=-1)),
        (lambda: avgpool(2, stride=0), lambda: F.avg_pool1d(X, 2, 0)),
        (lambda: maxpool(2, stride=0), lambda: F.max_pool1d(X, 2, 0)),
        (lambda: maxpool(2, dilation=0), lambda: F.max_pool1d(X, 2, 2, dilation=0)),
        (lambda: l2pool(2, stride=0), lambda: F.lp_pool1d(X, 2, 2, 0)),
    ],
    ids=["conv-stride-0", "conv-dilation-0", "conv-negative-padding", "convT-negative-padding",
         "convT-negative-output-padding", "avgpool-stride-0", "maxpool-stride-0", "maxpool-dilation-0",
         "l2pool-stride-0"],
)
def test_nonpositive_rates_and_negative_paddings_are_refused_by_both(build, torch_call):
    assert refused_by_torch(torch_call)
    with pytest.raises(InvalidArgument, match=r"is invalid; expected a (positive|non-negative) integer"):
        build()
