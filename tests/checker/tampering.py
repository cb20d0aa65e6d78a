"""What the tamper tests share: a certificate of a proved statement, re-hashing an edited one, and the
kernel's message for a certificate it must reject."""

from __future__ import annotations

from functools import lru_cache

import pytest

from symconv.checker import Certificate, replay, statement_hash
from symconv.errors import CertificateError


@lru_cache(maxsize=None)
def proved_certificate_text(lhs: str, rhs: str) -> str:
    """The certificate (JSON text) of ``prove(lhs, rhs)``, which must be proved; computed once per statement."""
    from symconv.prover import prove

    proof = prove(lhs, rhs)
    assert proof.verdict == "proved", proof.note
    return proof.certificate.dumps()


def rehash(obj: dict) -> dict:
    """``obj`` with its statement hash recomputed from its (edited) statement."""
    obj["statement_hash"] = statement_hash(obj["lhs"], obj["rhs"], obj["solved"], obj["assumptions"])
    return obj


def rejection(obj: dict) -> str:
    """The kernel's message for ``obj`` (the test fails if the kernel accepts it)."""
    with pytest.raises(CertificateError) as caught:
        replay(Certificate.from_json(obj))
    return str(caught.value)
