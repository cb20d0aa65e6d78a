"""The kernel's rewrite ``drop_identity_layers``: pad(0, 0), crop(0, 0), down(1) and up(1) (per axis in N-D) are the
identity, checked exhaustively at small sizes in 1-D and 2-D by the core's exact semantics; the rewrite keeps each
side's axes and is refused where it leaves out nothing."""

from __future__ import annotations

import itertools

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.checker.identity_layers import drop_identity_layers, is_identity_layer
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.core.semantics_nd import every_output_exact
from symconv.dsl import parse_chain
from symconv.errors import CertificateError

IDENTITIES_1D = ("pad(0)", "pad(0, 0)", "crop(0)", "down(1)", "up(1)")
IDENTITIES_2D = ("pad((0, 0))", "crop((0, 0), (0, 0))", "down((1, 1))", "up((1, 1))")
NOT_IDENTITIES = ("pad(0, 1)", "crop(1, 0)", "down(2)", "down(2, 1)", "up(2)", "pad((0, 1))", "down((1, 2))",
                  "up((2, 1))", "flip()", "relu()")


@pytest.mark.parametrize("identity", IDENTITIES_1D)
def test_a_1d_identity_layer_left_out_of_a_chain_changes_no_output_at_any_small_length(identity):
    for where in range(3):
        layers = ["conv(k[2], padding=(0, 1))", "down(2)"]
        layers.insert(where, identity)
        chain = parse_chain(" >> ".join(layers))
        rewritten = drop_identity_layers(chain)
        assert repr(rewritten) == "conv(k[2], padding=(0, 1)) >> down(2)"
        for n in range(10):
            x = exact_input(n)
            assert evaluate_exact(chain, x) == evaluate_exact(rewritten, x), (identity, where, n)


@pytest.mark.parametrize("identity", IDENTITIES_2D)
def test_a_2d_identity_layer_left_out_of_a_chain_changes_no_output_at_any_small_shape(identity):
    chain = parse_chain(f"conv2d(k[2, 2], stride=(1, 2)) >> {identity} >> conv2d(j[1, 2], padding=(1, 0))")
    rewritten = drop_identity_layers(chain)
    assert repr(rewritten) == "conv2d(k[2, 2], stride=(1, 2)) >> conv2d(j[1, 2], padding=(1, 0))"
    for shape in itertools.product(range(5), range(5)):
        assert every_output_exact(chain, shape, 1) == every_output_exact(rewritten, shape, 1), shape


def test_only_identities_are_identity_layers():
    assert all(is_identity_layer(parse_chain(text)) for text in IDENTITIES_1D + IDENTITIES_2D)
    assert not any(is_identity_layer(parse_chain(text)) for text in NOT_IDENTITIES)


def test_an_identity_alone_is_pad_0_and_an_identity_that_gives_a_chain_its_axes_is_kept():
    assert repr(drop_identity_layers(parse_chain("crop(0) >> down(1)"))) == "pad(0)"
    assert repr(drop_identity_layers(parse_chain("(conv(k[1]) >> up(1)) + crop(0)"))) == "conv(k[1]) + pad(0)"
    for kept in ("flip() >> pad((0, 0))", "relu() >> down((1, 1)) >> flip()", "flip() >> pad(0)"):
        assert drop_identity_layers(parse_chain(kept)) == parse_chain(kept)


def _certificate(lhs: str, rhs: str, steps: list) -> Certificate:
    data = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [], "lhs": lhs, "rhs": rhs,
            "steps": steps}
    data["statement_hash"] = statement_hash(lhs, rhs, (), ())
    return Certificate.from_json(data)


def test_the_kernel_proves_a_chain_with_identities_equal_to_the_chain_without_them():
    theorem = replay(_certificate("conv(k[3]) >> up(1) >> conv(h[2]) >> crop(0)", "conv(k[3]) >> down(1) >> conv(h[2])",
                                  [{"rule": "drop_identity_layers"}, {"rule": "congruence", "lhs": 0, "rhs": 0}]))
    assert theorem.scope == "every input length" and theorem.rests_on == ()


def test_a_rewrite_that_leaves_out_nothing_is_refused_and_a_false_statement_is_found_by_the_next_step():
    with pytest.raises(CertificateError, match=r"step 0 \(drop_identity_layers\): neither side has a pad, crop, down "
                                               r"or up layer that is the identity to leave out"):
        replay(_certificate("conv(k[3]) >> pad(0, 1)", "conv(k[3]) >> pad(0, 1)", [{"rule": "drop_identity_layers"}]))
    with pytest.raises(CertificateError, match=r"step 1 \(congruence\): layer 1 of lhs, conv\(h\[2\]\), and layer 1 "
                                               r"of rhs, conv\(h\[2\], padding=\(1, 0\)\), differ"):
        replay(_certificate("conv(k[3]) >> pad(0) >> conv(h[2])", "conv(k[3]) >> conv(h[2], padding=(1, 0))",
                            [{"rule": "drop_identity_layers"}, {"rule": "congruence", "lhs": 1, "rhs": 1}]))
