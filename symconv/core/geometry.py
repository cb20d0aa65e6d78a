"""The layers of signal geometry, one class each for every number ``d`` of spatial axes: pad, crop, down, up, flip.

Each stores one value per axis (``before``/``after`` for pad and crop, ``factors``/``phases`` for down,
``factors`` for up); an int given to the class is the one value of a 1-D layer. A 1-D layer (``d = 1``)
also answers the 1-D names ``left``/``right`` and ``factor``/``phase`` and reads as 1-D DSL; for
``d >= 2`` these names do not exist (a per-axis reader asks for ``before[a]``).

Per axis ``a``, with ``n`` the input length and ``y`` the output:

    pad:  y[i] = x[i - l],                  length n + l + r      (zeros outside x)
    crop: y[i] = x[i + l],                  length n - l - r
    down: y[i] = x[s i + q],                length ceil((n - q) / s)
    up:   y[s i] = x[i], zeros between,     length (n - 1) s + 1
    flip: y[i] = x[n - 1 - i],              length n             (on every axis, or on the axes listed)

>>> Pad(1, 2), Pad((1, 0), (2, 2)), Down(2, 1), Up((2, 3))
(pad(1, 2), pad((1, 0), (2, 2)), down(2, phase=1), up((2, 3)))
>>> Pad(1, 2) == Pad((1,), (2,)), Pad(1, 2).left, Pad(1, 2).ndim
(True, 1, 1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from symconv.core.axes import Axes, checked_axes, is_int, one_axis_property
from symconv.core.layers import Layer, check_rate, check_shift
from symconv.errors import InvalidArgument

__all__ = ["Pad", "Crop", "Down", "Up", "Flip", "is_whole_flip", "identity_pad", "MAX_FLIP_AXES"]


def _store_axes(layer: Layer, field: str, what: str, argument: str, check) -> bool:
    """Store ``layer.field`` as one checked value per axis; True when it was given as an int (a 1-D layer).

    An int is checked under the 1-D argument name (``left``, ``s``), a tuple under the per-axis one."""
    value = getattr(layer, field)
    if is_int(value) or not isinstance(value, (tuple, list)):
        check(value, what, argument)
        object.__setattr__(layer, field, (value,))
        return True
    if not (len(value) >= 1 and all(is_int(v) for v in value)):
        raise InvalidArgument(what, field, value, "a tuple with one int per axis")
    value = tuple(value)
    object.__setattr__(layer, field, value)
    checked_axes(value, check, what, field)
    return False


def _same_axes(layer: Layer, what: str, first: str, second: str) -> None:
    a, b = getattr(layer, first), getattr(layer, second)
    if len(a) != len(b):
        raise InvalidArgument(what, second, b, f"as many values as the other arguments ({len(a)} axes)")


def _shift_text(name: str, before: Axes, after: Axes) -> str:
    if len(before) == 1:
        first, second = before[0], after[0]
    else:
        first, second = before, after
    return f"{name}({first})" if before == after else f"{name}({first}, {second})"


class _Shift(Layer):
    """Pad and crop: ``before`` and ``after`` per axis."""

    before: Axes
    after: Axes
    _name = ""

    def __post_init__(self) -> None:
        _store_axes(self, "before", self._name, "left", check_shift)
        _store_axes(self, "after", self._name, "right", check_shift)
        _same_axes(self, self._name, "before", "after")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.before)

    left = one_axis_property("before", "left", "``before[0]`` of a 1-D layer.")
    right = one_axis_property("after", "right", "``after[0]`` of a 1-D layer.")

    def __repr__(self) -> str:
        return _shift_text(self._name, self.before, self.after)


@dataclass(frozen=True, repr=False)
class Pad(_Shift):
    """``pad(before, after)``: per axis ``before`` zeros ahead and ``after`` behind; size ``n + before + after``."""

    before: Axes
    after: Axes
    _name = "pad"


@dataclass(frozen=True, repr=False)
class Crop(_Shift):
    """``crop(before, after)``: per axis ``y[i] = x[i + before]``, size ``n - before - after``."""

    before: Axes
    after: Axes
    _name = "crop"


@dataclass(frozen=True, repr=False)
class Down(Layer):
    """``down(s, q)``: ``y[i] = x[s i + q]`` per axis; size ``ceil((n - q) / s)``."""

    factors: Axes
    phases: Axes = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        one_axis = _store_axes(self, "factors", "down", "s", check_rate)
        if self.phases is None:
            object.__setattr__(self, "phases", (0,) * len(self.factors))
        _store_axes(self, "phases", "down", "phase", check_shift)
        _same_axes(self, "down", "factors", "phases")
        if any(q >= s for s, q in zip(self.factors, self.phases)):
            if one_axis and len(self.phases) == 1:
                raise InvalidArgument("down", "phase", self.phases[0], f"0 <= phase < s = {self.factors[0]}")
            raise InvalidArgument("down", "phase", self.phases, "0 <= phase < s on each axis")

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.factors)

    factor = one_axis_property("factors", "factor", "``factors[0]`` of a 1-D layer.")
    phase = one_axis_property("phases", "phase", "``phases[0]`` of a 1-D layer.")

    def __repr__(self) -> str:
        if len(self.factors) == 1:
            return f"down({self.factor})" if self.phase == 0 else f"down({self.factor}, phase={self.phase})"
        if not any(self.phases):
            return f"down({self.factors})"
        return f"down({self.factors}, {self.phases})"


@dataclass(frozen=True, repr=False)
class Up(Layer):
    """``up(s)``: ``y[s i] = x[i]`` per axis, zeros between; size ``(n - 1) s + 1``."""

    factors: Axes

    def __post_init__(self) -> None:
        _store_axes(self, "factors", "up", "s", check_rate)

    @property
    def ndim(self) -> int:  # type: ignore[override]
        return len(self.factors)

    factor = one_axis_property("factors", "factor", "``factors[0]`` of a 1-D layer.")

    def __repr__(self) -> str:
        return f"up({self.factors[0]})" if len(self.factors) == 1 else f"up({self.factors})"


def identity_pad(ndim: int) -> Pad:
    """The identity on signals with ``ndim`` spatial axes: ``pad(0)``, ``pad((0, 0))``, ..."""
    return Pad((0,) * ndim, (0,) * ndim)


#: Axes a ``flip(axes=...)`` may name (a chain has at most this many spatial axes in practice).
MAX_FLIP_AXES = 8


def _flip_axes(axes: object) -> Axes:
    values = (axes,) if is_int(axes) else axes
    if not (isinstance(values, (tuple, list)) and values and all(is_int(a) and 0 <= a < MAX_FLIP_AXES for a in values)
            and len(set(values)) == len(values)):
        raise InvalidArgument("flip", "axes", axes, "distinct spatial axes counted from 0, e.g. (0,) or (0, 1)")
    return tuple(sorted(values))


@dataclass(frozen=True, repr=False)
class Flip(Layer):
    """``flip()``: every spatial axis reversed, ``y[i] = x[n - 1 - i]`` (in 1-D); ``flip(axes=(a, ...))``: the listed
    spatial axes of an N-D signal only (axis 0 is the first after the channel), as ``torch.flip`` on dims ``2 + a``:

        y[m, i] = x[m, i'],   i'_a = n_a - 1 - i_a for a in axes,  i'_a = i_a otherwise.

    Both keep the shape and fit a chain of any number of axes (``axes_free``); listed axes must exist, and a 1-D
    chain reverses with ``flip()`` (checked when the chain is built: :func:`symconv.core.layers_nd.check_flip_axes`).
    """

    axes: Optional[Axes] = None
    axes_free = True

    def __post_init__(self) -> None:
        if self.axes is not None:
            object.__setattr__(self, "axes", _flip_axes(self.axes))

    def reversed_axes(self, ndim: int) -> frozenset[int]:
        """The axes this flip reverses in a ``ndim``-D chain: all for ``flip()``, else the listed ones."""
        return frozenset(range(ndim)) if self.axes is None else frozenset(self.axes)

    def __repr__(self) -> str:
        if self.axes is None:
            return "flip()"
        return "flip(axes=(" + ", ".join(map(str, self.axes)) + ("," if len(self.axes) == 1 else "") + "))"


def is_whole_flip(layer: Layer) -> bool:
    """Whether ``layer`` is ``flip()``, which reverses every axis (``flip(axes=...)`` reverses the listed ones)."""
    return isinstance(layer, Flip) and layer.axes is None
