"""Shared helpers of the interop tests: symconv's own evaluation and torch's, on the same input."""

from __future__ import annotations

import numpy as np
import pytest


def symconv_output(layer, x: np.ndarray) -> np.ndarray:
    """symconv's evaluation of ``layer`` on ``x`` of shape ``(C, n1, ..., nd)``, independent of torch.

    1-D: :func:`symconv.evaluate_numeric` (float64). N-D: the numeric evaluator where it takes the layer,
    else the exact N-D semantics of the core.
    """
    import symconv
    from symconv.errors import SymconvError

    if x.ndim == 2:
        return np.asarray(symconv.evaluate_numeric(layer, x), dtype=float)
    if layer.ndim == x.ndim - 1:  # a layer with axes (not only relu/affine): an N-D numeric evaluator may take it
        try:
            return np.asarray(symconv.evaluate_numeric(layer, x), dtype=float)
        except (TypeError, SymconvError):
            pass
    from symconv.core.semantics_nd import evaluate_nd

    return np.asarray(evaluate_nd(layer, x.tolist()), dtype=float)


def torch_output(module, x: np.ndarray) -> np.ndarray:
    """``module`` (made float64, on a copy) applied to ``x`` of shape ``(C, n1, ..., nd)``."""
    import copy

    import torch

    double = copy.deepcopy(module).double().eval()
    with torch.no_grad():
        return double(torch.tensor(x[None], dtype=torch.float64))[0].numpy()


@pytest.fixture
def agree():
    """``agree(module, layer, x)``: symconv and torch give the same shape and values (float64 rounding apart)."""

    def check(module, layer, x: np.ndarray, rtol: float = 1e-9, atol: float = 1e-9) -> None:
        ours, theirs = symconv_output(layer, x), torch_output(module, x)
        assert ours.shape == theirs.shape, (layer, x.shape)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, err_msg=repr(layer))

    return check
