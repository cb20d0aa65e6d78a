"""Tamper suite: every field of a valid certificate, changed, is rejected with a message naming what failed.

For each rule a valid certificate is made by the prover (2-D: written by hand). Then each
number, each kernel and layer parameter of the statement, each rule name, the side, the hash,
the version and the format are changed one at a time; the kernel must refuse each one, and its
message must name the step that failed (``step i (rule)``) or the part of the certificate that
is wrong (the hash, the version, the format).
"""

from __future__ import annotations

import copy
import json
import re
from fractions import Fraction
from functools import lru_cache

import pytest
import sympy

from symconv.checker import Certificate, Rule, replay
from symconv.errors import CertificateError
from symconv.dsl import parse_chain
from symconv.library import facts
from symconv.prover import prove
from symconv.prover.certify import length_certificate
from tests.checker.tampering import rehash, rejection

#: One valid certificate per rule (the rule's step is named in the second item).
SOURCES = {
    "flips": ("flip() >> conv(k[3], padding=(0, 1))", "conv(flip(k), padding=(1, 0)) >> flip()"),
    "residue": ("flip() >> conv(k[3], stride=2) >> flip() >> up(2)", "flip() >> conv(k, stride=2) >> up(2) >> flip()"),
    "generic": ("conv(k[c], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    "stride": ("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)"),
    "tolerance": ("conv([1, 2], padding=1)", "conv([1, 2001/1000], padding=1)"),
    "relu": ("conv([1, -2]) >> affine(1, 3) >> relu() >> conv([1, 1], bias=[-6])", "conv([1, -1, -2])"),
    "relu_at": ("conv([1, -2]) + (conv([1, 1]) >> affine(1, 3) >> relu())", "conv([2, -1], bias=[3])"),
    "interior": ("conv2d(k[2, 2], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)"),
    "factored": ("conv(k[2], stride=2, padding=(1, 0)) >> conv(j[2]) >> conv(k) >> conv(k) >> conv(k) >> conv(k)",
                 "conv(convolve(k, dilate(convolve(convolve(j, k), convolve(k, convolve(k, k))), 2)), stride=2, "
                 "padding=(1, 0))"),
    "factored_nd": ("conv2d(k[2, 2], stride=(2, 1), padding=(1, 0)) >> conv2d(j[2, 2]) >> conv2d(k) >> conv2d(k) >> "
                    "conv2d(k) >> conv2d(k)",
                    "conv2d(convolve(k, dilate(convolve(convolve(j, k), convolve(k, convolve(k, k))), (2, 1))), "
                    "stride=(2, 1), padding=(1, 0))"),
    "flips_nd": ("conv2d(k[2, 2]) >> flip(axes=(0,)) >> conv2d(j[2, 2])",
                 "conv2d(convolve(k, flip(j, axes=(0,)))) >> flip(axes=(0,))"),
    "flip_classes_nd": ("flip(axes=(1,)) >> down((1, 2)) >> flip(axes=(1,)) >> conv2d(k[2, 2])",
                        "flip(axes=(1,)) >> down((1, 2)) >> conv2d(flip(k, axes=(1,))) >> flip(axes=(1,))"),
    "congruence": ("conv([1, 2], bias=[1]) >> affine(2, 1) >> relu() >> conv([1, 1])",
                   "conv([2, 4], bias=[3]) >> relu() >> conv([1, 1])"),
    "padding_as_pad": ("conv(W[10, 10, 3], padding=1) >> relu() >> conv(V[10, 10, 2], padding=(0, 1))",
                       "pad(1) >> conv(W[10, 10, 3]) >> relu() >> pad(0, 1) >> conv(V[10, 10, 2])"),
    "relu_pairing": ("conv([[[1, 2]], [[-1, -2]]]) >> affine(1, 0) >> relu() >> conv([[[1, 1], [-1, -1]]])",
                     "conv([1, 3, 2])"),
    "tolerance_network": ("conv([1, 1/2]) >> relu() >> conv([1, -1])", "conv([1, 501/1000]) >> relu() >> conv([1, -1])"),
    "tolerance_network_sum": ("((conv([1/2]) >> relu()) + pad(0)) >> relu() >> conv([1, -1])",
                              "((conv([501/1000]) >> relu()) + pad(0)) >> relu() >> conv([1, -1])"),
    "generic_nd": ("conv2d(k[c, 3], stride=2) >> conv2d(k, stride=2)", "conv2d(convolve(k, dilate(k, 2)), stride=4)"),
    "merge_branches": ("conv2d(k[c, 3], stride=2) + conv2d(flip(k), stride=2)", "conv2d(k + flip(k), stride=2)"),
    "drop_identity_layers": ("conv2d(k[c, 3], stride=(2, 1)) >> pad((0, 0))", "conv2d(flip(flip(k)), stride=(2, 1))"),
}
#: Keyword arguments of ``prove`` for a source.
OPTIONS = {"tolerance": {"atol": "1/100"}, "relu": {"assume": ["abs(x) <= 1"]},
           "relu_at": {"assume": ["abs(x) <= 1"]}, "tolerance_network": {"atol": "1/100"},
           "tolerance_network_sum": {"atol": "1/100"}}
NAMES = ("flips", "residue", "generic", "generic_instances", "product_bound", "tolerance", "relu", "relu_at", "interior", "factored", "factored_nd", "length",
         "flips_nd", "flip_classes_nd", "congruence", "padding_as_pad", "relu_pairing",
         "tolerance_network", "generic_nd", "tolerance_network_sum", "length_nd", "merge_branches", "drop_identity_layers",
         "polynomial_identity", "gaussian_moment", "no_real_root", "rational_sign", "nonnegative_combination")
#: Fact certificates (symconv.library.facts): their statements are texts of the kernel's expression reader.
FACTS = {"polynomial_identity": lambda: facts.identity("a**2 + b**2 - 2*a*b*c - a**2*(1 - c**2)", "(b - a*c)**2",
                                                       ["a", "b", "c"]),
         "gaussian_moment": lambda: facts.gaussian_moment(2, "1/2"),
         "no_real_root": lambda: facts.no_real_root([1, -2, 3, 0, 4], "z"),
         "rational_sign": lambda: facts.rational_sign("(2 - 3/4)*(2 - 5/8) - (1/16)**2", Fraction(439, 256)),
         "nonnegative_combination": lambda: facts.nonnegative("(u - (-v))*x**2 - (u - 0)*x**2", ["u", "v", "x"],
                                                              ["u", "v"])}
LENGTH = ("conv(k[3], stride=2, padding=1) >> conv(h[2])", sympy.floor((sympy.Symbol("n") - 1) / 2))
#: len(conv2d(...))(n1, n2) == (floor((n1 - 1)/2) + 1, n2 - 4) for n1, n2 >= 4: one formula per axis.
LENGTH_ND = ("conv2d(k[3, 5], stride=(2, 1), padding=(1, 0))",
             (sympy.floor((sympy.Symbol("n") - 1) / 2) + 1, sympy.Symbol("n") - 4))
PRODUCT_BOUND = {"format": "symconv-certificate", "version": 2, "solved": [], "assumptions": [],
                 "lhs": "conv2d(k[2, 2], stride=2) >> conv2d(k[2, 2], stride=2)",
                 "rhs": "conv2d(convolve(k[2, 2], dilate(k[2, 2], 2)), stride=4)",
                 "steps": [{"rule": "product_bound", "axes": [[4, 4, 8], [4, 4, 8]]}]}


@lru_cache(maxsize=None)
def _valid_text(name: str) -> str:
    if name == "product_bound":
        return json.dumps(rehash(copy.deepcopy(PRODUCT_BOUND)))
    if name in FACTS:
        return FACTS[name]().dumps()
    if name == "generic_instances":  # the certificate the prover falls back to outside generic_argument
        from symconv.dsl import parse_statement
        from symconv.prover.generic_proof import _certificate

        return _certificate(*parse_statement(*SOURCES["generic"]), "c", 4).dumps()
    if name == "length":  # len(conv(k[3], stride=2, padding=1) >> conv(h[2]))(n) == floor((n - 1)/2), n >= 1
        return length_certificate(parse_chain(LENGTH[0]), LENGTH[1], period=2, start=3, min_n=1).dumps()
    if name == "length_nd":
        return length_certificate(parse_chain(LENGTH_ND[0]), LENGTH_ND[1], period=2, start=5, min_n=4).dumps()
    proof = prove(*SOURCES[name], **OPTIONS.get(name, {}))
    assert proof.verdict == "proved", proof.note
    return proof.certificate.dumps()


def valid(name: str) -> dict:
    return json.loads(_valid_text(name))


def _numbers(value, path=()):
    """``(path, number)`` for every integer inside a step's fields."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, path + (index,))
    elif isinstance(value, int) and not isinstance(value, bool):
        yield path, value


def _set(obj: dict, path: tuple, value) -> None:
    for key in path[:-1]:
        obj = obj[key]
    obj[path[-1]] = value


def _number_cases():
    for name in NAMES:
        for index, step in enumerate(valid(name)["steps"]):
            for key, field in step.items():
                for path, number in _numbers(field, (key,)):
                    for bad in ("1", 1.5, None, True, -1, 10**6):
                        where = ".".join(map(str, path))
                        yield pytest.param(name, index, path, bad, id=f"{name}-{index}-{where}={bad!r}")


def test_the_valid_certificates_replay():
    for name in NAMES:
        replay(Certificate.from_json(valid(name)))
    rules = {step["rule"] for name in NAMES for step in valid(name)["steps"]}
    assert rules == {rule.value for rule in Rule}  # every rule is covered below


@pytest.mark.parametrize("name, index, path, bad", list(_number_cases()))
def test_every_number_of_every_step_changed_is_rejected_naming_the_step(name, index, path, bad):
    obj = valid(name)
    _set(obj["steps"][index], path, bad)
    message = rejection(obj)
    assert f"step {index} ({obj['steps'][index]['rule']})" in message or f"steps[{index}]" in message


#: Semantic changes of the numbers that keep their types: each makes the step false.
SEMANTIC = [
    ("stride", 0, "period", 2, "2 is not a period of .* it does not move conv\\(k\\[3\\], stride=2\\) rigidly"),
    ("stride", 0, "start", 3, "an intermediate length of .* is 0 at n = 3"),
    ("flips", 3, "start", 2, "fewer than 1 consecutive interior outputs between the ends at n = 2"),
    ("flips", 3, "limit", None, "limit >= start \\+ period"),
    ("residue", 0, "period", 3, "not a multiple of the strides"),
    ("residue", 0, "start", 1, "intermediate length"),
    ("generic_instances", 0, "instances", "drop-last", "the instances cover c in \\[1, 2, 3, 4, 5\\]"),
    ("generic_instances", 0, "instances", "cut-to-1", "the instances cover c in \\[1\\]"),
    ("generic_instances", 0, "instances", "swap", "the instances cover c in \\[2, 1,"),
    ("generic", 0, "period", 3, "period 3 is not a multiple of the strides"),
    ("generic", 0, "symbol", "d", "the generic lengths \\['c'\\]; the rule takes exactly one, d"),
    ("product_bound", 0, "axes", [[1, 4, 5], [1, 4, 5]], "intermediate length"),
    ("tolerance", 0, "atol", "1/10000", "differ by up to 1/1000, more than atol"),
    ("tolerance", 0, "gain", "1/999", "not the claimed 1/999"),
    ("tolerance_network_sum", 0, "sums", [], "sums must be a list of 1 objects \\{branches, error, reach\\}"),
    ("tolerance_network_sum", 0, "bound", "1/1000", "the bound e is 1/500, not the claimed 1/1000"),
    ("relu", 0, "index", 1, "layer 1 of .* is not a relu\\(\\)"),
    ("relu", 0, "side", "rhs", "layer 2 of conv\\(\\[1, -1, -2\\]\\) is not a relu\\(\\)"),
    ("relu", 0, "start", 1, "intermediate length"),
    ("interior", 0, "shape", [7, 8], "the shape \\[7, 8\\] is not interior on axis 1"),
    ("interior", 0, "axes", [[1, 4, 5], [4, 4, 8]], "axis 1: an intermediate length .* is 0 at n = 1"),
    ("interior", 0, "axes", [[4, 2, 8], [4, 4, 8]], "axis 1: 2 is not a period of"),
    ("factored", 0, "period", 1, "1 is not a period of .* it does not move conv\\(k\\[2\\], stride=2, padding=\\(1, 0\\)\\) rigidly"),
    ("factored", 0, "start", 10, "an intermediate length of .* is 0 at n = 10"),
    ("factored", 0, "limit", None, "limit >= start \\+ period"),
    ("factored_nd", 0, "period", 1, "axis 1: 1 is not a period of .* it does not move conv\\(\\[1, 1\\], stride=2"),
    ("factored_nd", 0, "start", 3, "axis 1: an intermediate length of .* is 0 at n = 3"),
    ("factored_nd", 0, "limit", None, "axis 1: expected integers period, start >= 1 and limit >= start \\+ period"),
    ("congruence", 0, "lhs", 1, "layer 1 of lhs, affine\\(2, 1\\), and layer 1 of rhs, relu\\(\\), differ"),
    ("congruence", 0, "rhs", 2, "layer 2 of rhs, conv\\(\\[1, 1\\]\\), differ"),
    ("length", 0, "period", 1, "1 is not a period of .* it does not move conv\\(k\\[3\\], stride=2, padding=1\\) rigidly"),
    ("length", 0, "start", 2, "an intermediate length of .* is 0 at n = start = 2"),
    ("length", 0, "limit", None, "limit 4 cuts the window: it must be at least start \\+ period = 5"),
    ("length_nd", 0, "period", 1, "axis 1: 1 is not a period of .* it does not move conv\\(\\[1, 1, 1\\], stride=2"),
    ("length_nd", 0, "start", 4, "axis 2: an intermediate length of .* is 0 at n2 = start = 4"),
    ("polynomial_identity", 0, "symbols", ["a", "b"], "expected a number, one of the symbols \\['a', 'b'\\], sqrt"),
    ("gaussian_moment", 0, "power", 4, "the statement's lhs 'E\\[relu\\(g\\)\\*\\*2\\]' is not "
                                       "'E\\[relu\\(g\\)\\*\\*4\\]'"),
    ("gaussian_moment", 0, "domain", "real_line", "the statement's lhs .* is not 'E\\[g\\*\\*2\\]'"),
    ("no_real_root", 0, "sign_changes", [3, 3], "has 2 and 2 sign changes at -oo and \\+oo, not \\[3, 3\\]"),
    ("no_real_root", 0, "variable", "x", "expected a number, one of the symbols \\['x'\\]"),
    ("rational_sign", 0, "value", "440/256", "the expression is 439/256, not the claimed value 440/256"),
    ("rational_sign", 0, "value", "-439/256", "the expression is 439/256, not the claimed value -439/256"),
    ("nonnegative_combination", 0, "nonnegative", ["u"], "the term v\\*x\\*\\*2 of v\\*x\\*\\*2 is not >= 0 for u >= 0"),
    ("nonnegative_combination", 0, "nonnegative", ["w"], "nonnegative \\['w'\\] must be a list of distinct names"),
    ("nonnegative_combination", 0, "symbols", ["u", "v"], "expected a number, one of the symbols \\['u', 'v'\\]"),
]


@pytest.mark.parametrize("name, index, key, change, message", SEMANTIC)
def test_a_number_changed_to_a_false_value_is_rejected_by_the_replay(name, index, key, change, message):
    obj = valid(name)
    step = obj["steps"][index]
    if key == "limit":
        step["limit"] = step["start"] + step["period"] - 1
    elif change == "drop-last":
        step["instances"] = step["instances"][:-1]
    elif change == "cut-to-1":
        step["instances"] = step["instances"][:1]
    elif change == "swap":
        step["instances"][0], step["instances"][1] = step["instances"][1], step["instances"][0]
    else:
        step[key] = change
    text = rejection(obj)
    assert text.startswith(f"step {index} ({step['rule']})")
    assert re.search(message, text), text


def _rule_swaps():
    for name in NAMES:
        for index, step in enumerate(valid(name)["steps"]):
            for rule in [r.value for r in Rule if r.value != step["rule"]] + ["magic"]:
                yield pytest.param(name, index, rule, id=f"{name}-{index}-{rule}")


@pytest.mark.parametrize("name, index, rule", list(_rule_swaps()))
def test_every_rule_name_changed_is_rejected_naming_the_step(name, index, rule):
    obj = valid(name)
    if {rule, obj["steps"][index]["rule"]} == {"eventual_periodicity", "factored_interior"}:
        # the same fields: a flip-free goal of single-channel conv chains may be closed by either (both sound);
        # the swap is refused exactly when the goal is outside the new rule
        obj["steps"][index]["rule"] = rule
        try:
            replay(Certificate.from_json(obj))
        except CertificateError as err:
            assert str(err).startswith(f"step {index} ({rule})"), err
        return
    obj["steps"][index]["rule"] = rule
    message = rejection(obj)
    if rule == "padding_as_pad" and "padding" in obj["lhs"] + obj["rhs"]:
        # a true rewrite of a padded statement: nothing is wrong at that step, a later one fails
        failed = int(re.match(r"step (\d+)", message).group(1))
        assert failed > index or (failed == index and rule in message), message
        return
    assert f"step {index}" in message and (rule in message or "unknown rule" in message)


@pytest.mark.parametrize("name", NAMES)
def test_a_certificate_without_its_closing_step_is_rejected(name):
    obj = valid(name)
    del obj["steps"][-1]
    assert rejection(obj).startswith("the certificate ends before the statement is closed")


@pytest.mark.parametrize("index, message", [
    (1, "step 1 (strip_input_flip): both sides must start with flip()"),
    (2, "step 2 (eventual_periodicity): flip() >> conv(k[3], padding=(0, 1)) still has a flip"),
])
def test_a_flip_step_dropped_is_rejected_at_the_step_that_needed_it(index, message):
    obj = valid("flips")
    del obj["steps"][index]
    assert rejection(obj).startswith(message)


def test_dropping_a_flip_conjugation_that_moved_nothing_leaves_a_valid_proof():
    # the lhs flip() is already at the input, so its conjugation step is the identity
    obj = valid("flips")
    del obj["steps"][0]
    assert replay(Certificate.from_json(obj)).scope == "every input length"


@pytest.mark.parametrize("side", ["both", "", 3, None])
def test_a_flip_conjugation_side_changed_is_rejected_naming_the_step(side):
    obj = valid("flips")
    obj["steps"][0]["side"] = side
    assert rejection(obj).startswith("step 0 (flip_conjugation): side must be 'lhs' or 'rhs'")


def test_the_sides_of_flip_conjugation_swapped_are_rejected_at_the_flip_strip():
    obj = valid("flips")
    obj["steps"][1]["side"] = "lhs"  # the rhs flip() is then never moved to the input
    assert rejection(obj).startswith("step 2 (strip_input_flip): both sides must start with flip()")


#: Kernels and layer parameters of each statement, changed to make it false: (old, new) in lhs or rhs.
STATEMENT_CHANGES = {
    "flips": [("rhs", "flip(k[3])", "k[3]"), ("rhs", "padding=(1, 0)", "padding=(0, 1)"),
              ("lhs", "k[3], padding", "k[4], padding"), ("lhs", "padding=(0, 1)", "padding=(0, 2)"),
              ("lhs", "conv(k[3]", "conv(k[3], dilation=2")],
    "residue": [("lhs", "stride=2", "stride=3"), ("rhs", "up(2)", "up(3)"), ("rhs", "conv(k[3]", "conv(flip(k[3])"),
                ("lhs", "conv(k[3], stride=2)", "conv(k[3], stride=2, padding=1)")],
    "generic": [("rhs", "dilate(k[c], 2)", "dilate(k[c], 3)"), ("rhs", "stride=4", "stride=2"),
                ("lhs", ">> conv(k[c], stride=2)", ">> conv(k[c], stride=2, padding=1)"),
                ("rhs", "convolve(k[c], dilate(k[c], 2))", "convolve(dilate(k[c], 2), flip(k[c]))")],
    "product_bound": [("rhs", "dilate(k[2, 2], 2)", "dilate(k[2, 2], 3)"), ("rhs", "stride=4", "stride=2"),
                      ("lhs", "k[2, 2], stride=2) >>", "k[2, 2], stride=2, padding=1) >>")],
    "interior": [("rhs", "dilate(k[2, 2], 2)", "dilate(k[2, 2], 3)"), ("rhs", "stride=4", "stride=2"),
                 ("lhs", "k[2, 2], stride=2) >>", "k[2, 2], stride=2, padding=1) >>"),
                 ("rhs", "convolve(k[2, 2], dilate", "convolve(flip(k[2, 2]), dilate")],
    "relu": [("lhs", "affine(1, 3)", "affine(1, 2)"), ("lhs", "conv([1, -2])", "conv([1, -3])"),
             ("rhs", "[1, -1, -2]", "[1, -1, -3]"), ("lhs", "bias=[-6]", "bias=[-5]")],
    "relu_at": [("lhs", "affine(1, 3)", "affine(1, 1)"), ("rhs", "bias=[3]", "bias=[2]"),
                ("lhs", "conv([1, 1])", "conv([1, 2])")],
    "tolerance": [("rhs", "2001/1000", "2011/1000"), ("rhs", "padding=1", "padding=(1, 0)"),
                  ("lhs", "[1, 2]", "[1, 2, 0]")],
    "flips_nd": [("rhs", "flip(j[2, 2], axes=(0,))", "flip(j[2, 2], axes=(1,))"),
                 ("lhs", "flip(axes=(0,))", "flip(axes=(1,))"), ("rhs", ">> flip(axes=(0,))", ">> flip()"),
                 ("lhs", "conv2d(k[2, 2])", "conv2d(k[2, 2], stride=(2, 1))")],
    "flip_classes_nd": [("rhs", "flip(k[2, 2], axes=(1,))", "k[2, 2]"), ("lhs", "down((1, 2))", "down((2, 2))"),
                        ("rhs", "conv2d(flip(k[2, 2], axes=(1,))) >> flip(axes=(1,))",
                         "conv2d(flip(k[2, 2], axes=(1,))) >> flip(axes=(0,))")],
    "congruence": [("lhs", "affine(2, 1)", "affine(2, 2)"), ("rhs", "bias=[3]", "bias=[2]"),
                   ("rhs", "relu() >> conv([1, 1])", "relu() >> conv([1, 2])"), ("lhs", "relu()", "relu() >> relu()")],
    "relu_pairing": [("lhs", "[[-1, -2]]", "[[-1, -3]]"), ("lhs", "[-1, -1]", "[-1, 1]"),
                     ("lhs", "affine(1, 0)", "affine(1, 1)"), ("rhs", "[1, 3, 2]", "[1, 3, 3]")],
    "tolerance_network_sum": [("rhs", "501/1000", "511/1000"), ("rhs", "+ pad(0)", "+ pad(0) + pad(0)"),
                              ("lhs", "+ pad(0)", "+ conv([1/2])")],
    "padding_as_pad": [("lhs", "padding=1", "padding=2"), ("rhs", "pad(0, 1)", "pad(1, 0)"),
                       ("lhs", "relu() >> ", ""), ("rhs", "V[10, 10, 2]", "V[10, 10, 1]")],
    "drop_identity_layers": [("lhs", "pad((0, 0))", "pad((0, 1))"), ("rhs", "flip(flip(k[c, 3]))", "flip(k[c, 3])"),
                             ("lhs", "stride=(2, 1)", "stride=(1, 2)")],
    "merge_branches": [("rhs", "flip(k[c, 3])", "flip(k[c, 3], axes=(0,))"),
                       ("lhs", "conv2d(flip(k[c, 3]), stride=2)", "conv2d(flip(k[c, 3], axes=(1,)), stride=2)"),
                       ("rhs", "k[c, 3] + flip", "k[c, 3] + k[c, 3] + flip")],
    "generic_nd": [("rhs", "dilate(k[c, 3], 2)", "dilate(k[c, 3], 3)"), ("rhs", "stride=4", "stride=2"),
                   ("lhs", ">> conv2d(k[c, 3], stride=2)", ">> conv2d(k[c, 3], stride=2, padding=1)"),
                   ("rhs", "convolve(k[c, 3], dilate", "convolve(flip(k[c, 3]), dilate")],
    "length": [("lhs", "stride=2", "stride=3"), ("lhs", "padding=1", "padding=2"), ("lhs", "h[2]", "h[3]"),
               ("lhs", "conv(k[3]", "conv(k[3], dilation=2")],
    "factored_nd": [("rhs", "(2, 1))), stride", "(1, 2))), stride"), ("rhs", "stride=(2, 1)", "stride=(1, 2)"),
                    ("lhs", "conv2d(j[2, 2])", "conv2d(j[2, 2], padding=(0, 1))")],
    "length_nd": [("lhs", "k[3, 5]", "k[3, 4]"), ("lhs", "stride=(2, 1)", "stride=(1, 1)"),
                  ("lhs", "padding=(1, 0)", "padding=(0, 0)")],
    "polynomial_identity": [("rhs", "(b - a*c)**2", "(b + a*c)**2"), ("lhs", "2*a*b*c", "2*a*b"),
                            ("lhs", "(1 - c**2)", "(1 + c**2)")],
    "gaussian_moment": [("rhs", "1/2", "1/3"), ("rhs", "1/2", "1/sqrt(2*pi)"), ("lhs", "relu(g)", "g")],
    "no_real_root": [("lhs", "3*z**2", "-3*z**2"), ("lhs", "4*z**4", "4*z**3"), ("rhs", "0", "1")],
    "rational_sign": [("lhs", "(2 - 3/4)", "(1 - 3/4)"), ("lhs", "(1/16)**2", "(1/16)**3"), ("rhs", "1", "-1")],
    "nonnegative_combination": [("lhs", "(u - 0)", "(u + 2*v)"), ("lhs", "x**2 - ", "x - "), ("rhs", "true", "false")],
}


def _statement_cases():
    for name, changes in STATEMENT_CHANGES.items():
        for side, old, new in changes:
            yield pytest.param(name, side, old, new, id=f"{name}-{side}-{new}")


@pytest.mark.parametrize("name, side, old, new", list(_statement_cases()))
def test_a_kernel_or_layer_parameter_changed_is_rejected(name, side, old, new):
    obj = valid(name)
    assert old in obj[side]
    obj[side] = obj[side].replace(old, new, 1)
    assert rejection(copy.deepcopy(obj)).startswith("statement hash")  # the hash no longer matches
    message = rejection(rehash(obj))  # a matching hash: the replay itself must refuse the false statement
    assert message.startswith("step ") or "does not parse" in message or "ends before" in message, message


def test_a_generic_statement_with_a_concrete_length_cannot_borrow_the_generic_certificate():
    concrete = {"lhs": "conv(k[3], stride=2) >> conv(k[3], stride=2)",
                "rhs": "conv(convolve(k[3], dilate(k[3], 2)), stride=4)"}
    obj = rehash(dict(valid("generic_instances"), **concrete))
    assert rejection(obj) == "step 0 (generic_instances): the statement has no generic length c"
    obj = rehash(dict(valid("generic"), **concrete))
    assert rejection(obj) == "step 0 (generic_argument): the statement has the generic lengths []; the rule takes " \
                             "exactly one, c"


@pytest.mark.parametrize("key, value, message", [
    ("statement_hash", "sha256:" + "0" * 64, "statement hash 'sha256:0000"),
    ("statement_hash", "", "statement hash ''"),
    ("solved", ["k"], "statement hash"),
    ("assumptions", ["abs(x) <= 1"], "statement hash"),
    ("version", 1, "certificate version 1: this checker reads version 2"),
    ("version", "2", "certificate version '2'"),
    ("format", "symconv-certificate/1", "not a symconv certificate"),
    ("extra", 1, "unknown key"),
])
def test_the_hash_the_version_and_the_statement_fields_are_checked(key, value, message):
    obj = valid("flips")
    obj[key] = value
    assert message in rejection(obj)


def test_an_extra_field_in_a_step_is_rejected_naming_the_step():
    obj = valid("flips")
    obj["steps"][3]["offset"] = 1
    assert rejection(obj).startswith("step 3 (eventual_periodicity): fields ['limit', 'offset', 'period', 'start']")


@pytest.mark.parametrize("key", ["atol", "rtol", "gain"])
@pytest.mark.parametrize("bad", ["abc", "-1/2", "1/0", "", 1, None])
def test_every_rational_of_a_tolerance_step_changed_to_a_non_rational_is_rejected_naming_the_step(key, bad):
    obj = valid("tolerance")
    obj["steps"][0][key] = bad
    message = rejection(obj)
    assert message.startswith("step 0 (tolerance)") or "steps[0]" in message, message


@pytest.mark.parametrize("assumptions, message", [
    (["abs(x) <= 2"], r"step 0 \(relu_identity\): at n = \d+ the relu\(\) input .* < 0 under \|x\| <= 2"),
    ([], r"step 0 \(relu_identity\): the certificate declares 0 input bound"),
    (["x > 0"], "the assumptions \\['x > 0'\\] do not parse"),
])
def test_the_declared_bound_changed_is_rejected_even_with_a_matching_hash(assumptions, message):
    obj = valid("relu")
    obj["assumptions"] = assumptions
    assert re.search(message, rejection(rehash(obj)))
