"""Exact evaluation of a normal form at one input length, as linear forms in the input.

``chain_forms(nf, n)`` gives, for every output sample, the linear form
``beta + sum_{m, j} w_{m,j} x[m, j]`` with coefficients in the tap ring: the
whole matrix of the chain at length n. It runs the windowed polyphase steps
(:mod:`symconv.algebra.normal_form`), so comparing it with the exact
semantics tests the normal form itself.

>>> from symconv.core.layers import conv
>>> from symconv.core.kernel import kernel
>>> from symconv.algebra.normal_form import LinearChain
>>> chain_forms(LinearChain.of(conv(kernel("k", 2), stride=2)), 4)[0][1]
{(0, 2): k_0, (0, 3): k_1}
"""

from __future__ import annotations

from symconv.algebra.normal_form import LinearChain, Step
from symconv.errors import LengthMismatch

__all__ = ["chain_forms", "Form", "CONSTANT"]

#: Key of the constant (bias) term of a form.
CONSTANT = None
Form = dict


def _add_scaled(acc: Form, form: Form, coeff) -> None:
    for key, value in form.items():
        term = value * coeff
        if key in acc:
            total = acc[key] + term
            if total:
                acc[key] = total
            else:
                del acc[key]
        elif term:
            acc[key] = term


def _apply_step(step: Step, signal: list[list[Form]], m_out: int) -> list[list[Form]]:
    if step.op is None:
        outputs = [_run(b, signal) for b in step.branches]
        lengths = [len(out[0]) if out else 0 for out in outputs]
        if any(m != m_out for m in lengths):
            n_in = len(signal[0]) if signal else 0
            raise LengthMismatch(
                f"the branches of {step.layer!r} give lengths {lengths} for an input of length {n_in}; "
                f"expected equal lengths"
            )
        total = [[dict() for _ in range(m_out)] for _ in range(step.out_channels)]
        for out in outputs:
            for o, channel in enumerate(out):
                for i, form in enumerate(channel):
                    _add_scaled(total[o][i], form, 1)
        return total
    op = step.op
    a, b = op.out_period, op.in_period
    n_in = len(signal[0]) if signal else 0
    result = []
    for o in range(op.out_channels):
        channel = []
        for i in range(m_out):
            q, r = divmod(i, a)
            acc: Form = {}
            beta = op.bias[r][o]
            if beta:
                acc[CONSTANT] = beta
            for ci, entry in enumerate(op.phases[r][o]):
                for t, coeff in entry.terms.items():
                    src = b * q + t
                    if 0 <= src < n_in:
                        _add_scaled(acc, signal[ci][src], coeff)
            channel.append(acc)
        result.append(channel)
    return result


def _run(nf: LinearChain, signal: list[list[Form]]) -> list[list[Form]]:
    n = len(signal[0]) if signal else 0
    lengths = nf.lengths(n)
    for step, m_out in zip(nf.steps, lengths[1:]):
        # an empty signal goes on: a later pad or bias gives it samples again (DESIGN section 1)
        signal = _apply_step(step, signal, m_out)
    return signal


def chain_forms(nf: LinearChain, n: int) -> list[list[Form]]:
    """Output ``[channel][i]`` of the chain for input length ``n`` as forms in ``x[m, j]`` (keys ``(m, j)``).

    The input flip of the normal form is applied: ``x[m, j]`` is the input
    itself, not its reversal.
    """
    one = nf.ring.one
    signal = [[{(m, j): one} for j in range(n)] for m in range(nf.in_channels)]
    if nf.input_flip:
        signal = [list(reversed(channel)) for channel in signal]
    return _run(nf, signal)
