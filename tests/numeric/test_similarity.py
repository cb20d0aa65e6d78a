"""Unit tests of the image similarity measures: Pearson's rho (against numpy) and SSIM (scikit-image)."""

import sys

import numpy as np
import pytest

from symconv.errors import InvalidArgument, ToolMissing
from symconv.numeric.similarity import (
    PythonPackageMissing,
    invert_luminosity,
    note_ssim,
    pearson,
    skimage_available,
    ssim,
)

needs_skimage = pytest.mark.skipif(not skimage_available(), reason="scikit-image is not installed")


def smooth_image(side: int = 16, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    i, j = np.meshgrid(np.arange(side), np.arange(side), indexing="ij")
    a, b, p = rng.uniform(0.2, 0.6, size=3)
    return 0.5 + 0.4 * np.sin(a * i + p) * np.cos(b * j)


# --- Pearson -----------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(2,), (7,), (5, 6), (3, 4, 5)])
@pytest.mark.parametrize("seed", range(4))
def test_pearson_equals_numpy_corrcoef_on_random_data(shape, seed):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=shape)
    b = 0.3 * a + rng.normal(size=shape)
    assert pearson(a, b) == pytest.approx(np.corrcoef(a.ravel(), b.ravel())[0, 1], abs=1e-12)


def test_pearson_is_one_for_a_positive_multiple_and_minus_one_for_a_negative_one():
    a = np.arange(10.0) ** 1.5
    assert pearson(a, 3 * a + 7) == pytest.approx(1.0, abs=1e-15)
    assert pearson(a, -2 * a + 1) == pytest.approx(-1.0, abs=1e-15)


@pytest.mark.parametrize("scale, shift", [(2.5, -3.0), (1e-3, 4.0), (1e9, 0.0), (1e-9, 0.0), (0.1, 1e3)])
def test_pearson_is_invariant_under_affine_maps_with_positive_scale(scale, shift):
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(8, 8)), rng.normal(size=(8, 8))
    rho = pearson(a, b)
    assert pearson(scale * a + shift, b) == pytest.approx(rho, abs=1e-9)
    assert pearson(a, scale * b + shift) == pytest.approx(rho, abs=1e-9)


def test_pearson_changes_sign_when_one_argument_changes_sign():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=50), rng.normal(size=50)
    assert pearson(-a, b) == pytest.approx(-pearson(a, b), abs=1e-14)
    assert pearson(a, -b) == pytest.approx(-pearson(a, b), abs=1e-14)
    assert pearson(-a, -b) == pytest.approx(pearson(a, b), abs=1e-14)


def test_pearson_is_symmetric_and_stays_in_the_unit_interval():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = rng.normal(size=6), rng.normal(size=6)
        assert pearson(a, b) == pytest.approx(pearson(b, a), abs=1e-15)
        assert -1.0 <= pearson(a, b) <= 1.0


def test_pearson_of_tiny_values_neither_underflows_nor_loses_the_sign():
    a = np.array([1.0, 2.0, 4.0, 3.0])
    assert pearson(a * 1e-300, a * 1e-310) == pytest.approx(1.0, abs=1e-12)
    assert pearson(a * 1e300, -a * 1e300) == pytest.approx(-1.0, abs=1e-12)


@pytest.mark.parametrize("argument", ["a", "b"])
def test_pearson_refuses_a_constant_array(argument):
    constant, other = np.full((3, 3), 0.5), np.arange(9.0).reshape(3, 3)
    a, b = (constant, other) if argument == "a" else (other, constant)
    with pytest.raises(InvalidArgument, match=rf"pearson: {argument}='a constant array \(every value 0.5\)' is "
                                              r"invalid; expected an array with at least two different values"):
        pearson(a, b)


def test_pearson_refuses_arrays_of_different_shapes():
    with pytest.raises(InvalidArgument, match=r"pearson: b='an array of shape \(2, 3\)' is invalid; expected the "
                                              r"shape of a, \(3, 2\)"):
        pearson(np.ones((3, 2)).cumsum(axis=0), np.ones((2, 3)).cumsum(axis=1))


@pytest.mark.parametrize("bad, fragment", [([1.0, np.nan, 2.0], "NaN or infinite"), ([], "empty array"),
                                           ([[1, 2], [3]], "rectangular array")])
def test_pearson_refuses_inputs_that_are_not_finite_arrays(bad, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        pearson(bad, [1.0, 2.0, 3.0])


# --- SSIM --------------------------------------------------------------------------------------

@needs_skimage
def test_ssim_of_an_image_with_itself_is_one():
    image = smooth_image()
    assert ssim(image, image) == 1.0
    assert ssim(image, image, data_range=1.0) == 1.0


@needs_skimage
def test_ssim_of_a_noisy_copy_is_below_one_and_falls_with_the_noise():
    image, rng = smooth_image(), np.random.default_rng(4)
    noise = rng.normal(size=image.shape)
    values = [ssim(image, image + level * noise, data_range=1.0) for level in (0.01, 0.05, 0.2)]
    assert all(v < 1 for v in values)
    assert values[0] > values[1] > values[2]


@needs_skimage
def test_ssim_on_a_single_window_is_the_formula_of_wang_et_al():
    # a 7 x 7 image holds exactly one window: SSIM is the formula with sample (co)variances
    rng = np.random.default_rng(5)
    a, b = rng.uniform(size=(7, 7)), rng.uniform(size=(7, 7))
    L = 2.0
    c1, c2 = (0.01 * L) ** 2, (0.03 * L) ** 2
    mu_a, mu_b = a.mean(), b.mean()
    cov = np.cov(a.ravel(), b.ravel(), ddof=1)
    want = ((2 * mu_a * mu_b + c1) * (2 * cov[0, 1] + c2)
            / ((mu_a ** 2 + mu_b ** 2 + c1) * (cov[0, 0] + cov[1, 1] + c2)))
    assert ssim(a, b, data_range=L) == pytest.approx(want, rel=1e-12)


@needs_skimage
def test_ssim_without_data_range_uses_the_grey_range_of_both_images():
    a = smooth_image(seed=1)
    b = 0.5 * smooth_image(seed=2) + 0.6
    joint = max(a.max(), b.max()) - min(a.min(), b.min())
    assert ssim(a, b) == ssim(a, b, data_range=joint)
    assert ssim(a, b) != ssim(a, b, data_range=255)


@needs_skimage
def test_ssim_is_not_pearson_it_sees_brightness_and_contrast():
    image = smooth_image()
    assert pearson(image, 0.5 * image + 0.3) == pytest.approx(1.0)
    assert ssim(image, 0.5 * image + 0.3, data_range=1.0) < 0.99


@pytest.mark.parametrize("a, b, fragment", [
    (np.ones((6, 10)), np.ones((6, 10)), r"a='an array of shape \(6, 10\)' is invalid; expected a grey-scale image: "
                                         r"a 2-D array at least 7 x 7"),
    (np.ones((8, 8, 3)), np.ones((8, 8, 3)), r"a='an array of shape \(8, 8, 3\)' is invalid"),
    (np.eye(8), np.eye(9), r"b='an array of shape \(9, 9\)' is invalid; expected the shape of a, \(8, 8\)"),
])
def test_ssim_refuses_what_is_not_a_pair_of_grey_images(a, b, fragment):
    with pytest.raises(InvalidArgument, match="ssim: " + fragment):
        ssim(a, b)


@pytest.mark.parametrize("data_range", [0, -1.0, float("nan"), float("inf"), True, "255"])
def test_ssim_refuses_a_data_range_that_is_not_positive_and_finite(data_range):
    with pytest.raises(InvalidArgument, match="ssim: data_range=.* is invalid; expected a positive finite number"):
        ssim(np.eye(8), np.eye(8), data_range=data_range)


def test_ssim_of_two_equal_constant_images_needs_an_explicit_data_range():
    with pytest.raises(InvalidArgument, match="both images are the same constant, so pass data_range explicitly"):
        ssim(np.full((8, 8), 3.0), np.full((8, 8), 3.0))


# --- the note's rule ---------------------------------------------------------------------------

def test_invert_luminosity_exchanges_light_and_dark_over_the_grey_levels_of_the_image():
    image = smooth_image()
    assert np.array_equal(invert_luminosity([[0.0, 0.25], [1.0, 0.5]]), [[1.0, 0.75], [0.0, 0.5]])
    inverted = invert_luminosity(image)
    assert (inverted.min(), inverted.max()) == pytest.approx((image.min(), image.max()))
    assert np.allclose(invert_luminosity(inverted), image)


@needs_skimage
def test_note_ssim_recomputes_a_negative_ssim_with_the_reconstruction_inverted():
    image = smooth_image()
    rng = np.random.default_rng(6)
    reconstruction = invert_luminosity(image) + 0.05 * rng.normal(size=image.shape)
    raw = ssim(image, reconstruction)
    assert raw < 0
    value = note_ssim(image, reconstruction)
    assert value == ssim(image, invert_luminosity(reconstruction))
    assert 0 < value < 1
    assert note_ssim(image, invert_luminosity(image)) == pytest.approx(1.0)


@needs_skimage
def test_note_ssim_keeps_a_non_negative_ssim():
    image = smooth_image()
    noisy = image + 0.1 * np.random.default_rng(7).normal(size=image.shape)
    assert 0 <= ssim(image, noisy) < 1
    assert note_ssim(image, noisy) == ssim(image, noisy)
    assert note_ssim(image, noisy, data_range=1.0) == ssim(image, noisy, data_range=1.0)


# --- scikit-image is optional ------------------------------------------------------------------

@pytest.fixture
def without_skimage(monkeypatch):
    # None in sys.modules makes every import of the name fail, as if it were not installed
    for name in [m for m in sys.modules if m == "skimage" or m.startswith("skimage.")] + ["skimage"]:
        monkeypatch.setitem(sys.modules, name, None)


def test_ssim_without_scikit_image_raises_tool_missing_saying_what_to_install(without_skimage):
    assert not skimage_available()
    with pytest.raises(ToolMissing, match=r"needs the Python module skimage, which is not installed; install it "
                                          r"with `pip install scikit-image`") as info:
        ssim(np.eye(8), np.eye(8))
    assert isinstance(info.value, PythonPackageMissing)
    assert info.value.packages == ("scikit-image",) and info.value.tools == ("skimage",)
    assert isinstance(info.value.__cause__, ImportError)
    with pytest.raises(ToolMissing, match="pip install scikit-image"):
        note_ssim(np.eye(8), np.eye(8))


def test_pearson_does_not_need_scikit_image(without_skimage):
    assert pearson([1, 2, 3], [1, 2, 4]) == pytest.approx(np.corrcoef([1, 2, 3], [1, 2, 4])[0, 1])


def test_ssim_checks_its_arguments_before_looking_for_scikit_image(without_skimage):
    with pytest.raises(InvalidArgument, match="a 2-D array at least 7 x 7"):
        ssim(np.eye(3), np.eye(3))
