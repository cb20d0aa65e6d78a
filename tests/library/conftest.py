"""The seed theorem files imported as modules (their declarations collected and dropped), for the tests of
their exact steps and facts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from symconv.library.registry import collecting

PROOFS = Path(__file__).resolve().parents[2] / "proofs"


def seed_module(stem: str):
    """Import ``proofs/<stem>.py`` as a module once (its declarations are collected and dropped)."""
    name = f"_seed_proofs_{stem}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, PROOFS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    with collecting():
        spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def os_cnn():
    return seed_module("seed_000_os_cnn")


@pytest.fixture(scope="module")
def strides():
    return seed_module("seed_001_stride_composition")


@pytest.fixture(scope="module")
def stability():
    return seed_module("seed_002_fc_vs_conv")


@pytest.fixture(scope="module")
def invertibility():
    return seed_module("seed_003_invertibility")


@pytest.fixture(scope="module")
def deconv():
    return seed_module("seed_004_random_deconv")


@pytest.fixture(scope="module")
def arithmetic():
    return seed_module("classics_arithmetic")
