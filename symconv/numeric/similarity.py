"""How alike two images are: Pearson's correlation coefficient and SSIM, as seed 004 measures them.

The note (He et al., random CNN-DCN) scores a reconstruction against its
original, both in grey scale, by

* Pearson's correlation coefficient of the pixel values, :func:`pearson`
  (written here; it is a two-line formula), and
* the structural similarity index of Wang et al. (2004), :func:`ssim`, taken
  from a maintained implementation, scikit-image's
  ``skimage.metrics.structural_similarity``. scikit-image is optional
  (``pip install scikit-image``, or the ``similarity`` extra of symconv): it
  is imported only when :func:`ssim` runs, and its absence is a
  :class:`~symconv.errors.PythonPackageMissing` (a :class:`~symconv.errors.ToolMissing`).
* :func:`note_ssim` applies the note's rule: a negative SSIM is recomputed
  with the luminosity of the reconstruction inverted (:func:`invert_luminosity`).

>>> round(pearson([1, 2, 3, 4], [2, 4, 6, 9]), 4)
0.9944
>>> pearson([1, 2, 3], [3, 2, 1])
-1.0
"""

from __future__ import annotations

import importlib.util
import math
import numbers
from typing import Optional

import numpy as np
from numpy.typing import ArrayLike

from symconv.errors import InvalidArgument, PythonPackageMissing

__all__ = ["pearson", "ssim", "note_ssim", "invert_luminosity", "skimage_available", "PythonPackageMissing",
           "SSIM_WINDOW"]

#: Side of the square window of :func:`ssim` (scikit-image's default): images need at least this many pixels a side.
SSIM_WINDOW = 7


def skimage_available() -> bool:
    """Whether scikit-image can be imported (without importing it).

    >>> isinstance(skimage_available(), bool)
    True
    """
    return importlib.util.find_spec("skimage") is not None


# --- input checks ------------------------------------------------------------------------------

def _image_array(what: str, argument: str, value: ArrayLike) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:  # ragged nesting, strings
        text = repr(value)
        raise InvalidArgument(what, argument, text if len(text) <= 60 else text[:57] + "...",
                              "a rectangular array of real numbers") from error
    if arr.size == 0:
        raise InvalidArgument(what, argument, f"an empty array of shape {arr.shape}", "at least one value")
    if not np.all(np.isfinite(arr)):
        raise InvalidArgument(what, argument, f"an array of shape {arr.shape} with NaN or infinite values",
                              "finite values")
    return arr


def _same_shape(what: str, a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise InvalidArgument(what, "b", f"an array of shape {b.shape}", f"the shape of a, {a.shape}")


# --- Pearson -----------------------------------------------------------------------------------

def pearson(a: ArrayLike, b: ArrayLike) -> float:
    """Pearson's correlation coefficient of the values of two arrays of the same shape.

    ``rho(a, b) = sum_i (a_i - mean a)(b_i - mean b) / sqrt(sum_i (a_i - mean a)^2 sum_i (b_i - mean b)^2)``,
    the sum over every entry (pixels of an image, samples of a signal). It
    lies in [-1, 1], is unchanged by ``a -> s a + t`` with ``s > 0`` and
    changes sign with ``s < 0``. A constant array has no correlation with
    anything (the denominator is 0): it is refused with
    :class:`~symconv.errors.InvalidArgument`.

    Args:
        a, b: real arrays (any number of axes) of the same shape, finite.

    >>> pearson([[0, 1], [2, 3]], [[10, 11], [12, 13]])
    1.0
    """
    x, y = _image_array("pearson", "a", a), _image_array("pearson", "b", b)
    _same_shape("pearson", x, y)
    centred = []
    for argument, arr in (("a", x), ("b", y)):
        if arr.max() == arr.min():
            raise InvalidArgument("pearson", argument, f"a constant array (every value {float(arr.flat[0])!r})",
                                  "an array with at least two different values: a constant has no correlation")
        # rho does not see the scale: dividing first keeps tiny or huge values from under- or overflowing
        scaled = arr.ravel() / np.abs(arr).max()
        c = scaled - scaled.mean()
        centred.append(c / np.abs(c).max())
    u, v = centred
    return float(np.clip(u @ v / math.sqrt(float(u @ u) * float(v @ v)), -1.0, 1.0))


# --- SSIM --------------------------------------------------------------------------------------

def _grey_images(what: str, a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x, y = _image_array(what, "a", a), _image_array(what, "b", b)
    for argument, arr in (("a", x), ("b", y)):
        if arr.ndim != 2 or min(arr.shape) < SSIM_WINDOW:
            raise InvalidArgument(what, argument, f"an array of shape {arr.shape}",
                                  f"a grey-scale image: a 2-D array at least {SSIM_WINDOW} x {SSIM_WINDOW} "
                                  f"(the side of the SSIM window)")
    _same_shape(what, x, y)
    return x, y


def _data_range(what: str, x: np.ndarray, y: np.ndarray, data_range: Optional[float]) -> float:
    if data_range is None:
        joint = float(max(x.max(), y.max()) - min(x.min(), y.min()))
        if joint == 0:
            raise InvalidArgument(what, "data_range", None, "a positive grey range: both images are the same "
                                                            "constant, so pass data_range explicitly")
        return joint
    if isinstance(data_range, bool) or not isinstance(data_range, numbers.Real) or not (
            math.isfinite(data_range) and data_range > 0):
        raise InvalidArgument(what, "data_range", data_range, "a positive finite number (the grey range, "
                                                              "e.g. 255 or 1), or None for the range of a and b")
    return float(data_range)


def ssim(a: ArrayLike, b: ArrayLike, data_range: Optional[float] = None) -> float:
    """The structural similarity index (Wang et al. 2004) of two grey-scale images, by scikit-image.

    ``SSIM(a, b) = mean_w (2 mu_a mu_b + C1)(2 s_ab + C2) / ((mu_a^2 + mu_b^2 + C1)(s_a^2 + s_b^2 + C2))``
    over the 7 x 7 windows ``w`` that lie inside the image (means,
    sample variances and covariance of the window; uniform weights),
    ``C1 = (0.01 L)^2``, ``C2 = (0.03 L)^2`` with ``L = data_range``: the
    defaults of ``skimage.metrics.structural_similarity``. It is 1 exactly
    when ``a == b`` and may be negative (anti-correlated structure).

    Args:
        a, b: 2-D arrays of the same shape, at least 7 x 7, finite.
        data_range: the grey range ``L`` (255 for 8-bit images, 1 for [0, 1]);
            ``None`` takes ``max(a, b) - min(a, b)`` over both images.

    Raises :class:`PythonPackageMissing` (a
    :class:`~symconv.errors.ToolMissing`) without scikit-image.

    >>> image = np.arange(64.0).reshape(8, 8)
    >>> ssim(image, image) if skimage_available() else 1.0
    1.0
    """
    x, y = _grey_images("ssim", a, b)
    L = _data_range("ssim", x, y, data_range)
    try:
        from skimage.metrics import structural_similarity
    except ImportError as error:
        raise PythonPackageMissing(("skimage",), ("scikit-image",), "SSIM (symconv.numeric.similarity.ssim)",
                                   extra="similarity") from error
    return float(structural_similarity(x, y, win_size=SSIM_WINDOW, data_range=L))


def invert_luminosity(image: ArrayLike) -> np.ndarray:
    """The grey image with light and dark exchanged over its own grey levels: ``min + max - image``.

    For an image spanning [0, 1] this is ``1 - image``; the result spans the
    same levels as ``image``.

    >>> invert_luminosity([[0.0, 0.25], [0.5, 1.0]]).tolist()
    [[1.0, 0.75], [0.5, 0.0]]
    """
    arr = _image_array("invert_luminosity", "image", image)
    return arr.min() + arr.max() - arr


def note_ssim(a: ArrayLike, b: ArrayLike, data_range: Optional[float] = None) -> float:
    """SSIM as seed 004 reports it: when ``SSIM(a, b) < 0``, ``SSIM(a, invert_luminosity(b))`` instead.

    ``a`` is the original and ``b`` the reconstruction (its luminosity is
    the one inverted); ``data_range`` as in :func:`ssim`, the same for both
    computations (the inverted image spans the grey levels of ``b``, so the
    default range is unchanged). The note says the value is then in
    [0, 1]; that is typical, not guaranteed (the luminance factor also
    changes), and the value is returned as computed, never clamped.

    >>> image = np.add.outer(np.arange(8.0), np.arange(8.0) ** 2)
    >>> note_ssim(image, invert_luminosity(image)) if skimage_available() else 1.0
    1.0
    """
    value = ssim(a, b, data_range)
    if value >= 0:
        return value
    return ssim(a, invert_luminosity(b), data_range)
