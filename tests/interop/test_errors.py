"""Every construct from_torch cannot express raises UnsupportedModule naming the module path, its type and
what is supported; bad arguments raise InvalidArgument."""

from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from symconv import from_torch  # noqa: E402
from symconv.errors import InvalidArgument, UnsupportedModule  # noqa: E402
from symconv.interop.modules import SUPPORTED  # noqa: E402


class _Forward(nn.Module):
    """A model whose forward is ``body(self, x)``, with one convolution ``self.c`` to use."""

    def __init__(self, body):
        super().__init__()
        self.c = nn.Conv1d(1, 1, 1)
        self.body = body

    def forward(self, x):
        return self.body(self, x)


class _TwoInputs(nn.Module):
    def forward(self, x, y):
        return x + y


class _Parameter(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = nn.Parameter(torch.ones(1))

    def forward(self, x):
        return x + self.p


def _message(path: str, module_type: str, reason: str) -> str:
    where = f"module {path!r}" if path else "the model itself"
    return f"from_torch: {where} ({module_type}) {reason}; supported: {SUPPORTED}"


CASES = {
    "lstm": (lambda: nn.Sequential(nn.Conv1d(1, 1, 1), nn.LSTM(2, 2)),
             "1", "LSTM", "is not a module symconv can express"),
    "flatten_module": (lambda: nn.Sequential(nn.Conv1d(1, 1, 1), nn.Flatten()),
                       "1", "Flatten", "is not a module symconv can express"),
    "view": (lambda: _Forward(lambda s, x: s.c(x).view(-1)),
             "", "_Forward", "calls the tensor method .view(), which symconv cannot express"),
    "torch_flatten": (lambda: _Forward(lambda s, x: torch.flatten(s.c(x))),
                      "", "_Forward", "calls torch.flatten, which symconv cannot express"),
    "product": (lambda: _Forward(lambda s, x: s.c(x) * x),
                "", "_Forward", "multiplies two tensors (operator.mul), which is not a convolution layer"),
    "unknown_function": (lambda: _Forward(lambda s, x: torch.sigmoid(s.c(x))),
                         "", "_Forward", "calls torch.sigmoid, which symconv cannot express"),
    "constant": (lambda: _Forward(lambda s, x: s.c(x) + 1),
                 "", "_Forward", "adds the constant 1 to a tensor; symconv adds two branches only"),
    "two_outputs": (lambda: _Forward(lambda s, x: (s.c(x), x)),
                    "", "_Forward", "returns tuple (c, x); expected one tensor"),
    "two_inputs": (_TwoInputs, "", "_TwoInputs", "takes a second input 'y'; expected one input tensor"),
    "parameter": (_Parameter, "", "_Parameter",
                  "reads the tensor 'p' directly (get_attr), which symconv cannot express"),
    "padding_mode": (lambda: nn.Sequential(nn.Conv2d(1, 1, 3, padding=1, padding_mode="reflect")),
                     "0", "Conv2d", "has padding_mode='reflect'; only padding_mode='zeros' is supported"),
    "batch_norm_training": (lambda: nn.Sequential(nn.Conv1d(1, 2, 1), nn.BatchNorm1d(2)),
                            "1", "BatchNorm1d", "is in training mode, where it normalises with the statistics of "
                                                "each batch; call model.eval() first"),
    "batch_norm_without_running_stats": (
        lambda: nn.BatchNorm2d(2, track_running_stats=False).eval(), "", "BatchNorm2d",
        "has no running statistics (track_running_stats=False), so it normalises with the statistics of each "
        "batch even in eval mode"),
    "dropout_training": (lambda: nn.Sequential(nn.Dropout()), "0", "Dropout",
                         "is in training mode, where it zeroes random samples; call model.eval() first"),
    "maxpool_indices": (lambda: nn.MaxPool2d(2, return_indices=True), "", "MaxPool2d",
                        "has return_indices=True (two outputs); use return_indices=False"),
    "avgpool_divisor": (lambda: nn.AvgPool2d(2, divisor_override=3), "", "AvgPool2d",
                        "has divisor_override=3, which symconv's avgpool cannot express"),
    "mixed_dimensions": (lambda: nn.Sequential(nn.Conv1d(1, 1, 1), nn.Conv2d(1, 1, 1)), "", "Sequential",
                         "mixes layers of different dimensions ('0' is 1-D, '1' is 2-D)"),
    "other_activation": (nn.ReLU6, "", "ReLU6", "is not a module symconv can express"),
    "concatenation": (lambda: _Forward(lambda s, x: s.c(x) + torch.cat([x, x], 1)),
                      "", "_Forward", "calls torch.cat, which symconv cannot express"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unsupported_construct_names_module_path_type_and_what_is_supported(case):
    build, path, module_type, reason = CASES[case]
    with pytest.raises(UnsupportedModule) as caught:
        from_torch(build())
    assert str(caught.value) == _message(path, module_type, reason)
    assert (caught.value.path, caught.value.module_type) == (path, module_type)


def test_unsupported_call_inside_a_submodule_names_that_submodule():
    class Gate(nn.Module):
        def forward(self, x):
            return x * x

    model = nn.Sequential(nn.Conv1d(1, 1, 1), nn.Sequential(nn.ReLU(), Gate()))
    with pytest.raises(UnsupportedModule, match=re.escape("from_torch: module '1.1' (Gate) multiplies two tensors")):
        from_torch(model)


def test_untraceable_forward_says_torch_fx_cannot_trace_it():
    model = _Forward(lambda s, x: s.c(x) if x.sum() > 0 else x)
    with pytest.raises(UnsupportedModule, match=re.escape(
            "from_torch: the model itself (_Forward) cannot be traced by torch.fx (TraceError: symbolically traced "
            "variables cannot be used as inputs to control flow); supported: ")):
        from_torch(model)


def test_non_finite_weight_is_refused_naming_the_module():
    conv = nn.Conv1d(1, 1, 2)
    with torch.no_grad():
        conv.weight[0, 0, 1] = float("nan")
    with pytest.raises(UnsupportedModule, match=re.escape(
            "from_torch: module '0' (Conv1d) has a weight symconv cannot read: weight of 0: weight entry nan is not "
            "finite; expected finite numbers")):
        from_torch(nn.Sequential(conv))


def test_weights_mode_other_than_values_or_symbolic_is_refused():
    with pytest.raises(InvalidArgument, match=re.escape(
            "from_torch: weights='exact' is invalid; expected 'values' or 'symbolic'")):
        from_torch(nn.Conv1d(1, 1, 1), weights="exact")


def test_something_other_than_a_module_is_refused():
    with pytest.raises(InvalidArgument, match=re.escape(
            "from_torch: module='str' is invalid; expected a torch.nn.Module")):
        from_torch("conv(k[3])")


def test_derive_of_something_neither_text_layer_nor_module_is_refused():
    import symconv

    with pytest.raises(InvalidArgument, match=re.escape(
            "derive: chain='int' is invalid; expected a DSL string, a symconv layer or a torch.nn.Module")):
        symconv.derive(3)
