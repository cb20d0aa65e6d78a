"""Fixtures shared by the prover tests."""

from __future__ import annotations

import pytest

import symconv.prover.proof as proof_module
from symconv.errors import CertificateError


@pytest.fixture
def rejections(monkeypatch) -> list[str]:
    """Every CertificateError of the kernel's replay of a search's certificate (``proved_by_kernel``): a search
    path that hands the kernel a certificate it rejects shows up here."""
    seen: list[str] = []
    real = proof_module.replay

    def spy(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except CertificateError as err:
            seen.append(str(err))
            raise

    monkeypatch.setattr(proof_module, "replay", spy)
    return seen
