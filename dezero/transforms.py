"""Transforms for dataset examples: callables applied to one example at a time.

Two families, as in the book. Image transforms take and give Pillow images
(``Convert``, ``Resize``, ``CenterCrop``, ``RandomHorizontalFlip``), or convert
between images and arrays (``ToArray``, ``ToPIL``); they need Pillow, an optional
dependency (``pip install "dezero-reference[image]"``) imported only when one of them
is used, with an ``ImportError`` saying so when it is missing. Array transforms
(``Flatten``, ``AsType``/``ToFloat``, ``ToInt``, ``Normalize``) need NumPy only.
Sizes are Pillow's ``(width, height)``; an int stands for both.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar, Union

import numpy as np
import numpy.typing as npt

from dezero import _random
from dezero.core import Array
from dezero.functions.conv import IntPair, pair

if TYPE_CHECKING:
    from PIL.Image import Image

Transform = Callable[[Array], Array]


def _require_pillow(transform: str) -> None:
    """Import Pillow, or raise an ``ImportError`` saying how to install it."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        raise ImportError(
            f"{transform} needs Pillow, which is not installed: "
            'pip install "dezero-reference[image]" (or pip install pillow)'
        ) from None


def _check_image(transform: str, img: object) -> Image:
    """``img`` when it is a Pillow image, else ``TypeError`` (``ImportError`` without
    Pillow)."""
    _require_pillow(transform)
    import PIL.Image

    if not isinstance(img, PIL.Image.Image):
        raise TypeError(f"{transform} takes a PIL image, got {type(img).__name__}")
    return img


class Compose:
    """Apply ``transforms`` in order (none: the identity). The example may change
    type along the way (image to array), hence ``Any``."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]] = ()) -> None:
        self.transforms = list(transforms)

    def __call__(self, x: Any) -> Any:
        for transform in self.transforms:
            x = transform(x)
        return x


# --------------------------------------------------------------------- images (Pillow)


class Convert:
    """Convert an image to another Pillow ``mode`` (``"RGB"``, ``"L"``, ...), or to
    ``"BGR"``: RGB with the red and blue channels swapped (an RGB-mode image)."""

    def __init__(self, mode: str = "RGB") -> None:
        self.mode = mode

    def __call__(self, img: Image) -> Image:
        img = _check_image("Convert", img)
        if self.mode != "BGR":
            return img.convert(self.mode)
        import PIL.Image

        red, green, blue = img.convert("RGB").split()
        return PIL.Image.merge("RGB", (blue, green, red))


class Resize:
    """Resize an image to ``size`` (width, height) with Pillow's resampling filter
    ``mode`` (default bilinear, the book's)."""

    def __init__(self, size: IntPair, mode: int | None = None) -> None:
        self.size = pair(size, "size", 1)
        self.mode = mode

    def __call__(self, img: Image) -> Image:
        img = _check_image("Resize", img)
        import PIL.Image

        mode = PIL.Image.Resampling.BILINEAR if self.mode is None else self.mode
        return img.resize(self.size, mode)


class CenterCrop:
    """Crop the centre ``size`` (width, height) of an image; when a side's margin is
    odd, the extra pixel is cut from the right or bottom. A size larger than the
    image pads with black, as Pillow's ``crop`` does."""

    def __init__(self, size: IntPair) -> None:
        self.size = pair(size, "size", 1)

    def __call__(self, img: Image) -> Image:
        img = _check_image("CenterCrop", img)
        (width, height), (out_width, out_height) = img.size, self.size
        left, top = (width - out_width) // 2, (height - out_height) // 2
        return img.crop((left, top, left + out_width, top + out_height))


class RandomHorizontalFlip:
    """Mirror an image (left to right) with probability ``p``: a Pillow image, or an
    array whose last axis is the width ((C, H, W) or (H, W)). The coin is
    ``np.random.rand() < p`` from NumPy's global generator, or from ``rng``. (The
    book's class is an empty stub.)"""

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | None = None) -> None:
        if not 0 <= p <= 1:
            raise ValueError(f"RandomHorizontalFlip: p must lie in [0, 1], got {p}")
        self.p = p
        self.rng = _random.checked(rng)

    def __call__(self, img: Image | Array) -> Image | Array:
        flip = bool(_random.uniform01((), self.rng) < self.p)
        if isinstance(img, np.ndarray):
            return img[..., ::-1] if flip else img
        img = _check_image("RandomHorizontalFlip", img)
        import PIL.Image

        return img.transpose(PIL.Image.Transpose.FLIP_LEFT_RIGHT) if flip else img


class ToArray:
    """A Pillow image as an array (C, H, W) of ``dtype`` (channels first; a
    single-channel image gives C = 1). An array passes through unchanged."""

    def __init__(self, dtype: npt.DTypeLike = np.float32) -> None:
        self.dtype = np.dtype(dtype)

    def __call__(self, img: Image | Array) -> Array:
        if isinstance(img, np.ndarray):
            return img
        pixels: Array = np.asarray(_check_image("ToArray", img))
        if pixels.ndim == 2:
            pixels = pixels[:, :, np.newaxis]
        channels_first: Array = pixels.transpose(2, 0, 1).astype(self.dtype)
        return channels_first


class ToPIL:
    """An array (C, H, W) with C of 1, 3 or 4 as a Pillow image (grey, RGB, RGBA).
    Colour images need uint8 data."""

    def __call__(self, array: Array) -> Image:
        array = np.asarray(array)
        if array.ndim != 3 or array.shape[0] not in (1, 3, 4):
            raise ValueError(f"ToPIL needs an array (C, H, W) with 1, 3 or 4 channels, got shape {array.shape}")
        if array.shape[0] > 1 and array.dtype != np.uint8:
            raise TypeError(f"ToPIL needs uint8 data for a colour image, got dtype {array.dtype}")
        _require_pillow("ToPIL")
        import PIL.Image

        pixels = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
        return PIL.Image.fromarray(np.ascontiguousarray(pixels))


# --------------------------------------------------------------------- arrays (NumPy)


class Flatten:
    """Flatten an example to one dimension."""

    def __call__(self, x: Array) -> Array:
        return np.asarray(x).reshape(-1)


class AsType:
    """Cast to ``dtype``."""

    def __init__(self, dtype: npt.DTypeLike = np.float32) -> None:
        self.dtype = np.dtype(dtype)

    def __call__(self, x: Array) -> Array:
        return np.asarray(x).astype(self.dtype)


ToFloat = AsType


class ToInt(AsType):
    """Cast to an integer dtype (int64 by default)."""

    def __init__(self, dtype: npt.DTypeLike = np.int64) -> None:
        super().__init__(dtype)


class Normalize:
    """``(x - mean) / std``. ``mean`` and ``std`` are numbers or per-channel
    sequences (channel axis 0 of an example, as for a (C, H, W) image)."""

    def __init__(self, mean: Union[float, Sequence[float]] = 0, std: Union[float, Sequence[float]] = 1) -> None:
        self.mean = mean
        self.std = std

    def _per_channel(self, value: Union[float, Sequence[float]], x: Array) -> Array:
        array = np.asarray(value, dtype=x.dtype if x.dtype.kind == "f" else np.float64)
        if array.ndim == 1 and x.ndim > 1:
            return array.reshape((len(array),) + (1,) * (x.ndim - 1))
        return array

    def __call__(self, x: Array) -> Array:
        x = np.asarray(x)
        mean, std = self._per_channel(self.mean, x), self._per_channel(self.std, x)
        result: Array = (x - mean) / std
        return result


T = TypeVar("T")


def identity(x: T) -> T:
    """The default transform: returns its argument."""
    return x
