"""The safe parser of the DSL: text in, core layers and kernels out.

A statement is a Python expression made only of the DSL's functions (tables in
:mod:`symconv.dsl_grammar`), kernel names with sizes (``k[3]``, ``k[c]``,
``W[8, 4, 3]``), numbers, lists, tuples, strings, ``>>``, ``+``, ``*`` and
``/``. It is read with ``ast.parse(text, mode="eval")`` and a whitelist walk;
nothing is ever evaluated. The reprs of the core objects are DSL, so
``parse_chain(repr(layer)) == layer``.

Naming rule: a kernel name gets its sizes at one occurrence (or several, all
equal) and may appear bare anywhere else; resolution takes two passes.

Errors are :class:`~symconv.errors.DSLError` subclasses quoting the statement,
the 1-based column and the fragment, and saying what would be accepted. A core
constructor's error is re-raised as ``SemanticError.wrap(err, ...) from err``,
an instance of both ``SemanticError`` and the core error's class.

>>> parse_chain("conv(k[3], stride=2) >> conv(k, stride=2)")
conv(k[3], stride=2) >> conv(k[3], stride=2)
>>> parse_statement("conv(k) >> conv(k)", "conv(convolve(k[c], k))")
(conv(k[c]) >> conv(k[c]), conv(convolve(k[c], k[c])))
"""

from __future__ import annotations

import ast
import difflib
import math
from fractions import Fraction
from typing import Callable, Iterable, Mapping, Union

from symconv.lazy_import import sympy

from symconv.core.composite import on_statement_axes
from symconv.core.kernel import Kernel, KernelSymbol, kernel, literal  # kernel: for the doctests
from symconv.core.layers import Layer
from symconv.core.numbers import rational
from symconv.dsl_taps import has_names, tap_list
from symconv.dsl_coefficients import coefficient, is_coefficient, is_number, written_value
from symconv.dsl_source import LAYER_HINT, Source, check_whitelist, walk_skipping
from symconv.dsl_grammar import (
    FUNCTION_NAMES,
    LAYER_AXES,
    RESERVED,
    Function,
    Kind,
    NameScope,
    resolve,
)
from symconv.errors import (
    ArgumentError,
    DSLError,
    KindError,
    LiteralError,
    NamingError,
    ParseError,
    SymconvError,
    shorten,
)

__all__ = ["parse_chain", "parse_statement", "parse_kernel"]

Scope = Union[Mapping[str, Kernel], Iterable[Kernel], None]
Number = Union[int, float, "sympy.Rational"]

_KERNEL_HINT = "a kernel is a name with sizes (k[3]), a list [1, 2, 1] or dilate/convolve/flip/padk(...)"


def parse_chain(text: str, *, scope: Scope = None) -> Layer:
    """The layer (or chain, or sum) a DSL statement describes.

    >>> parse_chain("pad(1) >> conv([1, 2, 1]) + conv([1/2, 0.5, 0], bias=b)")
    pad(1) >> (conv([1, 2, 1]) + conv([1/2, 1/2, 0], bias=b))
    """
    return parse_statement(text, scope=scope)[0]


def parse_statement(*texts: str, scope: Scope = None) -> tuple[Layer, ...]:
    """The layers of several texts read in one naming scope (the sides of an identity).

    A bare name in any text is the kernel sized in any other text.

    >>> lhs, rhs = parse_statement("conv(k[c], stride=2) >> conv(k, stride=2)",
    ...                            "conv(convolve(k, dilate(k, 2)), stride=4)")
    >>> rhs
    conv(convolve(k[c], dilate(k[c], 2)), stride=4)
    """
    return on_statement_axes(_Reader(texts, scope).build(expect_layer=True))


def parse_kernel(text: str, scope: Scope = None) -> Kernel:
    """The kernel a DSL kernel expression describes; ``scope`` gives sizes to bare names.

    ``scope`` is an iterable of kernels (e.g. ``chain.kernels()``) or a mapping
    whose values are kernels; every named kernel they use is in scope.

    >>> parse_kernel("convolve(k, flip(k)) + 2 * padk([1], 1, 1)", scope=[kernel("k", 2)])
    convolve(k[2], flip(k[2])) + 2 * padk([1], 1, 1)
    """
    return _Reader((text,), scope).build(expect_layer=False)[0]


class _Reader:
    """Reads texts in one scope: whitelist, collect the sized names (pass 1), then build (pass 2)."""

    def __init__(self, texts: tuple[str, ...], scope: Scope):
        if not texts:
            raise TypeError("parse_statement needs at least one text")
        self.sources = [Source(t) for t in texts]
        for source in self.sources:
            source.number_lists = check_whitelist(source)
        self.names = NameScope(_scope_kernels(scope))
        for source in self.sources:
            self._collect(source)

    def _collect(self, source: Source) -> None:
        """Pass 1: the sizes of every ``name[...]``, and reserved names used as names."""
        nodes = list(walk_skipping(source.tree, source.number_lists))  # no name is in a list of numbers
        callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        axes = {id(node): LAYER_AXES[call.func.id]  # names sized inside an N-D layer's arguments
                for call in nodes if isinstance(call, ast.Call) and call.func.id in LAYER_AXES
                for argument in list(call.args) + [k.value for k in call.keywords]
                for node in walk_skipping(argument, source.number_lists) if isinstance(node, ast.Subscript)}
        for node in nodes:  # a Subscript comes before its own Name
            if isinstance(node, ast.Subscript):
                elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                dims = tuple(self._size(source, node.value.id, e) for e in elements)
                self.names.size(node.value.id, dims, source, node, axes.get(id(node), 0))
            elif isinstance(node, ast.Name) and node.id in RESERVED and id(node) not in callees:
                hint = f"call it: {node.id}()" if node.id in FUNCTION_NAMES else "choose another name"
                raise source.error(NamingError, node, f"{node.id} is reserved for {RESERVED[node.id]}", hint)

    def _size(self, source: Source, name: str, node: ast.expr) -> Union[int, str]:
        if isinstance(node, ast.Name):
            self.names.claim(node.id, "size", source, node)
            return node.id
        negative = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
        inner = node.operand if negative else node
        if isinstance(inner, ast.Constant) and type(inner.value) is int:
            return -inner.value if negative else inner.value  # a core check refuses sizes below 1
        raise source.error(LiteralError, node, f"a size of kernel {name} must be an integer or a size name",
                           f"expected e.g. {name}[3] or {name}[c]")

    def build(self, expect_layer: bool) -> tuple:
        built = tuple(_Builder(source, self.names).top(expect_layer) for source in self.sources)
        self.names.check_taps()
        return built


def _scope_kernels(scope: Scope) -> list[KernelSymbol]:
    values = list(() if scope is None else scope.values() if isinstance(scope, Mapping) else scope)
    if not all(isinstance(value, Kernel) for value in values):
        raise TypeError(f"a scope holds kernels (an iterable of kernels, or a mapping to kernels); got {scope!r}")
    return [symbol for value in values for symbol in value.symbols()]


class _Builder:
    """Pass 2: build the objects of one text, each node in the place that expects it."""

    def __init__(self, source: Source, names: NameScope):
        self.source, self.names = source, names

    def fail(self, cls: type, node: ast.AST, reason: str, hint: str = "") -> DSLError:
        return self.source.error(cls, node, reason, hint)

    def top(self, expect_layer: bool) -> Union[Layer, Kernel]:
        try:
            return self.layer(self.source.tree.body) if expect_layer else self.kernel(self.source.tree.body)
        except RecursionError:
            raise ParseError(self.source.text, 1, self.source.text, "the statement is nested too deeply") from None

    def core(self, node: ast.AST, build: Callable, *args: object, **kwargs: object):
        """Call a core constructor; its errors come back located at ``node``."""
        try:
            return build(*args, **kwargs)
        except DSLError:
            raise
        except SymconvError as err:
            raise self.source.core_error(err, node) from err

    def fold(self, node: ast.BinOp, operator: type, build: Callable) -> object:
        """``a op b op c`` built left to right; a core error points at the operand that broke it."""
        operands = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, operator):
            operands.append(node.right)
            node = node.left
        result = build(node)
        combine = (lambda a, b: a >> b) if operator is ast.RShift else (lambda a, b: a + b)
        for operand in reversed(operands):
            result = self.core(operand, combine, result, build(operand))
        return result

    def layer(self, node: ast.expr) -> Layer:
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.RShift, ast.Add)):
            return self.fold(node, type(node.op), self.layer)
        if isinstance(node, ast.Call) and resolve(node).is_layer:
            return self.call(node, resolve(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            raise self.fail(KindError, node, "a layer cannot be scaled", "scale its kernel instead: conv(2 * k)")
        raise self.fail(KindError, node, f"{self.describe(node)} is used where a layer is expected",
                        "wrap a kernel in a layer: conv(...)" if self.is_kernel(node) else LAYER_HINT)

    def kernel(self, node: ast.expr) -> Kernel:
        if isinstance(node, ast.Subscript):
            return self.names.kernels[node.value.id]  # built in pass 1
        if isinstance(node, ast.Name):
            return self.bare_kernel(node)
        if isinstance(node, ast.List):
            if id(node) not in self.source.number_lists and has_names(node):
                return tap_list(self, node)
            return self.core(node, literal, self.taps(node))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self.fold(node, ast.Add, self.kernel)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
            scalar, other = (node.left, node.right) if is_number(node.left) else (node.right, node.left)
            if not is_number(scalar):
                raise self.fail(KindError, node, "'*' scales a kernel by a number",
                                "for the product of two kernels write convolve(a, b)")
            return self.core(node, lambda q, k: q * k, self.number(scalar), self.kernel(other))
        if isinstance(node, ast.UnaryOp) and not is_number(node):
            k = self.kernel(node.operand)
            return k if isinstance(node.op, ast.UAdd) else self.core(node, lambda: -k)
        if isinstance(node, ast.Call) and not resolve(node).is_layer:
            return self.call(node, resolve(node))
        hint = _KERNEL_HINT
        if isinstance(node, ast.Call) and node.func.id == "flip":
            hint = "flip() is the layer, flip(k) the kernel"
        elif is_number(node):
            hint = "a one-tap kernel is a list, e.g. [2]"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            hint = "divide with a factor in front: (1/2) * k"
        raise self.fail(KindError, node, f"{self.describe(node)} is used where a kernel is expected", hint)

    def bare_kernel(self, node: ast.Name) -> Kernel:
        if self.names.roles.get(node.id, ("kernel",))[0] != "kernel":
            self.names.claim(node.id, "kernel", self.source, node)  # raises: the name has another role
        if node.id not in self.names.kernels:
            raise self.fail(NamingError, node, f"kernel {node.id} never gets a size",
                            f"give it its sizes at one occurrence, e.g. {node.id}[3] or {node.id}[c]")
        return self.names.kernels[node.id]

    def call(self, node: ast.Call, function: Function) -> Union[Layer, Kernel]:
        """Bind the arguments to ``function``'s signature, build each by its kind, call it."""
        parameters = function.parameters
        names = [p.name for p in parameters]
        usage = f"expected {function.usage()}"
        if len(node.args) > len(parameters):
            raise self.fail(ArgumentError, node.args[len(parameters)], f"{function.name} takes at most "
                            f"{len(parameters)} argument(s) but {len(node.args)} were given", usage)
        bound: dict[str, ast.expr] = dict(zip(names, node.args))
        located: dict[str, ast.AST] = dict(bound)  # where a core complaint about an argument points
        for keyword in node.keywords:
            if keyword.arg not in names:
                near = difflib.get_close_matches(keyword.arg, names, n=1)
                raise self.fail(ArgumentError, keyword, f"{function.name} has no argument {keyword.arg}",
                                (f"did you mean {near[0]}? " if near else "") + f"accepted: {', '.join(names)}")
            if keyword.arg in bound:
                raise self.fail(ArgumentError, keyword, f"{function.name} got {keyword.arg} twice", usage)
            bound[keyword.arg], located[keyword.arg] = keyword.value, keyword
        missing = [p.name for p in parameters if p.default is p.empty and p.name not in bound]
        if missing:
            raise self.fail(ArgumentError, node, f"{function.name} needs the argument(s) {', '.join(missing)}", usage)
        values = {name: self.argument(value, function.kind(name), name) for name, value in bound.items()}
        try:
            return function.build(**values)
        except SymconvError as err:
            raise self.source.core_error(err, located.get(getattr(err, "argument", None), node)) from err

    def argument(self, node: ast.expr, kind: Kind, name: str) -> object:
        """The Python value of one argument; the constructor judges it."""
        if kind is Kind.KERNEL:
            return self.kernel(node)
        if kind is Kind.BIAS and isinstance(node, ast.Constant) and node.value is None:
            return None
        if kind in (Kind.BIAS, Kind.SCALAR) and isinstance(node, ast.Name):
            self.names.claim(node.id, "bias" if kind is Kind.BIAS else "parameter", self.source, node)
            return node.id
        if kind in (Kind.BIAS, Kind.SCALAR) and isinstance(node, (ast.List, ast.Tuple)):
            return [coefficient(self, e, "parameter") for e in node.elts]
        if kind in (Kind.BIAS, Kind.SCALAR) and is_coefficient(node):
            return coefficient(self, node, "parameter")
        if kind is Kind.VALUE and isinstance(node, (ast.List, ast.Tuple)):
            values = [self.argument(e, kind, name) for e in node.elts]
            return tuple(values) if isinstance(node, ast.Tuple) else values
        if kind is Kind.VALUE and isinstance(node, ast.Constant) and not is_number(node):
            return node.value  # a string, None or a bool
        if is_number(node):
            return self.number(node)
        raise self.fail(KindError, node, f"{self.describe(node)} is given for {name}", f"{name} takes {kind.value}")

    def taps(self, node: ast.expr) -> object:
        return [self.taps(e) for e in node.elts] if isinstance(node, ast.List) else self.number(node)

    def number(self, node: ast.expr) -> Number:
        """An exact number: ints stay ints, ``a/b`` is a rational, floats are checked finite."""
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            if type(node.value) is int:
                return node.value
            if not math.isfinite(node.value):
                raise self.fail(LiteralError, node, f"the number {shorten(self.source.span(node)[1])} is not finite "
                                "(it overflows a float)", "expected a finite number")
            return written_value(node.value, self.source.span(node)[1])  # the decimal as written
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.number(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            value = self.exact(node)
            if type(value) is int or value.denominator == 1:
                return int(value)
            return rational(value.numerator, value.denominator)
        raise self.fail(KindError, node, f"{self.describe(node)} is used where a number is expected",
                        "expected e.g. 2, -1/2 or 0.5")

    def exact(self, node: ast.expr) -> Union[int, Fraction]:
        """:meth:`number` as an int or a ``Fraction`` (products and quotients are computed in Python's exact
        integers and fractions; :meth:`number` makes the SymPy rational once, for the result)."""
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            a, b = self.exact(node.left), self.exact(node.right)
            if isinstance(node.op, ast.Mult):
                return a * b
            if b == 0:
                raise self.fail(LiteralError, node, "division by zero", "expected a nonzero denominator")
            return Fraction(a, b) if type(a) is int and type(b) is int else Fraction(a) / b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.exact(node.operand)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        value = self.number(node)
        if type(value) is int:
            return value
        if type(value) is float:
            return Fraction(repr(value))  # the float's shortest repr: written_value kept the float for it
        return Fraction(int(value.p), int(value.q))

    def is_kernel(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Call):
            return not resolve(node).is_layer
        if isinstance(node, ast.Name):
            return node.id in self.names.kernels
        return isinstance(node, (ast.Subscript, ast.List)) or (
            isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult))

    def describe(self, node: ast.expr) -> str:
        """What a fragment is, in words: 'the kernel k[3]', 'the string 'same'', 'the size c' (cut by
        :func:`~symconv.errors.shorten`: a literal kernel can be thousands of characters)."""
        fragment = shorten(self.source.span(node)[1])
        if isinstance(node, ast.Call) and resolve(node).is_layer:
            return f"the layer {fragment}"
        if isinstance(node, ast.Name):
            return f"the {self.names.roles.get(node.id, ('name',))[0]} {node.id}"
        if self.is_kernel(node):
            return f"the kernel {fragment}"
        if isinstance(node, ast.Constant):
            kind = "string" if isinstance(node.value, str) else "number" if is_number(node) else "constant"
            return f"the {kind} {fragment}"
        return f"the expression {fragment}"
