"""Separable factorization (issue 11): a rank-r 2-D kernel as a (K1, 1) layer with r channels then a (1, K2) layer.

Every factorization is checked against the kernel three ways, independently of
the construction: the composed factors ``sum_c u_c v_c^T`` equal ``K`` exactly,
the prover's verdict on ``chain == conv2d(K)`` is ``proved``, and PyTorch runs
both on random inputs. Then the CLI (``symconv factor ... --separable``) and the
LaTeX report.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from symconv.cli import main
from symconv.core.kernel import kernel
from symconv.dsl import parse_statement
from symconv.errors import (
    DSLError,
    FactorError,
    InvalidArgument,
    KernelError,
    NotSeparable,
    TooFewChannels,
    ZeroKernel,
)
from symconv.factoring.separable import exact_split, factor_separable, matrix_rank, separable_rank
from symconv.prover.proof import prove
from symconv.report import latex

SOBEL_X = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]
GAUSSIAN = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
RANK_2 = [[1, 2, 3], [2, 4, 7], [3, 6, 10]]
RANK_3 = [[1, 2, 3], [4, 5, 6], [7, 8, 10]]


def composed(result) -> sympy.Matrix:
    """``sum_c u_c v_c^T`` from the reported factors of a single-channel 2-D result."""
    k1, k2 = result.kernel.spatial
    total = sympy.zeros(k1, k2)
    for u, v in result.factors:
        total += sympy.Matrix(u) * sympy.Matrix(v).T
    return total.applyfunc(sympy.expand)


def kernel_matrix(result) -> sympy.Matrix:
    return sympy.Matrix(result.kernel.taps()[0][0]).applyfunc(sympy.expand)


# --- rank and factors ------------------------------------------------------------------------------


@pytest.mark.parametrize("kernel,rank", [(SOBEL_X, 1), (GAUSSIAN, 1), (RANK_2, 2), (RANK_3, 3)])
def test_rank_is_the_number_of_channels_and_the_factors_compose_to_the_kernel(kernel, rank):
    result = factor_separable(kernel)
    assert (result.rank, result.channels, len(result.factors)) == (rank, rank, rank)
    assert composed(result) == sympy.Matrix(kernel)
    assert result.verdict == "proved"


def test_sobel_splits_into_smoothing_then_difference():
    result = factor_separable(SOBEL_X)
    assert result.factors == (((1, 2, 1), (1, 0, -1)),)
    assert repr(result.chain) == "conv2d([[1], [2], [1]]) >> conv2d([[1, 0, -1]])"


def test_rank_two_chain_has_two_channels_in_pytorch_layout():
    result = factor_separable(RANK_2)
    first, second = (layer.weight for layer in result.chain.steps)
    assert first.shape == (2, 1, 3, 1) and second.shape == (1, 2, 1, 3)


def test_rational_kernel_keeps_exact_fractions():
    result = factor_separable("[[1/2, 1/3], [1, 2/3]]")
    assert result.rank == 1
    assert composed(result) == sympy.Matrix([[sympy.Rational(1, 2), sympy.Rational(1, 3)],
                                             [1, sympy.Rational(2, 3)]])
    assert all(isinstance(x, sympy.Rational) for term in result.factors for vec in term for x in vec)


def test_symbolic_outer_product_has_rank_one_with_polynomial_factors():
    result = factor_separable("convolve(a[3, 1], b[1, 3])")
    a = sympy.symbols("a_0_0 a_1_0 a_2_0")
    b = sympy.symbols("b_0_0 b_0_1 b_0_2")
    assert result.rank == 1
    assert result.factors == ((a, b),)
    assert result.verdict == "proved"


def test_generic_symbolic_kernel_has_full_rank_over_the_taps():
    result = factor_separable("k[2, 3]")
    assert result.rank == 2 and composed(result) == kernel_matrix(result)
    assert result.verdict == "proved"
    assert "generic values of the taps" in result.reason


def test_symbolic_split_on_dependent_rows_is_polynomial():
    a, b, c, d, e = sympy.symbols("a b c d e")
    rows = ((a, b, c), (d, e, a + e), (a + d, b + e, c + a + e))  # row 2 = row 0 + row 1
    us, vs = exact_split(rows)
    assert len(us) == 2
    assert sum((sympy.Matrix(u) * sympy.Matrix(v).T for u, v in zip(us, vs)), sympy.zeros(3, 3)) == sympy.Matrix(rows)
    assert all(sympy.fraction(sympy.cancel(x))[1] == 1 for vec in us + vs for x in vec)


def test_exact_split_refuses_a_symbolic_kernel_whose_elimination_gives_rational_functions():
    a = sympy.Matrix(3, 2, sympy.symbols("a:f"))
    b = sympy.Matrix(2, 3, sympy.symbols("g:l"))
    rows = tuple(tuple(r) for r in (a * b).applyfunc(sympy.expand).tolist())
    with pytest.raises(NotSeparable, match=r"has rank 2 over QQ\(taps\), but the fraction-exact elimination \(of K "
                                           r"and of K\^T\) gives factors that are rational functions of the taps"):
        exact_split(rows)


def test_matrix_rank_matches_numpy_on_examples():
    for m in (SOBEL_X, GAUSSIAN, RANK_2, RANK_3, [[0, 0], [0, 1]]):
        assert matrix_rank(m) == np.linalg.matrix_rank(np.array(m, dtype=float))


def test_symbolic_matrix_rank_sees_a_dependent_row():
    a, b, c = sympy.symbols("a b c")
    assert matrix_rank([[a, b], [2 * a, 2 * b]]) == 1
    assert matrix_rank([[a, b, c], [b, c, a], [a + b, b + c, c + a]]) == 2
    assert matrix_rank([[a, b], [b, a]]) == 2


def test_full_rank_named_kernel_is_split_on_its_columns_without_elimination():
    result = factor_separable("k[5, 5]")
    assert result.rank == 5 and composed(result) == kernel_matrix(result)
    assert result.factors[0][1] == (1, 0, 0, 0, 0)
    assert result.verdict == "proved"


def test_separable_rank_of_a_named_kernel_is_its_generic_rank():
    assert separable_rank("k[3, 3]") == 3 and separable_rank("k[2, 5]") == 2
    assert separable_rank(GAUSSIAN) == 1


# --- multi-channel and 3-D ------------------------------------------------------------------------


def test_multi_channel_weight_rank_is_the_rank_of_its_unfolding():
    weight = [[[[1, 2], [2, 4]], [[1, 0], [0, 0]]]]  # W[o=1, i=2, 2, 2]: M = [[1, 2], [2, 4], [1, 0], [0, 0]]
    result = factor_separable(weight)
    assert result.rank == 2
    assert [step.weight.shape for step in result.chain.steps] == [(2, 2, 2, 1), (1, 2, 1, 2)]
    assert result.verdict == "proved"


def test_rank_one_3d_kernel_splits_into_three_axis_layers():
    result = factor_separable("conv3d([[[1, 2], [2, 4]], [[3, 6], [6, 12]]], padding=1)")
    assert result.factors == (((1, 3), (1, 2), (1, 2)),)
    assert repr(result.chain) == ("conv3d([[[1]], [[3]]], padding=(1, 0, 0)) >> conv3d([[[1], [2]]], padding=(0, 1, 0))"
                                  " >> conv3d([[[1, 2]]], padding=(0, 0, 1))")
    assert result.verdict == "proved"


def test_3d_kernel_of_higher_rank_is_refused_with_its_unfolding_ranks():
    with pytest.raises(NotSeparable, match=r"has unfolding ranks \(2, 2, 2\).*supported: 3-D kernels of rank one"):
        factor_separable("conv3d(k[2, 2, 2])")


def test_multi_channel_3d_weight_is_refused():
    with pytest.raises(NotSeparable, match=r"is a multi-channel 3-D weight of shape \(2, 1, 2, 2, 2\)"):
        factor_separable("conv3d(W[2, 1, 2, 2, 2])")


# --- layer arguments split per axis ------------------------------------------------------------------


def test_stride_padding_dilation_and_bias_split_per_axis():
    result = factor_separable("conv2d([[1, 2, 1], [2, 4, 2], [1, 2, 1]], stride=2, padding=(1, 2), "
                              "dilation=(1, 2), bias=[3])")
    assert repr(result.chain) == ("conv2d([[1], [2], [1]], stride=(2, 1), padding=(1, 0)) >> "
                                  "conv2d([[1, 2, 1]], stride=(1, 2), padding=(0, 2), dilation=(1, 2), bias=[3])")
    assert result.verdict == "proved"


def test_chain_text_reads_back_and_proves_equal_to_the_layer_text():
    result = factor_separable("conv2d([[1, 2, 3], [2, 4, 7], [3, 6, 10]], stride=2, padding=(0, 1))")
    lhs, rhs = parse_statement(repr(result.chain), repr(result.layer))
    assert lhs == result.chain
    assert prove(lhs, rhs).verdict == "proved"


def test_more_channels_than_the_rank_adds_zero_channels():
    result = factor_separable(GAUSSIAN, channels=3)
    assert result.channels == 3 and result.rank == 1
    assert result.chain.steps[0].weight.shape == (3, 1, 3, 1)
    assert result.verdict == "proved"


# --- refusals ---------------------------------------------------------------------------------------


def test_fewer_channels_than_the_rank_is_refuted_by_the_rank_argument():
    with pytest.raises(TooFewChannels, match=r"1 channel\(s\): at least 3 are needed; a \(3, 1\) layer then a "
                                              r"\(1, 3\) layer; K \(3 x 3\) has rank 3 over QQ; C channels compose "
                                              r"to U V with U of C columns, a matrix of rank <= C"):
        factor_separable(RANK_3, channels=1)


def test_one_dimensional_kernel_is_refused():
    with pytest.raises(KernelError, match=r"^factor --separable: the kernel \[1, 2, 1\] is 1-D"):
        factor_separable("[1, 2, 1]")


def test_zero_kernel_is_refused():
    with pytest.raises(ZeroKernel, match=r"the kernel \[\[0, 0\], \[0, 0\]\] is all zeros"):
        factor_separable("[[0, 0], [0, 0]]")


def test_nan_tap_is_refused():
    with pytest.raises(KernelError, match="kernel tap nan is not finite; expected a finite number"):
        factor_separable([[1.0, float("nan")], [2.0, 3.0]])


def test_grouped_layer_is_refused():
    with pytest.raises(InvalidArgument, match=r"groups=2 is invalid; expected 1; grouped layers are not split"):
        factor_separable("conv2d(W[2, 1, 3, 3], groups=2)")


def test_not_separable_is_a_factor_error():
    assert issubclass(NotSeparable, FactorError)


# --- properties --------------------------------------------------------------------------------------

small_ints = st.integers(min_value=-4, max_value=4)


@settings(max_examples=25, deadline=None)
@given(st.lists(small_ints, min_size=1, max_size=4), st.lists(small_ints, min_size=1, max_size=4))
def test_outer_product_of_integer_vectors_has_rank_one_and_its_factors_reproduce_it(u, v):
    if not any(u) or not any(v):
        return
    kernel = [[a * b for b in v] for a in u]
    result = factor_separable(kernel)
    assert result.rank == 1
    assert composed(result) == sympy.Matrix(kernel)
    assert result.verdict == "proved"


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4).flatmap(lambda k1: st.integers(1, 4).flatmap(
    lambda k2: st.lists(st.lists(small_ints, min_size=k2, max_size=k2), min_size=k1, max_size=k1))))
def test_random_kernel_factors_reproduce_it_with_numpy_rank_channels(kernel):
    if not any(any(row) for row in kernel):
        return
    result = factor_separable(kernel)
    assert result.rank == np.linalg.matrix_rank(np.array(kernel, dtype=float))
    assert composed(result) == sympy.Matrix(kernel)
    assert result.verdict == "proved"


# --- PyTorch ------------------------------------------------------------------------------------------


def _torch_conv(layer, x):
    import torch

    f = {2: torch.nn.functional.conv2d, 3: torch.nn.functional.conv3d}[layer.ndim]
    weight = torch.tensor(np.array(layer.weight.taps(), dtype=float), dtype=torch.float64)
    bias = None if layer.bias is None else torch.tensor([float(b) for b in layer.bias], dtype=torch.float64)
    x = torch.nn.functional.pad(x, [p for pair in reversed(layer.paddings) for p in pair])
    return f(x, weight, bias, stride=layer.strides, dilation=layer.dilations)


@pytest.mark.parametrize("text", [
    "conv2d([[1, 2, 3], [2, 4, 7], [3, 6, 10]], stride=(2, 3), padding=(1, 2))",
    "conv2d([[1, 0, -1], [2, 0, -2], [1, 0, -1]], padding=1, dilation=(2, 1), bias=[1/2])",
    "conv2d([[[[1, 2], [2, 4]], [[1, 0], [0, 3]]], [[[0, 1], [1, 1]], [[2, 2], [1, 0]]]], stride=2)",
    "conv3d([[[1, 2], [2, 4]], [[3, 6], [6, 12]]], padding=(1, 0, 1), stride=(1, 2, 1))",
])
def test_pytorch_runs_the_chain_and_the_single_layer_to_the_same_output(text):
    torch = pytest.importorskip("torch")
    result = factor_separable(text)
    layers = result.chain.steps
    generator = torch.Generator().manual_seed(0)
    for shape in ((7, 9), (8, 8), (5, 6)):
        size = shape if result.layer.ndim == 2 else shape + (6,)
        x = torch.randn((2, result.kernel.in_channels) + size, generator=generator, dtype=torch.float64)
        y = x
        for layer in layers:
            y = _torch_conv(layer, y)
        expected = _torch_conv(result.layer, x)
        assert y.shape == expected.shape
        assert torch.allclose(y, expected, atol=1e-10)


# --- CLI --------------------------------------------------------------------------------------------


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["factor", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_prints_rank_factors_chain_and_verdict(capsys):
    code, out, err = run(capsys, "[[1, 2, 1], [2, 4, 2], [1, 2, 1]]", "--separable")
    assert code == 0 and err == ""
    assert "separable rank 1, 1 channel(s)" in out
    assert "term 0: u = [1, 2, 1], v = [1, 2, 1]" in out
    assert "chain: conv2d([[1], [2], [1]]) >> conv2d([[1, 2, 1]])" in out
    assert "proof: proved" in out


def test_cli_json_has_rank_factors_chain_verdict(capsys):
    code, out, _ = run(capsys, "[[1, 2, 3], [2, 4, 7], [3, 6, 10]]", "--separable", "--json")
    obj = json.loads(out)
    assert code == 0
    assert (obj["rank"], obj["channels"], obj["minimal_channels"], obj["verdict"]) == (2, 2, 2, "proved")
    assert obj["factors"] == [[["1", "2", "3"], ["1", "2", "0"]], [["3", "7", "10"], ["0", "0", "1"]]]
    assert obj["chain"] == "conv2d([[[[1], [2], [3]]], [[[3], [7], [10]]]]) >> conv2d([[[[1, 2, 0]], [[0, 0, 1]]]])"


def test_cli_channels_below_the_rank_is_refuted_with_exit_1(capsys):
    code, out, _ = run(capsys, "[[1, 2], [3, 4]]", "--separable", "--channels", "1")
    assert code == 1
    assert out.startswith("refuted: ") and "at least 2 are needed" in out and len(out.strip().splitlines()) == 1


def test_cli_refutation_json_gives_the_rank(capsys):
    code, out, _ = run(capsys, "[[1, 2], [3, 4]]", "--separable", "--channels", "1", "--json")
    obj = json.loads(out)
    assert code == 1 and obj["verdict"] == "refuted" and obj["rank"] == 2 and obj["chain"] is None


@pytest.mark.parametrize("argv,fragment", [
    (["[[1, 2], [3]]", "--separable"], "is ragged; expected equal sizes on each axis"),
    (["[[1, nan]]", "--separable"], "'nan' in '[[1, nan]]'"),
    (["[1, 2, 1]", "--separable"], "the kernel [1, 2, 1] is 1-D"),
    (["[[1, 2], [3, 4]]", "--separable", "--sizes", "2,2"], "--sizes='2,2' is invalid; expected no value with"),
    (["[[1, 2], [3, 4]]"], "--sizes N,M is missing for the kernel '[[1, 2], [3, 4]]'"),
])
def test_cli_bad_input_exits_2_with_one_line(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert fragment in err and len(err.strip().splitlines()) == 1


def test_dsl_error_type_for_a_ragged_kernel():
    with pytest.raises(DSLError, match="is ragged"):
        factor_separable("[[1, 2], [3]]")


def test_named_kernel_of_two_sizes_is_read_as_2d():
    assert factor_separable(kernel("k", 2, 2)).rank == 2


# --- LaTeX report ---------------------------------------------------------------------------------------

needs_tex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


def test_report_states_the_rank_the_factors_and_the_verdict():
    tex = latex(factor_separable("conv2d([[1, 2, 3], [2, 4, 7], [3, 6, 10]], padding=1, bias=[1])"))
    assert r"a kernel of size $3 \times 3$, equals a $( 3, 1)$ layer" in tex
    assert r"with $C = 2$ output channels followed by a $(1, 3 )$ layer" in tex
    assert r"no such pair of layers with fewer than $2$ channels equals it" in tex
    assert r"\item $u_{1} = (3,\allowbreak 7,\allowbreak 10)$, $v_{1} = (0,\allowbreak 0,\allowbreak 1)$" in tex
    assert r"\textbf{proved}" in tex and "is added by the last layer" in tex


@needs_tex
@pytest.mark.parametrize("text", ["convolve(a[3, 1], b[1, 3])", "[[[[1, 2], [3, 4]], [[0, 1], [1, 0]]]]",
                                  "conv3d([[[1, 2], [2, 4]], [[3, 6], [6, 12]]], padding=1)"])
def test_report_compiles_with_pdflatex(tmp_path, text):
    source = tmp_path / "separable.tex"
    source.write_text(latex(factor_separable(text)), encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", source.name], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-2000:]
    assert (tmp_path / "separable.pdf").exists()


def test_cli_tex_writes_the_report(capsys, tmp_path):
    target = tmp_path / "sobel.tex"
    code, out, err = run(capsys, "[[1, 0, -1], [2, 0, -2], [1, 0, -1]]", "--separable", "--tex", str(target))
    assert code == 0 and "proof: proved" in out and f"wrote {target}" in err
    assert r"\section*{Factors}" in target.read_text(encoding="utf-8")
