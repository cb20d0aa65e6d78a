"""The trusted core: kernels, layers, their exact semantics and output lengths."""

from symconv.core.kernel import *  # noqa: F401,F403
from symconv.core.layers import *  # noqa: F401,F403
from symconv.core.output_length import output_length, length_symbol  # noqa: F401
from symconv.core.semantics import evaluate, symbolic_input, as_signal  # noqa: F401
