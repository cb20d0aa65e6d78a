"""Every error symconv raises on purpose.

All of them derive from :class:`SymconvError`; each stores named fields and a
message that quotes the offending input and says what would be accepted. The
CLI prints ``str(error)`` on one line and exits 2.
"""

from __future__ import annotations

from typing import Optional

__all__ = [
    "QUOTE_LIMIT",
    "shorten",
    "quote",
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
    "ToolMissing",
    "PythonPackageMissing",
    "LatexFailed",
]


#: How many characters of the user's text a message quotes at most (a model's literal kernel can be megabytes).
QUOTE_LIMIT = 80


def shorten(text: str, limit: int = QUOTE_LIMIT, at: Optional[int] = None) -> str:
    """``text`` cut to ``limit`` characters, with ``'...'`` where it is cut.

    Without ``at`` the head and the tail are kept; with ``at`` (a 0-based
    index into ``text``) the ``limit`` characters around it.

    >>> shorten("short"), shorten("abcdefghij", 6), shorten("abcdefghij", 4, at=5)
    ('short', 'abc...hij', '...defg...')
    """
    if len(text) <= limit:
        return text
    if at is None:
        head = (limit + 1) // 2
        return f"{text[:head]}...{text[len(text) - (limit - head):]}"
    start = max(0, min(at - limit // 2, len(text) - limit))
    return ("..." if start else "") + text[start:start + limit] + ("..." if start + limit < len(text) else "")


def quote(value: object, limit: int = QUOTE_LIMIT, at: Optional[int] = None) -> str:
    """How an error message quotes the user's ``value``: ``repr(value)``, cut by :func:`shorten`
    (a string is cut first, then quoted, so that ``at`` indexes the string itself).

    >>> quote("conv(k[3])"), quote("[" + "1, " * 50 + "x]", 20), quote(list(range(100)), 20)
    ("'conv(k[3])'", "'[1, 1, 1, ..., 1, 1, x]'", '[0, 1, 2, ...7, 98, 99]')
    """
    if isinstance(value, str):
        return repr(shorten(value, limit, at))
    return shorten(repr(value), limit)


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
        message = f"{reason} at column {column}: {quote(fragment)} in {quote(text, at=column - 1)}"
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
        super().__init__(f"{what}: {argument}={quote(value)} is invalid; expected {expected}")


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


class ToolMissing(SymconvError):
    """An external program symconv needs (here: a TeX engine) is not installed.

    ``tools`` are the programs looked for, ``packages`` what to install.
    """

    def __init__(self, tools: tuple[str, ...], packages: tuple[str, ...], purpose: str):
        self.tools = tuple(tools)
        self.packages = tuple(packages)
        self.purpose = purpose
        super().__init__(
            f"{purpose} needs {' or '.join(self.tools)}, and none is installed; install TeX Live, "
            f"e.g. `apt-get install {' '.join(self.packages)}` on Debian or Ubuntu"
        )


class PythonPackageMissing(ToolMissing):
    """An optional Python package is not installed; ``packages`` are what ``pip install`` needs.

    A :class:`ToolMissing` (``tools`` are the modules looked for) whose
    message names pip rather than a TeX distribution.
    """

    def __init__(self, modules: tuple[str, ...], packages: tuple[str, ...], purpose: str, extra: str = ""):
        self.tools = tuple(modules)
        self.packages = tuple(packages)
        self.purpose = purpose
        hint = f" (or `pip install 'symconv[{extra}]'`)" if extra else ""
        SymconvError.__init__(
            self,
            f"{purpose} needs the Python module {' or '.join(self.tools)}, which is not installed; "
            f"install it with `pip install {' '.join(self.packages)}`{hint}",
        )


class LatexFailed(SymconvError):
    """A TeX engine ran but did not produce the PDF; ``log`` is the path of its log."""

    def __init__(self, tex_path: str, tool: str, first_error: str, log: str):
        self.tex_path = tex_path
        self.tool = tool
        self.first_error = first_error
        self.log = log
        super().__init__(f"{tool} could not compile {tex_path}: {first_error} (full log: {log})")


# --- Errors of the DSL parser (symconv.dsl). Every one is a DSLError, so it carries
# ``text``, ``column`` (1-based), ``fragment``, ``reason`` and ``hint``.


class UnknownFunction(ParseError):
    """A call of a name that is not a layer or kernel function of the DSL."""


class ArgumentError(DSLError):
    """A call's arguments do not fit its signature (unknown keyword, count, repeated)."""


class KindError(DSLError):
    """An expression of the wrong kind for its place: a layer where a kernel is
    expected and vice versa, a name or a string where a number is expected, ..."""


class LiteralError(DSLError):
    """A literal the DSL refuses: a non-integer size, a non-finite number, a division by zero."""


class NamingError(DSLError):
    """The naming rule is broken: a kernel name with two sizes or none, a name with
    two roles (kernel, size, bias, parameter), a reserved name, a tap-symbol clash."""


class SemanticError(DSLError):
    """A statement parses, but a core constructor refuses what it describes.

    Build one with :meth:`SemanticError.wrap`: the result is an instance of a
    class deriving from both ``SemanticError`` and the core error's class (so
    ``except KernelError`` still catches it), it keeps the core error's named
    fields (``what``, ``argument``, ... for :class:`InvalidArgument`), its
    ``reason`` is the core message, and ``__cause__``/``cause`` is the core error.
    """

    cause: SymconvError

    def __init__(self, text: str, column: int, fragment: str, cause: SymconvError, hint: str = ""):
        # DSLError.__init__ would hand the message to the core class's __init__
        # (next in the MRO), whose signature differs; build the message once
        # with DSLError's format and store the fields directly.
        vars(self).update(vars(cause))
        message = str(DSLError(text, column, fragment, str(cause), hint))
        self.text, self.column, self.fragment = text, column, fragment
        self.reason, self.hint, self.cause = str(cause), hint, cause
        Exception.__init__(self, message)

    @classmethod
    def wrap(cls, cause: SymconvError, text: str, column: int, fragment: str, hint: str = "") -> "SemanticError":
        """The ``SemanticError`` that also has ``cause``'s class (see the table below)."""
        for base in type(cause).__mro__:
            if base in _SEMANTIC_CLASSES:
                return _SEMANTIC_CLASSES[base](text, column, fragment, cause, hint)
        return cls(text, column, fragment, cause, hint)


class SemanticInvalidArgument(SemanticError, InvalidArgument):
    """An :class:`InvalidArgument` raised by the core for a DSL statement."""


class SemanticKernelError(SemanticError, KernelError):
    """A :class:`KernelError` raised by the core for a DSL statement."""


class SemanticChainError(SemanticError, ChainError):
    """A :class:`ChainError` raised by the core for a DSL statement."""


class SemanticChannelMismatch(SemanticError, ChannelMismatch):
    """A :class:`ChannelMismatch` raised by the core for a DSL statement."""


class SemanticLengthMismatch(SemanticError, LengthMismatch):
    """A :class:`LengthMismatch` raised by the core for a DSL statement."""


class SemanticSizeLimitError(SemanticError, SizeLimitError):
    """A :class:`SizeLimitError` raised by the core for a DSL statement."""


#: The core error class -> its DSL-located twin; searched along the cause's MRO,
#: so the most specific class wins (ChannelMismatch before ChainError).
_SEMANTIC_CLASSES: dict[type, type] = {
    InvalidArgument: SemanticInvalidArgument,
    KernelError: SemanticKernelError,
    ChannelMismatch: SemanticChannelMismatch,
    LengthMismatch: SemanticLengthMismatch,
    ChainError: SemanticChainError,
    SizeLimitError: SemanticSizeLimitError,
}

__all__ += [
    "AssumptionError",
    "UnknownFunction",
    "ArgumentError",
    "KindError",
    "LiteralError",
    "NamingError",
    "SemanticError",
    "SemanticInvalidArgument",
    "SemanticKernelError",
    "SemanticChainError",
    "SemanticChannelMismatch",
    "SemanticLengthMismatch",
    "SemanticSizeLimitError",
]


class AssumptionError(DSLError):
    """An ``--assume`` text that is not one of the forms the prover can use (``abs(x) <= B``)."""


# --- Errors of factorizations (symconv.factoring). Every one is a FactorError.


class FactorError(SymconvError, ValueError):
    """A factorization request that cannot be met; ``kernel`` is the kernel as the user wrote it."""


class InvalidSizes(FactorError):
    """The layer sizes ``(N, M)`` are not two integers of at least 1.

    ``sizes`` is the input as given and ``expected`` what would be accepted.
    """

    def __init__(self, sizes: object, reason: str, expected: str = "two integers N, M >= 1, e.g. 2,4"):
        self.sizes = sizes
        self.reason = reason
        self.expected = expected
        super().__init__(f"sizes {quote(sizes)}: {reason}; expected {expected}")


class SizesDoNotAddUp(InvalidSizes):
    """``N + M - 1`` differs from the kernel length ``L`` (two layers of sizes N, M see L samples)."""

    def __init__(self, sizes: tuple[int, int], kernel: str, length: int):
        self.kernel = kernel
        self.length = length
        n, m = sizes
        super().__init__(
            sizes,
            f"layers of sizes {n} and {m} see {n + m - 1} samples but the kernel {shorten(kernel)} has {length} "
            f"taps",
            f"N + M - 1 = {length}, e.g. {_example_sizes(length)}",
        )


def _example_sizes(length: int) -> str:
    n = length // 2 + 1 if length > 1 else 1
    return f"{n},{length - n + 1}"


class InvalidChannels(FactorError):
    """The channel count is not an integer of at least 1."""

    def __init__(self, channels: object):
        self.channels = channels
        super().__init__(f"channels={quote(channels)} is invalid; expected an integer C >= 1")


class ZeroKernel(FactorError):
    """Every tap of the kernel is zero: there is nothing to factor."""

    def __init__(self, kernel: str):
        self.kernel = kernel
        super().__init__(
            f"the kernel {shorten(kernel)} is all zeros; expected at least one non-zero tap "
            f"(a zero kernel is the empty two-layer network, no factorization is needed)"
        )


class TooFewChannels(FactorError):
    """Fewer channels were asked for than any two-layer factorization of the kernel needs.

    This is a refutation, not a malformed input: ``minimum`` is the fewest
    channels that work and ``reason`` says why fewer cannot (the CLI exits 1).
    """

    def __init__(self, kernel: str, sizes: tuple[int, int], channels: int, minimum: int, reason: str):
        self.kernel = kernel
        self.sizes = sizes
        self.channels = channels
        self.minimum = minimum
        self.reason = reason
        n, m = sizes
        super().__init__(
            f"the kernel {shorten(kernel)} has no two-layer factorization with sizes {n},{m} and {channels} "
            f"channel(s): at least {minimum} are needed; {reason}"
        )


class NotSeparable(FactorError):
    """A kernel outside what the separable split supports (a 3-D kernel of rank above one, a multi-channel 3-D
    weight, a symbolic kernel whose exact split is not polynomial in the taps); ``reason`` says which and what is."""

    def __init__(self, kernel: str, reason: str):
        self.kernel = kernel
        self.reason = reason
        super().__init__(f"factor --separable: the kernel {shorten(kernel)} {reason}")


__all__ += ["FactorError", "InvalidSizes", "SizesDoNotAddUp", "InvalidChannels", "ZeroKernel", "TooFewChannels",
            "NotSeparable"]


class UnsupportedModule(SymconvError):
    """A PyTorch model uses a module or an operation that :func:`symconv.from_torch` cannot express.

    ``path`` is the module path (``layer1.0.conv1``; ``""`` for the model
    itself), ``module_type`` its class name, ``reason`` what is not supported
    and ``supported`` what would be accepted.
    """

    def __init__(self, path: str, module_type: str, reason: str, supported: str):
        self.path = path
        self.module_type = module_type
        self.reason = reason
        self.supported = supported
        where = f"module {path!r}" if path else "the model itself"
        super().__init__(f"from_torch: {where} ({module_type}) {reason}; supported: {supported}")


class FactoryError(SymconvError):
    """``--torch FILE:FACTORY`` does not name a Python file with a callable that returns a ``torch.nn.Module``."""

    def __init__(self, spec: str, reason: str):
        self.spec = spec
        self.reason = reason
        super().__init__(f"--torch {spec!r}: {reason}; expected FILE:FACTORY, a Python file and the name of a "
                         f"function in it that returns a torch.nn.Module")


__all__ += ["UnsupportedModule", "FactoryError"]
