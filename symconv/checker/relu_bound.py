"""The checker's rules ``relu_identity`` and ``relu_identity_at``: under a declared bound ``|x| <= B`` a
``relu()`` is the identity.

Rule data. ``relu_identity`` (1-D, a relu() of the chain itself): ``side``
(``lhs``/``rhs``), ``index`` (the position of the ``relu()`` among that side's
layers), and ``period``, ``start``, ``limit`` for the linear layers before it
(its *prefix*). ``relu_identity_at`` (any number d of spatial axes, and a
relu() inside a sum): ``side``; ``path`` ``[i_0, b_1, i_1, ..., b_k, i_k]``:
layer ``i_0`` of the side, which is a sum when ``k >= 1``, its branch ``b_1``,
layer ``i_1`` of that branch, and so on down to the ``relu()``; ``axes``, one
``[start, period, limit]`` per spatial axis. The prefix of a path is every
layer the relu()'s input passes through: the side's layers before ``i_0``,
then branch ``b_1``'s layers before ``i_1``, and so on (a sum feeds the same
input to each branch, so the relu() of branch ``b_1`` reads
``branch_{b_1}[:i_1](side[:i_0](x))``).

**Lemma.** Let the prefix A be linear up to ``affine`` layers (each
``affine(s, t)`` on C channels is the grouped 1x1 convolution
``conv([[[s_0]], ..., [[s_{C-1}]]], groups=C, bias=t)``: both give
``y[m, i] = s_m x[m, i] + t_m``). Every output of A is affine in the input,
``v = sum_j a_j x_j + t``, and its least value on the box ``|x_j| <= B`` is
exactly ``t - B sum_j |a_j|``. If that is ``>= 0`` for every output of every
input shape, then ``relu(v) = v`` on every input that meets the bound, so the
``relu()`` can be dropped. For ``n >= n0`` every output row of A at ``n + P``
is a row at n with its coefficients moved by P input samples or unchanged
(the finite-horizon lemma of :mod:`symconv.checker.tolerance`, under the
eventual-periodicity hypotheses of A with itself: on A for d = 1, on its
projection on each axis for d >= 2, the other axes read as channels), and
moving coefficients does not change ``t - B sum |a_j|``; so checking every row
of every shape with ``n_k < limit_k`` on every axis (``limit_k >= n0_k + P_k``)
checks every shape. Flips in the prefix are first moved to its input
(``A == flip >> G``, :func:`symconv.checker.flips.flips_to_input` and its N-D
form): a flip permutes the samples of the box, so every output of A has the
least value of the same output of the flip-free G, whose rows are checked. ``B`` is the certificate's one declared bound: a positive
number, or a name that stands for every positive number (then the least value,
``p + q B``, needs ``p, q >= 0``). The outputs are the core's exact
polynomials (:func:`symconv.core.semantics.evaluate_exact`,
:func:`symconv.core.semantics_nd.every_output_exact`).

Both rules drop the ``relu()`` (a branch or side left without layers is the
identity ``pad(0)``, ``pad((0, ..., 0))`` in N-D) and write every ``affine``
of both sides as its convolution, so that the linear rules apply to what is
left.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

from symconv.lazy_import import sympy

from symconv.checker.flips import as_layer
from symconv.checker.periodicity import check_window, periodic_structure
from symconv.checker.tolerance import as_convolutions
from symconv.core.composite import Parallel
from symconv.core.exact_poly import Poly, from_sympy, to_sympy, variable
from symconv.core.geometry import identity_pad
from symconv.core.layers import Layer
from symconv.core.nonlinear import ReLU
from symconv.core.semantics import evaluate_exact, exact_input
from symconv.errors import CertificateError

__all__ = ["rule_relu_identity", "rule_relu_identity_at", "affine_as_convolution", "least_value", "identity",
           "relu_prefix", "linear_prefix", "without_relu", "MAX_RELU_SHAPES"]

#: The checker evaluates the prefix of a relu() on at most this many input shapes.
MAX_RELU_SHAPES = 400


def affine_as_convolution(layer: Layer, channels: int) -> Layer:
    """``layer`` with every ``affine(s, t)`` (on ``channels`` channels) written as its grouped 1x1 convolution."""
    return as_convolutions(layer, channels)


def identity(ndim: int) -> Layer:
    """The identity layer of a ``ndim``-D chain: ``pad(0)``, or ``pad((0, ..., 0))``."""
    return identity_pad(ndim)


def _join(layers: tuple, ndim: int) -> Layer:
    return as_layer(False, layers) if layers else identity(ndim)


def _is_index(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _walk(side: Layer, path: object, where: str) -> list[tuple[tuple, int]]:
    """``[(layers, i), ...]``: at each level of ``path`` the layers there and the index taken; the last is a relu()."""
    if not (isinstance(path, list) and len(path) % 2 == 1 and all(_is_index(v) for v in path)):
        raise CertificateError(f"{where}: path {path!r} is not [i_0, b_1, i_1, ..., b_k, i_k] (natural numbers, an "
                               f"odd count)")
    levels, layers = [], side.layers()
    for depth in range(0, len(path), 2):
        i = path[depth]
        if i >= len(layers):
            raise CertificateError(f"{where}: path {path} leaves {as_layer(False, layers)!r} at index {i} (it has "
                                   f"{len(layers)} layer(s))")
        levels.append((layers, i))
        if depth + 1 == len(path):
            break
        layer, branch = layers[i], path[depth + 1]
        if not isinstance(layer, Parallel) or branch >= len(layer.branches):
            raise CertificateError(f"{where}: path {path}: layer {i} of {as_layer(False, layers)!r} is not a sum with "
                                   f"a branch {branch}")
        layers = layer.branches[branch].layers()
    layers, i = levels[-1]
    if not isinstance(layers[i], ReLU):
        raise CertificateError(f"{where}: path {path} of {side!r} leads to {layers[i]!r}, not a relu()")
    return levels


def relu_prefix(side: Layer, path: list, ndim: int, where: str = "relu_prefix") -> Layer:
    """The layers the input of the relu() at ``path`` passes through (module docstring)."""
    return _join(tuple(s for layers, i in _walk(side, path, where) for s in layers[:i]), ndim)


def linear_prefix(side: Layer, path: list, ndim: int, channels: int, where: str = "linear_prefix") -> Layer:
    """The prefix of the relu() at ``path`` with every affine as its convolution and its flips moved to its input
    and dropped (module docstring); CertificateError when it is not linear or a flip cannot move."""
    from symconv.checker.flips import flips_to_input
    from symconv.checker.flips_nd import flips_to_input_nd, has_flips

    prefix = as_convolutions(relu_prefix(side, path, ndim, where), channels, ndim)
    if not prefix.linear:
        raise CertificateError(f"{where}: the layers before the relu(), {prefix!r}, are not linear; drop the "
                               f"relu() layers before it first")
    if has_flips(prefix):
        _, steps = flips_to_input(prefix, where) if ndim == 1 else flips_to_input_nd(prefix, where)
        prefix = _join(tuple(steps), ndim)
    return prefix


def without_relu(side: Layer, path: list, ndim: int, where: str = "without_relu") -> Layer:
    """``side`` with the relu() at ``path`` removed."""
    levels = _walk(side, path, where)

    def rebuild(depth: int) -> Layer:
        layers, i = levels[depth]
        if depth + 1 == len(levels):
            return _join(layers[:i] + layers[i + 1:], ndim)
        sum_ = layers[i]
        branches = list(sum_.branches)
        branches[path[2 * depth + 1]] = rebuild(depth + 1)
        return as_layer(False, layers[:i] + (Parallel(tuple(branches)),) + layers[i + 1:])

    return rebuild(0)


def least_value(value: Poly, inputs: set, bound: sympy.Expr, where: str) -> tuple[sympy.Expr, bool]:
    """``(t - B sum |a_j|, whether it is >= 0)`` for ``value = sum a_j x_j + t`` (an exact polynomial) with rational
    ``a_j``; ``inputs`` are the numbers of the input variables. A named ``B`` stands for every positive number:
    ``t`` may be ``p + q B`` and the least value ``p + (q - sum |a_j|) B`` needs ``p, q - sum |a_j| >= 0``."""
    named = None  # the variable number of a named bound B
    if not bound.is_number:
        (monomial,) = from_sympy(bound)  # the parser gives a symbol: one monomial (B,)
        named = monomial[0] if len(monomial) == 1 else -1
    spread, constant, slope, other = Fraction(0), Fraction(0), Fraction(0), {}
    for monomial, c in value.items():
        if monomial == ():
            constant += c
        elif len(monomial) == 1 and monomial[0] in inputs:
            spread += abs(c)
        elif any(v in inputs for v in monomial):
            term = to_sympy({monomial: c})
            raise CertificateError(f"{where}: the term {term} of a relu() input is not a number times an input "
                                   f"sample; expected numeric weights before the relu()")
        elif monomial == (named,):
            slope += c
        else:
            other[monomial] = c
    least = to_sympy({**other, **({(): constant} if constant else {})}) + sympy.Rational(slope) * bound \
        - sympy.Rational(spread) * bound
    least = sympy.expand(least)
    if other:
        return least, False
    if named is None:
        return least, constant - Fraction(int(bound.p), int(bound.q)) * spread >= 0
    return least, constant >= 0 and slope - spread >= 0


def _input_numbers(shape: tuple[int, ...], channels: int) -> set:
    """The variable numbers of the symbolic input samples of ``shape`` (1-D: ``x_i``/``x_m_i``; N-D: ``x[m, j]``)."""
    if len(shape) == 1:
        return {next(iter(v))[0] for channel in exact_input(shape[0], channels) for v in channel}
    return {next(iter(variable(("x", m, *j))))[0]
            for m in range(channels) for j in itertools.product(*(range(n) for n in shape))}


def _outputs(prefix: Layer, shape: tuple[int, ...], channels: int) -> dict:
    """``{(o, *i): exact polynomial}`` for every output of ``prefix`` on the symbolic input of ``shape``."""
    if len(shape) == 1:
        y = evaluate_exact(prefix, exact_input(shape[0], channels))
        return {(o, i): v for o, row in enumerate(y) for i, v in enumerate(row)}
    from symconv.core.semantics_nd import every_output_exact

    return every_output_exact(prefix, shape, channels)[2]


def _windows(prefix: Layer, axes: object, ndim: int, channels: int, where: str) -> list[int]:
    """Check the eventual-periodicity hypotheses of the prefix with itself on each axis; the limits."""
    if not (isinstance(axes, list) and len(axes) == ndim and all(isinstance(a, list) and len(a) == 3 for a in axes)):
        raise CertificateError(f"{where}: expected axes [[start, period, limit], ...], one per axis ({ndim})")
    for axis, (start, period, limit) in enumerate(axes):
        here = where if ndim == 1 else f"{where}, axis {axis + 1}"
        check_window(period, start, limit, here)
        if ndim == 1:
            periodic_structure(prefix, prefix, period, start, here)
            continue
        from symconv.core.layers_nd import axis_chain

        projection = axis_chain(prefix, axis)
        periodic_structure(projection, projection, period, start, here)
    limits = [a[2] for a in axes]
    if math.prod(limits) > MAX_RELU_SHAPES:
        raise CertificateError(f"{where}: {' x '.join(map(str, limits))} shapes exceed what the checker evaluates "
                               f"({MAX_RELU_SHAPES})")
    return limits


def _check_prefix(state: list[Layer], which: int, path: list, axes: object, where: str) -> None:
    """The lemma (module docstring) for the relu() at ``path`` of side ``which``; then drop it."""
    bounds = getattr(state, "bounds", ())
    if len(bounds) != 1:
        raise CertificateError(f"{where}: the certificate declares {len(bounds)} input bound(s) (assumptions); "
                               f"a relu() is dropped under exactly one, e.g. 'abs(x) <= B'")
    bound = bounds[0]
    ndim = max(side.ndim for side in state)
    channels = state[0].in_channels or state[1].in_channels or 1
    prefix = linear_prefix(state[which], path, ndim, channels, where)
    limits = _windows(prefix, axes, ndim, channels, where)
    for shape in itertools.product(*(range(limit) for limit in limits)):
        inputs = _input_numbers(shape, channels)
        for index, value in sorted(_outputs(prefix, shape, channels).items()):
            least, holds = least_value(value, inputs, bound, where)
            if not holds:
                at = f"n = {shape[0]}" if ndim == 1 else f"shape {list(shape)}"
                raise CertificateError(f"{where}: at {at} the relu() input {list(index)} = {to_sympy(value)} can be "
                                       f"{least} < 0 under |x| <= {bound}")
    state[which] = without_relu(state[which], path, ndim, where)
    state[:] = [as_convolutions(s, channels, ndim) for s in state]


def _side(step, where: str) -> int:
    side = step.get("side")
    if side not in ("lhs", "rhs"):
        raise CertificateError(f"{where}: side must be 'lhs' or 'rhs', not {side!r}")
    return 0 if side == "lhs" else 1


def rule_relu_identity(state: list[Layer], step, where: str) -> None:
    """1-D: drop the ``relu()`` at ``index`` of ``side`` after checking the lemma (module docstring)."""
    which, index = _side(step, where), step.get("index")
    if max(side.ndim for side in state) >= 2:
        raise CertificateError(f"{where}: relu_identity is for 1-D chains; N-D uses relu_identity_at")
    layers = state[which].layers()
    if not (_is_index(index) and index < len(layers) and isinstance(layers[index], ReLU)):
        raise CertificateError(f"{where}: layer {index!r} of {state[which]!r} is not a relu()")
    _check_prefix(state, which, [index], [[step.get("start"), step.get("period"), step.get("limit")]], where)


def rule_relu_identity_at(state: list[Layer], step, where: str) -> None:
    """Any d, a relu() inside sums too: drop the ``relu()`` at ``path`` of ``side`` after checking the lemma."""
    _check_prefix(state, _side(step, where), step.get("path"), step.get("axes"), where)
