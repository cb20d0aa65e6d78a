"""Every error symconv raises on purpose.

All of them derive from :class:`SymconvError`; each stores named fields and a
message that quotes the offending input and says what would be accepted. The
CLI prints ``str(error)`` on one line and exits 2.
"""

from __future__ import annotations

__all__ = [
    "SymconvError",
    "DSLError",
    "ParseError",
    "InvalidArgument",
    "KernelError",
    "ChainError",
    "ChannelMismatch",
    "LengthMismatch",
    "SizeLimitError",
    "NotInFragment",
    "RuleError",
    "CertificateError",
    "NumericMismatch",
]


class SymconvError(Exception):
    """Base class of the errors symconv raises for bad input or failed checks."""


class DSLError(SymconvError):
    """A statement of the DSL cannot be understood (syntax or meaning).

    ``text`` is the whole statement, ``column`` the 1-based column of the
    offending ``fragment`` and ``hint`` what would be accepted there.
    """

    def __init__(self, text: str, column: int, fragment: str, reason: str, hint: str = ""):
        self.text = text
        self.column = column
        self.fragment = fragment
        self.reason = reason
        self.hint = hint
        message = f"{reason} at column {column}: {fragment!r} in {text!r}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class ParseError(DSLError):
    """The statement is not valid DSL syntax (or uses a forbidden construct)."""


class InvalidArgument(SymconvError, ValueError):
    """A layer or kernel got an argument outside its domain."""

    def __init__(self, what: str, argument: str, value: object, expected: str):
        self.what = what
        self.argument = argument
        self.value = value
        self.expected = expected
        super().__init__(f"{what}: {argument}={value!r} is invalid; expected {expected}")


class KernelError(SymconvError, ValueError):
    """A kernel is ill-formed (empty, NaN taps, a name with two sizes, ...)."""


class ChainError(SymconvError, ValueError):
    """Layers do not fit together into a chain."""


class ChannelMismatch(ChainError):
    """A layer expects a different number of channels than it receives."""

    def __init__(self, producer: str, produced: int, consumer: str, expected: int):
        self.producer = producer
        self.produced = produced
        self.consumer = consumer
        self.expected = expected
        super().__init__(
            f"channel mismatch: {producer} gives {produced} channel(s) but {consumer} "
            f"expects {expected}"
        )


class LengthMismatch(ChainError):
    """The branches of a sum ``A + B`` give outputs of different lengths."""


class SizeLimitError(SymconvError, ValueError):
    """A size is too large to evaluate; refused before allocating anything."""


class NotInFragment(SymconvError):
    """An operation needs the linear fragment but the chain has a nonlinear layer."""


class RuleError(SymconvError):
    """A rewrite lemma was applied where it does not hold."""


class CertificateError(SymconvError):
    """A certificate step was rejected by the re-checker."""


class NumericMismatch(SymconvError):
    """Two evaluations that must agree differ (records seed and sample)."""

    def __init__(self, message: str, seed: int | None = None, sample: object = None):
        self.seed = seed
        self.sample = sample
        super().__init__(message)
