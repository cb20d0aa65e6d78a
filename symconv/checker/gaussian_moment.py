"""The checker's rule ``gaussian_moment``: a moment of a standard normal g, or of relu(g), in closed form.

A fact certificate with one step, fields ``power`` (k, 1 <= k <= 64) and ``domain``:
``half_line`` states ``E[relu(g)**k] == value``, ``real_line`` states ``E[g**k] == value`` (the
statement's lhs must be exactly that text). The kernel computes the moment from the recursion below
and closes the statement when ``value`` (the rhs, read by :mod:`symconv.checker.rational_expression`
in the symbol ``pi``) equals it as an identity.

**Lemma.** With ``phi(x) = exp(-x**2/2) / sqrt(2 pi)`` and ``M_k = int_0^oo x**k phi(x) dx
= E[relu(g)**k]`` for k >= 1 and ``M_0 = P(g > 0) = 1/2`` (phi is
even and integrates to 1), ``M_1 = phi(0) = 1/sqrt(2 pi)`` (``x phi(x) = -phi'(x)``), and for k >= 2,
integrating by parts with ``x phi = -phi'``, ``M_k = [-x**(k-1) phi]_0^oo + (k - 1) M_(k-2)
= (k - 1) M_(k-2)``. So ``M_k = (k-1)!! / 2`` for even k and ``(k-1)!! / sqrt(2 pi)`` for odd k.
On the whole line, ``E[g**k] = M_k + (-1)**k M_k``: ``(k-1)!!`` for even k, 0 for odd k.

>>> moment(4, "real_line"), moment(3, "half_line")
('3', '2/sqrt(2*pi)')
"""

from __future__ import annotations

from fractions import Fraction

from symconv.checker.polynomial_identity import close_polynomial_identity
from symconv.errors import CertificateError

__all__ = ["moment", "moment_text", "rule_gaussian_moment", "DOMAINS", "MAX_POWER"]

DOMAINS = ("half_line", "real_line")
MAX_POWER = 64


def moment_text(power: int, domain: str) -> str:
    """The statement's lhs: ``E[relu(g)**k]`` (half_line) or ``E[g**k]`` (real_line)."""
    return f"E[relu(g)**{power}]" if domain == "half_line" else f"E[g**{power}]"


def moment(power: int, domain: str) -> str:
    """The moment (module lemma) as a text of the kernel's reader: ``c`` or ``c/sqrt(2*pi)``."""
    even, odd = Fraction(1, 2), Fraction(1)  # M_0, and M_1 as a multiple of 1/sqrt(2 pi)
    for k in range(2, power + 1):
        if k % 2 == 0:
            even *= k - 1
        else:
            odd *= k - 1
    if domain == "real_line":
        return str(2 * even) if power % 2 == 0 else "0"
    return str(even) if power % 2 == 0 else f"{odd}/sqrt(2*pi)"


def rule_gaussian_moment(state: list, step, where: str) -> str:
    """Close ``E[...**k] == value`` (the state's texts) by the recursion of the module lemma."""
    if not all(isinstance(side, str) for side in state):
        raise CertificateError(f"{where}: gaussian_moment closes a fact certificate, not an identity of chains")
    power, domain = step.get("power"), step.get("domain")
    if not (isinstance(power, int) and not isinstance(power, bool) and 1 <= power <= MAX_POWER):
        raise CertificateError(f"{where}: power {power!r} is not an integer in 1..{MAX_POWER}")
    if domain not in DOMAINS:
        raise CertificateError(f"{where}: domain {domain!r} is not one of {list(DOMAINS)}")
    if state[0] != moment_text(power, domain):
        raise CertificateError(f"{where}: the statement's lhs {state[0]!r} is not {moment_text(power, domain)!r}")
    value = moment(power, domain)
    try:
        close_polynomial_identity([state[1], value], ("pi",), where)
    except CertificateError:
        raise CertificateError(f"{where}: {moment_text(power, domain)} is {value}, not {state[1]}") from None
    return "a standard normal g"
