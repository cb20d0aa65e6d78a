"""symconv: prove, refute and derive convolution identities for every input length.

>>> import symconv
>>> symconv.prove("conv(k[3], stride=2) >> conv(k, stride=2)", "conv(convolve(k, dilate(k, 2)), stride=4)").verdict
'proved'
"""

__version__ = "0.1.0"

from symconv.core.kernel import convolve, dilate, flipk, kernel, literal, padk
from symconv.core.layers import (
    affine,
    avgpool,
    conv,
    conv_transpose,
    crop,
    down,
    flip,
    l2pool,
    maxpool,
    pad,
    relu,
    up,
)
from symconv.core.output_length import output_length
from symconv.core.semantics import evaluate
from symconv.factor import factor
from symconv.numeric import evaluate_numeric
from symconv.prove.derive import derive
from symconv.prove.proof import prove
from symconv.theorem import check, theorem

__all__ = [
    "prove",
    "derive",
    "factor",
    "latex",
    "theorem",
    "check",
    "kernel",
    "literal",
    "convolve",
    "dilate",
    "flipk",
    "padk",
    "conv",
    "conv_transpose",
    "pad",
    "crop",
    "down",
    "up",
    "flip",
    "avgpool",
    "maxpool",
    "l2pool",
    "relu",
    "affine",
    "output_length",
    "evaluate",
    "evaluate_numeric",
]


def __getattr__(name: str):
    """``symconv.latex`` imports the report layer (jinja2) on first use, keeping start-up short."""
    if name == "latex":
        from symconv.report.latex import latex

        return latex
    raise AttributeError(f"module 'symconv' has no attribute {name!r}")
