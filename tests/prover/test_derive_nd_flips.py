"""derive on N-D chains with flips: flips that cancel give the single convolution; a chain that reverses its
input is no convolution, and derive gives no kernel (it read zeros off the interior before)."""

from __future__ import annotations

from symconv.prover.derive_nd import derive_nd_text


def test_a_chain_that_reverses_an_axis_of_its_input_has_no_kernel_and_says_why():
    derivation = derive_nd_text("flip(axes=(1,)) >> conv2d([[1, 2]])")
    assert derivation.kernel is None and not derivation.exact
    assert derivation.note == ("kernel: none; with every flip moved to the input the chain begins with "
                               "flip(axes=(1,)), which reverses its input: no single convolution is it")
    assert derivation.to_json()["kernel"] is None and derivation.receptive_field == (1, 2)


def test_flips_that_cancel_give_the_single_convolution_with_the_flipped_kernel():
    derivation = derive_nd_text("flip(axes=(1,)) >> conv2d([[1, 2, 5]], padding=((0, 0), (1, 0))) >> "
                                "flip(axes=(1,))")
    assert derivation.kernel == [[5, 2, 1]] and derivation.exact and derivation.note is None
    assert repr(derivation.layer) == "conv2d([[5, 2, 1]], padding=((0, 0), (0, 1)))"
