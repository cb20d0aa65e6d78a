"""``from_torch``: a PyTorch model as a symconv layer, read from its ``torch.fx`` graph.

The model is traced with ``torch.fx.symbolic_trace`` (so ``forward`` methods
with residual additions work, not only ``nn.Sequential``). Each graph node
becomes the chain of layers that maps the model's input to that node's
value: a module call appends its layer (:mod:`symconv.interop.modules`), a
ReLU appends ``relu()``, ``F.pad(x, pad)`` (zeros) appends
:func:`~symconv.interop.modules.padding_layer`, and ``a + b`` becomes ``P >> (A + B)`` where ``P``
is the part of the two chains they share and ``A``, ``B`` the rest of each
(the identity ``pad(0)`` for an empty rest), so a residual block
``x + f(x)`` is ``pad(0) + f`` after what precedes it.

torch is imported when :func:`from_torch` is called, never on import:

>>> "torch" in TORCH_REQUIREMENT
True
"""

from __future__ import annotations

import operator
import sys
from dataclasses import dataclass
from typing import Any, Optional

from symconv.core.layers import Chain, Layer
from symconv.errors import InvalidArgument, PythonPackageMissing, SymconvError, UnsupportedModule
from symconv.interop.modules import SUPPORTED, Converted, convert_module, identity_layer, padding_layer
from symconv.interop.weights import names_clash, symbol_name

__all__ = ["from_torch", "as_layer", "require_torch", "TORCH_REQUIREMENT"]

#: What ``pip install`` needs for the PyTorch features.
TORCH_REQUIREMENT = "torch==2.13.0"

WEIGHT_MODES = ("values", "symbolic")


def require_torch(purpose: str) -> Any:
    """``import torch``, or :class:`PythonPackageMissing` saying how to install it."""
    try:
        import torch
        import torch.fx  # noqa: F401
    except ImportError:
        raise PythonPackageMissing(("torch",), (TORCH_REQUIREMENT,), purpose) from None
    return torch


@dataclass(frozen=True)
class _Step:
    """One layer of a node's chain, tagged with the graph node that added it (to find shared prefixes)."""

    origin: str
    layer: Layer


def _chain(steps: tuple[_Step, ...], ndim: int) -> Layer:
    layers = tuple(s.layer for s in steps)
    if not layers:
        return identity_layer(ndim)
    return layers[0] if len(layers) == 1 else Chain(layers)


def _node_place(node: Any, root: Any) -> tuple[str, str]:
    """The path and class name of the module whose ``forward`` made ``node`` (``""``: the model itself)."""
    stack = node.meta.get("nn_module_stack") or {}
    if stack:
        path, (_, cls) = list(stack.items())[-1]
        return path, getattr(cls, "__name__", str(cls))
    return "", type(root).__name__


def _function_name(target: object) -> str:
    module = getattr(target, "__module__", None) or ""
    module = {"_operator": "operator", "torch._C._nn": "torch.nn.functional"}.get(module, module)
    name = getattr(target, "__name__", repr(target))
    return f"{module}.{name}" if module else name


def _is_relu(node: Any, torch: Any) -> bool:
    if node.op == "call_method":
        return node.target in ("relu", "relu_")
    return node.target in (torch.nn.functional.relu, torch.relu, torch.relu_)


def _is_add(node: Any, torch: Any) -> bool:
    alpha = node.kwargs.get("alpha", 1)
    if node.op == "call_method":
        return node.target in ("add", "add_") and alpha == 1
    return node.target in (operator.add, operator.iadd) or (node.target is torch.add and alpha == 1)


def _is_eval_dropout(node: Any, torch: Any) -> bool:
    """``F.dropout(x, p, training=False)``: the identity (``training`` is the third argument, default True)."""
    if node.op != "call_function" or node.target is not torch.nn.functional.dropout:
        return False
    return not node.kwargs.get("training", node.args[2] if len(node.args) > 2 else True)


def _pad_call(node: Any, torch: Any) -> Optional[tuple[object, object, object]]:
    """``(pad, mode, value)`` of a call ``F.pad(x, pad, mode='constant', value=None)`` or
    ``torch.constant_pad_nd(x, pad, value=0)``; ``None`` for any other node."""
    if node.op != "call_function":
        return None
    if node.target is torch.nn.functional.pad:
        names, bound = ("input", "pad", "mode", "value"), {"mode": "constant", "value": None}
    elif node.target is torch.constant_pad_nd:
        names, bound = ("input", "pad", "value"), {"mode": "constant", "value": 0}
    else:
        return None
    bound.update(zip(names, node.args))
    bound.update(node.kwargs)
    return bound.get("pad"), bound["mode"], bound["value"]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Walk:
    """The graph walk: each node's value as a tuple of :class:`_Step` from the model's input."""

    def __init__(self, root: Any, graph: Any, weights: str, torch: Any):
        self.root, self.graph, self.weights, self.torch = root, graph, weights, torch
        self.converted: dict[str, Converted] = {}
        self.ndim = 1

    def unsupported(self, node: Any, reason: str) -> UnsupportedModule:
        path, cls = _node_place(node, self.root)
        return UnsupportedModule(path, cls, reason, SUPPORTED)

    def convert_modules(self) -> None:
        """Convert every module call first: the spatial axes of the model are needed for identity branches."""
        axes: dict[int, str] = {}
        named: dict[str, str] = {}  # path -> the name of its symbolic weights
        for node in self.graph.nodes:
            if node.op == "call_module":
                module = self.root.get_submodule(node.target)
                converted = convert_module(module, node.target, self.weights)
                self.converted[node.name] = converted
                if converted.ndim is not None:
                    axes.setdefault(converted.ndim, node.target)
                if self.weights == "symbolic" and _has_weights(converted.layer):
                    self.check_name(node.target, module, named)
        if not axes:  # no module fixes the spatial axes: F.pad's pairs do (F.pad(x, (1, 1, 2, 2)) pads a 2-D signal)
            for node in self.graph.nodes:
                call = _pad_call(node, self.torch)
                if call is not None and isinstance(call[0], (tuple, list)) and len(call[0]) >= 2:
                    self.ndim = max(self.ndim, len(call[0]) // 2)
        if len(axes) > 1:
            listing = ", ".join(f"{path!r} is {d}-D" for d, path in sorted(axes.items()))
            raise UnsupportedModule("", type(self.root).__name__, f"mixes layers of different dimensions "
                                                                  f"({listing})", SUPPORTED)
        if axes:
            self.ndim = next(iter(axes))

    def check_name(self, path: str, module: Any, named: dict[str, str]) -> None:
        """Refuse two module paths whose symbolic weights would share symbols (``a.b`` and ``a_b`` are both
        ``a_b``; ``conv``'s tap ``conv_1`` is the module ``conv_1``): proved identities would then hold only
        for models whose two weights are equal."""
        name = symbol_name(path)
        for other, other_name in named.items():
            if other != path and names_clash(name, other_name):
                raise UnsupportedModule(path, type(module).__name__, f"has symbolic weights named {name!r}, which "
                                        f"clash with {other_name!r} of module {other!r} (a weight k owns k and "
                                        f"every k_...); rename one of the two modules or use weights='values'",
                                        SUPPORTED)
        named[path] = name

    def single_input(self, node: Any, count: int = 1) -> list:
        fx = self.torch.fx
        tensors = [a for a in node.args if isinstance(a, fx.Node)]
        extra = [a for a in node.args if not isinstance(a, fx.Node)]
        if len(tensors) != count or (node.op == "call_module" and (extra or node.kwargs)):
            raise self.unsupported(node, f"calls {node.target} with arguments {node.args!r}; expected "
                                         f"{'one input tensor' if count == 1 else 'two tensors'}")
        return tensors

    def add(self, node: Any, a: tuple[_Step, ...], b: tuple[_Step, ...]) -> tuple[_Step, ...]:
        """``a + b`` as ``shared >> (rest of a + rest of b)``."""
        shared = 0
        while shared < min(len(a), len(b)) and a[shared].origin == b[shared].origin:
            shared += 1
        try:
            total = _chain(a[shared:], self.ndim) + _chain(b[shared:], self.ndim)
        except SymconvError as err:
            raise self.unsupported(node, f"adds two branches that symconv cannot add: {_short(err)}") from err
        return a[:shared] + (_Step(node.name, total),)

    def zero_padding(self, node: Any, pad: object, mode: object, value: object) -> Optional[Layer]:
        """``F.pad(x, pad)`` in constant mode with value 0 as :func:`~symconv.interop.modules.padding_layer`."""
        call = f"calls {_function_name(node.target)} with"
        if mode != "constant":
            raise self.unsupported(node, f"{call} mode={mode!r}; symconv pads with zeros only (mode='constant', "
                                         f"value=0)")
        if value is not None and value != 0:
            raise self.unsupported(node, f"{call} value={value!r}; symconv pads with zeros only (mode='constant', "
                                         f"value=0)")
        if not (isinstance(pad, (tuple, list)) and pad and all(_is_int(v) for v in pad)):
            raise self.unsupported(node, f"{call} pad={pad!r}; expected a tuple of ints (left, right pairs, last "
                                         f"axis first)")
        if len(pad) % 2:
            raise self.unsupported(node, f"{call} pad={tuple(pad)!r}, an odd number of entries; expected (left, "
                                         f"right) pairs, last axis first")
        if len(pad) // 2 > self.ndim:
            raise self.unsupported(node, f"{call} pad={tuple(pad)!r}, which pads {len(pad) // 2} axes; the model's "
                                         f"signals have {self.ndim} spatial axes, and symconv cannot pad the batch "
                                         f"or channel axis")
        return padding_layer(tuple(pad), self.ndim)

    def run(self) -> Layer:
        self.convert_modules()
        values: dict[str, tuple[_Step, ...]] = {}
        inputs = 0
        for node in self.graph.nodes:
            if node.op == "placeholder":
                inputs += 1
                if inputs > 1:
                    raise self.unsupported(node, f"takes a second input {node.target!r}; expected one input tensor")
                values[node.name] = ()
            elif node.op == "call_module":
                (source,) = self.single_input(node)
                layer = self.converted[node.name].layer
                values[node.name] = values[source.name] + ((_Step(node.name, layer),) if layer is not None else ())
            elif node.op in ("call_function", "call_method"):
                values[node.name] = self.function(node, values)
            elif node.op == "output":
                result = node.args[0]
                if not isinstance(result, self.torch.fx.Node):
                    raise self.unsupported(node, f"returns {type(result).__name__} {result!r}; expected one tensor")
                try:
                    return _chain(values[result.name], self.ndim)
                except SymconvError as err:
                    raise self.unsupported(node, f"gives a chain symconv cannot build: {_short(err)}") from err
            else:  # get_attr: a parameter or buffer used as a tensor
                raise self.unsupported(node, f"reads the tensor {node.target!r} directly ({node.op}), which "
                                             f"symconv cannot express")
        raise AssertionError("a traced graph has an output node")

    def function(self, node: Any, values: dict) -> tuple[_Step, ...]:
        torch = self.torch
        if _is_relu(node, torch):
            (source,) = self.single_input(node)
            from symconv.core.layers import relu

            return values[source.name] + (_Step(node.name, relu()),)
        if _is_eval_dropout(node, torch):
            (source,) = self.single_input(node)
            return values[source.name]
        call = _pad_call(node, torch)
        if call is not None:
            (source,) = self.single_input(node)
            layer = self.zero_padding(node, *call)
            return values[source.name] + ((_Step(node.name, layer),) if layer is not None else ())
        if _is_add(node, torch):
            constants = [a for a in node.args if not isinstance(a, torch.fx.Node)]
            if constants or len(node.args) != 2:
                raise self.unsupported(node, f"adds the constant {constants[0] if constants else node.args!r} to a "
                                             f"tensor; symconv adds two branches only")
            a, b = node.args
            return self.add(node, values[a.name], values[b.name])
        name = f"the tensor method .{node.target}()" if node.op == "call_method" else _function_name(node.target)
        if node.target in (operator.mul, torch.mul) or node.target in ("mul", "mul_"):
            raise self.unsupported(node, f"multiplies two tensors ({name}), which is not a convolution layer")
        raise self.unsupported(node, f"calls {name}, which symconv cannot express")


def _short(err: Exception, limit: int = 300) -> str:
    text = " ".join(str(err).split())
    return text if len(text) <= limit else text[:limit] + " ..."


def _has_weights(layer: Optional[Layer]) -> bool:
    """Whether a converted module carries weights (a kernel, or a batch norm's scale and shift)."""
    from symconv.core.nonlinear import Affine

    return layer is not None and (bool(layer.kernels()) or isinstance(layer, Affine))


def _is_leaf(torch: Any, module: Any) -> bool:
    return torch.fx.Tracer().is_leaf_module(module, "")


def from_torch(module: Any, weights: str = "values") -> Layer:
    """The symconv layer that computes what ``module`` (a ``torch.nn.Module``) computes.

    ``weights="values"``: every weight is an exact rational (a float32 is the
    dyadic rational it denotes; nothing is rounded). ``weights="symbolic"``:
    each convolution weight is a kernel named after its module path
    (``layer1.0.conv1`` -> ``layer1_0_conv1``, a bias ``layer1_0_conv1_b``,
    a batch norm ``affine(bn_scale_0, ..., bn_shift_0, ...)``), so an
    identity proved between two models holds for every value of the weights;
    two module paths whose names would share symbols (``a.b`` and ``a_b``, or
    ``conv`` and ``conv_1``: ``conv``'s taps are ``conv_0, conv_1, ...``) are
    refused, naming both.
    Batch norm becomes ``affine(scale, shift)`` with the float numbers torch's
    own kernel uses (:mod:`symconv.interop.modules`). Supported modules:
    :data:`symconv.interop.modules.SUPPORTED`; anything else raises :class:`~symconv.errors.UnsupportedModule` naming the
    module path, its type and what is supported.
    """
    torch = require_torch("from_torch")
    if weights not in WEIGHT_MODES:
        raise InvalidArgument("from_torch", "weights", weights, "'values' or 'symbolic'")
    if not isinstance(module, torch.nn.Module):
        raise InvalidArgument("from_torch", "module", type(module).__name__, "a torch.nn.Module")
    if _is_leaf(torch, module):
        converted = convert_module(module, "", weights)
        return converted.layer if converted.layer is not None else identity_layer(converted.ndim or 1)
    try:
        graph = torch.fx.symbolic_trace(module).graph
    except Exception as err:  # noqa: BLE001 - torch.fx raises many kinds of errors on untraceable code
        raise UnsupportedModule("", type(module).__name__, f"cannot be traced by torch.fx "
                                f"({type(err).__name__}: {_short(err, 200)})", SUPPORTED) from err
    return _Walk(module, graph, weights, torch).run()


def as_layer(value: Any, what: str) -> Layer:
    """``value`` as a layer for a public entry point: a ``torch.nn.Module`` through :func:`from_torch`.

    ``what`` names the entry point and argument (``"prove lhs"``) for the error
    raised on anything that is neither a layer, a DSL string nor a module.
    """
    if isinstance(value, (Layer, str)):
        return value
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.nn.Module):
        return from_torch(value)
    entry, _, argument = what.partition(" ")
    raise InvalidArgument(entry, argument or "chain", type(value).__name__,
                          "a DSL string, a symconv layer or a torch.nn.Module")
