"""The image transforms (Pillow) and the array transforms, with and without Pillow."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image

from dezero.transforms import (
    CenterCrop,
    Compose,
    Convert,
    Normalize,
    RandomHorizontalFlip,
    Resize,
    ToArray,
    ToFloat,
    ToPIL,
)
from strategies.implementation.protocols import Array
from tests.reference.rng_check import global_draws_like, global_generator_untouched


def rgb(height: int, width: int) -> Array:
    return np.arange(height * width * 3, dtype=np.uint8).reshape(height, width, 3)


def test_to_array_puts_channels_first() -> None:
    pixels = rgb(4, 6)
    x = ToArray()(Image.fromarray(pixels))
    assert x.shape == (3, 4, 6) and x.dtype == np.float32
    np.testing.assert_array_equal(x, pixels.transpose(2, 0, 1))
    grey = ToArray(np.uint8)(Image.fromarray(pixels[:, :, 0]))
    assert grey.shape == (1, 4, 6) and grey.dtype == np.uint8
    array = np.ones((3, 2, 2))
    assert ToArray()(array) is array  # arrays pass through


def test_to_pil_inverts_to_array() -> None:
    pixels = rgb(3, 5)
    image = ToPIL()(pixels.transpose(2, 0, 1))
    assert image.size == (5, 3) and image.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(image), pixels)
    grey = ToPIL()(pixels[:, :, :1].transpose(2, 0, 1))
    assert grey.mode == "L" and np.asarray(grey).shape == (3, 5)
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        ToPIL()(np.zeros((2, 3, 3), dtype=np.uint8))
    with pytest.raises(TypeError, match="uint8"):
        ToPIL()(np.zeros((3, 2, 2)))


def test_convert_to_a_mode_or_to_bgr() -> None:
    image = Image.fromarray(rgb(2, 2))
    assert Convert("L")(image).mode == "L"
    bgr = np.asarray(Convert("BGR")(image))
    np.testing.assert_array_equal(bgr, rgb(2, 2)[:, :, ::-1])


def test_resize_takes_width_then_height() -> None:
    image = Image.fromarray(rgb(4, 6))
    assert Resize((3, 2))(image).size == (3, 2)
    assert Resize(5)(image).size == (5, 5)
    same = Resize((6, 4), Image.Resampling.NEAREST)(image)
    np.testing.assert_array_equal(np.asarray(same), rgb(4, 6))


def test_center_crop_cuts_the_extra_pixel_at_the_right_and_bottom() -> None:
    pixels = rgb(5, 6)
    cropped = np.asarray(CenterCrop((3, 2))(Image.fromarray(pixels)))
    # width 6 -> 3: margin 3, left 1; height 5 -> 2: margin 3, top 1
    np.testing.assert_array_equal(cropped, pixels[1:3, 1:4])
    np.testing.assert_array_equal(np.asarray(CenterCrop(4)(Image.fromarray(pixels))), pixels[0:4, 1:5])


def test_random_horizontal_flip_draws_one_number_per_call() -> None:
    x = np.arange(12.0).reshape(1, 3, 4)
    np.random.seed(0)  # the first draws: 0.549, 0.715
    with global_draws_like(lambda: np.random.rand()):
        flipped = RandomHorizontalFlip(0.6)(x)
    np.testing.assert_array_equal(flipped, x[:, :, ::-1])
    assert RandomHorizontalFlip(0.6)(x) is x
    image = Image.fromarray(rgb(2, 3))
    mirrored = RandomHorizontalFlip(1.0)(image)
    assert isinstance(mirrored, Image.Image)
    np.testing.assert_array_equal(np.asarray(mirrored), rgb(2, 3)[:, ::-1])
    with global_generator_untouched():
        RandomHorizontalFlip(rng=np.random.default_rng(0))(x)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        RandomHorizontalFlip(1.5)


def test_an_image_pipeline_as_in_the_book() -> None:
    pipeline = Compose([Convert("RGB"), Resize(8), CenterCrop(4), ToArray(), Normalize(127.5, 127.5)])
    x = pipeline(Image.fromarray(rgb(10, 12)))
    assert x.shape == (3, 4, 4) and x.dtype == np.float32
    assert -1 <= x.min() and x.max() <= 1


NOT_AN_IMAGE: Any = np.zeros((2, 2))  # typed Any: the transforms are given a wrong type on purpose


@pytest.mark.parametrize(
    "use",
    [
        lambda: Convert()(NOT_AN_IMAGE),
        lambda: Resize(2)(NOT_AN_IMAGE),
        lambda: CenterCrop(2)(NOT_AN_IMAGE),
        lambda: ToArray()(NOT_AN_IMAGE.tolist()),
        lambda: ToPIL()(np.zeros((3, 2, 2), dtype=np.uint8)),
    ],
)
def test_without_pillow_the_image_transforms_say_what_to_install(
    use: Callable[[], object], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    with pytest.raises(ImportError, match="needs Pillow.*pip install"):
        use()


def test_without_pillow_the_array_transforms_still_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    x = np.arange(6, dtype=np.uint8).reshape(1, 2, 3)
    np.testing.assert_allclose(Compose([ToFloat(), Normalize(1.0, 2.0)])(x), (x - 1.0) / 2.0)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(x), x[:, :, ::-1])
    array = np.ones((3, 2, 2))
    assert ToArray()(array) is array


def test_image_transforms_refuse_arrays_with_pillow_installed() -> None:
    with pytest.raises(TypeError, match="PIL image"):
        Resize(2)(NOT_AN_IMAGE)
