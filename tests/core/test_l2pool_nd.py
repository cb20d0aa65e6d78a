"""l2pool2d/l2pool3d: construction, DSL, exact semantics, lengths, interval bounds, notation and the prover."""

import pytest
import sympy

from symconv.cli import main
from symconv.core.layers_nd import L2Pool, l2pool2d, l2pool3d, output_shape
from symconv.core.semantics_nd import evaluate_nd
from symconv.dsl import parse_chain
from symconv.errors import InvalidArgument, NotInFragment
from symconv.numeric.evaluate_nd import evaluate_nd_numeric
from symconv.prover.interval import eliminate_relus
from symconv.report.notation import layer_math


def test_l2pool2d_normalises_its_arguments_per_axis_and_prints_as_dsl():
    layer = l2pool2d(2)
    assert (layer.sizes, layer.strides, layer.paddings, layer.ndim) == ((2, 2), (2, 2), (0, 0), 2)
    assert repr(l2pool3d((2, 1, 3), stride=1, ceil_mode=True)) == "l2pool3d((2, 1, 3), stride=1, ceil_mode=True)"
    assert not layer.linear


@pytest.mark.parametrize("text", ["l2pool2d(2)", "l2pool2d((3, 2), stride=(2, 1))", "l2pool3d(2, ceil_mode=True)",
                                  "conv2d(k[3, 3]) >> l2pool2d(2, stride=1) >> relu()"])
def test_l2pool_nd_reads_back_from_its_repr(text):
    assert repr(parse_chain(repr(parse_chain(text)))) == repr(parse_chain(text))


def test_l2pool1d_is_the_one_dimensional_l2pool():
    assert parse_chain("l2pool1d(3, stride=2)") == parse_chain("l2pool(3, stride=2)")


@pytest.mark.parametrize("make, message", [
    (lambda: l2pool2d(0), r"^l2pool2d: size=0 is invalid"),
    (lambda: l2pool2d((2, 2), stride=(1, 2, 3)), r"^l2pool2d: stride=\(1, 2, 3\) is invalid"),
    (lambda: l2pool3d(2, ceil_mode=1), r"^l2pool3d: ceil_mode=1 is invalid; expected True or False$"),
])
def test_bad_l2pool_nd_arguments_are_refused(make, message):
    with pytest.raises(InvalidArgument, match=message):
        make()


def test_output_shape_is_the_pool_length_per_axis_with_ceil_mode():
    assert output_shape(l2pool2d(3, stride=2), (6, 7)) == (2, 3)
    assert output_shape(l2pool2d(3, stride=2, ceil_mode=True), (6, 7)) == (3, 3)
    assert output_shape(l2pool3d((2, 1, 3)), (5, 2, 3)) == (2, 2, 1)


def test_exact_l2pool2d_is_the_euclidean_norm_of_each_window():
    x = (((3, 4, 1), (0, 0, 1), (2, 2, 2)),)
    assert evaluate_nd(l2pool2d(2), x) == (((5,),),)
    assert evaluate_nd(l2pool2d(2, stride=1), x) == (((5, sympy.sqrt(18)), (sympy.sqrt(8), 3)),)


def test_exact_ceil_mode_window_is_scaled_by_the_window_volume_over_the_samples_it_reads():
    # PyTorch: sqrt(K avg_pool(x^2)); a window clipped to q samples averages over q, then is scaled by K = 4
    x = (((3, 4, 1), (0, 0, 1), (2, 2, 2)),)
    assert evaluate_nd(l2pool2d(2, ceil_mode=True), x) == (((5, 2), (4, 4)),)


def test_exact_l2pool_nd_keeps_symbols_under_a_square_root():
    a, b = sympy.symbols("a b")
    assert evaluate_nd(l2pool2d((1, 2)), (((a, b),),)) == (((sympy.sqrt(a ** 2 + b ** 2),),),)


def test_numeric_exact_mode_refuses_square_roots():
    with pytest.raises(NotInFragment, match=r"^l2pool2d\(2\) takes square roots, which are not rational; "
                                            r"evaluate it with exact=False$"):
        evaluate_nd_numeric(l2pool2d(2), [[[3, 4], [0, 0]]], exact=True)


def test_numeric_l2pool3d_agrees_with_the_exact_semantics():
    x = [[[[1, -2, 0], [3, 1, 1]], [[0, 2, -1], [1, 1, 2]]]]
    layer = l2pool3d((2, 1, 2), stride=1, ceil_mode=True)
    exact = evaluate_nd(layer, x)
    got = evaluate_nd_numeric(layer, x)
    assert got.shape == (1,) + output_shape(layer, (2, 2, 3))
    flat = [float(v) for plane in exact[0] for row in plane for v in row]
    assert got.reshape(-1).tolist() == pytest.approx(flat, abs=1e-12)


def test_interval_of_l2pool_nd_is_zero_to_sqrt_volume_times_the_bound():
    bound = sympy.Symbol("B", positive=True)
    result = eliminate_relus(parse_chain("l2pool2d((2, 3)) >> relu()"), bound)
    assert result.chain == l2pool2d((2, 3)) and result.steps[0].lower == 0
    # c - y >= 0 for every output y in [0, sqrt(K)] (|x| <= 1) exactly when c >= sqrt(K): K = 6, then K = 8
    assert eliminate_relus(parse_chain("l2pool2d((2, 3)) >> affine(-1, 5/2) >> relu()"), 1).steps
    assert not eliminate_relus(parse_chain("l2pool2d((2, 3)) >> affine(-1, 12/5) >> relu()"), 1).steps
    assert eliminate_relus(parse_chain("l2pool3d(2, ceil_mode=True) >> affine(-1, 3) >> relu()"), 1).steps
    assert not eliminate_relus(parse_chain("l2pool3d(2) >> affine(-1, 14/5) >> relu()"), 1).steps


def test_notation_prints_the_l2pool_nd_layer():
    assert str(layer_math(l2pool2d(2, stride=(1, 2)))) == r"\operatorname{l2pool}_{s=(1, 2)}(2 \times 2)"
    assert str(layer_math(l2pool3d((1, 2, 2), ceil_mode=True))).startswith(r"\operatorname{l2pool}_{\text{ceil\_mode}")


def test_congruence_proves_equal_chains_before_a_shared_l2pool2d(capsys):
    code = main(["prove", "conv2d(k[3, 3]) >> conv2d(j[2, 2]) >> l2pool2d(2)",
                 "conv2d(convolve(k, j)) >> l2pool2d(2)"])
    assert code == 0 and capsys.readouterr().out.startswith("proved:")


@pytest.mark.parametrize("lhs, rhs", [
    ("l2pool2d(2) >> relu()", "l2pool2d(2)"),  # a norm is never negative
    ("affine(-1) >> l2pool2d(2)", "l2pool2d(2)"),  # nor does it see signs
    ("l2pool3d(2)", "l2pool3d(2, stride=1) >> down((2, 2, 2))"),
])
def test_true_l2pool_nd_identities_are_checked_numerically(lhs, rhs, capsys):
    code = main(["prove", lhs, rhs])
    assert code == 0 and capsys.readouterr().out.startswith("checked:")


def test_a_false_l2pool2d_identity_is_refuted_with_exact_square_roots(capsys):
    code = main(["prove", "affine(2) >> l2pool2d(2)", "l2pool2d(2)"])
    out = capsys.readouterr().out
    assert code == 1 and out.startswith("refuted:") and "sqrt(" in out


def test_ceil_mode_changes_the_shape_and_is_refuted(capsys):
    code = main(["prove", "l2pool2d(2, ceil_mode=True)", "l2pool2d(2)"])
    assert code == 1 and "the output shapes differ" in capsys.readouterr().out


def test_l2pool_nd_is_an_l2pool_nd_layer():
    assert isinstance(parse_chain("l2pool3d(2)"), L2Pool)
