"""Tampered ``generic_interior_nd`` certificates of the wider fragment (a shared prefix, transposed convolutions,
biases): every changed number, a false prefix or period, and every false change of the statement is refused."""

from __future__ import annotations

import copy
import json
import re

import pytest

from symconv.checker import Certificate, replay
from tests.checker.tampering import proved_certificate_text, rehash, rejection

#: One valid certificate per part of the wider fragment.
SOURCES = {
    "prefix": ("conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1) >> down((2, 2))",
               "conv2d(k[c, 3], padding=1) >> conv2d(g[3, 3], padding=1, stride=2)"),
    "transpose": ("conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2], stride=2)",
                  "conv_transpose2d(k[c, 3], stride=2) >> conv2d(g[2, 2]) >> down((2, 2))"),
    "bias": ("conv2d(k[c, 3], bias=[b]) >> avgpool2d(2)",
             "conv2d(convolve(k[c, 3], [[1/4, 1/4], [1/4, 1/4]]), stride=2, bias=[b])"),
}


def valid(name: str) -> dict:
    return json.loads(proved_certificate_text(*SOURCES[name]))


def test_the_valid_certificates_replay_with_one_generic_interior_nd_step():
    for name in SOURCES:
        obj = valid(name)
        assert [step["rule"] for step in obj["steps"]] == ["generic_interior_nd"]
        assert replay(Certificate.from_json(obj)).scope == "every c >= 1 and every input shape"
    assert valid("prefix")["steps"][0]["prefix"] == 3 and "prefix" not in valid("bias")["steps"][0]


def _number_cases():
    for name in SOURCES:
        for key, value in valid(name)["steps"][0].items():
            if isinstance(value, int):
                for bad in ("1", 1.5, None, True, -1, 10**6):
                    yield pytest.param(name, key, bad, id=f"{name}-{key}={bad!r}")


@pytest.mark.parametrize("name, key, bad", list(_number_cases()))
def test_every_number_of_the_step_changed_is_rejected_naming_the_step(name, key, bad):
    obj = valid(name)
    obj["steps"][0][key] = bad
    message = rejection(obj)
    assert "step 0 (generic_interior_nd)" in message or "steps[0]" in message, message


#: (source, field, new value (None: the field left out), message): each makes the step false.
SEMANTIC = [
    ("prefix", "prefix", 1, "zero extension fails: layer 2 of conv2d\\(k\\[c, 3\\]\\) >> pad\\(\\(1, 1\\)\\)"),
    ("prefix", "prefix", 4, "the sides do not begin with the same 4 layer\\(s\\)"),
    ("prefix", "prefix", None, "zero extension fails: layer 2 of conv2d\\(k\\[c, 3\\], padding=1\\)"),
    ("prefix", "period", 1, "period 1 is not a multiple of the strides"),
    ("bias", "period", 1, "period 1 is not a multiple of the strides"),
    ("bias", "prefix", 1, "the sides do not begin with the same 1 layer\\(s\\)"),
    ("transpose", "prefix", 2, "the sides do not begin with the same 2 layer\\(s\\)"),
    ("transpose", "symbol", "d", "the statement has the generic sizes \\['c'\\]; the rule takes exactly one, d"),
]


@pytest.mark.parametrize("name, key, value, message", SEMANTIC)
def test_a_field_changed_to_a_false_value_is_rejected_by_the_replay(name, key, value, message):
    obj = valid(name)
    if value is None:
        del obj["steps"][0][key]
    else:
        obj["steps"][0][key] = value
    text = rejection(obj)
    assert text.startswith("step 0 (generic_interior_nd)") and re.search(message, text), text


#: Changes of the statement that make it false: (side, old, new).
STATEMENT_CHANGES = {
    "prefix": [("rhs", "stride=2, padding=1", "stride=2, padding=(1, 0)"), ("lhs", "down((2, 2))", "down((2, 1))"),
               ("lhs", "conv2d(g[3, 3], padding=1)", "conv2d(flip(g[3, 3]), padding=1)"),
               ("rhs", "conv2d(k[c, 3], padding=1)", "conv2d(k[c, 3], padding=(1, 0))")],
    "transpose": [("rhs", "down((2, 2))", "down((2, 2), phase=(1, 0))"),
                  ("rhs", "conv2d(g[2, 2])", "conv2d(flip(g[2, 2]))"),
                  ("lhs", "conv_transpose2d(k[c, 3], stride=2)", "conv_transpose2d(k[c, 3], stride=2, padding=1)"),
                  ("rhs", "conv_transpose2d(k[c, 3], stride=2)", "conv_transpose2d(flip(k[c, 3]), stride=2)")],
    "bias": [("rhs", "bias=[b]", "bias=[2*b]"), ("lhs", "bias=[b]", "bias=[1]"),
             ("rhs", "[1/4, 1/4]]", "[1/4, 1/3]]"), ("lhs", "avgpool2d(2)", "avgpool2d(2, padding=1)")],
}


def _statement_cases():
    for name, changes in STATEMENT_CHANGES.items():
        for side, old, new in changes:
            yield pytest.param(name, side, old, new, id=f"{name}-{side}-{new}")


@pytest.mark.parametrize("name, side, old, new", list(_statement_cases()))
def test_a_kernel_layer_or_bias_changed_is_rejected(name, side, old, new):
    obj = valid(name)
    assert old in obj[side]
    obj[side] = obj[side].replace(old, new, 1)
    assert rejection(copy.deepcopy(obj)).startswith("statement hash")  # the hash no longer matches
    message = rejection(rehash(obj))  # a matching hash: the replay itself must refuse the false statement
    assert message.startswith("step 0 (generic_interior_nd)"), message


@pytest.mark.parametrize("rule", ["generic_argument", "interior_operator", "congruence"])
def test_the_rule_name_changed_is_rejected(rule):
    obj = valid("prefix")
    obj["steps"][0]["rule"] = rule
    assert "step 0" in rejection(obj) or "steps[0]" in rejection(obj)
