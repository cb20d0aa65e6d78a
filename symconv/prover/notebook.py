"""Short ``repr`` and Jupyter displays of proofs, derivations and factorizations.

* ``repr``: one line of at most :data:`MAX_REPR` characters, e.g.
  ``<Proof proved: conv(k[3]) >> down(2) == conv(k[3], stride=2) (5 steps)>``;
* ``_repr_latex_``: a display-math fragment ``$$ ... $$`` (the statement as a
  composition of operators, the verdict), not a document: the whole LaTeX
  report is :func:`symconv.latex`;
* ``_repr_html_``: the verdict line, with the full text (steps,
  counterexample) folded in a ``<details>`` block.

The chain notation is the reports' (:func:`symconv.report.notation.layer_math`);
where a chain has no such notation it is set in typewriter type.
"""

from __future__ import annotations

import html
from typing import Optional

__all__ = ["MAX_REPR", "proof_repr", "proof_math", "proof_html", "derivation_repr", "derivation_math",
           "derivation_html", "factorization_repr", "factorization_math", "factorization_html", "short"]

#: The longest ``repr`` of a Proof, Derivation or Factorization.
MAX_REPR = 200


def short(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with ``...`` when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:max(limit - 3, 0)] + "..."


def _verdict(proof) -> str:
    return str(getattr(proof.verdict, "value", proof.verdict))


def _bounded(head: str, body: str, tail: str) -> str:
    """``<head body tail>`` with ``body`` cut so that the whole is at most :data:`MAX_REPR` characters."""
    return f"<{head}{short(body, MAX_REPR - len(head) - len(tail) - 2)}{tail}>"


def _tt(text: str) -> str:
    """``text`` as typewriter mathematics (MathJax and LaTeX alike)."""
    escaped = []
    for ch in text:
        if ch in "_{}#%&$":
            escaped.append("\\" + ch)
        elif ch == "\\":
            escaped.append("\\backslash ")
        elif ch in "^~":
            escaped.append("\\hat{}" if ch == "^" else "\\sim ")
        elif ch == " ":
            escaped.append("\\ ")
        else:
            escaped.append(ch)
    return "\\mathtt{" + "".join(escaped) + "}"


def _chain_math(layer) -> str:
    """The chain as a composition of operators (the reports' notation), else its DSL text in typewriter."""
    try:
        from symconv.report.notation import layer_math

        return str(layer_math(layer))
    except Exception:  # a display must not raise: any layer the notation cannot set is shown as DSL text
        return _tt(repr(layer))


def _math(body: str) -> str:
    return f"$$ {body} $$"


# --- proofs ------------------------------------------------------------------------------------

def _proof_tail(proof) -> str:
    verdict = _verdict(proof)
    if proof.counterexample is not None:
        n = proof.counterexample.n
        return f" (counterexample at n={n if isinstance(n, int) else tuple(n)})"
    if proof.steps:
        return f" ({len(proof.steps)} steps)"
    if verdict == "checked" and proof.numeric is not None:
        return f" ({proof.numeric.trials} numeric trials)"
    return ""


def proof_repr(proof) -> str:
    """``<Proof proved: LHS == RHS (7 steps)>``, at most :data:`MAX_REPR` characters."""
    return _bounded(f"Proof {_verdict(proof)}: ", f"{proof.lhs!r} == {proof.rhs!r}", _proof_tail(proof))


_RELATION = {"proved": "=", "checked": "=", "refuted": "\\neq", "unknown": "\\overset{?}{=}"}
_VERDICT_TEXT = {"proved": "proved for every input length", "checked": "checked numerically",
                 "refuted": "refuted", "unknown": "undecided"}


def proof_math(proof) -> str:
    """``$$ L = R \\qquad \\text{(proved ...)} $$``: the statement and its verdict as display mathematics."""
    verdict = _verdict(proof)
    relation = _RELATION.get(verdict, "=")
    words = _VERDICT_TEXT.get(verdict, verdict)
    if proof.counterexample is not None:
        n = proof.counterexample.n
        words += f": counterexample at n = {n if isinstance(n, int) else tuple(n)}"
    return _math(f"{_chain_math(proof.lhs)} \\;{relation}\\; {_chain_math(proof.rhs)} \\qquad \\text{{({words})}}")


def _details(summary: str, text: str) -> str:
    return (f"<details><summary>{html.escape(summary)}</summary>"
            f"<pre>{html.escape(text)}</pre></details>")


def proof_html(proof) -> str:
    """The verdict and statement in one line; the full text (steps, counterexample, note) folded below."""
    verdict = _verdict(proof)
    summary = f"{len(proof.steps)} steps" if proof.steps else "details"
    return (f"<div><b>{html.escape(verdict)}</b>: <code>{html.escape(repr(proof.lhs))}</code> == "
            f"<code>{html.escape(repr(proof.rhs))}</code>{html.escape(_proof_tail(proof))}"
            f"{_details(summary, str(proof))}</div>")


# --- derivations -------------------------------------------------------------------------------

def derivation_repr(derivation) -> str:
    """``<Derivation CHAIN: stride 4, receptive field 7, exact>``, at most :data:`MAX_REPR` characters."""
    exact = "exact" if derivation.exact else "not exact"
    tail = f": stride {derivation.stride}, receptive field {derivation.receptive_field}, {exact}"
    return _bounded("Derivation ", repr(derivation.chain), short(tail, 80))


def _length_math(derivation) -> Optional[str]:
    import sympy

    expr = getattr(derivation, "output_length_expr", None)
    return None if expr is None else sympy.latex(expr)


def derivation_math(derivation) -> str:
    """The chain, its stride, receptive field and output length ``m(n)`` as display mathematics."""
    import sympy

    parts = [f"S = {sympy.latex(derivation.stride)}", f"F = {sympy.latex(derivation.receptive_field)}"]
    length = _length_math(derivation)
    if length is not None:
        parts.append(f"m(n) = {length}")
    facts = ",\\quad ".join(parts)
    return _math(f"\\begin{{gathered}} {_chain_math(derivation.chain)} \\\\ {facts} \\end{{gathered}}")


def derivation_html(derivation) -> str:
    """The repr's facts in one line; the full text folded below."""
    return (f"<div><b>derive</b> <code>{html.escape(repr(derivation.chain))}</code>: stride "
            f"{html.escape(str(derivation.stride))}, receptive field {html.escape(str(derivation.receptive_field))}, "
            f"output length {html.escape(derivation.output_length)}{_details('details', str(derivation))}</div>")


# --- factorizations ----------------------------------------------------------------------------

def factorization_math(factorization) -> str:
    """``$$ q = conv(S) o conv(F) $$`` with the sizes and channel count, as display mathematics."""
    n, m = factorization.sizes
    return _math(f"{_chain_math(factorization.layers())} \\;=\\; {_chain_math(_as_layer(factorization))} "
                 f"\\qquad \\text{{(sizes {n}, {m}; {factorization.channels} channel(s); "
                 f"{_verdict(factorization.proof)})}}")


def _as_layer(factorization):
    from symconv.core.layers import conv

    return conv(factorization.kernel)


def factorization_repr(factorization, pasteable: str) -> str:
    """``pasteable`` (the ``factor(...)`` call) when it fits in :data:`MAX_REPR` characters, else a cut summary."""
    if len(pasteable) <= MAX_REPR:
        return pasteable
    n, m = factorization.sizes
    return _bounded("Factorization ", repr(factorization.kernel),
                    f": sizes {n}, {m}, {factorization.channels} channel(s)")


def factorization_html(factorization) -> str:
    """The factorization's one-line summary; the weights and the proof folded below."""
    n, m = factorization.sizes
    return (f"<div><b>factor</b> <code>{html.escape(repr(factorization.kernel))}</code> = conv(F) &gt;&gt; conv(S), "
            f"sizes {n}, {m}, {factorization.channels} channel(s): {_verdict(factorization.proof)}"
            f"{_details('weights and proof', str(factorization))}</div>")
