"""The vocabulary of the DSL and its naming rule, used by :mod:`symconv.dsl`.

The tables say which names can be called and with which kinds of argument,
which names are reserved, which operators exist and which Python constructs
are refused. Signatures (argument names, order, defaults) are read from the
Python constructors, so the DSL and the Python API cannot drift apart.
:class:`NameScope` keeps the naming rule: one kernel per name and statement,
sized once, and one role per name.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Callable, Iterable, Optional

from symconv.core.kernel import KernelSymbol, convolve, default_ndim, dilate, flipk, kernel, padk, size_symbol
from symconv.core.layers_nd import (
    avgpool2d,
    avgpool3d,
    conv2d,
    conv3d,
    conv_transpose2d,
    conv_transpose3d,
    flip,
    l2pool2d,
    l2pool3d,
    maxpool2d,
    maxpool3d,
)
from symconv.core.layers import affine, avgpool, conv, conv_transpose, crop, down, l2pool, maxpool, pad, relu, up
from symconv.errors import NamingError, SymconvError, quote

__all__ = [
    "Kind", "Function", "LAYERS", "KERNEL_FUNCTIONS", "FUNCTION_NAMES", "LAYER_AXES", "resolve", "PLANNED", "RESERVED",
    "OPERATORS", "FORBIDDEN", "NameScope",
]


class Kind(Enum):
    """What an argument position accepts."""

    KERNEL = "a kernel"
    VALUE = "a number, a string or a tuple"
    BIAS = "None, a name or a list of numbers"
    SCALAR = "a number, a name or a list of them"


@dataclass(frozen=True)
class Function:
    """One callable name of the DSL: the constructor and the kind of each argument."""

    name: str
    build: Callable
    kinds: tuple[tuple[str, Kind], ...]
    is_layer: bool = True

    @property
    def parameters(self) -> tuple[inspect.Parameter, ...]:
        return tuple(inspect.signature(self.build).parameters.values())

    def kind(self, parameter: str) -> Kind:
        return dict(self.kinds).get(parameter, Kind.VALUE)

    def usage(self) -> str:
        """``conv(weight, stride=1, ...)`` as a user would call it."""
        parts = [p.name if p.default is p.empty else f"{p.name}={p.default!r}" for p in self.parameters]
        return f"{self.name}({', '.join(parts)})"


def _table(*entries: Function) -> dict[str, Function]:
    return {f.name: f for f in entries}


def _kernel_function(name: str, build: Callable, *kernels: str) -> Function:
    return Function(name, build, tuple((k, Kind.KERNEL) for k in kernels), is_layer=False)


_WEIGHT = (("weight", Kind.KERNEL), ("bias", Kind.BIAS))

#: Layer constructors; ``flip`` is the layer only when called with no argument or with ``axes=`` only.
LAYERS = _table(
    Function("conv", conv, _WEIGHT),
    Function("conv_transpose", conv_transpose, _WEIGHT),
    Function("conv1d", conv, _WEIGHT),
    Function("conv2d", conv2d, _WEIGHT),
    Function("conv3d", conv3d, _WEIGHT),
    Function("conv_transpose1d", conv_transpose, _WEIGHT),
    Function("conv_transpose2d", conv_transpose2d, _WEIGHT),
    Function("conv_transpose3d", conv_transpose3d, _WEIGHT),
    Function("avgpool1d", avgpool, ()),
    Function("avgpool2d", avgpool2d, ()),
    Function("avgpool3d", avgpool3d, ()),
    Function("maxpool1d", maxpool, ()),
    Function("maxpool2d", maxpool2d, ()),
    Function("maxpool3d", maxpool3d, ()),
    Function("l2pool1d", l2pool, ()),
    Function("l2pool2d", l2pool2d, ()),
    Function("l2pool3d", l2pool3d, ()),
    Function("pad", pad, ()),
    Function("crop", crop, ()),
    Function("down", down, ()),
    Function("up", up, ()),
    Function("flip", flip, ()),
    Function("avgpool", avgpool, ()),
    Function("maxpool", maxpool, ()),
    Function("l2pool", l2pool, ()),
    Function("relu", relu, ()),
    Function("affine", affine, (("scale", Kind.SCALAR), ("shift", Kind.SCALAR))),
)

#: Kernel expressions; ``flip(k)`` (with an argument) is the reversed kernel.
KERNEL_FUNCTIONS = _table(
    _kernel_function("dilate", dilate, "k"),
    _kernel_function("convolve", convolve, "a", "b"),
    _kernel_function("flip", flipk, "k"),
    _kernel_function("padk", padk, "k"),
)

FUNCTION_NAMES = frozenset(LAYERS) | frozenset(KERNEL_FUNCTIONS)

#: The spatial axes of the N-D layers that take a weight: a name sized inside one gets that many axes.
LAYER_AXES = {"conv2d": 2, "conv3d": 3, "conv_transpose2d": 2, "conv_transpose3d": 3}


def resolve(call: ast.Call) -> Function:
    """The function a call of a DSL name means: ``flip()`` and ``flip(axes=...)`` are the layer, ``flip(k)`` and
    ``flip(k, axes=...)`` the kernel."""
    name = call.func.id
    layer_keywords = {"axes"} if name == "flip" else set()
    if name in KERNEL_FUNCTIONS and (name not in LAYERS or call.args or
                                     any(k.arg not in layer_keywords for k in call.keywords)):
        return KERNEL_FUNCTIONS[name]
    return LAYERS[name]


#: Documented in DESIGN.md but not in the core yet: named in the error message (none at present).
PLANNED: frozenset = frozenset()

#: Names a user may not give to a kernel, size, bias or parameter, and why.
RESERVED = {
    **{name: f"the function {name}(...)" for name in FUNCTION_NAMES},
    "n": "the input length n",
    "x": "the input signal (samples x_0, x_1, ...)",
}

#: Operators of the language and what each means where it is allowed.
OPERATORS = {
    ast.RShift: ">> (chain)",
    ast.Add: "+ (sum)",
    ast.Mult: "* (scale a kernel by a number)",
    ast.Div: "/ (a fraction of numbers)",
    ast.Sub: "- (in a coefficient, e.g. affine(1, B - 1))",
}

#: Constructs that are not DSL, with the reason told to the user.
FORBIDDEN = {
    ast.Attribute: "attribute access is not allowed",
    ast.ListComp: "comprehensions are not allowed",
    ast.SetComp: "comprehensions are not allowed",
    ast.DictComp: "comprehensions are not allowed",
    ast.GeneratorExp: "comprehensions are not allowed",
    ast.Lambda: "lambdas are not allowed",
    ast.Starred: "starred arguments are not allowed",
    ast.JoinedStr: "f-strings are not allowed",
    ast.FormattedValue: "f-strings are not allowed",
    ast.NamedExpr: "assignment expressions (:=) are not allowed",
    ast.Compare: "comparisons are not allowed",
    ast.BoolOp: "'and'/'or' are not allowed",
    ast.IfExp: "conditional expressions are not allowed",
    ast.Dict: "dictionaries are not allowed",
    ast.Set: "sets are not allowed",
    ast.Slice: "slices are not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


class NameScope:
    """The one naming scope of a statement: each user name's role and where it got it.

    Roles are ``kernel``, ``size`` (``c`` in ``k[c]``), ``bias`` (``bias=b``)
    and ``parameter`` (``affine(gamma, beta)``). ``source`` arguments are the
    parser's located texts: ``source.error(cls, node, reason, hint)`` builds a
    located error, ``source.core_error(err, node)`` wraps a core one.
    """

    def __init__(self, kernels: Iterable[KernelSymbol] = ()) -> None:
        self.kernels: dict[str, KernelSymbol] = {}
        self.roles: dict[str, tuple[str, Any, Optional[ast.AST]]] = {}
        for k in kernels:  # from a scope: known, but with no place in the text
            self.kernels[k.name] = k
            self.roles[k.name] = ("kernel", None, None)
            for symbol in k.length_symbols():
                self.roles.setdefault(symbol.name, ("size", None, None))

    def claim(self, name: str, role: str, source: Any, node: ast.AST) -> None:
        """Give ``name`` the role, or refuse a reserved name or a second role."""
        if name in RESERVED:
            raise source.error(NamingError, node, f"{name} is reserved for {RESERVED[name]}",
                               f"choose another name for the {role}")
        other, other_source, other_node = self.roles.setdefault(name, (role, source, node))
        if other != role:
            raise source.error(NamingError, node, f"{name} is used as a {role} here but as a {other} "
                               f"{_where(other_source, other_node, source)}",
                               "a name has one role in a statement; rename one of them")

    def size(self, name: str, dims: tuple, source: Any, node: ast.Subscript, axes: int = 0) -> None:
        """Record the sizes ``name[dims]`` (ints, or strings for size names); build the kernel once.

        ``axes`` is the number of spatial axes of the layer whose weight holds the name (0: not inside an N-D
        layer): it settles the sizes a 1-D weight and an N-D kernel share (``k[3, 2, 4]`` in ``conv3d``)."""
        known = self.kernels.get(name)
        if known is None:
            self.claim(name, "kernel", source, node.value)
            nd = axes if axes >= 2 and len(dims) in (axes, axes + 2) else default_ndim(len(dims))
            try:
                self.kernels[name] = kernel(name, *dims, ndim=nd or 0)
            except SymconvError as err:
                raise source.core_error(err, node) from err
        elif known.dims != tuple(size_symbol(d) if isinstance(d, str) else d for d in dims):
            _, other_source, other_node = self.roles[name]
            raise source.error(NamingError, node, f"kernel {name} gets the sizes {_dims(dims)} here but "
                               f"{_dims(known.dims)} {_where(other_source, other_node, source)}",
                               f"a name gets its sizes once; write it bare ({name}) elsewhere")

    def check_taps(self) -> None:
        """Refuse a name that prints like a tap of a kernel, a bias or the input (``k_1`` next to ``k``)."""
        bases = [n for n, (role, _, _) in self.roles.items() if role in ("kernel", "bias")] + ["x"]
        for name, (role, source, node) in self.roles.items():
            for base in bases:
                if source is not None and re.fullmatch(re.escape(base) + r"(_\d+)+", name):
                    raise source.error(NamingError, node, f"the {role} {name} would clash with a tap symbol "
                                       f"of {base}", f"taps of {base} are named {base}_0, {base}_1, ...; "
                                       "choose another name")


def _where(source: Any, node: Optional[ast.AST], here: Any) -> str:
    if source is None:
        return "in the scope"
    column = source.span(node)[0]
    return f"(column {column})" if source is here else f"(column {column} of {quote(source.text, at=column - 1)})"


def _dims(dims: tuple) -> str:
    return "[" + ", ".join(str(d) for d in dims) + "]"
